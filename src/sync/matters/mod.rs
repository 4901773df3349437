//! `sync matters`: push eligible matters to CaseStatus as cases, once.
//!
//! The rules decide ([`crate::rules::matter::plan_matter`]); this kind
//! executes on the engine, writing the ledger right after each remote
//! write, never in one run-wide transaction, so a kill at any point loses
//! at most the knowledge of one answer — which the next cycle recovers by
//! checking CaseStatus by `integration_id` before creating.
//!
//! No create is sent without an intent row written first, and none without
//! an existence check in the same run: a look-up per matter, or — when
//! many creates are pending (a first push, a lost state file) — one listing
//! of the account's cases ([`existence_by_listing`]). A 409 is treated as
//! "exists", but never relied on.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::json;

use crate::casestatus::{ApiError, RemoteCase};
use crate::rules::drift::{drift_message, Change};
use crate::rules::matter::{
    existence_by_listing, matter_of_integration_id, Action, UNCONFIRMED_GRACE_MINUTES,
};
use crate::rules::reasons::{Reason, ReasonCode};
use crate::store::ledger::{self, LedgerRow, SkipChange};
use crate::store::outcome::Outcome;
use crate::store::runlog::{About, ItemKind, NewItem};
use crate::store::state::StateError;
use crate::sync::engine::{Cycle, DoneOf, Recorded, Subject, SyncKind};

mod planning;
mod worker;

pub use worker::{LedgerWriter, MatterWorker};

/// The matter sync. Its fields live through one cycle.
#[derive(Default)]
pub struct Matters {
    /// Skip state from the last cycle.
    skips: FxHashMap<i64, Arc<str>>,
    /// Matters seen this cycle that were skipped last cycle: the skips of
    /// the others are of matters gone from FluentCase.
    seen_skipped: Vec<i64>,
    /// Skipped matters with no ledger row: checked against a listing, if
    /// one is taken (a lost state file).
    unrecorded: Vec<i64>,
    /// Now, as stored.
    now: String,
}

/// Skip-state changes and new skips' log items (matter id, file number,
/// outcome, detail as JSON), written in bulk.
#[derive(Default)]
struct SkipWrites {
    changes: Vec<SkipChange>,
    log: Vec<NewItem>,
}

impl SkipWrites {
    fn write(&mut self, cycle: &Cycle, now: &str) -> Result<(), StateError> {
        if let Some(run_id) = cycle.run_id() {
            crate::store::runlog::items_json(
                cycle.state,
                run_id,
                ItemKind::Matter,
                &self.log,
                now,
            )?;
            ledger::apply_skips(cycle.state, &self.changes, run_id, now)?;
        }
        self.log.clear();
        self.changes.clear();
        Ok(())
    }
}

/// A matter that needs CaseStatus this cycle.
pub struct Job {
    planned: Planned<Remote>,
    /// An earlier create is unconfirmed and recent enough to wait for.
    unconfirmed_recent: bool,
    /// What this run's listing of the account's cases says (the case id,
    /// or not there); None when the run looks each matter up instead.
    listed: Option<Option<i64>>,
}

/// What a worker does for a matter: only the actions that need
/// CaseStatus, so the workers match no action planning never sends them.
enum Remote {
    /// Look up, then create (see [`Action::Push`]).
    Push {
        body: Box<crate::casestatus::CaseBody>,
        ids: Option<crate::store::ledger::SentIds>,
    },
    /// Look up only: an earlier create may have landed (see [`Action::Reconcile`]).
    Reconcile { reasons: Vec<Reason> },
}

/// One planned matter; `A` is its action: the rules' [`Action`] while
/// planning, [`Remote`] once it is a worker's job.
struct Planned<A = Action> {
    id: i64,
    file_number: Option<String>,
    action: A,
    /// The ledger row as planned (for intent age and drift).
    row: Option<LedgerRow>,
    /// Whether it was skipped last cycle.
    skipped_before: bool,
    /// Its skip codes from the last cycle, for a matter that needs CaseStatus.
    previous_codes: Option<String>,
    /// A skip whose reasons changed since the last cycle: (codes, the log
    /// item's detail as JSON). Prepared on the planning thread.
    new_skip: Option<(String, String)>,
}

impl<A> Planned<A> {
    fn subject(&self) -> Subject {
        Subject::matter(self.id, self.file_number.as_deref())
    }
}

