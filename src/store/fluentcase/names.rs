//! The small tables a matter row points into — case types, matter
//! statuses, staff — read once per scan and looked up by id, instead of
//! joined into every matter row: at 100,000 matters the four joins and
//! their eight text columns were a sixth of a quiet cycle's work.
//!
//! A lookup gives what the join gave: the row whose id is the matter's
//! column read as an id ([`int`]), or None when there is none.

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use super::{int, text};
use crate::store::records::Staff;

/// Case type, status and staff rows by id.
#[derive(Debug, Default)]
pub(super) struct Names {
    case_types: FxHashMap<i64, Option<String>>,
    statuses: FxHashMap<i64, Option<String>>,
    staff: FxHashMap<i64, Staff>,
}

impl Names {
    /// Read the three tables (in the caller's read transaction, so they
    /// agree with the matters read after them).
    pub(super) fn load(conn: &Connection) -> rusqlite::Result<Names> {
        Ok(Names {
            case_types: by_id(conn, "SELECT id, name FROM case_types")?,
            statuses: by_id(conn, "SELECT id, name FROM matter_statuses")?,
            staff: {
                let mut stmt =
                    conn.prepare("SELECT id, first_name, last_name, email FROM staff")?;
                let mut rows = stmt.query([])?;
                let mut staff = FxHashMap::default();
                while let Some(r) = rows.next()? {
                    if let Some(id) = int(r, 0)? {
                        let person = Staff {
                            id,
                            first_name: text(r, 1)?,
                            last_name: text(r, 2)?,
                            email: text(r, 3)?,
                        };
                        staff.insert(id, person);
                    }
                }
                staff
            },
        })
    }

    /// The name of case type `id`.
    pub(super) fn case_type(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|id| self.case_types.get(&id).cloned().flatten())
    }

    /// The name of matter status `id`.
    pub(super) fn status(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|id| self.statuses.get(&id).cloned().flatten())
    }

    /// Staff member `id`.
    pub(super) fn staff(&self, id: Option<i64>) -> Option<Staff> {
        id.and_then(|id| self.staff.get(&id).cloned())
    }
}

/// `SELECT id, name` as a map; rows whose id is not a number are left out
/// (no matter can point at them).
fn by_id(conn: &Connection, sql: &str) -> rusqlite::Result<FxHashMap<i64, Option<String>>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = FxHashMap::default();
    while let Some(r) = rows.next()? {
        if let Some(id) = int(r, 0)? {
            out.insert(id, text(r, 1)?);
        }
    }
    Ok(out)
}
