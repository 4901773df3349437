//! Appointment Sync — Event Types: which FluentCase event types are pushed
//! to CaseStatus as appointments. None checked means no appointments.

use serde_json::json;

use crate::commands::exact_choice;
use crate::store::fluentcase::{Access, FluentCase};
use crate::store::state::StateStore;
use crate::sync::Ctx;
use crate::util::exit::OK;
use crate::util::term::Styled;

/// `event-types [enable|disable NAME...]`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<EventTypeAction>,
}

#[derive(Debug, clap::Subcommand)]
pub enum EventTypeAction {
    /// Push events of these types as appointments
    Enable {
        /// FluentCase event types, exactly as named there (see `event-types`)
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
    /// Stop pushing events of these types
    Disable {
        /// FluentCase event types, exactly as named there (see `event-types`)
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
}

/// `event-types`: the list ([`list`]), or enable or disable ([`set`]).
///
/// # Errors
/// As [`list`] and [`set`].
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    match &args.action {
        None => list(ctx),
        Some(EventTypeAction::Enable { names }) => set(ctx, names, true),
        Some(EventTypeAction::Disable { names }) => set(ctx, names, false),
    }
}

/// Appointment Sync — Event Types as read: FluentCase's event types, the
/// ones checked, and checked ones FluentCase no longer has. `event-types`,
/// its `--json` and the status page present this.
#[derive(Debug, Clone)]
pub struct EventTypes {
    pub types: Vec<String>,
    pub enabled: Vec<String>,
    pub stale: Vec<String>,
}

impl EventTypes {
    /// Whether events of this type are pushed.
    pub fn is_enabled(&self, name: &str) -> bool {
        self.enabled.iter().any(|e| e == name)
    }

    /// The `event-types --json` document.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "event_types": self.types.iter().map(|t| json!({"name": t, "enabled": self.is_enabled(t)})).collect::<Vec<_>>(),
            "enabled_but_missing_in_fluentcase": self.stale,
        })
    }
}

/// Read the event types and which are checked.
///
/// # Errors
/// Either database cannot be read.
pub fn gather(state: &StateStore, fc: &FluentCase) -> anyhow::Result<EventTypes> {
    let types = fc.event_types()?;
    let enabled = state.enabled_event_types()?;
    let stale = enabled
        .iter()
        .filter(|e| !types.contains(e))
        .cloned()
        .collect();
    Ok(EventTypes {
        types,
        enabled,
        stale,
    })
}

/// `event-types`: every FluentCase event type with `[x]` or `[ ]`.
/// Read-only: it never creates the state file (SPEC §1).
pub fn list(ctx: &Ctx) -> anyhow::Result<u8> {
    // FluentCase first: its problems are the ones to fix first.
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let state = ctx.state_read_only()?;
    let et = gather(&state, &fc)?;
    let (types, enabled, stale) = (&et.types, &et.enabled, &et.stale);
    if ctx.out.json {
        ctx.out.json(&et.to_json())?;
        return Ok(OK);
    }
    ctx.out
        .line("Appointment Sync — Event Types (checked types are pushed as Meeting appointments):");
    for t in types {
        let mark = if enabled.contains(t) { "[x]" } else { "[ ]" };
        ctx.out.line(format!("  {mark} {t}"));
    }
    for s in stale {
        ctx.out.line(
            Styled::from(format!("  [x] {s}  "))
                + ctx.out.warn_badge("no longer an event type in FluentCase"),
        );
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
