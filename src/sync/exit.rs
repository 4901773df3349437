//! How an error maps to a documented exit status: the first typed error in
//! its chain decides (cron reads the status; a person reads the line). It
//! lives with the engine, which owns the exit status of a run, and sees
//! every typed error below it.

use crate::casestatus::ApiError;
use crate::store::fluentcase::FluentCaseError;
use crate::store::state::StateError;
use crate::util::config::ConfigError;
use crate::util::exit::{
    Interrupted, RecordsFailed, SetupError, UsageError, INTERRUPTED, LOCKED, RECORDS_FAILED, SETUP,
    TEMPORARY, USAGE,
};

/// The exit status for an error, from the first typed error in its chain.
pub fn code_for(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<crate::sync::runlock::LockHeld>() {
            return LOCKED;
        }
        if cause.is::<crate::sync::runlock::LockFileError>() {
            return SETUP;
        }
        if cause.is::<UsageError>() {
            return USAGE;
        }
        if cause.is::<Interrupted>() {
            return INTERRUPTED;
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

/// Whether the error is one that cron must not mail: an ordinary overlap
/// with a run that started less than an hour ago (exit 5, no line).
pub fn is_silent(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<crate::sync::runlock::LockHeld>()
            .is_some_and(|h| h.quiet)
    })
}
