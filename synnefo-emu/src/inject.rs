//! A log of the requests served, and faults injected for tests of the wire
//! format and of client resilience: planned ones (`fail_next`) and random
//! ones drawn from a seeded generator ([`FaultConfig`]): error statuses,
//! connections dropped before or in the middle of a reply, stalled replies,
//! and latency. Off by default.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::errors::ApiError;

/// How many requests the log keeps unless told otherwise (the oldest go
/// first).
pub const DEFAULT_LOG_CAPACITY: usize = 10_000;

/// A request as the emulator received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The method.
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The status answered (for an injected drop or stall: the status the
    /// reply started with).
    pub status: u16,
    /// The fault injected into this request, if any.
    pub injected: Option<Injected>,
}

impl LoggedRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A fault the emulator injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Injected {
    /// Answered this status instead of serving the request.
    Status(u16),
    /// Dropped the connection without serving the request.
    ResetBefore,
    /// Served the request, then dropped the connection halfway through the
    /// reply's body.
    ResetMidBody,
    /// Served the request, then stalled the reply halfway for this long.
    Stall(Duration),
}

/// Random faults, each drawn per request with its rate (0.0 to 1.0) from a
/// generator seeded with `seed`, so that a run can be repeated.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// The seed of the generator.
    pub seed: u64,
    /// Share of requests answered with one of `error_statuses`.
    pub error_rate: f64,
    /// The statuses errors are drawn from (default 500, 502, 503).
    pub error_statuses: Vec<u16>,
    /// Share of requests whose connection is dropped before they are served.
    pub reset_rate: f64,
    /// Share of requests served and then cut halfway through the reply body.
    pub mid_body_reset_rate: f64,
    /// Share of requests whose reply stalls halfway.
    pub stall_rate: f64,
    /// How long a stall lasts.
    pub stall: Duration,
    /// Added before every request is served.
    pub latency: Duration,
    /// Only requests whose path contains this are touched (all if `None`).
    pub path_contains: Option<String>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            seed: 0,
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            reset_rate: 0.0,
            mid_body_reset_rate: 0.0,
            stall_rate: 0.0,
            stall: Duration::from_secs(30),
            latency: Duration::ZERO,
            path_contains: None,
        }
    }
}

impl FaultConfig {
    /// Whether any fault is switched on.
    pub fn is_active(&self) -> bool {
        self.error_rate > 0.0
            || self.reset_rate > 0.0
            || self.mid_body_reset_rate > 0.0
            || self.stall_rate > 0.0
            || !self.latency.is_zero()
    }
}

/// Faults planned for the next requests.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Planned {
    remaining: u32,
    fault: Injected,
    path_contains: Option<String>,
}

#[derive(Debug)]
struct Random {
    config: FaultConfig,
    rng: fastrand::Rng,
}

/// The request log and the faults to inject.
#[derive(Debug)]
pub struct Injector {
    log: Mutex<VecDeque<LoggedRequest>>,
    /// How many requests the log keeps.
    log_capacity: AtomicUsize,
    /// Requests being handled now, and the most seen at once.
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    /// Requests received since the start.
    received: AtomicUsize,
    planned: Mutex<Option<Planned>>,
    random: Mutex<Option<Random>>,
}

