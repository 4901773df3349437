//! Exit statuses (documented in the README) and how an error maps to one.
//!
//! Cron reads the exit status; a person reads the one line on stderr. Record
//! level outcomes (a skipped matter, a 422) are not errors here: they go to
//! the run log and do not change the status.

use crate::casestatus::ApiError;
use crate::config::ConfigError;
use crate::fluentcase::FluentCaseError;
use crate::state::StateError;

/// Everything asked was done.
pub const OK: u8 = 0;
/// The run finished, but some records failed with errors (see `log`).
pub const RECORDS_FAILED: u8 = 1;
/// The command line was wrong (unknown name, bad argument).
pub const USAGE: u8 = 2;
/// Setup needs a person: config, FluentCase database missing or broken,
/// state file, not connected, CaseStatus refusing the key (401) or without
/// API access on the plan (403).
pub const SETUP: u8 = 3;
/// A passing condition — CaseStatus unreachable, 5xx, 429, an answer it
/// could not use; FluentCase's database busy past the busy timeout. The
/// next cycle retries; a person need act only if it keeps happening.
pub const TEMPORARY: u8 = 4;
/// Another run holds the lock for this state file; nothing was done.
pub const LOCKED: u8 = 5;
/// `status`: a sync kind has not succeeded within `--max-age` (or never ran).
pub const STALE: u8 = 6;
/// An internal error (a bug): the panic hook prints one line and exits with
/// this (EX_SOFTWARE from sysexits.h) instead of a backtrace and 101.
pub const PANIC: u8 = 70;

/// A mistake in what the user typed (names that do not exist, and so on).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Setup that is missing or inconsistent, found at run time.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// A run that completed but had records fail; the summary was printed.
#[derive(Debug, thiserror::Error)]
#[error("{failed} record(s) failed with errors; see `casestatus-sync log --run {run_id}`")]
pub struct RecordsFailed {
    pub failed: u64,
    pub run_id: i64,
}

/// The exit status for an error, from the first typed error in its chain.
pub fn code_for(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<crate::runlock::LockHeld>() {
            return LOCKED;
        }
        if cause.is::<crate::runlock::LockFileError>() {
            return SETUP;
        }
        if cause.is::<UsageError>() {
            return USAGE;
        }
        if let Some(e) = cause.downcast_ref::<FluentCaseError>() {
            return if e.is_busy() { TEMPORARY } else { SETUP };
        }
        if let Some(e) = cause.downcast_ref::<StateError>() {
            return if e.is_busy() { TEMPORARY } else { SETUP };
        }
        if cause.is::<ConfigError>() || cause.is::<SetupError>() {
            return SETUP;
        }
        // Record-level API outcomes never reach here (they are counted in
        // the run); one that does means CaseStatus could not be used.
        if let Some(e) = cause.downcast_ref::<ApiError>() {
            return match e {
                ApiError::Unauthorized | ApiError::Forbidden => SETUP,
                _ => TEMPORARY,
            };
        }
        if cause.is::<RecordsFailed>() {
            return RECORDS_FAILED;
        }
    }
    RECORDS_FAILED
}
