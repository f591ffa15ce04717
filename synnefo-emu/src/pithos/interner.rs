//! Equal things shared: the user who made a version, its content type, its
//! hash and block list are the same for many versions (empty files, folder
//! markers, copies, new versions of metadata), and a million versions need
//! not hold a million copies of them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Weak};

use super::hashing::{merkle, to_hex, Hash};

/// The strings shared so far.
#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>>);

impl Interner {
    /// The shared copy of `text` (made on first sight).
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(kept) = self.0.get(text) {
            return kept.clone();
        }
        let kept: Arc<str> = Arc::from(text);
        self.0.insert(kept.clone());
        kept
    }
}

/// What a version's data is: its Merkle hash and its block hashes, in one
/// shared allocation (the Merkle hash first, then the blocks), so that a
/// version holds one pointer to them and versions of equal content hold
/// the same one. A deletion marker has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content(Arc<[Hash]>);

impl Content {
    /// The content made of `blocks` (its Merkle hash computed).
    pub fn of(blocks: &[Hash]) -> Content {
        Content::with_merkle(merkle(blocks), blocks)
    }

    /// The content made of `blocks`, whose Merkle hash is `merkle` (as
    /// stored).
    pub fn with_merkle(merkle: Hash, blocks: &[Hash]) -> Content {
        Content(
            std::iter::once(merkle)
                .chain(blocks.iter().copied())
                .collect(),
        )
    }

    /// No content (a deletion marker's).
    pub fn none() -> Content {
        Content(Arc::from([]))
    }

    /// The block hashes.
    pub fn blocks(&self) -> &[Hash] {
        self.0.get(1..).unwrap_or_default()
    }

    /// The Merkle hash (`None` for a deletion marker).
    pub fn merkle(&self) -> Option<&Hash> {
        self.0.first()
    }

    /// The Merkle hash in hex, as the API shows it (`None` for a deletion
    /// marker).
    pub fn hash(&self) -> Option<String> {
        self.merkle().map(to_hex)
    }

    /// Whether both are the same allocation.
    pub fn ptr_eq(&self, other: &Content) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The contents of live versions, by the first 8 bytes of their Merkle
/// hash: a new version of a content some version has takes the same one.
/// An entry whose versions are all gone goes at the next sweep (when the
/// table has doubled since the last one).
#[derive(Debug, Default)]
pub struct Contents {
    by_hash: HashMap<u64, Weak<[Hash]>>,
    live_at_sweep: usize,
}

impl Contents {
    /// The shared copy of `content`: one equal to it if a live version has
    /// it, else `content`, kept for those that follow.
    pub fn share(&mut self, content: Content) -> Content {
        let Some(merkle) = content.merkle() else {
            return content;
        };
        let key = u64::from_le_bytes(merkle[..8].try_into().unwrap_or_default());
        if let Some(kept) = self.by_hash.get(&key).and_then(Weak::upgrade) {
            if *kept == *content.0 {
                return Content(kept);
            }
        }
        // New, gone, or another content with the same first 8 bytes (which
        // then is not shared; both stay right).
        self.by_hash.insert(key, Arc::downgrade(&content.0));
        if self.by_hash.len() > 2 * self.live_at_sweep + 1024 {
            self.by_hash.retain(|_, kept| kept.strong_count() > 0);
            self.live_at_sweep = self.by_hash.len();
        }
        content
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_are_one() {
        let mut shared = Interner::default();
        let a = shared.get("application/octet-stream");
        let b = shared.get("application/octet-stream");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &shared.get("text/plain")));
    }

    #[test]
    fn equal_contents_share_and_gone_ones_are_swept() {
        let mut contents = Contents::default();
        let a = contents.share(Content::of(&[[1; 32]]));
        let b = contents.share(Content::of(&[[1; 32]]));
        assert!(a.ptr_eq(&b));
        assert_eq!(a.blocks(), &[[1; 32]]);
        assert_eq!(a.merkle(), Some(&[1; 32]), "one block: its own hash");
        assert!(!a.ptr_eq(&contents.share(Content::of(&[[2; 32]]))));
        drop((a, b));
        // Gone: a new one is made, and sweeps keep the table bounded.
        let c = contents.share(Content::of(&[[1; 32]]));
        assert_eq!(Arc::strong_count(&c.0), 1);
        for i in 0..5000u32 {
            let mut block = [0u8; 32];
            block[..4].copy_from_slice(&i.to_le_bytes());
            contents.share(Content::of(&[block, block]));
        }
        assert!(
            contents.by_hash.len() <= 2 * 1024 + 3,
            "{}",
            contents.by_hash.len()
        );
    }

    #[test]
    fn contents_with_the_same_first_bytes_stay_apart() {
        let mut contents = Contents::default();
        let mut m1 = [7u8; 32];
        let mut m2 = [7u8; 32];
        m1[31] = 1;
        m2[31] = 2;
        let a = contents.share(Content::with_merkle(m1, &[[1; 32], [2; 32]]));
        let b = contents.share(Content::with_merkle(m2, &[[3; 32], [4; 32]]));
        assert_eq!(b.merkle(), Some(&m2));
        assert_eq!(b.blocks(), &[[3; 32], [4; 32]]);
        assert_eq!(a.blocks(), &[[1; 32], [2; 32]]);
        assert!(Content::none().merkle().is_none());
        assert!(Content::none().blocks().is_empty());
    }
}
