//! Pithos object storage (the object-store service, /pithos/object-store/v1).

use axum::Router;

use crate::state::SharedState;

/// The state of Pithos.
#[derive(Debug, Default)]
pub struct PithosState {}

/// The routes of Pithos, nested at its catalog path.
pub fn router() -> Router<SharedState> {
    Router::new()
}

/// What other services need to know of a stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary {
    /// Its size in bytes.
    pub size: u64,
    /// Its Pithos hash (the Merkle root of its block hashes, hex).
    pub hash: String,
    /// Its content type.
    pub content_type: String,
}

impl PithosState {
    /// The object `account/container/name`, if it exists and `reader` (a
    /// user uuid) may read it (owner, shared with, or public). Used by the
    /// Image registry to register images and by block storage for snapshots.
    pub fn object_summary(
        &self,
        reader: &str,
        account: &str,
        container: &str,
        name: &str,
    ) -> Option<ObjectSummary> {
        let _ = (reader, account, container, name);
        None
    }
}
