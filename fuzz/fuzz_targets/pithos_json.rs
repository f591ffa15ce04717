//! Pithos JSON replies: hashmaps (checked as a download checks them before
//! sizing anything from them), object and container listings, version
//! lists, sharing accounts.
#![no_main]

use kamaki::clients::pithos::{
    ContainerListing, ListedObject, ObjectHashmap, ObjectVersion, SharingAccount,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(hashmap) = serde_json::from_slice::<ObjectHashmap>(data) {
        if hashmap.check("fuzzed").is_ok() {
            // What a download relies on once the hashmap is checked.
            assert!(hashmap.bytes == 0 || hashmap.block_size > 0);
            assert!(hashmap.block_size <= kamaki::clients::pithos::MAX_BLOCK_SIZE);
        }
        let _ = hashmap.object_hash();
    }
    let _ = serde_json::from_slice::<Vec<ListedObject>>(data);
    let _ = serde_json::from_slice::<Vec<ContainerListing>>(data);
    let _ = serde_json::from_slice::<Vec<ObjectVersion>>(data);
    let _ = serde_json::from_slice::<Vec<SharingAccount>>(data);
});
