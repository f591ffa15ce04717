//! Projects: listing and reading them, applying for new ones or for
//! changes, and the actions on projects and their applications.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{AstakosClient, Extra};
use crate::clients::{ClientError, Result};

/// How much of a resource a project grants: to each member and in all.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct ResourcePolicy {
    /// The limit of each member.
    #[serde(default)]
    pub member_capacity: u64,
    /// The limit of all members together.
    #[serde(default)]
    pub project_capacity: u64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ResourcePolicy {
    /// A policy of `member` per member and `project` in all.
    pub fn new(member: u64, project: u64) -> Self {
        ResourcePolicy {
            member_capacity: member,
            project_capacity: project,
            extra: Extra::new(),
        }
    }
}

/// A project as Astakos describes it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Project {
    /// Its id (a uuid; a system project has its user's uuid).
    #[serde(default)]
    pub id: String,
    /// `uninitialized`, `active`, `suspended`, `terminated` or `deleted`.
    #[serde(default)]
    pub state: String,
    /// When it was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    /// Its name (a domain-like name, or `system:<uuid>`).
    #[serde(default)]
    pub name: String,
    /// The uuid of its owner (`None` for system projects).
    #[serde(default)]
    pub owner: Option<String>,
    /// Its home page.
    #[serde(default)]
    pub homepage: Option<String>,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// When it ends (ISO 8601).
    #[serde(default)]
    pub end_date: Option<String>,
    /// `auto`, `moderated` or `closed`.
    #[serde(default)]
    pub join_policy: Option<String>,
    /// `auto`, `moderated` or `closed`.
    #[serde(default)]
    pub leave_policy: Option<String>,
    /// The most members it may have.
    #[serde(default)]
    pub max_members: Option<u64>,
    /// Whether only members see it.
    #[serde(default)]
    pub private: Option<bool>,
    /// Whether it is a user's personal project.
    #[serde(default)]
    pub system_project: Option<bool>,
    /// What it grants, by resource.
    #[serde(default)]
    pub resources: BTreeMap<String, ResourcePolicy>,
    /// Its latest application (shown to its owner and to admins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_application: Option<ProjectApplication>,
    /// When it was last suspended or terminated, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivation_date: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An application for a project or for a change of one. Fields it does
/// not change are `None`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ProjectApplication {
    /// Its id.
    #[serde(default)]
    pub id: u64,
    /// `pending`, `approved`, `replaced`, `denied`, `dismissed` or
    /// `cancelled`.
    #[serde(default)]
    pub state: String,
    /// The uuid of who applied.
    #[serde(default)]
    pub applicant: String,
    /// The name asked for.
    #[serde(default)]
    pub name: Option<String>,
    /// The owner asked for.
    #[serde(default)]
    pub owner: Option<String>,
    /// The home page asked for.
    #[serde(default)]
    pub homepage: Option<String>,
    /// The description asked for.
    #[serde(default)]
    pub description: Option<String>,
    /// When the project should start.
    #[serde(default)]
    pub start_date: Option<String>,
    /// When the project should end.
    #[serde(default)]
    pub end_date: Option<String>,
    /// The applicant's comments to the admins.
    #[serde(default)]
    pub comments: Option<String>,
    /// The join policy asked for.
    #[serde(default)]
    pub join_policy: Option<String>,
    /// The leave policy asked for.
    #[serde(default)]
    pub leave_policy: Option<String>,
    /// The member limit asked for.
    #[serde(default)]
    pub max_members: Option<u64>,
    /// Privacy asked for.
    #[serde(default)]
    pub private: Option<bool>,
    /// Resources asked for.
    #[serde(default)]
    pub resources: BTreeMap<String, ResourcePolicy>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// How members join or leave a project.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MemberPolicy {
    /// At once.
    Auto,
    /// When the owner accepts.
    Moderated,
    /// Never.
    Closed,
}

