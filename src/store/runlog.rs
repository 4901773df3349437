//! The Recent Activity log: every sync run with its counts, and the items
//! worth a person's attention (created, rejected, errors, changed skip
//! reasons, drift). `log` lists runs; `log --run ID` shows one.
//!
//! Bounded: runs older than [`RETENTION_DAYS`] are deleted with their items
//! when a run finishes. Skipped matters whose reasons did not change since
//! the last cycle are not written again (see `ledger`); their current
//! reasons are in the skip state, which `log --run` of the latest run and
//! `why-skipped` show. This keeps 96 cycles a day from growing the file.
//!
//! This module is the log's storage (every SQL statement on `runs` and
//! `run_items`); `commands::log` shows it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::store::outcome::{Counts, Outcome};
use crate::store::state::{StateError, StateStore};

/// A finished run succeeded: no run-level error and no record that failed
/// ([`Outcome::is_failure`]).
pub fn succeeded(r: &RunRow) -> bool {
    r.finished_at.is_some()
        && r.error.is_none()
        && !r.counts.iter().any(|(o, n)| o.is_failure() && *n > 0)
}

/// How long runs are kept.
pub const RETENTION_DAYS: i64 = 30;

/// A matters run's skipped matters per reason code (a matter with two
/// reasons is under both). The log keeps them beside the outcome counts as
/// `skipped:CODE`.
pub type ReasonCounts = BTreeMap<String, u64>;

/// Split stored counts into outcomes and skip reasons (`skipped:CODE`). A
/// name this binary does not know is left out (see [`crate::store::outcome`]).
pub fn split_reasons(stored: BTreeMap<String, u64>) -> (Counts, ReasonCounts) {
    let mut counts = Counts::new();
    let mut reasons = ReasonCounts::new();
    for (k, v) in stored {
        if let Some(code) = k.strip_prefix("skipped:") {
            reasons.insert(code.to_string(), v);
        } else if let Some(o) = Outcome::from_name(&k) {
            counts.insert(o, v);
        }
    }
    (counts, reasons)
}

/// A run as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub kind: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub dry_run: bool,
    pub counts: Counts,
    pub skipped_by_reason: ReasonCounts,
    pub error: Option<String>,
}

/// What a log item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Matter,
    Event,
    Message,
    /// An account check or change (`connect --new-account`): runs of kind
    /// `account`, not a record.
    Account,
}

impl ItemKind {
    /// The stored name (`run_items.subject`).
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Matter => "matter",
            ItemKind::Event => "event",
            ItemKind::Message => "message",
            ItemKind::Account => "account",
        }
    }

    fn from_name(name: &str) -> Option<ItemKind> {
        [
            ItemKind::Matter,
            ItemKind::Event,
            ItemKind::Message,
            ItemKind::Account,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A record's id: FluentCase's id, or CaseStatus's message id (a number);
/// an account item's id is its URL or record id as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum ItemId {
    Number(i64),
    Text(String),
}

impl ItemId {
    /// From the stored text: a number when it is one.
    pub fn parse(text: &str) -> ItemId {
        text.parse()
            .map(ItemId::Number)
            .unwrap_or_else(|_| ItemId::Text(text.to_string()))
    }
}

impl std::fmt::Display for ItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ItemId::Number(n) => write!(f, "{n}"),
            ItemId::Text(t) => f.write_str(t),
        }
    }
}

/// One record's outcome, structured (SPEC §1): the same shape in
/// `sync --json` and in `log --run ID --json`, so no tool parses prose.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    pub id: ItemId,
    pub file_number: Option<String>,
    pub outcome: Outcome,
    /// Reason codes: a skipped or refused matter's, a stuck message's.
    pub codes: Vec<String>,
    /// For people.
    pub message: String,
    /// RFC 3339 UTC.
    pub at: String,
}

impl Item {
    /// The order of records (SPEC §1: lists of records are in id order).
    pub fn key(&self) -> (ItemKind, &ItemId) {
        (self.kind, &self.id)
    }

