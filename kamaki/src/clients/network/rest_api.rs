//! The network REST layer (kamaki's `NetworkRestClient`): for each of
//! networks, subnets, ports and floating IPs, one method per HTTP call
//! (`*_get`, `*_post`, `*_put`, `*_delete`), returning the reply as it
//! came.
//!
//! As in the compute REST layer ([`crate::clients::compute::rest_api`]),
//! `networks_get(..)` sends and checks the default success statuses, and
//! `networks_get_request(..)` returns the [`RequestBuilder`] to adjust
//! first (`.success(&[..])`, `.header`, `.query`). The defaults are what
//! Synnefo answers: 200 to reads and updates, 201 to creations (200 for
//! floating IPs), 204 to deletions. Python kamaki accepted 200 alone unless
//! told otherwise, so its raw creations and deletions failed unless the
//! caller passed `success=`.

use serde_json::Value;

use super::NetworkClient;
use crate::clients::compute::fields::listing_or_item;
use crate::clients::{RequestBuilder, Response, Result};

// The four calls are alike for every collection: one place builds them.
impl NetworkClient {
    fn collection_get(
        &self,
        collection: &str,
        what: &str,
        id: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item(collection, what, id, false)?;
        Ok(self.get(&path).success(&[200]))
    }

    fn collection_post(
        &self,
        collection: &str,
        json_data: &Value,
        success: &[u16],
    ) -> Result<RequestBuilder<'_>> {
        Ok(self.post(collection).json(json_data).success(success))
    }

    fn collection_put(
        &self,
        collection: &str,
        what: &str,
        id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item(collection, what, Some(id), false)?;
        Ok(self.put(&path).json(json_data).success(&[200]))
    }

    fn collection_delete(
        &self,
        collection: &str,
        what: &str,
        id: &str,
    ) -> Result<RequestBuilder<'_>> {
        let path = listing_or_item(collection, what, Some(id), false)?;
        Ok(self.delete(&path).success(&[204]))
    }
}

impl NetworkClient {
    /// `GET /networks`, or `/networks/<id>` for one, accepting 200.
    pub fn networks_get_request(&self, network_id: Option<&str>) -> Result<RequestBuilder<'_>> {
        self.collection_get("networks", "network id", network_id)
    }

    /// Sends [`NetworkClient::networks_get_request`].
    pub async fn networks_get(&self, network_id: Option<&str>) -> Result<Response> {
        self.networks_get_request(network_id)?.send().await
    }

    /// `POST /networks` with `json_data` (`{"network": {...}}`, or a list
    /// under `networks` to create several), accepting 201.
    pub fn networks_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        self.collection_post("networks", json_data, &[201])
    }

    /// Sends [`NetworkClient::networks_post_request`].
    pub async fn networks_post(&self, json_data: &Value) -> Result<Response> {
        self.networks_post_request(json_data)?.send().await
    }

    /// `PUT /networks/<id>` with `json_data` (`{"network": {...}}`),
    /// accepting 200.
    pub fn networks_put_request(
        &self,
        network_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        self.collection_put("networks", "network id", network_id, json_data)
    }

    /// Sends [`NetworkClient::networks_put_request`].
    pub async fn networks_put(&self, network_id: &str, json_data: &Value) -> Result<Response> {
        self.networks_put_request(network_id, json_data)?
            .send()
            .await
    }

    /// `DELETE /networks/<id>`, accepting 204.
    pub fn networks_delete_request(&self, network_id: &str) -> Result<RequestBuilder<'_>> {
        self.collection_delete("networks", "network id", network_id)
    }

    /// Sends [`NetworkClient::networks_delete_request`].
    pub async fn networks_delete(&self, network_id: &str) -> Result<Response> {
        self.networks_delete_request(network_id)?.send().await
    }
}

impl NetworkClient {
    /// `GET /subnets`, or `/subnets/<id>` for one, accepting 200.
    pub fn subnets_get_request(&self, subnet_id: Option<&str>) -> Result<RequestBuilder<'_>> {
        self.collection_get("subnets", "subnet id", subnet_id)
    }

    /// Sends [`NetworkClient::subnets_get_request`].
    pub async fn subnets_get(&self, subnet_id: Option<&str>) -> Result<Response> {
        self.subnets_get_request(subnet_id)?.send().await
    }

    /// `POST /subnets` with `json_data` (`{"subnet": {...}}`, or a list
    /// under `subnets` to create several), accepting 201.
    pub fn subnets_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        self.collection_post("subnets", json_data, &[201])
    }

    /// Sends [`NetworkClient::subnets_post_request`].
    pub async fn subnets_post(&self, json_data: &Value) -> Result<Response> {
        self.subnets_post_request(json_data)?.send().await
    }

    /// `PUT /subnets/<id>` with `json_data` (`{"subnet": {...}}`),
    /// accepting 200 (Synnefo changes the name only).
    pub fn subnets_put_request(
        &self,
        subnet_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        self.collection_put("subnets", "subnet id", subnet_id, json_data)
    }

    /// Sends [`NetworkClient::subnets_put_request`].
    pub async fn subnets_put(&self, subnet_id: &str, json_data: &Value) -> Result<Response> {
        self.subnets_put_request(subnet_id, json_data)?.send().await
    }

    /// `DELETE /subnets/<id>`, accepting 204 (Synnefo refuses: a subnet
    /// goes with its network).
    pub fn subnets_delete_request(&self, subnet_id: &str) -> Result<RequestBuilder<'_>> {
        self.collection_delete("subnets", "subnet id", subnet_id)
    }

    /// Sends [`NetworkClient::subnets_delete_request`].
    pub async fn subnets_delete(&self, subnet_id: &str) -> Result<Response> {
        self.subnets_delete_request(subnet_id)?.send().await
    }
}

