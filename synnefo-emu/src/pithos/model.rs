//! The Pithos namespace: accounts, containers, objects and their versions,
//! sharing permissions and public URLs, as Synnefo's modular backend keeps
//! them (nodes with versions in clusters: normal, history, deleted).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use super::hashing::{empty_hash, Hash};
use super::interner::{Content, Contents, Interner};
use super::journal::Journal;
use super::usage::{meta_keys, Usage};

/// Where a version stands, as the backend's clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cluster {
    /// The current version of an object.
    Normal,
    /// A former version.
    History,
    /// The marker of a deletion.
    Deleted,
}

/// The versioning policy of a container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioning {
    /// Keep every version.
    Auto,
    /// Keep only the current version.
    None,
}

impl Versioning {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Versioning::Auto => "auto",
            Versioning::None => "none",
        }
    }
}

/// A version's user-defined metadata. Most versions have none, and none
/// costs one pointer (a map costs three words even when empty, and a
/// million versions each carry one); it reads as a map, and takes room
/// for one when written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
// The box is the point: one word in every version instead of a map's three.
#[allow(clippy::box_collection)]
pub struct Meta(Option<Box<BTreeMap<String, String>>>);

/// The map of a [`Meta`] that has none.
static NO_META: BTreeMap<String, String> = BTreeMap::new();

impl std::ops::Deref for Meta {
    type Target = BTreeMap<String, String>;

    fn deref(&self) -> &Self::Target {
        self.0.as_deref().unwrap_or(&NO_META)
    }
}

