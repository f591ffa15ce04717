//! The object level: `HEAD`, `GET` (data, ranges, hashmap, versions),
//! `PUT` (data, hashmap, copy, move), `COPY`, `MOVE`, `POST` (metadata,
//! permissions, publishing, partial data updates), `DELETE`.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

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
use super::listing::{xml_escape, Format};
use super::model::{merge_meta, object_path, Model, NewData, Sharing, Version};
use super::{Ctx, PithosResult, Reply, MAX_HASHMAP_BODY};
use crate::errors::ApiError;
use crate::quotas::Quotas;

const PITHOS_DISKSPACE: &str = "pithos.diskspace";

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
            self.version.checksum.clone()
        } else {
            self.version.hash.clone().unwrap_or_default()
        }
    }

    /// Writes the object headers (Synnefo's `put_object_headers`);
    /// `restricted` for public URLs.
    fn put_headers(&self, reply: &mut Reply, restricted: bool) {
        let v = &self.version;
        let h = &mut reply.headers;
        h.set("ETag", self.etag());
        h.set("Content-Length", self.bytes.to_string());
        h.set("Content-Type", v.content_type.clone());
        h.set("Last-Modified", http_date(self.modified));
        if restricted {
            for k in ["Content-Encoding", "Content-Disposition"] {
                if let Some(value) = v.meta.get(k) {
                    h.set(k, value.clone());
                }
            }
            return;
        }
        h.set("X-Object-Hash", v.hash.clone().unwrap_or_default());
        h.set("X-Object-UUID", v.uuid.clone());
        h.set("X-Object-Modified-By", v.muser.clone());
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
            hashes: v.hashes.clone(),
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
        v.hash.as_ref().map(|_| v.checksum.clone())
    } else {
        v.hash.clone()
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

/// Conditions of a read; `Some(reply)` for a `304` with the etag.
fn read_conditions(ctx: &Ctx, meta: &ObjectMeta) -> Result<Option<Reply>, ApiError> {
    check_modified(&ctx.headers, meta.modified)?;
    match check_match(ctx, Some(&meta.etag())) {
        Ok(()) => Ok(None),
        Err(f) if f.code == 304 => Ok(Some(
            Reply::empty(StatusCode::NOT_MODIFIED).header("ETag", meta.etag()),
        )),
        Err(f) => Err(f),
    }
}

/// `HEAD /<account>/<container>/<object>`.
pub fn head(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let version = ctx.query.get("version");
    let model = ctx.pithos().read();
    let (meta, _) = object_meta(ctx, &model, at, version)?;
    if let Some(reply) = read_conditions(ctx, &meta)? {
        return Ok(reply);
    }
    let mut reply = Reply::empty(StatusCode::OK);
    meta.put_headers(&mut reply, false);
    Ok(reply)
}

fn version_list(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let model = ctx.pithos().read();
    model.can_read_object(ctx.uuid(), at.account, at.container, at.name)?;
    let node = model
        .container(at.account, at.container)
        .and_then(|c| c.objects.get(at.name))
        .ok_or_else(no_object)?;
    let versions: Vec<(u64, String)> = node
        .versions
        .iter()
        .filter(|v| v.cluster != super::model::Cluster::Deleted)
        .map(|v| (v.serial, decimal_timestamp(v.mtime)))
        .collect();
    let body = match ctx.format {
        Format::Xml => {
            let mut out = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<object name=\"{}\">\n",
                xml_escape(at.name)
            );
            for (serial, ts) in &versions {
                out.push_str(&format!(
                    "  <version timestamp=\"{ts}\">{serial}</version>\n"
                ));
            }
            out.push_str("</object>\n");
            out
        }
        _ => {
            let list: Vec<Value> = versions.iter().map(|(s, t)| json!([s, t])).collect();
            json!({ "versions": list }).to_string()
        }
    };
    Ok(Reply::with_body(
        StatusCode::OK,
        ctx.format.content_type(),
        body,
    ))
}

