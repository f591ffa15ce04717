//! Volume snapshots are Pithos objects, as in Synnefo: in the owner's
//! `snapshots` container, as large as the volume, charged to
//! `pithos.diskspace`, and images of the registry that follow their object.

use serde_json::{json, Value};
use synnefo_emu::Emulator;

/// The first ext_vlmc flavor (C1R1024D20ext_vlmc): a 20 GB root volume that
/// can be snapshotted.
const EXT_SMALL: u64 = 37;
const DEBIAN: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";
const GIB: u64 = 1 << 30;
const DISKSPACE: &str = "pithos.diskspace";

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

struct Api {
    emu: Emulator,
    http: reqwest::Client,
    uuid: String,
}

impl Api {
    async fn start() -> Api {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let emu = Emulator::builder()
            .user("alice@example.com", "alice-token")
            .action_delay(std::time::Duration::ZERO)
            .start()
            .await
            .unwrap();
        let uuid = emu.user().uuid;
        Api {
            emu,
            http: reqwest::Client::new(),
            uuid,
        }
    }

    fn url(&self, service: &str, path: &str) -> String {
        let base = match service {
            "volume" => format!("{}/v2.0", self.emu.endpoint_url("volume").unwrap()),
            "image" => format!("{}/cyclades/image/v1.0", self.emu.url()),
            "pithos" => format!(
                "{}/{}",
                self.emu.endpoint_url("object-store").unwrap(),
                self.uuid
            ),
            other => self.emu.endpoint_url(other).unwrap(),
        };
        format!("{base}{path}")
    }

    async fn call(
        &self,
        method: &str,
        service: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, self.url(service, path))
            .header("X-Auth-Token", "alice-token");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }

    async fn json(&self, method: &str, service: &str, path: &str, body: Value) -> Reply {
        let body = serde_json::to_vec(&body).unwrap();
        self.call(
            method,
            service,
            path,
            &[("Content-Type", "application/json")],
            Some(body),
        )
        .await
    }

    /// An active ext_vlmc server; the id of its 20 GB root volume.
    async fn root_volume(&self) -> String {
        let server = json!({"server": {"name": "vm", "flavorRef": EXT_SMALL,
            "imageRef": DEBIAN, "networks": []}});
        let reply = self.json("POST", "compute", "/servers", server).await;
        assert_eq!(reply.status, 202, "{:?}", reply.json());
        let id = reply.json()["server"]["id"].clone();
        let reply = self
            .call("GET", "compute", &format!("/servers/{id}"), &[], None)
            .await;
        let volume = &reply.json()["server"]["volumes"][0];
        volume
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| volume.to_string())
    }

    async fn snapshot(&self, volume: &str, name: &str) -> Reply {
        let body = json!({"snapshot": {"volume_id": volume, "display_name": name}});
        self.json("POST", "volume", "/snapshots", body).await
    }

    fn diskspace(&self) -> u64 {
        self.emu
            .state()
            .quotas
            .usage(&self.uuid, &self.uuid, DISKSPACE)
    }

    /// The objects of the `snapshots` container (404 if there is none).
    async fn snapshot_objects(&self) -> (u16, Value) {
        let reply = self
            .call("GET", "pithos", "/snapshots?format=json", &[], None)
            .await;
        (reply.status, reply.json())
    }

    async fn snapshot_ids(&self) -> Vec<String> {
        let reply = self.call("GET", "volume", "/snapshots", &[], None).await;
        assert_eq!(reply.status, 200);
        reply.json()["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    }
}

#[tokio::test]
async fn a_snapshot_is_an_object_charged_to_diskspace() {
    let api = Api::start().await;
    let volume = api.root_volume().await;
    assert_eq!(api.diskspace(), 0);
    assert_eq!(api.snapshot_objects().await.0, 404, "no container yet");

    let reply = api.snapshot(&volume, "nightly backup").await;
    assert_eq!(reply.status, 202, "{:?}", reply.json());
    let id = reply.json()["snapshot"]["id"].as_str().unwrap().to_string();
    assert_eq!(api.diskspace(), 20 * GIB, "the volume's size is charged");

    // Listed in the `snapshots` container, under the snapshot's name,
    // with the snapshot's id as uuid.
    let (status, listing) = api.snapshot_objects().await;
    assert_eq!(status, 200);
    let objects = listing.as_array().unwrap();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0]["name"], "nightly backup");
    assert_eq!(objects[0]["bytes"], json!(20 * GIB));
    assert_eq!(objects[0]["content_type"], "application/octet-stream");
    assert_eq!(objects[0]["x_object_uuid"], json!(id));

    let head = api
        .call("HEAD", "pithos", "/snapshots/nightly%20backup", &[], None)
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), (20 * GIB).to_string());
    assert_eq!(head.header("x-object-uuid"), id);
    let hash = head.header("x-object-hash").to_string();

    // The image is that object: same size and checksum.
    let image = api
        .call("HEAD", "image", &format!("/images/{id}"), &[], None)
        .await;
    assert_eq!(image.status, 200);
    assert_eq!(image.header("x-image-meta-size"), (20 * GIB).to_string());
    assert_eq!(image.header("x-image-meta-checksum"), hash);
    assert!(image
        .header("x-image-meta-location")
        .ends_with("/snapshots/nightly%20backup"));

    // Its data are zeros, and cost no stored block.
    let part = api
        .call(
            "GET",
            "pithos",
            "/snapshots/nightly%20backup",
            &[("Range", "bytes=10737418240-10737419263")],
            None,
        )
        .await;
    assert_eq!(part.status, 206);
    assert_eq!(part.bytes, vec![0u8; 1024]);
    let map = api
        .call(
            "GET",
            "pithos",
            "/snapshots/nightly%20backup?hashmap&format=json",
            &[],
            None,
        )
        .await
        .json();
    let hashes = map["hashes"].as_array().unwrap();
    assert_eq!(hashes.len(), 5120);
    assert!(hashes.iter().all(|h| *h == hashes[0]));
    assert_eq!(api.emu.state().pithos.block_count(), 0);

    // Its data cannot be rewritten through the API, as in Synnefo.
    let put = api
        .call(
            "PUT",
            "pithos",
            "/snapshots/nightly%20backup",
            &[("Content-Type", "text/plain")],
            Some(b"other".to_vec()),
        )
        .await;
    assert_eq!(put.status, 403);
    assert_eq!(api.diskspace(), 20 * GIB);

    // Deleting the snapshot deletes the object and releases the space.
    let reply = api
        .call("DELETE", "volume", &format!("/snapshots/{id}"), &[], None)
        .await;
    assert_eq!(reply.status, 202);
    let head = api
        .call("HEAD", "pithos", "/snapshots/nightly%20backup", &[], None)
        .await;
    assert_eq!(head.status, 404);
    assert_eq!(api.diskspace(), 0);
    assert!(api.snapshot_ids().await.is_empty());
}

