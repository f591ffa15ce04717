//! Synnefo's `PITHOS_UPDATE_MD5` (`--pithos-update-md5`): ETags are the
//! MD5 of the content for every way an object is written, conditions
//! compare with it, and X-Object-Hash stays the Pithos hash; off by
//! default, as in Synnefo.

use md5::{Digest, Md5};
use serde_json::Value;
use synnefo_emu::Emulator;

fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

struct Pithos {
    http: reqwest::Client,
    container: String,
    token: String,
}

impl Pithos {
    async fn start(emu: &Emulator) -> Pithos {
        let pithos = Pithos {
            http: reqwest::Client::new(),
            container: format!(
                "{}/{}/pithos",
                emu.endpoint_url("object-store").unwrap(),
                emu.user().uuid
            ),
            token: emu.token(),
        };
        pithos.send(reqwest::Method::PUT, "", &[], None).await;
        pithos
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.container))
            .header("X-Auth-Token", &self.token);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        request.send().await.unwrap()
    }

    async fn etag_of(&self, name: &str) -> (String, String) {
        let head = self.send(reqwest::Method::HEAD, name, &[], None).await;
        let h = |k: &str| head.headers()[k].to_str().unwrap().to_string();
        (h("etag"), h("x-object-hash"))
    }
}

#[tokio::test]
async fn etags_are_md5_of_the_content_with_the_switch() {
    let emu = Emulator::builder()
        .pithos_update_md5(true)
        .start()
        .await
        .unwrap();
    let pithos = Pithos::start(&emu).await;
    let data = b"hello, md5 world".to_vec();
    let put = pithos
        .send(
            reqwest::Method::PUT,
            "/a",
            &[("Content-Type", "text/plain")],
            Some(data.clone()),
        )
        .await;
    assert_eq!(put.status(), 201);
    assert_eq!(put.headers()["etag"], md5_hex(&data).as_str());
    let (etag, hash) = pithos.etag_of("/a").await;
    assert_eq!(etag, md5_hex(&data));
    assert_eq!(
        hash.len(),
        64,
        "X-Object-Hash stays the Pithos hash: {hash}"
    );

    // Conditions compare with the MD5.
    let cond = |header: &'static str, value: String| {
        let pithos = &pithos;
        async move {
            pithos
                .send(
                    reqwest::Method::GET,
                    "/a",
                    &[(header, value.as_str())],
                    None,
                )
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(cond("If-Match", md5_hex(&data)).await, 200);
    assert_eq!(cond("If-None-Match", md5_hex(&data)).await, 304);
    assert_eq!(cond("If-Match", hash.clone()).await, 412);

    // The listing's hash is the MD5 too.
    let listing: Value = pithos
        .send(reqwest::Method::GET, "?format=json", &[], None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listing[0]["hash"], md5_hex(&data).as_str());

    // By hashmap (as kamaki uploads): the MD5 is read from the blocks.
    let hashmap = format!(r#"{{"bytes": {}, "hashes": ["{hash}"]}}"#, data.len());
    let by_map = pithos
        .send(
            reqwest::Method::PUT,
            "/b?hashmap&format=json",
            &[("Content-Type", "text/plain")],
            Some(hashmap.into_bytes()),
        )
        .await;
    assert_eq!(by_map.status(), 201);
    assert_eq!(by_map.headers()["etag"], md5_hex(&data).as_str());

    // An append changes it to the MD5 of the new content.
    let append = pithos
        .send(
            reqwest::Method::POST,
            "/a?update",
            &[
                ("Content-Type", "application/octet-stream"),
                ("Content-Range", "bytes */*"),
            ],
            Some(b" and more".to_vec()),
        )
        .await;
    assert_eq!(append.status(), 204);
    let mut longer = data.clone();
    longer.extend_from_slice(b" and more");
    assert_eq!(append.headers()["etag"], md5_hex(&longer).as_str());
    assert_eq!(pithos.etag_of("/a").await.0, md5_hex(&longer));
}

#[tokio::test]
async fn without_the_switch_etags_are_the_pithos_hash() {
    let emu = Emulator::start().await.unwrap();
    let pithos = Pithos::start(&emu).await;
    pithos
        .send(
            reqwest::Method::PUT,
            "/a",
            &[("Content-Type", "text/plain")],
            Some(b"data".to_vec()),
        )
        .await;
    let (etag, hash) = pithos.etag_of("/a").await;
    assert_eq!(etag, hash);
    assert_eq!(etag.len(), 64);
}
