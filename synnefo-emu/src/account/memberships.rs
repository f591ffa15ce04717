//! Project memberships: joining, enrolling, leaving, and the owner's
//! accepting, rejecting and removing of members.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::projects::{apply_default_resets, Level, Policy, Project};
use super::{get_action, isoformat, json_body, now, Registry, NOT_ALLOWED};
use crate::account::AstakosService;
use crate::auth::Authenticated;
use crate::errors::{ApiError, ApiResult};
use crate::quotas::Quotas;

/// The state of a membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipState {
    /// The user asked to join.
    Requested,
    /// A member.
    Accepted,
    /// A member who asked to leave.
    LeaveRequested,
    /// A member suspended with their account.
    Suspended,
    /// The request to join was rejected.
    Rejected,
    /// The user withdrew the request to join.
    Cancelled,
    /// No longer a member.
    Removed,
}

impl MembershipState {
    /// The name the API shows.
    pub fn name(self) -> &'static str {
        match self {
            MembershipState::Requested => "requested",
            MembershipState::Accepted => "accepted",
            MembershipState::LeaveRequested => "leave_requested",
            MembershipState::Suspended => "suspended",
            MembershipState::Rejected => "rejected",
            MembershipState::Cancelled => "cancelled",
            MembershipState::Removed => "removed",
        }
    }

    /// Requested, or a member in any way.
    pub fn associated(self) -> bool {
        matches!(
            self,
            MembershipState::Requested
                | MembershipState::Accepted
                | MembershipState::LeaveRequested
                | MembershipState::Suspended
        )
    }

    /// A member in any way (suspended included).
    pub fn any_accepted(self) -> bool {
        matches!(
            self,
            MembershipState::Accepted
                | MembershipState::LeaveRequested
                | MembershipState::Suspended
        )
    }

    /// A member who holds quota.
    pub fn actually_accepted(self) -> bool {
        matches!(
            self,
            MembershipState::Accepted | MembershipState::LeaveRequested
        )
    }
}

/// Every membership state.
const STATES: [MembershipState; 7] = [
    MembershipState::Requested,
    MembershipState::Accepted,
    MembershipState::LeaveRequested,
    MembershipState::Suspended,
    MembershipState::Rejected,
    MembershipState::Cancelled,
    MembershipState::Removed,
];

/// Reads the dates of a membership's states from a snapshot, each under
/// the state's name; an unknown name is an error.
fn state_dates<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<&'static str, OffsetDateTime>, D::Error> {
    let dates = BTreeMap::<String, OffsetDateTime>::deserialize(deserializer)?;
    dates
        .into_iter()
        .map(|(name, at)| {
            STATES
                .iter()
                .map(|s| s.name())
                .find(|known| *known == name)
                .map(|known| (known, at))
                .ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown membership state {name:?}"))
                })
        })
        .collect()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Membership {
    pub(crate) id: u64,
    pub(crate) user: String,
    pub(crate) project: String,
    pub(crate) state: MembershipState,
    /// Accepted at least once: the user has holdings in the project.
    pub(crate) initialized: bool,
    /// The last time it entered each state.
    #[serde(deserialize_with = "state_dates")]
    pub(crate) dates: BTreeMap<&'static str, OffsetDateTime>,
}

impl Membership {
    pub(crate) fn new(id: u64, user: &str, project: &str) -> Self {
        Membership {
            id,
            user: user.to_string(),
            project: project.to_string(),
            state: MembershipState::Requested,
            initialized: false,
            dates: BTreeMap::new(),
        }
    }

    pub(crate) fn set_state(&mut self, state: MembershipState) {
        if state == MembershipState::Accepted {
            self.initialized = true;
        }
        self.state = state;
        self.dates.insert(state.name(), now());
    }
}

/// The membership actions, in the order the API lists them.
const ACTIONS: [&str; 5] = ["leave", "cancel", "accept", "reject", "remove"];

impl Registry {
    fn membership(&self, id: &str) -> ApiResult<&Membership> {
        id.parse::<u64>()
            .ok()
            .and_then(|id| self.memberships.get(&id))
            .ok_or_else(|| ApiError::item_not_found("This is not a valid membership request."))
    }

    fn approved_members(&self, project: &str) -> u64 {
        self.memberships
            .values()
            .filter(|m| m.project == project && m.state.any_accepted())
            .count() as u64
    }

