//! Blocks as files, as Synnefo's `hashfiler` keeps them: each block in a
//! file named by its hash, in fan-out folders (`blocks/ab/cd/abcd...`),
//! written to a temporary name, synced and renamed, so that a block file is
//! whole or absent. A block is stored without its trailing zeros.
//!
//! The sync and rename happen on [`SYNC_THREADS`] threads of their own, so
//! that several syncs are in flight at once (on this project's machines,
//! syncing each 4 MiB file in turn as it was written went at a third to a
//! half of the speed of eight syncs in parallel). A block upload is answered
//! once its temporary
//! file is written; before a version that refers to blocks is made,
//! [`BlockFiles::flush`] waits for theirs (and fails if one could not be
//! synced), so no object refers to a block that is not on disk. A crash
//! leaves unsynced blocks under `tmp/`, removed at the next start.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};

use bytes::Bytes;

use super::hashing::{from_hex, to_hex, Hash};

/// How many block syncs may be in flight at once: enough to keep a disk
/// busy (four measured 0.74x of the in-memory upload rate on average where
/// one batch `syncfs` measured 0.61x, in the same session).
pub const SYNC_THREADS: usize = 4;

/// The block files of a data dir.
#[derive(Debug)]
pub struct BlockFiles {
    root: PathBuf,
    syncing: Arc<Syncing>,
    /// To the thread that syncs and renames written blocks.
    queue: mpsc::Sender<Hash>,
}

/// Blocks written and not yet synced, and those whose sync failed.
#[derive(Debug, Default)]
struct Syncing {
    state: Mutex<SyncState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct SyncState {
    /// Written to these temporary files, to be synced and renamed to these
    /// paths.
    pending: HashMap<Hash, (PathBuf, PathBuf)>,
    /// Could not be synced: why.
    failed: HashMap<Hash, (std::io::ErrorKind, String)>,
}

impl Syncing {
    fn state(&self) -> MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Syncs the pending blocks of `hashes`, renames each into place, and
    /// notes how each went.
    fn sync(&self, hashes: &[Hash]) {
        let batch: Vec<(Hash, PathBuf, PathBuf)> = {
            let state = self.state();
            hashes
                .iter()
                .filter_map(|h| {
                    state
                        .pending
                        .get(h)
                        .map(|(t, p)| (*h, t.clone(), p.clone()))
                })
                .collect()
        };
        let synced = batch
            .iter()
            .try_for_each(|(_, tmp, _)| File::open(tmp)?.sync_data());
        let results: Vec<(Hash, PathBuf, std::io::Result<()>)> = batch
            .into_iter()
            .map(|(hash, tmp, path)| {
                let placed = match &synced {
                    Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                    Ok(()) => path
                        .parent()
                        .map_or(Ok(()), std::fs::create_dir_all)
                        .and_then(|()| std::fs::rename(&tmp, &path)),
                };
                (hash, tmp, placed)
            })
            .collect();
        let mut state = self.state();
        for (hash, tmp, placed) in results {
            state.pending.remove(&hash);
            if let Err(e) = placed {
                let _ = std::fs::remove_file(&tmp);
                state.failed.insert(hash, (e.kind(), e.to_string()));
            }
        }
        drop(state);
        self.changed.notify_all();
    }
}

/// The bytes of the file `path`, `None` if there is none.
fn read_if_present(path: &Path) -> std::io::Result<Option<Bytes>> {
    match std::fs::read(path) {
        Ok(data) => Ok(Some(Bytes::from(data))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `data` to the new file `path`. On Linux, with direct I/O where
/// the file system has it: the data goes from a reused aligned buffer to
/// the disk, not through new page-cache pages, whose first touch costs
/// this project's VMs more CPU than the copy itself (an upload saturates
/// both cores already). Elsewhere, or where direct I/O is refused (tmpfs),
/// a plain write.
fn write_new_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const ALIGN: usize = 4096;
        let direct = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_DIRECT)
            .open(path);
        match direct {
            Ok(mut file) => {
                thread_local! {
                    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
                }
                let padded = data.len().div_ceil(ALIGN) * ALIGN;
                BUFFER.with_borrow_mut(|buffer| {
                    if buffer.len() < padded + ALIGN {
                        buffer.resize(padded + ALIGN, 0);
                    }
                    let start = buffer.as_ptr().align_offset(ALIGN);
                    let aligned = &mut buffer[start..start + padded];
                    aligned[..data.len()].copy_from_slice(data);
                    aligned[data.len()..].fill(0);
                    file.write_all(aligned)
                })?;
                return file.set_len(data.len() as u64);
            }
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                let _ = std::fs::remove_file(path);
            }
            Err(e) => return Err(e),
        }
    }
    File::create(path).and_then(|mut file| file.write_all(data))
}

impl BlockFiles {
    /// The block files under `dir/blocks` (created if missing); leftover
    /// temporary files of a crash are removed.
    pub fn open(dir: &Path) -> std::io::Result<BlockFiles> {
        let root = dir.join("blocks");
        std::fs::create_dir_all(root.join("tmp"))?;
        let tmp_dir = root.join("tmp");
        for entry in std::fs::read_dir(&tmp_dir)? {
            let _ = std::fs::remove_file(entry?.path());
        }
        let syncing = Arc::new(Syncing::default());
        let (queue, blocks) = mpsc::channel::<Hash>();
        // The threads end when the files are dropped (and the queue with
        // them), after the blocks still queued.
        let blocks = Arc::new(Mutex::new(blocks));
        for _ in 0..SYNC_THREADS {
            let (blocks, syncer) = (blocks.clone(), syncing.clone());
            std::thread::Builder::new()
                .name("block-sync".into())
                .spawn(move || loop {
                    let next = blocks.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(hash) = next else { break };
                    syncer.sync(&[hash]);
                })?;
        }
        Ok(BlockFiles {
            root,
            syncing,
            queue,
        })
    }

