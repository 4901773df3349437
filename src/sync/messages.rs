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

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::casestatus::{CaseStatus, Message, Outages};
use crate::store::fluentcase::{Access, FluentCase, FluentCaseError};
use crate::store::state::StateStore;
use crate::sync::context::Ctx;
use crate::sync::pool::Flow;
use crate::sync::report::Report;

/// The activity tag (help article).
pub const TAG: &str = "Case Status Message";
/// The activity source.
pub const SOURCE: &str = "casestatus";

/// A client message checked and ready to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub message_id: i64,
    pub matter_id: i64,
    pub body: String,
    pub created_at: String,
}

/// Why a message is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotImported {
    /// `firm` or `system`: not a client's message; acknowledged.
    Ignored,
    /// A field needed to import it is missing or unusable.
    Invalid(String),
    /// No matter in FluentCase has the message's integration id.
    Unmatched(String),
}

/// Check a message and build its activity. Pure; `matter_exists` answers
/// whether FluentCase has a matter with that id.
pub fn prepare(
    m: &Message,
    mut matter_exists: impl FnMut(i64) -> bool,
) -> Result<Incoming, NotImported> {
    let label = readable(m);
    match m.kind.as_deref() {
        Some("client") => {}
        // Only the firm's own and CaseStatus's messages are acknowledged
        // unread; a message whose type is missing or unknown might be a
        // client's, so it is never marked processed.
        Some("firm" | "system") => return Err(NotImported::Ignored),
        Some(other) => {
            return Err(NotImported::Invalid(format!(
                "{label} has an unknown type {other:?}"
            )))
        }
        None => return Err(NotImported::Invalid(format!("{label} has no type"))),
    }
    let sender = m
        .sender_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(sender) = sender else {
        return Err(NotImported::Invalid(format!("{label} has no sender_name")));
    };
    let Some(content) = m.content.as_deref() else {
        return Err(NotImported::Invalid(format!("{label} has no content")));
    };
    let sent = m
        .sent_at
        .as_deref()
        .or(m.created_at.as_deref())
        .and_then(crate::util::clock::parse)
        .ok_or_else(|| NotImported::Invalid(format!("{label} has no usable sent_at time")))?;
    let raw_id = m.integration_id.as_deref().map(str::trim).unwrap_or("");
    let matter_id = raw_id
        .parse::<i64>()
        .ok()
        .filter(|id| matter_exists(*id))
        .ok_or_else(|| {
            NotImported::Unmatched(format!(
                "{label} from {sender}: no FluentCase matter has id {raw_id:?} — is the matter in CaseStatus under this firm's integration?"
            ))
        })?;
    Ok(Incoming {
        message_id: m.id,
        matter_id,
        body: format!("Message from Case Status ({sender}): {content}"),
        created_at: crate::util::clock::stamp(sent),
    })
}

fn readable(m: &Message) -> String {
    match &m.readable_id {
        Some(r) => format!("message {} (case {r})", m.id),
        None => format!("message {}", m.id),
    }
}

/// What FluentCase held, or now holds, for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The activity was inserted now.
    Inserted,
    /// The same activity (matter and text) was already there: an earlier
    /// run saved it and did not get to mark the message.
    AlreadyThere,
    /// An activity with this (source, source_id) exists on another matter
    /// or with other text: not ours to overwrite, not safe to mark.
    Collision {
        activity_id: i64,
        matter_id: i64,
        body: String,
    },
}