impl std::ops::DerefMut for Meta {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<BTreeMap<String, String>> for Meta {
    fn from(map: BTreeMap<String, String>) -> Self {
        Meta((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl<'a> IntoIterator for &'a Meta {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Meta {
    /// The map itself.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0.map(|m| *m).unwrap_or_default()
    }
}

/// One version of an object.
#[derive(Clone, Debug)]
pub struct Version {
    /// Its serial (the version id), unique in the whole store.
    pub serial: u64,
    /// When it was made (seconds since the epoch).
    pub mtime: f64,
    /// Its cluster.
    pub cluster: Cluster,
    /// The size in bytes.
    pub size: u64,
    /// Its Merkle hash and block hashes (none for a deletion marker),
    /// shared with the versions of equal content.
    pub content: Content,
    /// The content type.
    pub content_type: Arc<str>,
    /// The MD5 of the data when it was computed, else empty.
    pub checksum: Box<str>,
    /// The object's uuid (kept across updates and moves; shown
    /// hyphenated, in lower case).
    pub uuid: uuid::Uuid,
    /// Who made this version.
    pub muser: Arc<str>,
    /// User-defined metadata: `X-Object-Meta-*`, `Content-Encoding`,
    /// `Content-Disposition`, `X-Object-Manifest`.
    pub meta: Meta,
    /// Whether its data is a volume snapshot's (Synnefo's `is_snapshot`:
    /// an Archipelago map that the API may read but not rewrite; copies
    /// and metadata updates keep it).
    pub is_snapshot: bool,
}

impl Version {
    /// The block hashes.
    pub fn hashes(&self) -> &[Hash] {
        self.content.blocks()
    }

    /// The Merkle hash in hex (`None` for a deletion marker).
    pub fn hash(&self) -> Option<String> {
        self.content.hash()
    }

    /// Whether the content type is a directory's.
    pub fn is_directory(&self) -> bool {
        let base = self.content_type.split(';').next().unwrap_or("").trim();
        base == "application/directory" || base == "application/folder"
    }
}

/// An object path in a container with all its versions, oldest first.
#[derive(Clone, Debug, Default)]
pub struct ObjectNode {
    /// The versions, by increasing serial.
    pub versions: Vec<Version>,
}

impl ObjectNode {
    /// The latest version, whatever its cluster.
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The current version, if the object exists (is not deleted).
    pub fn current(&self) -> Option<&Version> {
        self.latest().filter(|v| v.cluster == Cluster::Normal)
    }

    /// The version that was current just before `until` (if any and not a
    /// deletion); the current one if `until` is `None`.
    pub fn at(&self, until: Option<f64>) -> Option<&Version> {
        match until {
            None => self.current(),
            Some(t) => self
                .versions
                .iter()
                .rev()
                .find(|v| v.mtime < t)
                .filter(|v| v.cluster != Cluster::Deleted),
        }
    }

    /// A version by serial, unless it is a deletion marker.
    pub fn version(&self, serial: u64) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.serial == serial && v.cluster != Cluster::Deleted)
    }
}

/// A container.
#[derive(Clone, Debug)]
pub struct Container {
    /// `X-Container-Meta-*` (full header names, formatted).
    pub meta: BTreeMap<String, String>,
    /// Quota policy in bytes (0: unlimited).
    pub quota: u64,
    /// Versioning policy.
    pub versioning: Versioning,
    /// The project its space is charged to.
    pub project: String,
    /// When it was created.
    pub created: f64,
    /// When it (or anything in it) last changed.
    pub modified: f64,
    /// The objects by name.
    pub objects: BTreeMap<String, ObjectNode>,
    /// What the current objects add up to: counted when first asked, then
    /// kept up to date by each new version and deletion (a listing or a
    /// quota check of a container of a million objects costs no count of
    /// them).
    usage: OnceLock<Usage>,
    /// Objects added one at a time since the map was last built at once:
    /// a B-tree grown by inserts at a few places (a folder's next name)
    /// keeps its nodes a quarter to half full, one built from sorted
    /// names keeps them full. A new object's version rebuilds the map
    /// first when it grew by an eighth ([`Container::compact`]), so that
    /// the nodes freed are reused by the objects that follow: after a
    /// million uploads into one container, the half-empty nodes were some
    /// 100 MiB more than the same objects read at a restart.
    grown: usize,
}

/// How many objects a container gains one at a time before
/// [`Container::compact`] rebuilds its map (and at least an eighth of
/// what it holds, so that rebuilding costs a few moves per insert).
const COMPACT_AFTER: usize = 4096;

impl Container {
    /// A new empty container of `owner`, created at `now`.
    pub fn new(owner: &str, now: f64) -> Self {
        Container {
            meta: BTreeMap::new(),
            quota: 0,
            versioning: Versioning::Auto,
            project: owner.to_string(),
            created: now,
            modified: now,
            objects: BTreeMap::new(),
            usage: OnceLock::new(),
            grown: 0,
        }
    }

    /// Rebuilds the map of objects from its sorted entries when many were
    /// added one at a time since it was last built (see `grown`): the
    /// same objects in about half the memory. Whether it did.
    pub fn compact(&mut self) -> bool {
        if self.grown < COMPACT_AFTER || self.grown < self.objects.len() / 8 {
            return false;
        }
        self.objects = std::mem::take(&mut self.objects).into_iter().collect();
        self.grown = 0;
        true
    }

    /// A container with the fields of `self` but no objects.
    pub fn without_objects(&self) -> Container {
        Container {
            meta: self.meta.clone(),
            quota: self.quota,
            versioning: self.versioning,
            project: self.project.clone(),
            created: self.created,
            modified: self.modified,
            objects: BTreeMap::new(),
            usage: OnceLock::new(),
            grown: 0,
        }
    }

    /// (object count, bytes, latest version time) of the objects current
    /// at `until`: a count of every object (see [`Container::usage`] for
    /// now).
    pub fn statistics(&self, until: f64) -> (u64, u64, f64) {
        let mut count = 0;
        let mut bytes = 0;
        let mut latest = 0f64;
        for node in self.objects.values() {
            if let Some(v) = node.at(Some(until)) {
                count += 1;
                bytes += v.size;
                latest = latest.max(v.mtime);
            }
        }
        (count, bytes, latest)
    }

    fn counted(&self) -> &Usage {
        self.usage.get_or_init(|| {
            let mut usage = Usage::default();
            for version in self.objects.values().filter_map(ObjectNode::current) {
                usage.add(version.size, &meta_keys(version));
            }
            usage
        })
    }

    /// (count, bytes) of the current objects.
    pub fn usage(&self) -> (u64, u64) {
        let usage = self.counted();
        (usage.count, usage.bytes)
    }

    /// The `X-Object-Meta-` keys (without that prefix) some current object
    /// has, in order.
    pub fn object_meta_keys(&self) -> Vec<&str> {
        self.counted()
            .meta_keys
            .keys()
            .map(String::as_str)
            .collect()
    }

    /// Keeps a container's `usage` up to date: the current version of an
    /// object was `before` (`None`: there was none) and is now `after`
    /// (`None`: deleted). On the field, so that it can be called while an
    /// object of the container is held.
    fn count_change(
        usage: &mut OnceLock<Usage>,
        before: Option<&Version>,
        after: Option<&Version>,
    ) {
        if let Some(usage) = usage.get_mut() {
            if let Some(v) = before {
                usage.remove(v.size, &meta_keys(v));
            }
            if let Some(v) = after {
                usage.add(v.size, &meta_keys(v));
            }
        }
    }

    /// Forgets the usage (after changes it cannot follow, e.g. purges).
    fn recount(&mut self) {
        self.usage = OnceLock::new();
    }

    /// The policy as the headers and listings show it.
    pub fn policy(&self) -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("quota", self.quota.to_string()),
            ("versioning", self.versioning.as_str().to_string()),
            ("project", self.project.clone()),
        ])
    }

