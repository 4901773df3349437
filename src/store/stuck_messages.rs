//! Stuck client messages (SPEC §2): client messages CaseStatus still holds
//! unprocessed that the sync could not import — no matter matches, a
//! collision with another activity, no content, an unknown type — and that
//! wait for a person (`messages pending`, then `messages import` or
//! `messages acknowledge`). Every SQL statement on `stuck_messages` is here.
//!
//! The table is the tool's memory of *since when* a message has waited:
//! the message itself stays in CaseStatus, and every cycle reads it again,
//! so a row is only a note beside it. A cycle upserts the row of each
//! message it finds stuck and keeps `since`, the first time it did; a row
//! goes when its message is imported or acknowledged (by the sync or a
//! person) or is no longer unprocessed in CaseStatus.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::store::state::{StateError, StateStore};

/// Why a client message cannot be imported without a person. A closed
/// vocabulary: its `code` is stored and is the `--json` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StuckReason {
    /// No FluentCase matter has the message's integration id.
    NoMatter,
    /// FluentCase holds another activity with this message's
    /// (`source`, `source_id`): on another matter or with other text.
    Collision,
    /// The message has no text.
    NoContent,
    /// Its type is missing or none of `client`, `firm`, `system`: it might
    /// be a client's, so it is neither imported nor acknowledged unread.
    UnknownType,
    /// Neither `sent_at` nor `created_at` is a time.
    NoTime,
}

impl StuckReason {
    /// Every reason, in code order.
    pub const ALL: [StuckReason; 5] = [
        StuckReason::NoMatter,
        StuckReason::Collision,
        StuckReason::NoContent,
        StuckReason::UnknownType,
        StuckReason::NoTime,
    ];

