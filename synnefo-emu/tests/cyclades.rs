//! The Cyclades services of the emulator (compute, network, block storage)
//! driven over HTTP as clients drive them.

use std::time::Duration;

use serde_json::{json, Value};
use synnefo_emu::Emulator;

const DEBIAN: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";
/// C1R1024D20drbd.
const SMALL: u64 = 1;
/// C1R2048D20drbd: same disk, more RAM.
const SMALL_MORE_RAM: u64 = 4;
/// The first ext_vlmc flavor (C1R1024D20ext_vlmc).
const EXT_SMALL: u64 = 37;

struct Api {
    http: reqwest::Client,
    token: String,
    compute: String,
    network: String,
    volume: String,
}

impl Api {
    fn new(emu: &Emulator, token: &str) -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = |t: &str| emu.endpoint_url(t).unwrap();
        Api {
            http: reqwest::Client::new(),
            token: token.to_string(),
            compute: url("compute"),
            network: format!("{}/v2.0", url("network")),
            volume: format!("{}/v2.0", url("volume")),
        }
    }

    async fn call(&self, method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, url)
            .header("X-Auth-Token", &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, value)
    }

    async fn compute(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, &format!("{}{path}", self.compute), body)
            .await
    }

    async fn network(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, &format!("{}{path}", self.network), body)
            .await
    }

    async fn volume(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(method, &format!("{}{path}", self.volume), body)
            .await
    }

    async fn create_server(&self, name: &str, flavor: u64, extra: Value) -> Value {
        let mut server = json!({"name": name, "flavorRef": flavor, "imageRef": DEBIAN});
        if let (Some(s), Some(e)) = (server.as_object_mut(), extra.as_object()) {
            s.extend(e.clone());
        }
        let (status, body) = self
            .compute("POST", "/servers", Some(json!({ "server": server })))
            .await;
        assert_eq!(status, 202, "{body}");
        body["server"].clone()
    }

    async fn server(&self, id: &Value) -> Value {
        let (status, body) = self.compute("GET", &format!("/servers/{id}"), None).await;
        assert_eq!(status, 200, "{body}");
        body["server"].clone()
    }

    async fn action(&self, id: &Value, action: Value) -> (u16, Value) {
        self.compute("POST", &format!("/servers/{id}/action"), Some(action))
            .await
    }
}

async fn emulator(delay_ms: u64) -> Emulator {
    Emulator::builder()
        .user("alice@example.com", "alice-token")
        .user("bob@example.com", "bob-token")
        .action_delay(Duration::from_millis(delay_ms))
        .start()
        .await
        .unwrap()
}

/// Polls a resource until `done` holds (bounded). Tests that look at an
/// intermediate state use a delay (800 ms) far longer than one request.
async fn poll(api: &Api, service: &str, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let (status, body) = match service {
            "compute" => api.compute("GET", path, None).await,
            "network" => api.network("GET", path, None).await,
            _ => api.volume("GET", path, None).await,
        };
        if status == 200 && done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never reached the expected state");
}

/// Makes `user` a member of `project` with room for every resource, as
/// accepting them in an approved project does: the quota book refuses
/// projects one is not a member of.
fn join(emu: &Emulator, user: &str, project: &str) {
    let limits = synnefo_emu::quotas::RESOURCES
        .iter()
        .map(|r| (r.name.to_string(), (1u64 << 50, 1u64 << 50)))
        .collect();
    emu.state()
        .quotas
        .sync_project(project, &limits, true, &[(user.to_string(), true)]);
}

fn fault(body: &Value) -> &str {
    body.as_object()
        .and_then(|o| o.keys().next())
        .map(String::as_str)
        .unwrap_or("")
}