/// What to ask for in an application ([`AstakosClient::create_project`],
/// [`AstakosClient::modify_project`]); fields left `None` are not sent (a
/// modification leaves them as they are).
///
/// ```
/// use kamaki::clients::astakos::{MemberPolicy, ProjectSpec, ResourcePolicy};
/// let spec = ProjectSpec::new("course.example.org", "2030-06-30T00:00:00Z")
///     .description("Students of the course")
///     .join_policy(MemberPolicy::Moderated)
///     .resource("cyclades.vm", ResourcePolicy::new(2, 40));
/// assert_eq!(spec.resources.unwrap()["cyclades.vm"].project_capacity, 40);
/// ```
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ProjectSpec {
    /// The project's name; Astakos wants a domain-like name
    /// (`course.example.org`). Required for a new project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The owner's uuid (default: who applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// A home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// What the project is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Comments to the admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    /// When it starts (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// When it ends (ISO 8601); required for a new project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// How members join (default `moderated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_policy: Option<MemberPolicy>,
    /// How members leave (default `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_policy: Option<MemberPolicy>,
    /// The most members it may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_members: Option<u64>,
    /// Whether only members see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// What it grants, by resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<BTreeMap<String, ResourcePolicy>>,
    /// Other fields to send as they are.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ProjectSpec {
    /// A new project's spec: its name and end date, the two Astakos needs.
    pub fn new(name: &str, end_date: &str) -> Self {
        ProjectSpec {
            name: Some(name.to_string()),
            end_date: Some(end_date.to_string()),
            ..ProjectSpec::default()
        }
    }

    /// Sets the name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Sets the owner.
    pub fn owner(mut self, uuid: &str) -> Self {
        self.owner = Some(uuid.to_string());
        self
    }

    /// Sets the home page.
    pub fn homepage(mut self, url: &str) -> Self {
        self.homepage = Some(url.to_string());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> Self {
        self.description = Some(text.to_string());
        self
    }

    /// Sets comments to the admins.
    pub fn comments(mut self, text: &str) -> Self {
        self.comments = Some(text.to_string());
        self
    }

    /// Sets the start date.
    pub fn start_date(mut self, date: &str) -> Self {
        self.start_date = Some(date.to_string());
        self
    }

    /// Sets the end date.
    pub fn end_date(mut self, date: &str) -> Self {
        self.end_date = Some(date.to_string());
        self
    }

    /// Sets the join policy.
    pub fn join_policy(mut self, policy: MemberPolicy) -> Self {
        self.join_policy = Some(policy);
        self
    }

    /// Sets the leave policy.
    pub fn leave_policy(mut self, policy: MemberPolicy) -> Self {
        self.leave_policy = Some(policy);
        self
    }

    /// Sets the member limit.
    pub fn max_members(mut self, max: u64) -> Self {
        self.max_members = Some(max);
        self
    }

    /// Sets privacy.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Adds a resource grant.
    pub fn resource(mut self, name: &str, policy: ResourcePolicy) -> Self {
        self.resources
            .get_or_insert_with(BTreeMap::new)
            .insert(name.to_string(), policy);
        self
    }
}

/// What an application answers: the project and the application ids.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ProjectIds {
    /// The project's id.
    #[serde(default)]
    pub id: String,
    /// The application's id.
    #[serde(default)]
    pub application: u64,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Filters of [`AstakosClient::get_projects`]; the default asks for every
/// project the user owns or is a member of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Only projects of this name.
    pub name: Option<String>,
    /// Only projects in this state (`active`, `suspended`...).
    pub state: Option<String>,
    /// Only projects of this owner (uuid).
    pub owner: Option<String>,
    /// `member`: only active projects the user is an active member of;
    /// `active`: active public projects; `default`/`related`: owned or
    /// member of.
    pub mode: Option<String>,
}

impl ProjectFilter {
    /// No filter.
    pub fn new() -> Self {
        ProjectFilter::default()
    }

    /// Only projects of this name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Only projects in this state.
    pub fn state(mut self, state: &str) -> Self {
        self.state = Some(state.to_string());
        self
    }