/// Serves data (all, a range, or several ranges) of `segments`.
fn data_reply(
    ctx: &Ctx,
    meta: &ObjectMeta,
    segments: Vec<Segment>,
    restricted: bool,
) -> PithosResult {
    let size: u64 = segments.iter().map(|s| s.size).sum();
    let mut status = StatusCode::OK;
    let mut ranges: Vec<(u64, u64)> = vec![(0, size)];
    if let Some(requested) = parse_range(ctx.headers.get("range"), size) {
        let s = i128::from(size);
        let bad = requested
            .iter()
            .any(|(o, l)| *l <= 0 || *l > s || *o < 0 || *o >= s || o + l > s);
        if bad {
            return Err(ApiError::new(
                "rangeNotSatisfiable",
                416,
                "Requested range exceeds object limits",
            ));
        }
        status = StatusCode::PARTIAL_CONTENT;
        ranges = requested
            .iter()
            .map(|(o, l)| {
                (
                    u64::try_from(*o).unwrap_or(0),
                    u64::try_from(*l).unwrap_or(0),
                )
            })
            .collect();
        if let Some(if_range) = ctx.headers.non_empty("if-range") {
            // A date never equals the (fractional) modification time, and an
            // etag is compared with the MD5 checksum: Synnefo serves it all.
            let same = match parse_http_date(if_range) {
                Some(date) => date as f64 == meta.modified,
                None => if_range == meta.version.checksum,
            };
            if !same {
                ranges = vec![(0, size)];
                status = StatusCode::OK;
            }
        }
    }
    let boundary = (status == StatusCode::PARTIAL_CONTENT && ranges.len() > 1)
        .then(|| uuid::Uuid::new_v4().simple().to_string());
    let mut reply = Reply::empty(status);
    meta.put_headers(&mut reply, restricted);
    meta.disposition(&mut reply, ctx.query.get("disposition-type"));
    reply.headers.set("Content-Length", size.to_string());
    if status == StatusCode::PARTIAL_CONTENT {
        if let [(offset, length)] = ranges.as_slice() {
            reply.headers.set("Content-Length", length.to_string());
            reply.headers.set(
                "Content-Range",
                format!("bytes {}-{}/{}", offset, offset + length - 1, size),
            );
        } else {
            reply.headers.remove("Content-Length");
            reply.headers.set(
                "Content-Type",
                format!(
                    "multipart/byteranges; boundary={}",
                    boundary.as_deref().unwrap_or("")
                ),
            );
        }
    }
    if ctx.method.as_str() != "HEAD" {
        let chunks = DataChunks::new(
            ctx.pithos().store.clone(),
            segments,
            BLOCK_SIZE,
            ranges,
            boundary,
        );
        reply.body = data_body(chunks);
    }
    Ok(reply)
}

/// `GET /<account>/<container>/<object>`: data, a hashmap, or versions.
pub fn get(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let version = ctx.query.get("version");
    if version == Some("list") {
        return version_list(ctx, at);
    }
    let model = ctx.pithos().read();
    let (meta, parts) = object_meta(ctx, &model, at, version)?;
    if let Some(reply) = read_conditions(ctx, &meta)? {
        return Ok(reply);
    }
    let hashmap_reply = ctx.query.has("hashmap");
    if hashmap_reply {
        let v = &meta.version;
        let hashes: Vec<String> = v.hashes.iter().map(to_hex).collect();
        let body = match ctx.format {
            Format::Xml => {
                let mut out = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<object name=\"{}\" bytes=\"{}\" block_size=\"{BLOCK_SIZE}\" block_hash=\"{HASH_ALGORITHM}\">\n",
                    xml_escape(at.name),
                    v.size
                );
                for h in &hashes {
                    out.push_str(&format!("  <hash>{h}</hash>\n"));
                }
                out.push_str("</object>\n");
                out
            }
            _ => json!({
                "block_size": BLOCK_SIZE,
                "block_hash": HASH_ALGORITHM,
                "bytes": v.size,
                "hashes": hashes,
            })
            .to_string(),
        };
        let mut reply = Reply::empty(StatusCode::OK);
        meta.put_headers(&mut reply, false);
        reply.headers.set("Content-Length", body.len().to_string());
        reply.body = body.into();
        return Ok(reply);
    }
    let segments = match (meta.version.meta.get("X-Object-Manifest"), parts) {
        (Some(_), Some(parts)) => parts,
        (Some(_), None) => return Err(ApiError::bad_request("Invalid X-Object-Manifest header")),
        (None, _) => vec![Segment {
            size: meta.version.size,
            hashes: meta.version.hashes.clone(),
        }],
    };
    drop(model);
    data_reply(ctx, &meta, segments, false)
}

/// Serves a public object (no token): `HEAD` or `GET`.
pub fn public_read(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let model = ctx.pithos().read();
    let (v, modified) = readable_version(&model, at.account, at, None)
        .map_err(|_| ApiError::item_not_found("Object does not exist"))?;
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
    let mut segments = vec![Segment {
        size: meta.version.size,
        hashes: meta.version.hashes.clone(),
    }];
    if let Some(manifest) = meta.version.meta.get("X-Object-Manifest") {
        let parts = manifest_parts(&model, at.account, at.account, manifest)
            .ok_or_else(|| ApiError::item_not_found("Object does not exist"))?;
        meta.bytes = parts.iter().map(|p| p.size).sum();
        segments = parts;
    }
    drop(model);
    if ctx.method.as_str() == "HEAD" {
        let mut reply = Reply::empty(StatusCode::OK);
        meta.put_headers(&mut reply, true);
        return Ok(reply);
    }
    if let Some(reply) = read_conditions(ctx, &meta)? {
        return Ok(reply);
    }
    data_reply(ctx, &meta, segments, true)
}

