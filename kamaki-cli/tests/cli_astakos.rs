//! The Astakos groups of `kamaki` (quota, resource, project, membership,
//! service, commission, and user add/select/delete) against the emulator.

mod common;

use common::{assert_one_line_error, env_for, json, kamaki, ok, stderr, stdout, succeeds, Env};
use serde_json::Value;
use synnefo_emu::Emulator;

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("owner@example.com", "owner-token")
        .user("friend@example.com", "friend-token")
        .user("third@example.com", "third-token")
        .project_admin("owner@example.com")
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn project_admins_must_be_users() {
    let refused = Emulator::builder()
        .user("owner@example.com", "owner-token")
        .project_admin("ghost@example.com")
        .start()
        .await;
    assert!(
        matches!(refused, Err(synnefo_emu::EmuError::ProjectAdmin(e)) if e == "ghost@example.com")
    );
    let emu = emulator().await;
    let admins: Vec<bool> = emu
        .users()
        .iter()
        .map(|u| emu.state().account.is_project_admin(&u.uuid))
        .collect();
    assert_eq!(admins, [true, false, false]);
}

#[tokio::test(flavor = "multi_thread")]
async fn quotas_and_resources() {
    let emu = emulator().await;
    let env = env_for(&emu, "owner-token");
    let me = emu.users()[0].uuid.clone();

    let text = ok(&env, &["quota", "list"]).await;
    assert!(text.starts_with(&format!("{me}:\n")), "{text}");
    assert!(
        text.contains("    cyclades.ram:\n        limit: "),
        "{text}"
    );
    assert!(text.contains(" GiB\n"), "sizes are human-readable: {text}");

    let text = ok(
        &env,
        &[
            "quota",
            "list",
            "--resource",
            "pithos",
            "--bytes",
            "--project-id",
            &me,
        ],
    )
    .await;
    assert!(text.contains("pithos.diskspace:"), "{text}");
    assert!(!text.contains("cyclades"), "{text}");
    assert!(!text.contains("GiB"), "--bytes: {text}");

    let quotas = json(&env, &["quota", "list"]).await;
    assert!(quotas[&me]["cyclades.disk"]["limit"].is_u64(), "{quotas}");
    assert!(quotas[&me]["cyclades.vm"]["usage"].is_u64());

    let out = kamaki(&env, &["quota", "list", "--project-id", "nowhere"]).await;
    assert_one_line_error(&out, &["not assigned to project", "nowhere"]);
    let out = kamaki(&env, &["quota", "list", "--resource", "nothing."]).await;
    assert_one_line_error(&out, &["Resource \"nothing.\" not found"]);

    let resources = json(&env, &["resource", "list"]).await;
    assert_eq!(resources["cyclades.vm"]["service"], "cyclades_compute");
    let text = ok(&env, &["resource", "list"]).await;
    assert!(text.contains("pithos.diskspace:\n"), "{text}");
}

