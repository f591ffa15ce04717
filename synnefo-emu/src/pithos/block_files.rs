//! Blocks as files, as Synnefo's `hashfiler` keeps them: each block in a
//! file named by its hash, in fan-out folders (`blocks/ab/cd/abcd...`),
//! written to a temporary name, synced and renamed, so that a block file is
//! whole or absent. A block is stored without its trailing zeros.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::hashing::{from_hex, to_hex, Hash};

/// The block files of a data dir.
#[derive(Debug)]
pub struct BlockFiles {
    root: PathBuf,
}

impl BlockFiles {
    /// The block files under `dir/blocks` (created if missing); leftover
    /// temporary files of a crash are removed.
    pub fn open(dir: &Path) -> std::io::Result<BlockFiles> {
        let root = dir.join("blocks");
        std::fs::create_dir_all(root.join("tmp"))?;
        for entry in std::fs::read_dir(root.join("tmp"))? {
            let _ = std::fs::remove_file(entry?.path());
        }
        Ok(BlockFiles { root })
    }

    fn path(&self, hash: &Hash) -> PathBuf {
        let hex = to_hex(hash);
        self.root.join(&hex[..2]).join(&hex[2..4]).join(hex)
    }

    /// Writes a block (already stripped of trailing zeros) unless its file
    /// exists: to a temporary file, synced, then renamed into place.
    pub fn write(&self, hash: &Hash, data: &[u8]) -> std::io::Result<()> {
        let path = self.path(hash);
        if path.exists() {
            return Ok(());
        }
        let tmp = self.root.join("tmp").join(format!(
            "{}.{}",
            to_hex(hash),
            uuid::Uuid::new_v4().simple()
        ));
        let written = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(data)?;
            file.sync_data()?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    /// A block's stored bytes, if its file exists.
    pub fn read(&self, hash: &Hash) -> std::io::Result<Option<Bytes>> {
        match std::fs::read(self.path(hash)) {
            Ok(data) => Ok(Some(Bytes::from(data))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
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