/// Everything a data write needs to commit.
pub(super) struct Commit<'a> {
    pub data: Option<NewData>,
    pub source: Option<&'a Version>,
    pub keep_uuid: bool,
    pub meta: &'a BTreeMap<String, String>,
    pub replace_meta: bool,
    pub permissions: Option<Sharing>,
}

/// Checks that `user` may write `at` (and set permissions there).
fn check_writable(
    model: &Model,
    user: &str,
    at: &At<'_>,
    permissions: bool,
) -> Result<(), ApiError> {
    if permissions && user != at.account {
        return Err(ApiError::forbidden(
            "Modifying other account's object content is not allowed",
        ));
    }
    model.can_write_object(user, at.account, at.container, at.name)?;
    model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    Ok(())
}

/// Makes a new version of `at` by `user` (the backend's
/// `_update_object_hash`): checks, container quota, the account's
/// `pithos.diskspace` in the container's project, permissions. The serial.
/// Every write of object data goes through here, the HTTP API's and other
/// services' ([`super::backend`]).
pub(super) fn commit(
    quotas: &Quotas,
    user: &str,
    model: &mut Model,
    at: &At<'_>,
    c: Commit<'_>,
) -> Result<u64, ApiError> {
    check_writable(model, user, at, c.permissions.is_some())?;
    let cont = model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    let current = cont.current(at.name);
    // New data over a snapshot's is refused, as the backend's
    // `update_object_hashmap` does; copies over it are not.
    let new_data = c.data.as_ref().is_some_and(|d| !d.is_snapshot) && c.source.is_none();
    if new_data && current.is_some_and(|v| v.is_snapshot) {
        return Err(ApiError::forbidden(
            "Cannot update Archipelago volume hashmap.",
        ));
    }
    let base_meta = c.source.or(current).map(|v| &v.meta);
    let meta = merge_meta(base_meta, c.meta, c.replace_meta);
    if meta.len() > MAX_METADATA {
        return Err(too_much_metadata());
    }
    let previous = current.map_or(0, |v| v.size);
    let size = match (&c.data, c.source, current) {
        (Some(d), _, _) => d.size,
        (None, Some(s), _) => s.size,
        (None, None, Some(v)) => v.size,
        (None, None, None) => 0,
    };
    let delta = i128::from(size) - i128::from(previous);
    if delta > 0 && cont.quota > 0 {
        let usage = i128::from(cont.bytes_used()) + delta;
        if usage > i128::from(cont.quota) {
            return Err(ApiError::new(
                "requestEntityTooLarge",
                413,
                format!(
                    "Quota error: Container quota exceeded: limit: {}, usage: {usage}",
                    cont.quota
                ),
            ));
        }
    }
    let project = cont.project.clone();
    if delta != 0 {
        let delta = i64::try_from(delta).unwrap_or(i64::MAX);
        quotas.charge(at.account, &project, &[(PITHOS_DISKSPACE, delta)])?;
    }
    let (serial, _) = model.put_version(
        user,
        at.account,
        at.container,
        at.name,
        c.data,
        c.source,
        c.keep_uuid,
        meta,
    );
    if let Some(sharing) = c.permissions {
        model.set_sharing(&at.path(), sharing);
    }
    Ok(serial)
}

/// Publishes or unpublishes an object.
fn update_public(model: &mut Model, user: &str, at: &At<'_>, public: bool) -> Result<(), ApiError> {
    model.can_write_object(user, at.account, at.container, at.name)?;
    model
        .container(at.account, at.container)
        .and_then(|c| c.objects.get(at.name))
        .ok_or_else(no_object)?;
    if public {
        model.set_public(&at.path());
    } else {
        model.unset_public(&at.path());
    }
    Ok(())
}

/// A hashmap document: (size, hashes); unknown hashes are kept as the
/// lower-case hex the client sent, to report them missing.
fn parse_hashmap(body: &[u8]) -> Result<(i128, Vec<String>), ApiError> {
    let invalid = || ApiError::bad_request("Invalid data formatting");
    let doc: Value = serde_json::from_slice(body).map_err(|_| invalid())?;
    let hashes = doc
        .get("hashes")
        .and_then(Value::as_array)
        .ok_or_else(invalid)?;
    let size = match doc.get("bytes") {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().map(|f| f.trunc() as i128))
            .ok_or_else(invalid)?,
        Some(Value::String(s)) => s.trim().parse::<i128>().map_err(|_| invalid())?,
        _ => return Err(invalid()),
    };
    let hashes = hashes
        .iter()
        .map(|h| match h {
            Value::String(s) => Ok(s.clone()),
            other => Err(ApiError::bad_request(format!("Invalid hash: {other}"))),
        })
        .collect::<Result<Vec<String>, ApiError>>()?;
    Ok((size, hashes))
}

