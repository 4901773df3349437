//! `sync matters|appointments|messages|all`: one cycle under the run lock
//! (`sync messages` under the messages lock alone; `sync all` takes the
//! messages lock for its messages step, and skips that step quietly while
//! a messages run holds it).
//!
//! `sync all` runs matters, then appointments, then messages. A step that
//! fails (say FluentCase's database is locked too long) does not stop the
//! next; but when CaseStatus itself is unusable (key refused, unreachable)
//! the remaining steps are skipped, since each would only fail the same way
//! after its own retries. The exit status is the most serious of the steps.

pub mod account;
pub mod appointments;
mod context;
pub mod engine;
pub mod matters;
pub mod messages;
pub mod pool;
pub mod report;
pub mod runlock;

use serde_json::json;

use crate::casestatus::{ApiError, CaseStatus};
use crate::store::fluentcase::FluentCaseError;
use crate::store::runlog;
use crate::store::state::StateError;
use crate::store::state::StateStore;
use crate::sync::appointments::Appointments;
use crate::sync::matters::Matters;
use crate::sync::messages::Messages;
use crate::sync::report::Report;
use crate::sync::runlock::{Lock, LockHeld, RunLock};
use crate::util::exit::{RecordsFailed, OK};
pub use context::{Ctx, DISCONNECTED_SETTING};

/// One kind of sync. Its name (clap's `sync KIND`, the log's and the
/// metrics' `kind`) is the variant's, in kebab case, and its doc comment is
/// `sync KIND`'s help; `sync all` runs every variant in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    /// Push eligible matters as cases
    Matters,
    /// Push calendar events of enabled event types as appointments
    Appointments,
    /// Import client messages as activities
    Messages,
}

impl Kind {
    /// Whether this kind creates records in CaseStatus (and so needs the
    /// account check first; messages carry their own matter id).
    pub fn creates(self) -> bool {
        match self {
            Kind::Matters | Kind::Appointments => true,
            Kind::Messages => false,
        }
    }

    /// The name used on the command line, in the log and output.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Every kind, in `sync all` order.
    pub fn all() -> &'static [Kind] {
        <Kind as clap::ValueEnum>::value_variants()
    }
}

/// One step as one run in the log: opened here, closed here with the
/// step's counts — or with the error if the step failed part-way — so no
/// sync kind has to remember to.
fn step(
    ctx: &Ctx,
    state: &StateStore,
    client: &CaseStatus,
    kind: Kind,
    dry_run: bool,
) -> anyhow::Result<Report> {
    let run_id = match dry_run {
        true => None,
        false => Some(runlog::start(state, kind.name(), ctx.now)?),
    };
    let result = match kind {
        Kind::Matters => engine::run(ctx, state, client, run_id, &mut Matters::default()),
        Kind::Appointments => engine::run(ctx, state, client, run_id, &mut Appointments::default()),
        Kind::Messages => engine::run(ctx, state, client, run_id, &mut Messages),
    };
    // Records in id order (SPEC §1), whatever order the workers answered in.
    let result = result.map(|mut report| {
        report.cut_items();
        report
    });
    if let Some(run_id) = run_id {
        match &result {
            Ok(report) => {
                runlog::finish(
                    state,
                    run_id,
                    &report.counts,
                    &report.skipped_by_reason,
                    report.error.as_deref(),
                    ctx.now,
                )?;
            }
            // Best effort: the failure itself is what the caller reports.
            Err(e) => {
                let _ = runlog::finish(
                    state,
                    run_id,
                    &Default::default(),
                    &Default::default(),
                    Some(&said(e)),
                    ctx.now,
                );
            }
        }
    }
    result
}

