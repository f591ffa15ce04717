//! The Pithos command groups of `kamaki` (container, file, sharer, group)
//! against the emulator. Each test runs a whole story, many commands
//! against one emulator, to keep the file quick.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use common::{env_for, fails, json, kamaki, ok, ok_err, stderr, stdout, succeeds, Env};
use serde_json::Value;
use sha2::{Digest, Sha256};
use synnefo_emu::Emulator;

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("cli@example.com", "cli-token")
        .user("friend@example.com", "friend-token")
        .start()
        .await
        .unwrap()
}

/// Runs a command that must fail (exit 1) with each of `lines` in what it
/// says on stderr (a tree transfer's list of failures, a declined question).
async fn fails_saying(env: &Env, args: &[&str], lines: &[&str]) {
    let out = kamaki(env, args).await;
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "kamaki {}: {err}",
        args.join(" ")
    );
    for line in lines {
        assert!(err.contains(line), "{line:?} in {err}");
    }
}

/// Runs a transfer that must fail: its progress lines (`a --> b`), then
/// one line holding all of `words`.
async fn transfer_fails(env: &Env, args: &[&str], words: &[&str]) {
    let out = kamaki(env, args).await;
    assert_eq!(out.status.code(), Some(1), "kamaki {}", args.join(" "));
    let err = stderr(&out);
    let lines: Vec<&str> = err.trim_end().lines().collect();
    let (last, before) = lines.split_last().unwrap();
    assert!(before.iter().all(|l| l.contains(" --> ")), "{err}");
    for word in words {
        assert!(last.contains(word), "{word:?} in {err}");
    }
    assert!(stdout(&out).is_empty());
}

