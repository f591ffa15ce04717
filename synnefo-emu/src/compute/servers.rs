//! Servers: the record, its compute API form, and the plain operations
//! (list, details, rename, delete, stats, diagnostics, password).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::addresses;
use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::lifecycle::{self};
pub use crate::cyclades::model::compute::{find, find_live};
use crate::cyclades::model::Server;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

/// Longest server name.
pub const NAME_LENGTH: usize = 255;

/// A server in the compute API's form.
pub fn to_json(cloud: &Cloud, server: &Server, detail: bool) -> Value {
    let mut d = json!({
        "id": server.id,
        "name": server.name,
        "links": cloud.links("compute", "servers", &server.id.to_string()),
    });
    if !detail {
        return d;
    }
    let status = server.status();
    let attachments = addresses::attachments(cloud, server.id);
    let volumes: Vec<u64> = cloud
        .volume
        .volumes
        .values()
        .filter(|v| v.machine == Some(server.id) && !v.deleted)
        .map(|v| v.id)
        .collect();
    let tags: Vec<&str> = server
        .tags
        .iter()
        .filter(|t| t.status(cloud.now) == "ACTIVE")
        .map(|t| t.name.as_str())
        .collect();
    let extra = json!({
        "user_id": server.user,
        "tenant_id": server.project,
        "shared_to_project": false,
        "status": status,
        "SNF:task_state": server.task_state(),
        "progress": if status == "ACTIVE" { 100 } else { server.progress(cloud) },
        "hostId": "",
        "updated": clock::iso(server.updated),
        "created": clock::iso(server.created),
        "flavor": {
            "id": server.flavor,
            "links": cloud.links("compute", "flavors", &server.flavor.to_string()),
        },
        "image": {
            "id": server.image,
            "links": super::images::links(&cloud.state.base_url, &server.image),
        },
        "suspended": false,
        "metadata": server.metadata,
        "tags": tags,
        "addresses": addresses::to_addresses(&attachments),
        "attachments": attachments,
        "volumes": volumes,
        "diagnostics": server.diagnostics.last().map(|d| vec![d.clone()]).unwrap_or_default(),
        "security_groups": [{"name": "default"}],
        "key_name": server.key_names.first(),
        "SNF:key_names": server.key_names,
        "config_drive": "",
        "accessIPv4": "",
        "accessIPv6": "",
        "SNF:fqdn": format!("snf-{}.vm.example.synnefo.org", server.id),
        "SNF:port_forwarding": {},
        "deleted": server.deleted,
        "SNF:rescue": server.rescue,
    });
    if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
        d.extend(extra.clone());
    }
    d
}

fn list_servers(
    state: &CycladesService,
    user: &User,
    query: &BTreeMap<String, String>,
    detail: bool,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let cloud = Cloud::lock(state);
    let servers: Vec<&Server> = cloud
        .compute
        .servers
        .values()
        .filter(|s| s.user == user.uuid)
        .filter(|s| match since {
            Some(since) => s.updated >= since,
            None => !s.deleted,
        })
        .filter(|s| {
            query
                .get("name")
                .is_none_or(|n| s.name.contains(n.as_str()))
        })
        .filter(|s| query.get("status").is_none_or(|st| s.status() == st))
        .filter(|s| query.get("image").is_none_or(|i| &s.image == i))
        .filter(|s| {
            query
                .get("flavor")
                .is_none_or(|f| &s.flavor.to_string() == f)
        })
        .collect();
    if since.is_some() && servers.is_empty() {
        return Ok(empty(304));
    }
    let servers: Vec<Value> = servers.iter().map(|s| to_json(&cloud, s, detail)).collect();
    Ok(reply(200, json!({ "servers": servers })))
}

/// `GET /servers`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_servers(&state, &user, &query, false)
}

/// `GET /servers/detail`.
pub async fn list_detail(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_servers(&state, &user, &query, true)
}

/// `GET /servers/<id>`: deleted servers answer with status `DELETED`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = find(&cloud, &user, &id)?;
    Ok(reply(
        200,
        json!({ "server": to_json(&cloud, server, true) }),
    ))
}

/// `PUT /servers/<id>` with `{"server": {"name": ...}}`.
pub async fn rename(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let server = json::req_object(&request, "server")?;
    let name = json::req_str(server, "name")?.to_string();
    json::check_length(&name, NAME_LENGTH, "Server name is too long")?;
    let mut cloud = Cloud::lock(&state);
    let id = find_live(&cloud, &user, &id)?;
    let wall = cloud.wall;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.name = name;
        server.updated = wall;
    }
    Ok(empty(204))
}

/// `DELETE /servers/<id>`: the server, its ports and its volumes go after
/// the action delay.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = find_live(&cloud, &user, &id)?;
    cloud.atomic(|cloud| lifecycle::destroy(cloud, id))?;
    Ok(empty(204))
}

/// `GET /servers/<id>/stats`: where the statistics graphs are.
pub async fn stats(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = find(&cloud, &user, &id)?;
    let secret: String = format!("snf-{}", server.id)
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    let graph = |kind: &str| format!("http://stats.example.synnefo.org/stats/v1.0/{kind}/{secret}");
    Ok(reply(
        200,
        json!({"stats": {
            "serverRef": server.id,
            "refresh": 60,
            "cpuBar": graph("cpu-bar"),
            "cpuTimeSeries": graph("cpu-ts"),
            "netBar": graph("net-bar"),
            "netTimeSeries": graph("net-ts"),
        }}),
    ))
}

/// `GET /servers/<id>/diagnostics`: newest first.
pub async fn diagnostics(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = find(&cloud, &user, &id)?;
    let entries: Vec<Value> = server.diagnostics.iter().rev().cloned().collect();
    Ok(reply(200, Value::Array(entries)))
}

/// `GET /servers/<id>/password`: the generated password, until deleted.
pub async fn password(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = find(&cloud, &user, &id)?;
    let password = server
        .password
        .clone()
        .ok_or_else(|| ApiError::item_not_found("No password for this server"))?;
    Ok(reply(200, json!({ "password": password })))
}

/// `DELETE /servers/<id>/password`.
pub async fn delete_password(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = find(&cloud, &user, &id)?.id;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.password = None;
    }
    Ok(empty(204))
}
