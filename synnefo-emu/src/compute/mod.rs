//! Cyclades compute (servers, flavors, images as compute sees them, keypairs; /cyclades/compute/v2.0).

use axum::Router;

use crate::state::SharedState;

/// The state of Cyclades compute.
#[derive(Debug, Default)]
pub struct ComputeState {}

/// The routes of Cyclades compute, nested at its catalog path.
pub fn router() -> Router<SharedState> {
    Router::new()
}