/// The application id a create or modify printed.
fn application(reply: &Value) -> String {
    reply["application"]
        .as_u64()
        .expect("an application id")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_and_memberships() {
    let emu = emulator().await;
    let owner = env_for(&emu, "owner-token");
    let friend = env_for(&emu, "friend-token");
    let third = env_for(&emu, "third-token");

    // An application by options, then approval by the project admin.
    let out = succeeds(
        &owner,
        &[
            "project",
            "create",
            "--name",
            "course.example.org",
            "--end-date",
            "2031-06-30",
            "--description",
            "A course",
            "--join-policy",
            "Moderated",
            "--leave-policy",
            "auto",
            "--max-members",
            "10",
            "--resource",
            "cyclades.vm=1,5",
            "--output-format",
            "json",
        ],
    )
    .await;
    assert!(stderr(&out).contains("Application is submitted successfully"));
    let created: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let project = created["id"].as_str().unwrap().to_string();
    ok(
        &owner,
        &[
            "project",
            "approve",
            &project,
            "--app-id",
            &application(&created),
        ],
    )
    .await;

    let info = json(&owner, &["project", "info", &project]).await;
    assert_eq!(info["state"], "active");
    assert_eq!(info["join_policy"], "moderated");
    assert_eq!(info["resources"]["cyclades.vm"]["project_capacity"], 5);
    assert_eq!(info["end_date"].as_str().unwrap()[..10], *"2031-06-30");

    let text = ok(&owner, &["project", "list"]).await;
    assert!(
        text.contains(&format!(
            "{project} course.example.org\n    description: A course"
        )),
        "{text}"
    );
    let listed = json(
        &owner,
        &["project", "list", "--with-name", "course.example.org"],
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], project.as_str(), "JSON lists every field");
    assert_eq!(listed[0]["state"], "active");

    // Join (moderated), accept, leave.
    let joined = ok(&friend, &["project", "join", &project]).await;
    let m1 = joined.trim().to_string();
    assert!(m1.parse::<u64>().is_ok(), "{joined}");
    assert_eq!(
        json(&friend, &["membership", "info", &m1]).await["state"],
        "requested"
    );
    ok(
        &owner,
        &["membership", "accept", &m1, "--reason", "welcome"],
    )
    .await;
    let members = json(&owner, &["membership", "list", "--project-id", &project]).await;
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"].as_u64() == m1.parse().ok() && m["state"] == "accepted"),
        "{members}"
    );
    let text = ok(&friend, &["membership", "list"]).await;
    assert!(text.contains(&format!("{m1}\n")), "{text}");
    ok(&friend, &["membership", "leave", &m1]).await;

    // A request cancelled by the member, one rejected by the owner, an
    // enrolment removed by the owner.
    let m2 = ok(&third, &["project", "join", &project])
        .await
        .trim()
        .to_string();
    ok(&third, &["membership", "cancel", &m2]).await;
    assert_eq!(
        json(&third, &["membership", "info", &m2]).await["state"],
        "cancelled"
    );
    let m3 = ok(&friend, &["project", "join", &project])
        .await
        .trim()
        .to_string();
    ok(&owner, &["membership", "reject", &m3]).await;
    assert_eq!(
        json(&owner, &["membership", "info", &m3]).await["state"],
        "rejected"
    );
    let m4 = ok(
        &owner,
        &[
            "project",
            "enroll",
            &project,
            "--email",
            "third@example.com",
        ],
    )
    .await
    .trim()
    .to_string();
    assert_eq!(
        json(&third, &["membership", "info", &m4]).await["state"],
        "accepted"
    );
    ok(
        &owner,
        &["membership", "remove", &m4, "--reason", "course over"],
    )
    .await;
    assert_eq!(
        json(&owner, &["membership", "info", &m4]).await["state"],
        "removed"
    );

    // kamaki dropped --private on modify; it reaches the application here.
    let out = succeeds(
        &owner,
        &[
            "project",
            "modify",
            &project,
            "--private",
            "--max-members",
            "4",
            "--output-format",
            "json",
        ],
    )
    .await;
    let modified: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let info = json(&owner, &["project", "info", &project]).await;
    assert_eq!(info["last_application"]["private"], true, "{info}");
    assert_eq!(info["last_application"]["max_members"], 4);
    ok(
        &owner,
        &[
            "project",
            "deny",
            &project,
            "--app-id",
            &application(&modified),
            "--reason",
            "no",
        ],
    )
    .await;
    ok(
        &owner,
        &[
            "project",
            "dismiss",
            &project,
            "--app-id",
            &application(&modified),
        ],
    )
    .await;
    let out = kamaki(&owner, &["project", "modify", &project]).await;
    assert_one_line_error(&out, &["Nothing to modify"]);

    // An application from a spec file, cancelled by its applicant.
    let spec = friend.home.join("spec.json");
    std::fs::write(&spec, r#"{"name": "spec.example.org", "end_date": "2032-01-01T00:00:00Z", "comments": "from a file"}"#).unwrap();
    let applied = json(
        &friend,
        &[
            "project",
            "create",
            "--spec-file",
            spec.to_str().unwrap(),
            "--homepage",
            "http://example.org",
        ],
    )
    .await;
    let pending = applied["id"].as_str().unwrap().to_string();
    let info = json(&friend, &["project", "info", &pending]).await;
    assert_eq!(info["last_application"]["comments"], "from a file");
    assert_eq!(info["last_application"]["homepage"], "http://example.org");
    ok(
        &friend,
        &[
            "project",
            "cancel",
            &pending,
            "--app-id",
            &application(&applied),
        ],
    )
    .await;

    // The life cycle, by the admin.
    for (action, state) in [
        ("suspend", "suspended"),
        ("unsuspend", "active"),
        ("terminate", "terminated"),
        ("reinstate", "active"),
    ] {
        ok(&owner, &["project", action, &project, "--reason", "test"]).await;
        assert_eq!(
            json(&owner, &["project", "info", &project]).await["state"],
            state,
            "{action}"
        );
    }

    // Errors: one line, the status, and what to do.
    let out = kamaki(&owner, &["project", "info", "no-such-project"]).await;
    assert_one_line_error(
        &out,
        &[
            "No project with ID no-such-project",
            "404",
            "kamaki project list",
        ],
    );
    let out = kamaki(&friend, &["project", "suspend", &project]).await;
    assert_one_line_error(
        &out,
        &["Not allowed on project", "409", "kamaki project info"],
    );
    let out = kamaki(&owner, &["membership", "info", "999"]).await;
    assert_one_line_error(&out, &["No membership with ID 999", "404"]);
    let out = kamaki(&owner, &["membership", "leave", "x"]).await;
    assert_one_line_error(&out, &["Invalid membership id"]);
    let out = kamaki(&owner, &["project", "create", "--name", "x.example.org"]).await;
    assert_one_line_error(&out, &["--end-date"]);
    let out = kamaki(
        &owner,
        &[
            "project",
            "create",
            "--name",
            "x.example.org",
            "--end-date",
            "2030-01-01",
            "--resource",
            "cyclades.vm=5,1",
        ],
    )
    .await;
    assert_ne!(
        out.status.code(),
        Some(0),
        "member capacity over project capacity"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn services_and_commissions() {
    let emu = emulator().await;
    let env = env_for(&emu, "owner-token");
    // Commissions are a service's: its token is the cloud's token there,
    // as kamaki's commission commands send the cloud's token.
    let service_token = emu.service_token();
    let service = env_for(&emu, &service_token);
    let me = emu.users()[0].uuid.clone();
    let friend = emu.users()[1].uuid.clone();

    let services = json(&env, &["service", "list"]).await;
    assert!(services
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "cyclades"));
    let text = ok(
        &env,
        &[
            "service",
            "uuid2username",
            "--service-token",
            &service_token,
            "--uuid",
            &friend,
        ],
    )
    .await;
    assert_eq!(text, "friend@example.com\n");
    let names = json(
        &env,
        &[
            "service",
            "uuid2username",
            "--service-token",
            &service_token,
            "--uuid",
            &friend,
            "--uuid",
            &me,
        ],
    )
    .await;
    assert_eq!(names[&me], "owner@example.com");
    let uuid = json(
        &env,
        &[
            "service",
            "username2uuid",
            "--service-token",
            &service_token,
            "--username",
            "friend@example.com",
        ],
    )
    .await;
    assert_eq!(uuid, friend.as_str());
    let uuids = json(
        &env,
        &[
            "service",
            "username2uuid",
            "--service-token",
            &service_token,
            "--username",
            "friend@example.com",
            "--username",
            "owner@example.com",
        ],
    )
    .await;
    assert_eq!(uuids["owner@example.com"], me.as_str());
    let quotas = json(
        &env,
        &[
            "service",
            "quotas",
            "--service-token",
            &service_token,
            "--uuid",
            &friend,
        ],
    )
    .await;
    assert!(
        quotas[&friend][&friend]["cyclades.vm"]["limit"].is_u64(),
        "{quotas}"
    );

    // kamaki's issue called astakosclient wrongly; here it charges the user.
    let provisions = env.home.join("provisions.json");
    std::fs::write(&provisions, r#"{"cyclades.vm": 1, "cyclades.cpu": 2}"#).unwrap();
    let file = provisions.to_str().unwrap();
    let issue = |source: &'static str| {
        let env = &service;
        let me = me.clone();
        async move {
            let serial = json(
                env,
                &[
                    "commission",
                    "issue",
                    "--uuid",
                    &me,
                    "--source",
                    source,
                    "--provisions-file",
                    file,
                    "--description",
                    "test",
                ],
            )
            .await;
            serial.as_u64().expect("a serial").to_string()
        }
    };
    let first = issue("system").await;
    let second = issue("system").await;
    let pending = json(&service, &["commission", "pending"]).await;
    assert_eq!(pending.as_array().unwrap().len(), 2, "{pending}");
    let info = json(&service, &["commission", "info", &first]).await;
    assert_eq!(info["name"], "test");
    assert_eq!(
        info["provisions"].as_array().unwrap().len(),
        4,
        "member and project, two resources: {info}"
    );
    ok(&service, &["commission", "accept", &first]).await;
    ok(&service, &["commission", "reject", &second]).await;
    let quotas = json(&env, &["quota", "list"]).await;
    assert_eq!(quotas[&me]["cyclades.vm"]["usage"], 1);
    assert_eq!(quotas[&me]["cyclades.cpu"]["usage"], 2);

    let third = issue("system").await;
    let fourth = issue("system").await;
    let resolved = json(
        &service,
        &[
            "commission",
            "resolve",
            "--accept",
            &third,
            "--reject",
            &format!("{fourth},999"),
        ],
    )
    .await;
    assert_eq!(resolved["accepted"][0].to_string(), third);
    assert_eq!(resolved["rejected"][0].to_string(), fourth);
    assert_eq!(resolved["failed"][0][0], 999);
    let issued = ok(
        &service,
        &[
            "commission",
            "issue",
            "--uuid",
            &me,
            "--source",
            &format!("project:{me}"),
            "--provisions-file",
            file,
            "--accept",
        ],
    )
    .await;
    assert!(issued.trim().parse::<u64>().is_ok(), "{issued}");
    assert_eq!(
        json(&service, &["commission", "pending"]).await,
        Value::Array(vec![])
    );

    let out = kamaki(&service, &["commission", "info", "12345"]).await;
    assert_one_line_error(&out, &["No commission with ID 12345", "404"]);
    let out = kamaki(&service, &["commission", "accept", "abc"]).await;
    assert_one_line_error(&out, &["Invalid commission id"]);
    std::fs::write(&provisions, "[1, 2]").unwrap();
    let out = kamaki(
        &service,
        &[
            "commission",
            "issue",
            "--uuid",
            &me,
            "--source",
            "system",
            "--provisions-file",
            file,
        ],
    )
    .await;
    assert_one_line_error(&out, &["Failed to load the provisions"]);
    let out = kamaki(&service, &["commission", "resolve"]).await;
    assert_ne!(
        out.status.code(),
        Some(0),
        "one of --accept, --reject is needed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn session_users_are_the_cloud_tokens() {
    let emu = emulator().await;
    let env = env_for(&emu, "owner-token");
    let friend = emu.users()[1].uuid.clone();
    let token_line = |env: &Env| {
        std::fs::read_to_string(&env.config)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("token = "))
            .unwrap_or_default()
            .to_string()
    };

    // stdin is not a terminal: the access is printed, the config is kept.
    let out = succeeds(
        &env,
        &[
            "user",
            "add",
            "--token",
            "friend-token",
            "--output-format",
            "json",
        ],
    )
    .await;
    let access: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(access["access"]["user"]["id"], friend.as_str());
    assert!(stderr(&out).contains("use -y/--yes"), "{}", stderr(&out));
    assert_eq!(token_line(&env), "token = owner-token");
    ok(&env, &["user", "add", "--token", "friend-token", "-y"]).await;
    ok(&env, &["user", "add", "--token", "third-token", "--yes"]).await;
    assert_eq!(
        token_line(&env),
        "token = owner-token friend-token third-token"
    );
    let users = json(&env, &["user", "list"]).await;
    assert_eq!(users.as_array().unwrap().len(), 3);

    let out = kamaki(&env, &["user", "add", "--token", "bad-token"]).await;
    assert_one_line_error(&out, &["not authenticated", "401"]);
    assert!(!stderr(&out).contains("bad-token"));

    // Select by user name, by uuid.
    ok(&env, &["user", "select", "--user", "friend@example.com"]).await;
    assert_eq!(
        token_line(&env),
        "token = owner-token friend-token third-token",
        "not asked, not saved"
    );
    ok(&env, &["user", "select", "--user", &friend, "-y"]).await;
    assert_eq!(
        token_line(&env),
        "token = friend-token owner-token third-token"
    );
    assert_eq!(json(&env, &["user", "info"]).await["id"], friend.as_str());
    let out = kamaki(&env, &["user", "select", "--user", "friend@example.com"]).await;
    assert!(
        stderr(&out).contains("already the selected session user"),
        "{}",
        stderr(&out)
    );

    // Delete: never the current user.
    let out = kamaki(&env, &["user", "delete", "--user", &friend, "-y"]).await;
    assert_one_line_error(&out, &["Cannot remove the current session user"]);
    ok(&env, &["user", "delete", "--user", "third@example.com"]).await;
    assert_eq!(
        token_line(&env),
        "token = friend-token owner-token third-token"
    );
    ok(
        &env,
        &["user", "delete", "--user", "third@example.com", "-y"],
    )
    .await;
    assert_eq!(token_line(&env), "token = friend-token owner-token");
    let out = kamaki(
        &env,
        &["user", "delete", "--user", "nobody@example.com", "-y"],
    )
    .await;
    assert_one_line_error(&out, &["No user nobody@example.com in the session list"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn user_and_service_json_is_what_the_server_sent() {
    let emu = emulator().await;
    let env = env_for(&emu, "owner-token");
    let http = reqwest::Client::new();
    let access: Value = http
        .post(format!("{}/tokens", emu.auth_url()))
        .json(&serde_json::json!({"auth": {"token": {"id": "owner-token"}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = &access["access"]["user"];
    // `user info` is the token's user, with nothing added.
    assert_eq!(json(&env, &["user", "info"]).await, *user);
    assert!(user.get("default_project").is_none(), "{user}");
    // `user list`: ids and names; all fields with -l.
    assert_eq!(
        json(&env, &["user", "list"]).await,
        serde_json::json!([{"id": user["id"], "name": user["name"]}])
    );
    assert_eq!(
        json(&env, &["user", "list", "-l"]).await,
        serde_json::json!([user])
    );
    // `service list`: the web UI's services, as kamaki 0.16 lists them.
    let services: Value = http
        .get(format!("{}/astakos/ui/get_services", emu.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(services.as_array().is_some_and(|s| !s.is_empty()));
    assert_eq!(json(&env, &["service", "list"]).await, services);
}
