//! Details of Pithos that Synnefo's own client library (`pithos.tools`)
//! depends on (issue 14, item 9): UTF-8 metadata sent percent-encoded
//! round-trips, account metadata read with `until` is as it was then, and
//! conditions with an object's listed `hash` behave as Synnefo's do.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::Value;
use synnefo_emu::Emulator;

struct Pithos {
    http: reqwest::Client,
    account: String,
}

impl Pithos {
    async fn start(emu: &Emulator) -> Pithos {
        let pithos = Pithos {
            http: reqwest::Client::new(),
            account: format!(
                "{}/{}",
                emu.endpoint_url("object-store").unwrap(),
                emu.user().uuid
            ),
        };
        pithos.send(Method::PUT, "/c", &[], None).await;
        pithos
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.account))
            .header("X-Auth-Token", "user-token");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        request.send().await.unwrap()
    }
}

/// A header's value, percent-decoded, looked up by its percent-decoded
/// name (case aside).
fn decoded(reply: &reqwest::Response, name: &str) -> Option<String> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .to_lowercase()
    };
    reply
        .headers()
        .iter()
        .find(|(k, _)| decode(k.as_str()) == name.to_lowercase())
        .map(|(_, v)| {
            percent_encoding::percent_decode(v.as_bytes())
                .decode_utf8_lossy()
                .into_owned()
        })
}

async fn emulator(md5: bool) -> Emulator {
    Emulator::builder()
        .user("user@example.com", "user-token")
        .pithos_update_md5(md5)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn utf8_metadata_sent_percent_encoded_round_trips() {
    let emu = emulator(false).await;
    let pithos = Pithos::start(&emu).await;
    // κλειδί: τιμή 1/2, percent-encoded as pithos.tools sends it.
    let key = "%CE%BA%CE%BB%CE%B5%CE%B9%CE%B4%CE%AF";
    let value = "%CF%84%CE%B9%CE%BC%CE%AE%201/2";
    let put = pithos
        .send(
            Method::PUT,
            "/c/o",
            &[
                ("Content-Type", "text/plain"),
                (&format!("X-Object-Meta-{key}"), value),
            ],
            Some("x"),
        )
        .await;
    assert_eq!(put.status(), 201);
    let head = pithos.send(Method::HEAD, "/c/o", &[], None).await;
    assert_eq!(
        decoded(&head, "x-object-meta-κλειδί").as_deref(),
        Some("τιμή 1/2")
    );

    pithos
        .send(
            Method::POST,
            "/c",
            &[(&format!("X-Container-Meta-{key}"), value)],
            None,
        )
        .await;
    let head = pithos.send(Method::HEAD, "/c", &[], None).await;
    assert_eq!(
        decoded(&head, "x-container-meta-κλειδί").as_deref(),
        Some("τιμή 1/2")
    );

    pithos
        .send(
            Method::POST,
            "",
            &[(&format!("X-Account-Meta-{key}"), value)],
            None,
        )
        .await;
    let head = pithos.send(Method::HEAD, "", &[], None).await;
    assert_eq!(
        decoded(&head, "x-account-meta-κλειδί").as_deref(),
        Some("τιμή 1/2")
    );
}

#[tokio::test]
async fn account_metadata_read_until_a_past_time_is_as_it_was() {
    let emu = emulator(false).await;
    let pithos = Pithos::start(&emu).await;
    pithos
        .send(Method::POST, "", &[("X-Account-Meta-Old", "1")], None)
        .await;
    // `until` is in whole seconds: leave one between the two changes.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let between = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pithos
        .send(Method::POST, "", &[("X-Account-Meta-New", "2")], None)
        .await;

    let now = pithos.send(Method::HEAD, "", &[], None).await;
    assert_eq!(decoded(&now, "x-account-meta-new").as_deref(), Some("2"));
    assert!(
        decoded(&now, "x-account-meta-old").is_none(),
        "a POST replaces"
    );

    let then = pithos
        .send(Method::HEAD, &format!("?until={between}"), &[], None)
        .await;
    assert_eq!(decoded(&then, "x-account-meta-old").as_deref(), Some("1"));
    assert!(
        decoded(&then, "x-account-meta-new").is_none(),
        "set after until"
    );
    let stamp = then.headers()["x-account-until-timestamp"]
        .to_str()
        .unwrap();
    assert!(!stamp.contains("1970"), "{stamp}");
}

#[tokio::test]
async fn conditions_with_the_listed_hash_behave_as_synnefo() {
    for md5 in [true, false] {
        let emu = emulator(md5).await;
        let pithos = Pithos::start(&emu).await;
        pithos
            .send(
                Method::PUT,
                "/c/o",
                &[("Content-Type", "text/plain")],
                Some("data"),
            )
            .await;
        let listing: Value = pithos
            .send(Method::GET, "/c?format=json", &[], None)
            .await
            .json()
            .await
            .unwrap();
        let hash = listing[0]["hash"].as_str().unwrap().to_string();
        let status = |header: &'static str, value: String| {
            let pithos = &pithos;
            async move {
                pithos
                    .send(Method::GET, "/c/o", &[(header, value.as_str())], None)
                    .await
                    .status()
                    .as_u16()
            }
        };
        if md5 {
            // The listed hash is the MD5, which the ETag is too.
            assert_eq!(
                hash,
                hex::encode(<md5::Md5 as md5::Digest>::digest(b"data"))
            );
            assert_eq!(status("If-None-Match", hash.clone()).await, 304);
            assert_eq!(status("If-Match", hash.clone()).await, 200);
        } else {
            // Without MD5s the listed hash is empty, as Synnefo's checksum
            // is then: no condition holds with it.
            assert_eq!(hash, "");
            assert_eq!(status("If-Match", hash.clone()).await, 412);
            assert_eq!(status("If-None-Match", hash.clone()).await, 200);
        }
    }
}

#[tokio::test]
async fn faults_of_text_listings_come_as_text_plain_as_synnefo_sends_them() {
    let emu = emulator(false).await;
    let pithos = Pithos::start(&emu).await;
    let text = pithos.send(Method::GET, "/missing", &[], None).await;
    assert_eq!(text.status(), 404);
    assert!(
        text.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        text.headers()
    );
    let body: Value = text.json().await.unwrap();
    assert_eq!(body["itemNotFound"]["code"], 404);
    let json = pithos
        .send(Method::GET, "/missing?format=json", &[], None)
        .await;
    assert!(json.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
}
