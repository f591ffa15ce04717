//! Addresses, and the floating IPs among them: public IPv4 addresses a
//! user reserves from a pool network (charged as `cyclades.floating_ip`),
//! attaches to a server by creating a port with it, detaches by deleting
//! that port, and releases.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::model::IpAddress;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

fn instance(cloud: &Cloud, ip: &IpAddress) -> Option<u64> {
    ip.port
        .and_then(|p| cloud.network.ports.get(&p))
        .and_then(|p| p.machine)
}

/// A floating IP in the network API's form.
pub fn to_json(cloud: &Cloud, ip: &IpAddress) -> Value {
    json!({
        "fixed_ip_address": null,
        "id": ip.id.to_string(),
        "instance_id": instance(cloud, ip).map(|m| m.to_string()),
        "floating_ip_address": ip.address,
        "port_id": ip.port.map(|p| p.to_string()),
        "floating_network_id": ip.network.to_string(),
        "user_id": ip.user,
        "tenant_id": ip.project,
        "shared_to_project": false,
        "deleted": false,
    })
}

/// A floating IP in the compute API's (`os-floating-ips`) form.
pub fn to_compute_json(cloud: &Cloud, ip: &IpAddress) -> Value {
    json!({
        "fixed_ip": null,
        "id": ip.id,
        "instance_id": instance(cloud, ip).map(|m| m.to_string()),
        "ip": ip.address,
        "pool": null,
    })
}

fn find(cloud: &Cloud, user: &str, id_text: &str) -> ApiResult<u64> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid Floating IP ID {id_text}")))?;
    cloud
        .network
        .ips
        .get(&id)
        .filter(|ip| ip.floating && ip.user == user)
        .map(|ip| ip.id)
        .ok_or_else(|| {
            ApiError::item_not_found(format!("Floating IP with ID {id} does not exist."))
        })
}

/// Reserves a floating IP from `network` (or from any pool) for `user`,
/// charged to `project`.
pub fn allocate(
    cloud: &mut Cloud,
    user: &User,
    network: Option<u64>,
    address: Option<&str>,
    project: &str,
) -> ApiResult<u64> {
    let id = match network {
        Some(network) => {
            let net = cloud
                .network
                .networks
                .get(&network)
                .filter(|n| n.visible_to(&user.uuid))
                .ok_or_else(|| ApiError::item_not_found(format!("Network {network} not found.")))?;
            if net.deleted {
                return Err(ApiError::bad_request("Network has been deleted."));
            }
            if !net.floating_ip_pool {
                return Err(ApiError::conflict(format!(
                    "Cannot allocate floating IP. Network {network} is not a floating IP pool."
                )));
            }
            super::ports::allocate_ip(cloud, network, &user.uuid, address, true)?
        }
        None => {
            let pools: Vec<u64> = cloud
                .network
                .networks
                .values()
                .filter(|n| n.public && n.floating_ip_pool && !n.deleted)
                .map(|n| n.id)
                .collect();
            pools
                .into_iter()
                .find_map(|n| super::ports::allocate_ip(cloud, n, &user.uuid, None, true).ok())
                .ok_or_else(|| ApiError::conflict("Cannot allocate a floating IP address."))?
        }
    };
    if let Some(ip) = cloud.network.ips.get_mut(&id) {
        ip.project = Some(project.to_string());
    }
    cloud.charge(&user.uuid, project, &[("cyclades.floating_ip", 1)])?;
    Ok(id)
}

/// Releases a floating IP that no port holds.
pub fn release(cloud: &mut Cloud, id: u64) -> ApiResult<()> {
    let ip = cloud.network.ips.get(&id).cloned().ok_or_else(|| {
        ApiError::item_not_found(format!("Floating IP with ID {id} does not exist."))
    })?;
    if let Some(port) = ip.port {
        return Err(ApiError::conflict(match instance(cloud, &ip) {
            Some(server) => format!("IP '{id}' is used by server '{server}'"),
            None => format!("IP '{id}' is used by port '{port}'"),
        }));
    }
    cloud.network.ips.remove(&id);
    if let Some(project) = &ip.project {
        cloud.release(&ip.user, project, &[("cyclades.floating_ip", 1)]);
    }
    Ok(())
}

