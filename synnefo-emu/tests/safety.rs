//! The emulator under hostile requests: every endpoint authenticates,
//! bodies and headers are bounded, and nothing a client sends crashes it or
//! gets anything but a Synnefo-style answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{Method, Request};
use axum::Router;
use serde_json::Value;
use synnefo_emu::Emulator;
use tower::ServiceExt;

const TOKEN: &str = "safety-token";
const COMPUTE: &str = "/cyclades/compute/v2.0";
const NETWORK: &str = "/cyclades/network/v2.0";
const VOLUME: &str = "/cyclades/volume/v2.0";
const IMAGE: &str = "/cyclades/image/v1.0";
const ACCOUNT: &str = "/astakos/account/v1.0";
const IDENTITY: &str = "/astakos/identity/v2.0";
const PITHOS: &str = "/pithos/object-store/v1";

async fn emulator() -> (Emulator, Router) {
    let emu = Emulator::builder()
        .user("safe@example.com", TOKEN)
        .action_delay(std::time::Duration::ZERO)
        .start()
        .await
        .unwrap();
    let app = synnefo_emu::router(emu.state().clone());
    (emu, app)
}

/// Sends one request in process; returns the status and the body.
async fn call(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Body,
) -> (u16, Bytes) {
    call_with(app, method, path, token, &[], body).await
}

