//! Projects and their applications: listing, applying for a new project or
//! a modification, and the actions of admins, owners and applicants.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::memberships::{Membership, MembershipState};
use super::{get_action, isoformat, json_body, now, Registry, NOT_ALLOWED};
use crate::account::AstakosService;
use crate::auth::Authenticated;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;
use crate::quotas::{Quotas, RESOURCES};

/// The state of a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

#[derive(Clone, Debug)]
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

#[derive(Clone, Debug)]
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

const MAX_NAME_LENGTH: usize = 80;
const MAX_HOMEPAGE_LENGTH: usize = 255;
const MAX_TEXT_INPUT: usize = 4096;
const MAX_BIGINT: u64 = (1 << 63) - 1;

/// Project names are domain names: labels of letters, digits and inner
/// hyphens, and a final label of 2 to 6 letters.
fn valid_project_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    let Some((tld, rest)) = labels.split_last() else {
        return false;
    };
    if rest.is_empty() || !(2..=6).contains(&tld.len()) {
        return false;
    }
    if !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    rest.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

fn date_json(t: Option<OffsetDateTime>) -> Value {
    t.map_or(Value::Null, |t| json!(isoformat(t)))
}

fn grants_json(grants: &Grants) -> Value {
    let visible: serde_json::Map<String, Value> = grants
        .iter()
        .filter(|(r, _)| crate::quotas::resource(r).is_some_and(|r| r.api_visible))
        .map(|(r, (member, project))| {
            (
                r.clone(),
                json!({"member_capacity": member, "project_capacity": project}),
            )
        })
        .collect();
    Value::Object(visible)
}

/// A request body's string member, if given.
fn maybe_string(body: &serde_json::Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be string"))),
    }
}

fn maybe_bool(body: &serde_json::Map<String, Value>, key: &str) -> ApiResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be boolean"))),
    }
}

fn maybe_policy(body: &serde_json::Map<String, Value>, key: &str) -> ApiResult<Option<Policy>> {
    let what = key.trim_end_matches("_policy");
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => Policy::parse(value, what).map(Some),
    }
}

/// `max_members`: a number, or a string of one (`"10"`, `"inf"`).
fn max_members(value: &Value) -> ApiResult<u64> {
    let invalid = || ApiError::bad_request("Invalid max_members");
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| {
            if n.as_i64().is_some_and(|i| i < 0) {
                ApiError::bad_request("max_members out of range")
            } else {
                invalid()
            }
        }),
        Value::String(s) if s.trim().eq_ignore_ascii_case("inf") => Ok(super::PRACTICALLY_INFINITE),
        Value::String(s) => s.trim().parse().map_err(|_| invalid()),
        _ => Err(invalid()),
    }
}

fn date_member(
    body: &serde_json::Map<String, Value>,
    key: &str,
) -> ApiResult<Option<OffsetDateTime>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => crate::clock::parse_date(s)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid {key}"))),
        Some(_) => Err(ApiError::bad_request(format!("Invalid {key}"))),
    }
}

