//! Flavors: the hardware configurations servers are made with.

use super::fields::{segment, unwrap};
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
        let path = if detail { "flavors/detail" } else { "flavors" };
        let reply = self
            .get(path)
            .query_opt("changes-since", options.changes_since.as_deref())
            .query_opt("minDisk", options.min_disk)
            .query_opt("minRam", options.min_ram)
            .query_opt("marker", options.marker.as_deref())
            .query_opt("limit", options.limit)
            .query_opt("SNF:flavor-access", options.project_id.as_deref())
            .query_opt("SNF:is_public", options.is_public)
            .send()
            .await?;
        unwrap(&reply, "flavors")
    }

    /// The details of a flavor (`GET /flavors/<id>`).
    pub async fn get_flavor_details(&self, flavor_id: &str) -> Result<Flavor> {
        let path = format!("flavors/{}", segment("flavor id", flavor_id)?);
        unwrap(&self.get(&path).send().await?, "flavor")
    }
}
