//! One HTTP exchange: building the request, sending it with retries, logging
//! it with the token redacted, and checking the answer's status.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clients::retry::{self, is_idempotent, is_retryable_status, retry_after, Attempt};
use crate::clients::utils::{encode_path, path4url, query_string};
use crate::clients::{Client, ClientError, Result, Token};

/// The header that carries the token.
pub const AUTH_HEADER: &str = "X-Auth-Token";

/// The largest reply body read into memory unless a request allows more.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 << 20;

/// The most a reply's buffer is sized to before its bytes arrive (a Pithos
/// block is 4 MiB).
const PREALLOCATION_LIMIT: usize = 8 << 20;

/// A request being built; [`RequestBuilder::send`] performs it.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'a> {
    client: &'a Client,
    method: Method,
    path: String,
    query: Vec<(String, Option<String>)>,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
    json: bool,
    success: Vec<u16>,
    idempotent: Option<bool>,
    token: Option<Token>,
    max_response_bytes: usize,
    verbatim_path: bool,
    error: Option<ClientError>,
    secrets: Vec<String>,
    chunks: bool,
}

impl<'a> RequestBuilder<'a> {
    pub(crate) fn new(client: &'a Client, method: Method, path: &str) -> Self {
        RequestBuilder {
            client,
            method,
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            json: false,
            success: vec![200],
            idempotent: None,
            token: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            verbatim_path: false,
            error: None,
            secrets: Vec::new(),
            chunks: false,
        }
    }

