//! The Astakos account API (`/astakos/account/v1.0`) beyond users: the
//! resource catalog, quotas, commissions, projects with their applications,
//! and memberships.
//!
//! Every user has a personal ("system") project whose id is their uuid,
//! made the first time the account API sees them: active, closed to others,
//! with the default limits of [`crate::quotas::RESOURCES`]. Other projects
//! are *applied for* (`POST /projects`) and exist, uninitialized, until a
//! project admin approves the application; modifications are applications
//! too. Users join (or are enrolled in) projects; an accepted member gets
//! the project's member limits in the quota book, which is what lets the
//! other services charge them there.
//!
//! Project admins are whoever [`AccountState::add_project_admin`] names (a
//! fresh emulator has none). The `service_*` and commission calls need a
//! component's token ([`crate::identity::Component`]), as in Synnefo: a user's
//! token gets 401 there. A component's commissions are its own (the client
//! key is its name), and its quota reports show its services' resources.

mod memberships;
mod projects;
mod quotas;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::errors::{ApiError, ApiResult};
use crate::identity::User;
use crate::quotas::Quotas;

pub use memberships::MembershipState;
pub use projects::{ApplicationState, Policy, ProjectState};

/// The largest number Astakos stores (its "practically infinite").
pub const PRACTICALLY_INFINITE: u64 = (1 << 63) - 1;

/// What the Astakos handlers see: their service's state and what it
/// shares with others ([`crate::state::AppState::astakos_service`] makes it).
#[derive(Clone, Debug)]
pub struct AstakosService {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: std::sync::Arc<str>,
    /// The users and components, for authentication.
    pub identity: std::sync::Arc<crate::identity::Identity>,
    /// Quotas of every user in every project.
    pub quotas: std::sync::Arc<crate::quotas::Quotas>,
    /// Projects, applications and memberships.
    pub account: std::sync::Arc<AccountState>,
    /// OAuth2 grants, whose access tokens the identity API validates.
    pub oauth2: std::sync::Arc<crate::oauth2::OAuth2State>,
}

impl crate::identity::HasIdentity for AstakosService {
    fn identity(&self) -> &crate::identity::Identity {
        &self.identity
    }
}

/// The routes of projects, memberships, quotas, resources and commissions,
/// merged into the account router.
pub fn router() -> Router<AstakosService> {
    Router::new()
        .route("/resources", get(quotas::resources))
        .route("/quotas", get(quotas::quotas))
        .route("/service_quotas", get(quotas::service_quotas))
        .route(
            "/service_project_quotas",
            get(quotas::service_project_quotas),
        )
        .route(
            "/commissions",
            get(quotas::pending_commissions).post(quotas::issue_commission),
        )
        .route("/commissions/action", post(quotas::resolve_commissions))
        .route("/commissions/{serial}", get(quotas::get_commission))
        .route(
            "/commissions/{serial}/action",
            post(quotas::commission_action),
        )
        .route(
            "/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route(
            "/projects/memberships",
            get(memberships::list_memberships).post(memberships::post_memberships),
        )
        .route(
            "/projects/memberships/{id}",
            get(memberships::get_membership),
        )
        .route(
            "/projects/memberships/{id}/action",
            post(memberships::membership_action),
        )
        .route(
            "/projects/{id}",
            get(projects::get_project).put(projects::modify_project),
        )
        .route("/projects/{id}/action", post(projects::project_action))
}

/// The state of projects, applications and memberships.
#[derive(Debug, Default)]
pub struct AccountState {
    registry: Mutex<Registry>,
}

