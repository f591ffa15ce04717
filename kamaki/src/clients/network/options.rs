//! The optional arguments of the network calls, one struct per kind of
//! call; build them with `..Default::default()`.

use serde_json::{Map, Value};

use super::AllocationPool;

/// One network of [`create_networks`](super::NetworkClient::create_networks).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkSpec {
    /// Its name (required).
    pub name: String,
    /// Its administrative state (kamaki sends `false` unless told).
    pub admin_state_up: Option<bool>,
    /// Whether it is shared.
    pub shared: Option<bool>,
}

/// What [`update_network`](super::NetworkClient::update_network) changes
/// (Synnefo changes only the name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateNetworkOptions {
    /// A new name.
    pub name: Option<String>,
    /// A new administrative state.
    pub admin_state_up: Option<bool>,
    /// Whether it is shared.
    pub shared: Option<bool>,
}

/// The gateway of a new subnet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GatewayIp {
    /// Whatever the cloud chooses (the first address of the range): nothing
    /// sent.
    #[default]
    Auto,
    /// No gateway at all (`"gateway_ip": null`).
    NoGateway,
    /// This address.
    Address(String),
}

/// The optional arguments of
/// [`create_subnet`](super::NetworkClient::create_subnet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateSubnetOptions {
    /// Its name.
    pub name: Option<String>,
    /// The ranges to give out automatically.
    pub allocation_pools: Vec<AllocationPool>,
    /// The gateway.
    pub gateway_ip: GatewayIp,
    /// An id to give it (OpenStack; Synnefo ignores it).
    pub subnet_id: Option<String>,
    /// IPv6 (`ip_version` 6) instead of IPv4.
    pub ipv6: bool,
    /// Whether addresses are given by DHCP.
    pub enable_dhcp: Option<bool>,
}

impl CreateSubnetOptions {
    pub(crate) fn body(&self, network_id: &str, cidr: &str) -> Map<String, Value> {
        let mut subnet = Map::new();
        subnet.insert("network_id".into(), Value::from(network_id));
        subnet.insert("cidr".into(), Value::from(cidr));
        subnet.insert(
            "ip_version".into(),
            Value::from(if self.ipv6 { 6 } else { 4 }),
        );
        if let Some(name) = &self.name {
            subnet.insert("name".into(), Value::from(name.as_str()));
        }
        if !self.allocation_pools.is_empty() {
            subnet.insert("allocation_pools".into(), pools(&self.allocation_pools));
        }
        match &self.gateway_ip {
            GatewayIp::Auto => {}
            GatewayIp::NoGateway => {
                subnet.insert("gateway_ip".into(), Value::Null);
            }
            GatewayIp::Address(ip) => {
                subnet.insert("gateway_ip".into(), Value::from(ip.as_str()));
            }
        }
        if let Some(id) = &self.subnet_id {
            subnet.insert("id".into(), Value::from(id.as_str()));
        }
        if let Some(dhcp) = self.enable_dhcp {
            subnet.insert("enable_dhcp".into(), Value::from(dhcp));
        }
        subnet
    }
}

fn pools(pools: &[AllocationPool]) -> Value {
    Value::Array(
        pools
            .iter()
            .map(|p| serde_json::json!({"start": p.start, "end": p.end}))
            .collect(),
    )
}

/// One subnet of [`create_subnets`](super::NetworkClient::create_subnets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubnetSpec {
    /// Its network.
    pub network_id: String,
    /// Its addresses, e.g. `10.0.0.0/24`.
    pub cidr: String,
    /// The rest.
    pub options: CreateSubnetOptions,
}

/// What [`update_subnet`](super::NetworkClient::update_subnet) changes
/// (Synnefo changes only the name and refuses the rest).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateSubnetOptions {
    /// A new name.
    pub name: Option<String>,
    /// New ranges.
    pub allocation_pools: Option<Vec<AllocationPool>>,
    /// A new gateway.
    pub gateway_ip: Option<String>,
    /// IPv6 or IPv4.
    pub ipv6: Option<bool>,
    /// DHCP on or off.
    pub enable_dhcp: Option<bool>,
}

impl UpdateSubnetOptions {
    pub(crate) fn body(&self) -> Map<String, Value> {
        let mut subnet = Map::new();
        if let Some(name) = &self.name {
            subnet.insert("name".into(), Value::from(name.as_str()));
        }
        if let Some(p) = &self.allocation_pools {
            subnet.insert("allocation_pools".into(), pools(p));
        }
        if let Some(ip) = &self.gateway_ip {
            subnet.insert("gateway_ip".into(), Value::from(ip.as_str()));
        }
        if let Some(ipv6) = self.ipv6 {
            subnet.insert("ip_version".into(), Value::from(if ipv6 { 6 } else { 4 }));
        }
        if let Some(dhcp) = self.enable_dhcp {
            subnet.insert("enable_dhcp".into(), Value::from(dhcp));
        }
        subnet
    }
}

