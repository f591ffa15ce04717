//! Block uploads with deduplication (kamaki's `upload_object`,
//! `upload_from_string`):
//!
//! 1. learn the container's block size and hash (`HEAD`, cacheable);
//! 2. hash the blocks on every core while reading them (one block in memory
//!    per thread);
//! 3. `PUT ?hashmap&format=json` with the block list: 201 means every block
//!    is on the server already (nothing is sent); 409 lists the missing ones;
//! 4. `POST ?update` each missing block to the container, in parallel, at
//!    most `concurrency` blocks in flight (these requests are idempotent and
//!    retried), checking the hash the server gives back;
//! 5. `PUT` the hashmap again to create the object.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde_json::json;

use super::hashmap::block_count;
use super::limits::Limits;
use super::models::{BlockInfo, Format, Sharing};
use super::progress::{ProgressFn, Reporter};
use super::rest_api::{ContainerPost, ObjectPut};
use super::transfer::{
    default_hash_threads, hash_blocks, read_block_pooled, with_context, within, BlockSource,
    UploadSource,
};
use super::PithosClient;
use crate::clients::storage::{headers_of, Headers};
use crate::clients::{ClientError, Result};

/// How many times the final `PUT` may find blocks missing again (someone
/// else's purge, a changed file) before the upload gives up.
const FINAL_ROUNDS: usize = 3;

/// The block information of containers, kept between uploads (kamaki's
/// `container_info_cache`); clones share it.
#[derive(Clone, Debug, Default)]
pub struct ContainerInfoCache(Arc<Mutex<HashMap<String, BlockInfo>>>);

impl ContainerInfoCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, key: &str) -> Option<BlockInfo> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .copied()
    }

    fn insert(&self, key: String, info: BlockInfo) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, info);
    }
}

/// How to upload an object.
#[derive(Clone, Default)]
pub struct UploadOptions {
    /// Upload only the first `size` bytes of the source.
    pub size: Option<u64>,
    /// Progress of hashing (bytes hashed / bytes in all).
    pub hash_cb: Option<ProgressFn>,
    /// Progress of the upload (bytes on the server / bytes in all; blocks
    /// the server has already count as done at once).
    pub upload_cb: Option<ProgressFn>,
    /// `ETag` sent with the final `PUT`.
    pub etag: Option<String>,
    /// `If-Match`: only replace the object if its ETag is this.
    pub if_etag_match: Option<String>,
    /// `If-None-Match: *`: fail if the object exists.
    pub if_not_exist: bool,
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
    /// A cache of container block information.
    pub container_info_cache: Option<ContainerInfoCache>,
    /// Create the object in this account's container of the same name
    /// (shared with the user); the blocks go to the user's own account.
    pub target_account: Option<String>,
    /// Blocks in flight at once (default: the client's `concurrency()`).
    pub concurrency: Option<usize>,
    /// Hashing threads (default: one per core).
    pub hash_threads: Option<usize>,
    /// A bound on the whole upload, retries included (none by default).
    pub timeout: Option<std::time::Duration>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("size", &self.size)
            .field("etag", &self.etag)
            .field("if_etag_match", &self.if_etag_match)
            .field("if_not_exist", &self.if_not_exist)
            .field("content_type", &self.content_type)
            .field("sharing", &self.sharing)
            .field("public", &self.public)
            .field("target_account", &self.target_account)
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A block to send: where it is and how many times it occurs.
#[derive(Clone, Copy, Debug)]
struct Located {
    offset: u64,
    len: usize,
    occurrences_bytes: u64,
}

impl PithosClient {
    /// Uploads `source` (a path, an open file, bytes) as `obj`, sending only
    /// the blocks the server does not have. Returns the headers of the
    /// `PUT` that created the object.
    ///
    /// ```no_run
    /// # async fn f(pithos: kamaki::clients::pithos::PithosClient) -> kamaki::clients::Result<()> {
    /// use kamaki::clients::pithos::{progress_fn, UploadOptions};
    /// let options = UploadOptions {
    ///     upload_cb: Some(progress_fn(|p| eprint!("\r{}/{}", p.done, p.total))),
    ///     ..UploadOptions::default()
    /// };
    /// pithos.upload_object("backup.tar", std::path::Path::new("backup.tar"), &options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_object(
        &self,
        obj: &str,
        source: impl Into<UploadSource>,
        options: &UploadOptions,
    ) -> Result<Headers> {
        let source = source.into();
        let limits = Limits::new(
            options.concurrency.unwrap_or_else(|| self.concurrency()),
            options.hash_threads.unwrap_or_else(default_hash_threads),
        );
        within(
            options.timeout,
            || self.object_url(obj),
            self.upload_limited(obj, source, options, &limits),
        )
        .await
    }

