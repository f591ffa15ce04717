//! Ports: a network interface on a network, holding its addresses, plugged
//! into a server or not. A port plugged into a server is `BUILD` until the
//! server has it, then `ACTIVE`; an unplugged port is `DOWN`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::ipam;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::lifecycle::{self, Action};
use crate::cyclades::model::{Address, IpAddress, Port};
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

/// Longest port name.
pub const NAME_LENGTH: usize = 128;

/// Most ports a server may have (Synnefo's `GANETI_MAX_NICS_PER_INSTANCE`).
pub const MAX_PER_SERVER: usize = 8;

/// `BUILD`, `ACTIVE` or `DOWN`.
pub fn status(cloud: &Cloud, port: &Port) -> &'static str {
    let Some(server) = port.machine.and_then(|m| cloud.compute.servers.get(&m)) else {
        return "DOWN";
    };
    match server.task.as_ref().map(|t| &t.action) {
        Some(Action::Build) => "BUILD",
        Some(Action::Connect { port: p }) if *p == port.id => "BUILD",
        _ => "ACTIVE",
    }
}

/// The addresses of a port.
pub fn addresses<'c>(cloud: &'c Cloud, port: u64) -> Vec<&'c IpAddress> {
    cloud
        .network
        .ips
        .values()
        .filter(|ip| ip.port == Some(port))
        .collect()
}

/// A port in the API's form.
pub fn to_json(cloud: &Cloud, port: &Port) -> Value {
    let fixed_ips: Vec<Value> = addresses(cloud, port.id)
        .iter()
        .map(|ip| json!({"ip_address": ip.address, "subnet": ip.subnet.to_string()}))
        .collect();
    json!({
        "id": port.id.to_string(),
        "name": port.name,
        "links": cloud.links("network", "ports", &port.id.to_string()),
        "user_id": port.user,
        "tenant_id": port.user,
        "device_id": port.machine.map(|m| m.to_string()),
        "admin_state_up": true,
        "mac_address": port.mac,
        "status": status(cloud, port),
        "device_owner": port.device_owner,
        "network_id": port.network.to_string(),
        "updated": clock::iso(port.updated),
        "created": clock::iso(port.created),
        "fixed_ips": fixed_ips,
        "security_groups": [],
    })
}

/// Whether `user` may see a port: theirs, or plugged into their server.
pub fn visible_to(cloud: &Cloud, port: &Port, user: &str) -> bool {
    port.user == user
        || port
            .machine
            .and_then(|m| cloud.compute.servers.get(&m))
            .is_some_and(|s| s.user == user)
}

fn find<'c>(cloud: &'c Cloud, user: &str, id_text: &str) -> ApiResult<&'c Port> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid port ID '{id_text}'")))?;
    cloud
        .network
        .ports
        .get(&id)
        .filter(|p| visible_to(cloud, p, user))
        .ok_or_else(|| ApiError::item_not_found(format!("Port '{id}' not found.")))
}

/// The id of a port `user` may use.
pub fn find_id(cloud: &Cloud, user: &str, id_text: &str) -> ApiResult<u64> {
    find(cloud, user, id_text).map(|p| p.id)
}

fn v4_subnet(cloud: &Cloud, network: u64) -> Option<u64> {
    cloud
        .network
        .subnets
        .values()
        .find(|s| s.network == network && !s.ipv6 && !s.deleted)
        .map(|s| s.id)
}