/// An address asked for on a new port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixedIp {
    /// The address (on Cyclades, a floating IP the user reserved from the
    /// port's network; required there).
    pub ip_address: Option<String>,
    /// The subnet to take it from.
    pub subnet_id: Option<String>,
}

impl FixedIp {
    /// This address.
    pub fn address(ip: impl Into<String>) -> Self {
        FixedIp {
            ip_address: Some(ip.into()),
            subnet_id: None,
        }
    }
}

/// The optional arguments of creating or updating a port (Synnefo reads
/// `device_id`, `name`, `fixed_ips` and `security_groups` on creation, only
/// `name` and `security_groups` on update).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortOptions {
    /// The device (server) to connect (creation only).
    pub device_id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its status (OpenStack).
    pub status: Option<String>,
    /// Its administrative state (OpenStack).
    pub admin_state_up: Option<bool>,
    /// Its MAC address (OpenStack).
    pub mac_address: Option<String>,
    /// The addresses to give it (sent when not empty).
    pub fixed_ips: Vec<FixedIp>,
    /// Its security groups (sent when not empty).
    pub security_groups: Vec<String>,
}

impl PortOptions {
    pub(crate) fn body(&self, network_id: &str) -> Map<String, Value> {
        let mut port = Map::new();
        port.insert("network_id".into(), Value::from(network_id));
        if let Some(device) = &self.device_id {
            port.insert("device_id".into(), Value::from(device.as_str()));
        }
        if let Some(name) = &self.name {
            port.insert("name".into(), Value::from(name.as_str()));
        }
        if let Some(status) = &self.status {
            port.insert("status".into(), Value::from(status.as_str()));
        }
        if let Some(up) = self.admin_state_up {
            port.insert("admin_state_up".into(), Value::from(up));
        }
        if let Some(mac) = &self.mac_address {
            port.insert("mac_address".into(), Value::from(mac.as_str()));
        }
        if !self.fixed_ips.is_empty() {
            let ips = self
                .fixed_ips
                .iter()
                .map(|ip| {
                    let mut item = Map::new();
                    if let Some(subnet) = &ip.subnet_id {
                        item.insert("subnet_id".into(), Value::from(subnet.as_str()));
                    }
                    if let Some(address) = &ip.ip_address {
                        item.insert("ip_address".into(), Value::from(address.as_str()));
                    }
                    Value::Object(item)
                })
                .collect();
            port.insert("fixed_ips".into(), Value::Array(ips));
        }
        if !self.security_groups.is_empty() {
            port.insert(
                "security_groups".into(),
                Value::from(self.security_groups.clone()),
            );
        }
        port
    }
}

/// One port of [`create_ports`](super::NetworkClient::create_ports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortSpec {
    /// Its network.
    pub network_id: String,
    /// The rest.
    pub options: PortOptions,
}

/// The optional arguments of creating a floating IP.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FloatingIpOptions {
    /// A specific address of the network's pool.
    pub floating_ip_address: Option<String>,
    /// A port to attach it to at once (OpenStack).
    pub port_id: Option<String>,
    /// The port address to map it to (OpenStack).
    pub fixed_ip_address: Option<String>,
    /// The project whose quota it is charged to (Synnefo).
    pub project_id: Option<String>,
}

impl FloatingIpOptions {
    /// The `floatingip` object of `POST /floatingips` for these options
    /// (for callers of `floatingips_post` who want the reply as sent).
    pub fn body(&self, floating_network_id: Option<&str>) -> Map<String, Value> {
        let mut ip = Map::new();
        if let Some(network) = floating_network_id {
            ip.insert("floating_network_id".into(), Value::from(network));
        }
        let optional = [
            ("floating_ip_address", &self.floating_ip_address),
            ("port_id", &self.port_id),
            ("fixed_ip_address", &self.fixed_ip_address),
            ("project", &self.project_id),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                ip.insert(key.into(), Value::from(value.as_str()));
            }
        }
        ip
    }
}

/// What [`update_floatingip`](super::NetworkClient::update_floatingip)
/// changes: `None` leaves a field alone, `Some(None)` clears it (sends
/// `null`; a `null` port detaches the IP). Synnefo does not implement it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateFloatingIpOptions {
    /// The address.
    pub floating_ip_address: Option<Option<String>>,
    /// The port.
    pub port_id: Option<Option<String>>,
    /// The port address.
    pub fixed_ip_address: Option<Option<String>>,
}

impl UpdateFloatingIpOptions {
    pub(crate) fn body(&self) -> Map<String, Value> {
        let mut ip = Map::new();
        let fields = [
            ("floating_ip_address", &self.floating_ip_address),
            ("port_id", &self.port_id),
            ("fixed_ip_address", &self.fixed_ip_address),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                ip.insert(
                    key.into(),
                    value.as_deref().map_or(Value::Null, Value::from),
                );
            }
        }
        ip
    }
}
