//! The handlers of the Image registry.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::meta::{self, Params};
use super::{ImageRecord, ImageState};
use crate::auth::Authenticated;
use crate::errors::{ApiError, ApiResult};
use crate::image::ImageService;
use crate::pithos::PithosState;

const SORT_KEYS: &[&str] = &[
    "id",
    "name",
    "status",
    "size",
    "disk_format",
    "container_format",
    "created_at",
    "updated_at",
];

const ADD_FIELDS: &[&str] = &[
    "name",
    "id",
    "store",
    "disk_format",
    "container_format",
    "size",
    "checksum",
    "is_public",
    "owner",
    "properties",
    "location",
];

const UPDATE_FIELDS: &[&str] = &[
    "name",
    "disk_format",
    "container_format",
    "is_public",
    "owner",
    "properties",
    "status",
];

const DISK_FORMATS: &[&str] = &["diskdump", "extdump", "ntfsdump"];
const CONTAINER_FORMATS: &[&str] = &["aki", "ari", "ami", "bare", "ovf"];

fn validate_fields(params: &Params) -> ApiResult<()> {
    if params.fields.contains_key("id") {
        return Err(ApiError::bad_request(
            "Setting the image ID is not supported",
        ));
    }
    if let Some(store) = params.fields.get("store") {
        if store != "pithos" {
            return Err(ApiError::bad_request(format!(
                "Invalid store '{store}'. Only 'pithos' store is supported"
            )));
        }
    }
    if let Some(format) = params.fields.get("disk_format") {
        if !DISK_FORMATS.contains(&format.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Invalid disk format '{format}'"
            )));
        }
    }
    if let Some(format) = params.fields.get("container_format") {
        if !CONTAINER_FORMATS.contains(&format.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Invalid container format '{format}'"
            )));
        }
    }
    Ok(())
}

fn not_found(id: &str) -> ApiError {
    ApiError::item_not_found(format!("Object '{id}' does not exist."))
}

fn forbidden() -> ApiError {
    ApiError::forbidden("Only the owner of an image may change it")
}

impl ImageState {
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, ImageRecord>> {
        self.images.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The image `id` as `user` may read it, as it is now: 404 if there is
    /// none, 403 if it is not theirs to see.
    fn readable(&self, pithos: &PithosState, user: &str, id: &str) -> ApiResult<ImageRecord> {
        match self.image(id) {
            None => Err(not_found(id)),
            Some(image) if image.deleted_at.is_some() => Err(not_found(id)),
            Some(image) if is_readable(&image, user) => {
                self.live(pithos, image).ok_or_else(|| not_found(id))
            }
            Some(_) => Err(ApiError::forbidden("Access to this image is not allowed")),
        }
    }

    /// Changes image `id` if `user` owns it.
    fn change<T>(
        &self,
        pithos: &PithosState,
        user: &str,
        id: &str,
        change: impl FnOnce(&mut ImageRecord) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.readable(pithos, user, id)?;
        let mut images = self.write();
        let image = images.get_mut(id).ok_or_else(|| not_found(id))?;
        if image.owner != user {
            return Err(forbidden());
        }
        change(image)
    }
}

fn is_readable(image: &ImageRecord, user: &str) -> bool {
    image.is_public || image.owner == user || image.members.iter().any(|m| m == user)
}

fn image_response(image: &ImageRecord) -> Response {
    (StatusCode::OK, meta::headers(image)).into_response()
}

fn compare(a: &ImageRecord, b: &ImageRecord, key: &str) -> Ordering {
    match key {
        "id" => a.id.cmp(&b.id),
        "name" => a.name.cmp(&b.name),
        "status" => a.status.cmp(&b.status),
        "size" => a.size.cmp(&b.size),
        "disk_format" => a.disk_format.cmp(&b.disk_format),
        "container_format" => a.container_format.cmp(&b.container_format),
        "updated_at" => meta::plankton_time(&a.updated_at).cmp(&meta::plankton_time(&b.updated_at)),
        _ => meta::plankton_time(&a.created_at).cmp(&meta::plankton_time(&b.created_at)),
    }
}

fn size_filter(query: &BTreeMap<String, String>, key: &str) -> ApiResult<Option<u64>> {
    query
        .get(key)
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request("Malformed request."))
        })
        .transpose()
}