/// Insert the activity unless it is there, in one IMMEDIATE transaction.
///
/// # Errors
/// A FluentCase database error (after the busy timeout).
pub fn insert_activity(fc: &mut FluentCase, msg: &Incoming) -> Result<Saved, FluentCaseError> {
    let source_id = msg.message_id.to_string();
    let result = (|| -> rusqlite::Result<Saved> {
        let tx = fc
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(i64, i64, String)> = tx
            .query_row(
                "SELECT id, matter_id, body FROM activities WHERE source = ?1 AND source_id = ?2",
                params![SOURCE, source_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((activity_id, matter_id, body)) = existing {
            return Ok(if matter_id == msg.matter_id && body == msg.body {
                Saved::AlreadyThere
            } else {
                Saved::Collision {
                    activity_id,
                    matter_id,
                    body,
                }
            });
        }
        tx.execute(
            "INSERT INTO activities (matter_id, tag, body, created_at, source, source_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                msg.matter_id,
                TAG,
                msg.body,
                msg.created_at,
                SOURCE,
                source_id
            ],
        )?;
        tx.commit()?;
        Ok(Saved::Inserted)
    })();
    result.map_err(|e| fc.err(e))
}

/// One message cycle.
pub fn cycle(
    ctx: &Ctx,
    state: &mut StateStore,
    client: &CaseStatus,
    run_id: Option<i64>,
) -> anyhow::Result<Report> {
    let dry_run = run_id.is_none();
    // This thread only reads FluentCase; the workers insert.
    let fc = ctx.fluentcase(Access::ReadOnly)?;
    let mut report = Report::new("messages", dry_run);
    report.run_id = run_id;
    let messages = match client.unprocessed_messages() {
        Ok(m) => m,
        Err(e) => {
            report.error = Some(e.to_string());
            report.fatal = Some(e);
            return Ok(report);
        }
    };

    // Check and match every message here; only importable ones go on.
    let mut importable = Vec::new();
    for m in &messages {
        let subject_id = m.id.to_string();
        let subject = ("message", subject_id.as_str());
        let mut lookup_error = None;
        let prepared = prepare(m, |id| match matter_exists(&fc, id) {
            Ok(found) => found,
            Err(e) => {
                lookup_error = Some(e);
                false
            }
        });
        if let Some(e) = lookup_error {
            // A database problem is not "unmatched": report it as an error.
            report.record(
                state,
                subject,
                "failed",
                format!("{e}; left unprocessed, retried next cycle"),
            )?;
            continue;
        }
        match prepared {
            Ok(incoming) if dry_run => report.record(
                state,
                subject,
                "would_import",
                format!(
                    "to matter {}: {}",
                    incoming.matter_id,
                    preview(&incoming.body)
                ),
            )?,
            Ok(incoming) => importable.push(Work::Import(incoming)),
            Err(NotImported::Ignored) if dry_run => report.bump("would_acknowledge"),
            Err(NotImported::Ignored) => importable.push(Work::Acknowledge(m.id)),
            Err(NotImported::Invalid(why)) => report.record(
                state,
                subject,
                "invalid",
                format!("{why}; left unprocessed in CaseStatus"),
            )?,
            Err(NotImported::Unmatched(why)) => report.record(
                state,
                subject,
                "unmatched",
                format!("{why}; left unprocessed in CaseStatus"),
            )?,
        }
    }
    if dry_run {
        return Ok(report);
    }
    drop(fc);

    // Insert, then mark processed: `concurrency` messages at a time, each
    // worker with its own FluentCase connection (FluentCase serialises the
    // short inserts; the marks overlap).
    let progress = ctx.out.progress(importable.len(), "messages");
    let fc_path = ctx.config.fluentcase.database.clone();
    let mut outages = Outages::default();
    crate::sync::pool::run(
        importable,
        ctx.config.casestatus.concurrency,
        || FluentCase::open(&fc_path, Access::InsertActivities),
        |worker_fc, work: Work, emit| {
            let outcome = apply(client, worker_fc, &work);
            emit((work, outcome));
        },
        |(work, outcome)| {
            progress.inc(1);
            if let Imported::NotMarked(e) = &outcome {
                if outages.stops_run(e) {
                    report.error = Some(e.to_string());
                    report.fatal = Some(e.clone());
                    return Flow::Stop;
                }
            } else {
                outages.ok();
            }
            let Some((outcome, detail)) = describe(&work, outcome) else {
                report.bump("acknowledged");
                return Flow::Continue;
            };
            let sid = work.message_id().to_string();
            match report.record(state, ("message", sid.as_str()), outcome, detail) {
                Ok(()) => Flow::Continue,
                Err(e) => {
                    report.error = Some(e.to_string());
                    Flow::Stop
                }
            }
        },
    );
    progress.finish_and_clear();
    Ok(report)
}

/// One message for a worker.
enum Work {
    /// A client message: save the activity, then mark it processed.
    Import(Incoming),
    /// A firm or system message: only mark it processed.
    Acknowledge(i64),
}

impl Work {
    fn message_id(&self) -> i64 {
        match self {
            Work::Import(i) => i.message_id,
            Work::Acknowledge(id) => *id,
        }
    }
}

/// What a worker did with one message.
enum Imported {
    /// The activity is in FluentCase and the message is marked processed.
    Done(Saved),
    /// A firm or system message, marked processed.
    Acknowledged,
    /// Not saved (a database error, or a collision): stays unprocessed.
    NotSaved(String),
    /// Saved, but the mark failed: retried next cycle, no second activity.
    NotMarked(crate::casestatus::ApiError),
}

/// The network and FluentCase part of one message, on a worker thread.
fn apply(
    client: &CaseStatus,
    fc: &mut Result<FluentCase, FluentCaseError>,
    work: &Work,
) -> Imported {
    let incoming = match work {
        Work::Acknowledge(id) => {
            return match client.mark_processed(*id) {
                Ok(()) => Imported::Acknowledged,
                Err(e) => Imported::NotMarked(e),
            }
        }
        Work::Import(incoming) => incoming,
    };
    let fc = match fc {
        Ok(fc) => fc,
        Err(e) => return Imported::NotSaved(e.to_string()),
    };
    match insert_activity(fc, incoming) {
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

/// The log outcome and detail of one message; None for a plain
/// acknowledgement (counted, not listed).
fn describe(work: &Work, outcome: Imported) -> Option<(&'static str, String)> {
    let matter = match work {
        Work::Import(i) => i.matter_id,
        Work::Acknowledge(_) => 0,
    };
    Some(match outcome {
        Imported::Acknowledged => return None,
        Imported::Done(Saved::Inserted) => {
            // The whole text: the log keeps it exact; output escapes it.
            let body = match work {
                Work::Import(i) => i.body.clone(),
                Work::Acknowledge(_) => String::new(),
            };
            ("imported", format!("to matter {matter}: {body}"))
        }
        Imported::Done(_) => (
            "already_imported",
            format!("the same activity on matter {matter} existed; marked processed now"),
        ),
        Imported::NotSaved(e) => ("failed", format!("{e}; left unprocessed, retried next cycle")),
        Imported::NotMarked(e) if matter == 0 => (
            "failed",
            format!("a firm or system message could not be marked processed ({e}); retried next cycle"),
        ),
        Imported::NotMarked(e) => ("failed", format!(
            "activity saved on matter {matter}, but marking it processed failed ({e}); retried next cycle without a second activity"
        )),
    })
}

fn matter_exists(fc: &FluentCase, id: i64) -> Result<bool, FluentCaseError> {
    fc.conn()
        .query_row("SELECT 1 FROM matters WHERE id = ?1", [id], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
        .map_err(|e| fc.err(e))
}

/// The start of a message for the log: the text as sent (line breaks and
/// all; output makes them visible), cut at 80 characters.
fn preview(body: &str) -> String {
    if body.chars().count() > 80 {
        format!("{}…", body.chars().take(80).collect::<String>())
    } else {
        body.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg() -> Message {
        Message {
            id: 301,
            kind: Some("client".into()),
            content: Some("Hi \"there\"\nline 2 ✓".into()),
            sent_at: Some("2026-11-28T10:00:00Z".into()),
            created_at: None,
            readable_id: Some("WC-2026-0042".into()),
            sender_name: Some("Maria Lopez".into()),
            integration_id: Some("1042".into()),
        }
    }

    #[test]
    fn activity_text_is_exact() {
        let i = prepare(&msg(), |id| id == 1042).unwrap();
        assert_eq!(
            i.body,
            "Message from Case Status (Maria Lopez): Hi \"there\"\nline 2 ✓"
        );
        assert_eq!(i.created_at, "2026-11-28T10:00:00Z");
        assert_eq!(i.matter_id, 1042);
    }

    #[test]
    fn not_imported_reasons() {
        let mut m = msg();
        m.kind = Some("firm".into());
        assert_eq!(prepare(&m, |_| true), Err(NotImported::Ignored));
        let mut m = msg();
        m.content = None;
        assert!(matches!(
            prepare(&m, |_| true),
            Err(NotImported::Invalid(_))
        ));
        let mut m = msg();
        m.sent_at = Some("tuesday".into());
        assert!(matches!(
            prepare(&m, |_| true),
            Err(NotImported::Invalid(_))
        ));
        let m = msg();
        match prepare(&m, |_| false) {
            Err(NotImported::Unmatched(why)) => assert!(why.contains("WC-2026-0042"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
