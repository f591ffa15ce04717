//! Pithos hashing: block hashes and the Merkle object hash, as Synnefo's
//! backend computes them (`hashfiler` and the `HashMap` of the modular
//! backend).
//!
//! - A block's hash is the sha256 of the block **with its trailing zero
//!   bytes stripped**, so an all-zero block hashes like the empty string,
//!   and a short last block hashes like the same block padded with zeros.
//! - An object's hash is the Merkle root of its block hashes: no block gives
//!   the hash of the empty string, one block gives that block's hash, more
//!   are padded with all-zero 32-byte leaves up to a power of two, then
//!   reduced by hashing the concatenation of each pair until one is left.
//! - An empty object is stored with the one-entry hashmap `[sha256("")]`, so
//!   its hash is `sha256("")` either way.

use sha2::{Digest, Sha256};

/// The block size of every container (`X-Container-Block-Size`).
pub const BLOCK_SIZE: usize = 4 * 1024 * 1024;

/// The block hash algorithm (`X-Container-Block-Hash`).
pub const HASH_ALGORITHM: &str = "sha256";

/// A sha256 digest.
pub type Hash = [u8; 32];

/// sha256 of `data`, as it is.
pub fn raw_hash(data: &[u8]) -> Hash {
    Sha256::digest(data).into()
}

/// The hash of the empty string: the hash of an all-zero block and of an
/// empty object.
pub fn empty_hash() -> Hash {
    raw_hash(b"")
}

/// `data` without its trailing zero bytes.
pub fn strip_trailing_zeros(data: &[u8]) -> &[u8] {
    let end = data.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    &data[..end]
}

/// The Pithos hash of one block: sha256 of the block stripped of its
/// trailing zero bytes.
pub fn block_hash(data: &[u8]) -> Hash {
    raw_hash(strip_trailing_zeros(data))
}

/// The Merkle root of a list of block hashes (the object hash).
pub fn merkle(hashes: &[Hash]) -> Hash {
    match hashes {
        [] => empty_hash(),
        [one] => *one,
        _ => {
            let width = hashes.len().next_power_of_two();
            let mut level: Vec<Hash> = Vec::with_capacity(width);
            level.extend_from_slice(hashes);
            level.resize(width, [0u8; 32]);
            while level.len() > 1 {
                level = level
                    .chunks(2)
                    .map(|pair| {
                        let mut hasher = Sha256::new();
                        hasher.update(pair[0]);
                        hasher.update(pair[1]);
                        hasher.finalize().into()
                    })
                    .collect();
            }
            level[0]
        }
    }
}

/// The Merkle hash of `data` cut in blocks of `block_size` (for tests and
/// for the object hash of data at hand).
pub fn merkle_of_data(data: &[u8], block_size: usize) -> Hash {
    let hashes: Vec<Hash> = data.chunks(block_size.max(1)).map(block_hash).collect();
    merkle(&hashes)
}

/// Lower-case hex of a hash.
pub fn to_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

/// A hash from hex (either case); `None` if it is not 64 hex digits.
pub fn from_hex(text: &str) -> Option<Hash> {
    let mut hash = [0u8; 32];
    hex::decode_to_slice(text, &mut hash).ok()?;
    Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn empty_object_and_zero_block_hash_like_the_empty_string() {
        assert_eq!(to_hex(&empty_hash()), EMPTY);
        assert_eq!(to_hex(&merkle(&[])), EMPTY);
        assert_eq!(to_hex(&merkle_of_data(b"", BLOCK_SIZE)), EMPTY);
        assert_eq!(to_hex(&block_hash(&[0u8; 1000])), EMPTY);
        // The stored form of an empty object is a one-entry hashmap.
        assert_eq!(to_hex(&merkle(&[empty_hash()])), EMPTY);
    }

    #[test]
    fn trailing_zeros_are_stripped_but_not_leading_or_inner_ones() {
        assert_eq!(block_hash(b"abc\0\0\0"), raw_hash(b"abc"));
        assert_eq!(block_hash(b"\0abc"), raw_hash(b"\0abc"));
        assert_eq!(block_hash(b"a\0b\0"), raw_hash(b"a\0b"));
        assert_ne!(block_hash(b"\0abc"), raw_hash(b"abc"));
    }

    #[test]
    fn one_block_object_hash_is_its_block_hash() {
        let data = vec![7u8; 100];
        assert_eq!(merkle_of_data(&data, 64 * 1024), block_hash(&data));
        let full = vec![9u8; 4096];
        assert_eq!(merkle_of_data(&full, 4096), block_hash(&full));
    }

    #[test]
    fn two_and_three_blocks_pad_to_a_power_of_two_with_zero_leaves() {
        let bs = 4;
        let data = b"aaaabbbbcc";
        let (a, b, c) = (
            block_hash(b"aaaa"),
            block_hash(b"bbbb"),
            block_hash(b"cc"), // a last partial block is hashed as it is
        );
        let pair = |x: &Hash, y: &Hash| {
            let mut joined = x.to_vec();
            joined.extend_from_slice(y);
            raw_hash(&joined)
        };
        assert_eq!(merkle(&[a, b]), pair(&a, &b));
        let zero = [0u8; 32];
        let expected = pair(&pair(&a, &b), &pair(&c, &zero));
        assert_eq!(merkle_of_data(data, bs), expected);
        // Five leaves pad to eight.
        let five = [a, b, c, a, b];
        let l1 = [
            pair(&a, &b),
            pair(&c, &a),
            pair(&b, &zero),
            pair(&zero, &zero),
        ];
        let l2 = [pair(&l1[0], &l1[1]), pair(&l1[2], &l1[3])];
        assert_eq!(merkle(&five), pair(&l2[0], &l2[1]));
    }

    #[test]
    fn a_last_partial_block_equals_the_padded_block() {
        let bs = 8;
        assert_eq!(
            merkle_of_data(b"12345678abc", bs),
            merkle_of_data(b"12345678abc\0\0\0\0\0", bs)
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        let h = raw_hash(b"x");
        assert_eq!(from_hex(&to_hex(&h)), Some(h));
        assert_eq!(from_hex(&to_hex(&h).to_uppercase()), Some(h));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex(&"zz".repeat(32)), None);
    }
}
