//! Volumes: created with a server (its root volume) or on their own,
//! attached, detached, reassigned and deleted; charged as `cyclades.disk`.
//!
//! Statuses: `creating` -> `in_use` once the server has it (or `available`
//! for a volume without server), `attaching` -> `in_use`, `detaching` ->
//! `available`, `deleting` -> `deleted`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::types;
use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::lifecycle::{self, as_i64, Action};
use crate::cyclades::model::{Volume, VolumeStatus, VolumeType};
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

mod attach;
mod create;
pub use attach::*;
pub use create::*;

/// Largest volume, in GB (Synnefo's `CYCLADES_VOLUME_MAX_SIZE`).
pub const MAX_SIZE: u64 = 200;
/// Most metadata items per volume.
pub const MAX_METADATA: usize = 10;
/// Most volumes per server.
pub const MAX_PER_SERVER: usize = 8;
/// Longest name.
pub const NAME_LENGTH: usize = 255;
/// Longest description.
pub const DESCRIPTION_LENGTH: usize = 256;

/// What a new volume is filled with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Nothing.
    Blank,
    /// An image.
    Image(String),
    /// A snapshot.
    Snapshot(String),
}

/// A volume in the API's form.
pub fn to_json(cloud: &Cloud, volume: &Volume, detail: bool) -> Value {
    let mut d = json!({
        "id": volume.id.to_string(),
        "display_name": volume.name,
        "links": cloud.links("volume", "volumes", &volume.id.to_string()),
    });
    if detail {
        let attachments: Vec<Value> = volume
            .machine
            .map(|m| json!({"server_id": m, "volume_id": volume.id, "device_index": volume.index}))
            .into_iter()
            .collect();
        let extra = json!({
            "status": volume.status.name().to_lowercase(),
            "size": volume.size,
            "display_description": volume.description,
            "created_at": clock::iso(volume.created),
            "metadata": volume.metadata,
            "snapshot_id": volume.source_snapshot,
            "source_volid": null,
            "image_id": volume.source_image,
            "attachments": attachments,
            "volume_type": volume.volume_type,
            "deleted": volume.deleted,
            "delete_on_termination": volume.delete_on_termination,
            "user_id": volume.user,
            "tenant_id": volume.project,
            "shared_to_project": false,
        });
        if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
            d.extend(extra.clone());
        }
    }
    d
}

/// The volume `text` of `user`; a missing one is `400` if `bad_request`,
/// else `404`.
pub fn find(cloud: &Cloud, user: &str, text: &str, bad_request: bool) -> ApiResult<u64> {
    let id = text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid volume id: {text}")))?;
    cloud
        .volume
        .volumes
        .get(&id)
        .filter(|v| v.user == user)
        .map(|v| v.id)
        .ok_or_else(|| {
            let message = format!("Volume {id} not found");
            if bad_request {
                ApiError::bad_request(message)
            } else {
                ApiError::item_not_found(message)
            }
        })
}

/// Like [`find`], for a volume that must not be deleted.
pub fn find_live(cloud: &Cloud, user: &str, text: &str, bad_request: bool) -> ApiResult<u64> {
    let id = find(cloud, user, text, bad_request)?;
    if cloud.volume.volumes[&id].deleted {
        return Err(ApiError::bad_request(format!(
            "Volume '{id}' has been deleted."
        )));
    }
    Ok(id)
}

fn list_volumes(
    state: &CycladesService,
    user: &User,
    query: &BTreeMap<String, String>,
    detail: bool,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let cloud = Cloud::lock(state);
    let volumes: Vec<Value> = cloud
        .volume
        .volumes
        .values()
        .filter(|v| v.user == user.uuid)
        .filter(|v| match since {
            Some(since) => v.updated >= since,
            None => !v.deleted,
        })
        .map(|v| to_json(&cloud, v, detail))
        .collect();
    if since.is_some() && volumes.is_empty() {
        return Ok(empty(304));
    }
    Ok(reply(200, json!({ "volumes": volumes })))
}

/// `GET /volumes`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_volumes(&state, &user, &query, false)
}

