//! The content-addressed block store: every distinct block once, by its
//! Pithos hash.
//!
//! Blocks are kept without their trailing zero bytes (the hash ignores them
//! anyway); a reader pads a block back with zeros to the length it needs, as
//! Synnefo's blocker pads every block to the block size. The block of the
//! empty hash (all zeros) is always present and never stored.
//!
//! Blocks live in memory, or, with a data dir, in files
//! ([`super::block_files`]): then memory holds none of them, not even the
//! set of their hashes (a million blocks would be some 70 MiB of it, and a
//! walk of a million files at each start); whether a block is there is
//! asked of the file system, and each read reads its file.

use std::collections::{HashMap, HashSet};
use std::sync::{OnceLock, RwLock};

use bytes::Bytes;

use super::block_files::BlockFiles;
use super::hashing::{block_hash, empty_hash, strip_trailing_zeros, Hash, BLOCK_SIZE};
use crate::errors::ApiError;

/// The block store.
#[derive(Debug, Default)]
pub struct BlockStore {
    blocks: RwLock<HashMap<Hash, Bytes>>,
    files: Option<BlockFiles>,
}

/// The API error of a block that could not be written: 507 when the disk
/// is full, 500 otherwise.
pub fn write_failed(error: std::io::Error) -> ApiError {
    if error.kind() == std::io::ErrorKind::StorageFull {
        ApiError::insufficient_storage("the data")
    } else {
        ApiError::internal(format!("Cannot store a block: {error}"))
    }
}