/// Checks a hashmap against its size and the block store: the hashes, or
/// the 409 reply listing the missing ones.
fn resolve_hashmap(
    ctx: &Ctx,
    size: i128,
    hashes: &[String],
) -> Result<Result<Vec<Hash>, Reply>, ApiError> {
    let inconsistent = || {
        ApiError::bad_request("The object's size does not match with the object's hashmap length")
    };
    let block = BLOCK_SIZE as i128;
    if size < 0 || size > i128::from(u64::MAX) {
        return Err(inconsistent());
    }
    if size == 0 {
        let empty = to_hex(&empty_hash());
        if !(hashes.is_empty() || (hashes.len() == 1 && hashes[0] == empty)) {
            return Err(inconsistent());
        }
        return Ok(Ok(vec![empty_hash()]));
    }
    let blocks = (size + block - 1) / block;
    if blocks != hashes.len() as i128 {
        return Err(inconsistent());
    }
    let mut parsed: Vec<Option<Hash>> = Vec::with_capacity(hashes.len());
    let mut odd = false;
    for h in hashes {
        let is_hex = h.len() % 2 == 0 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hex {
            return Err(ApiError::bad_request(format!("Invalid hash: {h}")));
        }
        let hash = from_hex(h);
        odd |= hash.is_none();
        parsed.push(hash);
    }
    let known: Vec<Hash> = parsed.iter().flatten().copied().collect();
    let missing: HashSet<Hash> = ctx
        .pithos()
        .store
        .missing(known.iter())
        .into_iter()
        .collect();
    if missing.is_empty() && !odd {
        return Ok(Ok(known));
    }
    // Missing hashes in the order of the hashmap, each once.
    let mut listed: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (h, p) in hashes.iter().zip(&parsed) {
        let absent = match p {
            Some(hash) => missing.contains(hash),
            None => true,
        };
        if absent && seen.insert(h.to_lowercase()) {
            listed.push(h.to_lowercase());
        }
    }
    let body = Value::from(listed).to_string();
    Ok(Err(Reply::with_body(
        StatusCode::CONFLICT,
        Format::Json.content_type(),
        body,
    )))
}

/// `PUT /<account>/<container>/<object>`.
pub async fn put(ctx: &Ctx, at: &At<'_>, body: &mut Option<Body>) -> PithosResult {
    let user = ctx.uuid();
    if ctx.headers.non_empty("if-match").is_some()
        || ctx.headers.non_empty("if-none-match").is_some()
    {
        let model = ctx.pithos().read();
        let etag = match readable_version(&model, user, at, None) {
            Ok((v, _)) => version_etag(ctx, &v),
            Err(f) if f.code == 404 => None,
            Err(f) => return Err(f),
        };
        check_match(ctx, etag.as_deref())?;
    }
    let copy_from = ctx.headers.non_empty("x-copy-from");
    let move_from = ctx.headers.non_empty("x-move-from");
    if copy_from.is_some() || move_from.is_some() {
        ctx.headers.content_length()?;
        let src_account = ctx.headers.non_empty("x-source-account").unwrap_or(user);
        let (source, is_move, header) = match move_from {
            Some(m) => (m, true, "X-Move-From"),
            None => (copy_from.unwrap_or(""), false, "X-Copy-From"),
        };
        let (src_container, src_name) = split_container_object(source)
            .ok_or_else(|| ApiError::bad_request(format!("Invalid {header} header")))?;
        let src = At {
            account: src_account,
            container: &src_container,
            name: &src_name,
        };
        let serial = copy_or_move_object(ctx, &src, at, is_move)?;
        return Ok(Reply::empty(StatusCode::CREATED).header("X-Object-Version", serial.to_string()));
    }

    let content_type = ctx.headers.content_type().map(str::to_string);
    let meta = ctx.headers.object_meta()?;
    let permissions = ctx.headers.sharing()?;
    let public = ctx.headers.public()?;
    let length = if ctx.headers.chunked() {
        None
    } else {
        Some(ctx.headers.content_length()?)
    };
    let Some(content_type) = content_type else {
        return Err(ApiError::new(
            "lengthRequired",
            411,
            "Missing Content-Type header",
        ));
    };

    let (size, hashes, checksum) = if ctx.query.has("hashmap") {
        let max = ctx.pithos().max_upload_size().min(MAX_HASHMAP_BODY);
        let doc = read_all(super::body::take(body), length, max).await?;
        let (size, listed) = parse_hashmap(&doc)?;
        let hashes = match resolve_hashmap(ctx, size, &listed)? {
            Ok(hashes) => hashes,
            Err(conflict) => return Ok(conflict),
        };
        let size = u64::try_from(size).unwrap_or(0);
        let checksum = if ctx.pithos().update_md5() {
            hashmap_md5(ctx, &hashes, size)
        } else {
            String::new()
        };
        (size, hashes, checksum)
    } else {
        {
            let model = ctx.pithos().read();
            check_writable(&model, user, at, permissions.is_some())?;
        }
        let etag = ctx.headers.non_empty("etag").map(str::to_string);
        let stored = store_blocks(
            ctx.pithos().store.clone(),
            super::body::take(body),
            length,
            ctx.pithos().max_upload_size(),
            BLOCK_SIZE,
            etag.is_some() || ctx.pithos().update_md5(),
        )
        .await?;
        let checksum = stored.md5.unwrap_or_default();
        if let Some(etag) = etag {
            let given = parse_etags(&etag).into_iter().next().unwrap_or_default();
            if given.to_lowercase() != checksum {
                return Err(ApiError::new(
                    "unprocessableEntity",
                    422,
                    "Object ETag does not match",
                ));
            }
        }
        let hashes = if stored.size == 0 {
            vec![empty_hash()]
        } else {
            stored.hashes
        };
        (stored.size, hashes, checksum)
    };

    let mut model = ctx.pithos().write();
    let data = NewData {
        size,
        hashes: Arc::new(hashes),
        content_type: Some(content_type),
        checksum: Some(checksum),
        is_snapshot: false,
    };
    let etag = if ctx.pithos().update_md5() {
        data.checksum.clone().unwrap_or_default()
    } else {
        to_hex(&super::hashing::merkle(&data.hashes))
    };
    let serial = commit(
        &ctx.state.quotas,
        user,
        &mut model,
        at,
        Commit {
            data: Some(data),
            source: None,
            keep_uuid: true,
            meta: &meta,
            replace_meta: true,
            permissions,
        },
    )?;
    if let Some(public) = public {
        update_public(&mut model, user, at, public)?;
    }
    Ok(Reply::empty(StatusCode::CREATED)
        .header("ETag", etag)
        .header("X-Object-Version", serial.to_string()))
}

