//! The phone-number cache (`phone_numbers`): each number as typed in
//! FluentCase, resolved once to E.164 (or to "not a number") for the firm's
//! region. Parsing costs about 15 µs a number; a quiet cycle at 100,000
//! matters reads the answers instead. The cache is emptied whenever this
//! binary's version changes, since a newer libphonenumber may judge a
//! number differently.

use rustc_hash::FxHashMap;

use rusqlite::params;

use crate::store::state::{StateError, StateStore};

/// The setting holding the binary version that filled the cache.
const VERSION_SETTING: &str = "phone_cache_version";

/// The cached numbers for `region`; empty when the cache was filled by
/// another version (it is then emptied, unless `read_only`).
///
/// # Errors
/// The state file could not be read or written.
pub fn load(
    state: &StateStore,
    region: &str,
    read_only: bool,
) -> Result<FxHashMap<String, Option<String>>, StateError> {
    if fresh(state, read_only)? {
        read(state, region)
    } else {
        Ok(FxHashMap::default())
    }
}

/// Whether the cache was filled by this binary's version; when not, it is
/// emptied (unless `read_only`) and must not be read.
///
/// # Errors
/// The state file could not be read or written.
pub fn fresh(state: &StateStore, read_only: bool) -> Result<bool, StateError> {
    let version = env!("CARGO_PKG_VERSION");
    if state.setting(VERSION_SETTING)?.as_deref() == Some(version) {
        return Ok(true);
    }
    if !read_only {
        state
            .conn()
            .execute("DELETE FROM phone_numbers", [])
            .map_err(|e| state.err(e))?;
        state.set_setting(VERSION_SETTING, version)?;
    }
    Ok(false)
}

/// Every cached number for `region` (check [`fresh`] first).
///
/// # Errors
/// The state file could not be read.
pub fn read(
    state: &StateStore,
    region: &str,
) -> Result<FxHashMap<String, Option<String>>, StateError> {
    let mut stmt = state
        .conn()
        .prepare_cached("SELECT raw, e164 FROM phone_numbers WHERE region = ?1")
        .map_err(|e| state.err(e))?;
    let rows = stmt
        .query_map([region], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect::<Result<FxHashMap<_, _>, _>>())
        .map_err(|e| state.err(e))?;
    Ok(rows)
}

/// Remember newly resolved numbers.
///
/// # Errors
/// The state file could not be written.
pub fn save(
    state: &StateStore,
    region: &str,
    resolved: &[(String, Option<String>)],
) -> Result<(), StateError> {
    let mut stmt = state
        .conn()
        .prepare_cached(
            "INSERT OR REPLACE INTO phone_numbers (region, raw, e164) VALUES (?1, ?2, ?3)",
        )
        .map_err(|e| state.err(e))?;
    for (raw, e164) in resolved {
        stmt.execute(params![region, raw, e164])
            .map_err(|e| state.err(e))?;
    }
    Ok(())
}
