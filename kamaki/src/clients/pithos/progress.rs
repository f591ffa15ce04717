//! Progress of a transfer, reported to a callback a CLI draws as a bar.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How far a phase of a transfer is: bytes done out of bytes in total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Progress {
    /// Bytes done so far.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

impl Progress {
    /// Whether everything is done.
    pub fn is_complete(&self) -> bool {
        self.done >= self.total
    }
}

/// A progress callback. It is called from worker threads and tasks, once
/// per block (and once at the start with `done` = what needs no work), so
/// it should return quickly.
///
/// ```
/// use kamaki::clients::pithos::{progress_fn, Progress};
/// let cb = progress_fn(|p: Progress| eprint!("\r{}/{} bytes", p.done, p.total));
/// # let _ = cb;
/// ```
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Wraps a closure as a [`ProgressFn`].
pub fn progress_fn(f: impl Fn(Progress) + Send + Sync + 'static) -> ProgressFn {
    Arc::new(f)
}

/// Counts bytes done from many workers and reports each step.
pub(crate) struct Reporter {
    callback: Option<ProgressFn>,
    done: AtomicU64,
    total: u64,
    /// The last `done` reported: workers finish out of order, and the
    /// callback sees a count that only grows.
    reported: Mutex<Option<u64>>,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("done", &self.done)
            .field("total", &self.total)
            .finish()
    }
}

impl Reporter {
    pub(crate) fn new(callback: Option<ProgressFn>, total: u64) -> Self {
        Reporter {
            callback,
            done: AtomicU64::new(0),
            total,
            reported: Mutex::new(None),
        }
    }

    /// Reports the start (with `already` bytes needing no work).
    pub(crate) fn start(&self, already: u64) {
        self.add(already);
    }

    /// Adds `bytes` done and reports.
    pub(crate) fn add(&self, bytes: u64) {
        let done = self.done.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(callback) = &self.callback {
            let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
            if reported.is_some_and(|last| last >= done) {
                return;
            }
            *reported = Some(done);
            callback(Progress {
                done: done.min(self.total),
                total: self.total,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_only_grow_whatever_the_order_workers_finish_in() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let reporter = Arc::new(Reporter::new(
            Some(progress_fn(move |p| log.lock().unwrap().push(p.done))),
            4000,
        ));
        reporter.start(0);
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let reporter = reporter.clone();
                std::thread::spawn(move || (0..100).for_each(|_| reporter.add(10)))
            })
            .collect();
        workers.into_iter().for_each(|w| w.join().unwrap());
        let seen = seen.lock().unwrap();
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!((seen[0], *seen.last().unwrap()), (0, 4000));
    }
}
