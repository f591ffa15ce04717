//! The `image` group of `kamaki` (list, info, modify, register,
//! unregister) against the emulator.

mod common;

use common::{assert_one_line_error, env_for, json, kamaki, ok, stderr, stdout, succeeds};
use kamaki::clients::pithos::{ContainerPut, DownloadOptions, HashmapOptions, PithosClient};
use serde_json::Value;
use synnefo_emu::Emulator;

const DEBIAN: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";
const WINDOWS: &str = "4f7a6b1c-2d4e-4a8f-b0c2-9e3d5f7a8b04";

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("owner@example.com", "owner-token")
        .user("friend@example.com", "friend-token")
        .start()
        .await
        .unwrap()
}

fn ids(images: &Value) -> Vec<&str> {
    images
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn public_images_are_listed_and_shown() {
    let emu = emulator().await;
    let env = env_for(&emu, "owner-token");

    let text = ok(&env, &["image", "list"]).await;
    assert!(
        text.starts_with(&format!("{DEBIAN} Debian Base\n")),
        "{text}"
    );
    assert!(text.contains("    size: 2 GiB\n"), "{text}");
    assert!(!text.contains("properties"), "short listing: {text}");
    let all = json(&env, &["image", "list"]).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    assert_eq!(all[0]["size"], 2_147_483_648u64, "JSON keeps bytes");

    let by_size = json(&env, &["image", "list", "--order", "-size"]).await;
    assert_eq!(ids(&by_size)[0], WINDOWS);
    let big = json(&env, &["image", "list", "--size-min", "3000000000"]).await;
    assert_eq!(big.as_array().unwrap().len(), 2, "{big}");
    let named = json(&env, &["image", "list", "--name-like", "UBU"]).await;
    assert_eq!(named[0]["name"], "Ubuntu Server LTS");
    assert_eq!(
        ids(&json(&env, &["image", "list", "--id-prefix", "1D1F"]).await),
        [DEBIAN]
    );
    assert_eq!(
        ids(&json(&env, &["image", "list", "--name", "CentOS"]).await).len(),
        1
    );

    let debian = json(&env, &["image", "list", "--property", "OS=Debian"]).await;
    assert_eq!(ids(&debian), [DEBIAN]);
    assert!(
        debian[0].get("properties").is_none(),
        "short fields: {debian}"
    );
    let linux = json(&env, &["image", "list", "--property-like", "OSFAMILY=lin"]).await;
    assert_eq!(linux.as_array().unwrap().len(), 3);

    let text = ok(&env, &["image", "list", "-l", "--enumerate", "-n", "2"]).await;
    assert!(
        text.starts_with(&format!("1. {DEBIAN} Debian Base\n")),
        "{text}"
    );
    assert!(text.contains("\n2. "), "{text}");
    assert!(!text.contains("\n3. "), "-n 2: {text}");
    assert!(
        text.contains("    properties:\n        DESCRIPTION: "),
        "{text}"
    );
    let system = all[0]["owner"].as_str().map(str::to_string);
    let detailed = json(&env, &["image", "list", "-l"]).await;
    let system = system
        .or_else(|| detailed[0]["owner"].as_str().map(str::to_string))
        .unwrap();
    assert_eq!(
        json(&env, &["image", "list", "--owner", &system])
            .await
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        json(
            &env,
            &["image", "list", "--owner-name", "owner@example.com"]
        )
        .await,
        Value::Array(vec![])
    );

    let text = ok(&env, &["image", "info", DEBIAN]).await;
    assert!(text.contains("name: Debian Base\n"), "{text}");
    assert!(text.contains("size: 2 GiB\n"), "{text}");
    // JSON as kamaki 0.16 prints it: the reply's X-Image-Meta-* headers,
    // named without the prefix, values unquoted strings.
    let info = json(&env, &["image", "info", DEBIAN]).await;
    assert_eq!(info["size"], "2147483648");
    assert_eq!(info["name"], "Debian Base");
    assert_eq!(info["is-public"], "True");
    assert_eq!(info["container-format"], "bare");
    assert_eq!(info["properties"]["os"], "debian");

    let out = kamaki(&env, &["image", "info", "no-such-image"]).await;
    assert_one_line_error(
        &out,
        &["No image with ID no-such-image", "404", "kamaki image list"],
    );
    let out = kamaki(&env, &["image", "unregister", DEBIAN]).await;
    assert_one_line_error(&out, &["403", "owner"]);
    let out = kamaki(&env, &["image", "modify", DEBIAN, "--name", "Mine"]).await;
    assert_one_line_error(&out, &["403"]);
    let out = kamaki(&env, &["image", "modify", DEBIAN]).await;
    assert_ne!(out.status.code(), Some(0), "modify needs a change");
}

/// A Pithos client of the user's `images` container, created.
async fn images_container(emu: &Emulator, uuid: &str) -> PithosClient {
    let url = emu.endpoint_url("object-store").unwrap();
    let pithos = PithosClient::new(&url, "owner-token")
        .unwrap()
        .with_account(uuid)
        .with_container("images");
    pithos
        .create_container(None, &ContainerPut::default())
        .await
        .unwrap();
    pithos
}

#[tokio::test(flavor = "multi_thread")]
async fn images_are_registered_changed_and_unregistered() {
    let emu = emulator().await;
    let env = env_for(&emu, "owner-token");
    let me = emu.users()[0].uuid.clone();
    let friend = emu.users()[1].uuid.clone();

    // Five MB: two blocks of the emulator's 4 MiB.
    let local = env.home.join("disk.img");
    let data: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&local, &data).unwrap();
    let local = local.to_str().unwrap().to_string();

    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "Mine",
            "--location",
            "/images",
            "--upload-image-file",
            &local,
        ],
    )
    .await;
    assert_one_line_error(
        &out,
        &[
            "Container \"images\" does not exist",
            "404",
            "kamaki container create images",
        ],
    );

    let pithos = images_container(&emu, &me).await;
    let out = succeeds(
        &env,
        &[
            "image",
            "register",
            "--name",
            "Mine",
            "--location",
            "/images",
            "--upload-image-file",
            &local,
            "-p",
            "os=debian",
            "-p",
            "os-family=linux",
        ],
    )
    .await;
    let text = stdout(&out);
    assert!(
        text.contains(&format!("owner: {me} (owner@example.com)\n")),
        "{text}"
    );
    assert!(text.contains("size: 5000000\n"), "{text}");
    assert!(!text.contains("Uploading"), "no bars on stdout: {text}");
    assert!(
        stderr(&out).contains("Metadata file uploaded as /images/disk.img.meta (version"),
        "{}",
        stderr(&out)
    );
    let hashmap = pithos
        .get_object_hashmap("disk.img", &HashmapOptions::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hashmap.bytes, 5_000_000);
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .unwrap()
        .to_string();
    let info = json(&env, &["image", "info", &id]).await;
    assert_eq!(info["properties"]["os_family"], "linux");
    assert_eq!(info["location"], format!("pithos://{me}/images/disk.img"));

    // The image file and the meta file are not overwritten without -f.
    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "Mine",
            "--location",
            "/images",
            "--upload-image-file",
            &local,
        ],
    )
    .await;
    assert_one_line_error(&out, &["/images/disk.img already exists", "-f"]);
    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "Mine",
            "--location",
            "/images/disk.img",
        ],
    )
    .await;
    assert_one_line_error(&out, &["/images/disk.img.meta already exists"]);

    // The meta file is shared as the image file is.
    pithos
        .set_object_sharing("disk.img", &[friend.as_str()], &[] as &[&str])
        .await
        .unwrap();
    let again = json(
        &env,
        &[
            "image",
            "register",
            "--name",
            "Mine again",
            "--location",
            &format!("pithos://{me}/images/disk.img"),
            "-f",
            "--public",
        ],
    )
    .await;
    assert_eq!(
        again["id"],
        id.as_str(),
        "the same object is the same image"
    );
    assert_eq!(again["is_public"], true);
    assert_eq!(again["owner"], me.as_str(), "JSON is not annotated");
    let sharing = pithos.get_object_sharing("disk.img.meta").await.unwrap();
    assert_eq!(sharing.read, vec![friend.clone()]);
    let meta_file = env.home.join("saved.meta");
    let saved = pithos
        .download_to_string("disk.img.meta", &DownloadOptions::default())
        .await
        .unwrap();
    std::fs::write(&meta_file, &saved).unwrap();
    let saved: Value = serde_json::from_slice(&saved).unwrap();
    assert_eq!(saved["id"], id.as_str());
    assert_eq!(saved["owner"], me.as_str());

    // --hashmap: the location, then the file's hashmap.
    let text = ok(&env, &["image", "info", &id, "--hashmap"]).await;
    assert!(
        text.starts_with(&format!("pithos://{me}/images/disk.img\n")),
        "{text}"
    );
    assert!(text.contains("block_hash: sha256"), "{text}");
    let hashmap = json(&env, &["image", "info", &id, "--hashmap"]).await;
    assert_eq!(hashmap["bytes"], 5_000_000);
    assert_eq!(hashmap["hashes"].as_array().unwrap().len(), 2);

    // modify: members first, then metadata; a deleted property goes away.
    ok(
        &env,
        &[
            "image",
            "modify",
            &id,
            "--name",
            "Renamed",
            "--private",
            "-p",
            "users=root",
            "--property-del",
            "OS_FAMILY",
            "--member-add",
            &friend,
        ],
    )
    .await;
    let info = json(&env, &["image", "info", &id]).await;
    assert_eq!(info["name"], "Renamed");
    assert_eq!(info["is-public"], "False");
    assert_eq!(info["properties"]["users"], "root");
    assert!(info["properties"].get("os_family").is_none(), "{info}");
    let members = json(&env, &["image", "list", "--members-of", &id]).await;
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["member_id"] == friend.as_str()),
        "{members}"
    );
    let text = ok(&env, &["image", "list", "--members-of", &id]).await;
    assert!(
        text.contains(&format!(
            "{friend} (friend@example.com)\n    can_share: false"
        )),
        "{text}"
    );
    ok(
        &env,
        &["image", "modify", &id, "--member-del", &friend, "--public"],
    )
    .await;
    let members = json(&env, &["image", "list", "--members-of", &id]).await;
    assert!(!members
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["member_id"] == friend.as_str()));
    assert_eq!(
        json(&env, &["image", "info", &id]).await["is-public"],
        "True"
    );
    assert_eq!(
        ids(&json(
            &env,
            &["image", "list", "--owner-name", "owner@example.com"]
        )
        .await),
        [id.as_str()]
    );

    // A saved meta file registers again; options override it; -C and
    // --owner-name complete a location (kamaki ignored them).
    let out = succeeds(
        &env,
        &[
            "image",
            "register",
            "--name",
            "From meta",
            "--location",
            "disk.img",
            "-C",
            "images",
            "--owner-name",
            "owner@example.com",
            "--metafile",
            meta_file.to_str().unwrap(),
            "--no-metafile-upload",
            "-p",
            "kernel=6.1",
            "--output-format",
            "json",
        ],
    )
    .await;
    let registered: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(registered["name"], "From meta");
    assert_eq!(registered["is_public"], true, "from the meta file");
    assert_eq!(registered["properties"]["kernel"], "6.1");
    assert!(
        stderr(&out).is_empty(),
        "no meta file upload: {}",
        stderr(&out)
    );

    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "X",
            "--location",
            "nowhere.img",
        ],
    )
    .await;
    assert_one_line_error(&out, &["no container"]);
    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "X",
            "--location",
            "pithos://someone/images/a",
            "--uuid",
            &me,
        ],
    )
    .await;
    assert_one_line_error(&out, &["Conflicting accounts"]);
    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "X",
            "--location",
            "/images/missing.img",
            "--no-metafile-upload",
        ],
    )
    .await;
    assert_one_line_error(
        &out,
        &[
            "Nonexistent image file location",
            "404",
            "/images/missing.img",
        ],
    );
    let bad = env.home.join("bad.meta");
    std::fs::write(&bad, r#"{"properties": {"a": [1]}}"#).unwrap();
    let out = kamaki(
        &env,
        &[
            "image",
            "register",
            "--name",
            "X",
            "--location",
            "/images/disk.img",
            "--metafile",
            bad.to_str().unwrap(),
        ],
    )
    .await;
    assert_one_line_error(&out, &["Invalid json metadata config file"]);

    ok(&env, &["image", "unregister", &id]).await;
    let out = kamaki(&env, &["image", "info", &id]).await;
    assert_one_line_error(&out, &["No image with ID", "404"]);
    assert!(
        pithos.get_object_info("disk.img", None).await.is_ok(),
        "the file stays"
    );
}
