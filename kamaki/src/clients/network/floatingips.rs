//! Floating IPs.

use serde_json::json;

use super::{FloatingIp, FloatingIpOptions, NetworkClient, UpdateFloatingIpOptions};
use crate::clients::compute::fields::unwrap;
use crate::clients::wait::{wait, WaitOptions};
use crate::clients::Result;

impl NetworkClient {
    /// The floating IPs of the user (`GET /floatingips`).
    pub async fn list_floatingips(&self) -> Result<Vec<FloatingIp>> {
        unwrap(&self.floatingips_get(None).await?, "floatingips")
    }

    /// The details of a floating IP (`GET /floatingips/<id>`).
    pub async fn get_floatingip_details(&self, floatingip_id: &str) -> Result<FloatingIp> {
        let reply = self.floatingips_get(Some(floatingip_id)).await?;
        unwrap(&reply, "floatingip")
    }

    /// Reserves a floating IP from a network's pool (`POST /floatingips`;
    /// Synnefo answers 200, the guide says 201: both accepted).
    pub async fn create_floatingip(
        &self,
        floating_network_id: &str,
        options: &FloatingIpOptions,
    ) -> Result<FloatingIp> {
        self.post_floatingip(Some(floating_network_id), options)
            .await
    }

    pub(crate) async fn post_floatingip(
        &self,
        floating_network_id: Option<&str>,
        options: &FloatingIpOptions,
    ) -> Result<FloatingIp> {
        let floatingip = json!({"floatingip": options.body(floating_network_id)});
        unwrap(&self.floatingips_post(&floatingip).await?, "floatingip")
    }

    /// Changes a floating IP (`PUT /floatingips/<id>`; Synnefo does not
    /// implement it: attach and detach with ports).
    pub async fn update_floatingip(
        &self,
        floatingip_id: &str,
        options: &UpdateFloatingIpOptions,
    ) -> Result<FloatingIp> {
        let floatingip = json!({"floatingip": options.body()});
        let reply = self.floatingips_put(floatingip_id, &floatingip).await?;
        unwrap(&reply, "floatingip")
    }

    /// Releases a floating IP (`DELETE /floatingips/<id>`, 204); it must be
    /// detached first.
    pub async fn delete_floatingip(&self, floatingip_id: &str) -> Result<()> {
        self.floatingips_delete(floatingip_id).await?;
        Ok(())
    }

    /// Polls a floating IP until `stop` accepts its details (floating IPs
    /// have no status: wait e.g. for `port_id` to be set or cleared) and
    /// returns the last details seen (a timeout is no error).
    pub async fn wait_floatingip(
        &self,
        floatingip_id: &str,
        stop: impl Fn(&FloatingIp) -> bool,
        options: WaitOptions,
        progress: impl FnMut(&FloatingIp),
    ) -> Result<FloatingIp> {
        wait(
            || self.get_floatingip_details(floatingip_id),
            stop,
            options,
            progress,
        )
        .await
    }
}