/// Validates `resources` of an application: known, visible resources,
/// with non-negative integer capacities, the project's no less than the
/// member's.
fn resource_policies(value: Option<&Value>) -> ApiResult<Grants> {
    let malformed = || ApiError::bad_request("Malformed resource policies");
    let policies = match value {
        None => return Ok(Grants::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(malformed()),
    };
    let mut grants = Grants::new();
    for (name, spec) in policies {
        if !crate::quotas::resource(name).is_some_and(|r| r.api_visible) {
            return Err(malformed());
        }
        let capacity = |key: &str| -> ApiResult<i128> {
            spec.get(key)
                .and_then(|v| {
                    v.as_i64()
                        .map(i128::from)
                        .or_else(|| v.as_u64().map(i128::from))
                })
                .ok_or_else(malformed)
        };
        let project = capacity("project_capacity")?;
        let member = capacity("member_capacity")?;
        if project > i128::from(MAX_BIGINT) || member > i128::from(MAX_BIGINT) {
            return Err(ApiError::bad_request(format!(
                "Quota limit exceeds max value {MAX_BIGINT}"
            )));
        }
        if project < 0 || member < 0 {
            return Err(ApiError::bad_request("Negative quota limit is not allowed"));
        }
        if project < member {
            return Err(ApiError::bad_request(format!(
                "Project quota limit is less than member limit for resource '{name}'"
            )));
        }
        grants.insert(name.clone(), (member as u64, project as u64));
    }
    Ok(grants)
}

/// What an application asks, parsed from a request body.
struct Request {
    owner: Option<String>,
    name: Option<String>,
    homepage: Option<String>,
    description: Option<String>,
    comments: Option<String>,
    start_date: Option<OffsetDateTime>,
    end_date: Option<OffsetDateTime>,
    join_policy: Option<Policy>,
    leave_policy: Option<Policy>,
    max_members: Option<u64>,
    private: Option<bool>,
    resources: Grants,
}

impl Request {
    fn parse(body: &serde_json::Map<String, Value>, registry: &Registry) -> ApiResult<Self> {
        let owner = match body.get("owner") {
            None | Some(Value::Null) => None,
            Some(Value::String(uuid)) if registry.users.contains_key(uuid) => Some(uuid.clone()),
            Some(_) => return Err(ApiError::bad_request("User does not exist.")),
        };
        let name = match body.get("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "Project name should be in domain format",
                ))
            }
        };
        let max_members = match body.get("max_members") {
            None | Some(Value::Null) => None,
            Some(value) => Some(max_members(value)?),
        };
        let request = Request {
            owner,
            name,
            homepage: maybe_string(body, "homepage")?,
            description: maybe_string(body, "description")?,
            comments: maybe_string(body, "comments")?,
            start_date: date_member(body, "start_date")?,
            end_date: date_member(body, "end_date")?,
            join_policy: maybe_policy(body, "join_policy")?,
            leave_policy: maybe_policy(body, "leave_policy")?,
            max_members,
            private: maybe_bool(body, "private")?,
            resources: resource_policies(body.get("resources"))?,
        };
        request.validate()?;
        Ok(request)
    }

    fn validate(&self) -> ApiResult<()> {
        if let Some(name) = &self.name {
            if name.chars().count() > MAX_NAME_LENGTH {
                return Err(ApiError::bad_request(format!(
                    "'name' value exceeds max length {MAX_NAME_LENGTH}"
                )));
            }
            if !valid_project_name(name) {
                return Err(ApiError::bad_request(
                    "Project name should be in domain format",
                ));
            }
        }
        if self
            .homepage
            .as_ref()
            .is_some_and(|h| h.chars().count() > MAX_HOMEPAGE_LENGTH)
        {
            return Err(ApiError::bad_request(format!(
                "'homepage' value exceeds max length {MAX_HOMEPAGE_LENGTH}"
            )));
        }
        for (key, value) in [
            ("description", &self.description),
            ("comments", &self.comments),
        ] {
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_TEXT_INPUT)
            {
                return Err(ApiError::bad_request(format!(
                    "'{key}' value exceeds max length {MAX_TEXT_INPUT}"
                )));
            }
        }
        if self.max_members.is_some_and(|m| m > MAX_BIGINT) {
            return Err(ApiError::bad_request("max_members out of range"));
        }
        if self.end_date.is_some_and(|d| d < now()) {
            return Err(ApiError::bad_request("'end_date' must be in the future"));
        }
        Ok(())
    }
}

impl Registry {
    /// Makes a user's system project: active, closed, private, one member.
    pub(crate) fn make_system_project(&mut self, user: &User, quotas: &Quotas) {
        let grants: Grants = RESOURCES
            .iter()
            .map(|r| (r.name.to_string(), (r.default_limit, r.default_limit)))
            .collect();
        let created = now();
        let project = Project {
            id: user.uuid.clone(),
            state: ProjectState::Active,
            creation_date: created,
            realname: format!("system:{}", user.uuid),
            name: Some(format!("system:{}", user.uuid)),
            owner: None,
            homepage: String::new(),
            description: format!("system project for user {}", user.email),
            end_date: created + time::Duration::days(365 * 100),
            join_policy: Policy::Closed,
            leave_policy: Policy::Closed,
            max_members: 1,
            private: true,
            system_project: true,
            resources: grants,
            last_application: None,
            deactivation_date: None,
        };
        self.projects.insert(project.id.clone(), project);
        self.new_membership(&user.uuid, &user.uuid, MembershipState::Accepted);
        quotas.ensure_system_project(&user.uuid);
    }