    /// Adds `key=value` to the query string.
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_string(), Some(value.to_string())));
        self
    }

    /// Adds `key=value` when `value` is `Some`.
    pub fn query_opt(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(key, value),
            None => self,
        }
    }

    /// Adds a bare `key` (e.g. `?update`) to the query string.
    pub fn flag(mut self, key: &str) -> Self {
        self.query.push((key.to_string(), None));
        self
    }

    /// Adds a bare `key` when `on`.
    pub fn flag_if(self, key: &str, on: bool) -> Self {
        if on {
            self.flag(key)
        } else {
            self
        }
    }

    /// Sets a request header.
    pub fn header(mut self, name: &str, value: impl ToString) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets a request header when `value` is `Some`.
    pub fn header_opt(self, name: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    /// Sends `value` as a JSON body (`Content-Type: application/json` unless
    /// a content type was set).
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => {
                self.body = Some(Bytes::from(body));
                self.json = true;
            }
            Err(e) => {
                self.error = Some(ClientError::InvalidRequest(format!(
                    "cannot encode JSON body: {e}"
                )))
            }
        }
        self
    }

    /// Sends raw bytes as the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self.json = false;
        self
    }

    /// The statuses that mean success (default: 200 only).
    pub fn success(mut self, statuses: &[u16]) -> Self {
        self.success = statuses.to_vec();
        self
    }

    /// Whether the request may be retried: by default GET, HEAD, PUT, DELETE,
    /// COPY and OPTIONS are; POST and MOVE are not.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Sends this token instead of the client's.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The largest reply body accepted (default 64 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Marks a secret the request carries in its path or query (e.g. the
    /// token `validate_token` checks): logs and errors show `...` instead,
    /// as they do for the client's own token.
    pub fn secret(mut self, secret: &str) -> Self {
        if !secret.is_empty() {
            self.secrets.push(secret.to_string());
        }
        self
    }

    /// Takes the path exactly as given (percent-encoded, with one `/` put in
    /// front if missing) instead of normalising it as [`path4url`] does:
    /// Pithos object names may end in `/` or hold `//`, and must reach the
    /// server unchanged.
    pub fn verbatim_path(mut self) -> Self {
        self.verbatim_path = true;
        self
    }

    /// Keeps a successful reply's body as the pieces it arrived in
    /// ([`Response::into_chunks`]) instead of copying them into one buffer:
    /// a block is then hashed and written straight from what the
    /// connection received.
    pub(crate) fn receive_chunks(mut self) -> Self {
        self.chunks = true;
        self
    }

    /// Sends the request, retrying as the client's [`RetryPolicy`] allows,
    /// and returns the reply if its status is one of the success statuses.
    ///
    /// [`RetryPolicy`]: crate::clients::RetryPolicy
    pub async fn send(self) -> Result<Response> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let inner = &self.client.inner;
        let token = self.token.as_ref().or(inner.token.as_ref());
        let url = if self.verbatim_path {
            self.client.url_for_verbatim(&self.path, &self.query)
        } else {
            self.client.url_for(&self.path, &self.query)
        };
        let headers = self.header_map(token)?;
        let idempotent = self
            .idempotent
            .unwrap_or_else(|| is_idempotent(&self.method));
        let secret = token.map(Token::expose).filter(|t| !t.is_empty());
        // What logs and errors show: the URL with the token cut out (some
        // calls, e.g. validate_token, carry a token in the path).
        let shown = if inner.log_token {
            url.clone()
        } else {
            let encoded: Vec<String> = self
                .secrets
                .iter()
                .map(|s| crate::clients::utils::encode_query_part(s))
                .collect();
            let all: Vec<&str> = secret
                .into_iter()
                .chain(self.secrets.iter().map(String::as_str))
                .chain(encoded.iter().map(String::as_str))
                .collect();
            redact_url(&url, &all)
        };
        let label = format!("{} {}", self.method, shown);
        retry::run(
            &inner.retry,
            idempotent,
            inner.total_timeout,
            &shown,
            &label,
            || self.attempt_logged(&url, &shown, &headers, &label, secret),
        )
        .await
    }

    /// One attempt, logged, and what it came to.
    async fn attempt_logged(
        &self,
        url: &str,
        shown: &str,
        headers: &HeaderMap,
        label: &str,
        secret: Option<&str>,
    ) -> Attempt<Response> {
        let inner = &self.client.inner;
        let secrets: Vec<&str> = if inner.log_token {
            Vec::new()
        } else {
            secret
                .into_iter()
                .chain(self.secrets.iter().map(String::as_str))
                .collect()
        };
        log_request(
            &self.method,
            shown,
            headers,
            self.body.as_ref(),
            inner.log_token,
            &secrets,
        );
        let started = Instant::now();
        let outcome = self.attempt(url, shown, headers).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(reply) => {
                tracing::debug!(
                    target: "kamaki::clients::recv",
                    method = %self.method,
                    url = %shown,
                    status = reply.status,
                    elapsed_ms,
                    bytes = reply.body_len(),
                    "{} {} -> {}",
                    self.method,
                    shown,
                    reply.status
                );
                if tracing::enabled!(target: "kamaki::clients::data", tracing::Level::TRACE) {
                    let headers: Vec<String> = reply
                        .headers
                        .iter()
                        .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v.as_bytes())))
                        .collect();
                    tracing::trace!(target: "kamaki::clients::data", "reply headers: {}", headers.join(", "));
                    if !reply.body.is_empty() {
                        tracing::trace!(target: "kamaki::clients::data", "reply body: {}", shown_body(&reply.body, &secrets));
                    }
                }
                if self.success.contains(&reply.status) {
                    return Attempt::Final(Ok(reply));
                }
                let error = ClientError::from_http_reply(
                    reply.status,
                    &reply.body,
                    label.to_string(),
                    secret,
                );
                if is_retryable_status(reply.status) {
                    Attempt::Status {
                        retry_after: retry_after(&reply.headers),
                        error,
                    }
                } else {
                    Attempt::Final(Err(error))
                }
            }
            Err(failure) => {
                tracing::debug!(
                    target: "kamaki::clients::recv",
                    method = %self.method,
                    url = %shown,
                    elapsed_ms,
                    error = %failure.error,
                    "{} {} failed",
                    self.method,
                    shown
                );
                if failure.retryable {
                    Attempt::Broken {
                        before_send: failure.before_send,
                        error: failure.error,
                    }
                } else {
                    Attempt::Final(Err(failure.error))
                }
            }
        }
    }

    /// Sends the request and decodes a JSON reply.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json()
    }

    fn header_map(&self, token: Option<&Token>) -> Result<HeaderMap> {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ClientError::InvalidRequest(format!("invalid header name {name:?}"))
            })?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                ClientError::InvalidRequest(format!(
                    "invalid value for header {name}: control characters are not allowed"
                ))
            })?;
            value.set_sensitive(is_credential(name.as_str()));
            map.insert(name, value);
        }
        if let Some(token) = token {
            let name = HeaderName::from_static("x-auth-token");
            if !map.contains_key(&name) {
                let mut value = HeaderValue::from_str(token.expose()).map_err(|_| {
                    ClientError::Config("the token holds characters not allowed in a header".into())
                })?;
                value.set_sensitive(true);
                map.insert(name, value);
            }
        }
        if self.json && !map.contains_key(CONTENT_TYPE) {
            map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        // An empty body is no body: hyper sends no length for it, and
        // Pithos answers 411 to a PUT or POST without one.
        if self.body.as_ref().is_none_or(|b| b.is_empty())
            && matches!(self.method, Method::POST | Method::PUT)
            && !map.contains_key(CONTENT_LENGTH)
        {
            map.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        Ok(map)
    }

    /// One try: `url` is sent, `shown` (the URL with the token cut out) is
    /// what errors name.
    async fn attempt(
        &self,
        url: &str,
        shown: &str,
        headers: &HeaderMap,
    ) -> std::result::Result<Response, Failure> {
        let inner = &self.client.inner;
        let mut request = inner
            .http
            .request(self.method.clone(), url)
            .headers(headers.clone());
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        if let Some(timeout) = inner.timeout {
            request = request.timeout(timeout);
        }
        let mut reply = request
            .send()
            .await
            .map_err(|e| Failure::from_reqwest(shown, e, inner.timeout.or(inner.read_timeout)))?;
        let status = reply.status().as_u16();
        let headers = std::mem::take(reply.headers_mut());
        if let Some(length) = reply.content_length() {
            if length > self.max_response_bytes as u64 {
                return Err(Failure::fatal(too_large(shown, self.max_response_bytes)));
            }
        }
        // Sized once from Content-Length: a multi-megabyte block is then
        // received without the buffer being regrown and copied. The length
        // is only the server's word: past PREALLOCATION_LIMIT the buffer
        // grows as bytes really arrive.
        let expected = reply.content_length().map_or(0, |n| {
            n.min(self.max_response_bytes as u64)
                .min(PREALLOCATION_LIMIT as u64) as usize
        });
        let keep_chunks = self.chunks && (200..300).contains(&status);
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut body = BytesMut::with_capacity(if keep_chunks { 0 } else { expected });
        let mut received = 0usize;
        loop {
            match reply.chunk().await {
                Ok(Some(chunk)) => {
                    received += chunk.len();
                    if received > self.max_response_bytes {
                        return Err(Failure::fatal(too_large(shown, self.max_response_bytes)));
                    }
                    if keep_chunks {
                        chunks.push(chunk);
                    } else {
                        body.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure::from_reqwest(
                        url,
                        e,
                        inner.timeout.or(inner.read_timeout),
                    ))
                }
            }
        }
        Ok(Response {
            status,
            headers,
            body: body.freeze(),
            chunks: keep_chunks.then_some(chunks),
            url: shown.to_string(),
        })
    }
}