impl Planned {
    /// The job for a matter that needs CaseStatus; None for the others.
    fn into_remote(self) -> Option<Planned<Remote>> {
        let action = match self.action {
            Action::Push { body, ids, .. } => Remote::Push { body, ids },
            Action::Reconcile { reasons } => Remote::Reconcile { reasons },
            Action::Skip { .. } | Action::SkipAsBefore { .. } | Action::InCaseStatus { .. } => {
                return None
            }
        };
        Some(Planned {
            id: self.id,
            file_number: self.file_number,
            action,
            row: self.row,
            skipped_before: self.skipped_before,
            previous_codes: self.previous_codes,
            new_skip: self.new_skip,
        })
    }
}

/// The result of one push attempt.
#[derive(Debug)]
pub enum PushOutcome {
    Created(i64),
    AlreadyThere(i64),
    NotThere,
    /// An earlier create got no answer and the look-up does not show it yet.
    Unconfirmed,
    Rejected {
        code: String,
        message: String,
    },
    Failed(ApiError),
}

/// What a worker found or did for one matter.
pub enum NetOutcome {
    Push(PushOutcome),
    /// A reconcile check: found (case id), or not there.
    Reconciled(Option<i64>),
    ReconcileFailed(ApiError),
    /// The state file failed on the worker: the run stops.
    StateFailed(StateError),
}

impl SyncKind for Matters {
    type Worker = MatterWorker;

    fn name(&self) -> &'static str {
        "matters"
    }

    fn plan(&mut self, cycle: &mut Cycle) -> anyhow::Result<Vec<Job>> {
        let ctx = cycle.ctx;
        self.now = crate::util::clock::stamp(ctx.now);
        let grace_cutoff = crate::util::clock::stamp(
            ctx.now - chrono::Duration::minutes(UNCONFIRMED_GRACE_MINUTES),
        );
        let mut inputs = planning::load_inputs(ctx, cycle.state, cycle.run_id().is_some())?;
        // New skips (log items, skip state), written a few thousand at a
        // time while the planning threads go on.
        let mut skips = SkipWrites::default();
        let mut network = Vec::new();
        // Local work happens at once (skips, drift: no request); only
        // matters that need CaseStatus are kept.
        planning::plan_each(ctx, &inputs, |mut p| {
            if p.skipped_before {
                self.seen_skipped.push(p.id);
            }
            match &p.action {
                Action::InCaseStatus { case_id, changed } => {
                    note_drift(cycle, &p, *case_id, changed)?;
                    if p.skipped_before {
                        skips.changes.push(SkipChange::Clear { matter_id: p.id });
                    }
                }
                Action::SkipAsBefore { codes } => {
                    count_skipped(cycle, &p, codes.iter().copied(), None);
                    if p.row.is_none() {
                        self.unrecorded.push(p.id);
                    }
                }
                Action::Skip { reasons } => {
                    count_skipped(cycle, &p, reasons.iter().map(|r| r.code), Some(reasons));
                    if p.row.is_none() {
                        self.unrecorded.push(p.id);
                    }
                    if let Some((codes, detail)) = p.new_skip.take() {
                        skips.log.push((
                            p.id.to_string(),
                            p.file_number.clone(),
                            skip_outcome(&codes),
                            detail,
                        ));
                        skips.changes.push(SkipChange::Set {
                            matter_id: p.id,
                            codes,
                        });
                        if skips.log.len() >= 2048 {
                            skips.write(cycle, &self.now)?;
                        }
                    }
                }
                Action::Push { .. } | Action::Reconcile { .. } => {
                    let unconfirmed_recent = p
                        .row
                        .as_ref()
                        .is_some_and(|r| r.case_id.is_none() && r.intent_at > grace_cutoff);
                    // Always Some in this arm: these are the remote actions.
                    if let Some(planned) = p.into_remote() {
                        network.push(Job {
                            planned,
                            unconfirmed_recent,
                            listed: None,
                        });
                    }
                }
            }
            Ok(())
        })?;
        self.skips = std::mem::take(&mut inputs.skips);
        if cycle.run_id().is_some() {
            planning::remember_numbers(ctx, cycle.state, &inputs)?;
        }
        planning::discard(inputs);
        skips.write(cycle, &self.now)?;
        Ok(network)
    }

    fn describe(&self, cycle: &mut Cycle, jobs: Vec<Job>) -> anyhow::Result<()> {
        for job in jobs {
            let p = &job.planned;
            match &p.action {
                Remote::Push { body, .. } => {
                    let detail = format!("{} / {}", body.practice_area, body.stage);
                    cycle.record(&p.subject(), Outcome::WouldCreate, detail, json!({}))?;
                }
                Remote::Reconcile { reasons } => {
                    count_skipped(cycle, p, reasons.iter().map(|r| r.code), Some(reasons))
                }
            }
        }
        Ok(())
    }

    fn prepare(&mut self, cycle: &mut Cycle, jobs: &mut [Job]) -> anyhow::Result<()> {
        // Many pending creates (a first push, a lost state file): one
        // listing of the account's cases instead of a look-up per matter.
        if !existence_by_listing(jobs.len(), ledger::count_pushed(cycle.state)?) {
            return Ok(());
        }
        match cycle.client.list_cases() {
            Ok(listing) => {
                let consistent = listing.consistent;
                let index = index_listing(listing.items);
                for job in jobs.iter_mut() {
                    job.listed = match index.get(&job.planned.id) {
                        Some(case_id) => Some(Some(*case_id)),
                        // Absent is proven only by a consistent reading;
                        // otherwise the matter is looked up before its create.
                        None if consistent => Some(None),
                        None => None,
                    };
                }
                if !consistent {
                    cycle.report.notes.push(
                        "CaseStatus's case listing changed while it was read (two readings differ): each matter it did not show is looked up before its create".to_string(),
                    );
                }
                self.rebuild_unrecorded(cycle, &index)?;
            }
            Err(e) if e.is_run_level() => {
                cycle.report.error = Some(e.to_string());
                cycle.report.fatal = Some(e);
            }
            // Not fatal: each matter is looked up as before.
            Err(_) => {}
        }
        Ok(())
    }

    fn worker(&self, _: &Cycle) -> MatterWorker {
        MatterWorker {
            now: self.now.clone(),
        }
    }

    fn record(
        &mut self,
        cycle: &mut Cycle,
        (job, outcome): DoneOf<Self>,
    ) -> anyhow::Result<Recorded> {
        let subject = job.planned.subject();
        let (recorded, skipped_for) = record_outcome(cycle, &job, &subject, outcome)?;
        let change = match skipped_for {
            Some((codes, detail))
                if job.planned.previous_codes.as_deref() != Some(codes.as_str()) =>
            {
                Some(note_skip(cycle, &subject, codes, &detail.to_string())?)
            }
            Some(_) => None,
            // Cleared at once so a kill later in the run leaves no stale skip.
            None if job.planned.skipped_before && !matches!(recorded, Recorded::Failed { .. }) => {
                Some(SkipChange::Clear {
                    matter_id: job.planned.id,
                })
            }
            None => None,
        };
        if let (Some(c), Some(run_id)) = (change, cycle.run_id()) {
            ledger::apply_skips(cycle.state, &[c], run_id, &self.now)?;
        }
        Ok(recorded)
    }

    fn finish(&mut self, cycle: &mut Cycle) -> anyhow::Result<()> {
        // Matters no longer in FluentCase drop out of the skip state. Each
        // matter is seen once, so equal counts mean none is gone.
        let gone: Vec<SkipChange> = if self.seen_skipped.len() == self.skips.len() {
            Vec::new()
        } else {
            let seen: FxHashSet<i64> = self.seen_skipped.iter().copied().collect();
            self.skips
                .keys()
                .filter(|id| !seen.contains(id))
                .map(|id| SkipChange::Clear { matter_id: *id })
                .collect()
        };
        if let Some(run_id) = cycle.run_id() {
            ledger::apply_skips(cycle.state, &gone, run_id, &self.now)?;
        }
        Ok(())
    }
}

