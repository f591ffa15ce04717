//! The object level: `HEAD`, `GET` (data, ranges, hashmap, versions),
//! `PUT` (data, hashmap, copy, move), `COPY`, `MOVE`, `POST` (metadata,
//! permissions, publishing, partial data updates), `DELETE`.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::{json, Value};

use super::account::MAX_METADATA;
use super::account::{check_modified, not_modified, precondition_failed, too_much_metadata};
use super::body::{data_body, read_all, store_blocks, DataChunks, Segment};
use super::container::no_container;
use super::hashing::{empty_hash, from_hex, to_hex, Hash, BLOCK_SIZE, HASH_ALGORITHM};
use super::headers::{
    decimal_timestamp, http_date, int_parameter, parse_content_range, parse_etags, parse_http_date,
    parse_range,
};
use super::interner::Content;
use super::listing::{xml_escape, Format};
use super::model::{merge_meta, object_path, Model, NewData, Sharing, Version};
use super::{Ctx, PithosResult, Reply, MAX_HASHMAP_BODY};
use crate::errors::ApiError;
use crate::quotas::Quotas;

mod copy;
mod read;
mod update;
mod write;
pub use copy::*;
pub use read::*;
pub use update::*;
pub use write::*;

const PITHOS_DISKSPACE: &str = "pithos.diskspace";

/// The ETag of new data: its MD5 when the emulator computes MD5s
/// (`--pithos-update-md5`), else its Merkle hash.
fn data_etag(ctx: &Ctx, data: &NewData) -> String {
    if ctx.pithos().update_md5() {
        data.checksum.clone().unwrap_or_default()
    } else {
        data.content.hash().unwrap_or_default()
    }
}

/// A folder's name with the delimiter at its end (`a/b` -> `a/b/`).
fn folder_prefix(name: &str, delimiter: &str) -> String {
    if name.ends_with(delimiter) {
        name.to_string()
    } else {
        format!("{name}{delimiter}")
    }
}

