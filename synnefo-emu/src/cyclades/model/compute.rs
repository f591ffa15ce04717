//! Cyclades' compute records (servers, flavors, keypairs) and their store:
//! plain data, and what follows from it alone, below the API that serves it,
//! so that every Cyclades API can consult them with no import back up.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::cyclades::Cloud;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

/// How long an action takes by default (Synnefo's backend takes seconds;
/// tests usually set zero).
pub const DEFAULT_ACTION_DELAY: Duration = Duration::from_secs(1);

/// The state of Cyclades compute.
#[derive(Debug)]
pub struct ComputeState {
    data: Mutex<ComputeData>,
    delay_ms: AtomicU64,
}

impl Default for ComputeState {
    fn default() -> Self {
        ComputeState {
            data: Mutex::new(ComputeData::default()),
            delay_ms: AtomicU64::new(millis(DEFAULT_ACTION_DELAY)),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl ComputeState {
    /// How long server, port and volume actions take to complete.
    pub fn action_delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms.load(Ordering::Relaxed))
    }

    /// Sets how long actions take (zero: complete at the next request).
    pub fn set_action_delay(&self, delay: Duration) {
        self.delay_ms.store(millis(delay), Ordering::Relaxed);
    }

    /// The data; lock it through [`crate::cyclades::Cloud`] only, which
    /// takes the three Cyclades locks in a fixed order.
    pub(crate) fn data(&self) -> MutexGuard<'_, ComputeData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as JSON, for the data dir: flavors, servers (their
    /// pending actions by the wall-clock time they complete), keypairs and
    /// the id counters. The action delay is a start option and is left
    /// out.
    pub fn snapshot(&self) -> Value {
        let data = self.data().clone();
        // Cannot fail: every map has string or integer keys, and times are
        // written in a format that holds every representable time.
        serde_json::to_value(data).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (start
    /// options kept: the action delay is the running one). An action whose
    /// time has passed completes at the next request, as it would have
    /// without the restart.
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let data: ComputeData = serde_json::from_value(snapshot)?;
        *self.data() = data;
        Ok(())
    }
}

/// Servers, flavors and keypairs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ComputeData {
    /// Flavors by id.
    pub flavors: BTreeMap<u64, Flavor>,
    /// Servers by id, deleted ones included (they answer `DELETED`).
    pub servers: BTreeMap<u64, Server>,
    /// Keypairs by (owner uuid, name); a list of keypairs in snapshots.
    #[serde(with = "keypair_list")]
    pub keypairs: BTreeMap<(String, String), Keypair>,
    next_server: u64,
    next_keypair: u64,
}

impl Default for ComputeData {
    fn default() -> Self {
        ComputeData {
            flavors: seed_flavors(),
            servers: BTreeMap::new(),
            keypairs: BTreeMap::new(),
            next_server: 1,
            next_keypair: 1,
        }
    }
}

/// Keypairs as a list (a JSON object cannot have pair keys): each is
/// filed again under its owner and name.
mod keypair_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Keypair;

    pub(super) fn serialize<S: Serializer>(
        keypairs: &BTreeMap<(String, String), Keypair>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(keypairs.values())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<(String, String), Keypair>, D::Error> {
        let list = Vec::<Keypair>::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|k| ((k.user.clone(), k.name.clone()), k))
            .collect())
    }
}

impl ComputeData {
    /// A fresh server id.
    pub fn new_server_id(&mut self) -> u64 {
        let id = self.next_server;
        self.next_server += 1;
        id
    }

    /// A fresh keypair id.
    pub fn new_keypair_id(&mut self) -> u64 {
        let id = self.next_keypair;
        self.next_keypair += 1;
        id
    }
}

/// A tag of a server: `PENDADD` until the backend confirms it, then
/// `ACTIVE`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The tag.
    pub name: String,
    /// When it becomes `ACTIVE` (a wall-clock time in snapshots).
    #[serde(with = "crate::clock::instant_as_wall")]
    pub active_at: Instant,
}

impl Tag {
    /// `PENDADD` or `ACTIVE`.
    pub fn status(&self, now: Instant) -> &'static str {
        if now >= self.active_at {
            "ACTIVE"
        } else {
            "PENDADD"
        }
    }
}

