//! Networks: the public network of the cloud and the users' private ones.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::model::Network;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

/// Longest network name.
pub const NAME_LENGTH: usize = 128;

/// Every network type Synnefo knows.
pub const TYPES: &[&str] = &["CUSTOM", "IP_LESS_ROUTED", "MAC_FILTERED", "PHYSICAL_VLAN"];

/// The types users may create.
pub const USER_TYPES: &[&str] = &["IP_LESS_ROUTED", "MAC_FILTERED", "PHYSICAL_VLAN"];

/// A network in the API's form.
pub fn to_json(cloud: &Cloud, network: &Network) -> Value {
    json!({
        "id": network.id.to_string(),
        "name": network.name,
        "links": cloud.links("network", "networks", &network.id.to_string()),
        "user_id": network.user,
        "tenant_id": network.project,
        "shared_to_project": false,
        "type": network.flavor,
        "updated": clock::iso(network.updated),
        "created": clock::iso(network.created),
        "status": network.status(),
        "public": network.public,
        "shared": network.public,
        "router:external": network.external_router,
        "admin_state_up": true,
        // Synnefo keeps them in a SeparatedValuesField: strings.
        "subnets": network.subnets.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "SNF:floating_ip_pool": network.floating_ip_pool,
        "deleted": network.deleted,
    })
}

/// The network `id_text` as `user` sees it; `400` on a malformed id.
pub fn find<'c>(cloud: &'c Cloud, user: &str, id_text: &str) -> ApiResult<&'c Network> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid network ID '{id_text}'")))?;
    cloud
        .network
        .networks
        .get(&id)
        .filter(|n| n.visible_to(user))
        .ok_or_else(|| ApiError::item_not_found(format!("Network {id} not found.")))
}

/// Like [`find`], for a network that must not be deleted.
pub fn find_live(cloud: &Cloud, user: &str, id_text: &str) -> ApiResult<u64> {
    let network = find(cloud, user, id_text)?;
    if network.deleted {
        return Err(ApiError::bad_request("Network has been deleted."));
    }
    Ok(network.id)
}

/// `GET /networks` and `/networks/detail` (both detailed, as in Synnefo).
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let cloud = Cloud::lock(&state);
    let networks: Vec<Value> = cloud
        .network
        .networks
        .values()
        .filter(|n| n.visible_to(&user.uuid))
        .filter(|n| match since {
            Some(since) => n.updated >= since,
            None => !n.deleted,
        })
        .map(|n| to_json(&cloud, n))
        .collect();
    if since.is_some() && networks.is_empty() {
        return Ok(empty(304));
    }
    Ok(reply(200, json!({ "networks": networks })))
}

/// `POST /networks`: a private network, charged to `project`.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let network = json::req_object(&request, "network")?;
    let flavor = json::req_str(network, "type")?.to_string();
    if !TYPES.contains(&flavor.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Invalid network type '{flavor}'"
        )));
    }
    if !USER_TYPES.contains(&flavor.as_str()) {
        return Err(ApiError::forbidden(format!(
            "Cannot create network of type '{flavor}'."
        )));
    }
    let name = json::opt_str(network, "name")?
        .unwrap_or_default()
        .to_string();
    json::check_length(&name, NAME_LENGTH, "Network name is too long")?;
    let project = json::opt_str(network, "project")?
        .map(str::to_string)
        .unwrap_or_else(|| user.default_project.clone());
    let mut cloud = Cloud::lock(&state);
    let id = cloud.atomic(|cloud| {
        let id = cloud.network.new_network_id();
        let now = cloud.wall;
        cloud.network.networks.insert(
            id,
            Network {
                id,
                name,
                user: Some(user.uuid.clone()),
                project: Some(project.clone()),
                flavor,
                public: false,
                floating_ip_pool: false,
                external_router: false,
                subnets: Vec::new(),
                created: now,
                updated: now,
                deleted: false,
            },
        );
        cloud.charge(&user.uuid, &project, &[("cyclades.network.private", 1)])?;
        Ok(id)
    })?;
    let network = &cloud.network.networks[&id];
    Ok(reply(201, json!({ "network": to_json(&cloud, network) })))
}

/// `GET /networks/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let network = find(&cloud, &user.uuid, &id)?;
    Ok(reply(200, json!({ "network": to_json(&cloud, network) })))
}

fn own_private(cloud: &Cloud, user: &User, id_text: &str, what: &str) -> ApiResult<u64> {
    let id = find_live(cloud, &user.uuid, id_text)?;
    let network = &cloud.network.networks[&id];
    if network.public {
        return Err(ApiError::forbidden(format!(
            "Cannot {what} the public network."
        )));
    }
    if network.user.as_deref() != Some(user.uuid.as_str()) {
        return Err(ApiError::forbidden(format!(
            "Action '{what}' is allowed only to the owner of the network."
        )));
    }
    Ok(id)
}

/// `PUT /networks/<id>`: renames a private network.
pub async fn update(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let network = json::req_object(&request, "network")?;
    let name = json::req_str(network, "name")?.to_string();
    json::check_length(&name, NAME_LENGTH, "Network name is too long")?;
    let mut cloud = Cloud::lock(&state);
    let id = own_private(&cloud, &user, &id, "rename")?;
    let now = cloud.wall;
    if let Some(network) = cloud.network.networks.get_mut(&id) {
        network.name = name;
        network.updated = now;
    }
    let network = &cloud.network.networks[&id];
    Ok(reply(200, json!({ "network": to_json(&cloud, network) })))
}

/// `DELETE /networks/<id>`: only a network with no ports and no floating
/// IPs.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = own_private(&cloud, &user, &id, "delete")?;
    if cloud.network.ports.values().any(|p| p.network == id) {
        return Err(ApiError::conflict(format!(
            "Cannot delete network. There are ports still configured on network network {id}"
        )));
    }
    if cloud
        .network
        .ips
        .values()
        .any(|ip| ip.network == id && ip.floating)
    {
        return Err(ApiError::conflict(
            "Cannot delete netowrk. Network has allocated floating IPs.",
        ));
    }
    let now = cloud.wall;
    let mut owner = None;
    if let Some(network) = cloud.network.networks.get_mut(&id) {
        network.deleted = true;
        network.updated = now;
        owner = network.user.clone().zip(network.project.clone());
    }
    let subnets: Vec<u64> = cloud.network.networks[&id].subnets.clone();
    for subnet in subnets {
        if let Some(s) = cloud.network.subnets.get_mut(&subnet) {
            s.deleted = true;
            s.updated = now;
        }
    }
    if let Some((owner, project)) = owner {
        cloud.release(&owner, &project, &[("cyclades.network.private", 1)]);
    }
    Ok(empty(204))
}

/// `POST /networks/<id>/action`: `{"reassign": {"project": ...}}`.
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
        .ok_or_else(|| ApiError::bad_request("Malformed request."))?;
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
    let id = own_private(&cloud, &user, &id, "reassign")?;
    let old = cloud.network.networks[&id]
        .project
        .clone()
        .unwrap_or_default();
    if old != project {
        cloud.charge(&user.uuid, &project, &[("cyclades.network.private", 1)])?;
        cloud.release(&user.uuid, &old, &[("cyclades.network.private", 1)]);
        let now = cloud.wall;
        if let Some(network) = cloud.network.networks.get_mut(&id) {
            network.project = Some(project);
            network.updated = now;
        }
    }
    Ok(empty(200))
}
