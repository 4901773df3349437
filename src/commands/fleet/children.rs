//! `fleet`'s children never outlive it (SPEC §5): each runs in its own
//! process group with the parent-death signal, and the fleet's stop
//! signals are passed on to every child's group and waited for.

use std::process::Child;
use std::time::Instant;

use super::{round_tenths, Outcome, Running, Status, POLL, STOP_GRACE};

/// Pass the fleet's stop signal on to every running child's process group
/// as SIGTERM, wait for them up to [`STOP_GRACE`], SIGKILL the rest.
pub(super) fn stop_all(running: &mut Vec<Running>, signal: i32) -> Vec<Outcome> {
    for r in running.iter() {
        signal_group(&r.child, libc::SIGTERM);
    }
    let deadline = Instant::now() + STOP_GRACE;
    let mut done = Vec::new();
    while !running.is_empty() {
        let mut i = 0;
        while i < running.len() {
            let ended = matches!(running[i].child.try_wait(), Ok(Some(_)) | Err(_));
            if ended || Instant::now() >= deadline {
                let mut r = running.swap_remove(i);
                signal_group(&r.child, libc::SIGKILL);
                let _ = r.child.wait();
                let stderr = r.last_stderr.take().and_then(|h| h.join().ok().flatten());
                done.push(Outcome {
                    firm: r.firm.clone(),
                    status: Status::Stopped,
                    exit_code: None,
                    seconds: round_tenths(r.started.elapsed()),
                    reason: Some(format!(
                        "stopped: the fleet got signal {signal} and passed SIGTERM on{}",
                        stderr
                            .map(|s| format!("; its last line: {s}"))
                            .unwrap_or_default()
                    )),
                });
            } else {
                i += 1;
            }
        }
        std::thread::sleep(POLL);
    }
    done
}

/// Send `signal` to the child's whole process group (it leads its own).
pub(super) fn signal_group(child: &Child, signal: i32) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group;
        // a group that is gone already makes it fail harmlessly (ESRCH).
        unsafe {
            libc::kill(-pid, signal);
        }
    }
}

/// The fleet's stop signals (SIGTERM, SIGINT, SIGHUP): noted by a handler
/// that only stores the number, acted on by the polling loop.
pub(super) mod stop_signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    static RECEIVED: AtomicI32 = AtomicI32::new(0);

    extern "C" fn note(signal: libc::c_int) {
        RECEIVED.store(signal, Ordering::SeqCst);
    }

    /// Install the handlers (once per process is enough; again is harmless).
    pub fn install() {
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            // SAFETY: the handler only stores to an atomic, which is
            // async-signal-safe; sigaction is given a zeroed, filled struct.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }

    /// The stop signal received, if any.
    pub fn received() -> Option<i32> {
        match RECEIVED.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }
}

/// In the child, between fork and exec: die with the fleet. The
/// parent-death signal is SIGKILL; if the fleet already died before it was
/// set, end now. Only async-signal-safe calls, no allocation.
#[cfg(target_os = "linux")]
pub(super) fn die_with_parent(parent: libc::pid_t) -> std::io::Result<()> {
    // SAFETY: prctl and getppid are plain system calls, safe after fork.
    unsafe {
        if libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        ) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
        if libc::getppid() != parent {
            return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}