/// Everything the account API keeps, behind one lock. A snapshot holds all
/// of it but the project admins, who are named at start.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Registry {
    pub(crate) projects: BTreeMap<String, projects::Project>,
    pub(crate) applications: BTreeMap<u64, projects::Application>,
    pub(crate) memberships: BTreeMap<u64, memberships::Membership>,
    pub(crate) last_application: u64,
    pub(crate) last_membership: u64,
    #[serde(skip)]
    pub(crate) admins: BTreeSet<String>,
    /// Users known, by uuid: their email.
    pub(crate) users: BTreeMap<String, String>,
    /// Default projects to give back to users' system projects: `(user,
    /// project)`, or every user of a terminated project when `user` is
    /// `None`. Applied by the handlers, which own the users' list.
    pub(crate) default_project_resets: Vec<(Option<String>, String)>,
}

impl AccountState {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The registry, with every user of `state` given a system project.
    pub(crate) fn registry(&self, state: &AstakosService) -> MutexGuard<'_, Registry> {
        let mut registry = self.lock();
        registry.ensure_users(&state.identity.all_users(), &state.quotas);
        registry
    }

    /// The state as JSON, for the data dir: projects, applications,
    /// memberships, the users known (who have their system project) and
    /// the id counters. The project admins are a start option and are left
    /// out.
    pub fn snapshot(&self) -> Value {
        let registry = self.lock().clone();
        // Cannot fail: maps have string or integer keys, and times are
        // written in a format that holds every representable time.
        serde_json::to_value(registry).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (start
    /// options kept: the project admins are the running ones).
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let mut restored: Registry = serde_json::from_value(snapshot)?;
        let mut registry = self.lock();
        restored.admins = std::mem::take(&mut registry.admins);
        *registry = restored;
        Ok(())
    }

    /// Makes a user a project admin: they see every project and membership,
    /// approve and deny applications, suspend and terminate projects.
    pub fn add_project_admin(&self, uuid: &str) {
        self.lock().admins.insert(uuid.to_string());
    }

    /// Whether a user is a project admin.
    pub fn is_project_admin(&self, uuid: &str) -> bool {
        self.lock().admins.contains(uuid)
    }

    /// Checks that `user` may make `project` their default one (an active
    /// project they are an accepted member of), as
    /// `POST /myaccount/default_project` does.
    pub fn validate_default_project(
        &self,
        state: &AstakosService,
        user: &User,
        project: &str,
    ) -> ApiResult<()> {
        self.registry(state)
            .validate_member_state(&user.uuid, project)
    }

    /// The ids of the projects a user is an accepted member of (their
    /// system project included).
    pub fn member_projects(&self, state: &AstakosService, uuid: &str) -> Vec<String> {
        let registry = self.registry(state);
        registry
            .memberships
            .values()
            .filter(|m| m.user == uuid && m.state.actually_accepted())
            .filter(|m| {
                registry
                    .projects
                    .get(&m.project)
                    .is_some_and(|p| p.state == ProjectState::Active)
            })
            .map(|m| m.project.clone())
            .collect()
    }

    /// A project as `GET /projects/<id>` shows it to an admin, if it exists.
    pub fn project_json(&self, state: &AstakosService, id: &str) -> Option<Value> {
        let registry = self.registry(state);
        let project = registry.projects.get(id)?;
        Some(registry.project_json(project, None))
    }
}

impl Registry {
    /// Gives each user a system project and its membership, once.
    fn ensure_users(&mut self, users: &[User], quotas: &Quotas) {
        for user in users {
            if self.users.contains_key(&user.uuid) {
                continue;
            }
            self.users.insert(user.uuid.clone(), user.email.clone());
            self.make_system_project(user, quotas);
        }
    }

    pub(crate) fn is_admin(&self, uuid: &str) -> bool {
        self.admins.contains(uuid)
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<String> {
        self.users
            .iter()
            .find(|(_, e)| e.as_str() == email)
            .map(|(uuid, _)| uuid.clone())
    }
}

/// The current time.
pub(crate) fn now() -> OffsetDateTime {
    crate::clock::now()
}

/// A time as Synnefo writes it: `2013-06-26T11:48:06.579100+00:00` (the
/// same rendering Cyclades uses).
pub fn isoformat(t: OffsetDateTime) -> String {
    crate::clock::iso(t)
}

/// The current time, written as Synnefo writes times.
pub fn now_iso() -> String {
    isoformat(now())
}

/// The JSON object of a request body.
pub(crate) fn json_body(body: &[u8]) -> ApiResult<serde_json::Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("Request should be a JSON dict")),
        Err(_) => Err(ApiError::bad_request("Invalid JSON data")),
    }
}