/// Allocates an IPv4 address of `network` (the requested one, or the first
/// free one) to `user`.
pub fn allocate_ip(
    cloud: &mut Cloud,
    network: u64,
    user: &str,
    requested: Option<&str>,
    floating: bool,
) -> ApiResult<u64> {
    let subnet_id = v4_subnet(cloud, network).ok_or_else(|| {
        ApiError::conflict(format!(
            "No more IP addresses available on network {network}"
        ))
    })?;
    let pools = cloud.network.subnets[&subnet_id].pools.clone();
    let used: std::collections::BTreeSet<u32> = cloud
        .network
        .ips
        .values()
        .filter(|ip| ip.subnet == subnet_id)
        .filter_map(|ip| ipam::parse_v4(&ip.address))
        .collect();
    let address = match requested {
        Some(text) => {
            let addr = ipam::parse_v4(text)
                .filter(|a| pools.iter().any(|(s, e)| a >= s && a <= e))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Address {text} does not belong to network {network}"
                    ))
                })?;
            if used.contains(&addr) {
                return Err(ApiError::conflict(format!(
                    "IP address {text} is already used."
                )));
            }
            addr
        }
        None => pools
            .iter()
            .flat_map(|(s, e)| *s..=*e)
            .find(|a| !used.contains(a))
            .ok_or_else(|| {
                ApiError::conflict(format!(
                    "No more IP addresses available on network {network}"
                ))
            })?,
    };
    let id = cloud.network.new_ip_id();
    let now = cloud.wall;
    cloud.network.ips.insert(
        id,
        IpAddress {
            id,
            network,
            subnet: subnet_id,
            address: ipam::v4(address),
            ipv6: false,
            user: user.to_string(),
            project: None,
            floating,
            port: None,
            created: now,
            updated: now,
        },
    );
    Ok(id)
}

/// Creates a port of `user` on `network` with an IPv4 address as asked
/// (and an IPv6 one by SLAAC if the network has an IPv6 subnet).
pub fn new_port(
    cloud: &mut Cloud,
    user: &str,
    network: u64,
    address: Address,
    name: &str,
) -> ApiResult<u64> {
    json::check_length(name, NAME_LENGTH, "Port name is too long")?;
    let net = cloud
        .network
        .networks
        .get(&network)
        .ok_or_else(|| ApiError::item_not_found(format!("Network {network} not found.")))?;
    if net.deleted {
        return Err(ApiError::conflict(format!(
            "Cannot create port while network '{network}' is in 'DELETED' status"
        )));
    }
    let ip = match address {
        Address::Existing(ip) => {
            let existing = cloud
                .network
                .ips
                .get(&ip)
                .ok_or_else(|| ApiError::item_not_found("Floating IP does not exist."))?;
            if existing.network != network {
                return Err(ApiError::conflict(format!(
                    "IP Address {} does not belong to network {network}",
                    existing.address
                )));
            }
            if existing.port.is_some() {
                return Err(ApiError::conflict(format!(
                    "IP address '{}' is already in use",
                    existing.address
                )));
            }
            Some(ip)
        }
        Address::Auto | Address::Fixed(_) if v4_subnet(cloud, network).is_some() => {
            let requested = match &address {
                Address::Fixed(a) => Some(a.as_str()),
                _ => None,
            };
            Some(allocate_ip(cloud, network, user, requested, false)?)
        }
        Address::Fixed(a) => {
            return Err(ApiError::bad_request(format!(
                "Address {a} is not a valid IP for the defined network subnets"
            )))
        }
        Address::Auto => None,
    };
    let id = cloud.network.new_port_id();
    let now = cloud.wall;
    let mac = format!(
        "aa:00:{:02x}:{:02x}:{:02x}:{:02x}",
        network & 0xff,
        (id >> 16) & 0xff,
        (id >> 8) & 0xff,
        id & 0xff
    );
    if let Some(ip) = ip.and_then(|ip| cloud.network.ips.get_mut(&ip)) {
        ip.port = Some(id);
        ip.updated = now;
    }
    let v6 = cloud
        .network
        .subnets
        .values()
        .find(|s| s.network == network && s.ipv6 && !s.deleted)
        .and_then(|s| ipam::parse_v6_64(&s.cidr).map(|p| (s.id, p)));
    if let Some((subnet, address)) = v6.and_then(|(s, p)| ipam::eui64(p, &mac).map(|a| (s, a))) {
        let ip_id = cloud.network.new_ip_id();
        cloud.network.ips.insert(
            ip_id,
            IpAddress {
                id: ip_id,
                network,
                subnet,
                address,
                ipv6: true,
                user: user.to_string(),
                project: None,
                floating: false,
                port: Some(id),
                created: now,
                updated: now,
            },
        );
    }
    cloud.network.ports.insert(
        id,
        Port {
            id,
            name: name.to_string(),
            network,
            user: user.to_string(),
            machine: None,
            mac,
            device_owner: None,
            firewall: None,
            created: now,
            updated: now,
        },
    );
    Ok(id)
}

