//! Pithos block transfers against the emulator: round trips, deduplication,
//! resume, integrity, ranges, streaming.

#[path = "support/pithos.rs"]
mod support;

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use kamaki::clients::pithos::{
    progress_fn, DownloadOptions, HashAlgorithm, ObjectGet, Progress, Sharing, UploadOptions,
    UploadSource,
};
use kamaki::clients::ClientError;
use support::{block_gets, block_posts, data, setup, sha256};

#[tokio::test]
async fn round_trips_of_edge_sizes_keep_every_byte() {
    let (emu, pithos) = setup().await;
    let info = pithos.get_block_info(None).await.unwrap();
    let b = info.block_size as usize;
    let dir = tempfile::tempdir().unwrap();
    for (i, size) in [0, 1, b - 1, b, b + 1, 3 * b + 5].into_iter().enumerate() {
        let content = data(size, i as u64);
        let name = format!("size-{size}");
        // From a file for some sizes, from memory for the others.
        if i % 2 == 0 {
            let src = dir.path().join(&name);
            std::fs::write(&src, &content).unwrap();
            pithos
                .upload_object(&name, src.as_path(), &UploadOptions::default())
                .await
                .unwrap();
        } else {
            pithos
                .upload_from_string(&name, content.clone(), &UploadOptions::default())
                .await
                .unwrap();
        }
        let head = pithos.get_object_info(&name, None).await.unwrap();
        assert_eq!(head["content-length"], size.to_string(), "{name}");
        assert_eq!(
            head["x-object-hash"],
            info.algorithm.object_hash_hex(&content, b),
            "the Merkle hash of {name}"
        );

        let dst = dir.path().join(format!("{name}.down"));
        let report = pithos
            .download_object(&name, &dst, &DownloadOptions::default())
            .await
            .unwrap();
        assert_eq!(report.bytes, size as u64);
        let got = std::fs::read(&dst).unwrap();
        assert_eq!(sha256(&got), sha256(&content), "{name} on disk");
        assert!(!dst
            .with_file_name(format!("{name}.down.kamaki-partial"))
            .exists());

        let in_memory = pithos
            .download_to_string(&name, &DownloadOptions::default())
            .await
            .unwrap();
        assert_eq!(sha256(&in_memory), sha256(&content), "{name} in memory");
    }
    drop(emu);
}

