//! `CycladesNetworkClient`: the network client with Cyclades' extensions.

use serde_json::{json, Map, Value};

use super::{extends, CreateNetworkOptions, NetworkType};
use crate::clients::compute::fields::{segment, unwrap};
use crate::clients::network::{
    FixedIp, FloatingIp, FloatingIpOptions, Network, NetworkClient, Port, PortOptions,
};
use crate::clients::{ClientError, Result};

/// Client of Cyclades networking: every [`NetworkClient`] method (through
/// `Deref`), Cyclades' versions of `list_networks`, `create_network`,
/// `list_ports`, `create_port` and `create_floatingip`, and its extensions.
#[derive(Clone, Debug)]
pub struct CycladesNetworkClient {
    network: NetworkClient,
}

extends!(CycladesNetworkClient, network, NetworkClient, as_network);

impl CycladesNetworkClient {
    /// The kinds of network [`Self::create_network`] makes.
    pub const NETWORK_TYPES: &'static [NetworkType] = NetworkType::ALL;

    /// The networks the user sees (`GET /networks`, or `/networks/detail`).
    pub async fn list_networks(&self, detail: bool) -> Result<Vec<Network>> {
        let path = if detail {
            "networks/detail"
        } else {
            "networks"
        };
        unwrap(&self.get(path).send().await?, "networks")
    }

    /// Creates a private network of a type (`POST /networks`, 201), charged
    /// to a project if given.
    pub async fn create_network(
        &self,
        network_type: NetworkType,
        options: &CreateNetworkOptions,
    ) -> Result<Network> {
        let mut network = Map::new();
        network.insert("type".into(), Value::from(network_type.as_str()));
        network.insert("admin_state_up".into(), Value::from(true));
        if let Some(name) = &options.name {
            network.insert("name".into(), Value::from(name.as_str()));
        }
        if let Some(shared) = options.shared {
            network.insert("shared".into(), Value::from(shared));
        }
        if let Some(project) = &options.project_id {
            network.insert("project".into(), Value::from(project.as_str()));
        }
        let reply = self.networks_post(&json!({ "network": network })).await?;
        unwrap(&reply, "network")
    }

    /// Charges a network to another project (`POST /networks/<id>/action`,
    /// 200).
    pub async fn reassign_network(&self, network_id: &str, project_id: &str) -> Result<()> {
        let path = format!("networks/{}/action", segment("network id", network_id)?);
        self.post(&path)
            .json(&json!({"reassign": {"project": project_id}}))
            .send()
            .await?;
        Ok(())
    }

    /// The ports of the user (`GET /ports`, or `/ports/detail`).
    pub async fn list_ports(&self, detail: bool) -> Result<Vec<Port>> {
        let path = if detail { "ports/detail" } else { "ports" };
        unwrap(&self.get(path).send().await?, "ports")
    }

    /// Connects a server (`options.device_id`) to a network with a new port
    /// (`POST /ports`, 201). Each fixed IP must name its address: on a
    /// public network, a floating IP the user reserved there.
    pub async fn create_port(&self, network_id: &str, options: &PortOptions) -> Result<Port> {
        if let Some(bad) = options.fixed_ips.iter().find(|ip| ip.ip_address.is_none()) {
            return Err(ClientError::InvalidRequest(format!(
                "invalid fixed IP {bad:?}: Cyclades needs its ip_address"
            )));
        }
        self.network.create_port(network_id, options).await
    }

    /// Reserves a floating IP (`POST /floatingips`, 200), from a given
    /// network or, with `None`, from any public network with free
    /// addresses.
    pub async fn create_floatingip(
        &self,
        floating_network_id: Option<&str>,
        options: &FloatingIpOptions,
    ) -> Result<FloatingIp> {
        self.network
            .post_floatingip(floating_network_id, options)
            .await
    }

    /// Charges a floating IP to another project (`POST
    /// /floatingips/<id>/action`, 200).
    pub async fn reassign_floating_ip(&self, floatingip_id: &str, project_id: &str) -> Result<()> {
        let path = format!(
            "floatingips/{}/action",
            segment("floating IP id", floatingip_id)?
        );
        self.post(&path)
            .json(&json!({"reassign": {"project": project_id}}))
            .send()
            .await?;
        Ok(())
    }

    /// The floating IP with this address or id, among the user's.
    pub async fn find_floatingip(&self, ip_or_id: &str) -> Result<FloatingIp> {
        self.list_floatingips()
            .await?
            .into_iter()
            .find(|ip| ip.floating_ip_address == ip_or_id || ip.id == ip_or_id)
            .ok_or_else(|| {
                ClientError::NotFound(format!(
                    "{ip_or_id} is none of the floating IPs reserved by the user"
                ))
            })
    }

    /// Attaches a floating IP (given by address or id) to a server, as
    /// `kamaki ip attach` does: creates a port on the IP's network for the
    /// server, with the IP as its fixed IP. Returns the port (in `BUILD`
    /// until the server has it).
    pub async fn attach_floating_ip(&self, server_id: &str, ip_or_id: &str) -> Result<Port> {
        let ip = self.find_floatingip(ip_or_id).await?;
        let options = PortOptions {
            device_id: Some(server_id.to_string()),
            fixed_ips: vec![FixedIp::address(ip.floating_ip_address)],
            ..PortOptions::default()
        };
        self.create_port(&ip.floating_network_id, &options).await
    }

    /// Detaches a floating IP (given by address or id) from its server, as
    /// `kamaki ip detach` does: deletes the port it is attached through,
    /// and returns that port's id. The IP stays reserved.
    pub async fn detach_floating_ip(&self, ip_or_id: &str) -> Result<String> {
        let ip = self.find_floatingip(ip_or_id).await?;
        let port_id = ip.port_id.ok_or_else(|| {
            ClientError::InvalidRequest(format!("the floating IP {ip_or_id} is not attached"))
        })?;
        self.delete_port(&port_id).await?;
        Ok(port_id)
    }
}
