//! The client of the OpenStack compute API as Synnefo serves it: servers
//! and their actions, metadata, tags and connections; flavors; images as
//! compute sees them; keypairs; the `os-floating-ips` extension (kamaki's
//! `ComputeClient`).
//!
//! Cyclades' own extensions (console, stats, diagnostics, firewall
//! profiles, reassignment, volume attachments, and its start/shutdown
//! actions) are on [`CycladesComputeClient`], which has every method of
//! this client too.
//!
//! Beneath the methods that return typed values is the REST layer
//! ([`rest_api`]): one method per HTTP call (`servers_get`,
//! `servers_action_post`...), returning the raw reply.
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use kamaki::clients::compute::{ComputeClient, ListServersOptions};
//! let compute = ComputeClient::new("https://cloud.example.org/compute/v2.0", "my-token")?;
//! for server in compute.list_servers(true, &ListServersOptions::default()).await? {
//!     println!("{} {} {}", server.id, server.name, server.status);
//! }
//! # Ok(()) }
//! ```
//!
//! [`CycladesComputeClient`]: crate::clients::cyclades::CycladesComputeClient

pub(crate) mod fields;
mod flavors;
mod floating_ips;
mod images;
mod keypairs;
mod models;
mod options;
pub mod rest_api;
mod servers;

pub use models::*;
pub use options::*;

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack compute API (servers, flavors, images,
    /// keypairs), with kamaki's method names.
    ComputeClient,
    "compute",
    "2.0"
);
