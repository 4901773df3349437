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
//! Messages of type `firm` or `system` (in any case) are not ours to
//! import; they are marked processed (acknowledged) so the unprocessed
//! list, read every cycle, does not grow with every message the firm ever
//! sends.
//!
//! A client message that cannot be imported — no matter matches, no
//! content, no time, an unknown type — is *stuck*: counted as `stuck`,
//! logged with its CaseStatus readable id every cycle, and noted in the
//! state file (`store::stuck_messages`, with since when) for
//! `messages pending`, until a person imports or acknowledges it
//! (`commands::messages`). A stuck message is a record-level outcome: it
//! does not change the exit status.
//!
//! Nothing is marked processed that is not in FluentCase: when FluentCase
//! already holds an activity with the message's (`source`, `source_id`)
//! but on another matter or with other text (the same database used with
//! another CaseStatus account, say the sandbox), the message is an error
//! (`failed`, exit 1, as before) naming both, stays unprocessed and is
//! noted as stuck (`collision`) until a person acts.
//!
//! The notes follow CaseStatus: a message imported or acknowledged here
//! loses its note, and so does one no longer in the unprocessed list.

use std::collections::BTreeSet;

use serde_json::json;

use crate::casestatus::{ApiError, CaseStatus, Message};
use crate::rules::activity::{
    prepare, preview, stuck_row, Incoming, MatterLookup, NotImported, Stuck, SOURCE, TAG,
};
use crate::store::activities::{self, NewActivity, Saved};
use crate::store::fluentcase::{Access, FluentCase, FluentCaseError, PartyName};
use crate::store::outcome::Outcome;
use crate::store::runlog::ItemKind;
use crate::store::stuck_messages::{self, StuckReason};
use crate::sync::engine::{Cycle, DoneOf, Recorded, Subject, SyncKind, Worker};

/// The message sync.
pub struct Messages;

/// One message for a worker.
pub enum Work {
    /// A client message: save the activity, then mark it processed. The
    /// message itself is kept to note it as stuck on a collision.
    Import(Incoming, Box<Message>),
    /// A firm or system message: only mark it processed.
    Acknowledge(i64),
}

impl Work {
    fn subject(&self) -> Subject {
        match self {
            Work::Import(i, _) => Subject::new(ItemKind::Message, i.message_id),
            Work::Acknowledge(id) => Subject::new(ItemKind::Message, *id),
        }
    }
}

