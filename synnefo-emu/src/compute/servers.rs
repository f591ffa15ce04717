//! Servers: the record, its compute API form, and the plain operations
//! (list, details, rename, delete, stats, diagnostics, password).

use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::addresses;
use super::lifecycle::{self, Action, OperState, Task};
use crate::auth::Authenticated;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::CycladesService;
use crate::cyclades::{clock, Cloud};
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

/// Longest server name.
pub const NAME_LENGTH: usize = 255;

/// A tag of a server: `PENDADD` until the backend confirms it, then
/// `ACTIVE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The tag.
    pub name: String,
    /// When it becomes `ACTIVE`.
    pub active_at: Instant,
}

impl Tag {
    /// `PENDADD` or `ACTIVE`.
    pub fn status(&self, now: Instant) -> &'static str {
        if now >= self.active_at {
            "ACTIVE"
        } else {
            "PENDADD"
        }
    }
}

/// A virtual server.
#[derive(Clone, Debug)]
pub struct Server {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The owner's uuid.
    pub user: String,
    /// The project its resources are charged to.
    pub project: String,
    /// Its flavor's id.
    pub flavor: u64,
    /// The id of the image it was built from.
    pub image: String,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// The state the backend last reported.
    pub oper: OperState,
    /// Whether it is deleted.
    pub deleted: bool,
    /// Whether it is in rescue mode.
    pub rescue: bool,
    /// The action in progress, if any.
    pub task: Option<Task>,
    /// When building started (for `progress`).
    pub build_started: Instant,
    /// Custom metadata.
    pub metadata: BTreeMap<String, String>,
    /// User tags.
    pub tags: Vec<Tag>,
    /// Names of the keypairs injected.
    pub key_names: Vec<String>,
    /// Diagnostic log entries, oldest first.
    pub diagnostics: Vec<Value>,
    /// The admin password, until the user deletes it.
    pub password: Option<String>,
    /// The flavor whose resources are charged (the new one once a resize
    /// is issued).
    pub charged_flavor: u64,
    /// Whether the running resources (`cyclades.cpu`, `cyclades.ram`) are
    /// charged.
    pub online_charged: bool,
}

impl Server {
    /// The API status: `BUILD`, `ACTIVE`, `STOPPED`, `REBOOT`, `RESIZE`,
    /// `ERROR` or `DELETED`.
    pub fn status(&self) -> &'static str {
        if self.deleted {
            return "DELETED";
        }
        let pending = self.task.as_ref().map(|t| &t.action);
        match self.oper {
            OperState::Build => "BUILD",
            OperState::Error => "ERROR",
            OperState::Started if matches!(pending, Some(Action::Reboot)) => "REBOOT",
            OperState::Started => "ACTIVE",
            OperState::Stopped if matches!(pending, Some(Action::Resize { .. })) => "RESIZE",
            OperState::Stopped => "STOPPED",
        }
    }

    /// `BUILDING`, `STOPPING`... or empty.
    pub fn task_state(&self) -> &'static str {
        self.task.as_ref().map_or("", |t| t.action.task_state())
    }

    /// Build progress, 0-100.
    pub fn progress(&self, cloud: &Cloud) -> u64 {
        if self.oper != OperState::Build {
            return 100;
        }
        let total = cloud.delay.as_millis().max(1);
        let done = cloud
            .now
            .saturating_duration_since(self.build_started)
            .as_millis();
        u64::try_from((done * 100 / total).min(99)).unwrap_or(99)
    }
}

/// The server `id_text` of `user`, deleted ones included; `400` on a
/// malformed id, `404` if there is none.
pub fn find<'c>(cloud: &'c Cloud, user: &User, id_text: &str) -> ApiResult<&'c Server> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request("Invalid server ID."))?;
    cloud
        .compute
        .servers
        .get(&id)
        .filter(|s| s.user == user.uuid)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))
}

/// Like [`find`], but the server must not be deleted (`400`).
pub fn find_live(cloud: &Cloud, user: &User, id_text: &str) -> ApiResult<u64> {
    let server = find(cloud, user, id_text)?;
    if server.deleted {
        return Err(ApiError::bad_request("Server has been deleted."));
    }
    Ok(server.id)
}

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