/// `GET /volumes/detail`.
pub async fn list_detail(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_volumes(&state, &user, &query, true)
}

/// `GET /volumes/<id>`: deleted volumes too.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let id = find(&cloud, &user.uuid, &id, false)?;
    let volume = &cloud.volume.volumes[&id];
    Ok(reply(
        200,
        json!({ "volume": to_json(&cloud, volume, true) }),
    ))
}

/// `PUT /volumes/<id>`: name, description, `delete_on_termination`.
pub async fn update(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let volume = json::req_object(&request, "volume")?;
    let name = json::get(volume, "display_name").and_then(json::scalar_text);
    let description = json::get(volume, "display_description").and_then(json::scalar_text);
    let delete_on_termination = json::opt_bool(volume, "delete_on_termination")?;
    if name.is_none() && description.is_none() && delete_on_termination.is_none() {
        return Err(ApiError::bad_request("Nothing to update."));
    }
    if let Some(name) = &name {
        json::check_length(name, NAME_LENGTH, "Volume name is too long")?;
    }
    if let Some(description) = &description {
        json::check_length(
            description,
            DESCRIPTION_LENGTH,
            "Volume description is too long",
        )?;
    }
    let mut cloud = Cloud::lock(&state);
    let id = find_live(&cloud, &user.uuid, &id, false)?;
    if delete_on_termination == Some(false) {
        let vtype = volume_type_of(&cloud, id)?;
        if vtype.template() != "ext" {
            return Err(ApiError::bad_request(format!(
                "Volumes of '{}' disk template cannot have 'delete_on_termination' attribute set to 'False'",
                vtype.disk_template
            )));
        }
        return Err(ApiError::not_implemented(
            "Volumes with the 'delete_on_termination' attribute set to False are not supported",
        ));
    }
    let now = cloud.wall;
    if let Some(v) = cloud.volume.volumes.get_mut(&id) {
        if let Some(name) = name {
            v.name = Some(name);
        }
        if let Some(description) = description {
            v.description = description;
        }
        v.updated = now;
    }
    let volume = &cloud.volume.volumes[&id];
    Ok(reply(
        200,
        json!({ "volume": to_json(&cloud, volume, true) }),
    ))
}

fn delete_volume(cloud: &mut Cloud, id: u64) -> ApiResult<()> {
    let volume = cloud.volume.volumes[&id].clone();
    let disk = [("cyclades.disk", as_i64(volume.size << 30))];
    match volume
        .machine
        .filter(|m| cloud.compute.servers.get(m).is_some_and(|s| !s.deleted))
    {
        Some(server) => {
            if !matches!(volume.status, VolumeStatus::InUse | VolumeStatus::Error) {
                return Err(ApiError::bad_request(format!(
                    "Cannot delete volume while volume is in '{}' status.",
                    volume.status.name()
                )));
            }
            if volume.index == Some(0) {
                return Err(ApiError::bad_request(format!(
                    "Cannot delete the root volume of server {server}."
                )));
            }
            lifecycle::validate(cloud, server, "DELETE_VOLUME")?;
            cloud.release(&volume.user, &volume.project, &disk);
            let now = cloud.wall;
            if let Some(v) = cloud.volume.volumes.get_mut(&id) {
                v.status = VolumeStatus::Deleting;
                v.updated = now;
            }
            lifecycle::issue(cloud, server, Action::DeleteVolume { volume: id });
        }
        None => {
            if !matches!(volume.status, VolumeStatus::Available | VolumeStatus::Error) {
                return Err(ApiError::bad_request(format!(
                    "Volume is in invalid state: {}",
                    volume.status.name()
                )));
            }
            cloud.release(&volume.user, &volume.project, &disk);
            let now = cloud.wall;
            if let Some(v) = cloud.volume.volumes.get_mut(&id) {
                v.status = VolumeStatus::Deleted;
                v.deleted = true;
                v.updated = now;
            }
        }
    }
    Ok(())
}

/// `DELETE /volumes/<id>`: 202; an attached volume goes with its server's
/// `DELETE_VOLUME` action.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = find_live(&cloud, &user.uuid, &id, false)?;
    cloud.atomic(|cloud| delete_volume(cloud, id))?;
    Ok(empty(202))
}

