//! Volumes, their metadata, volume types, and waiting for a volume.

use serde_json::json;

use super::options::metadata_value;
use super::{
    BlockStorageClient, CreateVolumeOptions, Metadata, UpdateVolumeOptions, Volume, VolumeType,
};
use crate::clients::compute::fields::{metadata as unwrap_metadata, segment, unwrap};
use crate::clients::wait::{wait, WaitOptions};
use crate::clients::Result;

impl BlockStorageClient {
    /// The volumes of the user (`GET /volumes`, or `/volumes/detail` for
    /// every attribute).
    pub async fn list_volumes(&self, detail: bool) -> Result<Vec<Volume>> {
        unwrap(&self.volumes_get(detail, None).await?, "volumes")
    }

    /// The details of a volume (`GET /volumes/<id>`).
    pub async fn get_volume_details(&self, volume_id: &str) -> Result<Volume> {
        unwrap(&self.volumes_get(false, Some(volume_id)).await?, "volume")
    }

    /// Creates a volume of `size` GB (`POST /volumes`, 202). Synnefo
    /// answers with its id, name and links only; read the rest with
    /// [`Self::get_volume_details`].
    pub async fn create_volume(&self, size: u64, options: &CreateVolumeOptions) -> Result<Volume> {
        unwrap(&self.volumes_post(size, options).await?, "volume")
    }

    /// Changes a volume (`PUT /volumes/<id>`) and returns it; with nothing
    /// to change, only reads it (as kamaki).
    pub async fn update_volume(
        &self,
        volume_id: &str,
        options: &UpdateVolumeOptions,
    ) -> Result<Volume> {
        if options.is_empty() {
            return self.get_volume_details(volume_id).await;
        }
        unwrap(&self.volumes_put(volume_id, options).await?, "volume")
    }

    /// Deletes a volume (`DELETE /volumes/<id>`, 202).
    pub async fn delete_volume(&self, volume_id: &str) -> Result<()> {
        self.volumes_delete(volume_id).await?;
        Ok(())
    }

    /// A volume's metadata (`GET /volumes/<id>/metadata`).
    pub async fn get_volume_metadata(&self, volume_id: &str) -> Result<Metadata> {
        let path = format!("volumes/{}/metadata", segment("volume id", volume_id)?);
        unwrap_metadata(&self.get(&path).send().await?)
    }

    /// Adds or changes metadata items of a volume, leaving the others
    /// (`POST /volumes/<id>/metadata`), and returns all its metadata.
    pub async fn update_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &Metadata,
    ) -> Result<Metadata> {
        let path = format!("volumes/{}/metadata", segment("volume id", volume_id)?);
        let reply = self
            .post(&path)
            .json(&json!({"metadata": metadata_value(metadata)}))
            .success(&[200, 201])
            .send()
            .await?;
        unwrap_metadata(&reply)
    }

    /// Replaces all the metadata of a volume (`PUT /volumes/<id>/metadata`)
    /// and returns it.
    pub async fn replace_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &Metadata,
    ) -> Result<Metadata> {
        let path = format!("volumes/{}/metadata", segment("volume id", volume_id)?);
        let reply = self
            .put(&path)
            .json(&json!({"metadata": metadata_value(metadata)}))
            .success(&[200, 201])
            .send()
            .await?;
        unwrap_metadata(&reply)
    }

    /// Deletes a metadata item of a volume (`DELETE
    /// /volumes/<id>/metadata/<key>`; Synnefo answers 200).
    pub async fn delete_volume_metadata(&self, volume_id: &str, key: &str) -> Result<()> {
        let path = format!(
            "volumes/{}/metadata/{}",
            segment("volume id", volume_id)?,
            segment("key", key)?
        );
        self.delete(&path).success(&[200, 204]).send().await?;
        Ok(())
    }

    /// The volume types (`GET /types`).
    pub async fn list_volume_types(&self) -> Result<Vec<VolumeType>> {
        unwrap(&self.types_get(None).await?, "volume_types")
    }

    /// The details of a volume type (`GET /types/<id>`).
    pub async fn get_volume_type_details(&self, type_id: &str) -> Result<VolumeType> {
        unwrap(&self.types_get(Some(type_id)).await?, "volume_type")
    }

    /// A volume's status (kamaki's deprecated `get_volume_status`).
    pub async fn get_volume_status(&self, volume_id: &str) -> Result<(String, Option<u32>)> {
        Ok((self.get_volume_details(volume_id).await?.status, None))
    }

    /// Polls a volume until `stop` accepts its details, e.g. `|v|
    /// v.status != "creating"` (kamaki's default), and returns the last
    /// details seen (a timeout is no error).
    pub async fn wait_volume(
        &self,
        volume_id: &str,
        stop: impl Fn(&Volume) -> bool,
        options: WaitOptions,
        progress: impl FnMut(&Volume),
    ) -> Result<Volume> {
        wait(
            || self.get_volume_details(volume_id),
            stop,
            options,
            progress,
        )
        .await
    }

    /// Polls a volume while its status is `current_status` (e.g.
    /// `creating`) and returns the last details seen.
    pub async fn wait_volume_while(
        &self,
        volume_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Volume),
    ) -> Result<Volume> {
        self.wait_volume(volume_id, |v| v.status != current_status, options, progress)
            .await
    }

    /// Polls a volume until its status is `target_status` (e.g. `in_use`)
    /// and returns the last details seen, reached or not.
    pub async fn wait_volume_until(
        &self,
        volume_id: &str,
        target_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Volume),
    ) -> Result<Volume> {
        self.wait_volume(volume_id, |v| v.status == target_status, options, progress)
            .await
    }
}
