//! `sync messages`: client messages from CaseStatus become activities on
//! their matter in FluentCase, then are marked processed in CaseStatus.
//!
//! Never twice, never lost: the activity insert is idempotent on
//! (`source`, `source_id`) — checked and inserted in one short IMMEDIATE
//! transaction — and only after it is committed is the message marked
//! processed. A crash or failure between the two leaves the message
//! unprocessed; the next cycle sees it again, finds the activity, and only
//! retries the mark.
//!
//! Messages of type `firm` or `system` are not ours to import; they are
//! marked processed (acknowledged) so the unprocessed list, read every
//! cycle, does not grow with every message the firm ever sends. A client
//! message whose matter cannot be found stays unprocessed and is logged
//! with its CaseStatus readable id, every cycle, until staff act.
//!
//! Nothing is marked processed that is not in FluentCase: when FluentCase
//! already holds an activity with the message's (`source`, `source_id`)
//! but on another matter or with other text (the same database used with
//! another CaseStatus account, say the sandbox), the message is an error
//! naming both and stays unprocessed until a person acts.

use serde_json::json;

use crate::casestatus::{ApiError, CaseStatus};
use crate::rules::activity::{prepare, preview, Incoming, NotImported, SOURCE, TAG};
use crate::store::activities::{self, NewActivity, Saved};
use crate::store::fluentcase::{Access, FluentCase};
use crate::sync::engine::{Cycle, DoneOf, Recorded, Subject, SyncKind, Worker};

/// The message sync.
pub struct Messages;

/// One message for a worker.
pub enum Work {
    /// A client message: save the activity, then mark it processed.
    Import(Incoming),
    /// A firm or system message: only mark it processed.
    Acknowledge(i64),
}

impl Work {
    fn subject(&self) -> Subject {
        match self {
            Work::Import(i) => Subject::new("message", i.message_id),
            Work::Acknowledge(id) => Subject::new("message", id),
        }
    }
}

/// What a worker did with one message.
pub enum Imported {
    /// The activity is in FluentCase and the message is marked processed.
    Done(Saved),
    /// A firm or system message, marked processed.
    Acknowledged,
    /// Not saved (a database error, or a collision): stays unprocessed.
    NotSaved(String),
    /// Saved (or nothing to save), but the mark failed: retried next cycle,
    /// with no second activity.
    NotMarked(ApiError),
}

impl SyncKind for Messages {
    type Worker = MessageWorker;

