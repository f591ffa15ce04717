//! Snapshots of volumes, their metadata, and waiting for a snapshot.

use serde_json::json;

use super::options::metadata_value;
use super::{BlockStorageClient, CreateSnapshotOptions, Metadata, Snapshot};
use crate::clients::compute::fields::{metadata as unwrap_metadata, segment, unwrap};
use crate::clients::wait::{wait, WaitOptions};
use crate::clients::Result;

impl BlockStorageClient {
    /// The snapshots of the user (`GET /snapshots`, or `/snapshots/detail`).
    pub async fn list_snapshots(&self, detail: bool) -> Result<Vec<Snapshot>> {
        unwrap(&self.snapshots_get(detail, None).await?, "snapshots")
    }

    /// The details of a snapshot (`GET /snapshots/<id>`).
    pub async fn get_snapshot_details(&self, snapshot_id: &str) -> Result<Snapshot> {
        let reply = self.snapshots_get(false, Some(snapshot_id)).await?;
        unwrap(&reply, "snapshot")
    }

    /// Snapshots a volume (`POST /snapshots`, 202).
    pub async fn create_snapshot(
        &self,
        volume_id: &str,
        options: &CreateSnapshotOptions,
    ) -> Result<Snapshot> {
        unwrap(&self.snapshots_post(volume_id, options).await?, "snapshot")
    }

    /// Renames or describes a snapshot (`PUT /snapshots/<id>`) and returns
    /// it; with nothing to change, only reads it (as kamaki).
    pub async fn update_snapshot(
        &self,
        snapshot_id: &str,
        display_name: Option<&str>,
        display_description: Option<&str>,
    ) -> Result<Snapshot> {
        if display_name.is_none() && display_description.is_none() {
            return self.get_snapshot_details(snapshot_id).await;
        }
        let reply = self
            .snapshots_put(snapshot_id, display_name, display_description)
            .await?;
        unwrap(&reply, "snapshot")
    }

    /// Deletes a snapshot (`DELETE /snapshots/<id>`, 202).
    pub async fn delete_snapshot(&self, snapshot_id: &str) -> Result<()> {
        self.snapshots_delete(snapshot_id).await?;
        Ok(())
    }

    /// A snapshot's metadata (`GET /snapshots/<id>/metadata`).
    pub async fn get_snapshot_metadata(&self, snapshot_id: &str) -> Result<Metadata> {
        let path = format!(
            "snapshots/{}/metadata",
            segment("snapshot id", snapshot_id)?
        );
        unwrap_metadata(&self.get(&path).send().await?)
    }

    /// Adds or changes metadata items of a snapshot (`POST
    /// /snapshots/<id>/metadata`) and returns all its metadata.
    pub async fn update_snapshot_metadata(
        &self,
        snapshot_id: &str,
        metadata: &Metadata,
    ) -> Result<Metadata> {
        let path = format!(
            "snapshots/{}/metadata",
            segment("snapshot id", snapshot_id)?
        );
        let reply = self
            .post(&path)
            .json(&json!({"metadata": metadata_value(metadata)}))
            .success(&[200, 201])
            .send()
            .await?;
        unwrap_metadata(&reply)
    }

    /// Deletes a metadata item of a snapshot (`DELETE
    /// /snapshots/<id>/metadata/<key>`; Synnefo answers 200).
    pub async fn delete_snapshot_metadata(&self, snapshot_id: &str, key: &str) -> Result<()> {
        let path = format!(
            "snapshots/{}/metadata/{}",
            segment("snapshot id", snapshot_id)?,
            segment("key", key)?
        );
        self.delete(&path).success(&[200, 204]).send().await?;
        Ok(())
    }

    /// Polls a snapshot while its status is `current_status` (e.g.
    /// `CREATING`) and returns the last details seen (a timeout is no error).
    pub async fn wait_snapshot_while(
        &self,
        snapshot_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Snapshot),
    ) -> Result<Snapshot> {
        wait(
            || self.get_snapshot_details(snapshot_id),
            |s| s.status != current_status,
            options,
            progress,
        )
        .await
    }

    /// Polls a snapshot until its status is `target_status` (e.g.
    /// `AVAILABLE`) and returns the last details seen, reached or not.
    pub async fn wait_snapshot_until(
        &self,
        snapshot_id: &str,
        target_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Snapshot),
    ) -> Result<Snapshot> {
        wait(
            || self.get_snapshot_details(snapshot_id),
            |s| s.status == target_status,
            options,
            progress,
        )
        .await
    }
}
