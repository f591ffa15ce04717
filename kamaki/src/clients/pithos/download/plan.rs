//! What a download fetches: the byte ranges asked for, the pieces (block
//! parts) that cover them, and the check of each whole block against its
//! hash.

use super::*;

/// A part of a block to write at an offset of the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Piece {
    pub(super) block: usize,
    /// Bytes `from..to` of the block.
    pub(super) from: u64,
    pub(super) to: u64,
    /// Where they go in the output.
    pub(super) out: u64,
}

/// What to fetch and where to put it.
pub(super) struct Plan {
    pub(super) obj: String,
    pub(super) hashmap: ObjectHashmap,
    pub(super) algorithm: HashAlgorithm,
    pub(super) zero_hash: String,
    pub(super) etag: Option<String>,
    pub(super) version: Option<String>,
    pub(super) pieces: Vec<Piece>,
    pub(super) out_len: u64,
    pub(super) whole: bool,
    pub(super) headers: Headers,
}

impl Plan {
    pub(super) fn block_bounds(&self, block: usize) -> (u64, u64) {
        block_range(block as u64, self.hashmap.bytes, self.hashmap.block_size)
    }
}

/// Parses `0-99,200-,-500` (a `Range` header's value, `bytes=` optional)
/// into half-open byte ranges of an object of `size` bytes; ranges past the
/// end are dropped, ends are clipped.
pub fn parse_ranges(spec: &str, size: u64) -> Result<Vec<(u64, u64)>> {
    let spec = spec.trim();
    let spec = spec.strip_prefix("bytes=").unwrap_or(spec);
    let bad = || {
        ClientError::InvalidRequest(format!(
            "invalid range {spec:?}: expected a-b, a- or -n, joined by ','"
        ))
    };
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
    let mut ranges = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').ok_or_else(bad)?;
        let (start, end) = match (a.trim().is_empty(), b.trim().is_empty()) {
            (true, true) => return Err(bad()),
            (true, false) => (size.saturating_sub(number(b)?), size),
            (false, true) => (number(a)?, size),
            (false, false) => {
                let (a, b) = (number(a)?, number(b)?);
                if b < a {
                    return Err(bad());
                }
                (a, b.saturating_add(1).min(size))
            }
        };
        if start < end {
            ranges.push((start, end));
        }
    }
    if ranges.is_empty() && size > 0 {
        return Err(ClientError::InvalidRequest(format!(
            "the range {spec:?} is outside the object ({size} bytes)"
        )));
    }
    Ok(ranges)
}

/// The pieces of blocks that make the output.
pub(super) fn plan_pieces(size: u64, block_size: u64, ranges: Option<&[(u64, u64)]>) -> Vec<Piece> {
    let whole = [(0, size)];
    let ranges = ranges.unwrap_or(&whole);
    let mut pieces = Vec::new();
    let mut out = 0;
    for &(start, end) in ranges {
        if start >= end || block_size == 0 {
            continue;
        }
        for block in start / block_size..end.div_ceil(block_size) {
            let block_start = block * block_size;
            let from = start.max(block_start) - block_start;
            let to = end.min(block_start + block_size) - block_start;
            pieces.push(Piece {
                block: block as usize,
                from,
                to,
                out,
            });
            out += to - from;
        }
    }
    pieces
}

/// What a fetched block must hash to.
pub(super) struct BlockCheck {
    pub(super) algorithm: HashAlgorithm,
    pub(super) expected: String,
    /// A short last block (see [`BlockCheck::verify`]).
    pub(super) short_last: bool,
    /// Which object and block, for messages.
    pub(super) context: String,
}

impl Plan {
    pub(super) fn check(&self, block: usize) -> BlockCheck {
        let (start, end) = self.block_bounds(block);
        let expected = self.hashmap.hashes[block].to_ascii_lowercase();
        BlockCheck {
            algorithm: self.algorithm,
            short_last: block + 1 == self.hashmap.hashes.len()
                && end - start < self.hashmap.block_size,
            context: format!(
                "downloading {}: block {block} (bytes {start}-{}, hash {expected})",
                self.obj,
                end.saturating_sub(1)
            ),
            expected,
        }
    }
}

impl BlockCheck {
    /// Whether `data` has the expected hash (`Ok(true)`), or is a short
    /// last block accepted unverified (`Ok(false)`); an error otherwise.
    ///
    /// A short last block is the one exception: when Synnefo truncates an
    /// object (`X-Object-Bytes`) it keeps the hash of the whole stored block,
    /// of which only a prefix is the object's, so the data it serves cannot
    /// match.
    pub(super) fn verify(&self, chunks: &[Bytes]) -> Result<bool> {
        let got = match chunks {
            [one] => self.algorithm.block_hash_hex(one),
            _ => {
                let mut hasher = BlockHasher::new(self.algorithm);
                chunks.iter().for_each(|c| hasher.update(c));
                hasher.finalize_hex()
            }
        };
        if got == self.expected {
            return Ok(true);
        }
        if self.short_last {
            tracing::warn!(
                target: "kamaki::clients::pithos",
                "{}: the last block hashes to {got}; accepted unverified (a truncated object keeps the hash of its whole last block)",
                self.context
            );
            return Ok(false);
        }
        Err(ClientError::Integrity(format!(
            "{}: the data received hashes to {got}",
            self.context
        )))
    }
}
