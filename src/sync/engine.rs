//! The one sync engine. Each kind (matters, appointments, messages)
//! supplies what differs — [`SyncKind::plan`] (reads only, and records
//! what needs no request), [`SyncKind::describe`] (the dry run) and
//! [`Worker::apply`] (the remote calls, on a worker thread, writing its
//! ledger right after each remote write) — and the engine alone owns what
//! must not differ between them:
//!
//! - the pool of `casestatus.concurrency` workers, each with its own
//!   resources, and the progress bar;
//! - the outage streak: after [`MAX_CONSECUTIVE_OUTAGES`] failures in a row
//!   that point at CaseStatus itself, or a refused key at once, the run
//!   stops (`Report::fatal`) instead of trying every remaining record;
//! - the split between a record-level failure (counted as `failed`, the
//!   run goes on) and a run-level one (a worker that cannot open its
//!   resources, a state-file error: the run stops with an error);
//! - the log items and the counts of the report.
//!
//! Planning is batched in one transaction on the main connection (a first
//! cycle that meets 100,000 skipped matters writes them at once, not one
//! autocommit each); nothing remote happens before it commits, so a kill
//! then loses only log lines that the next cycle writes again.

use serde_json::json;

use std::path::Path;

use crate::casestatus::{ApiError, CaseStatus};
use crate::store::fluentcase::{Access, FluentCase};
use crate::store::outcome::Outcome;
use crate::store::runlog::{self, About, ItemKind};
use crate::store::state::{StateError, StateStore};
use crate::sync::pool::{self, Flow};
use crate::sync::report::{NewItem, Report};
use crate::sync::Ctx;

/// After this many record failures in a row that point at CaseStatus
/// itself (unreachable, 5xx, 429), a run stops instead of trying every
/// remaining record; one bad record alone never stops it.
pub const MAX_CONSECUTIVE_OUTAGES: u32 = 3;

/// The record a log item or report line is about: its kind, id and (a
/// matter's) file number.
#[derive(Debug, Clone)]
pub struct Subject {
    pub kind: ItemKind,
    pub id: i64,
    pub file_number: Option<String>,
}

impl Subject {
    /// A record named by kind and id.
    pub fn new(kind: ItemKind, id: i64) -> Subject {
        Subject {
            kind,
            id,
            file_number: None,
        }
    }

    /// A matter, with its file number.
    pub fn matter(id: i64, file_number: Option<&str>) -> Subject {
        Subject {
            kind: ItemKind::Matter,
            id,
            file_number: file_number.map(str::to_string),
        }
    }

    /// A report item about this record.
    pub fn item(&self, outcome: Outcome, codes: Vec<String>, message: String) -> NewItem {
        NewItem {
            kind: self.kind,
            id: self.id,
            file_number: self.file_number.clone(),
            outcome,
            codes,
            message,
        }
    }
}

/// One cycle in progress: the state file, the run (None for a dry run)
/// and the report. Kinds record outcomes here, and the engine and this type
/// write their log items — except the matters' skips, which planning writes
/// in bulk through `store::runlog` (`sync/matters/mod.rs`).
pub struct Cycle<'a> {
    pub ctx: &'a Ctx,
    pub state: &'a StateStore,
    pub client: &'a CaseStatus,
    pub report: Report,
}

impl Cycle<'_> {
    /// The run's id; None in a dry run (nothing is written then).
    pub fn run_id(&self) -> Option<i64> {
        self.report.run_id
    }

    /// Now, as log items carry it.
    pub fn at(&self) -> String {
        crate::util::clock::stamp(self.ctx.now)
    }

    /// Count one record under `outcome`, keep it for the report and log it
    /// (with `extra` fields beside the message; its `codes`, if any, are
    /// the item's codes).
    ///
    /// # Errors
    /// The state file could not be written: run-level.
    pub fn record(
        &mut self,
        subject: &Subject,
        outcome: Outcome,
        message: String,
        extra: serde_json::Value,
    ) -> Result<(), StateError> {
        self.report.bump(outcome);
        self.note(subject, outcome, message, extra)
    }

    /// Log an item (and show it) without counting it: a record already
    /// counted under another outcome (a matter in CaseStatus that changed).
    pub fn note(
        &mut self,
        subject: &Subject,
        outcome: Outcome,
        message: String,
        extra: serde_json::Value,
    ) -> Result<(), StateError> {
        let codes = codes_of(&extra);
        self.log(subject, outcome, &message, extra)?;
        self.report.keep(subject.item(outcome, codes, message));
        Ok(())
    }

    /// Only a log item (nothing in the report).
    pub fn log(
        &self,
        subject: &Subject,
        outcome: Outcome,
        message: &str,
        extra: serde_json::Value,
    ) -> Result<(), StateError> {
        let Some(run_id) = self.run_id() else {
            return Ok(());
        };
        let mut doc = json!({ "message": message });
        if let (Some(d), serde_json::Value::Object(more)) = (doc.as_object_mut(), extra) {
            d.extend(more);
        }
        let id = subject.id.to_string();
        let about = About {
            kind: subject.kind,
            id: &id,
            file_number: subject.file_number.as_deref(),
        };
        runlog::item(self.state, run_id, about, outcome, &doc, &self.at())
    }
}

