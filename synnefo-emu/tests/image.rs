//! The emulator's Image registry (Plankton) on the wire.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use synnefo_emu::image::{ImageRecord, SYSTEM_USER};
use synnefo_emu::Emulator;

struct Cloud {
    emu: Emulator,
    http: reqwest::Client,
    base: String,
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no header {name} in {:?}", self.headers))
    }
}

impl Cloud {
    async fn start() -> Cloud {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let emu = Emulator::builder()
            .user("owner@example.org", "owner-token")
            .user("friend@example.org", "friend-token")
            .start()
            .await
            .unwrap();
        let base = format!("{}/cyclades/image/v1.0", emu.url());
        Cloud {
            emu,
            http: reqwest::Client::new(),
            base,
        }
    }

    fn uuid(&self, i: usize) -> String {
        self.emu.users()[i].uuid.clone()
    }

    async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let mut req = self
            .http
            .request(method, format!("{}/{path}", self.base))
            .header("X-Auth-Token", token);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply = req.send().await.unwrap();
        let status = reply.status();
        let headers = reply.headers().clone();
        let bytes = reply.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// An image of user `i`, put in the registry directly.
    fn own_image(&self, i: usize, name: &str, public: bool) -> String {
        let owner = self.uuid(i);
        let id = format!("{name}-id");
        self.emu.state().image.insert(ImageRecord {
            id: id.clone(),
            name: name.to_string(),
            owner: owner.clone(),
            status: "AVAILABLE".into(),
            is_public: public,
            size: 1024,
            checksum: "ab".repeat(32),
            location: format!("pithos://{owner}/images/{name}.diskdump"),
            disk_format: "diskdump".into(),
            container_format: "bare".into(),
            created_at: "2030-01-01T00:00:00+00:00".into(),
            updated_at: "2030-01-01T00:00:00+00:00".into(),
            deleted_at: None,
            properties: BTreeMap::from([("os".to_string(), "debian".to_string())]),
            members: vec![owner],
        });
        id
    }
}

