//! `POST /servers/<id>/action`: start, shutdown, reboot, resize, rescue,
//! console, firewall profile, reassign and the rest, one per request.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::servers;
use crate::auth::Authenticated;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::lifecycle::{self, Action, OperState};
use crate::cyclades::model::Address;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;
use crate::network::ports;
use crate::random;

/// The firewall profiles of a port.
pub const FIREWALL_PROFILES: &[&str] = &["ENABLED", "DISABLED", "PROTECTED"];

/// The rescue images a fresh cloud has (by id).
pub const RESCUE_IMAGES: &[u64] = &[1];

fn missing(name: &str) -> ApiError {
    ApiError::bad_request(format!("Missing '{name}' attribute."))
}

fn text_arg(args: &Map<String, Value>, name: &str) -> Option<String> {
    args.get(name).and_then(json::scalar_text)
}

fn host(state: &CycladesService) -> String {
    let rest = state
        .base_url
        .split_once("://")
        .map_or(&*state.base_url, |(_, r)| r);
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    host.to_string()
}

fn console(state: &CycladesService, cloud: &Cloud, id: u64, kind: &str) -> ApiResult<Value> {
    let server = &cloud.compute.servers[&id];
    if server.oper != OperState::Started || server.task.is_some() {
        return Err(ApiError::bad_request("Server not in ACTIVE state."));
    }
    Ok(json!({
        "type": kind,
        "host": host(state),
        "port": 5900 + (id % 10000),
        "password": random::password(),
    }))
}

