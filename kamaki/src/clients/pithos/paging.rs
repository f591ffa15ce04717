//! Following Pithos listings page after page: each next page starts after
//! the last name of the previous one (`marker`), until a page comes back
//! shorter than the page size.

use std::collections::HashSet;

use crate::clients::{ClientError, Result};

/// The largest page Pithos serves.
pub(crate) const PAGE: u32 = 10_000;

/// The page size to ask for: the caller's `limit`, at most [`PAGE`].
pub(crate) fn page_size(limit: Option<u32>) -> u32 {
    limit.unwrap_or(PAGE).clamp(1, PAGE)
}

/// The markers already asked for, so that a server whose pages do not move
/// on is caught instead of being asked for the same pages for ever.
#[derive(Debug, Default)]
pub(crate) struct Markers {
    seen: HashSet<String>,
}

impl Markers {
    /// Starts with the caller's own marker, if any.
    pub(crate) fn starting_at(marker: Option<&str>) -> Self {
        Markers {
            seen: marker.iter().map(|m| m.to_string()).collect(),
        }
    }

    /// The marker of the page after one of `len` items whose last name is
    /// `last`: `None` when that page was the last one.
    pub(crate) fn next(
        &mut self,
        len: usize,
        page: u32,
        last: Option<&str>,
        url: &str,
    ) -> Result<Option<String>> {
        let Some(last) = last.filter(|_| len as u64 >= u64::from(page)) else {
            return Ok(None);
        };
        if !self.seen.insert(last.to_string()) {
            return Err(ClientError::InvalidResponse {
                url: url.to_string(),
                message: format!("the listing comes back to {last:?} again: it does not end"),
            });
        }
        Ok(Some(last.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_page_is_the_last() {
        let mut markers = Markers::default();
        assert_eq!(markers.next(3, 10, Some("c"), "u").unwrap(), None);
        assert_eq!(markers.next(0, 10, None, "u").unwrap(), None);
    }

    #[test]
    fn a_full_page_leads_to_the_next_and_a_repeat_is_an_error() {
        let mut markers = Markers::starting_at(Some("a"));
        assert_eq!(
            markers.next(2, 2, Some("b"), "u").unwrap().as_deref(),
            Some("b")
        );
        assert!(matches!(
            markers.next(2, 2, Some("b"), "u"),
            Err(ClientError::InvalidResponse { .. })
        ));
        assert!(markers.next(2, 2, Some("a"), "u").is_err());
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(page_size(None), PAGE);
        assert_eq!(page_size(Some(0)), 1);
        assert_eq!(page_size(Some(50_000)), PAGE);
        assert_eq!(page_size(Some(7)), 7);
    }
}
