//! A tiny scripted HTTP server for wire-format tests: it records every
//! request (method, path, query, JSON body) and answers what the test's
//! closure says.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;
use tokio::sync::oneshot;

/// A request as the stub saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub body: Option<Value>,
}

impl Seen {
    /// `"GET /path?query"`.
    pub fn line(&self) -> String {
        match &self.query {
            Some(q) => format!("{} {}?{}", self.method, self.path, q),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// What the stub answers: a status, a body, and headers.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

/// A JSON reply.
pub fn json(status: u16, body: Value) -> Reply {
    Reply {
        status,
        body: body.to_string(),
        headers: vec![("content-type", "application/json".into())],
    }
}

/// An empty reply.
pub fn empty(status: u16) -> Reply {
    Reply {
        status,
        body: String::new(),
        headers: vec![],
    }
}

type Responder = dyn Fn(&Seen) -> Reply + Send + Sync;

struct Inner {
    log: Mutex<Vec<Seen>>,
    respond: Box<Responder>,
}

pub struct Stub {
    base: String,
    inner: Arc<Inner>,
    _stop: oneshot::Sender<()>,
}

impl Stub {
    pub async fn start(respond: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Stub {
        let inner = Arc::new(Inner {
            log: Mutex::new(Vec::new()),
            respond: Box::new(respond),
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Stub {
            base,
            inner,
            _stop: tx,
        }
    }

    /// The URL of `path` on the stub, e.g. `url("/compute/v2.0")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.inner.log.lock().unwrap().clone()
    }

    pub fn last(&self) -> Seen {
        self.requests().pop().expect("no request reached the stub")
    }

    pub fn clear(&self) {
        self.inner.log.lock().unwrap().clear();
    }
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        body: if body.is_empty() {
            None
        } else {
            Some(
                serde_json::from_slice(&body)
                    .unwrap_or(Value::String(String::from_utf8_lossy(&body).into_owned())),
            )
        },
    };
    inner.log.lock().unwrap().push(seen.clone());
    let reply = (inner.respond)(&seen);
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}