impl BlockStore {
    /// A store of block files.
    pub fn in_files(files: BlockFiles) -> std::io::Result<BlockStore> {
        Ok(BlockStore {
            blocks: RwLock::default(),
            files: Some(files),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Hash, Bytes>> {
        self.blocks.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Hash, Bytes>> {
        self.blocks.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a block whose hash the caller computed with
    /// [`block_hash`]; a block already there is kept (content addressing).
    pub fn insert(&self, hash: Hash, data: Bytes) -> std::io::Result<()> {
        let kept = strip_trailing_zeros(&data).len();
        if kept == 0 {
            return Ok(());
        }
        if let Some(files) = &self.files {
            // A block already there (or being written) is not written again.
            return files.write(&hash, &data[..kept]);
        }
        if self.read().contains_key(&hash) {
            return Ok(());
        }
        // A block with many trailing zeros keeps no more memory than needed.
        let stored = if kept < data.len() / 2 {
            Bytes::copy_from_slice(&data[..kept])
        } else {
            data.slice(..kept)
        };
        self.write().entry(hash).or_insert(stored);
        Ok(())
    }

    /// Hashes and stores a block; its hash.
    pub fn put(&self, data: Bytes) -> std::io::Result<Hash> {
        let hash = block_hash(&data);
        self.insert(hash, data)?;
        Ok(hash)
    }

    /// Whether blocks are kept in files (read from disk per request).
    pub fn in_files_kept(&self) -> bool {
        self.files.is_some()
    }

    /// The stored form of a block (trailing zeros stripped), if present.
    pub fn get(&self, hash: &Hash) -> Option<Bytes> {
        if *hash == empty_hash() {
            return Some(Bytes::new());
        }
        match &self.files {
            Some(files) => match files.read(hash) {
                Ok(found) => found,
                Err(e) => {
                    // A damaged or unreadable file: the reader fails rather
                    // than serve other bytes.
                    tracing::error!("cannot read block {}: {e}", super::hashing::to_hex(hash));
                    None
                }
            },
            None => self.read().get(hash).cloned(),
        }
    }

    /// Whether a block is present.
    pub fn contains(&self, hash: &Hash) -> bool {
        *hash == empty_hash()
            || match &self.files {
                Some(files) => files.has(hash),
                None => self.read().contains_key(hash),
            }
    }

    /// Waits until the blocks of `hashes` are on disk (with block files;
    /// at once in memory): call it before a version refers to them. An
    /// error is the API's 507 or 500 ([`write_failed`]).
    pub fn flush(&self, hashes: &[Hash]) -> Result<(), ApiError> {
        match &self.files {
            Some(files) => files.flush(hashes).map_err(write_failed),
            None => Ok(()),
        }
    }

    /// The hashes of `hashes` that are not present, each once, in order.
    pub fn missing<'a>(&self, hashes: impl IntoIterator<Item = &'a Hash>) -> Vec<Hash> {
        let mut seen = HashSet::new();
        let mut missing: Vec<Hash> = Vec::new();
        for hash in hashes {
            if !self.contains(hash) && seen.insert(*hash) {
                missing.push(*hash);
            }
        }
        missing
    }

    /// Removes the stored blocks `keep` does not hold; how many went.
    pub fn retain(&self, keep: &HashSet<Hash>) -> std::io::Result<usize> {
        if let Some(files) = &self.files {
            let gone: Vec<Hash> = files
                .scan()?
                .into_iter()
                .filter(|h| !keep.contains(h))
                .collect();
            for hash in &gone {
                files.remove(hash)?;
            }
            return Ok(gone.len());
        }
        let mut blocks = self.write();
        let before = blocks.len();
        blocks.retain(|hash, _| keep.contains(hash));
        Ok(before - blocks.len())
    }

    /// How many distinct blocks are stored (with block files, a walk of
    /// them: for tests).
    pub fn len(&self) -> usize {
        match &self.files {
            Some(files) => files.count(),
            None => self.read().len(),
        }
    }

    /// Whether no block is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Flips the bytes of a stored block so that it no longer matches its
    /// hash; false if no such block is stored.
    pub fn corrupt(&self, hash: &Hash) -> bool {
        if let Some(files) = &self.files {
            return match files.read(hash) {
                Ok(Some(block)) => {
                    let mut flipped = block.to_vec();
                    if let Some(first) = flipped.first_mut() {
                        *first ^= 0xff;
                    }
                    files.overwrite(hash, &flipped).is_ok()
                }
                _ => false,
            };
        }
        let mut blocks = self.write();
        match blocks.get_mut(hash) {
            Some(block) => {
                let mut flipped = block.to_vec();
                if let Some(first) = flipped.first_mut() {
                    *first ^= 0xff;
                }
                *block = Bytes::from(flipped);
                true
            }
            None => false,
        }
    }
}

/// A block of zeros of the block size, shared, to pad blocks with.
pub fn zeros(len: usize) -> Bytes {
    static ZEROS: OnceLock<Bytes> = OnceLock::new();
    let zeros = ZEROS.get_or_init(|| Bytes::from(vec![0u8; BLOCK_SIZE]));
    if len <= zeros.len() {
        zeros.slice(..len)
    } else {
        Bytes::from(vec![0u8; len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_blocks_are_stored_once_and_zeros_never() {
        let store = BlockStore::default();
        let a = store.put(Bytes::from_static(b"hello")).unwrap();
        let b = store.put(Bytes::from_static(b"hello\0\0")).unwrap();
        assert_eq!(a, b);
        assert_eq!(store.len(), 1);
        assert_eq!(store.get(&a).as_deref(), Some(&b"hello"[..]));
        let z = store.put(Bytes::from(vec![0u8; 100])).unwrap();
        assert_eq!(z, empty_hash());
        assert_eq!(store.len(), 1);
        assert!(store.contains(&z));
        assert_eq!(
            store.missing([&a, &z, &[1u8; 32], &[1u8; 32]]),
            vec![[1u8; 32]]
        );
    }

    #[test]
    fn retain_keeps_only_what_is_asked() {
        let store = BlockStore::default();
        let a = store.put(Bytes::from_static(b"a")).unwrap();
        let b = store.put(Bytes::from_static(b"b")).unwrap();
        assert_eq!(store.retain(&HashSet::from([a])).unwrap(), 1);
        assert!(store.contains(&a) && !store.contains(&b));
    }

    #[test]
    fn corrupting_changes_the_data_not_the_key() {
        let store = BlockStore::default();
        let h = store.put(Bytes::from_static(b"data")).unwrap();
        assert!(store.corrupt(&h));
        let got = store.get(&h).unwrap();
        assert_ne!(block_hash(&got), h);
        assert!(!store.corrupt(&[3u8; 32]));
    }
}
