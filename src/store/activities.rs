//! FluentCase's `activities` table: the one table the tool writes to in
//! FluentCase, and only by inserting (SPEC §3). Idempotent on
//! (`source`, `source_id`), checked and inserted in one short IMMEDIATE
//! transaction so FluentCase's own writers wait a moment at most.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::store::fluentcase::{FluentCase, FluentCaseError};

/// An activity to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity<'a> {
    pub matter_id: i64,
    pub tag: &'a str,
    pub body: &'a str,
    pub created_at: &'a str,
    pub source: &'a str,
    pub source_id: &'a str,
}

/// What FluentCase held, or now holds, for an activity's (source, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The activity was inserted now.
    Inserted,
    /// The same activity (matter and text) was already there: an earlier
    /// run saved it and did not get to finish.
    AlreadyThere,
    /// An activity with this (source, source_id) exists on another matter
    /// or with other text: not ours to overwrite.
    Collision {
        activity_id: i64,
        matter_id: i64,
        body: String,
    },
}

/// Insert the activity unless one with its (source, source_id) is there.
///
/// # Errors
/// A FluentCase database error (after the busy timeout).
pub fn insert(fc: &mut FluentCase, a: &NewActivity<'_>) -> Result<Saved, FluentCaseError> {
    let result = (|| -> rusqlite::Result<Saved> {
        let tx = fc
            .conn_mut()
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(i64, i64, String)> = tx
            .query_row(
                "SELECT id, matter_id, body FROM activities WHERE source = ?1 AND source_id = ?2",
                params![a.source, a.source_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((activity_id, matter_id, body)) = existing {
            return Ok(if matter_id == a.matter_id && body == a.body {
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
                a.matter_id,
                a.tag,
                a.body,
                a.created_at,
                a.source,
                a.source_id
            ],
        )?;
        tx.commit()?;
        Ok(Saved::Inserted)
    })();
    result.map_err(|e| fc.err(e))
}

/// Whether FluentCase has a matter with this id.
///
/// # Errors
/// A FluentCase database error.
pub fn matter_exists(fc: &FluentCase, id: i64) -> Result<bool, FluentCaseError> {
    fc.conn()
        .query_row("SELECT 1 FROM matters WHERE id = ?1", [id], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
        .map_err(|e| fc.err(e))
}

/// The activities imported from CaseStatus, as (matter id, text), in id order.
///
/// # Errors
/// A FluentCase database error.
pub fn imported(fc: &FluentCase) -> Result<Vec<(i64, String)>, FluentCaseError> {
    fc.conn()
        .prepare("SELECT matter_id, body FROM activities WHERE source = 'casestatus' ORDER BY id")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| fc.err(e))
}
