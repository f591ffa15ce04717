//! `--data-dir`: users, tokens and blocks kept across restarts, one
//! emulator per data dir, and the refusals that name the directory and the
//! fix (the services' state is compared across restarts in
//! `data_dir_restart.rs`).

use synnefo_emu::pithos::hashing;
use synnefo_emu::storage::{DB_FILE, SCHEMA_VERSION};
use synnefo_emu::{EmuError, Emulator};

#[tokio::test]
async fn a_user_given_again_is_the_same_user_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cloud");
    let first = Emulator::builder()
        .user("alice@example.com", "alice-token")
        .data_dir(&data)
        .start()
        .await
        .unwrap();
    assert_eq!(first.data_dir(), Some(data.as_path()));
    let alice = first.users()[0].uuid.clone();
    drop(first);

    // The same --user: the same uuid (the same Pithos account).
    let again = Emulator::builder()
        .user("alice@example.com", "alice-token")
        .user("bob@example.com", "bob-token")
        .data_dir(&data)
        .start()
        .await
        .unwrap();
    let users = again.users();
    assert_eq!(users[0].uuid, alice);
    assert_eq!(users[0].default_project, alice);
    let bob = users[1].uuid.clone();
    assert_ne!(bob, alice);
    drop(again);

    // No --user: the users kept, in their order, with their tokens.
    let plain = Emulator::builder().data_dir(&data).start().await.unwrap();
    let users = plain.users();
    assert_eq!(users.len(), 2);
    assert_eq!(
        (users[0].uuid.as_str(), users[0].token.as_str()),
        (alice.as_str(), "alice-token")
    );
    assert_eq!(users[1].uuid, bob);
    assert_eq!(plain.token(), "alice-token");
    drop(plain);

    // Without a data dir nothing is kept: a fresh uuid each start.
    let a = Emulator::builder()
        .user("alice@example.com", "t")
        .start()
        .await
        .unwrap();
    assert_ne!(a.users()[0].uuid, alice);
}

#[tokio::test]
async fn the_default_user_keeps_its_token_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await;
    let (token, uuid) = (first.token().to_string(), first.users()[0].uuid.clone());
    drop(first);
    let again = start_on(dir.path()).await;
    assert_eq!(again.token(), token);
    assert_eq!(again.users()[0].uuid, uuid);
}

#[tokio::test]
async fn a_second_emulator_on_the_same_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = start_on(dir.path()).await;
    let second = Emulator::builder().data_dir(dir.path()).start().await;
    let message = match second {
        Err(e @ EmuError::DataDir(_)) => e.to_string(),
        other => panic!("expected a data dir error, got {other:?}"),
    };
    assert!(
        message.contains("in use by another synnefo-emu"),
        "{message}"
    );
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("choose another --data-dir"), "{message}");
}

#[tokio::test]
async fn a_newer_schema_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    drop(start_on(dir.path()).await);
    let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let newer = (SCHEMA_VERSION + 1).to_string();
    db.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
        [&newer],
    )
    .unwrap();
    drop(db);
    let refused = Emulator::builder().data_dir(dir.path()).start().await;
    let message = refused.map(|_| ()).unwrap_err().to_string();
    assert!(
        message.contains(&format!("schema version {newer}")),
        "{message}"
    );
    assert!(message.contains("newer than this synnefo-emu"), "{message}");
    assert_eq!(
        schema_version(dir.path()),
        newer,
        "the data is left as it was"
    );
}

#[tokio::test]
async fn an_unusable_data_dir_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let data = file.join("cloud");
    let refused = Emulator::builder().data_dir(&data).start().await;
    let message = refused.map(|_| ()).unwrap_err().to_string();
    assert!(message.contains(&data.display().to_string()), "{message}");
    assert!(
        message.contains("choose a directory this user can write to"),
        "{message}"
    );
}

#[tokio::test]
async fn a_pinned_uuid_that_disagrees_with_the_data_dir_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(
        Emulator::builder()
            .user("alice@example.com", "t")
            .data_dir(dir.path())
            .start()
            .await
            .unwrap(),
    );
    let refused = Emulator::builder()
        .user_with_uuid("alice@example.com", "t", "another-uuid")
        .data_dir(dir.path())
        .start()
        .await;
    let message = refused.map(|_| ()).unwrap_err().to_string();
    assert!(message.contains("another-uuid"), "{message}");
    assert!(message.contains("drop the uuid from --user"), "{message}");
}