#[tokio::test]
async fn flavors_and_images_are_seeded() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let (status, body) = api.compute("GET", "/flavors", None).await;
    assert_eq!(status, 200);
    let flavors = body["flavors"].as_array().unwrap();
    assert!(flavors.len() >= 72);
    assert!(
        flavors[0].get("ram").is_none(),
        "plain listing has no details"
    );
    let (_, body) = api.compute("GET", "/flavors/detail", None).await;
    let first = &body["flavors"][0];
    assert_eq!(first["vcpus"], 1);
    assert_eq!(first["ram"], 1024);
    assert_eq!(first["disk"], 20);
    assert_eq!(first["SNF:disk_template"], "drbd");
    assert_eq!(first["SNF:allow_create"], true);
    let templates: Vec<&Value> = body["flavors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["SNF:disk_template"])
        .collect();
    assert!(templates.contains(&&json!("ext_vlmc")));
    let (status, body) = api
        .compute("GET", &format!("/flavors/{EXT_SMALL}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["flavor"]["SNF:disk_template"], "ext_vlmc");
    let (status, body) = api.compute("GET", "/flavors/99999", None).await;
    assert_eq!((status, fault(&body)), (404, "itemNotFound"));
    let (status, _) = api
        .compute("GET", "/flavors?SNF:is_public=false", None)
        .await;
    assert_eq!(status, 200);

    let (status, body) = api.compute("GET", "/images/detail", None).await;
    assert_eq!(status, 200);
    let debian = body["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == DEBIAN)
        .unwrap()
        .clone();
    assert_eq!(debian["status"], "ACTIVE");
    assert_eq!(debian["metadata"]["os"], "debian");
    assert_eq!(debian["metadata"]["users"], "root");
    let (status, body) = api
        .compute("GET", &format!("/images/{DEBIAN}/metadata/os"), None)
        .await;
    assert_eq!((status, &body["meta"]["os"]), (200, &json!("debian")));
    let (status, body) = api.compute("GET", "/images/no-such-image", None).await;
    assert_eq!((status, fault(&body)), (404, "itemNotFound"));
    let (status, body) = api
        .compute(
            "POST",
            &format!("/images/{DEBIAN}/metadata"),
            Some(json!({"metadata": {"x": "y"}})),
        )
        .await;
    assert_eq!(
        (status, fault(&body)),
        (403, "forbidden"),
        "public images belong to the system"
    );

    // Synnefo routes no /limits: an unknown endpoint.
    let (status, body) = api.compute("GET", "/limits", None).await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
    let (status, body) = api.volume("GET", "/types", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["volume_types"][1]["SNF:detachable"], true);
    assert_eq!(body["volume_types"][0]["SNF:detachable"], false);
}

#[tokio::test]
async fn server_goes_through_the_status_machine() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let created = api
        .create_server("web", SMALL, json!({"metadata": {"os": "debian"}}))
        .await;
    assert_eq!(created["status"], "BUILD");
    assert!(created["adminPass"].as_str().unwrap().len() >= 10);
    let id = created["id"].clone();

    let server = api.server(&id).await;
    assert_eq!(server["status"], "ACTIVE");
    assert_eq!(server["progress"], 100);
    assert_eq!(server["metadata"]["os"], "debian");
    let attachment = &server["attachments"][0];
    assert_eq!(
        attachment["network_id"], "1",
        "default policy: the public network"
    );
    assert!(attachment["ipv4"]
        .as_str()
        .unwrap()
        .starts_with("203.0.113."));
    assert_eq!(server["addresses"]["1"][0]["version"], 4);
    assert_eq!(
        server["volumes"].as_array().unwrap().len(),
        1,
        "a root volume"
    );

    let (status, body) = api
        .action(&id, json!({"resize": {"flavorRef": SMALL_MORE_RAM}}))
        .await;
    assert_eq!(
        (status, fault(&body)),
        (400, "badRequest"),
        "resize needs STOPPED"
    );
    let (status, _) = api.action(&id, json!({"shutdown": {}})).await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["status"], "STOPPED");
    let (status, body) = api.action(&id, json!({"shutdown": {}})).await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
    let (status, body) = api.action(&id, json!({"resize": {"flavorRef": 2}})).await;
    assert_eq!(status, 400, "disk size may not change: {body}");
    let (status, _) = api
        .action(&id, json!({"resize": {"flavorRef": SMALL_MORE_RAM}}))
        .await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["flavor"]["id"], SMALL_MORE_RAM);
    let (status, _) = api.action(&id, json!({"os-start": null})).await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["status"], "ACTIVE");
    for kind in ["SOFT", "HARD"] {
        let (status, _) = api.action(&id, json!({"reboot": {"type": kind}})).await;
        assert_eq!(status, 202);
        assert_eq!(api.server(&id).await["status"], "ACTIVE");
    }
    let (status, _) = api.action(&id, json!({"reboot": {"type": "GENTLE"}})).await;
    assert_eq!(status, 400);
    let (status, _) = api.action(&id, json!({"os-stop": {}})).await;
    assert_eq!(status, 202);
    let (status, _) = api.action(&id, json!({"rescue": {}})).await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["SNF:rescue"], true);
    let (status, _) = api.action(&id, json!({"unrescue": {}})).await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["SNF:rescue"], false);
    let (status, _) = api.action(&id, json!({"start": {}})).await;
    assert_eq!(status, 202);

    let (status, body) = api.action(&id, json!({"console": {"type": "vnc"}})).await;
    assert_eq!(status, 200);
    assert_eq!(body["console"]["type"], "vnc");
    assert!(body["console"]["password"].is_string());
    let (status, _) = api.action(&id, json!({"console": {"type": "spice"}})).await;
    assert_eq!(status, 400);
    let (status, body) = api
        .action(&id, json!({"changePassword": {"adminPass": "Secret12345"}}))
        .await;
    assert_eq!((status, fault(&body)), (400, "badRequest"), "{body}");
    let (status, body) = api.action(&id, json!({"rebuild": {}})).await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
    let port = api.server(&id).await["attachments"][0]["id"].clone();
    let (status, _) = api
        .action(
            &id,
            json!({"firewallProfile": {"profile": "ENABLED", "nic": port}}),
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(
        api.server(&id).await["attachments"][0]["firewallProfile"],
        "ENABLED"
    );
    let (status, _) = api
        .action(
            &id,
            json!({"firewallProfile": {"profile": "WIDE_OPEN", "nic": port}}),
        )
        .await;
    assert_eq!(status, 400);

    let (status, body) = api
        .compute("GET", &format!("/servers/{id}/diagnostics"), None)
        .await;
    assert_eq!(status, 200);
    assert!(!body.as_array().unwrap().is_empty());
    let (status, body) = api
        .compute("GET", &format!("/servers/{id}/stats"), None)
        .await;
    assert_eq!((status, &body["stats"]["serverRef"]), (200, &id));

    let (status, _) = api
        .compute(
            "PUT",
            &format!("/servers/{id}"),
            Some(json!({"server": {"name": "www"}})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(api.server(&id).await["name"], "www");

    let (status, _) = api.compute("DELETE", &format!("/servers/{id}"), None).await;
    assert_eq!(status, 204);
    let server = api.server(&id).await;
    assert_eq!(server["status"], "DELETED");
    assert_eq!(server["attachments"], json!([]));
    let (_, body) = api.compute("GET", "/servers", None).await;
    assert_eq!(
        body["servers"],
        json!([]),
        "deleted servers leave the listing"
    );
    let (status, _) = api.compute("DELETE", &format!("/servers/{id}"), None).await;
    assert_eq!(status, 400, "already deleted");
    let quotas = emu
        .state()
        .quotas
        .report(&emu.user().uuid, &emu.user().uuid);
    for resource in [
        "cyclades.vm",
        "cyclades.cpu",
        "cyclades.ram",
        "cyclades.disk",
        "cyclades.total_cpu",
    ] {
        assert_eq!(quotas[resource].usage, 0, "{resource} released");
    }
}

#[tokio::test]
async fn transitions_take_the_action_delay() {
    let emu = emulator(800).await;
    let api = Api::new(&emu, "alice-token");
    let id = api.create_server("slow", SMALL, json!({})).await["id"].clone();
    let server = api.server(&id).await;
    assert_eq!(server["status"], "BUILD");
    assert_eq!(server["SNF:task_state"], "BUILDING");
    assert_eq!(server["attachments"], json!([]), "ports are not active yet");
    let (status, body) = api.action(&id, json!({"reboot": {"type": "SOFT"}})).await;
    assert_eq!((status, fault(&body)), (409, "buildInProgress"));
    let path = format!("/servers/{id}");
    poll(&api, "compute", &path, |b| {
        b["server"]["status"] == "ACTIVE"
    })
    .await;
    let (status, _) = api.action(&id, json!({"reboot": {"type": "HARD"}})).await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["status"], "REBOOT");
    let (status, body) = api.action(&id, json!({"shutdown": {}})).await;
    assert_eq!(status, 400, "a pending action blocks others: {body}");
    poll(&api, "compute", &path, |b| {
        b["server"]["status"] == "ACTIVE"
    })
    .await;
    let (status, _) = api.action(&id, json!({"shutdown": {}})).await;
    assert_eq!(status, 202);
    let server = api.server(&id).await;
    assert_eq!(
        (&server["status"], &server["SNF:task_state"]),
        (&json!("ACTIVE"), &json!("STOPPING"))
    );
    poll(&api, "compute", &path, |b| {
        b["server"]["status"] == "STOPPED"
    })
    .await;
    let (status, _) = api
        .action(&id, json!({"resize": {"flavorRef": SMALL_MORE_RAM}}))
        .await;
    assert_eq!(status, 202);
    assert_eq!(api.server(&id).await["status"], "RESIZE");
    poll(&api, "compute", &path, |b| {
        b["server"]["status"] == "STOPPED"
    })
    .await;
    let (status, _) = api.compute("DELETE", &path, None).await;
    assert_eq!(status, 204);
    poll(&api, "compute", &path, |b| {
        b["server"]["status"] == "DELETED"
    })
    .await;
}

#[tokio::test]
async fn server_listing_filters_and_changes_since() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let before = synnefo_emu::cyclades::clock::iso(
        synnefo_emu::cyclades::clock::now() - Duration::from_secs(2),
    );
    let a = api
        .create_server("alpha", SMALL, json!({"networks": []}))
        .await["id"]
        .clone();
    let b = api
        .create_server("beta", SMALL, json!({"networks": []}))
        .await["id"]
        .clone();
    let (_, body) = api.compute("GET", "/servers", None).await;
    assert_eq!(body["servers"].as_array().unwrap().len(), 2);
    assert!(body["servers"][0].get("status").is_none());
    let (_, body) = api.compute("GET", "/servers/detail?name=alp", None).await;
    assert_eq!(body["servers"].as_array().unwrap().len(), 1);
    assert_eq!(body["servers"][0]["id"], a);
    let (status, _) = api.action(&b, json!({"shutdown": {}})).await;
    assert_eq!(status, 202);
    let (_, body) = api
        .compute("GET", "/servers/detail?status=STOPPED", None)
        .await;
    assert_eq!(body["servers"][0]["id"], b);
    let (status, _) = api.compute("DELETE", &format!("/servers/{b}"), None).await;
    assert_eq!(status, 204);
    let (status, body) = api
        .compute(
            "GET",
            &format!("/servers/detail?changes-since={before}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let statuses: Vec<&Value> = body["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["status"])
        .collect();
    assert!(
        statuses.contains(&&json!("DELETED")),
        "changes-since shows deletions"
    );
    let later = synnefo_emu::cyclades::clock::iso(synnefo_emu::cyclades::clock::now());
    let (status, _) = api
        .compute(
            "GET",
            &format!("/servers/detail?changes-since={later}"),
            None,
        )
        .await;
    assert_eq!(status, 304);
    let (status, body) = api
        .compute("GET", "/servers?changes-since=yesterday", None)
        .await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
}

#[tokio::test]
async fn metadata_tags_keypairs_and_passwords() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let (status, body) = api
        .compute(
            "POST",
            "/os-keypairs",
            Some(json!({"keypair": {"name": "gen"}})),
        )
        .await;
    assert_eq!(status, 201);
    assert!(body["keypair"]["private_key"]
        .as_str()
        .unwrap()
        .contains("PRIVATE KEY"));
    assert_eq!(
        body["keypair"]["fingerprint"]
            .as_str()
            .unwrap()
            .split(':')
            .count(),
        16
    );
    let key = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDY me@host";
    let (status, body) = api
        .compute(
            "POST",
            "/os-keypairs",
            Some(json!({"keypair": {"name": "mine", "public_key": key}})),
        )
        .await;
    assert_eq!(status, 201);
    assert!(body["keypair"].get("private_key").is_none());
    let (status, body) = api
        .compute(
            "POST",
            "/os-keypairs",
            Some(json!({"keypair": {"name": "mine"}})),
        )
        .await;
    assert_eq!((status, fault(&body)), (409, "conflict"));
    let (_, body) = api.compute("GET", "/os-keypairs", None).await;
    assert_eq!(body["keypairs"].as_array().unwrap().len(), 2);
    assert_eq!(body["keypairs"][1]["keypair"]["name"], "mine");
    let (status, body) = api.compute("GET", "/os-keypairs/mine", None).await;
    assert_eq!((status, &body["keypair"]["public_key"]), (200, &json!(key)));

    let server = api
        .create_server(
            "keyed",
            SMALL,
            json!({"key_name": "mine", "tags": ["web"], "networks": []}),
        )
        .await;
    assert_eq!(server["key_name"], "mine");
    let id = server["id"].clone();
    let (status, body) = api
        .compute("GET", &format!("/servers/{id}/password"), None)
        .await;
    assert_eq!((status, &body["password"]), (200, &server["adminPass"]));
    let (status, body) = api
        .compute("POST", "/servers", Some(json!({"server": {"name": "x", "flavorRef": SMALL, "imageRef": DEBIAN, "key_name": "nope"}})))
        .await;
    assert_eq!((status, fault(&body)), (404, "itemNotFound"));

    let (status, body) = api
        .compute(
            "POST",
            &format!("/servers/{id}/metadata"),
            Some(json!({"metadata": {"role": "web", "users": "root"}})),
        )
        .await;
    assert_eq!((status, &body["metadata"]["role"]), (201, &json!("web")));
    let (status, body) = api
        .compute(
            "PUT",
            &format!("/servers/{id}/metadata/role"),
            Some(json!({"meta": {"role": "db"}})),
        )
        .await;
    assert_eq!((status, &body["meta"]["role"]), (201, &json!("db")));
    let (status, body) = api
        .compute("GET", &format!("/servers/{id}/metadata/role"), None)
        .await;
    assert_eq!((status, &body["meta"]["role"]), (200, &json!("db")));
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{id}/metadata/role"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .compute("GET", &format!("/servers/{id}/metadata/role"), None)
        .await;
    assert_eq!(status, 404);
    let many: serde_json::Map<String, Value> =
        (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (status, _) = api
        .compute(
            "POST",
            &format!("/servers/{id}/metadata"),
            Some(json!({ "metadata": many })),
        )
        .await;
    assert_eq!(status, 400, "at most 10 items");

    let (_, body) = api
        .compute("GET", &format!("/servers/{id}/tags"), None)
        .await;
    assert_eq!(body, json!({"tags": ["web"], "statuses": ["ACTIVE"]}));
    let (status, _) = api
        .compute("PUT", &format!("/servers/{id}/tags/db"), None)
        .await;
    assert_eq!(status, 201);
    let (status, _) = api
        .compute("PUT", &format!("/servers/{id}/tags/db"), None)
        .await;
    assert_eq!(status, 204);
    let response = reqwest::Client::new()
        .get(format!("{}/servers/{id}/tags/db", api.compute))
        .header("X-Auth-Token", "alice-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.headers()["tag-status"], "ACTIVE");
    let (status, _) = api
        .compute("GET", &format!("/servers/{id}/tags/none"), None)
        .await;
    assert_eq!(status, 404);
    let (status, _) = api
        .compute("PUT", &format!("/servers/{id}/tags/a,b"), None)
        .await;
    assert_eq!(status, 400);
    let (status, body) = api
        .compute(
            "PUT",
            &format!("/servers/{id}/tags"),
            Some(json!({"tags": ["x", "y"]})),
        )
        .await;
    assert_eq!(
        (status, &body["statuses"]),
        (200, &json!(["PENDADD", "PENDADD"]))
    );
    assert_eq!(api.server(&id).await["tags"], json!(["x", "y"]));
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{id}/tags/x"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{id}/tags"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{id}/tags"), None)
        .await;
    assert_eq!(status, 404);

    let (status, _) = api.compute("DELETE", "/os-keypairs/gen", None).await;
    assert_eq!(status, 204);
    let (status, _) = api.compute("GET", "/os-keypairs/gen", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn private_networks_connect_servers_through_ports() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let isolated = api
        .create_server("island", SMALL, json!({"networks": []}))
        .await;
    assert_eq!(api.server(&isolated["id"]).await["attachments"], json!([]));

    let (status, body) = api
        .network(
            "POST",
            "/networks",
            Some(
                json!({"network": {"type": "MAC_FILTERED", "name": "lan", "admin_state_up": true}}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let net = body["network"]["id"].as_str().unwrap().to_string();
    assert_eq!(body["network"]["status"], "ACTIVE");
    assert_eq!(body["network"]["public"], false);
    let (status, body) = api
        .network(
            "POST",
            "/networks",
            Some(json!({"network": {"type": "CUSTOM"}})),
        )
        .await;
    assert_eq!((status, fault(&body)), (403, "forbidden"));
    let (status, _) = api
        .network(
            "POST",
            "/networks",
            Some(json!({"network": {"type": "BOGUS"}})),
        )
        .await;
    assert_eq!(status, 400);

    let (status, body) = api
        .network(
            "POST",
            "/subnets",
            Some(json!({"subnet": {"network_id": net, "cidr": "192.168.1.0/24", "ip_version": 4}})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["subnet"]["gateway_ip"], "192.168.1.1");
    assert_eq!(
        body["subnet"]["allocation_pools"],
        json!([{"start": "192.168.1.2", "end": "192.168.1.254"}])
    );
    let subnet = body["subnet"]["id"].as_str().unwrap().to_string();
    let (status, _) = api
        .network(
            "POST",
            "/subnets",
            Some(json!({"subnet": {"network_id": net, "cidr": "10.0.0.0/24"}})),
        )
        .await;
    assert_eq!(status, 400, "one IPv4 subnet per network");
    let (status, body) = api
        .network(
            "POST",
            "/subnets",
            Some(json!({"subnet": {"network_id": net, "cidr": "10.0.0.0/8", "ip_version": 4}})),
        )
        .await;
    assert_eq!(
        (status, fault(&body)),
        (400, "badRequest"),
        "one per version first"
    );
    let (status, _) = api
        .network(
            "PUT",
            &format!("/subnets/{subnet}"),
            Some(json!({"subnet": {"name": "lan-v4"}})),
        )
        .await;
    assert_eq!(status, 200);
    // A network lists its subnets' ids as strings, as Synnefo does.
    let (_, body) = api.network("GET", &format!("/networks/{net}"), None).await;
    assert_eq!(body["network"]["subnets"], json!([subnet.clone()]));
    let (status, _) = api
        .network("DELETE", &format!("/subnets/{subnet}"), None)
        .await;
    assert_eq!(status, 400);

    let a = api
        .create_server("a", SMALL, json!({"networks": [{"uuid": net}]}))
        .await;
    let b = api.create_server("b", SMALL, json!({"networks": []})).await;
    let (status, body) = api
        .network("POST", "/ports", Some(json!({"port": {"network_id": net, "device_id": b["id"], "fixed_ips": [{"ip_address": "192.168.1.50"}], "name": "b-lan"}})))
        .await;
    assert_eq!(status, 201, "{body}");
    let port = body["port"].clone();
    assert_eq!(port["status"], "BUILD");
    assert_eq!(port["fixed_ips"][0]["ip_address"], "192.168.1.50");
    let port_id = port["id"].as_str().unwrap().to_string();
    let port = poll(&api, "network", &format!("/ports/{port_id}"), |p| {
        p["port"]["status"] == "ACTIVE"
    })
    .await;
    assert_eq!(port["port"]["device_id"], b["id"].to_string());

    let a = api.server(&a["id"]).await;
    assert_eq!(a["attachments"][0]["network_id"], json!(net));
    assert_eq!(a["attachments"][0]["ipv4"], "192.168.1.2");
    let b_server = api.server(&b["id"]).await;
    assert_eq!(b_server["addresses"][&net][0]["addr"], "192.168.1.50");
    let (status, body) = api
        .compute("GET", &format!("/servers/{}/ips/{net}", b["id"]), None)
        .await;
    assert_eq!(
        (status, &body["network"][&net][0]["addr"]),
        (200, &json!("192.168.1.50"))
    );

    let (status, body) = api
        .network(
            "POST",
            "/ports",
            Some(
                json!({"port": {"network_id": net, "fixed_ips": [{"ip_address": "192.168.1.50"}]}}),
            ),
        )
        .await;
    assert_eq!((status, fault(&body)), (409, "conflict"), "address in use");
    let (status, _) = api
        .network(
            "POST",
            "/ports",
            Some(json!({"port": {"network_id": net, "fixed_ips": [{"ip_address": "10.9.9.9"}]}})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = api
        .network("POST", "/ports", Some(json!({"port": {"network_id": "1"}})))
        .await;
    assert_eq!(status, 400, "a public port needs a floating IP: {body}");

    let (status, body) = api
        .network("DELETE", &format!("/networks/{net}"), None)
        .await;
    assert_eq!((status, fault(&body)), (409, "conflict"), "ports remain");
    let (_, body) = api.network("GET", "/ports", None).await;
    assert_eq!(
        body["ports"].as_array().unwrap().len(),
        2,
        "the lan ports of a and b"
    );
    let (status, _) = api
        .network("DELETE", &format!("/ports/{port_id}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api.network("GET", &format!("/ports/{port_id}"), None).await;
    assert_eq!(status, 404);
    assert_eq!(api.server(&b["id"]).await["attachments"], json!([]));
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{}", a["id"]), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = api
        .network(
            "PUT",
            &format!("/networks/{net}"),
            Some(json!({"network": {"name": "renamed"}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .network(
            "PUT",
            "/networks/1",
            Some(json!({"network": {"name": "mine"}})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = api
        .network("DELETE", &format!("/networks/{net}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, body) = api.network("GET", &format!("/networks/{net}"), None).await;
    assert_eq!(
        (status, &body["network"]["status"]),
        (200, &json!("DELETED"))
    );
    let (_, body) = api.network("GET", "/networks", None).await;
    assert_eq!(
        body["networks"].as_array().unwrap().len(),
        1,
        "the public network only"
    );
    let usage = emu.state().quotas.usage(
        &emu.user().uuid,
        &emu.user().uuid,
        "cyclades.network.private",
    );
    assert_eq!(usage, 0);
}

#[tokio::test]
async fn floating_ips_attach_through_ports() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let (status, body) = api
        .network(
            "POST",
            "/floatingips",
            Some(json!({"floatingip": {"floating_network_id": "1"}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let fip = body["floatingip"].clone();
    let address = fip["floating_ip_address"].as_str().unwrap().to_string();
    let fip_id = fip["id"].as_str().unwrap().to_string();
    assert_eq!(fip["port_id"], Value::Null);
    let (status, body) = api
        .network("POST", "/floatingips", Some(json!({"floatingip": {}})))
        .await;
    assert_eq!(status, 200, "the service picks a pool");
    let second = body["floatingip"]["id"].as_str().unwrap().to_string();

    let server = api
        .create_server("pub", SMALL, json!({"networks": []}))
        .await;
    let (status, body) = api
        .network("POST", "/ports", Some(json!({"port": {"network_id": "1", "device_id": server["id"], "fixed_ips": [{"ip_address": address}]}})))
        .await;
    assert_eq!(status, 201, "{body}");
    let port = body["port"]["id"].as_str().unwrap().to_string();
    let attached = api.server(&server["id"]).await["attachments"][0].clone();
    assert_eq!(attached["ipv4"], json!(address));
    assert_eq!(attached["OS-EXT-IPS:type"], "floating");
    let (_, body) = api
        .network("GET", &format!("/floatingips/{fip_id}"), None)
        .await;
    assert_eq!(body["floatingip"]["port_id"], json!(port));
    assert_eq!(
        body["floatingip"]["instance_id"],
        json!(server["id"].to_string())
    );
    let (status, body) = api
        .network("DELETE", &format!("/floatingips/{fip_id}"), None)
        .await;
    assert_eq!((status, fault(&body)), (409, "conflict"), "in use");
    let (status, body) = api
        .network(
            "PUT",
            &format!("/floatingips/{fip_id}"),
            Some(json!({"floatingip": {"port_id": null}})),
        )
        .await;
    assert_eq!((status, fault(&body)), (501, "notImplemented"));

    // Detach by deleting the port; the floating IP stays reserved.
    let (status, _) = api.network("DELETE", &format!("/ports/{port}"), None).await;
    assert_eq!(status, 204);
    let (_, body) = api
        .network("GET", &format!("/floatingips/{fip_id}"), None)
        .await;
    assert_eq!(body["floatingip"]["port_id"], Value::Null);

    // The server creation's `networks` can use a free floating IP too.
    let other = api
        .create_server(
            "pub2",
            SMALL,
            json!({"networks": [{"uuid": "1", "fixed_ip": address}]}),
        )
        .await;
    assert_eq!(
        api.server(&other["id"]).await["attachments"][0]["ipv4"],
        json!(address)
    );
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{}", other["id"]), None)
        .await;
    assert_eq!(status, 204);
    let (_, body) = api
        .network("GET", &format!("/floatingips/{fip_id}"), None)
        .await;
    assert_eq!(
        body["floatingip"]["port_id"],
        Value::Null,
        "freed with the server"
    );

    let user = emu.user().uuid;
    join(&emu, &user, "p-2");
    let (status, _) = api
        .network(
            "POST",
            &format!("/floatingips/{fip_id}/action"),
            Some(json!({"reassign": {"project": "p-2"}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        emu.state()
            .quotas
            .usage(&user, "p-2", "cyclades.floating_ip"),
        1
    );
    assert_eq!(
        emu.state()
            .quotas
            .usage(&user, &user, "cyclades.floating_ip"),
        1
    );
    let (_, body) = api.compute("GET", "/os-floating-ips", None).await;
    assert_eq!(body["floating_ips"].as_array().unwrap().len(), 2);
    for id in [&fip_id, &second] {
        let (status, _) = api
            .network("DELETE", &format!("/floatingips/{id}"), None)
            .await;
        assert_eq!(status, 204);
    }
    let (_, body) = api.network("GET", "/floatingips", None).await;
    assert_eq!(body["floatingips"], json!([]));
    assert_eq!(
        emu.state()
            .quotas
            .usage(&user, "p-2", "cyclades.floating_ip"),
        0
    );
    assert_eq!(
        emu.state()
            .quotas
            .usage(&user, &user, "cyclades.floating_ip"),
        0
    );
}

#[tokio::test]
async fn volumes_attach_detach_and_snapshot() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let server = api
        .create_server("ext", EXT_SMALL, json!({"networks": []}))
        .await;
    let id = server["id"].clone();
    let root = api.server(&id).await["volumes"][0].clone();
    let (status, body) = api.volume("GET", &format!("/volumes/{root}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["volume"]["status"], "in_use");
    assert_eq!(body["volume"]["image_id"], DEBIAN);
    assert_eq!(body["volume"]["size"], 20);

    let (status, body) = api
        .volume("POST", "/volumes", Some(json!({"volume": {"size": 2, "display_name": "data", "volume_type": 2, "metadata": {"k": "v"}}})))
        .await;
    assert_eq!(status, 202, "{body}");
    let vol = body["volume"]["id"].as_str().unwrap().to_string();
    let (_, body) = api.volume("GET", &format!("/volumes/{vol}"), None).await;
    assert_eq!(body["volume"]["status"], "available");
    assert_eq!(body["volume"]["metadata"]["k"], "v");
    let (status, _) = api
        .volume(
            "POST",
            "/volumes",
            Some(json!({"volume": {"size": 2, "display_name": "d", "volume_type": 1}})),
        )
        .await;
    assert_eq!(status, 400, "drbd volumes are not detachable");
    let (status, _) = api
        .volume(
            "POST",
            "/volumes",
            Some(json!({"volume": {"size": 0, "display_name": "d", "volume_type": 2}})),
        )
        .await;
    assert_eq!(status, 400);

    let (status, body) = api
        .compute(
            "POST",
            &format!("/servers/{id}/os-volume_attachments"),
            Some(json!({"volumeAttachment": {"volumeId": vol}})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["volumeAttachment"]["volumeId"].to_string(), vol);
    let (_, body) = api.volume("GET", &format!("/volumes/{vol}"), None).await;
    assert_eq!(body["volume"]["status"], "in_use");
    assert_eq!(body["volume"]["attachments"][0]["server_id"], id);
    let (_, body) = api
        .compute("GET", &format!("/servers/{id}/os-volume_attachments"), None)
        .await;
    assert_eq!(body["volumeAttachments"].as_array().unwrap().len(), 2);
    let (status, _) = api
        .compute(
            "GET",
            &format!("/servers/{id}/os-volume_attachments/{vol}"),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (status, body) = api
        .volume(
            "POST",
            "/snapshots",
            Some(json!({"snapshot": {"volume_id": vol, "display_name": "snap"}})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let snap = body["snapshot"]["id"].as_str().unwrap().to_string();
    let (_, body) = api.volume("GET", &format!("/snapshots/{snap}"), None).await;
    assert_eq!(body["snapshot"]["status"], "AVAILABLE");
    assert_eq!(body["snapshot"]["size"], 2);
    let (status, body) = api.compute("GET", &format!("/images/{snap}"), None).await;
    assert_eq!(
        (status, &body["image"]["is_snapshot"]),
        (200, &json!(true)),
        "a snapshot is an image"
    );
    let (status, _) = api
        .volume(
            "PUT",
            &format!("/snapshots/{snap}"),
            Some(json!({"snapshot": {"display_description": "before upgrade"}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = api
        .volume("POST", "/volumes", Some(json!({"volume": {"size": 2, "display_name": "restored", "volume_type": 2, "snapshot_id": snap}})))
        .await;
    assert_eq!(status, 202, "{body}");
    let restored = body["volume"]["id"].as_str().unwrap().to_string();
    let (_, body) = api
        .volume("GET", &format!("/volumes/{restored}"), None)
        .await;
    assert_eq!(body["volume"]["snapshot_id"], json!(snap));
    let (status, _) = api
        .volume("POST", "/volumes", Some(json!({"volume": {"size": 1, "display_name": "small", "volume_type": 2, "snapshot_id": snap}})))
        .await;
    assert_eq!(status, 400, "smaller than the snapshot");
    let (status, _) = api
        .volume(
            "POST",
            "/snapshots",
            Some(json!({"snapshot": {"volume_id": restored}})),
        )
        .await;
    assert_eq!(status, 400, "a detached volume has no snapshot");

    let (status, _) = api
        .compute(
            "DELETE",
            &format!("/servers/{id}/os-volume_attachments/{root}"),
            None,
        )
        .await;
    assert_eq!(status, 400, "the root volume stays");
    let (status, _) = api
        .compute(
            "DELETE",
            &format!("/servers/{id}/os-volume_attachments/{vol}"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (_, body) = api.volume("GET", &format!("/volumes/{vol}"), None).await;
    assert_eq!(body["volume"]["status"], "available");
    assert_eq!(body["volume"]["attachments"], json!([]));

    let (status, body) = api
        .volume("POST", "/volumes", Some(json!({"volume": {"size": 3, "display_name": "plugged", "server_id": id.to_string()}})))
        .await;
    assert_eq!(status, 202, "{body}");
    let plugged = body["volume"]["id"].as_str().unwrap().to_string();
    let (_, body) = api
        .volume("GET", &format!("/volumes/{plugged}"), None)
        .await;
    assert_eq!(body["volume"]["status"], "in_use");
    let (status, _) = api
        .volume("DELETE", &format!("/volumes/{plugged}"), None)
        .await;
    assert_eq!(status, 202);
    let (_, body) = api
        .volume("GET", &format!("/volumes/{plugged}"), None)
        .await;
    assert_eq!(body["volume"]["status"], "deleted");

    let (status, _) = api
        .volume(
            "PUT",
            &format!("/volumes/{vol}"),
            Some(json!({"volume": {"display_name": "renamed"}})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .volume(
            "PUT",
            &format!("/volumes/{vol}"),
            Some(json!({"volume": {}})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = api
        .volume(
            "POST",
            &format!("/volumes/{vol}/metadata"),
            Some(json!({"metadata": {"a": "b"}})),
        )
        .await;
    assert_eq!(
        (status, &body["metadata"]),
        (200, &json!({"k": "v", "a": "b"}))
    );
    let (status, _) = api
        .volume("DELETE", &format!("/volumes/{vol}/metadata/a"), None)
        .await;
    assert_eq!(status, 200);
    let user = emu.user().uuid;
    join(&emu, &user, "p-9");
    let (status, _) = api
        .volume(
            "POST",
            &format!("/volumes/{vol}/action"),
            Some(json!({"reassign": {"project": "p-9"}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        emu.state().quotas.usage(&user, "p-9", "cyclades.disk"),
        2 << 30
    );
    let (status, _) = api
        .volume("DELETE", &format!("/snapshots/{snap}"), None)
        .await;
    assert_eq!(status, 202);
    let (status, _) = api.volume("GET", &format!("/snapshots/{snap}"), None).await;
    assert_eq!(status, 404);
    for v in [&vol, &restored] {
        let (status, _) = api.volume("DELETE", &format!("/volumes/{v}"), None).await;
        assert_eq!(status, 202);
    }
    let (status, _) = api.compute("DELETE", &format!("/servers/{id}"), None).await;
    assert_eq!(status, 204);
    let (_, body) = api.volume("GET", &format!("/volumes/{root}"), None).await;
    assert_eq!(
        body["volume"]["status"], "deleted",
        "the root volume goes with its server"
    );
    assert_eq!(emu.state().quotas.usage(&user, &user, "cyclades.disk"), 0);
    assert_eq!(emu.state().quotas.usage(&user, "p-9", "cyclades.disk"), 0);
}

#[tokio::test]
async fn quotas_are_charged_and_exhaustion_leaves_nothing_behind() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let user = emu.user().uuid;
    let quotas = &emu.state().quotas;
    let first = api.create_server("one", SMALL, json!({})).await;
    assert_eq!(quotas.usage(&user, &user, "cyclades.vm"), 1);
    assert_eq!(quotas.usage(&user, &user, "cyclades.cpu"), 1);
    assert_eq!(quotas.usage(&user, &user, "cyclades.ram"), 1024 << 20);
    assert_eq!(quotas.usage(&user, &user, "cyclades.disk"), 20 << 30);
    let (status, _) = api.action(&first["id"], json!({"shutdown": {}})).await;
    assert_eq!(status, 202);
    assert_eq!(
        quotas.usage(&user, &user, "cyclades.cpu"),
        0,
        "a stopped server uses no CPU"
    );
    assert_eq!(quotas.usage(&user, &user, "cyclades.total_cpu"), 1);

    quotas.set_member_limit(&user, &user, "cyclades.vm", 1);
    let (_, before_ports) = api.network("GET", "/ports", None).await;
    let (status, body) = api
        .compute(
            "POST",
            "/servers",
            Some(json!({"server": {"name": "two", "flavorRef": SMALL, "imageRef": DEBIAN}})),
        )
        .await;
    assert_eq!((status, fault(&body)), (413, "overLimit"));
    let (_, servers) = api.compute("GET", "/servers", None).await;
    assert_eq!(
        servers["servers"].as_array().unwrap().len(),
        1,
        "no server half-created"
    );
    let (_, after_ports) = api.network("GET", "/ports", None).await;
    assert_eq!(before_ports, after_ports, "no port half-created");
    let (_, volumes) = api.volume("GET", "/volumes", None).await;
    assert_eq!(
        volumes["volumes"].as_array().unwrap().len(),
        1,
        "no volume half-created"
    );
    assert_eq!(quotas.usage(&user, &user, "cyclades.vm"), 1);

    quotas.set_member_limit(&user, &user, "cyclades.floating_ip", 0);
    let (status, body) = api
        .network("POST", "/floatingips", Some(json!({"floatingip": {}})))
        .await;
    assert_eq!((status, fault(&body)), (413, "overLimit"));
    let (_, body) = api.network("GET", "/floatingips", None).await;
    assert_eq!(body["floatingips"], json!([]));
    quotas.set_member_limit(&user, &user, "cyclades.network.private", 0);
    let (status, _) = api
        .network(
            "POST",
            "/networks",
            Some(json!({"network": {"type": "MAC_FILTERED"}})),
        )
        .await;
    assert_eq!(status, 413);
    let (_, body) = api.network("GET", "/networks", None).await;
    assert_eq!(body["networks"].as_array().unwrap().len(), 1);

    // A project of its own: reassigning moves the charges.
    join(&emu, &user, "team");
    let (status, _) = api
        .action(&first["id"], json!({"reassign": {"project": "team"}}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(quotas.usage(&user, &user, "cyclades.vm"), 0);
    assert_eq!(quotas.usage(&user, "team", "cyclades.vm"), 1);
    assert_eq!(quotas.usage(&user, "team", "cyclades.disk"), 20 << 30);
    assert_eq!(api.server(&first["id"]).await["tenant_id"], "team");
    let second = api
        .create_server("two", SMALL, json!({"project": user}))
        .await;
    assert_eq!(second["tenant_id"], json!(user));
    let (status, _) = api
        .compute("DELETE", &format!("/servers/{}", first["id"]), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(quotas.usage(&user, "team", "cyclades.vm"), 0);
    assert_eq!(quotas.usage(&user, "team", "cyclades.total_ram"), 0);
}

#[tokio::test]
async fn users_never_see_each_others_resources() {
    let emu = emulator(0).await;
    let alice = Api::new(&emu, "alice-token");
    let bob = Api::new(&emu, "bob-token");
    let server = alice.create_server("mine", EXT_SMALL, json!({})).await;
    let id = &server["id"];
    let (_, body) = alice
        .network(
            "POST",
            "/networks",
            Some(json!({"network": {"type": "MAC_FILTERED"}})),
        )
        .await;
    let net = body["network"]["id"].as_str().unwrap().to_string();
    let (_, body) = alice
        .network("POST", "/floatingips", Some(json!({"floatingip": {}})))
        .await;
    let fip = body["floatingip"]["id"].as_str().unwrap().to_string();
    let (_, body) = alice
        .volume(
            "POST",
            "/volumes",
            Some(json!({"volume": {"size": 1, "display_name": "v", "volume_type": 2}})),
        )
        .await;
    let vol = body["volume"]["id"].as_str().unwrap().to_string();
    let (_, body) = alice
        .compute(
            "POST",
            "/os-keypairs",
            Some(json!({"keypair": {"name": "k"}})),
        )
        .await;
    assert!(body["keypair"].is_object());
    let port = alice.server(id).await["attachments"][0]["id"].clone();

    for (path, service) in [
        (format!("/servers/{id}"), "compute"),
        (format!("/servers/{id}/metadata"), "compute"),
        ("/os-keypairs/k".to_string(), "compute"),
        (format!("/networks/{net}"), "network"),
        (format!("/ports/{port}"), "network"),
        (format!("/floatingips/{fip}"), "network"),
        (format!("/volumes/{vol}"), "volume"),
    ] {
        let (status, body) = match service {
            "compute" => bob.compute("GET", &path, None).await,
            "network" => bob.network("GET", &path, None).await,
            _ => bob.volume("GET", &path, None).await,
        };
        assert_eq!((status, fault(&body)), (404, "itemNotFound"), "{path}");
    }
    let (status, _) = bob.compute("DELETE", &format!("/servers/{id}"), None).await;
    assert_eq!(status, 404);
    let (status, _) = bob.action(id, json!({"shutdown": {}})).await;
    assert_eq!(status, 404);
    let (_, body) = bob.compute("GET", "/servers/detail", None).await;
    assert_eq!(body["servers"], json!([]));
    let (_, body) = bob.network("GET", "/ports", None).await;
    assert_eq!(body["ports"], json!([]));
    let (_, body) = bob.network("GET", "/networks", None).await;
    assert_eq!(
        body["networks"].as_array().unwrap().len(),
        1,
        "only the public one"
    );
    let (_, body) = bob.volume("GET", "/volumes/detail", None).await;
    assert_eq!(body["volumes"], json!([]));
    let (status, body) = bob
        .network("POST", "/ports", Some(json!({"port": {"network_id": net}})))
        .await;
    assert_eq!(
        (status, fault(&body)),
        (404, "itemNotFound"),
        "another user's network"
    );
    let (status, body) = bob
        .compute(
            "POST",
            &format!("/servers/{id}/os-volume_attachments"),
            Some(json!({"volumeAttachment": {"volumeId": vol}})),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(alice.server(id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn malformed_requests_get_synnefo_faults() {
    let emu = emulator(0).await;
    let api = Api::new(&emu, "alice-token");
    let http = reqwest::Client::new();
    let servers = format!("{}/servers", api.compute);

    let response = http.get(&servers).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(fault(&body), "unauthorized");
    let response = http
        .get(&servers)
        .header("X-Auth-Token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);

    let raw = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = http
            .post(&servers)
            .header("X-Auth-Token", "alice-token")
            .body(body);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        request.send()
    };
    for (body, content_type) in [
        ("{not json", Some("application/json")),
        ("{}", None),
        ("{}", Some("text/plain")),
        ("[1, 2]", Some("application/json")),
        ("{\"server\": {\"name\": \"x\"}}", Some("application/json")),
        ("{\"server\": {\"name\": \"x\", \"flavorRef\": 1, \"imageRef\": 5, \"metadata\": []}}", Some("application/json")),
        ("{\"server\": {\"name\": \"x\", \"flavorRef\": \"one\", \"imageRef\": \"i\"}}", Some("application/json")),
        ("{\"server\": {\"name\": \"x\", \"flavorRef\": 1, \"imageRef\": \"i\", \"networks\": {}}}", Some("application/json")),
        ("{\"server\": {\"name\": \"x\", \"flavorRef\": 1, \"imageRef\": \"i\", \"user_data\": \"not base64!\"}}", Some("application/json")),
        ("{\"server\": {\"name\": \"x\", \"flavorRef\": 1, \"imageRef\": \"i\", \"adminPass\": \"weak\"}}", Some("application/json")),
    ] {
        let response = raw(body, content_type).await.unwrap();
        assert_eq!(response.status().as_u16(), 400, "{body} {content_type:?}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(fault(&answer), "badRequest", "{body}");
        assert!(answer["badRequest"]["message"].is_string());
        assert_eq!(answer["badRequest"]["code"], 400);
    }
    let (status, body) = api
        .compute(
            "POST",
            "/servers",
            Some(json!({"server": {"name": "x", "flavorRef": 1, "imageRef": "nope"}})),
        )
        .await;
    assert_eq!((status, fault(&body)), (404, "itemNotFound"));
    let (status, body) = api
        .compute(
            "POST",
            "/servers",
            Some(json!({"server": {"name": "x", "flavorRef": 73, "imageRef": DEBIAN}})),
        )
        .await;
    assert_eq!(
        (status, fault(&body)),
        (403, "forbidden"),
        "SNF:allow_create is false"
    );
    let (status, body) = api.compute("GET", "/servers/abc", None).await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
    let (status, body) = api.compute("GET", "/servers/424242", None).await;
    assert_eq!((status, fault(&body)), (404, "itemNotFound"));
    let (status, body) = api.compute("GET", "/no/such/endpoint", None).await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
    let (status, body) = api.compute("PATCH", "/servers", None).await;
    assert_eq!((status, fault(&body)), (405, "notAllowed"));

    let id = api
        .create_server("ok", SMALL, json!({"networks": []}))
        .await["id"]
        .clone();
    for action in [
        json!({}),
        json!({"fly": {}}),
        json!({"reboot": "SOFT"}),
        json!({"resize": {}}),
        json!({"console": {}}),
    ] {
        let (status, body) = api.action(&id, action.clone()).await;
        assert_eq!((status, fault(&body)), (400, "badRequest"), "{action}");
    }
    for (path, body) in [
        ("/networks", json!({"network": "lan"})),
        ("/subnets", json!({"subnet": {"network_id": "1"}})),
        ("/ports", json!({"port": {}})),
        (
            "/ports",
            json!({"port": {"network_id": "1", "fixed_ips": [{"ip_address": "::1"}]}}),
        ),
        (
            "/floatingips",
            json!({"floatingip": {"floating_network_id": "x"}}),
        ),
    ] {
        let (status, answer) = api.network("POST", path, Some(body.clone())).await;
        assert_eq!(
            (status, fault(&answer)),
            (400, "badRequest"),
            "{path} {body}"
        );
    }
    for (path, body) in [
        ("/volumes", json!({"volume": {"size": 1}})),
        (
            "/volumes",
            json!({"volume": {"size": "big", "display_name": "x", "volume_type": 2}}),
        ),
        (
            "/volumes",
            json!({"volume": {"size": 1, "display_name": "x"}}),
        ),
        ("/snapshots", json!({"snapshot": {}})),
    ] {
        let (status, answer) = api.volume("POST", path, Some(body.clone())).await;
        assert_eq!(
            (status, fault(&answer)),
            (400, "badRequest"),
            "{path} {body}"
        );
    }
    let (status, body) = api.volume("GET", "/volumes/xyz", None).await;
    assert_eq!((status, fault(&body)), (400, "badRequest"));
}

#[tokio::test]
async fn ports_and_volumes_follow_their_server_actions() {
    let emu = emulator(800).await;
    let api = Api::new(&emu, "alice-token");
    let server = api
        .create_server(
            "bdm",
            EXT_SMALL,
            json!({"networks": [], "block_device_mapping_v2": [
                {"source_type": "image", "uuid": DEBIAN, "volume_size": 30},
                {"source_type": "blank", "volume_size": 5},
            ]}),
        )
        .await;
    let id = server["id"].clone();
    let path = format!("/servers/{id}");
    let server = poll(&api, "compute", &path, |b| {
        b["server"]["status"] == "ACTIVE"
    })
    .await;
    let volumes = server["server"]["volumes"].as_array().unwrap().clone();
    assert_eq!(volumes.len(), 2, "both mapped volumes");
    let (_, root) = api
        .volume("GET", &format!("/volumes/{}", volumes[0]), None)
        .await;
    assert_eq!(
        (&root["volume"]["size"], &root["volume"]["status"]),
        (&json!(30), &json!("in_use"))
    );
    let user = emu.user().uuid;
    assert_eq!(
        emu.state().quotas.usage(&user, &user, "cyclades.disk"),
        35 << 30
    );

    let (_, body) = api
        .volume(
            "POST",
            "/volumes",
            Some(json!({"volume": {"size": 1, "display_name": "late", "volume_type": "2"}})),
        )
        .await;
    let vol = body["volume"]["id"].as_str().unwrap().to_string();
    let (status, _) = api
        .compute(
            "POST",
            &format!("/servers/{id}/os-volume_attachments"),
            Some(json!({"volumeAttachment": {"volumeId": vol}})),
        )
        .await;
    assert_eq!(status, 202);
    let (_, body) = api.volume("GET", &format!("/volumes/{vol}"), None).await;
    assert_eq!(body["volume"]["status"], "attaching");
    assert_eq!(api.server(&id).await["SNF:task_state"], "ATTACHING_VOLUME");
    poll(&api, "volume", &format!("/volumes/{vol}"), |b| {
        b["volume"]["status"] == "in_use"
    })
    .await;
    let (status, _) = api
        .compute(
            "DELETE",
            &format!("/servers/{id}/os-volume_attachments/{vol}"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let (_, body) = api.volume("GET", &format!("/volumes/{vol}"), None).await;
    assert_eq!(body["volume"]["status"], "detaching");
    poll(&api, "volume", &format!("/volumes/{vol}"), |b| {
        b["volume"]["status"] == "available"
    })
    .await;

    let (_, body) = api
        .network("POST", "/floatingips", Some(json!({"floatingip": {}})))
        .await;
    let address = body["floatingip"]["floating_ip_address"]
        .as_str()
        .unwrap()
        .to_string();
    let fip = body["floatingip"]["id"].as_str().unwrap().to_string();
    let (status, body) = api
        .action(&id, json!({"addFloatingIp": {"address": address}}))
        .await;
    assert_eq!(status, 202, "{body}");
    let (_, body) = api.network("GET", "/ports", None).await;
    let port = body["ports"][0].clone();
    assert_eq!(port["status"], "BUILD");
    let port_path = format!("/ports/{}", port["id"].as_str().unwrap());
    poll(&api, "network", &port_path, |b| {
        b["port"]["status"] == "ACTIVE"
    })
    .await;
    assert_eq!(
        api.server(&id).await["attachments"][0]["ipv4"],
        json!(address)
    );
    let (status, _) = api
        .action(&id, json!({"removeFloatingIp": {"address": address}}))
        .await;
    assert_eq!(status, 202);
    let (status, _) = api.network("GET", &port_path, None).await;
    assert_eq!(status, 200, "the port lingers until the server lets it go");
    for _ in 0..200 {
        let (status, _) = api.network("GET", &port_path, None).await;
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (status, _) = api.network("GET", &port_path, None).await;
    assert_eq!(status, 404);
    let (status, _) = api
        .network("DELETE", &format!("/floatingips/{fip}"), None)
        .await;
    assert_eq!(status, 204);
}