/// [`call`] with more headers.
async fn call_with(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Body,
) -> (u16, Bytes) {
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(path);
    if let Some(token) = token {
        request = request.header("x-auth-token", token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    // As a client sends them: the length when known, else chunked.
    request = match axum::body::HttpBody::size_hint(&body).exact() {
        Some(length) => request.header("content-length", length),
        None => request.header("transfer-encoding", "chunked"),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    (status, body)
}

/// Whether `body` is a Synnefo fault: `{"<name>": {"code", "message", ..}}`.
fn is_synnefo_fault(body: &[u8], status: u16) -> bool {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) if map.len() == 1 => map
            .values()
            .next()
            .is_some_and(|f| f["code"] == status && f["message"].is_string()),
        _ => false,
    }
}

/// Every endpoint of every service, with ids that look right.
fn endpoints() -> Vec<(&'static str, String)> {
    let mut all = Vec::new();
    let mut add = |methods: &[&'static str], base: &str, paths: &[&str]| {
        for path in paths {
            for method in methods {
                all.push((*method, format!("{base}{path}")));
            }
        }
    };
    // Compute.
    add(
        &["GET", "POST"],
        COMPUTE,
        &["/servers", "/os-keypairs", "/os-floating-ips"],
    );
    add(
        &["GET"],
        COMPUTE,
        &[
            "/servers/detail",
            "/servers/1/ips",
            "/servers/1/ips/2",
            "/servers/1/stats",
            "/servers/1/diagnostics",
            "/flavors",
            "/flavors/detail",
            "/flavors/1",
            "/flavors/1/os-extra_specs",
            "/images",
            "/images/detail",
            "/extensions",
            "/extensions/os-x",
        ],
    );
    add(
        &["GET", "PUT", "DELETE"],
        COMPUTE,
        &[
            "/servers/1",
            "/servers/1/metadata/k",
            "/images/x/metadata/k",
        ],
    );
    add(
        &["GET", "POST", "PUT"],
        COMPUTE,
        &["/servers/1/metadata", "/images/x/metadata"],
    );
    add(&["POST"], COMPUTE, &["/servers/1/action"]);
    add(&["GET", "PUT"], COMPUTE, &["/servers/1/tags"]);
    add(&["PUT", "DELETE"], COMPUTE, &["/servers/1/tags/t"]);
    add(
        &["GET", "DELETE"],
        COMPUTE,
        &[
            "/servers/1/password",
            "/images/x",
            "/os-keypairs/k",
            "/os-floating-ips/1",
        ],
    );
    add(
        &["GET", "POST"],
        COMPUTE,
        &["/servers/1/os-volume_attachments"],
    );
    add(
        &["GET", "DELETE"],
        COMPUTE,
        &["/servers/1/os-volume_attachments/2"],
    );
    // Network.
    add(
        &["GET", "POST"],
        NETWORK,
        &["/networks", "/subnets", "/ports", "/floatingips"],
    );
    add(
        &["GET"],
        NETWORK,
        &[
            "/networks/detail",
            "/subnets/detail",
            "/ports/detail",
            "/floatingips/detail",
        ],
    );
    add(
        &["GET", "PUT", "DELETE"],
        NETWORK,
        &["/networks/1", "/subnets/1", "/ports/1", "/floatingips/1"],
    );
    add(
        &["POST"],
        NETWORK,
        &["/networks/1/action", "/floatingips/1/action"],
    );
    // Block storage.
    add(&["GET", "POST"], VOLUME, &["/volumes", "/snapshots"]);
    add(
        &["GET"],
        VOLUME,
        &["/volumes/detail", "/snapshots/detail", "/types", "/types/1"],
    );
    add(
        &["GET", "PUT", "DELETE"],
        VOLUME,
        &[
            "/volumes/1",
            "/snapshots/1",
            "/volumes/1/metadata/k",
            "/snapshots/1/metadata/k",
        ],
    );
    add(
        &["GET", "POST", "PUT"],
        VOLUME,
        &["/volumes/1/metadata", "/snapshots/1/metadata"],
    );
    add(&["POST"], VOLUME, &["/volumes/1/action"]);
    // Image.
    add(
        &["GET"],
        IMAGE,
        &["/images", "/images/", "/images/detail", "/shared-images/m"],
    );
    add(&["GET", "HEAD", "PUT", "DELETE"], IMAGE, &["/images/x"]);
    add(&["GET", "PUT"], IMAGE, &["/images/x/members"]);
    add(&["PUT", "DELETE"], IMAGE, &["/images/x/members/m"]);
    // Account.
    add(
        &["GET"],
        ACCOUNT,
        &[
            "/quotas",
            "/service_quotas",
            "/service_project_quotas",
            "/commissions",
            "/commissions/1",
            "/projects/memberships",
        ],
    );
    add(
        &["POST"],
        ACCOUNT,
        &[
            "/commissions",
            "/commissions/action",
            "/commissions/1/action",
            "/projects/memberships",
            "/projects/memberships/1/action",
            "/projects/1/action",
            "/user_catalogs",
            "/service/user_catalogs",
            "/feedback",
            "/myaccount/default_project",
        ],
    );
    add(&["GET", "POST"], ACCOUNT, &["/projects"]);
    add(&["GET", "PUT"], ACCOUNT, &["/projects/1"]);
    add(&["GET"], ACCOUNT, &["/projects/memberships/1"]);
    // Pithos: the service, an account, a container, an object.
    // (The service's root is Swift's authentication: see below.)
    add(&["GET", "HEAD", "POST"], PITHOS, &["/acc"]);
    add(
        &["GET", "HEAD", "PUT", "POST", "DELETE"],
        PITHOS,
        &["/acc/cont"],
    );
    add(
        &["GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "MOVE"],
        PITHOS,
        &["/acc/cont/obj", "/acc/cont/dir/obj"],
    );
    all
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_or_wrong_token() {
    let (_emu, app) = emulator().await;
    let endpoints = endpoints();
    assert!(endpoints.len() > 150, "{} endpoints", endpoints.len());
    let mut wrong = Vec::new();
    let mut served = std::collections::BTreeSet::new();
    for (method, path) in &endpoints {
        for token in [None, Some("not-a-token"), Some("")] {
            let (status, body) = call(&app, method, path, token, Body::empty()).await;
            let synnefo =
                path.starts_with(PITHOS) || method == &"HEAD" || is_synnefo_fault(&body, status);
            // A method a path does not serve is refused first, as Synnefo's
            // api_method does.
            if status == 405 && synnefo {
                continue;
            }
            served.insert(path.clone());
            if status != 401 || !synnefo {
                wrong.push(format!(
                    "{method} {path} (token {token:?}) -> {status} {}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "not 401:\n{}", wrong.join("\n"));
    let paths: std::collections::BTreeSet<_> = endpoints.iter().map(|(_, p)| p.clone()).collect();
    let unserved: Vec<_> = paths.difference(&served).collect();
    assert!(unserved.is_empty(), "no method served: {unserved:?}");
}

#[tokio::test]
async fn public_endpoints_answer_without_a_token() {
    let (emu, app) = emulator().await;
    // As in Synnefo: the public catalog, token validation (the token is in
    // the path), the resource list, the UI's service list.
    let access = emu.issue_access_token(&emu.user().uuid, "");
    for (method, path) in [
        ("POST", format!("{IDENTITY}/tokens")),
        ("GET", format!("{IDENTITY}/tokens/{access}")),
        ("GET", format!("{ACCOUNT}/resources")),
        ("GET", "/astakos/ui/get_services".to_string()),
    ] {
        let (status, body) = call(&app, method, &path, None, Body::empty()).await;
        assert_eq!(
            status,
            200,
            "{method} {path}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    // Pithos' root is Swift's authentication: credentials in headers.
    let (status, body) = call(&app, "GET", PITHOS, None, Body::empty()).await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    let (status, _) = call(&app, "GET", PITHOS, Some("not-a-token"), Body::empty()).await;
    assert_eq!(status, 401);
    // A public object answers anyone; an unpublished one is not found.
    let user = emu.user();
    let object = format!("{PITHOS}/{}/pithos/readme", user.uuid);
    call(
        &app,
        "PUT",
        &format!("{PITHOS}/{}/pithos", user.uuid),
        Some(TOKEN),
        Body::empty(),
    )
    .await;
    let text = [("content-type", "text/plain")];
    let (status, _) = call_with(&app, "PUT", &object, Some(TOKEN), &text, "hello".into()).await;
    assert_eq!(status, 201);
    let public = [("x-object-public", "true")];
    let (status, _) = call_with(&app, "POST", &object, Some(TOKEN), &public, Body::empty()).await;
    assert_eq!(status, 202);
    let request = Request::head(&object)
        .header("x-auth-token", TOKEN)
        .body(Body::empty())
        .unwrap();
    let head = app.clone().oneshot(request).await.unwrap();
    let public = head.headers()["x-object-public"]
        .to_str()
        .unwrap()
        .to_string();
    let public_path = public
        .split_once("/pithos/public")
        .map(|(_, p)| format!("/pithos/public{p}"))
        .unwrap();
    let (status, body) = call(&app, "GET", &public_path, None, Body::empty()).await;
    assert_eq!((status, &body[..]), (200, &b"hello"[..]));
    let (status, _) = call(&app, "GET", "/pithos/public/nosuchid", None, Body::empty()).await;
    assert_eq!(status, 404);
}

/// A body of `len` bytes produced on demand, counting what was read of it.
fn endless_json(len: u64, read: Arc<AtomicU64>) -> Body {
    let chunk = Bytes::from(format!(
        "{{\"server\": {{\"name\": \"{}",
        "x".repeat(64 << 10)
    ));
    let stream = futures_util::stream::unfold(0u64, move |sent| {
        let (chunk, read) = (chunk.clone(), read.clone());
        async move {
            if sent >= len {
                return None;
            }
            read.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            Some((
                Ok::<_, std::io::Error>(chunk.clone()),
                sent + chunk.len() as u64,
            ))
        }
    });
    Body::from_stream(stream)
}

#[tokio::test]
async fn huge_bodies_are_refused_without_being_read() {
    let (emu, app) = emulator().await;
    let user = emu.user();
    for path in [
        format!("{COMPUTE}/servers"),
        format!("{NETWORK}/networks"),
        format!("{VOLUME}/volumes"),
        format!("{ACCOUNT}/projects"),
        format!("{IDENTITY}/tokens"),
    ] {
        let read = Arc::new(AtomicU64::new(0));
        let (status, body) = call(
            &app,
            "POST",
            &path,
            Some(TOKEN),
            endless_json(1 << 30, read.clone()),
        )
        .await;
        assert_eq!(status, 413, "{path}: {}", String::from_utf8_lossy(&body));
        assert!(
            is_synnefo_fault(&body, 413),
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        let read = read.load(Ordering::Relaxed);
        assert!(read < 8 << 20, "{path}: {read} bytes of 1 GiB were read");
    }
    // A Pithos hashmap: bounded too (64 MiB), answered before reading it all.
    call(
        &app,
        "PUT",
        &format!("{PITHOS}/{}/pithos", user.uuid),
        Some(TOKEN),
        Body::empty(),
    )
    .await;
    let read = Arc::new(AtomicU64::new(0));
    let (status, _) = call_with(
        &app,
        "PUT",
        &format!("{PITHOS}/{}/pithos/h?hashmap&format=json", user.uuid),
        Some(TOKEN),
        &[("content-type", "application/json")],
        endless_json(1 << 30, read.clone()),
    )
    .await;
    assert!(matches!(status, 400 | 413), "{status}");
    assert!(read.load(Ordering::Relaxed) < 80 << 20);
}

#[tokio::test]
async fn huge_headers_are_refused_and_the_server_lives_on() {
    let (emu, _app) = emulator().await;
    let client = reqwest::Client::new();
    let url = format!("{}{COMPUTE}/flavors", emu.url());
    let refused = client
        .get(&url)
        .header("x-auth-token", TOKEN)
        .header("x-padding", "p".repeat(1 << 20))
        .send()
        .await;
    match refused {
        Ok(reply) => assert_eq!(reply.status().as_u16(), 431),
        Err(e) => assert!(e.is_request() || e.is_connect() || e.is_body(), "{e}"),
    }
    let many = (0..200).fold(client.get(&url).header("x-auth-token", TOKEN), |r, i| {
        r.header(format!("x-h{i}"), "v")
    });
    if let Ok(reply) = many.send().await {
        assert!(reply.status().as_u16() == 431 || reply.status().is_success());
    }
    let ok = client
        .get(&url)
        .header("x-auth-token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
}

/// Pieces random requests are made of.
const LONG_SEGMENT: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "COPY", "MOVE", "OPTIONS", "FOO",
];
const PREFIXES: &[&str] = &[
    COMPUTE,
    NETWORK,
    VOLUME,
    IMAGE,
    ACCOUNT,
    IDENTITY,
    PITHOS,
    "/pithos/public",
    "/astakos/ui",
    "/cyclades",
    "",
];
const SEGMENTS: &[&str] = &[
    "servers",
    "detail",
    "action",
    "metadata",
    "networks",
    "ports",
    "subnets",
    "floatingips",
    "volumes",
    "snapshots",
    "types",
    "images",
    "members",
    "projects",
    "memberships",
    "commissions",
    "tokens",
    "quotas",
    "os-keypairs",
    "flavors",
    "tags",
    "1",
    "0",
    "-1",
    "99999999999999999999999",
    "%00",
    "%ff%fe",
    "..",
    ".",
    "%2e%2e",
    "a%2Fb",
    "\u{e9}t\u{e9}",
    LONG_SEGMENT,
    "",
    "acc",
    "cont",
    "obj",
];
const QUERIES: &[&str] = &[
    "",
    "?format=json",
    "?format=xml",
    "?hashmap&format=json",
    "?update",
    "?limit=-1",
    "?limit=99999999999999999999",
    "?marker=%ff",
    "?until=abc",
    "?version=list",
    "?changes-since=yesterday",
    "?status=ACTIVE&%=",
    "?a=%zz",
];
const HEADERS: &[(&str, &str)] = &[
    ("content-type", "application/json"),
    ("content-type", "application/x-www-form-urlencoded"),
    ("content-type", "text/plain; charset=\u{0}"),
    ("range", "bytes=5-1"),
    ("range", "bytes=-99999999999999999999"),
    ("x-object-sharing", "read=;write=,,,"),
    ("x-object-manifest", "/"),
    ("x-copy-from", "/../../x"),
    ("x-move-from", "%"),
    ("x-container-policy-quota", "-5"),
    ("x-object-meta-\u{e9}", "v"),
    ("content-length", "18446744073709551615"),
    ("if-modified-since", "not a date"),
    ("destination", "//"),
];

fn random_body(rng: &mut fastrand::Rng) -> Vec<u8> {
    match rng.u8(0..6) {
        0 => Vec::new(),
        1 => {
            let mut bytes = vec![0u8; rng.usize(0..512)];
            rng.fill(&mut bytes);
            bytes
        }
        2 => b"{\"server\": {\"name\": \"x\", \"flavorRef\": 1e999, \"imageRef\": [], \"networks\": {}}}".to_vec(),
        3 => b"{\"network\": null, \"port\": {\"fixed_ips\": [{\"ip_address\": 5}]}, \"volume\": {\"size\": -1}}".to_vec(),
        4 => b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]".to_vec(),
        _ => b"{\"reboot\": {\"type\": 7}, \"resize\": {\"flavorRef\": null}, \"addFloatingIp\": {}}".to_vec(),
    }
}

#[tokio::test]
async fn random_requests_get_client_errors_not_crashes() {
    let (emu, app) = emulator().await;
    let user = emu.user();
    let mut rng = fastrand::Rng::with_seed(2024);
    let mut bad = Vec::new();
    for _ in 0..3000 {
        let method = METHODS[rng.usize(..METHODS.len())];
        let mut path = PREFIXES[rng.usize(..PREFIXES.len())].to_string();
        for _ in 0..rng.usize(0..5) {
            path.push('/');
            path.push_str(match rng.u8(0..8) {
                0 => user.uuid.as_str(),
                _ => SEGMENTS[rng.usize(..SEGMENTS.len())],
            });
        }
        path.push_str(QUERIES[rng.usize(..QUERIES.len())]);
        let Ok(uri) = path.parse::<axum::http::Uri>() else {
            continue;
        };
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(uri);
        if rng.u8(0..4) != 0 {
            request = request.header("x-auth-token", if rng.bool() { TOKEN } else { "nope" });
        }
        for _ in 0..rng.usize(0..3) {
            let (name, value) = HEADERS[rng.usize(..HEADERS.len())];
            if let Ok(value) = axum::http::HeaderValue::from_bytes(value.as_bytes()) {
                request = request.header(name, value);
            }
        }
        let body = random_body(&mut rng);
        let Ok(request) = request.body(Body::from(body)) else {
            continue;
        };
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 8 << 20)
            .await
            .unwrap_or_default();
        let json_service = !path.starts_with("/pithos") && method != "HEAD";
        let faulty = status >= 500 && status != 501
            || status >= 400 && json_service && !is_synnefo_fault(&body, status);
        if faulty {
            bad.push(format!(
                "{method} {path} -> {status} {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} bad answers:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