/// The images `user` may see, filtered and sorted as the query asks.
fn listing(
    state: &ImageService,
    user: &str,
    query: &BTreeMap<String, String>,
) -> ApiResult<Vec<ImageRecord>> {
    let key = query.get("sort_key").map_or("created_at", String::as_str);
    let dir = query.get("sort_dir").map_or("desc", String::as_str);
    if !SORT_KEYS.contains(&key) {
        return Err(ApiError::bad_request("Invalid 'sort_key'"));
    }
    if !matches!(dir, "asc" | "desc") {
        return Err(ApiError::bad_request("Invalid 'sort_dir'"));
    }
    let size_min = size_filter(query, "size_min")?;
    let size_max = size_filter(query, "size_max")?;
    let same = |field: &str, value: &str| query.get(field).is_none_or(|v| v == value);
    let mut images: Vec<ImageRecord> = state
        .image
        .visible_images(&state.pithos, user)
        .into_iter()
        .filter(|i| same("name", &i.name))
        .filter(|i| same("disk_format", &i.disk_format))
        .filter(|i| same("container_format", &i.container_format))
        .filter(|i| {
            query
                .get("status")
                .is_none_or(|s| s.eq_ignore_ascii_case(&i.status))
        })
        .filter(|i| size_min.is_none_or(|m| i.size >= m))
        .filter(|i| size_max.is_none_or(|m| i.size <= m))
        .collect();
    images.sort_by(|a, b| compare(a, b, key));
    if dir == "desc" {
        images.reverse();
    }
    Ok(images)
}

/// A listing as Synnefo's latest release answers it, `{"images": [...]}`,
/// or the bare list of the releases before it (`ImageState::bare_listing`).
fn images_reply(state: &ImageService, images: Vec<Value>) -> Json<Value> {
    if state
        .image
        .bare_listing
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        Json(Value::Array(images))
    } else {
        Json(json!({ "images": images }))
    }
}

/// `GET /images`: id, name, status, formats and size of each image, as
/// `{"images": [...]}` (Synnefo since 0.20; kamaki 0.16 reads only the
/// bare list of the releases before: `--image-listing bare`).
pub(super) async fn list_images(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let images: Vec<Value> = listing(&state, &user.uuid, &query)?
        .iter()
        .map(meta::list_json)
        .collect();
    Ok(images_reply(&state, images))
}

/// `GET /images/detail`: every field of each image.
pub(super) async fn list_images_detail(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let images: Vec<Value> = listing(&state, &user.uuid, &query)?
        .iter()
        .map(meta::detail_json)
        .collect();
    Ok(images_reply(&state, images))
}

/// `GET /images/<id>`: Plankton serves no image data.
pub(super) async fn get_image_data(_user: Authenticated) -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

/// `HEAD /images/<id>`: the image as headers.
pub(super) async fn get_meta(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(image_response(&state.image.readable(
        &state.pithos,
        &user.uuid,
        &id,
    )?))
}

/// `POST /images`: registers the Pithos object at `X-Image-Meta-Location`
/// as an image named `X-Image-Meta-Name` (again, if it is one already).
pub(super) async fn register(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut params = Params::from_headers(&headers)?;
    if !params.only(ADD_FIELDS) {
        return Err(ApiError::bad_request("Invalid parameters"));
    }
    let name = params
        .fields
        .remove("name")
        .ok_or_else(|| ApiError::bad_request("Image 'name' parameter is required"))?;
    if name.is_empty() {
        return Err(ApiError::bad_request("Invalid image name"));
    }
    let location = params
        .fields
        .remove("location")
        .ok_or_else(|| ApiError::bad_request("'location' parameter is required"))?;
    let (account, container, path) = meta::split_location(&location)
        .ok_or_else(|| ApiError::bad_request(format!("Invalid location '{location}'")))?;
    validate_fields(&params)?;

    let object = state
        .pithos
        .object_summary(&user.uuid, &account, &container, &path)
        .ok_or_else(|| {
            ApiError::item_not_found(format!(
                "Object '{path}' does not exist in container '{container}' of account {account}"
            ))
        })?;
    if account != user.uuid {
        return Err(ApiError::forbidden(
            "Only the owner of an object may register it as an image",
        ));
    }
    if let Some(size) = params.fields.get("size") {
        if size.trim().parse::<u64>().ok() != Some(object.size) {
            return Err(ApiError::bad_request("Invalid 'size' field"));
        }
    }
    if let Some(checksum) = params.fields.get("checksum") {
        if *checksum != object.hash {
            return Err(ApiError::bad_request("Invalid checksum field"));
        }
    }

    let location = meta::make_location(&account, &container, &path);
    let now = crate::clock::iso(crate::clock::now());
    // As in Synnefo's Plankton, an image is its object: its id is the
    // object's uuid, and it is gone when the object is.
    let id = object.uuid.clone();
    let old_properties = state.image.image(&id).map(|old| old.properties);
    let mut properties = old_properties.unwrap_or_default();
    let is_public = params.is_public().unwrap_or(false);
    merge_properties(&mut properties, std::mem::take(&mut params.properties));
    let record = ImageRecord {
        id: id.clone(),
        name,
        owner: account,
        status: "AVAILABLE".to_string(),
        is_public,
        size: object.size,
        checksum: object.hash,
        location,
        disk_format: params
            .fields
            .remove("disk_format")
            .unwrap_or_else(|| "diskdump".to_string()),
        container_format: params
            .fields
            .remove("container_format")
            .unwrap_or_else(|| "bare".to_string()),
        created_at: now.clone(),
        updated_at: now,
        deleted_at: None,
        properties,
        members: vec![user.uuid.clone()],
    };
    let response = image_response(&record);
    state.image.insert_object_image(record);
    Ok(response)
}

