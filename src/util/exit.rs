//! Exit statuses (documented in the README) and the error types that say
//! "the user typed something wrong", "setup needs a person" and "records
//! failed". Which status an error chain gets is decided at the edge, by
//! the one table in `cli::exit`, from the first typed error in the chain.
//!
//! Cron reads the exit status; a person reads the one line on stderr. Record
//! level outcomes (a skipped matter, a 422) are not errors here: they go to
//! the run log and do not change the status.

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
/// A person stopped an interactive command (Ctrl-C at a prompt of
/// `setup` or `init`); what was saved before stays saved. 128 + SIGINT, as
/// shells report a command stopped by Ctrl-C.
pub const INTERRUPTED: u8 = 130;
/// An internal error (a bug): the panic hook prints one line and exits with
/// this (EX_SOFTWARE from sysexits.h) instead of a backtrace and 101.
pub const PANIC: u8 = 70;

/// A mistake in what the user typed (names that do not exist, and so on).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A person stopped an interactive command at a prompt (Ctrl-C).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

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
