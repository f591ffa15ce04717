//! The engine shared by uploads and downloads: where block data comes from
//! ([`BlockSource`]) and goes to (`Sink`), hashing many blocks on every core
//! with bounded memory, and error context naming the object and the block.
//!
//! Memory stays bounded whatever the size of the data: hashing holds one
//! block per thread, and transfers hold one block per request in flight
//! (the client's `concurrency()`, or the transfer's own setting).

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::hashmap::HashAlgorithm;
use super::progress::Reporter;
use crate::clients::pithos::buffers::BufferPool;
use crate::clients::{ClientError, Result};

/// Data read by position: a file, bytes in memory, or anything else that
/// can hand out the bytes at an offset. Read from several threads at once.
pub trait BlockSource: Send + Sync {
    /// The number of bytes.
    fn len(&self) -> u64;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` with the bytes at `offset`.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;

    /// The data as one buffer, when it is in memory (saves a copy).
    fn as_bytes(&self) -> Option<&Bytes> {
        None
    }

    /// What to call it in error messages (a file name).
    fn describe(&self) -> String;
}

/// What to upload: a file (by path or opened), bytes, or a custom
/// [`BlockSource`].
pub enum UploadSource {
    /// A file to open.
    Path(PathBuf),
    /// An open file (read by position; its cursor is not used).
    File(File),
    /// Bytes in memory.
    Bytes(Bytes),
    /// Anything else.
    Custom(Arc<dyn BlockSource>),
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Path(p) => f.debug_tuple("Path").field(p).finish(),
            UploadSource::File(file) => f.debug_tuple("File").field(file).finish(),
            UploadSource::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            UploadSource::Custom(s) => write!(f, "Custom({})", s.describe()),
        }
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> Self {
        UploadSource::Path(path.to_path_buf())
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> Self {
        UploadSource::Path(path)
    }
}

impl From<&PathBuf> for UploadSource {
    fn from(path: &PathBuf) -> Self {
        UploadSource::Path(path.clone())
    }
}

impl From<File> for UploadSource {
    fn from(file: File) -> Self {
        UploadSource::File(file)
    }
}

impl From<Bytes> for UploadSource {
    fn from(data: Bytes) -> Self {
        UploadSource::Bytes(data)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(data: Vec<u8>) -> Self {
        UploadSource::Bytes(Bytes::from(data))
    }
}

impl From<&'static [u8]> for UploadSource {
    fn from(data: &'static [u8]) -> Self {
        UploadSource::Bytes(Bytes::from_static(data))
    }
}

impl From<Arc<dyn BlockSource>> for UploadSource {
    fn from(source: Arc<dyn BlockSource>) -> Self {
        UploadSource::Custom(source)
    }
}

impl UploadSource {
    /// Opens it for reading by position.
    pub fn open(self) -> Result<Arc<dyn BlockSource>> {
        Ok(match self {
            UploadSource::Path(path) => {
                let file = File::open(&path).map_err(|e| ClientError::io(&path, e))?;
                Arc::new(FileSource::new(file, Some(path))?)
            }
            UploadSource::File(file) => Arc::new(FileSource::new(file, None)?),
            UploadSource::Bytes(data) => Arc::new(BytesSource(data)),
            UploadSource::Custom(source) => source,
        })
    }
}

/// A file read by position.
pub(crate) struct FileSource {
    file: File,
    path: Option<PathBuf>,
    len: u64,
}

impl FileSource {
    pub(crate) fn new(file: File, path: Option<PathBuf>) -> Result<Self> {
        let len = file
            .metadata()
            .map_err(|e| io_error(path.as_deref(), e))?
            .len();
        Ok(FileSource { file, path, len })
    }
}

impl BlockSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        read_exact_at(&self.file, buf, offset)
    }

    fn describe(&self) -> String {
        match &self.path {
            Some(path) => path.display().to_string(),
            None => "the file".into(),
        }
    }
}

/// Bytes in memory.
pub(crate) struct BytesSource(pub(crate) Bytes);

impl BlockSource for BytesSource {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| short_read())?;
        let slice = self
            .0
            .get(start..start.saturating_add(buf.len()))
            .ok_or_else(short_read)?;
        buf.copy_from_slice(slice);
        Ok(())
    }

    fn as_bytes(&self) -> Option<&Bytes> {
        Some(&self.0)
    }

    fn describe(&self) -> String {
        "the data".into()
    }
}

fn short_read() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the data is shorter than expected",
    )
}

/// The `len` bytes at `offset` of `source`, read into a buffer of `pool`
/// (taken on the calling thread; the read runs on a blocking thread).
pub(crate) async fn read_block_pooled(
    source: &Arc<dyn BlockSource>,
    offset: u64,
    len: usize,
    pool: &Arc<BufferPool>,
) -> Result<Bytes> {
    if source.as_bytes().is_some() {
        return read_block(&**source, offset, len);
    }
    let mut buf = pool.take(len);
    let source = source.clone();
    let (buf, read) = tokio::task::spawn_blocking(move || {
        let read = source
            .read_at(offset, &mut buf)
            .map_err(|e| source_error(&*source, e));
        (buf, read)
    })
    .await
    .map_err(|e| ClientError::InvalidRequest(format!("the reading task failed: {e}")))?;
    match read {
        Ok(()) => Ok(pool.freeze(buf)),
        Err(e) => {
            pool.give(buf);
            Err(e)
        }
    }
}

/// The `len` bytes at `offset` of `source`, as an owned buffer.
pub(crate) fn read_block(source: &dyn BlockSource, offset: u64, len: usize) -> Result<Bytes> {
    if let Some(bytes) = source.as_bytes() {
        let start = usize::try_from(offset).map_err(|_| source_error(source, short_read()))?;
        return bytes
            .get(start..start.saturating_add(len))
            .map(|_| bytes.slice(start..start + len))
            .ok_or_else(|| source_error(source, short_read()));
    }
    let mut buf = vec![0u8; len];
    source
        .read_at(offset, &mut buf)
        .map_err(|e| source_error(source, e))?;
    Ok(Bytes::from(buf))
}

fn source_error(source: &dyn BlockSource, e: io::Error) -> ClientError {
    ClientError::Io {
        path: Some(PathBuf::from(source.describe())),
        source: e,
    }
}

pub(crate) fn io_error(path: Option<&Path>, e: io::Error) -> ClientError {
    ClientError::Io {
        path: path.map(Path::to_path_buf),
        source: e,
    }
}

/// Where downloaded bytes are written, by position, from many tasks.
pub(crate) trait Sink: Send + Sync {
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()>;

    /// Writes `parts` one after the other from `offset`.
    fn write_parts_at(&self, mut offset: u64, parts: &[&[u8]]) -> io::Result<()> {
        for part in parts {
            self.write_at(offset, part)?;
            offset += part.len() as u64;
        }
        Ok(())
    }
}

impl Sink for File {
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        write_all_at(self, data, offset)
    }
}

/// A buffer in memory of a known size.
pub(crate) struct MemorySink(pub(crate) Mutex<Vec<u8>>);

impl Sink for MemorySink {
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut buf = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let start = usize::try_from(offset).map_err(|_| short_read())?;
        let end = start.checked_add(data.len()).ok_or_else(short_read)?;
        if buf.len() < end {
            buf.resize(end, 0);
        }
        buf[start..end].copy_from_slice(data);
        Ok(())
    }
}

#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(unix)]
pub(crate) fn write_all_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, data, offset)
}

#[cfg(windows)]
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(short_read()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(windows)]
pub(crate) fn write_all_at(file: &File, mut data: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !data.is_empty() {
        match file.seek_write(data, offset) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "nothing written")),
            Ok(n) => {
                data = &data[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The number of hashing threads: every core.
pub(crate) fn default_hash_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Hashes the blocks `(offset, len)` of `source` on `threads` threads, each
/// holding one block buffer of `pool`; returns the hex hashes in the order
/// of `blocks`. Progress is reported per block.
pub(crate) async fn hash_blocks(
    source: Arc<dyn BlockSource>,
    blocks: Vec<(u64, usize)>,
    algorithm: HashAlgorithm,
    threads: usize,
    reporter: Arc<Reporter>,
    pool: &Arc<BufferPool>,
) -> Result<Vec<String>> {
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    let threads = threads.clamp(1, blocks.len());
    // The buffers are taken here, on one thread, not by each worker (see
    // BufferPool), and given back when done.
    let longest = blocks.iter().map(|b| b.1).max().unwrap_or(0);
    let buffers: Vec<Vec<u8>> = if source.as_bytes().is_some() {
        vec![Vec::new(); threads]
    } else {
        (0..threads).map(|_| pool.take(longest)).collect()
    };
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let (buffers, hashed) =
            hash_blocks_blocking(&*source, &blocks, algorithm, buffers, &reporter);
        buffers.into_iter().for_each(|buf| pool.give(buf));
        hashed
    })
    .await
    .map_err(|e| ClientError::InvalidRequest(format!("the hashing task failed: {e}")))?
}

/// The blocks one worker hashed: index and hash.
type Share = Vec<(usize, String)>;

/// The blocks a worker hashed, reading into `buf`.
fn hash_share(
    source: &dyn BlockSource,
    blocks: &[(u64, usize)],
    algorithm: HashAlgorithm,
    buf: &mut Vec<u8>,
    next: &AtomicUsize,
    failed: &AtomicBool,
    reporter: &Reporter,
) -> Result<Share> {
    let mut mine = Vec::new();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        if index >= blocks.len() || failed.load(Ordering::Relaxed) {
            return Ok(mine);
        }
        let (offset, len) = blocks[index];
        let hash = match source.as_bytes() {
            Some(bytes) => {
                let start = offset as usize;
                match bytes.get(start..start.saturating_add(len)) {
                    Some(block) => algorithm.block_hash_hex(block),
                    None => {
                        failed.store(true, Ordering::Relaxed);
                        return Err(source_error(source, short_read()));
                    }
                }
            }
            None => {
                buf.resize(len, 0);
                if let Err(e) = source.read_at(offset, &mut buf[..len]) {
                    failed.store(true, Ordering::Relaxed);
                    return Err(source_error(source, e));
                }
                algorithm.block_hash_hex(&buf[..len])
            }
        };
        mine.push((index, hash));
        reporter.add(len as u64);
    }
}

/// Runs one [`hash_share`] per buffer on its own thread; gives the buffers
/// back with the hashes.
fn hash_blocks_blocking(
    source: &dyn BlockSource,
    blocks: &[(u64, usize)],
    algorithm: HashAlgorithm,
    buffers: Vec<Vec<u8>>,
    reporter: &Reporter,
) -> (Vec<Vec<u8>>, Result<Vec<String>>) {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let outcomes: Vec<(Option<Vec<u8>>, Result<Share>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = buffers
            .into_iter()
            .map(|mut buf| {
                let (next, failed) = (&next, &failed);
                scope.spawn(move || {
                    let hashed =
                        hash_share(source, blocks, algorithm, &mut buf, next, failed, reporter);
                    (buf, hashed)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| match w.join() {
                Ok((buf, hashed)) => (Some(buf), hashed),
                Err(_) => (
                    None,
                    Err(ClientError::InvalidRequest(
                        "a hashing thread panicked".into(),
                    )),
                ),
            })
            .collect()
    });
    let mut buffers = Vec::new();
    let mut results = Vec::new();
    for (buf, hashed) in outcomes {
        buffers.extend(buf);
        results.push(hashed);
    }
    (buffers, collect_hashes(blocks.len(), results))
}

/// The hashes of every block in order, from the workers' shares.
fn collect_hashes(count: usize, results: Vec<Result<Vec<(usize, String)>>>) -> Result<Vec<String>> {
    let mut hashes = vec![String::new(); count];
    for result in results {
        for (index, hash) in result? {
            hashes[index] = hash;
        }
    }
    Ok(hashes)
}

/// Runs a whole transfer, failing with [`ClientError::Timeout`] (naming
/// `what`) if it takes longer than `limit`. A download cut short keeps its
/// partial file for a resume.
pub(crate) async fn within<T>(
    limit: Option<std::time::Duration>,
    what: impl FnOnce() -> String,
    transfer: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match limit {
        None => transfer.await,
        Some(limit) => tokio::time::timeout(limit, transfer)
            .await
            .unwrap_or_else(|_| {
                Err(ClientError::Timeout {
                    url: what(),
                    after: Some(limit),
                })
            }),
    }
}

/// Adds `context` (which object, which block) to an error.
pub(crate) fn with_context(error: ClientError, context: impl FnOnce() -> String) -> ClientError {
    match error {
        ClientError::Http {
            status,
            reason,
            kind,
            message,
            mut details,
            request,
        } => {
            details.push(context());
            ClientError::Http {
                status,
                reason,
                kind,
                message,
                details,
                request,
            }
        }
        ClientError::Transport { url, message } => ClientError::Transport {
            url,
            message: format!("{message} ({})", context()),
        },
        ClientError::InvalidResponse { url, message } => ClientError::InvalidResponse {
            url,
            message: format!("{message} ({})", context()),
        },
        ClientError::Integrity(message) => {
            ClientError::Integrity(format!("{}: {message}", context()))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[tokio::test]
    async fn parallel_hashing_matches_sequential_for_files_and_bytes() {
        let data: Vec<u8> = (0..100_003u32).map(|i| (i % 251) as u8).collect();
        let algo = HashAlgorithm::Sha256;
        let block = 4096;
        let blocks: Vec<(u64, usize)> = data
            .chunks(block)
            .enumerate()
            .map(|(i, c)| ((i * block) as u64, c.len()))
            .collect();
        let expected: Vec<String> = data.chunks(block).map(|c| algo.block_hash_hex(c)).collect();

        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&data).unwrap();
        let from_file = UploadSource::from(file.path()).open().unwrap();
        assert_eq!(from_file.len(), data.len() as u64);
        for threads in [1, 3, 64] {
            let reporter = Arc::new(Reporter::new(None, data.len() as u64));
            let pool = BufferPool::new();
            let got = hash_blocks(
                from_file.clone(),
                blocks.clone(),
                algo,
                threads,
                reporter,
                &pool,
            )
            .await
            .unwrap();
            assert_eq!(got, expected);
        }
        let from_bytes = UploadSource::from(data.clone()).open().unwrap();
        let reporter = Arc::new(Reporter::new(None, 0));
        let got = hash_blocks(from_bytes, blocks, algo, 2, reporter, &BufferPool::new())
            .await
            .unwrap();
        assert_eq!(got, expected);
    }

    #[tokio::test]
    async fn reading_past_the_end_is_an_error_naming_the_file() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let source = UploadSource::from(file.path()).open().unwrap();
        let reporter = Arc::new(Reporter::new(None, 0));
        let err = hash_blocks(
            source.clone(),
            vec![(0, 10)],
            HashAlgorithm::Sha256,
            2,
            reporter,
            &BufferPool::new(),
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains(&file.path().display().to_string()),
            "{err}"
        );
        assert!(read_block(&*source, 0, 1).is_err());
        let mem = BytesSource(Bytes::from_static(b"abc"));
        assert_eq!(read_block(&mem, 1, 2).unwrap(), Bytes::from_static(b"bc"));
        assert!(read_block(&mem, 2, 2).is_err());
    }

    #[test]
    fn a_missing_file_is_an_io_error_with_its_path() {
        let err = UploadSource::from(Path::new("/no/such/file"))
            .open()
            .err()
            .unwrap();
        assert!(matches!(err, ClientError::Io { path: Some(_), .. }));
    }

    #[test]
    fn memory_sink_grows_and_writes_in_place() {
        let sink = MemorySink(Mutex::new(vec![0; 4]));
        sink.write_at(2, b"xyz").unwrap();
        assert_eq!(*sink.0.lock().unwrap(), b"\0\0xyz");
    }
}