/// The live objects whose names start with `prefix`, in the container of
/// `at`.
fn live_names_under(model: &Model, at: &At<'_>, prefix: &str) -> Vec<String> {
    model
        .container(at.account, at.container)
        .map(|c| {
            c.objects
                .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
                .take_while(|(n, _)| n.starts_with(prefix))
                .filter(|(_, node)| node.current().is_some())
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Where an object is.
#[derive(Clone, Copy, Debug)]
pub struct At<'a> {
    /// The account (a user uuid).
    pub account: &'a str,
    /// The container.
    pub container: &'a str,
    /// The object name.
    pub name: &'a str,
}

impl At<'_> {
    fn path(&self) -> String {
        object_path(self.account, self.container, self.name)
    }
}

fn no_object() -> ApiError {
    ApiError::item_not_found("Object does not exist")
}

fn no_version() -> ApiError {
    ApiError::item_not_found("Version does not exist")
}

/// An object as its reply headers show it.
struct ObjectMeta {
    version: Version,
    name: String,
    modified: f64,
    bytes: u64,
    sharing: Option<String>,
    shared_by: Option<String>,
    allowed_to: Option<&'static str>,
    public: Option<String>,
    /// ETags are the MD5 checksum (`PITHOS_UPDATE_MD5`).
    md5_etags: bool,
}

impl ObjectMeta {
    fn etag(&self) -> String {
        if self.md5_etags {
            self.version.checksum.to_string()
        } else {
            self.version.hash().unwrap_or_default()
        }
    }

    /// Writes the object headers (Synnefo's `put_object_headers`);
    /// `restricted` for public URLs.
    fn put_headers(&self, reply: &mut Reply, restricted: bool) {
        let v = &self.version;
        let h = &mut reply.headers;
        h.set("ETag", self.etag());
        h.set("Content-Length", self.bytes.to_string());
        h.set("Content-Type", v.content_type.to_string());
        h.set("Last-Modified", http_date(self.modified));
        if restricted {
            for k in ["Content-Encoding", "Content-Disposition"] {
                if let Some(value) = v.meta.get(k) {
                    h.set(k, value.clone());
                }
            }
            return;
        }
        h.set("X-Object-Hash", v.hash().unwrap_or_default());
        h.set("X-Object-UUID", v.uuid.to_string());
        h.set("X-Object-Modified-By", v.muser.to_string());
        h.set("X-Object-Version", v.serial.to_string());
        h.set("X-Object-Version-Timestamp", http_date(v.mtime));
        for (k, value) in &v.meta {
            h.set(k.clone(), value.clone());
        }
        let extra = [
            ("X-Object-Sharing", &self.sharing),
            ("X-Object-Shared-By", &self.shared_by),
            ("X-Object-Public", &self.public),
        ];
        for (k, value) in extra {
            if let Some(value) = value {
                h.set(k, value.clone());
            }
        }
        if let Some(allowed) = self.allowed_to {
            h.set("X-Object-Allowed-To", allowed);
        }
    }

    /// The `Content-Disposition` of a data reply.
    fn disposition(&self, reply: &mut Reply, disposition_type: Option<&str>) {
        let user_defined = reply.headers.contains("Content-Disposition");
        let valid = matches!(disposition_type, Some("inline" | "attachment"));
        if user_defined && !valid {
            return;
        }
        let kind = if valid {
            disposition_type.unwrap_or("inline")
        } else {
            "inline"
        };
        reply.headers.set(
            "Content-Disposition",
            format!("{kind}; filename=\"{}\"", self.name),
        );
    }
}

/// Parses `/<container>/<object>`.
pub fn split_container_object(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix('/')?;
    let pos = rest.find('/')?;
    if pos + 1 == rest.len() {
        return None;
    }
    Some((rest[..pos].to_string(), rest[pos + 1..].to_string()))
}

/// The readable version of an object (the current one, or `version`) and
/// the object's last modification.
fn readable_version(
    model: &Model,
    user: &str,
    at: &At<'_>,
    version: Option<&str>,
) -> Result<(Version, f64), ApiError> {
    model.can_read_object(user, at.account, at.container, at.name)?;
    let node = model
        .container(at.account, at.container)
        .and_then(|c| c.objects.get(at.name))
        .ok_or_else(no_object)?;
    match version {
        None => {
            let v = node.current().ok_or_else(no_object)?;
            Ok((v.clone(), v.mtime))
        }
        Some(text) => {
            let serial: u64 = text.trim().parse().map_err(|_| no_version())?;
            let v = node.version(serial).ok_or_else(no_version)?;
            let modified = node.latest().map_or(v.mtime, |l| l.mtime);
            Ok((v.clone(), modified))
        }
    }
}

/// The objects a manifest points to: (sizes and hashes, total).
fn manifest_parts(
    model: &Model,
    user: &str,
    account: &str,
    manifest: &str,
) -> Option<Vec<Segment>> {
    let (container, prefix) = split_container_object(&format!("/{manifest}"))?;
    let cont = model.container(account, &container)?;
    let mut parts = Vec::new();
    for (name, node) in cont
        .objects
        .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
        .take_while(|(n, _)| n.starts_with(prefix.as_str()))
        .take(super::listing::LIST_LIMIT)
    {
        let Some(v) = node.current() else { continue };
        if model
            .can_read_object(user, account, &container, name)
            .is_err()
        {
            continue;
        }
        parts.push(Segment {
            size: v.size,
            content: v.content.clone(),
        });
    }
    Some(parts)
}

/// An object's metadata as a `HEAD`/`GET` by `ctx`'s user shows it.
fn object_meta(
    ctx: &Ctx,
    model: &Model,
    at: &At<'_>,
    version: Option<&str>,
) -> Result<(ObjectMeta, Option<Vec<Segment>>), ApiError> {
    let user = ctx.uuid();
    let (v, modified) = readable_version(model, user, at, version)?;
    let mut meta = ObjectMeta {
        bytes: v.size,
        version: v,
        name: at.name.to_string(),
        modified,
        sharing: None,
        shared_by: None,
        allowed_to: None,
        md5_etags: ctx.pithos().update_md5(),
        public: None,
    };
    if version.is_none() {
        let permissions = model.object_permissions(user, at.account, at.container, at.name)?;
        if !permissions.sharing.is_empty() {
            meta.sharing = Some(permissions.sharing.header_value());
            if permissions.path.as_deref() != Some(at.path().as_str()) {
                meta.shared_by = permissions.path.clone();
            }
            if user != at.account {
                meta.allowed_to = Some(permissions.allowed.as_str());
            }
        }
        if user == at.account {
            meta.public = model.public.get(&at.path()).map(|id| ctx.public_url(id));
        }
    }
    let parts = match meta.version.meta.get("X-Object-Manifest") {
        Some(manifest) => {
            let parts = manifest_parts(model, user, at.account, manifest);
            if let Some(parts) = &parts {
                meta.bytes = parts.iter().map(|p| p.size).sum();
            }
            parts
        }
        None => None,
    };
    Ok((meta, parts))
}

/// What a version's ETag is: its MD5 with `PITHOS_UPDATE_MD5`, else its
/// Pithos hash (`None` for a deletion marker).
fn version_etag(ctx: &Ctx, v: &Version) -> Option<String> {
    if ctx.pithos().update_md5() {
        v.content.merkle().map(|_| v.checksum.to_string())
    } else {
        v.hash()
    }
}

/// The MD5 of the data of `hashes` (`size` bytes), read from the store, as
/// Synnefo's `hashmap_md5` computes it for `PITHOS_UPDATE_MD5` (blocks are
/// kept without their trailing zeros: they are padded back).
fn hashmap_md5(ctx: &Ctx, hashes: &[Hash], size: u64) -> String {
    use md5::Digest;
    let store = &ctx.pithos().store;
    let mut md5 = md5::Md5::new();
    let mut left = size;
    for hash in hashes {
        if left == 0 {
            break;
        }
        let want = left.min(BLOCK_SIZE as u64) as usize;
        let block = store.get(hash).unwrap_or_default();
        let have = block.len().min(want);
        md5.update(&block[..have]);
        md5.update(super::store::zeros(want - have));
        left -= want as u64;
    }
    hex::encode(md5.finalize())
}

/// `If-Match` / `If-None-Match` against an etag (`None`: no object).
fn check_match(ctx: &Ctx, etag: Option<&str>) -> Result<(), ApiError> {
    if let Some(if_match) = ctx.headers.get("if-match") {
        let Some(etag) = etag else {
            return Err(precondition_failed("Resource does not exist"));
        };
        let listed = parse_etags(if_match)
            .iter()
            .any(|e| e.to_lowercase() == etag);
        if if_match != "*" && !listed {
            return Err(precondition_failed("Resource ETag does not match"));
        }
    }
    if let Some(if_none_match) = ctx.headers.get("if-none-match") {
        if let Some(etag) = etag {
            let listed = parse_etags(if_none_match)
                .iter()
                .any(|e| e.to_lowercase() == etag);
            if if_none_match == "*" || listed {
                if matches!(ctx.method.as_str(), "HEAD" | "GET") {
                    return Err(not_modified());
                }
                return Err(precondition_failed("Resource exists or ETag matches"));
            }
        }
    }
    Ok(())
}

/// `hashes`, once their blocks are on disk (with a data dir; see
/// [`crate::pithos::store::BlockStore::flush`]): a version is made only of
/// blocks that are.
pub(crate) async fn flushed(ctx: &Ctx, hashes: Vec<Hash>) -> Result<Vec<Hash>, ApiError> {
    let store = ctx.pithos().store.clone();
    tokio::task::spawn_blocking(move || store.flush(&hashes).map(|()| hashes))
        .await
        .map_err(|e| ApiError::internal(format!("Cannot store the blocks: {e}")))?
}
