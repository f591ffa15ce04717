//! The requests the framework refuses before any handler sees them (a body
//! over the size limit, a method a path does not serve, a path or query
//! that does not parse) are answered, as the other errors of the JSON
//! services, in Synnefo's fault format. Pithos answers errors in plain text,
//! as Synnefo's Pithos does, and is left alone.

use axum::extract::Request;
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;

/// The longest framework message kept (they are one line).
const MAX_MESSAGE: usize = 1024;

/// The middleware: error replies that are not JSON become Synnefo API errors.
pub async fn as_synnefo_errors(request: Request, next: Next) -> Response {
    let pithos = request.uri().path().starts_with("/pithos/");
    let head = request.method() == Method::HEAD;
    let response = next.run(request).await;
    let status = response.status();
    // The framework's rejections are plain text, or (a method the path does
    // not serve) an empty 405. Other bodiless errors are deliberate: Synnefo
    // answers some 404s with no body.
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let text = content_type.is_some_and(|v| v.starts_with("text/plain"));
    let unserved_method = status.as_u16() == 405 && content_type.is_none();
    let error = status.is_client_error() || status.is_server_error();
    if pithos || head || !error || !(text || unserved_method) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_MESSAGE)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = match text.trim() {
        "" => status
            .canonical_reason()
            .unwrap_or("Bad request")
            .to_string(),
        text => text.to_string(),
    };
    let fault = match status.as_u16() {
        401 => ApiError::unauthorized(message),
        403 => ApiError::forbidden(message),
        404 => ApiError::item_not_found(message),
        405 => ApiError::not_allowed(message),
        409 => ApiError::conflict(message),
        413 => ApiError::over_limit(message),
        501 => ApiError::not_implemented(message),
        503 => ApiError::service_unavailable(message),
        // Unparsable paths, queries, bodies (400, 415, 422...).
        400..=499 => ApiError::bad_request(message),
        _ => ApiError::internal(message),
    };
    let mut reply = fault.into_response();
    if let Some(allow) = parts.headers.get(ALLOW) {
        reply.headers_mut().insert(ALLOW, allow.clone());
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    fn text_reply(status: u16, text: &'static str) -> Response {
        let status = axum::http::StatusCode::from_u16(status).unwrap();
        (status, text).into_response()
    }

    async fn answer(path: &str, method: Method) -> (u16, serde_json::Value) {
        let app = Router::new()
            .route(
                "/a",
                get(|| async { text_reply(413, "length limit exceeded") }),
            )
            .route("/pithos/x", get(|| async { text_reply(404, "Not Found") }))
            .route("/bare", get(|| async { axum::http::StatusCode::NOT_FOUND }))
            .layer(axum::middleware::from_fn(as_synnefo_errors));
        let reply = app
            .oneshot(
                Request::builder()
                    .method(method)
                    .uri(path)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = reply.status().as_u16();
        let body = axum::body::to_bytes(reply.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }

    #[tokio::test]
    async fn framework_errors_become_synnefo_api_errors() {
        let (status, body) = answer("/a", Method::GET).await;
        assert_eq!(status, 413);
        assert_eq!(body["overLimit"]["message"], "length limit exceeded");
        assert_eq!(body["overLimit"]["code"], 413);
        let (status, body) = answer("/a", Method::DELETE).await;
        assert_eq!(status, 405);
        assert_eq!(body["notAllowed"]["message"], "Method Not Allowed");
        // Deliberate bodiless answers stay so.
        let (status, body) = answer("/bare", Method::GET).await;
        assert_eq!((status, body), (404, serde_json::Value::Null));
        // Pithos keeps its plain-text errors.
        let (status, body) = answer("/pithos/x", Method::GET).await;
        assert_eq!((status, body), (404, serde_json::Value::Null));
    }
}
