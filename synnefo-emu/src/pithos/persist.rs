//! Pithos' namespace in the data dir's database, on a schema modelled on
//! Synnefo's SQL backend (`snf-pithos-backend`, `lib/sqlalchemy`):
//!
//! - `nodes`: the tree of paths, Synnefo's `nodes` (the root is node 0; an
//!   account's parent is the root, a container's its account, an object's
//!   its container), with the account's and container's times;
//! - `versions`: every version of every object by serial, with its hash,
//!   size, type, mtime, muser, uuid, checksum, cluster (0 normal, 1 history,
//!   2 deleted) and snapshot flag, as Synnefo's `versions`;
//! - `maps`: the block hashes of each map by its Merkle hash, as the map
//!   files of Synnefo's `hashfiler` (several versions share one map);
//! - `attributes`: the user metadata of each version by (serial, domain,
//!   key), as Synnefo's `attributes` (domain `pithos`);
//! - `policy`: a container's quota, versioning and project, as Synnefo's
//!   `policy`;
//! - `node_attributes`, `account_history`: the metadata of accounts and
//!   containers (Synnefo keeps them on versions of those nodes; the emulator
//!   does not version containers, and keeps an account's former metadata as
//!   a list);
//! - `groups` (owner, name, member), `xfeatures`/`xfeaturevals` (the read
//!   (0) and write (1) permissions of a path) and `public` (a path's public
//!   id), as Synnefo's tables of those names.
//!
//! Synnefo's `statistics` are not kept: the emulator counts from the
//! versions it holds.
//!
//! The running emulator holds the namespace in memory and writes what a
//! request changed ([`super::journal`]) in the request's transaction; at
//! start it reads it all back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::hashing::{empty_hash, from_hex, Hash};
use super::interner::Content;
use super::journal::Journal;
use super::model::{Account, Cluster, Container, Model, ObjectNode, Sharing, Version, Versioning};

