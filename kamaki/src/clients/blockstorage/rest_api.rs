//! The block storage REST layer (kamaki's `BlockStorageRestClient`): one
//! method per HTTP call of the volume API, returning the reply as it came.
//!
//! As in the compute REST layer ([`crate::clients::compute::rest_api`]),
//! `volumes_get(..)` sends and checks the default success statuses, and
//! `volumes_get_request(..)` returns the [`RequestBuilder`] to adjust first
//! (`.success(&[..])`, `.header`, `.query`). kamaki builds these bodies
//! from keyword arguments; here the options structs of the high-level
//! calls carry them. Cyclades' `volumes_post` (a name required, a server
//! and a project) and `volumes_action_post` are on
//! [`CycladesBlockStorageClient`].
//!
//! [`CycladesBlockStorageClient`]: crate::clients::cyclades::CycladesBlockStorageClient

use serde_json::{json, Map, Value};

use super::{BlockStorageClient, CreateSnapshotOptions, CreateVolumeOptions, UpdateVolumeOptions};
use crate::clients::compute::fields::listing_or_item;
use crate::clients::{RequestBuilder, Response, Result};

impl BlockStorageClient {
    /// `GET /volumes`, `/volumes/detail` (every attribute) or, given an
    /// id, `/volumes/<id>`, accepting 200. An id with `detail` is refused
    /// (kamaki listed and dropped the id).
    pub fn volumes_get_request(
        &self,
        detail: bool,
        volume_id: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("volumes", "volume id", volume_id, detail)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`BlockStorageClient::volumes_get_request`].
    pub async fn volumes_get(&self, detail: bool, volume_id: Option<&str>) -> Result<Response> {
        self.volumes_get_request(detail, volume_id)?.send().await
    }

    /// `POST /volumes` with `{"volume": {"size": ..., <each option set>}}`,
    /// accepting 202.
    pub fn volumes_post_request(
        &self,
        size: u64,
        options: &CreateVolumeOptions,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .post("volumes")
            .json(&json!({ "volume": options.body(size) }))
            .success(&[202]))
    }

    /// Sends [`BlockStorageClient::volumes_post_request`].
    pub async fn volumes_post(&self, size: u64, options: &CreateVolumeOptions) -> Result<Response> {
        self.volumes_post_request(size, options)?.send().await
    }

    /// `PUT /volumes/<id>` with `{"volume": {<each option set>}}`,
    /// accepting 200.
    pub fn volumes_put_request(
        &self,
        volume_id: &str,
        options: &UpdateVolumeOptions,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("volumes", "volume id", Some(volume_id), false)?;
        Ok(self
            .put(&path)
            .json(&json!({ "volume": options.body() }))
            .success(&[200]))
    }

    /// Sends [`BlockStorageClient::volumes_put_request`].
    pub async fn volumes_put(
        &self,
        volume_id: &str,
        options: &UpdateVolumeOptions,
    ) -> Result<Response> {
        self.volumes_put_request(volume_id, options)?.send().await
    }

    /// `DELETE /volumes/<id>`, accepting 202.
    pub fn volumes_delete_request(&self, volume_id: &str) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("volumes", "volume id", Some(volume_id), false)?;
        Ok(self.delete(&path).success(&[202]))
    }

    /// Sends [`BlockStorageClient::volumes_delete_request`].
    pub async fn volumes_delete(&self, volume_id: &str) -> Result<Response> {
        self.volumes_delete_request(volume_id)?.send().await
    }

    /// `GET /snapshots`, `/snapshots/detail` or, given an id,
    /// `/snapshots/<id>`, accepting 200. An id with `detail` is refused.
    pub fn snapshots_get_request(
        &self,
        detail: bool,
        snapshot_id: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("snapshots", "snapshot id", snapshot_id, detail)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`BlockStorageClient::snapshots_get_request`].
    pub async fn snapshots_get(&self, detail: bool, snapshot_id: Option<&str>) -> Result<Response> {
        self.snapshots_get_request(detail, snapshot_id)?
            .send()
            .await
    }

    /// `POST /snapshots` with `{"snapshot": {"volume_id": ..., <each option
    /// set>}}`, accepting 202.
    pub fn snapshots_post_request(
        &self,
        volume_id: &str,
        options: &CreateSnapshotOptions,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .post("snapshots")
            .json(&json!({ "snapshot": options.body(volume_id) }))
            .success(&[202]))
    }

    /// Sends [`BlockStorageClient::snapshots_post_request`].
    pub async fn snapshots_post(
        &self,
        volume_id: &str,
        options: &CreateSnapshotOptions,
    ) -> Result<Response> {
        self.snapshots_post_request(volume_id, options)?
            .send()
            .await
    }

    /// `PUT /snapshots/<id>` with `{"snapshot": {...}}` holding the name
    /// and description given, accepting 200. The arguments come in the
    /// order of [`BlockStorageClient::update_snapshot`] (kamaki's
    /// `snapshots_put` takes the description first).
    pub fn snapshots_put_request(
        &self,
        snapshot_id: &str,
        display_name: Option<&str>,
        display_description: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("snapshots", "snapshot id", Some(snapshot_id), false)?;
        let mut snapshot = Map::new();
        if let Some(name) = display_name {
            snapshot.insert("display_name".into(), Value::from(name));
        }
        if let Some(description) = display_description {
            snapshot.insert("display_description".into(), Value::from(description));
        }
        Ok(self
            .put(&path)
            .json(&json!({ "snapshot": snapshot }))
            .success(&[200]))
    }

    /// Sends [`BlockStorageClient::snapshots_put_request`].
    pub async fn snapshots_put(
        &self,
        snapshot_id: &str,
        display_name: Option<&str>,
        display_description: Option<&str>,
    ) -> Result<Response> {
        self.snapshots_put_request(snapshot_id, display_name, display_description)?
            .send()
            .await
    }

    /// `DELETE /snapshots/<id>`, accepting 202.
    pub fn snapshots_delete_request(&self, snapshot_id: &str) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("snapshots", "snapshot id", Some(snapshot_id), false)?;
        Ok(self.delete(&path).success(&[202]))
    }

    /// Sends [`BlockStorageClient::snapshots_delete_request`].
    pub async fn snapshots_delete(&self, snapshot_id: &str) -> Result<Response> {
        self.snapshots_delete_request(snapshot_id)?.send().await
    }

    /// `GET /types`, or `/types/<id>` for one volume type, accepting 200.
    pub fn types_get_request(&self, type_id: Option<&str>) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("types", "volume type id", type_id, false)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`BlockStorageClient::types_get_request`].
    pub async fn types_get(&self, type_id: Option<&str>) -> Result<Response> {
        self.types_get_request(type_id)?.send().await
    }
}
