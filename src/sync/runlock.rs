//! One sync at a time per state database.
//!
//! An exclusive `flock` on `<state file>.lock`, taken without waiting. The
//! kernel releases it when the process dies, even by SIGKILL, so a crashed
//! run never leaves a stale lock that needs a person. The file's text says
//! who holds it (pid and start time) for the message the loser prints.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Another run holds the lock.
#[derive(Debug, thiserror::Error)]
#[error("another casestatus-sync run holds the lock on {path} ({holder}); this run did nothing — it is safe to let cron try again next cycle")]
pub struct LockHeld {
    pub path: PathBuf,
    pub holder: String,
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

/// Take the run lock for the state file at `state_path`, or say who has it.
///
/// # Errors
/// [`LockHeld`] when another process holds it; [`LockFileError`] when the
/// file cannot be opened.
pub fn acquire(state_path: &Path, now: &str) -> anyhow::Result<RunLock> {
    let mut path = state_path.as_os_str().to_owned();
    path.push(".lock");
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
            return Err(LockHeld {
                path: path.clone(),
                holder: if holder.is_empty() {
                    "holder unknown".into()
                } else {
                    holder.to_string()
                },
            }
            .into());
        }
        Err(TryLockError::Error(e)) => return Err(err(e).into()),
    }
    let note = format!("pid {} since {now}", std::process::id());
    file.set_len(0).map_err(err)?;
    file.seek(SeekFrom::Start(0)).map_err(err)?;
    file.write_all(note.as_bytes()).map_err(err)?;
    Ok(RunLock { _file: file })
}
