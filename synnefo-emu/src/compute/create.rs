//! `POST /servers`: a new server with its ports and volumes, charged to a
//! project, all or nothing.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Value};

use super::servers;
use super::{metadata, tags};
use crate::auth::Authenticated;
use crate::cyclades::json::{self, reply};
use crate::cyclades::lifecycle::{self, Action, OperState, Task};
use crate::cyclades::model::{Address, Server, Tag};
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;
use crate::network::ports;
use crate::random;
use crate::volume::volumes::{self, Source};

/// Most files a server may be given at creation.
pub const MAX_PERSONALITY: usize = 5;
/// Largest personality file, in bytes.
pub const MAX_PERSONALITY_SIZE: usize = 10240;

/// A volume of `block_device_mapping_v2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockDevice {
    /// `image`, `snapshot`, `volume` or `blank`.
    pub source_type: String,
    /// The id of the source.
    pub uuid: Option<String>,
    /// The size in GB.
    pub size: Option<u64>,
    /// Whether it goes with the server.
    pub delete_on_termination: bool,
}

/// A server creation request, checked.
#[derive(Clone, Debug)]
pub struct CreateRequest {
    name: String,
    image: Option<String>,
    flavor: String,
    metadata: Vec<(String, String)>,
    tags: Vec<String>,
    networks: Option<Vec<Value>>,
    project: Option<String>,
    key_names: Vec<String>,
    password: Option<String>,
    volumes: Option<Vec<BlockDevice>>,
}

fn malformed() -> ApiError {
    ApiError::bad_request("Malformed request")
}

fn is_base64(text: &str) -> bool {
    text.len().is_multiple_of(4)
        && base64::engine::general_purpose::STANDARD
            .decode(text)
            .is_ok()
}

fn verify_personality(items: &[Value]) -> ApiResult<()> {
    if items.len() > MAX_PERSONALITY {
        return Err(ApiError::over_limit(
            "Maximum number of personalities exceeded",
        ));
    }
    let bad = || ApiError::bad_request("Malformed personality in request");
    for item in items {
        let object = item.as_object().ok_or_else(bad)?;
        let allowed = ["contents", "group", "mode", "owner", "path"];
        if object.keys().any(|k| !allowed.contains(&k.as_str())) {
            return Err(bad());
        }
        let contents = object
            .get("contents")
            .and_then(Value::as_str)
            .ok_or_else(bad)?;
        if contents.len() > MAX_PERSONALITY_SIZE * 4 / 3 + 4 {
            return Err(ApiError::over_limit("Maximum size of personality exceeded"));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(contents)
            .map_err(|_| bad())?;
        if decoded.len() > MAX_PERSONALITY_SIZE {
            return Err(ApiError::over_limit("Maximum size of personality exceeded"));
        }
    }
    Ok(())
}

fn parse_block_devices(items: &Value) -> ApiResult<Vec<BlockDevice>> {
    let invalid =
        |why: &str| ApiError::bad_request(format!("Block Device Mapping is Invalid{why}"));
    let items = items.as_array().ok_or_else(|| invalid(""))?;
    items
        .iter()
        .map(|device| {
            if !device.is_object() {
                return Err(invalid(""));
            }
            let source_type = device
                .get("source_type")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(": Invalid source_type field"))?;
            if !["image", "volume", "blank", "snapshot"].contains(&source_type) {
                return Err(invalid(
                    ": source_type must be on of image, volume, blank, snapshot",
                ));
            }
            let uuid = json::get(device, "uuid").and_then(json::scalar_text);
            if uuid.is_none() && source_type != "blank" {
                return Err(invalid(&format!(": uuid of {source_type} is missing")));
            }
            let size = match json::get(device, "volume_size") {
                None => None,
                Some(v) => Some(
                    json::scalar_text(v)
                        .and_then(|s| s.parse::<u64>().ok())
                        .ok_or_else(|| invalid(": Invalid size field"))?,
                ),
            };
            let delete_on_termination = match json::get(device, "delete_on_termination") {
                None => source_type != "volume",
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(invalid(": Invalid delete_on_termination field")),
            };
            Ok(BlockDevice {
                source_type: source_type.to_string(),
                uuid,
                size,
                delete_on_termination,
            })
        })
        .collect()
}

