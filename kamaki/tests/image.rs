//! `ImageClient` against the emulator's Image registry: listing, metadata,
//! registration from Pithos, updates, members, and kamaki's image examples.

use std::collections::BTreeMap;

use std::time::Duration;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::compute::{CreateServerOptions, ListFlavorsOptions, ListImagesOptions};
use kamaki::clients::cyclades::CycladesComputeClient;
use kamaki::clients::image::{ImageClient, ImageFilter, ImageUpdate, RegisterParams};
use kamaki::clients::wait::WaitOptions;
use kamaki::clients::{Client, ClientError};
use synnefo_emu::image::ImageRecord;
use synnefo_emu::Emulator;

struct Cloud {
    emu: Emulator,
    owner: ImageClient,
    friend: ImageClient,
}

impl Cloud {
    async fn start() -> Cloud {
        let emu = Emulator::builder()
            .user("owner@example.org", "owner-token")
            .user("friend@example.org", "friend-token")
            .action_delay(std::time::Duration::from_millis(10))
            .start()
            .await
            .unwrap();
        let astakos = AstakosClient::new(&emu.auth_url(), "owner-token").unwrap();
        let url = astakos
            .get_endpoint_url(ImageClient::SERVICE_TYPE)
            .await
            .unwrap();
        Cloud {
            owner: ImageClient::new(&url, "owner-token").unwrap(),
            friend: ImageClient::new(&url, "friend-token").unwrap(),
            emu,
        }
    }

    fn uuid(&self, i: usize) -> String {
        self.emu.users()[i].uuid.clone()
    }

    /// Stores `data` at `container/name` of the owner's Pithos account
    /// with plain HTTP requests.
    async fn upload(&self, container: &str, name: &str, data: &[u8]) {
        let url = self.emu.endpoint_url("object-store").unwrap();
        let pithos = Client::new(&format!("{url}/{}", self.uuid(0)), "owner-token").unwrap();
        pithos
            .put(container)
            .success(&[201, 202])
            .send()
            .await
            .unwrap();
        pithos
            .put(&format!("{container}/{name}"))
            .header("Content-Type", "application/octet-stream")
            .body(data.to_vec())
            .success(&[201])
            .send()
            .await
            .unwrap();
    }

    /// An image of the owner put in the registry directly.
    fn own_image(&self, name: &str) -> String {
        let owner = self.uuid(0);
        let id = format!("{name}-id");
        self.emu.state().image.insert(ImageRecord {
            id: id.clone(),
            name: name.to_string(),
            owner: owner.clone(),
            status: "AVAILABLE".into(),
            is_public: false,
            size: 2048,
            checksum: "cd".repeat(32),
            location: format!("pithos://{owner}/images/{name}.diskdump"),
            disk_format: "diskdump".into(),
            container_format: "bare".into(),
            created_at: "2030-01-01T00:00:00+00:00".into(),
            updated_at: "2030-01-01T00:00:00+00:00".into(),
            deleted_at: None,
            properties: BTreeMap::from([("osfamily".to_string(), "linux".to_string())]),
            members: vec![owner],
        });
        id
    }
}

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn public_images_are_listed() {
    let cloud = Cloud::start().await;
    let brief = cloud
        .owner
        .list_public(false, &ImageFilter::new(), "")
        .await
        .unwrap();
    assert_eq!(brief.len(), 4);
    assert!(brief
        .iter()
        .all(|i| i.location.is_none() && i.size.is_some()));

    let detail = cloud
        .owner
        .list_public(true, &ImageFilter::new(), "name")
        .await
        .unwrap();
    let names: Vec<&str> = detail.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CentOS",
            "Debian Base",
            "Ubuntu Server LTS",
            "Windows Server"
        ]
    );
    assert_eq!(detail[1].is_public, Some(true));
    assert_eq!(detail[1].properties["OSFAMILY"], "linux");
    assert!(detail[1]
        .location
        .as_deref()
        .unwrap()
        .starts_with("pithos://"));

    let biggest = cloud
        .owner
        .list_public(true, &ImageFilter::new().size_min(3 << 30), "-size")
        .await
        .unwrap();
    let names: Vec<&str> = biggest.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Windows Server", "Ubuntu Server LTS"]);
    let filtered = ImageFilter::new()
        .name("CentOS")
        .disk_format("diskdump")
        .container_format("bare")
        .status("AVAILABLE")
        .size_max(3 << 30);
    assert_eq!(
        cloud
            .owner
            .list_public(false, &filtered, "")
            .await
            .unwrap()
            .len(),
        1
    );
    let err = cloud
        .owner
        .list_public(false, &ImageFilter::new(), "colour")
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (400, "Invalid 'sort_key'".to_string())
    );
}

