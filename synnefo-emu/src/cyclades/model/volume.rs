//! Cyclades' block storage records (volumes, snapshots, volume types) and
//! their store: plain data, and what follows from it alone, below the API
//! that serves it, so that every Cyclades API can consult them with no import
//! back up.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::cyclades::Cloud;

/// The state of Cyclades block storage.
#[derive(Debug, Default)]
pub struct VolumeState {
    data: Mutex<VolumeData>,
}

impl VolumeState {
    /// The data; lock it through [`crate::cyclades::Cloud`] only (or alone,
    /// holding no other Cyclades lock).
    pub(crate) fn data(&self) -> MutexGuard<'_, VolumeData> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as JSON, for the data dir: volumes, snapshots (when they
    /// become available by the wall clock), volume types and the id
    /// counter.
    pub fn snapshot(&self) -> Value {
        let data = self.data().clone();
        // Cannot fail: every map has string or integer keys, and times are
        // written in a format that holds every representable time.
        serde_json::to_value(data).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (block
    /// storage has no start options). A snapshot whose time has come is
    /// published at the next request.
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let data: VolumeData = serde_json::from_value(snapshot)?;
        *self.data() = data;
        Ok(())
    }

    /// Whether an image id is a (live) snapshot.
    pub fn is_snapshot(&self, id: &str) -> bool {
        self.data().snapshots.get(id).is_some_and(|s| !s.deleted)
    }
}

/// Volumes, snapshots and volume types.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VolumeData {
    /// Volumes by id, deleted ones included.
    pub volumes: BTreeMap<u64, Volume>,
    /// Snapshots by id (their image id).
    pub snapshots: BTreeMap<String, Snapshot>,
    /// Volume types by id.
    pub types: BTreeMap<u64, VolumeType>,
    next_volume: u64,
}

impl Default for VolumeData {
    fn default() -> Self {
        VolumeData {
            volumes: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            types: seed_types(),
            next_volume: 1,
        }
    }
}

impl VolumeData {
    /// A fresh volume id.
    pub fn new_volume_id(&mut self) -> u64 {
        let id = self.next_volume;
        self.next_volume += 1;
        id
    }
}

/// The status of a volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeStatus {
    /// Being created.
    Creating,
    /// Ready, not attached.
    Available,
    /// Being attached.
    Attaching,
    /// Attached to a server.
    InUse,
    /// Being detached.
    Detaching,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// Failed.
    Error,
}

impl VolumeStatus {
    /// Synnefo's (upper case) name.
    pub fn name(&self) -> &'static str {
        match self {
            VolumeStatus::Creating => "CREATING",
            VolumeStatus::Available => "AVAILABLE",
            VolumeStatus::Attaching => "ATTACHING",
            VolumeStatus::InUse => "IN_USE",
            VolumeStatus::Detaching => "DETACHING",
            VolumeStatus::Deleting => "DELETING",
            VolumeStatus::Deleted => "DELETED",
            VolumeStatus::Error => "ERROR",
        }
    }
}

/// A volume.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Volume {
    /// Its id.
    pub id: u64,
    /// Its name (root volumes have none).
    pub name: Option<String>,
    /// Its description.
    pub description: String,
    /// Its size in GB.
    pub size: u64,
    /// The owner's uuid.
    pub user: String,
    /// The project charged.
    pub project: String,
    /// Its volume type.
    pub volume_type: u64,
    /// Its status.
    pub status: VolumeStatus,
    /// The server it is attached to.
    pub machine: Option<u64>,
    /// Its position among the server's disks (0: root).
    pub index: Option<u32>,
    /// Whether it goes with its server.
    pub delete_on_termination: bool,
    /// The image it was made from.
    pub source_image: Option<String>,
    /// The snapshot it was made from.
    pub source_snapshot: Option<String>,
    /// Custom metadata.
    pub metadata: BTreeMap<String, String>,
    /// Snapshots taken so far (names their files).
    pub snapshot_counter: u64,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// Whether it is deleted.
    pub deleted: bool,
}

/// A snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// Its id (also its image id).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its size in bytes.
    pub size: u64,
    /// The owner's uuid.
    pub user: String,
    /// The volume it was taken from (as the request named it).
    pub volume: String,
    /// Its object's name in the owner's
    /// [`SNAPSHOTS_CONTAINER`](crate::volume::snapshots::SNAPSHOTS_CONTAINER).
    pub object: String,
    /// Custom metadata.
    pub metadata: BTreeMap<String, String>,
    /// When it was created.
    pub created: OffsetDateTime,
    /// When it last changed.
    pub updated: OffsetDateTime,
    /// When it becomes available (a wall-clock time in snapshots).
    #[serde(with = "crate::clock::instant_as_wall")]
    pub available_at: Instant,
    /// Whether its image was marked available.
    pub published: bool,
    /// Whether it is deleted.
    pub deleted: bool,
}