    /// How people name its record: "matter 1042 (WC-2026-0042)", "event 77".
    pub fn subject(&self) -> String {
        match (self.kind, &self.file_number) {
            (ItemKind::Matter, Some(n)) => format!("matter {} ({n})", self.id),
            (ItemKind::Matter, None) => format!("matter {} (no file number)", self.id),
            (kind, _) => format!("{} {}", kind.name(), self.id),
        }
    }

    /// The item from what the log stores: codes and message read out of
    /// its detail JSON (`reasons: [{code, message}]`, `codes`, `message`).
    fn from_stored(stored: Stored) -> Option<Item> {
        let detail = parse_json(stored.detail);
        let mut codes: Vec<String> = Vec::new();
        let mut messages: Vec<String> = Vec::new();
        if let Some(reasons) = detail.get("reasons").and_then(|r| r.as_array()) {
            for r in reasons {
                codes.extend(r["code"].as_str().map(str::to_string));
                messages.extend(r["message"].as_str().map(str::to_string));
            }
        }
        if let Some(more) = detail.get("codes").and_then(|c| c.as_array()) {
            codes.extend(more.iter().filter_map(|c| c.as_str().map(str::to_string)));
        }
        // Once each, in the order given (a code may fail two rules).
        let mut seen = std::collections::HashSet::new();
        codes.retain(|c| seen.insert(c.clone()));
        let message = match detail.get("message").and_then(|m| m.as_str()) {
            Some(m) => m.to_string(),
            None if !messages.is_empty() => messages.join("; "),
            None => describe_detail(&detail),
        };
        Some(Item {
            kind: ItemKind::from_name(&stored.subject)?,
            id: ItemId::parse(&stored.subject_id),
            file_number: stored.file_number,
            outcome: Outcome::from_name(&stored.outcome)?,
            codes,
            message,
            at: stored.at,
        })
    }
}

/// An item as a row holds it.
struct Stored {
    subject: String,
    subject_id: String,
    file_number: Option<String>,
    outcome: String,
    detail: String,
    at: String,
}

/// One noteworthy item of a run, as `why-skipped`'s history reads it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub subject: String,
    pub subject_id: String,
    pub outcome: String,
    pub detail: serde_json::Value,
}

/// The record a new item is about: its kind, id and (a matter's) file number.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub kind: ItemKind,
    pub id: &'a str,
    pub file_number: Option<&'a str>,
}

/// Start a run; its id.
pub fn start(state: &StateStore, kind: &str, now: DateTime<Utc>) -> Result<i64, StateError> {
    state
        .conn()
        .execute(
            "INSERT INTO runs (kind, started_at) VALUES (?1, ?2)",
            params![kind, crate::util::clock::stamp(now)],
        )
        .map_err(|e| state.err(e))?;
    Ok(state.conn().last_insert_rowid())
}

/// Record one item of a run, at `at` (RFC 3339 UTC).
pub fn item(
    state: &StateStore,
    run_id: i64,
    about: About,
    outcome: Outcome,
    detail: &serde_json::Value,
    at: &str,
) -> Result<(), StateError> {
    item_json(state, run_id, about, outcome, &detail.to_string(), at)
}

/// A new item of a bulk write: (id, file number, outcome, detail as JSON text).
pub type NewItem = (String, Option<String>, Outcome, String);

/// Record many items of a run about one `kind` of record, all at `at`, in
/// multi-row INSERTs.
pub fn items_json(
    state: &StateStore,
    run_id: i64,
    kind: ItemKind,
    items: &[NewItem],
    at: &str,
) -> Result<(), StateError> {
    let subject = kind.name();
    state.insert_rows(
        items,
        7,
        (
            "INSERT INTO run_items (run_id, subject, subject_id, outcome, detail, file_number, at)",
            "",
        ),
        |(id, file_number, outcome, detail), row| {
            row.extend([
                &run_id as &dyn rusqlite::ToSql,
                &subject,
                id,
                outcome,
                detail,
                file_number,
                &at,
            ])
        },
    )
}