#[tokio::test]
async fn metadata_are_read_from_headers() {
    let cloud = Cloud::start().await;
    let meta = cloud
        .owner
        .get_meta("1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01")
        .await
        .unwrap();
    assert_eq!(meta.name, "Debian Base");
    assert_eq!(meta.size, Some(2_147_483_648));
    assert_eq!(meta.is_public, Some(true));
    assert_eq!(meta.status.as_deref(), Some("AVAILABLE"));
    assert_eq!(meta.properties["osfamily"], "linux");
    assert_eq!(
        meta.properties["description"],
        "Debian Base, as the cloud ships it"
    );
    let err = cloud.owner.get_meta("no-such-image").await.unwrap_err();
    assert_eq!(err.status(), 404);
}

#[tokio::test]
async fn registering_a_missing_object_says_so() {
    let cloud = Cloud::start().await;
    let location = ImageClient::location(&cloud.uuid(0), "images", "nothing here.diskdump");
    let err = cloud
        .owner
        .register(
            "ghost",
            &location,
            &RegisterParams::default(),
            &BTreeMap::new(),
        )
        .await
        .unwrap_err();
    match &err {
        ClientError::Http {
            status, message, ..
        } => {
            assert_eq!(*status, 404);
            assert_eq!(
                message,
                &format!(
                    "Object 'nothing here.diskdump' does not exist in container 'images' of account {}",
                    cloud.uuid(0)
                )
            );
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    // Locations that are not Pithos URLs never leave the client.
    let err = cloud
        .owner
        .register(
            "x",
            "/images/x",
            &RegisterParams::default(),
            &BTreeMap::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
    let wrong_format = RegisterParams {
        disk_format: Some("qcow2".into()),
        ..RegisterParams::default()
    };
    let err = cloud
        .owner
        .register("x", &location, &wrong_format, &BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (400, "Invalid disk format 'qcow2'".to_string())
    );
}

#[tokio::test]
async fn images_are_updated_and_shared() {
    let cloud = Cloud::start().await;
    let owner = cloud.uuid(0);
    let friend = cloud.uuid(1);
    let id = cloud.own_image("mine");

    let update = ImageUpdate {
        name: Some("Mine, renamed".into()),
        public: Some(false),
        status: Some("AVAILABLE".into()),
        ..ImageUpdate::default()
    };
    let meta = cloud
        .owner
        .update_image(
            &id,
            &update,
            &props(&[("USERS", "root user"), ("osfamily", "")]),
        )
        .await
        .unwrap();
    assert_eq!(meta.name, "Mine, renamed");
    assert_eq!(meta.properties, props(&[("users", "root user")]));
    let err = cloud
        .friend
        .update_image(&id, &update, &BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403);

    let members: Vec<String> = cloud
        .owner
        .list_members(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.member_id)
        .collect();
    assert_eq!(members, vec![owner.clone()]);
    assert_eq!(cloud.friend.get_meta(&id).await.unwrap_err().status(), 403);
    cloud.owner.add_member(&id, &friend).await.unwrap();
    assert_eq!(cloud.friend.get_meta(&id).await.unwrap().id, id);
    let shared = cloud.friend.list_shared(&owner).await.unwrap();
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].image_id, id);
    assert!(!shared[0].can_share);
    cloud.owner.remove_member(&id, &friend).await.unwrap();
    assert!(cloud.friend.list_shared(&owner).await.unwrap().is_empty());
    cloud
        .owner
        .set_members(&id, &[&friend, "someone-else"])
        .await
        .unwrap();
    let members = cloud.owner.list_members(&id).await.unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].member_id, friend);
    assert_eq!(
        cloud
            .friend
            .add_member(&id, &friend)
            .await
            .unwrap_err()
            .status(),
        403
    );

    cloud.owner.unregister(&id).await.unwrap();
    assert_eq!(cloud.owner.get_meta(&id).await.unwrap_err().status(), 404);
    assert_eq!(cloud.owner.unregister(&id).await.unwrap_err().status(), 404);
}

