//! `/servers/<id>/os-volume_attachments`: a server's volumes, attached and
//! detached through compute (the attachment id is the volume id).

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
use crate::volume::volumes;

fn attachment(volume: u64, server: u64) -> Value {
    json!({"id": volume, "volumeId": volume, "serverId": server, "device": ""})
}

/// `GET /servers/<id>/os-volume_attachments`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?.id;
    let attachments: Vec<Value> = cloud
        .volume
        .volumes
        .values()
        .filter(|v| v.machine == Some(server) && !v.deleted)
        .map(|v| attachment(v.id, server))
        .collect();
    Ok(reply(200, json!({ "volumeAttachments": attachments })))
}

/// `GET /servers/<id>/os-volume_attachments/<volume id>`.
pub async fn get_one(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, volume)): Path<(String, String)>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?.id;
    let volume = volumes::find_live(&cloud, &user.uuid, &volume, true)?;
    volumes::check_attachment(&cloud, server, volume)?;
    Ok(reply(
        200,
        json!({ "volumeAttachment": attachment(volume, server) }),
    ))
}

/// `POST /servers/<id>/os-volume_attachments` with
/// `{"volumeAttachment": {"volumeId": ...}}`.
pub async fn attach(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let attachment_request = json::req_object(&request, "volumeAttachment")?;
    let volume = json::opt_str_or_int(attachment_request, "volumeId")?
        .ok_or_else(|| ApiError::bad_request("Malformed request. Missing attribute 'volumeId'."))?;
    let mut cloud = Cloud::lock(&state);
    let server = servers::find_live(&cloud, &user, &id)?;
    let volume = cloud.atomic(|cloud| {
        let volume = volumes::find_live(cloud, &user.uuid, &volume, true)?;
        volumes::attach(cloud, server, volume)?;
        Ok(volume)
    })?;
    Ok(reply(
        202,
        json!({ "volumeAttachment": attachment(volume, server) }),
    ))
}

/// `DELETE /servers/<id>/os-volume_attachments/<volume id>`.
pub async fn detach(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, volume)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let server = servers::find_live(&cloud, &user, &id)?;
    cloud.atomic(|cloud| {
        let volume = volumes::find_live(cloud, &user.uuid, &volume, true)?;
        volumes::detach(cloud, server, volume)
    })?;
    Ok(empty(202))
}
