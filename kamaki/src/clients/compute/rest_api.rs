//! The compute REST layer (kamaki's `ComputeRestClient`): one method per
//! HTTP call of the compute API, returning the reply as it came.
//!
//! Every call comes in two forms, like the Pithos verbs:
//! `servers_get(..)` sends the request and checks its default success
//! statuses; `servers_get_request(..)` returns the [`RequestBuilder`], so
//! that a caller may accept other statuses (`.success(&[..])`, kamaki's
//! `success=`) or add headers and query parameters (`.header`, `.query`,
//! kamaki's `**kwargs`) before sending it. Ids are checked before they go
//! into a path: an empty one, `.`, `..` or one holding `/` is refused.
//!
//! The default success statuses are those Synnefo answers with. Where
//! Python kamaki's defaults differ (its high-level methods then passed the
//! right ones), the method says so.
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use kamaki::clients::compute::{ComputeClient, ListServersOptions};
//! let compute = ComputeClient::new("https://cloud.example.org/compute/v2.0", "my-token")?;
//! let reply = compute.servers_get(None, true, &ListServersOptions::default()).await?;
//! let servers: serde_json::Value = reply.json()?;
//! // A request adjusted before it is sent: a missing tag is no error here.
//! let reply = compute
//!     .servers_tag_delete_request("42", "web")?
//!     .success(&[204, 404])
//!     .send()
//!     .await?;
//! # let _ = (servers, reply);
//! # Ok(()) }
//! ```

use serde_json::{json, Value};

use super::fields::{listing_or_item, segment};
use super::{ComputeClient, ListFlavorsOptions, ListImagesOptions, ListServersOptions};
use crate::clients::{RequestBuilder, Response, Result};

/// `<collection>/<id>/<sub>` and, with a key, `.../<key>`.
fn sub_path(
    collection: &str,
    what: &str,
    id: &str,
    sub: &str,
    key: Option<(&str, &str)>,
) -> Result<String> {
    let base = format!("{collection}/{}/{sub}", segment(what, id)?);
    Ok(match key {
        Some((key_what, key)) => format!("{base}/{}", segment(key_what, key)?),
        None => base,
    })
}

fn server_path(server_id: &str) -> Result<String> {
    listing_or_item("servers", "server id", Some(server_id), false)
}

fn metadata_path(collection: &str, what: &str, id: &str, key: Option<&str>) -> Result<String> {
    sub_path(collection, what, id, "metadata", key.map(|k| ("key", k)))
}

fn tags_path(server_id: &str, tag: Option<&str>) -> Result<String> {
    sub_path(
        "servers",
        "server id",
        server_id,
        "tags",
        tag.map(|t| ("tag", t)),
    )
}

