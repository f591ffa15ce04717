//! Service snapshots (what the data dir keeps of every service but Pithos):
//! a cloud driven over HTTP is snapshotted, restored into fresh states and
//! into a second emulator, and comes back whole: the same records, ids that
//! go on where they were, pending actions due when they were due, start
//! options of the running emulator kept. And the same through a data dir:
//! every listing the same after a restart.

use std::time::Duration;

use reqwest::redirect::Policy;
use serde_json::{json, Value};
use synnefo_emu::persistence;
use synnefo_emu::state::AppState;
use synnefo_emu::Emulator;

const DEBIAN: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";
/// C1R1024D20drbd.
const SMALL: u64 = 1;
/// C1R1024D20ext_vlmc (detachable volumes, snapshots).
const EXT_SMALL: u64 = 37;
const ALICE: &str = "a11ce000-0000-4000-8000-000000000001";
const BOB: &str = "b0b00000-0000-4000-8000-000000000002";
const ADMIN: &str = "ad000000-0000-4000-8000-000000000003";
const SERVICE: &str = "cyclades-service-token";
const APP: &str = "https://app.example.org/cb";

/// An emulator of alice, bob and an admin (the same uuids and tokens every
/// time, as a restart with a data dir has them).
async fn emulator(delay: Duration, project_admin: bool, client: &str) -> Emulator {
    builder(delay, project_admin, client).start().await.unwrap()
}

fn builder(delay: Duration, project_admin: bool, client: &str) -> synnefo_emu::EmulatorBuilder {
    synnefo_emu::install_crypto_provider();
    let mut builder = Emulator::builder()
        .user_with_uuid("alice@example.org", "alice-token", ALICE)
        .user_with_uuid("bob@example.org", "bob-token", BOB)
        .user_with_uuid("admin@example.org", "admin-token", ADMIN)
        .component("cyclades", SERVICE)
        .oauth2_client_with_redirect(
            client,
            &format!("{client}-secret"),
            "https://app.example.org/",
        )
        .action_delay(delay);
    if project_admin {
        builder = builder.project_admin("admin@example.org");
    }
    builder
}

/// HTTP calls to one emulator.
struct Api<'e> {
    emu: &'e Emulator,
    http: reqwest::Client,
}

