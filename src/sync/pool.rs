//! Bounded concurrency for calls to CaseStatus: at most N worker threads,
//! each with its own resources (database connections), results handed back
//! to the calling thread as they come, and a way to stop early.
//!
//! Why threads and not async: the client is reqwest's blocking API and the
//! work per item is "a few HTTP calls and a few SQLite writes"; N scoped
//! threads are the plainest way to keep N requests in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};

/// What the caller wants after seeing a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Take no more jobs (workers finish the item in hand).
    Stop,
}

/// Run `work` over `jobs` on at most `threads` threads.
///
/// Each thread first calls `init` for its own resources. `work` gets a job
/// and an `emit` function for its results (a job may yield several);
/// `emit` returns false once the caller asked to stop, so long jobs can end
/// early. `on_result` runs on the calling thread, one result at a time, so
/// it may use resources that are not `Sync` (such as the main SQLite
/// connection). Once it returns [`Flow::Stop`] it is never called again:
/// results that workers finish afterwards are dropped, which is safe
/// because workers write their own state right after each remote write
/// (what is dropped is only the report line, not the record).
pub fn run<J, W, R>(
    jobs: Vec<J>,
    threads: usize,
    init: impl Fn() -> W + Sync,
    work: impl Fn(&mut W, J, &mut dyn FnMut(R) -> bool) + Sync,
    mut on_result: impl FnMut(R) -> Flow,
) where
    J: Send,
    R: Send,
{
    // No more workers than jobs: each opens its own connections, and a
    // quiet cycle (no job) should open none.
    let workers = threads.max(1).min(jobs.len());
    let queue = Mutex::new(jobs.into_iter());
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<R>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (queue, stop, init, work) = (&queue, &stop, &init, &work);
            scope.spawn(move || {
                let mut resources = init();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    // A poisoned queue only means another worker panicked;
                    // the iterator itself is still fine to use.
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some(job) = job else { break };
                    let mut emit = |r: R| tx.send(r).is_ok() && !stop.load(Ordering::Relaxed);
                    work(&mut resources, job, &mut emit);
                }
            });
        }
        drop(tx);
        for result in rx.iter() {
            if on_result(result) == Flow::Stop {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        // Workers still busy finish their item and see the stop flag; the
        // scope waits for them. Their results go nowhere.
        drop(rx);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn every_job_once_and_never_more_than_n_at_a_time() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let mut seen = Vec::new();
        run(
            (0..200).collect(),
            4,
            || (),
            |_, j: i32, emit| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_micros(200));
                running.fetch_sub(1, Ordering::SeqCst);
                emit(j);
            },
            |r| {
                seen.push(r);
                Flow::Continue
            },
        );
        seen.sort();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn no_more_workers_than_jobs() {
        let opened = AtomicUsize::new(0);
        let init = || {
            opened.fetch_add(1, Ordering::SeqCst);
        };
        run(
            Vec::<i32>::new(),
            8,
            init,
            |_, j, emit| {
                emit(j);
            },
            |_: i32| Flow::Continue,
        );
        assert_eq!(
            opened.load(Ordering::SeqCst),
            0,
            "a quiet cycle opens nothing"
        );
        run(
            vec![1, 2],
            8,
            init,
            |_, j, emit| {
                emit(j);
            },
            |_: i32| Flow::Continue,
        );
        assert_eq!(opened.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn stop_ends_early() {
        let mut n = 0;
        let mut after_stop = 0;
        let mut stopped = false;
        run(
            (0..10_000).collect(),
            2,
            || (),
            |_, j: i32, emit| {
                emit(j);
            },
            |_| {
                if stopped {
                    after_stop += 1;
                }
                n += 1;
                if n == 5 {
                    stopped = true;
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            },
        );
        // Not one result after Stop, however fast the workers were.
        assert_eq!(after_stop, 0);
        assert_eq!(n, 5);
    }
}
