//! The matter ledger (what is in CaseStatus, and what a create was about to
//! be sent for) and the current skip state of every skipped matter.
//!
//! The no-duplicate rule rests on this table: an intent row is written
//! before any create is sent, and a case id is written right after
//! CaseStatus answers. A row with an intent but no case id means "a create
//! may have reached CaseStatus": the next attempt looks the matter up by
//! `integration_id` before it may create.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{params, OptionalExtension, Row, ToSql};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::store::state::{StateError, StateStore};

/// One matter's row in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub matter_id: i64,
    pub intent_at: String,
    pub case_id: Option<i64>,
    pub pushed_at: Option<String>,
    /// `created`, `found` (already there) or `conflict` (409).
    pub how: Option<String>,
    /// The case body as sent (JSON).
    pub sent: String,
    /// Fields changed since the push, as last reported.
    pub drift: Option<String>,
    /// The CaseStatus ids the body was sent with (None for pushes recorded
    /// before they were kept, and for cases found in a listing).
    pub sent_ids: Option<SentIds>,
}

/// The CaseStatus ids of the practice area and stage a case was sent
/// with: drift is judged by id, so a rename in CaseStatus is not a change
/// and a new stage that took an old one's name is (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentIds {
    pub practice_area: i64,
    pub stage: i64,
}

/// A matter's current skip reasons and since when they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipRow {
    pub codes: String,
    pub since_run: i64,
    pub since: String,
}

const LEDGER_COLUMNS: &str =
    "matter_id, intent_at, case_id, pushed_at, how, sent, drift, practice_area_id, stage_id";

fn ledger_from_row(r: &Row<'_>) -> rusqlite::Result<LedgerRow> {
    Ok(LedgerRow {
        matter_id: r.get(0)?,
        intent_at: r.get(1)?,
        case_id: r.get(2)?,
        pushed_at: r.get(3)?,
        how: r.get(4)?,
        sent: r.get(5)?,
        drift: r.get(6)?,
        sent_ids: match (r.get(7)?, r.get(8)?) {
            (Some(practice_area), Some(stage)) => Some(SentIds {
                practice_area,
                stage,
            }),
            _ => None,
        },
    })
}

/// Every ledger row, by matter id (one read per cycle).
pub fn load_all(state: &StateStore) -> Result<FxHashMap<i64, LedgerRow>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(&format!("SELECT {LEDGER_COLUMNS} FROM matter_ledger"))
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], ledger_from_row)
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows.into_iter().map(|r| (r.matter_id, r)).collect())
}

/// How many matters are known to be in CaseStatus.
pub fn count_pushed(state: &StateStore) -> Result<usize, StateError> {
    state
        .conn()
        .query_row(
            "SELECT count(*) FROM matter_ledger WHERE case_id IS NOT NULL",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| usize::try_from(n).unwrap_or(0))
        .map_err(|e| state.err(e))
}

/// One matter's ledger row.
pub fn get(state: &StateStore, matter_id: i64) -> Result<Option<LedgerRow>, StateError> {
    state
        .conn()
        .query_row(
            &format!("SELECT {LEDGER_COLUMNS} FROM matter_ledger WHERE matter_id = ?1"),
            [matter_id],
            ledger_from_row,
        )
        .optional()
        .map_err(|e| state.err(e))
}