/// Record one item of a run whose detail is already JSON text (prepared
/// off the main thread).
pub fn item_json(
    state: &StateStore,
    run_id: i64,
    about: About,
    outcome: Outcome,
    detail: &str,
    at: &str,
) -> Result<(), StateError> {
    // Cached: a first cycle at a big firm logs 100,000 items.
    state
        .conn()
        .prepare_cached(
            "INSERT INTO run_items (run_id, subject, subject_id, outcome, detail, file_number, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                run_id,
                about.kind.name(),
                about.id,
                outcome.name(),
                detail,
                about.file_number,
                at
            ])
        })
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Finish a run with its counts (and a matters run's skip reasons, kept
/// as `skipped:CODE`) and run-level error, then prune old runs.
pub fn finish(
    state: &StateStore,
    run_id: i64,
    counts: &Counts,
    reasons: &ReasonCounts,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StateError> {
    let mut stored: BTreeMap<String, u64> = counts
        .iter()
        .map(|(o, n)| (o.name().to_string(), *n))
        .collect();
    for (code, n) in reasons {
        stored.insert(format!("skipped:{code}"), *n);
    }
    let counts = serde_json::to_string(&stored).unwrap_or_else(|_| "{}".into());
    state
        .conn()
        .execute(
            "UPDATE runs SET finished_at = ?2, counts = ?3, error = ?4 WHERE id = ?1",
            params![run_id, crate::util::clock::stamp(now), counts, error],
        )
        .map_err(|e| state.err(e))?;
    let cutoff = crate::util::clock::stamp(now - Duration::days(RETENTION_DAYS));
    state
        .conn()
        .execute("DELETE FROM runs WHERE started_at < ?1", [cutoff])
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Close a run that failed part-way, with the failure as its error. Best
/// effort: the failure itself is what the caller reports.
pub fn fail(state: &StateStore, run_id: i64, err: &anyhow::Error, now: DateTime<Utc>) {
    let _ = finish(
        state,
        run_id,
        &Counts::new(),
        &ReasonCounts::new(),
        Some(&format!("{err:#}")),
        now,
    );
}

/// The newest run of `kind` that was not a dry run, if any.
pub fn latest_of_kind(state: &StateStore, kind: &str) -> Result<Option<i64>, StateError> {
    state
        .conn()
        .query_row(
            "SELECT max(id) FROM runs WHERE kind = ?1 AND NOT dry_run",
            [kind],
            |r| r.get(0),
        )
        .map_err(|e| state.err(e))
}

/// The most recent runs, newest first.
pub fn recent(state: &StateStore, limit: u32) -> Result<Vec<RunRow>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT id, kind, started_at, finished_at, dry_run, counts, error
             FROM runs ORDER BY id DESC LIMIT ?1",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([limit], run_from_row)
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// One run by id.
pub fn get(state: &StateStore, id: i64) -> Result<Option<RunRow>, StateError> {
    state
        .conn()
        .query_row(
            "SELECT id, kind, started_at, finished_at, dry_run, counts, error FROM runs WHERE id = ?1",
            [id],
            run_from_row,
        )
        .optional()
        .map_err(|e| state.err(e))
}

/// The latest real (not dry) run of one kind, finished or not.
pub fn last_run(state: &StateStore, kind: &str) -> Result<Option<RunRow>, StateError> {
    state
        .conn()
        .query_row(
            "SELECT id, kind, started_at, finished_at, dry_run, counts, error FROM runs
             WHERE kind = ?1 AND dry_run = 0 ORDER BY id DESC LIMIT 1",
            [kind],
            run_from_row,
        )
        .optional()
        .map_err(|e| state.err(e))
}

/// The latest successful run of one kind: finished, without a run-level
/// error and without records that failed with errors (what `sync` exits 0
/// for: its count of those is [`Outcome::Failed`], the one
/// [`Outcome::is_failure`]).
pub fn last_success(state: &StateStore, kind: &str) -> Result<Option<RunRow>, StateError> {
    state
        .conn()
        .query_row(
            "SELECT id, kind, started_at, finished_at, dry_run, counts, error FROM runs
             WHERE kind = ?1 AND dry_run = 0 AND finished_at IS NOT NULL AND error IS NULL
               AND COALESCE(json_extract(counts, '$.' || ?2), 0) = 0
             ORDER BY id DESC LIMIT 1",
            params![kind, Outcome::Failed],
            run_from_row,
        )
        .optional()
        .map_err(|e| state.err(e))
}

/// The items of one run, in id order (SPEC §1); an item with a kind or
/// outcome this binary does not know is left out. An item written before
/// it had its own time has the run's start.
pub fn items(state: &StateStore, run_id: i64) -> Result<Vec<Item>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT i.subject, i.subject_id, i.file_number, i.outcome, i.detail,
                    COALESCE(i.at, r.started_at)
             FROM run_items i JOIN runs r ON r.id = i.run_id
             WHERE i.run_id = ?1 ORDER BY i.rowid",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok(Stored {
                subject: r.get(0)?,
                subject_id: r.get(1)?,
                file_number: r.get(2)?,
                outcome: r.get(3)?,
                detail: r.get(4)?,
                at: r.get(5)?,
            })
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    let mut items: Vec<Item> = rows.into_iter().filter_map(Item::from_stored).collect();
    // Stable: a record's items keep the order they happened in.
    items.sort_by(|a, b| a.key().cmp(&b.key()));
    Ok(items)
}

