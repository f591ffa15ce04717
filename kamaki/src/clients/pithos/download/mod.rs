//! Block downloads with verification and resume (kamaki's
//! `download_object`, `download_to_string`, `stream_down`):
//!
//! 1. `GET ?hashmap&format=json` (with the version and the conditions
//!    asked for): the object's size and block hashes;
//! 2. blocks already in the partial file with the right hash are kept
//!    (resume), blocks of zeros are not fetched, identical blocks are
//!    fetched once;
//! 3. the other blocks are fetched with ranged `GET`s in parallel (at most
//!    `concurrency` in flight, each `If-Match` the ETag of step 1), each
//!    checked against its hash, and written at its offset;
//! 4. the partial file (`<file>.kamaki-partial`) is renamed into place only
//!    when every block is verified. A failure leaves it for a later resume,
//!    and names the object, the block and the cause.

use std::collections::HashMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::hashmap::{block_range, BlockHasher, HashAlgorithm};
use super::limits::Limits;
use super::models::ObjectHashmap;
use super::object::HashmapOptions;
use super::progress::{ProgressFn, Reporter};
use super::rest_api::ObjectGet;
use super::transfer::{
    default_hash_threads, hash_blocks, io_error, read_exact_at, with_context, within, write_all_at,
    BlockSource, FileSource, MemorySink, Sink,
};
use super::PithosClient;
use crate::clients::storage::{http_error, Headers};
use crate::clients::{ClientError, Result};

mod plan;
mod sink;
pub use plan::*;
pub(crate) use sink::*;

/// The suffix of the file a download writes to before it is complete.
pub const PARTIAL_SUFFIX: &str = ".kamaki-partial";

/// The largest download `download_to_string` holds in memory unless told
/// otherwise ([`DownloadOptions::memory_limit`]): 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;

