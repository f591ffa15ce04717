//! Projects and their applications: listing, applying for a new project or
//! a modification, and the actions of admins, owners and applicants.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::memberships::{Membership, MembershipState};
use super::{get_action, isoformat, json_body, now, Registry, NOT_ALLOWED};
use crate::account::AstakosService;
use crate::auth::Authenticated;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;
use crate::quotas::{Quotas, RESOURCES};

mod registry;
mod request;
use request::*;

/// The state of a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectState {
    /// Applied for, not approved yet.
    Uninitialized,
    /// Active (`NORMAL`).
    Active,
    /// Suspended by an admin.
    Suspended,
    /// Terminated by an admin.
    Terminated,
    /// Its first application was cancelled or dismissed.
    Deleted,
}

impl ProjectState {
    /// The name the API shows.
    pub fn name(self) -> &'static str {
        match self {
            ProjectState::Uninitialized => "uninitialized",
            ProjectState::Active => "active",
            ProjectState::Suspended => "suspended",
            ProjectState::Terminated => "terminated",
            ProjectState::Deleted => "deleted",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            ProjectState::Uninitialized,
            ProjectState::Active,
            ProjectState::Suspended,
            ProjectState::Terminated,
            ProjectState::Deleted,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }

    /// Approved at least once (active, suspended or terminated).
    pub fn initialized(self) -> bool {
        matches!(
            self,
            ProjectState::Active | ProjectState::Suspended | ProjectState::Terminated
        )
    }

    /// Active or suspended.
    pub fn alive(self) -> bool {
        matches!(self, ProjectState::Active | ProjectState::Suspended)
    }
}

/// How members join or leave a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// At once.
    Auto,
    /// When the owner accepts.
    Moderated,
    /// Never.
    Closed,
}

impl Policy {
    /// The name the API uses.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Auto => "auto",
            Policy::Moderated => "moderated",
            Policy::Closed => "closed",
        }
    }

    fn parse(value: &Value, what: &str) -> ApiResult<Self> {
        match value.as_str() {
            Some("auto") => Ok(Policy::Auto),
            Some("moderated") => Ok(Policy::Moderated),
            Some("closed") => Ok(Policy::Closed),
            _ => Err(ApiError::bad_request(format!("Invalid {what} policy"))),
        }
    }
}

/// The state of a project application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Waiting for an admin.
    Pending,
    /// Approved.
    Approved,
    /// Superseded by a later application.
    Replaced,
    /// Denied by an admin.
    Denied,
    /// Denied, and acknowledged by the applicant.
    Dismissed,
    /// Withdrawn by the applicant.
    Cancelled,
}

impl ApplicationState {
    /// The name the API shows.
    pub fn name(self) -> &'static str {
        match self {
            ApplicationState::Pending => "pending",
            ApplicationState::Approved => "approved",
            ApplicationState::Replaced => "replaced",
            ApplicationState::Denied => "denied",
            ApplicationState::Dismissed => "dismissed",
            ApplicationState::Cancelled => "cancelled",
        }
    }

    fn display(self) -> &'static str {
        match self {
            ApplicationState::Pending => "Pending review",
            ApplicationState::Approved => "Approved",
            ApplicationState::Replaced => "Replaced",
            ApplicationState::Denied => "Denied",
            ApplicationState::Dismissed => "Dismissed",
            ApplicationState::Cancelled => "Cancelled",
        }
    }
}

/// Limits per resource: `(member capacity, project capacity)`.
pub(crate) type Grants = BTreeMap<String, (u64, u64)>;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Project {
    pub(crate) id: String,
    pub(crate) state: ProjectState,
    pub(crate) creation_date: OffsetDateTime,
    /// The name it shows.
    pub(crate) realname: String,
    /// The unique name it holds while alive (None when terminated or not
    /// yet approved).
    pub(crate) name: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) homepage: String,
    pub(crate) description: String,
    pub(crate) end_date: OffsetDateTime,
    pub(crate) join_policy: Policy,
    pub(crate) leave_policy: Policy,
    pub(crate) max_members: u64,
    pub(crate) private: bool,
    pub(crate) system_project: bool,
    pub(crate) resources: Grants,
    pub(crate) last_application: Option<u64>,
    pub(crate) deactivation_date: Option<OffsetDateTime>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Application {
    pub(crate) id: u64,
    pub(crate) project: String,
    pub(crate) state: ApplicationState,
    pub(crate) name: Option<String>,
    pub(crate) owner: Option<String>,
    pub(crate) applicant: String,
    pub(crate) homepage: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) start_date: Option<OffsetDateTime>,
    pub(crate) end_date: Option<OffsetDateTime>,
    pub(crate) comments: Option<String>,
    pub(crate) join_policy: Option<Policy>,
    pub(crate) leave_policy: Option<Policy>,
    pub(crate) max_members: Option<u64>,
    pub(crate) private: Option<bool>,
    /// `None` when the application asks no change of resources.
    pub(crate) resources: Option<Grants>,
}

/// How much a user may see or do with a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Admin,
    Owner,
    Any,
}

/// Gives users whose default project was terminated, or who were removed
/// from it, their system project back.
pub(super) fn apply_default_resets(state: &AstakosService, registry: &mut Registry) {
    for (only, project) in std::mem::take(&mut registry.default_project_resets) {
        for user in state.identity.all_users() {
            let concerned = only.as_ref().is_none_or(|u| *u == user.uuid);
            if concerned && user.default_project == project {
                state.identity.set_default_project(&user.uuid, &user.uuid);
            }
        }
    }
}

