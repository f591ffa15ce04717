//! What a transfer may hold at once: requests in flight, and threads
//! hashing blocks. One `Limits` is shared by every file of a tree transfer,
//! so one bound holds whatever the number of files; a single-file transfer
//! makes its own.
//!
//! Memory follows from these bounds: a request in flight holds at most one
//! block (a block sent, or a block received until it is verified and
//! written), and a hashing thread holds one block buffer. A transfer thus
//! holds at most `(requests + hash threads) x block size` of block data.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::clients::pithos::buffers::BufferPool;
use crate::clients::{ClientError, Result};

/// The shared bounds of a transfer.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    requests: Arc<Semaphore>,
    request_slots: usize,
    hashing: Arc<Semaphore>,
    hash_slots: usize,
    pool: Arc<BufferPool>,
}

impl Limits {
    /// At most `requests` requests in flight and `hash_threads` threads
    /// hashing (each at least 1).
    pub(crate) fn new(requests: usize, hash_threads: usize) -> Self {
        let request_slots = requests.max(1);
        let hash_slots = hash_threads.max(1);
        Limits {
            requests: Arc::new(Semaphore::new(request_slots)),
            request_slots,
            hashing: Arc::new(Semaphore::new(hash_slots)),
            hash_slots,
            pool: BufferPool::new(),
        }
    }

    /// The number of requests allowed in flight.
    pub(crate) fn requests(&self) -> usize {
        self.request_slots
    }

    /// The number of hashing threads allowed.
    pub(crate) fn hash_threads(&self) -> usize {
        self.hash_slots
    }

    /// The block buffers every file of the transfer takes and gives back:
    /// as many as are in use at once, whatever the number of files.
    pub(crate) fn pool(&self) -> &Arc<BufferPool> {
        &self.pool
    }

    /// A place for one request (held until its reply is dealt with).
    pub(crate) async fn request(&self) -> Result<OwnedSemaphorePermit> {
        self.requests.clone().acquire_owned().await.map_err(closed)
    }

    /// Places for up to `threads` hashing threads: the permit and how many
    /// threads it allows.
    pub(crate) async fn hashing(&self, threads: usize) -> Result<(OwnedSemaphorePermit, usize)> {
        let threads = threads.clamp(1, self.hash_slots);
        let permit = self
            .hashing
            .clone()
            .acquire_many_owned(u32::try_from(threads).unwrap_or(u32::MAX))
            .await
            .map_err(closed)?;
        Ok((permit, threads))
    }
}

fn closed(_: tokio::sync::AcquireError) -> ClientError {
    ClientError::InvalidRequest("the transfer was shut down".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn permits_bound_requests_and_hashing_threads() {
        let limits = Limits::new(2, 3);
        let a = limits.request().await.unwrap();
        let _b = limits.request().await.unwrap();
        // A third request waits until one of the first two is done.
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), limits.request());
        assert!(waiting.await.is_err());
        drop(a);
        assert!(limits.request().await.is_ok());

        let (permit, threads) = limits.hashing(8).await.unwrap();
        assert_eq!(threads, 3, "clamped to the threads allowed");
        let more = tokio::time::timeout(std::time::Duration::from_millis(50), limits.hashing(1));
        assert!(more.await.is_err());
        drop(permit);
        assert_eq!(limits.hashing(0).await.unwrap().1, 1);
        assert_eq!((limits.requests(), limits.hash_threads()), (2, 3));
    }
}
