//! Every call of StorageClient and PithosClient against the emulator:
//! accounts, containers, objects, sharing between users, public URLs,
//! versions, quotas, pagination.

#[path = "support/pithos.rs"]
mod support;

use std::collections::BTreeMap;

use futures_util::{stream, StreamExt, TryStreamExt};
use kamaki::clients::pithos::{
    AccountGet, AccountHead, AccountPost, ContainerDelete, ContainerGet, ContainerPost,
    ContainerPut, CopyOptions, DownloadOptions, Format, ObjectCopy, ObjectDelete, ObjectGet,
    ObjectHead, ObjectPost, ObjectPut, ObjectWriteOptions, Sharing, UploadOptions,
};
use kamaki::clients::storage::ListObjects;
use kamaki::clients::{Client, ClientError};
use support::{client_for, data, setup};
use synnefo_emu::Emulator;

fn pairs(items: &[(&str, &str)]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn account_calls() {
    let (emu, pithos) = setup().await;
    let uuid = emu.user().uuid;

    let info = pithos.get_account_info(None).await.unwrap();
    assert!(info.contains_key("x-account-bytes-used"), "{info:?}");
    assert_eq!(info["x-account-container-count"], "1");
    assert!(pithos.get_account_info(Some("1")).await.is_ok());

    pithos
        .set_account_meta(&pairs(&[("color", "blue"), ("ελ", "ναι")]))
        .await
        .unwrap();
    let meta = pithos.get_account_meta(None).await.unwrap();
    assert_eq!(meta["x-account-meta-color"], "blue");
    assert_eq!(
        meta["x-account-meta-ελ"], "ναι",
        "non-ASCII round trips: {meta:?}"
    );
    pithos.del_account_meta("color").await.unwrap();
    assert!(!pithos
        .get_account_meta(None)
        .await
        .unwrap()
        .contains_key("x-account-meta-color"));

    pithos
        .set_account_group("friends", &[uuid.as_str()])
        .await
        .unwrap();
    let groups = pithos.get_account_group().await.unwrap();
    assert_eq!(groups["x-account-group-friends"], uuid);
    pithos.del_account_group("friends").await.unwrap();
    assert!(pithos.get_account_group().await.unwrap().is_empty());

    let quota = pithos.get_account_quota().await.unwrap();
    assert!(quota.contains_key("x-account-policy-quota"), "{quota:?}");

    let containers = pithos.list_containers().await.unwrap();
    assert_eq!(containers.len(), 1);
    assert_eq!(containers[0].name, "pithos");

    // The REST verbs of the account.
    let head = pithos.account_head(&AccountHead::default()).await.unwrap();
    assert_eq!(head.status(), 204);
    let text = pithos
        .account_get(&AccountGet {
            format: Format::Text,
            ..AccountGet::default()
        })
        .await
        .unwrap();
    assert_eq!(text.text().trim(), "pithos");
    let xml = pithos
        .account_get(&AccountGet {
            format: Format::Xml,
            ..AccountGet::default()
        })
        .await
        .unwrap();
    assert!(xml.text().contains("<name>pithos</name>"), "{}", xml.text());
    let limited = pithos
        .account_get(&AccountGet {
            limit: Some(1),
            marker: Some("pithos".into()),
            ..AccountGet::default()
        })
        .await
        .unwrap();
    assert!(limited.status() == 200 || limited.status() == 204);
    pithos
        .account_post(&AccountPost {
            metadata: pairs(&[("k", "v")]),
            ..AccountPost::default()
        })
        .await
        .unwrap();
    assert_eq!(
        pithos.get_account_meta(None).await.unwrap()["x-account-meta-k"],
        "v"
    );

    // No account set: a clear error before any request.
    let nobody = client_for(&emu, &emu.token(), "", "pithos").await;
    let err = nobody.get_account_info(None).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Config(ref m) if m == "No account provided"),
        "{err}"
    );
}

