//! Servers: listing, details, creation, renaming, deletion, actions,
//! metadata, connections, tags, and waiting for a status.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::fields::{id_value, meta_item, metadata, unwrap, whole, Metadata};
use super::{Address, ComputeClient, CreateServerOptions, ListServersOptions, Server, ServerNics};
use crate::clients::wait::{wait, WaitOptions};
use crate::clients::{ClientError, Response, Result};

impl ComputeClient {
    /// Lists the servers of the user (`GET /servers`, or `/servers/detail`
    /// for every attribute). With `changes_since`, a server with nothing new
    /// to report (304) gives an empty list.
    pub async fn list_servers(
        &self,
        detail: bool,
        options: &ListServersOptions,
    ) -> Result<Vec<Server>> {
        let reply = self.servers_get(None, detail, options).await?;
        if reply.status() == 304 {
            return Ok(Vec::new());
        }
        unwrap(&reply, "servers")
    }

    /// The details of a server (`GET /servers/<id>`).
    pub async fn get_server_details(&self, server_id: &str) -> Result<Server> {
        let reply = self
            .servers_get(Some(server_id), false, &ListServersOptions::default())
            .await?;
        unwrap(&reply, "server")
    }

    /// Creates a server (`POST /servers`, 202) and returns what the cloud
    /// answers: the new server in `BUILD`, with its `admin_pass`.
    ///
    /// Unlike Python kamaki's OpenStack client, `user_data` goes into the
    /// body, base64-encoded, as the compute API defines it.
    pub async fn create_server(
        &self,
        name: &str,
        flavor_id: &str,
        image_id: &str,
        options: &CreateServerOptions,
    ) -> Result<Server> {
        let body = options
            .body(name, flavor_id, image_id)
            .map_err(|e| ClientError::InvalidRequest(format!("cannot encode the server: {e}")))?;
        unwrap(&self.servers_post(&body).await?, "server")
    }

    /// Renames a server (`PUT /servers/<id>`, 204).
    pub async fn update_server_name(&self, server_id: &str, new_name: &str) -> Result<()> {
        self.servers_put(server_id, &json!({"server": {"name": new_name}}))
            .await?;
        Ok(())
    }

    /// Deletes a server (`DELETE /servers/<id>`, 204); it goes `DELETED`
    /// soon after.
    pub async fn delete_server(&self, server_id: &str) -> Result<()> {
        self.servers_delete(server_id).await?;
        Ok(())
    }

    /// Posts an action to a server (`POST /servers/<id>/action`).
    pub(crate) async fn server_action(
        &self,
        server_id: &str,
        action: &Value,
        success: &[u16],
    ) -> Result<Response> {
        self.servers_action_post_request(server_id, action)?
            .success(success)
            .send()
            .await
    }

