//! Snapshots of (Archipelago-backed) volumes. As in Synnefo, a snapshot is
//! a Pithos object of its owner, `snapshots/<snapshot name>` (the container
//! is made if missing), whose data is the volume's disk (here: zeros, as
//! large as the volume, which cost no block storage), and its size is
//! charged to `pithos.diskspace` of the container's project (the owner's
//! own project, unless the container was moved to another). That object is
//! also a private image of its owner in the Image registry, so servers and
//! volumes can be made from it: the snapshot's id is the object's uuid, and
//! the snapshot and its image are gone once the object is (deleted through
//! Pithos, or replaced by another object). A snapshot is `CREATING` for the
//! action delay, then `AVAILABLE`.
//!
//! A second snapshot of the same name is a new version of the same object,
//! so it has the same id and replaces the first, as in Synnefo.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::volumes;
use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::model::{Snapshot, VolumeStatus};
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;
use crate::image::ImageRecord;
use crate::pithos::backend::{Content, ObjectWrite};

/// The Pithos container of snapshots, in the owner's account.
pub const SNAPSHOTS_CONTAINER: &str = "snapshots";

/// The content type of snapshot objects.
const SNAPSHOTS_TYPE: &str = "application/octet-stream";

/// `CREATING` or `AVAILABLE`.
pub fn status(cloud: &Cloud, snapshot: &Snapshot) -> &'static str {
    if cloud.now >= snapshot.available_at {
        "AVAILABLE"
    } else {
        "CREATING"
    }
}

/// The snapshot `id` of `user` (deleted ones, ones whose image was
/// unregistered, and ones whose object is gone are gone); missing is `400`
/// if `bad_request`, else `404`.
pub fn find<'c>(
    cloud: &'c Cloud,
    user: &str,
    id: &str,
    bad_request: bool,
) -> ApiResult<&'c Snapshot> {
    let registered = cloud
        .state
        .image
        .visible_image(&cloud.state.pithos, user, id)
        .is_some();
    cloud
        .volume
        .snapshots
        .get(id)
        .filter(|s| s.user == user && !s.deleted && registered)
        .ok_or_else(|| {
            let message = format!("Snapshot {id} not found");
            if bad_request {
                ApiError::bad_request(message)
            } else {
                ApiError::item_not_found(message)
            }
        })
}

/// A snapshot in the API's form.
pub fn to_json(cloud: &Cloud, snapshot: &Snapshot) -> Value {
    let status = status(cloud, snapshot);
    json!({
        "id": snapshot.id,
        "size": snapshot.size >> 30,
        "display_name": snapshot.name,
        "display_description": snapshot.description,
        "status": status,
        "user_id": snapshot.user,
        "tenant_id": snapshot.user,
        "os-extended-snapshot-attribute:progress": if status == "AVAILABLE" { json!("100%") } else { json!(0) },
        "created_at": clock::iso(snapshot.created),
        "metadata": snapshot.metadata,
        "volume_id": snapshot.volume,
        "links": cloud.links("volume", "snapshots", &snapshot.id),
    })
}

fn list_snapshots(
    state: &CycladesService,
    user: &User,
    query: &BTreeMap<String, String>,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let cloud = Cloud::lock(state);
    let snapshots: Vec<Value> = cloud
        .volume
        .snapshots
        .values()
        .filter(|s| find(&cloud, &user.uuid, &s.id, false).is_ok())
        .filter(|s| since.is_none_or(|since| s.updated >= since))
        .map(|s| to_json(&cloud, s))
        .collect();
    if since.is_some() && snapshots.is_empty() {
        return Ok(empty(304));
    }
    Ok(reply(200, json!({ "snapshots": snapshots })))
}

/// `GET /snapshots`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_snapshots(&state, &user, &query)
}

/// `GET /snapshots/detail`.
pub async fn list_detail(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_snapshots(&state, &user, &query)
}