/// Items about one subject (e.g. a matter) in recent runs, newest first,
/// with the run's start time.
pub fn history(
    state: &StateStore,
    subject: &str,
    subject_id: &str,
    limit: u32,
) -> Result<Vec<(i64, String, ItemRow)>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT r.id, r.started_at, i.subject, i.subject_id, i.outcome, i.detail
             FROM run_items i JOIN runs r ON r.id = i.run_id
             WHERE i.subject = ?1 AND i.subject_id = ?2
             ORDER BY i.run_id DESC, i.rowid DESC LIMIT ?3",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map(params![subject, subject_id, limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                ItemRow {
                    subject: r.get(2)?,
                    subject_id: r.get(3)?,
                    outcome: r.get(4)?,
                    detail: parse_json(r.get::<_, String>(5)?),
                },
            ))
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let counts: String = r.get(5)?;
    let (counts, skipped_by_reason) =
        split_reasons(serde_json::from_str(&counts).unwrap_or_default());
    Ok(RunRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        started_at: r.get(2)?,
        finished_at: r.get(3)?,
        dry_run: r.get(4)?,
        counts,
        skipped_by_reason,
        error: r.get(6)?,
    })
}

fn parse_json(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

/// "created 3 · in casestatus 1 · skipped 5" from a run's outcome counts
/// (each record once; reasons are not outcomes and are left out).
pub fn summary(counts: &Counts) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, v)| **v > 0)
        .map(|(k, v)| format!("{} {v}", k.name().replace('_', " ")))
        .collect();
    if parts.is_empty() {
        "nothing to do".into()
    } else {
        parts.join(" · ")
    }
}

/// A detail JSON as one readable line.
pub fn describe_detail(d: &serde_json::Value) -> String {
    if let Some(reasons) = d.get("reasons").and_then(|r| r.as_array()) {
        return reasons
            .iter()
            .map(|r| {
                format!(
                    "{}: {}",
                    r["code"].as_str().unwrap_or("?"),
                    r["message"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    if let Some(m) = d.get("message").and_then(|m| m.as_str()) {
        return m.to_string();
    }
    match d {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Add a run's requests to the state file's lifetime counts, by what they
/// ended in (`2xx` … `5xx`, `none`).
///
/// # Errors
/// The state file cannot be written.
pub fn add_requests(state: &StateStore, counts: &[(&str, u64)]) -> Result<(), StateError> {
    for (code, n) in counts {
        state
            .conn()
            .execute(
                "INSERT INTO request_counts (code, n) VALUES (?1, ?2)
                 ON CONFLICT (code) DO UPDATE SET n = n + excluded.n",
                params![code, i64::try_from(*n).unwrap_or(i64::MAX)],
            )
            .map_err(|e| state.err(e))?;
    }
    Ok(())
}

/// The state file's lifetime request counts, by code class, in code order.
///
/// # Errors
/// The state file cannot be read.
pub fn requests(state: &StateStore) -> Result<Vec<(String, u64)>, StateError> {
    let mut stmt = state
        .conn()
        .prepare("SELECT code, n FROM request_counts ORDER BY code")
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            ))
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}