/// kamaki's `image-register.py` then `image-list.py` then
/// `image-unregister.py`: upload a file, register it, find it among my
/// images, unregister it.
#[tokio::test]
async fn example_register_list_and_unregister_an_uploaded_image() {
    let cloud = Cloud::start().await;
    let uuid = cloud.uuid(0);
    let data = vec![7u8; 3 * 1024 * 1024 + 5];
    cloud.upload("images", "my-image.diskdump", &data).await;

    let location = ImageClient::location(&uuid, "images", "my-image.diskdump");
    let params = RegisterParams {
        disk_format: Some("diskdump".into()),
        container_format: Some("bare".into()),
        is_public: Some(false),
        ..RegisterParams::default()
    };
    let properties = props(&[
        ("OSFAMILY", "linux"),
        ("USERS", "root"),
        ("ROOT_PARTITION", "1"),
    ]);
    let meta = cloud
        .owner
        .register("My Image", &location, &params, &properties)
        .await
        .unwrap();
    assert_eq!(meta.name, "My Image");
    assert_eq!(meta.size, Some(data.len() as u64));
    assert_eq!(meta.owner.as_deref(), Some(uuid.as_str()));
    assert_eq!(meta.location.as_deref(), Some(location.as_str()));
    assert_eq!(meta.is_public, Some(false));
    assert_eq!(meta.properties["root_partition"], "1");
    assert!(!meta.checksum.clone().unwrap_or_default().is_empty());

    // Size and checksum must be the object's.
    let wrong = RegisterParams {
        size: Some(1),
        ..RegisterParams::default()
    };
    let err = cloud
        .owner
        .register("My Image", &location, &wrong, &BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (400, "Invalid 'size' field".to_string())
    );
    // Another user may not register my object.
    let err = cloud
        .friend
        .register(
            "theirs",
            &location,
            &RegisterParams::default(),
            &BTreeMap::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404, "private objects are not theirs to see");

    // Only my images, as image-list.py filters them.
    let mine: Vec<_> = cloud
        .owner
        .list_public(true, &ImageFilter::new(), "")
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.owner.as_deref() == Some(uuid.as_str()))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, meta.id);
    assert_eq!(mine[0].location.as_deref(), Some(location.as_str()));

    // Registering again keeps the id and the properties not given.
    let again = cloud
        .owner
        .reregister(
            &meta.id,
            Some("My Image v2"),
            &RegisterParams::default(),
            &props(&[("OS", "debian")]),
        )
        .await
        .unwrap();
    assert_eq!(again.id, meta.id);
    assert_eq!(again.name, "My Image v2");
    assert_eq!(again.properties["osfamily"], "linux");
    assert_eq!(again.properties["os"], "debian");

    // image-unregister.py: my image, so unregister it.
    let found = cloud.owner.get_meta(&meta.id).await.unwrap();
    assert_eq!(found.owner.as_deref(), Some(uuid.as_str()));
    cloud.owner.unregister(&meta.id).await.unwrap();
    assert!(cloud
        .owner
        .list_public(false, &ImageFilter::new(), "")
        .await
        .unwrap()
        .iter()
        .all(|i| i.id != meta.id));
}

/// kamaki's `image-register.py` followed by `compute-create.py`: an image
/// registered from an uploaded file is listed by compute and a server is
/// built from it.
#[tokio::test]
async fn example_register_an_uploaded_image_and_build_a_server_from_it() {
    let cloud = Cloud::start().await;
    let uuid = cloud.uuid(0);
    cloud
        .upload("images", "custom.diskdump", &vec![9u8; 1 << 20])
        .await;
    let location = ImageClient::location(&uuid, "images", "custom.diskdump");
    let image = cloud
        .owner
        .register(
            "Custom",
            &location,
            &RegisterParams::default(),
            &props(&[("OSFAMILY", "linux"), ("USERS", "root")]),
        )
        .await
        .unwrap();

    let astakos = AstakosClient::new(&cloud.emu.auth_url(), "owner-token").unwrap();
    let compute_url = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await
        .unwrap();
    let compute = CycladesComputeClient::new(&compute_url, "owner-token").unwrap();
    let listed = compute
        .list_images(true, &ListImagesOptions::default())
        .await
        .unwrap();
    let seen = listed
        .iter()
        .find(|i| i.id == image.id)
        .expect("compute lists the registered image");
    assert_eq!(seen.name, "Custom");
    assert_eq!(seen.status, "ACTIVE");

    let mut flavors = compute
        .list_flavors(true, &ListFlavorsOptions::default())
        .await
        .unwrap();
    flavors.sort_by_key(|f| (f.vcpus, f.ram, f.disk));
    let server = compute
        .create_server(
            "from my image",
            &flavors[0].id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await
        .unwrap();
    let wait = WaitOptions::new(Duration::from_millis(10), Duration::from_secs(20));
    let server = compute
        .wait_server_until(&server.id, "ACTIVE", wait, |_| {})
        .await
        .unwrap();
    assert_eq!(server.status, "ACTIVE");
    let details = compute.get_server_details(&server.id).await.unwrap();
    let image_of_server = serde_json::to_value(&details).unwrap()["image"]["id"].clone();
    assert_eq!(image_of_server, serde_json::json!(image.id));

    // Once unregistered, no new server comes from it.
    cloud.owner.unregister(&image.id).await.unwrap();
    let err = compute
        .create_server(
            "too late",
            &flavors[0].id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
}