/// The names of a listing (`{"images": [...]}`, as Synnefo answers).
fn names(body: &Value) -> Vec<String> {
    body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn public_images_are_listed_filtered_and_sorted() {
    let cloud = Cloud::start().await;
    let listed = cloud
        .call("owner-token", Method::GET, "images/", &[], None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let images = listed.body["images"].as_array().unwrap();
    assert_eq!(images.len(), 4);
    let first = images[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "container_format",
            "disk_format",
            "id",
            "name",
            "size",
            "status"
        ]
    );

    let detail = cloud
        .call(
            "owner-token",
            Method::GET,
            "images/detail?sort_key=name&sort_dir=asc",
            &[],
            None,
        )
        .await;
    assert_eq!(
        names(&detail.body),
        [
            "CentOS",
            "Debian Base",
            "Ubuntu Server LTS",
            "Windows Server"
        ]
    );
    let debian = &detail.body["images"][1];
    assert_eq!(debian["owner"], SYSTEM_USER);
    assert_eq!(debian["is_public"], true);
    assert_eq!(debian["status"], "AVAILABLE");
    assert_eq!(debian["created_at"], "2026-01-01 00:00:00");
    assert_eq!(debian["deleted_at"], "");
    assert_eq!(debian["properties"]["OSFAMILY"], "linux");
    assert!(debian["location"]
        .as_str()
        .unwrap()
        .starts_with("pithos://"));

    let by_size = cloud
        .call(
            "owner-token",
            Method::GET,
            "images?sort_key=size&sort_dir=desc&size_min=2684354560",
            &[],
            None,
        )
        .await;
    assert_eq!(
        names(&by_size.body),
        ["Windows Server", "Ubuntu Server LTS", "CentOS"]
    );
    let named = cloud
        .call(
            "owner-token",
            Method::GET,
            "images?name=CentOS&status=available",
            &[],
            None,
        )
        .await;
    assert_eq!(names(&named.body), ["CentOS"]);
    let small = cloud
        .call("owner-token", Method::GET, "images?size_max=1", &[], None)
        .await;
    assert!(names(&small.body).is_empty());

    for (query, message) in [
        ("sort_key=colour", "Invalid 'sort_key'"),
        ("sort_dir=sideways", "Invalid 'sort_dir'"),
        ("size_min=big", "Malformed request."),
    ] {
        let reply = cloud
            .call(
                "owner-token",
                Method::GET,
                &format!("images?{query}"),
                &[],
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.body["badRequest"]["message"], message);
    }
    let reply = cloud
        .call("bad-token", Method::GET, "images", &[], None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn image_metadata_come_as_headers() {
    let cloud = Cloud::start().await;
    let id = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";
    let reply = cloud
        .call(
            "owner-token",
            Method::HEAD,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-image-meta-id"), id);
    assert_eq!(reply.header("x-image-meta-name"), "Debian%20Base");
    assert_eq!(reply.header("x-image-meta-status"), "AVAILABLE");
    assert_eq!(reply.header("x-image-meta-is-public"), "True");
    assert_eq!(reply.header("x-image-meta-size"), "2147483648");
    assert_eq!(reply.header("x-image-meta-owner"), SYSTEM_USER);
    assert_eq!(reply.header("x-image-meta-deleted-at"), "");
    assert_eq!(reply.header("x-image-meta-property-osfamily"), "linux");
    assert_eq!(
        reply.header("x-image-meta-property-description"),
        "Debian%20Base%2C%20as%20the%20cloud%20ships%20it"
    );

    let missing = cloud
        .call(
            "owner-token",
            Method::HEAD,
            "images/no-such-image",
            &[],
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let data = cloud
        .call(
            "owner-token",
            Method::GET,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(data.status, StatusCode::NOT_IMPLEMENTED);
    let wrong = cloud
        .call(
            "owner-token",
            Method::POST,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn registering_checks_its_input_and_the_object() {
    let cloud = Cloud::start().await;
    let owner = cloud.uuid(0);
    let location = format!("pithos://{owner}/images/missing.diskdump");
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, String);
    let cases: Vec<Case> = vec![
        (
            vec![("X-Image-Meta-Location", location.as_str())],
            StatusCode::BAD_REQUEST,
            "Image 'name' parameter is required".into(),
        ),
        (
            vec![("X-Image-Meta-Name", "x")],
            StatusCode::BAD_REQUEST,
            "'location' parameter is required".into(),
        ),
        (
            vec![
                ("X-Image-Meta-Name", "x"),
                ("X-Image-Meta-Location", "/images/x"),
            ],
            StatusCode::BAD_REQUEST,
            "Invalid location '/images/x'".into(),
        ),
        (
            vec![
                ("X-Image-Meta-Name", "x"),
                ("X-Image-Meta-Location", location.as_str()),
                ("X-Image-Meta-Disk-Format", "qcow2"),
            ],
            StatusCode::BAD_REQUEST,
            "Invalid disk format 'qcow2'".into(),
        ),
        (
            vec![
                ("X-Image-Meta-Name", "x"),
                ("X-Image-Meta-Location", location.as_str()),
                ("X-Image-Meta-Status", "available"),
            ],
            StatusCode::BAD_REQUEST,
            "Invalid parameters".into(),
        ),
        (
            vec![
                ("X-Image-Meta-Name", "x"),
                ("X-Image-Meta-Location", location.as_str()),
            ],
            StatusCode::NOT_FOUND,
            format!(
                "Object 'missing.diskdump' does not exist in container 'images' of account {owner}"
            ),
        ),
    ];
    for (headers, status, message) in cases {
        let reply = cloud
            .call("owner-token", Method::POST, "images/", &headers, None)
            .await;
        assert_eq!(reply.status, status, "{headers:?}: {}", reply.body);
        let fault = reply.body.as_object().unwrap().values().next().unwrap();
        assert_eq!(fault["message"], json!(message));
    }
}

#[tokio::test]
async fn owners_update_share_and_unregister_their_images() {
    let cloud = Cloud::start().await;
    let owner = cloud.uuid(0);
    let friend = cloud.uuid(1);
    let id = cloud.own_image(0, "mine", false);

    // Private: the friend neither lists nor reads it.
    let listed = cloud
        .call("friend-token", Method::GET, "images", &[], None)
        .await;
    assert!(!names(&listed.body).contains(&"mine".to_string()));
    let reply = cloud
        .call(
            "friend-token",
            Method::HEAD,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // Update: name, publicity, properties (an empty one is removed).
    let reply = cloud
        .call(
            "owner-token",
            Method::PUT,
            &format!("images/{id}"),
            &[
                ("X-Image-Meta-Name", "My%20Image"),
                ("X-Image-Meta-Property-Users", "root%20user"),
                ("X-Image-Meta-Property-OS", ""),
                ("X-Image-Meta-Status", "available"),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-image-meta-name"), "My%20Image");
    assert_eq!(reply.header("x-image-meta-property-users"), "root%20user");
    assert!(reply.headers.get("x-image-meta-property-os").is_none());
    let reply = cloud
        .call(
            "owner-token",
            Method::PUT,
            &format!("images/{id}"),
            &[("X-Image-Meta-Checksum", "00")],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["badRequest"]["message"], "Invalid metadata");
    let reply = cloud
        .call(
            "friend-token",
            Method::PUT,
            &format!("images/{id}"),
            &[("X-Image-Meta-Name", "theirs")],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // Members.
    let path = format!("images/{id}/members");
    let members = cloud
        .call("owner-token", Method::GET, &path, &[], None)
        .await;
    assert_eq!(
        members.body,
        json!({"members": [{"member_id": owner, "can_share": false}]})
    );
    let reply = cloud
        .call(
            "owner-token",
            Method::PUT,
            &format!("{path}/{friend}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = cloud
        .call(
            "friend-token",
            Method::HEAD,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "shared with the friend now");
    let shared = cloud
        .call(
            "friend-token",
            Method::GET,
            &format!("shared-images/{owner}"),
            &[],
            None,
        )
        .await;
    assert_eq!(
        shared.body,
        json!({"shared_images": [{"image_id": id, "can_share": false}]})
    );
    let reply = cloud
        .call(
            "friend-token",
            Method::DELETE,
            &format!("{path}/{friend}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "only the owner shares");
    let reply = cloud
        .call(
            "owner-token",
            Method::PUT,
            &path,
            &[],
            Some(json!({"memberships": [{"member_id": friend}, {"member_id": "third"}]})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let members = cloud
        .call("owner-token", Method::GET, &path, &[], None)
        .await;
    assert_eq!(members.body["members"].as_array().unwrap().len(), 2);
    let reply = cloud
        .call(
            "owner-token",
            Method::PUT,
            &path,
            &[],
            Some(json!({"memberships": ["friend"]})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = cloud
        .call(
            "owner-token",
            Method::DELETE,
            &format!("{path}/{friend}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = cloud
        .call(
            "friend-token",
            Method::HEAD,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // Public: every user lists it, members are kept apart.
    cloud
        .call(
            "owner-token",
            Method::PUT,
            &format!("images/{id}"),
            &[("X-Image-Meta-Is-Public", "True")],
            None,
        )
        .await;
    let listed = cloud
        .call(
            "friend-token",
            Method::GET,
            "images?name=My%20Image",
            &[],
            None,
        )
        .await;
    assert_eq!(names(&listed.body), ["My Image"]);
    let shared = cloud
        .call(
            "friend-token",
            Method::GET,
            &format!("shared-images/{owner}"),
            &[],
            None,
        )
        .await;
    assert_eq!(
        shared.body,
        json!({"shared_images": []}),
        "public is not shared"
    );

    // Unregister: gone for everyone; only the owner may.
    let reply = cloud
        .call(
            "friend-token",
            Method::DELETE,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = cloud
        .call(
            "owner-token",
            Method::DELETE,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = cloud
        .call(
            "owner-token",
            Method::HEAD,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = cloud
        .call(
            "owner-token",
            Method::DELETE,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

impl Cloud {
    /// A Pithos request as user `token`, path under the object store.
    async fn pithos(
        &self,
        token: &str,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> reqwest::Response {
        let url = format!("{}/{path}", self.emu.endpoint_url("object-store").unwrap());
        let mut req = self
            .http
            .request(method, url)
            .header("X-Auth-Token", token)
            .body(body);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.unwrap()
    }
}

#[tokio::test]
async fn images_are_registered_from_pithos_objects() {
    let cloud = Cloud::start().await;
    let owner = cloud.uuid(0);
    let friend = cloud.uuid(1);
    let put = cloud
        .pithos(
            "owner-token",
            Method::PUT,
            &format!("{owner}/images"),
            &[],
            vec![],
        )
        .await;
    assert!(put.status().is_success());
    let data = vec![42u8; 5 * 1024 * 1024 + 3];
    let put = cloud
        .pithos(
            "owner-token",
            Method::PUT,
            &format!("{owner}/images/dir/debian%20custom.diskdump"),
            &[("Content-Type", "application/octet-stream")],
            data.clone(),
        )
        .await;
    assert_eq!(put.status(), StatusCode::CREATED);
    let head = cloud
        .pithos(
            "owner-token",
            Method::HEAD,
            &format!("{owner}/images/dir/debian%20custom.diskdump"),
            &[],
            vec![],
        )
        .await;
    let hash = head.headers()["x-object-hash"]
        .to_str()
        .unwrap()
        .to_string();

    let location = format!("pithos://{owner}/images/dir/debian%20custom.diskdump");
    let register = |name: &'static str, extra: Vec<(&'static str, String)>| {
        let cloud = &cloud;
        let location = location.clone();
        async move {
            let mut headers = vec![
                ("X-Image-Meta-Name", name.to_string()),
                ("X-Image-Meta-Location", location),
            ];
            headers.extend(extra);
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            cloud
                .call("owner-token", Method::POST, "images/", &headers, None)
                .await
        }
    };
    let reply = register(
        "Debian%20Custom",
        vec![
            ("X-Image-Meta-Property-OSFAMILY", "linux".into()),
            ("X-Image-Meta-Property-Users", "root%20user".into()),
            ("X-Image-Meta-Size", data.len().to_string()),
            ("X-Image-Meta-Checksum", hash.clone()),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id = reply.header("x-image-meta-id").to_string();
    assert_eq!(reply.header("x-image-meta-name"), "Debian%20Custom");
    assert_eq!(reply.header("x-image-meta-size"), data.len().to_string());
    assert_eq!(reply.header("x-image-meta-checksum"), hash);
    assert_eq!(reply.header("x-image-meta-location"), location);
    assert_eq!(reply.header("x-image-meta-owner"), owner);
    assert_eq!(reply.header("x-image-meta-is-public"), "False");
    assert_eq!(reply.header("x-image-meta-disk-format"), "diskdump");
    assert_eq!(reply.header("x-image-meta-container-format"), "bare");
    assert_eq!(reply.header("x-image-meta-property-osfamily"), "linux");
    assert_eq!(reply.header("x-image-meta-property-users"), "root%20user");
    let members = cloud
        .call(
            "owner-token",
            Method::GET,
            &format!("images/{id}/members"),
            &[],
            None,
        )
        .await;
    assert_eq!(members.body["members"][0]["member_id"], json!(owner));

    // Compute sees the same images.
    let state = cloud.emu.state();
    let visible = state.image.visible_images(&state.pithos, &owner);
    assert!(visible
        .iter()
        .any(|i| i.id == id && i.size == data.len() as u64));
    assert!(state
        .image
        .visible_image(&state.pithos, &friend, &id)
        .is_none());

    // Size and checksum must match the object.
    let reply = register("x", vec![("X-Image-Meta-Size", "12".into())]).await;
    assert_eq!(reply.body["badRequest"]["message"], "Invalid 'size' field");
    let reply = register("x", vec![("X-Image-Meta-Checksum", "00".into())]).await;
    assert_eq!(
        reply.body["badRequest"]["message"],
        "Invalid checksum field"
    );

    // Again: same id, public now, old properties kept, members reset.
    cloud
        .call(
            "owner-token",
            Method::PUT,
            &format!("images/{id}/members/{friend}"),
            &[],
            None,
        )
        .await;
    let reply = register(
        "Debian%20Custom%202",
        vec![("X-Image-Meta-Is-Public", "true".into())],
    )
    .await;
    assert_eq!(reply.header("x-image-meta-id"), id);
    assert_eq!(reply.header("x-image-meta-is-public"), "True");
    assert_eq!(reply.header("x-image-meta-property-osfamily"), "linux");
    let members = cloud
        .call(
            "owner-token",
            Method::GET,
            &format!("images/{id}/members"),
            &[],
            None,
        )
        .await;
    assert_eq!(members.body["members"].as_array().unwrap().len(), 1);
    let listed = cloud
        .call(
            "friend-token",
            Method::GET,
            "images?name=Debian%20Custom%202",
            &[],
            None,
        )
        .await;
    assert_eq!(listed.body["images"][0]["id"], json!(id));

    // An object shared with the friend is readable, yet not theirs to
    // register; a private one is not found.
    let reply = cloud
        .call(
            "friend-token",
            Method::POST,
            "images/",
            &[
                ("X-Image-Meta-Name", "mine"),
                ("X-Image-Meta-Location", &location),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let shared = format!("read={friend}");
    let post = cloud
        .pithos(
            "owner-token",
            Method::POST,
            &format!("{owner}/images/dir/debian%20custom.diskdump"),
            &[("X-Object-Sharing", &shared)],
            vec![],
        )
        .await;
    assert!(post.status().is_success(), "{}", post.status());
    let reply = cloud
        .call(
            "friend-token",
            Method::POST,
            "images/",
            &[
                ("X-Image-Meta-Name", "mine"),
                ("X-Image-Meta-Location", &location),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);

    // Unregistering leaves the object in Pithos; registering it again
    // gives the same id back.
    let reply = cloud
        .call(
            "owner-token",
            Method::DELETE,
            &format!("images/{id}"),
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let head = cloud
        .pithos(
            "owner-token",
            Method::HEAD,
            &format!("{owner}/images/dir/debian%20custom.diskdump"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(head.status(), StatusCode::OK);
    let reply = register("Back", vec![]).await;
    assert_eq!(reply.header("x-image-meta-id"), id);
    assert_eq!(reply.header("x-image-meta-is-public"), "False");
}

#[tokio::test]
async fn listings_may_be_bare_lists_as_before_synnefo_0_20_for_kamaki_0_16() {
    let emu = Emulator::builder()
        .user("owner@example.org", "owner-token")
        .bare_image_listing(true)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for path in ["images/", "images/detail"] {
        let body: Value = http
            .get(format!("{}/cyclades/image/v1.0/{path}", emu.url()))
            .header("X-Auth-Token", "owner-token")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body.as_array().map(Vec::len), Some(4), "{path}: {body}");
    }
}
