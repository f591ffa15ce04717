//! Equal things shared: the user who made a version, its content type, its
//! hash and block list are the same for many versions (empty files, folder
//! markers, copies, new versions of metadata), and a million versions need
//! not hold a million copies of them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Weak};

use super::hashing::Hash;

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

/// The hashes and block lists of live versions, by hash: a new version of
/// a content some version has takes the same ones. An entry whose versions
/// are all gone goes at the next sweep (when the table has doubled since
/// the last one).
#[derive(Debug, Default)]
pub struct Contents {
    by_hash: HashMap<Arc<str>, Weak<[Hash]>>,
    live_at_sweep: usize,
}

impl Contents {
    /// The shared hash and block list of a version whose Merkle hash is
    /// `hash` (hex) and blocks `hashes`.
    pub fn share(&mut self, hash: &str, hashes: Arc<[Hash]>) -> (Arc<str>, Arc<[Hash]>) {
        if let Some((key, kept)) = self.by_hash.get_key_value(hash) {
            if let Some(kept) = kept.upgrade().filter(|k| **k == *hashes) {
                return (key.clone(), kept);
            }
        }
        let key: Arc<str> = Arc::from(hash);
        self.by_hash.insert(key.clone(), Arc::downgrade(&hashes));
        if self.by_hash.len() > 2 * self.live_at_sweep + 1024 {
            self.by_hash.retain(|_, kept| kept.strong_count() > 0);
            self.live_at_sweep = self.by_hash.len();
        }
        (key, hashes)
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
        let (h1, l1) = contents.share("ab", Arc::from(vec![[1; 32]]));
        let (h2, l2) = contents.share("ab", Arc::from(vec![[1; 32]]));
        assert!(Arc::ptr_eq(&h1, &h2) && Arc::ptr_eq(&l1, &l2));
        drop((l1, l2));
        // Gone: a new one is made, and sweeps keep the table bounded.
        let (_, l3) = contents.share("ab", Arc::from(vec![[1; 32]]));
        assert_eq!(Arc::strong_count(&l3), 1);
        for i in 0..5000u32 {
            contents.share(&i.to_string(), Arc::from(vec![[2; 32]]));
        }
        assert!(
            contents.by_hash.len() <= 2 * 1024 + 2,
            "{}",
            contents.by_hash.len()
        );
    }
}
