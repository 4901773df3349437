//! The matter workers: the remote calls for one matter (look up, create,
//! reconcile) on a connection of their own, and the group commit of the
//! ledger ([`LedgerWriter`]).

use std::path::Path;

use crate::casestatus::{ApiError, CaseBody, CaseStatus};
use crate::store::ledger::{self, SentIds};
use crate::store::state::{StateError, StateStore};
use crate::sync::engine::{Resource, Worker};
use crate::sync::Ctx;

use super::{Job, NetOutcome, PushOutcome, Remote};

/// A matter worker's own connection to the state file, with the answers
/// (case ids) it has not written yet. Group commit (issue 22): an intent
/// must be durable before its create is sent, so each intent commits — and
/// the answers since the last one ride in the same commit, halving the
/// commits of a first push. The last answers are written when the worker
/// ends. An answer lost to a kill is harmless: its intent is there, so the
/// next cycle looks the matter up before it may create.
pub struct LedgerWriter {
    store: StateStore,
    answers: Vec<Answer>,
}

/// A case id CaseStatus gave or showed, not yet in the ledger.
struct Answer {
    matter_id: i64,
    case_id: i64,
    how: &'static str,
    at: String,
}

/// Answers kept before they are written without waiting for an intent
/// (a rebuild finds thousands and sends no create).
const ANSWERS_PER_COMMIT: usize = 256;

impl Resource for LedgerWriter {
    fn open(ctx: &Ctx, state: &Path) -> anyhow::Result<LedgerWriter> {
        Ok(LedgerWriter {
            store: <StateStore as Resource>::open(ctx, state)?,
            answers: Vec::new(),
        })
    }
}

impl LedgerWriter {
    /// Record an intent, durably, with the answers waiting to be written.
    fn intent(
        &mut self,
        matter_id: i64,
        sent: &str,
        ids: Option<SentIds>,
        now: &str,
    ) -> Result<(), StateError> {
        if self.answers.is_empty() {
            return ledger::record_intent(&self.store, matter_id, sent, ids, now);
        }
        let batch = self.store.batch()?;
        self.write_answers()?;
        ledger::record_intent(&self.store, matter_id, sent, ids, now)?;
        batch.commit()?;
        self.answers.clear();
        Ok(())
    }

    /// Keep an answer to be written with the next intent.
    fn answer(
        &mut self,
        matter_id: i64,
        case_id: i64,
        how: &'static str,
        now: &str,
    ) -> Result<(), StateError> {
        self.answers.push(Answer {
            matter_id,
            case_id,
            how,
            at: now.to_string(),
        });
        if self.answers.len() >= ANSWERS_PER_COMMIT {
            self.flush()?;
        }
        Ok(())
    }

    /// Write the waiting answers in one transaction.
    fn flush(&mut self) -> Result<(), StateError> {
        if self.answers.is_empty() {
            return Ok(());
        }
        let batch = self.store.batch()?;
        self.write_answers()?;
        batch.commit()?;
        self.answers.clear();
        Ok(())
    }

    fn write_answers(&self) -> Result<(), StateError> {
        for a in &self.answers {
            ledger::record_pushed(&self.store, a.matter_id, a.case_id, a.how, &a.at)?;
        }
        Ok(())
    }
}

impl Drop for LedgerWriter {
    fn drop(&mut self) {
        // Best effort: an answer not written is found by the next cycle's
        // look-up (its intent is durable), never created twice.
        let _ = self.flush();
    }
}

/// What the matter workers share: now, as stored.
pub struct MatterWorker {
    pub(super) now: String,
}

impl Worker for MatterWorker {
    type Job = Job;
    type Done = (Job, NetOutcome);
    type Resources = LedgerWriter;

    fn apply(
        &self,
        client: &CaseStatus,
        ws: &mut LedgerWriter,
        job: Job,
        emit: &mut dyn FnMut((Job, NetOutcome)) -> bool,
    ) {
        let outcome =
            push_or_reconcile(client, ws, &job, &self.now).unwrap_or_else(NetOutcome::StateFailed);
        emit((job, outcome));
    }
}

/// Where a matter stands in CaseStatus: from the listing when the run took
/// one, else by a look-up.
fn existing(client: &CaseStatus, matter_id: i64, listed: Option<Option<i64>>) -> PushOutcome {
    match listed {
        Some(Some(case_id)) => PushOutcome::AlreadyThere(case_id),
        Some(None) => PushOutcome::NotThere,
        None => lookup(client, matter_id),
    }
}

fn push_or_reconcile(
    client: &CaseStatus,
    ws: &mut LedgerWriter,
    job: &Job,
    now: &str,
) -> Result<NetOutcome, StateError> {
    let id = job.planned.id;
    match &job.planned.action {
        Remote::Reconcile { .. } => Ok(match existing(client, id, job.listed) {
            PushOutcome::AlreadyThere(case_id) => {
                ws.answer(id, case_id, "found", now)?;
                NetOutcome::Reconciled(Some(case_id))
            }
            PushOutcome::Failed(e) => NetOutcome::ReconcileFailed(e),
            _ => {
                if !job.unconfirmed_recent {
                    // Confirmed absent twice over: stop looking.
                    ledger::forget(&ws.store, id)?;
                }
                NetOutcome::Reconciled(None)
            }
        }),
        Remote::Push { body, ids } => {
            let sent = serde_json::to_string(body).unwrap_or_default();
            // Look up first: if it is there, the body of the earlier
            // attempt (already in the ledger) stays the drift baseline.
            let outcome = match existing(client, id, job.listed) {
                PushOutcome::NotThere if job.unconfirmed_recent => PushOutcome::Unconfirmed,
                PushOutcome::NotThere => {
                    ws.intent(id, &sent, *ids, now)?;
                    create(client, id, body)
                }
                other => other,
            };
            match &outcome {
                PushOutcome::Created(case_id) => ws.answer(id, *case_id, "created", now)?,
                PushOutcome::AlreadyThere(case_id) => {
                    if job.planned.row.is_none() {
                        ws.intent(id, &sent, *ids, now)?;
                    }
                    ws.answer(id, *case_id, "found", now)?;
                }
                // Refused outright: no case was made, so no intent stays.
                PushOutcome::Rejected { .. } => ledger::forget(&ws.store, id)?,
                _ => {}
            }
            Ok(NetOutcome::Push(outcome))
        }
    }
}

fn create(client: &CaseStatus, matter_id: i64, body: &CaseBody) -> PushOutcome {
    match client.create_case(body) {
        Ok(id) => PushOutcome::Created(id),
        Err(ApiError::Conflict {
            existing_id: Some(id),
            ..
        }) => PushOutcome::AlreadyThere(id),
        Err(ApiError::Rejected { code, message }) => PushOutcome::Rejected { code, message },
        Err(e) => match lookup(client, matter_id) {
            PushOutcome::AlreadyThere(id) => PushOutcome::AlreadyThere(id),
            _ => PushOutcome::Failed(e),
        },
    }
}
fn lookup(client: &CaseStatus, matter_id: i64) -> PushOutcome {
    match client.find_cases(&matter_id.to_string()) {
        Ok(cases) => match cases.first() {
            Some(c) => PushOutcome::AlreadyThere(c.id),
            None => PushOutcome::NotThere,
        },
        Err(e) => PushOutcome::Failed(e),
    }
}
