//! The client of the OpenStack network API (Neutron's subset that Synnefo
//! serves): networks, subnets, ports and floating IPs (kamaki's
//! `NetworkClient`).
//!
//! Cyclades' extensions (network types, projects, details listings,
//! reassignment, attaching floating IPs) are on
//! [`CycladesNetworkClient`], which has every method of this client too.
//! Beneath the typed methods is the REST layer ([`rest_api`]): one method
//! per HTTP call, returning the raw reply.
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use kamaki::clients::network::NetworkClient;
//! let network = NetworkClient::new("https://cloud.example.org/network/v2.0", "my-token")?;
//! for ip in network.list_floatingips().await? {
//!     println!("{} on port {:?}", ip.floating_ip_address, ip.port_id);
//! }
//! # Ok(()) }
//! ```
//!
//! [`CycladesNetworkClient`]: crate::clients::cyclades::CycladesNetworkClient

mod floatingips;
mod models;
mod networks;
mod options;
mod ports;
pub mod rest_api;
mod subnets;

pub use models::*;
pub use options::*;

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack network API (networks, subnets, ports,
    /// floating IPs), with kamaki's method names.
    NetworkClient,
    "network",
    "2.0"
);