impl Matters {
    /// A lost state file: matters that are skipped now but that CaseStatus
    /// holds (pushed before) go back into the ledger, without a request
    /// each. Their drift baseline is unknown, so none is recorded.
    fn rebuild_unrecorded(
        &self,
        cycle: &mut Cycle,
        listing: &HashMap<i64, i64>,
    ) -> anyhow::Result<()> {
        for id in &self.unrecorded {
            if let Some(case_id) = listing.get(id) {
                ledger::record_intent(cycle.state, *id, "{}", None, &self.now)?;
                ledger::record_pushed(cycle.state, *id, *case_id, "found", &self.now)?;
                cycle.log(
                    &Subject::new(ItemKind::Matter, *id),
                    Outcome::AlreadyInCasestatus,
                    "found in CaseStatus's listing; not eligible now",
                    json!({ "case_id": case_id }),
                )?;
            }
        }
        Ok(())
    }
}

/// One skipped matter: `skipped` once, and once under each of its codes.
/// `reasons` are its rules' messages, when this cycle wrote them (a skip
/// unchanged since the last cycle has only its codes).
fn count_skipped<A>(
    cycle: &mut Cycle,
    p: &Planned<A>,
    codes: impl Iterator<Item = ReasonCode> + Clone,
    reasons: Option<&[Reason]>,
) {
    cycle.report.bump(Outcome::Skipped);
    let by_reason = &mut cycle.report.skipped_by_reason;
    // Once under each code, however many of its rules failed (a bit per
    // code); no allocation per matter once a code has been seen.
    let mut counted = 0u32;
    for code in codes.clone() {
        let bit = 1u32 << (code as u32);
        if counted & bit != 0 {
            continue;
        }
        counted |= bit;
        let code = code.code();
        match by_reason.get_mut(code) {
            Some(n) => *n += 1,
            None => {
                by_reason.insert(code.to_string(), 1);
            }
        }
    }
    // Only the first few are shown; don't format the other 100,000.
    cycle.report.keep_with(ItemKind::Matter, p.id, || {
        // In rule order, once each, as the log's items read them back.
        let mut said: Vec<String> = Vec::new();
        for code in codes.map(ReasonCode::code) {
            if !said.iter().any(|c| c == code) {
                said.push(code.to_string());
            }
        }
        let codes = said;
        let message = match reasons {
            Some(r) => r
                .iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            None => format!(
                "skipped for the same reasons as in the last cycle: {} (casestatus-sync why-skipped {})",
                codes.join(", "),
                p.id
            ),
        };
        p.subject().item(Outcome::Skipped, codes, message)
    });
}

