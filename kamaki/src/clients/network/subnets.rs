//! Subnets.

use serde_json::{json, Value};

use super::{CreateSubnetOptions, NetworkClient, Subnet, SubnetSpec, UpdateSubnetOptions};
use crate::clients::compute::fields::unwrap;
use crate::clients::{ClientError, Result};

impl NetworkClient {
    /// The subnets of the networks the user sees (`GET /subnets`).
    pub async fn list_subnets(&self) -> Result<Vec<Subnet>> {
        unwrap(&self.subnets_get(None).await?, "subnets")
    }

    /// Creates a subnet on a network (`POST /subnets`, 201).
    pub async fn create_subnet(
        &self,
        network_id: &str,
        cidr: &str,
        options: &CreateSubnetOptions,
    ) -> Result<Subnet> {
        let subnet = json!({"subnet": options.body(network_id, cidr)});
        unwrap(&self.subnets_post(&subnet).await?, "subnet")
    }

    /// Creates several subnets at once, all or none (`POST /subnets` with
    /// `{"subnets": [...]}`, 201; Synnefo does not do bulk creation).
    pub async fn create_subnets(&self, subnets: &[SubnetSpec]) -> Result<Vec<Subnet>> {
        let mut items = Vec::with_capacity(subnets.len());
        for spec in subnets {
            if spec.network_id.is_empty() || spec.cidr.is_empty() {
                return Err(ClientError::InvalidRequest(
                    "every subnet of create_subnets needs a network_id and a cidr".into(),
                ));
            }
            items.push(Value::Object(
                spec.options.body(&spec.network_id, &spec.cidr),
            ));
        }
        let reply = self.subnets_post(&json!({ "subnets": items })).await?;
        unwrap(&reply, "subnets")
    }

    /// The details of a subnet (`GET /subnets/<id>`; Python kamaki returns
    /// the reply still wrapped in `{"subnet": ...}`, this the subnet).
    pub async fn get_subnet_details(&self, subnet_id: &str) -> Result<Subnet> {
        unwrap(&self.subnets_get(Some(subnet_id)).await?, "subnet")
    }

    /// Changes a subnet (`PUT /subnets/<id>`) and returns it.
    pub async fn update_subnet(
        &self,
        subnet_id: &str,
        options: &UpdateSubnetOptions,
    ) -> Result<Subnet> {
        let subnet = json!({"subnet": options.body()});
        unwrap(&self.subnets_put(subnet_id, &subnet).await?, "subnet")
    }

    /// Deletes a subnet (`DELETE /subnets/<id>`, 204; Synnefo refuses: a
    /// subnet goes with its network).
    pub async fn delete_subnet(&self, subnet_id: &str) -> Result<()> {
        self.subnets_delete(subnet_id).await?;
        Ok(())
    }
}