    /// The current version of an object.
    pub fn current(&self, name: &str) -> Option<&Version> {
        self.objects.get(name).and_then(ObjectNode::current)
    }
}

/// An account (a user's storage namespace, named by the user's uuid).
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// `X-Account-Meta-*` (full header names, formatted).
    pub meta: BTreeMap<String, String>,
    /// The metadata from each change on (time, metadata), oldest first:
    /// Synnefo versions an account's metadata, and a read with `until`
    /// sees it as it was then.
    pub meta_history: Vec<(f64, BTreeMap<String, String>)>,
    /// Groups: name -> member uuids.
    pub groups: BTreeMap<String, Vec<String>>,
    /// The containers by name.
    pub containers: BTreeMap<String, Container>,
    /// When it (or anything in it) last changed.
    pub modified: f64,
}

/// Read and write permissions of a path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    /// Who may read: user uuids, `owner:group`, or `*`.
    pub read: Vec<String>,
    /// Who may write (and read).
    pub write: Vec<String>,
}

impl Sharing {
    /// Whether nobody is granted anything.
    pub fn is_empty(&self) -> bool {
        self.read.is_empty() && self.write.is_empty()
    }

    /// The `X-Object-Sharing` form: `read=a,b; write=c`.
    pub fn header_value(&self) -> String {
        let mut parts = Vec::new();
        if !self.read.is_empty() {
            parts.push(format!("read={}", self.read.join(",")));
        }
        if !self.write.is_empty() {
            parts.push(format!("write={}", self.write.join(",")));
        }
        parts.join("; ")
    }
}

/// What a new data version is made of.
#[derive(Clone, Debug)]
pub struct NewData {
    /// The size in bytes.
    pub size: u64,
    /// Its Merkle hash and block hashes.
    pub content: Content,
    /// The content type (`None`: keep the previous one).
    pub content_type: Option<String>,
    /// The MD5 checksum (`None`: keep the previous one).
    pub checksum: Option<String>,
    /// Whether it is a volume snapshot's data (copies of a snapshot are
    /// snapshots whatever this says).
    pub is_snapshot: bool,
}

/// The whole namespace.
#[derive(Debug, Default)]
pub struct Model {
    /// Accounts by uuid.
    pub accounts: BTreeMap<String, Account>,
    /// Permissions by path `account/container/object`.
    pub sharing: BTreeMap<String, Sharing>,
    /// Public ids by path.
    pub public: BTreeMap<String, String>,
    /// Paths by public id.
    pub public_ids: HashMap<String, String>,
    serial: u64,
    last_time: f64,
    /// What changed since the data dir last saw it; `None` without a data
    /// dir.
    journal: Option<Journal>,
    /// The users and content types of versions, shared.
    strings: Interner,
    /// The hashes and block lists of versions, shared by equal contents.
    contents: Contents,
}

