//! The Pithos service of the emulator, over HTTP, as clients see it.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use synnefo_emu::pithos::hashing::{block_hash, merkle, merkle_of_data, to_hex, BLOCK_SIZE};
use synnefo_emu::Emulator;

const BS: usize = BLOCK_SIZE;

/// A client of the emulator's Pithos for one user.
struct Pithos {
    http: reqwest::Client,
    endpoint: String,
    token: String,
    account: String,
}

impl Pithos {
    fn new(emu: &Emulator, token: &str) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let user = emu
            .users()
            .into_iter()
            .find(|u| u.token == token)
            .expect("a user of the emulator");
        Pithos {
            http: reqwest::Client::new(),
            endpoint: emu
                .endpoint_url("object-store")
                .expect("pithos in the catalog"),
            token: token.to_string(),
            account: user.uuid,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.endpoint, path.trim_start_matches('/'))
    }

    /// A request to `path` under the account (`""` is the account itself).
    fn req(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        self.req_in(&self.account.clone(), method, path)
    }

    fn req_in(&self, account: &str, method: &str, path: &str) -> reqwest::RequestBuilder {
        let full = if path.is_empty() {
            account.to_string()
        } else {
            format!("{account}/{path}")
        };
        self.raw(method, &self.url(&full))
    }

    fn raw(&self, method: &str, url: &str) -> reqwest::RequestBuilder {
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        self.http
            .request(method, url)
            .header("X-Auth-Token", &self.token)
    }

    async fn put_container(&self, name: &str) {
        let r = self.req("PUT", name).send().await.unwrap();
        assert!(r.status() == 201 || r.status() == 202, "{}", r.status());
    }

    async fn put_object(&self, path: &str, data: Vec<u8>) -> reqwest::Response {
        let r = self
            .req("PUT", path)
            .header("Content-Type", "application/octet-stream")
            .header("Content-Length", data.len().to_string())
            .body(data)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "PUT {path}");
        r
    }

    async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let r = self.req("GET", path).send().await.unwrap();
        assert_eq!(r.status(), 200, "GET {path}");
        r.bytes().await.unwrap().to_vec()
    }

    async fn json(&self, method: &str, path: &str) -> (StatusCode, Value) {
        let r = self.req(method, path).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ ((i >> 8) as u8))
        .collect()
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

async fn one_user() -> (Emulator, Pithos) {
    let emu = Emulator::builder().user("a@x", "ta").start().await.unwrap();
    let p = Pithos::new(&emu, "ta");
    (emu, p)
}

async fn two_users() -> (Emulator, Pithos, Pithos) {
    let emu = Emulator::builder()
        .user("a@x", "ta")
        .user("b@x", "tb")
        .start()
        .await
        .unwrap();
    let a = Pithos::new(&emu, "ta");
    let b = Pithos::new(&emu, "tb");
    (emu, a, b)
}

#[tokio::test]
async fn round_trips_of_edge_sizes_keep_data_and_hashes() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    for (i, size) in [0, 1, BS - 1, BS, BS + 1, 3 * BS + 17]
        .into_iter()
        .enumerate()
    {
        let data = pattern(size, i as u8);
        let name = format!("c/o{size}");
        let r = p.put_object(&name, data.clone()).await;
        let expected = to_hex(&merkle_of_data(&data, BS));
        assert_eq!(header(&r, "etag"), Some(expected.as_str()), "size {size}");
        let got = p.get_bytes(&name).await;
        assert_eq!(sha(&got), sha(&data), "size {size}");
        let head = p.req("HEAD", &name).send().await.unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(header(&head, "x-object-hash"), Some(expected.as_str()));
        assert_eq!(
            header(&head, "content-length"),
            Some(size.to_string().as_str())
        );
        let (status, map) = p.json("GET", &format!("{name}?hashmap&format=json")).await;
        assert_eq!(status, 200);
        assert_eq!(map["bytes"], size as u64);
        assert_eq!(map["block_size"], BS as u64);
        assert_eq!(map["block_hash"], "sha256");
        let hashes: Vec<String> = data.chunks(BS).map(|c| to_hex(&block_hash(c))).collect();
        let hashes = if size == 0 {
            vec![to_hex(&merkle(&[]))]
        } else {
            hashes
        };
        assert_eq!(map["hashes"], serde_json::json!(hashes), "size {size}");
    }
}

