//! The generic poller behind every `wait_*` helper (kamaki's `wait`).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::clients::Result;

/// How often to poll and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    /// The pause between two polls (kamaki: 1 s).
    pub delay: Duration,
    /// The longest the wait may last (kamaki: 100 s).
    pub timeout: Duration,
    /// With a backoff, the pause starts at `delay` and doubles after each
    /// poll up to this (quick actions are seen quickly, long ones polled
    /// gently); `None` keeps it at `delay`.
    pub max_delay: Option<Duration>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            delay: Duration::from_secs(1),
            timeout: Duration::from_secs(100),
            max_delay: None,
        }
    }
}

impl WaitOptions {
    /// Options with this delay and timeout.
    pub fn new(delay: Duration, timeout: Duration) -> Self {
        WaitOptions {
            delay,
            timeout,
            max_delay: None,
        }
    }

    /// These options with a pause that doubles after each poll, from
    /// `delay` up to `max_delay`.
    pub fn backoff(self, max_delay: Duration) -> Self {
        WaitOptions {
            max_delay: Some(max_delay),
            ..self
        }
    }
}

/// Polls with `poll` until `stop` accepts what it returns or the timeout
/// runs out, calling `progress` after every poll, and returns the last thing
/// polled (as kamaki, a timeout is no error: the caller looks at what came
/// back). The first poll happens at once; there is no pause after the last.
/// An error of `poll` ends the wait.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kamaki::clients::Result<()> {
/// use std::time::Duration;
/// use kamaki::clients::wait::{wait, WaitOptions};
/// let mut n = 0;
/// let options = WaitOptions::new(Duration::from_millis(1), Duration::from_secs(5));
/// let last = wait(|| { n += 1; let v = n; async move { Ok(v) } }, |v| *v == 3, options, |_| {}).await?;
/// assert_eq!(last, 3);
/// # Ok(()) }
/// ```
pub async fn wait<T, P, F, S, C>(
    mut poll: P,
    stop: S,
    options: WaitOptions,
    mut progress: C,
) -> Result<T>
where
    P: FnMut() -> F,
    F: Future<Output = Result<T>>,
    S: Fn(&T) -> bool,
    C: FnMut(&T),
{
    let deadline = Instant::now() + options.timeout;
    let mut delay = options.delay;
    loop {
        let details = poll().await?;
        progress(&details);
        if stop(&details) || Instant::now() + delay >= deadline {
            return Ok(details);
        }
        tokio::time::sleep(delay).await;
        if let Some(max) = options.max_delay {
            delay = delay.saturating_mul(2).min(max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::ClientError;

    fn opts(delay_ms: u64, timeout_ms: u64) -> WaitOptions {
        WaitOptions::new(
            Duration::from_millis(delay_ms),
            Duration::from_millis(timeout_ms),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn stops_when_the_condition_holds() {
        let mut polls = 0;
        let mut seen = Vec::new();
        let last = wait(
            || {
                polls += 1;
                let status = if polls < 4 { "BUILD" } else { "ACTIVE" };
                async move { Ok(status) }
            },
            |s| *s == "ACTIVE",
            opts(1000, 100_000),
            |s| seen.push(*s),
        )
        .await
        .unwrap();
        assert_eq!(last, "ACTIVE");
        assert_eq!(seen, vec!["BUILD", "BUILD", "BUILD", "ACTIVE"]);
    }

    #[tokio::test(start_paused = true)]
    async fn timeout_returns_the_last_details() {
        let started = Instant::now();
        let mut polls = 0u32;
        let last = wait(
            || {
                polls += 1;
                let p = polls;
                async move { Ok(p) }
            },
            |_| false,
            opts(1000, 5000),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(last, 5, "polls at 0..4 s, none after the 5 s deadline");
        assert!(started.elapsed() <= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_the_pause_up_to_the_limit() {
        let started = Instant::now();
        let mut polls = 0u32;
        let mut seen = Vec::new();
        let options = opts(100, 10_000).backoff(Duration::from_millis(400));
        wait(
            || {
                polls += 1;
                let n = polls;
                async move { Ok(n) }
            },
            |n| *n == 6,
            options,
            |_| seen.push(started.elapsed().as_millis()),
        )
        .await
        .unwrap();
        assert_eq!(seen, vec![0, 100, 300, 700, 1100, 1500]);
    }

    #[tokio::test(start_paused = true)]
    async fn poll_errors_end_the_wait() {
        let err = wait(
            || async { Err::<u8, _>(ClientError::Config("boom".into())) },
            |_| false,
            opts(10, 1000),
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("boom"));
    }
}
