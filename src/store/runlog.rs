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

use crate::store::state::{StateError, StateStore};

/// The count of records that failed with an error (sync's exit status
/// and `status`'s "succeeded" both read it).
pub const RECORD_ERRORS: &str = "failed";

/// A finished run succeeded: no run-level error and no record that failed.
pub fn succeeded(r: &RunRow) -> bool {
    r.finished_at.is_some()
        && r.error.is_none()
        && r.counts.get(RECORD_ERRORS).copied().unwrap_or(0) == 0
}

/// How long runs are kept.
pub const RETENTION_DAYS: i64 = 30;

/// Counters of one run, by name (e.g. `created`, `skipped`). The log keeps
/// a matters run's skip reasons beside them as `skipped:CODE`; reading a run
/// splits them out again into [`RunRow::skipped_by_reason`].
pub type Counts = BTreeMap<String, u64>;

/// Split stored counts into outcomes and skip reasons (`skipped:CODE`).
pub fn split_reasons(stored: Counts) -> (Counts, Counts) {
    let (reasons, counts): (Counts, Counts) = stored
        .into_iter()
        .partition(|(k, _)| k.starts_with("skipped:"));
    let reasons = reasons
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("skipped:").to_string(), v))
        .collect();
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
    pub skipped_by_reason: Counts,
    pub error: Option<String>,
}

/// One noteworthy item of a run.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub subject: String,
    pub subject_id: String,
    pub outcome: String,
    pub detail: serde_json::Value,
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

/// Record one item of a run.
pub fn item(
    state: &StateStore,
    run_id: i64,
    subject: &str,
    subject_id: &str,
    outcome: &str,
    detail: &serde_json::Value,
) -> Result<(), StateError> {
    item_json(
        state,
        run_id,
        subject,
        subject_id,
        outcome,
        &detail.to_string(),
    )
}

/// Record many items of a run about one kind of `subject`: (subject id,
/// outcome, detail as JSON text), in multi-row INSERTs.
pub fn items_json(
    state: &StateStore,
    run_id: i64,
    subject: &str,
    items: &[(String, &str, String)],
) -> Result<(), StateError> {
    state.insert_rows(
        items,
        5,
        (
            "INSERT INTO run_items (run_id, subject, subject_id, outcome, detail)",
            "",
        ),
        |(id, outcome, detail), row| {
            row.extend([
                &run_id as &dyn rusqlite::ToSql,
                &subject,
                id,
                outcome,
                detail,
            ])
        },
    )
}

/// Record one item of a run whose detail is already JSON text (prepared
/// off the main thread).
pub fn item_json(
    state: &StateStore,
    run_id: i64,
    subject: &str,
    subject_id: &str,
    outcome: &str,
    detail: &str,
) -> Result<(), StateError> {
    // Cached: a first cycle at a big firm logs 100,000 items.
    state
        .conn()
        .prepare_cached(
            "INSERT INTO run_items (run_id, subject, subject_id, outcome, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut stmt| stmt.execute(params![run_id, subject, subject_id, outcome, detail]))
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Finish a run with its counts and run-level error, then prune old runs.
pub fn finish(
    state: &StateStore,
    run_id: i64,
    counts: &Counts,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StateError> {
    let counts = serde_json::to_string(counts).unwrap_or_else(|_| "{}".into());
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
/// for: its count of those is `failed`, see [`RECORD_ERRORS`]).
pub fn last_success(state: &StateStore, kind: &str) -> Result<Option<RunRow>, StateError> {
    state
        .conn()
        .query_row(
            "SELECT id, kind, started_at, finished_at, dry_run, counts, error FROM runs
             WHERE kind = ?1 AND dry_run = 0 AND finished_at IS NOT NULL AND error IS NULL
               AND COALESCE(json_extract(counts, '$.failed'), 0) = 0
             ORDER BY id DESC LIMIT 1",
            [kind],
            run_from_row,
        )
        .optional()
        .map_err(|e| state.err(e))
}

/// The items of one run.
pub fn items(state: &StateStore, run_id: i64) -> Result<Vec<ItemRow>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT subject, subject_id, outcome, detail FROM run_items
             WHERE run_id = ?1 ORDER BY rowid",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([run_id], item_from_row)
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
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

fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        subject: r.get(0)?,
        subject_id: r.get(1)?,
        outcome: r.get(2)?,
        detail: parse_json(r.get::<_, String>(3)?),
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
        .filter(|(k, v)| !k.starts_with("skipped:") && **v > 0)
        .map(|(k, v)| format!("{} {v}", k.replace('_', " ")))
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