    /// Changes the administrator password (OpenStack `changePassword`;
    /// Synnefo answers that it does not implement it).
    pub async fn change_admin_password(&self, server_id: &str, new_password: &str) -> Result<()> {
        let action = json!({"changePassword": {"adminPass": new_password}});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Rebuilds a server from its own image and name (OpenStack `rebuild`;
    /// Synnefo does not implement it). Python kamaki's version fails before
    /// sending anything; this one reads the server and sends its image.
    pub async fn rebuild_server(&self, server_id: &str) -> Result<()> {
        let server = self.get_server_details(server_id).await?;
        let image = server.image.map(|i| i.id).unwrap_or_default();
        let action = json!({"rebuild": {"imageRef": image, "name": server.name}});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Reboots a server, softly or hard (`{"reboot": {"type": "SOFT"}}`);
    /// it goes `REBOOT`, then `ACTIVE`.
    pub async fn reboot_server(&self, server_id: &str, hard: bool) -> Result<()> {
        let kind = if hard { "HARD" } else { "SOFT" };
        let action = json!({"reboot": {"type": kind}});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Gives a server another flavor (`{"resize": {"flavorRef": ...}}`);
    /// Cyclades resizes stopped servers only.
    pub async fn resize_server(&self, server_id: &str, flavor_id: &str) -> Result<()> {
        let action = json!({"resize": {"flavorRef": id_value(flavor_id)}});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Confirms a resize (OpenStack; not in Synnefo).
    pub async fn confirm_resize_server(&self, server_id: &str) -> Result<()> {
        let action = json!({"confirmResize": null});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Reverts a resize (OpenStack; not in Synnefo).
    pub async fn revert_resize_server(&self, server_id: &str) -> Result<()> {
        let action = json!({"revertResize": null});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Makes an image of a server (OpenStack `createImage`; not in Synnefo)
    /// and returns the `Location` of the new image, if the cloud gives one.
    pub async fn create_server_image(
        &self,
        server_id: &str,
        image_name: &str,
        metadata: &Metadata,
    ) -> Result<Option<String>> {
        let action = json!({"createImage": {"name": image_name, "metadata": metadata}});
        let reply = self.server_action(server_id, &action, &[202]).await?;
        Ok(reply.header("location").map(str::to_string))
    }

    /// Starts a stopped server (OpenStack `os-start`).
    pub async fn start_server(&self, server_id: &str) -> Result<()> {
        let action = json!({"os-start": null});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Stops a server (OpenStack `os-stop`).
    pub async fn shutdown_server(&self, server_id: &str) -> Result<()> {
        let action = json!({"os-stop": null});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Puts a (stopped) server in rescue mode, from a given rescue image or
    /// the cloud's default (`{"rescue": {"rescue_image_ref": ...}}`; Python
    /// kamaki puts the image beside `rescue`, where the server does not
    /// read it).
    pub async fn rescue_server(
        &self,
        server_id: &str,
        rescue_image_ref: Option<&str>,
    ) -> Result<()> {
        let action = match rescue_image_ref {
            Some(image) => json!({"rescue": {"rescue_image_ref": id_value(image)}}),
            None => json!({"rescue": {}}),
        };
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// Takes a (stopped) server out of rescue mode.
    pub async fn unrescue_server(&self, server_id: &str) -> Result<()> {
        let action = json!({"unrescue": {}});
        self.server_action(server_id, &action, &[202]).await?;
        Ok(())
    }

    /// A server's metadata (`GET /servers/<id>/metadata`), or only the item
    /// `key` (`GET /servers/<id>/metadata/<key>`).
    pub async fn get_server_metadata(
        &self,
        server_id: &str,
        key: Option<&str>,
    ) -> Result<Metadata> {
        let reply = self.servers_metadata_get(server_id, key).await?;
        match key {
            Some(_) => meta_item(&reply),
            None => metadata(&reply),
        }
    }

    /// Sets one metadata item (`PUT /servers/<id>/metadata/<key>`, 201) and
    /// returns it.
    pub async fn create_server_metadata(
        &self,
        server_id: &str,
        key: &str,
        value: &str,
    ) -> Result<Metadata> {
        let item = json!({"meta": {key: value}});
        meta_item(
            &self
                .servers_metadata_put(server_id, Some(key), &item)
                .await?,
        )
    }

    /// Adds or changes metadata items, leaving the others alone (`POST
    /// /servers/<id>/metadata`, 201), and returns all the metadata.
    pub async fn update_server_metadata(
        &self,
        server_id: &str,
        metadata_items: &Metadata,
    ) -> Result<Metadata> {
        let items = json!({"metadata": metadata_items});
        metadata(&self.servers_metadata_post(server_id, &items).await?)
    }

    /// Deletes a metadata item (`DELETE /servers/<id>/metadata/<key>`, 204).
    pub async fn delete_server_metadata(&self, server_id: &str, key: &str) -> Result<()> {
        self.servers_metadata_delete(server_id, key).await?;
        Ok(())
    }

    /// A server's network connections and addresses (`GET
    /// /servers/<id>/ips`); a 304 to `changes_since` gives empty ones.
    pub async fn get_server_nics(
        &self,
        server_id: &str,
        changes_since: Option<&str>,
    ) -> Result<ServerNics> {
        let reply = self.servers_ips_get(server_id, None, changes_since).await?;
        if reply.status() == 304 {
            return Ok(ServerNics::default());
        }
        whole(&reply)
    }

    /// A server's addresses on one network, by network id (`GET
    /// /servers/<id>/ips/<network id>`).
    pub async fn get_server_network_nics(
        &self,
        server_id: &str,
        network_id: &str,
        changes_since: Option<&str>,
    ) -> Result<BTreeMap<String, Vec<Address>>> {
        let reply = self
            .servers_ips_get(server_id, Some(network_id), changes_since)
            .await?;
        if reply.status() == 304 {
            return Ok(BTreeMap::new());
        }
        unwrap(&reply, "network")
    }

    /// Whether a server has a tag (`GET /servers/<id>/tags/<tag>`: 204 yes,
    /// 404 no).
    pub async fn check_tag_exists(&self, server_id: &str, tag: &str) -> Result<bool> {
        let reply = self.servers_tag_exists(server_id, tag).await?;
        Ok(reply.status() == 204)
    }

    /// Tags a server (`PUT /servers/<id>/tags/<tag>`: 201 new, 204 already
    /// there).
    pub async fn add_tag(&self, server_id: &str, tag: &str) -> Result<()> {
        self.servers_tag_add(server_id, tag).await?;
        Ok(())
    }

    /// Removes a tag (`DELETE /servers/<id>/tags/<tag>`, 204; 404 if the
    /// server has no such tag).
    pub async fn delete_tag(&self, server_id: &str, tag: &str) -> Result<()> {
        self.servers_tag_delete(server_id, tag).await?;
        Ok(())
    }

    /// A server's tags (`GET /servers/<id>/tags`).
    pub async fn list_tags(&self, server_id: &str) -> Result<Vec<String>> {
        unwrap(&self.servers_tags_get(server_id).await?, "tags")
    }

    /// Replaces all the tags of a server (`PUT /servers/<id>/tags`) and
    /// returns the new ones.
    pub async fn replace_tags(
        &self,
        server_id: &str,
        tags: &[impl AsRef<str>],
    ) -> Result<Vec<String>> {
        unwrap(&self.servers_tags_replace(server_id, tags).await?, "tags")
    }

    /// Removes every tag of a server (`DELETE /servers/<id>/tags`, 204;
    /// Synnefo answers 404 when there was none).
    pub async fn delete_tags(&self, server_id: &str) -> Result<()> {
        self.servers_tags_delete(server_id).await?;
        Ok(())
    }

    /// A server's status and, while it builds, its progress (kamaki's
    /// deprecated `get_server_status`).
    pub async fn get_server_status(&self, server_id: &str) -> Result<(String, Option<u32>)> {
        let server = self.get_server_details(server_id).await?;
        let progress = if server.status == "BUILD" {
            server.progress
        } else {
            None
        };
        Ok((server.status, progress))
    }

    /// Polls a server while its status is `current_status` (e.g. `BUILD`)
    /// and returns the last details seen: when the timeout runs out first,
    /// that is no error, the status tells. `progress` sees every poll.
    pub async fn wait_server_while(
        &self,
        server_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Server),
    ) -> Result<Server> {
        wait(
            || self.get_server_details(server_id),
            |server| server.status != current_status,
            options,
            progress,
        )
        .await
    }

    /// Polls a server until its status is `target_status` (e.g. `ACTIVE`)
    /// and returns the last details seen, reached or not.
    pub async fn wait_server_until(
        &self,
        server_id: &str,
        target_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Server),
    ) -> Result<Server> {
        wait(
            || self.get_server_details(server_id),
            |server| server.status == target_status,
            options,
            progress,
        )
        .await
    }

    /// kamaki's `wait_server`: the same as [`Self::wait_server_while`].
    pub async fn wait_server(
        &self,
        server_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Server),
    ) -> Result<Server> {
        self.wait_server_while(server_id, current_status, options, progress)
            .await
    }
}
