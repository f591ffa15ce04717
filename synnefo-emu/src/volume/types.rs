//! Volume types: the disk templates volumes are made on.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::cyclades::json::reply;
use crate::cyclades::model::VolumeType;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};

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