/// Count and log one matter's network outcome; the skip to record, if the
/// matter ends up skipped or refused.
fn record_outcome(
    cycle: &mut Cycle,
    job: &Job,
    subject: &Subject,
    outcome: NetOutcome,
) -> anyhow::Result<(Recorded, Option<(String, serde_json::Value)>)> {
    let reasons = match &job.planned.action {
        Remote::Reconcile { reasons } => reasons.clone(),
        Remote::Push { .. } => Vec::new(),
    };
    let done = Recorded::Done { called: true };
    match outcome {
        NetOutcome::Reconciled(Some(case_id))
        | NetOutcome::Push(PushOutcome::AlreadyThere(case_id)) => {
            let detail = format!("case {case_id}");
            cycle.report.bump(Outcome::InCasestatus);
            cycle.note(
                subject,
                Outcome::AlreadyInCasestatus,
                detail,
                json!({ "case_id": case_id }),
            )?;
            Ok((done, None))
        }
        NetOutcome::Reconciled(None) => {
            count_skipped(
                cycle,
                &job.planned,
                reasons.iter().map(|r| r.code),
                Some(&reasons),
            );
            Ok((done, Some((codes(&reasons), json!({ "reasons": reasons })))))
        }
        NetOutcome::ReconcileFailed(error) => Ok((
            Recorded::Failed {
                subject: subject.clone(),
                detail: format!("look-up of an earlier unconfirmed create failed: {error}"),
                error,
            },
            None,
        )),
        NetOutcome::Push(push) => record_push(cycle, job, subject, push),
        NetOutcome::StateFailed(e) => Err(e.into()),
    }
}

/// The outcome of a push (a create, or its hold).
fn record_push(
    cycle: &mut Cycle,
    job: &Job,
    subject: &Subject,
    push: PushOutcome,
) -> anyhow::Result<(Recorded, Option<(String, serde_json::Value)>)> {
    let done = Recorded::Done { called: true };
    match push {
        PushOutcome::Created(case_id) => {
            cycle.record(subject, Outcome::Created, format!("case {case_id}"), json!({ "case_id": case_id }))?;
            Ok((done, None))
        }
        // Found outcomes are recorded by `record_outcome`; a plain "not
        // there" never leaves a worker (it is created or held).
        PushOutcome::AlreadyThere(_) | PushOutcome::NotThere => Ok((done, None)),
        PushOutcome::Unconfirmed => {
            let sent_at = job.planned.row.as_ref().map_or("?", |r| r.intent_at.as_str());
            let msg = format!(
                "a create sent at {} got no answer and CaseStatus does not list the case yet; it is sent again only if still missing {UNCONFIRMED_GRACE_MINUTES} minutes after that",
                crate::util::clock::local_text(sent_at, cycle.ctx.config.fluentcase.timezone)
            );
            cycle.record(subject, Outcome::Waiting, msg, json!({}))?;
            Ok((done, None))
        }
        PushOutcome::Rejected { code, message } => {
            let msg = format!("CaseStatus refused the case ({code}): {message}");
            let refused = ReasonCode::RejectedByCasestatus.code().to_string();
            cycle.report.bump(Outcome::Rejected);
            cycle
                .report
                .keep(subject.item(Outcome::Rejected, vec![refused], msg.clone()));
            let detail = json!({"reasons": [{"code": ReasonCode::RejectedByCasestatus, "message": msg}], "casestatus_code": code});
            Ok((done, Some((ReasonCode::RejectedByCasestatus.code().to_string(), detail))))
        }
        PushOutcome::Failed(error) => Ok((
            Recorded::Failed {
                subject: subject.clone(),
                detail: format!("{error}; the attempt is recorded, so the next cycle looks it up before creating"),
                error,
            },
            None,
        )),
    }
}