/// The `codes` of an item's extra fields.
fn codes_of(extra: &serde_json::Value) -> Vec<String> {
    extra["codes"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// What one worker result means to the engine, after the kind recorded
/// its outcomes.
#[derive(Debug)]
pub enum Recorded {
    /// Done; `called` when a call to CaseStatus succeeded (the outage
    /// streak is over).
    Done { called: bool },
    /// A call failed: the engine decides whether it is an outage that
    /// stops the run or one failed record (then `detail` is logged).
    Failed {
        subject: Subject,
        error: ApiError,
        detail: String,
    },
}

/// A database connection a worker opens for itself (SQLite connections
/// are not shared between threads). The engine opens it, so every kind
/// fails alike when it cannot.
pub trait Resource: Sized {
    /// Open this cycle's connection; `state` is the state file in use.
    fn open(ctx: &Ctx, state: &Path) -> anyhow::Result<Self>;
}

/// Matters and appointments write their ledgers on their own connection.
impl Resource for StateStore {
    fn open(_: &Ctx, state: &Path) -> anyhow::Result<StateStore> {
        Ok(StateStore::open(state)?)
    }
}

/// Messages insert activities: the one kind whose workers write FluentCase.
impl Resource for FluentCase {
    fn open(ctx: &Ctx, _: &Path) -> anyhow::Result<FluentCase> {
        ctx.fluentcase(Access::InsertActivities)
    }
}

/// The part of a sync kind that runs on worker threads: shared, read-only
/// data (times, maps from the plan) and the remote calls.
pub trait Worker: Sync {
    /// Network work for one worker.
    type Job: Send;
    /// A worker's result.
    type Done: Send;
    /// A worker's own connection, opened by the engine.
    type Resources: Resource;

    /// The remote calls for one job; the kind's ledger is written right
    /// after each remote write. Results go to `emit` (a job may yield
    /// several, e.g. the events of one case); `emit` returns false once
    /// the run stops, so a long job can end early.
    fn apply(
        &self,
        client: &CaseStatus,
        res: &mut Self::Resources,
        job: Self::Job,
        emit: &mut dyn FnMut(Self::Done) -> bool,
    );
}

/// A job of kind `K`.
pub type JobOf<K> = <<K as SyncKind>::Worker as Worker>::Job;
/// A worker result of kind `K`.
pub type DoneOf<K> = <<K as SyncKind>::Worker as Worker>::Done;

/// One sync kind: what it reads and decides, and how its results count.
pub trait SyncKind {
    /// What its workers share and do.
    type Worker: Worker;

    /// The name used in the log and output.
    fn name(&self) -> &'static str;

    /// Read and decide. Outcomes that need no request are recorded in the
    /// cycle (nothing is written in a dry run); the jobs that need
    /// CaseStatus are returned.
    fn plan(&mut self, cycle: &mut Cycle) -> anyhow::Result<Vec<JobOf<Self>>>;

    /// A dry run: record what each job would do (no request, no write).
    fn describe(&self, cycle: &mut Cycle, jobs: Vec<JobOf<Self>>) -> anyhow::Result<()>;

    /// Before the jobs run: a set-based step on the main thread (the
    /// listing of the account's cases). Default: nothing.
    fn prepare(&mut self, _cycle: &mut Cycle, _jobs: &mut [JobOf<Self>]) -> anyhow::Result<()> {
        Ok(())
    }

    /// The shared part for the workers.
    fn worker(&self, cycle: &Cycle) -> Self::Worker;

    /// Record one result on the main thread.
    fn record(&mut self, cycle: &mut Cycle, done: DoneOf<Self>) -> anyhow::Result<Recorded>;

    /// After the last result, when the run was not stopped early.
    fn finish(&mut self, _cycle: &mut Cycle) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Run one cycle of `kind`: plan, then describe (dry run) or prepare,
/// apply in the pool and record, then finish.
///
/// # Errors
/// Run-level failures only (a state-file or FluentCase error, a worker that
/// cannot open its resources). CaseStatus being down is `Report::fatal`.
pub fn run<K: SyncKind>(
    ctx: &Ctx,
    state: &StateStore,
    client: &CaseStatus,
    run_id: Option<i64>,
    kind: &mut K,
) -> anyhow::Result<Report> {
    let mut cycle = Cycle {
        ctx,
        state,
        client,
        report: Report::new(kind.name(), run_id, crate::util::clock::stamp(ctx.now)),
    };
    if run_id.is_none() {
        let jobs = kind.plan(&mut cycle)?;
        kind.describe(&mut cycle, jobs)?;
        return Ok(cycle.report);
    }
    let mut jobs = batched(state, || kind.plan(&mut cycle))?;
    if cycle.report.fatal.is_some() {
        return Ok(cycle.report);
    }
    kind.prepare(&mut cycle, &mut jobs)?;
    if cycle.report.fatal.is_some() {
        return Ok(cycle.report);
    }
    let worker = kind.worker(&cycle);
    execute(&mut cycle, kind, &worker, jobs)?;
    if cycle.report.fatal.is_none() {
        kind.finish(&mut cycle)?;
    }
    Ok(cycle.report)
}

/// Run `f` inside one IMMEDIATE transaction on the main connection; it is
/// committed on success and rolled back on failure (the batch's drop).
fn batched<T>(state: &StateStore, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let batch = state.batch()?;
    let v = f()?;
    batch.commit()?;
    Ok(v)
}

/// The pool: jobs on `concurrency` workers, results recorded here one at a
/// time, the outage streak and the stop.
fn execute<K: SyncKind>(
    cycle: &mut Cycle,
    kind: &mut K,
    worker: &K::Worker,
    jobs: Vec<JobOf<K>>,
) -> anyhow::Result<()> {
    let progress = cycle.ctx.out.progress(jobs.len(), cycle.report.kind);
    let state_file = cycle.state.path();
    let client = cycle.client;
    let mut outages = 0u32;
    let mut failure: Option<anyhow::Error> = None;
    pool::run(
        jobs,
        cycle.ctx.config.casestatus.concurrency,
        // The error is kept whole (its type decides the exit status: a busy
        // database is a passing condition) and handed on once.
        || {
            <<K::Worker as Worker>::Resources as Resource>::open(cycle.ctx, state_file)
                .map_err(Some)
        },
        |res, job, emit| {
            // A worker that cannot open its resources fails the run, for
            // every kind alike; its later jobs are dropped (the run stops).
            match res {
                Ok(r) => worker.apply(client, r, job, &mut |done| emit(Ok(done))),
                Err(e) => {
                    if let Some(e) = e.take() {
                        emit(Err(e.context(
                            "a sync worker could not open its database connection",
                        )));
                    }
                }
            }
        },
        |result| {
            progress.inc(1);
            let flow = result.and_then(|done| step(cycle, kind, &mut outages, done));
            flow.unwrap_or_else(|e| {
                failure = Some(e);
                Flow::Stop
            })
        },
    );
    progress.finish_and_clear();
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Record one result and apply the outage policy.
fn step<K: SyncKind>(
    cycle: &mut Cycle,
    kind: &mut K,
    outages: &mut u32,
    done: DoneOf<K>,
) -> anyhow::Result<Flow> {
    match kind.record(cycle, done)? {
        Recorded::Done { called } => {
            if called {
                *outages = 0;
            }
            Ok(Flow::Continue)
        }
        Recorded::Failed {
            subject,
            error,
            detail,
        } => {
            if stops_run(outages, &error) {
                cycle.report.error = Some(error.to_string());
                cycle.report.fatal = Some(error);
                return Ok(Flow::Stop);
            }
            cycle.record(&subject, Outcome::Failed, detail, json!({}))?;
            Ok(Flow::Continue)
        }
    }
}

/// Whether this failure stops the run: a refused key or plan at once, an
/// outage (unreachable, 5xx, 429) after [`MAX_CONSECUTIVE_OUTAGES`] in a row.
pub fn stops_run(streak: &mut u32, e: &ApiError) -> bool {
    match e {
        ApiError::Unauthorized | ApiError::Forbidden => true,
        e if e.is_run_level() => {
            *streak += 1;
            *streak >= MAX_CONSECUTIVE_OUTAGES
        }
        _ => false,
    }
}
