//! Server metadata: custom key-value pairs (at most 10 per server).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::servers;
use crate::auth::Authenticated;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};

/// Most metadata items per server (Synnefo's `CYCLADES_VM_MAX_METADATA`).
pub const MAX_ITEMS: usize = 10;
/// Longest metadata key.
pub const KEY_LENGTH: usize = 50;
/// Longest metadata value.
pub const VALUE_LENGTH: usize = 500;

/// Checks the length of a metadata item.
pub fn check_item(key: &str, value: &str) -> ApiResult<()> {
    json::check_length(
        key,
        KEY_LENGTH,
        "Malformed Request. Metadata key is too long",
    )?;
    json::check_length(
        value,
        VALUE_LENGTH,
        "Malformed Request. Metadata value is too long",
    )
}

fn too_many() -> ApiError {
    ApiError::bad_request(format!(
        "Virtual Machines cannot have more than {MAX_ITEMS} metadata items"
    ))
}

/// `GET /servers/<id>/metadata`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?;
    Ok(reply(200, json!({ "metadata": server.metadata })))
}

/// `POST /servers/<id>/metadata`: adds or overwrites items; answers all.
pub async fn update(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let items = json::opt_object(&request, "metadata")?
        .ok_or_else(|| ApiError::bad_request("Malformed request. Missing attribute 'metadata'."))?;
    let items = json::string_map(items, "metadata")?;
    for (k, v) in &items {
        check_item(k, v)?;
    }
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    let wall = cloud.wall;
    let server = cloud
        .compute
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))?;
    let new_keys = items
        .iter()
        .filter(|(k, _)| !server.metadata.contains_key(k))
        .count();
    if server.metadata.len() + new_keys > MAX_ITEMS {
        return Err(too_many());
    }
    server.metadata.extend(items);
    server.updated = wall;
    Ok(reply(201, json!({ "metadata": server.metadata })))
}

/// `GET /servers/<id>/metadata/<key>`: `{"meta": {key: value}}`.
pub async fn get_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?;
    let value = server
        .metadata
        .get(&key)
        .ok_or_else(|| ApiError::item_not_found("Metadata key not found."))?;
    Ok(reply(200, json!({ "meta": { key: value } })))
}

/// `PUT /servers/<id>/metadata/<key>` with `{"meta": {key: value}}`.
pub async fn set_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let value = request
        .get("meta")
        .and_then(Value::as_object)
        .filter(|m| m.len() == 1)
        .and_then(|m| m.get(&key))
        .and_then(json::scalar_text)
        .ok_or_else(|| ApiError::bad_request("Malformed request"))?;
    check_item(&key, &value)?;
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    let wall = cloud.wall;
    let server = cloud
        .compute
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))?;
    if !server.metadata.contains_key(&key) && server.metadata.len() >= MAX_ITEMS {
        return Err(too_many());
    }
    server.metadata.insert(key.clone(), value.clone());
    server.updated = wall;
    Ok(reply(201, json!({ "meta": { key: value } })))
}

/// `DELETE /servers/<id>/metadata/<key>`.
pub async fn delete_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    let wall = cloud.wall;
    let server = cloud
        .compute
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))?;
    server
        .metadata
        .remove(&key)
        .ok_or_else(|| ApiError::item_not_found("Metadata key not found."))?;
    server.updated = wall;
    Ok(empty(204))
}