/// Marks the images of completed snapshots available in the registry.
pub fn settle(cloud: &mut Cloud) {
    let now = cloud.now;
    let done: Vec<String> = cloud
        .volume
        .snapshots
        .values()
        .filter(|s| !s.published && !s.deleted && s.available_at <= now)
        .map(|s| s.id.clone())
        .collect();
    if done.is_empty() {
        return;
    }
    let mut images = cloud
        .state
        .image
        .images
        .write()
        .unwrap_or_else(|e| e.into_inner());
    for id in done {
        if let Some(image) = images.get_mut(&id) {
            image.status = "AVAILABLE".to_string();
        }
        if let Some(snapshot) = cloud.volume.snapshots.get_mut(&id) {
            snapshot.published = true;
        }
    }
}

/// The volume types of a fresh cloud: (id, disk template).
pub const SEEDED_TYPES: [(u64, &str); 2] = [(1, "drbd"), (2, "ext_vlmc")];

/// Disk templates whose volumes can be detached (Synnefo's
/// `CYCLADES_DETACHABLE_DISK_TEMPLATES`).
pub const DETACHABLE: &[&str] = &["ext_archipelago", "ext_vlmc"];

/// A volume type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeType {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its disk template, e.g. `drbd`, `ext_vlmc`.
    pub disk_template: String,
    /// Whether it was retired.
    pub deleted: bool,
}

impl VolumeType {
    /// The template family: `ext` for `ext_*`, else the template.
    pub fn template(&self) -> &str {
        self.disk_template
            .split_once('_')
            .map_or(self.disk_template.as_str(), |(t, _)| t)
    }

    /// Whether its volumes can live without a server.
    pub fn detachable(&self) -> bool {
        DETACHABLE.contains(&self.name.as_str())
    }

    /// Whether its volumes can be filled from an image or snapshot when
    /// they are not a server's root volume (Archipelago-backed templates).
    pub fn can_clone(&self) -> bool {
        self.disk_template.starts_with("ext_")
    }
}

/// The seeded volume types by id.
pub fn seed_types() -> BTreeMap<u64, VolumeType> {
    SEEDED_TYPES
        .iter()
        .map(|(id, template)| {
            (
                *id,
                VolumeType {
                    id: *id,
                    name: template.to_string(),
                    disk_template: template.to_string(),
                    deleted: false,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn snapshots_round_trip_with_when_snapshots_become_available() {
        let state = VolumeState::default();
        let now = crate::clock::now();
        let available_at = Instant::now() + Duration::from_secs(60);
        {
            let mut data = state.data();
            let id = data.new_volume_id();
            data.volumes.insert(
                id,
                Volume {
                    id,
                    name: Some("data".to_string()),
                    description: String::new(),
                    size: 2,
                    user: "alice".to_string(),
                    project: "alice".to_string(),
                    volume_type: 2,
                    status: VolumeStatus::InUse,
                    machine: Some(1),
                    index: Some(1),
                    delete_on_termination: false,
                    source_image: None,
                    source_snapshot: None,
                    metadata: BTreeMap::from([("k".to_string(), "v".to_string())]),
                    snapshot_counter: 1,
                    created: now,
                    updated: now,
                    deleted: false,
                },
            );
            data.snapshots.insert(
                "snap".to_string(),
                Snapshot {
                    id: "snap".to_string(),
                    name: "nightly".to_string(),
                    description: String::new(),
                    size: 2 << 30,
                    user: "alice".to_string(),
                    volume: id.to_string(),
                    object: "data-1".to_string(),
                    metadata: BTreeMap::new(),
                    created: now,
                    updated: now,
                    available_at,
                    published: false,
                    deleted: false,
                },
            );
        }
        let snapshot = state.snapshot();
        assert_eq!(snapshot["volumes"]["1"]["status"], "in_use");
        assert_eq!(snapshot["next_volume"], 2);
        let restored = VolumeState::default();
        restored.restore(snapshot.clone()).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        let mut data = restored.data();
        assert_eq!(data.snapshots["snap"].available_at, available_at);
        assert_eq!(data.volumes[&1].created, now);
        assert_eq!(data.new_volume_id(), 2);
    }
}
