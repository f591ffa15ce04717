//! Pithos' own reply shapes: hashmaps, version lists, sharing.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::clients::storage::{lenient_opt_string, lenient_u64};
use crate::clients::{ClientError, Result};

use super::hashmap::HashAlgorithm;

pub use crate::clients::storage::{
    ContainerListing, ContainerPolicy, Headers, ListedObject, ObjectListing,
};

/// The largest block size believed (Pithos uses 4 MiB): a transfer holds a
/// few blocks in memory, so an absurd size from a server is refused rather
/// than allocated.
pub const MAX_BLOCK_SIZE: u64 = 1 << 30;

/// An object's hashmap (`GET ...?hashmap&format=json`): the block list the
/// object is made of.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectHashmap {
    /// The block size of the container.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub block_size: u64,
    /// The block hash algorithm (`sha256`).
    #[serde(default)]
    pub block_hash: String,
    /// The object's size.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub bytes: u64,
    /// The hashes of the blocks, in order (hex).
    #[serde(default)]
    pub hashes: Vec<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl ObjectHashmap {
    /// The hash algorithm, if this client supports it.
    pub fn algorithm(&self) -> Result<HashAlgorithm> {
        self.block_hash.parse()
    }

    /// The Merkle hash of the object (its `X-Object-Hash`).
    pub fn object_hash(&self) -> Result<String> {
        self.algorithm()?.merkle_hex(&self.hashes)
    }

    /// Checks that the block list fits the size, as Synnefo requires, and
    /// that the block size is one a transfer may hold in memory (up to
    /// [`MAX_BLOCK_SIZE`]); `what` names the object in the error.
    pub fn check(&self, what: &str) -> Result<()> {
        let blocks = super::hashmap::block_count(self.bytes, self.block_size);
        // The block size is checked even for an empty object (found by the
        // pithos_json fuzz target): a hashmap is either believable or not.
        let ok = self.block_size <= MAX_BLOCK_SIZE
            && if self.bytes == 0 {
                self.hashes.len() <= 1
            } else {
                self.block_size > 0 && self.hashes.len() as u64 == blocks
            };
        if ok {
            Ok(())
        } else {
            Err(ClientError::Integrity(format!(
                "the hashmap of {what} lists {} blocks for {} bytes in blocks of {}",
                self.hashes.len(),
                self.bytes,
                self.block_size
            )))
        }
    }
}

/// One version of an object (`GET ...?version=list&format=json`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObjectVersion {
    /// The version identifier (use it as `version`).
    pub id: String,
    /// When it was made (seconds since the epoch).
    pub timestamp: f64,
}

impl<'de> Deserialize<'de> for ObjectVersion {
    /// Reads `[id, timestamp]`, each a number or a string.
    fn deserialize<D: Deserializer<'de>>(de: D) -> std::result::Result<Self, D::Error> {
        let pair: Vec<Value> = Vec::deserialize(de)?;
        let [id, timestamp] = <[Value; 2]>::try_from(pair)
            .map_err(|_| D::Error::custom("a version is [id, timestamp]"))?;
        let id = match id {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            other => return Err(D::Error::custom(format!("bad version id {other}"))),
        };
        let timestamp = match &timestamp {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| D::Error::custom(format!("bad version timestamp {timestamp}")))?;
        Ok(ObjectVersion { id, timestamp })
    }
}

/// The version list reply.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub(crate) struct VersionList {
    #[serde(default)]
    pub versions: Vec<ObjectVersion>,
}

/// An account that shares objects with the user (`GET /?format=json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SharingAccount {
    /// The account (a user uuid).
    pub name: String,
    /// Its last modification.
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub last_modified: Option<String>,
    /// Fields this client does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// An object's permissions (`X-Object-Sharing: read=a,b;write=c`): user
/// uuids, `<account>:<group>` group references, or `*` for everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    /// Who may read.
    pub read: Vec<String>,
    /// Who may write.
    pub write: Vec<String>,
}

impl Sharing {
    /// Read access for these.
    pub fn read<S: Into<String>>(ids: impl IntoIterator<Item = S>) -> Self {
        Sharing {
            read: ids.into_iter().map(Into::into).collect(),
            write: Vec::new(),
        }
    }

    /// Whether it grants nothing (sending it removes all permissions).
    pub fn is_empty(&self) -> bool {
        self.read.is_empty() && self.write.is_empty()
    }

