//! Cyclades block storage (volumes, snapshots, volume types; /cyclades/volume/v2.0).

use axum::Router;

use crate::state::SharedState;

/// The state of Cyclades block storage.
#[derive(Debug, Default)]
pub struct VolumeState {}

/// The routes of Cyclades block storage, nested at its catalog path.
pub fn router() -> Router<SharedState> {
    Router::new()
}
