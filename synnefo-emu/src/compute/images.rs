//! Images as compute sees them: the Image registry's images visible to the
//! user (`state.image`), with their properties as `metadata`.
//!
//! Property keys are shown in lower case, as Synnefo stores them (clients
//! such as kamaki read `metadata.os` and `metadata.users`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::image::ImageRecord;

/// The compute API status of a registry status.
fn api_status(status: &str) -> &'static str {
    match status.to_ascii_uppercase().as_str() {
        "AVAILABLE" | "ACTIVE" => "ACTIVE",
        "UNAVAILABLE" | "CREATING" | "SAVING" | "QUEUED" => "SAVING",
        "ERROR" => "ERROR",
        "DELETED" => "DELETED",
        _ => "UNKNOWN",
    }
}

/// An image's properties as compute metadata (keys in lower case).
pub fn metadata(image: &ImageRecord) -> BTreeMap<String, String> {
    image
        .properties
        .iter()
        .map(|(k, v)| (k.to_lowercase(), v.clone()))
        .collect()
}

/// `self`, `bookmark` and the registry's `alternate` link of an image.
pub fn links(base_url: &str, id: &str) -> Value {
    let service = |t: &str| {
        crate::catalog::service(t)
            .map(|s| format!("{base_url}{}", s.served_path()))
            .unwrap_or_default()
    };
    let href = format!("{}/images/{id}", service("compute"));
    json!([
        {"rel": "self", "href": href},
        {"rel": "bookmark", "href": href},
        {"rel": "alternate", "href": format!("{}/images/{id}", service("image"))},
    ])
}

fn is_snapshot(state: &CycladesService, id: &str) -> bool {
    state.volume.is_snapshot(id)
}

fn to_json(state: &CycladesService, image: &ImageRecord, detail: bool) -> Value {
    let mut d = json!({"id": image.id, "name": image.name});
    if detail {
        let stamp = |s: &str| {
            clock::parse(s)
                .map(clock::iso)
                .unwrap_or_else(|| s.to_string())
        };
        let status = api_status(&image.status);
        d["updated"] = json!(stamp(&image.updated_at));
        d["created"] = json!(stamp(&image.created_at));
        d["status"] = json!(status);
        d["progress"] = json!(if status == "ACTIVE" { 100 } else { 0 });
        d["user_id"] = json!(image.owner);
        d["tenant_id"] = json!(image.owner);
        d["public"] = json!(image.is_public);
        d["links"] = links(&state.base_url, &image.id);
        d["metadata"] = json!(metadata(image));
        d["is_snapshot"] = json!(is_snapshot(state, &image.id));
    }
    d
}

/// The image `id` if the user may see it.
fn visible(state: &CycladesService, user: &str, id: &str) -> ApiResult<ImageRecord> {
    state
        .image
        .visible_image(&state.pithos, user, id)
        .ok_or_else(|| ApiError::item_not_found(format!("Image {id} not found")))
}

fn list_images(
    state: &CycladesService,
    user: &str,
    query: &BTreeMap<String, String>,
    detail: bool,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let mut images = state.image.visible_images(&state.pithos, user);
    if let Some(since) = since {
        images.retain(|i| clock::parse(&i.updated_at).is_some_and(|u| u >= since));
        if images.is_empty() {
            return Ok(empty(304));
        }
    }
    images.sort_by(|a, b| a.id.cmp(&b.id));
    let images: Vec<Value> = images.iter().map(|i| to_json(state, i, detail)).collect();
    Ok(reply(200, json!({ "images": images })))
}

/// `GET /images`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_images(&state, &user.uuid, &query, false)
}

/// `GET /images/detail`.
pub async fn list_detail(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_images(&state, &user.uuid, &query, true)
}

/// `POST /images`: not supported by Cyclades.
pub async fn create(Authenticated(_user): Authenticated) -> ApiError {
    ApiError::not_implemented("Not supported.")
}

/// `GET /images/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let image = visible(&state, &user.uuid, &id)?;
    Ok(reply(
        200,
        json!({ "image": to_json(&state, &image, true) }),
    ))
}

/// Changes an image of the registry, if `user` owns it.
fn modify(
    state: &CycladesService,
    user: &str,
    id: &str,
    change: impl FnOnce(&mut ImageRecord),
) -> ApiResult<ImageRecord> {
    visible(state, user, id)?;
    let mut images = state
        .image
        .images
        .write()
        .unwrap_or_else(|e| e.into_inner());
    let image = images
        .get_mut(id)
        .ok_or_else(|| ApiError::item_not_found(format!("Image {id} not found")))?;
    if image.owner != user {
        return Err(ApiError::forbidden("Only the owner can modify this image"));
    }
    change(image);
    image.updated_at = clock::iso(clock::now());
    Ok(image.clone())
}

/// `DELETE /images/<id>`: unregisters the user's own image.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    modify(&state, &user.uuid, &id, |image| {
        image.status = "DELETED".to_string();
        image.deleted_at = Some(clock::iso(clock::now()));
    })?;
    Ok(empty(204))
}

/// `GET /images/<id>/metadata`.
pub async fn list_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let image = visible(&state, &user.uuid, &id)?;
    Ok(reply(200, json!({ "metadata": metadata(&image) })))
}

/// `POST /images/<id>/metadata`: adds or overwrites properties.
pub async fn update_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let new = request
        .get("metadata")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("Malformed request."))?;
    let new = json::string_map(new, "metadata")?;
    let image = modify(&state, &user.uuid, &id, |image| {
        for (k, v) in new {
            image.properties.insert(k, v);
        }
    })?;
    Ok(reply(201, json!({ "metadata": metadata(&image) })))
}

/// `GET /images/<id>/metadata/<key>`.
pub async fn get_metadata_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let image = visible(&state, &user.uuid, &id)?;
    let value = metadata(&image)
        .get(&key.to_lowercase())
        .cloned()
        .ok_or_else(|| ApiError::item_not_found("Metadata key not found."))?;
    Ok(reply(200, json!({ "meta": { key: value } })))
}

/// `PUT /images/<id>/metadata/<key>` with `{"meta": {key: value}}`.
pub async fn set_metadata_item(
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
        .ok_or_else(|| ApiError::bad_request("Malformed request."))?;
    modify(&state, &user.uuid, &id, |image| {
        image.properties.insert(key.clone(), value.clone());
    })?;
    Ok(reply(201, json!({ "meta": { key: value } })))
}

/// `DELETE /images/<id>/metadata/<key>`.
pub async fn delete_metadata_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    modify(&state, &user.uuid, &id, |image| {
        image
            .properties
            .retain(|k, _| !k.eq_ignore_ascii_case(&key));
    })?;
    Ok(empty(204))
}