/// The tables of Pithos' namespace (schema version 3).
pub const TABLES: &str = "
CREATE TABLE nodes (
    node INTEGER PRIMARY KEY,
    parent INTEGER REFERENCES nodes (node) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    created REAL NOT NULL DEFAULT 0,
    modified REAL NOT NULL DEFAULT 0
);
CREATE INDEX nodes_parent ON nodes (parent);
INSERT INTO nodes (node, parent, path) VALUES (0, NULL, '');
CREATE TABLE versions (
    serial INTEGER PRIMARY KEY,
    node INTEGER NOT NULL REFERENCES nodes (node) ON DELETE CASCADE,
    hash TEXT,
    size INTEGER NOT NULL,
    type TEXT NOT NULL,
    mtime REAL NOT NULL,
    muser TEXT NOT NULL,
    uuid TEXT NOT NULL,
    checksum TEXT NOT NULL,
    cluster INTEGER NOT NULL,
    is_snapshot INTEGER NOT NULL
);
CREATE INDEX versions_node ON versions (node, serial);
CREATE TABLE maps (hash TEXT PRIMARY KEY, blocks BLOB NOT NULL);
CREATE TABLE attributes (
    serial INTEGER NOT NULL REFERENCES versions (serial) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (serial, domain, key)
);
CREATE TABLE policy (
    node INTEGER NOT NULL REFERENCES nodes (node) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (node, key)
);
CREATE TABLE node_attributes (
    node INTEGER NOT NULL REFERENCES nodes (node) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (node, key)
);
CREATE TABLE account_history (
    node INTEGER NOT NULL REFERENCES nodes (node) ON DELETE CASCADE,
    mtime REAL NOT NULL,
    meta TEXT NOT NULL
);
CREATE INDEX account_history_node ON account_history (node);
CREATE TABLE groups (owner TEXT NOT NULL, name TEXT NOT NULL, member TEXT NOT NULL);
CREATE INDEX groups_owner ON groups (owner);
CREATE TABLE xfeatures (feature_id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
CREATE TABLE xfeaturevals (
    feature_id INTEGER NOT NULL REFERENCES xfeatures (feature_id) ON DELETE CASCADE,
    key INTEGER NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX xfeaturevals_feature ON xfeaturevals (feature_id);
CREATE TABLE public (public_id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE);
";

/// The domain of user metadata in `attributes`, as Synnefo's.
const DOMAIN: &str = "pithos";

/// An account as a request left it.
#[derive(Debug)]
struct AccountRows {
    uuid: String,
    /// The account without its containers.
    account: Account,
    /// The names of its containers.
    containers: BTreeSet<String>,
}

/// A container as a request left it (`None`: gone).
#[derive(Debug)]
struct ContainerRows {
    account: String,
    name: String,
    container: Option<Container>,
}

/// An object's versions as a request left them (none: gone).
#[derive(Debug)]
struct ObjectRows {
    account: String,
    container: String,
    name: String,
    versions: Vec<Version>,
}

/// A path's permissions and public id as a request left them.
#[derive(Debug)]
struct PathRows {
    path: String,
    sharing: Option<Sharing>,
    public: Option<String>,
}

/// What a request changed, copied out of the namespace to be written.
#[derive(Debug)]
pub struct Capture {
    /// The keys it covers (noted again if the write fails).
    pub journal: Journal,
    accounts: Vec<AccountRows>,
    /// Accounts whose time alone changed.
    account_times: Vec<(String, f64)>,
    /// Containers (by path) whose time alone changed.
    container_times: Vec<(String, f64)>,
    containers: Vec<ContainerRows>,
    /// Containers whose whole set of objects is rewritten.
    all_objects: Vec<(String, String, BTreeSet<String>)>,
    objects: Vec<ObjectRows>,
    paths: Vec<PathRows>,
    counters: (u64, f64),
}

impl Capture {
    /// Copies what `journal` names out of `model`.
    pub fn of(model: &Model, journal: Journal) -> Capture {
        let accounts = journal
            .accounts
            .iter()
            .filter_map(|uuid| {
                let account = model.accounts.get(uuid)?;
                Some(AccountRows {
                    uuid: uuid.clone(),
                    containers: account.containers.keys().cloned().collect(),
                    account: Account {
                        meta: account.meta.clone(),
                        meta_history: account.meta_history.clone(),
                        groups: account.groups.clone(),
                        containers: BTreeMap::new(),
                        modified: account.modified,
                    },
                })
            })
            .collect();
        let mut containers: BTreeSet<(String, String)> = journal.containers.clone();
        // A changed account may have gained or lost containers.
        for uuid in &journal.accounts {
            if let Some(account) = model.accounts.get(uuid) {
                for name in account.containers.keys() {
                    containers.insert((uuid.clone(), name.clone()));
                }
            }
        }
        let container_times = journal
            .container_times
            .iter()
            .filter(|key| !containers.contains(*key))
            .filter_map(|(a, c)| Some((format!("{a}/{c}"), model.container(a, c)?.modified)))
            .collect();
        let account_times = containers
            .iter()
            .chain(&journal.container_times)
            .map(|(a, _)| a)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|a| Some((a.clone(), model.accounts.get(a)?.modified)))
            .collect();
        let containers = containers
            .into_iter()
            .map(|(account, name)| ContainerRows {
                // Its own fields only: not its objects.
                container: model
                    .container(&account, &name)
                    .map(Container::without_objects),
                account,
                name,
            })
            .collect();
        let mut objects: BTreeSet<(String, String, String)> = journal.objects.clone();
        let mut all_objects = Vec::new();
        for (account, name) in &journal.all_objects {
            let names: BTreeSet<String> = model
                .container(account, name)
                .map(|c| c.objects.keys().cloned().collect())
                .unwrap_or_default();
            for object in &names {
                objects.insert((account.clone(), name.clone(), object.clone()));
            }
            all_objects.push((account.clone(), name.clone(), names));
        }
        let objects = objects
            .into_iter()
            .map(|(account, container, name)| ObjectRows {
                versions: model
                    .container(&account, &container)
                    .and_then(|c| c.objects.get(&name))
                    .map(|node| node.versions.clone())
                    .unwrap_or_default(),
                account,
                container,
                name,
            })
            .collect();
        let paths = journal
            .paths
            .iter()
            .map(|path| PathRows {
                path: path.clone(),
                sharing: model.sharing.get(path).cloned(),
                public: model.public.get(path).cloned(),
            })
            .collect();
        Capture {
            accounts,
            account_times,
            container_times,
            containers,
            all_objects,
            objects,
            paths,
            counters: model.counters(),
            journal,
        }
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.journal.is_empty()
    }

    /// Writes it in `tx`.
    pub fn write(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        for rows in &self.accounts {
            write_account(tx, rows)?;
        }
        for (path, modified) in self.account_times.iter().chain(&self.container_times) {
            tx.prepare_cached("UPDATE nodes SET modified = ?2 WHERE path = ?1")?
                .execute(params![path, modified])?;
        }
        for rows in &self.containers {
            write_container(tx, rows)?;
        }
        for (account, container, names) in &self.all_objects {
            drop_objects_not_in(tx, account, container, names)?;
        }
        for rows in &self.objects {
            write_object(tx, rows)?;
        }
        for rows in &self.paths {
            write_path(tx, rows)?;
        }
        let (serial, time) = self.counters;
        for (key, value) in [
            ("pithos_serial", serial.to_string()),
            ("pithos_time", time.to_string()),
        ] {
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        }
        Ok(())
    }
}

/// The node of `path` under `parent`, made if missing.
fn node(tx: &Transaction<'_>, parent: i64, path: &str) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO nodes (parent, path) VALUES (?1, ?2) ON CONFLICT (path) DO NOTHING",
    )?
    .execute(params![parent, path])?;
    tx.prepare_cached("SELECT node FROM nodes WHERE path = ?1")?
        .query_row([path], |row| row.get(0))
}

