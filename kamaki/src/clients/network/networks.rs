//! Networks.

use serde_json::{json, Map, Value};

use super::{Network, NetworkClient, NetworkSpec, UpdateNetworkOptions};
use crate::clients::compute::fields::unwrap;
use crate::clients::wait::{wait, WaitOptions};
use crate::clients::{ClientError, Result};

impl NetworkClient {
    /// The networks the user sees (`GET /networks`).
    pub async fn list_networks(&self) -> Result<Vec<Network>> {
        unwrap(&self.networks_get(None).await?, "networks")
    }

    /// Creates a network (`POST /networks`, 201). As kamaki, sends
    /// `admin_state_up` always (`false` unless told).
    pub async fn create_network(
        &self,
        name: &str,
        admin_state_up: Option<bool>,
        shared: Option<bool>,
    ) -> Result<Network> {
        let mut network = Map::new();
        network.insert("name".into(), Value::from(name));
        network.insert(
            "admin_state_up".into(),
            Value::from(admin_state_up.unwrap_or(false)),
        );
        if let Some(shared) = shared {
            network.insert("shared".into(), Value::from(shared));
        }
        let reply = self.networks_post(&json!({ "network": network })).await?;
        unwrap(&reply, "network")
    }

    /// Creates several networks at once, all or none (`POST /networks` with
    /// `{"networks": [...]}`, 201; Synnefo does not do bulk creation).
    pub async fn create_networks(&self, networks: &[NetworkSpec]) -> Result<Vec<Network>> {
        let mut items = Vec::with_capacity(networks.len());
        for spec in networks {
            if spec.name.is_empty() {
                return Err(ClientError::InvalidRequest(
                    "every network of create_networks needs a name".into(),
                ));
            }
            let mut network = Map::new();
            network.insert("name".into(), Value::from(spec.name.as_str()));
            network.insert(
                "admin_state_up".into(),
                Value::from(spec.admin_state_up.unwrap_or(false)),
            );
            if let Some(shared) = spec.shared {
                network.insert("shared".into(), Value::from(shared));
            }
            items.push(Value::Object(network));
        }
        let reply = self.networks_post(&json!({ "networks": items })).await?;
        unwrap(&reply, "networks")
    }

    /// The details of a network (`GET /networks/<id>`).
    pub async fn get_network_details(&self, network_id: &str) -> Result<Network> {
        unwrap(&self.networks_get(Some(network_id)).await?, "network")
    }

    /// Changes a network (`PUT /networks/<id>`) and returns it.
    pub async fn update_network(
        &self,
        network_id: &str,
        options: &UpdateNetworkOptions,
    ) -> Result<Network> {
        let mut network = Map::new();
        if let Some(name) = &options.name {
            network.insert("name".into(), Value::from(name.as_str()));
        }
        if let Some(up) = options.admin_state_up {
            network.insert("admin_state_up".into(), Value::from(up));
        }
        if let Some(shared) = options.shared {
            network.insert("shared".into(), Value::from(shared));
        }
        let reply = self
            .networks_put(network_id, &json!({ "network": network }))
            .await?;
        unwrap(&reply, "network")
    }

    /// Deletes a network (`DELETE /networks/<id>`, 204; 409 while ports or
    /// floating IPs use it).
    pub async fn delete_network(&self, network_id: &str) -> Result<()> {
        self.networks_delete(network_id).await?;
        Ok(())
    }

    /// Polls a network while its status is `current_status` (e.g. `BUILD`)
    /// and returns the last details seen (a timeout is no error).
    pub async fn wait_network_while(
        &self,
        network_id: &str,
        current_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Network),
    ) -> Result<Network> {
        wait(
            || self.get_network_details(network_id),
            |network| network.status != current_status,
            options,
            progress,
        )
        .await
    }

    /// Polls a network until its status is `target_status` (e.g. `ACTIVE`)
    /// and returns the last details seen, reached or not.
    pub async fn wait_network_until(
        &self,
        network_id: &str,
        target_status: &str,
        options: WaitOptions,
        progress: impl FnMut(&Network),
    ) -> Result<Network> {
        wait(
            || self.get_network_details(network_id),
            |network| network.status == target_status,
            options,
            progress,
        )
        .await
    }
}
