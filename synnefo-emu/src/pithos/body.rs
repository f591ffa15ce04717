//! Request bodies in, object data out.
//!
//! Uploads are streamed: the body is cut into blocks as it arrives, each
//! block hashed on the blocking pool (a couple in flight, so hashing and
//! receiving overlap) and put in the block store; nothing past the size
//! limit is ever buffered. Downloads are streamed from the stored blocks
//! without copying them (a block is a shared `Bytes`), padded with shared
//! zeros where the store keeps a block shorter.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use md5::{Digest, Md5};

use super::hashing::{block_hash, Hash};
use super::interner::Content;
use super::store::{zeros, BlockStore};
use crate::errors::ApiError;

/// How many blocks may be hashed while the next ones are received.
const HASHING_IN_FLIGHT: usize = 2;

fn max_size_reached() -> ApiError {
    ApiError::bad_request("Maximum size is reached")
}

fn short_body() -> ApiError {
    ApiError::bad_request("The request body ended early")
}

/// What a body that stopped arriving, or broke, is answered with: 408 if
/// it paused past its idle timeout ([`with_idle_timeout`]), else 400.
fn body_error(error: axum::Error) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    let mut timed_out = false;
    while let Some(e) = cause {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            timed_out = true;
            break;
        }
        cause = e.source();
    }
    if timed_out {
        ApiError::new(
            "requestTimeout",
            408,
            "The request body stopped arriving: the request was given up",
        )
    } else {
        short_body()
    }
}

/// `body`, failing with a `TimedOut` error when no bytes come for `idle`:
/// a stalled upload frees its handler instead of holding it forever.
pub fn with_idle_timeout(body: Body, idle: std::time::Duration) -> Body {
    let stream = body.into_data_stream();
    let guarded =
        futures_util::stream::unfold((stream, false), move |(mut stream, over)| async move {
            if over {
                return None;
            }
            match tokio::time::timeout(idle, stream.next()).await {
                Ok(Some(Ok(chunk))) => Some((Ok(chunk), (stream, false))),
                Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e)), (stream, true))),
                Ok(None) => None,
                Err(_) => Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body stopped arriving",
                    )),
                    (stream, true),
                )),
            }
        });
    Body::from_stream(guarded)
}

/// Reads a body of `length` bytes (`None`: chunked, up to `max`) into
/// memory; for small bodies (hashmaps, updates).
pub async fn read_all(body: Body, length: Option<u64>, max: u64) -> Result<Bytes, ApiError> {
    if length.is_some_and(|l| l > max) {
        return Err(max_size_reached());
    }
    let capacity = length.map_or(0, |l| usize::try_from(l).unwrap_or(0).min(1 << 26));
    let mut buffer = BytesMut::with_capacity(capacity);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(body_error)?;
        buffer.extend_from_slice(&chunk);
        if let Some(l) = length {
            if buffer.len() as u64 >= l {
                buffer.truncate(usize::try_from(l).unwrap_or(usize::MAX));
                return Ok(buffer.freeze());
            }
        } else if buffer.len() as u64 > max {
            return Err(max_size_reached());
        }
    }
    match length {
        Some(l) if (buffer.len() as u64) < l => Err(short_body()),
        _ => Ok(buffer.freeze()),
    }
}

/// Reads and drops up to `limit` bytes of a body nobody wants, while they
/// keep coming: a client that sends headers and then nothing (or stalls)
/// is answered after `idle` without its body, as Synnefo answers a request
/// it refuses on its headers alone.
pub async fn drain(body: Body, limit: u64, idle: std::time::Duration) {
    let mut seen: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(idle, stream.next()).await {
        seen += chunk.len() as u64;
        if seen > limit {
            break;
        }
    }
}

/// Takes the body of a request out (once).
pub fn take(body: &mut Option<Body>) -> Body {
    body.take().unwrap_or_else(Body::empty)
}

/// What [`store_blocks`] read.
#[derive(Debug)]
pub struct Stored {
    /// The hashes of the blocks, in order.
    pub hashes: Vec<Hash>,
    /// The bytes read.
    pub size: u64,
    /// The MD5 of the data, if asked for.
    pub md5: Option<String>,
}

/// A block being hashed and stored on a blocking thread.
type Hashing = tokio::task::JoinHandle<std::io::Result<Hash>>;

/// The hash of a block once stored; a failed write is the request's error
/// (507 on a full disk).
async fn stored(handle: Hashing) -> Result<Hash, ApiError> {
    handle
        .await
        .map_err(|_| ApiError::internal("hashing failed"))?
        .map_err(super::store::write_failed)
}

