//! Synnefo's API errors ("faults" in Synnefo's code): `{"<name>": {"code", "message",
//! "details"}}` with the matching status, as every Synnefo service renders
//! them. (The emulator's own injected failures are `inject::FaultConfig`.)

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An API error, answered in Synnefo's JSON error format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The error's name (Synnefo's fault name), e.g. `itemNotFound`.
    pub name: &'static str,
    /// The HTTP status.
    pub code: u16,
    /// What went wrong.
    pub message: String,
    /// More about it (often empty).
    pub details: String,
}

impl ApiError {
    /// A fault of a given name and status.
    pub fn new(name: &'static str, code: u16, message: impl Into<String>) -> Self {
        ApiError {
            name,
            code,
            message: message.into(),
            details: String::new(),
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = details.into();
        self
    }

    /// 400 badRequest.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new("badRequest", 400, message)
    }

    /// 401 unauthorized.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new("unauthorized", 401, message)
    }

    /// 403 forbidden.
    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new("forbidden", 403, message)
    }

    /// 404 itemNotFound.
    pub fn item_not_found(message: impl Into<String>) -> Self {
        ApiError::new("itemNotFound", 404, message)
    }

    /// 405 notAllowed.
    pub fn not_allowed(message: impl Into<String>) -> Self {
        ApiError::new("notAllowed", 405, message)
    }

    /// 409 conflict.
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new("conflict", 409, message)
    }

    /// 409 buildInProgress.
    pub fn build_in_progress(message: impl Into<String>) -> Self {
        ApiError::new("buildInProgress", 409, message)
    }

    /// 413 overLimit.
    pub fn over_limit(message: impl Into<String>) -> Self {
        ApiError::new("overLimit", 413, message)
    }

    /// 500 internalServerError.
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new("internalServerError", 500, message)
    }

    /// 501 notImplemented.
    pub fn not_implemented(message: impl Into<String>) -> Self {
        ApiError::new("notImplemented", 501, message)
    }

    /// 503 serviceUnavailable.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        ApiError::new("serviceUnavailable", 503, message)
    }

    /// 507 insufficientStorage: the disk of the emulator's data dir is
    /// full; `what` (the data, the changes) could not be kept.
    pub fn insufficient_storage(what: &str) -> Self {
        ApiError::new(
            "insufficientStorage",
            507,
            format!("No space left for {what}: free some space on the emulator's data dir disk"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({self.name: {"code": self.code, "message": self.message, "details": self.details}});
        (status, Json(body)).into_response()
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
