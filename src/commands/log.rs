//! `log` and `log --run ID`: the Recent Activity log, for people and
//! `--json`. [`run_detail`] gathers one run once; `log --run` prints it or
//! its JSON, and the status page (`serve`) shows the same value.

use serde::Serialize;
use serde_json::json;

use crate::store::runlog::{
    get, items, latest_of_kind, recent, summary, Item, RunRow, RETENTION_DAYS,
};
use crate::store::state::StateStore;
use crate::sync::Ctx;
use crate::util::exit::{UsageError, OK};

/// `log`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show one run's details
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// How many recent runs to list
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

/// `log`: see [`show`].
///
/// # Errors
/// As [`show`].
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    show(ctx, args.run, args.limit)
}

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
    let runs = recent(state, limit)?;
    let previous = crate::store::account::previous_accounts(state)?;
    if ctx.out.json {
        ctx.out
            .json(&json!({ "runs": runs, "previous_accounts": previous }))?;
        return Ok(OK);
    }
    let tz = ctx.config.fluentcase.timezone;
    for p in &previous {
        ctx.out.line(format!(
            "Previous CaseStatus account: key {:?} at {}, left {} ({} cases, {} appointments; `why-skipped` shows a matter's case there).",
            p.name,
            p.base_url,
            crate::util::clock::local_text(&p.filed_at, tz),
            p.cases,
            p.appointments
        ));
    }
    if runs.is_empty() {
        ctx.out.line("No sync runs recorded yet.");
        return Ok(OK);
    }
    let mut t = ctx.out.table(&["Run", "Kind", "Started", "Result"]);
    for r in &runs {
        t.add_row(vec![
            r.id.to_string(),
            kind_text(r),
            crate::util::clock::local_text(&r.started_at, tz),
            result_text(r),
        ]);
    }
    ctx.out.print_table(&t);
    ctx.out
        .line("Details of one run: casestatus-sync log --run ID");
    Ok(OK)
}

/// `log --run ID`: one run's counts and items.
fn show_run(ctx: &Ctx, state: &StateStore, id: i64) -> anyhow::Result<u8> {
    let detail = run_detail(state, id)?;
    if ctx.out.json {
        ctx.out.json(&detail)?;
        return Ok(OK);
    }
    print_run(ctx, detail);
    Ok(OK)
}

/// A run's kind, with "(dry run)" when it was one.
pub fn kind_text(r: &RunRow) -> String {
    if r.dry_run {
        format!("{} (dry run)", r.kind)
    } else {
        r.kind.clone()
    }
}

/// A run's result in a few words: its error, "did not finish", or its
/// counts (the `log` list and the status page's Recent Activity).
pub fn result_text(r: &RunRow) -> String {
    match (&r.error, &r.finished_at) {
        (Some(e), _) => format!("ERROR: {e}"),
        (None, None) => "did not finish (interrupted)".into(),
        (None, Some(_)) => summary(&r.counts),
    }
}

/// One matter skipped in the newest matters cycle, with its reason codes.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedNow {
    pub matter_id: i64,
    pub codes: String,
}

/// One run's details: the `log --run ID --json` document (also
/// `/api/runs/{id}` and the `/runs/{id}` page).
#[derive(Debug, Clone, Serialize)]
pub struct RunDetail {
    pub run: RunRow,
    /// Structured, in id order (SPEC §1): the shape of `sync --json`'s items.
    pub items: Vec<Item>,
    /// The current skip state, only for the newest matters run.
    pub skipped_now: Vec<SkippedNow>,
}

/// Read one run's details.
///
/// # Errors
/// [`UsageError`] when the log has no run `id` (never run, or pruned after
/// [`RETENTION_DAYS`]); the state file's errors.
pub fn run_detail(state: &StateStore, id: i64) -> anyhow::Result<RunDetail> {
    let run = get(state, id)?.ok_or_else(|| {
        UsageError(format!(
            "no run {id} in the log (runs are kept {RETENTION_DAYS} days); list them with `casestatus-sync log`"
        ))
    })?;
    let items = items(state, id)?;
    // The current skip state belongs to the newest matters run — not to
    // the newest run of any kind (a `sync all` ends with messages).
    let latest = latest_of_kind(state, "matters")? == Some(id);
    let skipped_now = if latest {
        crate::store::ledger::current_skips(state)?
            .into_iter()
            .map(|(matter_id, codes)| SkippedNow { matter_id, codes })
            .collect()
    } else {
        Vec::new()
    };
    Ok(RunDetail {
        run,
        items,
        skipped_now,
    })
}

/// `log --run ID` for people.
fn print_run(ctx: &Ctx, detail: RunDetail) {
    let RunDetail {
        run,
        items,
        skipped_now,
    } = detail;
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
        t.add_row(vec![k.name().replace('_', " "), v.to_string()]);
    }
    for (code, v) in &run.skipped_by_reason {
        t.add_row(vec![format!("  skipped: {code}"), v.to_string()]);
    }
    ctx.out.print_table(&t);
    if !items.is_empty() {
        let mut t = ctx.out.table(&["What", "Outcome", "Detail"]);
        for i in &items {
            t.add_row(vec![
                format!("{} {}", i.kind.name(), i.id),
                i.outcome.name().to_string(),
                detail_text(i),
            ]);
        }
        ctx.out.print_table(&t);
    }
    if !skipped_now.is_empty() {
        ctx.out.line(format!(
            "Skipped in this cycle ({}): matter id — reasons (details: casestatus-sync why-skipped ID)",
            skipped_now.len()
        ));
        for s in skipped_now {
            ctx.out.line(format!("  {} — {}", s.matter_id, s.codes));
        }
    }
}

/// An item's detail for people: its codes with the message, as
/// "code: message; code: message" when each code has its message.
pub fn detail_text(i: &Item) -> String {
    let messages: Vec<&str> = i.message.split("; ").collect();
    if i.codes.is_empty() {
        i.message.clone()
    } else if messages.len() == i.codes.len() {
        i.codes
            .iter()
            .zip(messages)
            .map(|(c, m)| format!("{c}: {m}"))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        format!("{} — {}", i.codes.join(", "), i.message)
    }
}
