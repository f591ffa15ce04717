//! Directory trees through `upload_tree` / `download_tree` against the
//! emulator: round trips of every kind of entry, reruns that move only what
//! is missing, one corrupt file among good ones, type changes, and the
//! bound on requests in flight.

#[path = "support/pithos.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use kamaki::clients::pithos::{
    progress_fn, ObjectPut, TreeEventKind, TreeOptions, TreeReport, DIRECTORY_TYPE,
};
use kamaki::clients::ClientError;
use support::{block_gets, block_posts, data, setup, sha256};
use synnefo_emu::{FaultConfig, LoggedRequest};

/// Every entry under `root`: files with their sha256, folders as `/`.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                found.insert(rel, "/".to_string());
                pending.push(path);
            } else {
                found.insert(rel, sha256(&std::fs::read(&path).unwrap()));
            }
        }
    }
    found
}

fn write(root: &Path, rel: &str, content: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A tree with nested and empty folders, an empty file, unicode names, a
/// file of several blocks and `small` small files.
fn sample_tree(root: &Path, block: usize, small: usize) {
    write(root, "a/b/c/deep.txt", b"deep down");
    write(root, "a/empty.txt", b"");
    write(root, "ünï/çödé ✓.txt", "κείμενο".as_bytes());
    write(root, "big.bin", &data(2 * block + 1000, 7));
    std::fs::create_dir_all(root.join("empty/also-empty")).unwrap();
    for i in 0..small {
        write(root, &format!("many/f{i:03}.txt"), &data(100 + i, i as u64));
    }
}

/// Object `PUT`s (creations) among `requests`, by object name suffix.
fn object_puts(requests: &[LoggedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method == "PUT" && r.path.matches('/').count() > 5)
        .map(|r| r.path.clone())
        .collect()
}

/// Plain (unranged) and ranged object `GET`s among `requests`.
fn object_gets(requests: &[LoggedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.matches('/').count() > 5)
        .map(|r| r.path.clone())
        .collect()
}

#[tokio::test]
async fn a_tree_round_trips_with_every_kind_of_entry() {
    let (_emu, pithos) = setup().await;
    let block = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let src = tempfile::tempdir().unwrap();
    sample_tree(src.path(), block, 20);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let last = Arc::new(Mutex::new((0, 0)));
    let options = TreeOptions {
        event_cb: Some({
            let seen = seen.clone();
            Arc::new(move |e| seen.lock().unwrap().push((e.kind, e.remote.clone())))
        }),
        progress_cb: Some({
            let last = last.clone();
            progress_fn(move |p| *last.lock().unwrap() = (p.done, p.total))
        }),
        ..TreeOptions::default()
    };
    let up = pithos
        .upload_tree(src.path(), "backup/tree", &options)
        .await
        .unwrap();
    assert_eq!(up.transferred.len(), 24, "{up}");
    assert!(up.unchanged.is_empty() && up.failed.is_empty());
    for dir in [
        "backup/tree",
        "backup/tree/a/b/c",
        "backup/tree/empty/also-empty",
    ] {
        assert!(up.directories.iter().any(|d| d == dir), "{dir}: {up:?}");
    }
    let total: u64 =
        (2 * block + 1000) as u64 + 9 + 14 + (0..20).map(|i| 100 + i as u64).sum::<u64>();
    assert_eq!(up.bytes, total);
    assert_eq!(*last.lock().unwrap(), (total, total));
    let events = seen.lock().unwrap().clone();
    let done = events.iter().filter(|e| e.0 == TreeEventKind::Done).count();
    let started = events
        .iter()
        .filter(|e| e.0 == TreeEventKind::Started)
        .count();
    assert_eq!((started, done), (24, 24));
    let marker = pithos
        .get_object_info("backup/tree/empty", None)
        .await
        .unwrap();
    assert_eq!(marker.get("content-type").unwrap(), DIRECTORY_TYPE);

    let dst = tempfile::tempdir().unwrap();
    let down = pithos
        .download_tree("backup/tree", dst.path(), &TreeOptions::default())
        .await
        .unwrap();
    assert_eq!(down.transferred.len(), 24, "{down}");
    assert_eq!(snapshot(src.path()), snapshot(dst.path()));
    assert!(snapshot(dst.path()).contains_key("empty/also-empty"));
    let partials = snapshot(dst.path())
        .into_keys()
        .filter(|k| k.ends_with(".kamaki-partial"))
        .count();
    assert_eq!(partials, 0);
}

#[tokio::test]
async fn a_rerun_after_a_failed_file_sends_only_what_is_missing() {
    let (emu, pithos) = setup().await;
    let block = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let src = tempfile::tempdir().unwrap();
    sample_tree(src.path(), block, 10);
    // The multi-block file's final PUT is refused: the tree goes on.
    emu.fail_next(100, 403, Some("big.bin"));
    let err = pithos
        .upload_tree(src.path(), "t", &TreeOptions::default())
        .await
        .unwrap_err();
    let ClientError::Incomplete(report) = err else {
        panic!("{err:?}")
    };
    assert_eq!(report.failed.len(), 1, "{report}");
    assert_eq!(report.failed[0].0, "t/big.bin");
    assert_eq!(report.failed[0].1.status(), 403);
    assert_eq!(report.transferred.len(), 13);

    emu.fail_next(0, 403, None);
    // As if the failed run had sent the first block of big.bin before it
    // was cut short.
    let big = std::fs::read(src.path().join("big.bin")).unwrap();
    let _ = pithos
        .upload_from_string("elsewhere", big[..block].to_vec(), &Default::default())
        .await
        .unwrap();
    emu.clear_requests();
    let again = pithos
        .upload_tree(src.path(), "t", &TreeOptions::default())
        .await
        .unwrap();
    assert_eq!(again.transferred, ["t/big.bin"]);
    assert_eq!(again.unchanged.len(), 13);
    assert!(again.directories.is_empty(), "markers exist: {again:?}");
    let requests = emu.requests();
    let puts = object_puts(&requests);
    assert!(
        !puts.is_empty() && puts.iter().all(|p| p.ends_with("/t/big.bin")),
        "{puts:?}"
    );
    assert_eq!(
        block_posts(&requests),
        2,
        "3 blocks, 1 of them on the server already"
    );

    // Nothing changed: nothing but listings.
    emu.clear_requests();
    let unchanged = pithos
        .upload_tree(src.path(), "t", &TreeOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (unchanged.transferred.len(), unchanged.unchanged.len()),
        (0, 14)
    );
    assert!(object_puts(&emu.requests()).is_empty());
}

#[tokio::test]
async fn a_download_into_a_partly_matching_tree_fetches_only_the_rest() {
    let (emu, pithos) = setup().await;
    let block = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let src = tempfile::tempdir().unwrap();
    sample_tree(src.path(), block, 10);
    let _ = pithos
        .upload_tree(src.path(), "", &TreeOptions::default())
        .await
        .unwrap();
    let dst = tempfile::tempdir().unwrap();
    let _ = pithos
        .download_tree("", dst.path(), &TreeOptions::default())
        .await
        .unwrap();
    assert_eq!(snapshot(src.path()), snapshot(dst.path()));

    std::fs::remove_file(dst.path().join("many/f003.txt")).unwrap();
    write(dst.path(), "many/f004.txt", b"changed here");
    // One block of the big file is damaged: only that block is fetched.
    let big = dst.path().join("big.bin");
    let mut content = std::fs::read(&big).unwrap();
    content[block + 5] ^= 0xff;
    std::fs::write(&big, &content).unwrap();

    // Without overwrite, local files with other content are left alone.
    let err = pithos
        .download_tree("", dst.path(), &TreeOptions::default())
        .await
        .unwrap_err();
    let ClientError::Incomplete(first) = err else {
        panic!("{err:?}")
    };
    let refused: Vec<&str> = first.failed.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(refused, ["big.bin", "many/f004.txt"]);
    assert!(first
        .failed
        .iter()
        .all(|f| matches!(f.1, ClientError::Exists(_))));
    assert_eq!(first.transferred, ["many/f003.txt"]);
    assert_eq!(
        std::fs::read(dst.path().join("many/f004.txt")).unwrap(),
        b"changed here"
    );

    emu.clear_requests();
    let overwrite = TreeOptions {
        overwrite: true,
        ..TreeOptions::default()
    };
    let report = pithos
        .download_tree("", dst.path(), &overwrite)
        .await
        .unwrap();
    assert_eq!(report.transferred, ["big.bin", "many/f004.txt"]);
    assert_eq!(report.unchanged.len(), 12);
    let requests = emu.requests();
    let gets = object_gets(&requests);
    assert!(
        gets.iter()
            .all(|g| g.ends_with("big.bin") || g.ends_with("f004.txt")),
        "{gets:?}"
    );
    assert_eq!(block_gets(&requests), 1, "one damaged block fetched");
    assert_eq!(snapshot(src.path()), snapshot(dst.path()));
}

#[tokio::test]
async fn a_corrupt_block_fails_its_file_only_and_leaves_no_file_claiming_success() {
    let (emu, pithos) = setup().await;
    let block = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let src = tempfile::tempdir().unwrap();
    sample_tree(src.path(), block, 5);
    let _ = pithos
        .upload_tree(src.path(), "c", &TreeOptions::default())
        .await
        .unwrap();
    // A full block (a short last block cannot be told from the last
    // block of a truncated object, whose hash Synnefo keeps whole: see
    // download_object).
    let hashmap = pithos
        .get_object_hashmap("c/big.bin", &Default::default())
        .await
        .unwrap()
        .unwrap();
    assert!(emu.state().pithos.corrupt_block(&hashmap.hashes[1]));
    let dst = tempfile::tempdir().unwrap();
    let err = pithos
        .download_tree("c", dst.path(), &TreeOptions::default())
        .await
        .unwrap_err();
    let ClientError::Incomplete(report) = err else {
        panic!("{err:?}")
    };
    let failed: Vec<&str> = report.failed.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(failed, ["c/big.bin"]);
    for (_, error) in &report.failed {
        assert!(matches!(error, ClientError::Integrity(_)), "{error:?}");
    }
    assert_eq!(report.transferred.len(), 8);
    assert!(!dst.path().join("big.bin").exists());
    assert!(dst.path().join("big.bin.kamaki-partial").exists());
    assert_eq!(
        std::fs::read(dst.path().join("many/f001.txt")).unwrap(),
        std::fs::read(src.path().join("many/f001.txt")).unwrap()
    );
}

#[tokio::test]
async fn a_file_that_became_a_folder_follows_on_both_sides() {
    let (_emu, pithos) = setup().await;
    let src = tempfile::tempdir().unwrap();
    write(src.path(), "x", b"a file first");
    write(src.path(), "keep.txt", b"kept");
    let _ = pithos
        .upload_tree(src.path(), "swap", &TreeOptions::default())
        .await
        .unwrap();
    let dst = tempfile::tempdir().unwrap();
    let _ = pithos
        .download_tree("swap", dst.path(), &TreeOptions::default())
        .await
        .unwrap();
    assert!(dst.path().join("x").is_file());

    std::fs::remove_file(src.path().join("x")).unwrap();
    write(src.path(), "x/inner.txt", b"now a folder");
    let overwrite = TreeOptions {
        overwrite: true,
        ..TreeOptions::default()
    };
    let err = pithos
        .upload_tree(src.path(), "swap", &TreeOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("swap/x exists with other content"),
        "{err}"
    );
    let _ = pithos
        .upload_tree(src.path(), "swap", &overwrite)
        .await
        .unwrap();
    let x = pithos.get_object_info("swap/x", None).await.unwrap();
    assert_eq!(x.get("content-type").unwrap(), DIRECTORY_TYPE);

    let err = pithos
        .download_tree("swap", dst.path(), &TreeOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("exists with other content"),
        "{err}"
    );
    assert!(
        dst.path().join("x").is_file(),
        "nothing replaced without overwrite"
    );
    let report = pithos
        .download_tree("swap", dst.path(), &overwrite)
        .await
        .unwrap();
    assert_eq!(report.transferred, ["swap/x/inner.txt"]);
    assert_eq!(snapshot(src.path()), snapshot(dst.path()));
}

#[tokio::test]
async fn requests_in_flight_stay_within_the_bound_for_files_and_blocks() {
    let (emu, pithos) = setup().await;
    let block = pithos.get_block_info(None).await.unwrap().block_size as usize;
    let src = tempfile::tempdir().unwrap();
    sample_tree(src.path(), block, 30);
    write(src.path(), "big2.bin", &data(3 * block, 9));
    // Latency makes requests overlap as they would on a distant cloud.
    emu.set_faults(Some(FaultConfig {
        latency: std::time::Duration::from_millis(15),
        ..FaultConfig::default()
    }));
    let options = TreeOptions {
        concurrency: Some(3),
        ..TreeOptions::default()
    };
    emu.reset_peak_in_flight();
    let _ = pithos
        .upload_tree(src.path(), "bound", &options)
        .await
        .unwrap();
    let up_peak = emu.peak_in_flight();
    assert!((2..=3).contains(&up_peak), "peak {up_peak}");

    let dst = tempfile::tempdir().unwrap();
    emu.reset_peak_in_flight();
    let _ = pithos
        .download_tree("bound", dst.path(), &options)
        .await
        .unwrap();
    let down_peak = emu.peak_in_flight();
    assert!((2..=3).contains(&down_peak), "peak {down_peak}");
    assert_eq!(snapshot(src.path()), snapshot(dst.path()));
}

#[tokio::test]
async fn what_is_not_a_tree_is_a_clear_error() {
    let (_emu, pithos) = setup().await;
    let err = pithos
        .upload_tree("/no/such/folder", "x", &TreeOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("/no/such/folder"), "{err}");

    pithos
        .object_put(
            "file",
            &ObjectPut {
                content_type: Some("text/plain".into()),
                data: Some(b"plain".to_vec().into()),
                ..ObjectPut::default()
            },
        )
        .await
        .unwrap();
    let dst = tempfile::tempdir().unwrap();
    let err = pithos
        .download_tree("file", dst.path(), &TreeOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");
    let err = pithos
        .download_tree("missing", dst.path(), &TreeOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404, "{err}");

    // An empty directory is an empty folder.
    pithos.create_directory("hollow").await.unwrap();
    let report: TreeReport = pithos
        .download_tree("hollow", dst.path().join("in"), &TreeOptions::default())
        .await
        .unwrap();
    assert_eq!(report.bytes, 0);
    assert!(dst.path().join("in").is_dir());
}
