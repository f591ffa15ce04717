//! Cyclades' network records (networks, subnets, ports, addresses) and their
//! store: plain data, and what follows from it alone, below the API that
//! serves it, so that every Cyclades API can consult them with no import back
//! up.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::clock;
use crate::cyclades::ipam::{self, Cidr4};
use crate::cyclades::Cloud;

/// The id of the public network of a fresh cloud.
pub const PUBLIC_NETWORK: u64 = 1;

/// The state of Cyclades network.
#[derive(Debug, Default)]
pub struct NetworkState {
    data: Mutex<NetworkData>,
}

impl NetworkState {
    /// The data; lock it through [`crate::cyclades::Cloud`] only.
    pub(crate) fn data(&self) -> MutexGuard<'_, NetworkData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as JSON, for the data dir: networks, subnets, ports,
    /// addresses and the id counters.
    pub fn snapshot(&self) -> Value {
        let data = self.data().clone();
        // Cannot fail: every map has integer keys, and times are written in
        // a format that holds every representable time.
        serde_json::to_value(data).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (the network
    /// state has no start options).
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let data: NetworkData = serde_json::from_value(snapshot)?;
        *self.data() = data;
        Ok(())
    }
}

/// Networks, subnets, ports and IP addresses.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NetworkData {
    /// Networks by id, deleted ones included.
    pub networks: BTreeMap<u64, Network>,
    /// Subnets by id.
    pub subnets: BTreeMap<u64, Subnet>,
    /// Ports by id.
    pub ports: BTreeMap<u64, Port>,
    /// Allocated addresses (fixed and floating) by id.
    pub ips: BTreeMap<u64, IpAddress>,
    next_network: u64,
    next_subnet: u64,
    next_port: u64,
    next_ip: u64,
}

impl Default for NetworkData {
    fn default() -> Self {
        let (network, subnets) = seed_public();
        NetworkData {
            networks: BTreeMap::from([(network.id, network)]),
            subnets: subnets.into_iter().map(|s| (s.id, s)).collect(),
            ports: BTreeMap::new(),
            ips: BTreeMap::new(),
            next_network: 2,
            next_subnet: 3,
            next_port: 1,
            next_ip: 1,
        }
    }
}

impl NetworkData {
    /// A fresh network id.
    pub fn new_network_id(&mut self) -> u64 {
        let id = self.next_network;
        self.next_network += 1;
        id
    }

    /// A fresh subnet id.
    pub fn new_subnet_id(&mut self) -> u64 {
        let id = self.next_subnet;
        self.next_subnet += 1;
        id
    }

    /// A fresh port id.
    pub fn new_port_id(&mut self) -> u64 {
        let id = self.next_port;
        self.next_port += 1;
        id
    }

    /// A fresh address id.
    pub fn new_ip_id(&mut self) -> u64 {
        let id = self.next_ip;
        self.next_ip += 1;
        id
    }
}

/// A network.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Network {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The owner (none for the public network).
    pub user: Option<String>,
    /// The project charged (none for the public network).
    pub project: Option<String>,
    /// `MAC_FILTERED`, `IP_LESS_ROUTED`...
    pub flavor: String,
    /// Whether every user can use it.
    pub public: bool,
    /// Whether floating IPs come from it.
    pub floating_ip_pool: bool,
    /// Whether it reaches an external router.
    pub external_router: bool,
    /// Its subnets.
    pub subnets: Vec<u64>,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// Whether it is deleted.
    pub deleted: bool,
}

/// The public network of a fresh cloud and its two subnets.
pub fn seed_public() -> (Network, Vec<Subnet>) {
    let now = clock::now();
    let network = Network {
        id: PUBLIC_NETWORK,
        name: "Public IPv4+IPv6 Network".to_string(),
        user: None,
        project: None,
        flavor: "IP_LESS_ROUTED".to_string(),
        public: true,
        floating_ip_pool: true,
        external_router: true,
        subnets: vec![1, 2],
        created: now,
        updated: now,
        deleted: false,
    };
    let v4 = Subnet::new(
        1,
        network.id,
        None,
        true,
        "203.0.113.0/24",
        false,
        Some("203.0.113.1"),
        now,
    )
    .with_default_pools();
    let v6 = Subnet::new(
        2,
        network.id,
        None,
        true,
        "2001:db8:1::/64",
        true,
        Some("2001:db8:1::1"),
        now,
    );
    (network, vec![v4, v6])
}

impl Network {
    /// Whether `user` may see and use it.
    pub fn visible_to(&self, user: &str) -> bool {
        self.public || self.user.as_deref() == Some(user)
    }

    /// `ACTIVE`, or `DELETED` once deleted.
    pub fn status(&self) -> &'static str {
        if self.deleted {
            "DELETED"
        } else {
            "ACTIVE"
        }
    }
}

