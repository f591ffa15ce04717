//! `CycladesComputeClient`: the compute client with Cyclades' extensions.

use serde_json::json;

use super::{
    extends, Console, ConsoleType, FirewallProfile, ServerStats, TagList, VolumeAttachment,
};
use crate::clients::compute::fields::{unwrap, whole};
use crate::clients::compute::{ComputeClient, CreateServerOptions, Diagnostic, Server};
use crate::clients::Result;

/// Client of Cyclades compute: every [`ComputeClient`] method (through
/// `Deref`), Cyclades' versions of `create_server`, `start_server`,
/// `shutdown_server`, `list_tags` and `replace_tags`, and its extensions.
#[derive(Clone, Debug)]
pub struct CycladesComputeClient {
    compute: ComputeClient,
}

extends!(CycladesComputeClient, compute, ComputeClient, as_compute);

impl CycladesComputeClient {
    /// The kinds of console [`Self::get_server_console`] offers.
    pub const CONSOLE_TYPES: &'static [ConsoleType] = ConsoleType::ALL;

    /// Creates a server (`POST /servers`, 202), first reading its image
    /// (`GET /images/<id>`) to copy the image's `os` and `users` metadata
    /// into the server's, unless given; returns the new server in `BUILD`
    /// with its `admin_pass`.
    pub async fn create_server(
        &self,
        name: &str,
        flavor_id: &str,
        image_id: &str,
        options: &CreateServerOptions,
    ) -> Result<Server> {
        let options = self.options_for_image(image_id, options).await?;
        self.compute
            .create_server(name, flavor_id, image_id, &options)
            .await
    }

    /// `options` with the image's `os` and `users` metadata added where not
    /// given (`GET /images/<id>`): what [`Self::create_server`] sends, for
    /// callers that post the body themselves (`servers_post`).
    pub async fn options_for_image(
        &self,
        image_id: &str,
        options: &CreateServerOptions,
    ) -> Result<CreateServerOptions> {
        let image = self.get_image_details(image_id).await?;
        let mut options = options.clone();
        for key in ["os", "users"] {
            let given = options.metadata.keys().any(|k| k.eq_ignore_ascii_case(key));
            if let (false, Some(value)) = (given, image.meta(key)) {
                options.metadata.insert(key.to_string(), value.to_string());
            }
        }
        Ok(options)
    }

    /// Sets the firewall profile of a server's connection to a public
    /// network (`{"firewallProfile": {"profile": ..., "nic": <port id>}}`).
    pub async fn set_firewall_profile(
        &self,
        server_id: &str,
        profile: FirewallProfile,
        port_id: &str,
    ) -> Result<()> {
        let action = json!({"firewallProfile": {"profile": profile.as_str(), "nic": port_id}});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Starts a stopped server (`{"start": {}}`); it goes `ACTIVE`.
    pub async fn start_server(&self, server_id: &str) -> Result<()> {
        self.server_action(server_id, &json!({"start": {}}), &[202])
            .await?;
        Ok(())
    }

    /// Shuts a server down (`{"shutdown": {}}`); it goes `STOPPED`.
    pub async fn shutdown_server(&self, server_id: &str) -> Result<()> {
        self.server_action(server_id, &json!({"shutdown": {}}), &[202])
            .await?;
        Ok(())
    }

    /// Arranges a console to a server and says how to reach it
    /// (`{"console": {"type": ...}}`, 200).
    pub async fn get_server_console(
        &self,
        server_id: &str,
        console_type: ConsoleType,
    ) -> Result<Console> {
        let action = json!({"console": {"type": console_type.as_str()}});
        let reply = self.server_action(server_id, &action, &[200]).await?;
        unwrap(&reply, "console")
    }

    /// Charges a server to another project (`{"reassign": {"project":
    /// ...}}`, 200).
    pub async fn reassign_server(&self, server_id: &str, project: &str) -> Result<()> {
        let action = json!({"reassign": {"project": project}});
        self.server_action(server_id, &action, &[200]).await?;
        Ok(())
    }

    /// Where the load graphs of a server are (`GET /servers/<id>/stats`).
    pub async fn get_server_stats(&self, server_id: &str) -> Result<ServerStats> {
        unwrap(&self.servers_stats_get(server_id).await?, "stats")
    }

    /// A server's diagnostic messages (`GET /servers/<id>/diagnostics`).
    pub async fn get_server_diagnostics(&self, server_id: &str) -> Result<Vec<Diagnostic>> {
        whole(&self.servers_diagnostics_get(server_id).await?)
    }

    /// A volume attachment of a server (`GET
    /// /servers/<id>/os-volume_attachments/<attachment id>`).
    pub async fn get_volume_attachment(
        &self,
        server_id: &str,
        attachment_id: &str,
    ) -> Result<VolumeAttachment> {
        let reply = self
            .volume_attachment_get(server_id, Some(attachment_id))
            .await?;
        unwrap(&reply, "volumeAttachment")
    }

    /// The volumes attached to a server (`GET
    /// /servers/<id>/os-volume_attachments`).
    pub async fn list_volume_attachments(&self, server_id: &str) -> Result<Vec<VolumeAttachment>> {
        let reply = self.volume_attachment_get(server_id, None).await?;
        unwrap(&reply, "volumeAttachments")
    }

    /// Attaches a volume to a server (`POST
    /// /servers/<id>/os-volume_attachments`, 202); the volume goes `in_use`.
    pub async fn attach_volume(
        &self,
        server_id: &str,
        volume_id: &str,
    ) -> Result<VolumeAttachment> {
        let reply = self.volume_attachment_post(server_id, volume_id).await?;
        unwrap(&reply, "volumeAttachment")
    }

    /// Detaches a volume by attachment id, keeping the volume (`DELETE
    /// /servers/<id>/os-volume_attachments/<attachment id>`, 202).
    pub async fn delete_volume_attachment(
        &self,
        server_id: &str,
        attachment_id: &str,
    ) -> Result<()> {
        self.volume_attachment_delete(server_id, attachment_id)
            .await?;
        Ok(())
    }

    /// Detaches a volume from a server: lists the attachments and deletes
    /// those of the volume, one by one (not atomic), returning them.
    pub async fn detach_volume(
        &self,
        server_id: &str,
        volume_id: &str,
    ) -> Result<Vec<VolumeAttachment>> {
        let attachments: Vec<VolumeAttachment> = self
            .list_volume_attachments(server_id)
            .await?
            .into_iter()
            .filter(|a| a.volume_id == volume_id)
            .collect();
        for attachment in &attachments {
            self.delete_volume_attachment(server_id, &attachment.id)
                .await?;
        }
        Ok(attachments)
    }

    /// A server's tags with their statuses (`GET /servers/<id>/tags`).
    pub async fn list_tags(&self, server_id: &str) -> Result<TagList> {
        whole(&self.servers_tags_get(server_id).await?)
    }

    /// Replaces the tags of a server (`PUT /servers/<id>/tags`) and returns
    /// them with their statuses (`PENDADD` until applied).
    pub async fn replace_tags(&self, server_id: &str, tags: &[impl AsRef<str>]) -> Result<TagList> {
        whole(&self.servers_tags_replace(server_id, tags).await?)
    }

    /// The status of a server's tag (the `tag-status` header of `GET
    /// /servers/<id>/tags/<tag>`, 204; 404 if the server has no such tag).
    pub async fn get_tag_status(&self, server_id: &str, tag: &str) -> Result<String> {
        let reply = self
            .servers_tag_exists_request(server_id, tag)?
            .success(&[204])
            .send()
            .await?;
        Ok(reply.header("tag-status").unwrap_or_default().to_string())
    }
}