/// `GET /volumes/<id>/metadata`.
pub async fn list_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let id = find(&cloud, &user.uuid, &id, false)?;
    Ok(reply(
        200,
        json!({ "metadata": cloud.volume.volumes[&id].metadata }),
    ))
}

fn set_metadata(
    state: &CycladesService,
    user: &User,
    id: &str,
    headers: &HeaderMap,
    body: &[u8],
    reset: bool,
) -> ApiResult<Response> {
    let request = json::body(headers, body)?;
    let items = json::opt_object(&request, "metadata")?
        .ok_or_else(|| ApiError::bad_request("Malformed request. Missing attribute 'metadata'."))?;
    let items = json::string_map(items, "metadata")?;
    for (k, v) in &items {
        json::check_length(k, 64, "Metadata key is too long.")?;
        json::check_length(v, 255, "Metadata value is too long.")?;
    }
    let mut cloud = Cloud::lock(state);
    let id = find_live(&cloud, &user.uuid, id, false)?;
    let now = cloud.wall;
    let volume = cloud
        .volume
        .volumes
        .get_mut(&id)
        .ok_or_else(|| ApiError::item_not_found(format!("Volume {id} not found")))?;
    let mut metadata = if reset {
        BTreeMap::new()
    } else {
        volume.metadata.clone()
    };
    metadata.extend(items);
    if metadata.len() > MAX_METADATA {
        return Err(ApiError::bad_request(format!(
            "Volumes cannot have more than {MAX_METADATA} metadata items"
        )));
    }
    volume.metadata = metadata;
    volume.updated = now;
    Ok(reply(200, json!({ "metadata": volume.metadata })))
}

/// `POST /volumes/<id>/metadata`: adds or overwrites items.
pub async fn update_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    set_metadata(&state, &user, &id, &headers, &body, false)
}

/// `PUT /volumes/<id>/metadata`: replaces all items.
pub async fn replace_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    set_metadata(&state, &user, &id, &headers, &body, true)
}

/// `DELETE /volumes/<id>/metadata/<key>`: 200, as Synnefo answers.
pub async fn delete_metadata_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = find_live(&cloud, &user.uuid, &id, false)?;
    let now = cloud.wall;
    let volume = cloud
        .volume
        .volumes
        .get_mut(&id)
        .ok_or_else(|| ApiError::item_not_found(format!("Volume {id} not found")))?;
    volume
        .metadata
        .remove(&key)
        .ok_or_else(|| ApiError::bad_request("Metadata key not found"))?;
    volume.updated = now;
    Ok(empty(200))
}

/// `POST /volumes/<id>/action`: `{"reassign": {"project": ...}}`.
pub async fn action(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let (name, args) = request
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or_else(|| ApiError::bad_request("Malformed request"))?;
    if name != "reassign" {
        return Err(ApiError::bad_request(format!(
            "Action {name} not supported"
        )));
    }
    if !args.is_object() {
        return Err(json::invalid(name));
    }
    let project = json::opt_str(args, "project")?
        .ok_or_else(|| ApiError::bad_request("Missing 'project' attribute."))?
        .to_string();
    let mut cloud = Cloud::lock(&state);
    let id = find_live(&cloud, &user.uuid, &id, false)?;
    let volume = cloud.volume.volumes[&id].clone();
    if volume.index == Some(0) {
        return Err(ApiError::conflict(format!(
            "Cannot reassign: {id} is a system volume"
        )));
    }
    if let Some(server) = volume.machine {
        lifecycle::validate(&cloud, server, "REASSIGN")?;
    }
    if volume.project != project {
        let disk = [("cyclades.disk", as_i64(volume.size << 30))];
        cloud.charge(&volume.user, &project, &disk)?;
        cloud.release(&volume.user, &volume.project, &disk);
        let now = cloud.wall;
        if let Some(v) = cloud.volume.volumes.get_mut(&id) {
            v.project = project;
            v.updated = now;
        }
    }
    Ok(empty(200))
}
