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
