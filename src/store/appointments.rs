//! The appointment ledger: what was sent for each calendar event (SPEC §2:
//! created once, updated when what was sent changes, deleted when the
//! event goes). Every SQL statement on `appointment_ledger` is here.

use std::collections::HashMap;

use rusqlite::params;

use crate::casestatus::AppointmentBody;
use crate::store::state::{StateError, StateStore};

/// What the tool knows about one pushed (or about to be pushed) event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedEvent {
    pub event_id: i64,
    pub matter_id: i64,
    pub case_id: i64,
    /// None: a create was about to be sent and its outcome is unknown.
    pub appointment_id: Option<i64>,
    /// The JSON body CaseStatus last accepted.
    pub sent: Option<String>,
}

pub fn load(state: &StateStore) -> Result<HashMap<i64, PushedEvent>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT event_id, matter_id, case_id, appointment_id, sent FROM appointment_ledger",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(PushedEvent {
                event_id: r.get(0)?,
                matter_id: r.get(1)?,
                case_id: r.get(2)?,
                appointment_id: r.get(3)?,
                sent: r.get(4)?,
            })
        })
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows.into_iter().map(|p| (p.event_id, p)).collect())
}

pub fn record_intent(
    state: &StateStore,
    event_id: i64,
    matter_id: i64,
    case_id: i64,
    now: &str,
) -> Result<(), StateError> {
    state
        .conn()
        .execute(
            "INSERT INTO appointment_ledger (event_id, matter_id, case_id, intent_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (event_id) DO UPDATE SET matter_id = ?2, case_id = ?3, intent_at = ?4
             WHERE appointment_id IS NULL",
            params![event_id, matter_id, case_id, now],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}

pub fn record_id(state: &StateStore, event_id: i64, id: i64) -> Result<(), StateError> {
    state
        .conn()
        .execute(
            "UPDATE appointment_ledger SET appointment_id = ?2 WHERE event_id = ?1",
            params![event_id, id],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}

pub fn record_sent(
    state: &StateStore,
    event_id: i64,
    id: i64,
    body: &AppointmentBody,
    now: &str,
) -> Result<(), StateError> {
    let sent = serde_json::to_string(body).unwrap_or_default();
    state
        .conn()
        .execute(
            "UPDATE appointment_ledger SET appointment_id = ?2, sent = ?3, pushed_at = ?4
             WHERE event_id = ?1",
            params![event_id, id, sent, now],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}

pub fn forget(state: &StateStore, event_id: i64) -> Result<(), StateError> {
    state
        .conn()
        .execute(
            "DELETE FROM appointment_ledger WHERE event_id = ?1",
            [event_id],
        )
        .map_err(|e| state.err(e))?;
    Ok(())
}
