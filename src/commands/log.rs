//! `log` and `log --run ID`: the Recent Activity log, for people and
//! `--json`.

use serde_json::json;

use crate::store::runlog::{
    describe_detail, get, items, latest_of_kind, recent, summary, RETENTION_DAYS,
};
use crate::store::state::StateStore;
use crate::sync::Ctx;
use crate::util::exit::{UsageError, OK};

/// `log` and `log --run ID`.
pub fn show(ctx: &Ctx, run: Option<i64>, limit: u32) -> anyhow::Result<u8> {
    let state = ctx.state_read_only()?;
    match run {
        None => list_runs(ctx, &state, limit),
        Some(id) => show_run(ctx, &state, id),
    }
}

/// `log`: the recent runs.
fn list_runs(ctx: &Ctx, state: &StateStore, limit: u32) -> anyhow::Result<u8> {
    {
        let runs = recent(state, limit)?;
        if ctx.out.json {
            ctx.out.json(&json!({ "runs": runs }))?;
            return Ok(OK);
        }
        if runs.is_empty() {
            ctx.out.line("No sync runs recorded yet.");
            return Ok(OK);
        }
        let tz = ctx.config.fluentcase.timezone;
        let mut t = ctx.out.table(&["Run", "Kind", "Started", "Result"]);
        for r in &runs {
            let result = match (&r.error, &r.finished_at) {
                (Some(e), _) => format!("ERROR: {e}"),
                (None, None) => "did not finish (interrupted)".into(),
                (None, Some(_)) => summary(&r.counts),
            };
            let kind = if r.dry_run {
                format!("{} (dry run)", r.kind)
            } else {
                r.kind.clone()
            };
            t.add_row(vec![
                r.id.to_string(),
                kind,
                crate::util::clock::local_text(&r.started_at, tz),
                result,
            ]);
        }
        ctx.out.print_table(&t);
        ctx.out
            .line("Details of one run: casestatus-sync log --run ID");
        Ok(OK)
    }
}

/// `log --run ID`: one run's counts and items.
fn show_run(ctx: &Ctx, state: &StateStore, id: i64) -> anyhow::Result<u8> {
    let run = get(state, id)?.ok_or_else(|| {
        UsageError(format!(
            "no run {id} in the log (runs are kept {RETENTION_DAYS} days); list them with `casestatus-sync log`"
        ))
    })?;
    let items = items(state, id)?;
    // The current skip state belongs to the newest matters run — not to
    // the newest run of any kind (a `sync all` ends with messages).
    let latest = latest_of_kind(state, "matters")? == Some(id);
    let current_skips = if latest {
        crate::store::ledger::current_skips(state)?
    } else {
        Vec::new()
    };
    if ctx.out.json {
        ctx.out.json(&json!({
            "run": run, "items": items,
            "skipped_now": current_skips.iter().map(|(m, c)| json!({"matter_id": m, "codes": c})).collect::<Vec<_>>(),
        }))?;
        return Ok(OK);
    }
    let tz = ctx.config.fluentcase.timezone;
    ctx.out.line(format!(
        "Run {} · {} · started {} · finished {}",
        run.id,
        run.kind,
        crate::util::clock::local_text(&run.started_at, tz),
        run.finished_at
            .as_deref()
            .map_or("never (interrupted)".into(), |f| {
                crate::util::clock::local_text(f, tz)
            })
    ));
    if let Some(e) = &run.error {
        ctx.out.line(format!("ERROR: {e}"));
    }
    let mut t = ctx.out.table(&["Count", "Value"]);
    for (k, v) in &run.counts {
        t.add_row(vec![k.replace('_', " "), v.to_string()]);
    }
    for (code, v) in &run.skipped_by_reason {
        t.add_row(vec![format!("  skipped: {code}"), v.to_string()]);
    }
    ctx.out.print_table(&t);
    if !items.is_empty() {
        let mut t = ctx.out.table(&["What", "Outcome", "Detail"]);
        for i in &items {
            t.add_row(vec![
                format!("{} {}", i.subject, i.subject_id),
                i.outcome.clone(),
                describe_detail(&i.detail),
            ]);
        }
        ctx.out.print_table(&t);
    }
    if !current_skips.is_empty() {
        ctx.out.line(format!(
            "Skipped in this cycle ({}): matter id — reasons (details: casestatus-sync why-skipped ID)",
            current_skips.len()
        ));
        for (m, codes) in current_skips {
            ctx.out.line(format!("  {m} — {codes}"));
        }
    }
    Ok(OK)
}
