//! The OpenStack compute extensions for floating IPs (`/os-floating-ips`,
//! `/os-floating-ip-pools`) and `/limits`.
//!
//! Python kamaki's wrappers of these pass a tenant id where the request
//! expects other things and never work; these send what the API guide
//! describes and take no tenant id. The network API
//! ([`NetworkClient`](crate::clients::network::NetworkClient)) is the
//! complete way to handle floating IPs.

use serde_json::json;

use super::fields::unwrap;
use super::{ComputeClient, ComputeFloatingIp, FloatingIpPool, Limits};
use crate::clients::Result;

impl ComputeClient {
    /// The pools floating IPs can be reserved from (`GET
    /// /os-floating-ip-pools`).
    pub async fn get_floating_ip_pools(&self) -> Result<Vec<FloatingIpPool>> {
        unwrap(&self.floating_ip_pools_get().await?, "floating_ip_pools")
    }

    /// The floating IPs of the user (`GET /os-floating-ips`).
    pub async fn get_floating_ips(&self) -> Result<Vec<ComputeFloatingIp>> {
        unwrap(&self.floating_ips_get(None).await?, "floating_ips")
    }

    /// Reserves a floating IP, from a pool if given (`POST /os-floating-ips`).
    pub async fn alloc_floating_ip(&self, pool: Option<&str>) -> Result<ComputeFloatingIp> {
        let body = match pool {
            Some(pool) => json!({"pool": pool}),
            None => json!({}),
        };
        unwrap(&self.floating_ips_post(&body).await?, "floating_ip")
    }

    /// A floating IP (`GET /os-floating-ips/<id>`). The guide says the
    /// reply is `{"floating_ip": ...}`; Synnefo's code answers with the
    /// network API's `{"floatingip": ...}`: both are read.
    pub async fn get_floating_ip(&self, floating_ip_id: &str) -> Result<ComputeFloatingIp> {
        let reply = self.floating_ips_get(Some(floating_ip_id)).await?;
        unwrap(&reply, "floating_ip").or_else(|_| unwrap(&reply, "floatingip"))
    }

    /// Releases a floating IP (`DELETE /os-floating-ips/<id>`; 202 in the
    /// guide, 204 from Synnefo's code: both accepted).
    pub async fn delete_floating_ip(&self, floating_ip_id: &str) -> Result<()> {
        self.floating_ips_delete(floating_ip_id).await?;
        Ok(())
    }

    /// The user's limits (`GET /limits`; Synnefo does not implement it).
    /// Unlike the rest of the REST layer's calls, kamaki's `limits_get`
    /// returns the limits, typed; its raw form is
    /// [`Self::limits_get_request`].
    pub async fn limits_get(&self) -> Result<Limits> {
        unwrap(&self.limits_get_request()?.send().await?, "limits")
    }
}