impl NetworkClient {
    /// `GET /ports`, or `/ports/<id>` for one, accepting 200.
    pub fn ports_get_request(&self, port_id: Option<&str>) -> Result<RequestBuilder<'_>> {
        self.collection_get("ports", "port id", port_id)
    }

    /// Sends [`NetworkClient::ports_get_request`].
    pub async fn ports_get(&self, port_id: Option<&str>) -> Result<Response> {
        self.ports_get_request(port_id)?.send().await
    }

    /// `POST /ports` with `json_data` (`{"port": {...}}`, or a list under
    /// `ports` to create several), accepting 201.
    pub fn ports_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        self.collection_post("ports", json_data, &[201])
    }

    /// Sends [`NetworkClient::ports_post_request`].
    pub async fn ports_post(&self, json_data: &Value) -> Result<Response> {
        self.ports_post_request(json_data)?.send().await
    }

    /// `PUT /ports/<id>` with `json_data` (`{"port": {...}}`), accepting
    /// 200.
    pub fn ports_put_request(
        &self,
        port_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        self.collection_put("ports", "port id", port_id, json_data)
    }

    /// Sends [`NetworkClient::ports_put_request`].
    pub async fn ports_put(&self, port_id: &str, json_data: &Value) -> Result<Response> {
        self.ports_put_request(port_id, json_data)?.send().await
    }

    /// `DELETE /ports/<id>`, accepting 204.
    pub fn ports_delete_request(&self, port_id: &str) -> Result<RequestBuilder<'_>> {
        self.collection_delete("ports", "port id", port_id)
    }

    /// Sends [`NetworkClient::ports_delete_request`].
    pub async fn ports_delete(&self, port_id: &str) -> Result<Response> {
        self.ports_delete_request(port_id)?.send().await
    }
}

impl NetworkClient {
    /// `GET /floatingips`, or `/floatingips/<id>` for one, accepting 200.
    pub fn floatingips_get_request(
        &self,
        floatingip_id: Option<&str>,
    ) -> Result<RequestBuilder<'_>> {
        self.collection_get("floatingips", "floating IP id", floatingip_id)
    }

    /// Sends [`NetworkClient::floatingips_get_request`].
    pub async fn floatingips_get(&self, floatingip_id: Option<&str>) -> Result<Response> {
        self.floatingips_get_request(floatingip_id)?.send().await
    }

    /// `POST /floatingips` with `json_data` (`{"floatingip": {...}}`),
    /// accepting 200 (Synnefo's answer) and 201 (the guide's).
    pub fn floatingips_post_request(&self, json_data: &Value) -> Result<RequestBuilder<'_>> {
        self.collection_post("floatingips", json_data, &[200, 201])
    }

    /// Sends [`NetworkClient::floatingips_post_request`].
    pub async fn floatingips_post(&self, json_data: &Value) -> Result<Response> {
        self.floatingips_post_request(json_data)?.send().await
    }

    /// `PUT /floatingips/<id>` with `json_data` (`{"floatingip": {...}}`),
    /// accepting 200 (Synnefo implements no update: attach and detach
    /// with ports).
    pub fn floatingips_put_request(
        &self,
        floatingip_id: &str,
        json_data: &Value,
    ) -> Result<RequestBuilder<'_>> {
        self.collection_put("floatingips", "floating IP id", floatingip_id, json_data)
    }

    /// Sends [`NetworkClient::floatingips_put_request`].
    pub async fn floatingips_put(
        &self,
        floatingip_id: &str,
        json_data: &Value,
    ) -> Result<Response> {
        self.floatingips_put_request(floatingip_id, json_data)?
            .send()
            .await
    }

    /// `DELETE /floatingips/<id>`, accepting 204.
    pub fn floatingips_delete_request(&self, floatingip_id: &str) -> Result<RequestBuilder<'_>> {
        self.collection_delete("floatingips", "floating IP id", floatingip_id)
    }

    /// Sends [`NetworkClient::floatingips_delete_request`].
    pub async fn floatingips_delete(&self, floatingip_id: &str) -> Result<Response> {
        self.floatingips_delete_request(floatingip_id)?.send().await
    }
}
