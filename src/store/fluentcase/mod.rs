//! Reading the firm's FluentCase database (SPEC §3).
//!
//! FluentCase owns this file and may write to it while we run, so it is
//! opened with a busy timeout, never created, never migrated, and read with
//! short statements. At open we check that every table and column we use is
//! there and name whatever is missing, instead of failing later mid-cycle.
//!
//! Values are read leniently (a number where text was expected is turned
//! into text) because one odd row must not stop a cycle; judging whether the
//! data is good enough is the eligibility module's job.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use rustc_hash::{FxHashMap, FxHashSet};

/// How long to wait for FluentCase's own writers.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Tests shorten the busy timeout with this (milliseconds) instead of
/// making the suite wait ten seconds to see a busy database.
pub const BUSY_TIMEOUT_ENV: &str = "CASESTATUS_SYNC_BUSY_TIMEOUT_MS";

fn busy_timeout() -> Duration {
    std::env::var(BUSY_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// Tables and the columns of each that the tool reads or writes.
const REQUIRED: &[(&str, &[&str])] = &[
    ("case_types", &["id", "name"]),
    ("matter_statuses", &["id", "name"]),
    ("staff", &["id", "first_name", "last_name", "email"]),
    (
        "contacts",
        &["id", "first_name", "last_name", "email", "date_of_birth"],
    ),
    ("contact_phones", &["id", "contact_id", "label", "number"]),
    (
        "matters",
        &[
            "id",
            "file_number",
            "case_type_id",
            "status_id",
            "attorney_id",
            "paralegal_id",
            "opened_on",
            "closed_on",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "matter_parties",
        &["matter_id", "contact_id", "role", "is_primary"],
    ),
    ("event_types", &["id", "name"]),
    (
        "calendar_events",
        &[
            "id",
            "matter_id",
            "event_type_id",
            "title",
            "starts_at",
            "ends_at",
            "all_day",
            "location",
            "notes",
            "updated_at",
            "deleted_at",
        ],
    ),
    (
        "activities",
        &[
            "id",
            "matter_id",
            "tag",
            "body",
            "created_at",
            "source",
            "source_id",
        ],
    ),
];

/// Problems opening or reading FluentCase's database. Most need a person;
/// a database busy past the busy timeout ([`FluentCaseError::is_busy`]) is
/// passing, and the next cycle retries.
#[derive(Debug, thiserror::Error)]
pub enum FluentCaseError {
    #[error("FluentCase database {path} not found (config key fluentcase.database)")]
    Missing { path: PathBuf },
    #[error("FluentCase database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("FluentCase database {path} is not what casestatus-sync expects: {missing}")]
    Schema { path: PathBuf, missing: String },
}

impl FluentCaseError {
    /// FluentCase's own writers held the database past the busy timeout: a
    /// passing condition, retried by the next cycle, not a setup problem.
    pub fn is_busy(&self) -> bool {
        match self {
            FluentCaseError::Sqlite {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

/// Whether we only read, or also insert activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    /// Needed only by message sync, which inserts into `activities`.
    InsertActivities,
}

use crate::store::records::{EventRecord, MatterRecord, Phone, PrimaryParty};

mod names;
mod parties;
use names::{join_key, Names};
pub use parties::PartyName;

/// The open FluentCase database.
pub struct FluentCase {
    conn: Connection,
    path: PathBuf,
}

/// A matter's own columns; the names its ids point at come from [`Names`].
const MATTER_SELECT: &str = "
    SELECT m.id, m.file_number, m.case_type_id, m.status_id, m.attorney_id, m.paralegal_id,
           m.opened_on, m.closed_on, m.created_at
    FROM matters m";

impl FluentCase {
    /// Open an existing FluentCase database and check its schema.
    ///
    /// # Errors
    /// [`FluentCaseError::Missing`] if there is no file, `Sqlite` if it is not
    /// a database, `Schema` naming every missing table and column.
    pub fn open(path: &Path, access: Access) -> Result<FluentCase, FluentCaseError> {
        if !path.is_file() {
            return Err(FluentCaseError::Missing {
                path: path.to_path_buf(),
            });
        }
        let sql = |source| FluentCaseError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        if access == Access::ReadOnly {
            recover_hot_journal(path).map_err(sql)?;
        }
        let flags = match access {
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Access::InsertActivities => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
        conn.busy_timeout(busy_timeout()).map_err(sql)?;

        let fc = FluentCase {
            conn,
            path: path.to_path_buf(),
        };
        fc.check_schema()?;
        Ok(fc)
    }

    /// The raw connection, for the sync modules' own queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The raw connection, mutable, for the one writer (message sync).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Wrap a rusqlite error with this file's name.
    pub fn err(&self, source: rusqlite::Error) -> FluentCaseError {
        FluentCaseError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn check_schema(&self) -> Result<(), FluentCaseError> {
        let mut missing = Vec::new();
        let mut tables_missing = 0;
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .map_err(|e| self.err(e))?;
        for (table, columns) in REQUIRED {
            let have: Vec<String> = stmt
                .query_map([table], |r| r.get(0))
                .and_then(|rows| rows.collect())
                .map_err(|e| self.err(e))?;
            if have.is_empty() {
                missing.push(format!("table `{table}` is missing"));
                tables_missing += 1;
                continue;
            }
            let absent: Vec<&str> = columns
                .iter()
                .filter(|c| !have.iter().any(|h| h.eq_ignore_ascii_case(c)))
                .copied()
                .collect();
            if !absent.is_empty() {
                missing.push(format!(
                    "table `{table}` is missing column{} {}",
                    if absent.len() > 1 { "s" } else { "" },
                    absent
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        if tables_missing == REQUIRED.len() {
            // Another program's database (or an empty one): say so plainly
            // instead of listing ten missing tables.
            Err(FluentCaseError::Schema {
                path: self.path.clone(),
                missing: "it has none of FluentCase's tables (case_types, matters, contacts, calendar_events, …), so it is not FluentCase's database".into(),
            })
        } else if missing.is_empty() {
            Ok(())
        } else {
            Err(FluentCaseError::Schema {
                path: self.path.clone(),
                missing: missing.join("; "),
            })
        }
    }

    /// Case type names, sorted.
    pub fn case_types(&self) -> Result<Vec<String>, FluentCaseError> {
        self.names("SELECT name FROM case_types ORDER BY name")
    }

    /// Matter status names, sorted.
    pub fn matter_statuses(&self) -> Result<Vec<String>, FluentCaseError> {
        self.names("SELECT name FROM matter_statuses ORDER BY name")
    }

    /// Event type names, sorted.
    pub fn event_types(&self) -> Result<Vec<String>, FluentCaseError> {
        self.names("SELECT name FROM event_types ORDER BY name")
    }

    /// How many matters are in each (case type, status) pair, by name.
    pub fn matter_counts(&self) -> Result<BTreeMap<(String, String), i64>, FluentCaseError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT ct.name, ms.name, COUNT(*) FROM matters m
                 JOIN case_types ct ON ct.id = m.case_type_id
                 JOIN matter_statuses ms ON ms.id = m.status_id
                 GROUP BY ct.name, ms.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(((text(r, 0)?, text(r, 1)?), r.get::<_, i64>(2)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let ((t, s), n) = row.map_err(|e| self.err(e))?;
            if let (Some(t), Some(s)) = (t, s) {
                out.insert((t, s), n);
            }
        }
        Ok(out)
    }

    /// Visit every matter, in id order, one at a time (the table can be large).
    ///
    /// FluentCase has no index on `contact_phones.contact_id` and we may not
    /// add one, so phones are read in one pass up front (only those of
    /// primary parties), and primary parties are merged in from a second
    /// query ordered by matter id — two streams instead of a query per
    /// matter, which was quadratic on a big firm.
    ///
    /// # Errors
    /// A database error; the visitor's own errors are the caller's business.
    pub fn for_each_matter(&self, visit: impl FnMut(MatterRecord)) -> Result<(), FluentCaseError> {
        let phones = self.primary_phones()?;
        self.for_each_matter_in((i64::MIN, i64::MAX), &phones, visit)
    }

    /// The lowest and highest matter id, if there are matters.
    pub fn matter_id_range(&self) -> Result<Option<(i64, i64)>, FluentCaseError> {
        self.conn
            .query_row("SELECT MIN(id), MAX(id) FROM matters", [], |r| {
                Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?))
            })
            .map_err(|e| self.err(e))
    }

    /// As [`FluentCase::for_each_matter`], for matter ids in `lo..=hi`,
    /// with the phones read by [`FluentCase::primary_phones`] (so several
    /// ranges can be read on several threads, each with its own connection).
    ///
    /// # Errors
    /// A database error.
    pub fn for_each_matter_in(
        &self,
        (lo, hi): (i64, i64),
        phones: &FxHashMap<i64, Vec<Phone>>,
        mut visit: impl FnMut(MatterRecord),
    ) -> Result<(), FluentCaseError> {
        // One snapshot for the names, the parties and the matters; rolled
        // back (nothing was written) when dropped.
        let _snapshot = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let names = Names::load(&self.conn).map_err(|e| self.err(e))?;
        let mut parties_stmt = self
            .conn
            .prepare(
                "SELECT mp.matter_id, mp.contact_id, c.id IS NOT NULL, c.first_name, c.last_name,
                        c.email, c.date_of_birth
                 FROM matter_parties mp LEFT JOIN contacts c ON c.id = mp.contact_id
                 WHERE mp.is_primary <> 0 AND mp.matter_id BETWEEN ?1 AND ?2
                 ORDER BY mp.matter_id, mp.contact_id",
            )
            .map_err(|e| self.err(e))?;
        let mut parties = parties_stmt.query([lo, hi]).map_err(|e| self.err(e))?;
        let mut next_party = || -> Result<Option<(i64, PrimaryParty)>, FluentCaseError> {
            loop {
                let Some(r) = parties.next().map_err(|e| self.err(e))? else {
                    return Ok(None);
                };
                let read = (|| -> rusqlite::Result<Option<(i64, PrimaryParty)>> {
                    let Some(matter_id) = int(r, 0)? else {
                        return Ok(None);
                    };
                    let Some(contact_id) = int(r, 1)? else {
                        return Ok(None);
                    };
                    Ok(Some((
                        matter_id,
                        PrimaryParty {
                            contact_id,
                            contact_exists: r.get(2)?,
                            first_name: text(r, 3)?,
                            last_name: text(r, 4)?,
                            email: text(r, 5)?,
                            date_of_birth: text(r, 6)?,
                            phones: Vec::new(),
                        },
                    )))
                })()
                .map_err(|e| self.err(e))?;
                // Rows whose ids are not numbers cannot belong to a matter.
                if read.is_some() {
                    return Ok(read);
                }
            }
        };
        let mut pending = next_party()?;

        let mut stmt = self
            .conn
            .prepare(&format!(
                "{MATTER_SELECT} WHERE m.id BETWEEN ?1 AND ?2 ORDER BY m.id"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([lo, hi]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let mut m = matter_from_row(row, &names).map_err(|e| self.err(e))?;
            // Parties of matters that do not exist are passed over.
            while pending.as_ref().is_some_and(|(mid, _)| *mid < m.id) {
                pending = next_party()?;
            }
            while pending.as_ref().is_some_and(|(mid, _)| *mid == m.id) {
                if let Some((_, mut party)) = pending.take() {
                    party.phones = phones.get(&party.contact_id).cloned().unwrap_or_default();
                    m.primary_parties.push(party);
                }
                pending = next_party()?;
            }
            visit(m);
        }
        Ok(())
    }

    /// Phones of every contact that is a primary party somewhere, by contact.
    ///
    /// The primary contacts are gathered first and the phones filtered
    /// here: SQLite would build a temporary index for `contact_id IN
    /// (SELECT ...)` (FluentCase has no index on either column), which
    /// costs five times the two plain scans at 100,000 parties.
    pub fn primary_phones(&self) -> Result<FxHashMap<i64, Vec<Phone>>, FluentCaseError> {
        let mut stmt = self
            .conn
            .prepare("SELECT contact_id FROM matter_parties WHERE is_primary <> 0")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut primary = FxHashSet::default();
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            if let Some(contact) = int(r, 0).map_err(|e| self.err(e))? {
                primary.insert(contact);
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT contact_id, label, number FROM contact_phones ORDER BY id")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        // Sized once: growing a map of 100,000 contacts rehashes it often.
        let mut out: FxHashMap<i64, Vec<Phone>> =
            FxHashMap::with_capacity_and_hasher(primary.len(), Default::default());
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let Some(contact) = int(r, 0).map_err(|e| self.err(e))? else {
                continue;
            };
            if !primary.contains(&contact) {
                continue;
            }
            let (label, Some(number)) = (
                text(r, 1).map_err(|e| self.err(e))?,
                text(r, 2).map_err(|e| self.err(e))?,
            ) else {
                continue;
            };
            let trimmed = number.trim();
            if trimmed.is_empty() {
                continue;
            }
            let number = if trimmed.len() == number.len() {
                number
            } else {
                trimmed.to_string()
            };
            out.entry(contact)
                .or_default()
                .push(Phone { label, number });
        }
        Ok(out)
    }

    /// Visit the live or deleted calendar events whose event type is one of
    /// `types`, in id order; returns how many live events of other types
    /// were passed over. One scan of the table (it has no index we could
    /// use), and rows of other types are never decoded, so a million
    /// events of types that are not shared cost little.
    ///
    /// # Errors
    /// A database error.
    pub fn for_each_event_of_types(
        &self,
        types: &HashSet<String>,
        mut visit: impl FnMut(EventRecord),
    ) -> Result<u64, FluentCaseError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{EVENT_SELECT} ORDER BY e.id"))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut others = 0;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let enabled = match r.get_ref(2).map_err(|e| self.err(e))? {
                ValueRef::Text(t) => std::str::from_utf8(t).is_ok_and(|n| types.contains(n)),
                _ => false,
            };
            if !enabled {
                let live = match r.get_ref(9).map_err(|e| self.err(e))? {
                    ValueRef::Null => true,
                    ValueRef::Text(t) => t.iter().all(u8::is_ascii_whitespace),
                    _ => false,
                };
                others += u64::from(live);
                continue;
            }
            visit(event_from_row(r).map_err(|e| self.err(e))?);
        }
        Ok(others)
    }

    /// One calendar event by id.
    pub fn event(&self, id: i64) -> Result<Option<EventRecord>, FluentCaseError> {
        self.conn
            .query_row(
                &format!("{EVENT_SELECT} WHERE e.id = ?1"),
                [id],
                event_from_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// One matter by id, or by file number when `key` is not a known id.
    pub fn find_matter(&self, key: &str) -> Result<Option<MatterRecord>, FluentCaseError> {
        let key = key.trim();
        let _snapshot = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let names = Names::load(&self.conn).map_err(|e| self.err(e))?;
        let mut found = None;
        if let Ok(id) = key.parse::<i64>() {
            found = self
                .conn
                .query_row(&format!("{MATTER_SELECT} WHERE m.id = ?1"), [id], |r| {
                    matter_from_row(r, &names)
                })
                .optional()
                .map_err(|e| self.err(e))?;
        }
        if found.is_none() {
            found = self
                .conn
                .query_row(
                    &format!("{MATTER_SELECT} WHERE m.file_number = ?1 ORDER BY m.id LIMIT 1"),
                    [key],
                    |r| matter_from_row(r, &names),
                )
                .optional()
                .map_err(|e| self.err(e))?;
        }
        match found {
            Some(mut m) => {
                m.primary_parties = self.primary_parties(m.id)?;
                Ok(Some(m))
            }
            None => Ok(None),
        }
    }

    fn primary_parties(&self, matter_id: i64) -> Result<Vec<PrimaryParty>, FluentCaseError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT mp.contact_id, c.id IS NOT NULL, c.first_name, c.last_name, c.email,
                        c.date_of_birth
                 FROM matter_parties mp LEFT JOIN contacts c ON c.id = mp.contact_id
                 WHERE mp.matter_id = ?1 AND mp.is_primary <> 0
                 ORDER BY mp.contact_id",
            )
            .map_err(|e| self.err(e))?;
        let mut parties = stmt
            .query_map([matter_id], |r| {
                Ok(PrimaryParty {
                    contact_id: r.get(0)?,
                    contact_exists: r.get(1)?,
                    first_name: text(r, 2)?,
                    last_name: text(r, 3)?,
                    email: text(r, 4)?,
                    date_of_birth: text(r, 5)?,
                    phones: Vec::new(),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        let mut phones = self
            .conn
            .prepare_cached(
                "SELECT label, number FROM contact_phones WHERE contact_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        for party in &mut parties {
            party.phones = phones
                .query_map([party.contact_id], |r| Ok((text(r, 0)?, text(r, 1)?)))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| self.err(e))?
                .into_iter()
                .filter_map(|(label, number)| {
                    let number = number?.trim().to_string();
                    (!number.is_empty()).then_some(Phone { label, number })
                })
                .collect();
        }
        Ok(parties)
    }

    fn names(&self, sql: &str) -> Result<Vec<String>, FluentCaseError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| text(r, 0))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(name) = row.map_err(|e| self.err(e))? {
                out.push(name);
            }
        }
        Ok(out)
    }
}

const EVENT_SELECT: &str = "
    SELECT e.id, e.matter_id, et.name, e.title, e.starts_at, e.ends_at, e.all_day,
           e.location, e.notes, e.deleted_at
    FROM calendar_events e LEFT JOIN event_types et ON et.id = e.event_type_id";

/// Roll back a hot journal left by a writer that died mid-transaction
/// (FluentCase itself, or this tool killed during an activity insert).
///
/// FluentCase's database need not be in WAL mode; a read-only connection
/// cannot roll back a hot rollback journal and fails every read with
/// "attempt to write a readonly database", locking the tool out until
/// something opens the file read-write. Any SQLite client that opens it
/// read-write recovers it on its first read, under SQLite's own locks, so
/// that is what we do before reading — and only then, when a journal is
/// there at all (a normal open costs nothing extra).
fn recover_hot_journal(path: &Path) -> rusqlite::Result<()> {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    if !Path::new(&journal).exists() {
        return Ok(());
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(busy_timeout())?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
}

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<EventRecord> {
    Ok(EventRecord {
        id: r.get(0)?,
        matter_id: int(r, 1)?,
        event_type: text(r, 2)?,
        title: text(r, 3)?,
        starts_at: text(r, 4)?,
        ends_at: text(r, 5)?,
        all_day: int(r, 6)?.unwrap_or(0) != 0,
        location: text(r, 7)?,
        notes: text(r, 8)?,
        deleted_at: text(r, 9)?.filter(|d| !d.trim().is_empty()),
    })
}

fn matter_from_row(r: &Row<'_>, names: &Names) -> rusqlite::Result<MatterRecord> {
    let case_type_id = int(r, 2)?;
    let status_id = int(r, 3)?;
    let attorney_id = int(r, 4)?;
    let paralegal_id = int(r, 5)?;
    Ok(MatterRecord {
        id: r.get(0)?,
        file_number: text(r, 1)?,
        case_type_id,
        case_type: names.case_type(join_key(r.get_ref(2)?)),
        status_id,
        status: names.status(join_key(r.get_ref(3)?)),
        attorney_id,
        attorney: names.staff(join_key(r.get_ref(4)?)),
        paralegal_id,
        paralegal: names.staff(join_key(r.get_ref(5)?)),
        opened_on: text(r, 6)?,
        closed_on: text(r, 7)?,
        created_at: text(r, 8)?,
        primary_parties: Vec::new(),
    })
}

/// A column as text whatever SQLite stored; None for NULL.
pub fn text(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<String>> {
    Ok(match r.get_ref(idx)? {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(match std::str::from_utf8(t) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(t).into_owned(),
        }),
    })
}

/// A column as an integer id; text that is not a number reads as None.
pub fn int(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<i64>> {
    Ok(match r.get_ref(idx)? {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse().ok()),
        _ => None,
    })
}