/// The node of `path`, if it has one.
fn find_node(tx: &Transaction<'_>, path: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT node FROM nodes WHERE path = ?1")?
        .query_row([path], |row| row.get(0))
        .optional()
}

fn write_meta(
    tx: &Transaction<'_>,
    node: i64,
    meta: &BTreeMap<String, String>,
) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM node_attributes WHERE node = ?1", [node])?;
    for (key, value) in meta {
        tx.execute(
            "INSERT INTO node_attributes (node, key, value) VALUES (?1, ?2, ?3)",
            params![node, key, value],
        )?;
    }
    Ok(())
}

fn write_account(tx: &Transaction<'_>, rows: &AccountRows) -> rusqlite::Result<()> {
    let account = &rows.account;
    let id = node(tx, 0, &rows.uuid)?;
    tx.execute(
        "UPDATE nodes SET modified = ?2 WHERE node = ?1",
        params![id, account.modified],
    )?;
    write_meta(tx, id, &account.meta)?;
    tx.execute("DELETE FROM account_history WHERE node = ?1", [id])?;
    for (mtime, meta) in &account.meta_history {
        let meta = serde_json::to_string(meta).unwrap_or_else(|_| "{}".into());
        tx.execute(
            "INSERT INTO account_history (node, mtime, meta) VALUES (?1, ?2, ?3)",
            params![id, mtime, meta],
        )?;
    }
    drop_children_not_in(tx, id, &format!("{}/", rows.uuid), &rows.containers)?;
    tx.execute("DELETE FROM groups WHERE owner = ?1", [&rows.uuid])?;
    for (name, members) in &account.groups {
        for member in members {
            tx.execute(
                "INSERT INTO groups (owner, name, member) VALUES (?1, ?2, ?3)",
                params![rows.uuid, name, member],
            )?;
        }
    }
    Ok(())
}

