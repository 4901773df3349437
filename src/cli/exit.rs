//! The one table from an error to a documented exit status (README, "Exit
//! codes"): the first typed error in its chain decides. Only the edge —
//! `main` and the dispatch in [`crate::cli::run`] — asks it; nothing below
//! knows the numbers (ripgrep decides its exit status in `main` alone).
//!
//! Whether an error is a passing condition (exit 4) is the typed errors'
//! own answer ([`crate::sync::passing_cause`]), which the sync also uses to
//! say "the next cycle retries" in its log; the number is only here.
//!
//! An error no row recognises is not "records failed" (1): it exits
//! [`UNRECOGNISED`] (70, EX_SOFTWARE, as a panic does), so cron and
//! monitoring never read an unforeseen failure as a record-level one.

use crate::commands::fleet::FleetFailed;
use crate::commands::messages::NotDecided;
use crate::sync::runlock::{LockFileError, LockHeld};
use crate::util::config::ConfigError;
use crate::util::exit::{
    Interrupted, RecordsFailed, SetupError, UsageError, INTERRUPTED, LOCKED, PANIC, RECORDS_FAILED,
    SETUP, TEMPORARY, USAGE,
};
use crate::util::output::OutputError;

/// An error the table does not recognise: 70, as an internal error (a
/// panic). The line on stderr says what failed.
pub const UNRECOGNISED: u8 = PANIC;

/// The exit status for an error, from the first typed error in its chain.
pub fn code_for(err: &anyhow::Error) -> u8 {
    err.chain().find_map(code_of).unwrap_or(UNRECOGNISED)
}

/// The status one cause decides, if it is a typed error of the table.
fn code_of(cause: &(dyn std::error::Error + 'static)) -> Option<u8> {
    if cause.is::<LockHeld>() {
        return Some(LOCKED);
    }
    if cause.is::<UsageError>() {
        return Some(USAGE);
    }
    if cause.is::<Interrupted>() {
        return Some(INTERRUPTED);
    }
    // FluentCase or the state file busy, CaseStatus unreachable: passing;
    // the same errors otherwise (missing, broken, a refused key): setup.
    if let Some(passing) = crate::sync::passing_cause(cause) {
        return Some(if passing { TEMPORARY } else { SETUP });
    }
    if cause.is::<LockFileError>()
        || cause.is::<ConfigError>()
        || cause.is::<SetupError>()
        // A file the tool must read or write and cannot (permissions, a
        // missing folder): a person must act.
        || cause.is::<std::io::Error>()
    {
        return Some(SETUP);
    }
    // Records that failed; firms of a fleet that did not end in 0 or 5; a
    // person's message decision that could not be carried out; output
    // that could not be written (a full disk).
    if cause.is::<RecordsFailed>()
        || cause.is::<FleetFailed>()
        || cause.is::<NotDecided>()
        || cause.is::<OutputError>()
    {
        return Some(RECORDS_FAILED);
    }
    None
}

/// Whether the error is one that cron must not mail: an ordinary overlap
/// with a run that started less than an hour ago (exit 5, no line).
pub fn is_silent(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.downcast_ref::<LockHeld>().is_some_and(|h| h.quiet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrecognised_error_is_not_records_failed() {
        let err = anyhow::anyhow!("something nobody foresaw");
        assert_eq!(code_for(&err), UNRECOGNISED);
        assert_ne!(code_for(&err), RECORDS_FAILED);
    }

    #[test]
    fn the_first_typed_cause_decides_through_context() {
        let failed = anyhow::Error::new(RecordsFailed {
            failed: 2,
            run_id: 7,
        })
        .context("sync matters");
        assert_eq!(code_for(&failed), RECORDS_FAILED);
        let busy = anyhow::Error::new(crate::store::state::StateError::Sqlite {
            path: "state.db".into(),
            source: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                None,
            ),
        })
        .context("a sync worker could not open its database connection")
        .context("sync matters");
        assert_eq!(code_for(&busy), TEMPORARY);
        let missing = anyhow::Error::new(crate::store::state::StateError::Missing {
            path: "state.db".into(),
        });
        assert_eq!(code_for(&missing), SETUP);
        let usage = anyhow::Error::new(UsageError("no such matter".into())).context("why-skipped");
        assert_eq!(code_for(&usage), USAGE);
    }
}