    /// Checks common to accepting and enrolling a member.
    fn accept_project_checks(&self, project: &Project, user: &str) -> ApiResult<()> {
        self.check_project_allowed(project, user, Level::Owner)?;
        Self::check_alive(project)?;
        if project.join_policy == Policy::Closed {
            return Err(ApiError::conflict(
                "The Project's member join policy is closed.",
            ));
        }
        if self.approved_members(&project.id) + 1 > project.max_members {
            return Err(ApiError::conflict(
                "You have reached the maximum number of members for this Project.",
            ));
        }
        Ok(())
    }

    /// Whether `user` may take `action` on `m`, and why not.
    fn check_membership_action(&self, m: &Membership, user: &str, action: &str) -> ApiResult<()> {
        let project = self.project(&m.project)?;
        let not_request = || ApiError::conflict("This is not a valid membership request.");
        let not_accepted = || ApiError::conflict("This is not an accepted membership.");
        let leave_closed = || ApiError::conflict("The project's member leave policy is closed.");
        match action {
            "leave" => {
                if !m.state.any_accepted() {
                    return Err(not_accepted());
                }
                if !(self.is_admin(user) || m.user == user) {
                    return Err(ApiError::forbidden(NOT_ALLOWED));
                }
                Self::check_alive(project)?;
                if project.leave_policy == Policy::Closed {
                    return Err(leave_closed());
                }
            }
            "cancel" => {
                if m.state != MembershipState::Requested {
                    return Err(not_request());
                }
                if !(self.is_admin(user) || m.user == user) {
                    return Err(ApiError::forbidden(NOT_ALLOWED));
                }
                Self::check_alive(project)?;
            }
            "accept" => {
                if m.state != MembershipState::Requested {
                    return Err(not_request());
                }
                self.accept_project_checks(project, user)?;
            }
            "reject" => {
                if m.state != MembershipState::Requested {
                    return Err(not_request());
                }
                self.check_project_allowed(project, user, Level::Owner)?;
                Self::check_alive(project)?;
            }
            _ => {
                if !m.state.any_accepted() {
                    return Err(not_accepted());
                }
                self.check_project_allowed(project, user, Level::Owner)?;
                Self::check_alive(project)?;
                if project.leave_policy == Policy::Closed {
                    return Err(leave_closed());
                }
            }
        }
        Ok(())
    }

    fn membership_json(&self, m: &Membership, viewer: &str) -> Value {
        let allowed: Vec<&str> = ACTIONS
            .iter()
            .copied()
            .filter(|a| self.check_membership_action(m, viewer, a).is_ok())
            .collect();
        let mut d = json!({
            "id": m.id,
            "user": m.user,
            "project": m.project,
            "state": m.state.name(),
            "allowed_actions": allowed,
        });
        for (state, date) in &m.dates {
            d[*state] = json!(isoformat(*date));
        }
        d
    }

    fn membership_of(&self, project: &str, user: &str) -> Option<u64> {
        self.memberships
            .values()
            .find(|m| m.project == project && m.user == user)
            .map(|m| m.id)
    }

    fn set_membership_state(&mut self, id: u64, state: MembershipState) {
        if let Some(m) = self.memberships.get_mut(&id) {
            m.set_state(state);
            if state == MembershipState::Removed {
                self.default_project_resets
                    .push((Some(m.user.clone()), m.project.clone()));
            }
        }
    }

    /// `{"join": {"project": ..}}`.
    fn join(&mut self, user: &str, project_id: &str, quotas: &Quotas) -> ApiResult<u64> {
        let project = self.project(project_id)?.clone();
        Self::check_alive(&project)?;
        if project.join_policy == Policy::Closed {
            return Err(ApiError::conflict(
                "The Project's member join policy is closed.",
            ));
        }
        let id = match self.membership_of(project_id, user) {
            Some(id) => {
                if self
                    .memberships
                    .get(&id)
                    .is_some_and(|m| m.state.associated())
                {
                    return Err(ApiError::conflict("Request or membership already exists."));
                }
                self.set_membership_state(id, MembershipState::Requested);
                id
            }
            None => self.new_membership(user, project_id, MembershipState::Requested),
        };
        let room = self.approved_members(project_id) < project.max_members;
        if project.join_policy == Policy::Auto && room {
            self.set_membership_state(id, MembershipState::Accepted);
            self.sync_project(project_id, quotas);
        }
        Ok(id)
    }