fn create_snapshot(
    cloud: &mut Cloud,
    user: &User,
    volume_text: &str,
    name: String,
    description: String,
    metadata: Vec<(String, String)>,
) -> ApiResult<String> {
    let volume_id = volumes::find_live(cloud, &user.uuid, volume_text, true)?;
    let volume = cloud.volume.volumes[&volume_id].clone();
    let Some(server) = volume.machine else {
        return Err(ApiError::bad_request("Cannot snapshot a detached volume!"));
    };
    if !matches!(volume.status, VolumeStatus::Available | VolumeStatus::InUse) {
        return Err(ApiError::bad_request(format!(
            "Cannot create snapshot while volume is in '{}' status",
            volume.status.name()
        )));
    }
    let vtype = cloud
        .volume
        .types
        .get(&volume.volume_type)
        .cloned()
        .ok_or_else(|| ApiError::internal("Volume type is missing"))?;
    if !vtype.disk_template.starts_with("ext_") {
        return Err(ApiError::bad_request(format!(
            "Cannot take a snapshot from a volume with volume type '{}' and '{}' disk template",
            vtype.id, vtype.disk_template
        )));
    }
    let counter = volume.snapshot_counter + 1;
    if let Some(v) = cloud.volume.volumes.get_mut(&volume_id) {
        v.snapshot_counter = counter;
    }
    let mut properties: BTreeMap<String, String> = metadata.iter().cloned().collect();
    properties.insert("exclude_all_tasks".to_string(), "yes".to_string());
    properties.insert("description".to_string(), description.clone());
    if volume.index == Some(0) {
        if let Some(server) = cloud.compute.servers.get(&server) {
            for (k, v) in &server.metadata {
                if k == "OS" || k == "users" || k.eq_ignore_ascii_case("os") {
                    properties.insert(k.to_lowercase(), v.clone());
                }
            }
        }
    }
    let size = volume.size << 30;
    // The object comes last of what may fail: Pithos refusing it (over
    // quota) leaves nothing, and what follows cannot fail.
    let object = cloud
        .state
        .pithos
        .put_object(
            &cloud.state.quotas,
            ObjectWrite {
                account: &user.uuid,
                container: SNAPSHOTS_CONTAINER,
                name: &name,
                content: Content::Zeros(size),
                content_type: SNAPSHOTS_TYPE,
                meta: BTreeMap::new(),
                is_snapshot: true,
            },
        )
        .map_err(|fault| match fault.code {
            413 => ApiError::over_limit(format!(
                "Resource limit exceeded for your account. Not enough storage space to \
                 create snapshot of {} size.",
                show_gb(size)
            )),
            _ => fault,
        })?;
    let id = object.uuid;
    let now = cloud.wall;
    let stamp = clock::iso(now);
    let record = ImageRecord {
        id: id.clone(),
        name: name.clone(),
        owner: user.uuid.clone(),
        status: "CREATING".to_string(),
        is_public: false,
        size: object.size,
        checksum: object.hash,
        location: crate::image::location(&user.uuid, SNAPSHOTS_CONTAINER, &name),
        disk_format: "diskdump".to_string(),
        container_format: "bare".to_string(),
        created_at: stamp.clone(),
        updated_at: stamp,
        deleted_at: None,
        properties,
        members: Vec::new(),
    };
    let (due, _) = cloud.due();
    cloud.volume.snapshots.insert(
        id.clone(),
        Snapshot {
            id: id.clone(),
            object: name.clone(),
            name,
            description,
            size,
            user: user.uuid.clone(),
            volume: volume_text.to_string(),
            metadata: metadata.into_iter().collect(),
            created: now,
            updated: now,
            available_at: due,
            published: false,
            deleted: false,
        },
    );
    cloud.state.image.insert_object_image(record);
    Ok(id)
}

/// A size in GB as Synnefo's `units.show(size, "bytes", "gb")` writes it.
fn show_gb(bytes: u64) -> String {
    let gb = bytes as f64 / f64::from(1u32 << 30);
    if gb < 1.0 {
        format!("{gb:.3} GB")
    } else if gb < 10.0 {
        format!("{gb:.2} GB")
    } else {
        format!("{gb:.1} GB")
    }
}

/// `POST /snapshots`: `{"snapshot": {volume_id, display_name?,
/// display_description?, metadata?}}`; 202.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let snapshot = json::req_object(&request, "snapshot")?;
    let volume = json::opt_str_or_int(snapshot, "volume_id")?.ok_or_else(|| {
        ApiError::bad_request("Malformed request. Missing attribute 'volume_id'.")
    })?;
    let metadata = match json::opt_object(snapshot, "metadata")? {
        Some(m) => json::string_map(m, "metadata")?,
        None => Vec::new(),
    };
    let name = json::opt_str(snapshot, "display_name")?
        .map(str::to_string)
        .unwrap_or_else(|| format!("Snapshot of volume '{volume}'"));
    let description = json::opt_str(snapshot, "display_description")?
        .unwrap_or_default()
        .to_string();
    let mut cloud = Cloud::lock(&state);
    let id = cloud
        .atomic(|cloud| create_snapshot(cloud, &user, &volume, name, description, metadata))?;
    let snapshot = &cloud.volume.snapshots[&id];
    Ok(reply(202, json!({ "snapshot": to_json(&cloud, snapshot) })))
}