fn list_ips(
    state: &CycladesService,
    user: &User,
    query: &BTreeMap<String, String>,
    compute: bool,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let cloud = Cloud::lock(state);
    let ips: Vec<Value> = cloud
        .network
        .ips
        .values()
        .filter(|ip| ip.floating && ip.user == user.uuid)
        .filter(|ip| since.is_none_or(|s| ip.updated >= s))
        .map(|ip| {
            if compute {
                to_compute_json(&cloud, ip)
            } else {
                to_json(&cloud, ip)
            }
        })
        .collect();
    if since.is_some() && ips.is_empty() {
        return Ok(empty(304));
    }
    let key = if compute {
        "floating_ips"
    } else {
        "floatingips"
    };
    Ok(reply(200, json!({ key: ips })))
}

/// `GET /floatingips`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_ips(&state, &user, &query, false)
}

/// `POST /floatingips`: `{"floatingip": {floating_network_id?,
/// floating_ip_address?, project?}}`; answers 200, as Synnefo does.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let fip = json::req_object(&request, "floatingip")?;
    let network = match json::opt_str_or_int(fip, "floating_network_id")? {
        Some(text) => Some(
            text.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request("Invalid networkd ID."))?,
        ),
        None => None,
    };
    let address = json::opt_str(fip, "floating_ip_address")?
        .filter(|a| !a.is_empty())
        .map(str::to_string);
    let project = json::opt_str(fip, "project")?
        .map(str::to_string)
        .unwrap_or_else(|| user.default_project.clone());
    let mut cloud = Cloud::lock(&state);
    let id = cloud.atomic(|cloud| allocate(cloud, &user, network, address.as_deref(), &project))?;
    let ip = &cloud.network.ips[&id];
    Ok(reply(200, json!({ "floatingip": to_json(&cloud, ip) })))
}

/// `GET /floatingips/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let id = find(&cloud, &user.uuid, &id)?;
    let ip = &cloud.network.ips[&id];
    Ok(reply(200, json!({ "floatingip": to_json(&cloud, ip) })))
}

/// `PUT /floatingips/<id>`: not supported by Synnefo (attach and detach
/// through ports instead).
pub async fn update(Authenticated(_user): Authenticated, Path(_id): Path<String>) -> ApiError {
    ApiError::not_implemented("Updating a floating IP is not supported.")
}

/// `DELETE /floatingips/<id>`: only a floating IP no port holds.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = find(&cloud, &user.uuid, &id)?;
    cloud.atomic(|cloud| release(cloud, id))?;
    Ok(empty(204))
}

/// `POST /floatingips/<id>/action`: `{"reassign": {"project": ...}}`.
pub async fn action(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let object = request
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| ApiError::bad_request("Malformed request."))?;
    let Some((name, args)) = object.iter().next() else {
        return Err(ApiError::bad_request("Malformed request."));
    };
    if name != "reassign" {
        return Err(ApiError::bad_request(format!(
            "Action {name} not supported."
        )));
    }
    if !args.is_object() {
        return Err(ApiError::bad_request("Invalid argument."));
    }
    let project = json::opt_str(args, "project")?
        .ok_or_else(|| ApiError::bad_request("Missing 'project' attribute."))?
        .to_string();
    let mut cloud = Cloud::lock(&state);
    let id = find(&cloud, &user.uuid, &id)?;
    let old = cloud.network.ips[&id].project.clone().unwrap_or_default();
    if old != project {
        cloud.charge(&user.uuid, &project, &[("cyclades.floating_ip", 1)])?;
        cloud.release(&user.uuid, &old, &[("cyclades.floating_ip", 1)]);
        let now = cloud.wall;
        if let Some(ip) = cloud.network.ips.get_mut(&id) {
            ip.project = Some(project);
            ip.updated = now;
        }
    }
    Ok(empty(200))
}

/// `GET /os-floating-ips` (compute).
pub async fn compute_list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    list_ips(&state, &user, &query, true)
}

/// `POST /os-floating-ips` (compute): a floating IP from any pool.
pub async fn compute_allocate(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let project = user.default_project.clone();
    let id = cloud.atomic(|cloud| allocate(cloud, &user, None, None, &project))?;
    let ip = &cloud.network.ips[&id];
    Ok(reply(
        200,
        json!({ "floating_ip": to_compute_json(&cloud, ip) }),
    ))
}

/// `GET /os-floating-ips/<id>` (compute; answers in the network form, as
/// Synnefo does).
pub async fn compute_get(
    state: State<CycladesService>,
    user: Authenticated,
    id: Path<String>,
) -> ApiResult<Response> {
    get_details(state, user, id).await
}

/// `DELETE /os-floating-ips/<id>` (compute).
pub async fn compute_release(
    state: State<CycladesService>,
    user: Authenticated,
    id: Path<String>,
) -> ApiResult<Response> {
    delete(state, user, id).await
}