/// How many block files the data dir holds.
fn block_files(dir: &std::path::Path) -> usize {
    let mut count = 0;
    let mut folders = vec![dir.join("blocks")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == "tmp" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                folders.push(entry.path());
            } else {
                count += 1;
            }
        }
    }
    count
}

/// The schema version a data dir's database records.
fn schema_version(dir: &std::path::Path) -> String {
    let db = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    db.query_row(
        "SELECT value FROM meta WHERE key = 'schema_version'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// The Pithos URL of the emulator's first user's account.
fn pithos_account(emu: &Emulator) -> String {
    format!(
        "{}/{}",
        emu.endpoint_url("object-store").unwrap(),
        emu.users()[0].uuid
    )
}

/// A `PUT` by alice (her token; octet-stream).
async fn alice_put(
    http: &reqwest::Client,
    url: String,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    http.put(url)
        .header("X-Auth-Token", "alice-token")
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn blocks_are_files_in_the_data_dir_and_outlive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .user("alice@example.com", "alice-token")
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let account = pithos_account(&emu);
    let http = reqwest::Client::new();
    let made = alice_put(&http, format!("{account}/data"), vec![]).await;
    assert!(made.status().is_success());
    // Two blocks of 4 MiB, one repeated, and a short tail: three distinct.
    let mut data = vec![7u8; 4 << 20];
    data.extend(vec![7u8; 4 << 20]);
    data.extend(vec![9u8; 4 << 20]);
    data.extend(b"tail".iter().copied());
    let reply = alice_put(&http, format!("{account}/data/object"), data.clone()).await;
    assert_eq!(reply.status().as_u16(), 201);
    assert_eq!(block_files(dir.path()), 3);
    assert_eq!(emu.state().pithos.block_count(), 3);
    let got = http
        .get(format!("{account}/data/object"))
        .header("X-Auth-Token", "alice-token")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got == data, "the object reads back from its block files");
    drop(emu);

    // A restart finds the blocks: the same data put again by its hashmap
    // needs no block sent.
    let again = start_on(dir.path()).await;
    assert_eq!(again.state().pithos.block_count(), 3);
    let account = pithos_account(&again);
    let hashes: Vec<String> = data
        .chunks(4 << 20)
        .map(|block| hashing::to_hex(&hashing::block_hash(block)))
        .collect();
    let hashmap = serde_json::json!({"bytes": data.len(), "hashes": hashes});
    let made = alice_put(&http, format!("{account}/data"), vec![]).await;
    assert!(made.status().is_success());
    let url = format!("{account}/data/again?hashmap&format=json");
    let reply = alice_put(&http, url, hashmap.to_string()).await;
    assert_eq!(reply.status().as_u16(), 201, "{:?}", reply.text().await);
}

#[tokio::test]
async fn service_tokens_and_oauth2_clients_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_on(dir.path()).await;
    let (service, client) = (first.service_token(), first.oauth2_client());
    drop(first);
    let again = start_on(dir.path()).await;
    assert_eq!(again.service_token(), service);
    assert_eq!(again.oauth2_client(), client);
    drop(again);
    // One given again replaces the kept one of its name; the rest stay.
    let given = Emulator::builder()
        .component_spec("pithos:pithos-token")
        .unwrap()
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let names: Vec<String> = given.components().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&"pithos".to_string()), "{names:?}");
    assert!(names.contains(&"cyclades".to_string()), "{names:?}");
}

/// An emulator on a data dir, with the users it keeps.
async fn start_on(dir: &std::path::Path) -> Emulator {
    Emulator::builder().data_dir(dir).start().await.unwrap()
}

/// The tables of schema version 1 (users).
const TABLES_V1: &str = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE users (uuid TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,
         realname TEXT NOT NULL, token TEXT NOT NULL, position INTEGER NOT NULL);";

