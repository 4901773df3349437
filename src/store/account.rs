//! Which CaseStatus account the state file belongs to (SPEC §2, "bound to
//! the CaseStatus account, not to the spelling of its URL"), and the
//! record of accounts it left.
//!
//! The binding is the last verified URL and a salted HMAC-SHA256 of the
//! key, kept in `settings`: a changed key or URL is noticed without the key
//! ever being stored for it (a key file's key is never copied here).

use rusqlite::{params, OptionalExtension};

use crate::store::state::{StateError, StateStore};

/// The URL the state file was last verified against (the setting name
/// predates the key hash and is kept so old files keep their binding).
const URL_SETTING: &str = "casestatus_base_url";
const SALT_SETTING: &str = "account_key_salt";
const KEY_HASH_SETTING: &str = "account_key_hash";
const KEY_NAME_SETTING: &str = "account_key_name";

/// What the state file says about its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub base_url: Option<String>,
    pub key_hash: Option<String>,
    /// The name of the key it was verified with (the account's record is
    /// filed under it).
    pub key_name: Option<String>,
}

/// One account this state file left, for `log` and `why-skipped`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreviousAccount {
    pub id: i64,
    pub name: String,
    pub base_url: String,
    pub filed_at: String,
    pub cases: i64,
    pub appointments: i64,
}

/// A matter's case in an account this state file left.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PreviousCase {
    pub account: String,
    pub base_url: String,
    pub filed_at: String,
    pub case_id: i64,
    pub pushed_at: Option<String>,
}

/// The salted hash of `key` under this state file's salt (made on first use).
///
/// # Errors
/// The state file cannot be read or written.
pub fn key_hash(state: &StateStore, key: &str) -> Result<String, StateError> {
    let salt = match state.setting(SALT_SETTING)? {
        Some(s) => s,
        None => {
            let salt = crate::util::secret::random_hex(16);
            state.set_setting(SALT_SETTING, &salt)?;
            salt
        }
    };
    Ok(crate::util::secret::hmac_hex(
        salt.as_bytes(),
        key.as_bytes(),
    ))
}

/// The salted hash of `key`, or None when no salt was made yet (read-only use).
pub fn key_hash_read_only(state: &StateStore, key: &str) -> Result<Option<String>, StateError> {
    Ok(state
        .setting(SALT_SETTING)?
        .map(|salt| crate::util::secret::hmac_hex(salt.as_bytes(), key.as_bytes())))
}

/// The recorded binding.
pub fn binding(state: &StateStore) -> Result<Binding, StateError> {
    Ok(Binding {
        base_url: state.setting(URL_SETTING)?,
        key_hash: state.setting(KEY_HASH_SETTING)?,
        key_name: state.setting(KEY_NAME_SETTING)?,
    })
}

/// Record that the state file belongs to the account at `base_url` opened
/// by the key named `key_name` with `key_hash`.
pub fn bind(
    state: &StateStore,
    base_url: &str,
    key_hash: &str,
    key_name: &str,
) -> Result<(), StateError> {
    state.set_setting(URL_SETTING, base_url)?;
    state.set_setting(KEY_HASH_SETTING, key_hash)?;
    state.set_setting(KEY_NAME_SETTING, key_name)
}

/// Up to `n` (matter, case) pairs the ledger holds, the latest pushes
/// first: what a changed key or URL is checked against.
pub fn sample_cases(state: &StateStore, n: usize) -> Result<Vec<(i64, i64)>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT matter_id, case_id FROM matter_ledger WHERE case_id IS NOT NULL
             ORDER BY pushed_at DESC, matter_id DESC LIMIT ?1",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// File the current account's record under `name` and start a fresh one:
/// the pushed cases move to `previous_account_cases`, the matter and
/// appointment ledgers and the binding are emptied — in one transaction,
/// so a kill leaves either the old account or the new one, never half.
pub fn file_away(
    state: &mut StateStore,
    name: &str,
    base_url: &str,
    now: &str,
) -> Result<PreviousAccount, StateError> {
    let path = state.path().to_path_buf();
    let sql = |source| StateError::Sqlite {
        path: path.clone(),
        source,
    };
    let tx = state.transaction().map_err(sql)?;
    let cases: i64 = tx
        .query_row(
            "SELECT count(*) FROM matter_ledger WHERE case_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .map_err(sql)?;
    let appointments: i64 = tx
        .query_row(
            "SELECT count(*) FROM appointment_ledger WHERE appointment_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .map_err(sql)?;
    tx.execute(
        "INSERT INTO previous_accounts (name, base_url, filed_at, cases, appointments)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, base_url, now, cases, appointments],
    )
    .map_err(sql)?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO previous_account_cases (account_id, matter_id, case_id, pushed_at)
         SELECT ?1, matter_id, case_id, pushed_at FROM matter_ledger WHERE case_id IS NOT NULL",
        [id],
    )
    .map_err(sql)?;
    tx.execute_batch(
        "DELETE FROM matter_ledger;
         DELETE FROM appointment_ledger;
         DELETE FROM settings WHERE key IN ('casestatus_base_url', 'account_key_hash', 'account_key_name');",
    )
    .map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(PreviousAccount {
        id,
        name: name.to_string(),
        base_url: base_url.to_string(),
        filed_at: now.to_string(),
        cases,
        appointments,
    })
}

/// Every account this state file left, oldest first.
pub fn previous_accounts(state: &StateStore) -> Result<Vec<PreviousAccount>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT id, name, base_url, filed_at, cases, appointments
             FROM previous_accounts ORDER BY id",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(PreviousAccount {
                id: r.get(0)?,
                name: r.get(1)?,
                base_url: r.get(2)?,
                filed_at: r.get(3)?,
                cases: r.get(4)?,
                appointments: r.get(5)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// The cases a matter had in accounts this state file left, oldest first.
pub fn previous_cases(state: &StateStore, matter_id: i64) -> Result<Vec<PreviousCase>, StateError> {
    let mut stmt = state
        .conn()
        .prepare(
            "SELECT a.name, a.base_url, a.filed_at, c.case_id, c.pushed_at
             FROM previous_account_cases c JOIN previous_accounts a ON a.id = c.account_id
             WHERE c.matter_id = ?1 ORDER BY a.id",
        )
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([matter_id], |r| {
            Ok(PreviousCase {
                account: r.get(0)?,
                base_url: r.get(1)?,
                filed_at: r.get(2)?,
                case_id: r.get(3)?,
                pushed_at: r.get(4)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// Whether any account was filed away (cheap, for `log`'s header).
pub fn has_previous(state: &StateStore) -> Result<bool, StateError> {
    state
        .conn()
        .query_row("SELECT 1 FROM previous_accounts LIMIT 1", [], |r| {
            r.get::<_, i64>(0)
        })
        .optional()
        .map(|o| o.is_some())
        .map_err(|e| state.err(e))
}
