//! `CycladesBlockStorageClient`: the block storage client with Cyclades'
//! extensions.

use serde_json::json;

use super::extends;
use crate::clients::blockstorage::{BlockStorageClient, CreateVolumeOptions, Volume};
use crate::clients::compute::fields::unwrap;
use crate::clients::Result;

/// Client of Cyclades block storage: every [`BlockStorageClient`] method
/// (through `Deref`), Cyclades' `create_volume`, and reassignment.
/// Volumes are attached and detached through
/// [`CycladesComputeClient`](super::CycladesComputeClient).
#[derive(Clone, Debug)]
pub struct CycladesBlockStorageClient {
    blockstorage: BlockStorageClient,
}

extends!(
    CycladesBlockStorageClient,
    blockstorage,
    BlockStorageClient,
    as_blockstorage
);

impl CycladesBlockStorageClient {
    /// Creates a volume of `size` GB named `display_name` (`POST
    /// /volumes`, 202): on a server (`server_id`, then attached to it) or
    /// detached (then `volume_type` is required), from an image or a
    /// snapshot if given, charged to `project` if given.
    pub async fn create_volume(
        &self,
        size: u64,
        display_name: &str,
        options: &CreateVolumeOptions,
    ) -> Result<Volume> {
        let reply = self.volumes_post(size, display_name, options).await?;
        unwrap(&reply, "volume")
    }

    /// Charges a volume to another project (`POST /volumes/<id>/action`,
    /// 200).
    pub async fn reassign_volume(&self, volume_id: &str, project: &str) -> Result<()> {
        let action = json!({"reassign": {"project": project}});
        self.volumes_action_post(volume_id, &action).await?;
        Ok(())
    }
}