/// A data dir an older emulator left: its database made by `sql`; an
/// emulator started on it.
async fn start_on_old(sql: &str) -> (tempfile::TempDir, Emulator) {
    let dir = tempfile::tempdir().unwrap();
    let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    db.execute_batch(sql).unwrap();
    drop(db);
    let emu = start_on(dir.path()).await;
    (dir, emu)
}

#[tokio::test]
async fn a_version_1_data_dir_is_brought_to_the_current_schema() {
    let (dir, emu) = start_on_old(&format!(
        "{TABLES_V1}
         INSERT INTO meta VALUES ('schema_version', '1');
         INSERT INTO users VALUES ('u-1', 'old@example.com', 'Old', 'old-token', 0);"
    ))
    .await;
    assert_eq!(emu.users()[0].uuid, "u-1");
    assert_eq!(emu.token(), "old-token");
    drop(emu);
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_string());
    let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let kept: i64 = db
        .query_row("SELECT count(*) FROM components", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1, "the default component is kept now");
}

#[tokio::test]
async fn a_version_2_data_dir_gains_the_namespace_tables_and_keeps_its_users() {
    let (dir, emu) = start_on_old(&format!(
        "{TABLES_V1}
         CREATE TABLE components (name TEXT PRIMARY KEY, token TEXT NOT NULL);
         CREATE TABLE oauth2_clients (id TEXT PRIMARY KEY, secret TEXT NOT NULL,
             redirect_urls TEXT NOT NULL);
         INSERT INTO meta VALUES ('schema_version', '2');
         INSERT INTO users VALUES ('u-2', 'two@example.com', 'Two', 'two-token', 0);"
    ))
    .await;
    assert_eq!(emu.users()[0].uuid, "u-2");
    // The new tables work: an object put now is there after a restart.
    let http = reqwest::Client::new();
    let account = pithos_account(&emu);
    for (url, body) in [
        (format!("{account}/c"), Vec::new()),
        (format!("{account}/c/o"), b"kept".to_vec()),
    ] {
        let reply = http
            .put(url)
            .header("X-Auth-Token", "two-token")
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success(), "{}", reply.status());
    }
    drop(emu);
    assert_eq!(schema_version(dir.path()), SCHEMA_VERSION.to_string());
    let again = start_on(dir.path()).await;
    let got = http
        .get(format!("{}/c/o", pithos_account(&again)))
        .header("X-Auth-Token", "two-token")
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"kept");
}

#[tokio::test]
async fn unreferenced_blocks_are_removed_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .user("alice@example.com", "alice-token")
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let account = pithos_account(&emu);
    let http = reqwest::Client::new();
    for (url, body) in [
        (format!("{account}/data"), Vec::new()),
        (format!("{account}/data/kept"), vec![1u8; 1000]),
        (format!("{account}/data/gone"), vec![2u8; 1000]),
    ] {
        assert!(alice_put(&http, url, body).await.status().is_success());
    }
    let reply = http
        .delete(format!("{account}/data/gone?until=9999999999"))
        .header("X-Auth-Token", "alice-token")
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{}", reply.status());
    assert_eq!(block_files(dir.path()), 2);
    // What a version refers to stays; what none does goes.
    assert_eq!(emu.state().pithos.remove_unreferenced_blocks().unwrap(), 1);
    assert_eq!(block_files(dir.path()), 1);
    drop(emu);

    // At start: the blocks of kept objects stay.
    let again = Emulator::builder()
        .data_dir(dir.path())
        .remove_unreferenced_blocks()
        .start()
        .await
        .unwrap();
    assert_eq!(again.state().pithos.block_count(), 1);
    let reply = http
        .delete(format!(
            "{}/data/kept?until=9999999999",
            pithos_account(&again)
        ))
        .header("X-Auth-Token", "alice-token")
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "{}", reply.status());
    drop(again);

    // Once no version refers to it, it goes at the next such start, with
    // the maps of the purged versions.
    let last = Emulator::builder()
        .data_dir(dir.path())
        .remove_unreferenced_blocks()
        .start()
        .await
        .unwrap();
    assert_eq!(last.state().pithos.block_count(), 0);
    assert_eq!(block_files(dir.path()), 0);
    drop(last);
    let db = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let maps: i64 = db
        .query_row("SELECT count(*) FROM maps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(maps, 0, "no map of a purged version is left");
}
