//! What object-store listings return, typed; unknown fields are kept in
//! `extra` so nothing a newer server sends is lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Response headers as kamaki returns them: lower-case names to values
/// (Pithos meta names and values URL-unquoted).
pub type Headers = BTreeMap<String, String>;

/// A container in an account listing (`GET /<account>?format=json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerListing {
    /// The container's name.
    pub name: String,
    /// How many objects it holds.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub count: u64,
    /// The bytes its objects take.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub bytes: u64,
    /// The last modification (ISO 8601).
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The last modification up to `until`, when listing with `until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_container_until_timestamp: Option<Value>,
    /// The container's policy.
    #[serde(default)]
    pub x_container_policy: ContainerPolicy,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A container's policy: quota, versioning, project.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerPolicy {
    /// The size limit in bytes (0: unlimited).
    #[serde(default, deserialize_with = "lenient_opt_u64")]
    pub quota: Option<u64>,
    /// `auto` or `none`.
    #[serde(default)]
    pub versioning: Option<String>,
    /// The project whose quota the container uses.
    #[serde(default)]
    pub project: Option<String>,
    /// Other directives.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// An object in a container listing (`GET /<account>/<container>?format=json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectListing {
    /// The object's name.
    pub name: String,
    /// Its size.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub bytes: u64,
    /// Its ETag (MD5, or the Merkle hash when the server keeps no MD5).
    #[serde(default)]
    pub hash: Option<String>,
    /// Its MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The last modification (ISO 8601).
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The Merkle hash of its blocks.
    #[serde(default)]
    pub x_object_hash: Option<String>,
    /// Its UUID (kept across renames).
    #[serde(default)]
    pub x_object_uuid: Option<String>,
    /// Its version identifier.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub x_object_version: Option<String>,
    /// Its version timestamp.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub x_object_version_timestamp: Option<String>,
    /// Who committed this version.
    #[serde(default)]
    pub x_object_modified_by: Option<String>,
    /// Its permissions (`read=...;write=...`), when shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_object_sharing: Option<String>,
    /// What the requesting user may do with it, when not its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_object_allowed_to: Option<String>,
    /// Its public URL, when published (shown to its owner only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_object_public: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// An entry of an object listing: an object, or, when listing with a
/// delimiter, a virtual directory (`{"subdir": "photos/"}`).
// Most entries are objects: boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ListedObject {
    /// A virtual directory marker.
    Subdir {
        /// The prefix up to and including the delimiter.
        subdir: String,
    },
    /// An object.
    Object(ObjectListing),
}

impl ListedObject {
    /// The object's name or the directory's prefix.
    pub fn name(&self) -> &str {
        match self {
            ListedObject::Subdir { subdir } => subdir,
            ListedObject::Object(object) => &object.name,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&ObjectListing> {
        match self {
            ListedObject::Object(object) => Some(object),
            ListedObject::Subdir { .. } => None,
        }
    }
}

/// A number Pithos may send as a JSON number or as a string of digits.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(de: D) -> Result<u64, D::Error> {
    Ok(lenient_opt_u64(de)?.unwrap_or(0))
}

/// An optional number sent as a number, a string or null.
pub(crate) fn lenient_opt_u64<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(de)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected a size, got {n}"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a size, got {s:?}"))),
        Some(other) => Err(D::Error::custom(format!("expected a size, got {other}"))),
    }
}

/// An optional string Pithos may send as a number (version ids, timestamps).
pub(crate) fn lenient_opt_string<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(de)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_examples_parse() {
        let containers: Vec<ContainerListing> = serde_json::from_str(
            r#"[{"name": "pithos", "bytes": 62452, "count": 8374,
                 "last_modified": "2011-12-02T08:10:41.565891+00:00",
                 "x_container_policy": {"quota": "53687091200", "versioning": "auto"},
                 "new_field": 1}]"#,
        )
        .unwrap();
        assert_eq!(containers[0].x_container_policy.quota, Some(53687091200));
        assert_eq!(containers[0].extra["new_field"], 1);

        let objects: Vec<ListedObject> = serde_json::from_str(
            r#"[{"name": "object", "bytes": 0, "hash": "d41d8cd98f00b204e9800998ecf8427e",
                 "content_type": "application/octet-stream",
                 "last_modified": "2011-12-02T08:10:41.565891+00:00",
                 "x_object_hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                 "x_object_uuid": "8ed9af1b-c948-4bb6-82b0-48344f5c822c",
                 "x_object_version": 98,
                 "x_object_version_timestamp": "1322813441.565891",
                 "x_object_modified_by": "user-uuid"},
                {"subdir": "photos/"}]"#,
        )
        .unwrap();
        let first = objects[0].as_object().unwrap();
        assert_eq!(first.x_object_version.as_deref(), Some("98"));
        assert_eq!(objects[1].name(), "photos/");
        assert!(objects[1].as_object().is_none());
    }

    #[test]
    fn bad_numbers_are_errors_not_panics() {
        for bad in [
            r#"{"name":"a","bytes":"x"}"#,
            r#"{"name":"a","bytes":-1}"#,
            r#"{"name":"a","bytes":[]}"#,
        ] {
            assert!(serde_json::from_str::<ObjectListing>(bad).is_err(), "{bad}");
        }
    }
}