fn too_large(url: &str, limit: usize) -> ClientError {
    ClientError::InvalidResponse {
        url: url.to_string(),
        message: format!("the reply is larger than the {limit} bytes accepted"),
    }
}

/// A failed attempt and whether it may be tried again.
struct Failure {
    error: ClientError,
    retryable: bool,
    before_send: bool,
}

impl Failure {
    fn fatal(error: ClientError) -> Self {
        Failure {
            error,
            retryable: false,
            before_send: false,
        }
    }

    fn from_reqwest(url: &str, error: reqwest::Error, timeout: Option<Duration>) -> Self {
        let message = error_chain(&error);
        if let Some(tls) = tls_cause(&error) {
            return Failure::fatal(ClientError::Tls {
                url: url.to_string(),
                message: tls,
            });
        }
        if error.is_timeout() {
            return Failure {
                error: ClientError::Timeout {
                    url: url.to_string(),
                    after: timeout,
                },
                retryable: true,
                before_send: error.is_connect(),
            };
        }
        if error.is_builder() {
            return Failure::fatal(ClientError::InvalidRequest(message));
        }
        Failure {
            error: ClientError::Transport {
                url: url.to_string(),
                message,
            },
            retryable: true,
            before_send: error.is_connect(),
        }
    }
}

/// The causes of an error, outermost first, without reqwest's own wrapper
/// (whose text repeats the URL).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(error.to_string());
    }
    parts.join(": ")
}