    fn name(&self) -> &'static str {
        "messages"
    }

    fn plan(&mut self, cycle: &mut Cycle) -> anyhow::Result<Vec<Work>> {
        let messages = match cycle.client.unprocessed_messages() {
            Ok(m) => m,
            Err(e) => {
                cycle.report.error = Some(e.to_string());
                cycle.report.fatal = Some(e);
                return Ok(Vec::new());
            }
        };
        // This thread only reads FluentCase; the workers insert.
        let fc = cycle.ctx.fluentcase(Access::ReadOnly)?;
        let mut work = Vec::new();
        for m in &messages {
            let subject = Subject::new("message", m.id);
            let mut lookup_error = None;
            let prepared = prepare(m, |id| {
                activities::matter_exists(&fc, id).unwrap_or_else(|e| {
                    lookup_error = Some(e);
                    false
                })
            });
            if let Some(e) = lookup_error {
                // A database problem is not "unmatched": it is an error.
                let detail = format!("{e}; left unprocessed, retried next cycle");
                cycle.record(&subject, "failed", detail, json!({}))?;
                continue;
            }
            match prepared {
                Ok(incoming) => work.push(Work::Import(incoming)),
                Err(NotImported::Ignored) => work.push(Work::Acknowledge(m.id)),
                Err(NotImported::Invalid(why)) => {
                    let detail = format!("{why}; left unprocessed in CaseStatus");
                    cycle.record(&subject, "invalid", detail, json!({}))?;
                }
                Err(NotImported::Unmatched(why)) => {
                    let detail = format!("{why}; left unprocessed in CaseStatus");
                    cycle.record(&subject, "unmatched", detail, json!({}))?;
                }
            }
        }
        Ok(work)
    }

    fn describe(&self, cycle: &mut Cycle, jobs: Vec<Work>) -> anyhow::Result<()> {
        for job in jobs {
            match &job {
                Work::Import(i) => {
                    let detail = format!("to matter {}: {}", i.matter_id, preview(&i.body));
                    cycle.record(&job.subject(), "would_import", detail, json!({}))?;
                }
                Work::Acknowledge(_) => cycle.report.bump("would_acknowledge"),
            }
        }
        Ok(())
    }

    fn worker(&self, _: &Cycle) -> MessageWorker {
        MessageWorker
    }

    fn record(&mut self, cycle: &mut Cycle, done: DoneOf<Self>) -> anyhow::Result<Recorded> {
        let (work, imported) = done;
        let subject = work.subject();
        let matter = match &work {
            Work::Import(i) => i.matter_id,
            Work::Acknowledge(_) => 0,
        };
        let (outcome, detail) = match imported {
            Imported::Acknowledged => {
                cycle.report.bump("acknowledged");
                return Ok(Recorded::Done { called: true });
            }
            Imported::NotMarked(error) => {
                let detail = if matter == 0 {
                    format!("a firm or system message could not be marked processed ({error}); retried next cycle")
                } else {
                    format!("activity saved on matter {matter}, but marking it processed failed ({error}); retried next cycle without a second activity")
                };
                return Ok(Recorded::Failed {
                    subject,
                    error,
                    detail,
                });
            }
            Imported::Done(Saved::Inserted) => {
                // The whole text: the log keeps it exact; output escapes it.
                let body = match &work {
                    Work::Import(i) => i.body.clone(),
                    Work::Acknowledge(_) => String::new(),
                };
                ("imported", format!("to matter {matter}: {body}"))
            }
            Imported::Done(_) => (
                "already_imported",
                format!("the same activity on matter {matter} existed; marked processed now"),
            ),
            Imported::NotSaved(e) => (
                "failed",
                format!("{e}; left unprocessed, retried next cycle"),
            ),
        };
        let called = outcome != "failed";
        cycle.record(&subject, outcome, detail, json!({}))?;
        Ok(Recorded::Done { called })
    }
}

/// The message workers: each has its own FluentCase connection (FluentCase
/// serialises the short inserts; the marks overlap). They share nothing else.
pub struct MessageWorker;

impl Worker for MessageWorker {
    type Job = Work;
    type Done = (Work, Imported);
    type Resources = FluentCase;

    fn apply(
        &self,
        client: &CaseStatus,
        fc: &mut FluentCase,
        work: Work,
        emit: &mut dyn FnMut((Work, Imported)) -> bool,
    ) {
        let imported = match &work {
            Work::Acknowledge(id) => match client.mark_processed(*id) {
                Ok(()) => Imported::Acknowledged,
                Err(e) => Imported::NotMarked(e),
            },
            Work::Import(incoming) => import(client, fc, incoming),
        };
        emit((work, imported));
    }
}

/// Save one client message as an activity, then mark it processed.
fn import(client: &CaseStatus, fc: &mut FluentCase, incoming: &Incoming) -> Imported {
    let source_id = incoming.message_id.to_string();
    let activity = NewActivity {
        matter_id: incoming.matter_id,
        tag: TAG,
        body: &incoming.body,
        created_at: &incoming.created_at,
        source: SOURCE,
        source_id: &source_id,
    };
    match activities::insert(fc, &activity) {
        Err(e) => Imported::NotSaved(e.to_string()),
        Ok(Saved::Collision {
            activity_id,
            matter_id,
            body,
        }) => Imported::NotSaved(format!(
            "FluentCase already holds activity {activity_id} for this message (source casestatus, id {}) on matter {matter_id} with the text {:?}, but CaseStatus's message is for matter {} with the text {:?} — perhaps this FluentCase database was used with another CaseStatus account; not imported, left unprocessed until a person checks both",
            incoming.message_id,
            preview(&body),
            incoming.matter_id,
            preview(&incoming.body)
        )),
        Ok(saved) => match client.mark_processed(incoming.message_id) {
            Ok(()) => Imported::Done(saved),
            Err(e) => Imported::NotMarked(e),
        },
    }
}
