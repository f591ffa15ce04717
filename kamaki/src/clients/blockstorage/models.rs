//! The documents the block storage API answers with, typed, keeping
//! unknown fields in `extra`; ids are strings whatever their JSON type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clients::compute::fields::{id, nullable, opt_id, text_map};
pub use crate::clients::compute::fields::{Extra, Metadata};
pub use crate::clients::compute::Link;

/// A volume: a virtual disk.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Volume {
    /// The volume id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
    /// Lower case in Synnefo: `creating`, `available`, `in_use`,
    /// `deleting`, `deleted`, `error`... (empty in plain listings).
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// Its size in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_description: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Its metadata.
    #[serde(default, deserialize_with = "text_map")]
    pub metadata: Metadata,
    /// The snapshot it was made from.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub snapshot_id: Option<String>,
    /// The volume it was cloned from.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_volid: Option<String>,
    /// The image it was made from.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub image_id: Option<String>,
    /// The servers it is attached to.
    #[serde(default, deserialize_with = "nullable")]
    pub attachments: Vec<VolumeServerAttachment>,
    /// Its volume type.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub volume_type: Option<String>,
    /// Whether it goes with its server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The project it is charged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Whether it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Volume {
    /// The servers it is attached to.
    pub fn server_ids(&self) -> Vec<&str> {
        self.attachments
            .iter()
            .map(|a| a.server_id.as_str())
            .collect()
    }
}

/// The attachment of a volume to a server, as the volume shows it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct VolumeServerAttachment {
    /// The server.
    #[serde(default, deserialize_with = "id")]
    pub server_id: String,
    /// The volume.
    #[serde(default, deserialize_with = "id")]
    pub volume_id: String,
    /// Its place among the server's disks (Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_index: Option<u32>,
    /// The device name (OpenStack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A snapshot of a volume.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Snapshot {
    /// The snapshot id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name.
    #[serde(default, deserialize_with = "nullable")]
    pub display_name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_description: Option<String>,
    /// `CREATING`, `AVAILABLE`, `ERROR`, `DELETED`.
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// Its size in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The volume it is a snapshot of.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub volume_id: Option<String>,
    /// Creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Its metadata.
    #[serde(default, deserialize_with = "text_map")]
    pub metadata: Metadata,
    /// How far its creation went (`"100%"`, or `0` while creating).
    #[serde(
        rename = "os-extended-snapshot-attribute:progress",
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress: Option<String>,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Its project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Its links.
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<Link>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A kind of volume (its storage).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct VolumeType {
    /// The volume type id.
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// Its name (Synnefo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its name (the guide's examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The disk template behind it (`drbd`, `ext_archipelago`...).
    #[serde(
        rename = "SNF:disk_template",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disk_template: Option<String>,
    /// Whether its volumes can be detached and attached elsewhere.
    #[serde(
        rename = "SNF:detachable",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub detachable: Option<bool>,
    /// More specifications.
    #[serde(default, deserialize_with = "nullable")]
    pub extra_specs: BTreeMap<String, Value>,
    /// Whether it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synnefo_documents_parse() {
        let volume: Volume = serde_json::from_str(
            r#"{"id": "44", "display_name": "Volume Three", "status": "in_use", "size": 10,
                "display_description": null, "metadata": {}, "snapshot_id": null,
                "source_volid": null, "image_id": "img", "volume_type": 2,
                "attachments": [{"server_id": 117, "volume_id": 44, "device_index": 1}],
                "delete_on_termination": false, "user_id": "u", "tenant_id": "p",
                "shared_to_project": false}"#,
        )
        .unwrap();
        assert_eq!(volume.volume_type.as_deref(), Some("2"));
        assert_eq!(volume.server_ids(), vec!["117"]);
        assert_eq!(volume.attachments[0].volume_id, "44");
        assert_eq!(volume.image_id.as_deref(), Some("img"));
        let snapshot: Snapshot = serde_json::from_str(
            r#"{"id": "s1", "status": "CREATING", "size": 10, "volume_id": 44,
                "os-extended-snapshot-attribute:progress": 0, "display_name": "n"}"#,
        )
        .unwrap();
        assert_eq!(snapshot.progress.as_deref(), Some("0"));
        assert_eq!(snapshot.volume_id.as_deref(), Some("44"));
        let kind: VolumeType = serde_json::from_str(
            r#"{"id": 1, "name": "drbd", "SNF:disk_template": "drbd", "SNF:detachable": false,
                "deleted": false}"#,
        )
        .unwrap();
        assert_eq!(kind.id, "1");
        assert_eq!(kind.detachable, Some(false));
    }
}
