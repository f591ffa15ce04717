//! Subnets: the IPv4 or IPv6 range of a network and the pools its ports
//! draw addresses from. A network has at most one of each version.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock;
use crate::cyclades::ipam::{self, Cidr4};
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::model::Subnet;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};

/// Longest subnet name.
pub const NAME_LENGTH: usize = 128;

/// Smallest private IPv4 network (Synnefo's `MAX_CIDR_BLOCK`).
pub const MAX_CIDR_BLOCK: u8 = 22;

/// A subnet in the API's form.
pub fn to_json(cloud: &Cloud, subnet: &Subnet) -> Value {
    let pools: Vec<Value> = subnet
        .pools
        .iter()
        .map(|(s, e)| json!({"start": ipam::v4(*s), "end": ipam::v4(*e)}))
        .collect();
    let mut d = json!({
        "id": subnet.id.to_string(),
        "network_id": subnet.network.to_string(),
        "name": subnet.name,
        "tenant_id": subnet.user,
        "user_id": subnet.user,
        "public": subnet.public,
        "gateway_ip": subnet.gateway,
        "ip_version": if subnet.ipv6 { 6 } else { 4 },
        "cidr": subnet.cidr,
        "enable_dhcp": subnet.dhcp,
        "dns_nameservers": subnet.dns,
        "host_routes": subnet.host_routes,
        "allocation_pools": pools,
        "deleted": subnet.deleted,
        "links": cloud.links("network", "subnets", &subnet.id.to_string()),
    });
    if subnet.ipv6 {
        d["enable_slaac"] = json!(subnet.dhcp);
    }
    d
}

fn visible<'c>(cloud: &'c Cloud, user: &str, id_text: &str) -> ApiResult<&'c Subnet> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid subnet ID '{id_text}'")))?;
    cloud
        .network
        .subnets
        .get(&id)
        .filter(|s| {
            cloud
                .network
                .networks
                .get(&s.network)
                .is_some_and(|n| n.visible_to(user))
        })
        .ok_or_else(|| ApiError::item_not_found(format!("Subnet '{id}' not found.")))
}

/// `GET /subnets` (and `/subnets/detail`).
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Response> {
    let since = clock::changes_since(query.get("changes-since"))?;
    let cloud = Cloud::lock(&state);
    let subnets: Vec<Value> = cloud
        .network
        .subnets
        .values()
        .filter(|s| {
            cloud
                .network
                .networks
                .get(&s.network)
                .is_some_and(|n| n.visible_to(&user.uuid))
        })
        .filter(|s| match since {
            Some(since) => s.updated >= since,
            None => !s.deleted,
        })
        .map(|s| to_json(&cloud, s))
        .collect();
    if since.is_some() && subnets.is_empty() {
        return Ok(empty(304));
    }
    Ok(reply(200, json!({ "subnets": subnets })))
}

fn parse_pools(items: &[Value]) -> ApiResult<Vec<(u32, u32)>> {
    let mut pools = items
        .iter()
        .map(|p| {
            let start = p.get("start").and_then(Value::as_str);
            let end = p.get("end").and_then(Value::as_str);
            match (start, end) {
                (Some(s), Some(e)) => match (ipam::parse_v4(s), ipam::parse_v4(e)) {
                    (Some(s), Some(e)) => Ok((s, e)),
                    _ => Err(ApiError::bad_request(
                        "Allocation pools contain invalid IPv4 address",
                    )),
                },
                _ => Err(ApiError::bad_request("Malformed allocation pool.")),
            }
        })
        .collect::<ApiResult<Vec<_>>>()?;
    pools.sort();
    Ok(pools)
}

fn validate_pools(pools: &[(u32, u32)], cidr: &Cidr4, gateway: Option<u32>) -> ApiResult<()> {
    let (Some(first), Some(last)) = (pools.first(), pools.last()) else {
        return Ok(());
    };
    if first.0 <= cidr.base || last.1 >= cidr.broadcast() {
        return Err(ApiError::conflict("IP Pool out of bounds"));
    }
    let mut end = cidr.base;
    for (s, e) in pools {
        if s > e {
            return Err(ApiError::conflict("Invalid IP pool range"));
        }
        if gateway.is_some_and(|g| g >= *s && g <= *e) {
            return Err(ApiError::conflict("Gateway cannot be in pool range"));
        }
        if end >= *s {
            return Err(ApiError::conflict("IP Pool range conflict"));
        }
        end = *e;
    }
    Ok(())
}

