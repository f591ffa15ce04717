//! The client of the OpenStack block storage API (Cinder v2) as Synnefo
//! serves it: volumes, snapshots, volume types and their metadata (kamaki's
//! `BlockStorageClient`).
//!
//! Cyclades' extensions (volumes made for a server, projects,
//! reassignment) are on [`CycladesBlockStorageClient`], which has every
//! method of this client too. Volumes are attached to and detached from
//! servers through the compute API
//! ([`CycladesComputeClient::attach_volume`]). Beneath the typed methods is
//! the REST layer ([`rest_api`]): one method per HTTP call, returning the
//! raw reply.
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use kamaki::clients::blockstorage::BlockStorageClient;
//! let volumes = BlockStorageClient::new("https://cloud.example.org/volume/v2.0", "my-token")?;
//! for volume in volumes.list_volumes(true).await? {
//!     println!("{} {} GB {}", volume.id, volume.size.unwrap_or(0), volume.status);
//! }
//! # Ok(()) }
//! ```
//!
//! [`CycladesBlockStorageClient`]: crate::clients::cyclades::CycladesBlockStorageClient
//! [`CycladesComputeClient::attach_volume`]: crate::clients::cyclades::CycladesComputeClient::attach_volume

mod models;
mod options;
pub mod rest_api;
mod snapshots;
mod volumes;

pub use models::*;
pub use options::*;

use crate::clients::service_client;

service_client!(
    /// Client of the OpenStack block storage API (volumes, snapshots,
    /// volume types), with kamaki's method names.
    BlockStorageClient,
    "volume",
    "2.0"
);