/// `GET /snapshots/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let snapshot = find(&cloud, &user.uuid, &id, false)?;
    Ok(reply(200, json!({ "snapshot": to_json(&cloud, snapshot) })))
}

fn modify(
    cloud: &mut Cloud,
    user: &User,
    id: &str,
    change: impl FnOnce(&mut Snapshot),
) -> ApiResult<()> {
    find(cloud, &user.uuid, id, false)?;
    let now = cloud.wall;
    let snapshot = cloud
        .volume
        .snapshots
        .get_mut(id)
        .ok_or_else(|| ApiError::item_not_found(format!("Snapshot {id} not found")))?;
    change(snapshot);
    snapshot.updated = now;
    let (name, description) = (snapshot.name.clone(), snapshot.description.clone());
    let deleted = snapshot.deleted;
    let mut images = cloud
        .state
        .image
        .images
        .write()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(image) = images.get_mut(id) {
        image.name = name;
        image
            .properties
            .insert("description".to_string(), description);
        image.updated_at = clock::iso(now);
        if deleted {
            image.status = "DELETED".to_string();
            image.deleted_at = Some(clock::iso(now));
        }
    }
    Ok(())
}

/// `PUT /snapshots/<id>`: name and description.
pub async fn update(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let snapshot = json::req_object(&request, "snapshot")?;
    let name = json::opt_str(snapshot, "display_name")?.map(str::to_string);
    let description = json::opt_str(snapshot, "display_description")?.map(str::to_string);
    if name.is_none() && description.is_none() {
        return Err(ApiError::bad_request("Nothing to update."));
    }
    let mut cloud = Cloud::lock(&state);
    modify(&mut cloud, &user, &id, |s| {
        if let Some(name) = name {
            s.name = name;
        }
        if let Some(description) = description {
            s.description = description;
        }
    })?;
    let snapshot = &cloud.volume.snapshots[&id];
    Ok(reply(200, json!({ "snapshot": to_json(&cloud, snapshot) })))
}

/// `DELETE /snapshots/<id>`: 202; its object is deleted (its space
/// released) and its image unregistered.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let object = find(&cloud, &user.uuid, &id, false)?.object.clone();
    modify(&mut cloud, &user, &id, |s| s.deleted = true)?;
    // Gone already (deleted through Pithos meanwhile) is as good.
    let _ = cloud.state.pithos.delete_object(
        &cloud.state.quotas,
        &user.uuid,
        SNAPSHOTS_CONTAINER,
        &object,
        Some(&id),
    );
    Ok(empty(202))
}

/// `GET /snapshots/<id>/metadata`.
pub async fn list_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let snapshot = find(&cloud, &user.uuid, &id, false)?;
    Ok(reply(200, json!({ "metadata": snapshot.metadata })))
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
    let mut cloud = Cloud::lock(state);
    modify(&mut cloud, user, id, |s| {
        if reset {
            s.metadata.clear();
        }
        s.metadata.extend(items);
    })?;
    Ok(reply(
        200,
        json!({ "metadata": cloud.volume.snapshots[id].metadata }),
    ))
}

/// `POST /snapshots/<id>/metadata`: adds or overwrites items.
pub async fn update_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    set_metadata(&state, &user, &id, &headers, &body, false)
}

/// `PUT /snapshots/<id>/metadata`: replaces all items.
pub async fn replace_metadata(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    set_metadata(&state, &user, &id, &headers, &body, true)
}

/// `DELETE /snapshots/<id>/metadata/<key>`: 200.
pub async fn delete_metadata_item(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    modify(&mut cloud, &user, &id, |s| {
        s.metadata.remove(&key);
    })?;
    Ok(empty(200))
}

#[cfg(test)]
mod tests {
    use super::show_gb;

    #[test]
    fn sizes_show_as_synnefo_units_do() {
        assert_eq!(show_gb(512 << 20), "0.500 GB");
        assert_eq!(show_gb(2 << 30), "2.00 GB");
        assert_eq!(show_gb(20 << 30), "20.0 GB");
    }
}