/// Checks a creation request (before anything is locked).
pub fn parse(request: &Value) -> ApiResult<CreateRequest> {
    let server = request
        .get("server")
        .filter(|s| s.is_object())
        .ok_or_else(malformed)?;
    let name = server
        .get("name")
        .and_then(json::scalar_text)
        .ok_or_else(malformed)?;
    let image = match server.get("imageRef") {
        None => return Err(malformed()),
        Some(v) => json::scalar_text(v).filter(|s| !s.is_empty()),
    };
    let flavor = server
        .get("flavorRef")
        .and_then(json::scalar_text)
        .ok_or_else(malformed)?;
    let metadata = match json::get(server, "metadata") {
        None => Vec::new(),
        Some(Value::Object(m)) => json::string_map(m, "metadata")?,
        Some(_) => return Err(malformed()),
    };
    let tag_list = match json::get(server, "tags") {
        None => None,
        Some(Value::Array(t)) => Some(t),
        Some(_) => return Err(malformed()),
    };
    if tag_list.is_some_and(|t| t.iter().any(|t| !t.is_string())) {
        return Err(ApiError::bad_request("Malformed Request. Invalid tag."));
    }
    let tags = tags::parse(tag_list)?;
    let personality = match json::get(server, "personality") {
        None => Vec::new(),
        Some(Value::Array(p)) => p.clone(),
        Some(_) => return Err(malformed()),
    };
    let networks = match json::get(server, "networks") {
        None => None,
        Some(Value::Array(n)) => Some(n.clone()),
        Some(_) => return Err(malformed()),
    };
    let project = match json::get(server, "project") {
        None => None,
        Some(v) => Some(json::scalar_text(v).ok_or_else(malformed)?),
    };
    let key_name = match json::get(server, "key_name") {
        None => None,
        Some(v) => Some(json::scalar_text(v).ok_or_else(malformed)?),
    };
    let snf_key_names: Vec<String> = match json::get(server, "SNF:key_names") {
        None => Vec::new(),
        Some(Value::Array(k)) => k.iter().filter_map(json::scalar_text).collect(),
        Some(_) => return Err(malformed()),
    };
    let key_names = match key_name {
        Some(_) if !snf_key_names.is_empty() => {
            return Err(ApiError::bad_request(
                "Only one of the SNF:key_names andkey_name can be set",
            ))
        }
        Some(k) => vec![k],
        None => {
            let mut names = snf_key_names;
            names.sort();
            names.dedup();
            names
        }
    };
    let password = match json::get(server, "adminPass") {
        None => None,
        Some(Value::String(p)) if p.is_empty() => None,
        Some(Value::String(p)) => {
            if !random::is_strong(p) {
                return Err(ApiError::bad_request(
                    "Password not strong (must contain upper case, lower case, digits and be at least 10 characters!",
                ));
            }
            Some(p.clone())
        }
        Some(_) => return Err(malformed()),
    };
    let user_data = match json::get(server, "user_data") {
        None => String::new(),
        Some(Value::String(u)) => u.clone(),
        Some(_) => return Err(malformed()),
    };
    let volumes = match server.get("block_device_mapping_v2") {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_block_devices(v)?),
    };
    verify_personality(&personality)?;
    if !user_data.is_empty() && !is_base64(&user_data) {
        return Err(ApiError::bad_request("Marformed user_data request"));
    }
    json::check_length(&name, servers::NAME_LENGTH, "Server name is too long")?;
    if metadata.len() > metadata::MAX_ITEMS {
        return Err(ApiError::bad_request(format!(
            "Virtual Machines cannot have more than {} metadata items",
            metadata::MAX_ITEMS
        )));
    }
    for (k, v) in &metadata {
        metadata::check_item(k, v)?;
    }
    Ok(CreateRequest {
        name,
        image,
        flavor,
        metadata,
        tags,
        networks,
        project,
        key_names,
        password,
        volumes,
    })
}