/// A virtual server.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Server {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The owner's uuid.
    pub user: String,
    /// The project its resources are charged to.
    pub project: String,
    /// Its flavor's id.
    pub flavor: u64,
    /// The id of the image it was built from.
    pub image: String,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// The state the backend last reported.
    pub oper: OperState,
    /// Whether it is deleted.
    pub deleted: bool,
    /// Whether it is in rescue mode.
    pub rescue: bool,
    /// The action in progress, if any.
    pub task: Option<Task>,
    /// When building started (for `progress`; a wall-clock time in
    /// snapshots).
    #[serde(with = "crate::clock::instant_as_wall")]
    pub build_started: Instant,
    /// Custom metadata.
    pub metadata: BTreeMap<String, String>,
    /// User tags.
    pub tags: Vec<Tag>,
    /// Names of the keypairs injected.
    pub key_names: Vec<String>,
    /// Diagnostic log entries, oldest first.
    pub diagnostics: Vec<Value>,
    /// The admin password, until the user deletes it.
    pub password: Option<String>,
    /// The flavor whose resources are charged (the new one once a resize
    /// is issued).
    pub charged_flavor: u64,
    /// Whether the running resources (`cyclades.cpu`, `cyclades.ram`) are
    /// charged.
    pub online_charged: bool,
}

impl Server {
    /// The API status: `BUILD`, `ACTIVE`, `STOPPED`, `REBOOT`, `RESIZE`,
    /// `ERROR` or `DELETED`.
    pub fn status(&self) -> &'static str {
        if self.deleted {
            return "DELETED";
        }
        let pending = self.task.as_ref().map(|t| &t.action);
        match self.oper {
            OperState::Build => "BUILD",
            OperState::Error => "ERROR",
            OperState::Started if matches!(pending, Some(Action::Reboot)) => "REBOOT",
            OperState::Started => "ACTIVE",
            OperState::Stopped if matches!(pending, Some(Action::Resize { .. })) => "RESIZE",
            OperState::Stopped => "STOPPED",
        }
    }

    /// `BUILDING`, `STOPPING`... or empty.
    pub fn task_state(&self) -> &'static str {
        self.task.as_ref().map_or("", |t| t.action.task_state())
    }

    /// Build progress, 0-100.
    pub fn progress(&self, cloud: &Cloud) -> u64 {
        if self.oper != OperState::Build {
            return 100;
        }
        // Measured against when this build is due (which a restart keeps),
        // else against the delay of actions now.
        let total = match &self.task {
            Some(task) => task.due.saturating_duration_since(self.build_started),
            None => cloud.delay,
        }
        .as_millis()
        .max(1);
        let done = cloud
            .now
            .saturating_duration_since(self.build_started)
            .as_millis();
        u64::try_from((done * 100 / total).min(99)).unwrap_or(99)
    }
}

/// The server `id_text` of `user`, deleted ones included; `400` on a
/// malformed id, `404` if there is none.
pub fn find<'c>(cloud: &'c Cloud, user: &User, id_text: &str) -> ApiResult<&'c Server> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request("Invalid server ID."))?;
    cloud
        .compute
        .servers
        .get(&id)
        .filter(|s| s.user == user.uuid)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))
}

/// Like [`find`], but the server must not be deleted (`400`).
pub fn find_live(cloud: &Cloud, user: &User, id_text: &str) -> ApiResult<u64> {
    let server = find(cloud, user, id_text)?;
    if server.deleted {
        return Err(ApiError::bad_request("Server has been deleted."));
    }
    Ok(server.id)
}

/// A flavor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flavor {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Virtual CPUs.
    pub cpu: u64,
    /// RAM in MiB.
    pub ram: u64,
    /// Root disk in GB.
    pub disk: u64,
    /// The id of its volume type (which names the disk template).
    pub volume_type: u64,
    /// Whether every project may use it.
    pub public: bool,
    /// Whether servers may be created with it.
    pub allow_create: bool,
    /// Projects given access to it (for non-public flavors).
    pub access: Vec<String>,
    /// Whether it was retired.
    pub deleted: bool,
}

/// The flavors of a fresh cloud: for each disk template (`drbd`, then
/// `ext_vlmc`), 1, 2 or 4 CPUs, 1-8 GiB of RAM and 20, 40 or 80 GB of disk;
/// plus a large flavor servers may not be created with.
pub fn seed_flavors() -> BTreeMap<u64, Flavor> {
    let mut flavors = BTreeMap::new();
    let mut id = 0;
    for (volume_type, template) in super::volume::SEEDED_TYPES {
        for cpu in [1, 2, 4] {
            for ram in [1024, 2048, 4096, 8192] {
                for disk in [20, 40, 80] {
                    id += 1;
                    flavors.insert(
                        id,
                        Flavor {
                            id,
                            name: format!("C{cpu}R{ram}D{disk}{template}"),
                            cpu,
                            ram,
                            disk,
                            volume_type,
                            public: true,
                            allow_create: true,
                            access: Vec::new(),
                            deleted: false,
                        },
                    );
                }
            }
        }
    }
    id += 1;
    flavors.insert(
        id,
        Flavor {
            id,
            name: "C8R16384D160drbd".to_string(),
            cpu: 8,
            ram: 16384,
            disk: 160,
            volume_type: 1,
            public: true,
            allow_create: false,
            access: Vec::new(),
            deleted: false,
        },
    );
    flavors
}