/// `POST /subnets`: one IPv4 and one IPv6 subnet per private network, made
/// before any port.
pub async fn create(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let malformed = || ApiError::bad_request("Malformed request");
    let subnet = request
        .get("subnet")
        .filter(|s| s.is_object())
        .ok_or_else(malformed)?;
    let network_id = subnet
        .get("network_id")
        .and_then(json::scalar_text)
        .ok_or_else(malformed)?;
    let cidr = subnet
        .get("cidr")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    let name = json::opt_str(subnet, "name")?
        .unwrap_or_default()
        .to_string();
    json::check_length(&name, NAME_LENGTH, "Subnet name is too long")?;
    let version = subnet
        .get("ip_version")
        .and_then(Value::as_u64)
        .unwrap_or(4);
    if subnet
        .get("ip_version")
        .is_some_and(|v| !v.is_null() && v.as_u64().is_none())
    {
        return Err(ApiError::bad_request("Malformed IP version type"));
    }
    let dhcp = match subnet
        .get(if version == 6 && subnet.get("enable_slaac").is_some() {
            "enable_slaac"
        } else {
            "enable_dhcp"
        })
        .filter(|v| !v.is_null())
    {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::bad_request(
                "Malformed request, dhcp must be True or False",
            ))
        }
    };
    // An absent gateway means the first address; an explicit null, none.
    let gateway_given = subnet.get("gateway_ip");
    let pools = match json::opt_list(subnet, "allocation_pools")? {
        Some(items) => Some(parse_pools(items)?),
        None => None,
    };
    let dns = json::opt_list(subnet, "dns_nameservers")?
        .cloned()
        .unwrap_or_default();
    let routes = json::opt_list(subnet, "host_routes")?
        .cloned()
        .unwrap_or_default();

    let mut cloud = Cloud::lock(&state);
    let network_id = network_id
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request("Malformed network ID"))?;
    let network = cloud
        .network
        .networks
        .get(&network_id)
        .filter(|n| n.visible_to(&user.uuid))
        .ok_or_else(|| ApiError::item_not_found("No network found with that ID"))?;
    if network.deleted {
        return Err(ApiError::bad_request("Network has been deleted"));
    }
    if network.user.as_deref() != Some(user.uuid.as_str()) {
        return Err(ApiError::forbidden("Forbidden operation"));
    }
    if version != 4 && version != 6 {
        return Err(ApiError::bad_request("Malformed IP version type"));
    }
    let ipv6 = version == 6;
    if network
        .subnets
        .iter()
        .filter_map(|s| cloud.network.subnets.get(s))
        .any(|s| s.ipv6 == ipv6)
    {
        return Err(ApiError::bad_request(
            "Only one subnet of IPv4/IPv6 per network is allowed",
        ));
    }
    if cloud
        .network
        .ports
        .values()
        .any(|p| p.network == network_id)
    {
        return Err(ApiError::bad_request(format!(
            "Cannot create subnet in network {network_id}, VMs are already connected to this network"
        )));
    }
    let (gateway, new_pools) = if ipv6 {
        (
            v6_gateway(cidr, gateway_given, pools.is_some())?,
            Vec::new(),
        )
    } else {
        v4_addressing(cidr, gateway_given, pools)?
    };
    let id = cloud.network.new_subnet_id();
    let now = cloud.wall;
    let mut subnet = Subnet::new(
        id,
        network_id,
        Some(user.uuid.clone()),
        false,
        cidr.trim(),
        ipv6,
        gateway.as_deref(),
        now,
    );
    subnet.name = name;
    subnet.dhcp = dhcp;
    subnet.dns = dns;
    subnet.host_routes = routes;
    subnet.pools = new_pools;
    cloud.network.subnets.insert(id, subnet);
    if let Some(network) = cloud.network.networks.get_mut(&network_id) {
        network.subnets.push(id);
        network.updated = now;
    }
    let subnet = &cloud.network.subnets[&id];
    Ok(reply(201, json!({ "subnet": to_json(&cloud, subnet) })))
}