/// The one action named in a request body among `actions`, and its data.
pub(crate) fn get_action<'a>(
    actions: &[&'static str],
    body: &'a serde_json::Map<String, Value>,
) -> ApiResult<(&'static str, &'a Value)> {
    let mut found = None;
    for action in actions {
        if let Some(data) = body.get(*action) {
            if found.is_some() {
                return Err(ApiError::bad_request("Multiple actions not supported"));
            }
            found = Some((*action, data));
        }
    }
    found.ok_or_else(|| ApiError::bad_request("No recognized action"))
}

/// The message of a forbidden project operation.
pub(crate) const NOT_ALLOWED: &str = "You do not have the permissions to perform this action.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_format() {
        let t = crate::clock::parse_date("2031-02-03T04:05:06Z").unwrap();
        assert_eq!(isoformat(t), "2031-02-03T04:05:06.000000+00:00");
        let t = crate::clock::parse_date("2031-02-03T04:05:06.5+02:00").unwrap();
        assert_eq!(isoformat(t), "2031-02-03T02:05:06.500000+00:00");
        assert!(crate::clock::parse_date("2031-02-03T04:05:06").is_some());
        assert!(crate::clock::parse_date("2031-02-03").is_some());
        assert!(crate::clock::parse_date("tomorrow").is_none());
        assert!(crate::clock::parse_date("").is_none());
    }

    #[test]
    fn snapshots_round_trip_keeping_the_project_admins() {
        let state = AccountState::default();
        let quotas = Quotas::default();
        let alice = User::new("alice@example.org", "ta");
        state.add_project_admin("admin");
        {
            let mut registry = state.lock();
            registry.ensure_users(std::slice::from_ref(&alice), &quotas);
            let id = registry.new_membership("bob", &alice.uuid, MembershipState::Requested);
            if let Some(m) = registry.memberships.get_mut(&id) {
                m.set_state(MembershipState::LeaveRequested);
            }
        }
        let snapshot = state.snapshot();
        assert!(snapshot.get("admins").is_none(), "a start option");
        assert_eq!(snapshot["users"][&alice.uuid], "alice@example.org");
        assert_eq!(snapshot["projects"][&alice.uuid]["state"], "active");
        assert_eq!(snapshot["last_membership"], 2);
        let bob = &snapshot["memberships"]["2"];
        assert_eq!(bob["state"], "leave_requested");
        assert!(bob["dates"]["requested"].is_string());
        assert!(bob["dates"]["leave_requested"].is_string());

        let restored = AccountState::default();
        restored.add_project_admin("other");
        restored.restore(snapshot.clone()).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        assert!(restored.is_project_admin("other") && !restored.is_project_admin("admin"));
        let mut registry = restored.lock();
        let original = state.lock();
        assert_eq!(
            registry.memberships[&2].dates,
            original.memberships[&2].dates
        );
        assert_eq!(
            registry.projects[&alice.uuid].end_date,
            original.projects[&alice.uuid].end_date
        );
        assert_eq!(
            registry.new_membership("carol", &alice.uuid, MembershipState::Requested),
            3
        );

        let mut bad = snapshot;
        bad["memberships"]["2"]["dates"]["joined"] =
            bad["memberships"]["2"]["dates"]["requested"].clone();
        let error = AccountState::default().restore(bad).unwrap_err();
        assert!(
            error.to_string().contains("unknown membership state"),
            "{error}"
        );
    }
}
