//! Ports: connections of servers to networks.

use serde_json::{json, Value};

use super::{NetworkClient, Port, PortOptions, PortSpec};
use crate::clients::compute::fields::unwrap;
use crate::clients::wait::{wait, WaitOptions};
use crate::clients::{ClientError, Result};

impl NetworkClient {
    /// The ports of the user (`GET /ports`).
    pub async fn list_ports(&self) -> Result<Vec<Port>> {
        unwrap(&self.ports_get(None).await?, "ports")
    }

    /// Creates a port on a network (`POST /ports`, 201), connecting
    /// `options.device_id` if given.
    pub async fn create_port(&self, network_id: &str, options: &PortOptions) -> Result<Port> {
        let port = json!({"port": options.body(network_id)});
        unwrap(&self.ports_post(&port).await?, "port")
    }

    /// Creates several ports at once, all or none (`POST /ports` with
    /// `{"ports": [...]}`, 201; Synnefo does not do bulk creation).
    pub async fn create_ports(&self, ports: &[PortSpec]) -> Result<Vec<Port>> {
        let mut items = Vec::with_capacity(ports.len());
        for spec in ports {
            if spec.network_id.is_empty() {
                return Err(ClientError::InvalidRequest(
                    "every port of create_ports needs a network_id".into(),
                ));
            }
            items.push(Value::Object(spec.options.body(&spec.network_id)));
        }
        let reply = self.ports_post(&json!({ "ports": items })).await?;
        unwrap(&reply, "ports")
    }

    /// The details of a port (`GET /ports/<id>`).
    pub async fn get_port_details(&self, port_id: &str) -> Result<Port> {
        unwrap(&self.ports_get(Some(port_id)).await?, "port")
    }

    /// Changes a port (`PUT /ports/<id>` with its `network_id`, as kamaki)
    /// and returns it.
    pub async fn update_port(
        &self,
        port_id: &str,
        network_id: &str,
        options: &PortOptions,
    ) -> Result<Port> {
        let port = json!({"port": options.body(network_id)});
        unwrap(&self.ports_put(port_id, &port).await?, "port")
    }

    /// Deletes a port (`DELETE /ports/<id>`, 204), disconnecting its device.
    pub async fn delete_port(&self, port_id: &str) -> Result<()> {
        self.ports_delete(port_id).await?;
        Ok(())
    }

    /// A port's status (kamaki's deprecated `get_port_status`; ports report
    /// no progress).
    pub async fn get_port_status(&self, port_id: &str) -> Result<(String, Option<u32>)> {
        Ok((self.get_port_details(port_id).await?.status, None))
    }

    /// Polls a port while its status is `current_status` (e.g. `BUILD`) and
    /// returns the last details seen (a timeout is no error).
    pub async fn wait_port_while(
        &self,
        port_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Port),
    ) -> Result<Port> {
        wait(
            || self.get_port_details(port_id),
            |port| port.status != current_status,
            options,
            progress,
        )
        .await
    }

    /// Polls a port until its status is `target_status` (e.g. `ACTIVE`) and
    /// returns the last details seen, reached or not.
    pub async fn wait_port_until(
        &self,
        port_id: &str,
        target_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Port),
    ) -> Result<Port> {
        wait(
            || self.get_port_details(port_id),
            |port| port.status == target_status,
            options,
            progress,
        )
        .await
    }

    /// kamaki's `wait_port`: the same as [`Self::wait_port_while`].
    pub async fn wait_port(
        &self,
        port_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Port),
    ) -> Result<Port> {
        self.wait_port_while(port_id, current_status, options, progress)
            .await
    }
}