/// How to download an object.
#[derive(Clone, Default)]
pub struct DownloadOptions {
    /// Progress (bytes in place / bytes in all).
    pub download_cb: Option<ProgressFn>,
    /// A version of the object.
    pub version: Option<String>,
    /// Keep the blocks already downloaded: those of an interrupted download
    /// (`<file>.kamaki-partial`), or else of the file itself, that have the
    /// right hash are not fetched again.
    pub resume: bool,
    /// Only these bytes (`0-99`, `100-`, `-500`, several joined by `,`),
    /// written one after the other. Whole blocks are still fetched and
    /// verified; resume does not apply.
    pub range_str: Option<String>,
    /// `If-Match`: only if the object's ETag is this.
    pub if_match: Option<String>,
    /// `If-None-Match`: only if it is not (then nothing is written and the
    /// report says `not_modified`).
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` (an HTTP date).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (an HTTP date).
    pub if_unmodified_since: Option<String>,
    /// Blocks in flight at once (default: the client's `concurrency()`).
    pub concurrency: Option<usize>,
    /// Threads hashing local blocks on resume (default: one per core).
    pub hash_threads: Option<usize>,
    /// The largest object (or ranges) `download_to_string` holds in
    /// memory (default [`DEFAULT_MEMORY_LIMIT`]).
    pub memory_limit: Option<u64>,
    /// A bound on the whole download, retries included (none by default);
    /// a download cut short by it keeps its partial file for a resume.
    pub timeout: Option<std::time::Duration>,
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("version", &self.version)
            .field("resume", &self.resume)
            .field("range_str", &self.range_str)
            .field("if_match", &self.if_match)
            .field("if_none_match", &self.if_none_match)
            .field("concurrency", &self.concurrency)
            .field("memory_limit", &self.memory_limit)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a download did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DownloadReport {
    /// The object's size.
    pub object_bytes: u64,
    /// The bytes written (the size, or the length of the ranges).
    pub bytes: u64,
    /// Blocks fetched from the server.
    pub fetched_blocks: usize,
    /// Bytes fetched from the server.
    pub fetched_bytes: u64,
    /// Blocks found already in place with the right hash (resume).
    pub reused_blocks: usize,
    /// Blocks written from another identical block or as zeros, unfetched.
    pub deduplicated_blocks: usize,
    /// Last blocks accepted although they did not match their hash: Synnefo
    /// keeps the hash of the whole stored block of a truncated object.
    pub unverified_blocks: usize,
    /// A condition said "not modified": nothing was written.
    pub not_modified: bool,
    /// The headers of the hashmap reply (ETag, X-Object-Hash, ...).
    pub headers: Headers,
}

impl PithosClient {
    /// Downloads `obj` into the file at `path`, verifying every block.
    ///
    /// The data goes to `<path>.kamaki-partial`, renamed to `path` when
    /// complete. With `resume`, blocks already there (or in `path`) with the
    /// right hash are kept.
    pub async fn download_object(
        &self,
        obj: &str,
        path: impl AsRef<Path>,
        options: &DownloadOptions,
    ) -> Result<DownloadReport> {
        let limits = self.download_limits(options);
        within(
            options.timeout,
            || self.object_url(obj),
            self.download_limited(obj, path.as_ref(), options, &limits),
        )
        .await
    }

    /// The bounds of a download made on its own.
    fn download_limits(&self, options: &DownloadOptions) -> Limits {
        Limits::new(
            options
                .concurrency
                .unwrap_or_else(|| self.concurrency())
                .max(1),
            options.hash_threads.unwrap_or_else(default_hash_threads),
        )
    }

    /// `download_object` within `limits` (shared by the files of a tree).
    pub(crate) async fn download_limited(
        &self,
        obj: &str,
        path: &Path,
        options: &DownloadOptions,
        limits: &Limits,
    ) -> Result<DownloadReport> {
        let Some(plan) = self.plan_download(obj, options, limits).await? else {
            return Ok(DownloadReport {
                not_modified: true,
                ..DownloadReport::default()
            });
        };
        let partial = partial_path(path);
        let resume = options.resume && plan.whole;
        if resume && !partial.is_file() && path.is_file() {
            std::fs::rename(path, &partial).map_err(|e| io_error(Some(path), e))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(!resume)
            .open(&partial)
            .map_err(|e| io_error(Some(&partial), e))?;
        let mut report = self
            .fill_file(&plan, file, Some(&partial), resume, options, limits)
            .await?;
        replace_file(&partial, path)?;
        report.headers = plan.headers;
        Ok(report)
    }

    /// Downloads `obj` into `file`, an open file written in place: every
    /// block verified and written at its offset, and the file's length set
    /// to the object's (or its ranges'). With `resume`, blocks the file
    /// already holds with the right hash are kept. Unlike
    /// [`download_object`](Self::download_object) there is no partial file:
    /// the caller owns `file` (e.g. a file object of the Python binding),
    /// and on failure it holds what was written so far.
    pub async fn download_into_file(
        &self,
        obj: &str,
        file: &File,
        options: &DownloadOptions,
    ) -> Result<DownloadReport> {
        let limits = self.download_limits(options);
        within(options.timeout, || self.object_url(obj), async {
            let Some(plan) = self.plan_download(obj, options, &limits).await? else {
                return Ok(DownloadReport {
                    not_modified: true,
                    ..DownloadReport::default()
                });
            };
            let file = file.try_clone().map_err(|e| io_error(None, e))?;
            let resume = options.resume && plan.whole;
            let mut report = self
                .fill_file(&plan, file, None, resume, options, &limits)
                .await?;
            report.headers = plan.headers;
            Ok(report)
        })
        .await
    }

    /// Puts the pieces of `plan` in `file` (named `name` in errors): sets
    /// its length, keeps the verified blocks it holds with `resume`, and
    /// fetches the rest.
    async fn fill_file(
        &self,
        plan: &Plan,
        file: File,
        name: Option<&Path>,
        resume: bool,
        options: &DownloadOptions,
        limits: &Limits,
    ) -> Result<DownloadReport> {
        let local_len = file.metadata().map_err(|e| io_error(name, e))?.len();
        file.set_len(plan.out_len).map_err(|e| io_error(name, e))?;
        let file = Arc::new(file);

        let reporter = Arc::new(Reporter::new(options.download_cb.clone(), plan.out_len));
        let mut verified = vec![false; plan.hashmap.hashes.len()];
        if resume && local_len > 0 {
            let checked: Vec<usize> = (0..plan.hashmap.hashes.len())
                .filter(|&b| plan.block_bounds(b).1 <= local_len)
                .collect();
            let blocks = checked
                .iter()
                .map(|&b| {
                    let (start, end) = plan.block_bounds(b);
                    (start, (end - start) as usize)
                })
                .collect();
            let source: Arc<dyn BlockSource> = Arc::new(FileSource::new(
                file.try_clone().map_err(|e| io_error(name, e))?,
                name.map(Path::to_path_buf),
            )?);
            let wanted = options.hash_threads.unwrap_or_else(default_hash_threads);
            let (_threads, threads) = limits.hashing(wanted).await?;
            let quiet = Arc::new(Reporter::new(None, 0));
            let local = hash_blocks(
                source,
                blocks,
                plan.algorithm,
                threads,
                quiet,
                limits.pool(),
            )
            .await?;
            for (b, hash) in checked.into_iter().zip(local) {
                verified[b] = hash.eq_ignore_ascii_case(&plan.hashmap.hashes[b]);
            }
        }
        // Past its old length the file holds zeros (set_len); before it,
        // blocks of zeros are written like any other.
        let zeroed_from = local_len;
        let sink: Arc<dyn Sink> = Arc::new(FileSink::new(
            file.try_clone().map_err(|e| io_error(name, e))?,
        ));
        self.run_plan(
            plan,
            sink,
            Some(&*file),
            &verified,
            zeroed_from,
            limits,
            &reporter,
        )
        .await
    }

    /// Downloads `obj` (or the ranges of `range_str`) into memory, verifying
    /// every block. A "not modified" condition is a 304 error.
    pub async fn download_to_string(&self, obj: &str, options: &DownloadOptions) -> Result<Bytes> {
        within(
            options.timeout,
            || self.object_url(obj),
            self.download_to_memory(obj, options),
        )
        .await
    }

    async fn download_to_memory(&self, obj: &str, options: &DownloadOptions) -> Result<Bytes> {
        let limits = self.download_limits(options);
        let plan = self
            .plan_download(obj, options, &limits)
            .await?
            .ok_or_else(not_modified)?;
        // The size is the server's word, and blocks of zeros cost it
        // nothing to send: memory is only committed up to the limit.
        let limit = options.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT);
        if plan.out_len > limit {
            return Err(ClientError::InvalidRequest(format!(
                "{obj} has {} bytes, more than the {limit} a download to memory holds \
                 (DownloadOptions::memory_limit; download_object writes to a file)",
                plan.out_len
            )));
        }
        let len = usize::try_from(plan.out_len)
            .map_err(|_| ClientError::InvalidRequest(format!("{obj} is too large for memory")))?;
        let mut buf = Vec::new();
        buf.try_reserve_exact(len).map_err(|_| {
            ClientError::InvalidRequest(format!("{obj} ({len} bytes) does not fit in memory"))
        })?;
        buf.resize(len, 0);
        let sink = Arc::new(MemorySink(Mutex::new(buf)));
        let reporter = Arc::new(Reporter::new(options.download_cb.clone(), plan.out_len));
        let verified = vec![false; plan.hashmap.hashes.len()];
        self.run_plan(&plan, sink.clone(), None, &verified, 0, &limits, &reporter)
            .await?;
        let data = std::mem::take(&mut *sink.0.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(Bytes::from(data))
    }

    /// The verified bytes of `obj` (or of its ranges), in order, as a
    /// stream: blocks are fetched ahead, at most `concurrency` at a time.
    pub async fn download_stream(
        &self,
        obj: &str,
        options: &DownloadOptions,
    ) -> Result<impl Stream<Item = Result<Bytes>> + Send + 'static> {
        // Each piece comes as the parts it was received in, uncopied.
        let limits = self.download_limits(options);
        let concurrency = limits.requests();
        let plan = Arc::new(
            self.plan_download(obj, options, &limits)
                .await?
                .ok_or_else(not_modified)?,
        );
        let reporter = Arc::new(Reporter::new(options.download_cb.clone(), plan.out_len));
        let client = self.clone();
        let pieces = plan.pieces.clone();
        Ok(stream::iter(pieces)
            .map(move |piece| {
                let (client, plan, reporter) = (client.clone(), plan.clone(), reporter.clone());
                async move {
                    let chunks = if plan.hashmap.hashes[piece.block] == plan.zero_hash {
                        Vec::new()
                    } else {
                        let chunks = client.fetch_block(&plan, piece.block).await?;
                        let check = plan.check(piece.block);
                        blocking(move || check.verify(&chunks).map(|_| chunks)).await??
                    };
                    reporter.add(piece.to - piece.from);
                    Ok::<_, ClientError>(piece_chunks(&chunks, piece.from, piece.to))
                }
            })
            .buffered(concurrency)
            .flat_map(|parts| match parts {
                Ok(parts) => stream::iter(parts.into_iter().map(Ok).collect::<Vec<_>>()),
                Err(e) => stream::iter(vec![Err(e)]),
            }))
    }

    /// Writes the verified bytes of `obj` to `writer`, in order (kamaki's
    /// `stream_down`, e.g. for `kamaki file cat`). Returns the bytes written.
    pub async fn stream_down<W: AsyncWrite + Unpin>(
        &self,
        obj: &str,
        writer: &mut W,
        options: &DownloadOptions,
    ) -> Result<u64> {
        let stream = self.download_stream(obj, options).await?;
        futures_util::pin_mut!(stream);
        let mut written = 0u64;
        while let Some(chunk) = stream.try_next().await? {
            writer.write_all(&chunk).await.map_err(ClientError::from)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(ClientError::from)?;
        Ok(written)
    }

    /// Gets the hashmap and works out the pieces; `None` when not modified.
    async fn plan_download(
        &self,
        obj: &str,
        options: &DownloadOptions,
        limits: &Limits,
    ) -> Result<Option<Plan>> {
        let conditions = HashmapOptions {
            version: options.version.clone(),
            if_match: options.if_match.clone(),
            if_none_match: options.if_none_match.clone(),
            if_modified_since: options.if_modified_since.clone(),
            if_unmodified_since: options.if_unmodified_since.clone(),
        };
        let found = {
            let _slot = limits.request().await?;
            self.hashmap_and_headers(obj, &conditions).await?
        };
        let Some((hashmap, headers)) = found else {
            return Ok(None);
        };
        let algorithm = hashmap.algorithm()?;
        let ranges = match &options.range_str {
            Some(spec) => Some(parse_ranges(spec, hashmap.bytes)?),
            None => None,
        };
        let pieces = plan_pieces(hashmap.bytes, hashmap.block_size, ranges.as_deref());
        let out_len = pieces.iter().map(|p| p.to - p.from).sum();
        Ok(Some(Plan {
            obj: obj.to_string(),
            zero_hash: algorithm.zero_block_hash_hex(),
            algorithm,
            etag: headers.get("etag").filter(|e| !e.is_empty()).cloned(),
            version: options.version.clone(),
            whole: ranges.is_none(),
            pieces,
            out_len,
            hashmap,
            headers,
        }))
    }

    /// Puts every piece of `plan` in `sink`: blocks `verified` in `local`
    /// are read from there, blocks of zeros are written as zeros (or not at
    /// all past `zeroed_from`, where the sink holds zeros already), the rest
    /// are fetched once per distinct hash.
    #[allow(clippy::too_many_arguments)]
    async fn run_plan(
        &self,
        plan: &Plan,
        sink: Arc<dyn Sink>,
        local: Option<&File>,
        verified: &[bool],
        zeroed_from: u64,
        limits: &Limits,
        reporter: &Arc<Reporter>,
    ) -> Result<DownloadReport> {
        let mut report = DownloadReport {
            object_bytes: plan.hashmap.bytes,
            bytes: plan.out_len,
            ..DownloadReport::default()
        };
        let mut groups: HashMap<&str, Vec<Piece>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        let mut done = 0u64;
        for piece in &plan.pieces {
            if plan.whole && verified[piece.block] {
                report.reused_blocks += 1;
                done += piece.to - piece.from;
            }
            let hash = plan.hashmap.hashes[piece.block].as_str();
            let group = groups.entry(hash).or_insert_with(|| {
                order.push(hash);
                Vec::new()
            });
            group.push(*piece);
        }
        reporter.start(done);

        let jobs: Vec<(String, Vec<Piece>)> = order
            .into_iter()
            .filter_map(|hash| {
                let pieces = groups.remove(hash)?;
                Some((hash.to_string(), pieces))
            })
            .collect();
        let local_copy: Option<Arc<File>> = match local {
            Some(file) => Some(Arc::new(file.try_clone().map_err(ClientError::from)?)),
            None => None,
        };
        let outcomes: Vec<(usize, u64, usize, usize)> = stream::iter(jobs)
            .map(|(hash, pieces)| {
                let sink = sink.clone();
                let local = local_copy.clone();
                let reporter = reporter.clone();
                async move {
                    let todo: Vec<Piece> = pieces
                        .iter()
                        .copied()
                        .filter(|p| !(plan.whole && verified[p.block]))
                        .collect();
                    if todo.is_empty() {
                        return Ok((0, 0, 0, 0));
                    }
                    // Held until the block is written: a request in flight
                    // holds at most one block of memory.
                    let _slot = limits.request().await?;
                    let zero = hash == plan.zero_hash;
                    let source_block = pieces.iter().find(|p| plan.whole && verified[p.block]);
                    let last = plan.hashmap.hashes.len().saturating_sub(1);
                    let (data, fetched): (Vec<Bytes>, _) = if zero {
                        (Vec::new(), None)
                    } else if let (Some(block), Some(file)) = (source_block, local.as_ref()) {
                        let (start, end) = plan.block_bounds(block.block);
                        let file = file.clone();
                        let mut buf = vec![0u8; (end - start) as usize];
                        let data = blocking(move || {
                            read_exact_at(&file, &mut buf, start).map(|_| Bytes::from(buf))
                        })
                        .await?
                        .map_err(ClientError::from)?;
                        (vec![data], None)
                    } else {
                        // The last block may carry hidden bytes (see
                        // Plan::verify): another block of the hash is
                        // fetched when there is one.
                        let pick = todo.iter().find(|p| p.block != last).unwrap_or(&todo[0]);
                        let data = self.fetch_block(plan, pick.block).await?;
                        (data, Some(pick.block))
                    };
                    let writes: Vec<(u64, u64, u64)> = todo
                        .iter()
                        .filter(|p| !(zero && p.out >= zeroed_from))
                        .map(|p| (p.out, p.from, p.to))
                        .collect();
                    let bytes: u64 = todo.iter().map(|p| p.to - p.from).sum();
                    let obj = plan.obj.clone();
                    let check = fetched.map(|block| plan.check(block));
                    // Verifying and writing in one trip to a blocking thread,
                    // from the pieces the connection received, uncopied.
                    let received: u64 = data.iter().map(|c| c.len() as u64).sum();
                    let unverified = blocking(move || {
                        let verified = match &check {
                            Some(check) => check.verify(&data)?,
                            None => true,
                        };
                        for (offset, from, to) in writes {
                            write_piece(&*sink, offset, &data, from, to).map_err(|e| {
                                with_context(ClientError::from(e), || format!("writing {obj}"))
                            })?;
                        }
                        Ok::<_, ClientError>(usize::from(!verified))
                    })
                    .await??;
                    let fetched = fetched.is_some();
                    reporter.add(bytes);
                    let fetched_bytes = if fetched { received } else { 0 };
                    Ok::<_, ClientError>((
                        usize::from(fetched),
                        fetched_bytes,
                        todo.len() - usize::from(fetched),
                        unverified,
                    ))
                }
            })
            .buffer_unordered(limits.requests())
            .try_collect()
            .await?;
        for (blocks, bytes, deduplicated, unverified) in outcomes {
            report.unverified_blocks += unverified;
            report.fetched_blocks += blocks;
            report.fetched_bytes += bytes;
            report.deduplicated_blocks += deduplicated;
        }
        Ok(report)
    }

    /// Fetches block `block` with a ranged `GET`, as the pieces it arrived
    /// in; its hash is checked by [`BlockCheck::verify`].
    async fn fetch_block(&self, plan: &Plan, block: usize) -> Result<Vec<Bytes>> {
        let (start, end) = plan.block_bounds(block);
        let context = || plan.check(block).context;
        // A block, or a whole small object from a server ignoring Range.
        let limit = plan.hashmap.block_size.max(
            plan.hashmap
                .bytes
                .min(crate::clients::DEFAULT_MAX_RESPONSE_BYTES as u64),
        );
        let limit = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .saturating_add(1 << 16);
        let reply = self
            .object_get_request(
                &plan.obj,
                &ObjectGet {
                    version: plan.version.clone(),
                    data_range: Some(format!("{start}-{}", end - 1)),
                    if_etag_match: plan.etag.clone(),
                    ..ObjectGet::default()
                },
            )
            .map_err(|e| with_context(e, context))?
            .max_response_bytes(limit)
            .receive_chunks()
            .send()
            .await
            .map_err(|e| with_context(e, context))?;
        let status = reply.status();
        let mut chunks = reply.into_chunks();
        let mut len: u64 = chunks.iter().map(|c| c.len() as u64).sum();
        if status != 206 && len == plan.hashmap.bytes {
            // A server that ignores Range sends the whole (small) object.
            chunks = vec![concat(chunks).slice(start as usize..end as usize)];
            len = end - start;
        }
        if len != end - start {
            return Err(with_context(
                ClientError::Integrity(format!(
                    "the server sent {len} bytes instead of {}",
                    end - start
                )),
                context,
            ));
        }
        Ok(chunks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_clip() {
        assert_eq!(parse_ranges("0-99", 1000).unwrap(), vec![(0, 100)]);
        assert_eq!(parse_ranges("bytes=900-", 1000).unwrap(), vec![(900, 1000)]);
        assert_eq!(parse_ranges("-100", 1000).unwrap(), vec![(900, 1000)]);
        assert_eq!(parse_ranges("-5000", 1000).unwrap(), vec![(0, 1000)]);
        assert_eq!(
            parse_ranges("0-0, 10-2000", 1000).unwrap(),
            vec![(0, 1), (10, 1000)]
        );
        assert_eq!(parse_ranges("2000-3000,5-5", 1000).unwrap(), vec![(5, 6)]);
        for bad in ["", "abc", "5", "-", "9-3", "1-x", "2000-3000"] {
            assert!(parse_ranges(bad, 1000).is_err(), "{bad}");
        }
        assert_eq!(parse_ranges("0-10", 0).unwrap(), vec![]);
    }

    #[test]
    fn pieces_cover_blocks_and_ranges() {
        let whole = plan_pieces(10, 4, None);
        assert_eq!(
            whole,
            vec![
                Piece {
                    block: 0,
                    from: 0,
                    to: 4,
                    out: 0
                },
                Piece {
                    block: 1,
                    from: 0,
                    to: 4,
                    out: 4
                },
                Piece {
                    block: 2,
                    from: 0,
                    to: 2,
                    out: 8
                },
            ]
        );
        assert!(plan_pieces(0, 4, None).is_empty());
        let ranged = plan_pieces(10, 4, Some(&[(3, 6), (9, 10)]));
        assert_eq!(
            ranged,
            vec![
                Piece {
                    block: 0,
                    from: 3,
                    to: 4,
                    out: 0
                },
                Piece {
                    block: 1,
                    from: 0,
                    to: 2,
                    out: 1
                },
                Piece {
                    block: 2,
                    from: 1,
                    to: 2,
                    out: 3
                },
            ]
        );
    }

    #[test]
    fn pieces_are_written_from_received_chunks_with_zeros_past_the_end() {
        let sink = MemorySink(Mutex::new(vec![9; 12]));
        let chunks = [Bytes::from_static(b"abc"), Bytes::from_static(b"defg")];
        write_piece(&sink, 1, &chunks, 2, 6).unwrap();
        assert_eq!(&sink.0.lock().unwrap()[..6], b"\x09cdef\x09");
        // A piece past the data of a shorter identical block: zeros.
        write_piece(&sink, 6, &chunks, 5, 10).unwrap();
        assert_eq!(&sink.0.lock().unwrap()[6..11], b"fg\0\0\0");
        write_piece(&sink, 0, &[], 0, 2).unwrap();
        assert_eq!(&sink.0.lock().unwrap()[..2], b"\0\0");
        assert_eq!(concat(chunks.to_vec()), Bytes::from_static(b"abcdefg"));
        let parts = piece_chunks(&chunks, 1, 9);
        assert_eq!(parts.len(), 3, "two slices and the zeros");
        assert_eq!(parts.concat(), b"bcdefg\0\0");
    }

    #[test]
    fn a_block_in_chunks_hashes_as_the_whole_block() {
        let algorithm = HashAlgorithm::Sha256;
        let block = b"some data\0\0\0".to_vec();
        let check = BlockCheck {
            algorithm,
            expected: algorithm.block_hash_hex(&block),
            short_last: false,
            context: "block 0".into(),
        };
        let split = [
            Bytes::copy_from_slice(&block[..4]),
            Bytes::copy_from_slice(&block[4..10]),
            Bytes::copy_from_slice(&block[10..]),
        ];
        assert!(check.verify(&split).unwrap());
        assert!(check.verify(&[Bytes::from(block.clone())]).unwrap());
        let err = check.verify(&[Bytes::from_static(b"other")]).unwrap_err();
        assert!(err.to_string().contains("block 0"), "{err}");
    }

    #[test]
    fn partial_name_is_beside_the_file() {
        assert_eq!(
            partial_path(Path::new("/tmp/x/disk.img")),
            PathBuf::from("/tmp/x/disk.img.kamaki-partial")
        );
    }
}