    /// `upload_object` within `limits` (shared by the files of a tree).
    pub(crate) async fn upload_limited(
        &self,
        obj: &str,
        source: UploadSource,
        options: &UploadOptions,
        limits: &Limits,
    ) -> Result<Headers> {
        let target = self.upload_target(options);
        target.object_path(obj)?;
        let info = target
            .block_info_cached(options.container_info_cache.as_ref(), limits)
            .await?;
        let hashed = hash_source(source.open()?, options, info, limits).await?;
        self.put_hashed(&target, obj, &hashed, info, options, limits)
            .await
    }

    /// The client that creates the object: the user's, or the account of
    /// `target_account`.
    pub(crate) fn upload_target(&self, options: &UploadOptions) -> PithosClient {
        match &options.target_account {
            Some(account) => self.use_alternative_account(account.clone()),
            None => self.clone(),
        }
    }

    /// Creates `obj` in `target`'s container from `hashed`: `PUT`s the
    /// hashmap, sends the blocks the server lacks (to this client's own
    /// container, which is `target`'s unless uploading to another
    /// account), and `PUT`s it again.
    pub(crate) async fn put_hashed(
        &self,
        target: &PithosClient,
        obj: &str,
        hashed: &Hashed,
        info: BlockInfo,
        options: &UploadOptions,
        limits: &Limits,
    ) -> Result<Headers> {
        let size = hashed.size;
        let mut located: HashMap<&str, Located> = HashMap::new();
        for (hash, &(offset, len)) in hashed.hashes.iter().zip(&hashed.blocks) {
            located
                .entry(hash.as_str())
                .and_modify(|l| l.occurrences_bytes += len as u64)
                .or_insert(Located {
                    offset,
                    len,
                    occurrences_bytes: len as u64,
                });
        }
        let hashmap = serde_json::to_vec(&json!({"bytes": size, "hashes": hashed.hashes}))
            .map_err(|e| ClientError::InvalidRequest(format!("cannot encode the hashmap: {e}")))?;
        let put = ObjectPut {
            format: Some(Format::Json),
            hashmap: true,
            content_type: Some(
                options
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
            if_etag_match: options.if_etag_match.clone(),
            if_etag_not_match: options.if_not_exist.then(|| "*".to_string()),
            content_encoding: options.content_encoding.clone(),
            content_disposition: options.content_disposition.clone(),
            permissions: options.sharing.clone(),
            public: options.public,
            data: Some(hashmap.into()),
            ..ObjectPut::default()
        };

        let uploading = Arc::new(Reporter::new(options.upload_cb.clone(), size));
        let mut first = true;
        for _ in 0..=FINAL_ROUNDS {
            let final_put = ObjectPut {
                etag: (!first).then(|| options.etag.clone()).flatten(),
                ..put.clone()
            };
            let reply = {
                let _slot = limits.request().await?;
                target
                    .object_put_request(obj, &final_put)?
                    .success(&[201, 409])
                    .send()
                    .await?
            };
            if reply.status() == 201 {
                if first {
                    uploading.start(size);
                } else {
                    uploading.add(0);
                }
                return Ok(headers_of(&reply));
            }
            let missing: Vec<String> = reply
                .json()
                .map_err(|e| with_context(e, || format!("the list of blocks missing for {obj}")))?;
            let mut wanted: Vec<(String, Located)> = Vec::new();
            let mut seen: HashSet<String> = HashSet::new();
            for hash in missing {
                let hash = hash.to_ascii_lowercase();
                let Some(place) = located.get(hash.as_str()) else {
                    return Err(ClientError::InvalidResponse {
                        url: target.endpoint_url().to_string(),
                        message: format!(
                            "the server asks for block {hash}, which {obj} does not have"
                        ),
                    });
                };
                if seen.insert(hash.clone()) {
                    wanted.push((hash, *place));
                }
            }
            if first {
                let missing_bytes: u64 = wanted.iter().map(|(_, l)| l.occurrences_bytes).sum();
                uploading.start(size.saturating_sub(missing_bytes));
                first = false;
            }
            self.send_blocks(obj, &hashed.source, wanted, info, limits, &uploading)
                .await?;
        }
        Err(ClientError::Integrity(format!(
            "{obj}: the server still misses blocks after {FINAL_ROUNDS} rounds of uploading them"
        )))
    }

    /// Uploads `data` from memory as `obj` (kamaki's `upload_from_string`).
    pub async fn upload_from_string(
        &self,
        obj: &str,
        data: impl Into<bytes::Bytes>,
        options: &UploadOptions,
    ) -> Result<Headers> {
        self.upload_object(obj, UploadSource::Bytes(data.into()), options)
            .await
    }

    /// The container's block size and hash, from `cache` when it has them.
    pub(crate) async fn block_info_cached(
        &self,
        cache: Option<&ContainerInfoCache>,
        limits: &Limits,
    ) -> Result<BlockInfo> {
        let key = format!("{}/{}", self.account_name()?, self.container_name()?);
        if let Some(info) = cache.and_then(|c| c.get(&key)) {
            return Ok(info);
        }
        let info = {
            let _slot = limits.request().await?;
            self.get_block_info(None).await?
        };
        if let Some(cache) = cache {
            cache.insert(key, info);
        }
        Ok(info)
    }

    /// POSTs the blocks `wanted` to the container, as many at a time as
    /// `limits` allow (a block is read only once its request has a place,
    /// so memory stays within the bound).
    async fn send_blocks(
        &self,
        obj: &str,
        source: &Arc<dyn BlockSource>,
        wanted: Vec<(String, Located)>,
        info: BlockInfo,
        limits: &Limits,
        reporter: &Arc<Reporter>,
    ) -> Result<()> {
        let pool = limits.pool().clone();
        stream::iter(wanted)
            .map(|(hash, place)| {
                let source = source.clone();
                let reporter = reporter.clone();
                let pool = pool.clone();
                async move {
                    let context = || {
                        format!(
                            "uploading {obj}: block at byte {} ({} bytes, hash {hash})",
                            place.offset, place.len
                        )
                    };
                    let _slot = limits.request().await?;
                    let data = read_block_pooled(&source, place.offset, place.len, &pool).await?;
                    let stored = self
                        .post_block(data)
                        .await
                        .map_err(|e| with_context(e, context))?;
                    let echoed = stored.first().map(|s| s.to_ascii_lowercase());
                    if echoed.as_deref() != Some(hash.as_str()) {
                        return Err(ClientError::Integrity(format!(
                            "{}: the server stored it as {} ({} hash)",
                            context(),
                            echoed.unwrap_or_else(|| "nothing".into()),
                            info.algorithm
                        )));
                    }
                    reporter.add(place.occurrences_bytes);
                    Ok(())
                }
            })
            .buffer_unordered(limits.requests())
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    /// Stores one block in the container (`POST ?update&format=json`) and
    /// returns the hashes the server computed. Storing a block twice does
    /// no harm, so the request is retried like a `PUT`.
    async fn post_block(&self, data: bytes::Bytes) -> Result<Vec<String>> {
        let reply = self
            .container_post_request(&ContainerPost {
                content_type: Some("application/octet-stream".into()),
                content_length: Some(data.len() as u64),
                data: Some(data),
                ..ContainerPost::default()
            })?
            .idempotent(true)
            .success(&[202, 201, 200])
            .send()
            .await?;
        reply.json()
    }
}

/// A source hashed block by block, ready to be sent.
pub(crate) struct Hashed {
    pub(crate) source: Arc<dyn BlockSource>,
    pub(crate) size: u64,
    /// `(offset, length)` of each block.
    pub(crate) blocks: Vec<(u64, usize)>,
    /// The hex hash of each block.
    pub(crate) hashes: Vec<String>,
}

/// Hashes the first `options.size` bytes of `source` (all of it by default)
/// in blocks of the container's size, on as many threads as `limits` let it
/// have.
pub(crate) async fn hash_source(
    source: Arc<dyn BlockSource>,
    options: &UploadOptions,
    info: BlockInfo,
    limits: &Limits,
) -> Result<Hashed> {
    let size = match options.size {
        Some(size) if size > source.len() => {
            return Err(ClientError::InvalidRequest(format!(
                "{} has {} bytes, fewer than the {size} to upload",
                source.describe(),
                source.len()
            )))
        }
        Some(size) => size,
        None => source.len(),
    };
    let blocks: Vec<(u64, usize)> = (0..block_count(size, info.block_size))
        .map(|i| {
            let offset = i * info.block_size;
            (offset, info.block_size.min(size - offset) as usize)
        })
        .collect();
    let hashing = Arc::new(Reporter::new(options.hash_cb.clone(), size));
    hashing.start(0);
    let wanted = options
        .hash_threads
        .unwrap_or_else(default_hash_threads)
        .min(blocks.len());
    let hashes = if blocks.is_empty() {
        Vec::new()
    } else {
        let (_threads, threads) = limits.hashing(wanted).await?;
        hash_blocks(
            source.clone(),
            blocks.clone(),
            info.algorithm,
            threads,
            hashing,
            limits.pool(),
        )
        .await?
    };
    Ok(Hashed {
        source,
        size,
        blocks,
        hashes,
    })
}