/// Copies or moves `src` to `dest` (with `delimiter`, everything under it
/// too); the first new version's serial.
fn copy_or_move_object(
    ctx: &Ctx,
    src: &At<'_>,
    dest: &At<'_>,
    is_move: bool,
) -> Result<u64, ApiError> {
    let user = ctx.uuid();
    let content_type = if ctx.query.has("ignore_content_type") {
        None
    } else {
        ctx.headers.content_type().map(str::to_string)
    };
    let meta = ctx.headers.object_meta()?;
    let permissions = ctx.headers.sharing()?;
    let public = ctx.headers.public()?;
    let src_version = if is_move {
        None
    } else {
        ctx.headers.non_empty("x-source-version")
    };
    let delimiter = ctx.query.non_empty("delimiter");
    if is_move && user != src.account {
        return Err(ApiError::forbidden("Forbidden"));
    }
    let mut model = ctx.pithos().write();
    let serial = copy_one(
        ctx,
        &mut model,
        src,
        dest,
        src_version,
        content_type,
        &meta,
        permissions,
        is_move,
    )?;
    if let Some(d) = delimiter {
        let prefix = if src.name.ends_with(d) {
            src.name.to_string()
        } else {
            format!("{}{d}", src.name)
        };
        let dest_prefix = if dest.name.ends_with(d) {
            dest.name.to_string()
        } else {
            format!("{}{d}", dest.name)
        };
        let names: Vec<String> = model
            .container(src.account, src.container)
            .map(|c| {
                c.objects
                    .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                    .take_while(|(n, _)| n.starts_with(prefix.as_str()))
                    .filter(|(_, node)| node.current().is_some())
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default();
        for name in names {
            let dest_name = name.replacen(&prefix, &dest_prefix, 1);
            let s = At {
                name: &name,
                ..*src
            };
            let d = At {
                name: &dest_name,
                ..*dest
            };
            copy_one(
                ctx,
                &mut model,
                &s,
                &d,
                None,
                None,
                &BTreeMap::new(),
                None,
                is_move,
            )?;
        }
    }
    if let Some(public) = public {
        update_public(&mut model, user, dest, public)?;
    }
    Ok(serial)
}

#[allow(clippy::too_many_arguments)]
fn copy_one(
    ctx: &Ctx,
    model: &mut Model,
    src: &At<'_>,
    dest: &At<'_>,
    src_version: Option<&str>,
    content_type: Option<String>,
    meta: &BTreeMap<String, String>,
    permissions: Option<Sharing>,
    is_move: bool,
) -> Result<u64, ApiError> {
    let user = ctx.uuid();
    model.can_read_object(user, src.account, src.container, src.name)?;
    model
        .container(src.account, src.container)
        .ok_or_else(no_container)?;
    model
        .container(dest.account, dest.container)
        .ok_or_else(no_container)?;
    let (source, _) = readable_version(model, user, src, src_version)?;
    let same_path = src.path() == dest.path();
    let data = NewData {
        size: source.size,
        hashes: source.hashes.clone(),
        content_type,
        checksum: None,
        is_snapshot: false,
    };
    let serial = commit(
        &ctx.state.quotas,
        user,
        model,
        dest,
        Commit {
            data: Some(data),
            source: Some(&source),
            keep_uuid: is_move || same_path,
            meta,
            replace_meta: false,
            permissions,
        },
    )?;
    if is_move && !same_path {
        delete_object(&ctx.state.quotas, user, model, src)?;
    }
    Ok(serial)
}

/// `COPY` / `MOVE /<account>/<container>/<object>` to `Destination`.
pub fn copy_or_move(ctx: &Ctx, at: &At<'_>, is_move: bool) -> PithosResult {
    let dest_account = ctx
        .headers
        .non_empty("destination-account")
        .unwrap_or(ctx.uuid());
    let destination = ctx
        .headers
        .non_empty("destination")
        .ok_or_else(|| ApiError::bad_request("Missing Destination header"))?;
    let (dest_container, dest_name) = split_container_object(destination)
        .ok_or_else(|| ApiError::bad_request("Invalid Destination header"))?;
    if ctx.headers.non_empty("if-match").is_some()
        || ctx.headers.non_empty("if-none-match").is_some()
    {
        let version = if is_move {
            None
        } else {
            ctx.headers.non_empty("x-source-version")
        };
        let model = ctx.pithos().read();
        let (v, _) = readable_version(&model, ctx.uuid(), at, version)?;
        check_match(ctx, v.hash.as_deref())?;
    }
    let dest = At {
        account: dest_account,
        container: &dest_container,
        name: &dest_name,
    };
    let serial = copy_or_move_object(ctx, at, &dest, is_move)?;
    Ok(Reply::empty(StatusCode::CREATED).header("X-Object-Version", serial.to_string()))
}

/// Writes `data` at `offset` into a hashmap, block by block (Synnefo's
/// `put_object_block` loop): blocks partly covered are merged with the
/// stored block. Returns where the data ended.
fn write_at(ctx: &Ctx, hashes: &mut Vec<Hash>, mut offset: u64, data: &[u8]) -> u64 {
    let store = &ctx.pithos().store;
    let bs = BLOCK_SIZE as u64;
    let mut data = data;
    while !data.is_empty() {
        let index = usize::try_from(offset / bs).unwrap_or(usize::MAX);
        let within = usize::try_from(offset % bs).unwrap_or(0);
        let take = data.len().min(BLOCK_SIZE - within);
        let piece = &data[..take];
        let mut block = vec![0u8; BLOCK_SIZE];
        if let Some(old) = hashes.get(index).and_then(|h| store.get(h)) {
            let n = old.len().min(BLOCK_SIZE);
            block[..n].copy_from_slice(&old[..n]);
        }
        block[within..within + take].copy_from_slice(piece);
        let hash = store.put(bytes::Bytes::from(block));
        if index < hashes.len() {
            hashes[index] = hash;
        } else {
            hashes.push(hash);
        }
        offset += take as u64;
        data = &data[take..];
    }
    offset
}

/// The data of a version, padded blocks concatenated, cut to `length`.
fn version_data(ctx: &Ctx, v: &Version, length: u64) -> Vec<u8> {
    let store = &ctx.pithos().store;
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(length.min(1 << 30));
    for h in v.hashes.iter() {
        if out.len() >= length {
            break;
        }
        let mut block = store.get(h).map(|b| b.to_vec()).unwrap_or_default();
        block.resize(BLOCK_SIZE, 0);
        out.extend_from_slice(&block);
    }
    out.truncate(length);
    out
}

/// `POST /<account>/<container>/<object>`: metadata, permissions, public;
/// with `application/octet-stream` data or `X-Source-Object`, a partial
/// update of the data (`Content-Range`, `X-Object-Bytes`).
pub async fn post(ctx: &Ctx, at: &At<'_>, body: &mut Option<Body>) -> PithosResult {
    let user = ctx.uuid();
    let content_type = ctx.headers.content_type().map(str::to_string);
    let meta = ctx.headers.object_meta()?;
    let permissions = ctx.headers.sharing()?;
    let public = ctx.headers.public()?;
    let prev = {
        let model = ctx.pithos().read();
        readable_version(&model, user, at, None)?.0
    };
    if ctx.headers.non_empty("if-match").is_some()
        || ctx.headers.non_empty("if-none-match").is_some()
    {
        check_match(ctx, version_etag(ctx, &prev).as_deref())?;
    }
    let replace = !ctx.query.has("update");
    let src_object = ctx.headers.non_empty("x-source-object").map(str::to_string);
    if content_type.as_deref() != Some("application/octet-stream") && src_object.is_none() {
        let mut reply = Reply::empty(StatusCode::ACCEPTED);
        let mut model = ctx.pithos().write();
        if let Some(sharing) = permissions {
            if user != at.account {
                return Err(ApiError::forbidden(
                    "Modifying other account's object permissions is not allowed",
                ));
            }
            model
                .container(at.account, at.container)
                .and_then(|c| c.objects.get(at.name))
                .ok_or_else(no_object)?;
            model.set_sharing(&at.path(), sharing);
        }
        if let Some(public) = public {
            update_public(&mut model, user, at, public)?;
        }
        if !meta.is_empty() || replace {
            model.can_write_object(user, at.account, at.container, at.name)?;
            let current = model
                .container(at.account, at.container)
                .and_then(|c| c.current(at.name))
                .cloned()
                .ok_or_else(no_object)?;
            let merged = merge_meta(Some(&current.meta), &meta, replace);
            if merged.len() > MAX_METADATA {
                return Err(too_much_metadata());
            }
            let (serial, _) = model.put_version(
                user,
                at.account,
                at.container,
                at.name,
                None,
                None,
                true,
                merged,
            );
            reply.headers.set("X-Object-Version", serial.to_string());
        }
        return Ok(reply);
    }

    if ctx.headers.get("content-range").is_none() {
        return Err(ApiError::bad_request("Missing Content-Range header"));
    }
    let range_not_satisfiable = |m: &str| ApiError::new("rangeNotSatisfiable", 416, m);
    let (offset, length, total) = ctx
        .headers
        .get("content-range")
        .and_then(parse_content_range)
        .ok_or_else(|| range_not_satisfiable("Invalid Content-Range header"))?;
    let size = prev.size;
    let mut hashes: Vec<Hash> = prev.hashes.to_vec();
    if size == 0 {
        hashes.clear();
    }
    let offset = match offset {
        None => size,
        Some(o) if o > size => {
            return Err(range_not_satisfiable(
                "Supplied offset is beyond object limits",
            ))
        }
        Some(o) => o,
    };
    // The data: another object's, or the body's.
    enum Source {
        Object(Version),
        Body(Option<u64>),
    }
    let (source, length): (Source, Option<u64>) = match &src_object {
        Some(src_path) => {
            let src_account = ctx.headers.non_empty("x-source-account").unwrap_or(user);
            let (sc, sn) = split_container_object(src_path)
                .ok_or_else(|| ApiError::bad_request("Invalid source object"))?;
            let src_version = ctx.headers.non_empty("x-source-version");
            let model = ctx.pithos().read();
            let src = At {
                account: src_account,
                container: &sc,
                name: &sn,
            };
            let (v, _) = readable_version(&model, user, &src, src_version)?;
            let length = match length {
                None => v.size,
                Some(l) if l > v.size => {
                    return Err(ApiError::bad_request(
                        "Object length is smaller than range length",
                    ))
                }
                Some(l) => l,
            };
            (Source::Object(v), Some(length))
        }
        None => {
            let content_length = if ctx.headers.chunked() {
                None
            } else {
                Some(ctx.headers.content_length()?)
            };
            let length = match (length, content_length) {
                (None, cl) => cl,
                (Some(_), None) => None,
                (Some(l), Some(cl)) if l != cl => {
                    return Err(ApiError::bad_request(
                        "Content length does not match range length",
                    ))
                }
                (Some(l), Some(_)) => Some(l),
            };
            (Source::Body(length), length)
        }
    };
    if let Some(total) = total {
        let l = length.unwrap_or(0);
        if total != size || offset >= size || (l > 0 && offset.saturating_add(l) > size) {
            return Err(range_not_satisfiable(
                "Supplied range will change provided object limits",
            ));
        }
    }
    let dest_bytes = match ctx.headers.get("x-object-bytes") {
        None => None,
        Some(v) => Some(
            int_parameter(v)
                .ok_or_else(|| ApiError::bad_request("Invalid X-Object-Bytes header"))?,
        ),
    };
    {
        let model = ctx.pithos().read();
        check_writable(&model, user, at, permissions.is_some())?;
    }
    let bs = BLOCK_SIZE as u64;
    let mut end = offset;
    match source {
        Source::Object(v) => {
            let length = length.unwrap_or(0);
            if offset % bs == 0 {
                // Block-aligned: reuse the source's blocks.
                let mut left = length;
                let mut at_offset = offset;
                let mut index = 0usize;
                while left > 0 {
                    let bi = usize::try_from(at_offset / bs).unwrap_or(usize::MAX);
                    let bl = left.min(bs);
                    let src_hash = v.hashes.get(index).copied().unwrap_or_else(empty_hash);
                    if bi < hashes.len() {
                        if bl == bs {
                            hashes[bi] = src_hash;
                        } else {
                            let store = &ctx.pithos().store;
                            let mut block =
                                store.get(&src_hash).map(|b| b.to_vec()).unwrap_or_default();
                            block.resize(BLOCK_SIZE, 0);
                            let bl = usize::try_from(bl).unwrap_or(BLOCK_SIZE);
                            write_at(ctx, &mut hashes, at_offset, &block[..bl]);
                        }
                    } else {
                        hashes.push(src_hash);
                    }
                    at_offset += bl;
                    left -= bl;
                    index += 1;
                }
                end = at_offset;
            } else {
                let data = version_data(ctx, &v, length);
                end = write_at(ctx, &mut hashes, offset, &data);
            }
        }
        Source::Body(length) => {
            let data = read_all(
                super::body::take(body),
                length,
                ctx.pithos().max_upload_size(),
            )
            .await?;
            if !data.is_empty() {
                end = write_at(ctx, &mut hashes, offset, &data);
            }
        }
    }
    let mut new_size = size.max(end);
    if let Some(b) = dest_bytes {
        if b < new_size {
            new_size = b;
            let blocks = usize::try_from(new_size.div_ceil(bs)).unwrap_or(usize::MAX);
            hashes.truncate(blocks);
        }
    }
    if new_size == 0 {
        hashes = vec![empty_hash()];
    }
    let blocks = new_size.div_ceil(bs).max(1);
    if hashes.len() as u64 != blocks {
        return Err(ApiError::bad_request(
            "The object's size does not match with the object's hashmap length",
        ));
    }
    let mut model = ctx.pithos().write();
    let checksum = if ctx.pithos().update_md5() {
        hashmap_md5(ctx, &hashes, new_size)
    } else {
        String::new()
    };
    let data = NewData {
        size: new_size,
        hashes: Arc::new(hashes),
        content_type: Some(prev.content_type.clone()),
        checksum: Some(checksum),
        is_snapshot: false,
    };
    let etag = if ctx.pithos().update_md5() {
        data.checksum.clone().unwrap_or_default()
    } else {
        to_hex(&super::hashing::merkle(&data.hashes))
    };
    let serial = commit(
        &ctx.state.quotas,
        user,
        &mut model,
        at,
        Commit {
            data: Some(data),
            source: None,
            keep_uuid: true,
            meta: &meta,
            replace_meta: replace,
            permissions,
        },
    )?;
    if let Some(public) = public {
        update_public(&mut model, user, at, public)?;
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT)
        .header("ETag", etag)
        .header("X-Object-Version", serial.to_string()))
}

/// Deletes an object by `user` (not a purge): 404 if it does not exist;
/// releases its space. The HTTP API's deletions and other services'
/// ([`super::backend`]) go through here.
pub(super) fn delete_object(
    quotas: &Quotas,
    user: &str,
    model: &mut Model,
    at: &At<'_>,
) -> Result<u64, ApiError> {
    if user != at.account {
        return Err(ApiError::forbidden("Forbidden"));
    }
    let cont = model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    let project = cont.project.clone();
    let node = cont.objects.get(at.name).ok_or_else(no_object)?;
    if node.current().is_none() {
        return Err(ApiError::item_not_found("Object is deleted."));
    }
    let freed = model
        .delete_current(user, at.account, at.container, at.name)
        .unwrap_or(0);
    quotas.release(at.account, &project, &[(PITHOS_DISKSPACE, freed)]);
    Ok(freed)
}

/// `DELETE /<account>/<container>/<object>`: delete (with `delimiter`,
/// everything under it too) or purge history up to `until`.
pub fn delete(ctx: &Ctx, at: &At<'_>) -> PithosResult {
    let until = ctx.query.until();
    let delimiter = ctx.query.non_empty("delimiter");
    let mut model = ctx.pithos().write();
    if ctx.uuid() != at.account {
        return Err(ApiError::forbidden("Forbidden"));
    }
    let cont = model
        .container(at.account, at.container)
        .ok_or_else(no_container)?;
    let project = cont.project.clone();
    if let Some(u) = until {
        cont.objects.get(at.name).ok_or_else(no_object)?;
        let freed = model.purge_object(at.account, at.container, at.name, u);
        ctx.state
            .quotas
            .release(at.account, &project, &[(PITHOS_DISKSPACE, freed)]);
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    delete_object(&ctx.state.quotas, ctx.uuid(), &mut model, at)?;
    if let Some(d) = delimiter {
        let prefix = if at.name.ends_with(d) {
            at.name.to_string()
        } else {
            format!("{}{d}", at.name)
        };
        let names: Vec<String> = model
            .container(at.account, at.container)
            .map(|c| {
                c.objects
                    .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
                    .take_while(|(n, _)| n.starts_with(prefix.as_str()))
                    .filter(|(_, node)| node.current().is_some())
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default();
        for name in names {
            let child = At { name: &name, ..*at };
            delete_object(&ctx.state.quotas, ctx.uuid(), &mut model, &child)?;
        }
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