fn write_container(tx: &Transaction<'_>, rows: &ContainerRows) -> rusqlite::Result<()> {
    let path = format!("{}/{}", rows.account, rows.name);
    let Some(container) = &rows.container else {
        tx.execute("DELETE FROM nodes WHERE path = ?1", [&path])?;
        return Ok(());
    };
    let account = node(tx, 0, &rows.account)?;
    let id = node(tx, account, &path)?;
    tx.execute(
        "UPDATE nodes SET created = ?2, modified = ?3 WHERE node = ?1",
        params![id, container.created, container.modified],
    )?;
    write_meta(tx, id, &container.meta)?;
    let policy = [
        ("quota", container.quota.to_string()),
        ("versioning", container.versioning.as_str().to_string()),
        ("project", container.project.clone()),
    ];
    for (key, value) in policy {
        tx.execute(
            "INSERT INTO policy (node, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (node, key) DO UPDATE SET value = excluded.value",
            params![id, key, value],
        )?;
    }
    Ok(())
}

/// Removes the objects of a container whose names are not in `keep`.
fn drop_objects_not_in(
    tx: &Transaction<'_>,
    account: &str,
    container: &str,
    keep: &BTreeSet<String>,
) -> rusqlite::Result<()> {
    let Some(parent) = find_node(tx, &format!("{account}/{container}"))? else {
        return Ok(());
    };
    drop_children_not_in(tx, parent, &format!("{account}/{container}/"), keep)
}