    pub(crate) fn project(&self, id: &str) -> ApiResult<&Project> {
        self.projects.get(id).ok_or_else(|| {
            ApiError::item_not_found(format!("There is no project identified by {id}."))
        })
    }

    fn has_accepted_membership(&self, project: &str, user: &str) -> bool {
        self.memberships
            .values()
            .any(|m| m.project == project && m.user == user && m.state.any_accepted())
    }

    /// Whether `user` may act on `project` at `level`.
    pub(crate) fn project_allowed(&self, project: &Project, user: &str, level: Level) -> bool {
        if self.is_admin(user) {
            return true;
        }
        if level == Level::Admin {
            return false;
        }
        if project.owner.as_deref() == Some(user) {
            return true;
        }
        if level == Level::Owner {
            return false;
        }
        (project.state == ProjectState::Active && !project.private)
            || self.has_accepted_membership(&project.id, user)
    }

    pub(crate) fn check_project_allowed(
        &self,
        project: &Project,
        user: &str,
        level: Level,
    ) -> ApiResult<()> {
        if self.project_allowed(project, user, level) {
            Ok(())
        } else {
            Err(ApiError::forbidden(NOT_ALLOWED))
        }
    }

    pub(crate) fn check_alive(project: &Project) -> ApiResult<()> {
        if project.state.alive() {
            Ok(())
        } else {
            Err(ApiError::conflict(format!(
                "Project {} is not alive.",
                project.id
            )))
        }
    }

    /// Sets the quota book to what the project and its memberships say.
    pub(crate) fn sync_project(&self, id: &str, quotas: &Quotas) {
        let Some(project) = self.projects.get(id) else {
            return;
        };
        if !project.state.initialized() {
            return;
        }
        let members: Vec<(String, bool)> = self
            .memberships
            .values()
            .filter(|m| m.project == id && m.initialized)
            .map(|m| (m.user.clone(), m.state.actually_accepted()))
            .collect();
        quotas.sync_project(
            id,
            &project.resources,
            project.state == ProjectState::Active,
            &members,
        );
    }

    /// The application's id in the JSON it is shown in.
    fn application_json(&self, app: &Application) -> Value {
        json!({
            "id": app.id,
            "state": app.state.name(),
            "name": app.name,
            "owner": app.owner,
            "applicant": app.applicant,
            "homepage": app.homepage,
            "description": app.description,
            "start_date": date_json(app.start_date),
            "end_date": date_json(app.end_date),
            "comments": app.comments,
            "join_policy": app.join_policy.map(Policy::name),
            "leave_policy": app.leave_policy.map(Policy::name),
            "max_members": app.max_members,
            "private": app.private,
            "resources": app.resources.as_ref().map_or_else(|| json!({}), grants_json),
        })
    }

    /// A project as the API shows it to `viewer` (admins and owners see its
    /// last application too); `None` shows everything.
    pub(crate) fn project_json(&self, project: &Project, viewer: Option<&str>) -> Value {
        let mut d = json!({
            "id": project.id,
            "state": project.state.name(),
            "creation_date": isoformat(project.creation_date),
            "name": project.realname,
            "owner": project.owner,
            "homepage": project.homepage,
            "description": project.description,
            "end_date": isoformat(project.end_date),
            "join_policy": project.join_policy.name(),
            "leave_policy": project.leave_policy.name(),
            "max_members": project.max_members,
            "private": project.private,
            "system_project": project.system_project,
            "resources": grants_json(&project.resources),
        });
        let privileged = viewer.is_none_or(|v| self.project_allowed(project, v, Level::Owner));
        if privileged {
            if let Some(app) = project
                .last_application
                .and_then(|id| self.applications.get(&id))
            {
                d["last_application"] = self.application_json(app);
            }
            if let Some(date) = project.deactivation_date {
                d["deactivation_date"] = json!(isoformat(date));
            }
        }
        d
    }

