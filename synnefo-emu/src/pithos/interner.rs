//! Equal strings shared: the user who made a version, its content type and
//! hash are the same for many versions, and a million versions need not
//! hold a million copies of them.

use std::collections::HashSet;
use std::sync::Arc;

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
}