/// The rustls error behind a failure, if TLS is what failed.
fn tls_cause(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = next {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        // An io::Error hides the error it wraps from `source()`: look inside.
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
}

/// Whether a header carries credentials: the token, or the `Basic`
/// credentials of an OAuth2 client (`Authorization`).
fn is_credential(name: &str) -> bool {
    [AUTH_HEADER, "authorization", "proxy-authorization"]
        .iter()
        .any(|secret| name.eq_ignore_ascii_case(secret))
}

fn log_request(
    method: &Method,
    url: &str,
    headers: &HeaderMap,
    body: Option<&Bytes>,
    log_token: bool,
    secrets: &[&str],
) {
    if !tracing::enabled!(target: "kamaki::clients::send", tracing::Level::DEBUG) {
        return;
    }
    let shown: Vec<String> = headers
        .iter()
        .map(|(name, value)| {
            let value = if is_credential(name.as_str()) && !log_token {
                "...".into()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            format!("{name}: {value}")
        })
        .collect();
    tracing::debug!(
        target: "kamaki::clients::send",
        headers = %shown.join(", "),
        body_bytes = body.map_or(0, |b| b.len()),
        "{method} {url}"
    );
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        tracing::trace!(target: "kamaki::clients::data", "request body: {}", shown_body(body, secrets));
    }
}

/// The most of a body the trace shows.
const SHOWN_BODY_BYTES: usize = 4096;

/// A body as the trace shows it: text up to [`SHOWN_BODY_BYTES`] with every
/// secret cut out, or the size of binary data (blocks).
/// A URL with every path segment and query value that is one of `secrets`
/// shown as `...`. Whole parts only: a short token does not cut into other
/// words (`/tokens` stays `/tokens`).
fn redact_url(url: &str, secrets: &[&str]) -> String {
    let is_secret = |part: &str| !part.is_empty() && secrets.contains(&part);
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (url, None),
    };
    let mut shown: String = path
        .split('/')
        .map(|segment| if is_secret(segment) { "..." } else { segment })
        .collect::<Vec<_>>()
        .join("/");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) if is_secret(value) => format!("{key}=..."),
                _ if is_secret(pair) => "...".to_string(),
                _ => pair.to_string(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
}

fn shown_body(body: &[u8], secrets: &[&str]) -> String {
    let head = &body[..body.len().min(SHOWN_BODY_BYTES)];
    let text = match std::str::from_utf8(head) {
        Ok(text) if !text.contains('\0') => text.to_string(),
        // A cut multi-byte character at the end is still text.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        _ => return format!("<{} bytes of binary data>", body.len()),
    };
    let mut text = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text, |text, secret| text.replace(secret, "..."));
    if body.len() > SHOWN_BODY_BYTES {
        text.push_str(&format!(" ... ({} bytes in all)", body.len()));
    }
    text
}

