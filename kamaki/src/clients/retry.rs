//! Retries, in one place (as object_store keeps its `retry.rs`): which
//! requests may be tried again and on what, how long to wait between tries
//! (exponential backoff with jitter, or the server's `Retry-After`), and the
//! loop that runs the attempts within the whole operation's time bound.
//! `request.rs` builds a request and makes one attempt; service modules only
//! say whether a request is idempotent.

use std::future::Future;
use std::time::Duration;

use http::header::{HeaderMap, RETRY_AFTER};
use http::Method;

use crate::clients::{ClientError, Result};

/// When and how often a failed request is tried again.
///
/// Only idempotent requests are retried (GET, HEAD, PUT, DELETE, COPY, and
/// requests marked idempotent), and only on a connection error, a timeout,
/// or a 408/429/500/502/503/504 answer. The wait before retry `n` (from 0) is a random
/// duration between half and all of `initial_backoff * 2^n`, capped at
/// `max_backoff`; a `Retry-After` answer header is honoured up to
/// `max_backoff`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// The base of the exponential backoff.
    pub initial_backoff: Duration,
    /// The longest single wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `attempt` (0 for the first retry).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(20));
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = full / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// What one attempt came to.
pub(crate) enum Attempt<T> {
    /// Nothing more to try: the reply, or an error no retry would mend.
    Final(Result<T>),
    /// A status worth trying again (503 ...): the server's `Retry-After`,
    /// and the error to give if no retry is left.
    Status {
        retry_after: Option<Duration>,
        error: ClientError,
    },
    /// The connection failed or timed out; `before_send` when nothing was
    /// sent (a connection never made), which any request may retry.
    Broken {
        before_send: bool,
        error: ClientError,
    },
}

/// Whether a method may be sent twice without harm.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        method.as_str(),
        "GET" | "HEAD" | "PUT" | "DELETE" | "COPY" | "OPTIONS"
    )
}

/// Whether an answer with this status may be tried again.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Synnefo).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// Runs `attempt` until it gives a final answer or `policy` allows no more
/// tries, all within `total` (the attempts and the waits between them;
/// `Timeout` naming `url` past it). `label` names the request in the
/// debug log of each retry.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    idempotent: bool,
    total: Option<Duration>,
    url: &str,
    label: &str,
    mut attempt: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let deadline = total.map(|total| (tokio::time::Instant::now() + total, total));
    let time_left_for =
        |wait: Duration| deadline.is_none_or(|(at, _)| tokio::time::Instant::now() + wait < at);
    let mut tries = 0u32;
    loop {
        let outcome = match deadline {
            None => attempt().await,
            Some((at, total)) => match tokio::time::timeout_at(at, attempt()).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    return Err(ClientError::Timeout {
                        url: url.to_string(),
                        after: Some(total),
                    })
                }
            },
        };
        let retry_left = tries < policy.max_retries;
        let (wait, error) = match outcome {
            Attempt::Final(result) => return result,
            Attempt::Status { retry_after, error } => {
                let wait = retry_after
                    .map(|d| d.min(policy.max_backoff))
                    .unwrap_or_else(|| policy.backoff(tries));
                (idempotent.then_some(wait), error)
            }
            Attempt::Broken { before_send, error } => {
                // A connection never made sent nothing: safe to retry
                // whatever the method.
                let wait = policy.backoff(tries);
                ((idempotent || before_send).then_some(wait), error)
            }
        };
        match wait {
            Some(wait) if retry_left && time_left_for(wait) => {
                tracing::debug!(target: "kamaki::clients", ?wait, error = %error, "retrying {label}");
                tokio::time::sleep(wait).await;
                tries += 1;
            }
            _ => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HeaderValue;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let policy = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        };
        for attempt in 0..12 {
            let full =
                (Duration::from_millis(100) * 2u32.pow(attempt.min(20))).min(policy.max_backoff);
            let wait = policy.backoff(attempt);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
        assert!(policy.backoff(u32::MAX) <= Duration::from_secs(1));
    }

    #[test]
    fn retry_after_is_parsed_and_bounded() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1e9"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3600)));
        for bad in ["-1", "NaN", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(bad));
            assert_eq!(retry_after(&headers), None, "{bad}");
        }
    }

    #[test]
    fn idempotency_by_method() {
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::PUT));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::from_bytes(b"MOVE").unwrap()));
        assert!(is_idempotent(&Method::from_bytes(b"COPY").unwrap()));
    }

    fn quick(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        }
    }

    fn unavailable() -> Attempt<u16> {
        Attempt::Status {
            retry_after: None,
            error: ClientError::Http {
                status: 503,
                reason: "Service Unavailable".into(),
                kind: None,
                message: "busy".into(),
                details: vec![],
                request: "GET /".into(),
            },
        }
    }

    #[tokio::test]
    async fn statuses_are_retried_for_idempotent_requests_only() {
        let tries = AtomicU32::new(0);
        let answer = run(&quick(3), true, None, "u", "GET u", || async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => unavailable(),
                _ => Attempt::Final(Ok(200)),
            }
        })
        .await;
        assert_eq!((answer.unwrap(), tries.load(Ordering::SeqCst)), (200, 3));

        let tries = AtomicU32::new(0);
        let err = run(&quick(3), false, None, "u", "POST u", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            unavailable()
        })
        .await
        .unwrap_err();
        assert_eq!((err.status(), tries.load(Ordering::SeqCst)), (503, 1));

        let tries = AtomicU32::new(0);
        let err = run(&quick(2), true, None, "u", "GET u", || async {
            tries.fetch_add(1, Ordering::SeqCst);
            unavailable()
        })
        .await
        .unwrap_err();
        assert_eq!((err.status(), tries.load(Ordering::SeqCst)), (503, 3));
    }

    #[tokio::test]
    async fn a_connection_never_made_is_retried_whatever_the_method() {
        let tries = AtomicU32::new(0);
        let broken = |before_send| Attempt::<u16>::Broken {
            before_send,
            error: ClientError::Transport {
                url: "u".into(),
                message: "refused".into(),
            },
        };
        let answer = run(&quick(3), false, None, "u", "POST u", || async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 => broken(true),
                _ => Attempt::Final(Ok(201)),
            }
        })
        .await;
        assert_eq!(answer.unwrap(), 201);
        let err = run(&quick(3), false, None, "u", "POST u", || async {
            broken(false)
        })
        .await
        .unwrap_err();
        assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn the_total_bound_covers_attempts_and_waits() {
        let tries = AtomicU32::new(0);
        let err = run(
            &quick(1000),
            true,
            Some(Duration::from_millis(50)),
            "http://h/x",
            "GET x",
            || async {
                tries.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                unavailable()
            },
        )
        .await
        .unwrap_err();
        // Each try takes at least 5 ms: far fewer than the 1000 allowed fit.
        assert!(
            tries.load(Ordering::SeqCst) <= 11,
            "{}",
            tries.load(Ordering::SeqCst)
        );
        assert!(
            matches!(&err, ClientError::Timeout { after: Some(d), .. } if *d == Duration::from_millis(50))
                || err.status() == 503,
            "{err:?}"
        );
    }
}
