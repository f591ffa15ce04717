//! The documents the network API answers with, typed, keeping unknown
//! fields in `extra`; ids are strings whatever their JSON type.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::clients::compute::fields::Extra;
use crate::clients::compute::fields::{id, id_list, nullable, opt_id};
pub use crate::clients::compute::Link;

/// A network.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Network {
    /// The network id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// `ACTIVE`, `BUILD`, `DOWN`, `ERROR` or `SNF:DRAINED` (empty in plain
    /// listings).
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// `MAC_FILTERED`, `IP_LESS_ROUTED`, `PHYSICAL_VLAN`, `CUSTOM` (Synnefo).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub network_type: Option<String>,
    /// Its owner (`None` for public networks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Whether it is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// The same as `public` (OpenStack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
    /// Its administrative state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    /// Whether it connects to an external router.
    #[serde(
        rename = "router:external",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub router_external: Option<bool>,
    /// Whether floating IPs are reserved from it.
    #[serde(
        rename = "SNF:floating_ip_pool",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub floating_ip_pool: Option<bool>,
    /// The ids of its subnets.
    #[serde(default, deserialize_with = "id_list")]
    pub subnets: Vec<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Time of the last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Whether it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A range of addresses of a subnet given out automatically.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct AllocationPool {
    /// The first address.
    #[serde(default, deserialize_with = "nullable")]
    pub start: String,
    /// The last address.
    #[serde(default, deserialize_with = "nullable")]
    pub end: String,
}

impl AllocationPool {
    /// The addresses from `start` to `end`.
    pub fn new(start: impl Into<String>, end: impl Into<String>) -> Self {
        AllocationPool {
            start: start.into(),
            end: end.into(),
        }
    }
}

/// A subnet: the addresses of a network.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Subnet {
    /// The subnet id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Its network.
    #[serde(default, deserialize_with = "id")]
    pub network_id: String,
    /// 4 or 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<u8>,
    /// Its addresses, e.g. `10.0.0.0/24`.
    #[serde(default, deserialize_with = "nullable")]
    pub cidr: String,
    /// The gateway, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ip: Option<String>,
    /// Whether addresses are given by DHCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_dhcp: Option<bool>,
    /// Whether IPv6 addresses are given by SLAAC (Synnefo, IPv6 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_slaac: Option<bool>,
    /// The ranges given out automatically.
    #[serde(default, deserialize_with = "nullable")]
    pub allocation_pools: Vec<AllocationPool>,
    /// Name servers.
    #[serde(default, deserialize_with = "nullable")]
    pub dns_nameservers: Vec<String>,
    /// Routes for the hosts of the subnet.
    #[serde(default, deserialize_with = "nullable")]
    pub host_routes: Vec<Value>,
    /// The owner of its network (`None` if public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Whether its network is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Whether it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An address of a port.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct PortIp {
    /// The address.
    #[serde(default, deserialize_with = "nullable")]
    pub ip_address: String,
    /// Its subnet (Synnefo's name for it).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub subnet: Option<String>,
    /// Its subnet (OpenStack's name for it).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub subnet_id: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A port: the connection of a device (a server, a router) to a network.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Port {
    /// The port id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// `BUILD`, `ACTIVE`, `DOWN`, `ERROR` (empty in plain listings).
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// Its network.
    #[serde(default, deserialize_with = "id")]
    pub network_id: String,
    /// The device (server) it connects, if any.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_id: Option<String>,
    /// What owns it (`vm`, `router`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_owner: Option<String>,
    /// Its MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// Its addresses.
    #[serde(default, deserialize_with = "nullable")]
    pub fixed_ips: Vec<PortIp>,
    /// Its security groups.
    #[serde(default, deserialize_with = "id_list")]
    pub security_groups: Vec<String>,
    /// Its administrative state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Time of the last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A floating IP: a public address reserved by the user, attached to a
/// server through a port.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct FloatingIp {
    /// The floating IP id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// The address.
    #[serde(default, deserialize_with = "nullable")]
    pub floating_ip_address: String,
    /// The (public) network it comes from.
    #[serde(default, deserialize_with = "id")]
    pub floating_network_id: String,
    /// Always `None` in Synnefo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_ip_address: Option<String>,
    /// The port it is attached through, if attached.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub port_id: Option<String>,
    /// The server it is attached to, if attached.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_id: Option<String>,
    /// The router, if any.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub router_id: Option<String>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The project it is charged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Whether it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synnefo_documents_parse() {
        let network: Network = serde_json::from_str(
            r#"{"id": 2718, "name": "Public IPv6 Network", "status": "ACTIVE",
                "router:external": true, "user_id": null, "tenant_id": null,
                "admin_state_up": true, "SNF:floating_ip_pool": false, "public": true,
                "subnets": [28], "type": "IP_LESS_ROUTED", "shared_to_project": false}"#,
        )
        .unwrap();
        assert_eq!(network.id, "2718");
        assert_eq!(network.subnets, vec!["28"]);
        assert_eq!(network.network_type.as_deref(), Some("IP_LESS_ROUTED"));
        assert_eq!(network.user_id, None);
        assert!(network.extra.contains_key("shared_to_project"));

        let port: Port = serde_json::from_str(
            r#"{"id": "18", "status": "ACTIVE", "network_id": "2718", "device_id": "42",
                "fixed_ips": [{"subnet": "28", "ip_address": "2001:443::21ab"}],
                "security_groups": [], "mac_address": "aa:01:02:6c:34:ab"}"#,
        )
        .unwrap();
        assert_eq!(port.device_id.as_deref(), Some("42"));
        assert_eq!(port.fixed_ips[0].subnet.as_deref(), Some("28"));

        let ip: FloatingIp = serde_json::from_str(
            r#"{"id": "5", "instance_id": 42, "floating_network_id": 2719,
                "fixed_ip_address": null, "floating_ip_address": "192.168.1.2", "port_id": 19}"#,
        )
        .unwrap();
        assert_eq!(ip.floating_network_id, "2719");
        assert_eq!(ip.port_id.as_deref(), Some("19"));
        assert_eq!(ip.instance_id.as_deref(), Some("42"));

        let subnet: Subnet = serde_json::from_str(
            r#"{"id": "1413", "network_id": "3141", "ip_version": 6, "cidr": "2001:678::/64",
                "gateway_ip": null, "enable_dhcp": true, "allocation_pools": [],
                "dns_nameservers": [], "host_routes": [], "name": null}"#,
        )
        .unwrap();
        assert_eq!(subnet.gateway_ip, None);
        assert_eq!(subnet.ip_version, Some(6));
    }
}