fn run(
    state: &CycladesService,
    cloud: &mut Cloud,
    user: &User,
    id: u64,
    action: &str,
    args: &Map<String, Value>,
) -> ApiResult<Response> {
    match action {
        "start" | "os-start" => lifecycle::start(cloud, id).map(|()| empty(202)),
        "shutdown" | "os-stop" => lifecycle::stop(cloud, id).map(|()| empty(202)),
        "reboot" => {
            let kind = text_arg(args, "type").unwrap_or_else(|| "SOFT".to_string());
            if kind != "SOFT" && kind != "HARD" {
                return Err(ApiError::bad_request("Invalid 'type' attribute."));
            }
            lifecycle::reboot(cloud, id).map(|()| empty(202))
        }
        "resize" => {
            let flavor = text_arg(args, "flavorRef").ok_or_else(|| missing("flavorRef"))?;
            let project = cloud.compute.servers[&id].project.clone();
            let flavor = super::flavors::usable(cloud, user, &flavor, &project)?;
            lifecycle::resize(cloud, id, &flavor).map(|()| empty(202))
        }
        "rescue" => {
            if let Some(image) = args.get("rescue_image_ref").filter(|v| !v.is_null()) {
                let known = json::scalar_text(image)
                    .and_then(|i| i.parse::<u64>().ok())
                    .is_some_and(|i| RESCUE_IMAGES.contains(&i));
                if !known {
                    return Err(ApiError::item_not_found(format!(
                        "Rescue image {image} not found"
                    )));
                }
            }
            lifecycle::command(cloud, id, Action::Rescue).map(|()| empty(202))
        }
        "unrescue" => lifecycle::command(cloud, id, Action::Unrescue).map(|()| empty(202)),
        "console" => {
            let kind = text_arg(args, "type")
                .ok_or_else(|| ApiError::bad_request("No console 'type' specified."))?;
            if !["vnc", "vnc-ws", "vnc-wss"].contains(&kind.as_str()) {
                return Err(ApiError::bad_request(
                    "Supported types: vnc, vnc-ws, vnc-wss",
                ));
            }
            let console = console(state, cloud, id, &kind)?;
            Ok(reply(200, json!({ "console": console })))
        }
        "os-getVNCConsole" => {
            let kind = text_arg(args, "type")
                .ok_or_else(|| ApiError::bad_request("No console 'type' specified."))?;
            let info = match kind.as_str() {
                "novnc" => console(state, cloud, id, "vnc-wss")?,
                "xvpvnc" => console(state, cloud, id, "vnc")?,
                _ => return Err(ApiError::bad_request("Supported types: novnc, xvpvnc")),
            };
            let (host, port, password) = (&info["host"], &info["port"], &info["password"]);
            let host = host.as_str().unwrap_or_default();
            let password = password.as_str().unwrap_or_default();
            let url = if kind == "novnc" {
                format!(
                    "{}/cyclades/ui/machines/console?host={host}&port={port}&password={password}",
                    state.base_url
                )
            } else {
                format!("{host}:{port}?password={password}")
            };
            Ok(reply(200, json!({"console": {"type": kind, "url": url}})))
        }
        "os-getSPICEConsole" => Err(ApiError::not_implemented("Spice console not implemented")),
        "os-getRDPConsole" => Err(ApiError::not_implemented("RDP console not implemented")),
        "firewallProfile" => {
            let profile = text_arg(args, "profile")
                .ok_or_else(|| ApiError::bad_request("Missing 'profile' attribute"))?;
            let nic = text_arg(args, "nic")
                .ok_or_else(|| ApiError::bad_request("Missing 'nic' attribute"))?;
            lifecycle::validate(cloud, id, "SET_FIREWALL_PROFILE")?;
            let nic_id = nic
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("Invalid NIC ID '{nic}'")))?;
            let now = cloud.wall;
            let port = cloud
                .network
                .ports
                .get_mut(&nic_id)
                .filter(|p| p.machine == Some(id))
                .ok_or_else(|| ApiError::item_not_found(format!("NIC '{nic}' not found")))?;
            if !FIREWALL_PROFILES.contains(&profile.as_str()) {
                return Err(ApiError::bad_request("Unsupported firewall profile"));
            }
            port.firewall = Some(profile);
            port.updated = now;
            Ok(empty(202))
        }
        "reassign" => {
            if args.get("shared_to_project").and_then(Value::as_bool) == Some(true) {
                return Err(ApiError::forbidden(
                    "Sharing resource to the members of the project is not permitted",
                ));
            }
            let project = text_arg(args, "project").ok_or_else(|| missing("project"))?;
            lifecycle::reassign(cloud, id, &project).map(|()| empty(200))
        }
        // Synnefo knows no changePassword (nor rebuild) action: it is
        // refused as any unknown action is, below.
        "addFloatingIp" => {
            let address = text_arg(args, "address")
                .ok_or_else(|| ApiError::bad_request("Missing 'address' attribute"))?;
            let ip = ports::floating_by_address(cloud, &user.uuid, &address)?;
            let network = cloud.network.ips[&ip].network;
            let port = ports::new_port(cloud, &user.uuid, network, Address::Existing(ip), "")?;
            ports::connect(cloud, port, id)?;
            Ok(empty(202))
        }
        "removeFloatingIp" => {
            let address = text_arg(args, "address")
                .ok_or_else(|| ApiError::bad_request("Missing 'address' attribute"))?;
            let ip = ports::floating_by_address(cloud, &user.uuid, &address)?;
            let port = cloud.network.ips[&ip]
                .port
                .filter(|p| {
                    cloud
                        .network
                        .ports
                        .get(p)
                        .is_some_and(|p| p.machine == Some(id))
                })
                .ok_or_else(|| {
                    ApiError::bad_request(format!("Floating IP {address} not attached to instance"))
                })?;
            ports::delete_port(cloud, port)?;
            Ok(empty(202))
        }
        "suspend" => Err(ApiError::forbidden(
            "User is not allowed to suspend his server",
        )),
        _ => Err(ApiError::bad_request(format!(
            "Action {action} not supported"
        ))),
    }
}

/// `POST /servers/<id>/action` with `{"<action>": {<arguments>}}`.
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
        .ok_or_else(|| ApiError::bad_request("Malformed request"))?;
    // kamaki's rescue puts `rescue_image_ref` beside the action: the action
    // is the first key that names one.
    let (name, args) = object
        .iter()
        .find(|(k, _)| k.as_str() != "rescue_image_ref")
        .ok_or_else(|| ApiError::bad_request("Malformed Request."))?;
    let mut args = match args {
        Value::Null => Map::new(),
        Value::Object(map) => map.clone(),
        _ => return Err(json::invalid(name)),
    };
    if let Some(image) = object.get("rescue_image_ref") {
        args.entry("rescue_image_ref")
            .or_insert_with(|| image.clone());
    }
    let mut cloud = Cloud::lock(&state);
    let server = servers::find_live(&cloud, &user, &id)?;
    let name = name.clone();
    cloud.atomic(|cloud| run(&state, cloud, &user, server, &name, &args))
}
