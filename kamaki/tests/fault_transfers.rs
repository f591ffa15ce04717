//! Pithos transfers measured through injected faults: a round trip through
//! 503s and broken connections keeps every byte (and says what the faults
//! cost), a killed download is finished by a rerun that fetches only the
//! blocks it lacks, and a whole transfer can be bounded in time.
//!
//! `KAMAKI_FAULT_TEST_SIZE` (bytes, or with K, M, G) sets the size of the
//! round trip (24M by default), `KAMAKI_FAULT_TEST_SEED` the seed of the
//! faults; run with `--nocapture` to see the figures.
//! `cargo run --release -p kamaki --example fault_bench` is the 1 GiB run.

#[path = "support/faulty.rs"]
mod faulty;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kamaki::clients::pithos::{progress_fn, DownloadOptions, PithosClient, Progress};
use kamaki::clients::{Client, ClientError, RetryPolicy};
use synnefo_emu::{Emulator, Injected};

/// The seed of the injected faults (one that faults both directions at the
/// default size).
const SEED: u64 = 7;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_trip_through_faults_keeps_every_byte_and_counts_the_retries() {
    let size = std::env::var("KAMAKI_FAULT_TEST_SIZE")
        .ok()
        .map(|s| faulty::parse_size(&s).expect("KAMAKI_FAULT_TEST_SIZE: bytes, or with K, M, G"))
        .unwrap_or(24 << 20);
    let emu = Emulator::start().await.unwrap();
    let pithos = faulty::patient_client(&emu, 10).await;
    let block = pithos.get_block_info(None).await.unwrap().block_size;
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = (dir.path().join("source"), dir.path().join("target"));
    faulty::write_random_file(&source, size, 11).unwrap();

    let seed = std::env::var("KAMAKI_FAULT_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let run = faulty::run(&emu, &pithos, "shaky", &source, &target, seed)
        .await
        .unwrap();
    println!("{}", run.summary());

    assert_eq!(run.downloaded_sha256, run.source_sha256);
    let blocks = size.div_ceil(block) as usize;
    assert_eq!(run.upload.blocks, blocks, "each block stored once");
    assert_eq!(run.download.blocks, blocks, "each block fetched once");
    assert!(
        run.upload.retries > 0 && run.download.retries > 0,
        "{run:?}"
    );
    assert_eq!(
        run.upload.requests,
        // HEAD of the container, PUT of the hashmap (409), a POST a block,
        // PUT of the hashmap (201), and one more request a fault.
        3 + blocks + run.upload.retries,
        "{run:?}"
    );
    assert_eq!(run.download.requests, 1 + blocks + run.download.retries);
    assert!(run.upload.extra_bytes <= run.upload.retries as u64 * block);
    assert!(!dir.path().join("target.kamaki-partial").exists());
}

/// A client that never retries and fetches one block at a time.
fn fragile(pithos: &PithosClient, emu: &Emulator) -> PithosClient {
    Client::builder(pithos.endpoint_url())
        .token(emu.token())
        .retry(RetryPolicy::never())
        .build_service::<PithosClient>()
        .unwrap()
        .with_account(emu.user().uuid)
        .with_container("pithos")
}

/// The ranged block GETs of the request log that name a version (the
/// killed download names none, and its last GET, sent before it was
/// killed, may reach the emulator after the log is cleared).
fn block_gets_of_version(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.header("range").is_some())
        .filter(|r| r.query.as_deref().is_some_and(|q| q.contains("version=")))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_killed_halfway_is_finished_by_fetching_only_the_missing_blocks() {
    let emu = Emulator::start().await.unwrap();
    let pithos = faulty::patient_client(&emu, 2).await;
    let block = pithos.get_block_info(None).await.unwrap().block_size;
    let blocks = 6u64;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    let sha = faulty::write_random_file(&source, blocks * block, 5).unwrap();
    pithos
        .upload_object("big", &source, &Default::default())
        .await
        .unwrap();
    let version = pithos.get_object_info("big", None).await.unwrap()["x-object-version"].clone();
    let target = dir.path().join("big");

    // Once half the blocks are written, the next block's reply stalls and
    // the download is killed (its task aborted, as a killed process).
    let state = emu.state().clone();
    let (halfway_tx, halfway) = tokio::sync::oneshot::channel();
    let halfway_tx = Arc::new(Mutex::new(Some(halfway_tx)));
    let options = DownloadOptions {
        concurrency: Some(1),
        download_cb: Some(progress_fn(move |p: Progress| {
            if p.done >= blocks / 2 * block {
                if let Some(tx) = halfway_tx.lock().unwrap().take() {
                    state
                        .injector
                        .plan(1, Injected::Stall(Duration::from_secs(30)), Some("/big"));
                    let _ = tx.send(());
                }
            }
        })),
        ..DownloadOptions::default()
    };
    let client = fragile(&pithos, &emu);
    let killed_target = target.clone();
    let download = tokio::spawn(async move {
        client
            .download_object("big", &killed_target, &options)
            .await
    });
    halfway.await.unwrap();
    download.abort();
    assert!(download.await.unwrap_err().is_cancelled());
    assert!(!target.exists(), "no file claims to be complete");
    let partial = dir.path().join("big.kamaki-partial");
    assert!(partial.exists(), "the blocks fetched are kept");

    // The stall may not have met a request yet (the download can be killed
    // before its next block's GET is sent): the rerun is not to meet it.
    emu.fail_next(0, 503, None);
    emu.clear_requests();
    let report = pithos
        .download_object(
            "big",
            &target,
            &DownloadOptions {
                resume: true,
                version: Some(version),
                ..DownloadOptions::default()
            },
        )
        .await
        .unwrap();
    let fetched = block_gets_of_version(&emu);
    println!(
        "rerun: {fetched} block GETs for {} missing blocks of {blocks}, {} reused",
        report.fetched_blocks, report.reused_blocks
    );
    assert_eq!(fetched, (blocks / 2) as usize);
    assert_eq!(report.fetched_blocks, (blocks / 2) as usize);
    assert_eq!(report.reused_blocks, (blocks / 2) as usize);
    assert_eq!(faulty::sha256_file(&target).unwrap(), sha);
    assert!(!partial.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_transfer_is_bounded_in_time_and_keeps_its_partial_file() {
    let emu = Emulator::start().await.unwrap();
    let pithos = faulty::patient_client(&emu, 2).await;
    let block = pithos.get_block_info(None).await.unwrap().block_size;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    faulty::write_random_file(&source, 2 * block, 8).unwrap();
    pithos
        .upload_object("slow", &source, &Default::default())
        .await
        .unwrap();

    // Once the first block is written, the replies stall: the read timeout
    // (60 s) would wait long; the transfer's own bound stops it.
    let state = emu.state().clone();
    let target = dir.path().join("slow");
    let limit = Duration::from_millis(300);
    let options = DownloadOptions {
        timeout: Some(limit),
        concurrency: Some(1),
        download_cb: Some(progress_fn(move |p: Progress| {
            if p.done >= block {
                state
                    .injector
                    .plan(10, Injected::Stall(Duration::from_secs(30)), Some("/slow"));
            }
        })),
        ..DownloadOptions::default()
    };
    let err = pithos
        .download_object("slow", &target, &options)
        .await
        .unwrap_err();
    match &err {
        ClientError::Timeout { url, after } => {
            assert!(url.ends_with("/pithos/slow"), "{url}");
            assert_eq!(*after, Some(limit));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(!target.exists());
    assert!(dir.path().join("slow.kamaki-partial").exists());

    // Stalled from the start (the hashmap's reply): into memory.
    emu.plan_fault(10, Injected::Stall(Duration::from_secs(30)), Some("/slow"));
    let err = pithos
        .download_to_string("slow", &options)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");

    // Uploads too: the reply to the hashmap stalls.
    emu.plan_fault(
        10,
        Injected::Stall(Duration::from_secs(30)),
        Some("/slow-up"),
    );
    let err = pithos
        .upload_from_string(
            "slow-up",
            vec![7u8; 1000],
            &kamaki::clients::pithos::UploadOptions {
                timeout: Some(limit),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Timeout { url, .. } if url.ends_with("/slow-up")),
        "{err:?}"
    );
}
