//! What the three Cyclades services (compute, network, block storage)
//! share: one consistent view of servers, ports and volumes, locked and
//! brought up to date together, and the small helpers of their handlers.
//!
//! Servers, ports and volumes reference one another (a server owns ports
//! and volumes, a port holds addresses of a network), so every Cyclades
//! request works on a [`Cloud`]: the three services' data locked at once, in
//! one fixed order, with every action whose delay has passed completed first.

pub mod clock;
pub mod cloud;
pub mod json;
pub mod random;

pub use cloud::Cloud;

/// What the Cyclades (compute, network, block storage) handlers see: their service's state and what it
/// shares with the others ([`crate::state::AppState::cyclades_service`] makes it).
#[derive(Clone, Debug)]
pub struct CycladesService {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: std::sync::Arc<str>,
    /// The users and components, for authentication.
    pub identity: std::sync::Arc<crate::identity::Identity>,
    /// Quotas, charged by servers, IPs, networks and volumes.
    pub quotas: std::sync::Arc<crate::quotas::Quotas>,
    /// Servers, flavors, keypairs.
    pub compute: std::sync::Arc<crate::compute::ComputeState>,
    /// Networks, subnets, ports, floating IPs.
    pub network: std::sync::Arc<crate::network::NetworkState>,
    /// Volumes, snapshots, volume types.
    pub volume: std::sync::Arc<crate::volume::VolumeState>,
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
