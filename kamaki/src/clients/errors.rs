//! `ClientError`: everything a call to a Synnefo service can fail with.
//!
//! HTTP errors keep the status, the server's message and its details, parsed
//! from Synnefo's JSON fault bodies (`{"itemNotFound": {"message": ..,
//! "code": 404, "details": ..}}`), from OAuth2 error bodies (`{"error":
//! "invalid_grant", "error_description": ..}`, or Astakos' `{"error":
//! "generic_error", "exception": ..}`), or taken from plain-text bodies
//! (Pithos).
//! No reply, however malformed, makes the parser panic.

use std::path::PathBuf;
use std::time::Duration;

/// The result of every fallible call of this crate.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// How much of a non-JSON error body is kept in the message.
const MAX_MESSAGE_CHARS: usize = 512;

/// An error of a Synnefo client call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a status the call does not accept.
    #[error("{status} {reason}: {message}")]
    Http {
        /// The HTTP status code, e.g. 404.
        status: u16,
        /// The status' reason phrase, e.g. `Not Found`.
        reason: String,
        /// The kind of fault Synnefo named, e.g. `itemNotFound`, when the body
        /// was a Synnefo JSON fault.
        kind: Option<String>,
        /// The server's message, or the start of the body when it is not a
        /// Synnefo fault.
        message: String,
        /// The fault's details, when the server gave any.
        details: Vec<String>,
        /// The method and URL of the request that failed.
        request: String,
    },

    /// The connection could not be made or broke before a full reply came.
    #[error("connection to {url} failed: {message}")]
    Transport {
        /// The URL of the request.
        url: String,
        /// What went wrong, with its causes.
        message: String,
    },

    /// TLS failed: typically the server's certificate is not trusted.
    #[error(
        "TLS error talking to {url}: {message}; if the cloud uses a private CA, \
         give its bundle (patch_with_certs / --ca-certs)"
    )]
    Tls {
        /// The URL of the request.
        url: String,
        /// What the TLS layer reported.
        message: String,
    },

    /// The server did not answer in time.
    #[error("request to {url} timed out{}", after.map(|d| format!(" after {d:?}")).unwrap_or_default())]
    Timeout {
        /// The URL of the request.
        url: String,
        /// The timeout in force, when known.
        after: Option<Duration>,
    },

    /// The server's reply could not be understood.
    #[error("invalid response from {url}: {message}")]
    InvalidResponse {
        /// The URL of the request.
        url: String,
        /// What was wrong with it.
        message: String,
    },

    /// The request could not be built from what the caller gave.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The client is not configured as the call needs (bad URL, CA file...).
    #[error("configuration error: {0}")]
    Config(String),

    /// What was looked up does not exist: a service type missing from the
    /// catalog, a user name Astakos does not know.
    #[error("{0}")]
    NotFound(String),

    /// A local file could not be read or written.
    #[error("{}: {source}", path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "I/O error".into()))]
    Io {
        /// The file involved, when there is one.
        path: Option<PathBuf>,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Data did not match its hash.
    #[error("integrity check failed: {0}")]
    Integrity(String),

    /// Something is in the way and replacing it was not asked for: an
    /// object or a local file with other content, where a tree transfer
    /// puts its own.
    #[error("{0} exists with other content, and replacing it was not asked for")]
    Exists(String),

    /// Some files of a tree transfer failed; the report says which, and
    /// what became of the others.
    #[error("the tree transfer is incomplete: {0}")]
    Incomplete(Box<crate::clients::pithos::TreeReport>),
}

impl ClientError {
    /// The HTTP status of an HTTP error, 0 for every other kind (as kamaki).
    pub fn status(&self) -> u16 {
        match self {
            ClientError::Http { status, .. } => *status,
            _ => 0,
        }
    }

