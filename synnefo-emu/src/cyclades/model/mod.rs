//! Cyclades' records, one file per API they belong to: what the three
//! Cyclades APIs and the server status machine ([`super::lifecycle`]) share.

pub mod compute;
pub mod network;
pub mod volume;

pub use compute::{ComputeData, ComputeState, Flavor, Keypair, Server, Tag};
pub use network::{Address, IpAddress, Network, NetworkData, NetworkState, Port, Subnet};
pub use volume::{Snapshot, Volume, VolumeData, VolumeState, VolumeStatus, VolumeType};
