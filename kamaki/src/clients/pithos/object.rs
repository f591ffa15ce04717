//! Object-level calls: information, metadata, sharing, publishing,
//! versions, copy and move, delete, and the partial updates (append,
//! truncate, overwrite a range).

use std::collections::BTreeMap;

use bytes::Bytes;

use super::models::{BlockInfo, ObjectHashmap, ObjectVersion, Sharing, VersionList};
use super::progress::{ProgressFn, Reporter};
use super::rest_api::{ObjectDelete, ObjectGet, ObjectHead, ObjectPost, ObjectPut};
use super::transfer::{read_block, UploadSource};
use super::PithosClient;
use crate::clients::storage::{filter_in, headers_of, http_error, Headers};
use crate::clients::{ClientError, Result};

/// The attributes of a written object (`upload_object_unchunked`,
/// `create_object_by_manifestation`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectWriteOptions {
    /// `ETag`: the MD5 the data must have.
    pub etag: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Type` (default `application/octet-stream`).
    pub content_type: Option<String>,
    /// Permissions.
    pub sharing: Option<Sharing>,
    /// Publish it (or not).
    pub public: Option<bool>,
}

/// Which hashmap to get, and on which conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HashmapOptions {
    /// A version of the object.
    pub version: Option<String>,
    /// `If-Match`: only if the ETag is this.
    pub if_match: Option<String>,
    /// `If-None-Match`: only if the ETag is not this (`*`: never).
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` (an HTTP date).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (an HTTP date).
    pub if_unmodified_since: Option<String>,
}

/// How to copy or move an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// The destination name (default: the source's).
    pub dst_object: Option<String>,
    /// Copy this version of the source.
    pub source_version: Option<String>,
    /// The source is in this account (cross-account copy or move).
    pub source_account: Option<String>,
    /// Publish the copy (`Some(false)` makes it private; `None` leaves the
    /// server's default).
    pub public: Option<bool>,
    /// The destination's content type.
    pub content_type: Option<String>,
    /// With `/`: copy or move everything under the source "directory" too.
    pub delimiter: Option<String>,
}