#[tokio::test]
async fn an_over_quota_snapshot_leaves_nothing_behind() {
    let api = Api::start().await;
    let volume = api.root_volume().await;
    let quotas = &api.emu.state().quotas;
    quotas.set_member_limit(&api.uuid, &api.uuid, DISKSPACE, 10 * GIB);
    let (_, images_before) = {
        let r = api.call("GET", "compute", "/images", &[], None).await;
        (r.status, r.json())
    };

    let reply = api.snapshot(&volume, "too big").await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.json()["overLimit"]["message"],
        "Resource limit exceeded for your account. Not enough storage space to create \
         snapshot of 20.0 GB size."
    );
    assert!(api.snapshot_ids().await.is_empty(), "no snapshot");
    let images_after = api.call("GET", "compute", "/images", &[], None).await;
    assert_eq!(images_after.json(), images_before, "no image");
    assert_eq!(
        api.snapshot_objects().await.0,
        404,
        "no object, no container"
    );
    assert_eq!(api.diskspace(), 0, "nothing charged");
    // The same with an account that has containers already.
    let other = api.call("PUT", "pithos", "/other", &[], None).await;
    assert_eq!(other.status, 201);
    assert_eq!(api.snapshot(&volume, "too big").await.status, 413);
    assert_eq!(api.snapshot_objects().await.0, 404, "no container");
    let containers = api.call("GET", "pithos", "?format=json", &[], None).await;
    assert_eq!(containers.json().as_array().map(Vec::len), Some(1));

    // Room enough, the same request succeeds.
    quotas.set_member_limit(&api.uuid, &api.uuid, DISKSPACE, 20 * GIB);
    let reply = api.snapshot(&volume, "too big").await;
    assert_eq!(reply.status, 202, "{:?}", reply.json());
    assert_eq!(api.diskspace(), 20 * GIB);
}