impl Flavor {
    /// Whether a project (or, with `None`, any of the user's projects) may
    /// use this flavor.
    pub fn accessible(&self, projects: &[String]) -> bool {
        self.public || self.access.iter().any(|p| projects.contains(p))
    }
}

/// A keypair.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Keypair {
    /// Its id.
    pub id: u64,
    /// Its name, unique per user.
    pub name: String,
    /// The owner's uuid.
    pub user: String,
    /// The public key (`ssh-rsa AAAA... comment`).
    pub public_key: String,
    /// `aa:bb:...`: the MD5 of the key blob.
    pub fingerprint: String,
    /// When it was created.
    pub created: OffsetDateTime,
}

/// The state the backend last reported for a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperState {
    /// Being created.
    Build,
    /// Running.
    Started,
    /// Shut down.
    Stopped,
    /// Failed.
    Error,
}

/// An action in progress on a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Creation.
    Build,
    /// Start a stopped server.
    Start,
    /// Shut down.
    Stop,
    /// Reboot (soft or hard).
    Reboot,
    /// Change to another flavor.
    Resize {
        /// The new flavor.
        flavor: u64,
    },
    /// Deletion.
    Destroy,
    /// Enter rescue mode.
    Rescue,
    /// Leave rescue mode.
    Unrescue,
    /// Plug a port in.
    Connect {
        /// The port.
        port: u64,
    },
    /// Unplug (and delete) a port.
    Disconnect {
        /// The port.
        port: u64,
    },
    /// Plug a volume in.
    AttachVolume {
        /// The volume.
        volume: u64,
    },
    /// Unplug a volume.
    DetachVolume {
        /// The volume.
        volume: u64,
    },
    /// Unplug and delete a volume.
    DeleteVolume {
        /// The volume.
        volume: u64,
    },
}

impl Action {
    /// Synnefo's name of the action.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Build => "BUILD",
            Action::Start => "START",
            Action::Stop => "STOP",
            Action::Reboot => "REBOOT",
            Action::Resize { .. } => "RESIZE",
            Action::Destroy => "DESTROY",
            Action::Rescue => "RESCUE",
            Action::Unrescue => "UNRESCUE",
            Action::Connect { .. } => "CONNECT",
            Action::Disconnect { .. } => "DISCONNECT",
            Action::AttachVolume { .. } => "ATTACH_VOLUME",
            Action::DetachVolume { .. } => "DETACH_VOLUME",
            Action::DeleteVolume { .. } => "DELETE_VOLUME",
        }
    }

    /// The `SNF:task_state` shown while the action runs.
    pub fn task_state(&self) -> &'static str {
        match self {
            Action::Build => "BUILDING",
            Action::Start => "STARTING",
            Action::Stop => "STOPPING",
            Action::Reboot => "REBOOTING",
            Action::Resize { .. } => "RESIZING",
            Action::Destroy => "DESTROYING",
            Action::Rescue => "RESCUING",
            Action::Unrescue => "UNRESCUING",
            Action::Connect { .. } => "CONNECTING",
            Action::Disconnect { .. } => "DISCONNECTING",
            Action::AttachVolume { .. } => "ATTACHING_VOLUME",
            Action::DetachVolume { .. } => "DETACHING_VOLUME",
            Action::DeleteVolume { .. } => "UNKNOWN",
        }
    }
}

/// An action in progress and when it completes. A snapshot keeps the
/// wall-clock time only: restored, the monotonic one is computed from it
/// (see [`crate::clock::instant_at`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredTask")]
pub struct Task {
    /// The action.
    pub action: Action,
    /// When it completes (monotonic).
    #[serde(skip_serializing)]
    pub due: Instant,
    /// When it completes (wall clock, for `updated`).
    pub due_at: OffsetDateTime,
}

/// A task as a snapshot holds it.
#[derive(Deserialize)]
struct StoredTask {
    action: Action,
    due_at: OffsetDateTime,
}

