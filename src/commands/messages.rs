//! `messages pending`, `messages import ID --matter MATTER` and
//! `messages acknowledge ID`: a person decides about the client messages
//! the sync could not import (SPEC §1, §2 — stuck messages).
//!
//! `pending` is read-only: it lists the notes `sync messages` keeps in the
//! state file (`store::stuck_messages`), in id order, with why and since
//! when; it never creates or changes a state file and asks CaseStatus
//! nothing.
//!
//! `import` and `acknowledge` change things, so they take the run lock the
//! syncs take (this base has no separate messages lock) and never race a
//! `sync messages`. Each asks CaseStatus for the message first — only a
//! message still unprocessed there can be decided — and each is a run of
//! its own kind ([`DECISION_KIND`]) in the log, so `log` shows who decided
//! what. `import` keeps the sync's order: the activity is inserted through
//! the sync's one insert (`store::activities`, the same tag, body, source
//! and source id), and only then is the message marked processed; a
//! repeat after a failed mark finds the same activity and only marks.

use serde::Serialize;
use serde_json::json;

use crate::casestatus::{CaseStatus, Message};
use crate::rules::activity::{prepare_by_hand, preview, SOURCE, TAG};
use crate::store::activities::{self, NewActivity, Saved};
use crate::store::fluentcase::Access;
use crate::store::outcome::{Counts, Outcome};
use crate::store::runlog::{self, About, ItemKind};
use crate::store::state::StateStore;
use crate::store::stuck_messages::{self, StuckMessage};
use crate::sync::messages::Lookup;
use crate::sync::Ctx;
use crate::util::exit::{UsageError, OK};

/// `messages pending|import|acknowledge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: MessagesAction,
}

/// `messages ...`: a person decides about stuck client messages.
#[derive(Debug, clap::Subcommand)]
pub enum MessagesAction {
    /// List the client messages waiting unprocessed in CaseStatus that could not be imported, with why and since when (read-only)
    Pending,
    /// Import one message as an activity on the matter named, then mark it processed in CaseStatus
    Import {
        /// CaseStatus's message id (see `messages pending`)
        #[arg(value_name = "ID")]
        id: i64,
        /// The FluentCase matter to put it on: a matter id or a file number
        #[arg(long, value_name = "MATTER")]
        matter: String,
    },
    /// Mark one message processed in CaseStatus without importing it
    Acknowledge {
        /// CaseStatus's message id (see `messages pending`)
        #[arg(value_name = "ID")]
        id: i64,
    },
}

/// `messages ...`: [`pending`], [`import`] or [`acknowledge`].
///
/// # Errors
/// As those.
pub fn exec(ctx: &Ctx, args: &Args) -> anyhow::Result<u8> {
    match &args.action {
        MessagesAction::Pending => pending(ctx),
        MessagesAction::Import { id, matter } => import(ctx, *id, matter),
        MessagesAction::Acknowledge { id } => acknowledge(ctx, *id),
    }
}

/// The run kind of a person's decision in the log (not a sync kind:
/// `status` judges the syncs only).
pub const DECISION_KIND: &str = "message decision";

/// A person's decision could not be carried out as asked; nothing was
/// marked processed. (Exit status 1, like a record that failed.)
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotDecided(pub String);

/// `messages pending --json`: every stuck message, in id order.
#[derive(Debug, Serialize)]
pub struct Pending {
    pub count: usize,
    pub messages: Vec<StuckMessage>,
}

/// What a person's decision did to a message: its outcome in the log and
/// in `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decided {
    /// The activity was inserted now, then the message marked processed.
    Imported,
    /// The same activity was already there (a repeat after a failed
    /// mark); the message is marked processed now.
    AlreadyImported,
    /// Marked processed without an activity.
    Acknowledged,
}

impl Decided {
    /// The outcome in the log's items and counts.
    pub fn outcome(self) -> Outcome {
        match self {
            Decided::Imported => Outcome::Imported,
            Decided::AlreadyImported => Outcome::AlreadyImported,
            Decided::Acknowledged => Outcome::Acknowledged,
        }
    }
}

/// What a decision did: the `--json` document of `messages import` and
/// `messages acknowledge`.
#[derive(Debug, Serialize)]
pub struct Decision {
    pub message_id: i64,
    pub outcome: Decided,
    pub matter_id: Option<i64>,
    pub file_number: Option<String>,
    pub run_id: i64,
}