#[tokio::test]
async fn hashmap_upload_sends_only_missing_blocks_and_dedups() {
    let (emu, p) = one_user().await;
    p.put_container("c").await;
    let data = [
        pattern(BS, 1),
        pattern(BS, 2),
        pattern(BS, 1),
        vec![0u8; 100],
    ]
    .concat();
    let blocks: Vec<&[u8]> = data.chunks(BS).collect();
    let hashes: Vec<String> = blocks.iter().map(|b| to_hex(&block_hash(b))).collect();
    let doc = serde_json::json!({"bytes": data.len(), "hashes": hashes});

    let r = p
        .req("PUT", "c/big?hashmap&format=json")
        .header("Content-Type", "application/octet-stream")
        .body(doc.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let missing: Vec<String> = r.json().await.unwrap();
    // Each missing block once; the zero block is always there.
    assert_eq!(missing, vec![hashes[0].clone(), hashes[1].clone()]);

    for (i, h) in missing.iter().enumerate() {
        let r = p
            .req("POST", "c?update&format=json")
            .header("Content-Type", "application/octet-stream")
            .body(blocks[i].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        let stored: Vec<String> = r.json().await.unwrap();
        assert_eq!(stored, vec![h.clone()]);
    }
    assert_eq!(emu.state().pithos.block_count(), 2);
    let r = p
        .req("PUT", "c/big?hashmap&format=json")
        .header("Content-Type", "text/plain")
        .body(doc.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let bhashes: Vec<_> = blocks.iter().map(|b| block_hash(b)).collect();
    assert_eq!(header(&r, "etag"), Some(to_hex(&merkle(&bhashes)).as_str()));
    assert_eq!(sha(&p.get_bytes("c/big").await), sha(&data));

    // Unchanged data again: nothing missing, nothing stored.
    let r = p
        .req("PUT", "c/copy?hashmap&format=json")
        .header("Content-Type", "text/plain")
        .body(doc.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(emu.state().pithos.block_count(), 2);
    // A plain upload of the same data stores no new block either.
    p.put_object("c/plain", data.clone()).await;
    assert_eq!(emu.state().pithos.block_count(), 2);

    // Several blocks in one POST: one hash each.
    let r = p
        .req("POST", "c?update")
        .header("Content-Type", "application/octet-stream")
        .body([pattern(BS, 7), pattern(10, 8)].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let stored: Vec<String> = r.json().await.unwrap();
    assert_eq!(
        stored,
        vec![
            to_hex(&block_hash(&pattern(BS, 7))),
            to_hex(&block_hash(&pattern(10, 8)))
        ]
    );
}

#[tokio::test]
async fn hashmap_put_rejects_bad_documents() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let put = |body: String| {
        p.req("PUT", "c/o?hashmap&format=json")
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .send()
    };
    for body in [
        "not json".to_string(),
        "{}".to_string(),
        r#"{"bytes": 10}"#.to_string(),
        r#"{"bytes": 10, "hashes": ["zz"]}"#.to_string(),
        r#"{"bytes": 10, "hashes": []}"#.to_string(),
        r#"{"bytes": -1, "hashes": []}"#.to_string(),
        format!(
            r#"{{"bytes": {}, "hashes": ["{}"]}}"#,
            BS + 1,
            "ab".repeat(32)
        ),
    ] {
        let r = put(body.clone()).await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let fault: Value = r.json().await.unwrap();
        assert_eq!(fault["badRequest"]["code"], 400, "{body}");
    }
    // An empty object by hashmap.
    let r = put(r#"{"bytes": 0, "hashes": []}"#.to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(p.get_bytes("c/o").await, Vec::<u8>::new());
}

#[tokio::test]
async fn corrupt_blocks_are_served_as_they_are() {
    let (emu, p) = one_user().await;
    p.put_container("c").await;
    let data = pattern(1000, 3);
    p.put_object("c/o", data.clone()).await;
    let h = to_hex(&block_hash(&data));
    assert!(emu.state().pithos.corrupt_block(&h));
    assert!(!emu.state().pithos.corrupt_block(&"00".repeat(32)));
    assert!(!emu.state().pithos.corrupt_block("junk"));
    let got = p.get_bytes("c/o").await;
    assert_eq!(got.len(), data.len());
    assert_ne!(to_hex(&block_hash(&got)), h);
}

#[tokio::test]
async fn object_summary_follows_read_access() {
    let (emu, a, b) = two_users().await;
    a.put_container("images").await;
    let data = pattern(5000, 9);
    a.req("PUT", "images/disk")
        .header("Content-Type", "application/x-disk")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    let pithos = &emu.state().pithos;
    let s = pithos
        .object_summary(&a.account, &a.account, "images", "disk")
        .unwrap();
    assert_eq!(s.size, 5000);
    assert_eq!(s.hash, to_hex(&merkle_of_data(&data, BS)));
    assert_eq!(s.content_type, "application/x-disk");
    assert!(pithos
        .object_summary(&b.account, &a.account, "images", "disk")
        .is_none());
    assert!(pithos
        .object_summary(&a.account, &a.account, "images", "nope")
        .is_none());
    let r = a
        .req("POST", "images/disk?update")
        .header("X-Object-Public", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert!(pithos
        .object_summary(&b.account, &a.account, "images", "disk")
        .is_some());
}

#[tokio::test]
async fn account_head_post_groups_and_quota_headers() {
    let (emu, a, b) = two_users().await;
    a.put_container("c1").await;
    a.put_container("c2").await;
    a.put_object("c1/o", vec![1u8; 300]).await;
    let r = a.req("HEAD", "").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "x-account-container-count"), Some("2"));
    assert_eq!(header(&r, "x-account-bytes-used"), Some("300"));
    let quota = (50u64 << 30).to_string();
    assert_eq!(header(&r, "x-account-policy-quota"), Some(quota.as_str()));
    let per_project = format!("x-account-policy-quota-{}", a.account);
    assert_eq!(header(&r, &per_project), Some(quota.as_str()));
    assert!(header(&r, "last-modified").unwrap().ends_with("GMT"));
    let usage = emu
        .state()
        .quotas
        .usage(&a.account, &a.account, "pithos.diskspace");
    assert_eq!(usage, 300);

    // Metadata: update keeps, plain POST replaces, empty deletes.
    let r = a
        .req("POST", "?update")
        .header("X-Account-Meta-Color", "blue")
        .header("X-Account-Meta-Size_Hint", "big")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = a.req("HEAD", "").send().await.unwrap();
    assert_eq!(header(&r, "x-account-meta-color"), Some("blue"));
    assert_eq!(header(&r, "x-account-meta-size-hint"), Some("big"));
    a.req("POST", "?update")
        .header("X-Account-Meta-Color", "")
        .send()
        .await
        .unwrap();
    let r = a.req("HEAD", "").send().await.unwrap();
    assert_eq!(header(&r, "x-account-meta-color"), None);
    assert_eq!(header(&r, "x-account-meta-size-hint"), Some("big"));
    a.req("POST", "").send().await.unwrap();
    let r = a.req("HEAD", "").send().await.unwrap();
    assert_eq!(header(&r, "x-account-meta-size-hint"), None);

    // Groups of known users; unknown members and bad names are refused.
    let r = a
        .req("POST", "?update")
        .header(
            "X-Account-Group-Friends",
            format!("{}, {}", b.account, a.account),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = a.req("HEAD", "").send().await.unwrap();
    let members = header(&r, "x-account-group-friends").unwrap();
    assert!(members.contains(&b.account) && members.contains(','));
    let r = a
        .req("POST", "?update")
        .header("X-Account-Group-Strangers", "no-such-uuid")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = a
        .req("POST", "?update")
        .header("X-Account-Group-Bad_Name", b.account.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    a.req("POST", "?update")
        .header("X-Account-Group-Friends", "")
        .send()
        .await
        .unwrap();
    let r = a.req("HEAD", "").send().await.unwrap();
    assert_eq!(header(&r, "x-account-group-friends"), None);

    // Another user sees nothing of an account that shares nothing.
    let r = b.req_in(&a.account, "HEAD", "").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = b.req_in(&a.account, "POST", "").send().await.unwrap();
    assert_eq!(r.status(), 403);

    // Conditions on the account.
    let r = a.req("HEAD", "").send().await.unwrap();
    let lm = header(&r, "last-modified").unwrap().to_string();
    let r = a
        .req("HEAD", "")
        .header("If-Modified-Since", &lm)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let r = a
        .req("GET", "")
        .header("If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);
}

#[tokio::test]
async fn container_listing_formats_and_paging() {
    let (_emu, p) = one_user().await;
    let r = p.req("GET", "").send().await.unwrap();
    assert_eq!(r.status(), 204, "no containers: 204 in text");
    for c in ["alpha", "beta", "gamma"] {
        p.put_container(c).await;
    }
    let r = p.req("GET", "").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "alpha\nbeta\ngamma\n");
    let r = p.req("GET", "?limit=1&marker=alpha").send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "beta\n");
    let (status, list) = p.json("GET", "?format=json").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["name"], "alpha");
    assert_eq!(list[0]["count"], 0);
    assert_eq!(list[0]["bytes"], 0);
    assert_eq!(list[0]["x_container_policy"]["versioning"], "auto");
    assert_eq!(list[0]["x_container_policy"]["quota"], "0");
    assert_eq!(list[0]["x_container_policy"]["project"], p.account);
    assert!(list[0]["last_modified"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let r = p
        .req("GET", "")
        .header("Accept", "application/xml")
        .send()
        .await
        .unwrap();
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<account name=") && xml.contains("<name>beta</name>"));
    assert!(xml.contains("<key>versioning</key><value>auto</value>"));
}

#[tokio::test]
async fn containers_create_update_policy_and_delete() {
    let (emu, p) = one_user().await;
    let r = p
        .req("PUT", "c")
        .header("X-Container-Policy-Versioning", "none")
        .header("X-Container-Policy-Quota", "1000")
        .header("X-Container-Meta-Owner", "me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = p.req("PUT", "c").send().await.unwrap();
    assert_eq!(r.status(), 202);
    let r = p.req("HEAD", "c").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(header(&r, "x-container-block-size"), Some("4194304"));
    assert_eq!(header(&r, "x-container-block-hash"), Some("sha256"));
    assert_eq!(header(&r, "x-container-policy-versioning"), Some("none"));
    assert_eq!(header(&r, "x-container-policy-quota"), Some("1000"));
    assert_eq!(
        header(&r, "x-container-policy-project"),
        Some(p.account.as_str())
    );
    assert_eq!(header(&r, "x-container-meta-owner"), Some("me"));
    assert_eq!(header(&r, "x-container-object-count"), Some("0"));

    // Bad policies.
    for (k, v) in [
        ("X-Container-Policy-Versioning", "sometimes"),
        ("X-Container-Policy-Quota", "-5"),
        ("X-Container-Policy-Colour", "red"),
    ] {
        let r = p.req("POST", "c?update").header(k, v).send().await.unwrap();
        assert_eq!(r.status(), 400, "{k}: {v}");
        let fault: Value = r.json().await.unwrap();
        assert!(fault["badRequest"]["message"].is_string());
    }
    // POST ?update changes one directive; without update the rest revert.
    let r = p
        .req("POST", "c?update")
        .header("X-Container-Policy-Quota", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = p.req("HEAD", "c").send().await.unwrap();
    assert_eq!(header(&r, "x-container-policy-versioning"), Some("none"));
    assert_eq!(header(&r, "x-container-meta-owner"), Some("me"));
    p.req("POST", "c")
        .header("X-Container-Policy-Quota", "7")
        .send()
        .await
        .unwrap();
    let r = p.req("HEAD", "c").send().await.unwrap();
    assert_eq!(header(&r, "x-container-policy-versioning"), Some("auto"));
    assert_eq!(header(&r, "x-container-policy-quota"), Some("7"));
    assert_eq!(header(&r, "x-container-meta-owner"), None, "replaced");
    p.req("POST", "c?update")
        .header("X-Container-Policy-Quota", "0")
        .send()
        .await
        .unwrap();

    // Reassign to another project: the usage moves. Only to a project the
    // user is a member of: give them quota in it (as accepting them does).
    p.put_object("c/o", vec![5u8; 200]).await;
    let r = p
        .req("POST", "c?update")
        .header("X-Container-Policy-Project", "proj-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "not a member of proj-1 yet");
    let limits = std::collections::BTreeMap::from([(
        "pithos.diskspace".to_string(),
        (1u64 << 30, 1u64 << 30),
    )]);
    emu.state()
        .quotas
        .sync_project("proj-1", &limits, true, &[(p.account.clone(), true)]);
    let r = p
        .req("POST", "c?update")
        .header("X-Container-Policy-Project", "proj-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let quotas = &emu.state().quotas;
    assert_eq!(quotas.usage(&p.account, "proj-1", "pithos.diskspace"), 200);
    assert_eq!(quotas.usage(&p.account, &p.account, "pithos.diskspace"), 0);
    let r = p.req("HEAD", "").send().await.unwrap();
    let per_project = header(&r, "x-account-policy-quota-proj-1");
    assert!(per_project.is_some());

    // Delete: not empty -> 409; delimiter empties; then delete.
    let r = p.req("DELETE", "c").send().await.unwrap();
    assert_eq!(r.status(), 409);
    let r = p.req("DELETE", "c?delimiter=/").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(quotas.usage(&p.account, "proj-1", "pithos.diskspace"), 0);
    let r = p.req("HEAD", "c").send().await.unwrap();
    assert_eq!(header(&r, "x-container-object-count"), Some("0"));
    let r = p.req("DELETE", "c").send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = p.req("HEAD", "c").send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = p.req("DELETE", "c").send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn object_headers_metadata_and_post_updates() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let r = p
        .req("PUT", "c/doc.txt")
        .header("Content-Type", "text/plain")
        .header("Content-Encoding", "identity")
        .header("Content-Disposition", "attachment; filename=\"doc.txt\"")
        .header("X-Object-Meta-Color", "red")
        .header("X-Object-Meta-Tag", "%C3%BCn%C3%AFcode")
        .body("hello world")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v1: u64 = header(&r, "x-object-version").unwrap().parse().unwrap();
    let r = p.req("HEAD", "c/doc.txt").send().await.unwrap();
    assert_eq!(r.status(), 200);
    for name in [
        "etag",
        "x-object-hash",
        "x-object-uuid",
        "x-object-version",
        "x-object-version-timestamp",
        "x-object-modified-by",
        "last-modified",
    ] {
        assert!(header(&r, name).is_some(), "{name}");
    }
    assert_eq!(header(&r, "content-type"), Some("text/plain"));
    assert_eq!(header(&r, "content-encoding"), Some("identity"));
    assert_eq!(header(&r, "x-object-meta-color"), Some("red"));
    // Non-ASCII values come back percent-encoded.
    assert_eq!(header(&r, "x-object-meta-tag"), Some("%C3%BCn%C3%AFcode"));
    assert_eq!(header(&r, "x-object-modified-by"), Some(p.account.as_str()));
    let uuid = header(&r, "x-object-uuid").unwrap().to_string();

    // POST ?update merges; an empty value deletes; the uuid stays.
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("X-Object-Meta-Size", "small")
        .header("X-Object-Meta-Color", "")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let v2: u64 = header(&r, "x-object-version").unwrap().parse().unwrap();
    assert!(v2 > v1);
    let r = p.req("HEAD", "c/doc.txt").send().await.unwrap();
    assert_eq!(header(&r, "x-object-meta-size"), Some("small"));
    assert_eq!(header(&r, "x-object-meta-color"), None);
    assert_eq!(header(&r, "x-object-uuid"), Some(uuid.as_str()));
    // POST without update replaces all user metadata.
    p.req("POST", "c/doc.txt")
        .header("X-Object-Meta-Only", "1")
        .send()
        .await
        .unwrap();
    let r = p.req("HEAD", "c/doc.txt").send().await.unwrap();
    assert_eq!(header(&r, "x-object-meta-only"), Some("1"));
    assert_eq!(header(&r, "x-object-meta-size"), None);
    assert_eq!(header(&r, "content-encoding"), None);

    // Data updates: append, overwrite, truncate.
    let post = |range: &'static str, body: &'static str| {
        p.req("POST", "c/doc.txt?update")
            .header("Content-Type", "application/octet-stream")
            .header("Content-Range", range)
            .body(body)
            .send()
    };
    let r = post("bytes */*", "!!").await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(header(&r, "etag").is_some());
    assert_eq!(p.get_bytes("c/doc.txt").await, b"hello world!!");
    let r = post("bytes 0-4/*", "HELLO").await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(p.get_bytes("c/doc.txt").await, b"HELLO world!!");
    let r = post("bytes 20-24/*", "xxxxx").await.unwrap();
    assert_eq!(r.status(), 416, "beyond the end");
    let r = post("bytes 0-1/*", "abc").await.unwrap();
    assert_eq!(r.status(), 400, "length mismatch");
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("Content-Type", "application/octet-stream")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "no Content-Range");
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("Content-Type", "text/plain")
        .header("X-Source-Object", "/c/doc.txt")
        .header("Content-Range", "bytes 0-4/*")
        .header("X-Object-Bytes", "5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(p.get_bytes("c/doc.txt").await, b"HELLO");
    let r = p.req("HEAD", "c/doc.txt").send().await.unwrap();
    assert_eq!(header(&r, "content-type"), Some("text/plain"));
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("X-Source-Object", "/c/doc.txt")
        .header("Content-Range", "bytes 0-0/*")
        .header("X-Object-Bytes", "nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Append a whole block and more to a partial last block.
    let block = pattern(BS + 10, 4);
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("Content-Type", "application/octet-stream")
        .header("Content-Range", "bytes */*")
        .body(block.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let expected = [b"HELLO".to_vec(), block].concat();
    assert_eq!(sha(&p.get_bytes("c/doc.txt").await), sha(&expected));
    let r = p.req("HEAD", "c/doc.txt").send().await.unwrap();
    assert_eq!(
        header(&r, "x-object-hash"),
        Some(to_hex(&merkle_of_data(&expected, BS)).as_str())
    );

    // Bad headers.
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("X-Object-Sharing", "owner=me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = p
        .req("POST", "c/doc.txt?update")
        .header("X-Object-Public", "maybe")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = p.req("POST", "c/none?update").send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn ranges_single_multiple_and_unsatisfiable() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let data = pattern(BS + 1000, 5);
    p.put_object("c/o", data.clone()).await;
    let get = |range: &'static str| p.req("GET", "c/o").header("Range", range).send();
    let r = get("bytes=10-19").await.unwrap();
    assert_eq!(r.status(), 206);
    let total = data.len();
    let cr = format!("bytes 10-19/{total}");
    assert_eq!(header(&r, "content-range"), Some(cr.as_str()));
    assert_eq!(header(&r, "content-length"), Some("10"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), data[10..20].to_vec());
    // Across a block boundary, and a suffix.
    let r = get("bytes=4194300-4194309").await.unwrap();
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        data[BS - 4..BS + 6].to_vec()
    );
    let r = get("bytes=-5").await.unwrap();
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        data[total - 5..].to_vec()
    );
    // Several ranges: multipart/byteranges.
    let r = get("bytes=0-1,-2").await.unwrap();
    assert_eq!(r.status(), 206);
    let ct = header(&r, "content-type").unwrap().to_string();
    let boundary = ct
        .strip_prefix("multipart/byteranges; boundary=")
        .unwrap()
        .to_string();
    let body = r.bytes().await.unwrap().to_vec();
    let mut expected = format!(
        "--{boundary}\r\nContent-Range: bytes 0-1/{total}\r\nContent-Transfer-Encoding: binary\r\n\r\n"
    )
    .into_bytes();
    expected.extend_from_slice(&data[..2]);
    expected.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Range: bytes {}-{}/{total}\r\nContent-Transfer-Encoding: binary\r\n\r\n",
            total - 2,
            total - 1
        )
        .as_bytes(),
    );
    expected.extend_from_slice(&data[total - 2..]);
    expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(body, expected);
    // Out of the object: 416; a malformed header is ignored.
    for range in ["bytes=0-99999999", "bytes=99999999-"] {
        let r = get(range).await.unwrap();
        assert_eq!(r.status(), 416, "{range}");
    }
    let r = get("bytes=junk").await.unwrap();
    assert_eq!(r.status(), 200);
    // A non-empty If-Range serves everything (as Synnefo does).
    let r = p
        .req("GET", "c/o")
        .header("Range", "bytes=0-1")
        .header("If-Range", "whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn conditional_requests() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let r = p.put_object("c/o", b"data".to_vec()).await;
    let etag = header(&r, "etag").unwrap().to_string();
    let get = |name: &'static str, value: String| p.req("GET", "c/o").header(name, value).send();
    assert_eq!(get("If-Match", etag.clone()).await.unwrap().status(), 200);
    assert_eq!(
        get("If-Match", format!("\"{etag}\""))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(get("If-Match", "other".into()).await.unwrap().status(), 412);
    let r = get("If-None-Match", etag.clone()).await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(header(&r, "etag"), Some(etag.as_str()));
    assert_eq!(
        get("If-None-Match", "*".into()).await.unwrap().status(),
        304
    );
    assert_eq!(
        get("If-None-Match", "other".into()).await.unwrap().status(),
        200
    );
    let head = p.req("HEAD", "c/o").send().await.unwrap();
    let lm = header(&head, "last-modified").unwrap().to_string();
    assert_eq!(
        get("If-Modified-Since", lm.clone()).await.unwrap().status(),
        304
    );
    assert_eq!(
        get("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT".into())
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(get("If-Unmodified-Since", lm).await.unwrap().status(), 200);
    assert_eq!(
        get(
            "If-Unmodified-Since",
            "Sun, 06 Nov 1994 08:49:37 GMT".into()
        )
        .await
        .unwrap()
        .status(),
        412
    );
    // PUT conditions.
    let put = |name: &'static str, value: &str| {
        p.req("PUT", "c/o")
            .header("Content-Type", "text/plain")
            .header(name, value.to_string())
            .body("new")
            .send()
    };
    assert_eq!(put("If-None-Match", "*").await.unwrap().status(), 412);
    assert_eq!(put("If-Match", "nope").await.unwrap().status(), 412);
    assert_eq!(put("If-Match", &etag).await.unwrap().status(), 201);
    let r = p
        .req("PUT", "c/fresh")
        .header("Content-Type", "text/plain")
        .header("If-None-Match", "*")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = p
        .req("PUT", "c/fresh2")
        .header("Content-Type", "text/plain")
        .header("If-Match", "*")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412, "If-Match on a missing object");
    // ETag of a plain PUT is the MD5 of the data.
    let md5 = "5d41402abc4b2a76b9719d911017c592"; // md5("hello")
    let r = p
        .req("PUT", "c/md5")
        .header("Content-Type", "text/plain")
        .header("ETag", md5)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = p
        .req("PUT", "c/md5")
        .header("Content-Type", "text/plain")
        .header("ETag", md5)
        .body("hellO")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let (_, list) = p.json("GET", "c?format=json&prefix=md5").await;
    assert_eq!(list[0]["hash"], md5, "listings show the MD5 as hash");
}

#[tokio::test]
async fn put_needs_length_and_type() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let r = p.req("PUT", "c/o").body("x").send().await.unwrap();
    assert_eq!(r.status(), 411, "no Content-Type");
    let r = p
        .req("PUT", "c/o")
        .header("Content-Type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 411, "no Content-Length");
    let r = p
        .req("PUT", "nope/o")
        .header("Content-Type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let fault: Value = r.json().await.unwrap();
    assert_eq!(fault["itemNotFound"]["message"], "Container does not exist");
    // A large body refused early still gets its reply.
    let r = p
        .req("PUT", "nope/big")
        .header("Content-Type", "application/octet-stream")
        .body(vec![7u8; 3 * BS])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Chunked bodies work.
    let stream = futures_util::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"abc")),
        Ok(bytes::Bytes::from_static(b"def")),
    ]);
    let r = p
        .req("PUT", "c/chunked")
        .header("Content-Type", "text/plain")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(p.get_bytes("c/chunked").await, b"abcdef");
}

#[tokio::test]
async fn upload_size_limit_is_enforced() {
    let (emu, p) = one_user().await;
    p.put_container("c").await;
    emu.state().pithos.set_max_upload_size(1000);
    let r = p
        .req("PUT", "c/big")
        .header("Content-Type", "text/plain")
        .body(vec![1u8; 1001])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let stream = futures_util::stream::iter(
        (0..20).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![2u8; 100]))),
    );
    let r = p
        .req("PUT", "c/big")
        .header("Content-Type", "text/plain")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let fault: Value = r.json().await.unwrap();
    assert_eq!(fault["badRequest"]["message"], "Maximum size is reached");
}

#[tokio::test]
async fn copy_and_move_within_and_across_accounts() {
    let (_emu, a, b) = two_users().await;
    a.put_container("c").await;
    a.put_container("d").await;
    let r = a
        .req("PUT", "c/src")
        .header("Content-Type", "text/plain")
        .header("X-Object-Meta-Kept", "yes")
        .body("payload")
        .send()
        .await
        .unwrap();
    let hash = header(&r, "etag").unwrap().to_string();
    let head = a.req("HEAD", "c/src").send().await.unwrap();
    let uuid = header(&head, "x-object-uuid").unwrap().to_string();

    // PUT with X-Copy-From: new uuid, metadata kept and updated.
    let r = a
        .req("PUT", "d/copy")
        .header("X-Copy-From", "/c/src")
        .header("X-Object-Meta-Added", "1")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert!(header(&r, "x-object-version").is_some());
    let h = a.req("HEAD", "d/copy").send().await.unwrap();
    assert_eq!(header(&h, "x-object-hash"), Some(hash.as_str()));
    assert_eq!(header(&h, "x-object-meta-kept"), Some("yes"));
    assert_eq!(header(&h, "x-object-meta-added"), Some("1"));
    assert_eq!(header(&h, "content-type"), Some("text/plain"));
    assert_ne!(header(&h, "x-object-uuid"), Some(uuid.as_str()));
    // COPY with Destination, and a new content type.
    let r = a
        .req("COPY", "c/src")
        .header("Destination", "/c/copy2")
        .header("Content-Type", "application/x-new")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let h = a.req("HEAD", "c/copy2").send().await.unwrap();
    assert_eq!(header(&h, "content-type"), Some("application/x-new"));
    // MOVE keeps the uuid and removes the source.
    let r = a
        .req("MOVE", "c/src")
        .header("Destination", "/d/moved")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let h = a.req("HEAD", "d/moved").send().await.unwrap();
    assert_eq!(header(&h, "x-object-uuid"), Some(uuid.as_str()));
    assert_eq!(a.req("HEAD", "c/src").send().await.unwrap().status(), 404);
    // PUT with X-Move-From back.
    let r = a
        .req("PUT", "c/src")
        .header("X-Move-From", "/d/moved")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(a.get_bytes("c/src").await, b"payload");
    // Bad requests.
    let r = a.req("COPY", "c/src").send().await.unwrap();
    assert_eq!(r.status(), 400, "no Destination");
    let r = a
        .req("COPY", "c/src")
        .header("Destination", "nowhere")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = a
        .req("PUT", "c/x")
        .header("X-Copy-From", "/c/none")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = a
        .req("PUT", "c/x")
        .header("X-Copy-From", "/c/src")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 411);

    // Copy a "directory" with delimiter.
    for n in ["dir", "dir/a", "dir/b/c"] {
        a.put_object(&format!("c/{n}"), n.as_bytes().to_vec()).await;
    }
    let r = a
        .req("COPY", "c/dir?delimiter=/")
        .header("Destination", "/d/dir2")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(a.get_bytes("d/dir2/b/c").await, b"dir/b/c");

    // Across accounts: B copies A's shared object into B's account.
    b.put_container("mine").await;
    let r = b
        .req("PUT", "mine/stolen")
        .header("X-Copy-From", "/c/src")
        .header("X-Source-Account", a.account.clone())
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "not shared yet");
    a.req("POST", "c/src?update")
        .header("X-Object-Sharing", format!("read={}", b.account))
        .send()
        .await
        .unwrap();
    let r = b
        .req("PUT", "mine/got")
        .header("X-Copy-From", "/c/src")
        .header("X-Source-Account", a.account.clone())
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(b.get_bytes("mine/got").await, b"payload");
    // A copies into B's account: 403 without write permission there.
    let r = a
        .req("COPY", "c/src")
        .header("Destination", "/mine/pushed")
        .header("Destination-Account", b.account.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // B cannot move A's object.
    let r = b
        .req_in(&a.account, "MOVE", "c/src")
        .header("Destination", "/mine/m")
        .header("Destination-Account", b.account.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn versions_and_time_travel() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let v1 = p.put_object("c/o", b"one".to_vec()).await;
    let v1: u64 = header(&v1, "x-object-version").unwrap().parse().unwrap();
    let v2 = p.put_object("c/o", b"two".to_vec()).await;
    let v2: u64 = header(&v2, "x-object-version").unwrap().parse().unwrap();
    let (status, list) = p.json("GET", "c/o?version=list&format=json").await;
    assert_eq!(status, 200);
    let versions = list["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0][0], v1);
    assert_eq!(versions[1][0], v2);
    assert!(versions[0][1].as_str().unwrap().contains('.'));
    let r = p
        .req("GET", &format!("c/o?version={v1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(header(&r, "x-object-sharing").is_none());
    assert_eq!(r.bytes().await.unwrap().to_vec(), b"one");
    let r = p.req("GET", "c/o?version=999999").send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = p.req("GET", "c/o?version=abc").send().await.unwrap();
    assert_eq!(r.status(), 404);
    let (_, map) = p
        .json("GET", &format!("c/o?version={v1}&hashmap&format=json"))
        .await;
    assert_eq!(map["hashes"][0], to_hex(&block_hash(b"one")));

    // Delete, then the old versions are still readable.
    let r = p.req("DELETE", "c/o").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(p.req("GET", "c/o").send().await.unwrap().status(), 404);
    assert_eq!(p.req("DELETE", "c/o").send().await.unwrap().status(), 404);
    let r = p
        .req("GET", &format!("c/o?version={v2}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().to_vec(), b"two");

    // `until` sees the past: an epoch before anything, and far ahead.
    let r = p.req("GET", "c?until=1").send().await.unwrap();
    assert_eq!(r.status(), 404, "the container did not exist then");
    p.put_object("c/p", b"pp".to_vec()).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 100;
    let r = p
        .req("GET", &format!("c?until={now}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "p\n");
    let r = p
        .req("HEAD", &format!("c?until={now}"))
        .send()
        .await
        .unwrap();
    assert!(header(&r, "x-container-until-timestamp").is_some());
    assert_eq!(header(&r, "x-container-object-count"), Some("1"));

    // Versioning none keeps one version.
    p.put_container("n").await;
    p.req("POST", "n?update")
        .header("X-Container-Policy-Versioning", "none")
        .send()
        .await
        .unwrap();
    p.put_object("n/o", b"1".to_vec()).await;
    p.put_object("n/o", b"2".to_vec()).await;
    let (_, list) = p.json("GET", "n/o?version=list&format=json").await;
    assert_eq!(list["versions"].as_array().unwrap().len(), 1);

    // Purge an object's history up to now: all gone.
    p.put_object("c/p", b"p2".to_vec()).await;
    let r = p
        .req("DELETE", &format!("c/p?until={now}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        p.req("GET", "c/p?version=list&format=json")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Purge a container's history: the current objects stay.
    p.put_object("c/q", b"q1".to_vec()).await;
    p.put_object("c/q", b"q2".to_vec()).await;
    let r = p
        .req("DELETE", &format!("c?until={now}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (_, list) = p.json("GET", "c/q?version=list&format=json").await;
    assert_eq!(list["versions"].as_array().unwrap().len(), 1);
    assert_eq!(p.get_bytes("c/q").await, b"q2");
}

#[tokio::test]
async fn object_listings_filter_and_format() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    let r = p.req("GET", "c").send().await.unwrap();
    assert_eq!(r.status(), 204);
    let (status, list) = p.json("GET", "c?format=json").await;
    assert_eq!((status, list), (StatusCode::OK, serde_json::json!([])));
    p.req("PUT", "c/photos")
        .header("Content-Type", "application/directory")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    for n in [
        "photos/a.jpg",
        "photos/b.jpg",
        "photos/2020/c.jpg",
        "readme",
        "zeta",
    ] {
        p.put_object(&format!("c/{n}"), n.as_bytes().to_vec()).await;
    }
    p.req("POST", "c/readme?update")
        .header("X-Object-Meta-Kind", "doc")
        .send()
        .await
        .unwrap();
    let pr = &p;
    let text = |q: &'static str| async move {
        let r = pr.req("GET", &format!("c{q}")).send().await.unwrap();
        r.text().await.unwrap()
    };
    assert_eq!(
        text("").await,
        "photos\nphotos/2020/c.jpg\nphotos/a.jpg\nphotos/b.jpg\nreadme\nzeta\n"
    );
    assert_eq!(
        text("?delimiter=/").await,
        "photos\nphotos/\nreadme\nzeta\n"
    );
    assert_eq!(
        text("?prefix=photos/&delimiter=/").await,
        "photos/2020/\nphotos/a.jpg\nphotos/b.jpg\n"
    );
    assert_eq!(text("?path=photos").await, "photos/a.jpg\nphotos/b.jpg\n");
    assert_eq!(
        text("?limit=2&marker=photos/a.jpg").await,
        "photos/b.jpg\nreadme\n"
    );
    assert_eq!(text("?meta=Kind").await, "readme\n");
    assert_eq!(text("?meta=kind=doc").await, "readme\n");
    assert_eq!(text("?meta=!kind&prefix=r").await, "");
    let (_, list) = p.json("GET", "c?format=json&delimiter=/").await;
    let subdir = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e.get("subdir").is_some())
        .unwrap();
    assert_eq!(subdir, &serde_json::json!({"subdir": "photos/"}));
    let zeta = list.as_array().unwrap().last().unwrap();
    for key in [
        "name",
        "bytes",
        "hash",
        "content_type",
        "last_modified",
        "x_object_hash",
        "x_object_uuid",
        "x_object_version",
        "x_object_version_timestamp",
        "x_object_modified_by",
    ] {
        assert!(zeta.get(key).is_some(), "{key}");
    }
    assert_eq!(zeta["bytes"], 4);
    assert_eq!(zeta["x_object_hash"], to_hex(&block_hash(b"zeta")));
    let r = p
        .req("GET", "c?format=xml&delimiter=/")
        .send()
        .await
        .unwrap();
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<container name=\"c\">"));
    assert!(xml.contains("<subdir name=\"photos/\" />"));
    assert!(xml.contains("<name>zeta</name>"));

    // Shared and public listings of the owner.
    p.req("POST", "c/zeta?update")
        .header("X-Object-Public", "true")
        .send()
        .await
        .unwrap();
    p.req("POST", "c/readme?update")
        .header("X-Object-Sharing", "read=*")
        .send()
        .await
        .unwrap();
    assert_eq!(text("?public").await, "zeta\n");
    assert_eq!(text("?shared").await, "readme\n");
    assert_eq!(text("?shared&public").await, "readme\nzeta\n");
    let (_, list) = p.json("GET", "c?format=json&prefix=zeta").await;
    assert!(list[0]["x_object_public"]
        .as_str()
        .unwrap()
        .contains("/pithos/public/"));
    let (_, list) = p.json("GET", "c?format=json&prefix=readme").await;
    assert_eq!(list[0]["x_object_sharing"], "read=*");
    let r = p.req("GET", "?shared").send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "c\n");

    // Deleting a "directory" with its contents.
    let r = p
        .req("DELETE", "c/photos?delimiter=/")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(text("").await, "readme\nzeta\n");
}

#[tokio::test]
async fn listing_pages_over_ten_thousand_objects() {
    let (_emu, p) = one_user().await;
    p.put_container("seed").await;
    p.put_container("many").await;
    // 101 objects made one by one, then copied 100 times as a directory
    // (one COPY with a delimiter copies all of them): 10100 objects.
    let put = |name: String, content_type: &'static str| {
        p.req("PUT", &name)
            .header("Content-Type", content_type)
            .header("Content-Length", "0")
            .send()
    };
    assert_eq!(
        put("seed/d".into(), "application/directory")
            .await
            .unwrap()
            .status(),
        201
    );
    for i in 0..100 {
        let r = put(format!("seed/d/{i:02}"), "text/plain").await.unwrap();
        assert_eq!(r.status(), 201);
    }
    let mut names = Vec::new();
    for g in 0..100 {
        let r = p
            .req("COPY", "seed/d?delimiter=/")
            .header("Destination", format!("/many/g{g:03}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        names.push(format!("g{g:03}"));
        names.extend((0..100).map(|i| format!("g{g:03}/{i:02}")));
    }
    let total = names.len();
    assert_eq!(total, 10_100);
    let r = p.req("GET", "many").send().await.unwrap();
    let first: Vec<String> = r
        .text()
        .await
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(first.len(), 10_000, "a page is at most 10000");
    let (_, json) = p.json("GET", "many?format=json&limit=20000").await;
    assert_eq!(json.as_array().unwrap().len(), 10_000);
    let r = p
        .req("GET", &format!("many?marker={}", first.last().unwrap()))
        .send()
        .await
        .unwrap();
    let rest: Vec<String> = r
        .text()
        .await
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(rest.len(), total - 10_000);
    assert_eq!([first, rest].concat(), names);
    let r = p.req("HEAD", "many").send().await.unwrap();
    assert_eq!(header(&r, "x-container-object-count"), Some("10100"));
    // With a delimiter, the directories fold.
    let r = p
        .req("GET", "many?delimiter=/&limit=3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "g000\ng000/\ng001\n");
}

#[tokio::test]
async fn sharing_between_two_users_is_enforced() {
    let (_emu, a, b) = two_users().await;
    a.put_container("c").await;
    a.put_object("c/private", b"secret".to_vec()).await;
    a.put_object("c/shared", b"hello b".to_vec()).await;
    // Nothing shared: 403 everywhere, even for what does not exist.
    for path in ["c/private", "c/nothing", "c"] {
        let r = b.req_in(&a.account, "GET", path).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        let fault: Value = r.json().await.unwrap();
        assert_eq!(fault["forbidden"]["code"], 403);
    }
    let r = b.req("GET", "").send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = b
        .raw("GET", &format!("{}/", b.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "no account shares with b");

    let r = a
        .req("POST", "c/shared?update")
        .header("X-Object-Sharing", format!("read={}", b.account))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = a.req("HEAD", "c/shared").send().await.unwrap();
    let expected = format!("read={}", b.account);
    assert_eq!(header(&r, "x-object-sharing"), Some(expected.as_str()));
    let r = b
        .req_in(&a.account, "GET", "c/shared")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-object-allowed-to"), Some("read"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), b"hello b");
    let r = b
        .req_in(&a.account, "GET", "c/private")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // B lists what is shared: accounts, containers, objects.
    let r = b
        .raw("GET", &format!("{}/?format=json", b.endpoint))
        .send()
        .await
        .unwrap();
    let accounts: Value = r.json().await.unwrap();
    assert_eq!(accounts[0]["name"], a.account);
    assert!(accounts[0]["last_modified"].is_string());
    let r = b.req_in(&a.account, "GET", "").send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "c\n");
    let r = b.req_in(&a.account, "GET", "c").send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "shared\n");
    let r = b.req_in(&a.account, "HEAD", "").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(header(&r, "x-account-bytes-used").is_none());
    // B may not write, change permissions or delete.
    let r = b
        .req_in(&a.account, "PUT", "c/shared")
        .header("Content-Type", "text/plain")
        .body("overwrite")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .req_in(&a.account, "DELETE", "c/shared")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = b
        .req_in(&a.account, "GET", "c?until=5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Write permission through a group, on a directory: B writes inside.
    a.req("POST", "?update")
        .header("X-Account-Group-Team", b.account.clone())
        .send()
        .await
        .unwrap();
    a.req("PUT", "c/dir")
        .header("Content-Type", "application/directory")
        .header("Content-Length", "0")
        .header("X-Object-Sharing", format!("write={}:team", a.account))
        .send()
        .await
        .unwrap();
    let r = b
        .req_in(&a.account, "PUT", "c/dir/from-b")
        .header("Content-Type", "text/plain")
        .body("written by b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = a.req("HEAD", "c/dir/from-b").send().await.unwrap();
    assert_eq!(header(&r, "x-object-modified-by"), Some(b.account.as_str()));
    let shared_by = format!("{}/c/dir", a.account);
    assert_eq!(header(&r, "x-object-shared-by"), Some(shared_by.as_str()));
    let r = b
        .req_in(&a.account, "HEAD", "c/dir/from-b")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "x-object-allowed-to"), Some("write"));
    let r = b
        .req_in(&a.account, "PUT", "c/dir/x")
        .header("Content-Type", "text/plain")
        .header("X-Object-Sharing", "read=*")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only the owner sets permissions");
    let r = b
        .req_in(&a.account, "GET", "c?format=json")
        .send()
        .await
        .unwrap();
    let names: Vec<String> = r
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["dir", "dir/from-b", "shared"]);

    // Removing the permissions takes it all back.
    a.req("POST", "c/shared?update")
        .header("X-Object-Sharing", "")
        .send()
        .await
        .unwrap();
    let r = b
        .req_in(&a.account, "GET", "c/shared")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn public_urls_serve_without_a_token() {
    let (emu, a, b) = two_users().await;
    a.put_container("c").await;
    a.req("PUT", "c/page.html")
        .header("Content-Type", "text/html")
        .header("X-Object-Meta-Secret", "hidden")
        .body("<h1>hi</h1>")
        .send()
        .await
        .unwrap();
    let r = a
        .req("POST", "c/page.html?update")
        .header("X-Object-Public", "True")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = a.req("HEAD", "c/page.html").send().await.unwrap();
    let url = header(&r, "x-object-public").unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/pithos/public/", emu.url())),
        "{url}"
    );
    let anonymous = reqwest::Client::new();
    let r = anonymous.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), Some("text/html"));
    assert!(header(&r, "x-object-meta-secret").is_none());
    assert!(header(&r, "x-object-hash").is_none());
    assert!(header(&r, "etag").is_some());
    assert_eq!(r.text().await.unwrap(), "<h1>hi</h1>");
    let r = anonymous.head(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-length"), Some("11"));
    let r = anonymous
        .get(&url)
        .header("Range", "bytes=4-5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.text().await.unwrap(), "hi");
    // Other users do not see the public URL of someone else's object.
    a.req("POST", "c/page.html?update")
        .header("X-Object-Sharing", format!("read={}", b.account))
        .send()
        .await
        .unwrap();
    let r = b
        .req_in(&a.account, "HEAD", "c/page.html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(header(&r, "x-object-public").is_none());
    // Re-publishing keeps the URL; unpublishing ends it.
    a.req("POST", "c/page.html?update")
        .header("X-Object-Public", "true")
        .send()
        .await
        .unwrap();
    let r = a.req("HEAD", "c/page.html").send().await.unwrap();
    assert_eq!(header(&r, "x-object-public"), Some(url.as_str()));
    a.req("POST", "c/page.html?update")
        .header("X-Object-Public", "false")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.get(&url).send().await.unwrap().status(), 404);
    let r = anonymous
        .get(format!("{}/pithos/public/nonexistent", emu.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = anonymous.delete(&url).send().await.unwrap();
    assert_eq!(r.status(), 405);
    // Publishing at upload time.
    let r = a
        .req("PUT", "c/pub")
        .header("Content-Type", "text/plain")
        .header("X-Object-Public", "true")
        .body("now")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = a.req("HEAD", "c/pub").send().await.unwrap();
    let url = header(&r, "x-object-public").unwrap().to_string();
    assert_eq!(
        anonymous
            .get(&url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "now"
    );
}

#[tokio::test]
async fn quotas_are_charged_and_enforced() {
    let (emu, p) = one_user().await;
    p.put_container("c").await;
    let quotas = &emu.state().quotas;
    quotas.set_member_limit(&p.account, &p.account, "pithos.diskspace", 1000);
    p.put_object("c/a", vec![1u8; 600]).await;
    let r = p
        .req("PUT", "c/b")
        .header("Content-Type", "text/plain")
        .body(vec![2u8; 600])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let fault: Value = r.json().await.unwrap();
    assert_eq!(fault["overLimit"]["code"], 413);
    assert_eq!(p.req("HEAD", "c/b").send().await.unwrap().status(), 404);
    // Replacing an object charges only the difference.
    p.put_object("c/a", vec![1u8; 900]).await;
    assert_eq!(
        quotas.usage(&p.account, &p.account, "pithos.diskspace"),
        900
    );
    // Deleting releases.
    p.req("DELETE", "c/a").send().await.unwrap();
    assert_eq!(quotas.usage(&p.account, &p.account, "pithos.diskspace"), 0);
    // The container's own quota.
    p.req("POST", "c?update")
        .header("X-Container-Policy-Quota", "100")
        .send()
        .await
        .unwrap();
    p.put_object("c/small", vec![0u8; 60]).await;
    let r = p
        .req("PUT", "c/more")
        .header("Content-Type", "text/plain")
        .body(vec![0u8; 60])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Hashmap uploads are charged too.
    p.put_container("h").await;
    let data = vec![9u8; 2000];
    p.req("POST", "h?update")
        .header("Content-Type", "application/octet-stream")
        .body(data.clone())
        .send()
        .await
        .unwrap();
    let doc = serde_json::json!({"bytes": 2000, "hashes": [to_hex(&block_hash(&data))]});
    let r = p
        .req("PUT", "h/o?hashmap")
        .header("Content-Type", "text/plain")
        .body(doc.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn bad_requests_never_break_the_server() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    // Authentication.
    let anonymous = reqwest::Client::new();
    let r = anonymous.get(p.url(&p.account)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = anonymous
        .get(p.url(&p.account))
        .header("X-Auth-Token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let fault: Value = r.json().await.unwrap();
    assert_eq!(fault["unauthorized"]["code"], 401);
    // The token as a parameter works too.
    let r = anonymous
        .get(format!("{}?X-Auth-Token={}", p.url(&p.account), p.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The OOS-style top-level authentication.
    let r = anonymous.get(p.url("")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = anonymous
        .get(p.url(""))
        .header("X-Auth-User", "me")
        .header("X-Auth-Key", "key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(header(&r, "x-storage-url").unwrap().ends_with("/me"));
    // Methods not allowed.
    let r = p.req("PATCH", "c/o").send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(header(&r, "allow").unwrap().contains("MOVE"));
    let r = p.req("DELETE", "").send().await.unwrap();
    assert_eq!(r.status(), 405);
    // Names too long.
    let r = p.req("PUT", &"x".repeat(300)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = p
        .req("PUT", &format!("c/{}", "y".repeat(1100)))
        .header("Content-Type", "text/plain")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Odd paths and parameters.
    for path in ["c//x", "c/%ZZ", "c/a%2Fb", "c/\u{e9}t\u{e9}"] {
        let r = p
            .req("PUT", path)
            .header("Content-Type", "text/plain")
            .body("odd")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{path}");
    }
    let r = p
        .req("GET", "c?limit=-3&marker=&meta=,,!&until=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = p.req("GET", "c/%ZZ?version=").send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = p
        .req("PUT", "c/h")
        .header("Content-Type", "text/plain")
        .header("X-Object-Sharing", "read=")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = p
        .req("POST", "c/%ZZ?update")
        .header("Content-Type", "application/octet-stream")
        .header("Content-Range", "bytes 9-1/*")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    let r = p
        .req("PUT", "c/m")
        .header("Content-Type", "text/plain")
        .header("X-Object-Meta-Big", "v".repeat(300))
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let mut many = p.req("PUT", "c/m").header("Content-Type", "text/plain");
    for i in 0..33 {
        many = many.header(format!("X-Object-Meta-K{i}"), "v");
    }
    let r = many.header("Content-Length", "0").send().await.unwrap();
    assert_eq!(r.status(), 400);
    let fault: Value = r.json().await.unwrap();
    assert!(fault["badRequest"]["message"]
        .as_str()
        .unwrap()
        .contains("metadata"));
    // Huge numbers do not overflow anything.
    p.put_object("c/small", b"abc".to_vec()).await;
    let r = p
        .req("GET", "c/small")
        .header("Range", "bytes=0-170141183460469231731687303715884105727")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "an unparsable range is ignored");
    let r = p
        .req("GET", "c/small")
        .header("Range", "bytes=1-18446744073709551615")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    let r = p
        .req("POST", "c/small?update")
        .header("Content-Type", "application/octet-stream")
        .header("Content-Range", "bytes 0-18446744073709551615/3")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    let r = p
        .req("POST", "c/small?update")
        .header("Content-Type", "application/octet-stream")
        .header("Content-Range", "bytes 1-18446744073709551614/*")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "length mismatch");
    let r = p
        .req("PUT", "c/huge?hashmap")
        .header("Content-Type", "text/plain")
        .body(r#"{"bytes": "170141183460469231731687303715884105727", "hashes": []}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = p
        .req("PUT", "c/huge?hashmap")
        .header("Content-Type", "text/plain")
        .body(r#"{"bytes": 1e300, "hashes": []}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // The server still answers.
    assert_eq!(p.req("HEAD", "c").send().await.unwrap().status(), 204);
}

#[tokio::test]
async fn manifest_objects_concatenate_their_parts() {
    let (_emu, p) = one_user().await;
    p.put_container("c").await;
    p.put_object("c/parts/1", b"abc".to_vec()).await;
    p.put_object("c/parts/2", b"def".to_vec()).await;
    let r = p
        .req("PUT", "c/whole")
        .header("Content-Type", "text/plain")
        .header("X-Object-Manifest", "c/parts/")
        .header("Content-Length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = p.req("HEAD", "c/whole").send().await.unwrap();
    assert_eq!(header(&r, "content-length"), Some("6"));
    assert_eq!(header(&r, "x-object-manifest"), Some("c/parts/"));
    assert_eq!(p.get_bytes("c/whole").await, b"abcdef");
    let r = p
        .req("GET", "c/whole")
        .header("Range", "bytes=2-3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "cd");
}

#[tokio::test]
async fn requests_are_logged_with_their_status() {
    let (emu, p) = one_user().await;
    p.put_container("c").await;
    let logged = emu.requests();
    let last = logged.last().unwrap();
    assert_eq!(last.method, "PUT");
    assert_eq!(last.status, 201);
}