/// The gateway of an IPv6 subnet (a /64): its first address unless given
/// or null; IPv6 subnets take no allocation pools.
fn v6_gateway(
    cidr: &str,
    gateway_given: Option<&Value>,
    has_pools: bool,
) -> ApiResult<Option<String>> {
    let prefix = ipam::parse_v6_64(cidr).ok_or_else(|| {
        ApiError::bad_request("Unsupported IPv6 subnet size. Network netmask must be /64")
    })?;
    let first = || {
        Some(format!(
            "{}",
            std::net::Ipv6Addr::from(u128::from(prefix) + 1)
        ))
    };
    let gateway = match gateway_given {
        None => first(),
        Some(Value::Null) => None,
        Some(Value::String(g)) if g.is_empty() => first(),
        Some(Value::String(g)) => {
            let g: std::net::Ipv6Addr = g
                .parse()
                .map_err(|_| ApiError::bad_request("Invalid network IPv6 gateway"))?;
            if u128::from(g) >> 64 != u128::from(prefix) >> 64 {
                return Err(ApiError::bad_request("Invalid network IPv6 gateway"));
            }
            Some(g.to_string())
        }
        Some(_) => return Err(ApiError::bad_request("Invalid network IPv6 gateway")),
    };
    if has_pools {
        return Err(ApiError::conflict("Can't allocate an IP Pool in IPv6"));
    }
    Ok(gateway)
}

/// Allocation pools: inclusive ranges of IPv4 addresses.
type Pools = Vec<(u32, u32)>;

/// The gateway and allocation pools of an IPv4 subnet: its size within
/// Synnefo's bounds, the gateway its first address unless given or null,
/// the pools the rest unless given.
fn v4_addressing(
    cidr: &str,
    gateway_given: Option<&Value>,
    pools: Option<Vec<(u32, u32)>>,
) -> ApiResult<(Option<String>, Pools)> {
    let parsed =
        Cidr4::parse(cidr).ok_or_else(|| ApiError::bad_request("Invalid network IPv4 subnet"))?;
    if parsed.prefix > 29 || parsed.prefix < MAX_CIDR_BLOCK {
        return Err(ApiError::over_limit("Unsupported network size")
            .with_details(format!("Netmask must be in range: [{MAX_CIDR_BLOCK}, 29]")));
    }
    let gw = match gateway_given {
        None => Some(parsed.base + 1),
        Some(Value::Null) => None,
        Some(Value::String(g)) if g.is_empty() => Some(parsed.base + 1),
        Some(Value::String(g)) => {
            let g = ipam::parse_v4(g)
                .filter(|g| parsed.contains(*g))
                .ok_or_else(|| ApiError::bad_request("Invalid network IPv4 gateway"))?;
            Some(g)
        }
        Some(_) => return Err(ApiError::bad_request("Invalid network IPv4 gateway")),
    };
    let pools = match pools {
        Some(pools) => pools,
        None => parsed.default_pools(gw),
    };
    validate_pools(&pools, &parsed, gw)?;
    Ok((gw.map(ipam::v4), pools))
}

/// `GET /subnets/<id>`.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let subnet = visible(&cloud, &user.uuid, &id)?;
    Ok(reply(200, json!({ "subnet": to_json(&cloud, subnet) })))
}

/// `PUT /subnets/<id>`: only the name may change.
pub async fn update(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let subnet = request
        .get("subnet")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("Malformed request"))?;
    if subnet.len() != 1 || !subnet.contains_key("name") {
        return Err(ApiError::bad_request(
            "Only the name of a subnet can be updated",
        ));
    }
    let name = subnet
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| json::invalid("name"))?
        .to_string();
    json::check_length(&name, NAME_LENGTH, "Subnet name is too long")?;
    let mut cloud = Cloud::lock(&state);
    let subnet = visible(&cloud, &user.uuid, &id)?;
    if subnet.user.as_deref() != Some(user.uuid.as_str()) {
        return Err(ApiError::forbidden("Forbidden operation"));
    }
    let id = subnet.id;
    let now = cloud.wall;
    if let Some(subnet) = cloud.network.subnets.get_mut(&id) {
        subnet.name = name;
        subnet.updated = now;
    }
    let subnet = &cloud.network.subnets[&id];
    Ok(reply(200, json!({ "subnet": to_json(&cloud, subnet) })))
}

/// `DELETE /subnets/<id>`: never allowed (a subnet goes with its network).
pub async fn delete(Authenticated(_user): Authenticated, Path(_id): Path<String>) -> ApiError {
    ApiError::bad_request("Deletion of a subnet is not supported")
}
