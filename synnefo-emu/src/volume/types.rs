//! Volume types: the disk templates volumes are made on.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::cyclades::json::reply;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};

/// The volume types of a fresh cloud: (id, disk template).
pub const SEEDED: [(u64, &str); 2] = [(1, "drbd"), (2, "ext_vlmc")];

/// Disk templates whose volumes can be detached (Synnefo's
/// `CYCLADES_DETACHABLE_DISK_TEMPLATES`).
pub const DETACHABLE: &[&str] = &["ext_archipelago", "ext_vlmc"];

/// A volume type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeType {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its disk template, e.g. `drbd`, `ext_vlmc`.
    pub disk_template: String,
    /// Whether it was retired.
    pub deleted: bool,
}

impl VolumeType {
    /// The template family: `ext` for `ext_*`, else the template.
    pub fn template(&self) -> &str {
        self.disk_template
            .split_once('_')
            .map_or(self.disk_template.as_str(), |(t, _)| t)
    }

    /// Whether its volumes can live without a server.
    pub fn detachable(&self) -> bool {
        DETACHABLE.contains(&self.name.as_str())
    }

    /// Whether its volumes can be filled from an image or snapshot when
    /// they are not a server's root volume (Archipelago-backed templates).
    pub fn can_clone(&self) -> bool {
        self.disk_template.starts_with("ext_")
    }
}

/// The seeded volume types by id.
pub fn seed() -> BTreeMap<u64, VolumeType> {
    SEEDED
        .iter()
        .map(|(id, template)| {
            (
                *id,
                VolumeType {
                    id: *id,
                    name: template.to_string(),
                    disk_template: template.to_string(),
                    deleted: false,
                },
            )
        })
        .collect()
}

/// A volume type in the API's form.
pub fn to_json(vtype: &VolumeType) -> Value {
    json!({
        "id": vtype.id,
        "name": vtype.name,
        "deleted": vtype.deleted,
        "SNF:disk_template": vtype.disk_template,
        "SNF:detachable": vtype.detachable(),
    })
}

/// A (live) volume type by id text; `fault` builds the not-found fault.
pub fn find(
    cloud: &Cloud,
    text: Option<&str>,
    fault: fn(String) -> ApiError,
) -> ApiResult<VolumeType> {
    let shown = text.unwrap_or("None");
    let id = text
        .and_then(|t| t.trim().parse::<u64>().ok())
        .ok_or_else(|| ApiError::bad_request(format!("Invalid volume type id: {shown}")))?;
    cloud
        .volume
        .types
        .get(&id)
        .filter(|t| !t.deleted)
        .cloned()
        .ok_or_else(|| fault(format!("Volume type {id} not found")))
}

/// `GET /types`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(_user): Authenticated,
) -> Response {
    let cloud = Cloud::lock(&state);
    let types: Vec<Value> = cloud
        .volume
        .types
        .values()
        .filter(|t| !t.deleted)
        .map(to_json)
        .collect();
    reply(200, json!({ "volume_types": types }))
}

/// `GET /types/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(_user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let vtype = find(&cloud, Some(&id), ApiError::item_not_found)?;
    Ok(reply(200, json!({ "volume_type": to_json(&vtype) })))
}
