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

/// Polls a resource until `done` holds (bounded: never a timed assertion).
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

    let (status, body) = api.compute("GET", "/limits", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["limits"]["absolute"]["maxTotalInstances"], 10);
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
    assert_eq!(status, 202, "{body}");
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
    let emu = emulator(400).await;
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
