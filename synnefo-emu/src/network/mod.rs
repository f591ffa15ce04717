//! Cyclades networking (networks, subnets, ports, floating IPs;
//! `/cyclades/network/v2.0`).
//!
//! A fresh cloud has one public network (IPv4 `203.0.113.0/24` and IPv6
//! `2001:db8:1::/64`), which is also the floating IP pool. Users create
//! private networks (`MAC_FILTERED`, `IP_LESS_ROUTED`, `PHYSICAL_VLAN`),
//! give them subnets, and connect servers to them through ports.

pub mod floating_ips;
pub mod ipam;
pub mod networks;
pub mod ports;
pub mod subnets;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use axum::routing::{get, post};
use axum::Router;

use crate::cyclades::json::{endpoint_not_found, method_not_allowed};
use crate::cyclades::CycladesService;

pub use floating_ips::IpAddress;
pub use networks::Network;
pub use ports::Port;
pub use subnets::Subnet;

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
}

/// Networks, subnets, ports and IP addresses.
#[derive(Clone, Debug)]
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
        let (network, subnets) = networks::seed_public();
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

/// The routes of Cyclades network, nested at its catalog path.
pub fn router() -> Router<CycladesService> {
    Router::new()
        .route("/networks", get(networks::list).post(networks::create))
        .route("/networks/detail", get(networks::list))
        .route(
            "/networks/{id}",
            get(networks::get_details)
                .put(networks::update)
                .delete(networks::delete),
        )
        .route("/networks/{id}/action", post(networks::action))
        .route("/subnets", get(subnets::list).post(subnets::create))
        .route("/subnets/detail", get(subnets::list))
        .route(
            "/subnets/{id}",
            get(subnets::get_details)
                .put(subnets::update)
                .delete(subnets::delete),
        )
        .route("/ports", get(ports::list).post(ports::create))
        .route("/ports/detail", get(ports::list))
        .route(
            "/ports/{id}",
            get(ports::get_details)
                .put(ports::update)
                .delete(ports::delete),
        )
        .route(
            "/floatingips",
            get(floating_ips::list).post(floating_ips::create),
        )
        .route("/floatingips/detail", get(floating_ips::list))
        .route(
            "/floatingips/{id}",
            get(floating_ips::get_details)
                .put(floating_ips::update)
                .delete(floating_ips::delete),
        )
        .route("/floatingips/{id}/action", post(floating_ips::action))
        .fallback(endpoint_not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
