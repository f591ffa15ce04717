//! The version document, extensions, and `/limits` (absolute limits from
//! the user's quotas in their default project).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::auth::Authenticated;
use crate::cyclades::json::{empty, reply};
use crate::state::SharedState;

/// `GET /`: the compute API version.
pub async fn version(State(state): State<SharedState>) -> Response {
    let href = crate::catalog::service("compute")
        .map(|s| format!("{}{}/", state.base_url, s.served_path()))
        .unwrap_or_default();
    reply(
        200,
        json!({"version": {
            "id": "v2.0",
            "status": "CURRENT",
            "updated": "2011-01-21T11:33:21-06:00",
            "links": [{"rel": "self", "href": href}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.compute.v2+json"}
            ],
        }}),
    )
}

/// `GET /extensions`: none.
pub async fn extensions(Authenticated(_user): Authenticated) -> Response {
    reply(200, json!({ "extensions": [] }))
}

/// `GET /extensions/<alias>`: not found.
pub async fn extension(
    Authenticated(_user): Authenticated,
    Path(_alias): Path<String>,
) -> Response {
    empty(404)
}

/// `GET /limits`: OpenStack's absolute limits, from the user's quotas in
/// their default project.
pub async fn limits(
    State(state): State<SharedState>,
    Authenticated(user): Authenticated,
) -> Response {
    let report = state.quotas.report(&user.uuid, &user.default_project);
    let get = |r: &str| report.get(r).cloned().unwrap_or_default();
    let (vm, cpu, ram) = (
        get("cyclades.vm"),
        get("cyclades.total_cpu"),
        get("cyclades.total_ram"),
    );
    let (fip, nets) = (get("cyclades.floating_ip"), get("cyclades.network.private"));
    reply(
        200,
        json!({"limits": {
            "rate": [],
            "absolute": {
                "maxTotalInstances": vm.limit,
                "totalInstancesUsed": vm.usage,
                "maxTotalCores": cpu.limit,
                "totalCoresUsed": cpu.usage,
                "maxTotalRAMSize": ram.limit >> 20,
                "totalRAMUsed": ram.usage >> 20,
                "maxTotalFloatingIps": fip.limit,
                "totalFloatingIpsUsed": fip.usage,
                "maxTotalPrivateNetworks": nets.limit,
                "totalPrivateNetworksUsed": nets.usage,
                "maxServerMeta": super::metadata::MAX_ITEMS,
                "maxPersonality": super::create::MAX_PERSONALITY,
                "maxPersonalitySize": super::create::MAX_PERSONALITY_SIZE,
                "maxTotalKeypairs": 100,
            },
        }}),
    )
}