/// Sets properties; an empty value removes one (as Pithos metadata go).
fn merge_properties(properties: &mut BTreeMap<String, String>, changes: BTreeMap<String, String>) {
    for (key, value) in changes {
        if value.is_empty() {
            properties.remove(&key);
        } else {
            properties.insert(key, value);
        }
    }
}

/// `PUT /images/<id>`: changes name, formats, status, publicity and
/// properties (the others are kept).
pub(super) async fn update_image(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let params = Params::from_headers(&headers)?;
    if !params.only(UPDATE_FIELDS) {
        return Err(ApiError::bad_request("Invalid metadata"));
    }
    validate_fields(&params)?;
    let now = crate::clock::iso(crate::clock::now());
    let image = state
        .image
        .change(&state.pithos, &user.uuid, &id, |image| {
            if let Some(public) = params.is_public() {
                image.is_public = public;
            }
            for (field, value) in &params.fields {
                match field.as_str() {
                    "name" => image.name = value.clone(),
                    "disk_format" => image.disk_format = value.clone(),
                    "container_format" => image.container_format = value.clone(),
                    "status" => image.status = value.clone(),
                    // Stored by Plankton, never shown: the owner is the account.
                    _ => {}
                }
            }
            merge_properties(&mut image.properties, params.properties.clone());
            image.updated_at = now;
            Ok(image.clone())
        })?;
    let image = state
        .image
        .live(&state.pithos, image)
        .ok_or_else(|| not_found(&id))?;
    Ok(image_response(&image))
}

/// `DELETE /images/<id>`: the image is gone; its Pithos object stays.
pub(super) async fn unregister(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .image
        .change(&state.pithos, &user.uuid, &id, |_| Ok(()))?;
    state.image.write().remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /images/<id>/members`.
pub(super) async fn list_members(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let image = state.image.readable(&state.pithos, &user.uuid, &id)?;
    let members: Vec<Value> = image
        .members
        .iter()
        .map(|m| json!({"member_id": m, "can_share": false}))
        .collect();
    Ok(Json(json!({"members": members})))
}

/// `PUT /images/<id>/members`: `{"memberships": [{"member_id": ..}]}`
/// replaces the members (publicity is kept).
pub(super) async fn set_members(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body: Value =
        serde_json::from_slice(&body).map_err(|_| ApiError::bad_request("Invalid JSON data"))?;
    let memberships = body
        .get("memberships")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("Malformed request: missing 'memberships' list"))?;
    let mut members = Vec::new();
    for membership in memberships {
        let member = membership
            .as_object()
            .ok_or_else(|| ApiError::bad_request("Invalid 'memberships' field"))?
            .get("member_id")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("Malformed request: missing 'member_id'"))?;
        if !members.iter().any(|m| m == member) {
            members.push(member.to_string());
        }
    }
    state
        .image
        .change(&state.pithos, &user.uuid, &id, |image| {
            image.members = members;
            Ok(())
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /images/<id>/members/<member>`.
pub(super) async fn add_member(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path((id, member)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .image
        .change(&state.pithos, &user.uuid, &id, |image| {
            if !image.members.contains(&member) {
                image.members.push(member);
            }
            Ok(())
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /images/<id>/members/<member>`.
pub(super) async fn remove_member(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path((id, member)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .image
        .change(&state.pithos, &user.uuid, &id, |image| {
            image.members.retain(|m| *m != member);
            Ok(())
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /shared-images/<member>`: the images of `member` that the caller
/// sees without their being public (what Plankton answers).
pub(super) async fn list_shared(
    State(state): State<ImageService>,
    Authenticated(user): Authenticated,
    Path(member): Path<String>,
) -> Json<Value> {
    let shared: Vec<Value> = state
        .image
        .visible_images(&state.pithos, &user.uuid)
        .into_iter()
        .filter(|i| !i.is_public && i.owner == member)
        .map(|i| json!({"image_id": i.id, "can_share": false}))
        .collect();
    Json(json!({"shared_images": shared}))
}