/// A skip's codes and its log item's detail (JSON), when its reasons
/// changed since the last cycle (`previous`); None when they did not, so
/// 90,000 matters skipped as before cost no log item and no JSON.
fn changed_skip(previous: Option<&str>, reasons: &[Reason]) -> Option<(String, String)> {
    #[derive(serde::Serialize)]
    struct Detail<'a> {
        reasons: &'a [Reason],
    }
    let codes = codes(reasons);
    if previous == Some(codes.as_str()) {
        return None;
    }
    let detail = serde_json::to_string(&Detail { reasons }).unwrap_or_else(|_| "{}".into());
    Some((codes, detail))
}

/// Record a changed skip: a log item with its `detail` (JSON); the
/// skip-state change to make.
fn note_skip(
    cycle: &Cycle,
    matter: &Subject,
    codes: String,
    detail: &str,
) -> Result<SkipChange, StateError> {
    let outcome = skip_outcome(&codes);
    if let Some(run_id) = cycle.run_id() {
        let id = matter.id.to_string();
        let about = About {
            kind: ItemKind::Matter,
            id: &id,
            file_number: matter.file_number.as_deref(),
        };
        crate::store::runlog::item_json(cycle.state, run_id, about, outcome, detail, &cycle.at())?;
    }
    Ok(SkipChange::Set {
        matter_id: matter.id,
        codes,
    })
}

/// How a skip is logged: `rejected` when CaseStatus refused the matter.
fn skip_outcome(codes: &str) -> Outcome {
    if codes == ReasonCode::RejectedByCasestatus.code() {
        Outcome::Rejected
    } else {
        Outcome::Skipped
    }
}

/// A pushed matter: in CaseStatus; what changed since the push, logged when
/// it changed since the last cycle.
fn note_drift(
    cycle: &mut Cycle,
    p: &Planned,
    case_id: i64,
    changed: &[Change],
) -> anyhow::Result<()> {
    cycle.report.bump(Outcome::InCasestatus);
    // Kept with the values, so a further change is logged again.
    let drift = (!changed.is_empty()).then(|| {
        changed
            .iter()
            .map(Change::describe)
            .collect::<Vec<_>>()
            .join("; ")
    });
    let drift_before = p.row.as_ref().and_then(|r| r.drift.clone());
    if !changed.is_empty() {
        let tz = cycle.ctx.config.fluentcase.timezone;
        let pushed_at = p
            .row
            .as_ref()
            .and_then(|r| r.pushed_at.as_deref())
            .map(|t| crate::util::clock::local_text(t, tz))
            .unwrap_or_default();
        let msg = drift_message(&pushed_at, changed);
        let subject = p.subject();
        if drift != drift_before {
            cycle.log(
                &subject,
                Outcome::ChangedSincePush,
                &msg,
                json!({"fields": changed, "case_id": case_id}),
            )?;
        }
        cycle
            .report
            .keep(subject.item(Outcome::ChangedSincePush, Vec::new(), msg));
    }
    if drift != drift_before && cycle.run_id().is_some() {
        ledger::set_drift(cycle.state, p.id, drift.as_deref())?;
    }
    Ok(())
}

/// A skip's reasons as [`codes_text`].
fn codes(reasons: &[Reason]) -> String {
    codes_text(reasons.iter().map(|r| r.code))
}

/// Reason codes as the skip state stores them: sorted, once each, comma-separated.
fn codes_text(codes: impl Iterator<Item = ReasonCode>) -> String {
    let mut codes: Vec<&str> = codes.map(ReasonCode::code).collect();
    codes.sort_unstable();
    codes.dedup();
    codes.join(",")
}

/// The account's cases by matter id, from one listing; a case counts for
/// a matter only by the integration-id rule ([`matter_of_integration_id`]),
/// as in a look-up.
fn index_listing(cases: Vec<RemoteCase>) -> HashMap<i64, i64> {
    cases
        .into_iter()
        .filter_map(|c| {
            Some((
                matter_of_integration_id(c.integration_id.as_deref()?)?,
                c.id,
            ))
        })
        .collect()
}