impl Default for Injector {
    fn default() -> Self {
        Injector {
            log: Mutex::default(),
            log_capacity: AtomicUsize::new(DEFAULT_LOG_CAPACITY),
            in_flight: AtomicUsize::default(),
            peak_in_flight: AtomicUsize::default(),
            received: AtomicUsize::default(),
            planned: Mutex::default(),
            random: Mutex::default(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Injector {
    /// Answers the next `count` requests (whose path contains `path_contains`,
    /// if given) with `status` and a Synnefo fault body.
    pub fn fail_next(&self, count: u32, status: u16, path_contains: Option<&str>) {
        self.plan(count, Injected::Status(status), path_contains);
    }

    /// Injects `fault` into the next `count` requests whose path contains
    /// `path_contains` (every request if `None`).
    pub fn plan(&self, count: u32, fault: Injected, path_contains: Option<&str>) {
        *lock(&self.planned) = Some(Planned {
            remaining: count,
            fault,
            path_contains: path_contains.map(str::to_string),
        });
    }

    /// Switches random faults on (or off, with `None`).
    pub fn set_random(&self, config: Option<FaultConfig>) {
        *lock(&self.random) = config.filter(FaultConfig::is_active).map(|config| Random {
            rng: fastrand::Rng::with_seed(config.seed),
            config,
        });
    }

    /// The requests served so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Forgets the requests served so far.
    pub fn clear(&self) {
        lock(&self.log).clear();
    }

    /// The most requests handled at once since the start or the last
    /// [`Injector::reset_peak_in_flight`] (clients' concurrency bounds are
    /// observed through it).
    pub fn peak_in_flight(&self) -> usize {
        self.peak_in_flight.load(Ordering::SeqCst)
    }

    /// The requests being handled now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Starts counting the peak again from the requests in flight now.
    pub fn reset_peak_in_flight(&self) {
        self.peak_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// How many requests were received since the start.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::Relaxed)
    }

    fn enter(&self) -> InFlight<'_> {
        self.received.fetch_add(1, Ordering::Relaxed);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }

    /// The fault for a request, and the latency to add.
    fn decide(&self, path: &str) -> (Option<Injected>, Duration) {
        {
            let mut planned = lock(&self.planned);
            if let Some(plan) = planned.as_mut() {
                let applies = plan.remaining > 0
                    && plan
                        .path_contains
                        .as_deref()
                        .is_none_or(|p| path.contains(p));
                if applies {
                    plan.remaining -= 1;
                    return (Some(plan.fault), Duration::ZERO);
                }
            }
        }
        let mut random = lock(&self.random);
        let Some(random) = random.as_mut() else {
            return (None, Duration::ZERO);
        };
        let config = &random.config;
        if config
            .path_contains
            .as_deref()
            .is_some_and(|p| !path.contains(p))
        {
            return (None, Duration::ZERO);
        }
        let latency = config.latency;
        // One draw per request, partitioned among the faults.
        let draw = random.rng.f64();
        let mut threshold = config.error_rate;
        let fault = if draw < threshold {
            let statuses = &config.error_statuses;
            let status = match statuses.len() {
                0 => 503,
                n => statuses[random.rng.usize(..n)],
            };
            Some(Injected::Status(status))
        } else if draw < {
            threshold += config.reset_rate;
            threshold
        } {
            Some(Injected::ResetBefore)
        } else if draw < {
            threshold += config.mid_body_reset_rate;
            threshold
        } {
            Some(Injected::ResetMidBody)
        } else if draw < threshold + config.stall_rate {
            Some(Injected::Stall(config.stall))
        } else {
            None
        };
        (fault, latency)
    }

    /// Keeps the last `capacity` requests from now on (none: no log).
    pub fn set_log_capacity(&self, capacity: usize) {
        self.log_capacity.store(capacity, Ordering::Relaxed);
        let mut log = lock(&self.log);
        while log.len() > capacity {
            log.pop_front();
        }
        if capacity == 0 {
            *log = VecDeque::new();
        }
    }

    fn record(&self, entry: LoggedRequest) {
        let capacity = self.log_capacity.load(Ordering::Relaxed);
        if capacity == 0 {
            return;
        }
        let mut log = lock(&self.log);
        while log.len() >= capacity {
            log.pop_front();
        }
        log.push_back(entry);
    }
}

/// The Synnefo name of an error status.
fn fault_name(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        409 => "conflict",
        413 => "overLimit",
        500 => "internalServerError",
        501 => "notImplemented",
        502 => "badGateway",
        503 => "serviceUnavailable",
        504 => "gatewayTimeout",
        _ => "computeFault",
    }
}

/// The length a reply declares, if any: its `Content-Length`, or else the
/// exact size of its body (JSON replies get their header from the server
/// only when sent).
fn declared_length(response: &Response) -> Option<u64> {
    use axum::body::HttpBody;
    response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .or_else(|| response.body().size_hint().exact())
}

/// A reply whose connection drops before any byte of its body: the client
/// is promised one byte that never comes.
fn dropped_reply() -> Response {
    let body = Body::from_stream(futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected reset",
        ))
    }));
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_LENGTH, 1.into());
    response
}

/// Drops the connection being served: the task serving it unwinds (without
/// the panic hook's message) and the server closes the socket, as a server
/// that crashed would. Only for replies without a body to cut (HEAD).
fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("injected connection reset"))
}

