//! The Astakos account API of the emulator, over HTTP: resources, quotas,
//! projects and their applications, memberships, commissions.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use synnefo_emu::{Emulator, User};

struct Cloud {
    emu: Emulator,
    http: reqwest::Client,
    account: String,
}

impl Cloud {
    async fn start() -> Cloud {
        // reqwest is built without a default TLS provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let emu = Emulator::builder()
            .user("owner@example.org", "owner-token")
            .user("admin@example.org", "admin-token")
            .user("member@example.org", "member-token")
            .component("cyclades", "cyclades-service-token")
            .component("pithos", "other-service-token")
            .start()
            .await
            .unwrap();
        let admin = emu.users()[1].uuid.clone();
        emu.state().account.add_project_admin(&admin);
        let account = emu.endpoint_url("account").unwrap();
        Cloud {
            emu,
            http: reqwest::Client::new(),
            account,
        }
    }

    fn user(&self, i: usize) -> User {
        self.emu.users()[i].clone()
    }

    async fn call(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/{path}", self.account));
        if let Some(token) = token {
            req = req.header("X-Auth-Token", token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply = req.send().await.unwrap();
        let status = reply.status();
        let bytes = reply.bytes().await.unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, value)
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(token), Method::GET, path, None).await
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Some(token), Method::POST, path, Some(body)).await
    }

    /// Applies for a project as `token` and has the admin approve it.
    async fn approved_project(&self, token: &str, spec: Value) -> String {
        let (status, created) = self.post(token, "projects", spec).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_string();
        let app = created["application"].as_u64().unwrap();
        let (status, body) = self
            .post(
                "admin-token",
                &format!("projects/{id}/action"),
                json!({"approve": {"reason": "fine", "app_id": app}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }
}

fn spec(name: &str, join: &str, vms: (u64, u64)) -> Value {
    json!({
        "name": name,
        "description": "a project",
        "homepage": "https://example.org",
        "end_date": "2099-01-01T00:00:00Z",
        "join_policy": join,
        "leave_policy": "auto",
        "max_members": 10,
        "resources": {"cyclades.vm": {"member_capacity": vms.0, "project_capacity": vms.1}},
    })
}

fn fault<'a>(body: &'a Value, name: &str) -> &'a str {
    body[name]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} fault in {body}"))
}

#[tokio::test]
async fn resources_are_listed_without_a_token() {
    let cloud = Cloud::start().await;
    let (status, body) = cloud.call(None, Method::GET, "resources", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["cyclades.vm"]["service"], "cyclades_compute");
    assert_eq!(body["cyclades.ram"]["unit"], "bytes");
    assert_eq!(body["cyclades.vm"]["unit"], Value::Null);
    assert_eq!(body["pithos.diskspace"]["api_visible"], true);
    assert!(
        body.get("astakos.pending_app").is_none(),
        "hidden resources stay hidden"
    );
    assert!(body.get("cyclades.total_cpu").is_none());
}

