//! The optional arguments of the block storage calls; build them with
//! `..Default::default()`.

use serde_json::{Map, Value};

use super::Metadata;
use crate::clients::compute::fields::id_value;

/// The optional arguments of `create_volume`. Each field set is sent; the
/// Cyclades client takes the name as an argument.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateVolumeOptions {
    /// Its name (required by Cyclades).
    pub display_name: Option<String>,
    /// Its description.
    pub display_description: Option<String>,
    /// The server to create it on and attach it to (Cyclades; required for
    /// volume types that cannot be detached).
    pub server_id: Option<String>,
    /// Its volume type (Cyclades: required without `server_id`).
    pub volume_type: Option<String>,
    /// An image to fill it from (`imageRef`).
    pub image_ref: Option<String>,
    /// A snapshot to fill it from.
    pub snapshot_id: Option<String>,
    /// A volume to clone (OpenStack).
    pub source_volid: Option<String>,
    /// Its metadata.
    pub metadata: Option<Metadata>,
    /// The project whose quota it is charged to (Cyclades).
    pub project: Option<String>,
    /// The availability zone (OpenStack).
    pub availability_zone: Option<String>,
    /// Whether it boots (OpenStack).
    pub bootable: Option<bool>,
}

impl CreateVolumeOptions {
    pub(crate) fn body(&self, size: u64) -> Map<String, Value> {
        let mut volume = Map::new();
        volume.insert("size".into(), Value::from(size));
        let texts = [
            ("display_name", &self.display_name),
            ("display_description", &self.display_description),
            ("server_id", &self.server_id),
            ("imageRef", &self.image_ref),
            ("snapshot_id", &self.snapshot_id),
            ("source_volid", &self.source_volid),
            ("project", &self.project),
            ("availability_zone", &self.availability_zone),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                volume.insert(key.into(), Value::from(value.as_str()));
            }
        }
        if let Some(kind) = &self.volume_type {
            volume.insert("volume_type".into(), id_value(kind));
        }
        if let Some(metadata) = &self.metadata {
            volume.insert("metadata".into(), metadata_value(metadata));
        }
        if let Some(bootable) = self.bootable {
            volume.insert("bootable".into(), Value::from(bootable));
        }
        volume
    }
}

pub(crate) fn metadata_value(metadata: &Metadata) -> Value {
    Value::Object(
        metadata
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// What `update_volume` changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateVolumeOptions {
    /// A new name.
    pub display_name: Option<String>,
    /// A new description.
    pub display_description: Option<String>,
    /// Whether it goes with its server.
    pub delete_on_termination: Option<bool>,
    /// New metadata (OpenStack; Cyclades changes metadata with
    /// `update_volume_metadata`).
    pub metadata: Option<Metadata>,
}

impl UpdateVolumeOptions {
    pub(crate) fn is_empty(&self) -> bool {
        self == &UpdateVolumeOptions::default()
    }

    pub(crate) fn body(&self) -> Map<String, Value> {
        let mut volume = Map::new();
        if let Some(name) = &self.display_name {
            volume.insert("display_name".into(), Value::from(name.as_str()));
        }
        if let Some(description) = &self.display_description {
            volume.insert(
                "display_description".into(),
                Value::from(description.as_str()),
            );
        }
        if let Some(delete) = self.delete_on_termination {
            volume.insert("delete_on_termination".into(), Value::from(delete));
        }
        if let Some(metadata) = &self.metadata {
            volume.insert("metadata".into(), metadata_value(metadata));
        }
        volume
    }
}

/// The optional arguments of `create_snapshot`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateSnapshotOptions {
    /// Its name (Cyclades' default: `Snapshot of volume '<id>'`).
    pub display_name: Option<String>,
    /// Its description.
    pub display_description: Option<String>,
    /// Snapshot even an attached volume (OpenStack; Cyclades ignores it).
    pub force: Option<bool>,
    /// Its metadata (Cyclades).
    pub metadata: Option<Metadata>,
}

impl CreateSnapshotOptions {
    pub(crate) fn body(&self, volume_id: &str) -> Map<String, Value> {
        let mut snapshot = Map::new();
        snapshot.insert("volume_id".into(), Value::from(volume_id));
        if let Some(force) = self.force {
            snapshot.insert("force".into(), Value::from(force));
        }
        if let Some(name) = &self.display_name {
            snapshot.insert("display_name".into(), Value::from(name.as_str()));
        }
        if let Some(description) = &self.display_description {
            snapshot.insert(
                "display_description".into(),
                Value::from(description.as_str()),
            );
        }
        if let Some(metadata) = &self.metadata {
            snapshot.insert("metadata".into(), metadata_value(metadata));
        }
        snapshot
    }
}
