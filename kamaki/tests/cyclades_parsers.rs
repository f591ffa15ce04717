//! Property tests of the Cyclades reply parsers: whatever JSON a server
//! sends, decoding gives a value or an error, never a panic; ids come out
//! as the text of whatever JSON scalar they were.

use kamaki::clients::blockstorage::{Snapshot, Volume, VolumeType};
use kamaki::clients::compute::{ComputeFloatingIp, Flavor, Image, Keypair, Server, ServerNics};
use kamaki::clients::cyclades::{Console, ServerStats, TagList, VolumeAttachment};
use kamaki::clients::network::{FloatingIp, Network, Port, Subnet};
use proptest::prelude::*;
use serde_json::{json, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("status".to_string()),
                    Just("metadata".to_string()),
                    Just("attachments".to_string()),
                    Just("addresses".to_string()),
                    Just("fixed_ips".to_string()),
                    Just("volumes".to_string()),
                    Just("port_id".to_string()),
                    ".{0,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn decode_all(value: &Value) {
    macro_rules! try_all {
        ($($t:ty),+) => {$(
            let _ = serde_json::from_value::<$t>(value.clone());
        )+};
    }
    try_all!(
        Server,
        ServerNics,
        Flavor,
        Image,
        Keypair,
        ComputeFloatingIp,
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
}

proptest! {
    #[test]
    fn arbitrary_replies_never_panic(value in any_json()) {
        decode_all(&value);
    }

    #[test]
    fn ids_of_any_scalar_kind_become_text(n in any::<u64>(), s in "[a-z0-9-]{1,20}") {
        let server: Server = serde_json::from_value(json!({"id": n, "volumes": [n, s.clone()]})).unwrap();
        prop_assert_eq!(&server.id, &n.to_string());
        prop_assert_eq!(server.volumes, vec![n.to_string(), s.clone()]);
        let port: Port = serde_json::from_value(json!({"id": s.clone(), "device_id": n})).unwrap();
        prop_assert_eq!(port.device_id, Some(n.to_string()));
    }

    #[test]
    fn known_objects_survive_a_round_trip(extra_key in "[a-z_]{1,10}", extra in any_json()) {
        prop_assume!(!["id", "name", "status", "metadata"].contains(&extra_key.as_str()));
        let mut doc = json!({"id": "9", "name": "n", "status": "ACTIVE", "metadata": {"k": "v"}});
        doc[&extra_key] = extra;
        if let Ok(network) = serde_json::from_value::<Network>(doc) {
            let again: Network = serde_json::from_value(serde_json::to_value(&network).unwrap()).unwrap();
            prop_assert_eq!(again, network);
        }
    }
}