/// Sends the first half of the reply's body, then drops the connection (or
/// stalls for `stall` and then sends the rest).
fn cut_reply(response: Response, stall: Option<Duration>) -> Response {
    let Some(length) = declared_length(&response).filter(|l| *l > 0) else {
        // Nothing to cut halfway: drop the connection instead.
        return dropped_reply();
    };
    let (parts, body) = response.into_parts();
    let half = length / 2;
    let mut sent = 0u64;
    let mut chunks = body.into_data_stream();
    let stream = async_stream(move |tx| async move {
        while let Some(chunk) = chunks.next().await {
            let Ok(mut chunk) = chunk else { return };
            if sent < half && sent + chunk.len() as u64 >= half {
                let keep = (half - sent) as usize;
                let rest = chunk.split_off(keep);
                sent += keep as u64;
                if tx.send(Ok(chunk)).await.is_err() {
                    return;
                }
                match stall {
                    Some(pause) => {
                        tokio::time::sleep(pause).await;
                        sent += rest.len() as u64;
                        if tx.send(Ok(rest)).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        let _ = tx
                            .send(Err(std::io::Error::new(
                                std::io::ErrorKind::ConnectionReset,
                                "injected reset",
                            )))
                            .await;
                        return;
                    }
                }
            } else {
                sent += chunk.len() as u64;
                if tx.send(Ok(chunk)).await.is_err() {
                    return;
                }
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// A stream fed by a task through a small channel.
fn async_stream<F, Fut>(
    producer: F,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(producer(tx));
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// A request being handled, counted until dropped.
struct InFlight<'a>(&'a Injector);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The middleware: logs each request and injects the faults decided for it.
pub async fn middleware(
    State(injector): State<std::sync::Arc<Injector>>,
    request: Request,
    next: Next,
) -> Response {
    let _counted = injector.enter();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let headers = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let (injected, latency) = injector.decide(&path);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let is_head = request.method() == axum::http::Method::HEAD;
    if is_head {
        // A reply to HEAD has no body to break: a stall holds the headers
        // back, a reset drops the connection before them.
        match injected {
            Some(Injected::Stall(pause)) => tokio::time::sleep(pause).await,
            Some(Injected::ResetBefore | Injected::ResetMidBody) => {
                injector.record(LoggedRequest {
                    method,
                    path,
                    query,
                    headers,
                    status: 200,
                    injected,
                });
                drop_connection();
            }
            _ => {}
        }
    }
    let response = match injected {
        None => next.run(request).await,
        Some(Injected::Status(status)) => {
            ApiError::new(fault_name(status), status, "Injected fault").into_response()
        }
        Some(Injected::ResetBefore) => dropped_reply(),
        Some(Injected::ResetMidBody | Injected::Stall(_)) if is_head => next.run(request).await,
        Some(Injected::ResetMidBody) => cut_reply(next.run(request).await, None),
        Some(Injected::Stall(pause)) => cut_reply(next.run(request).await, Some(pause)),
    };
    injector.record(LoggedRequest {
        method,
        path,
        query,
        headers,
        status: response.status().as_u16(),
        injected,
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_faults_are_repeatable_with_a_seed() {
        let draw = |seed| {
            let injector = Injector::default();
            injector.set_random(Some(FaultConfig {
                seed,
                error_rate: 0.2,
                reset_rate: 0.1,
                mid_body_reset_rate: 0.1,
                ..FaultConfig::default()
            }));
            (0..200)
                .map(|_| injector.decide("/x").0)
                .collect::<Vec<_>>()
        };
        let first = draw(7);
        assert_eq!(first, draw(7));
        assert_ne!(first, draw(8));
        let errors = first
            .iter()
            .filter(|f| matches!(f, Some(Injected::Status(_))))
            .count();
        assert!((20..=60).contains(&errors), "about 20% of 200: {errors}");
        assert!(first.contains(&Some(Injected::ResetBefore)));
        assert!(first.contains(&Some(Injected::ResetMidBody)));
        assert!(first.iter().any(Option::is_none));
    }

    #[test]
    fn planned_faults_come_first_and_respect_the_path() {
        let injector = Injector::default();
        injector.plan(2, Injected::ResetBefore, Some("/objects"));
        assert_eq!(injector.decide("/other").0, None);
        assert_eq!(injector.decide("/objects/a").0, Some(Injected::ResetBefore));
        assert_eq!(injector.decide("/objects/b").0, Some(Injected::ResetBefore));
        assert_eq!(injector.decide("/objects/c").0, None);
    }

    #[test]
    fn inactive_configs_switch_faults_off() {
        let injector = Injector::default();
        injector.set_random(Some(FaultConfig::default()));
        assert!(injector.random.lock().unwrap().is_none());
    }
}
