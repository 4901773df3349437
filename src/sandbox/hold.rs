//! Holding a request: the sandbox does a request's work, records it, then
//! waits before answering until the test releases it. A test can so kill
//! the tool exactly between CaseStatus's write and the tool's record of it
//! — by an event, not by a sleep that may land anywhere on a loaded machine.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::Route;

/// A hold on requests matching a route; released when dropped.
pub struct Hold(pub(super) Arc<HoldState>);

/// What the sandbox and the test share about one hold.
pub(super) struct HoldState {
    pub(super) route: Route,
    inner: Mutex<HoldInner>,
    changed: Condvar,
}

struct HoldInner {
    /// Matching requests still to let through before holding.
    skip: usize,
    /// Requests still to hold.
    remaining: usize,
    /// Requests held so far.
    arrived: usize,
    released: bool,
}

impl HoldState {
    pub(super) fn new(route: Route, skip: usize, times: usize) -> HoldState {
        HoldState {
            route,
            inner: Mutex::new(HoldInner {
                skip,
                remaining: times,
                arrived: 0,
                released: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, HoldInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether this request (matching the route) is one to hold; counts it.
    pub(super) fn take(&self) -> bool {
        let mut inner = self.inner();
        if inner.released || inner.remaining == 0 {
            return false;
        }
        if inner.skip > 0 {
            inner.skip -= 1;
            return false;
        }
        inner.remaining -= 1;
        inner.arrived += 1;
        self.changed.notify_all();
        true
    }

    /// Wait (on the connection's thread) until the test releases the hold
    /// or the sandbox shuts down.
    pub(super) fn wait_for_release(&self, shutdown: &std::sync::atomic::AtomicBool) {
        let mut inner = self.inner();
        while !inner.released && !shutdown.load(std::sync::atomic::Ordering::SeqCst) {
            inner = self
                .changed
                .wait_timeout(inner, Duration::from_millis(50))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

impl Hold {
    /// Wait until `n` requests are held (their work done, their answers
    /// not sent); false if that did not happen within `timeout` (a safety
    /// net against a hung test, not a timing assertion).
    pub fn wait_arrived(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut inner = self.0.inner();
        while inner.arrived < n {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            inner = self
                .0
                .changed
                .wait_timeout(inner, (deadline - now).min(Duration::from_millis(50)))
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        true
    }

    /// How many requests were held so far.
    pub fn arrived(&self) -> usize {
        self.0.inner().arrived
    }

    /// Let held requests answer, and hold no more.
    pub fn release(&self) {
        let mut inner = self.0.inner();
        inner.released = true;
        self.0.changed.notify_all();
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
}
