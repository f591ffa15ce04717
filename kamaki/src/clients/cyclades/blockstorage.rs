//! `CycladesBlockStorageClient`: the block storage client with Cyclades'
//! extensions.

use serde_json::json;

use super::extends;
use crate::clients::blockstorage::{BlockStorageClient, CreateVolumeOptions, Volume};
use crate::clients::compute::fields::segment;
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
        let options = CreateVolumeOptions {
            display_name: Some(display_name.to_string()),
            ..options.clone()
        };
        self.blockstorage.create_volume(size, &options).await
    }

    /// Charges a volume to another project (`POST /volumes/<id>/action`,
    /// 200).
    pub async fn reassign_volume(&self, volume_id: &str, project: &str) -> Result<()> {
        let path = format!("volumes/{}/action", segment("volume id", volume_id)?);
        self.post(&path)
            .json(&json!({"reassign": {"project": project}}))
            .send()
            .await?;
        Ok(())
    }
}