    /// The server's message for HTTP errors, the error text otherwise.
    pub fn message(&self) -> String {
        match self {
            ClientError::Http { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// The details of an HTTP error (empty for every other kind).
    pub fn details(&self) -> &[String] {
        match self {
            ClientError::Http { details, .. } => details,
            _ => &[],
        }
    }

    /// Builds the error for an unexpected HTTP status from the reply's body.
    ///
    /// `secret` (the token) is cut out of anything taken from the body, in
    /// case a server echoes it.
    pub fn from_http_reply(
        status: u16,
        body: &[u8],
        request: String,
        secret: Option<&str>,
    ) -> Self {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string();
        let fault = parse_fault(body);
        let redact = |text: String| match secret {
            Some(secret) if !secret.is_empty() => text.replace(secret, "..."),
            _ => text,
        };
        ClientError::Http {
            status,
            reason: reason.clone(),
            kind: fault.kind,
            message: redact(fault.message.unwrap_or(reason)),
            details: fault.details.into_iter().map(redact).collect(),
            request,
        }
    }

    /// The same error with `secret` cut out of everything it shows.
    pub(crate) fn redacted(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let cut = |text: String| text.replace(secret, "...");
        match self {
            ClientError::Http {
                status,
                reason,
                kind,
                message,
                details,
                request,
            } => ClientError::Http {
                status,
                reason,
                kind: kind.map(cut),
                message: cut(message),
                details: details.into_iter().map(cut).collect(),
                request: cut(request),
            },
            ClientError::Transport { url, message } => ClientError::Transport {
                url: cut(url),
                message: cut(message),
            },
            ClientError::Tls { url, message } => ClientError::Tls {
                url: cut(url),
                message: cut(message),
            },
            ClientError::Timeout { url, after } => ClientError::Timeout {
                url: cut(url),
                after,
            },
            ClientError::InvalidResponse { url, message } => ClientError::InvalidResponse {
                url: cut(url),
                message: cut(message),
            },
            ClientError::InvalidRequest(message) => ClientError::InvalidRequest(cut(message)),
            ClientError::Config(message) => ClientError::Config(cut(message)),
            ClientError::NotFound(message) => ClientError::NotFound(cut(message)),
            ClientError::Integrity(message) => ClientError::Integrity(cut(message)),
            ClientError::Exists(what) => ClientError::Exists(cut(what)),
            ClientError::Incomplete(mut report) => {
                report.failed = std::mem::take(&mut report.failed)
                    .into_iter()
                    .map(|(name, error)| (name, error.redacted(secret)))
                    .collect();
                ClientError::Incomplete(report)
            }
            other @ ClientError::Io { .. } => other,
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ClientError::Io {
            path: Some(path.into()),
            source,
        }
    }
}

impl From<std::io::Error> for ClientError {
    fn from(source: std::io::Error) -> Self {
        ClientError::Io { path: None, source }
    }
}

/// What could be read out of an error body.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Fault {
    pub kind: Option<String>,
    pub message: Option<String>,
    pub details: Vec<String>,
}

/// Reads a Synnefo fault (`{"<kind>": {"message", "code", "details"}}`),
/// an OAuth2 error (`{"error": "<code>", "error_description" or
/// "exception": ..}`), or failing that the start of a text body.
pub(crate) fn parse_fault(body: &[u8]) -> Fault {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(code) = map.get("error").and_then(serde_json::Value::as_str) {
            // RFC 6749 names the reason `error_description`; Astakos'
            // OAuth2 server `exception`.
            let why = ["error_description", "exception"]
                .iter()
                .find_map(|key| map.get(*key).and_then(value_text));
            let code = truncate(code.trim());
            return Fault {
                message: Some(match why {
                    Some(why) => format!("OAuth2 error {code}: {why}"),
                    None => format!("OAuth2 error {code}"),
                }),
                kind: Some(code),
                details: Vec::new(),
            };
        }
        if let Some((kind, inner)) = map.into_iter().next() {
            let mut fault = Fault {
                kind: Some(kind),
                ..Fault::default()
            };
            match inner {
                serde_json::Value::Object(inner) => {
                    fault.message = inner.get("message").and_then(value_text);
                    match inner.get("details") {
                        Some(serde_json::Value::Array(items)) => {
                            fault.details = items.iter().filter_map(value_text).collect()
                        }
                        Some(other) => fault.details = value_text(other).into_iter().collect(),
                        None => {}
                    }
                }
                other => fault.message = value_text(&other),
            }
            return fault;
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    Fault {
        message: (!text.is_empty()).then(|| truncate(text)),
        ..Fault::default()
    }
}

/// A JSON value as a line of text; empty strings and nulls are nothing.
fn value_text(value: &serde_json::Value) -> Option<String> {
    let text = match value {
        serde_json::Value::Null => return None,
        serde_json::Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    };
    (!text.is_empty()).then(|| truncate(&text))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synnefo_json_fault_is_parsed() {
        let body = br#"{"itemNotFound": {"message": "Server 42 not found", "code": 404, "details": "gone"}}"#;
        let err = ClientError::from_http_reply(404, body, "GET http://h/servers/42".into(), None);
        match &err {
            ClientError::Http {
                status,
                kind,
                message,
                details,
                ..
            } => {
                assert_eq!(*status, 404);
                assert_eq!(kind.as_deref(), Some("itemNotFound"));
                assert_eq!(message, "Server 42 not found");
                assert_eq!(details, &vec!["gone".to_string()]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(err.to_string(), "404 Not Found: Server 42 not found");
        assert_eq!(err.status(), 404);
    }

    #[test]
    fn list_details_and_missing_message() {
        let fault = parse_fault(br#"{"badRequest": {"code": 400, "details": ["a", "", 3]}}"#);
        assert_eq!(fault.kind.as_deref(), Some("badRequest"));
        assert_eq!(fault.message, None);
        assert_eq!(fault.details, vec!["a".to_string(), "3".to_string()]);
        let err = ClientError::from_http_reply(400, br#"{"badRequest": {}}"#, String::new(), None);
        assert_eq!(err.message(), "Bad Request");
    }

    #[test]
    fn plain_text_and_non_fault_json_bodies() {
        let fault = parse_fault(b"Container does not exist\n");
        assert_eq!(fault.message.as_deref(), Some("Container does not exist"));
        assert_eq!(fault.kind, None);
        // A 409 hashmap reply is a JSON list: kept as text, as kamaki does.
        let fault = parse_fault(br#"["abc", "def"]"#);
        assert_eq!(fault.message.as_deref(), Some(r#"["abc", "def"]"#));
        assert_eq!(parse_fault(b"").message, None);
        assert_eq!(parse_fault(b"{}").message.as_deref(), Some("{}"));
    }

    #[test]
    fn hostile_bodies_do_not_panic_and_are_bounded() {
        let long = "x".repeat(10_000);
        let fault = parse_fault(long.as_bytes());
        assert!(fault.message.unwrap().len() < 600);
        let fault = parse_fault(&[0xff, 0xfe, b'{', 0x80]);
        assert!(fault.message.is_some());
        let fault = parse_fault(br#"{"x": "just a string"}"#);
        assert_eq!(fault.message.as_deref(), Some("just a string"));
        let err = ClientError::from_http_reply(999, b"", String::new(), None);
        assert_eq!(err.status(), 999);
    }

    #[test]
    fn oauth2_errors_name_their_code_and_reason() {
        let fault =
            parse_fault(br#"{"error": "generic_error", "exception": "Invalid credentials"}"#);
        assert_eq!(fault.kind.as_deref(), Some("generic_error"));
        assert_eq!(
            fault.message.as_deref(),
            Some("OAuth2 error generic_error: Invalid credentials")
        );
        let fault = parse_fault(
            br#"{"error": "invalid_grant", "error_description": "code used", "exception": "x"}"#,
        );
        assert_eq!(fault.kind.as_deref(), Some("invalid_grant"));
        assert_eq!(
            fault.message.as_deref(),
            Some("OAuth2 error invalid_grant: code used")
        );
        let fault = parse_fault(br#"{"error": "access_denied"}"#);
        assert_eq!(fault.message.as_deref(), Some("OAuth2 error access_denied"));
        // A Synnefo fault named "error" is still a Synnefo fault.
        let fault = parse_fault(br#"{"error": {"message": "m", "code": 500}}"#);
        assert_eq!(fault.message.as_deref(), Some("m"));
    }

    #[test]
    fn redacted_errors_show_no_secret() {
        let err = ClientError::from_http_reply(
            400,
            br#"{"error": "generic_error", "exception": "bad s3cr3t"}"#,
            "POST http://h/token?s3cr3t".into(),
            None,
        )
        .redacted("s3cr3t");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(err.message(), "OAuth2 error generic_error: bad ...");
        let err = ClientError::NotFound("s3cr3t".into()).redacted("s3cr3t");
        assert_eq!(err.to_string(), "...");
        assert_eq!(
            ClientError::NotFound("x".into()).redacted("").to_string(),
            "x"
        );
    }

    #[test]
    fn echoed_secret_is_redacted() {
        let body = br#"{"unauthorized": {"message": "Invalid token s3cr3t", "details": "s3cr3t"}}"#;
        let err = ClientError::from_http_reply(401, body, String::new(), Some("s3cr3t"));
        assert!(!format!("{err:?}").contains("s3cr3t"));
        assert_eq!(err.message(), "Invalid token ...");
    }
}