/// Runs a command whose arguments are refused (a usage error).
async fn refused(env: &Env, args: &[&str]) {
    let out = kamaki(env, args).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "kamaki {}: {}",
        args.join(" "),
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn files_go_up_and_come_back_the_same() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let dir = tempfile::tempdir().unwrap();

    ok(&env, &["container", "create", "pithos"]).await;
    // A multi-block file (blocks are 4 MiB): 9 MiB, not all zeros.
    let big = dir.path().join("big.bin");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let data: Vec<u8> = (0..9 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    std::fs::write(&big, &data).unwrap();
    drop(data);
    let out = succeeds(
        &env,
        &["file", "upload", &s(&big), "--output-format", "json"],
    )
    .await;
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["remote"], "/pithos/big.bin");
    assert_eq!(report[0]["bytes"], 9 * 1024 * 1024);
    assert!(
        stderr(&out).contains("Upload completed"),
        "{}",
        stderr(&out)
    );

    let info = json(&env, &["file", "info", "big.bin"]).await;
    assert_eq!(info["content-length"], "9437184");
    let hashmap = json(&env, &["file", "info", "/pithos/big.bin", "--hashmap"]).await;
    assert_eq!(hashmap["hashes"].as_array().unwrap().len(), 3);

    let back = dir.path().join("back.bin");
    let out = succeeds(&env, &["file", "download", "big.bin", &s(&back)]).await;
    assert!(stdout(&out).is_empty(), "data only on stdout");
    assert_eq!(sha256(&back), sha256(&big));

    // An existing file is kept unless -f; -f resumes (nothing to fetch).
    fails(
        &env,
        &["file", "download", "big.bin", &s(&back)],
        &["Cannot overwrite", "-f"],
    )
    .await;
    let report = json(&env, &["file", "download", "-f", "big.bin", &s(&back)]).await;
    assert_eq!(report[0]["fetched_bytes"], 0);
    // A broken download resumes: only the missing part is fetched.
    let partial = dir.path().join("back.bin.kamaki-partial");
    std::fs::rename(&back, &partial).unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&partial)
        .unwrap();
    file.set_len(5 * 1024 * 1024).unwrap();
    drop(file);
    let report = json(
        &env,
        &["file", "download", "--resume", "big.bin", &s(&back)],
    )
    .await;
    assert_eq!(report[0]["fetched_bytes"], 5 * 1024 * 1024);
    assert_eq!(sha256(&back), sha256(&big));
    assert!(!partial.exists());
    // Into a directory: its base name there.
    std::fs::create_dir(dir.path().join("into")).unwrap();
    ok(
        &env,
        &["file", "download", "big.bin", &s(&dir.path().join("into"))],
    )
    .await;
    assert_eq!(sha256(&dir.path().join("into/big.bin")), sha256(&big));
    std::fs::remove_file(dir.path().join("into/big.bin")).unwrap();
    std::fs::remove_file(&back).unwrap();
    std::fs::remove_file(&big).unwrap();

    // Upload refusals and -f; content types guessed from the name.
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "hello pithos\n").unwrap();
    ok(&env, &["file", "upload", &s(&note), "docs/note.txt"]).await;
    fails(
        &env,
        &["file", "upload", &s(&note), "docs/note.txt"],
        &["already exists", "-f"],
    )
    .await;
    ok(
        &env,
        &["file", "upload", &s(&note), "docs/note.txt", "-f", "-N"],
    )
    .await;
    let info = json(&env, &["file", "info", "docs/note.txt"]).await;
    assert_eq!(info["content-type"], "text/plain");
    // Into an existing directory object: inside it.
    ok(&env, &["file", "mkdir", "docs"]).await;
    let inside = dir.path().join("inside.md");
    std::fs::write(&inside, "# in\n").unwrap();
    ok(
        &env,
        &["file", "upload", &s(&inside), "/pithos/docs", "--unchunked"],
    )
    .await;
    let info = json(&env, &["file", "info", "docs/inside.md"]).await;
    assert_eq!(info["content-type"], "text/markdown");
    ok(&env, &["file", "delete", "docs/inside.md", "--yes"]).await;
    // --public prints the URL; --read-permission shares it.
    let friend = emu.users()[1].uuid.clone();
    let url = ok(
        &env,
        &[
            "file",
            "upload",
            &s(&note),
            "public.txt",
            "--public",
            "--read-permission",
            &friend,
            "--content-type",
            "text/x-note",
        ],
    )
    .await;
    assert!(url.trim().starts_with("http://"), "{url}");
    assert!(url.contains("/pithos/public/"), "{url}");

    // cat: bytes to stdout, ranges, conditions, versions.
    assert_eq!(
        ok(&env, &["file", "cat", "docs/note.txt"]).await,
        "hello pithos\n"
    );
    assert_eq!(
        ok(&env, &["file", "cat", "docs/note.txt", "--range", "0-4,-7"]).await,
        "hellopithos\n"
    );
    let etag = json(&env, &["file", "info", "docs/note.txt"]).await["etag"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&env, &["file", "cat", "docs/note.txt", "--if-match", &etag]).await;
    fails(
        &env,
        &["file", "cat", "docs/note.txt", "--if-match", "nope"],
        &["412"],
    )
    .await;
    fails(
        &env,
        &["file", "info", "docs/note.txt", "--if-none-match", &etag],
        &["304"],
    )
    .await;
    fails(
        &env,
        &["file", "cat", "missing.txt"],
        &["No object \"missing.txt\"", "(404)"],
    )
    .await;
    refused(
        &env,
        &["file", "cat", "docs/note.txt", "--buffer-blocks", "0"],
    )
    .await;
    // A hashmap of blocks the cloud has makes an object; one it lacks: 409.
    let hashmap = json(&env, &["file", "info", "docs/note.txt", "--hashmap"]).await;
    let hashmap_file = dir.path().join("hashmap.json");
    std::fs::write(&hashmap_file, hashmap.to_string()).unwrap();
    ok(
        &env,
        &[
            "file",
            "upload",
            &s(&hashmap_file),
            "clone.txt",
            "--source-is-hashmap",
        ],
    )
    .await;
    assert_eq!(
        ok(&env, &["file", "cat", "clone.txt"]).await,
        "hello pithos\n"
    );
    ok(&env, &["file", "delete", "clone.txt", "--yes"]).await;
    let fake = serde_json::json!({"bytes": 3, "hashes": ["ab".repeat(32)]});
    std::fs::write(&hashmap_file, fake.to_string()).unwrap();
    transfer_fails(
        &env,
        &[
            "file",
            "upload",
            &s(&hashmap_file),
            "fake.txt",
            "--source-is-hashmap",
        ],
        &["lacks 1 blocks", "(409)"],
    )
    .await;

    // Small edits: create, append, truncate, overwrite.
    ok(
        &env,
        &["file", "create", "edit.txt", "--content-type", "text/plain"],
    )
    .await;
    let abc = dir.path().join("abc");
    std::fs::write(&abc, "abc").unwrap();
    ok(&env, &["file", "append", &s(&abc), "edit.txt"]).await;
    ok(
        &env,
        &["file", "append", &s(&abc), "/pithos/edit.txt", "-N"],
    )
    .await;
    assert_eq!(ok(&env, &["file", "cat", "edit.txt"]).await, "abcabc");
    ok(&env, &["file", "truncate", "edit.txt", "--size", "4"]).await;
    assert_eq!(ok(&env, &["file", "cat", "edit.txt"]).await, "abca");
    let xy = dir.path().join("xy");
    std::fs::write(&xy, "XY").unwrap();
    ok(
        &env,
        &[
            "file",
            "overwrite",
            &s(&xy),
            "edit.txt",
            "--from",
            "1",
            "--to",
            "2",
        ],
    )
    .await;
    assert_eq!(ok(&env, &["file", "cat", "edit.txt"]).await, "aXYa");
    let versions = json(&env, &["file", "info", "edit.txt", "--object-versions"]).await;
    let versions = versions["/pithos/edit.txt"].as_array().unwrap().clone();
    assert!(versions.len() >= 4, "{versions:?}");
    let first = versions[0]["version_id"].to_string();
    let first = first.trim_matches('"');
    assert_eq!(
        ok(
            &env,
            &["file", "cat", "edit.txt", "--object-version", first]
        )
        .await,
        ""
    );

    // Sharing and metadata.
    ok(
        &env,
        &[
            "file",
            "modify",
            "edit.txt",
            "--read-permission",
            "*",
            "--metadata-add",
            "color=blue",
            "--metadata-add",
            "size=big",
        ],
    )
    .await;
    let meta = json(&env, &["file", "info", "edit.txt", "--metadata"]).await;
    assert_eq!(meta, serde_json::json!({"color": "blue", "size": "big"}));
    let with_color = json(&env, &["file", "list", "--meta", "color,size"]).await;
    assert_eq!(with_color.as_array().unwrap().len(), 1, "{with_color}");
    assert_eq!(with_color[0]["name"], "edit.txt");
    let changed = json(
        &env,
        &[
            "file",
            "modify",
            "edit.txt",
            "--metadata-del",
            "size",
            "--no-permissions",
        ],
    )
    .await;
    assert_eq!(changed["sharing"]["read"], "");
    assert_eq!(changed["metadata"]["x-object-meta-color"], "blue");
    assert!(changed["metadata"].get("x-object-meta-size").is_none());
    refused(&env, &["file", "modify", "edit.txt"]).await;

    let url = ok(&env, &["file", "publish", "edit.txt"]).await;
    let sharing = json(&env, &["file", "info", "edit.txt", "--sharing"]).await;
    assert_eq!(sharing["public url"], url.trim());
    ok(&env, &["file", "unpublish", "edit.txt"]).await;
    let sharing = json(&env, &["file", "info", "edit.txt", "--sharing"]).await;
    assert_eq!(sharing["public url"], Value::Null);

    // Listings: kamaki's lines, -l, JSON, filters, and what is empty.
    let listing = ok(&env, &["file", "list"]).await;
    assert_eq!(
        listing,
        format!(
            "{:>9} big.bin\n{:>9} docs/\n{:>9} docs/note.txt\n{:>9} edit.txt\n{:>9} public.txt\n",
            "9 MiB", "D", "13 B", "4 B", "13 B"
        )
    );
    let listed = json(&env, &["file", "list", "docs", "--name-suffix", ".TXT"]).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["docs/note.txt"]);
    let details = ok(&env, &["file", "list", "-l", "--enumerate", "-n", "1"]).await;
    assert!(details.starts_with("1. big.bin\n"), "{details}");
    assert!(details.contains("bytes: 9437184 (9 MiB)"), "{details}");
    let out = kamaki(&env, &["file", "list", "docs/"]).await;
    assert_eq!(stdout(&out), format!("{:>9} docs/note.txt\n", "13 B"));
    fails(&env, &["file", "list", "nothing/"], &["No object"]).await;
    ok(&env, &["file", "mkdir", "/pithos/empty"]).await;
    let err = ok_err(&env, &["file", "list", "empty/"]).await;
    assert!(err.contains("Directory /pithos/empty is empty"), "{err}");
    fails(&env, &["file", "list", "edit.txt/"], &["not a directory"]).await;

    // Delete: asks (no answer: aborted), --yes, a whole container's objects.
    fails_saying(&env, &["file", "delete", "edit.txt"], &["Aborted"]).await;
    ok(&env, &["file", "delete", "edit.txt", "--yes"]).await;
    fails(
        &env,
        &["file", "info", "edit.txt"],
        &["No object \"edit.txt\""],
    )
    .await;
    ok(&env, &["file", "delete", "docs", "-r", "--yes"]).await;
    fails(&env, &["file", "info", "docs/note.txt"], &["No object"]).await;
    ok(&env, &["file", "delete", "/pithos", "--yes"]).await;
    let err = ok_err(&env, &["file", "list"]).await;
    assert!(err.contains("Container \"pithos\" is empty"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn trees_copies_and_moves() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let dir = tempfile::tempdir().unwrap();
    ok(&env, &["container", "create", "pithos"]).await;

    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("sub/deep")).unwrap();
    std::fs::create_dir_all(tree.join("empty")).unwrap();
    std::fs::write(tree.join("one.txt"), "1").unwrap();
    std::fs::write(tree.join("sub/two.txt"), "22").unwrap();
    std::fs::write(tree.join("sub/deep/three.json"), "[3]").unwrap();

    fails(
        &env,
        &["file", "upload", &s(&tree)],
        &["is a directory", "-r"],
    )
    .await;
    let out = succeeds(&env, &["file", "upload", "-r", &s(&tree)]).await;
    assert!(
        stderr(&out).contains("remote: mkdir /pithos/tree/sub/deep"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        ok(&env, &["file", "list", "tree"]).await,
        format!(
            "{:>9} tree/\n{:>9} tree/empty/\n{:>9} tree/one.txt\n{:>9} tree/sub/\n{:>9} tree/sub/deep/\n{:>9} tree/sub/deep/three.json\n{:>9} tree/sub/two.txt\n",
            "D", "D", "1 B", "D", "D", "3 B", "2 B"
        )
    );
    // A rerun sends nothing; a file changed since is replaced with -f only.
    let again = kamaki(&env, &["file", "upload", "-r", &s(&tree)]).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 files uploaded, 3 unchanged, 0 failed"),
        "{}",
        stderr(&again)
    );
    std::fs::write(tree.join("one.txt"), "uno").unwrap();
    fails_saying(
        &env,
        &["file", "upload", "-r", &s(&tree)],
        &[
            "Failed tree/one.txt: object tree/one.txt exists with other content",
            "(use -f to replace it)",
            "0 files uploaded, 2 unchanged, 1 failed",
            "1 of 3 files failed (listed above)",
        ],
    )
    .await;
    ok(&env, &["file", "upload", "-r", "-f", &s(&tree)]).await;
    assert_eq!(ok(&env, &["file", "cat", "tree/one.txt"]).await, "uno");
    // The contents of a directory (trailing /) into another path.
    ok(
        &env,
        &["file", "upload", "-r", &format!("{}/", s(&tree)), "copy"],
    )
    .await;
    ok(&env, &["file", "info", "copy/sub/two.txt"]).await;

    // An existing local directory receives the tree under its name.
    let parent = dir.path().join("dl");
    std::fs::create_dir(&parent).unwrap();
    let out_dir = parent.join("tree");
    fails(
        &env,
        &["file", "download", "tree", &s(&parent)],
        &["is a directory", "-r"],
    )
    .await;
    ok(&env, &["file", "download", "-r", "tree", &s(&parent)]).await;
    for file in ["one.txt", "sub/two.txt", "sub/deep/three.json"] {
        assert_eq!(
            std::fs::read(out_dir.join(file)).unwrap(),
            std::fs::read(tree.join(file)).unwrap(),
            "{file}"
        );
    }
    assert!(out_dir.join("empty").is_dir());
    let again = kamaki(&env, &["file", "download", "-r", "tree", &s(&parent)]).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 files downloaded, 3 unchanged"),
        "{}",
        stderr(&again)
    );
    std::fs::write(out_dir.join("sub/two.txt"), "local edit").unwrap();
    fails_saying(
        &env,
        &["file", "download", "-r", "tree", &s(&parent)],
        &[
            "sub/two.txt exists with other content",
            "(use -f/--resume to replace it)",
        ],
    )
    .await;
    assert_eq!(
        std::fs::read(out_dir.join("sub/two.txt")).unwrap(),
        b"local edit"
    );
    ok(&env, &["file", "download", "-r", "-f", "tree", &s(&parent)]).await;
    assert_eq!(std::fs::read(out_dir.join("sub/two.txt")).unwrap(), b"22");
    // A whole container.
    let whole = dir.path().join("whole");
    fails(&env, &["file", "download", "/pithos", &s(&whole)], &["-r"]).await;
    ok(&env, &["file", "download", "-r", "/pithos", &s(&whole)]).await;
    assert_eq!(
        std::fs::read(whole.join("copy/sub/two.txt")).unwrap(),
        b"22"
    );

    // Copy and move, within and across containers.
    ok(&env, &["container", "create", "backup"]).await;
    let err = ok_err(&env, &["file", "copy", "tree/one.txt", "/backup/uno.txt"]).await;
    assert!(
        err.contains("copy /pithos/tree/one.txt  -->  /backup/uno.txt"),
        "{err}"
    );
    fails(
        &env,
        &["file", "copy", "tree/one.txt", "/backup/uno.txt"],
        &["exists", "-f"],
    )
    .await;
    ok(
        &env,
        &[
            "file",
            "copy",
            "-f",
            "tree/one.txt",
            "/backup/uno.txt",
            "--content-type",
            "text/x-one",
        ],
    )
    .await;
    assert_eq!(
        json(&env, &["file", "info", "/backup/uno.txt"]).await["content-type"],
        "text/x-one"
    );
    ok(
        &env,
        &["file", "copy", "-r", "tree", "--to-container", "backup"],
    )
    .await;
    assert_eq!(
        ok(&env, &["file", "cat", "/backup/tree/sub/deep/three.json"]).await,
        "[3]"
    );
    let err = ok_err(
        &env,
        &["file", "move", "-r", "/backup/tree", "/backup/moved"],
    )
    .await;
    assert!(
        err.contains("delete source directory /backup/tree/sub"),
        "{err}"
    );
    let moved = json(&env, &["file", "list", "/backup"]).await;
    let names: Vec<&str> = moved
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"moved/sub/deep/three.json"), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("tree")), "{names:?}");
    ok(
        &env,
        &[
            "file",
            "move",
            "/backup/uno.txt",
            "/pithos/uno.txt",
            "--public",
            "true",
        ],
    )
    .await;
    fails(&env, &["file", "info", "/backup/uno.txt"], &["No object"]).await;
    let sharing = json(&env, &["file", "info", "uno.txt", "--sharing"]).await;
    assert!(sharing["public url"].is_string(), "{sharing}");
    fails(
        &env,
        &["file", "move", "uno.txt", "x", "--source-version", "1"],
        &["--source-version"],
    )
    .await;
    fails(
        &env,
        &["file", "copy", "tree", "copy"],
        &["directory", "-r"],
    )
    .await;
    fails(
        &env,
        &["file", "copy", "uno.txt", "/nope/uno.txt"],
        &["Container \"nope\" does not exist", "(404)"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn containers_sharers_groups_and_errors() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let friend_env = env_for(&emu, "friend-token");
    let me = emu.users()[0].uuid.clone();
    let friend = emu.users()[1].uuid.clone();

    // A wrong token and a missing container: one line, status and fix.
    let bad = env_for(&emu, "wrong-token");
    fails(&bad, &["file", "list"], &["401", "token"]).await;
    fails(&bad, &["container", "list"], &["401"]).await;
    fails(
        &env,
        &["file", "list", "/nope"],
        &[
            "Container \"nope\" does not exist (404)",
            "kamaki container create nope",
        ],
    )
    .await;
    fails(
        &env,
        &["container", "info", "nope"],
        &["does not exist", "(404)"],
    )
    .await;
    fails(
        &env,
        &["file", "upload", "Cargo.toml", "/nope/x"],
        &["Container \"nope\"", "404"],
    )
    .await;

    // Containers: create, list, info, modify, reassign, empty, delete.
    ok(&env, &["container", "create", "pithos"]).await;
    ok(
        &env,
        &[
            "container",
            "create",
            "photos",
            "--versioning",
            "none",
            "--limit",
            "1MiB",
            "--meta",
            "k=v",
        ],
    )
    .await;
    fails(
        &env,
        &["container", "create", "photos"],
        &["already exists", "(202)"],
    )
    .await;
    refused(
        &env,
        &["container", "create", "x", "--versioning", "sometimes"],
    )
    .await;
    // The container's size limit is checked before uploading.
    ok(&env, &["container", "create", "tiny", "--limit", "4"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let five = tmp.path().join("five.txt");
    std::fs::write(&five, "12345").unwrap();
    fails(
        &env,
        &["file", "upload", &s(&five), "/tiny/five.txt"],
        &["too small", "--size-limit"],
    )
    .await;
    ok(&env, &["container", "delete", "tiny", "--yes"]).await;
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "12345").unwrap();
    ok(&env, &["file", "upload", &s(&small), "/photos/a.txt"]).await;
    ok(
        &env,
        &["file", "upload", &s(&small), "-C", "photos", "b.txt"],
    )
    .await;
    assert_eq!(
        ok(&env, &["container", "list"]).await,
        "photos (10 B, 2 objects)\npithos (0 B, 0 objects)\n"
    );
    let listed = json(&env, &["container", "list", "-r", "--name-prefix", "PHO"]).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["count"], 2);
    assert_eq!(listed[0]["objects"][1]["name"], "b.txt");
    let text = ok(&env, &["container", "list", "-r", "--enumerate"]).await;
    assert!(text.starts_with("1. photos (10 B, 2 objects)\n"), "{text}");
    assert_eq!(
        ok(&env, &["container", "list", "photos", "-n", "1"]).await,
        format!("{:>9} a.txt\n", "5 B")
    );
    let details = ok(&env, &["container", "list", "-l"]).await;
    assert!(details.contains("bytes: 10 (10 B)"), "{details}");

    let info = json(&env, &["container", "info", "photos"]).await;
    assert_eq!(info["x-container-object-count"], "2");
    assert_eq!(info["x-container-policy-versioning"], "none");
    assert_eq!(
        json(&env, &["container", "info", "photos", "--size-limit"]).await,
        serde_json::json!({"size limit": "1 MiB"})
    );
    assert_eq!(
        ok(&env, &["container", "info", "photos", "--size-limit", "-b"]).await,
        "size limit: 1048576\n"
    );
    assert_eq!(
        json(&env, &["container", "info", "photos", "--metadata"]).await,
        serde_json::json!({"k": "v"})
    );
    let changed = ok(
        &env,
        &[
            "container",
            "modify",
            "photos",
            "--size-limit",
            "0",
            "--versioning",
            "AUTO",
            "--metadata-add",
            "x=y",
            "--metadata-del",
            "k",
        ],
    )
    .await;
    assert_eq!(
        changed,
        "x-container-meta-x: y\nnew size limit: unlimited\nnew versioning scheme: auto\n"
    );
    refused(&env, &["container", "modify", "photos"]).await;
    ok(
        &env,
        &["container", "reassign", "photos", "--project-id", &me],
    )
    .await;
    fails(
        &env,
        &[
            "container",
            "reassign",
            "photos",
            "--project-id",
            "no-such-project",
        ],
        &["no-such-project"],
    )
    .await;
    // Not empty: refused without -r; no answer to the question: kept.
    fails(
        &env,
        &["container", "delete", "photos"],
        &["not empty", "-r"],
    )
    .await;
    fails_saying(&env, &["container", "delete", "photos", "-r"], &["Aborted"]).await;
    ok(&env, &["container", "empty", "photos", "--yes"]).await;
    assert_eq!(
        json(&env, &["container", "info", "photos"]).await["x-container-object-count"],
        "0"
    );
    ok(&env, &["file", "upload", &s(&small), "/photos/a.txt"]).await;
    ok(&env, &["container", "delete", "photos", "-r", "--yes"]).await;
    fails(&env, &["container", "info", "photos"], &["does not exist"]).await;

    // Groups.
    let groups = json(
        &env,
        &[
            "group",
            "create",
            "pals",
            "--username",
            "friend@example.com",
        ],
    )
    .await;
    assert_eq!(groups, serde_json::json!({"pals": friend}));
    fails_saying(
        &env,
        &["group", "create", "pals", "--uuid", &me],
        &["Aborted"],
    )
    .await;
    ok(
        &env,
        &[
            "group", "create", "pals", "--uuid", &me, "--uuid", &friend, "--yes",
        ],
    )
    .await;
    assert_eq!(
        ok(&env, &["group", "list"]).await,
        format!("pals: {me},{friend}\n")
    );
    fails(
        &env,
        &["group", "create", "x", "--username", "nobody@example.com"],
        &["nobody"],
    )
    .await;
    refused(&env, &["group", "create", "x"]).await;

    // Sharing with the friend's group, seen by the friend.
    ok(&env, &["file", "upload", &s(&small), "shared.txt"]).await;
    ok(
        &env,
        &[
            "file",
            "modify",
            "shared.txt",
            "--read-permission",
            &format!("{me}:pals"),
            "--write-permission",
            &friend,
        ],
    )
    .await;
    let sharers = json(&friend_env, &["sharer", "list"]).await;
    assert_eq!(sharers[0]["name"], me.as_str());
    assert_eq!(
        ok(&friend_env, &["sharer", "list"]).await,
        format!("{me} cli@example.com\n")
    );
    let detailed = ok(&friend_env, &["sharer", "list", "-l"]).await;
    assert!(detailed.contains("last_modified"), "{detailed}");
    let info = json(&friend_env, &["sharer", "info", "cli@example.com"]).await;
    assert!(info.is_object());
    let mine = json(&env, &["sharer", "info"]).await;
    assert_eq!(mine["x-account-group-pals"], format!("{me},{friend}"));
    assert_eq!(
        ok(
            &friend_env,
            &["file", "cat", &format!("pithos://{me}/pithos/shared.txt")]
        )
        .await,
        "12345"
    );
    assert_eq!(
        ok(
            &friend_env,
            &["file", "cat", "-A", "cli@example.com", "shared.txt"]
        )
        .await,
        "12345"
    );
    fails(
        &friend_env,
        &["file", "list", "-A", "nobody@example.com"],
        &["not found"],
    )
    .await;
    // The friend writes into the shared object (blocks go to their own
    // container of the same name).
    ok(&friend_env, &["container", "create", "pithos"]).await;
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "from a friend").unwrap();
    ok(
        &friend_env,
        &[
            "file",
            "upload",
            &s(&other),
            &format!("pithos://{me}/pithos/shared.txt"),
            "-f",
        ],
    )
    .await;
    assert_eq!(
        ok(&env, &["file", "cat", "shared.txt"]).await,
        "from a friend"
    );

    // cloud.<name>.pithos_uuid and pithos_container: the defaults of plain paths.
    let mut config = std::fs::read_to_string(&friend_env.config).unwrap();
    config.push_str(&format!("pithos_uuid = {me}\npithos_container = pithos\n"));
    std::fs::write(&friend_env.config, config).unwrap();
    assert_eq!(
        ok(&friend_env, &["file", "cat", "shared.txt"]).await,
        "from a friend"
    );

    ok(&env, &["group", "delete", "pals"]).await;
    assert_eq!(json(&env, &["group", "list"]).await, serde_json::json!({}));
    fails(&env, &["group", "delete", "pals"], &["No group pals"]).await;
}

