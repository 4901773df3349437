//! One sync at a time per state database — and per lock: the client
//! messages have a lock of their own, so `sync messages` (cron may run it
//! every 2 minutes) is never held up by a long matters or appointments run.
//!
//! An exclusive `flock` on `<state file>.lock` (matters, appointments,
//! `sync all`) or `<state file>.messages.lock` (`sync messages`, the
//! messages step of `sync all`, `messages import` and `acknowledge`),
//! taken without waiting. The kernel releases it when the process dies,
//! even by SIGKILL, so a crashed run never leaves a stale lock that needs
//! a person. The file's text says who holds it (pid and start time) for
//! the message the loser prints — or does not print: an overlap with a
//! holder that started less than [`QUIET_OVERLAP_MINUTES`] ago is the
//! normal case of a long run, and cron must not mail it (SPEC §1).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

/// A holder younger than this is an ordinary overlap: the loser exits 5
/// without a word. Past it, the holder may be hung, and the loser says so.
pub const QUIET_OVERLAP_MINUTES: i64 = 60;

/// Which lock: what a run works on decides which runs it must exclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Matters and appointments (and `sync all` as a whole).
    Run,
    /// Client messages: `sync messages`, the messages step of `sync all`,
    /// and a person's `messages import` / `acknowledge`.
    Messages,
}

impl Lock {
    fn suffix(self) -> &'static str {
        match self {
            Lock::Run => ".lock",
            Lock::Messages => ".messages.lock",
        }
    }
}

/// Another run holds the lock.
#[derive(Debug, thiserror::Error)]
#[error("another casestatus-sync run holds the lock on {path} ({holder}); this run did nothing — it is safe to let cron try again next cycle")]
pub struct LockHeld {
    pub path: PathBuf,
    /// "pid 123 since 2026-11-28T12:00:00Z" as the holder wrote it.
    pub holder: String,
    /// When the holder started, if its note says.
    pub since: Option<DateTime<Utc>>,
    /// An ordinary overlap: exit 5 without a line on stderr.
    pub quiet: bool,
}

impl LockHeld {
    /// This overlap as a scheduled run meets it: quiet while the holder
    /// started less than [`QUIET_OVERLAP_MINUTES`] before `now`; past
    /// that, the holder is named with its start in the firm's zone `tz`.
    pub fn overlap(self, now: DateTime<Utc>, tz: chrono_tz::Tz) -> LockHeld {
        let quiet = self
            .since
            .is_some_and(|t| now - t < chrono::Duration::minutes(QUIET_OVERLAP_MINUTES));
        let holder = match (self.holder.split_once(" since "), self.since) {
            (Some((pid, _)), Some(t)) => format!(
                "{pid}, started {}, {} min ago — it may be hung",
                crate::util::clock::local(t, tz),
                (now - t).num_minutes()
            ),
            _ => self.holder,
        };
        LockHeld {
            quiet,
            holder,
            ..self
        }
    }
}

/// The lock could not be taken for another reason.
#[derive(Debug, thiserror::Error)]
#[error("cannot use the lock file {path}: {source}")]
pub struct LockFileError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// A held run lock; released on drop (or when the process dies).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Take `lock` for the state file at `state_path`, or say who has it.
///
/// # Errors
/// [`LockHeld`] when another process holds it (never quiet: the caller
/// decides with [`LockHeld::overlap`]); [`LockFileError`] when the file
/// cannot be opened.
pub fn acquire(state_path: &Path, lock: Lock, now: DateTime<Utc>) -> anyhow::Result<RunLock> {
    let mut path = state_path.as_os_str().to_owned();
    path.push(lock.suffix());
    let path = PathBuf::from(path);
    let err = |source| LockFileError {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let since = holder
                .split_once(" since ")
                .and_then(|(_, t)| crate::util::clock::parse(t.trim()));
            return Err(LockHeld {
                path: path.clone(),
                holder: if holder.is_empty() {
                    "holder unknown".into()
                } else {
                    holder.to_string()
                },
                since,
                quiet: false,
            }
            .into());
        }
        Err(TryLockError::Error(e)) => return Err(err(e).into()),
    }
    let note = format!(
        "pid {} since {}",
        std::process::id(),
        crate::util::clock::stamp(now)
    );
    file.set_len(0).map_err(err)?;
    file.seek(SeekFrom::Start(0)).map_err(err)?;
    file.write_all(note.as_bytes()).map_err(err)?;
    Ok(RunLock { _file: file })
}
