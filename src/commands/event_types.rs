//! Appointment Sync — Event Types: which FluentCase event types are pushed
//! to CaseStatus as appointments. None checked means no appointments.

use serde_json::json;

use crate::commands::exact_choice;
use crate::store::fluentcase::Access;
use crate::sync::Ctx;
use crate::util::exit::OK;

/// `event-types`: every FluentCase event type with `[x]` or `[ ]`.
pub fn list(ctx: &Ctx) -> anyhow::Result<u8> {
    let state = ctx.state()?;
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let types = fc.event_types()?;
    let enabled = state.enabled_event_types()?;
    let stale: Vec<&String> = enabled.iter().filter(|e| !types.contains(e)).collect();
    if ctx.out.json {
        ctx.out.json(&json!({
            "event_types": types.iter().map(|t| json!({"name": t, "enabled": enabled.contains(t)})).collect::<Vec<_>>(),
            "enabled_but_missing_in_fluentcase": stale,
        }))?;
        return Ok(OK);
    }
    ctx.out
        .line("Appointment Sync — Event Types (checked types are pushed as Meeting appointments):");
    for t in &types {
        let mark = if enabled.contains(t) { "[x]" } else { "[ ]" };
        ctx.out.line(format!("  {mark} {t}"));
    }
    for s in stale {
        ctx.out.line(format!(
            "  [x] {s}  {}",
            ctx.out.warn_badge("no longer an event type in FluentCase")
        ));
    }
    if enabled.is_empty() {
        ctx.out.line("No event types are checked, so no appointments are pushed. Enable some with: casestatus-sync event-types enable NAME...");
    }
    Ok(OK)
}

/// `event-types enable|disable NAME...`: all names are checked before any change.
pub fn set(ctx: &Ctx, names: &[String], enabled: bool) -> anyhow::Result<u8> {
    let state = ctx.state()?;
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let mut choices = fc.event_types()?;
    if !enabled {
        // A type FluentCase dropped can still be switched off.
        for e in state.enabled_event_types()? {
            if !choices.contains(&e) {
                choices.push(e);
            }
        }
    }
    let chosen = names
        .iter()
        .map(|n| exact_choice("event type", n, &choices).cloned())
        .collect::<anyhow::Result<Vec<_>>>()?;
    for n in &chosen {
        state.set_event_type_enabled(n, enabled)?;
    }
    list(ctx)
}