/// `GET /projects?name=&state=&owner=&mode=`.
pub(super) async fn list_projects(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let wanted_state = match query.get("state") {
        Some(s) => Some(
            ProjectState::parse(s)
                .ok_or_else(|| ApiError::bad_request(format!("Unrecognized state {s}")))?,
        ),
        None => None,
    };
    let mode = query.get("mode").map(String::as_str).unwrap_or("default");
    if !matches!(mode, "member" | "default" | "related" | "active") {
        return Err(ApiError::bad_request(format!(
            "Unrecognized mode '{mode}'."
        )));
    }
    let admin = registry.is_admin(&user.uuid);
    let uuid = user.uuid.as_str();
    let visible = |p: &Project| -> bool {
        match mode {
            "member" => registry.memberships.values().any(|m| {
                m.project == p.id
                    && m.user == uuid
                    && m.state.actually_accepted()
                    && p.state == ProjectState::Active
            }),
            "default" | "related" => {
                admin
                    || p.owner.as_deref() == Some(uuid)
                    || registry.has_accepted_membership(&p.id, uuid)
            }
            _ => admin || (p.state == ProjectState::Active && !p.private),
        }
    };
    let mut out = Vec::new();
    for project in registry.projects.values() {
        if query.get("name").is_some_and(|n| *n != project.realname)
            || query
                .get("owner")
                .is_some_and(|o| Some(o.as_str()) != project.owner.as_deref())
            || wanted_state.is_some_and(|s| s != project.state)
        {
            continue;
        }
        if visible(project) {
            out.push(registry.project_json(project, Some(uuid)));
        }
    }
    Ok(Json(Value::Array(out)))
}

/// `GET /projects/<id>`.
pub(super) async fn get_project(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let project = registry.project(&id)?;
    registry.check_project_allowed(project, &user.uuid, Level::Any)?;
    Ok(Json(registry.project_json(project, Some(&user.uuid))))
}

fn submitted(project: String, application: u64) -> Response {
    (
        StatusCode::CREATED,
        Json(json!({"application": application, "id": project})),
    )
        .into_response()
}

/// `POST /projects`: applies for a new project.
pub(super) async fn create_project(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_body(&body)?;
    let mut registry = state.account.registry(&state);
    let (project, app) = registry.submit_application(&user.uuid, None, &body, &state.quotas)?;
    Ok(submitted(project, app))
}

/// `PUT /projects/<id>`: applies for a modification.
pub(super) async fn modify_project(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_body(&body)?;
    let mut registry = state.account.registry(&state);
    let (project, app) =
        registry.submit_application(&user.uuid, Some(&id), &body, &state.quotas)?;
    Ok(submitted(project, app))
}

/// `POST /projects/<id>/action`: `{"<action>": {"reason": .., "app_id": ..}}`.
pub(super) async fn project_action(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body = json_body(&body)?;
    let (action, data) = get_action(
        &[
            "terminate",
            "suspend",
            "unsuspend",
            "reinstate",
            "approve",
            "deny",
            "dismiss",
            "cancel",
        ],
        &body,
    )?;
    let data = data
        .as_object()
        .ok_or_else(|| ApiError::bad_request("Invalid input data"))?;
    let mut registry = state.account.registry(&state);
    match action {
        "approve" | "deny" | "dismiss" | "cancel" => {
            let app_id = match data.get("app_id") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            }
            .ok_or_else(|| ApiError::bad_request("Missing or invalid app_id"))?;
            registry.application_action(&user.uuid, &id, action, app_id, &state.quotas)?;
        }
        _ => {
            registry.project_state_action(&user.uuid, &id, action, &state.quotas)?;
            apply_default_resets(&state, &mut registry);
        }
    }
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_domains() {
        for good in ["myproject.example.org", "a.gr", "x-1.y-2.com"] {
            assert!(valid_project_name(good), "{good}");
        }
        for bad in [
            "",
            "plain",
            "a..gr",
            "-a.gr",
            "a-.gr",
            "a.g",
            "a.g1",
            "a.toolongtld",
            "a b.gr",
        ] {
            assert!(!valid_project_name(bad), "{bad}");
        }
    }

    #[test]
    fn resource_policies_are_checked() {
        let ok = json!({"cyclades.vm": {"member_capacity": 1, "project_capacity": 3}});
        assert_eq!(resource_policies(Some(&ok)).unwrap()["cyclades.vm"], (1, 3));
        for bad in [
            json!([]),
            json!({"no.such": {"member_capacity": 1, "project_capacity": 1}}),
            json!({"cyclades.total_cpu": {"member_capacity": 1, "project_capacity": 1}}),
            json!({"cyclades.vm": {"member_capacity": "1", "project_capacity": 1}}),
            json!({"cyclades.vm": {"member_capacity": -1, "project_capacity": 1}}),
            json!({"cyclades.vm": {"member_capacity": 2, "project_capacity": 1}}),
            json!({"cyclades.vm": 5}),
        ] {
            assert_eq!(
                resource_policies(Some(&bad)).unwrap_err().code,
                400,
                "{bad}"
            );
        }
        assert!(resource_policies(None).unwrap().is_empty());
    }

    #[test]
    fn max_members_parses() {
        assert_eq!(max_members(&json!(5)).unwrap(), 5);
        assert_eq!(max_members(&json!("7")).unwrap(), 7);
        assert_eq!(
            max_members(&json!("inf")).unwrap(),
            crate::account::PRACTICALLY_INFINITE
        );
        assert!(max_members(&json!(-1)).is_err());
        assert!(max_members(&json!("x")).is_err());
        assert!(max_members(&json!(1.5)).is_err());
    }
}