/// `messages pending`.
///
/// # Errors
/// The state file is missing (never created here) or unreadable.
pub fn pending(ctx: &Ctx) -> anyhow::Result<u8> {
    let state = ctx.state_read_only()?;
    let messages = stuck_messages::list(&state)?;
    if ctx.out.json {
        ctx.out.json(&Pending {
            count: messages.len(),
            messages,
        })?;
        return Ok(OK);
    }
    if messages.is_empty() {
        ctx.out
            .line("No client messages wait for a person: every client message was imported.");
        return Ok(OK);
    }
    let tz = ctx.config.fluentcase.timezone;
    let mut t = ctx
        .out
        .table(&["Message", "Case", "From", "Waiting since", "Why", "Text"]);
    for m in &messages {
        t.add_row(vec![
            m.message_id.to_string(),
            m.readable_id
                .clone()
                .or_else(|| {
                    m.integration_id
                        .as_ref()
                        .map(|i| format!("integration id {i}"))
                })
                .unwrap_or_else(|| "-".into()),
            m.sender_name.clone().unwrap_or_else(|| "-".into()),
            crate::util::clock::local_text(&m.since, tz),
            format!("{}: {}", m.reason.code(), m.detail),
            m.preview.clone(),
        ]);
    }
    ctx.out.print_table(&t);
    ctx.out.line(format!(
        "{} message(s) wait in CaseStatus, unprocessed. Decide: casestatus-sync messages import ID --matter MATTER, or casestatus-sync messages acknowledge ID",
        messages.len()
    ));
    Ok(OK)
}

/// `messages import ID --matter MATTER`: the message becomes an activity
/// on that matter (a FluentCase id or file number), then is marked
/// processed.
///
/// # Errors
/// [`UsageError`] for an unknown matter or a message that is not
/// unprocessed in CaseStatus; [`NotDecided`] when FluentCase holds another
/// activity for the message; the lock's, the databases' and CaseStatus's
/// errors. Nothing is marked processed unless the activity is in FluentCase.
pub fn import(ctx: &Ctx, message_id: i64, matter: &str) -> anyhow::Result<u8> {
    let _lock = lock(ctx)?;
    let state = ctx.state()?;
    let client = client(ctx, &state)?;
    let mut fc = ctx.fluentcase(Access::InsertActivities)?;
    let target = fc.find_matter(matter)?.ok_or_else(|| {
        UsageError(format!(
            "no matter with id or file number {:?} in FluentCase ({}); message {message_id} was not imported",
            matter.trim(),
            ctx.config.fluentcase.database.display()
        ))
    })?;
    let m = unprocessed(&client, &state, message_id)?;
    let mut lookup = Lookup {
        fc: &fc,
        error: None,
    };
    let incoming = prepare_by_hand(&m, target.id, &mut lookup, ctx.now);
    if let Some(e) = lookup.error {
        return Err(e.into());
    }
    let run_id = runlog::start(&state, DECISION_KIND, ctx.now)?;
    let subject_id = message_id.to_string();
    let saved = activities::insert(
        &mut fc,
        &NewActivity {
            matter_id: incoming.matter_id,
            tag: TAG,
            body: &incoming.body,
            created_at: &incoming.created_at,
            source: SOURCE,
            source_id: &subject_id,
        },
    );
    let saved = match saved {
        Ok(s) => s,
        Err(e) => {
            let e = anyhow::Error::new(e);
            runlog::fail(&state, run_id, &e, ctx.now);
            return Err(e.context(format!("message {message_id} was not imported")));
        }
    };
    let file = target
        .file_number
        .as_deref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    let outcome = match saved {
        Saved::Collision {
            activity_id,
            matter_id,
            body,
        } => {
            let why = format!(
                "message {message_id} was not imported: FluentCase already holds activity {activity_id} for it (source casestatus, id {message_id}) on matter {matter_id} with the text {:?}; left unprocessed — to keep that activity, use `casestatus-sync messages acknowledge {message_id}`",
                preview(&body)
            );
            item(ctx, &state, run_id, &subject_id, Outcome::Failed, &why)?;
            finish(&state, run_id, Outcome::Failed, Some(&why), ctx)?;
            return Err(NotDecided(why).into());
        }
        Saved::Inserted => Decided::Imported,
        Saved::AlreadyThere => Decided::AlreadyImported,
    };
    if let Err(e) = client.mark_processed(message_id) {
        let why = format!(
            "message {message_id}'s activity is on matter {}{file}, but marking it processed in CaseStatus failed ({e}); run this command again: it finds the activity and only marks",
            target.id
        );
        item(ctx, &state, run_id, &subject_id, Outcome::Failed, &why)?;
        finish(&state, run_id, Outcome::Failed, Some(&why), ctx)?;
        return Err(anyhow::Error::new(e).context(why));
    }
    stuck_messages::remove(&state, message_id)?;
    let detail = format!(
        "imported by a person to matter {}{file}: {}",
        target.id, incoming.body
    );
    item(ctx, &state, run_id, &subject_id, outcome.outcome(), &detail)?;
    finish(&state, run_id, outcome.outcome(), None, ctx)?;
    let done = Decision {
        message_id,
        outcome,
        matter_id: Some(target.id),
        file_number: target.file_number.clone(),
        run_id,
    };
    if ctx.out.json {
        ctx.out.json(&done)?;
    } else {
        let how = match outcome {
            Decided::AlreadyImported => "was already there (the same activity)",
            Decided::Imported | Decided::Acknowledged => "imported",
        };
        ctx.out.line(format!(
            "Message {message_id} {how} on matter {}{file} and marked processed in CaseStatus (log run {run_id}).",
            target.id
        ));
    }
    Ok(OK)
}