/// Record that a look-up/create is about to be sent. Never touches a row
/// that already has a case id.
pub fn record_intent(
    state: &StateStore,
    matter_id: i64,
    sent: &str,
    ids: Option<SentIds>,
    now: &str,
) -> Result<(), StateError> {
    state
        .conn()
        .prepare_cached(
            "INSERT INTO matter_ledger (matter_id, intent_at, sent, practice_area_id, stage_id)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (matter_id) DO UPDATE SET intent_at = ?2, sent = ?3,
                 practice_area_id = ?4, stage_id = ?5
             WHERE case_id IS NULL",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                matter_id,
                now,
                sent,
                ids.map(|i| i.practice_area),
                ids.map(|i| i.stage)
            ])
        })
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Record that the matter is in CaseStatus as `case_id`.
pub fn record_pushed(
    state: &StateStore,
    matter_id: i64,
    case_id: i64,
    how: &str,
    now: &str,
) -> Result<(), StateError> {
    state
        .conn()
        .execute(
            "UPDATE matter_ledger SET case_id = ?2, pushed_at = ?3, how = ?4, drift = NULL
             WHERE matter_id = ?1 AND case_id IS NULL",
            params![matter_id, case_id, now, how],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Remember the drift last reported for a pushed matter.
pub fn set_drift(
    state: &StateStore,
    matter_id: i64,
    drift: Option<&str>,
) -> Result<(), StateError> {
    state
        .conn()
        .execute(
            "UPDATE matter_ledger SET drift = ?2 WHERE matter_id = ?1",
            params![matter_id, drift],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Drop a matter's row: only for rows without a case id (a refused or
/// confirmed-absent attempt), never for a matter that is in CaseStatus.
pub fn forget(state: &StateStore, matter_id: i64) -> Result<(), StateError> {
    state
        .conn()
        .execute(
            "DELETE FROM matter_ledger WHERE matter_id = ?1 AND case_id IS NULL",
            [matter_id],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Remove a matter's skip row (it was pushed).
pub fn clear_skip(state: &StateStore, matter_id: i64) -> Result<(), StateError> {
    state
        .conn()
        .execute("DELETE FROM matter_skips WHERE matter_id = ?1", [matter_id])
        .map_err(|e| state.err(e))?;
    Ok(())
}

/// Every skipped matter's reason codes (as stored: sorted, comma-separated),
/// by matter id.
pub fn load_skip_codes(state: &StateStore) -> Result<FxHashMap<i64, Arc<str>>, StateError> {
    let mut stmt = state
        .conn()
        .prepare("SELECT matter_id, codes FROM matter_skips")
        .map_err(|e| state.err(e))?;
    let mut rows = stmt.query([]).map_err(|e| state.err(e))?;
    // A firm has a handful of distinct code lists over 100,000 skipped
    // matters: each is kept once.
    let mut distinct: FxHashSet<Arc<str>> = FxHashSet::default();
    let mut out = FxHashMap::default();
    while let Some(r) = rows.next().map_err(|e| state.err(e))? {
        let id: i64 = r.get(0).map_err(|e| state.err(e))?;
        let codes = r
            .get_ref(1)
            .and_then(|v| Ok(v.as_str()?))
            .map_err(|e| state.err(e))?;
        let codes = match distinct.get(codes) {
            Some(c) => Arc::clone(c),
            None => {
                let c: Arc<str> = Arc::from(codes);
                distinct.insert(Arc::clone(&c));
                c
            }
        };
        out.insert(id, codes);
    }
    Ok(out)
}

/// One matter's skip row.
pub fn skip(state: &StateStore, matter_id: i64) -> Result<Option<SkipRow>, StateError> {
    state
        .conn()
        .query_row(
            "SELECT codes, since_run, since FROM matter_skips WHERE matter_id = ?1",
            [matter_id],
            |r| {
                Ok(SkipRow {
                    codes: r.get(0)?,
                    since_run: r.get(1)?,
                    since: r.get(2)?,
                })
            },
        )
        .optional()
        .map_err(|e| state.err(e))
}

/// The current skip state as (matter id, codes), by matter id.
pub fn current_skips(state: &StateStore) -> Result<Vec<(i64, String)>, StateError> {
    let mut stmt = state
        .conn()
        .prepare("SELECT matter_id, codes FROM matter_skips ORDER BY matter_id")
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// A change to the skip state, applied in one transaction per cycle.
#[derive(Debug, Clone)]
pub enum SkipChange {
    Set { matter_id: i64, codes: String },
    Clear { matter_id: i64 },
}

/// Apply skip-state changes. Callers batch them (the engine runs a
/// cycle's planning in one transaction); they are local only.
pub fn apply_skips(
    state: &StateStore,
    changes: &[SkipChange],
    run_id: i64,
    now: &str,
) -> Result<(), StateError> {
    let conn = state.conn();
    let mut clear = conn
        .prepare_cached("DELETE FROM matter_skips WHERE matter_id = ?1")
        .map_err(|e| state.err(e))?;
    // In order; runs of sets go in multi-row upserts.
    let mut sets: Vec<(i64, &str)> = Vec::new();
    for c in changes {
        match c {
            SkipChange::Set { matter_id, codes } => sets.push((*matter_id, codes)),
            SkipChange::Clear { matter_id } => {
                set_skips(state, &sets, run_id, now)?;
                sets.clear();
                clear.execute([matter_id]).map_err(|e| state.err(e))?;
            }
        }
    }
    set_skips(state, &sets, run_id, now)
}

/// Upsert skip rows, many a statement ([`StateStore::insert_rows`]).
fn set_skips(
    state: &StateStore,
    sets: &[(i64, &str)],
    run_id: i64,
    now: &str,
) -> Result<(), StateError> {
    state.insert_rows(
        sets,
        4,
        (
            "INSERT INTO matter_skips (matter_id, codes, since_run, since)",
            "ON CONFLICT (matter_id) DO UPDATE SET
                codes = excluded.codes, since_run = excluded.since_run, since = excluded.since",
        ),
        |(matter_id, codes), row| row.extend([matter_id as &dyn ToSql, codes, &run_id, &now]),
    )
}

/// For every matter in CaseStatus: matter id → case id, and case id →
/// when the tool learned it was there (for the propagation-delay rule).
#[allow(clippy::type_complexity)]
pub fn pushed_cases(
    state: &StateStore,
) -> Result<(HashMap<i64, i64>, HashMap<i64, String>), StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT matter_id, case_id, pushed_at FROM matter_ledger WHERE case_id IS NOT NULL",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    let cases = rows.iter().map(|(m, c, _)| (*m, *c)).collect();
    let pushed = rows
        .into_iter()
        .map(|(_, c, at)| (c, at.unwrap_or_default()))
        .collect();
    Ok((cases, pushed))
}