/// Reads a body of `length` bytes (`None`: chunked, up to `max`), storing
/// it block by block.
pub async fn store_blocks(
    store: Arc<BlockStore>,
    body: Body,
    length: Option<u64>,
    max: u64,
    block_size: usize,
    with_md5: bool,
) -> Result<Stored, ApiError> {
    if length.is_some_and(|l| l > max) {
        return Err(max_size_reached());
    }
    let mut pending: VecDeque<Hashing> = VecDeque::new();
    let mut hashes = Vec::new();
    let mut md5 = with_md5.then(Md5::new);
    let mut size: u64 = 0;
    let first = length.map_or(block_size, |l| {
        usize::try_from(l).map_or(block_size, |l| l.min(block_size))
    });
    let mut buffer = BytesMut::with_capacity(first);
    let mut stream = body.into_data_stream();

    let submit = |block: Bytes, pending: &mut VecDeque<Hashing>, md5: &mut Option<Md5>| {
        if let Some(m) = md5.as_mut() {
            m.update(&block);
        }
        let store = store.clone();
        pending.push_back(tokio::task::spawn_blocking(move || {
            let hash = block_hash(&block);
            store.insert(hash, block).map(|()| hash)
        }));
    };

    'read: while let Some(chunk) = stream.next().await {
        let mut chunk = chunk.map_err(body_error)?;
        if let Some(l) = length {
            let left = l - size;
            if chunk.len() as u64 > left {
                chunk.truncate(usize::try_from(left).unwrap_or(usize::MAX));
            }
        } else if size + chunk.len() as u64 > max {
            return Err(max_size_reached());
        }
        size += chunk.len() as u64;
        while !chunk.is_empty() {
            let room = block_size - buffer.len();
            if buffer.is_empty() && chunk.len() >= block_size {
                // A whole block in one chunk: no copy.
                submit(chunk.split_to(block_size), &mut pending, &mut md5);
            } else {
                let take = room.min(chunk.len());
                buffer.extend_from_slice(&chunk.split_to(take));
                if buffer.len() == block_size {
                    let left = length.map_or(block_size, |l| {
                        usize::try_from(l - size).map_or(block_size, |l| l.min(block_size))
                    });
                    let full = std::mem::replace(&mut buffer, BytesMut::with_capacity(left));
                    submit(full.freeze(), &mut pending, &mut md5);
                }
            }
            while pending.len() > HASHING_IN_FLIGHT {
                if let Some(handle) = pending.pop_front() {
                    hashes.push(stored(handle).await?);
                }
            }
        }
        if length.is_some_and(|l| size >= l) {
            break 'read;
        }
    }
    if length.is_some_and(|l| size < l) {
        return Err(short_body());
    }
    if !buffer.is_empty() {
        submit(buffer.freeze(), &mut pending, &mut md5);
    }
    for handle in pending {
        hashes.push(stored(handle).await?);
    }
    Ok(Stored {
        hashes,
        size,
        md5: md5.map(|m| hex::encode(m.finalize())),
    })
}

/// One object whose data is served (several for a manifest object).
#[derive(Clone, Debug)]
pub struct Segment {
    /// Its size.
    pub size: u64,
    /// Its content (block hashes).
    pub content: Content,
}

/// The data of `segments` (concatenated) in `ranges` (offset, length), as
/// a stream of chunks; with a `boundary`, as the parts of a
/// `multipart/byteranges` body.
pub struct DataChunks {
    store: Arc<BlockStore>,
    segments: Vec<Segment>,
    total: u64,
    block_size: u64,
    ranges: VecDeque<(u64, u64)>,
    boundary: Option<String>,
    started: bool,
    current: Option<(u64, u64)>,
    pending: VecDeque<Bytes>,
    done: bool,
    failed: bool,
}

impl DataChunks {
    /// Serves `ranges` of the concatenation of `segments`.
    pub fn new(
        store: Arc<BlockStore>,
        segments: Vec<Segment>,
        block_size: usize,
        ranges: Vec<(u64, u64)>,
        boundary: Option<String>,
    ) -> Self {
        let total = segments.iter().map(|s| s.size).sum();
        DataChunks {
            store,
            segments,
            total,
            block_size: block_size as u64,
            ranges: ranges.into(),
            boundary,
            started: false,
            current: None,
            pending: VecDeque::new(),
            done: false,
            failed: false,
        }
    }

    /// The next piece of data of the current range (at most one block).
    fn next_piece(&mut self) -> Option<Result<Bytes, ()>> {
        let (offset, length) = self.current?;
        if length == 0 {
            self.current = None;
            return None;
        }
        let mut within = offset;
        let mut segment = None;
        for s in &self.segments {
            if within < s.size {
                segment = Some(s);
                break;
            }
            within -= s.size;
        }
        let segment = segment?;
        let index = usize::try_from(within / self.block_size).ok()?;
        let block_offset = within % self.block_size;
        let block_len =
            if index + 1 == segment.content.blocks().len() && segment.size % self.block_size != 0 {
                segment.size % self.block_size
            } else {
                self.block_size
            };
        let take = length.min(block_len.saturating_sub(block_offset));
        if take == 0 {
            return Some(Err(()));
        }
        let Some(stored) = segment
            .content
            .blocks()
            .get(index)
            .and_then(|h| self.store.get(h))
        else {
            return Some(Err(()));
        };
        let start = usize::try_from(block_offset).unwrap_or(usize::MAX);
        let end = usize::try_from(block_offset + take).unwrap_or(usize::MAX);
        let have = stored.len();
        let piece = if end <= have {
            stored.slice(start..end)
        } else if start >= have {
            zeros(end - start)
        } else {
            self.pending.push_back(zeros(end - have));
            stored.slice(start..have)
        };
        self.current = Some((offset + take, length - take));
        Some(Ok(piece))
    }
}