impl From<StoredTask> for Task {
    fn from(stored: StoredTask) -> Task {
        Task {
            action: stored.action,
            due: crate::clock::instant_at(stored.due_at),
            due_at: stored.due_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A server of `alice` in BUILD, whose build completes in `in_secs`.
    fn building(data: &mut ComputeData, in_secs: i64) -> u64 {
        let id = data.new_server_id();
        let now = crate::clock::now();
        let due_at = now + time::Duration::seconds(in_secs);
        let server = Server {
            id,
            name: "vm".to_string(),
            user: "alice".to_string(),
            project: "alice".to_string(),
            flavor: 1,
            image: "img".to_string(),
            created: now,
            updated: now,
            oper: OperState::Build,
            deleted: false,
            rescue: false,
            task: Some(Task {
                action: Action::Build,
                due: crate::clock::instant_at(due_at),
                due_at,
            }),
            build_started: Instant::now(),
            metadata: BTreeMap::from([("os".to_string(), "debian".to_string())]),
            tags: vec![Tag {
                name: "db".to_string(),
                active_at: Instant::now() + Duration::from_secs(30),
            }],
            key_names: vec!["mine".to_string()],
            diagnostics: vec![json!({"level": "DEBUG"})],
            password: Some("secret".to_string()),
            charged_flavor: 1,
            online_charged: true,
        };
        data.servers.insert(id, server);
        id
    }

    #[test]
    fn snapshots_round_trip_keeping_the_action_delay() {
        let state = ComputeState::default();
        let id = {
            let mut data = state.data();
            let keypair = Keypair {
                id: data.new_keypair_id(),
                name: "mine".to_string(),
                user: "alice".to_string(),
                public_key: "ssh-rsa AAAA me@host".to_string(),
                fingerprint: "aa:bb".to_string(),
                created: crate::clock::now(),
            };
            data.keypairs
                .insert(("alice".to_string(), "mine".to_string()), keypair);
            building(&mut data, 3600)
        };
        let snapshot = state.snapshot();
        assert_eq!(snapshot["next_server"], 2);
        assert_eq!(snapshot["next_keypair"], 2);
        assert_eq!(snapshot["keypairs"][0]["name"], "mine");
        let task = &snapshot["servers"][id.to_string()]["task"];
        assert_eq!(task["action"], "build");
        assert!(task.get("due").is_none(), "{task}");
        assert!(snapshot.get("delay_ms").is_none());

        let restored = ComputeState::default();
        restored.set_action_delay(Duration::ZERO);
        restored.restore(snapshot.clone()).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        assert_eq!(restored.action_delay(), Duration::ZERO, "a start option");
        let mut data = restored.data();
        let original = state.data();
        let (a, b) = (&data.servers[&id], &original.servers[&id]);
        assert_eq!((a.created, a.status()), (b.created, "BUILD"));
        assert_eq!(a.build_started, b.build_started);
        assert_eq!(a.tags, b.tags);
        assert_eq!(a.task, b.task, "due again at the same instant");
        assert!(data
            .keypairs
            .contains_key(&("alice".to_string(), "mine".to_string())));
        assert_eq!(data.new_server_id(), id + 1, "ids are not reused");
        assert_eq!(data.new_keypair_id(), 2);
    }

    #[test]
    fn restored_tasks_are_due_by_their_wall_clock_time() {
        let state = ComputeState::default();
        let (past, future) = {
            let mut data = state.data();
            (building(&mut data, 3600), building(&mut data, 3600))
        };
        let mut snapshot = state.snapshot();
        let ago = serde_json::to_value(crate::clock::now() - time::Duration::hours(2)).unwrap();
        snapshot["servers"][past.to_string()]["task"]["due_at"] = ago;
        let restored = ComputeState::default();
        restored.restore(snapshot).unwrap();
        let data = restored.data();
        let due = |id: u64| data.servers[&id].task.as_ref().unwrap().due;
        assert!(due(past) <= Instant::now(), "due at once");
        let left = due(future).saturating_duration_since(Instant::now());
        assert!(left > Duration::from_secs(3590) && left <= Duration::from_secs(3600));
    }

    #[test]
    fn a_bad_snapshot_is_refused_and_changes_nothing() {
        let state = ComputeState::default();
        let id = building(&mut state.data(), 10);
        let before = state.snapshot();
        assert!(state.restore(json!({"servers": 1})).is_err());
        assert!(state.restore(Value::Null).is_err());
        assert_eq!(state.snapshot(), before);
        assert!(state.data().servers.contains_key(&id));
    }
}
