//! The tool's own state: a SQLite file next to (never inside) FluentCase's.
//!
//! It holds the API key, the synced statuses, the last practice-area/stage
//! snapshot from CaseStatus, the mappings, the enabled event types, the
//! ledger of what was pushed and the run log. The schema is an append-only
//! list of migrations whose position is `PRAGMA user_version` (the cargo
//! `util/sqlite.rs` pattern): never edit or reorder a shipped entry, only add.
//!
//! The file holds a secret, so it and its `-wal`/`-shm` companions are 0600:
//! the file is created 0600 before SQLite opens it, and SQLite gives its
//! companions the main file's mode.

use std::fs::OpenOptions;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

/// How long to wait for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

use crate::store::migrations::MIGRATIONS;

/// What can go wrong with the state file. Most need a person; a file busy
/// past the busy timeout ([`StateError::is_busy`]) is passing, and the
/// next cycle retries.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state database {path}: cannot create its folder: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state database {path}: cannot create or protect the file: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("state database {path} is at schema version {found}, newer than this casestatus-sync understands (up to {known}); upgrade casestatus-sync")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A read-only command was pointed at a file that does not exist: a
    /// mistyped `state.database` must not become an empty new database.
    #[error("state database {path} does not exist; check `state.database` in the config, or run `casestatus-sync connect` (or `test` with casestatus.api_key_file) to create it")]
    Missing { path: PathBuf },
    /// A read-only command found an older schema; only a writing command
    /// may upgrade it.
    #[error("state database {path} is at schema version {found}, older than this casestatus-sync ({known}); run `casestatus-sync sync all` (or any setup command) once to upgrade it")]
    TooOld {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

impl StateError {
    /// Another process held the state file past the busy timeout.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StateError::Sqlite {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// The key as stored. `Debug` never shows the secret.
#[derive(Clone)]
pub struct StoredKey {
    pub name: String,
    pub secret: String,
    pub saved_at: String,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// One practice area of the last snapshot, with its stages and mappings.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRow {
    pub id: i64,
    pub name: String,
    pub vanished: bool,
    pub case_type: Option<String>,
    pub stages: Vec<StageRow>,
}

/// One stage of the last snapshot and the matter status mapped to it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub vanished: bool,
    pub matter_status: Option<String>,
}

/// The open state database.
pub struct StateStore {
    conn: Connection,
    path: PathBuf,
}

impl StateStore {
    /// Open (creating if needed) the state file and bring its schema up to date.
    ///
    /// # Errors
    /// [`StateError`] when the folder or file cannot be made, the file is not
    /// SQLite, or its schema is newer than this binary.
    pub fn open(path: &Path) -> Result<StateStore, StateError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::util::secret_file::create_private_folders(parent).map_err(|source| {
                StateError::Folder {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        }
        protect(path)?;
        let sql = |source| StateError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(sql)?;
        // journal_mode answers with a row, so it is queried rather than updated.
        let _: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(sql)?;
        // In WAL mode NORMAL is safe against a killed process (the case that
        // matters here) and avoids an fsync per ledger write. A power cut
        // may lose the last writes; the syncs recover those by looking up
        // by integration_id before any create.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        // 16 MB instead of SQLite's 2 MB: a first cycle at a big firm writes
        // 100,000 skips and log items in one transaction, and with the
        // default the indexes' pages are read back from the OS again and
        // again. Pages are only taken as needed.
        conn.pragma_update(None, "cache_size", -16_384)
            .map_err(sql)?;
        // Statement journals (kept while a statement that changes many rows
        // runs inside the planning transaction) and temporary tables stay
        // in memory instead of spilling to a file in /var/tmp: a first cycle
        // wrote 16,000 pages there.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(sql)?;
        migrate(&mut conn, path)?;
        // Deleted rows (an old API key) are overwritten, not left in free
        // pages. Set after the schema exists: on a still-empty file SQLite
        // does not keep the setting.
        let _: i64 = conn
            .query_row("PRAGMA secure_delete = ON", [], |r| r.get(0))
            .map_err(sql)?;
        for companion in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(companion);
            let p = PathBuf::from(p);
            if p.exists() {
                protect(&p)?;
            }
        }
        Ok(StateStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Open an existing state file for reading only: no folder or state
    /// file is created, no migration runs, nothing is written (for `log`,
    /// `status`, `why-skipped` and the `map` overview). SQLite itself may
    /// create the WAL companions (`-shm`, an empty `-wal`) of an existing
    /// database to read it safely beside a running sync; they take the
    /// file's 0600 mode and hold nothing.
    ///
    /// # Errors
    /// [`StateError::Missing`] when the file does not exist,
    /// [`StateError::TooOld`] / [`StateError::TooNew`] when its schema is not
    /// this binary's, [`StateError::Sqlite`] when it is not SQLite.
    pub fn open_read_only(path: &Path) -> Result<StateStore, StateError> {
        if !path.is_file() {
            return Err(StateError::Missing {
                path: path.to_path_buf(),
            });
        }
        let sql = |source| StateError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        let known = schema_version();
        if found > known {
            return Err(StateError::TooNew {
                path: path.to_path_buf(),
                found,
                known,
            });
        }
        if found < known {
            return Err(StateError::TooOld {
                path: path.to_path_buf(),
                found,
                known,
            });
        }
        Ok(StateStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw connection, for the store modules that own their own tables
    /// (ledger, run log): SQL for one concern stays in one module, and no
    /// layer above the store writes SQL.
    pub(in crate::store) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Start an IMMEDIATE write transaction; dropping it uncommitted rolls back.
    pub(in crate::store) fn transaction(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
    }

    /// Begin a batch of writes on this connection (one IMMEDIATE
    /// transaction): a cycle's planning writes thousands of log lines and
    /// skip rows, which one commit makes cheap. The writes go through the
    /// store's functions as usual; they land only when [`Batch::commit`]
    /// is called, and a batch dropped uncommitted (an error, an early
    /// return, a panic) rolls back: it cannot be left open by mistake.
    ///
    /// # Errors
    /// [`StateError::Sqlite`] when the write lock is not had within the
    /// busy timeout.
    pub fn batch(&self) -> Result<Batch<'_>, StateError> {
        rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map(|tx| Batch { tx, store: self })
            .map_err(|e| self.err(e))
    }

    /// Wrap a rusqlite error with this file's name.
    pub(in crate::store) fn err(&self, source: rusqlite::Error) -> StateError {
        StateError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Save (or replace) the API key. Replacing keeps every ledger and mapping.
    pub fn save_key(&self, name: &str, secret: &str, now: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT INTO api_key (id, name, secret, saved_at) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = ?1, secret = ?2, saved_at = ?3",
                params![name, secret, now],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The saved key, if connected.
    pub fn key(&self) -> Result<Option<StoredKey>, StateError> {
        self.conn
            .query_row(
                "SELECT name, secret, saved_at FROM api_key WHERE id = 1",
                [],
                |r| {
                    Ok(StoredKey {
                        name: r.get(0)?,
                        secret: r.get(1)?,
                        saved_at: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Remove the key; returns whether there was one. Nothing else is
    /// touched. The WAL is checkpointed and truncated so the secret does not
    /// linger in the -wal file.
    pub fn remove_key(&self) -> Result<bool, StateError> {
        let n = self
            .conn
            .execute("DELETE FROM api_key", [])
            .map_err(|e| self.err(e))?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Remove a small named value.
    pub fn clear_setting(&self, key: &str) -> Result<(), StateError> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Replace the set of matter statuses that are synced.
    pub fn set_synced_statuses(&mut self, names: &[String]) -> Result<(), StateError> {
        let path = self.path.clone();
        let sql = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        tx.execute("DELETE FROM synced_statuses", []).map_err(sql)?;
        for n in names {
            tx.execute(
                "INSERT OR IGNORE INTO synced_statuses (name) VALUES (?1)",
                [n],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// The synced matter statuses, sorted.
    pub fn synced_statuses(&self) -> Result<Vec<String>, StateError> {
        self.strings("SELECT name FROM synced_statuses ORDER BY name")
    }

    /// Event types whose events are pushed as appointments, sorted.
    pub fn enabled_event_types(&self) -> Result<Vec<String>, StateError> {
        self.strings("SELECT name FROM enabled_event_types ORDER BY name")
    }

    /// Turn appointment sync on or off for one event type.
    pub fn set_event_type_enabled(&self, name: &str, enabled: bool) -> Result<(), StateError> {
        let sql = if enabled {
            "INSERT OR IGNORE INTO enabled_event_types (name) VALUES (?1)"
        } else {
            "DELETE FROM enabled_event_types WHERE name = ?1"
        };
        self.conn.execute(sql, [name]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A small named value (e.g. when practice areas were last fetched).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StateError> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Set a small named value.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = ?2",
                [key, value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Every (kind, CaseStatus id, name) ever seen for practice areas and
    /// stages, so drift can compare by id across renames.
    pub fn casestatus_names(&self) -> Result<Vec<(String, i64, String)>, StateError> {
        let mut stmt = self
            .conn
            .prepare("SELECT kind, id, name FROM casestatus_names")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The practice-area snapshot with stages and mappings, areas by name,
    /// stages by position.
    pub fn areas(&self) -> Result<Vec<AreaRow>, StateError> {
        let mut areas = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT a.id, a.name, a.vanished_at IS NOT NULL, m.case_type
                     FROM practice_areas a
                     LEFT JOIN practice_area_mappings m ON m.practice_area_id = a.id
                     ORDER BY a.name, a.id",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(AreaRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        vanished: r.get(2)?,
                        case_type: r.get(3)?,
                        stages: Vec::new(),
                    })
                })
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.err(e))?
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.name, s.position, s.vanished_at IS NOT NULL, m.matter_status
                 FROM stages s LEFT JOIN stage_mappings m ON m.stage_id = s.id
                 WHERE s.practice_area_id = ?1 ORDER BY s.position, s.id",
            )
            .map_err(|e| self.err(e))?;
        for area in &mut areas {
            let rows = stmt
                .query_map([area.id], |r| {
                    Ok(StageRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        position: r.get(2)?,
                        vanished: r.get(3)?,
                        matter_status: r.get(4)?,
                    })
                })
                .map_err(|e| self.err(e))?;
            area.stages = rows
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.err(e))?;
        }
        Ok(areas)
    }

    /// Store a fresh snapshot: areas and stages seen are inserted or renamed;
    /// those not seen are marked vanished (their mappings stay, flagged, so
    /// the admin decides). All in one transaction.
    pub fn store_snapshot(
        &mut self,
        areas: &[crate::casestatus::PracticeArea],
        now: &str,
    ) -> Result<(), StateError> {
        let path = self.path.clone();
        let sql = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        tx.execute(
            "UPDATE practice_areas SET vanished_at = ?1 WHERE vanished_at IS NULL",
            [now],
        )
        .map_err(sql)?;
        tx.execute(
            "UPDATE stages SET vanished_at = ?1 WHERE vanished_at IS NULL",
            [now],
        )
        .map_err(sql)?;
        for a in areas {
            tx.execute(
                "INSERT INTO practice_areas (id, name, vanished_at) VALUES (?1, ?2, NULL)
                 ON CONFLICT (id) DO UPDATE SET name = ?2, vanished_at = NULL",
                params![a.id, a.name],
            )
            .map_err(sql)?;
            tx.execute(
                "INSERT OR IGNORE INTO casestatus_names (kind, id, name) VALUES ('practice_area', ?1, ?2)",
                params![a.id, a.name],
            )
            .map_err(sql)?;
            for s in &a.stages {
                tx.execute(
                    "INSERT INTO stages (id, practice_area_id, name, position, vanished_at)
                     VALUES (?1, ?2, ?3, ?4, NULL)
                     ON CONFLICT (id) DO UPDATE SET practice_area_id = ?2, name = ?3,
                         position = ?4, vanished_at = NULL",
                    params![s.id, a.id, s.name, s.position],
                )
                .map_err(sql)?;
                tx.execute(
                    "INSERT OR IGNORE INTO casestatus_names (kind, id, name) VALUES ('stage', ?1, ?2)",
                    params![s.id, s.name],
                )
                .map_err(sql)?;
            }
        }
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('practice_areas_fetched_at', ?1)
             ON CONFLICT (key) DO UPDATE SET value = ?1",
            [now],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)
    }

    /// Map a practice area to a case type, replacing any earlier choice.
    /// The caller has checked that no other area holds the case type.
    pub fn map_area(&self, area_id: i64, case_type: Option<&str>) -> Result<(), StateError> {
        match case_type {
            Some(t) => self.conn.execute(
                "INSERT INTO practice_area_mappings (practice_area_id, case_type) VALUES (?1, ?2)
                 ON CONFLICT (practice_area_id) DO UPDATE SET case_type = ?2",
                params![area_id, t],
            ),
            None => self.conn.execute(
                "DELETE FROM practice_area_mappings WHERE practice_area_id = ?1",
                [area_id],
            ),
        }
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Map a stage to a matter status, replacing any earlier choice.
    /// The caller has checked that no other stage of the area holds the status.
    pub fn map_stage(
        &self,
        area_id: i64,
        stage_id: i64,
        status: Option<&str>,
    ) -> Result<(), StateError> {
        match status {
            Some(s) => self.conn.execute(
                "INSERT INTO stage_mappings (stage_id, practice_area_id, matter_status)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (stage_id) DO UPDATE SET practice_area_id = ?2, matter_status = ?3",
                params![stage_id, area_id, s],
            ),
            None => self
                .conn
                .execute("DELETE FROM stage_mappings WHERE stage_id = ?1", [stage_id]),
        }
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn strings(&self, sql: &str) -> Result<Vec<String>, StateError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<String>, _>>()
            .map_err(|e| self.err(e))
    }
}

/// Create the file 0600 if missing; tighten it to 0600 if it is looser.
fn protect(path: &Path) -> Result<(), StateError> {
    let file_err = |source| StateError::File {
        path: path.to_path_buf(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(file_err)?;
    let meta = file.metadata().map_err(file_err)?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(file_err)?;
    }
    Ok(())
}

/// Run every pending migration in one IMMEDIATE transaction; refuse a newer file.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StateError> {
    let sql = |source| StateError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StateError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    for migration in MIGRATIONS.iter().skip(version as usize) {
        tx.execute_batch(migration).map_err(sql)?;
    }
    if version < known {
        tx.pragma_update(None, "user_version", known).map_err(sql)?;
    }
    tx.commit().map_err(sql)
}

/// The schema version this binary writes (for tests and `--version` output).
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// A batch of writes to the state file (taskchampion's `Txn`): begun by
/// [`StateStore::batch`], kept only by [`Batch::commit`], rolled back when
/// dropped uncommitted.
#[must_use = "a batch that is not committed rolls back when dropped"]
pub struct Batch<'s> {
    /// rusqlite's transaction on the shared connection: its drop rolls back.
    tx: rusqlite::Transaction<'s>,
    store: &'s StateStore,
}

impl Batch<'_> {
    /// Keep every write made since the batch began.
    ///
    /// # Errors
    /// [`StateError::Sqlite`] when SQLite cannot commit (the writes are
    /// then rolled back).
    pub fn commit(self) -> Result<(), StateError> {
        let store = self.store;
        self.tx.commit().map_err(|e| store.err(e))
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;

/// Rows per multi-row INSERT in bulk writes: one statement per 64 rows
/// instead of one per row halves SQLite's per-row cost, which is most of a
/// first cycle that logs 90,000 skipped matters.
const ROWS_PER_INSERT: usize = 64;

impl StateStore {
    /// Insert `rows` in multi-row statements of up to [`ROWS_PER_INSERT`]
    /// rows: `insert` (SQL up to `VALUES`), the placeholders, then `tail`
    /// (an `ON CONFLICT` clause, or empty). `values` adds one row's
    /// `columns` values in order. The SQL is only literals and `?`s.
    pub(in crate::store) fn insert_rows<'r, R>(
        &self,
        rows: &'r [R],
        columns: usize,
        (insert, tail): (&str, &str),
        mut values: impl FnMut(&'r R, &mut Vec<&'r dyn rusqlite::ToSql>),
    ) -> Result<(), StateError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "{insert} VALUES {} {tail}",
                placeholders(chunk.len(), columns)
            );
            let mut params = Vec::with_capacity(chunk.len() * columns);
            for row in chunk {
                values(row, &mut params);
            }
            self.conn
                .prepare_cached(&sql)
                .and_then(|mut stmt| stmt.execute(params.as_slice()))
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

/// `(?,?,?),(?,?,?)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(","));
    vec![row; rows].join(",")
}