/// Removes the children of `parent` whose names (their paths after
/// `prefix`) are not in `keep`.
fn drop_children_not_in(
    tx: &Transaction<'_>,
    parent: i64,
    prefix: &str,
    keep: &BTreeSet<String>,
) -> rusqlite::Result<()> {
    let stored: Vec<(i64, String)> = {
        let mut query = tx.prepare("SELECT node, path FROM nodes WHERE parent = ?1")?;
        let rows = query.query_map([parent], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, path) in stored {
        let name = path.strip_prefix(prefix).unwrap_or(&path);
        if !keep.contains(name) {
            tx.execute("DELETE FROM nodes WHERE node = ?1", [id])?;
        }
    }
    Ok(())
}

fn cluster_code(cluster: Cluster) -> i64 {
    match cluster {
        Cluster::Normal => 0,
        Cluster::History => 1,
        Cluster::Deleted => 2,
    }
}

fn write_object(tx: &Transaction<'_>, rows: &ObjectRows) -> rusqlite::Result<()> {
    let path = format!("{}/{}/{}", rows.account, rows.container, rows.name);
    if rows.versions.is_empty() {
        tx.execute("DELETE FROM nodes WHERE path = ?1", [&path])?;
        return Ok(());
    }
    let Some(parent) = find_node(tx, &format!("{}/{}", rows.account, rows.container))? else {
        // The container went in the same request.
        return Ok(());
    };
    let id = node(tx, parent, &path)?;
    let stored: BTreeSet<i64> = {
        let mut query = tx.prepare_cached("SELECT serial FROM versions WHERE node = ?1")?;
        let serials = query.query_map([id], |row| row.get(0))?;
        serials.collect::<rusqlite::Result<_>>()?
    };
    let kept: BTreeSet<i64> = rows.versions.iter().map(|v| serial_of(v.serial)).collect();
    for gone in stored.difference(&kept) {
        tx.execute("DELETE FROM versions WHERE serial = ?1", [gone])?;
    }
    for version in &rows.versions {
        let serial = serial_of(version.serial);
        if stored.contains(&serial) {
            tx.prepare_cached("UPDATE versions SET cluster = ?2 WHERE serial = ?1")?
                .execute(params![serial, cluster_code(version.cluster)])?;
        } else {
            insert_version(tx, id, version)?;
        }
    }
    Ok(())
}

fn serial_of(serial: u64) -> i64 {
    i64::try_from(serial).unwrap_or(i64::MAX)
}

fn insert_version(tx: &Transaction<'_>, node: i64, version: &Version) -> rusqlite::Result<()> {
    let serial = serial_of(version.serial);
    let hash = version.hash();
    tx.prepare_cached(
        "INSERT INTO versions (serial, node, hash, size, type, mtime, muser, uuid, checksum,
                               cluster, is_snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        serial,
        node,
        hash,
        i64::try_from(version.size).unwrap_or(i64::MAX),
        version.content_type,
        version.mtime,
        version.muser,
        version.uuid.to_string(),
        version.checksum,
        cluster_code(version.cluster),
        version.is_snapshot,
    ])?;
    if let Some(hash) = hash {
        let blocks: Vec<u8> = version.hashes().iter().flatten().copied().collect();
        tx.prepare_cached(
            "INSERT INTO maps (hash, blocks) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )?
        .execute(params![hash, blocks])?;
    }
    for (key, value) in &version.meta {
        tx.prepare_cached(
            "INSERT INTO attributes (serial, domain, key, value) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![serial, DOMAIN, key, value])?;
    }
    Ok(())
}

fn write_path(tx: &Transaction<'_>, rows: &PathRows) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM xfeatures WHERE path = ?1", [&rows.path])?;
    if let Some(sharing) = &rows.sharing {
        tx.execute("INSERT INTO xfeatures (path) VALUES (?1)", [&rows.path])?;
        let feature = tx.last_insert_rowid();
        for (key, members) in [(0, &sharing.read), (1, &sharing.write)] {
            for member in members {
                tx.execute(
                    "INSERT INTO xfeaturevals (feature_id, key, value) VALUES (?1, ?2, ?3)",
                    params![feature, key, member],
                )?;
            }
        }
    }
    tx.execute("DELETE FROM public WHERE path = ?1", [&rows.path])?;
    if let Some(id) = &rows.public {
        tx.execute(
            "INSERT INTO public (public_id, path) VALUES (?1, ?2)",
            params![id, rows.path],
        )?;
    }
    Ok(())
}

/// Where a node sits in the tree.
enum Place {
    Account(String),
    /// A container: its account, name and index in
    /// [`Places::containers`].
    Container(String, String, usize),
    /// An object: the index of its container in [`Places::containers`],
    /// and its name.
    Object(usize, String),
}

/// Every node read, by id (node ids are dense: a vector, not a map).
#[derive(Default)]
struct Places {
    by_node: Vec<Option<Place>>,
    /// (account, container) of each container read.
    containers: Vec<(String, String)>,
}

impl Places {
    fn get(&self, node: i64) -> Option<&Place> {
        let index = usize::try_from(node).ok()?;
        self.by_node.get(index)?.as_ref()
    }

    fn insert(&mut self, node: i64, place: Place) {
        let Ok(index) = usize::try_from(node) else {
            return;
        };
        if self.by_node.len() <= index {
            self.by_node.resize_with(index + 1, || None);
        }
        self.by_node[index] = Some(place);
    }
}

/// Reads the whole namespace back; it notes changes from then on.
pub fn load(db: &Connection) -> rusqlite::Result<Model> {
    let mut model = Model::default();
    let places = load_nodes(db, &mut model)?;
    load_node_meta(db, &mut model, &places)?;
    load_versions(db, &mut model, places)?;
    load_access(db, &mut model)?;
    let counter = |key: &str| -> rusqlite::Result<Option<String>> {
        db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()
    };
    let serial = counter("pithos_serial")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let time = counter("pithos_time")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    model.restore_counters(serial, time);
    model.keep_journal();
    Ok(model)
}

fn load_nodes(db: &Connection, model: &mut Model) -> rusqlite::Result<Places> {
    let mut places = Places::default();
    let mut query = db.prepare(
        "SELECT node, parent, path, created, modified FROM nodes WHERE node <> 0 ORDER BY node",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (id, parent, path): (i64, i64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let (created, modified): (f64, f64) = (row.get(3)?, row.get(4)?);
        let place = match places.get(parent) {
            None if parent == 0 => {
                model.accounts.insert(
                    path.clone(),
                    Account {
                        modified,
                        ..Account::default()
                    },
                );
                Place::Account(path)
            }
            Some(Place::Account(account)) => {
                let name = path
                    .strip_prefix(&format!("{account}/"))
                    .unwrap_or(&path)
                    .to_string();
                let mut container = Container::new(account, created);
                container.modified = modified;
                if let Some(a) = model.accounts.get_mut(account) {
                    a.containers.insert(name.clone(), container);
                }
                let account = account.clone();
                places.containers.push((account.clone(), name.clone()));
                Place::Container(account, name, places.containers.len() - 1)
            }
            Some(Place::Container(account, container, index)) => {
                let index = *index;
                // The path is account/container/name, and neither of the
                // first two holds a slash.
                let skip = account.len() + container.len() + 2;
                let name = path.get(skip..).unwrap_or_default().to_string();
                Place::Object(index, name)
            }
            // A node under an object or under nothing known: not one the
            // emulator writes; skipped.
            _ => continue,
        };
        places.insert(id, place);
    }
    Ok(places)
}

fn load_node_meta(db: &Connection, model: &mut Model, places: &Places) -> rusqlite::Result<()> {
    let mut query = db.prepare("SELECT node, key, value FROM node_attributes")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (id, key, value): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        match places.get(id) {
            Some(Place::Account(a)) => {
                if let Some(account) = model.accounts.get_mut(a) {
                    account.meta.insert(key, value);
                }
            }
            Some(Place::Container(a, c, _)) => {
                if let Some(container) = model.container_mut(a, c) {
                    container.meta.insert(key, value);
                }
            }
            _ => {}
        }
    }
    let mut query = db.prepare("SELECT node, key, value FROM policy")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (id, key, value): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let Some(Place::Container(a, c, _)) = places.get(id) else {
            continue;
        };
        let Some(container) = model.container_mut(a, c) else {
            continue;
        };
        match key.as_str() {
            "quota" => container.quota = value.parse().unwrap_or(0),
            "versioning" if value == "none" => container.versioning = Versioning::None,
            "versioning" => container.versioning = Versioning::Auto,
            "project" => container.project = value,
            _ => {}
        }
    }
    let mut query = db.prepare("SELECT node, mtime, meta FROM account_history ORDER BY rowid")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (id, mtime, meta): (i64, f64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        if let Some(Place::Account(a)) = places.get(id) {
            if let Some(account) = model.accounts.get_mut(a) {
                let meta = serde_json::from_str(&meta).unwrap_or_default();
                account.meta_history.push((mtime, meta));
            }
        }
    }
    let mut query = db.prepare("SELECT owner, name, member FROM groups ORDER BY rowid")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (owner, name, member): (String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        if let Some(account) = model.accounts.get_mut(&owner) {
            account.groups.entry(name).or_default().push(member);
        }
    }
    Ok(())
}

fn cluster_of(code: i64) -> Cluster {
    match code {
        0 => Cluster::Normal,
        1 => Cluster::History,
        _ => Cluster::Deleted,
    }
}

/// The contents of the maps, by Merkle hash, each shared through `model`
/// (so that versions made after the load share them too).
fn load_maps(db: &Connection, model: &mut Model) -> rusqlite::Result<HashMap<Hash, Content>> {
    let mut maps = HashMap::new();
    let mut query = db.prepare("SELECT hash, blocks FROM maps")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let Some(merkle) = from_hex(row.get_ref(0)?.as_str()?) else {
            continue;
        };
        let blocks: Vec<Hash> = row
            .get_ref(1)?
            .as_blob()?
            .chunks_exact(32)
            .filter_map(|c| Hash::try_from(c).ok())
            .collect();
        maps.insert(
            merkle,
            model.share_content(Content::with_merkle(merkle, &blocks)),
        );
    }
    Ok(maps)
}

