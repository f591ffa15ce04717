//! The emulator's Astakos identity and account APIs on the wire, and the
//! `synnefo-emu` binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use synnefo_emu::Emulator;

async fn post(url: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(url).body(body.to_string());
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let reply = request.send().await.unwrap();
    let status = reply.status().as_u16();
    let text = reply.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn tokens_answer_as_astakos_does() {
    let emu = Emulator::builder()
        .user("a@example.com", "ta")
        .start()
        .await
        .unwrap();
    let tokens = format!("{}/tokens", emu.auth_url());
    let uuid = emu.user().uuid;

    let (status, body) = post(&tokens, None, r#"{"auth": {"token": {"id": "ta"}}}"#).await;
    assert_eq!(status, 200);
    assert_eq!(body["access"]["user"]["id"], json!(uuid));
    assert_eq!(body["access"]["token"]["tenant"]["id"], json!(uuid));
    let catalog = body["access"]["serviceCatalog"].as_array().unwrap();
    let compute = catalog.iter().find(|s| s["type"] == "compute").unwrap();
    assert_eq!(compute["name"], "cyclades_compute");
    assert_eq!(compute["endpoints"][0]["versionId"], "v2.0");
    assert_eq!(
        compute["endpoints"][0]["publicURL"],
        json!(format!("{}/cyclades/compute/v2.0", emu.url()))
    );
    // Services that hide their version in the catalog.
    let image = catalog.iter().find(|s| s["type"] == "image").unwrap();
    assert_eq!(
        image["endpoints"][0]["publicURL"],
        json!(format!("{}/cyclades/image", emu.url()))
    );

    // Password credentials: username = uuid, password = token.
    let body = json!({"auth": {"passwordCredentials": {"username": uuid, "password": "ta"}, "tenantName": uuid}});
    assert_eq!(post(&tokens, None, &body.to_string()).await.0, 200);
    let body =
        json!({"auth": {"passwordCredentials": {"username": "someone-else", "password": "ta"}}});
    assert_eq!(post(&tokens, None, &body.to_string()).await.0, 401);
    let body = json!({"auth": {"token": {"id": "ta"}, "tenantName": "other"}});
    assert_eq!(post(&tokens, None, &body.to_string()).await.0, 400);

    // Public mode: no body, no authentication, the catalog only.
    let (status, body) = post(&tokens, None, "").await;
    assert_eq!(status, 200);
    assert!(body["access"].get("user").is_none());
    assert!(body["access"]["serviceCatalog"].is_array());

    // Faults in Synnefo's format.
    let (status, body) = post(&tokens, None, r#"{"auth": {"token": {"id": "nope"}}}"#).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"unauthorized": {"code": 401, "message": "Invalid token", "details": ""}})
    );
    let (status, body) = post(&tokens, None, "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(body["badRequest"]["code"], 400);
    let (status, body) = post(&tokens, None, r#"{"auth": {}}"#).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["badRequest"]["message"],
        "Malformed request: missing credentials"
    );
}

#[tokio::test]
async fn account_calls_need_a_valid_token() {
    let emu = Emulator::builder()
        .user("a@example.com", "ta")
        .start()
        .await
        .unwrap();
    let catalogs = format!("{}/user_catalogs", emu.endpoint_url("account").unwrap());
    let body = json!({"uuids": [emu.user().uuid]}).to_string();
    assert_eq!(post(&catalogs, None, &body).await.0, 401);
    assert_eq!(post(&catalogs, Some("wrong"), &body).await.0, 401);
    let (status, reply) = post(&catalogs, Some("ta"), &body).await;
    assert_eq!(status, 200);
    assert_eq!(reply["uuid_catalog"][emu.user().uuid], "a@example.com");
    assert_eq!(reply["displayname_catalog"], json!({}));
    assert_eq!(
        post(&catalogs, Some("ta"), r#"{"uuids": "x"}"#).await.0,
        400
    );
    assert_eq!(post(&catalogs, Some("ta"), "[1]").await.0, 400);
    // The service form takes a component's token, and lists everyone for
    // a null list.
    let service = format!(
        "{}/service/user_catalogs",
        emu.endpoint_url("account").unwrap()
    );
    let (status, reply) = post(&service, Some("ta"), r#"{"uuids": null}"#).await;
    assert_eq!(status, 401);
    assert_eq!(reply["unauthorized"]["message"], "Invalid X-Auth-Token");
    let (status, reply) = post(&service, None, r#"{"uuids": null}"#).await;
    assert_eq!(status, 401);
    assert_eq!(
        reply["unauthorized"]["message"],
        "Access denied. No authentication token"
    );
    let (_, reply) = post(&service, Some(&emu.service_token()), r#"{"uuids": null}"#).await;
    assert_eq!(reply["uuid_catalog"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_paths_and_unbuilt_services() {
    let emu = Emulator::start().await.unwrap();
    let reply = reqwest::get(format!("{}/nowhere", emu.url()))
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 404);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["itemNotFound"]["code"], 404);
}

#[test]
fn the_binary_prints_url_and_token_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_synnefo-emu"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--user",
            "first@example.com:first-token",
            "--user",
            "second@example.com:tok2",
            "--component",
            "cyclades:svc-token",
            "--oauth2-client",
            "my-app:app-secret:https://app.example.org/cb",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url_line = lines.next().unwrap().unwrap();
    let token_line = lines.next().unwrap().unwrap();
    let auth_url = url_line
        .strip_prefix("AUTHENTICATION_URL=")
        .expect(&url_line)
        .to_string();
    assert!(
        auth_url.starts_with("http://127.0.0.1:") && auth_url.ends_with("/identity/v2.0"),
        "{auth_url}"
    );
    assert_eq!(token_line, "TOKEN=first-token");
    assert_eq!(lines.next().unwrap().unwrap(), "SERVICE_TOKEN=svc-token");
    assert_eq!(
        lines.next().unwrap().unwrap(),
        "OAUTH2_CLIENT=my-app:app-secret"
    );

    synnefo_emu::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, body) = runtime.block_on(post(
        &format!("{auth_url}/tokens"),
        None,
        r#"{"auth": {"token": {"id": "tok2"}}}"#,
    ));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
    assert_eq!(body["access"]["user"]["name"], "Second");
}

#[test]
fn the_binary_refuses_bad_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_synnefo-emu"))
        .args(["--listen", "127.0.0.1:0", "--user", "no-token-here"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("expected EMAIL:TOKEN"), "{stderr}");
    for (flag, value, expected) in [
        ("--component", "no-token", "expected NAME:TOKEN"),
        ("--oauth2-client", "id-only", "expected ID:SECRET"),
        ("--oauth2-client", "id:secret:", "expected ID:SECRET"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_synnefo-emu"))
            .args(["--listen", "127.0.0.1:0", flag, value])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{flag} {value}: {stderr}");
    }
}

#[tokio::test]
async fn a_user_may_be_given_a_known_uuid_as_test_deployments_have() {
    let emu = Emulator::builder()
        .user_spec("alice@example.com:ta:alice")
        .unwrap()
        .user_spec("bob@example.com:tb:0f1e2d3c-0000-4000-8000-000000000001")
        .unwrap()
        .start()
        .await
        .unwrap();
    assert_eq!(emu.user().uuid, "alice");
    let tokens = format!("{}/tokens", emu.auth_url());
    let (status, body) = post(&tokens, None, r#"{"auth": {"token": {"id": "tb"}}}"#).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["access"]["user"]["id"],
        "0f1e2d3c-0000-4000-8000-000000000001"
    );
    // The uuid is the user's Pithos account.
    let account = format!("{}/alice", emu.endpoint_url("object-store").unwrap());
    let reply = reqwest::Client::new()
        .head(&account)
        .header("X-Auth-Token", "ta")
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{}", reply.status());

    for bad in ["a@b:t:", "a@b::u", "a@b:t:x/y", "a@b:t:x:y", ":t"] {
        let err = Emulator::builder().user_spec(bad).err().unwrap();
        assert!(err.to_string().contains("EMAIL:TOKEN:UUID"), "{bad}: {err}");
    }
}