impl Model {
    /// Every block hash some version (of any cluster) refers to.
    pub fn referenced_blocks(&self) -> std::collections::HashSet<Hash> {
        self.accounts
            .values()
            .flat_map(|a| a.containers.values())
            .flat_map(|c| c.objects.values())
            .flat_map(|o| o.versions.iter())
            .flat_map(|v| v.hashes().iter().copied())
            .collect()
    }
}

/// `account/container/name`.
pub fn object_path(account: &str, container: &str, name: &str) -> String {
    format!("{account}/{container}/{name}")
}

impl Model {
    /// Starts noting what changes (for a data dir).
    pub fn keep_journal(&mut self) {
        self.journal.get_or_insert_with(Journal::default);
    }

    /// What changed since the last call (empty without a data dir).
    pub fn take_journal(&mut self) -> Journal {
        self.journal
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Notes again what a failed write did not keep.
    pub fn requeue(&mut self, journal: Journal) {
        if let Some(kept) = &mut self.journal {
            kept.merge(journal);
        }
    }

    /// Whether changes wait to be written.
    pub fn has_changes(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| !j.is_empty())
    }

    fn note(&mut self, what: impl FnOnce(&mut Journal)) {
        if let Some(journal) = &mut self.journal {
            what(journal);
        }
    }

    fn note_object(&mut self, account: &str, container: &str, name: &str) {
        self.note(|j| {
            j.objects
                .insert((account.to_string(), container.to_string(), name.to_string()));
        });
    }

    /// The shared copy of a version's user or content type (for a data
    /// dir's load; new versions take theirs the same way).
    pub fn share_string(&mut self, text: &str) -> Arc<str> {
        self.strings.get(text)
    }

    /// Shares a version's content with the versions of equal content read
    /// before (for a data dir's load).
    pub fn share_content(&mut self, content: Content) -> Content {
        self.contents.share(content)
    }

    /// The last serial given and the last time given (for a data dir).
    pub fn counters(&self) -> (u64, f64) {
        (self.serial, self.last_time)
    }

    /// Goes on from a serial and a time kept in a data dir.
    pub fn restore_counters(&mut self, serial: u64, last_time: f64) {
        self.serial = self.serial.max(serial);
        self.last_time = self.last_time.max(last_time);
    }