/// `messages acknowledge ID`: mark the message processed without
/// importing it (a person decided it needs no activity).
///
/// # Errors
/// [`UsageError`] for a message that is not unprocessed in CaseStatus;
/// the lock's, the state file's and CaseStatus's errors.
pub fn acknowledge(ctx: &Ctx, message_id: i64) -> anyhow::Result<u8> {
    let _lock = lock(ctx)?;
    let state = ctx.state()?;
    let client = client(ctx, &state)?;
    let m = unprocessed(&client, &state, message_id)?;
    let run_id = runlog::start(&state, DECISION_KIND, ctx.now)?;
    let subject_id = message_id.to_string();
    if let Err(e) = client.mark_processed(message_id) {
        let why = format!(
            "message {message_id} could not be marked processed in CaseStatus ({e}); nothing changed, run this command again"
        );
        item(ctx, &state, run_id, &subject_id, Outcome::Failed, &why)?;
        finish(&state, run_id, Outcome::Failed, Some(&why), ctx)?;
        return Err(anyhow::Error::new(e).context(why));
    }
    stuck_messages::remove(&state, message_id)?;
    let case = m
        .readable_id
        .as_deref()
        .map(|r| format!(" (case {r})"))
        .unwrap_or_default();
    let from = m
        .sender_name
        .as_deref()
        .map(|s| format!(" from {s}"))
        .unwrap_or_default();
    let detail = format!(
        "acknowledged by a person, not imported: message {message_id}{case}{from}: {}",
        preview(m.content.as_deref().unwrap_or_default())
    );
    let outcome = Decided::Acknowledged;
    item(ctx, &state, run_id, &subject_id, outcome.outcome(), &detail)?;
    finish(&state, run_id, outcome.outcome(), None, ctx)?;
    let done = Decision {
        message_id,
        outcome,
        matter_id: None,
        file_number: None,
        run_id,
    };
    if ctx.out.json {
        ctx.out.json(&done)?;
    } else {
        ctx.out.line(format!(
            "Message {message_id}{case} marked processed in CaseStatus without import (log run {run_id})."
        ));
    }
    Ok(OK)
}

/// The messages lock the message syncs take, so a decision never races
/// `sync messages` (two imports of one message) — a held lock exits 5 like
/// a sync's, always with its line: a person asked.
fn lock(ctx: &Ctx) -> anyhow::Result<crate::sync::runlock::RunLock> {
    crate::sync::runlock::acquire(
        &ctx.config.state_database,
        crate::sync::runlock::Lock::Messages,
        ctx.now,
    )
}

/// A client for the key in use. Unlike a sync, a removed key is an error
/// here: the person asked for a change in CaseStatus.
fn client(ctx: &Ctx, state: &StateStore) -> anyhow::Result<CaseStatus> {
    let key = ctx.key(state)?;
    ctx.client_for(&key)
}

/// The message `id` from CaseStatus's unprocessed list, or a usage error
/// saying it is not there (and then any note of it as stuck goes: there
/// is nothing left to decide).
fn unprocessed(client: &CaseStatus, state: &StateStore, id: i64) -> anyhow::Result<Message> {
    let messages = client.unprocessed_messages()?;
    match messages.into_iter().find(|m| m.id == id) {
        Some(m) => Ok(m),
        None => {
            stuck_messages::remove(state, id)?;
            Err(UsageError(format!(
                "message {id} is not an unprocessed message in CaseStatus (already processed, or no such id); `casestatus-sync messages pending` lists the ones waiting"
            ))
            .into())
        }
    }
}

/// Log one item of a decision run.
fn item(
    ctx: &Ctx,
    state: &StateStore,
    run_id: i64,
    subject_id: &str,
    outcome: Outcome,
    detail: &str,
) -> anyhow::Result<()> {
    let about = About {
        kind: ItemKind::Message,
        id: subject_id,
        file_number: None,
    };
    let doc = json!({ "message": detail, "by": "person" });
    let at = crate::util::clock::stamp(ctx.now);
    runlog::item(state, run_id, about, outcome, &doc, &at)?;
    Ok(())
}

/// Close a decision run with its one outcome counted.
fn finish(
    state: &StateStore,
    run_id: i64,
    outcome: Outcome,
    error: Option<&str>,
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let counts = Counts::from([(outcome, 1)]);
    runlog::finish(state, run_id, &counts, &Default::default(), error, ctx.now)?;
    Ok(())
}