#[tokio::test]
async fn container_calls() {
    let (_emu, pithos) = setup().await;
    let headers = pithos
        .create_container(
            Some("box"),
            &ContainerPut {
                quota: Some(1 << 30),
                versioning: Some("auto".into()),
                metadata: pairs(&[("purpose", "tests")]),
                project_id: None,
            },
        )
        .await
        .unwrap();
    let _ = headers;
    // Creating it again updates it, without error.
    pithos
        .create_container(Some("box"), &ContainerPut::default())
        .await
        .unwrap();

    let boxed = pithos.clone().with_container("box");
    let info = boxed.get_container_info(None, None).await.unwrap();
    assert!(info["x-container-block-size"].parse::<u64>().unwrap() > 0);
    assert_eq!(info["x-container-block-hash"], "sha256");
    assert_eq!(info["x-container-meta-purpose"], "tests");
    assert_eq!(
        pithos.get_container_versioning(Some("box")).await.unwrap()
            ["x-container-policy-versioning"],
        "auto"
    );
    assert_eq!(
        pithos.get_container_limit(Some("box")).await.unwrap()["x-container-policy-quota"],
        (1u64 << 30).to_string()
    );
    boxed.set_container_limit(1000).await.unwrap();
    assert_eq!(
        boxed.get_container_limit(None).await.unwrap()["x-container-policy-quota"],
        "1000"
    );
    boxed.set_container_versioning("none").await.unwrap();
    assert_eq!(
        boxed.get_container_versioning(None).await.unwrap()["x-container-policy-versioning"],
        "none"
    );
    boxed
        .set_container_meta(&pairs(&[("a", "1")]))
        .await
        .unwrap();
    assert_eq!(
        boxed.get_container_meta(None).await.unwrap()["x-container-meta-a"],
        "1"
    );
    boxed.del_container_meta("a").await.unwrap();
    assert!(!boxed
        .get_container_meta(None)
        .await
        .unwrap()
        .contains_key("x-container-meta-a"));
    let _ = boxed.get_container_object_meta(None).await.unwrap();
    let project = boxed.account.clone().unwrap();
    boxed.reassign_container(&project).await.unwrap();
    assert_eq!(
        boxed.get_container_info(None, None).await.unwrap()["x-container-policy-project"],
        project
    );

    // Missing containers: errors that say which.
    let err = pithos
        .get_container_info(Some("nope"), None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert!(err.details().iter().any(|d| d.contains("nope")), "{err:?}");
    let err = pithos
        .clone()
        .with_container("nope")
        .del_container(None, None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert!(err.message().contains("does not exist"));

    // A non-empty container is not deleted unless with delimiter.
    boxed.set_container_limit(0).await.unwrap();
    boxed.create_object("inside", None).await.unwrap();
    let err = boxed.del_container(None, None).await.unwrap_err();
    assert_eq!(err.status(), 409);
    assert!(err.message().contains("not empty"));
    boxed.del_container(None, Some("/")).await.unwrap();
    assert!(boxed
        .list_container_objects(&ContainerGet::default())
        .await
        .unwrap()
        .is_empty());
    boxed.del_container(None, None).await.unwrap();

    pithos
        .create_container(Some("gone"), &ContainerPut::default())
        .await
        .unwrap();
    pithos.purge_container(Some("gone")).await.unwrap();
    assert_eq!(
        pithos
            .get_container_info(Some("gone"), None)
            .await
            .unwrap_err()
            .status(),
        404
    );

    // The REST verbs of the container.
    pithos
        .container_put(&ContainerPut::default())
        .await
        .unwrap();
    assert_eq!(
        pithos
            .container_head(&Default::default())
            .await
            .unwrap()
            .status(),
        204
    );
    pithos
        .container_post(&ContainerPost {
            metadata: pairs(&[("x", "y")]),
            ..ContainerPost::default()
        })
        .await
        .unwrap();
    let list = pithos
        .container_get(&ContainerGet::default())
        .await
        .unwrap();
    assert!(list.status() == 200 || list.status() == 204);
    let temp = pithos.clone().with_container("temp");
    temp.container_put(&ContainerPut::default()).await.unwrap();
    temp.container_delete(&ContainerDelete::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn object_calls() {
    let (_emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;

    pithos
        .upload_object_unchunked(
            "plain.txt",
            b"hello".to_vec(),
            &ObjectWriteOptions {
                content_type: Some("text/plain".into()),
                ..ObjectWriteOptions::default()
            },
        )
        .await
        .unwrap();
    let info = pithos.get_object_info("plain.txt", None).await.unwrap();
    assert_eq!(info["content-type"], "text/plain");
    assert_eq!(info["content-length"], "5");
    assert_eq!(
        pithos
            .get_object_info("missing", None)
            .await
            .unwrap_err()
            .message(),
        "Object missing not found"
    );

    pithos
        .set_object_meta("plain.txt", &pairs(&[("owner", "me"), ("n", "1")]))
        .await
        .unwrap();
    let meta = pithos.get_object_meta("plain.txt", None).await.unwrap();
    assert_eq!(meta["x-object-meta-owner"], "me");
    pithos.del_object_meta("plain.txt", "owner").await.unwrap();
    let meta = pithos.get_object_meta("plain.txt", None).await.unwrap();
    assert!(!meta.contains_key("x-object-meta-owner"));
    assert_eq!(meta["x-object-meta-n"], "1");

    pithos
        .set_object_sharing("plain.txt", &["*"], &[] as &[&str])
        .await
        .unwrap();
    assert_eq!(
        pithos.get_object_sharing("plain.txt").await.unwrap(),
        Sharing::read(["*"])
    );
    pithos.del_object_sharing("plain.txt").await.unwrap();
    assert_eq!(
        pithos.get_object_sharing("plain.txt").await.unwrap(),
        Sharing::default()
    );

    // Append, overwrite, truncate.
    pithos
        .append_object("plain.txt", b" world".to_vec(), None)
        .await
        .unwrap();
    let text = pithos
        .download_to_string("plain.txt", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(&text[..], b"hello world");
    pithos
        .overwrite_object("plain.txt", 0, 4, b"HELLO".to_vec(), None, None)
        .await
        .unwrap();
    pithos.truncate_object("plain.txt", 8).await.unwrap();
    let text = pithos
        .download_to_string("plain.txt", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(&text[..], b"HELLO wo");
    assert!(pithos
        .overwrite_object("plain.txt", 5, 100, b"x".to_vec(), None, None)
        .await
        .is_err());

    // A multi-block append keeps the order.
    let big = data(2 * b + 3, 8);
    pithos.create_object("appended", None).await.unwrap();
    let replies = pithos
        .append_object("appended", big.clone(), None)
        .await
        .unwrap();
    assert_eq!(replies.len(), 3);
    let got = pithos
        .download_to_string("appended", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(got.to_vec(), big);

    // Directories, copies, moves, deletes.
    pithos.create_directory("dir").await.unwrap();
    pithos
        .upload_from_string("dir/a", b"A".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    pithos
        .upload_from_string("dir/b", b"B".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    pithos
        .create_container(Some("other"), &ContainerPut::default())
        .await
        .unwrap();
    pithos
        .copy_object("pithos", "dir/a", "other", &CopyOptions::default())
        .await
        .unwrap();
    pithos
        .copy_object(
            "pithos",
            "dir",
            "other",
            &CopyOptions {
                dst_object: Some("copied".into()),
                delimiter: Some("/".into()),
                ..CopyOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        pithos.container.as_deref(),
        Some("pithos"),
        "copy does not rebind the client"
    );
    let other = pithos.clone().with_container("other");
    let names: Vec<String> = other
        .list_all_objects(&ContainerGet::default())
        .await
        .unwrap()
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert!(
        names.contains(&"dir/a".to_string()) && names.contains(&"copied/b".to_string()),
        "{names:?}"
    );
    pithos
        .move_object(
            "pithos",
            "dir/b",
            "other",
            &CopyOptions {
                dst_object: Some("moved-b".into()),
                ..CopyOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        pithos
            .get_object_info("dir/b", None)
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        &other
            .download_to_string("moved-b", &Default::default())
            .await
            .unwrap()[..],
        b"B"
    );
    pithos.del_object("dir", None, Some("/")).await.unwrap();
    assert_eq!(
        pithos
            .get_object_info("dir/a", None)
            .await
            .unwrap_err()
            .status(),
        404
    );
    pithos.del_object("appended", None, None).await.unwrap();

    // A manifest object concatenates the parts.
    pithos
        .upload_from_string("parts/1", b"ab".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    pithos
        .upload_from_string("parts/2", b"cd".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    pithos
        .create_object_by_manifestation("parts/", &ObjectWriteOptions::default())
        .await
        .unwrap();
    let whole = pithos
        .object_get("parts/", &ObjectGet::default())
        .await
        .unwrap();
    assert_eq!(&whole.body()[..], b"abcd");

    // Listing with filters and formats.
    let listed = pithos
        .list_container_objects(&ContainerGet {
            prefix: Some("parts/".into()),
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let delimited = pithos
        .list_container_objects(&ContainerGet {
            delimiter: Some("/".into()),
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    assert!(
        delimited
            .iter()
            .any(|o| o.as_object().is_none() && o.name() == "parts/"),
        "{delimited:?}"
    );
    let in_path = pithos
        .list_object_names(&ContainerGet {
            path: Some("parts".into()),
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    // `path` lists objects ending in the delimiter too: the manifest.
    assert_eq!(in_path, ["parts/", "parts/1", "parts/2"]);
    pithos
        .set_object_meta("parts/1", &pairs(&[("tag", "x")]))
        .await
        .unwrap();
    let by_meta = pithos
        .list_object_names(&ContainerGet {
            meta: vec!["tag".into()],
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    assert_eq!(by_meta, ["parts/1"]);
    pithos.publish_object("parts/2").await.unwrap();
    let public = pithos
        .list_object_names(&ContainerGet {
            public: true,
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    assert_eq!(public, ["parts/2"]);
    pithos
        .set_object_sharing("parts/1", &["*"], &[] as &[&str])
        .await
        .unwrap();
    let shared = pithos
        .list_object_names(&ContainerGet {
            show_only_shared: true,
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    assert_eq!(shared, ["parts/1"]);
    let xml = pithos
        .container_get(&ContainerGet {
            format: Format::Xml,
            ..ContainerGet::default()
        })
        .await
        .unwrap();
    assert!(xml.text().contains("<name>parts/1</name>"));
    // Time travel: a listing as of before the last object was made
    // (`until` is whole seconds, as Synnefo reads it).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let before = now.as_secs() + 1;
    tokio::time::sleep(std::time::Duration::from_secs(before) - now).await;
    pithos.create_object("later", None).await.unwrap();
    let then: Vec<String> = pithos
        .list_container_objects(&ContainerGet {
            until: Some(before.to_string()),
            ..ContainerGet::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert!(then.contains(&"parts/1".to_string()), "{then:?}");
    assert!(!then.contains(&"later".to_string()), "{then:?}");
}

#[tokio::test]
async fn object_rest_verbs() {
    let (_emu, pithos) = setup().await;
    let put = pithos
        .object_put(
            "r",
            &ObjectPut {
                content_type: Some("text/plain".into()),
                metadata: pairs(&[("m", "1")]),
                data: Some(bytes::Bytes::from_static(b"rest")),
                ..ObjectPut::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    let head = pithos
        .object_head("r", &ObjectHead::default())
        .await
        .unwrap();
    assert_eq!(head.header("x-object-meta-m"), Some("1"));
    let etag = head.header("etag").unwrap().to_string();
    let not_modified = pithos
        .object_get_request(
            "r",
            &ObjectGet {
                if_etag_not_match: Some(etag.clone()),
                ..ObjectGet::default()
            },
        )
        .unwrap()
        .success(&[304])
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    pithos
        .object_post(
            "r",
            &ObjectPost {
                content_type: Some("application/octet-stream".into()),
                content_range: Some("bytes */*".into()),
                data: Some(bytes::Bytes::from_static(b"!")),
                ..ObjectPost::default()
            },
        )
        .await
        .unwrap();
    pithos
        .object_copy(
            "r",
            &ObjectCopy {
                destination: "/pithos/r-copy".into(),
                ignore_content_type: true,
                ..ObjectCopy::default()
            },
        )
        .await
        .unwrap();
    pithos
        .object_move(
            "r-copy",
            &ObjectCopy {
                destination: "/pithos/r-moved".into(),
                ignore_content_type: true,
                ..ObjectCopy::default()
            },
        )
        .await
        .unwrap();
    let got = pithos
        .object_get("r-moved", &ObjectGet::default())
        .await
        .unwrap();
    assert_eq!(&got.body()[..], b"rest!");
    pithos
        .object_delete("r-moved", &ObjectDelete::default())
        .await
        .unwrap();
    assert_eq!(
        pithos
            .object_head("r-moved", &ObjectHead::default())
            .await
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test]
async fn storage_client_calls() {
    let (_emu, pithos) = setup().await;
    let storage = pithos.storage().clone();

    assert!(storage
        .get_account_info()
        .await
        .unwrap()
        .contains_key("x-account-bytes-used"));
    storage
        .replace_account_meta(&pairs(&[("a", "1"), ("b", "2")]))
        .await
        .unwrap();
    storage.del_account_meta("a").await.unwrap();
    let meta = pithos.get_account_meta(None).await.unwrap();
    assert!(
        !meta.contains_key("x-account-meta-a") && meta["x-account-meta-b"] == "2",
        "{meta:?}"
    );
    assert_eq!(
        storage.del_account_meta("zzz").await.unwrap_err().status(),
        404
    );

    storage.create_container("swift").await.unwrap();
    let again = storage.create_container("swift").await.unwrap_err();
    assert_eq!(again.status(), 202);
    assert!(storage
        .get_container_info("swift")
        .await
        .unwrap()
        .contains_key("x-container-object-count"));
    assert!(storage
        .list_containers()
        .await
        .unwrap()
        .iter()
        .any(|c| c.name == "swift"));

    let swift = storage.clone().with_container("swift");
    swift
        .upload_object("whole", b"data".to_vec())
        .await
        .unwrap();
    swift
        .create_object("empty", Some("text/plain"))
        .await
        .unwrap();
    swift.create_directory("folder").await.unwrap();
    assert_eq!(
        swift.get_object_info("folder").await.unwrap()["content-type"],
        "application/directory"
    );
    swift
        .replace_object_meta("whole", &pairs(&[("k", "v"), ("j", "w")]))
        .await
        .unwrap();
    assert_eq!(
        swift.get_object_meta("whole").await.unwrap(),
        pairs(&[("j", "w"), ("k", "v")])
    );
    swift.del_object_meta("whole", "k").await.unwrap();
    assert_eq!(
        swift.get_object_meta("whole").await.unwrap(),
        pairs(&[("j", "w")])
    );
    swift
        .copy_object("swift", "whole", "swift", Some("copy"))
        .await
        .unwrap();
    swift
        .move_object("swift", "copy", "swift", Some("moved"))
        .await
        .unwrap();
    let names: Vec<String> = swift
        .list_objects(&ListObjects::default())
        .await
        .unwrap()
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(names, ["empty", "folder", "moved", "whole"]);
    let paged = swift
        .list_objects(&ListObjects {
            limit: Some(2),
            marker: Some("folder".into()),
            ..ListObjects::default()
        })
        .await
        .unwrap();
    assert_eq!(
        paged.iter().map(|o| o.name()).collect::<Vec<_>>(),
        ["moved", "whole"]
    );
    swift.create_object("folder/inner", None).await.unwrap();
    let inner = swift.list_objects_in_path("folder").await.unwrap();
    assert_eq!(inner.len(), 1);
    swift.delete_object("moved").await.unwrap();
    assert_eq!(
        swift.delete_object("moved").await.unwrap_err().message(),
        "Object moved not found"
    );
    for name in ["empty", "folder", "folder/inner", "whole"] {
        swift.delete_object(name).await.unwrap();
    }
    storage.delete_container("swift").await.unwrap();
    assert_eq!(
        storage
            .delete_container("swift")
            .await
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test]
async fn sharing_between_two_users() {
    let emu = Emulator::builder()
        .user("alice@example.com", "alice-token")
        .user("bob@example.com", "bob-token")
        .start()
        .await
        .unwrap();
    let users = emu.users();
    let (alice, bob) = (&users[0], &users[1]);
    let a = client_for(&emu, &alice.token, &alice.uuid, "pithos").await;
    a.create_container(None, &ContainerPut::default())
        .await
        .unwrap();
    let b = client_for(&emu, &bob.token, &bob.uuid, "pithos").await;
    b.create_container(None, &ContainerPut::default())
        .await
        .unwrap();
    a.upload_from_string("shared", b"for bob".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    a.upload_from_string("private", b"mine".to_vec(), &UploadOptions::default())
        .await
        .unwrap();

    // Bob reads Alice's account with his own token.
    let bob_in_alice = b.use_alternative_account(alice.uuid.clone());
    let denied = bob_in_alice
        .download_to_string("shared", &DownloadOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(denied.status(), 403 | 404), "{denied}");
    assert!(b.get_sharing_accounts(None, None).await.unwrap().is_empty());

    a.set_object_sharing("shared", &[bob.uuid.as_str()], &[] as &[&str])
        .await
        .unwrap();
    let got = bob_in_alice
        .download_to_string("shared", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], b"for bob");
    let sharers = b.get_sharing_accounts(None, None).await.unwrap();
    assert_eq!(
        sharers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        [alice.uuid.as_str()]
    );
    let visible: Vec<String> = bob_in_alice
        .list_all_objects(&ContainerGet::default())
        .await
        .unwrap()
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(visible, ["shared"], "Bob sees only what is shared with him");
    // Bob copies what Alice shares into his own account.
    b.copy_object(
        "pithos",
        "shared",
        "pithos",
        &CopyOptions {
            dst_object: Some("from-alice".into()),
            source_account: Some(alice.uuid.clone()),
            ..CopyOptions::default()
        },
    )
    .await
    .unwrap();
    let copied = b
        .download_to_string("from-alice", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(&copied[..], b"for bob");
    let private = bob_in_alice
        .get_object_info("private", None)
        .await
        .unwrap_err();
    assert!(matches!(private.status(), 403 | 404), "{private}");
    // Read permission is not write permission.
    let write = bob_in_alice
        .upload_from_string("shared", b"overwrite".to_vec(), &UploadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(write.status(), 403, "{write}");

    // With write permission granted to a group, Bob uploads into Alice's
    // container (his blocks go to his own account).
    a.set_account_group("friends", &[bob.uuid.as_str()])
        .await
        .unwrap();
    let group = format!("{}:friends", alice.uuid);
    a.set_object_sharing("shared", &[] as &[&str], &[group.as_str()])
        .await
        .unwrap();
    b.upload_from_string(
        "shared",
        data(1000, 4),
        &UploadOptions {
            target_account: Some(alice.uuid.clone()),
            ..UploadOptions::default()
        },
    )
    .await
    .unwrap();
    let now = a
        .download_to_string("shared", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(now.to_vec(), data(1000, 4));
    let sharing = a.get_object_sharing("shared").await.unwrap();
    assert_eq!(sharing.write, [group]);
}

#[tokio::test]
async fn public_urls_serve_without_a_token() {
    let (_emu, pithos) = setup().await;
    pithos
        .upload_from_string(
            "open.txt",
            b"for everyone".to_vec(),
            &UploadOptions::default(),
        )
        .await
        .unwrap();
    let url = pithos.publish_object("open.txt").await.unwrap();
    assert!(url.starts_with("http://"), "{url}");
    let parsed = url::Url::parse(&url).unwrap();
    let origin = parsed.origin().ascii_serialization();
    let anonymous = Client::builder(&origin).build().unwrap();
    let reply = anonymous
        .get(parsed.path())
        .verbatim_path()
        .send()
        .await
        .unwrap();
    assert_eq!(&reply.body()[..], b"for everyone");
    assert!(
        reply.header("x-object-hash").is_none(),
        "public replies hide X-Object-*"
    );

    pithos.unpublish_object("open.txt").await.unwrap();
    let gone = anonymous
        .get(parsed.path())
        .verbatim_path()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(gone.status(), 403 | 404), "{gone}");
    assert!(!pithos
        .get_object_info("open.txt", None)
        .await
        .unwrap()
        .contains_key("x-object-public"));
}

#[tokio::test]
async fn quota_exceeded_is_a_clear_413() {
    let (emu, pithos) = setup().await;
    let uuid = emu.user().uuid;
    emu.state()
        .quotas
        .set_member_limit(&uuid, &uuid, "pithos.diskspace", 1000);
    pithos
        .upload_from_string("small", data(500, 1), &UploadOptions::default())
        .await
        .unwrap();
    let err = pithos
        .upload_from_string("large", data(2000, 2), &UploadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413, "{err}");
    assert!(!err.message().is_empty());
    assert_eq!(
        pithos
            .get_object_info("large", None)
            .await
            .unwrap_err()
            .status(),
        404
    );

    // A container limit is enforced too.
    pithos.set_container_limit(100).await.unwrap();
    let err = pithos
        .upload_object_unchunked("c", data(200, 3), &ObjectWriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413, "{err}");
}

#[tokio::test]
async fn listings_page_through_more_than_ten_thousand_objects() {
    let (_emu, pithos) = setup().await;
    let total = 10_005;
    stream::iter(0..total)
        .map(|i| {
            let pithos = pithos.clone();
            async move { pithos.create_object(&format!("o{i:05}"), None).await }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let first = pithos
        .list_container_objects(&ContainerGet::default())
        .await
        .unwrap();
    assert_eq!(first.len(), 10_000, "the server caps a page");
    let all = pithos
        .list_all_objects(&ContainerGet::default())
        .await
        .unwrap();
    assert_eq!(all.len(), total);
    assert!(
        all.windows(2).all(|w| w[0].name() < w[1].name()),
        "in order, no repeats"
    );
    let small_pages: Vec<_> = pithos
        .list_objects_stream(&ContainerGet {
            limit: Some(3000),
            prefix: Some("o0".into()),
            ..ContainerGet::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(small_pages.len(), 10_000);
}

#[tokio::test]
async fn container_listing_pages_through_the_account() {
    let (_emu, pithos) = setup().await;
    let before = pithos.list_containers().await.unwrap().len();
    for i in 0..7 {
        pithos
            .create_container(Some(&format!("page-{i}")), &ContainerPut::default())
            .await
            .unwrap();
    }
    let pages_of_two = pithos
        .list_all_containers(&AccountGet {
            limit: Some(2),
            ..AccountGet::default()
        })
        .await
        .unwrap();
    let names: Vec<&str> = pages_of_two.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), before + 7, "{names:?}");
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    let after_marker = pithos
        .list_all_containers(&AccountGet {
            limit: Some(3),
            marker: Some("page-4".into()),
            ..AccountGet::default()
        })
        .await
        .unwrap();
    let names: Vec<&str> = after_marker.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(&names[..2], ["page-5", "page-6"]);
    assert!(
        names[2..].iter().all(|n| !n.starts_with("page-")),
        "{names:?}"
    );
    assert_eq!(names.len(), before + 2, "{names:?}");
}

/// A PUT whose body is empty (not absent) still says `Content-Length: 0`:
/// Pithos answers 411 to a PUT without a length, and hyper sends none for
/// an empty body. The Python binding sends such bodies.
#[tokio::test]
async fn an_empty_body_is_sent_with_a_zero_length() {
    let (emu, pithos) = setup().await;
    let path = format!("/{}/pithos/empty.txt", emu.user().uuid);
    let reply = pithos
        .put(&path)
        .header("Content-Type", "text/plain")
        .body(bytes::Bytes::new())
        .success(&[201])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let info = pithos.get_object_info("empty.txt", None).await.unwrap();
    assert_eq!(info["content-length"], "0");
}