    /// The current time, strictly increasing between calls.
    pub fn now(&mut self) -> f64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        // Microsecond steps, as the backend's timestamps.
        let next = (self.last_time + 1e-6).max((wall * 1e6).round() / 1e6);
        self.last_time = next;
        next
    }

    /// A fresh version serial.
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// The account of a uuid, created if needed (as the backend does for
    /// its owner).
    pub fn account_mut(&mut self, uuid: &str) -> &mut Account {
        self.note(|j| {
            j.accounts.insert(uuid.to_string());
        });
        if !self.accounts.contains_key(uuid) {
            let now = self.now();
            let account = Account {
                modified: now,
                ..Account::default()
            };
            self.accounts.insert(uuid.to_string(), account);
        }
        self.accounts.entry(uuid.to_string()).or_default()
    }

    /// Makes the account of a uuid if it has none (as the backend does for
    /// its owner on a read); an existing one is left as it is, and so is
    /// not written to a data dir again.
    pub fn ensure_account(&mut self, uuid: &str) {
        if !self.accounts.contains_key(uuid) {
            self.account_mut(uuid);
        }
    }

    /// A container.
    pub fn container(&self, account: &str, container: &str) -> Option<&Container> {
        self.accounts.get(account)?.containers.get(container)
    }

    /// A container, mutable.
    pub fn container_mut(&mut self, account: &str, container: &str) -> Option<&mut Container> {
        self.note(|j| {
            j.containers
                .insert((account.to_string(), container.to_string()));
        });
        let c = self
            .accounts
            .get_mut(account)?
            .containers
            .get_mut(container)?;
        // The caller may change anything, objects included.
        c.recount();
        Some(c)
    }

    /// A container whose objects (not its own fields) the caller changes
    /// and notes itself.
    fn objects_of(&mut self, account: &str, container: &str) -> Option<&mut Container> {
        // Callers keep the usage up to date (or forget it) themselves.
        self.accounts
            .get_mut(account)?
            .containers
            .get_mut(container)
    }

    /// Marks a container (and its account) changed at `now`.
    pub fn touch(&mut self, account: &str, container: Option<&str>, now: f64) {
        // A container's change carries its account's time with it.
        self.note(|j| match container {
            Some(c) => {
                j.container_times
                    .insert((account.to_string(), c.to_string()));
            }
            None => {
                j.accounts.insert(account.to_string());
            }
        });
        if let Some(acc) = self.accounts.get_mut(account) {
            acc.modified = acc.modified.max(now);
            if let Some(cont) = container.and_then(|c| acc.containers.get_mut(c)) {
                cont.modified = cont.modified.max(now);
            }
        }
    }

    /// Adds a version to `account/container/name` made by `user`, moving the
    /// current one to history (or dropping it without versioning), with the
    /// user-defined metadata `meta` (see [`merge_meta`]). Data, content type
    /// and checksum not given come from `source` (a copy or move) or else
    /// from the current version. Returns (new serial, size of the version it
    /// replaced). The container must exist.
    #[allow(clippy::too_many_arguments)]
    pub fn put_version(
        &mut self,
        user: &str,
        account: &str,
        container: &str,
        name: &str,
        data: Option<NewData>,
        source: Option<&Version>,
        keep_uuid: bool,
        meta: BTreeMap<String, String>,
    ) -> (u64, u64) {
        let now = self.now();
        let serial = self.next_serial();
        self.note_object(account, container, name);
        let muser = self.strings.get(user);
        let given_type = data
            .as_ref()
            .and_then(|d| d.content_type.as_deref())
            .map(|t| self.strings.get(t));
        // The fields apart, so that the shared contents can be used while
        // the container is held.
        let Some(cont) = self
            .accounts
            .get_mut(account)
            .and_then(|a| a.containers.get_mut(container))
        else {
            return (serial, 0);
        };
        let versioning = cont.versioning;
        cont.compact();
        let node = match cont.objects.entry(name.to_string()) {
            std::collections::btree_map::Entry::Occupied(node) => node.into_mut(),
            std::collections::btree_map::Entry::Vacant(slot) => {
                cont.grown += 1;
                slot.insert(ObjectNode::default())
            }
        };
        let previous = node.current().cloned();
        let base = source.cloned().or_else(|| previous.clone());
        let uuid = match (&base, keep_uuid) {
            (Some(b), true) => b.uuid,
            _ => uuid::Uuid::new_v4(),
        };
        let new_meta = meta;
        let is_snapshot = match &data {
            Some(d) => d.is_snapshot || source.is_some_and(|s| s.is_snapshot),
            None => base.as_ref().is_some_and(|b| b.is_snapshot),
        };
        let (size, content, content_type, checksum) = match data {
            Some(d) => (
                d.size,
                d.content,
                given_type
                    .or_else(|| base.as_ref().map(|b| b.content_type.clone()))
                    .unwrap_or_default(),
                d.checksum
                    .map(Box::from)
                    .or_else(|| base.as_ref().map(|b| b.checksum.clone()))
                    .unwrap_or_default(),
            ),
            None => match &base {
                Some(b) => (
                    b.size,
                    b.content.clone(),
                    b.content_type.clone(),
                    b.checksum.clone(),
                ),
                None => (
                    0,
                    Content::of(&[empty_hash()]),
                    Arc::from(""),
                    Box::default(),
                ),
            },
        };
        let content = if size == 0 {
            Content::of(&[empty_hash()])
        } else {
            content
        };
        let content = self.contents.share(content);
        if let Some(last) = node.versions.last_mut() {
            if last.cluster == Cluster::Normal {
                last.cluster = Cluster::History;
            }
        }
        if versioning == Versioning::None {
            if let Some(prev) = &previous {
                node.versions.retain(|v| v.serial != prev.serial);
            }
        }
        if node.versions.is_empty() {
            // Most objects keep one version: room for one, not the four
            // a first push makes (a Version is some 200 bytes).
            node.versions.reserve_exact(1);
        }
        let version = Version {
            serial,
            mtime: now,
            cluster: Cluster::Normal,
            size,
            content,
            content_type,
            checksum,
            uuid,
            muser,
            meta: new_meta.into(),
            is_snapshot,
        };
        Container::count_change(&mut cont.usage, previous.as_ref(), Some(&version));
        node.versions.push(version);
        self.touch(account, Some(container), now);
        (serial, previous.map_or(0, |p| p.size))
    }

    /// Deletes the current version of an object (a deletion marker
    /// replaces it) and clears its permissions and public id; returns the
    /// freed size, or `None` if the object does not exist.
    pub fn delete_current(
        &mut self,
        user: &str,
        account: &str,
        container: &str,
        name: &str,
    ) -> Option<u64> {
        let now = self.now();
        let serial = self.next_serial();
        self.note_object(account, container, name);
        let muser = self.strings.get(user);
        let cont = self.objects_of(account, container)?;
        let versioning = cont.versioning;
        let node = cont.objects.get_mut(name)?;
        let current = node.current()?.clone();
        if let Some(last) = node.versions.last_mut() {
            last.cluster = Cluster::History;
        }
        if versioning == Versioning::None {
            node.versions.retain(|v| v.serial != current.serial);
        }
        node.versions.push(Version {
            serial,
            mtime: now,
            cluster: Cluster::Deleted,
            size: 0,
            content: Content::none(),
            content_type: Arc::from(""),
            checksum: Box::default(),
            uuid: current.uuid,
            muser,
            meta: Meta::default(),
            is_snapshot: false,
        });
        Container::count_change(&mut cont.usage, Some(&current), None);
        self.touch(account, Some(container), now);
        self.clear_access(&object_path(account, container, name));
        Some(current.size)
    }

    /// Purges the versions of an object made up to `until` (the current
    /// one too); returns the size of the purged current version.
    pub fn purge_object(&mut self, account: &str, container: &str, name: &str, until: f64) -> u64 {
        let now = self.now();
        self.note_object(account, container, name);
        let Some(cont) = self.objects_of(account, container) else {
            return 0;
        };
        let Some(node) = cont.objects.get_mut(name) else {
            return 0;
        };
        let freed = node
            .versions
            .iter()
            .filter(|v| v.cluster == Cluster::Normal && v.mtime <= until)
            .map(|v| v.size)
            .sum();
        node.versions.retain(|v| v.mtime > until);
        let gone = node.current().is_none();
        if node.versions.is_empty() {
            cont.objects.remove(name);
        }
        cont.recount();
        self.touch(account, Some(container), now);
        if gone {
            self.clear_access(&object_path(account, container, name));
        }
        freed
    }

    /// Purges the history (former versions and deletion markers) of every
    /// object in a container up to `until`.
    pub fn purge_history(&mut self, account: &str, container: &str, until: f64) {
        let now = self.now();
        self.note(|j| {
            j.all_objects
                .insert((account.to_string(), container.to_string()));
        });
        if let Some(cont) = self.objects_of(account, container) {
            for node in cont.objects.values_mut() {
                node.versions
                    .retain(|v| v.cluster == Cluster::Normal || v.mtime > until);
            }
            cont.objects.retain(|_, node| !node.versions.is_empty());
        }
        self.touch(account, Some(container), now);
    }

    /// Removes the permissions and the public id of a path.
    pub fn clear_access(&mut self, path: &str) {
        self.note(|j| {
            j.paths.insert(path.to_string());
        });
        self.sharing.remove(path);
        if let Some(id) = self.public.remove(path) {
            self.public_ids.remove(&id);
        }
    }

    /// Makes a path public (keeping its id if it already is); its id.
    pub fn set_public(&mut self, path: &str) -> String {
        if let Some(id) = self.public.get(path) {
            return id.clone();
        }
        self.note(|j| {
            j.paths.insert(path.to_string());
        });
        let mut length = 16;
        let id = loop {
            let candidate = random_word(length);
            if !self.public_ids.contains_key(&candidate) {
                break candidate;
            }
            length += 1;
        };
        self.public.insert(path.to_string(), id.clone());
        self.public_ids.insert(id.clone(), path.to_string());
        id
    }

    /// Makes a path private.
    pub fn unset_public(&mut self, path: &str) {
        self.note(|j| {
            j.paths.insert(path.to_string());
        });
        if let Some(id) = self.public.remove(path) {
            self.public_ids.remove(&id);
        }
    }

    /// Sets (or, if empty, removes) the permissions of a path.
    pub fn set_sharing(&mut self, path: &str, sharing: Sharing) {
        self.note(|j| {
            j.paths.insert(path.to_string());
        });
        if sharing.is_empty() {
            self.sharing.remove(path);
        } else {
            self.sharing.insert(path.to_string(), sharing);
        }
    }
}

