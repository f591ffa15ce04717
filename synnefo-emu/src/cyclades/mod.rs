//! Cyclades below its three APIs (compute, network, block storage): the
//! records they share ([`model`]), the server status machine
//! ([`lifecycle`]) that ports and volumes consult, address management
//! ([`ipam`]), and one consistent view of all of it, locked and brought up
//! to date together ([`Cloud`]). The API modules (`crate::compute`,
//! `crate::network`, `crate::volume`) build on this; nothing here imports
//! them.
//!
//! Servers, ports and volumes reference one another (a server owns ports
//! and volumes, a port holds addresses of a network), so every Cyclades
//! request works on a [`Cloud`]: the three services' data locked at once, in
//! one fixed order, with every action whose delay has passed completed first.

pub mod cloud;
pub mod ipam;
pub mod json;
pub mod lifecycle;
pub mod model;

/// Time as Synnefo shows it (moved below every service; kept here too).
pub use crate::clock;
/// Random ids and passwords (moved below every service; kept here too).
pub use crate::random;
pub use cloud::Cloud;

/// What the handlers of the three Cyclades APIs see: Cyclades' state and
/// what it shares with other services
/// ([`crate::state::AppState::cyclades_service`] makes it).
#[derive(Clone, Debug)]
pub struct CycladesService {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: std::sync::Arc<str>,
    /// The users and components, for authentication.
    pub identity: std::sync::Arc<crate::identity::Identity>,
    /// Quotas, charged by servers, IPs, networks and volumes.
    pub quotas: std::sync::Arc<crate::quotas::Quotas>,
    /// Servers, flavors, keypairs.
    pub compute: std::sync::Arc<model::ComputeState>,
    /// Networks, subnets, ports, floating IPs.
    pub network: std::sync::Arc<model::NetworkState>,
    /// Volumes, snapshots, volume types.
    pub volume: std::sync::Arc<model::VolumeState>,
    /// The Image registry, for the images servers boot from.
    pub image: std::sync::Arc<crate::image::ImageState>,
    /// The object store snapshots are written to.
    pub pithos: std::sync::Arc<crate::pithos::PithosState>,
}

impl crate::identity::HasIdentity for CycladesService {
    fn identity(&self) -> &crate::identity::Identity {
        &self.identity
    }
}