#[tokio::test]
async fn each_user_has_a_system_project_with_default_quotas() {
    let cloud = Cloud::start().await;
    let owner = cloud.user(0);
    let (status, body) = cloud.call(None, Method::GET, "quotas", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let (status, quotas) = cloud.get("owner-token", "quotas").await;
    assert_eq!(status, StatusCode::OK);
    let mine = quotas.as_object().unwrap();
    assert_eq!(mine.len(), 1, "{quotas}");
    let vm = &quotas[&owner.uuid]["cyclades.vm"];
    assert_eq!(vm["limit"], 10);
    assert_eq!(vm["usage"], 0);
    assert_eq!(vm["project_limit"], 10);
    assert!(quotas[&owner.uuid].get("astakos.pending_app").is_none());

    let (_, project) = cloud
        .get("owner-token", &format!("projects/{}", owner.uuid))
        .await;
    assert_eq!(project["system_project"], true);
    assert_eq!(project["state"], "active");
    assert_eq!(project["join_policy"], "closed");
    assert_eq!(project["owner"], Value::Null);
    assert_eq!(project["name"], format!("system:{}", owner.uuid));
    assert_eq!(project["resources"]["cyclades.vm"]["member_capacity"], 10);

    // A private system project is not another user's business.
    let (status, _) = cloud
        .get("member-token", &format!("projects/{}", owner.uuid))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // What services charge shows in the report.
    cloud
        .emu
        .state()
        .quotas
        .charge(&owner.uuid, &owner.uuid, &[("cyclades.vm", 2)])
        .unwrap();
    let (_, quotas) = cloud.get("owner-token", "quotas").await;
    assert_eq!(quotas[&owner.uuid]["cyclades.vm"]["usage"], 2);
    assert_eq!(quotas[&owner.uuid]["cyclades.vm"]["project_usage"], 2);
}

#[tokio::test]
async fn a_project_is_applied_for_approved_joined_and_charged() {
    let cloud = Cloud::start().await;
    let owner = cloud.user(0);
    let member = cloud.user(2);
    let quotas = &cloud.emu.state().quotas;

    let (status, created) = cloud
        .post(
            "owner-token",
            "projects",
            spec("course.example.org", "auto", (2, 3)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let app = created["application"].as_u64().unwrap();

    let (_, project) = cloud.get("owner-token", &format!("projects/{id}")).await;
    assert_eq!(project["state"], "uninitialized");
    assert_eq!(project["owner"], owner.uuid);
    assert_eq!(project["last_application"]["state"], "pending");
    assert_eq!(project["last_application"]["applicant"], owner.uuid);
    assert_eq!(project["last_application"]["id"], app);
    // A pending application counts against the applicant's quota.
    assert_eq!(
        quotas.usage(&owner.uuid, &owner.uuid, "astakos.pending_app"),
        1
    );

    // Only a project admin approves.
    let approve = json!({"approve": {"reason": "", "app_id": app}});
    let (status, body) = cloud
        .post(
            "owner-token",
            &format!("projects/{id}/action"),
            approve.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = cloud
        .post(
            "admin-token",
            &format!("projects/{id}/action"),
            approve.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = cloud
        .post("admin-token", &format!("projects/{id}/action"), approve)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fault(&body, "conflict"),
        format!("Cannot approve application {app} in state 'Approved'")
    );
    assert_eq!(
        quotas.usage(&owner.uuid, &owner.uuid, "astakos.pending_app"),
        0
    );

    let (_, project) = cloud.get("member-token", &format!("projects/{id}")).await;
    assert_eq!(project["state"], "active");
    assert!(
        project.get("last_application").is_none(),
        "only owners see it"
    );
    assert_eq!(project["resources"]["cyclades.vm"]["project_capacity"], 3);
    assert_eq!(project["resources"]["cyclades.ram"]["project_capacity"], 0);

    // Owning a project is not being a member of it.
    let err = quotas
        .charge(&owner.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            400,
            format!("User {} not in project {id}", owner.uuid).as_str()
        )
    );

    for token in ["owner-token", "member-token"] {
        let (status, joined) = cloud
            .post(
                token,
                "projects/memberships",
                json!({"join": {"project": id}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{joined}");
        assert!(joined["id"].as_u64().is_some());
    }
    let (_, mine) = cloud.get("member-token", "quotas").await;
    assert_eq!(mine[&id]["cyclades.vm"]["limit"], 2);
    assert_eq!(mine[&id]["cyclades.vm"]["project_limit"], 3);

    quotas
        .charge(&member.uuid, &id, &[("cyclades.vm", 2)])
        .unwrap();
    let err = quotas
        .charge(&member.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap_err();
    assert_eq!(err.code, 413, "the member limit");
    quotas
        .charge(&owner.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap();
    let err = quotas
        .charge(&owner.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap_err();
    assert_eq!(err.code, 413, "the project limit");
    let (_, mine) = cloud.get("owner-token", "quotas").await;
    assert_eq!(mine[&id]["cyclades.vm"]["usage"], 1);
    assert_eq!(mine[&id]["cyclades.vm"]["project_usage"], 3);

    // Joining twice is refused; system projects are closed.
    let (status, body) = cloud
        .post(
            "member-token",
            "projects/memberships",
            json!({"join": {"project": id}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fault(&body, "conflict"),
        "Request or membership already exists."
    );
    let (status, _) = cloud
        .post(
            "member-token",
            "projects/memberships",
            json!({"join": {"project": owner.uuid}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = cloud
        .post(
            "member-token",
            "projects/memberships",
            json!({"join": {"project": "nope"}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn moderated_memberships_follow_the_owner() {
    let cloud = Cloud::start().await;
    let member = cloud.user(2);
    let id = cloud
        .approved_project("owner-token", spec("lab.example.org", "moderated", (1, 5)))
        .await;

    let (_, joined) = cloud
        .post(
            "member-token",
            "projects/memberships",
            json!({"join": {"project": id}}),
        )
        .await;
    let memb = joined["id"].as_u64().unwrap();
    let (_, seen) = cloud
        .get("member-token", &format!("projects/memberships/{memb}"))
        .await;
    assert_eq!(seen["state"], "requested");
    assert_eq!(seen["user"], member.uuid);
    assert_eq!(seen["project"], id);
    assert_eq!(seen["allowed_actions"], json!(["cancel"]));
    assert!(seen["requested"].as_str().unwrap().ends_with("+00:00"));
    let (_, seen) = cloud
        .get("owner-token", &format!("projects/memberships/{memb}"))
        .await;
    assert_eq!(seen["allowed_actions"], json!(["accept", "reject"]));
    let (status, _) = cloud
        .get("admin-token", &format!("projects/memberships/{memb}"))
        .await;
    assert_eq!(status, StatusCode::OK, "admins see every membership");
    let (status, _) = cloud.get("owner-token", "projects/memberships/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Not a member yet: no quota there.
    assert!(cloud
        .emu
        .state()
        .quotas
        .charge(&member.uuid, &id, &[("cyclades.vm", 1)])
        .is_err());
    let (status, _) = cloud
        .post(
            "member-token",
            &format!("projects/memberships/{memb}/action"),
            json!({"accept": ""}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "members do not accept themselves"
    );
    let (status, _) = cloud
        .post(
            "owner-token",
            &format!("projects/memberships/{memb}/action"),
            json!({"accept": "welcome"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    cloud
        .emu
        .state()
        .quotas
        .charge(&member.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap();

    let (_, listed) = cloud
        .get("owner-token", &format!("projects/memberships?project={id}"))
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["state"], "accepted");
    assert_eq!(listed[0]["allowed_actions"], json!(["remove"]));
    let (_, listed) = cloud.get("member-token", "projects/memberships").await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "system and lab: {listed}"
    );

    // Leaving an auto-leave project removes at once; the quota goes to 0.
    let (status, _) = cloud
        .post(
            "member-token",
            &format!("projects/memberships/{memb}/action"),
            json!({"leave": "bye"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = cloud
        .get("member-token", &format!("projects/memberships/{memb}"))
        .await;
    assert_eq!(seen["state"], "removed");
    let (_, mine) = cloud.get("member-token", "quotas").await;
    assert!(mine.get(&id).is_none(), "{mine}");
    let err = cloud
        .emu
        .state()
        .quotas
        .charge(&member.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap_err();
    assert_eq!(err.code, 413);

    // The owner enrolls them back by email; unknown emails are refused.
    let (status, enrolled) = cloud
        .post(
            "owner-token",
            "projects/memberships",
            json!({"enroll": {"project": id, "user": "member@example.org"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    assert_eq!(enrolled["id"], memb);
    let (status, body) = cloud
        .post(
            "owner-token",
            "projects/memberships",
            json!({"enroll": {"project": id, "user": "nobody@example.org"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fault(&body, "conflict"),
        "Unknown users: nobody@example.org"
    );
    let (status, _) = cloud
        .post(
            "member-token",
            "projects/memberships",
            json!({"enroll": {"project": id, "user": "admin@example.org"}}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only owners enroll");

    // The owner removes; the member asks again and is rejected; asks
    // again and cancels.
    let act = |token: &'static str, action: &'static str| {
        let path = format!("projects/memberships/{memb}/action");
        let cloud = &cloud;
        async move { cloud.post(token, &path, json!({action: ""})).await.0 }
    };
    assert_eq!(act("owner-token", "remove").await, StatusCode::OK);
    assert_eq!(act("owner-token", "remove").await, StatusCode::CONFLICT);
    let join = json!({"join": {"project": id}});
    cloud
        .post("member-token", "projects/memberships", join.clone())
        .await;
    assert_eq!(act("owner-token", "reject").await, StatusCode::OK);
    cloud
        .post("member-token", "projects/memberships", join)
        .await;
    assert_eq!(act("member-token", "cancel").await, StatusCode::OK);
    let (_, seen) = cloud
        .get("owner-token", &format!("projects/memberships/{memb}"))
        .await;
    assert_eq!(seen["state"], "cancelled");
    for state in ["requested", "accepted", "removed", "rejected", "cancelled"] {
        assert!(seen.get(state).is_some(), "date of {state} in {seen}");
    }
    let (status, body) = cloud
        .post(
            "owner-token",
            &format!("projects/memberships/{memb}/action"),
            json!({"dance": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fault(&body, "badRequest"), "No recognized action");
}

#[tokio::test]
async fn admins_suspend_terminate_and_reinstate_projects() {
    let cloud = Cloud::start().await;
    let owner = cloud.user(0);
    let quotas = &cloud.emu.state().quotas;
    let id = cloud
        .approved_project("owner-token", spec("ops.example.org", "auto", (5, 5)))
        .await;
    cloud
        .post(
            "owner-token",
            "projects/memberships",
            json!({"join": {"project": id}}),
        )
        .await;
    quotas
        .charge(&owner.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap();

    // Owners cannot; admins can.
    let action = |a: &str| json!({a: {"reason": "because"}});
    let path = format!("projects/{id}/action");
    let (status, _) = cloud.post("owner-token", &path, action("suspend")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = cloud.post("admin-token", &path, action("suspend")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, project) = cloud.get("owner-token", &format!("projects/{id}")).await;
    assert_eq!(project["state"], "suspended");
    assert!(project["deactivation_date"].is_string());
    assert_eq!(
        quotas
            .charge(&owner.uuid, &id, &[("cyclades.vm", 1)])
            .unwrap_err()
            .code,
        413
    );
    let (status, body) = cloud.post("admin-token", &path, action("suspend")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fault(&body, "conflict"),
        format!("Project {id} is suspended.")
    );
    let (status, _) = cloud.post("admin-token", &path, action("unsuspend")).await;
    assert_eq!(status, StatusCode::OK);
    quotas
        .charge(&owner.uuid, &id, &[("cyclades.vm", 1)])
        .unwrap();
    assert_eq!(
        quotas.usage(&owner.uuid, &id, "cyclades.vm"),
        2,
        "usage survives"
    );

    // A default project that is terminated falls back to the system one.
    let (status, _) = cloud
        .post(
            "owner-token",
            "myaccount/default_project",
            json!({"project_id": id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cloud.emu.users()[0].default_project, id);
    let (status, _) = cloud.post("admin-token", &path, action("terminate")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cloud.emu.users()[0].default_project, owner.uuid);
    let (_, project) = cloud.get("owner-token", &format!("projects/{id}")).await;
    assert_eq!(project["state"], "terminated");
    let (status, _) = cloud.post("admin-token", &path, action("reinstate")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, project) = cloud.get("owner-token", &format!("projects/{id}")).await;
    assert_eq!(project["state"], "active");

    // System projects are not terminated.
    let (status, body) = cloud
        .post(
            "admin-token",
            &format!("projects/{}/action", owner.uuid),
            action("terminate"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fault(&body, "conflict"),
        format!("Cannot terminate: {} is a system project.", owner.uuid)
    );
    let (status, _) = cloud
        .post("admin-token", "projects/nope/action", action("suspend"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn applications_are_denied_dismissed_cancelled_and_replaced() {
    let cloud = Cloud::start().await;
    let (_, created) = cloud
        .post(
            "owner-token",
            "projects",
            spec("denied.example.org", "auto", (1, 1)),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let app = created["application"].as_u64().unwrap();
    let path = format!("projects/{id}/action");
    let (status, _) = cloud
        .post("owner-token", &path, json!({"deny": {"app_id": app}}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = cloud
        .post(
            "admin-token",
            &path,
            json!({"deny": {"reason": "no", "app_id": app}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = cloud
        .post("owner-token", &path, json!({"dismiss": {"app_id": app}}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, project) = cloud.get("owner-token", &format!("projects/{id}")).await;
    assert_eq!(project["state"], "deleted");
    assert_eq!(project["last_application"]["state"], "dismissed");

    let (_, created) = cloud
        .post(
            "owner-token",
            "projects",
            spec("cancelled.example.org", "auto", (1, 1)),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let app = created["application"].as_u64().unwrap();
    let (status, body) = cloud
        .post(
            "owner-token",
            &format!("projects/{id}/action"),
            json!({"cancel": {"app_id": app + 100}}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = cloud
        .post(
            "owner-token",
            &format!("projects/{id}/action"),
            json!({"cancel": {"app_id": app}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A modification is an application too; approving it applies it.
    let id = cloud
        .approved_project("owner-token", spec("grow.example.org", "auto", (1, 1)))
        .await;
    let (status, first) = cloud
        .call(
            Some("owner-token"),
            Method::PUT,
            &format!("projects/{id}"),
            Some(json!({"max_members": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (_, second) = cloud
        .call(
            Some("owner-token"),
            Method::PUT,
            &format!("projects/{id}"),
            Some(json!({"resources": {"cyclades.vm": {"member_capacity": 4, "project_capacity": 8}}})),
        )
        .await;
    assert_eq!(second["id"], id);
    let old = first["application"].as_u64().unwrap();
    let new = second["application"].as_u64().unwrap();
    let (status, body) = cloud
        .post(
            "admin-token",
            &format!("projects/{id}/action"),
            json!({"approve": {"app_id": old}}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a replaced application: {body}"
    );
    cloud
        .post(
            "admin-token",
            &format!("projects/{id}/action"),
            json!({"approve": {"app_id": new}}),
        )
        .await;
    let (_, project) = cloud.get("owner-token", &format!("projects/{id}")).await;
    assert_eq!(project["resources"]["cyclades.vm"]["member_capacity"], 4);
    assert_eq!(
        project["max_members"], 10,
        "the replaced application is not applied"
    );
    assert_eq!(project["name"], "grow.example.org");
    assert_eq!(project["last_application"]["max_members"], Value::Null);

    // Others may not modify; system projects have no owner, and even
    // admins do not rename them.
    let (status, _) = cloud
        .call(
            Some("member-token"),
            Method::PUT,
            &format!("projects/{id}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let system = format!("projects/{}", cloud.user(0).uuid);
    let rename = json!({"name": "mine.example.org"});
    let (status, _) = cloud
        .call(
            Some("owner-token"),
            Method::PUT,
            &system,
            Some(rename.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = cloud
        .call(Some("admin-token"), Method::PUT, &system, Some(rename))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn applications_are_validated() {
    let cloud = Cloud::start().await;
    let cases = [
        (json!({"end_date": "2099-01-01"}), "Name missing."),
        (json!({"name": "x.example.org"}), "Missing end date"),
        (
            json!({"name": "no dots", "end_date": "2099-01-01"}),
            "Project name should be in domain format",
        ),
        (
            json!({"name": "x.example.org", "end_date": "2001-01-01"}),
            "'end_date' must be in the future",
        ),
        (
            json!({"name": "x.example.org", "end_date": "soon"}),
            "Invalid end_date",
        ),
        (
            json!({"name": "x.example.org", "end_date": "2099-01-01", "join_policy": "maybe"}),
            "Invalid join policy",
        ),
        (
            json!({"name": "x.example.org", "end_date": "2099-01-01", "owner": "nobody"}),
            "User does not exist.",
        ),
        (
            json!({"name": "x.example.org", "end_date": "2099-01-01", "private": "yes"}),
            "private must be boolean",
        ),
        (
            json!({"name": "x.example.org", "end_date": "2099-01-01",
                   "resources": {"cyclades.vm": {"member_capacity": 2, "project_capacity": 1}}}),
            "Project quota limit is less than member limit for resource 'cyclades.vm'",
        ),
    ];
    for (body, message) in cases {
        let (status, reply) = cloud.post("owner-token", "projects", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(fault(&reply, "badRequest"), message, "{body}");
    }
    let (status, _) = cloud
        .call(Some("owner-token"), Method::POST, "projects", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Five pending applications at most.
    for i in 0..5 {
        let (status, _) = cloud
            .post(
                "owner-token",
                "projects",
                spec(&format!("p{i}.example.org"), "auto", (1, 1)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, body) = cloud
        .post(
            "owner-token",
            "projects",
            spec("p5.example.org", "auto", (1, 1)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        fault(&body, "conflict"),
        "You have reached the maximum number of pending project applications: 5."
    );
    // Admins are not held by that limit... and names are unique once approved.
    let id = cloud
        .approved_project("admin-token", spec("p0.example.org", "auto", (1, 1)))
        .await;
    let (_, projects) = cloud
        .get("owner-token", "projects?name=p0.example.org")
        .await;
    let pending = projects[0]["last_application"]["id"].as_u64().unwrap();
    let pid = projects[0]["id"].as_str().unwrap();
    let (status, body) = cloud
        .post(
            "admin-token",
            &format!("projects/{pid}/action"),
            json!({"approve": {"app_id": pending}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(fault(&body, "conflict").contains(&id), "{body}");
}

#[tokio::test]
async fn projects_are_listed_with_filters() {
    let cloud = Cloud::start().await;
    let owner = cloud.user(0);
    let public = cloud
        .approved_project("owner-token", spec("public.example.org", "auto", (1, 1)))
        .await;
    let (_, created) = cloud
        .post(
            "owner-token",
            "projects",
            spec("pending.example.org", "auto", (1, 1)),
        )
        .await;
    let pending = created["id"].as_str().unwrap().to_string();

    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // Default: owned or member of.
    let (_, mine) = cloud.get("owner-token", "projects").await;
    assert_eq!(
        ids(&mine),
        sorted(vec![owner.uuid.clone(), public.clone(), pending.clone()])
    );
    let (_, theirs) = cloud.get("member-token", "projects").await;
    assert_eq!(ids(&theirs), vec![cloud.user(2).uuid]);
    let (_, active) = cloud.get("member-token", "projects?mode=active").await;
    assert_eq!(ids(&active), vec![public.clone()]);
    let (_, member) = cloud.get("owner-token", "projects?mode=member").await;
    assert_eq!(
        ids(&member),
        vec![owner.uuid.clone()],
        "owning is not membership"
    );
    let (_, uninit) = cloud
        .get("owner-token", "projects?state=uninitialized")
        .await;
    assert_eq!(ids(&uninit), vec![pending.clone()]);
    let (_, named) = cloud
        .get("owner-token", "projects?name=public.example.org")
        .await;
    assert_eq!(ids(&named), vec![public.clone()]);
    let (_, owned) = cloud
        .get("owner-token", &format!("projects?owner={}", owner.uuid))
        .await;
    assert_eq!(ids(&owned), sorted(vec![public, pending]));
    let (_, all) = cloud.get("admin-token", "projects").await;
    assert_eq!(all.as_array().unwrap().len(), 5, "admins see all: {all}");

    let (status, body) = cloud.get("owner-token", "projects?state=happy").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(fault(&body, "badRequest"), "Unrecognized state happy");
    let (status, _) = cloud.get("owner-token", "projects?mode=weird").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn service_quotas_report_users_and_projects() {
    let cloud = Cloud::start().await;
    let owner = cloud.user(0);
    // A component's calls: a user's token, even an admin's, is refused.
    for path in ["service_quotas", "service_project_quotas", "commissions"] {
        let (status, body) = cloud.get("admin-token", path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(fault(&body, "unauthorized"), "Invalid X-Auth-Token");
        let (status, body) = cloud.call(None, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            fault(&body, "unauthorized"),
            "Access denied. No authentication token"
        );
    }
    let service = cloud.emu.service_token();
    let service = service.as_str();
    let (status, all) = cloud.get(service, "service_quotas").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all.as_object().unwrap().len(), 3);
    // The default component is Cyclades: its services' resources only.
    let own = &all[&owner.uuid][&owner.uuid];
    assert!(own["cyclades.vm"]["limit"].is_u64(), "{own}");
    assert!(own.get("astakos.pending_app").is_none(), "{own}");
    assert!(own.get("pithos.diskspace").is_none(), "{own}");
    let (_, one) = cloud
        .get(service, &format!("service_quotas?user={}", owner.uuid))
        .await;
    assert_eq!(one.as_object().unwrap().len(), 1);
    let (status, body) = cloud.get(service, "service_quotas?user=ghost").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(fault(&body, "itemNotFound"), "No user with UUID 'ghost'");

    let (_, projects) = cloud
        .get(
            service,
            &format!("service_project_quotas?project={}", owner.uuid),
        )
        .await;
    assert_eq!(projects[&owner.uuid]["cyclades.vm"]["project_limit"], 10);
    assert!(projects[&owner.uuid]["cyclades.vm"].get("limit").is_none());
    let (status, _) = cloud
        .get(service, "service_project_quotas?project=ghost")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn commissions_are_issued_and_resolved() {
    let cloud = Cloud::start().await;
    let owner = cloud.user(0);
    let service = cloud.emu.service_token();
    let service = service.as_str();
    let u = &owner.uuid;
    let provisions = |quantity: i64| {
        json!([
            {"holder": format!("user:{u}"), "source": format!("project:{u}"), "resource": "cyclades.vm", "quantity": quantity},
            {"holder": format!("project:{u}"), "source": null, "resource": "cyclades.vm", "quantity": quantity},
        ])
    };
    let (status, issued) = cloud
        .post(
            service,
            "commissions",
            json!({"name": "two vms", "provisions": provisions(2)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let serial = issued["serial"].as_u64().unwrap();
    let (_, pending) = cloud.get(service, "commissions").await;
    assert_eq!(pending, json!([serial]));
    let (_, others) = cloud.get("other-service-token", "commissions").await;
    assert_eq!(others, json!([]), "commissions are per component");
    let (_, info) = cloud.get(service, &format!("commissions/{serial}")).await;
    assert_eq!(info["name"], "two vms");
    assert_eq!(info["provisions"].as_array().unwrap().len(), 2);
    assert!(info["issue_time"].is_string());
    let (_, quotas) = cloud.get("owner-token", "quotas").await;
    assert_eq!(quotas[u]["cyclades.vm"]["pending"], 2);
    assert_eq!(quotas[u]["cyclades.vm"]["usage"], 2);

    let (status, _) = cloud
        .post(
            service,
            &format!("commissions/{serial}/action"),
            json!({"accept": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = cloud
        .post(
            service,
            &format!("commissions/{serial}/action"),
            json!({"accept": ""}),
        )
        .await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, Value::Null));
    let (status, body) = cloud.get(service, &format!("commissions/{serial}")).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, Value::Null));
    let (status, _) = cloud
        .post(
            service,
            &format!("commissions/{serial}/action"),
            json!({"accept": "", "reject": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, quotas) = cloud.get("owner-token", "quotas").await;
    assert_eq!(quotas[u]["cyclades.vm"]["pending"], 0);

    // Several at once.
    let mut serials = Vec::new();
    for _ in 0..3 {
        let (_, issued) = cloud
            .post(service, "commissions", json!({"provisions": provisions(1)}))
            .await;
        serials.push(issued["serial"].as_u64().unwrap());
    }
    let (status, resolved) = cloud
        .post(
            service,
            "commissions/action",
            json!({"accept": [serials[0], serials[1]], "reject": [serials[1], serials[2], 999]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(resolved["accepted"], json!([serials[0]]));
    assert_eq!(resolved["rejected"], json!([serials[2]]));
    let failed = resolved["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 2, "{resolved}");
    assert!(failed
        .iter()
        .any(|f| f[0] == 999 && f[1]["itemNotFound"]["code"] == 404));
    assert!(failed
        .iter()
        .any(|f| f[0] == serials[1] && f[1]["badRequest"]["code"] == 400));
    assert_eq!(
        cloud.emu.state().quotas.usage(u, u, "cyclades.vm"),
        4,
        "2 + 1 + 1 still pending"
    );

    // Over the limit, with the data services need.
    let (status, body) = cloud
        .post(
            service,
            "commissions",
            json!({"provisions": provisions(7), "auto_accept": true}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["overLimit"]["data"]["name"], "NoCapacityError");
    assert_eq!(body["overLimit"]["data"]["limit"], 10);
    assert_eq!(body["overLimit"]["data"]["usage"], 4);
    assert_eq!(body["overLimit"]["data"]["provision"]["quantity"], 7);
    let (status, body) = cloud
        .post(
            service,
            "commissions",
            json!({"provisions": [{"holder": "user:x", "source": "project:y", "resource": "cyclades.vm", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["itemNotFound"]["data"]["name"], "NoHoldingError");
    for (bad, message) in [
        (json!({}), "Provisions are missing."),
        (json!({"provisions": {}}), "Provisions should be a list."),
        (
            json!({"provisions": [], "force": 1}),
            "\"force\" option should be a boolean.",
        ),
        (json!({"provisions": [{"holder": "user:x"}]}), ""),
    ] {
        let (status, body) = cloud.post(service, "commissions", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(fault(&body, "badRequest").starts_with(message), "{body}");
    }
}

#[tokio::test]
async fn the_default_project_must_be_an_active_membership() {
    let cloud = Cloud::start().await;
    let id = cloud
        .approved_project("owner-token", spec("home.example.org", "moderated", (1, 1)))
        .await;
    let set = |token: &'static str, body: Value| {
        let cloud = &cloud;
        async move { cloud.post(token, "myaccount/default_project", body).await }
    };
    let (status, body) = set("member-token", json!({"project_id": id})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = set("member-token", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = set("member-token", json!({"project_id": "ghost"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, joined) = cloud
        .post(
            "member-token",
            "projects/memberships",
            json!({"join": {"project": id}}),
        )
        .await;
    let (status, _) = set("member-token", json!({"project_id": id})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "requested is not accepted");
    cloud
        .post(
            "owner-token",
            &format!("projects/memberships/{}/action", joined["id"]),
            json!({"accept": ""}),
        )
        .await;
    let (status, _) = set("member-token", json!({"project_id": id})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cloud.emu.users()[2].default_project, id);
    // Removed members get their system project back.
    cloud
        .post(
            "owner-token",
            &format!("projects/memberships/{}/action", joined["id"]),
            json!({"remove": ""}),
        )
        .await;
    assert_eq!(cloud.emu.users()[2].default_project, cloud.user(2).uuid);
}