    /// Only projects of this owner.
    pub fn owner(mut self, uuid: &str) -> Self {
        self.owner = Some(uuid.to_string());
        self
    }

    /// Listing mode (`member`, `active`, `default`).
    pub fn mode(mut self, mode: &str) -> Self {
        self.mode = Some(mode.to_string());
        self
    }
}

/// The actions on a project ([`AstakosClient::project_action`]).
pub const PROJECT_ACTIONS: [&str; 4] = ["suspend", "unsuspend", "terminate", "reinstate"];

/// The actions on an application ([`AstakosClient::application_action`]).
pub const APPLICATION_ACTIONS: [&str; 4] = ["approve", "deny", "dismiss", "cancel"];

fn check_action(action: &str, allowed: &[&str], what: &str) -> Result<()> {
    if allowed.contains(&action) {
        Ok(())
    } else {
        Err(ClientError::InvalidRequest(format!(
            "unknown {what} action {action:?}: expected one of {}",
            allowed.join(", ")
        )))
    }
}

impl AstakosClient {
    /// The projects the user may see, filtered (`GET projects`).
    ///
    /// ```no_run
    /// # async fn f(astakos: kamaki::clients::astakos::AstakosClient) -> kamaki::clients::Result<()> {
    /// use kamaki::clients::astakos::ProjectFilter;
    /// for project in astakos.get_projects(&ProjectFilter::new()).await? {
    ///     println!("{} ({}): {}", project.name, project.id, project.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_projects(&self, filter: &ProjectFilter) -> Result<Vec<Project>> {
        self.account_client()
            .await?
            .get("projects")
            .query_opt("name", filter.name.as_deref())
            .query_opt("state", filter.state.as_deref())
            .query_opt("owner", filter.owner.as_deref())
            .query_opt("mode", filter.mode.as_deref())
            .send_json()
            .await
    }

    /// One project (`GET projects/<id>`).
    pub async fn get_project(&self, project_id: &str) -> Result<Project> {
        self.account_client()
            .await?
            .get(&format!("projects/{project_id}"))
            .send_json()
            .await
    }

    /// Applies for a new project (`POST projects`); it exists, uninitialized,
    /// until an admin approves the application.
    pub async fn create_project(&self, specs: &ProjectSpec) -> Result<ProjectIds> {
        self.account_client()
            .await?
            .post("projects")
            .json(specs)
            .success(&[201])
            .send_json()
            .await
    }

    /// Applies for a change of a project (`PUT projects/<id>`); only the
    /// fields set in `specs` change, once an admin approves.
    pub async fn modify_project(
        &self,
        project_id: &str,
        specs: &ProjectSpec,
    ) -> Result<ProjectIds> {
        self.account_client()
            .await?
            .put(&format!("projects/{project_id}"))
            .json(specs)
            .success(&[201])
            .send_json()
            .await
    }

    async fn post_project_action(&self, project_id: &str, body: serde_json::Value) -> Result<()> {
        self.account_client()
            .await?
            .post(&format!("projects/{project_id}/action"))
            .json(&body)
            .success(&[200, 202, 204])
            .send()
            .await?;
        Ok(())
    }

    /// Acts on a project: `suspend`, `unsuspend`, `terminate` or
    /// `reinstate` (`POST projects/<id>/action`; project admins only).
    pub async fn project_action(&self, project_id: &str, action: &str, reason: &str) -> Result<()> {
        check_action(action, &PROJECT_ACTIONS, "project")?;
        self.post_project_action(project_id, json!({action: {"reason": reason}}))
            .await
    }

    /// Suspends a project: its members' quotas drop to nothing.
    pub async fn suspend_project(&self, project_id: &str, reason: &str) -> Result<()> {
        self.project_action(project_id, "suspend", reason).await
    }

    /// Resumes a suspended project.
    pub async fn unsuspend_project(&self, project_id: &str, reason: &str) -> Result<()> {
        self.project_action(project_id, "unsuspend", reason).await
    }

    /// Terminates a project.
    pub async fn terminate_project(&self, project_id: &str, reason: &str) -> Result<()> {
        self.project_action(project_id, "terminate", reason).await
    }

    /// Brings a terminated project back.
    pub async fn reinstate_project(&self, project_id: &str, reason: &str) -> Result<()> {
        self.project_action(project_id, "reinstate", reason).await
    }

    /// Acts on the project's last application: `approve`, `deny` (project
    /// admins), `dismiss` (a denied one) or `cancel` (a pending one; the
    /// applicant) (`POST projects/<id>/action`).
    ///
    /// The reason is sent as `reason`, the key Astakos reads (the Python
    /// client sends `reasons`, which Astakos ignores).
    pub async fn application_action(
        &self,
        project_id: &str,
        app_id: u64,
        action: &str,
        reason: &str,
    ) -> Result<()> {
        check_action(action, &APPLICATION_ACTIONS, "application")?;
        self.post_project_action(
            project_id,
            json!({action: {"reason": reason, "app_id": app_id}}),
        )
        .await
    }

    /// Approves an application: the project is created or changed.
    pub async fn approve_application(
        &self,
        project_id: &str,
        app_id: u64,
        reason: &str,
    ) -> Result<()> {
        self.application_action(project_id, app_id, "approve", reason)
            .await
    }

    /// Denies an application.
    pub async fn deny_application(
        &self,
        project_id: &str,
        app_id: u64,
        reason: &str,
    ) -> Result<()> {
        self.application_action(project_id, app_id, "deny", reason)
            .await
    }

    /// Dismisses a denied application.
    pub async fn dismiss_application(
        &self,
        project_id: &str,
        app_id: u64,
        reason: &str,
    ) -> Result<()> {
        self.application_action(project_id, app_id, "dismiss", reason)
            .await
    }

    /// Withdraws a pending application.
    pub async fn cancel_application(
        &self,
        project_id: &str,
        app_id: u64,
        reason: &str,
    ) -> Result<()> {
        self.application_action(project_id, app_id, "cancel", reason)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_send_only_what_is_set() {
        let spec = ProjectSpec::default().max_members(3);
        assert_eq!(
            serde_json::to_value(&spec).unwrap(),
            json!({"max_members": 3})
        );
        let spec = ProjectSpec::new("a.example.org", "2030-01-01")
            .join_policy(MemberPolicy::Auto)
            .resource("cyclades.vm", ResourcePolicy::new(1, 2));
        assert_eq!(
            serde_json::to_value(&spec).unwrap(),
            json!({
                "name": "a.example.org",
                "end_date": "2030-01-01",
                "join_policy": "auto",
                "resources": {"cyclades.vm": {"member_capacity": 1, "project_capacity": 2}},
            })
        );
    }

    #[test]
    fn projects_parse_with_nulls_and_unknown_fields() {
        let p: Project = serde_json::from_value(json!({
            "id": "x", "state": "active", "name": "system:x", "owner": null,
            "homepage": "", "description": "d", "end_date": "2100-01-01T00:00:00+00:00",
            "join_policy": "closed", "leave_policy": "closed", "max_members": 1,
            "private": true, "system_project": true,
            "resources": {"cyclades.vm": {"member_capacity": 1, "project_capacity": 1}},
            "new_field": [1],
        }))
        .unwrap();
        assert_eq!(p.owner, None);
        assert_eq!(p.resources["cyclades.vm"].member_capacity, 1);
        assert_eq!(p.extra["new_field"], json!([1]));
    }

    #[test]
    fn unknown_actions_are_refused_before_sending() {
        assert!(check_action("approve", &APPLICATION_ACTIONS, "application").is_ok());
        let err = check_action("explode", &PROJECT_ACTIONS, "project").unwrap_err();
        assert!(err.to_string().contains("suspend"));
    }
}