/// The absolute public URL of an object from its `X-Object-Public` header:
/// a path (as Synnefo sends it) gets the scheme and host of `endpoint_url`
/// put before it; anything else is taken as it is.
pub fn public_url(endpoint_url: &str, x_object_public: &str) -> String {
    let public = x_object_public.trim();
    if public.starts_with('/') {
        let base = url::Url::parse(endpoint_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        return format!("{base}{public}");
    }
    public.to_string()
}

impl PithosClient {
    /// Creates `obj` from `data` in one `PUT` (no block hashing).
    pub async fn upload_object_unchunked(
        &self,
        obj: &str,
        data: impl Into<Bytes>,
        options: &ObjectWriteOptions,
    ) -> Result<Headers> {
        let reply = self
            .object_put(
                obj,
                &ObjectPut {
                    etag: options.etag.clone(),
                    content_encoding: options.content_encoding.clone(),
                    content_disposition: options.content_disposition.clone(),
                    content_type: Some(
                        options
                            .content_type
                            .clone()
                            .unwrap_or_else(|| "application/octet-stream".into()),
                    ),
                    permissions: options.sharing.clone(),
                    public: options.public,
                    data: Some(data.into()),
                    ..ObjectPut::default()
                },
            )
            .await?;
        Ok(headers_of(&reply))
    }

    /// Creates `obj` as a manifest: its data is the concatenation of the
    /// objects named `<container>/<obj>*` (`X-Object-Manifest`).
    pub async fn create_object_by_manifestation(
        &self,
        obj: &str,
        options: &ObjectWriteOptions,
    ) -> Result<Headers> {
        let manifest = format!("{}/{}", self.container_name()?, obj);
        let reply = self
            .object_put(
                obj,
                &ObjectPut {
                    content_length: Some(0),
                    etag: options.etag.clone(),
                    content_encoding: options.content_encoding.clone(),
                    content_disposition: options.content_disposition.clone(),
                    content_type: Some(
                        options
                            .content_type
                            .clone()
                            .unwrap_or_else(|| "application/octet-stream".into()),
                    ),
                    permissions: options.sharing.clone(),
                    public: options.public,
                    manifest: Some(manifest),
                    ..ObjectPut::default()
                },
            )
            .await?;
        Ok(headers_of(&reply))
    }

    /// The object's hashmap, or `None` when a condition says "not
    /// modified" (304). A failed precondition (412) is an error.
    pub async fn get_object_hashmap(
        &self,
        obj: &str,
        options: &HashmapOptions,
    ) -> Result<Option<ObjectHashmap>> {
        Ok(self
            .hashmap_and_headers(obj, options)
            .await?
            .map(|(h, _)| h))
    }

    pub(crate) async fn hashmap_and_headers(
        &self,
        obj: &str,
        options: &HashmapOptions,
    ) -> Result<Option<(ObjectHashmap, Headers)>> {
        let reply = self
            .object_get_request(
                obj,
                &ObjectGet {
                    hashmap: true,
                    version: options.version.clone(),
                    if_etag_match: options.if_match.clone(),
                    if_etag_not_match: options.if_none_match.clone(),
                    if_modified_since: options.if_modified_since.clone(),
                    if_unmodified_since: options.if_unmodified_since.clone(),
                    ..ObjectGet::default()
                },
            )?
            .success(&[200, 304])
            .send()
            .await?;
        if reply.status() == 304 {
            return Ok(None);
        }
        let hashmap: ObjectHashmap = reply.json()?;
        hashmap.check(obj)?;
        Ok(Some((hashmap, headers_of(&reply))))
    }

    /// Deletes `obj`; with `delimiter` `/` everything under `obj/` too; with
    /// `until` only its history up to then.
    pub async fn del_object(
        &self,
        obj: &str,
        until: Option<&str>,
        delimiter: Option<&str>,
    ) -> Result<Headers> {
        let reply = self
            .object_delete(
                obj,
                &ObjectDelete {
                    until: until.map(String::from),
                    delimiter: delimiter.map(String::from),
                },
            )
            .await?;
        Ok(headers_of(&reply))
    }

    async fn object_update(&self, obj: &str, options: ObjectPost) -> Result<Headers> {
        Ok(headers_of(&self.object_post(obj, &options).await?))
    }

    /// Sets these metadata pairs on `obj` (others are kept).
    pub async fn set_object_meta(
        &self,
        obj: &str,
        pairs: &BTreeMap<String, String>,
    ) -> Result<Headers> {
        self.object_update(
            obj,
            ObjectPost {
                metadata: pairs.clone(),
                ..ObjectPost::default()
            },
        )
        .await
    }

    /// Deletes one metadata key of `obj`.
    pub async fn del_object_meta(&self, obj: &str, key: &str) -> Result<Headers> {
        let mut metadata = BTreeMap::new();
        metadata.insert(key.to_string(), String::new());
        self.object_update(
            obj,
            ObjectPost {
                metadata,
                ..ObjectPost::default()
            },
        )
        .await
    }

    /// Publishes `obj` and returns its public URL (absolute; a server that
    /// answers with a path gets the endpoint's scheme and host put before it).
    pub async fn publish_object(&self, obj: &str) -> Result<String> {
        self.object_update(
            obj,
            ObjectPost {
                public: Some(true),
                ..ObjectPost::default()
            },
        )
        .await?;
        let info = self.get_object_info(obj, None).await?;
        let public = info
            .get("x-object-public")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ClientError::InvalidResponse {
                url: self.endpoint_url().to_string(),
                message: format!("{obj} was published but its information shows no public URL"),
            })?;
        Ok(public_url(self.endpoint_url(), public))
    }

    /// Unpublishes `obj`.
    pub async fn unpublish_object(&self, obj: &str) -> Result<Headers> {
        self.object_update(
            obj,
            ObjectPost {
                public: Some(false),
                ..ObjectPost::default()
            },
        )
        .await
    }

    /// `HEAD` of `obj` (of `version` if given): its headers. A missing
    /// object is a 404 error "Object `<obj>` not found".
    pub async fn get_object_info(&self, obj: &str, version: Option<&str>) -> Result<Headers> {
        let reply = self
            .object_head(
                obj,
                &ObjectHead {
                    version: version.map(String::from),
                    ..ObjectHead::default()
                },
            )
            .await
            .map_err(|e| match e.status() {
                404 => http_error(404, format!("Object {obj} not found")),
                _ => e,
            })?;
        Ok(headers_of(&reply))
    }

    /// The `x-object-meta-*` headers of `obj` (full names).
    pub async fn get_object_meta(&self, obj: &str, version: Option<&str>) -> Result<Headers> {
        Ok(filter_in(
            &self.get_object_info(obj, version).await?,
            "x-object-meta-",
            false,
        ))
    }

    /// Who may read and write `obj` (from `x-object-sharing`).
    pub async fn get_object_sharing(&self, obj: &str) -> Result<Sharing> {
        let info = self.get_object_info(obj, None).await?;
        match info.get("x-object-sharing") {
            Some(value) => Sharing::parse(value),
            None => Ok(Sharing::default()),
        }
    }

    /// Sets who may read and write `obj` (user uuids, `<account>:<group>`,
    /// or `*`); empty lists remove that permission.
    pub async fn set_object_sharing<R: AsRef<str>, W: AsRef<str>>(
        &self,
        obj: &str,
        read_permission: &[R],
        write_permission: &[W],
    ) -> Result<Headers> {
        let sharing = Sharing {
            read: read_permission
                .iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
            write: write_permission
                .iter()
                .map(|s| s.as_ref().to_string())
                .collect(),
        };
        self.object_update(
            obj,
            ObjectPost {
                permissions: Some(sharing),
                ..ObjectPost::default()
            },
        )
        .await
    }

    /// Removes all permissions of `obj`.
    pub async fn del_object_sharing(&self, obj: &str) -> Result<Headers> {
        self.set_object_sharing::<&str, &str>(obj, &[], &[]).await
    }

    /// The block size and hash of `container` (or the client's).
    pub async fn get_block_info(&self, container: Option<&str>) -> Result<BlockInfo> {
        BlockInfo::from_headers(&self.get_container_info(container, None).await?)
    }

    /// Appends the data of `source` to `obj`, a block per `POST`, in order.
    pub async fn append_object(
        &self,
        obj: &str,
        source: impl Into<UploadSource>,
        upload_cb: Option<ProgressFn>,
    ) -> Result<Vec<Headers>> {
        let info = self.get_block_info(None).await?;
        let source = source.into().open()?;
        let size = source.len();
        let reporter = Reporter::new(upload_cb, size);
        reporter.start(0);
        let mut replies = Vec::new();
        let mut offset = 0u64;
        while offset < size {
            let len = info.block_size.min(size - offset) as usize;
            let block = read_block(&*source, offset, len)?;
            let reply = self
                .object_post(
                    obj,
                    &ObjectPost {
                        content_range: Some("bytes */*".into()),
                        content_type: Some("application/octet-stream".into()),
                        data: Some(block),
                        ..ObjectPost::default()
                    },
                )
                .await?;
            replies.push(headers_of(&reply));
            offset += len as u64;
            reporter.add(len as u64);
        }
        Ok(replies)
    }

    /// Cuts `obj` to its first `upto_bytes` bytes.
    pub async fn truncate_object(&self, obj: &str, upto_bytes: u64) -> Result<Headers> {
        let info = self.get_object_info(obj, None).await?;
        let content_type = info
            .get("content-type")
            .cloned()
            .unwrap_or_else(|| "application/octet-stream".into());
        let source = format!("/{}/{}", self.container_name()?, obj);
        self.object_update(
            obj,
            ObjectPost {
                content_range: Some(format!("bytes 0-{upto_bytes}/*")),
                content_type: Some(content_type),
                object_bytes: Some(upto_bytes),
                source_object: Some(source),
                ..ObjectPost::default()
            },
        )
        .await
    }

    /// Overwrites bytes `start..=end` of `obj` with the first bytes of
    /// `source`, a block per `POST`, in order.
    pub async fn overwrite_object(
        &self,
        obj: &str,
        start: u64,
        end: u64,
        source: impl Into<UploadSource>,
        source_version: Option<&str>,
        upload_cb: Option<ProgressFn>,
    ) -> Result<Vec<Headers>> {
        let info = self.get_object_info(obj, source_version).await?;
        let size: u64 = info
            .get("content-length")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if end < start {
            return Err(ClientError::InvalidRequest(format!(
                "the range end {end} is before its start {start}"
            )));
        }
        if start > size || end > size {
            return Err(ClientError::InvalidRequest(format!(
                "the range {start}-{end} exceeds the size of {obj} ({size} bytes)"
            )));
        }
        let block_info = self.get_block_info(None).await?;
        let source = source.into().open()?;
        let datasize = end - start + 1;
        if source.len() < datasize {
            return Err(ClientError::InvalidRequest(format!(
                "{} has {} bytes, fewer than the {datasize} of the range",
                source.describe(),
                source.len()
            )));
        }
        let reporter = Reporter::new(upload_cb, datasize);
        reporter.start(0);
        let mut replies = Vec::new();
        let mut offset = 0u64;
        while offset < datasize {
            let len = block_info.block_size.min(datasize - offset) as usize;
            let block = read_block(&*source, offset, len)?;
            let first = start + offset;
            let reply = self
                .object_post(
                    obj,
                    &ObjectPost {
                        content_type: Some("application/octet-stream".into()),
                        content_range: Some(format!("bytes {first}-{}/*", first + len as u64 - 1)),
                        source_version: source_version.map(String::from),
                        data: Some(block),
                        ..ObjectPost::default()
                    },
                )
                .await?;
            replies.push(headers_of(&reply));
            offset += len as u64;
            reporter.add(len as u64);
        }
        Ok(replies)
    }

    /// Copies `/<src_container>/<src_object>` into `dst_container`
    /// (`PUT` with `X-Copy-From`; data is not moved, only the hashmap).
    pub async fn copy_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        options: &CopyOptions,
    ) -> Result<Headers> {
        self.copy_or_move(true, src_container, src_object, dst_container, options)
            .await
    }

    /// Moves `/<src_container>/<src_object>` into `dst_container`
    /// (`PUT` with `X-Move-From`).
    pub async fn move_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        options: &CopyOptions,
    ) -> Result<Headers> {
        self.copy_or_move(false, src_container, src_object, dst_container, options)
            .await
    }

    async fn copy_or_move(
        &self,
        copy: bool,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        options: &CopyOptions,
    ) -> Result<Headers> {
        self.account_name()?;
        let target = self.for_container(Some(dst_container));
        let src = format!("/{src_container}/{src_object}");
        let dst = options.dst_object.as_deref().unwrap_or(src_object);
        let put = ObjectPut {
            copy_from: copy.then(|| src.clone()),
            move_from: (!copy).then(|| src.clone()),
            content_length: Some(0),
            source_version: options.source_version.clone(),
            source_account: options.source_account.clone(),
            public: options.public,
            content_type: options.content_type.clone(),
            delimiter: options.delimiter.clone(),
            ..ObjectPut::default()
        };
        let reply = target.object_put(dst, &put).await?;
        Ok(headers_of(&reply))
    }

    /// The versions of `obj`, oldest first.
    pub async fn get_object_versionlist(&self, obj: &str) -> Result<Vec<ObjectVersion>> {
        let reply = self
            .object_get(
                obj,
                &ObjectGet {
                    version: Some("list".into()),
                    ..ObjectGet::default()
                },
            )
            .await?;
        Ok(reply.json::<VersionList>()?.versions)
    }
}
