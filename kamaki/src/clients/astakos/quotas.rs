//! Resources and quotas: what the cloud offers, and how much of it each
//! user may use and uses in each project.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AstakosClient, Extra};
use crate::clients::Result;

/// A resource of the cloud, as `GET resources` describes it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ResourceInfo {
    /// The service that offers it, e.g. `cyclades_compute`.
    #[serde(default)]
    pub service: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// Its unit (`bytes`), if it has one.
    #[serde(default)]
    pub unit: Option<String>,
    /// Whether the web UI shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_visible: Option<bool>,
    /// Whether the API shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_visible: Option<bool>,
    /// Whether projects may grant it (older Astakos versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_in_projects: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user's quota of one resource in one project.
///
/// `usage` includes allocations still `pending`. The limit that really
/// binds is `min(limit, project_limit - (project_usage - usage))`:
/// see [`Quota::effective_limit`].
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Quota {
    /// The member's limit.
    #[serde(default)]
    pub limit: u64,
    /// The member's usage.
    #[serde(default)]
    pub usage: u64,
    /// The member's allocations in progress.
    #[serde(default)]
    pub pending: u64,
    /// The project's limit, for all members together.
    #[serde(default)]
    pub project_limit: u64,
    /// The project's usage by all members.
    #[serde(default)]
    pub project_usage: u64,
    /// The project's allocations in progress.
    #[serde(default)]
    pub project_pending: u64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Quota {
    /// What the member may use at most, given what the other members use:
    /// `min(limit, project_limit - taken_by_others)`.
    pub fn effective_limit(&self) -> u64 {
        let taken_by_others = self.project_usage.saturating_sub(self.usage);
        self.limit
            .min(self.project_limit.saturating_sub(taken_by_others))
    }

    /// How much more the member may allocate now.
    pub fn available(&self) -> u64 {
        self.effective_limit().saturating_sub(self.usage)
    }
}

/// A project's own quota of one resource.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ProjectQuota {
    /// The project's limit.
    #[serde(default)]
    pub project_limit: u64,
    /// The project's usage by all members.
    #[serde(default)]
    pub project_usage: u64,
    /// The project's allocations in progress.
    #[serde(default)]
    pub project_pending: u64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Quotas by project id, then by resource name.
pub type Quotas = BTreeMap<String, BTreeMap<String, Quota>>;

/// Quotas by user uuid, then project id, then resource name.
pub type UserQuotas = BTreeMap<String, Quotas>;

/// Project quotas by project id, then resource name.
pub type ProjectQuotas = BTreeMap<String, BTreeMap<String, ProjectQuota>>;

impl AstakosClient {
    /// The resources of the cloud by name (`GET resources`).
    pub async fn get_resources(&self) -> Result<BTreeMap<String, ResourceInfo>> {
        self.account_client()
            .await?
            .get("resources")
            .send_json()
            .await
    }

    /// The user's quotas in every project they are a member of, by project
    /// id (the user's own "system" project has the user's uuid) then
    /// resource (`GET quotas`).
    ///
    /// ```no_run
    /// # async fn f(astakos: kamaki::clients::astakos::AstakosClient) -> kamaki::clients::Result<()> {
    /// let uuid = astakos.user_info().await?.id;
    /// let quotas = astakos.get_quotas().await?;
    /// let vms = &quotas[&uuid]["cyclades.vm"];
    /// println!("using {}/{} VMs", vms.usage, vms.limit);
    /// # Ok(()) }
    /// ```
    pub async fn get_quotas(&self) -> Result<Quotas> {
        self.account_client().await?.get("quotas").send_json().await
    }

    /// Quotas of the service's resources for every user, or for `users`,
    /// in every project, or in `projects` (`GET service_quotas`; a service
    /// token is needed). Empty slices mean no filter.
    pub async fn service_get_quotas(
        &self,
        users: &[&str],
        projects: &[&str],
    ) -> Result<UserQuotas> {
        self.account_client()
            .await?
            .get("service_quotas")
            .query_opt("user", (!users.is_empty()).then(|| users.join(",")))
            .query_opt(
                "project",
                (!projects.is_empty()).then(|| projects.join(",")),
            )
            .send_json()
            .await
    }

    /// Quotas of the service's resources for every project, or for
    /// `projects` (`GET service_project_quotas`; a service token is
    /// needed). An empty slice means no filter.
    pub async fn service_get_project_quotas(&self, projects: &[&str]) -> Result<ProjectQuotas> {
        self.account_client()
            .await?
            .get("service_project_quotas")
            .query_opt(
                "project",
                (!projects.is_empty()).then(|| projects.join(",")),
            )
            .send_json()
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_limit_counts_other_members() {
        let q = Quota {
            limit: 5,
            usage: 1,
            project_limit: 6,
            project_usage: 4,
            ..Quota::default()
        };
        assert_eq!(q.effective_limit(), 3);
        assert_eq!(q.available(), 2);
        let odd = Quota {
            usage: 9,
            limit: 1,
            ..Quota::default()
        };
        assert_eq!(odd.available(), 0);
    }

    #[test]
    fn quotas_keep_unknown_fields() {
        let q: Quota = serde_json::from_str(r#"{"limit": 1, "usage": 0, "burst": 3}"#).unwrap();
        assert_eq!(q.limit, 1);
        assert_eq!(q.extra["burst"], 3);
    }
}