fn load_versions(db: &Connection, model: &mut Model, places: Places) -> rusqlite::Result<()> {
    let maps = load_maps(db, model)?;
    // The versions of each node, by node id.
    let mut versions: Vec<Vec<Version>> = Vec::new();
    versions.resize_with(places.by_node.len(), Vec::new);
    let mut attributes =
        db.prepare("SELECT serial, key, value FROM attributes WHERE domain = ?1 ORDER BY serial")?;
    let mut attributes = attributes.query([DOMAIN])?;
    let mut pending: Option<(i64, String, String)> = None;
    let mut query = db.prepare(
        "SELECT serial, node, hash, size, type, mtime, muser, uuid, checksum, cluster, is_snapshot
         FROM versions ORDER BY serial",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let serial: i64 = row.get(0)?;
        let size = u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0);
        let content = match row.get_ref(2)?.as_str_or_null()? {
            Some(h) => {
                let merkle = from_hex(h).unwrap_or_else(empty_hash);
                match maps.get(&merkle) {
                    Some(content) => content.clone(),
                    // A map missing from its table: the version reads as
                    // zeros rather than not at all.
                    None => model.share_content(Content::with_merkle(merkle, &[empty_hash()])),
                }
            }
            None => Content::none(),
        };
        // The attributes, also in serial order, joined as they come.
        let mut meta = BTreeMap::new();
        loop {
            if pending.is_none() {
                pending = match attributes.next()? {
                    Some(a) => Some((a.get(0)?, a.get(1)?, a.get(2)?)),
                    None => None,
                };
            }
            match pending.take() {
                Some((s, key, value)) if s == serial => {
                    meta.insert(key, value);
                }
                Some(p) if p.0 < serial => {}
                other => {
                    pending = other;
                    break;
                }
            }
        }
        let version = Version {
            serial: u64::try_from(serial).unwrap_or(0),
            mtime: row.get(5)?,
            cluster: cluster_of(row.get(9)?),
            size,
            content,
            content_type: model.share_string(row.get_ref(4)?.as_str()?),
            checksum: row.get(8)?,
            uuid: {
                let text = row.get_ref(7)?.as_str()?;
                uuid::Uuid::parse_str(text).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        7,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?
            },
            muser: model.share_string(row.get_ref(6)?.as_str()?),
            meta: meta.into(),
            is_snapshot: row.get(10)?,
        };
        let node = row.get::<_, i64>(1)?;
        if let Some(Place::Object(..)) = places.get(node) {
            if let Some(list) = usize::try_from(node).ok().and_then(|n| versions.get_mut(n)) {
                if list.is_empty() {
                    // Most objects have one version: room for one.
                    list.reserve_exact(1);
                }
                list.push(version);
            }
        }
    }
    // Each container's objects, built at once from its sorted names.
    let mut objects: Vec<Vec<(String, ObjectNode)>> = Vec::new();
    objects.resize_with(places.containers.len(), Vec::new);
    for (place, versions) in places.by_node.into_iter().zip(versions) {
        if let (Some(Place::Object(index, name)), false) = (place, versions.is_empty()) {
            if let Some(list) = objects.get_mut(index) {
                list.push((name, ObjectNode { versions }));
            }
        }
    }
    for ((account, container), list) in places.containers.into_iter().zip(objects) {
        if let Some(c) = model.container_mut(&account, &container) {
            c.objects = list.into_iter().collect();
        }
    }
    Ok(())
}

fn load_access(db: &Connection, model: &mut Model) -> rusqlite::Result<()> {
    let mut query = db.prepare(
        "SELECT f.path, v.key, v.value FROM xfeatures f JOIN xfeaturevals v
         ON v.feature_id = f.feature_id ORDER BY v.rowid",
    )?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (path, key, member): (String, i64, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let sharing = model.sharing.entry(path).or_default();
        if key == 0 {
            sharing.read.push(member);
        } else {
            sharing.write.push(member);
        }
    }
    let mut query = db.prepare("SELECT public_id, path FROM public")?;
    let mut rows = query.query([])?;
    while let Some(row) = rows.next()? {
        let (id, path): (String, String) = (row.get(0)?, row.get(1)?);
        model.public_ids.insert(id.clone(), path.clone());
        model.public.insert(path, id);
    }
    Ok(())
}

/// Removes the maps no version refers to.
pub fn remove_unreferenced_maps(db: &Connection) -> rusqlite::Result<usize> {
    db.execute(
        "DELETE FROM maps WHERE hash NOT IN (SELECT hash FROM versions WHERE hash IS NOT NULL)",
        [],
    )
}
