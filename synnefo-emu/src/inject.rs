//! A log of the requests served and faults injected on demand, for tests of
//! the wire format and of client resilience.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::Fault;
use crate::state::SharedState;

/// How many requests the log keeps (the oldest go first).
const LOG_CAPACITY: usize = 10_000;

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
    /// The status answered.
    pub status: u16,
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

/// Faults planned for the next requests.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Planned {
    remaining: u32,
    status: u16,
    path_contains: Option<String>,
}

/// The request log and the planned faults.
#[derive(Debug, Default)]
pub struct Injector {
    log: Mutex<VecDeque<LoggedRequest>>,
    planned: Mutex<Option<Planned>>,
}

impl Injector {
    /// Answers the next `count` requests (whose path contains `path_contains`,
    /// if given) with `status` and a Synnefo fault body.
    pub fn fail_next(&self, count: u32, status: u16, path_contains: Option<&str>) {
        *self.planned.lock().unwrap_or_else(|e| e.into_inner()) = Some(Planned {
            remaining: count,
            status,
            path_contains: path_contains.map(str::to_string),
        });
    }

    /// The requests served so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets the requests served so far.
    pub fn clear(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn take_fault(&self, path: &str) -> Option<u16> {
        let mut planned = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        let plan = planned.as_mut()?;
        if plan.remaining == 0
            || plan
                .path_contains
                .as_deref()
                .is_some_and(|p| !path.contains(p))
        {
            return None;
        }
        plan.remaining -= 1;
        Some(plan.status)
    }

    fn record(&self, entry: LoggedRequest) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }
}

/// The middleware: logs each request and answers planned faults.
pub async fn middleware(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
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
    let response = match state.injector.take_fault(&path) {
        Some(status) => Fault::new("serviceUnavailable", status, "Injected fault").into_response(),
        None => next.run(request).await,
    };
    state.injector.record(LoggedRequest {
        method,
        path,
        query,
        headers,
        status: response.status().as_u16(),
    });
    response
}