impl Iterator for DataChunks {
    type Item = Result<Bytes, std::io::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.failed || self.done {
                return None;
            }
            if let Some(piece) = self.pending.pop_front() {
                return Some(Ok(piece));
            }
            if self.current.is_some() {
                match self.next_piece() {
                    Some(Ok(piece)) => return Some(Ok(piece)),
                    Some(Err(())) => {
                        self.failed = true;
                        return Some(Err(std::io::Error::other("block does not exist")));
                    }
                    None => continue,
                }
            }
            match self.ranges.pop_front() {
                Some(range) => {
                    self.current = Some(range);
                    if let Some(boundary) = &self.boundary {
                        let lead = if self.started { "\r\n" } else { "" };
                        self.started = true;
                        let head = format!(
                            "{lead}--{boundary}\r\nContent-Range: bytes {}-{}/{}\r\nContent-Transfer-Encoding: binary\r\n\r\n",
                            range.0,
                            range.0 + range.1 - 1,
                            self.total
                        );
                        return Some(Ok(Bytes::from(head)));
                    }
                }
                None => {
                    self.done = true;
                    if let Some(boundary) = &self.boundary {
                        return Some(Ok(Bytes::from(format!("\r\n--{boundary}--\r\n"))));
                    }
                    return None;
                }
            }
        }
    }
}

/// The body of a data reply. Blocks in files are read on the blocking
/// pool, a piece at a time, so that a read that waits for the disk holds
/// no async worker (two on a 2-core machine) while other replies wait.
pub fn data_body(chunks: DataChunks) -> Body {
    if !chunks.store.in_files_kept() {
        return Body::from_stream(futures_util::stream::iter(chunks));
    }
    let pieces = futures_util::stream::unfold(Some(chunks), |chunks| async move {
        let mut chunks = chunks?;
        let read = tokio::task::spawn_blocking(move || (chunks.next(), chunks)).await;
        match read {
            Ok((Some(piece), chunks)) => Some((piece, Some(chunks))),
            Ok((None, _)) => None,
            Err(_) => Some((Err(std::io::Error::other("a block read failed")), None)),
        }
    });
    Body::from_stream(pieces)
}

/// The whole data of `segments` (for small internal reads).
pub fn collect(chunks: DataChunks) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend_from_slice(&chunk.ok()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(data: &[u8], bs: usize, store: &BlockStore) -> Segment {
        let hashes: Vec<Hash> = data
            .chunks(bs)
            .map(|c| store.put(Bytes::copy_from_slice(c)).unwrap())
            .collect();
        Segment {
            size: data.len() as u64,
            content: Content::of(&hashes),
        }
    }

    #[test]
    fn ranges_of_blocks_with_stripped_zeros_come_back_whole() {
        let store = Arc::new(BlockStore::default());
        let data = b"abcd\0\0\0\0ef\0\0\0\0\0\0xy".to_vec();
        let seg = stored(&data, 8, &store);
        let all = collect(DataChunks::new(
            store.clone(),
            vec![seg.clone()],
            8,
            vec![(0, 18)],
            None,
        ));
        assert_eq!(all.unwrap(), data);
        let part = collect(DataChunks::new(
            store.clone(),
            vec![seg.clone()],
            8,
            vec![(3, 10)],
            None,
        ));
        assert_eq!(part.unwrap(), data[3..13].to_vec());
        let multi = collect(DataChunks::new(
            store,
            vec![seg],
            8,
            vec![(0, 2), (16, 2)],
            Some("B".into()),
        ))
        .unwrap();
        let text = String::from_utf8_lossy(&multi);
        assert!(text.starts_with("--B\r\nContent-Range: bytes 0-1/18\r\n"));
        assert!(text.contains("ab\r\n--B\r\nContent-Range: bytes 16-17/18"));
        assert!(text.ends_with("xy\r\n--B--\r\n"));
    }

    #[tokio::test]
    async fn bodies_are_cut_into_blocks() {
        let store = Arc::new(BlockStore::default());
        let data: Vec<u8> = (0..25u8).collect();
        let body = Body::from(data.clone());
        let got = store_blocks(store.clone(), body, Some(25), 100, 10, true)
            .await
            .unwrap();
        assert_eq!(got.size, 25);
        assert_eq!(got.hashes.len(), 3);
        assert_eq!(got.hashes[2], block_hash(&data[20..]));
        assert_eq!(
            got.md5.as_deref(),
            Some(hex::encode(Md5::digest(&data)).as_str())
        );
        let too_big =
            store_blocks(store.clone(), Body::from(data.clone()), None, 10, 10, false).await;
        assert!(too_big.is_err());
        let short = store_blocks(store, Body::from(data), Some(30), 100, 10, false).await;
        assert!(short.is_err());
    }
}