/// The ports asked by one item of `networks`.
fn port_for_request(cloud: &mut Cloud, user: &User, item: &Value) -> ApiResult<u64> {
    let invalid = || ApiError::bad_request("Malformed request. Invalid 'networks' field");
    if !item.is_object() {
        return Err(invalid());
    }
    if let Some(port) = json::get(item, "port") {
        let text = json::scalar_text(port).ok_or_else(invalid)?;
        return ports::find_id(cloud, &user.uuid, &text);
    }
    let Some(network) = json::get(item, "uuid") else {
        return Err(ApiError::bad_request(
            "Network 'uuid' or 'port' attribute is required.",
        ));
    };
    let text = json::scalar_text(network).ok_or_else(invalid)?;
    let network = crate::network::networks::find_live(cloud, &user.uuid, &text)?;
    let fixed_ip = item.get("fixed_ip");
    let public = cloud.network.networks[&network].public;
    if public {
        let ip = match fixed_ip {
            None => cloud
                .network
                .ips
                .values()
                .find(|ip| {
                    ip.floating && ip.user == user.uuid && ip.network == network && ip.port.is_none()
                })
                .map(|ip| ip.id)
                .ok_or_else(|| {
                    ApiError::conflict(format!(
                        "Cannot find an unused floating IP to connect server to network '{network}'. Please create a floating IP."
                    ))
                })?,
            Some(Value::String(address)) => ports::floating_by_address(cloud, &user.uuid, address)?,
            Some(_) => return Err(ApiError::bad_request("Cannot connect to public network")),
        };
        return ports::new_port(cloud, &user.uuid, network, Address::Existing(ip), "");
    }
    let address = match fixed_ip {
        None | Some(Value::Null) => Address::Auto,
        Some(Value::String(a)) => Address::Fixed(a.clone()),
        Some(_) => return Err(invalid()),
    };
    ports::new_port(cloud, &user.uuid, network, address, "")
}

/// The ports of a new server: the default policy (a port on the public
/// network with a fresh public IPv4, not a floating IP) when `networks` is
/// absent, none for `[]`, else those asked.
fn instance_ports(
    cloud: &mut Cloud,
    user: &User,
    networks: Option<&[Value]>,
) -> ApiResult<Vec<u64>> {
    let ports = match networks {
        None => {
            let network = crate::network::PUBLIC_NETWORK;
            let ip = ports::allocate_ip(cloud, network, &user.uuid, None, false).map_err(|_| {
                ApiError::conflict("Cannot connect server to default server networks.")
            })?;
            vec![ports::new_port(
                cloud,
                &user.uuid,
                network,
                Address::Existing(ip),
                "",
            )?]
        }
        Some(items) => items
            .iter()
            .map(|item| port_for_request(cloud, user, item))
            .collect::<ApiResult<Vec<_>>>()?,
    };
    if ports.len() > ports::MAX_PER_SERVER {
        return Err(ApiError::bad_request(
            "Maximum ports per server limit reached",
        ));
    }
    Ok(ports)
}

/// The image a new server boots from: `imageRef`, or the source of its
/// first volume (they must agree when both are given), visible to `user`.
fn boot_image(cloud: &Cloud, user: &User, req: &CreateRequest) -> ApiResult<String> {
    let volume_image = req
        .volumes
        .as_ref()
        .and_then(|v| v.first())
        .filter(|v| v.source_type == "image" || v.source_type == "snapshot")
        .and_then(|v| v.uuid.clone());
    let image_id = match (&req.image, &volume_image) {
        (Some(image), Some(volume)) if image != volume => return Err(ApiError::bad_request(
            "The specified server's image is different from the the source of the first volume.",
        )),
        (Some(image), _) => image.clone(),
        (None, Some(volume)) => volume.clone(),
        (None, None) => {
            return Err(ApiError::bad_request(
                "You need to specify either an image or a block device mapping.",
            ))
        }
    };
    cloud
        .state
        .image
        .visible_image(&cloud.state.pithos, &user.uuid, &image_id)
        .ok_or_else(|| ApiError::item_not_found(format!("Image '{image_id}' not found")))?;
    Ok(image_id)
}