/// A subnet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Subnet {
    /// Its id.
    pub id: u64,
    /// Its network.
    pub network: u64,
    /// Its name.
    pub name: String,
    /// The owner of the network (none for public ones).
    pub user: Option<String>,
    /// Whether the network is public.
    pub public: bool,
    /// The range, e.g. `192.168.1.0/24`.
    pub cidr: String,
    /// Whether it is IPv6.
    pub ipv6: bool,
    /// The gateway, if any.
    pub gateway: Option<String>,
    /// DHCP (SLAAC for IPv6).
    pub dhcp: bool,
    /// DNS servers.
    pub dns: Vec<Value>,
    /// Host routes.
    pub host_routes: Vec<Value>,
    /// IPv4 allocation pools, inclusive.
    pub pools: Vec<(u32, u32)>,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// Whether its network is deleted.
    pub deleted: bool,
}

impl Subnet {
    /// A subnet without pools.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: u64,
        network: u64,
        user: Option<String>,
        public: bool,
        cidr: &str,
        ipv6: bool,
        gateway: Option<&str>,
        now: OffsetDateTime,
    ) -> Subnet {
        Subnet {
            id,
            network,
            name: String::new(),
            user,
            public,
            cidr: cidr.to_string(),
            ipv6,
            gateway: gateway.map(str::to_string),
            dhcp: true,
            dns: Vec::new(),
            host_routes: Vec::new(),
            pools: Vec::new(),
            created: now,
            updated: now,
            deleted: false,
        }
    }

    /// With the default pools: every host address but the gateway.
    pub fn with_default_pools(mut self) -> Subnet {
        if let Some(cidr) = Cidr4::parse(&self.cidr) {
            let gateway = self.gateway.as_deref().and_then(ipam::parse_v4);
            self.pools = cidr.default_pools(gateway);
        }
        self
    }
}

/// A port.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Port {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its network.
    pub network: u64,
    /// The owner's uuid.
    pub user: String,
    /// The server it is plugged into.
    pub machine: Option<u64>,
    /// Its MAC address.
    pub mac: String,
    /// `vm` when plugged into a server.
    pub device_owner: Option<String>,
    /// The firewall profile (`ENABLED`, `DISABLED`, `PROTECTED`), if set.
    pub firewall: Option<String>,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
}

/// The IPv4 address a new port gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// Any free address of the network's IPv4 subnet, if it has one.
    Auto,
    /// This address of the network's IPv4 subnet.
    Fixed(String),
    /// This already allocated address (a floating IP).
    Existing(u64),
}

/// Deletes a port: its fixed addresses are freed, its floating IP kept.
pub fn remove_port(cloud: &mut Cloud, port: u64, at: OffsetDateTime) {
    cloud.network.ports.remove(&port);
    let ips: Vec<(u64, bool)> = cloud
        .network
        .ips
        .values()
        .filter(|ip| ip.port == Some(port))
        .map(|ip| (ip.id, ip.floating))
        .collect();
    for (id, floating) in ips {
        if floating {
            if let Some(ip) = cloud.network.ips.get_mut(&id) {
                ip.port = None;
                ip.updated = at;
            }
        } else {
            cloud.network.ips.remove(&id);
        }
    }
}

/// An allocated address: a port's fixed address or a floating IP.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IpAddress {
    /// Its id (a floating IP's id).
    pub id: u64,
    /// Its network.
    pub network: u64,
    /// Its subnet.
    pub subnet: u64,
    /// The address.
    pub address: String,
    /// Whether it is IPv6.
    pub ipv6: bool,
    /// The owner's uuid.
    pub user: String,
    /// The project charged (floating IPs only).
    pub project: Option<String>,
    /// Whether it is a floating IP.
    pub floating: bool,
    /// The port holding it.
    pub port: Option<u64>,
    /// When it was allocated.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_round_trip_with_the_id_counters() {
        let state = NetworkState::default();
        let port = {
            let mut data = state.data();
            let id = data.new_port_id();
            let now = clock::now();
            data.ports.insert(
                id,
                Port {
                    id,
                    name: "lan".to_string(),
                    network: PUBLIC_NETWORK,
                    user: "alice".to_string(),
                    machine: Some(7),
                    mac: "aa:00:00:00:00:01".to_string(),
                    device_owner: Some("vm".to_string()),
                    firewall: None,
                    created: now,
                    updated: now,
                },
            );
            id
        };
        let snapshot = state.snapshot();
        assert_eq!(snapshot["next_network"], 2);
        assert_eq!(snapshot["subnets"]["1"]["pools"][0][0], 0xCB00_7102u32);
        let restored = NetworkState::default();
        restored.restore(snapshot.clone()).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        let mut data = restored.data();
        assert_eq!(data.ports[&port].machine, Some(7));
        assert_eq!(data.new_port_id(), port + 1);
        assert_eq!(data.new_subnet_id(), 3);
    }
}