    /// Waits until the blocks of `hashes` written so far are synced and in
    /// place; an error names the first that could not be.
    pub fn flush(&self, hashes: &[Hash]) -> std::io::Result<()> {
        let mut state = self.syncing.state();
        while hashes.iter().any(|h| state.pending.contains_key(h)) {
            state = self
                .syncing
                .changed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
        match hashes.iter().find_map(|h| state.failed.get(h)) {
            Some((kind, message)) => Err(std::io::Error::new(*kind, message.clone())),
            None => Ok(()),
        }
    }

    /// Whether a block is stored: being synced, or its file in place. A
    /// block whose sync failed is not.
    pub fn has(&self, hash: &Hash) -> bool {
        // Pending first: a block leaves `pending` only once renamed into
        // place, so it is found in one place or the other.
        if self.syncing.state().pending.contains_key(hash) {
            return true;
        }
        self.path(hash).is_file()
    }

    /// How many blocks are stored, synced or not (a walk of the files).
    pub fn count(&self) -> usize {
        let pending: Vec<Hash> = self.syncing.state().pending.keys().copied().collect();
        let mut found = self.scan().unwrap_or_default();
        found.extend(pending);
        found.len()
    }

    fn path(&self, hash: &Hash) -> PathBuf {
        let hex = to_hex(hash);
        self.root.join(&hex[..2]).join(&hex[2..4]).join(hex)
    }

    /// Writes a block (already stripped of trailing zeros) unless its file
    /// exists or is being written: to a temporary file, which the syncing
    /// thread syncs and renames into place (see the module).
    pub fn write(&self, hash: &Hash, data: &[u8]) -> std::io::Result<()> {
        if self.has(hash) {
            return Ok(());
        }
        let path = self.path(hash);
        let tmp = self.root.join("tmp").join(format!(
            "{}.{}",
            to_hex(hash),
            uuid::Uuid::new_v4().simple()
        ));
        let written = write_new_file(&tmp, data);
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        {
            let mut state = self.syncing.state();
            if state.pending.contains_key(hash) {
                // Another request wrote the same block meanwhile.
                drop(state);
                let _ = std::fs::remove_file(&tmp);
                return Ok(());
            }
            state.failed.remove(hash);
            state.pending.insert(*hash, (tmp, path));
        }
        if self.queue.send(*hash).is_err() {
            // No syncing thread: sync here.
            self.syncing.sync(&[*hash]);
        }
        Ok(())
    }

    /// A block's stored bytes, if its file exists.
    pub fn read(&self, hash: &Hash) -> std::io::Result<Option<Bytes>> {
        let path = self.path(hash);
        if let Some(data) = read_if_present(&path)? {
            return Ok(Some(data));
        }
        // Not yet synced: its temporary file, unless it was renamed since.
        // A block leaves `pending` only once renamed into place, so if it
        // is no longer pending (or its temporary file is gone), it is at
        // its place.
        let pending = self.syncing.state().pending.get(hash).cloned();
        if let Some((tmp, _)) = pending {
            if let Ok(data) = std::fs::read(&tmp) {
                return Ok(Some(Bytes::from(data)));
            }
        }
        read_if_present(&path)
    }

    /// Overwrites a block's file in place (for tests of damaged blocks).
    pub fn overwrite(&self, hash: &Hash, data: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.path(hash), data)
    }

    /// Removes a block's file (absent already is fine).
    pub fn remove(&self, hash: &Hash) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(hash)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The hashes of every block file.
    pub fn scan(&self) -> std::io::Result<HashSet<Hash>> {
        let mut found = HashSet::new();
        for first in std::fs::read_dir(&self.root)? {
            let first = first?;
            if first.file_name() == "tmp" || !first.file_type()?.is_dir() {
                continue;
            }
            for second in std::fs::read_dir(first.path())? {
                let second = second?;
                if !second.file_type()?.is_dir() {
                    continue;
                }
                for block in std::fs::read_dir(second.path())? {
                    let name = block?.file_name();
                    if let Some(hash) = name.to_str().and_then(from_hex) {
                        found.insert(hash);
                    }
                }
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pithos::hashing::block_hash;

    #[test]
    fn a_block_reads_back_at_once_and_is_in_place_after_a_flush() {
        let dir = tempfile::tempdir().unwrap();
        let files = BlockFiles::open(dir.path()).unwrap();
        let blocks: Vec<(Hash, Vec<u8>)> = (0..20u8)
            .map(|i| {
                let data = vec![i + 1; 1000];
                (block_hash(&data), data)
            })
            .collect();
        assert!(!files.has(&blocks[0].0));
        for (hash, data) in &blocks {
            files.write(hash, data).unwrap();
            // Synced or not yet, it is there and reads back whole.
            assert!(files.has(hash));
            assert_eq!(files.read(hash).unwrap().as_deref(), Some(&data[..]));
        }
        assert_eq!(files.count(), blocks.len());
        let hashes: Vec<Hash> = blocks.iter().map(|(h, _)| *h).collect();
        files.flush(&hashes).unwrap();
        for (hash, data) in &blocks {
            assert_eq!(std::fs::read(files.path(hash)).unwrap(), *data);
            assert!(files.has(hash));
        }
        let left = std::fs::read_dir(dir.path().join("blocks/tmp"))
            .unwrap()
            .count();
        assert_eq!(left, 0, "no temporary file is left once synced");
        assert_eq!(files.scan().unwrap().len(), blocks.len());
    }
}
