//! The registry's project logic: system projects, who may see what,
//! applications (submitted, approved, denied, dismissed, cancelled), the
//! project state machine (suspend, unsuspend, terminate, reinstate) and
//! the quota each project grants.

use super::*;

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

    pub(super) fn has_accepted_membership(&self, project: &str, user: &str) -> bool {
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
    pub(super) fn application_json(&self, app: &Application) -> Value {
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
    pub(super) fn add_pending_app(
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
            .issue_commission(
                "astakos",
                provisions,
                "",
                force,
                true,
                crate::account::now_iso(),
            )
            .map(|_| ())
            .map_err(|e| {
                ApiError::conflict(format!(
                    "You have reached the maximum number of pending project applications: {}.",
                    e.limit.unwrap_or(0)
                ))
            })
    }

    pub(super) fn release_pending_app(applicant: &str, quotas: &Quotas) {
        quotas.release(applicant, applicant, &[("astakos.pending_app", 1)]);
    }

    /// `POST /projects` and `PUT /projects/<id>`: records an application
    /// and answers `(project id, application id)`.
    pub(super) fn submit_application(
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
                    max_members: request
                        .max_members
                        .unwrap_or(crate::account::PRACTICALLY_INFINITE),
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
                Some(crate::account::PRACTICALLY_INFINITE)
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
    pub(super) fn project_state_action(
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
    pub(super) fn reset_default_projects(&mut self, id: &str) {
        self.default_project_resets.push((None, id.to_string()));
    }

    pub(super) fn check_conflicting_name(&self, id: &str, name: &str) -> ApiResult<()> {
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
    pub(super) fn application_action(
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
                            crate::account::PRACTICALLY_INFINITE
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

pub(super) fn apply_modifications(project: &mut Project, app: &Application) {
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