/// The user-defined metadata of a new version: `meta` over `base` (empty
/// values delete keys), or `meta` alone (without empty values) if `replace`.
pub fn merge_meta(
    base: Option<&BTreeMap<String, String>>,
    meta: &BTreeMap<String, String>,
    replace: bool,
) -> BTreeMap<String, String> {
    let mut merged = if replace {
        BTreeMap::new()
    } else {
        base.cloned().unwrap_or_default()
    };
    for (k, v) in meta {
        if v.is_empty() {
            merged.remove(k);
        } else {
            merged.insert(k.clone(), v.clone());
        }
    }
    merged
}

/// A random word of the public URL alphabet.
fn random_word(length: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut word = String::with_capacity(length);
    while word.len() < length {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            if word.len() == length {
                break;
            }
            word.push(ALPHABET[usize::from(*byte) % ALPHABET.len()] as char);
        }
    }
    word
}

#[cfg(test)]
impl Model {
    /// A namespace with one empty container, `c` of account `u` (for
    /// tests).
    pub(crate) fn with_container_c_of_u() -> Model {
        let mut model = Model::default();
        let now = model.now();
        model
            .account_mut("u")
            .containers
            .insert("c".into(), Container::new("u", now));
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_grown_one_object_at_a_time_is_rebuilt_with_the_same_objects() {
        let mut model = Model::with_container_c_of_u();
        let add = |model: &mut Model, from: usize, to: usize| {
            for i in from..to {
                // Names as a bench makes them: each folder grows at its end.
                let name = format!("d{:02}/o{i:07}", i % 100);
                model.put_version("u", "u", "c", &name, None, None, false, BTreeMap::new());
            }
        };
        let names = |model: &Model| -> Vec<(String, u64)> {
            model.accounts["u"].containers["c"]
                .objects
                .iter()
                .map(|(name, node)| (name.clone(), node.versions[0].serial))
                .collect()
        };
        let grown = |model: &Model| model.accounts["u"].containers["c"].grown;
        add(&mut model, 0, COMPACT_AFTER);
        assert_eq!(grown(&model), COMPACT_AFTER, "no rebuild yet");
        let before = names(&model);
        // The next new object's version rebuilds the map first.
        add(&mut model, COMPACT_AFTER, COMPACT_AFTER + 1);
        assert_eq!(grown(&model), 1);
        let mut after = names(&model);
        after.retain(|(name, _)| before.iter().any(|(b, _)| b == name));
        assert_eq!(before, after, "the same objects, the same versions");
        assert_eq!(
            model.accounts["u"].containers["c"].objects.len(),
            COMPACT_AFTER + 1
        );
        // New versions of objects already there are no growth.
        add(&mut model, 0, COMPACT_AFTER + 1);
        assert_eq!(grown(&model), 1);
    }
}