#[tokio::test]
async fn deleting_the_object_through_pithos_removes_the_snapshot() {
    let api = Api::start().await;
    let volume = api.root_volume().await;
    let reply = api.snapshot(&volume, "doomed").await;
    assert_eq!(reply.status, 202);
    let id = reply.json()["snapshot"]["id"].as_str().unwrap().to_string();
    assert_eq!(api.snapshot_ids().await, vec![id.clone()]);

    let delete = api
        .call("DELETE", "pithos", "/snapshots/doomed", &[], None)
        .await;
    assert_eq!(delete.status, 204);
    assert_eq!(api.diskspace(), 0);
    assert!(api.snapshot_ids().await.is_empty());
    let get = api
        .call("GET", "volume", &format!("/snapshots/{id}"), &[], None)
        .await;
    assert_eq!(get.status, 404);
    let image = api
        .call("GET", "compute", &format!("/images/{id}"), &[], None)
        .await;
    assert_eq!(image.status, 404, "its image went with it");
    let restore = api
        .json(
            "POST",
            "volume",
            "/volumes",
            json!({"volume": {"size": 20, "display_name": "r", "volume_type": 2,
                "snapshot_id": id}}),
        )
        .await;
    assert_eq!(restore.status, 400);
    let delete = api
        .call("DELETE", "volume", &format!("/snapshots/{id}"), &[], None)
        .await;
    assert_eq!(delete.status, 404);
    assert_eq!(api.diskspace(), 0, "nothing released twice");
}

#[tokio::test]
async fn a_snapshot_of_the_same_name_is_a_new_version_of_it() {
    let api = Api::start().await;
    let volume = api.root_volume().await;
    let first = api.snapshot(&volume, "daily").await.json();
    let second = api.snapshot(&volume, "daily").await.json();
    assert_eq!(first["snapshot"]["id"], second["snapshot"]["id"]);
    assert_eq!(api.snapshot_ids().await.len(), 1);
    assert_eq!(api.diskspace(), 20 * GIB, "one object, charged once");
}

#[tokio::test]
async fn an_image_follows_its_object() {
    let api = Api::start().await;
    let put = |data: Vec<u8>| {
        api.call(
            "PUT",
            "pithos",
            "/images/disk.diskdump",
            &[("Content-Type", "application/octet-stream")],
            Some(data),
        )
    };
    assert_eq!(
        api.call("PUT", "pithos", "/images", &[], None).await.status,
        201
    );
    assert_eq!(put(vec![1u8; 1000]).await.status, 201);
    let location = format!("pithos://{}/images/disk.diskdump", api.uuid);
    let reply = api
        .call(
            "POST",
            "image",
            "/images/",
            &[
                ("X-Image-Meta-Name", "disk"),
                ("X-Image-Meta-Location", &location),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    let id = reply.header("x-image-meta-id").to_string();
    assert_eq!(reply.header("x-image-meta-size"), "1000");

    let written = put(vec![2u8; 3000]).await;
    assert_eq!(written.status, 201);
    let hash = written.header("etag").to_string();
    let head = api
        .call("HEAD", "image", &format!("/images/{id}"), &[], None)
        .await;
    assert_eq!(head.header("x-image-meta-size"), "3000");
    assert_eq!(head.header("x-image-meta-checksum"), hash);
    let detail = api
        .call("GET", "image", "/images/detail", &[], None)
        .await
        .json();
    let listed = detail["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == json!(id))
        .cloned()
        .unwrap();
    assert_eq!(
        (listed["size"].clone(), listed["checksum"].clone()),
        (json!(3000), json!(hash))
    );
    let small = api
        .call("GET", "image", "/images/?size_max=2000", &[], None)
        .await
        .json();
    assert!(
        !small["images"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == json!(id)),
        "filters see the size of now"
    );

    // The image is its object (its id is the object's uuid, as in
    // Plankton): it follows the object when it moves...
    let object = api
        .call("HEAD", "pithos", "/images/disk.diskdump", &[], None)
        .await;
    assert_eq!(object.header("x-object-uuid"), id);
    let moved = api
        .call(
            "PUT",
            "pithos",
            "/images/moved.diskdump",
            &[
                ("X-Move-From", "/images/disk.diskdump"),
                ("Content-Length", "0"),
            ],
            Some(Vec::new()),
        )
        .await;
    assert_eq!(moved.status, 201);
    let head = api
        .call("HEAD", "image", &format!("/images/{id}"), &[], None)
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-image-meta-size"), "3000");
    assert!(
        head.header("x-image-meta-location")
            .ends_with("/images/moved.diskdump"),
        "{}",
        head.header("x-image-meta-location")
    );
    // ...and with the object gone, so is the image.
    let delete = api
        .call("DELETE", "pithos", "/images/moved.diskdump", &[], None)
        .await;
    assert_eq!(delete.status, 204);
    let head = api
        .call("HEAD", "image", &format!("/images/{id}"), &[], None)
        .await;
    assert_eq!(head.status, 404);
    let detail = api
        .call("GET", "image", "/images/detail", &[], None)
        .await
        .json();
    assert!(
        !detail["images"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == json!(id)),
        "{detail}"
    );
}
