//! A server's network connections as compute shows them: `attachments`
//! (one per active port) and `addresses` (per network).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::servers;
use crate::auth::Authenticated;
use crate::cyclades::json::reply;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::ApiResult;
use crate::network::ports;

/// The active ports of a server, as `attachments`, by port id.
pub fn attachments(cloud: &Cloud, server: u64) -> Vec<Value> {
    cloud
        .network
        .ports
        .values()
        .filter(|p| p.machine == Some(server) && ports::status(cloud, p) == "ACTIVE")
        .map(|port| {
            let mut d = json!({
                "id": port.id,
                "network_id": port.network.to_string(),
                "mac_address": port.mac,
                "ipv4": "",
                "ipv6": "",
            });
            if let Some(profile) = &port.firewall {
                d["firewallProfile"] = json!(profile);
            }
            // The type tells of the IPv4 address when there is one.
            let mut ips = ports::addresses(cloud, port.id);
            ips.sort_by_key(|ip| !ip.ipv6);
            for ip in ips {
                let kind = if ip.floating { "floating" } else { "fixed" };
                d[if ip.ipv6 { "ipv6" } else { "ipv4" }] = json!(ip.address);
                d["OS-EXT-IPS:type"] = json!(kind);
            }
            d
        })
        .collect()
}

/// `addresses` made from `attachments`: the addresses per network id.
pub fn to_addresses(attachments: &[Value]) -> Value {
    let mut addresses = Map::new();
    for nic in attachments {
        let mut list = Vec::new();
        for (key, version) in [("ipv4", 4), ("ipv6", 6)] {
            if let Some(addr) = nic[key].as_str().filter(|a| !a.is_empty()) {
                list.push(json!({
                    "version": version,
                    "addr": addr,
                    "OS-EXT-IPS:type": nic["OS-EXT-IPS:type"],
                }));
            }
        }
        let network = nic["network_id"].as_str().unwrap_or_default().to_string();
        addresses.insert(network, Value::Array(list));
    }
    Value::Object(addresses)
}

/// `GET /servers/<id>/ips`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?;
    let attachments = attachments(&cloud, server.id);
    Ok(reply(
        200,
        json!({"addresses": to_addresses(&attachments), "attachments": attachments}),
    ))
}

/// `GET /servers/<id>/ips/<network id>`.
pub async fn by_network(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, network)): Path<(String, String)>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?;
    let network = crate::network::networks::find(&cloud, &user.uuid, &network)?;
    let on_network: Vec<Value> = attachments(&cloud, server.id)
        .into_iter()
        .filter(|a| a["network_id"] == json!(network.id.to_string()))
        .collect();
    Ok(reply(200, json!({ "network": to_addresses(&on_network) })))
}
