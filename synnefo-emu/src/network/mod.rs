//! Cyclades networking (networks, subnets, ports, floating IPs;
//! `/cyclades/network/v2.0`).
//!
//! A fresh cloud has one public network (IPv4 `203.0.113.0/24` and IPv6
//! `2001:db8:1::/64`), which is also the floating IP pool. Users create
//! private networks (`MAC_FILTERED`, `IP_LESS_ROUTED`, `PHYSICAL_VLAN`),
//! give them subnets, and connect servers to them through ports.

pub mod floating_ips;
pub mod networks;
pub mod ports;
pub mod subnets;

use axum::routing::{get, post};
use axum::Router;

use crate::cyclades::json::{endpoint_not_found, method_not_allowed};
use crate::cyclades::CycladesService;

/// Address management, now below the three Cyclades APIs (this path kept
/// for code written against it).
pub use crate::cyclades::ipam;
pub use crate::cyclades::model::network::{
    Address, IpAddress, Network, NetworkData, NetworkState, Port, Subnet, PUBLIC_NETWORK,
};

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