/// A reply whose status was accepted, with its whole body.
#[derive(Clone, Debug)]
pub struct Response {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    /// The body as received, when asked for (then `body` is empty).
    chunks: Option<Vec<Bytes>>,
    url: String,
}

impl Response {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reply headers (names are case-insensitive).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header's value, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The headers as kamaki returns them: lower-case names to values.
    pub fn header_dict(&self) -> std::collections::BTreeMap<String, String> {
        self.headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect()
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, taken.
    pub fn into_body(self) -> Bytes {
        match self.chunks {
            Some(chunks) if chunks.len() == 1 => chunks.into_iter().next().unwrap_or_default(),
            Some(chunks) => chunks.concat().into(),
            None => self.body,
        }
    }

    /// The body in the pieces it arrived in, when the request asked to keep
    /// them, else in one piece.
    pub(crate) fn into_chunks(self) -> Vec<Bytes> {
        self.chunks.unwrap_or_else(|| vec![self.body])
    }

    /// The length of the body.
    pub fn body_len(&self) -> usize {
        match &self.chunks {
            Some(chunks) => chunks.iter().map(Bytes::len).sum(),
            None => self.body.len(),
        }
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The URL the reply came from.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The body decoded from JSON; a body that is not the JSON expected is an
    /// [`ClientError::InvalidResponse`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| ClientError::InvalidResponse {
            url: self.url.clone(),
            message: format!("unexpected JSON reply: {e}"),
        })
    }
}

impl Client {
    /// The full URL of `path` (joined as [`path4url`] does, percent-encoded)
    /// under the endpoint, with `query`.
    pub fn url_for(&self, path: &str, query: &[(String, Option<String>)]) -> String {
        let path = path4url(&[path]);
        let mut url = format!("{}{}", self.inner.endpoint_url, encode_path(&path));
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query_string(query));
        }
        url
    }

    /// The full URL of `path` taken as it is (see
    /// [`RequestBuilder::verbatim_path`]), percent-encoded, with `query`.
    pub fn url_for_verbatim(&self, path: &str, query: &[(String, Option<String>)]) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        let mut url = format!("{}{slash}{}", self.inner.endpoint_url, encode_path(path));
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query_string(query));
        }
        url
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn urls_lose_whole_secret_parts_only() {
        let url = "https://h/astakos/identity/v2.0/tokens/tok?belongsTo=tok&x=1";
        assert_eq!(
            redact_url(url, &["tok"]),
            "https://h/astakos/identity/v2.0/tokens/...?belongsTo=...&x=1"
        );
        assert_eq!(
            redact_url("https://h/a/tokens", &["tok"]),
            "https://h/a/tokens"
        );
        assert_eq!(
            redact_url("https://h/p/a%2Fb", &["a%2Fb"]),
            "https://h/p/..."
        );
        assert_eq!(redact_url("https://h/p", &[""]), "https://h/p");
    }

    use super::*;

    #[test]
    fn traced_bodies_hide_secrets_and_binary_data() {
        let body = br#"{"auth": {"token": {"id": "s3cret"}}}"#;
        let shown = shown_body(body, &["s3cret"]);
        assert!(
            shown.contains(r#""id": "...""#) && !shown.contains("s3cret"),
            "{shown}"
        );
        assert_eq!(
            shown_body(&[0, 159, 146, 150], &[]),
            "<4 bytes of binary data>"
        );
        let long = "x".repeat(SHOWN_BODY_BYTES + 10);
        assert!(
            shown_body(long.as_bytes(), &[]).ends_with(&format!("({} bytes in all)", long.len()))
        );
    }

    #[test]
    fn credential_headers_are_known() {
        for name in [
            "X-Auth-Token",
            "x-auth-token",
            "Authorization",
            "proxy-authorization",
        ] {
            assert!(is_credential(name), "{name}");
        }
        assert!(!is_credential("content-type"));
    }
}