/// Run the given kinds as one cycle.
///
/// # Errors
/// The most serious failure of the steps (see the module doc).
pub fn run(ctx: &Ctx, kinds: &[Kind], dry_run: bool) -> anyhow::Result<u8> {
    // A dry run changes nothing, so it needs no lock and may run beside cron.
    // `sync messages` takes only the messages lock: a long matters run never
    // holds it up.
    let lock = match kinds {
        [Kind::Messages] => Lock::Messages,
        _ => Lock::Run,
    };
    let _lock = match dry_run {
        true => None,
        false => Some(take(ctx, lock)?),
    };
    // A dry run only reads: a mistyped state path is an error, never an
    // empty new database (SPEC §1, read-only commands).
    let state = match dry_run {
        true => ctx.state_read_only()?,
        false => ctx.state()?,
    };
    let Some((client, key)) = ctx.sync_client(&state)? else {
        return Ok(OK);
    };

    // Before any create: is this still the account the ledger describes?
    let account_error = if kinds.iter().any(|k| k.creates()) {
        account::check(ctx, &state, &client, &key, dry_run).err()
    } else {
        None
    };

    let mut docs = Vec::new();
    let held = account_error.is_some();
    let mut first_error: Option<anyhow::Error> = account_error;
    let mut failed = 0;
    let mut failed_run = None;
    let mut casestatus_down = false;
    for &kind in kinds {
        if held && kind.creates() {
            docs.push(json!({"kind": kind.name(), "skipped": "the CaseStatus account is not the one this state file recorded"}));
            continue;
        }
        if casestatus_down {
            docs.push(json!({"kind": kind.name(), "skipped": "CaseStatus could not be used in an earlier step"}));
            continue;
        }
        // `sync all`'s messages step: skipped quietly while a messages run
        // (cron's every-2-minutes `sync messages`) holds the messages lock.
        let _messages_lock = match (kind, lock, dry_run) {
            (Kind::Messages, Lock::Run, false) => match take(ctx, Lock::Messages) {
                Ok(l) => Some(l),
                Err(e) if e.is::<LockHeld>() => {
                    let why = "a messages run is under way";
                    docs.push(json!({"kind": kind.name(), "skipped": why}));
                    ctx.out.line(format!("Messages: skipped — {why}"));
                    continue;
                }
                Err(e) => {
                    note_error(&mut first_error, e.context("sync messages"));
                    continue;
                }
            },
            _ => None,
        };
        match step(ctx, &state, &client, kind, dry_run) {
            Ok(mut report) => {
                if ctx.out.json {
                    docs.push(serde_json::to_value(&report)?);
                } else {
                    report.print(ctx)?;
                }
                let (n, run) = (report.failed(), report.run_id);
                if n > 0 {
                    failed += n;
                    failed_run = failed_run.or(run);
                }
                if let Some(e) = report.fatal.take() {
                    casestatus_down = true;
                    let e = anyhow::Error::new(e).context(format!(
                        "sync {} stopped early (run {})",
                        kind.name(),
                        run.unwrap_or(0)
                    ));
                    note_error(&mut first_error, e);
                }
            }
            Err(e) => note_error(&mut first_error, e.context(format!("sync {}", kind.name()))),
        }
    }
    // The metrics' lifetime request counts (not for a dry run: it writes
    // nothing). Best effort: a count lost to a busy file is no failure.
    if !dry_run {
        let _ = runlog::add_requests(&state, &client.answer_counts());
    }
    if ctx.out.json {
        // One kind: its summary; `sync all`: {"steps": [...]} (SPEC §1).
        if kinds.len() == 1 {
            if let Some(doc) = docs.into_iter().next() {
                ctx.out.json(&doc)?;
            }
        } else {
            ctx.out.json(&json!({ "steps": docs }))?;
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if failed > 0 {
        return Err(RecordsFailed {
            failed,
            run_id: failed_run.unwrap_or(0),
        }
        .into());
    }
    Ok(OK)
}

/// Take `lock` for this firm's state file as a scheduled run does: an
/// overlap with a holder that started less than an hour ago is quiet
/// ([`LockHeld::overlap`]).
///
/// # Errors
/// [`LockHeld`] (exit 5) or the lock file's error.
fn take(ctx: &Ctx, lock: Lock) -> anyhow::Result<RunLock> {
    runlock::acquire(&ctx.config.state_database, lock, ctx.now).map_err(|e| {
        match e.downcast::<LockHeld>() {
            Ok(held) => held.overlap(ctx.now, ctx.config.fluentcase.timezone).into(),
            Err(e) => e,
        }
    })
}

/// Keep the first failure for the exit status; print later ones now so
/// each failed step still gets its one line on stderr.
fn note_error(first: &mut Option<anyhow::Error>, e: anyhow::Error) {
    if first.is_some() {
        crate::util::output::error_line(&e, is_passing(&e));
    } else {
        *first = Some(e);
    }
}

/// A run-level failure as the log keeps it: the whole chain, and for a
/// passing condition that the next cycle retries.
fn said(e: &anyhow::Error) -> String {
    match is_passing(e) {
        true => format!("{e:#} — temporary: the next cycle retries"),
        false => format!("{e:#}"),
    }
}

/// Whether a failure is a passing condition — FluentCase's database or
/// the state file busy past the busy timeout, CaseStatus unreachable, 5xx,
/// 429, an answer it could not use — that the next cycle retries. The
/// first typed error in the chain decides ([`passing_cause`]).
pub fn is_passing(err: &anyhow::Error) -> bool {
    err.chain().find_map(passing_cause).unwrap_or(false)
}

/// For a cause that is one of the errors a sync meets below it: whether
/// it passes by itself (`Some(true)`) or needs a person (`Some(false)`:
/// a missing or broken database, a refused key or plan); `None` for any
/// other error. The exit table (`cli::exit`) maps these to 4 and 3.
pub fn passing_cause(cause: &(dyn std::error::Error + 'static)) -> Option<bool> {
    if let Some(e) = cause.downcast_ref::<FluentCaseError>() {
        return Some(e.is_busy());
    }
    if let Some(e) = cause.downcast_ref::<StateError>() {
        return Some(e.is_busy());
    }
    cause
        .downcast_ref::<ApiError>()
        .map(|e| !matches!(e, ApiError::Unauthorized | ApiError::Forbidden))
}