    /// `{"enroll": {"project": .., "user": email}}`.
    fn enroll(
        &mut self,
        actor: &str,
        project_id: &str,
        email: &str,
        quotas: &Quotas,
    ) -> ApiResult<u64> {
        let user = self
            .user_by_email(email)
            .ok_or_else(|| ApiError::conflict(format!("Unknown users: {email}")))?;
        let project = self.projects.get(project_id).cloned().ok_or_else(|| {
            ApiError::conflict(format!("There is no project identified by {project_id}."))
        })?;
        self.accept_project_checks(&project, actor)?;
        let id = match self.membership_of(project_id, &user) {
            Some(id) => {
                if self
                    .memberships
                    .get(&id)
                    .is_some_and(|m| m.state.any_accepted())
                {
                    return Err(ApiError::conflict("Membership already exists."));
                }
                id
            }
            None => self.new_membership(&user, project_id, MembershipState::Requested),
        };
        self.set_membership_state(id, MembershipState::Accepted);
        self.sync_project(project_id, quotas);
        Ok(id)
    }

    fn membership_action(
        &mut self,
        user: &str,
        id: &str,
        action: &str,
        quotas: &Quotas,
    ) -> ApiResult<()> {
        let m = self.membership(id)?.clone();
        self.check_membership_action(&m, user, action)?;
        let next = match action {
            "leave" => {
                let auto = self
                    .projects
                    .get(&m.project)
                    .is_some_and(|p| p.leave_policy == Policy::Auto);
                if auto {
                    MembershipState::Removed
                } else {
                    MembershipState::LeaveRequested
                }
            }
            "cancel" => MembershipState::Cancelled,
            "accept" => MembershipState::Accepted,
            "reject" => MembershipState::Rejected,
            _ => MembershipState::Removed,
        };
        self.set_membership_state(m.id, next);
        self.sync_project(&m.project, quotas);
        Ok(())
    }
}

/// `GET /projects/memberships?project=`.
pub(super) async fn list_memberships(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let admin = registry.is_admin(&user.uuid);
    let out: Vec<Value> = registry
        .memberships
        .values()
        .filter(|m| query.get("project").is_none_or(|p| *p == m.project))
        .filter(|m| {
            admin
                || m.user == user.uuid
                || registry
                    .projects
                    .get(&m.project)
                    .is_some_and(|p| p.owner.as_deref() == Some(user.uuid.as_str()))
        })
        .map(|m| registry.membership_json(m, &user.uuid))
        .collect();
    Ok(Json(Value::Array(out)))
}

/// `GET /projects/memberships/<id>`.
pub(super) async fn get_membership(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let m = registry.membership(&id)?;
    let project = registry.project(&m.project)?;
    if !(registry.project_allowed(project, &user.uuid, Level::Owner) || m.user == user.uuid) {
        return Err(ApiError::forbidden(NOT_ALLOWED));
    }
    Ok(Json(registry.membership_json(m, &user.uuid)))
}

fn project_member(data: &Value) -> ApiResult<String> {
    match data.get("project") {
        Some(Value::String(id)) => Ok(id.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        other => Err(ApiError::bad_request(format!(
            "Invalid project ID: {}",
            other.map_or_else(|| "None".to_string(), Value::to_string)
        ))),
    }
}

/// `POST /projects/memberships`: join a project, or enroll a user in one.
pub(super) async fn post_memberships(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = json_body(&body)?;
    let (action, data) = get_action(&["join", "enroll"], &body)?;
    let project = project_member(data)?;
    let mut registry = state.account.registry(&state);
    let id = if action == "join" {
        registry.join(&user.uuid, &project, &state.quotas)?
    } else {
        let email = data.get("user").and_then(Value::as_str).unwrap_or_default();
        registry.enroll(&user.uuid, &project, email, &state.quotas)?
    };
    Ok(Json(json!({"id": id})))
}

/// `POST /projects/memberships/<id>/action`: `{"<action>": "<reason>"}`.
pub(super) async fn membership_action(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body = json_body(&body)?;
    let (action, _reason) = get_action(&ACTIONS, &body)?;
    let mut registry = state.account.registry(&state);
    registry.membership_action(&user.uuid, &id, action, &state.quotas)?;
    apply_default_resets(&state, &mut registry);
    Ok(StatusCode::OK)
}
