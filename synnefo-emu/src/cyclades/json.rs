//! Request bodies and replies as Synnefo's API layer handles them: a JSON
//! body needs a JSON content type, attributes are looked up with their
//! expected type (`Malformed request. Missing attribute 'x'.`), and replies
//! are JSON or empty.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};

/// The JSON body of a request; like Synnefo, a body needs an
/// `application/json` content type.
pub fn body(headers: &HeaderMap, body: &[u8]) -> ApiResult<Value> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .ok_or_else(|| ApiError::bad_request("Missing Content-Type header field"))?
        .to_str()
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return Err(ApiError::bad_request(format!(
            "Unsupported Content-type: '{content_type}'"
        )));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("Could not decode request as UTF-8 string"))?;
    serde_json::from_str(text)
        .map_err(|_| ApiError::bad_request("Could not decode request body as JSON"))
}

fn missing(name: &str) -> ApiError {
    ApiError::bad_request(format!("Malformed request. Missing attribute '{name}'."))
}

/// The fault of an attribute of the wrong type.
pub fn invalid(name: &str) -> ApiError {
    ApiError::bad_request(format!("Malformed request. Invalid '{name}' field"))
}

/// An attribute; `null` counts as absent, as in Synnefo.
pub fn get<'v>(obj: &'v Value, name: &str) -> Option<&'v Value> {
    obj.get(name).filter(|v| !v.is_null())
}

/// A required object attribute.
pub fn req_object<'v>(obj: &'v Value, name: &str) -> ApiResult<&'v Value> {
    match get(obj, name) {
        None => Err(missing(name)),
        Some(v) if v.is_object() => Ok(v),
        Some(_) => Err(invalid(name)),
    }
}

/// An optional object attribute.
pub fn opt_object<'v>(obj: &'v Value, name: &str) -> ApiResult<Option<&'v Map<String, Value>>> {
    match get(obj, name) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(invalid(name)),
    }
}

/// A required string attribute.
pub fn req_str<'v>(obj: &'v Value, name: &str) -> ApiResult<&'v str> {
    opt_str(obj, name)?.ok_or_else(|| missing(name))
}

/// An optional string attribute.
pub fn opt_str<'v>(obj: &'v Value, name: &str) -> ApiResult<Option<&'v str>> {
    match get(obj, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name)),
    }
}

/// An optional list attribute.
pub fn opt_list<'v>(obj: &'v Value, name: &str) -> ApiResult<Option<&'v Vec<Value>>> {
    match get(obj, name) {
        None => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(invalid(name)),
    }
}

/// An optional boolean attribute.
pub fn opt_bool(obj: &Value, name: &str) -> ApiResult<Option<bool>> {
    match get(obj, name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid(name)),
    }
}

/// An attribute that may be a string or an integer (ids mostly), as text.
pub fn opt_str_or_int(obj: &Value, name: &str) -> ApiResult<Option<String>> {
    match get(obj, name) {
        None => Ok(None),
        Some(v) => scalar_text(v).map(Some).ok_or_else(|| invalid(name)),
    }
}

/// A string, or the text of an integer.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// A key-value map whose values must be strings (metadata).
pub fn string_map(map: &Map<String, Value>, what: &str) -> ApiResult<Vec<(String, String)>> {
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            Value::Number(n) => Ok((k.clone(), n.to_string())),
            _ => Err(ApiError::bad_request(format!(
                "Malformed request. Invalid {what}."
            ))),
        })
        .collect()
}

/// A numeric id from a path segment or attribute.
pub fn parse_id(text: &str, what: &str) -> ApiResult<u64> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid {what} ID '{text}'")))
}

/// A JSON reply.
pub fn reply(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// An empty reply.
pub fn empty(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    (status, [(header::CONTENT_LENGTH, "0")]).into_response()
}

/// Checks that a name fits a length limit, as Synnefo's `check_name_length`.
pub fn check_length(value: &str, max: usize, message: &str) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(ApiError::bad_request(message.to_string()));
    }
    Ok(())
}

/// Answer of an unknown path under a Cyclades service.
pub async fn endpoint_not_found() -> ApiError {
    ApiError::bad_request("API endpoint not found")
}

/// Answer of a known path with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::not_allowed("Method not allowed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_need_json_content_type() {
        let mut headers = HeaderMap::new();
        assert_eq!(body(&headers, b"{}").unwrap_err().code, 400);
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(body(&headers, b"{}").unwrap_err().code, 400);
        headers.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(body(&headers, b"{\"a\": 1}").unwrap(), json!({"a": 1}));
        assert_eq!(body(&headers, b"{not json").unwrap_err().code, 400);
    }

    #[test]
    fn attributes_are_typed() {
        let v = json!({"s": "x", "n": 5, "o": {}, "nul": null, "b": true});
        assert_eq!(req_str(&v, "s").unwrap(), "x");
        assert!(req_str(&v, "n").is_err());
        assert!(req_str(&v, "nul").is_err());
        assert_eq!(opt_str_or_int(&v, "n").unwrap().as_deref(), Some("5"));
        assert!(req_object(&v, "o").is_ok());
        assert!(req_object(&v, "s").is_err());
        assert_eq!(opt_bool(&v, "b").unwrap(), Some(true));
        assert!(parse_id("12x", "server").is_err());
    }
}