/// The `created` date of the first version of `name` as kamaki-cli shows it
/// with the time zone `tz`, parsed back to (day, hour).
async fn first_version_created(env: &Env, tz: &str, name: &str) -> String {
    let out = common::kamaki_with(
        env,
        &[("TZ", tz)],
        &[
            "file",
            "info",
            name,
            "--object-versions",
            "--output-format",
            "json",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listing: Value = serde_json::from_str(&stdout(&out)).unwrap();
    listing[format!("/pithos/{name}")][0]["created"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn dates_are_local_time_both_ways() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    let local = std::env::temp_dir().join(format!("tz-{}.txt", std::process::id()));
    std::fs::write(&local, b"when").unwrap();
    ok(&env, &["container", "create", "pithos"]).await;
    ok(
        &env,
        &["file", "upload", local.to_str().unwrap(), "when.txt"],
    )
    .await;
    let _ = std::fs::remove_file(&local);

    // Shown: the same instant on UTC clocks and on UTC-5 clocks (POSIX TZ
    // strings need no time zone database).
    let utc = first_version_created(&env, "UTC0", "when.txt").await;
    let west = first_version_created(&env, "XST5", "when.txt").await;
    let clock = |shown: &str| {
        let format =
            time::macros::format_description!("[day]-[month]-[year] [hour]:[minute]:[second]");
        time::PrimitiveDateTime::parse(shown, format).unwrap_or_else(|e| panic!("{shown:?}: {e}"))
    };
    assert_eq!(
        (clock(&utc) - clock(&west)).whole_hours(),
        5,
        "{utc} vs {west}"
    );

    // Read: a zoneless date is local time. The same clock reading names
    // different instants under different zones.
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let utc_text = ahead.format(format).unwrap();
    // One hour ahead on UTC clocks is the object's present: it is listed.
    let out = common::kamaki_with(
        &env,
        &[("TZ", "UTC0")],
        &["file", "list", "--until", &utc_text],
    )
    .await;
    assert!(
        stdout(&out).contains("when.txt"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // The same clock reading on UTC+5 clocks is four hours ago: before the
    // object existed.
    let out = common::kamaki_with(
        &env,
        &[("TZ", "XST-5")],
        &["file", "list", "--until", &utc_text],
    )
    .await;
    assert!(!stdout(&out).contains("when.txt"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn verifyfs_finds_and_fixes_one_kind_per_run() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    ok(&env, &["container", "create", "tree"]).await;
    let local = std::env::temp_dir().join(format!("verifyfs-{}.txt", std::process::id()));
    std::fs::write(&local, b"x").unwrap();
    let file = local.to_str().unwrap();
    // `notes` is a file and also the directory of `notes/a.txt`;
    // `win\dir` is a directory object named the Windows way;
    // `deep/er` has no directory objects at all.
    for path in ["/tree/notes", "/tree/notes/a.txt", "/tree/deep/er/f.txt"] {
        ok(&env, &["file", "upload", file, path]).await;
    }
    ok(&env, &["file", "mkdir", "/tree/win\\dir"]).await;
    let _ = std::fs::remove_file(&local);

    let verify = ["scripts", "verifyfs", "tree"];
    fails(
        &env,
        &verify,
        &["Conflicting", "\"notes\"", "--fix-conflicts"],
    )
    .await;
    let fixed = json(&env, &[&verify[..], &["--fix-conflicts", "--yes"]].concat()).await;
    let renamed = fixed["fixed"][0]["to"].as_str().unwrap().to_string();
    assert!(renamed.starts_with("notes_orig_"), "{fixed}");
    assert_eq!(fixed["fixed"].as_array().unwrap().len(), 1, "{fixed}");
    assert_eq!(
        ok(&env, &["file", "cat", &format!("/tree/{renamed}")]).await,
        "x"
    );

    fails(&env, &verify, &["\\", "win\\\\dir", "--fix-dir-names"]).await;
    ok(&env, &[&verify[..], &["--fix-dir-names", "--yes"]].concat()).await;
    let info = json(&env, &["file", "info", "/tree/win/dir"]).await;
    assert!(info.to_string().contains("application/directory"), "{info}");

    fails(
        &env,
        &verify,
        &["Missing", "\"deep/er\"", "--fix-missing-dirs"],
    )
    .await;
    let fixed = json(
        &env,
        &[&verify[..], &["--fix-missing-dirs", "--yes"]].concat(),
    )
    .await;
    let created: BTreeSet<&str> = fixed["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["created"].as_str())
        .collect();
    assert_eq!(
        created,
        BTreeSet::from(["deep", "deep/er", "notes", "win"]),
        "{fixed}"
    );

    let report = json(&env, &verify).await;
    assert_eq!(report["fixed"], Value::Array(vec![]), "{report}");
    let found = &report["found"];
    for kind in ["conflicts", "backslash_dirs", "missing_dirs"] {
        assert_eq!(found[kind], Value::Array(vec![]), "{report}");
    }
    assert!(ok_err(&env, &verify).await.contains("consistent"));
}

/// Sends SIGINT (Ctrl-C) to a running `kamaki` once the emulator is
/// serving its request, and returns how it ended.
#[cfg(unix)]
async fn interrupted(emu: &Emulator, env: &Env, args: &[&str]) -> Output {
    let mut all = vec!["--config".to_string(), env.config.display().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kamaki"))
        .args(&all)
        .env("HOME", &env.home)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A request held by the emulator's latency (still in flight on two
    // looks 100 ms apart, where the token check takes a millisecond): the
    // command is past its start, its Ctrl-C handling installed.
    let mut held = 0;
    for _ in 0..200 {
        held = if emu.in_flight() > 0 { held + 1 } else { 0 };
        if held == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(held, 2, "the command never reached the emulator");
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_ends_a_command_with_status_130() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    ok(&env, &["container", "create", "pithos"]).await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("slow.bin");
    std::fs::write(&src, b"some data").unwrap();
    ok(&env, &["file", "upload", &s(&src)]).await;
    // Every request about the object now waits a minute.
    emu.set_faults(Some(synnefo_emu::FaultConfig {
        latency: std::time::Duration::from_secs(60),
        path_contains: Some("slow.bin".into()),
        ..Default::default()
    }));
    let out = interrupted(
        &emu,
        &env,
        &["file", "download", "slow.bin", &s(&dir.path().join("copy"))],
    )
    .await;
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Interrupted by user"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("copy").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn traces_to_a_file_or_pipe_carry_no_colour_codes() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    ok(&env, &["container", "create", "pithos"]).await;
    let out = succeeds(&env, &["-v", "container", "list"]).await;
    let trace = stderr(&out);
    assert!(trace.contains("GET") && trace.contains("-> 200"), "{trace}");
    assert!(!out.stderr.contains(&0x1b), "escape codes in: {trace}");
}

#[tokio::test(flavor = "multi_thread")]
async fn download_messages_name_the_real_places() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    ok(&env, &["container", "create", "pithos"]).await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("doc.txt");
    std::fs::write(&src, b"the real content").unwrap();
    ok(&env, &["file", "upload", &s(&src)]).await;

    // A partial file of an interrupted run: a plain rerun resumes into it.
    let target = dir.path().join("copy.txt");
    std::fs::write(dir.path().join("copy.txt.kamaki-partial"), b"the real").unwrap();
    ok(&env, &["file", "download", "doc.txt", &s(&target)]).await;
    assert_eq!(std::fs::read(&target).unwrap(), b"the real content");
    assert!(!dir.path().join("copy.txt.kamaki-partial").exists());

    // Missing folders are made, and said.
    let deep = dir.path().join("new/folder/copy.txt");
    let out = succeeds(&env, &["file", "download", "doc.txt", &s(&deep)]).await;
    assert!(
        stderr(&out).contains(&format!(
            "Create local directory {}",
            s(&dir.path().join("new/folder"))
        )),
        "{}",
        stderr(&out)
    );
    // Under a regular file: not a directory, naming the target.
    let under = src.join("x.txt");
    let line = fails(
        &env,
        &["file", "download", "doc.txt", &s(&under)],
        &["not a directory"],
    )
    .await;
    assert!(
        line.contains(&s(&under)) && !line.contains("kamaki-partial"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_in_json_are_what_the_server_sent() {
    let emu = emulator().await;
    let env = env_for(&emu, "cli-token");
    ok(&env, &["container", "create", "pithos"]).await;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, b"a").unwrap();
    ok(&env, &["file", "upload", &s(&src)]).await;
    let account = format!(
        "{}/{}",
        emu.endpoint_url("object-store").unwrap(),
        emu.users()[0].uuid
    );
    let raw = |path: String| async move {
        reqwest::Client::new()
            .get(path)
            .header("X-Auth-Token", "cli-token")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let objects = raw(format!("{account}/pithos?format=json")).await;
    assert_eq!(json(&env, &["file", "list", "/pithos"]).await, objects);
    // Integers stay integers (x_object_version).
    assert!(objects[0]["x_object_version"].is_u64(), "{objects}");
    let containers = raw(format!("{account}?format=json")).await;
    assert_eq!(json(&env, &["container", "list"]).await, containers);
}