#[tokio::test]
async fn blocks_of_zeros_and_repeated_blocks_round_trip_and_are_sent_once() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let one = data(b, 7);
    let mut content = Vec::new();
    content.extend_from_slice(&one);
    content.extend_from_slice(&vec![0u8; b]);
    content.extend_from_slice(&one);
    content.extend_from_slice(&one[..b / 2]); // same stripped hash? no: a prefix
    content.extend_from_slice(&[0u8; 10]);
    emu.clear_requests();
    pithos
        .upload_from_string("repeats", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    let posts = block_posts(&emu.requests());
    assert!(
        posts <= 3,
        "one block, one zero block and the tail at most: {posts}"
    );

    let hashmap = pithos
        .get_object_hashmap("repeats", &Default::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hashmap.hashes.len(), 4);
    assert_eq!(hashmap.hashes[0], hashmap.hashes[2]);
    assert_eq!(
        hashmap.hashes[1],
        HashAlgorithm::Sha256.zero_block_hash_hex()
    );
    assert_eq!(
        hashmap.object_hash().unwrap(),
        HashAlgorithm::Sha256.object_hash_hex(&content, b)
    );

    emu.clear_requests();
    let got = pithos
        .download_to_string("repeats", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(sha256(&got), sha256(&content));
    assert_eq!(
        block_gets(&emu.requests()),
        2,
        "the repeated and the zero block are not fetched"
    );
}

#[tokio::test]
async fn re_uploading_unchanged_data_sends_no_block() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(2 * b + 100, 42);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&content).unwrap();

    emu.clear_requests();
    pithos
        .upload_object("first", file.path(), &UploadOptions::default())
        .await
        .unwrap();
    assert_eq!(
        block_posts(&emu.requests()),
        3,
        "a new file sends each block"
    );
    let stored = emu.state().pithos.block_count();

    emu.clear_requests();
    let progress = Arc::new(AtomicU64::new(0));
    let seen = progress.clone();
    let headers = pithos
        .upload_object(
            "second",
            file.path(),
            &UploadOptions {
                upload_cb: Some(progress_fn(move |p: Progress| {
                    seen.store(p.done, Ordering::SeqCst)
                })),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap();
    let requests = emu.requests();
    assert_eq!(block_posts(&requests), 0, "no block is sent again");
    assert_eq!(
        requests.iter().filter(|r| r.method == "PUT").count(),
        1,
        "one hashmap PUT answered 201"
    );
    assert_eq!(emu.state().pithos.block_count(), stored);
    assert_eq!(progress.load(Ordering::SeqCst), content.len() as u64);
    assert!(headers.contains_key("etag"), "{headers:?}");
}

#[tokio::test]
async fn upload_sends_the_hashmap_then_only_missing_blocks() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let old = data(2 * b, 1);
    pithos
        .upload_from_string("base", old.clone(), &UploadOptions::default())
        .await
        .unwrap();
    // Same first block, a new second one.
    let mut new = old[..b].to_vec();
    new.extend_from_slice(&data(b, 2));
    emu.clear_requests();
    let hashed = Arc::new(AtomicU64::new(0));
    let seen = hashed.clone();
    pithos
        .upload_from_string(
            "changed",
            new.clone(),
            &UploadOptions {
                hash_cb: Some(progress_fn(move |p: Progress| {
                    assert!(p.done <= p.total);
                    seen.store(p.done, Ordering::SeqCst)
                })),
                content_type: Some("text/plain".into()),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap();
    let requests = emu.requests();
    let methods: Vec<&str> = requests
        .iter()
        .filter(|r| r.method != "HEAD")
        .map(|r| r.method.as_str())
        .collect();
    assert_eq!(methods, ["PUT", "POST", "PUT"]);
    let puts: Vec<_> = requests.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts[0].status, 409);
    assert_eq!(puts[1].status, 201);
    assert!(puts[0].query.as_deref().unwrap_or("").contains("hashmap"));
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        post.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(hashed.load(Ordering::SeqCst), new.len() as u64);
    let info = pithos.get_object_info("changed", None).await.unwrap();
    assert_eq!(info["content-type"], "text/plain");
}

#[tokio::test]
async fn upload_conditions_sharing_public_and_attributes_are_honoured() {
    let (_emu, pithos) = setup().await;
    let options = UploadOptions {
        content_type: Some("text/csv".into()),
        content_encoding: Some("gzip".into()),
        content_disposition: Some("attachment; filename=\"x.csv\"".into()),
        sharing: Some(Sharing::read(["*"])),
        public: Some(true),
        ..UploadOptions::default()
    };
    pithos
        .upload_from_string("attrs", b"a,b\n".to_vec(), &options)
        .await
        .unwrap();
    let info = pithos.get_object_info("attrs", None).await.unwrap();
    assert_eq!(info["content-type"], "text/csv");
    assert_eq!(info["content-encoding"], "gzip");
    assert_eq!(
        info["content-disposition"],
        "attachment; filename=\"x.csv\""
    );
    assert!(info.contains_key("x-object-public"), "{info:?}");
    assert_eq!(
        pithos.get_object_sharing("attrs").await.unwrap().read,
        ["*"]
    );

    let exists = pithos
        .upload_from_string(
            "attrs",
            b"new".to_vec(),
            &UploadOptions {
                if_not_exist: true,
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(exists.status(), 412, "{exists}");
    let wrong_etag = pithos
        .upload_from_string(
            "attrs",
            b"new".to_vec(),
            &UploadOptions {
                if_etag_match: Some("0000".into()),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(wrong_etag.status(), 412, "{wrong_etag}");
    let etag = info["etag"].clone();
    pithos
        .upload_from_string(
            "attrs",
            b"new".to_vec(),
            &UploadOptions {
                if_etag_match: Some(etag),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap();
    let got = pithos
        .download_to_string("attrs", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], b"new");
}

#[tokio::test]
async fn an_interrupted_download_resumes_without_fetching_verified_blocks() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(5 * b + 3, 9);
    pithos
        .upload_from_string("big", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("big");

    // Fail the block request that follows the second block written.
    let state = emu.state().clone();
    let armed = Arc::new(AtomicBool::new(false));
    let arm = armed.clone();
    let no_retry = pithos.clone();
    let failing = kamaki::clients::Client::builder(no_retry.endpoint_url())
        .token(emu.token())
        .retry(kamaki::clients::RetryPolicy::never())
        .build_service::<kamaki::clients::pithos::PithosClient>()
        .unwrap()
        .with_account(no_retry.account.clone().unwrap())
        .with_container("pithos");
    let first = failing
        .download_object(
            "big",
            &dst,
            &DownloadOptions {
                concurrency: Some(1),
                download_cb: Some(progress_fn(move |p: Progress| {
                    if p.done >= 2 * b as u64 && !arm.swap(true, Ordering::SeqCst) {
                        state.injector.fail_next(1, 500, Some("/big"));
                    }
                })),
                ..DownloadOptions::default()
            },
        )
        .await;
    let err = first.unwrap_err();
    assert!(armed.load(Ordering::SeqCst));
    assert!(
        err.to_string().contains("500") || err.status() == 500,
        "{err}"
    );
    assert!(!dst.exists(), "no file claims to be complete");
    let partial = dir.path().join("big.kamaki-partial");
    assert!(partial.exists(), "the blocks fetched so far are kept");

    emu.clear_requests();
    let report = pithos
        .download_object(
            "big",
            &dst,
            &DownloadOptions {
                resume: true,
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.reused_blocks, 2, "{report:?}");
    assert_eq!(report.fetched_blocks, 4, "{report:?}");
    assert_eq!(block_gets(&emu.requests()), 4);
    assert_eq!(sha256(&std::fs::read(&dst).unwrap()), sha256(&content));
    assert!(!partial.exists());

    // Resuming over a complete file with one damaged block fetches only it.
    let mut damaged = std::fs::read(&dst).unwrap();
    damaged[b + 10] ^= 0xff;
    std::fs::write(&dst, &damaged).unwrap();
    emu.clear_requests();
    let report = pithos
        .download_object(
            "big",
            &dst,
            &DownloadOptions {
                resume: true,
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (report.fetched_blocks, report.reused_blocks),
        (1, 5),
        "{report:?}"
    );
    assert_eq!(sha256(&std::fs::read(&dst).unwrap()), sha256(&content));
}

#[tokio::test]
async fn a_corrupt_block_is_detected_and_no_file_claims_success() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(3 * b, 3);
    pithos
        .upload_from_string("victim", content, &UploadOptions::default())
        .await
        .unwrap();
    let hashmap = pithos
        .get_object_hashmap("victim", &Default::default())
        .await
        .unwrap()
        .unwrap();
    assert!(emu.state().pithos.corrupt_block(&hashmap.hashes[1]));

    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("victim");
    let err = pithos
        .download_object("victim", &dst, &DownloadOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Integrity(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("victim") && text.contains("block 1") && text.contains(&hashmap.hashes[1]),
        "{text}"
    );
    assert!(!dst.exists());

    let err = pithos
        .download_to_string("victim", &DownloadOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Integrity(_)), "{err:?}");

    // A full last block is checked as strictly as the others.
    pithos
        .upload_from_string("tail", data(2 * b, 4), &UploadOptions::default())
        .await
        .unwrap();
    let tail = pithos
        .get_object_hashmap("tail", &Default::default())
        .await
        .unwrap()
        .unwrap();
    assert!(emu.state().pithos.corrupt_block(&tail.hashes[1]));
    let err = pithos
        .download_to_string("tail", &DownloadOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("block 1"), "{err}");
}

#[tokio::test]
async fn a_truncated_object_downloads_with_its_last_block_unverifiable() {
    let (_emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(b + 100, 6);
    pithos
        .upload_from_string("cut", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    // Synnefo keeps the hash of the whole stored last block.
    pithos
        .truncate_object("cut", (b + 40) as u64)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("cut");
    let report = pithos
        .download_object("cut", &dst, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(report.unverified_blocks, 1, "{report:?}");
    assert_eq!(std::fs::read(&dst).unwrap(), &content[..b + 40]);
}

#[tokio::test]
async fn ranges_of_downloads_and_of_plain_gets() {
    let (_emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(2 * b + 50, 5);
    pithos
        .upload_from_string("ranged", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    let spec = format!("10-19,{}-{},-7", b - 5, b + 4);
    let mut expected = content[10..20].to_vec();
    expected.extend_from_slice(&content[b - 5..b + 5]);
    expected.extend_from_slice(&content[content.len() - 7..]);
    let options = DownloadOptions {
        range_str: Some(spec),
        ..DownloadOptions::default()
    };
    let got = pithos.download_to_string("ranged", &options).await.unwrap();
    assert_eq!(got.to_vec(), expected);

    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("part");
    let report = pithos
        .download_object("ranged", &dst, &options)
        .await
        .unwrap();
    assert_eq!(report.bytes, expected.len() as u64);
    assert_eq!(std::fs::read(&dst).unwrap(), expected);

    let reply = pithos
        .object_get(
            "ranged",
            &ObjectGet {
                data_range: Some("100-199".into()),
                ..ObjectGet::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(reply.status(), 206);
    assert_eq!(&reply.body()[..], &content[100..200]);
    let multi = pithos
        .object_get(
            "ranged",
            &ObjectGet {
                data_range: Some("0-9,30-39".into()),
                ..ObjectGet::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(multi.status(), 206);
    assert!(multi
        .header("content-type")
        .unwrap_or("")
        .starts_with("multipart/byteranges"));

    let bad = pithos
        .download_to_string(
            "ranged",
            &DownloadOptions {
                range_str: Some("999999999-".into()),
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, ClientError::InvalidRequest(_)), "{bad}");
}

#[tokio::test]
async fn streaming_download_yields_verified_bytes_in_order() {
    let (_emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(3 * b + 1, 11);
    pithos
        .upload_from_string("stream", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    let mut out: Vec<u8> = Vec::new();
    let written = pithos
        .stream_down("stream", &mut out, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(written, content.len() as u64);
    assert_eq!(sha256(&out), sha256(&content));

    use futures_util::TryStreamExt;
    let chunks: Vec<bytes::Bytes> = pithos
        .download_stream("stream", &DownloadOptions::default())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(
        chunks.len() >= 4,
        "a piece per block at least: {}",
        chunks.len()
    );
    assert_eq!(chunks.concat(), content);
}

#[tokio::test]
async fn download_conditions_and_versions() {
    let (_emu, pithos) = setup().await;
    pithos
        .upload_from_string("v", b"first".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    let first = pithos.get_object_info("v", None).await.unwrap();
    pithos
        .upload_from_string("v", b"second!".to_vec(), &UploadOptions::default())
        .await
        .unwrap();
    let versions = pithos.get_object_versionlist("v").await.unwrap();
    assert!(versions.len() >= 2, "{versions:?}");
    assert!(versions
        .windows(2)
        .all(|w| w[0].timestamp <= w[1].timestamp));
    let old_version = first["x-object-version"].clone();
    let old = pithos
        .download_to_string(
            "v",
            &DownloadOptions {
                version: Some(old_version.clone()),
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(&old[..], b"first");
    let info = pithos
        .get_object_info("v", Some(&old_version))
        .await
        .unwrap();
    assert_eq!(info["content-length"], "5");

    let current = pithos.get_object_info("v", None).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("v");
    let report = pithos
        .download_object(
            "v",
            &dst,
            &DownloadOptions {
                if_none_match: Some(current["etag"].clone()),
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    assert!(report.not_modified);
    assert!(!dst.exists());
    let failed = pithos
        .download_object(
            "v",
            &dst,
            &DownloadOptions {
                if_match: Some("not-the-etag".into()),
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(failed.status(), 412);
    let report = pithos
        .download_object(
            "v",
            &dst,
            &DownloadOptions {
                if_match: Some(current["etag"].clone()),
                if_unmodified_since: Some("Fri, 01 Jan 2100 00:00:00 GMT".into()),
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(report.bytes, 7);
    assert_eq!(std::fs::read(&dst).unwrap(), b"second!");
}

#[tokio::test]
async fn uploads_from_an_open_file_and_a_size_limit() {
    let (_emu, pithos) = setup().await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(b"0123456789").unwrap();
    let opened = std::fs::File::open(file.path()).unwrap();
    pithos
        .upload_object(
            "cut",
            UploadSource::File(opened),
            &UploadOptions {
                size: Some(4),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap();
    let got = pithos
        .download_to_string("cut", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(&got[..], b"0123");
    let too_big = pithos
        .upload_object(
            "cut",
            file.path(),
            &UploadOptions {
                size: Some(11),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(too_big, ClientError::InvalidRequest(_)));
}

#[tokio::test]
async fn block_posts_are_retried_as_idempotent() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(2 * b, 21);
    let state = emu.state().clone();
    let armed = Arc::new(AtomicBool::new(false));
    let arm = armed.clone();
    let account = pithos.account.clone().unwrap();
    emu.clear_requests();
    pithos
        .upload_from_string(
            "retried",
            content.clone(),
            &UploadOptions {
                concurrency: Some(1),
                // Called once the missing blocks are known: the next
                // request to the container is the first block POST.
                upload_cb: Some(progress_fn(move |_| {
                    if !arm.swap(true, Ordering::SeqCst) {
                        state
                            .injector
                            .fail_next(1, 503, Some(&format!("{account}/pithos")));
                    }
                })),
                ..UploadOptions::default()
            },
        )
        .await
        .unwrap();
    let posts: Vec<u16> = emu
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [503, 202, 202], "the failed block was sent again");
    let got = pithos
        .download_to_string("retried", &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(sha256(&got), sha256(&content));
}

#[tokio::test]
async fn transfers_survive_random_errors_and_broken_connections() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let content = data(3 * b + 17, 33);
    let patient = kamaki::clients::Client::builder(pithos.endpoint_url())
        .token(emu.token())
        .retry(kamaki::clients::RetryPolicy {
            max_retries: 8,
            initial_backoff: std::time::Duration::from_millis(1),
            max_backoff: std::time::Duration::from_millis(4),
        })
        .build_service::<kamaki::clients::pithos::PithosClient>()
        .unwrap()
        .with_account(pithos.account.clone().unwrap())
        .with_container("pithos");
    emu.state()
        .injector
        .set_random(Some(synnefo_emu::inject::FaultConfig {
            seed: 7,
            error_rate: 0.1,
            error_statuses: vec![502, 503],
            reset_rate: 0.05,
            mid_body_reset_rate: 0.1,
            path_contains: Some("/pithos/object-store".into()),
            ..Default::default()
        }));
    patient
        .upload_from_string("shaky", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("shaky");
    patient
        .download_object("shaky", &dst, &DownloadOptions::default())
        .await
        .unwrap();
    emu.state().injector.set_random(None);
    assert_eq!(sha256(&std::fs::read(&dst).unwrap()), sha256(&content));
    let faults = emu.requests().iter().filter(|r| r.status >= 500).count();
    assert!(faults > 0, "some faults were injected");
}

/// `download_into_file` writes into a file the caller opened: in place,
/// with no partial file, the file cut to the object's length, blocks of
/// zeros written over whatever was there; with `resume`, blocks it holds
/// with the right hash are not fetched.
#[tokio::test]
async fn a_download_into_an_open_file_replaces_its_content_in_place() {
    let (emu, pithos) = setup().await;
    let b = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let mut content = data(3 * b + 7, 21);
    content[b..2 * b].fill(0); // a block of zeros
    pithos
        .upload_from_string("open", content.clone(), &UploadOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open");
    std::fs::write(&path, vec![0xffu8; 5 * b]).unwrap();
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let report = pithos
        .download_into_file("open", &file, &DownloadOptions::default())
        .await
        .unwrap();
    assert_eq!(report.bytes, content.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), content);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file is left beside it"
    );

    // Damage the last block: a resumed download fetches only that one.
    let mut damaged = content.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    std::fs::write(&path, &damaged).unwrap();
    emu.clear_requests();
    let report = pithos
        .download_into_file(
            "open",
            &file,
            &DownloadOptions {
                resume: true,
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), content);
    assert_eq!(report.fetched_blocks, 1, "{report:?}");
    assert_eq!(block_gets(&emu.requests()), 1);
}
