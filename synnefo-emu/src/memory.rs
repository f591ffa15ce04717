//! Memory given back after work: once a burst of requests is over, the
//! pages the allocator holds free are returned to the system, so that the
//! emulator's RSS follows what it keeps (its namespace), not what the
//! requests allocated and freed on the way (glibc keeps freed memory in
//! per-thread arenas and gives back only what sits at the top of each
//! heap). Only on Linux with glibc, where `malloc_trim` exists.

use std::sync::Arc;
use std::time::Duration;

use crate::state::AppState;

/// How often the emulator looks whether a burst of requests is over.
const QUIET_CHECK: Duration = Duration::from_secs(2);

/// Watches `state` in the background: after requests were served and
/// none is in flight, the allocator's free pages are given back.
pub fn give_back_after_bursts(state: &Arc<AppState>) {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        // Nothing to give back with: no watch.
        return;
    }
    let state = Arc::downgrade(state);
    tokio::spawn(async move {
        let mut trimmed_at = 0usize;
        let mut ticks = tokio::time::interval(QUIET_CHECK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(state) = state.upgrade() else {
                return;
            };
            let received = state.injector.received();
            if received == trimmed_at || state.injector.in_flight() > 0 {
                continue;
            }
            trimmed_at = received;
            drop(state);
            // The walk of the free lists takes the allocator's locks for
            // some milliseconds: off the async workers.
            let _ = tokio::task::spawn_blocking(trim).await;
        }
    });
}

/// Returns the allocator's free pages to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; any
    // thread may call it at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Returns the allocator's free pages to the system (nothing to do here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() {}