/// Creates the server; answers its id and admin password.
pub fn create_server(
    cloud: &mut Cloud,
    user: &User,
    req: CreateRequest,
) -> ApiResult<(u64, String)> {
    let project = req
        .project
        .clone()
        .unwrap_or_else(|| user.default_project.clone());
    let flavor = super::flavors::usable(cloud, user, &req.flavor, &project)?;
    if !flavor.allow_create {
        return Err(ApiError::forbidden(format!(
            "It is not allowed to create a server from flavor with id '{}', see 'allow_create' flavor attribute",
            flavor.id
        )));
    }
    for key in &req.key_names {
        if !cloud
            .compute
            .keypairs
            .contains_key(&(user.uuid.clone(), key.clone()))
        {
            return Err(ApiError::item_not_found(format!(
                "Keypair {key} not found."
            )));
        }
    }
    let image_id = boot_image(cloud, user, &req)?;
    let devices = match req.volumes.clone().filter(|v| !v.is_empty()) {
        Some(devices) => devices,
        None => vec![BlockDevice {
            source_type: "image".to_string(),
            uuid: Some(image_id.clone()),
            size: Some(flavor.disk),
            delete_on_termination: true,
        }],
    };
    if devices.first().is_some_and(|d| d.source_type == "blank") {
        return Err(ApiError::bad_request("Root volume cannot be blank"));
    }

    let ports = instance_ports(cloud, user, req.networks.as_deref())?;
    let id = cloud.compute.new_server_id();
    let (due, due_at) = cloud.due();
    let password = req.password.clone().unwrap_or_else(random::password);
    cloud.compute.servers.insert(
        id,
        Server {
            id,
            name: req.name.clone(),
            user: user.uuid.clone(),
            project: project.clone(),
            flavor: flavor.id,
            image: image_id,
            created: cloud.wall,
            updated: cloud.wall,
            oper: OperState::Build,
            deleted: false,
            rescue: false,
            task: Some(Task {
                action: Action::Build,
                due,
                due_at,
            }),
            build_started: cloud.now,
            metadata: req.metadata.iter().cloned().collect::<BTreeMap<_, _>>(),
            tags: req
                .tags
                .iter()
                .map(|t| Tag {
                    name: t.clone(),
                    active_at: due,
                })
                .collect(),
            key_names: req.key_names.clone(),
            diagnostics: Vec::new(),
            password: Some(password.clone()),
            charged_flavor: flavor.id,
            online_charged: true,
        },
    );
    for port in ports {
        ports::associate(cloud, port, id)?;
    }
    let mut new_disk: u64 = 0;
    for (index, device) in devices.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        if device.source_type == "volume" {
            let text = device.uuid.clone().unwrap_or_default();
            volumes::attach_at_build(
                cloud,
                user,
                &text,
                flavor.volume_type,
                id,
                index,
                device.delete_on_termination,
            )?;
            continue;
        }
        let source = match (device.source_type.as_str(), device.uuid.clone()) {
            ("image", Some(uuid)) => Source::Image(uuid),
            ("snapshot", Some(uuid)) => Source::Snapshot(uuid),
            _ => Source::Blank,
        };
        let size = device.size.unwrap_or(flavor.disk);
        let volume = volumes::new_volume(
            cloud,
            &user.uuid,
            &project,
            Some(size),
            source,
            flavor.volume_type,
            None,
            String::new(),
            Some(index),
        )?;
        if let Some(v) = cloud.volume.volumes.get_mut(&volume) {
            v.machine = Some(id);
            v.delete_on_termination = device.delete_on_termination;
        }
        new_disk += size;
    }
    let mut deltas: Vec<(&str, i64)> = lifecycle::offline_resources(&flavor).to_vec();
    deltas.extend(lifecycle::online_resources(&flavor));
    deltas.push(("cyclades.disk", lifecycle::as_i64(new_disk << 30)));
    cloud.charge(&user.uuid, &project, &deltas)?;
    Ok((id, password))
}

/// `POST /servers`: 202 with the new server (status `BUILD`) and its
/// `adminPass`.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = parse(&json::body(&headers, &body)?)?;
    let mut cloud = Cloud::lock(&state);
    let (id, password) = cloud.atomic(|cloud| create_server(cloud, &user, request))?;
    let server = &cloud.compute.servers[&id];
    let mut answer = servers::to_json(&cloud, server, true);
    answer["status"] = json!("BUILD");
    answer["adminPass"] = json!(password);
    Ok(reply(202, json!({ "server": answer })))
}