/// Plugs a port into a server (the server's pending action covers it).
pub fn associate(cloud: &mut Cloud, port: u64, server: u64) -> ApiResult<()> {
    let now = cloud.wall;
    let p = cloud
        .network
        .ports
        .get_mut(&port)
        .ok_or_else(|| ApiError::item_not_found(format!("Port '{port}' not found.")))?;
    if p.machine.is_some() {
        return Err(ApiError::conflict(format!(
            "Port {port} is already in use."
        )));
    }
    p.machine = Some(server);
    p.device_owner = Some("vm".to_string());
    p.updated = now;
    Ok(())
}

/// Plugs a port into a running server: the server's `CONNECT` action.
pub fn connect(cloud: &mut Cloud, port: u64, server: u64) -> ApiResult<()> {
    let count = cloud
        .network
        .ports
        .values()
        .filter(|p| p.machine == Some(server))
        .count();
    if count >= MAX_PER_SERVER {
        return Err(ApiError::bad_request(
            "Maximum ports per server limit reached",
        ));
    }
    lifecycle::validate(cloud, server, "CONNECT")?;
    associate(cloud, port, server)?;
    lifecycle::issue(cloud, server, Action::Connect { port });
    Ok(())
}

/// Unplugs and deletes a port: at once if it is not plugged into a server,
/// else through the server's `DISCONNECT` action.
pub fn delete_port(cloud: &mut Cloud, port: u64) -> ApiResult<()> {
    let machine = cloud.network.ports.get(&port).and_then(|p| p.machine);
    match machine.filter(|m| cloud.compute.servers.get(m).is_some_and(|s| !s.deleted)) {
        Some(server) => lifecycle::command(cloud, server, Action::Disconnect { port }),
        None => {
            let now = cloud.wall;
            crate::cyclades::model::network::remove_port(cloud, port, now);
            Ok(())
        }
    }
}

/// `GET /ports` (and `/ports/detail`).
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
) -> Response {
    let cloud = Cloud::lock(&state);
    let ports: Vec<Value> = cloud
        .network
        .ports
        .values()
        .filter(|p| visible_to(&cloud, p, &user.uuid))
        .map(|p| to_json(&cloud, p))
        .collect();
    reply(200, json!({ "ports": ports }))
}

/// The port a request asks for, parsed before anything is locked.
struct PortRequest {
    network: String,
    device: Option<String>,
    address: Option<String>,
    name: String,
}

fn parse_request(request: &Value) -> ApiResult<PortRequest> {
    let port = json::req_object(request, "port")?;
    let network = json::opt_str_or_int(port, "network_id")?.ok_or_else(|| {
        ApiError::bad_request("Malformed request. Missing attribute 'network_id'.")
    })?;
    let device = json::opt_str_or_int(port, "device_id")?;
    let mut address = None;
    if let Some(fixed) = json::opt_list(port, "fixed_ips")? {
        if fixed.len() > 1 {
            return Err(ApiError::bad_request(
                "'fixed_ips' attribute must contain only one fixed IP.",
            ));
        }
        if let Some(first) = fixed.first() {
            if !first.is_object() {
                return Err(ApiError::bad_request("Invalid 'fixed_ips' field."));
            }
            if let Some(text) = json::get(first, "ip_address") {
                let text = text.as_str().unwrap_or_default();
                match text.parse::<std::net::IpAddr>() {
                    Ok(std::net::IpAddr::V4(_)) => address = Some(text.to_string()),
                    Ok(std::net::IpAddr::V6(_)) => {
                        return Err(ApiError::bad_request(
                            "'ip_address' can be only an IPv4 address'",
                        ))
                    }
                    Err(_) => {
                        return Err(ApiError::bad_request(format!(
                            "{text} is not a valid IPv4 Address"
                        )))
                    }
                }
            }
        }
    }
    let name = json::opt_str(port, "name")?.unwrap_or_default().to_string();
    if json::opt_list(port, "security_groups")?.is_some_and(|g| !g.is_empty()) {
        return Err(ApiError::item_not_found("Not valid security group"));
    }
    Ok(PortRequest {
        network,
        device,
        address,
        name,
    })
}