/// What a worker did with one message.
pub enum Imported {
    /// The activity is in FluentCase and the message is marked processed.
    Done(Saved),
    /// A firm or system message, marked processed.
    Acknowledged,
    /// Not saved (a database error): stays unprocessed, retried next cycle.
    NotSaved(String),
    /// FluentCase holds another activity for this message: stays
    /// unprocessed and stuck until a person acts.
    Collision(String),
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
        let writes = cycle.run_id().is_some();
        if writes {
            // The list was read in full: a note whose message is no longer
            // in it (processed elsewhere, deleted) has nothing to wait for.
            let unprocessed: BTreeSet<i64> = messages.iter().map(|m| m.id).collect();
            stuck_messages::keep_only(cycle.state, &unprocessed)?;
        }
        let mut work = Vec::new();
        for m in messages {
            let subject = Subject::new(ItemKind::Message, m.id);
            let mut lookup = Lookup {
                fc: &fc,
                error: None,
            };
            let prepared = prepare(&m, &mut lookup);
            if let Some(e) = lookup.error {
                // A database problem is not "no matter": it is an error.
                let detail = format!("{e}; left unprocessed, retried next cycle");
                cycle.record(&subject, Outcome::Failed, detail, json!({}))?;
                continue;
            }
            match prepared {
                Ok(incoming) => work.push(Work::Import(incoming, Box::new(m))),
                Err(NotImported::Ignored) => work.push(Work::Acknowledge(m.id)),
                Err(NotImported::Stuck(s)) => {
                    if writes {
                        stuck_messages::upsert(cycle.state, &stuck_row(&m, &s, cycle.ctx.now))?;
                    }
                    // A record-level outcome, like a skipped matter: it
                    // leaves the exit status alone.
                    record_stuck(cycle, &subject, &s, Outcome::Stuck)?;
                }
            }
        }
        if let Some(n) = cycle.report.counts.get(&Outcome::Stuck).copied() {
            cycle.report.notes.push(format!(
                "{n} message(s) could not be imported and wait, unprocessed, for a person: casestatus-sync messages pending"
            ));
        }
        Ok(work)
    }

    fn describe(&self, cycle: &mut Cycle, jobs: Vec<Work>) -> anyhow::Result<()> {
        for job in jobs {
            match &job {
                Work::Import(i, _) => {
                    let detail = format!("to matter {}: {}", i.matter_id, preview(&i.body));
                    cycle.record(&job.subject(), Outcome::WouldImport, detail, json!({}))?;
                }
                Work::Acknowledge(_) => cycle.report.bump(Outcome::WouldAcknowledge),
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
            Work::Import(i, _) => i.matter_id,
            Work::Acknowledge(_) => 0,
        };
        let (outcome, detail) = match imported {
            Imported::Acknowledged => {
                cycle.report.bump(Outcome::Acknowledged);
                stuck_messages::remove(cycle.state, work_id(&work))?;
                return Ok(Recorded::Done { called: true });
            }
            Imported::Collision(why) => {
                // An error (exit 1, as SPEC §2 has it), and stuck: a person
                // decides with `messages import` or `messages acknowledge`.
                let s = Stuck {
                    reason: StuckReason::Collision,
                    why,
                };
                if let Work::Import(_, m) = &work {
                    stuck_messages::upsert(cycle.state, &stuck_row(m, &s, cycle.ctx.now))?;
                }
                record_stuck(cycle, &subject, &s, Outcome::Failed)?;
                return Ok(Recorded::Done { called: false });
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
                stuck_messages::remove(cycle.state, work_id(&work))?;
                // The whole text: the log keeps it exact; output escapes it.
                let body = match &work {
                    Work::Import(i, _) => i.body.clone(),
                    Work::Acknowledge(_) => String::new(),
                };
                (Outcome::Imported, format!("to matter {matter}: {body}"))
            }
            Imported::Done(_) => {
                stuck_messages::remove(cycle.state, work_id(&work))?;
                (
                    Outcome::AlreadyImported,
                    format!("the same activity on matter {matter} existed; marked processed now"),
                )
            }
            Imported::NotSaved(e) => (
                Outcome::Failed,
                format!("{e}; left unprocessed, retried next cycle"),
            ),
        };
        let called = !outcome.is_failure();
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
            Work::Import(incoming, _) => import(client, fc, incoming),
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
        }) => Imported::Collision(format!(
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

/// The CaseStatus id of a job's message.
fn work_id(work: &Work) -> i64 {
    match work {
        Work::Import(i, _) => i.message_id,
        Work::Acknowledge(id) => *id,
    }
}

/// Count, log and show a stuck message under `outcome` ([`Outcome::Stuck`],
/// or [`Outcome::Failed`] for a collision), with its reason code beside
/// the message.
fn record_stuck(
    cycle: &mut Cycle,
    subject: &Subject,
    s: &Stuck,
    outcome: Outcome,
) -> anyhow::Result<()> {
    let detail = format!(
        "{}; left unprocessed in CaseStatus until a person decides (casestatus-sync messages pending)",
        s.why
    );
    cycle.record(
        subject,
        outcome,
        detail,
        json!({ "codes": [s.reason.code()] }),
    )?;
    Ok(())
}

/// The rules' questions about a matter, answered from FluentCase. A
/// database error is kept (and answered "no") so the caller can report
/// the message as failed rather than stuck.
pub struct Lookup<'a> {
    pub fc: &'a FluentCase,
    pub error: Option<FluentCaseError>,
}

impl MatterLookup for Lookup<'_> {
    fn matter_exists(&mut self, matter_id: i64) -> bool {
        activities::matter_exists(self.fc, matter_id).unwrap_or_else(|e| {
            self.error.get_or_insert(e);
            false
        })
    }

    fn primary_parties(&mut self, matter_id: i64) -> Vec<PartyName> {
        self.fc.primary_party_names(matter_id).unwrap_or_else(|e| {
            self.error.get_or_insert(e);
            Vec::new()
        })
    }
}
