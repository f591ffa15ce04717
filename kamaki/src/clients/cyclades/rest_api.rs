//! The REST calls Cyclades adds to the OpenStack ones (kamaki's
//! `CycladesComputeRestClient` and `CycladesBlockStorageRestClient`), in
//! the two forms of the other REST layers: `call(..)` sends and checks the
//! default success statuses, `call_request(..)` returns the
//! [`RequestBuilder`] to adjust first.
//!
//! Everything else is inherited: a [`CycladesComputeClient`] dereferences
//! to a [`ComputeClient`](crate::clients::compute::ComputeClient), whose
//! `flavors_get` already sends Synnefo's `SNF:flavor-access` and
//! `SNF:is_public` (kamaki's Cyclades override); Cyclades adds no network
//! REST call.

use serde_json::{json, Value};

use super::{CycladesBlockStorageClient, CycladesComputeClient};
use crate::clients::blockstorage::CreateVolumeOptions;
use crate::clients::compute::fields::segment;
use crate::clients::{RequestBuilder, Response, Result};

fn attachments_path(server_id: &str, attachment_id: Option<&str>) -> Result<String> {
    let base = format!(
        "servers/{}/os-volume_attachments",
        segment("server id", server_id)?
    );
    Ok(match attachment_id {
        Some(id) => format!("{base}/{}", segment("attachment id", id)?),
        None => base,
    })
}

impl CycladesComputeClient {
    /// `GET /servers/<id>/stats` (`{"stats": {...}}`: where the load
    /// graphs are), accepting 200.
    pub fn servers_stats_get_request(&self, server_id: &str) -> Result<RequestBuilder<'_>> {
        let path = format!("servers/{}/stats", segment("server id", server_id)?);
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`CycladesComputeClient::servers_stats_get_request`].
    pub async fn servers_stats_get(&self, server_id: &str) -> Result<Response> {
        self.servers_stats_get_request(server_id)?.send().await
    }

    /// `GET /servers/<id>/diagnostics` (a JSON list of messages),
    /// accepting 200.
    pub fn servers_diagnostics_get_request(&self, server_id: &str) -> Result<RequestBuilder<'_>> {
        let path = format!("servers/{}/diagnostics", segment("server id", server_id)?);
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`CycladesComputeClient::servers_diagnostics_get_request`].
    pub async fn servers_diagnostics_get(&self, server_id: &str) -> Result<Response> {
        self.servers_diagnostics_get_request(server_id)?
            .send()
            .await
    }

    /// `GET /servers/<id>/os-volume_attachments` (`{"volumeAttachments":
    /// [...]}`), or `.../os-volume_attachments/<attachment id>` for one
    /// (`{"volumeAttachment": {...}}`), accepting 200.
    pub fn volume_attachment_get_request(
        &self,
        server_id: &str,
        attachment_id: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = attachments_path(server_id, attachment_id)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`CycladesComputeClient::volume_attachment_get_request`].
    pub async fn volume_attachment_get(
        &self,
        server_id: &str,
        attachment_id: Option<&str>,
    ) -> Result<Response> {
        self.volume_attachment_get_request(server_id, attachment_id)?
            .send()
            .await
    }

    /// `POST /servers/<id>/os-volume_attachments` with
    /// `{"volumeAttachment": {"volumeId": ...}}`, attaching the volume,
    /// accepting 202.
    pub fn volume_attachment_post_request(
        &self,
        server_id: &str,
        volume_id: &str,
    ) -> Result<RequestBuilder<'_>> {
        let path = attachments_path(server_id, None)?;
        Ok(self
            .post(&path)
            .json(&json!({"volumeAttachment": {"volumeId": volume_id}}))
            .success(&[202]))
    }

    /// Sends [`CycladesComputeClient::volume_attachment_post_request`].
    pub async fn volume_attachment_post(
        &self,
        server_id: &str,
        volume_id: &str,
    ) -> Result<Response> {
        self.volume_attachment_post_request(server_id, volume_id)?
            .send()
            .await
    }

    /// `DELETE /servers/<id>/os-volume_attachments/<attachment id>`,
    /// detaching the volume (kept), accepting 202.
    pub fn volume_attachment_delete_request(
        &self,
        server_id: &str,
        attachment_id: &str,
    ) -> Result<RequestBuilder<'_>> {
        let path = attachments_path(server_id, Some(attachment_id))?;
        Ok(self.delete(&path).success(&[202]))
    }

    /// Sends [`CycladesComputeClient::volume_attachment_delete_request`].
    pub async fn volume_attachment_delete(
        &self,
        server_id: &str,
        attachment_id: &str,
    ) -> Result<Response> {
        self.volume_attachment_delete_request(server_id, attachment_id)?
            .send()
            .await
    }
}

impl CycladesBlockStorageClient {
    /// `POST /volumes` with `{"volume": {"size": ..., "display_name": ...,
    /// <each option set>}}`, accepting 202: Cyclades' creation, whose name
    /// is required (it replaces `options.display_name`), on a server
    /// (`server_id`) or of a detachable `volume_type`, charged to
    /// `project` if given.
    pub fn volumes_post_request(
        &self,
        size: u64,
        display_name: &str,
        options: &CreateVolumeOptions,
    ) -> Result<RequestBuilder<'_>> {
        let options = CreateVolumeOptions {
            display_name: Some(display_name.to_string()),
            ..options.clone()
        };
        self.as_blockstorage().volumes_post_request(size, &options)
    }

    /// Sends [`CycladesBlockStorageClient::volumes_post_request`].
    pub async fn volumes_post(
        &self,
        size: u64,
        display_name: &str,
        options: &CreateVolumeOptions,
    ) -> Result<Response> {
        self.volumes_post_request(size, display_name, options)?
            .send()
            .await
    }

    /// `POST /volumes/<id>/action` with `json_data` (e.g. `{"reassign":
    /// {"project": ...}}`), accepting 200.
    pub fn volumes_action_post_request(
        &self,
        volume_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = format!("volumes/{}/action", segment("volume id", volume_id)?);
        Ok(self.post(&path).json(json_data).success(&[200]))
    }

    /// Sends [`CycladesBlockStorageClient::volumes_action_post_request`].
    pub async fn volumes_action_post(
        &self,
        volume_id: &str,
        json_data: &Value,
    ) -> Result<Response> {
        self.volumes_action_post_request(volume_id, json_data)?
            .send()
            .await
    }
}
