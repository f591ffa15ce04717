//! Block hashing and the Merkle object hash, as Pithos computes them.
//!
//! Pithos stores an object as a list of fixed-size blocks (the container's
//! `X-Container-Block-Size`, 4 MiB by default). The last block may be
//! shorter. A block is named by the hash (the container's
//! `X-Container-Block-Hash`, `sha256` by default) of its bytes **with the
//! trailing zero bytes stripped**, so a block of zeros hashes as the empty
//! string and a short last block hashes as if it were padded with zeros.
//!
//! The object hash (`X-Object-Hash`, and the ETag when the server computes
//! no MD5) is the Merkle root of the block hashes (Synnefo's
//! `pithos.backends.modular.HashMap.hash`):
//!
//! * no block: the hash of the empty string;
//! * one block: that block's hash;
//! * otherwise the list is padded with all-zero digests up to the next power
//!   of two (at least 2), and each level hashes the concatenation of pairs of
//!   raw digests, until one remains.
//!
//! An empty object is stored by Pithos with the single hash of the empty
//! block, which the rules above make equal to the no-block case.

use std::fmt;
use std::str::FromStr;

use sha2::digest::DynDigest;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::clients::{ClientError, Result};

/// A hash algorithm a container may use for its blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum HashAlgorithm {
    /// SHA-224.
    Sha224,
    /// SHA-256, Pithos' default.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The name Pithos gives it (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha224 => "sha224",
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// The length of a digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha224 => 28,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    fn hasher(self) -> Box<dyn DynDigest + Send> {
        match self {
            HashAlgorithm::Sha224 => Box::new(Sha224::new()),
            HashAlgorithm::Sha256 => Box::new(Sha256::new()),
            HashAlgorithm::Sha384 => Box::new(Sha384::new()),
            HashAlgorithm::Sha512 => Box::new(Sha512::new()),
        }
    }

    /// The plain digest of `data` (no stripping).
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha224 => Sha224::digest(data).to_vec(),
            HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// The Pithos hash of a block: the digest of `block` without its
    /// trailing zero bytes.
    pub fn block_hash(self, block: &[u8]) -> Vec<u8> {
        self.digest(strip_trailing_zeros(block))
    }

    /// [`HashAlgorithm::block_hash`] in lower-case hex, as hashmaps carry it.
    pub fn block_hash_hex(self, block: &[u8]) -> String {
        hex::encode(self.block_hash(block))
    }

    /// The hash of an all-zero block (of any length): the digest of nothing.
    pub fn zero_block_hash_hex(self) -> String {
        hex::encode(self.digest(b""))
    }

    /// The Merkle root of raw block digests (see the module docs).
    pub fn merkle(self, hashes: &[Vec<u8>]) -> Vec<u8> {
        match hashes {
            [] => self.digest(b""),
            [one] => one.clone(),
            _ => {
                let width = hashes.len().next_power_of_two().max(2);
                let pad = vec![0u8; hashes[0].len()];
                let mut level: Vec<Vec<u8>> = hashes.to_vec();
                level.resize(width, pad);
                while level.len() > 1 {
                    level = level
                        .chunks(2)
                        .map(|pair| {
                            let mut hasher = self.hasher();
                            hasher.update(&pair[0]);
                            hasher.update(&pair[1]);
                            hasher.finalize().to_vec()
                        })
                        .collect();
                }
                level.pop().unwrap_or_default()
            }
        }
    }

    /// The Merkle root of hex block hashes, in hex (the `X-Object-Hash` of
    /// an object with this hashmap).
    pub fn merkle_hex<S: AsRef<str>>(self, hashes: &[S]) -> Result<String> {
        let raw = hashes
            .iter()
            .map(|h| {
                hex::decode(h.as_ref()).map_err(|_| {
                    ClientError::Integrity(format!("{:?} is not a hex block hash", h.as_ref()))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(hex::encode(self.merkle(&raw)))
    }

    /// The Pithos hash of a whole object held in memory.
    pub fn object_hash_hex(self, data: &[u8], block_size: usize) -> String {
        let blocks: Vec<Vec<u8>> = data
            .chunks(block_size.max(1))
            .map(|b| self.block_hash(b))
            .collect();
        hex::encode(self.merkle(&blocks))
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlgorithm {
    type Err = ClientError;

    /// Parses a container's `X-Container-Block-Hash` (case and `-` ignored).
    fn from_str(name: &str) -> Result<Self> {
        match name.trim().to_ascii_lowercase().replace('-', "").as_str() {
            "sha224" => Ok(HashAlgorithm::Sha224),
            "sha256" => Ok(HashAlgorithm::Sha256),
            "sha384" => Ok(HashAlgorithm::Sha384),
            "sha512" => Ok(HashAlgorithm::Sha512),
            _ => Err(ClientError::Config(format!(
                "the container hashes its blocks with {name:?}, which this client does not support \
                 (sha224, sha256, sha384, sha512)"
            ))),
        }
    }
}

/// `data` without its trailing zero bytes.
pub fn strip_trailing_zeros(data: &[u8]) -> &[u8] {
    match data.iter().rposition(|&b| b != 0) {
        Some(last) => &data[..=last],
        None => &[],
    }
}

/// Hashes a block fed in pieces (as it arrives from the network), with the
/// trailing zeros stripped: runs of zeros are held back and only hashed when
/// more non-zero data follows them.
pub struct BlockHasher {
    hasher: Box<dyn DynDigest + Send>,
    held_zeros: u64,
    len: u64,
}

impl fmt::Debug for BlockHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockHasher")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

const ZEROS: [u8; 8192] = [0; 8192];

impl BlockHasher {
    /// A hasher for one block.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        BlockHasher {
            hasher: algorithm.hasher(),
            held_zeros: 0,
            len: 0,
        }
    }

    /// Feeds the next bytes of the block.
    pub fn update(&mut self, data: &[u8]) {
        self.len += data.len() as u64;
        match data.iter().rposition(|&b| b != 0) {
            None => self.held_zeros += data.len() as u64,
            Some(last) => {
                while self.held_zeros > 0 {
                    let n = self.held_zeros.min(ZEROS.len() as u64) as usize;
                    self.hasher.update(&ZEROS[..n]);
                    self.held_zeros -= n as u64;
                }
                self.hasher.update(&data[..=last]);
                self.held_zeros = (data.len() - last - 1) as u64;
            }
        }
    }

    /// How many bytes were fed.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was fed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The block's hash, in hex.
    pub fn finalize_hex(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

/// The number of blocks of an object of `size` bytes (0 for an empty one).
pub fn block_count(size: u64, block_size: u64) -> u64 {
    if size == 0 || block_size == 0 {
        0
    } else {
        size.div_ceil(block_size)
    }
}

/// The byte range `[start, end)` of block `index`.
pub fn block_range(index: u64, size: u64, block_size: u64) -> (u64, u64) {
    let start = index.saturating_mul(block_size).min(size);
    (start, start.saturating_add(block_size).min(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn sha(data: &[u8]) -> Vec<u8> {
        Sha256::digest(data).to_vec()
    }

    #[test]
    fn empty_object_hash_is_the_digest_of_nothing() {
        let algo = HashAlgorithm::Sha256;
        assert_eq!(algo.object_hash_hex(b"", 4), EMPTY_SHA256);
        assert_eq!(algo.merkle_hex::<&str>(&[]).unwrap(), EMPTY_SHA256);
        // Pithos stores an empty object as one empty block: same hash.
        assert_eq!(algo.merkle_hex(&[EMPTY_SHA256]).unwrap(), EMPTY_SHA256);
    }

    #[test]
    fn one_block_object_hash_is_the_block_hash() {
        let algo = HashAlgorithm::Sha256;
        assert_eq!(algo.object_hash_hex(b"abcd", 4), hex::encode(sha(b"abcd")));
        assert_eq!(algo.object_hash_hex(b"ab", 4), hex::encode(sha(b"ab")));
    }

    #[test]
    fn trailing_zeros_are_stripped_but_not_leading_or_inner_ones() {
        let algo = HashAlgorithm::Sha256;
        assert_eq!(algo.block_hash(b"ab\0\0"), sha(b"ab"));
        assert_eq!(algo.block_hash(b"\0a\0b\0"), sha(b"\0a\0b"));
        assert_eq!(algo.block_hash(&[0u8; 100]), sha(b""));
        assert_eq!(algo.zero_block_hash_hex(), EMPTY_SHA256);
        // A short last block hashes as the zero-padded one.
        assert_eq!(algo.block_hash(b"xy"), algo.block_hash(b"xy\0\0"));
    }

    #[test]
    fn merkle_of_two_three_and_five_blocks() {
        let algo = HashAlgorithm::Sha256;
        let (a, b, c, d, e) = (sha(b"a"), sha(b"b"), sha(b"c"), sha(b"d"), sha(b"e"));
        let pair = |x: &[u8], y: &[u8]| sha(&[x, y].concat());
        let zero = vec![0u8; 32];
        assert_eq!(algo.merkle(&[a.clone(), b.clone()]), pair(&a, &b));
        assert_eq!(
            algo.merkle(&[a.clone(), b.clone(), c.clone()]),
            pair(&pair(&a, &b), &pair(&c, &zero))
        );
        let left = pair(&pair(&a, &b), &pair(&c, &d));
        let right = pair(&pair(&e, &zero), &pair(&zero, &zero));
        assert_eq!(
            algo.merkle(&[a.clone(), b.clone(), c.clone(), d.clone(), e.clone()]),
            pair(&left, &right)
        );
        // The whole-object helper agrees: blocks of 1 byte.
        assert_eq!(
            algo.object_hash_hex(b"abcde", 1),
            hex::encode(pair(&left, &right))
        );
    }

    #[test]
    fn last_partial_block_and_zero_blocks_in_an_object() {
        let algo = HashAlgorithm::Sha256;
        let mut data = vec![7u8; 8];
        data.extend_from_slice(&[0u8; 4]); // a whole block of zeros
        data.extend_from_slice(b"z"); // a partial last block
        let expected = algo.merkle(&[sha(&[7u8; 4]), sha(&[7u8; 4]), sha(b""), sha(b"z")]);
        assert_eq!(algo.object_hash_hex(&data, 4), hex::encode(expected));
    }

    #[test]
    fn known_answer_from_synnefo_rules() {
        // Independently computed: sha256(sha256("a") || sha256("b")).
        let algo = HashAlgorithm::Sha256;
        assert_eq!(
            algo.object_hash_hex(b"ab", 1),
            "e5a01fee14e0ed5c48714f22180f25ad8365b53f9779f79dc4a3d7e93963f94a"
        );
    }

    #[test]
    fn streaming_hasher_matches_whole_block_hashing() {
        let algo = HashAlgorithm::Sha256;
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![0; 20000],
            b"abc".to_vec(),
            [b"abc".as_slice(), &[0; 9000], b"d", &[0; 17000]].concat(),
            [&[0u8; 5] as &[u8], b"x", &[0; 3]].concat(),
        ];
        for data in cases {
            for piece in [1, 2, 7, 4096, 100_000] {
                let mut hasher = BlockHasher::new(algo);
                for chunk in data.chunks(piece) {
                    hasher.update(chunk);
                }
                assert_eq!(hasher.len(), data.len() as u64);
                assert_eq!(hasher.finalize_hex(), algo.block_hash_hex(&data), "{piece}");
            }
        }
    }

    #[test]
    fn algorithms_parse_and_unknown_ones_are_refused() {
        assert_eq!(
            "SHA256".parse::<HashAlgorithm>().unwrap(),
            HashAlgorithm::Sha256
        );
        assert_eq!(
            "sha-512".parse::<HashAlgorithm>().unwrap(),
            HashAlgorithm::Sha512
        );
        assert!(matches!(
            "md5".parse::<HashAlgorithm>(),
            Err(ClientError::Config(_))
        ));
        for algo in [
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            assert_eq!(algo.digest(b"").len(), algo.digest_len());
            assert_eq!(algo.name().parse::<HashAlgorithm>().unwrap(), algo);
        }
    }

    #[test]
    fn block_arithmetic() {
        assert_eq!(block_count(0, 4), 0);
        assert_eq!(block_count(1, 4), 1);
        assert_eq!(block_count(4, 4), 1);
        assert_eq!(block_count(5, 4), 2);
        assert_eq!(block_range(1, 5, 4), (4, 5));
        assert_eq!(block_range(3, 5, 4), (5, 5));
    }

    #[test]
    fn bad_hex_is_an_integrity_error() {
        assert!(matches!(
            HashAlgorithm::Sha256.merkle_hex(&["zz"]),
            Err(ClientError::Integrity(_))
        ));
    }
}
