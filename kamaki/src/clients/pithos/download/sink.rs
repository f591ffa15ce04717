//! Where downloaded data goes: pieces cut from received chunks, written
//! at their offsets into the partial file (one blocking trip each), and
//! the partial file renamed into place when complete.

use super::*;

/// `<file>.kamaki-partial`.
pub(crate) fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(PARTIAL_SUFFIX);
    path.with_file_name(name)
}

/// The pieces as one buffer (no copy for one piece).
pub(super) fn concat(chunks: Vec<Bytes>) -> Bytes {
    match <[Bytes; 1]>::try_from(chunks) {
        Ok([one]) => one,
        Err(chunks) => chunks.concat().into(),
    }
}

/// Bytes `from..to` of the block made of `chunks`, as slices of them, with
/// zeros past the block's end (a block that came from an identical block
/// with fewer trailing zeros may be shorter than the piece).
pub(super) fn piece_chunks(chunks: &[Bytes], from: u64, to: u64) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut at = 0u64;
    for chunk in chunks {
        let end = at + chunk.len() as u64;
        if end > from && at < to {
            let a = from.saturating_sub(at) as usize;
            let b = (to.min(end) - at) as usize;
            parts.push(chunk.slice(a..b));
        }
        at = end;
        if at >= to {
            break;
        }
    }
    let covered: u64 = parts.iter().map(|p| p.len() as u64).sum();
    if covered < to - from {
        parts.push(Bytes::from(vec![0u8; (to - from - covered) as usize]));
    }
    parts
}

/// Writes bytes `from..to` of the block made of `chunks` at `offset` of
/// `sink`.
pub(super) fn write_piece(
    sink: &dyn Sink,
    offset: u64,
    chunks: &[Bytes],
    from: u64,
    to: u64,
) -> std::io::Result<()> {
    let parts = piece_chunks(chunks, from, to);
    let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_ref()).collect();
    sink.write_parts_at(offset, &parts)
}

/// Runs `work` on a blocking thread.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ClientError::InvalidRequest(format!("a transfer thread failed: {e}")))
}

/// A file written by position, one write at a time: concurrent positioned
/// writes to one file contend for its inode lock in the kernel, where they
/// spin; here they wait on a mutex instead.
pub(super) struct FileSink {
    pub(super) file: File,
    pub(super) lock: Mutex<()>,
}

impl FileSink {
    pub(super) fn new(file: File) -> Self {
        FileSink {
            file,
            lock: Mutex::new(()),
        }
    }
}

impl Sink for FileSink {
    fn write_at(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.write_parts_at(offset, &[data])
    }

    fn write_parts_at(&self, mut offset: u64, parts: &[&[u8]]) -> std::io::Result<()> {
        let _one = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        for part in parts {
            write_all_at(&self.file, part, offset)?;
            offset += part.len() as u64;
        }
        Ok(())
    }
}

pub(super) fn not_modified() -> ClientError {
    http_error(
        304,
        "Not Modified: the object matches the conditions given".into(),
    )
}

/// Renames the complete `partial` file to `path`.
pub(super) fn replace_file(partial: &Path, path: &Path) -> Result<()> {
    #[cfg(windows)]
    if path.is_file() {
        std::fs::remove_file(path).map_err(|e| io_error(Some(path), e))?;
    }
    std::fs::rename(partial, path).map_err(|e| io_error(Some(path), e))
}