/// The floating IP of `user` with this address.
pub fn floating_by_address(cloud: &Cloud, user: &str, address: &str) -> ApiResult<u64> {
    cloud
        .network
        .ips
        .values()
        .find(|ip| ip.floating && ip.user == user && ip.address == address)
        .map(|ip| ip.id)
        .ok_or_else(|| ApiError::item_not_found("Floating IP does not exist."))
}

/// Creates a port as `POST /ports` does (optionally plugged into a server).
fn create_port(cloud: &mut Cloud, user: &User, request: PortRequest) -> ApiResult<u64> {
    let server = match &request.device {
        Some(device) => Some(crate::cyclades::model::compute::find_live(
            cloud, user, device,
        )?),
        None => None,
    };
    let network = super::networks::find_live(cloud, &user.uuid, &request.network)?;
    let address = if cloud.network.networks[&network].public {
        let address = request.address.as_deref().ok_or_else(|| {
            ApiError::bad_request(
                "'fixed_ips' attribute must contain a floating IP address in order to connect to a public network.",
            )
        })?;
        Address::Existing(floating_by_address(cloud, &user.uuid, address)?)
    } else {
        match request.address {
            Some(a) => Address::Fixed(a),
            None => Address::Auto,
        }
    };
    let port = new_port(cloud, &user.uuid, network, address, &request.name)?;
    if let Some(server) = server {
        connect(cloud, port, server)?;
    }
    Ok(port)
}

/// `POST /ports`.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = parse_request(&json::body(&headers, &body)?)?;
    let mut cloud = Cloud::lock(&state);
    let id = cloud.atomic(|cloud| create_port(cloud, &user, request))?;
    let port = &cloud.network.ports[&id];
    Ok(reply(201, json!({ "port": to_json(&cloud, port) })))
}

/// `GET /ports/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let port = find(&cloud, &user.uuid, &id)?;
    Ok(reply(200, json!({ "port": to_json(&cloud, port) })))
}

/// `PUT /ports/<id>`: only the name (and security groups, of which the
/// emulator has none) may change.
pub async fn update(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let port = json::req_object(&request, "port")?;
    let name = json::opt_str(port, "name")?.map(str::to_string);
    if json::opt_list(port, "security_groups")?.is_some_and(|g| !g.is_empty()) {
        return Err(ApiError::item_not_found("Not valid security group"));
    }
    if let Some(name) = &name {
        json::check_length(name, NAME_LENGTH, "Port name is too long")?;
    }
    let mut cloud = Cloud::lock(&state);
    let id = find(&cloud, &user.uuid, &id)?.id;
    let now = cloud.wall;
    if let Some(port) = cloud.network.ports.get_mut(&id) {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            port.name = name;
        }
        port.updated = now;
    }
    let port = &cloud.network.ports[&id];
    Ok(reply(200, json!({ "port": to_json(&cloud, port) })))
}

/// `DELETE /ports/<id>`: a port of the public network only if it holds a
/// floating IP.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let port = find(&cloud, &user.uuid, &id)?;
    let id = port.id;
    let public = cloud
        .network
        .networks
        .get(&port.network)
        .is_some_and(|n| n.public);
    if public && !addresses(&cloud, id).iter().any(|ip| ip.floating) {
        return Err(ApiError::forbidden(
            "Cannot disconnect from public network.",
        ));
    }
    cloud.atomic(|cloud| delete_port(cloud, id))?;
    Ok(empty(204))
}
