//! Block buffers kept for reuse by transfers: a multi-megabyte buffer
//! allocated afresh for every block costs page faults (the kernel backs
//! new pages on first touch), and buffers
//! freed on many threads linger in as many malloc arenas, so the resident
//! memory grows with the transfer; a few reused buffers keep both flat.

use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// Buffers kept for reuse (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl BufferPool {
    /// At most this many idle buffers are kept.
    const KEEP: usize = 64;

    pub(crate) fn new() -> Arc<Self> {
        Arc::new(BufferPool::default())
    }

    /// A buffer of `len` bytes (contents unspecified).
    pub(crate) fn take(&self, len: usize) -> Vec<u8> {
        let mut buf = self
            .free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        buf.resize(len, 0);
        buf
    }

    /// Gives a buffer back.
    pub(crate) fn give(&self, buf: Vec<u8>) {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if free.len() < Self::KEEP {
            free.push(buf);
        }
    }

    /// `buf` as `Bytes` that go back to the pool when dropped.
    pub(crate) fn freeze(self: &Arc<Self>, buf: Vec<u8>) -> Bytes {
        Bytes::from_owner(Pooled {
            buf,
            pool: self.clone(),
        })
    }
}

/// A pooled buffer lent out as `Bytes`.
struct Pooled {
    buf: Vec<u8>,
    pool: Arc<BufferPool>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.pool.give(std::mem::take(&mut self.buf));
    }
}
