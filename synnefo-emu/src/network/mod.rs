//! Cyclades networking (networks, subnets, ports, floating IPs; /cyclades/network/v2.0).

use axum::Router;

use crate::state::SharedState;

/// The state of Cyclades network.
#[derive(Debug, Default)]
pub struct NetworkState {}

/// The routes of Cyclades network, nested at its catalog path.
pub fn router() -> Router<SharedState> {
    Router::new()
}
