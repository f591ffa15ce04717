//! Cyclades replies (compute, network, block storage): every typed object,
//! alone and in lists, from any JSON.
#![no_main]

use kamaki::clients::blockstorage::{Snapshot, Volume, VolumeType};
use kamaki::clients::compute::{
    ComputeFloatingIp, Diagnostic, Flavor, Image, Keypair, Limits, Server, ServerNics,
};
use kamaki::clients::cyclades::{Console, ServerStats, TagList, VolumeAttachment};
use kamaki::clients::network::{FloatingIp, Network, Port, Subnet};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    macro_rules! decode {
        ($($t:ty),+) => {$(
            if let Ok(item) = <$t>::deserialize(&value) {
                // What was read is written back.
                let _ = serde_json::to_vec(&item);
            }
            let _ = <Vec<$t>>::deserialize(&value);
        )+};
    }
    decode!(
        Server,
        ServerNics,
        Diagnostic,
        Flavor,
        Image,
        Keypair,
        ComputeFloatingIp,
        Limits,
        Console,
        ServerStats,
        TagList,
        VolumeAttachment,
        Network,
        Subnet,
        Port,
        FloatingIp,
        Volume,
        Snapshot,
        VolumeType
    );
});
