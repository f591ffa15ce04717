//! Property tests of the Pithos parsers of server data: hashmaps, listings,
//! version lists and sharing headers never panic, whatever the input, and
//! the Merkle hash agrees with the whole-object helper.

use kamaki::clients::pithos::{HashAlgorithm, ListedObject, ObjectHashmap, ObjectVersion, Sharing};
use proptest::prelude::*;

proptest! {
    #[test]
    fn hashmap_and_listing_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<ObjectHashmap>(&body);
        let _ = serde_json::from_slice::<Vec<ListedObject>>(&body);
        let _ = serde_json::from_slice::<Vec<ObjectVersion>>(&body);
    }

    #[test]
    fn hashmaps_of_any_shape_are_checked_not_trusted(
        block_size in any::<u64>(),
        bytes in any::<u64>(),
        hashes in proptest::collection::vec("[0-9a-f]{0,70}", 0..20),
    ) {
        let json = serde_json::json!({
            "block_size": block_size, "block_hash": "sha256", "bytes": bytes, "hashes": hashes,
        });
        let hashmap: ObjectHashmap = serde_json::from_value(json).unwrap();
        let _ = hashmap.object_hash();
    }

    #[test]
    fn sharing_headers_round_trip(
        read in proptest::collection::vec("[a-z0-9:*-]{1,20}", 0..5),
        write in proptest::collection::vec("[a-z0-9:*-]{1,20}", 0..5),
    ) {
        let sharing = Sharing { read, write };
        prop_assert_eq!(Sharing::parse(&sharing.header_value()).unwrap(), sharing);
    }

    #[test]
    fn sharing_parser_never_panics(value in ".{0,200}") {
        let _ = Sharing::parse(&value);
    }

    #[test]
    fn merkle_of_block_hashes_is_the_object_hash(
        data in proptest::collection::vec(any::<u8>(), 0..300),
        block_size in 1usize..40,
    ) {
        let algo = HashAlgorithm::Sha256;
        let hashes: Vec<String> = data.chunks(block_size).map(|b| algo.block_hash_hex(b)).collect();
        prop_assert_eq!(algo.merkle_hex(&hashes).unwrap(), algo.object_hash_hex(&data, block_size));
    }
}
