//! `--data-dir` restart round trips: populate a service through its API,
//! stop the emulator, start another on the same data dir, and compare what
//! every listing and detail shows, field for field.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use synnefo_emu::Emulator;

const ALICE: &str = "alice-token";
const BOB: &str = "bob-token";

async fn start(dir: &std::path::Path) -> Emulator {
    Emulator::builder()
        .user("alice@example.com", ALICE)
        .user("bob@example.com", BOB)
        .data_dir(dir)
        .start()
        .await
        .unwrap()
}

/// A request with a token; panics on a transport error.
async fn call(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> reqwest::Response {
    let mut request = http
        .request(method.parse().unwrap(), url)
        .header("X-Auth-Token", token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if body.is_empty() && method == "PUT" {
        request = request.header("Content-Length", "0");
    }
    request.body(body).send().await.unwrap()
}

async fn ok(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) {
    let reply = call(http, method, url, ALICE, headers, body).await;
    let status = reply.status();
    assert!(
        status.is_success(),
        "{method} {url}: {status} {:?}",
        reply.text().await
    );
}

/// The headers of a reply but the date, as JSON.
fn headers(reply: &reqwest::Response) -> Value {
    let map: BTreeMap<String, String> = reply
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str() != "date")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").to_string()))
        .collect();
    json!(map)
}

/// Everything alice's and bob's Pithos accounts show: headers and JSON
/// listings of the accounts, their containers and objects, every object's
/// versions, what is shared with bob, and the public objects' content.
async fn pithos_view(emu: &Emulator) -> Value {
    let http = reqwest::Client::new();
    let base = emu.endpoint_url("object-store").unwrap();
    let mut view = serde_json::Map::new();
    for (user, token) in [(0, ALICE), (1, BOB)] {
        let account = format!("{base}/{}", emu.users()[user].uuid);
        let head = call(&http, "HEAD", &account, token, &[], vec![]).await;
        view.insert(format!("{account} head"), headers(&head));
        let url = format!("{account}?format=json");
        let list: Value = call(&http, "GET", &url, token, &[], vec![])
            .await
            .json()
            .await
            .unwrap();
        for container in list.as_array().unwrap() {
            let name = container["name"].as_str().unwrap();
            let url = format!("{account}/{name}");
            let head = call(&http, "HEAD", &url, token, &[], vec![]).await;
            view.insert(format!("{url} head"), headers(&head));
            let list_url = format!("{url}?format=json");
            let objects: Value = call(&http, "GET", &list_url, token, &[], vec![])
                .await
                .json()
                .await
                .unwrap();
            for object in objects.as_array().unwrap() {
                let object_url = format!("{url}/{}", object["name"].as_str().unwrap());
                let head = call(&http, "HEAD", &object_url, token, &[], vec![]).await;
                view.insert(format!("{object_url} head"), headers(&head));
                let versions_url = format!("{object_url}?version=list&format=json");
                let versions = call(&http, "GET", &versions_url, token, &[], vec![]).await;
                view.insert(versions_url, versions.json().await.unwrap());
            }
            view.insert(list_url, objects);
        }
        view.insert(url, list);
        let shared_url = format!("{base}?format=json");
        let shared = call(&http, "GET", &shared_url, token, &[], vec![]).await;
        view.insert(
            format!("{shared_url} as {user}"),
            shared.json().await.unwrap(),
        );
    }
    // The address changes with each start; what it serves must not.
    let text = json!(view)
        .to_string()
        .replace(emu.url(), "http://emulator");
    serde_json::from_str(&text).unwrap()
}

/// Asserts two views equal, naming the entries that differ.
fn assert_same(before: &Value, after: &Value) {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        panic!("views are objects");
    };
    let mut differ = Vec::new();
    for key in before.keys().chain(after.keys()) {
        if before.get(key) != after.get(key) {
            differ.push(format!(
                "{key}:\n  before {:?}\n  after  {:?}",
                before.get(key),
                after.get(key)
            ));
        }
    }
    differ.dedup();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

#[tokio::test]
async fn pithos_shows_the_same_namespace_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let emu = start(dir.path()).await;
    let http = reqwest::Client::new();
    let base = emu.endpoint_url("object-store").unwrap();
    let alice = format!("{base}/{}", emu.users()[0].uuid);
    let bob_uuid = emu.users()[1].uuid.clone();
    let text = [("Content-Type", "text/plain")];

    // The account: metadata set twice (a history), a group.
    ok(
        &http,
        "POST",
        &alice,
        &[("X-Account-Meta-Color", "red")],
        vec![],
    )
    .await;
    ok(
        &http,
        "POST",
        &alice,
        &[("X-Account-Meta-Color", "blue")],
        vec![],
    )
    .await;
    let group = [("X-Account-Group-Friends", bob_uuid.as_str())];
    ok(&http, "POST", &format!("{alice}?update="), &group, vec![]).await;
    // Containers: one versioned with metadata and a quota, one without
    // versions, one made and deleted.
    let docs = format!("{alice}/docs");
    let policy = [
        ("X-Container-Meta-Kind", "papers"),
        ("X-Container-Policy-Quota", "100000000"),
    ];
    ok(&http, "PUT", &docs, &policy, vec![]).await;
    let flat = format!("{alice}/flat");
    ok(
        &http,
        "PUT",
        &flat,
        &[("X-Container-Policy-Versioning", "none")],
        vec![],
    )
    .await;
    ok(&http, "PUT", &format!("{alice}/gone"), &[], vec![]).await;
    ok(&http, "DELETE", &format!("{alice}/gone"), &[], vec![]).await;
    // Objects: three versions of one, metadata, a folder marker, a deleted
    // one, a copy, an empty one, one shared with bob, one public.
    for body in ["one", "two", "three"] {
        ok(&http, "PUT", &format!("{docs}/a.txt"), &text, body.into()).await;
    }
    let meta = [("X-Object-Meta-Owner", "alice")];
    ok(&http, "POST", &format!("{docs}/a.txt"), &meta, vec![]).await;
    let dir_type = [("Content-Type", "application/directory")];
    ok(&http, "PUT", &format!("{docs}/folder"), &dir_type, vec![]).await;
    ok(
        &http,
        "PUT",
        &format!("{docs}/folder/b"),
        &text,
        vec![5u8; 5 << 20],
    )
    .await;
    ok(
        &http,
        "PUT",
        &format!("{docs}/deleted"),
        &text,
        b"x".to_vec(),
    )
    .await;
    ok(&http, "DELETE", &format!("{docs}/deleted"), &[], vec![]).await;
    let copy = [
        ("X-Copy-From", "/docs/a.txt"),
        ("Content-Type", "text/plain"),
    ];
    ok(&http, "PUT", &format!("{flat}/copy"), &copy, vec![]).await;
    ok(
        &http,
        "PUT",
        &format!("{flat}/copy"),
        &text,
        b"new".to_vec(),
    )
    .await;
    ok(&http, "PUT", &format!("{flat}/empty"), &text, vec![]).await;
    let share = format!("read={bob_uuid}");
    let sharing = [("X-Object-Sharing", share.as_str())];
    ok(&http, "POST", &format!("{docs}/folder/b"), &sharing, vec![]).await;
    let public = [("X-Object-Public", "true")];
    ok(&http, "POST", &format!("{flat}/empty"), &public, vec![]).await;

    let before = pithos_view(&emu).await;
    let key = format!("{flat}/empty head").replace(emu.url(), "http://emulator");
    let public_url = before[key]["x-object-public"].clone();
    assert!(public_url.is_string(), "{before:#}");
    let first_serial = emu.state().pithos.read().counters().0;
    let emu_url = emu.url().to_string();
    drop(emu);

    let again = start(dir.path()).await;
    let after = pithos_view(&again).await;
    assert_same(&before, &after);
    // The public URL still serves the object, the data reads back, and a
    // new version takes a serial never given before.
    let public_url = public_url
        .as_str()
        .unwrap()
        .replace("http://emulator", again.url());
    let public = http.get(public_url).send().await.unwrap();
    assert_eq!(public.status().as_u16(), 200);
    let (docs, alice) = (
        docs.replace(emu_url.as_str(), again.url()),
        alice.replace(emu_url.as_str(), again.url()),
    );
    let data = call(
        &http,
        "GET",
        &format!("{docs}/folder/b"),
        ALICE,
        &[],
        vec![],
    )
    .await;
    assert_eq!(
        data.bytes().await.unwrap().as_ref(),
        &vec![5u8; 5 << 20][..]
    );
    let reply = call(
        &http,
        "PUT",
        &format!("{docs}/a.txt"),
        ALICE,
        &text,
        b"4".into(),
    )
    .await;
    let serial: u64 = reply.headers()["x-object-version"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(serial > first_serial, "{serial} after {first_serial}");
    // An account's metadata read as it was before the last change.
    let history = call(&http, "HEAD", &alice, ALICE, &[], vec![]).await;
    assert_eq!(history.headers()["x-account-meta-color"], "blue");
}

/// A `synnefo-emu` process on a data dir, with alice's uuid pinned.
struct Child {
    process: std::process::Child,
    base: String,
}

const ALICE_UUID: &str = "a11ce000-0000-4000-8000-000000000001";

impl Child {
    fn start(dir: &std::path::Path) -> Child {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_synnefo-emu"));
        command
            .args(["--listen", "127.0.0.1:0", "--user"])
            .arg(format!("alice@example.com:{ALICE}:{ALICE_UUID}"))
            .arg("--data-dir")
            .arg(dir);
        Child::spawn(command)
    }

    /// An emulator whose data dir is a disk of `size` (a tmpfs mounted in a
    /// mount namespace of its own, made with `unshare`).
    fn start_on_small_disk(dir: &std::path::Path, size: &str) -> Child {
        let script = format!(
            "mount -t tmpfs -o size={size} tmpfs \"$1\" && exec \"$2\" --listen 127.0.0.1:0 \
             --user alice@example.com:{ALICE}:{ALICE_UUID} --data-dir \"$1\""
        );
        let mut command = std::process::Command::new("unshare");
        command
            .args(["--mount", "--map-root-user", "sh", "-c", &script, "sh"])
            .arg(dir)
            .arg(env!("CARGO_BIN_EXE_synnefo-emu"));
        Child::spawn(command)
    }

    fn spawn(mut command: std::process::Command) -> Child {
        use std::io::BufRead;
        let mut process = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = process.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().expect("the emulator prints its URL").unwrap();
        // The rest is read, so that its prints never meet a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let auth = first.strip_prefix("AUTHENTICATION_URL=").unwrap();
        let base = auth
            .strip_suffix("/astakos/identity/v2.0")
            .unwrap()
            .to_string();
        Child { process, base }
    }

    /// The URL of `path` in alice's account.
    fn url(&self, path: &str) -> String {
        format!("{}/pithos/object-store/v1/{ALICE_UUID}/{path}", self.base)
    }

    /// `kill -9`, and wait for it to be gone.
    fn kill(mut self) {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
    }
}

impl Drop for Child {
    /// A test that fails leaves no emulator running.
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn sha(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// Alice's object `path` on a restarted emulator: (status, sha256 of the
/// data, content of `X-Object-Meta-Step`).
async fn read_back(emu: &Emulator, path: &str) -> (u16, String, Option<String>) {
    let url = format!(
        "{}/{}/{path}",
        emu.endpoint_url("object-store").unwrap(),
        ALICE_UUID
    );
    let reply = call(&reqwest::Client::new(), "GET", &url, ALICE, &[], vec![]).await;
    let status = reply.status().as_u16();
    let step = reply
        .headers()
        .get("x-object-meta-step")
        .map(|v| v.to_str().unwrap().to_string());
    (status, sha(&reply.bytes().await.unwrap()), step)
}

async fn restart(dir: &std::path::Path) -> Emulator {
    Emulator::builder()
        .user_with_uuid("alice@example.com", ALICE, ALICE_UUID)
        .data_dir(dir)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_kill_during_an_upload_keeps_the_acknowledged_version_whole() {
    synnefo_emu::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let child = Child::start(dir.path());
    let http = reqwest::Client::new();
    ok_at(&http, "PUT", &child.url("c"), &[], vec![]).await;
    let first: Vec<u8> = (0..9u32 << 20).map(|i| (i % 251) as u8).collect();
    ok_at(&http, "PUT", &child.url("c/big"), &[], first.clone()).await;

    // A second version, sent slowly; the emulator is killed half way.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let stream = tokio_stream_of(receiver);
    let upload = http
        .put(child.url("c/big"))
        .header("X-Auth-Token", ALICE)
        .header("Content-Length", (64u64 << 20).to_string())
        .header("Content-Type", "application/octet-stream")
        .body(reqwest::Body::wrap_stream(stream))
        .send();
    let feeder = async {
        for _ in 0..20 {
            if sender.send(Ok(vec![3u8; 1 << 20])).await.is_err() {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        child.kill();
    };
    let (reply, ()) = tokio::join!(upload, feeder);
    assert!(reply.is_err() || !reply.unwrap().status().is_success());

    let emu = restart(dir.path()).await;
    let (status, digest, _) = read_back(&emu, "c/big").await;
    assert_eq!(
        (status, digest),
        (200, sha(&first)),
        "the acknowledged version, whole"
    );
    let listing = format!(
        "{}/{ALICE_UUID}/c?format=json",
        emu.endpoint_url("object-store").unwrap()
    );
    let names: Value = call(&http, "GET", &listing, ALICE, &[], vec![])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names.as_array().unwrap().len(), 1, "{names}");
}

#[tokio::test]
async fn a_kill_during_updates_and_copies_keeps_every_acknowledged_one() {
    synnefo_emu::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let child = Child::start(dir.path());
    let http = reqwest::Client::new();
    ok_at(&http, "PUT", &child.url("c"), &[], vec![]).await;
    let data = b"the source of every copy".to_vec();
    ok_at(&http, "PUT", &child.url("c/source"), &[], data.clone()).await;

    // Metadata updates and copies one after the other, until the kill.
    let acknowledged = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let worker = {
        let (http, acknowledged) = (http.clone(), acknowledged.clone());
        let (source, copies) = (child.url("c/source"), child.url("c/copy-"));
        tokio::spawn(async move {
            for step in 1usize.. {
                let step_text = step.to_string();
                let meta = [("X-Object-Meta-Step", step_text.as_str())];
                let update = http
                    .post(&source)
                    .header("X-Auth-Token", ALICE)
                    .header(meta[0].0, meta[0].1)
                    .send()
                    .await;
                let copy = http
                    .put(format!("{copies}{step}"))
                    .header("X-Auth-Token", ALICE)
                    .header("X-Copy-From", "/c/source")
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Length", "0")
                    .send()
                    .await;
                match (update, copy) {
                    (Ok(u), Ok(c)) if u.status().is_success() && c.status().is_success() => {
                        acknowledged.store(step, std::sync::atomic::Ordering::SeqCst);
                    }
                    _ => break,
                }
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    child.kill();
    worker.await.unwrap();
    let done = acknowledged.load(std::sync::atomic::Ordering::SeqCst);
    assert!(done > 0, "some steps were acknowledged before the kill");

    let emu = restart(dir.path()).await;
    let (status, digest, step) = read_back(&emu, "c/source").await;
    assert_eq!((status, digest), (200, sha(&data)));
    let step: usize = step.unwrap().parse().unwrap();
    assert!(
        step == done || step == done + 1,
        "step {step} after {done} acknowledged"
    );
    for copy in 1..=done {
        let (status, digest, _) = read_back(&emu, &format!("c/copy-{copy}")).await;
        assert_eq!((status, digest), (200, sha(&data)), "copy {copy}");
    }
}

/// `ok` against a child emulator.
async fn ok_at(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) {
    let mut all = vec![("Content-Type", "application/octet-stream")];
    all.extend_from_slice(headers);
    ok(http, method, url, &all, body).await;
}

/// A stream of the chunks sent on `receiver`.
fn tokio_stream_of(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

#[tokio::test]
async fn a_full_disk_is_a_507_and_keeps_what_was_stored() {
    synnefo_emu::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let child = Child::start_on_small_disk(dir.path(), "3m");
    let http = reqwest::Client::new();
    ok_at(&http, "PUT", &child.url("c"), &[], vec![]).await;
    let small: Vec<u8> = (0..1u32 << 20).map(|i| (i % 241) as u8).collect();
    ok_at(&http, "PUT", &child.url("c/small"), &[], small.clone()).await;

    // Blocks of 4 MiB cannot fit: Synnefo's 507, saying what to do.
    let big: Vec<u8> = (0..8u32 << 20).map(|i| (i % 239) as u8).collect();
    let reply = call(
        &http,
        "PUT",
        &child.url("c/big"),
        ALICE,
        &[("Content-Type", "application/octet-stream")],
        big,
    )
    .await;
    let status = reply.status().as_u16();
    let text = reply.text().await.unwrap();
    assert_eq!(status, 507, "{text}");
    assert!(text.contains("free some space"), "{text}");

    // What was stored before is whole, and the failed object is absent.
    let got = call(&http, "GET", &child.url("c/small"), ALICE, &[], vec![]).await;
    assert_eq!(sha(&got.bytes().await.unwrap()), sha(&small));
    let absent = call(&http, "GET", &child.url("c/big"), ALICE, &[], vec![]).await;
    assert_eq!(absent.status().as_u16(), 404);
    child.kill();
}
