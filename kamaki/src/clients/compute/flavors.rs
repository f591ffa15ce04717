//! Flavors: the hardware configurations servers are made with.

use super::fields::unwrap;
use super::{ComputeClient, Flavor, ListFlavorsOptions};
use crate::clients::Result;

impl ComputeClient {
    /// Lists the flavors the user may use (`GET /flavors`, or
    /// `/flavors/detail` for RAM, disk, CPUs...). Synnefo's filters go as
    /// `SNF:is_public` and `SNF:flavor-access`; `is_public: Some(false)` is
    /// sent too (Python kamaki drops it).
    pub async fn list_flavors(
        &self,
        detail: bool,
        options: &ListFlavorsOptions,
    ) -> Result<Vec<Flavor>> {
        unwrap(&self.flavors_get(None, detail, options).await?, "flavors")
    }

    /// The details of a flavor (`GET /flavors/<id>`).
    pub async fn get_flavor_details(&self, flavor_id: &str) -> Result<Flavor> {
        let reply = self
            .flavors_get(Some(flavor_id), false, &ListFlavorsOptions::default())
            .await?;
        unwrap(&reply, "flavor")
    }
}