    /// Counts a new pending application against the applicant's
    /// `astakos.pending_app` quota, releasing the pending applications it
    /// replaces.
    fn add_pending_app(
        &self,
        applicant: &str,
        project: Option<&str>,
        quotas: &Quotas,
    ) -> ApiResult<()> {
        let mut replaced: BTreeMap<String, i64> = BTreeMap::new();
        if let Some(project) = project {
            for app in self.applications.values() {
                if app.project == project && app.state == ApplicationState::Pending {
                    *replaced.entry(app.applicant.clone()).or_default() += 1;
                }
            }
        }
        let resource = "astakos.pending_app";
        let mut provisions =
            crate::quotas::member_provisions(applicant, applicant, &[(resource, 1)]);
        for (other, count) in replaced {
            provisions.extend(crate::quotas::member_provisions(
                &other,
                &other,
                &[(resource, -count)],
            ));
        }
        let force = self.is_admin(applicant);
        quotas
            .issue_commission("astakos", provisions, "", force, true, super::now_iso())
            .map(|_| ())
            .map_err(|e| {
                ApiError::conflict(format!(
                    "You have reached the maximum number of pending project applications: {}.",
                    e.limit.unwrap_or(0)
                ))
            })
    }

    fn release_pending_app(applicant: &str, quotas: &Quotas) {
        quotas.release(applicant, applicant, &[("astakos.pending_app", 1)]);
    }