    /// The stable code (stored, and in `--json`).
    pub fn code(self) -> &'static str {
        match self {
            StuckReason::NoMatter => "no_matter",
            StuckReason::Collision => "collision",
            StuckReason::NoContent => "no_content",
            StuckReason::UnknownType => "unknown_type",
            StuckReason::NoTime => "no_time",
        }
    }

    /// The reason from its stored code.
    pub fn from_code(code: &str) -> Option<StuckReason> {
        StuckReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A stuck message as stored: enough to show it without asking CaseStatus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StuckMessage {
    pub message_id: i64,
    pub reason: StuckReason,
    /// The reason for people (names the message and what is missing).
    pub detail: String,
    /// When a cycle first found it stuck (RFC 3339 UTC).
    pub since: String,
    /// When a cycle last found it stuck (RFC 3339 UTC).
    pub seen_at: String,
    pub readable_id: Option<String>,
    pub integration_id: Option<String>,
    pub sender_name: Option<String>,
    /// The start of its content (see `rules::activity::preview`).
    pub preview: String,
}

/// Note that a message is stuck now: insert its row, or refresh it and
/// keep its first-seen time (`since` of the row already there wins over
/// `m.since`).
///
/// # Errors
/// The state file cannot be written.
pub fn upsert(state: &StateStore, m: &StuckMessage) -> Result<(), StateError> {
    state
        .conn()
        .prepare_cached(
            "INSERT INTO stuck_messages
                (message_id, reason, detail, since, seen_at, readable_id, integration_id,
                 sender_name, preview)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (message_id) DO UPDATE SET
                reason = excluded.reason, detail = excluded.detail,
                seen_at = excluded.seen_at, readable_id = excluded.readable_id,
                integration_id = excluded.integration_id,
                sender_name = excluded.sender_name, preview = excluded.preview",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                m.message_id,
                m.reason.code(),
                m.detail,
                m.since,
                m.seen_at,
                m.readable_id,
                m.integration_id,
                m.sender_name,
                m.preview
            ])
        })
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// The message is no longer stuck (imported, acknowledged); no row is fine.
///
/// # Errors
/// The state file cannot be written.
pub fn remove(state: &StateStore, message_id: i64) -> Result<(), StateError> {
    state
        .conn()
        .prepare_cached("DELETE FROM stuck_messages WHERE message_id = ?1")
        .and_then(|mut stmt| stmt.execute([message_id]))
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Forget every stuck message that is not in `unprocessed` (the ids of
/// CaseStatus's whole unprocessed list, read in full this cycle): someone
/// marked it processed elsewhere, or it was deleted. How many went.
///
/// # Errors
/// The state file cannot be read or written.
pub fn keep_only(state: &StateStore, unprocessed: &BTreeSet<i64>) -> Result<usize, StateError> {
    let gone: Vec<i64> = ids(state)?
        .into_iter()
        .filter(|id| !unprocessed.contains(id))
        .collect();
    for id in &gone {
        remove(state, *id)?;
    }
    Ok(gone.len())
}

/// The ids of every stuck message.
fn ids(state: &StateStore) -> Result<Vec<i64>, StateError> {
    let mut stmt = state
        .conn()
        .prepare("SELECT message_id FROM stuck_messages ORDER BY message_id")
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| r.get(0))
        .and_then(|r| r.collect::<Result<Vec<i64>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// Every stuck message, in id order (SPEC §1: lists are in id order).
///
/// # Errors
/// The state file cannot be read.
pub fn list(state: &StateStore) -> Result<Vec<StuckMessage>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT message_id, reason, detail, since, seen_at, readable_id, integration_id,
                    sender_name, preview
             FROM stuck_messages ORDER BY message_id",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            let code: String = r.get(1)?;
            // A code this binary does not know (a newer binary wrote it)
            // is shown as the closest meaning: it cannot be imported.
            let reason = StuckReason::from_code(&code).unwrap_or(StuckReason::UnknownType);
            Ok(StuckMessage {
                message_id: r.get(0)?,
                reason,
                detail: r.get(2)?,
                since: r.get(3)?,
                seen_at: r.get(4)?,
                readable_id: r.get(5)?,
                integration_id: r.get(6)?,
                sender_name: r.get(7)?,
                preview: r.get(8)?,
            })
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// How many messages are stuck, and since when the oldest has waited
/// (for `status` and `metrics`).
///
/// # Errors
/// The state file cannot be read.
pub fn summary(state: &StateStore) -> Result<(u64, Option<DateTime<Utc>>), StateError> {
    let (count, oldest): (i64, Option<String>) = state
        .conn()
        .query_row("SELECT count(*), min(since) FROM stuck_messages", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(|e| state.err(e))?;
    Ok((
        u64::try_from(count).unwrap_or(0),
        oldest.as_deref().and_then(crate::util::clock::parse),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuck(id: i64, reason: StuckReason, at: &str) -> StuckMessage {
        StuckMessage {
            message_id: id,
            reason,
            detail: format!("message {id} is stuck"),
            since: at.into(),
            seen_at: at.into(),
            readable_id: Some("OLD-1".into()),
            integration_id: Some("7777".into()),
            sender_name: None,
            preview: "hello".into(),
        }
    }

    #[test]
    fn first_seen_is_kept_and_rows_go_when_messages_do() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateStore::open(&dir.path().join("s.db")).unwrap();
        upsert(
            &state,
            &stuck(9, StuckReason::NoMatter, "2026-11-28T10:00:00Z"),
        )
        .unwrap();
        upsert(
            &state,
            &stuck(4, StuckReason::NoContent, "2026-11-28T10:00:00Z"),
        )
        .unwrap();
        upsert(
            &state,
            &stuck(9, StuckReason::Collision, "2026-11-28T11:00:00Z"),
        )
        .unwrap();
        let rows = list(&state).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.message_id).collect::<Vec<_>>(),
            [4, 9]
        );
        assert_eq!(rows[1].since, "2026-11-28T10:00:00Z");
        assert_eq!(rows[1].seen_at, "2026-11-28T11:00:00Z");
        assert_eq!(rows[1].reason, StuckReason::Collision);
        let (n, oldest) = summary(&state).unwrap();
        assert_eq!(n, 2);
        assert_eq!(oldest, crate::util::clock::parse("2026-11-28T10:00:00Z"));
        assert_eq!(keep_only(&state, &BTreeSet::from([9, 12])).unwrap(), 1);
        remove(&state, 9).unwrap();
        assert!(list(&state).unwrap().is_empty());
    }

    #[test]
    fn codes_round_trip() {
        for r in StuckReason::ALL {
            assert_eq!(StuckReason::from_code(r.code()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
    }
}