    /// The header value: one `kind=a,b` group per non-empty list, joined by
    /// `;` (empty when granting nothing).
    pub fn header_value(&self) -> String {
        [("read", &self.read), ("write", &self.write)]
            .iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(kind, ids)| format!("{kind}={}", ids.join(",")))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Parses an `X-Object-Sharing` value.
    pub fn parse(value: &str) -> Result<Sharing> {
        let mut sharing = Sharing::default();
        for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, ids) = part
                .split_once('=')
                .ok_or_else(|| ClientError::InvalidResponse {
                    url: String::new(),
                    message: format!("Incorrect reply format: X-Object-Sharing {value:?}"),
                })?;
            let ids = ids
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(String::from);
            match kind.trim().to_ascii_lowercase().as_str() {
                "read" => sharing.read.extend(ids),
                "write" => sharing.write.extend(ids),
                _ => {}
            }
        }
        Ok(sharing)
    }
}

impl fmt::Display for Sharing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header_value())
    }
}

/// The reply format of a listing (`format=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// `format=json`, kamaki's default.
    #[default]
    Json,
    /// `format=xml`.
    Xml,
    /// No format: plain text, one name a line.
    Text,
}

impl Format {
    /// The `format` parameter's value, if any.
    pub fn param(self) -> Option<&'static str> {
        match self {
            Format::Json => Some("json"),
            Format::Xml => Some("xml"),
            Format::Text => None,
        }
    }
}

/// What an upload needs to know of a container: its block size and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// `X-Container-Block-Size`.
    pub block_size: u64,
    /// `X-Container-Block-Hash`.
    pub algorithm: HashAlgorithm,
}

impl BlockInfo {
    /// Reads them from container headers.
    pub fn from_headers(headers: &Headers) -> Result<BlockInfo> {
        let size = headers
            .get("x-container-block-size")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|s| *s > 0 && *s <= MAX_BLOCK_SIZE)
            .ok_or_else(|| ClientError::InvalidResponse {
                url: String::new(),
                message: "the container reply has no valid X-Container-Block-Size".into(),
            })?;
        let algorithm = headers
            .get("x-container-block-hash")
            .ok_or_else(|| ClientError::InvalidResponse {
                url: String::new(),
                message: "the container reply has no X-Container-Block-Hash".into(),
            })?
            .parse()?;
        Ok(BlockInfo {
            block_size: size,
            algorithm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharing_renders_and_parses() {
        let s = Sharing {
            read: vec!["a".into(), "b".into()],
            write: vec!["u:group".into()],
        };
        assert_eq!(s.header_value(), "read=a,b;write=u:group");
        assert_eq!(Sharing::parse("read=a,b; write=u:group").unwrap(), s);
        assert_eq!(Sharing::read(["*"]).header_value(), "read=*");
        assert_eq!(Sharing::default().header_value(), "");
        assert_eq!(Sharing::parse("").unwrap(), Sharing::default());
        assert!(Sharing::parse("nonsense").is_err());
    }

    #[test]
    fn versions_parse_from_pairs() {
        let list: VersionList = serde_json::from_str(
            r#"{"versions": [[85, "1322734861.248469"], ["86", 1322734905.5]]}"#,
        )
        .unwrap();
        assert_eq!(list.versions[0].id, "85");
        assert_eq!(list.versions[1].timestamp, 1322734905.5);
        assert!(serde_json::from_str::<VersionList>(r#"{"versions": [[1]]}"#).is_err());
        assert!(serde_json::from_str::<VersionList>(r#"{"versions": [[1, "x"]]}"#).is_err());
    }

    #[test]
    fn hashmap_consistency() {
        let h = |bytes, n| ObjectHashmap {
            block_size: 4,
            block_hash: "sha256".into(),
            bytes,
            hashes: vec!["00".into(); n],
            extra: BTreeMap::new(),
        };
        assert!(h(0, 0).check("o").is_ok());
        assert!(h(0, 1).check("o").is_ok());
        assert!(h(4, 1).check("o").is_ok());
        assert!(h(5, 2).check("o").is_ok());
        assert!(h(5, 1).check("o").is_err());
        assert!(h(1, 0).check("o").is_err());
        let absurd = ObjectHashmap {
            block_size: MAX_BLOCK_SIZE + 1,
            ..h(0, 1)
        };
        assert!(absurd.check("o").is_err());
    }

    #[test]
    fn block_info_from_headers() {
        let mut h = Headers::new();
        assert!(BlockInfo::from_headers(&h).is_err());
        h.insert("x-container-block-size".into(), "4194304".into());
        h.insert("x-container-block-hash".into(), "sha256".into());
        assert_eq!(BlockInfo::from_headers(&h).unwrap().block_size, 4194304);
        h.insert("x-container-block-size".into(), "0".into());
        assert!(BlockInfo::from_headers(&h).is_err());
        h.insert(
            "x-container-block-size".into(),
            (MAX_BLOCK_SIZE + 1).to_string(),
        );
        assert!(BlockInfo::from_headers(&h).is_err());
    }
}