    /// `POST /projects` and `PUT /projects/<id>`: records an application
    /// and answers `(project id, application id)`.
    fn submit_application(
        &mut self,
        user: &str,
        project_id: Option<&str>,
        body: &serde_json::Map<String, Value>,
        quotas: &Quotas,
    ) -> ApiResult<(String, u64)> {
        let request = Request::parse(body, self)?;
        if let Some(id) = project_id {
            let project = self.project(id)?;
            self.check_project_allowed(project, user, Level::Owner)?;
            if !project.state.initialized() {
                return Err(ApiError::conflict(
                    "Cannot modify an uninitialized project.",
                ));
            }
            if project.system_project
                && (request.owner.is_some()
                    || request.name.is_some()
                    || request.homepage.is_some()
                    || request.description.is_some())
            {
                return Err(ApiError::conflict(
                    "Cannot modify fields 'owner', 'name', 'homepage', and 'description' of a system project.",
                ));
            }
        } else {
            if request.name.is_none() {
                return Err(ApiError::bad_request("Name missing."));
            }
            if request.end_date.is_none() {
                return Err(ApiError::bad_request("Missing end date"));
            }
        }
        self.add_pending_app(user, project_id, quotas)?;

        let project_id = match project_id {
            Some(id) => id.to_string(),
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                let project = Project {
                    id: id.clone(),
                    state: ProjectState::Uninitialized,
                    creation_date: now(),
                    realname: request.name.clone().unwrap_or_default(),
                    name: None,
                    owner: Some(request.owner.clone().unwrap_or_else(|| user.to_string())),
                    homepage: request.homepage.clone().unwrap_or_default(),
                    description: request.description.clone().unwrap_or_default(),
                    end_date: request.end_date.unwrap_or_else(now),
                    join_policy: request.join_policy.unwrap_or(Policy::Moderated),
                    leave_policy: request.leave_policy.unwrap_or(Policy::Auto),
                    max_members: request.max_members.unwrap_or(super::PRACTICALLY_INFINITE),
                    private: request.private.unwrap_or(false),
                    system_project: false,
                    resources: request.resources.clone(),
                    last_application: None,
                    deactivation_date: None,
                };
                self.projects.insert(id.clone(), project);
                id
            }
        };
        let new = !self
            .projects
            .get(&project_id)
            .is_some_and(|p| p.state.initialized());
        self.last_application += 1;
        let app_id = self.last_application;
        let application = Application {
            id: app_id,
            project: project_id.clone(),
            state: ApplicationState::Pending,
            owner: if new {
                Some(request.owner.clone().unwrap_or_else(|| user.to_string()))
            } else {
                request.owner.clone()
            },
            name: request.name,
            applicant: user.to_string(),
            homepage: request.homepage,
            description: request.description,
            start_date: request.start_date,
            end_date: request.end_date,
            comments: request.comments,
            join_policy: request
                .join_policy
                .or(if new { Some(Policy::Moderated) } else { None }),
            leave_policy: request
                .leave_policy
                .or(if new { Some(Policy::Auto) } else { None }),
            max_members: request.max_members.or(if new {
                Some(super::PRACTICALLY_INFINITE)
            } else {
                None
            }),
            private: request.private.or(if new { Some(false) } else { None }),
            resources: Some(request.resources),
        };
        for app in self.applications.values_mut() {
            if app.project == project_id && app.state == ApplicationState::Pending {
                app.state = ApplicationState::Replaced;
            }
        }
        self.applications.insert(app_id, application);
        if let Some(project) = self.projects.get_mut(&project_id) {
            project.last_application = Some(app_id);
        }
        Ok((project_id, app_id))
    }

    /// Suspend, unsuspend, terminate, reinstate.
    fn project_state_action(
        &mut self,
        user: &str,
        id: &str,
        action: &str,
        quotas: &Quotas,
    ) -> ApiResult<()> {
        let project = self.project(id)?;
        if !self.project_allowed(project, user, Level::Admin) {
            return Err(ApiError::conflict(NOT_ALLOWED));
        }
        let next = match action {
            "terminate" => {
                Self::check_alive(project)?;
                if project.system_project {
                    return Err(ApiError::conflict(format!(
                        "Cannot terminate: {id} is a system project."
                    )));
                }
                ProjectState::Terminated
            }
            "suspend" => {
                Self::check_alive(project)?;
                if project.state == ProjectState::Suspended {
                    return Err(ApiError::conflict(format!("Project {id} is suspended.")));
                }
                ProjectState::Suspended
            }
            "unsuspend" => {
                if project.state != ProjectState::Suspended {
                    return Err(ApiError::conflict(format!(
                        "Project {id} is not suspended."
                    )));
                }
                ProjectState::Active
            }
            _ => {
                if project.state != ProjectState::Terminated {
                    return Err(ApiError::conflict(format!(
                        "Project {id} is not terminated."
                    )));
                }
                self.check_conflicting_name(id, &project.realname)?;
                ProjectState::Active
            }
        };
        let reset_defaults = next == ProjectState::Terminated;
        if let Some(project) = self.projects.get_mut(id) {
            project.state = next;
            match next {
                ProjectState::Active => {
                    if project.name.is_none() {
                        project.name = Some(project.realname.clone());
                    }
                }
                ProjectState::Terminated => {
                    project.name = None;
                    project.deactivation_date = Some(now());
                }
                _ => project.deactivation_date = Some(now()),
            }
        }
        if reset_defaults {
            self.reset_default_projects(id);
        }
        self.sync_project(id, quotas);
        Ok(())
    }

    /// Users whose default project is `id` get their system project back
    /// (done by the handler that owns the users' list).
    fn reset_default_projects(&mut self, id: &str) {
        self.default_project_resets.push((None, id.to_string()));
    }

    fn check_conflicting_name(&self, id: &str, name: &str) -> ApiResult<()> {
        match self
            .projects
            .values()
            .find(|p| p.id != id && p.name.as_deref() == Some(name))
        {
            Some(other) => Err(ApiError::conflict(format!(
                "cannot approve: project with name '{name}' already exists (id: {})",
                other.id
            ))),
            None => Ok(()),
        }
    }

    /// Approve, deny, dismiss, cancel an application of project `id`.
    fn application_action(
        &mut self,
        user: &str,
        id: &str,
        action: &str,
        app_id: u64,
        quotas: &Quotas,
    ) -> ApiResult<()> {
        let app = self.applications.get(&app_id).cloned().ok_or_else(|| {
            ApiError::item_not_found(format!(
                "There is no project application identified by {app_id}."
            ))
        })?;
        let project = self.project(&app.project)?.clone();
        if project.id != id || project.last_application != Some(app_id) {
            return Err(ApiError::conflict(format!(
                "{app_id} is not a pending application for project {id}."
            )));
        }
        let admin = self.is_admin(user);
        let allowed = match action {
            "approve" | "deny" => admin,
            _ => admin || app.applicant == user,
        };
        if !allowed {
            return Err(ApiError::forbidden(NOT_ALLOWED));
        }
        let (can, next) = match action {
            "approve" => (
                app.state == ApplicationState::Pending,
                ApplicationState::Approved,
            ),
            "deny" => (
                app.state == ApplicationState::Pending,
                ApplicationState::Denied,
            ),
            "dismiss" => (
                app.state == ApplicationState::Denied,
                ApplicationState::Dismissed,
            ),
            _ => (
                app.state == ApplicationState::Pending,
                ApplicationState::Cancelled,
            ),
        };
        if !can {
            let verb = match action {
                "approve" => "approve",
                "deny" => "deny",
                "dismiss" => "dismiss",
                _ => "cancel",
            };
            return Err(ApiError::conflict(format!(
                "Cannot {verb} application {app_id} in state '{}'",
                app.state.display()
            )));
        }
        if action == "approve" {
            if let Some(name) = &app.name {
                self.check_conflicting_name(id, name)?;
            }
        }
        if action != "dismiss" {
            Self::release_pending_app(&app.applicant, quotas);
        }
        if let Some(a) = self.applications.get_mut(&app_id) {
            a.state = next;
        }
        let Some(project) = self.projects.get_mut(id) else {
            return Ok(());
        };
        match action {
            "approve" => {
                if project.state == ProjectState::Uninitialized {
                    // The resources not asked for get Astakos' project
                    // default: nothing of what users see, no bound on the
                    // hidden ones (cyclades.total_cpu...).
                    for r in RESOURCES {
                        let default = if r.api_visible {
                            0
                        } else {
                            super::PRACTICALLY_INFINITE
                        };
                        project
                            .resources
                            .entry(r.name.to_string())
                            .or_insert((default, default));
                    }
                } else {
                    apply_modifications(project, &app);
                }
                project.state = ProjectState::Active;
                project.name = Some(project.realname.clone());
                self.sync_project(id, quotas);
            }
            "dismiss" | "cancel" if project.state == ProjectState::Uninitialized => {
                project.state = ProjectState::Deleted;
            }
            _ => {}
        }
        Ok(())
    }

    /// The default project a user may set: an active project they are an
    /// accepted member of.
    pub(crate) fn validate_member_state(&self, user: &str, project: &str) -> ApiResult<()> {
        let p = self.project(project)?;
        Self::check_alive(p)?;
        let membership = self
            .memberships
            .values()
            .find(|m| m.project == project && m.user == user)
            .ok_or_else(|| ApiError::item_not_found("This is not a valid membership request."))?;
        if !membership.state.actually_accepted() || p.state != ProjectState::Active {
            return Err(ApiError::forbidden(NOT_ALLOWED));
        }
        Ok(())
    }

    pub(crate) fn new_membership(
        &mut self,
        user: &str,
        project: &str,
        state: MembershipState,
    ) -> u64 {
        self.last_membership += 1;
        let id = self.last_membership;
        let mut membership = Membership::new(id, user, project);
        membership.set_state(state);
        self.memberships.insert(id, membership);
        id
    }
}

fn apply_modifications(project: &mut Project, app: &Application) {
    if let Some(owner) = &app.owner {
        project.owner = Some(owner.clone());
    }
    if let Some(name) = &app.name {
        project.realname = name.clone();
    }
    if let Some(homepage) = &app.homepage {
        project.homepage = homepage.clone();
    }
    if let Some(description) = &app.description {
        project.description = description.clone();
    }
    if let Some(end_date) = app.end_date {
        project.end_date = end_date;
    }
    if let Some(policy) = app.join_policy {
        project.join_policy = policy;
    }
    if let Some(policy) = app.leave_policy {
        project.leave_policy = policy;
    }
    if let Some(max) = app.max_members {
        project.max_members = max;
    }
    if let Some(private) = app.private {
        project.private = private;
    }
    if let Some(grants) = &app.resources {
        for (resource, capacities) in grants {
            project.resources.insert(resource.clone(), *capacities);
        }
    }
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