impl ComputeClient {
    /// `GET /limits`, accepting 200 (Synnefo routes no `/limits`). The
    /// typed call is [`ComputeClient::limits_get`], which had this name
    /// before the REST layer came; this is its raw form.
    pub fn limits_get_request(&self) -> Result<RequestBuilder<'_>> {
        Ok(self.get("limits").success(&[200]))
    }

    /// `GET /servers`, `/servers/detail` (every attribute) or, given an
    /// id, `/servers/<id>`. The filters go with listings only, which accept
    /// 200 and 304 (nothing changed since `changes_since`); one server
    /// accepts 200. An id with `detail` is refused.
    pub fn servers_get_request(
        &self,
        server_id: Option<&str>,
        detail: bool,
        options: &ListServersOptions,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("servers", "server id", server_id, detail)?;
        if server_id.is_some() {
            return Ok(self.get(&path).success(&[200]));
        }
        Ok(self
            .get(&path)
            .query_opt("changes-since", options.changes_since.as_deref())
            .query_opt("image", options.image.as_deref())
            .query_opt("flavor", options.flavor.as_deref())
            .query_opt("name", options.name.as_deref())
            .query_opt("marker", options.marker.as_deref())
            .query_opt("limit", options.limit)
            .query_opt("status", options.status.as_deref())
            .query_opt("host", options.host.as_deref())
            .success(&[200, 304]))
    }

    /// Sends [`ComputeClient::servers_get_request`].
    pub async fn servers_get(
        &self,
        server_id: Option<&str>,
        detail: bool,
        options: &ListServersOptions,
    ) -> Result<Response> {
        self.servers_get_request(server_id, detail, options)?
            .send()
            .await
    }

    /// `POST /servers` with `json_data` (`{"server": {...}}`), accepting
    /// 202. kamaki's `security_group`, `user_data` and
    /// `availability_zone` query parameters are not taken: Synnefo reads
    /// the body only (`user_data` goes there, base64-encoded).
    pub fn servers_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        Ok(self.post("servers").json(json_data).success(&[202]))
    }

    /// Sends [`ComputeClient::servers_post_request`].
    pub async fn servers_post(&self, json_data: &Value) -> Result<Response> {
        self.servers_post_request(json_data)?.send().await
    }

    /// `PUT /servers/<id>` with `json_data` (`{"server": {"name": ...}}`),
    /// accepting 204. kamaki's `server_name` query parameter is not taken:
    /// the name goes in the body.
    pub fn servers_put_request(
        &self,
        server_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .put(&server_path(server_id)?)
            .json(json_data)
            .success(&[204]))
    }

    /// Sends [`ComputeClient::servers_put_request`].
    pub async fn servers_put(&self, server_id: &str, json_data: &Value) -> Result<Response> {
        self.servers_put_request(server_id, json_data)?.send().await
    }

    /// `DELETE /servers/<id>`, accepting 204.
    pub fn servers_delete_request(&self, server_id: &str) -> Result<RequestBuilder<'_>> {
        Ok(self.delete(&server_path(server_id)?).success(&[204]))
    }

    /// Sends [`ComputeClient::servers_delete_request`].
    pub async fn servers_delete(&self, server_id: &str) -> Result<Response> {
        self.servers_delete_request(server_id)?.send().await
    }

    /// `GET /servers/<id>/metadata`, or `.../metadata/<key>` for one item,
    /// accepting 200.
    pub fn servers_metadata_get_request(
        &self,
        server_id: &str,
        key: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("servers", "server id", server_id, key)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`ComputeClient::servers_metadata_get_request`].
    pub async fn servers_metadata_get(
        &self,
        server_id: &str,
        key: Option<&str>,
    ) -> Result<Response> {
        self.servers_metadata_get_request(server_id, key)?
            .send()
            .await
    }

    /// `POST /servers/<id>/metadata` with `json_data` (`{"metadata":
    /// {...}}`: items added or changed, the others kept), accepting 201
    /// (kamaki's default: 202).
    pub fn servers_metadata_post_request(
        &self,
        server_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("servers", "server id", server_id, None)?;
        Ok(self.post(&path).json(json_data).success(&[201]))
    }

    /// Sends [`ComputeClient::servers_metadata_post_request`].
    pub async fn servers_metadata_post(
        &self,
        server_id: &str,
        json_data: &Value,
    ) -> Result<Response> {
        self.servers_metadata_post_request(server_id, json_data)?
            .send()
            .await
    }

    /// `PUT /servers/<id>/metadata/<key>` with `json_data` (`{"meta":
    /// {key: value}}`), accepting 201 (kamaki's default: 204); without a
    /// key, `PUT /servers/<id>/metadata` (OpenStack's replacement of all
    /// the metadata, which Cyclades does not route), accepting 200.
    pub fn servers_metadata_put_request(
        &self,
        server_id: &str,
        key: Option<&str>,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("servers", "server id", server_id, key)?;
        let success: &[u16] = if key.is_some() { &[201] } else { &[200] };
        Ok(self.put(&path).json(json_data).success(success))
    }

    /// Sends [`ComputeClient::servers_metadata_put_request`].
    pub async fn servers_metadata_put(
        &self,
        server_id: &str,
        key: Option<&str>,
        json_data: &Value,
    ) -> Result<Response> {
        self.servers_metadata_put_request(server_id, key, json_data)?
            .send()
            .await
    }

    /// `DELETE /servers/<id>/metadata/<key>`, accepting 204.
    pub fn servers_metadata_delete_request(
        &self,
        server_id: &str,
        key: &str,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("servers", "server id", server_id, Some(key))?;
        Ok(self.delete(&path).success(&[204]))
    }

    /// Sends [`ComputeClient::servers_metadata_delete_request`].
    pub async fn servers_metadata_delete(&self, server_id: &str, key: &str) -> Result<Response> {
        self.servers_metadata_delete_request(server_id, key)?
            .send()
            .await
    }

    /// `POST /servers/<id>/action` with `json_data` (one action, e.g.
    /// `{"reboot": {"type": "SOFT"}}`), accepting 202. Some Cyclades
    /// actions answer 200 (`console`, `reassign`): accept it with
    /// `.success(&[200])`.
    pub fn servers_action_post_request(
        &self,
        server_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = sub_path("servers", "server id", server_id, "action", None)?;
        Ok(self.post(&path).json(json_data).success(&[202]))
    }

    /// Sends [`ComputeClient::servers_action_post_request`].
    pub async fn servers_action_post(
        &self,
        server_id: &str,
        json_data: &Value,
    ) -> Result<Response> {
        self.servers_action_post_request(server_id, json_data)?
            .send()
            .await
    }

    /// `GET /servers/<id>/ips`, or `.../ips/<network id>` for the addresses
    /// on one network, with `changes-since` if given; accepts 200 and 304.
    pub fn servers_ips_get_request(
        &self,
        server_id: &str,
        network_id: Option<&str>,
        changes_since: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let network = network_id.map(|n| ("network id", n));
        let path = sub_path("servers", "server id", server_id, "ips", network)?;
        Ok(self
            .get(&path)
            .query_opt("changes-since", changes_since)
            .success(&[200, 304]))
    }

    /// Sends [`ComputeClient::servers_ips_get_request`].
    pub async fn servers_ips_get(
        &self,
        server_id: &str,
        network_id: Option<&str>,
        changes_since: Option<&str>,
    ) -> Result<Response> {
        self.servers_ips_get_request(server_id, network_id, changes_since)?
            .send()
            .await
    }

    /// `GET /images`, `/images/detail` or, given an id, `/images/<id>`. The
    /// filters go with listings only, which accept 200 and 304; one image
    /// accepts 200. An id with `detail` is refused.
    pub fn images_get_request(
        &self,
        image_id: Option<&str>,
        detail: bool,
        options: &ListImagesOptions,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("images", "image id", image_id, detail)?;
        if image_id.is_some() {
            return Ok(self.get(&path).success(&[200]));
        }
        Ok(self
            .get(&path)
            .query_opt("changes-since", options.changes_since.as_deref())
            .query_opt("name", options.name.as_deref())
            .query_opt("status", options.status.as_deref())
            .query_opt("marker", options.marker.as_deref())
            .query_opt("limit", options.limit)
            .query_opt("type", options.image_type.as_deref())
            .query_opt("server", options.server_name.as_deref())
            .success(&[200, 304]))
    }

    /// Sends [`ComputeClient::images_get_request`].
    pub async fn images_get(
        &self,
        image_id: Option<&str>,
        detail: bool,
        options: &ListImagesOptions,
    ) -> Result<Response> {
        self.images_get_request(image_id, detail, options)?
            .send()
            .await
    }

    /// `DELETE /images/<id>`, accepting 204.
    pub fn images_delete_request(&self, image_id: &str) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("images", "image id", Some(image_id), false)?;
        Ok(self.delete(&path).success(&[204]))
    }

    /// Sends [`ComputeClient::images_delete_request`].
    pub async fn images_delete(&self, image_id: &str) -> Result<Response> {
        self.images_delete_request(image_id)?.send().await
    }

    /// `GET /images/<id>/metadata`, or `.../metadata/<key>` for one item,
    /// accepting 200.
    pub fn images_metadata_get_request(
        &self,
        image_id: &str,
        key: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("images", "image id", image_id, key)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`ComputeClient::images_metadata_get_request`].
    pub async fn images_metadata_get(&self, image_id: &str, key: Option<&str>) -> Result<Response> {
        self.images_metadata_get_request(image_id, key)?
            .send()
            .await
    }

    /// `POST /images/<id>/metadata` with `json_data` (`{"metadata":
    /// {...}}`), accepting 201.
    pub fn images_metadata_post_request(
        &self,
        image_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("images", "image id", image_id, None)?;
        Ok(self.post(&path).json(json_data).success(&[201]))
    }

    /// Sends [`ComputeClient::images_metadata_post_request`].
    pub async fn images_metadata_post(
        &self,
        image_id: &str,
        json_data: &Value,
    ) -> Result<Response> {
        self.images_metadata_post_request(image_id, json_data)?
            .send()
            .await
    }

    /// `PUT /images/<id>/metadata/<key>` with `json_data` (`{"meta": {key:
    /// value}}`), accepting 201; without a key, `PUT /images/<id>/metadata`
    /// (OpenStack's replacement of all the metadata, which Cyclades does
    /// not route), accepting 200. Python kamaki dropped the key and always
    /// sent the second.
    pub fn images_metadata_put_request(
        &self,
        image_id: &str,
        key: Option<&str>,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("images", "image id", image_id, key)?;
        let success: &[u16] = if key.is_some() { &[201] } else { &[200] };
        Ok(self.put(&path).json(json_data).success(success))
    }

    /// Sends [`ComputeClient::images_metadata_put_request`].
    pub async fn images_metadata_put(
        &self,
        image_id: &str,
        key: Option<&str>,
        json_data: &Value,
    ) -> Result<Response> {
        self.images_metadata_put_request(image_id, key, json_data)?
            .send()
            .await
    }

    /// `DELETE /images/<id>/metadata/<key>`, accepting 204.
    pub fn images_metadata_delete_request(
        &self,
        image_id: &str,
        key: &str,
    ) -> Result<RequestBuilder<'_>> {
        let path = metadata_path("images", "image id", image_id, Some(key))?;
        Ok(self.delete(&path).success(&[204]))
    }

    /// Sends [`ComputeClient::images_metadata_delete_request`].
    pub async fn images_metadata_delete(&self, image_id: &str, key: &str) -> Result<Response> {
        self.images_metadata_delete_request(image_id, key)?
            .send()
            .await
    }

    /// `GET /flavors`, `/flavors/detail` or, given an id, `/flavors/<id>`,
    /// accepting 200. The filters go with listings only, Synnefo's
    /// `SNF:flavor-access` and `SNF:is_public` among them (kamaki's
    /// Cyclades `flavors_get`). An id with `detail` is refused.
    pub fn flavors_get_request(
        &self,
        flavor_id: Option<&str>,
        detail: bool,
        options: &ListFlavorsOptions,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("flavors", "flavor id", flavor_id, detail)?;
        if flavor_id.is_some() {
            return Ok(self.get(&path).success(&[200]));
        }
        Ok(self
            .get(&path)
            .query_opt("changes-since", options.changes_since.as_deref())
            .query_opt("minDisk", options.min_disk)
            .query_opt("minRam", options.min_ram)
            .query_opt("marker", options.marker.as_deref())
            .query_opt("limit", options.limit)
            .query_opt("SNF:flavor-access", options.project_id.as_deref())
            .query_opt("SNF:is_public", options.is_public)
            .success(&[200]))
    }

    /// Sends [`ComputeClient::flavors_get_request`].
    pub async fn flavors_get(
        &self,
        flavor_id: Option<&str>,
        detail: bool,
        options: &ListFlavorsOptions,
    ) -> Result<Response> {
        self.flavors_get_request(flavor_id, detail, options)?
            .send()
            .await
    }

    /// `GET /os-floating-ip-pools`, accepting 200.
    pub fn floating_ip_pools_get_request(&self) -> Result<RequestBuilder<'_>> {
        Ok(self.get("os-floating-ip-pools").success(&[200]))
    }

    /// Sends [`ComputeClient::floating_ip_pools_get_request`].
    pub async fn floating_ip_pools_get(&self) -> Result<Response> {
        self.floating_ip_pools_get_request()?.send().await
    }

    /// `GET /os-floating-ips`, or `/os-floating-ips/<id>` for one,
    /// accepting 200.
    pub fn floating_ips_get_request(
        &self,
        floating_ip_id: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("os-floating-ips", "floating IP id", floating_ip_id, false)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`ComputeClient::floating_ips_get_request`].
    pub async fn floating_ips_get(&self, floating_ip_id: Option<&str>) -> Result<Response> {
        self.floating_ips_get_request(floating_ip_id)?.send().await
    }

    /// `POST /os-floating-ips` with `json_data` (`{"pool": ...}` or `{}`),
    /// accepting 200 (Synnefo) and 201. kamaki's `ip` argument, which
    /// posted to `/os-floating-ips/<ip>`, is not taken: no such call
    /// exists.
    pub fn floating_ips_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        Ok(self
            .post("os-floating-ips")
            .json(json_data)
            .success(&[200, 201]))
    }

    /// Sends [`ComputeClient::floating_ips_post_request`].
    pub async fn floating_ips_post(&self, json_data: &Value) -> Result<Response> {
        self.floating_ips_post_request(json_data)?.send().await
    }

    /// `DELETE /os-floating-ips/<id>`, accepting 202 (the guide) and 204
    /// (Synnefo).
    pub fn floating_ips_delete_request(&self, floating_ip_id: &str) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item(
            "os-floating-ips",
            "floating IP id",
            Some(floating_ip_id),
            false,
        )?;
        Ok(self.delete(&path).success(&[202, 204]))
    }

    /// Sends [`ComputeClient::floating_ips_delete_request`].
    pub async fn floating_ips_delete(&self, floating_ip_id: &str) -> Result<Response> {
        self.floating_ips_delete_request(floating_ip_id)?
            .send()
            .await
    }

    /// `GET /os-keypairs`, or `/os-keypairs/<name>` for one, accepting 200.
    pub fn keypairs_get_request(&self, key_name: Option<&str>) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("os-keypairs", "key name", key_name, false)?;
        Ok(self.get(&path).success(&[200]))
    }

    /// Sends [`ComputeClient::keypairs_get_request`].
    pub async fn keypairs_get(&self, key_name: Option<&str>) -> Result<Response> {
        self.keypairs_get_request(key_name)?.send().await
    }

    /// `POST /os-keypairs` with `json_data` (`{"keypair": {"name": ...[,
    /// "public_key": ...]}}`), accepting 201 (kamaki's default: 200).
    pub fn keypairs_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        Ok(self.post("os-keypairs").json(json_data).success(&[201]))
    }

    /// Sends [`ComputeClient::keypairs_post_request`].
    pub async fn keypairs_post(&self, json_data: &Value) -> Result<Response> {
        self.keypairs_post_request(json_data)?.send().await
    }

    /// `DELETE /os-keypairs/<name>`, accepting 204 (kamaki's default: 200).
    pub fn keypairs_delete_request(&self, key_name: &str) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item("os-keypairs", "key name", Some(key_name), false)?;
        Ok(self.delete(&path).success(&[204]))
    }

    /// Sends [`ComputeClient::keypairs_delete_request`].
    pub async fn keypairs_delete(&self, key_name: &str) -> Result<Response> {
        self.keypairs_delete_request(key_name)?.send().await
    }

    /// `GET /servers/<id>/tags/<tag>`, accepting 204 (the server has the
    /// tag; Cyclades says its status in `tag-status`) and 404 (it has not).
    pub fn servers_tag_exists_request(
        &self,
        server_id: &str,
        tag: &str,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .get(&tags_path(server_id, Some(tag))?)
            .success(&[204, 404]))
    }

    /// Sends [`ComputeClient::servers_tag_exists_request`].
    pub async fn servers_tag_exists(&self, server_id: &str, tag: &str) -> Result<Response> {
        self.servers_tag_exists_request(server_id, tag)?
            .send()
            .await
    }

    /// `PUT /servers/<id>/tags/<tag>`, accepting 201 (added) and 204 (the
    /// server had it; kamaki accepted 201 only).
    pub fn servers_tag_add_request(
        &self,
        server_id: &str,
        tag: &str,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .put(&tags_path(server_id, Some(tag))?)
            .success(&[201, 204]))
    }

    /// Sends [`ComputeClient::servers_tag_add_request`].
    pub async fn servers_tag_add(&self, server_id: &str, tag: &str) -> Result<Response> {
        self.servers_tag_add_request(server_id, tag)?.send().await
    }

    /// `DELETE /servers/<id>/tags/<tag>`, accepting 204 (404 if the server
    /// has no such tag).
    pub fn servers_tag_delete_request(
        &self,
        server_id: &str,
        tag: &str,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .delete(&tags_path(server_id, Some(tag))?)
            .success(&[204]))
    }

    /// Sends [`ComputeClient::servers_tag_delete_request`].
    pub async fn servers_tag_delete(&self, server_id: &str, tag: &str) -> Result<Response> {
        self.servers_tag_delete_request(server_id, tag)?
            .send()
            .await
    }

    /// `GET /servers/<id>/tags`, accepting 200 (`{"tags": [...]}`, with
    /// Cyclades' `statuses` beside).
    pub fn servers_tags_get_request(&self, server_id: &str) -> Result<RequestBuilder<'_>> {
        Ok(self.get(&tags_path(server_id, None)?).success(&[200]))
    }

    /// Sends [`ComputeClient::servers_tags_get_request`].
    pub async fn servers_tags_get(&self, server_id: &str) -> Result<Response> {
        self.servers_tags_get_request(server_id)?.send().await
    }

    /// `PUT /servers/<id>/tags` with `{"tags": [...]}`, replacing them all,
    /// accepting 200.
    pub fn servers_tags_replace_request(
        &self,
        server_id: &str,
        tags: &[impl AsRef<str>],
    ) -> Result<RequestBuilder<'_>> {
        let tags: Vec<&str> = tags.iter().map(AsRef::as_ref).collect();
        Ok(self
            .put(&tags_path(server_id, None)?)
            .json(&json!({ "tags": tags }))
            .success(&[200]))
    }

    /// Sends [`ComputeClient::servers_tags_replace_request`].
    pub async fn servers_tags_replace(
        &self,
        server_id: &str,
        tags: &[impl AsRef<str>],
    ) -> Result<Response> {
        self.servers_tags_replace_request(server_id, tags)?
            .send()
            .await
    }

    /// `DELETE /servers/<id>/tags`, accepting 204 (Synnefo answers 404
    /// when the server had no tag).
    pub fn servers_tags_delete_request(&self, server_id: &str) -> Result<RequestBuilder<'_>> {
        Ok(self.delete(&tags_path(server_id, None)?).success(&[204]))
    }

    /// Sends [`ComputeClient::servers_tags_delete_request`].
    pub async fn servers_tags_delete(&self, server_id: &str) -> Result<Response> {
        self.servers_tags_delete_request(server_id)?.send().await
    }
}