impl<'e> Api<'e> {
    fn new(emu: &'e Emulator) -> Api<'e> {
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        Api { emu, http }
    }

    /// `method` on `path` under the endpoint of `service` (`account` paths
    /// are joined with a slash), as `token`.
    async fn call(
        &self,
        token: &str,
        method: &str,
        service: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let base = self.emu.endpoint_url(service).unwrap();
        let url = match service {
            "network" | "volume" => format!("{base}/v2.0{path}"),
            _ => format!("{base}{path}"),
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url).header("X-Auth-Token", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().await.unwrap();
        let status = reply.status().as_u16();
        let text = reply.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Like `call`, answering the body and checking the status.
    async fn ok(
        &self,
        status: u16,
        token: &str,
        method: &str,
        service: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (got, answer) = self.call(token, method, service, path, body).await;
        assert_eq!(got, status, "{method} {service} {path}: {answer}");
        answer
    }

    /// A new server of alice's: its id.
    async fn server(&self, name: &str, flavor: u64, extra: Value) -> u64 {
        let mut server = json!({"name": name, "flavorRef": flavor, "imageRef": DEBIAN});
        if let (Some(s), Some(e)) = (server.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        let body = json!({ "server": server });
        let answer = self
            .ok(
                202,
                "alice-token",
                "POST",
                "compute",
                "/servers",
                Some(body),
            )
            .await;
        answer["server"]["id"].as_u64().unwrap()
    }

    async fn server_json(&self, id: u64) -> Value {
        let path = format!("/servers/{id}");
        self.ok(200, "alice-token", "GET", "compute", &path, None)
            .await["server"]
            .clone()
    }
}

/// The seven service snapshots of an emulator (all the data dir keeps as
/// documents but the users' default projects), by name.
fn snapshots(emu: &Emulator) -> Vec<(&'static str, Value)> {
    persistence::SERVICES
        .iter()
        .filter(|name| **name != "default_projects")
        .map(|name| (*name, persistence::snapshot(emu.state(), name)))
        .collect()
}

/// Restores the snapshots into an emulator's states.
fn restore(emu: &Emulator, snapshots: &[(&str, Value)]) {
    for (name, snapshot) in snapshots {
        persistence::restore(emu.state(), name, snapshot.clone())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Each snapshot restored into a fresh state snapshots the same.
fn assert_fresh_round_trips(snapshots: &[(&str, Value)]) {
    for (name, snapshot) in snapshots {
        let fresh = AppState::new("http://fresh".into(), Vec::new());
        let again = persistence::restore(&fresh, name, snapshot.clone())
            .map(|()| persistence::snapshot(&fresh, name));
        assert_eq!(&again.unwrap(), snapshot, "{name}");
    }
}

fn get<'v>(snapshots: &'v [(&str, Value)], name: &str) -> &'v Value {
    &snapshots.iter().find(|(n, _)| *n == name).unwrap().1
}

/// What was made in the first emulator, to find again in the second.
struct Made {
    web: u64,
    slow: u64,
    net: String,
    port: String,
    floating: String,
    volume: String,
    snapshot: String,
    image: String,
    project: String,
    serial: u64,
    code: String,
    token: String,
}

/// Networks, a server with a tag, a port and a floating IP, a keypair.
async fn make_compute_and_network(api: &Api<'_>) -> (u64, String, String, String) {
    let key = json!({"keypair": {"name": "mine", "public_key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDY me@host"}});
    api.ok(
        201,
        "alice-token",
        "POST",
        "compute",
        "/os-keypairs",
        Some(key),
    )
    .await;
    let network = json!({"network": {"type": "MAC_FILTERED", "name": "lan"}});
    let net = api
        .ok(
            201,
            "alice-token",
            "POST",
            "network",
            "/networks",
            Some(network),
        )
        .await["network"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let subnet = json!({"subnet": {"network_id": net, "cidr": "192.168.1.0/24", "ip_version": 4}});
    api.ok(
        201,
        "alice-token",
        "POST",
        "network",
        "/subnets",
        Some(subnet),
    )
    .await;
    let extra = json!({"networks": [{"uuid": net}], "key_name": "mine", "tags": ["web"],
        "metadata": {"role": "web"}});
    let web = api.server("web", SMALL, extra).await;
    assert_eq!(api.server_json(web).await["status"], "ACTIVE");
    let port = json!({"port": {"network_id": net, "device_id": web,
        "fixed_ips": [{"ip_address": "192.168.1.50"}], "name": "second"}});
    let port = api
        .ok(201, "alice-token", "POST", "network", "/ports", Some(port))
        .await["port"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let floating = json!({"floatingip": {"floating_network_id": "1"}});
    let floating = api
        .ok(
            200,
            "alice-token",
            "POST",
            "network",
            "/floatingips",
            Some(floating),
        )
        .await["floatingip"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (web, net, port, floating)
}

/// A volume of alice's, and a snapshot of it (an image too).
async fn make_volume_and_snapshot(api: &Api<'_>) -> (String, String) {
    let ext = api.server("ext", EXT_SMALL, json!({"networks": []})).await;
    let volume = json!({"volume": {"size": 2, "display_name": "data", "volume_type": 2,
        "server_id": ext.to_string(), "metadata": {"k": "v"}}});
    let volume = api
        .ok(
            202,
            "alice-token",
            "POST",
            "volume",
            "/volumes",
            Some(volume),
        )
        .await["volume"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let snapshot = json!({"snapshot": {"volume_id": volume, "display_name": "nightly"}});
    let snapshot = api
        .ok(
            202,
            "alice-token",
            "POST",
            "volume",
            "/snapshots",
            Some(snapshot),
        )
        .await["snapshot"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (volume, snapshot)
}

/// An image with properties, registered from a Pithos object of alice's.
async fn make_image(api: &Api<'_>) -> String {
    let store = api.emu.endpoint_url("object-store").unwrap();
    for (path, body) in [
        ("images", vec![]),
        ("images/custom.diskdump", vec![7u8; 1000]),
    ] {
        let reply = api
            .http
            .put(format!("{store}/{ALICE}/{path}"))
            .header("X-Auth-Token", "alice-token")
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success(), "{path}: {}", reply.status());
    }
    let reply = api
        .http
        .post(format!("{}/cyclades/image/v1.0/images/", api.emu.url()))
        .header("X-Auth-Token", "alice-token")
        .header("X-Image-Meta-Name", "Custom")
        .header(
            "X-Image-Meta-Location",
            format!("pithos://{ALICE}/images/custom.diskdump"),
        )
        .header("X-Image-Meta-Property-OSFAMILY", "linux")
        .header("X-Image-Meta-Property-Users", "root%20user")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    reply.headers()["x-image-meta-id"]
        .to_str()
        .unwrap()
        .to_string()
}

/// A project of alice's, approved, which bob asked to join; a pending
/// commission of the cyclades component.
async fn make_project_and_commission(api: &Api<'_>) -> (String, u64) {
    let spec = json!({"name": "research.example.org", "description": "a project", "homepage": "https://example.org",
        "end_date": "2099-01-01T00:00:00Z", "join_policy": "moderated", "leave_policy": "auto",
        "max_members": 10, "resources": {"cyclades.vm": {"member_capacity": 2, "project_capacity": 5}}});
    let created = api
        .ok(
            201,
            "alice-token",
            "POST",
            "account",
            "/projects",
            Some(spec),
        )
        .await;
    let project = created["id"].as_str().unwrap().to_string();
    let app = created["application"].as_u64().unwrap();
    let approve = json!({"approve": {"reason": "fine", "app_id": app}});
    let path = format!("/projects/{project}/action");
    api.ok(200, "admin-token", "POST", "account", &path, Some(approve))
        .await;
    let join = json!({"join": {"project": project}});
    api.ok(
        200,
        "bob-token",
        "POST",
        "account",
        "/projects/memberships",
        Some(join),
    )
    .await;
    let provisions = json!([
        {"holder": format!("user:{ALICE}"), "source": format!("project:{ALICE}"), "resource": "cyclades.vm", "quantity": 1},
        {"holder": format!("project:{ALICE}"), "source": null, "resource": "cyclades.vm", "quantity": 1},
    ]);
    let commission = json!({"name": "one vm", "provisions": provisions});
    let issued = api
        .ok(
            201,
            SERVICE,
            "POST",
            "account",
            "/commissions",
            Some(commission),
        )
        .await;
    (project, issued["serial"].as_u64().unwrap())
}

/// An authorization code not traded yet, and an access token.
async fn make_grants(api: &Api<'_>) -> (String, String) {
    let url = format!(
        "{}/auth?response_type=code&client_id=app&redirect_uri={APP}",
        api.emu.oauth2_url()
    );
    let reply = api
        .http
        .get(url)
        .header("X-Auth-Token", "alice-token")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 302);
    let location = reply.headers()["location"].to_str().unwrap();
    let code = reqwest::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    (code, api.emu.issue_access_token(ALICE, APP))
}

/// Everything of the list above, in the first emulator; then a server left
/// building (the action delay raised to an hour).
async fn populate(emu: &Emulator) -> Made {
    let api = Api::new(emu);
    let (web, net, port, floating) = make_compute_and_network(&api).await;
    let (volume, snapshot) = make_volume_and_snapshot(&api).await;
    let image = make_image(&api).await;
    let (project, serial) = make_project_and_commission(&api).await;
    let (code, token) = make_grants(&api).await;
    emu.state()
        .compute
        .set_action_delay(Duration::from_secs(3600));
    let slow = api.server("slow", SMALL, json!({"networks": []})).await;
    assert_eq!(api.server_json(slow).await["status"], "BUILD");
    Made {
        web,
        slow,
        net,
        port,
        floating,
        volume,
        snapshot,
        image,
        project,
        serial,
        code,
        token,
    }
}

/// The snapshots hold what was made, by name.
fn check_snapshot_fields(snapshots: &[(&str, Value)], made: &Made) {
    let compute = get(snapshots, "compute");
    let slow = &compute["servers"][made.slow.to_string()];
    assert_eq!(slow["oper"], "build");
    assert_eq!(slow["task"]["action"], "build");
    assert!(slow["task"]["due_at"].is_string());
    assert_eq!(compute["next_server"], made.slow + 1);
    assert_eq!(compute["keypairs"][0]["name"], "mine");
    let web = &compute["servers"][made.web.to_string()];
    assert_eq!(web["tags"][0]["name"], "web");
    assert_eq!(web["metadata"]["role"], "web");
    assert!(compute.get("delay_ms").is_none(), "a start option");
    let network = get(snapshots, "network");
    assert_eq!(network["ports"][&made.port]["name"], "second");
    assert_eq!(network["ips"][&made.floating]["floating"], true);
    assert_eq!(network["networks"][&made.net]["name"], "lan");
    let volume = get(snapshots, "volume");
    assert_eq!(volume["volumes"][&made.volume]["metadata"]["k"], "v");
    assert_eq!(volume["snapshots"][&made.snapshot]["name"], "nightly");
    let image = &get(snapshots, "image")["images"][&made.image];
    assert_eq!(image["properties"]["users"], "root user");
    let account = get(snapshots, "account");
    assert_eq!(
        account["projects"][&made.project]["realname"],
        "research.example.org"
    );
    assert!(account.get("admins").is_none(), "a start option");
    let bob = account["memberships"]
        .as_object()
        .unwrap()
        .values()
        .find(|m| m["user"] == BOB && m["project"] == made.project.as_str())
        .unwrap();
    assert_eq!(bob["state"], "requested");
    let quotas = get(snapshots, "quotas");
    assert_eq!(quotas["last_serial"], made.serial);
    assert_eq!(
        quotas["commissions"][made.serial.to_string()]["name"],
        "one vm"
    );
    let oauth2 = get(snapshots, "oauth2");
    assert_eq!(oauth2["tokens"][&made.token]["user"], ALICE);
    assert_eq!(oauth2["codes"][&made.code]["client"], "app");
    assert!(oauth2.get("lifetime").is_none(), "a start option");
}

/// The second emulator, restored, answers as the first did.
async fn check_restored(first: &Emulator, second: &Emulator, made: &Made) {
    let (before, after) = (Api::new(first), Api::new(second));
    let web = after.server_json(made.web).await;
    let original = before.server_json(made.web).await;
    assert_eq!(
        (&web["status"], &web["created"], &web["name"]),
        (&original["status"], &original["created"], &original["name"])
    );
    assert_eq!(web["tags"], json!(["web"]));
    // Due in an hour: still building, though this emulator's delay is zero
    // (and stays so: a start option).
    assert_eq!(after.server_json(made.slow).await["status"], "BUILD");
    assert_eq!(second.state().compute.action_delay(), Duration::ZERO);
    let new = after.server("new", SMALL, json!({"networks": []})).await;
    assert_eq!(new, made.slow + 1, "a restored cloud reuses no id");

    for (service, path) in [
        ("compute", "/os-keypairs/mine".to_string()),
        ("network", format!("/networks/{}", made.net)),
        ("network", format!("/ports/{}", made.port)),
        ("network", format!("/floatingips/{}", made.floating)),
        ("volume", format!("/volumes/{}", made.volume)),
        ("account", format!("/projects/{}", made.project)),
    ] {
        let a = before
            .ok(200, "alice-token", "GET", service, &path, None)
            .await;
        let b = after
            .ok(200, "alice-token", "GET", service, &path, None)
            .await;
        // Links name each emulator's own address.
        let a = a.to_string().replace(first.url(), second.url());
        assert_eq!(a, b.to_string(), "{service} {path}");
    }
    let memberships = after
        .ok(
            200,
            "bob-token",
            "GET",
            "account",
            "/projects/memberships",
            None,
        )
        .await;
    assert!(memberships.to_string().contains(&made.project));
    let pending = after
        .ok(200, SERVICE, "GET", "account", "/commissions", None)
        .await;
    assert_eq!(pending, json!([made.serial]));
    let image = second.state().image.image(&made.image);
    assert_eq!(image, first.state().image.image(&made.image));

    // The running emulator's start options: no project admin, its client.
    assert!(!second.state().account.is_project_admin(ADMIN));
    let clients: Vec<String> = second
        .state()
        .oauth2
        .clients()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(clients, ["other", "app"]);
    assert_eq!(
        second.state().oauth2.validate(&made.token).unwrap().user,
        ALICE
    );
    // The code issued before the restart is traded after it.
    let form = format!(
        "grant_type=authorization_code&code={}&redirect_uri={APP}",
        made.code
    );
    let reply = after
        .http
        .post(format!("{}/token", second.oauth2_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .basic_auth("app", Some("app-secret"))
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
}

#[tokio::test]
async fn a_cloud_comes_back_whole_from_its_snapshots() {
    let first = emulator(Duration::ZERO, true, "app").await;
    let made = populate(&first).await;
    let taken = snapshots(&first);
    check_snapshot_fields(&taken, &made);
    assert_fresh_round_trips(&taken);

    let second = emulator(Duration::ZERO, false, "other").await;
    restore(&second, &taken);
    check_restored(&first, &second, &made).await;
}

#[tokio::test]
async fn a_build_whose_time_has_passed_completes_after_restore() {
    let first = emulator(Duration::from_secs(3600), false, "app").await;
    let api = Api::new(&first);
    let late = api.server("late", SMALL, json!({"networks": []})).await;
    let early = api.server("early", SMALL, json!({"networks": []})).await;
    let mut taken = snapshots(&first);
    // As if the emulator had been down past the end of one build.
    let compute = &mut taken[0].1;
    let server = &mut compute["servers"][early.to_string()];
    server["task"]["due_at"] = server["created"].clone();

    let second = emulator(Duration::from_secs(3600), false, "app").await;
    restore(&second, &taken);
    let after = Api::new(&second);
    let early = after.server_json(early).await;
    assert_eq!(early["status"], "ACTIVE");
    assert_eq!(early["progress"], 100);
    assert_eq!(after.server_json(late).await["status"], "BUILD");
}

/// What every Cyclades, Image and Astakos listing shows (each emulator's
/// address written as one).
async fn listings(emu: &Emulator) -> Vec<(String, Value)> {
    let api = Api::new(emu);
    let mut seen = Vec::new();
    for (token, service, path) in [
        ("alice-token", "compute", "/servers/detail"),
        ("alice-token", "compute", "/os-keypairs"),
        ("alice-token", "compute", "/flavors/detail"),
        ("alice-token", "network", "/networks"),
        ("alice-token", "network", "/subnets"),
        ("alice-token", "network", "/ports"),
        ("alice-token", "network", "/floatingips"),
        ("alice-token", "volume", "/volumes/detail"),
        ("alice-token", "volume", "/snapshots/detail"),
        ("alice-token", "image", "/images/detail"),
        ("alice-token", "account", "/projects"),
        ("bob-token", "account", "/projects/memberships"),
        ("alice-token", "account", "/quotas"),
        ("bob-token", "account", "/quotas"),
        (SERVICE, "account", "/commissions"),
        (SERVICE, "account", "/service_quotas"),
    ] {
        let (status, body) = api.call(token, "GET", service, path, None).await;
        let text = body.to_string().replace(emu.url(), "http://emulator");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert!(!body.is_null(), "{service} {path}: {status}");
        seen.push((format!("{token} GET {service} {path}: {status}"), body));
    }
    seen
}

#[tokio::test]
async fn a_cloud_on_a_data_dir_shows_the_same_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = builder(Duration::ZERO, true, "app")
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let made = populate(&first).await;
    // Alice accepts bob in her project, and bob makes it his default one.
    let api = Api::new(&first);
    let memberships = api
        .ok(
            200,
            "bob-token",
            "GET",
            "account",
            "/projects/memberships",
            None,
        )
        .await;
    let id = memberships
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["project"] == made.project.as_str())
        .unwrap()["id"]
        .clone();
    let path = format!("/projects/memberships/{id}/action");
    let accept = json!({"accept": {"reason": "welcome"}});
    api.ok(200, "alice-token", "POST", "account", &path, Some(accept))
        .await;
    let choice = json!({"project_id": made.project});
    let path = "/myaccount/default_project";
    let (status, answer) = api
        .call("bob-token", "POST", "account", path, Some(choice))
        .await;
    let before = listings(&first).await;
    drop(first);

    let second = builder(Duration::ZERO, true, "app")
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let after = listings(&second).await;
    for ((what, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{what}");
    }
    // Due in an hour: still building after the restart; a new server takes
    // the next id.
    let api = Api::new(&second);
    assert_eq!(api.server_json(made.slow).await["status"], "BUILD");
    let new = api.server("new", SMALL, json!({"networks": []})).await;
    assert_eq!(new, made.slow + 1);
    let bob = second.users().into_iter().find(|u| u.uuid == BOB).unwrap();
    assert_eq!(
        (status, bob.default_project.as_str()),
        (200, made.project.as_str()),
        "{answer}"
    );
    // The token granted before the restart still authenticates.
    assert_eq!(
        second.state().oauth2.validate(&made.token).unwrap().user,
        ALICE
    );
}
