//! The small tables a matter row points into — case types, matter
//! statuses, staff — read once per scan and looked up by id, instead of
//! joined into every matter row: at 100,000 matters the four joins and
//! their eight text columns were a sixth of a quiet cycle's work.
//!
//! A lookup gives what the join gave: the row SQLite's `id = column`
//! matched ([`join_key`]), or None when there is none.

use rusqlite::types::ValueRef;
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

/// The id a matter's column points at, as SQLite's join compares it: an
/// integer; a real or text that SQLite reads as a whole number (`4.0`,
/// `' 4'`, `'+4'`); nothing else. (Under SPEC's schema the columns are
/// INTEGER and such values are stored as integers anyway.)
pub(super) fn join_key(value: ValueRef<'_>) -> Option<i64> {
    let whole = |f: f64| {
        // Exactly representable range of i64 as f64 (2^63 is not).
        let range = -9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0;
        (f.fract() == 0.0 && range.contains(&f)).then_some(f as i64)
    };
    match value {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) => whole(f),
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).ok()?;
            let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(whole))
        }
        ValueRef::Null | ValueRef::Blob(_) => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// For odd values in a column without type, the lookup finds exactly
    /// the staff row SQLite's own join finds.
    #[test]
    fn a_lookup_finds_what_the_join_found() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE case_types (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE matter_statuses (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE staff (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT);
             INSERT INTO staff VALUES (4, 'Dana', 'Reyes', 'd@firm.example'), (0, 'Zero', NULL, NULL);
             CREATE TABLE m (n INTEGER PRIMARY KEY, k);
             INSERT INTO m (k) VALUES (4), (4.0), ('4'), (' 4'), ('4 '), ('4.0'), ('+4'), ('4e0'),
                 (char(160) || '4'), ('x'), (NULL), (4.5), (99), (x'34'), ('0'), (''), (' '),
                 ('9223372036854775807'), ('1e400'), ('-0'), (-0.0);",
        )
        .unwrap();
        let names = Names::load(&conn).unwrap();
        let mut stmt = conn
            .prepare("SELECT m.k, s.id FROM m LEFT JOIN staff s ON s.id = m.k ORDER BY m.n")
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut checked = 0;
        while let Some(r) = rows.next().unwrap() {
            let joined: Option<i64> = r.get(1).unwrap();
            let looked_up = names.staff(join_key(r.get_ref(0).unwrap())).map(|s| s.id);
            assert_eq!(looked_up, joined, "value {:?}", r.get_ref(0).unwrap());
            checked += 1;
        }
        assert_eq!(checked, 21);
    }
}
