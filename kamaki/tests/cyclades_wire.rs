//! Wire format of the Cyclades clients: the exact requests (method, path,
//! query, JSON body) where a detail matters, against a scripted stub.

mod common;

use std::time::Duration;

use common::{empty, json, Reply, Seen, Stub};
use kamaki::clients::blockstorage::{
    CreateSnapshotOptions, CreateVolumeOptions, UpdateVolumeOptions,
};
use kamaki::clients::compute::{
    BlockDeviceMapping, ComputeClient, CreateServerOptions, ListFlavorsOptions, ListServersOptions,
    Personality, ServerNetwork,
};
use kamaki::clients::cyclades::{
    ConsoleType, CreateNetworkOptions, CycladesBlockStorageClient, CycladesComputeClient,
    CycladesNetworkClient, FirewallProfile, NetworkType,
};
use kamaki::clients::network::{
    CreateSubnetOptions, FixedIp, FloatingIpOptions, GatewayIp, NetworkClient, PortOptions,
    UpdateFloatingIpOptions,
};
use kamaki::clients::wait::WaitOptions;
use kamaki::clients::ClientError;
use serde_json::json as j;

const IMAGE: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";

fn server(id: u64, status: &str) -> serde_json::Value {
    j!({"id": id, "name": "s", "status": status, "attachments": [], "metadata": {}})
}

/// A stub that knows one image and answers every other request with a
/// plausible Cyclades reply.
async fn cyclades_stub() -> Stub {
    Stub::start(|seen: &Seen| {
        let path = seen.path.as_str();
        match (seen.method.as_str(), path) {
            ("GET", p) if p.ends_with(&format!("/images/{IMAGE}")) => json(
                200,
                j!({"image": {"id": IMAGE, "name": "Debian", "status": "ACTIVE",
                    "metadata": {"OS": "debian", "users": "root", "osfamily": "linux"}}}),
            ),
            ("POST", "/compute/v2.0/servers") => json(
                202,
                j!({"server": {"id": 42, "name": "s", "status": "BUILD", "adminPass": "Pa55word12",
                    "metadata": {}}}),
            ),
            ("GET", "/compute/v2.0/servers/42") => json(200, j!({"server": server(42, "BUILD")})),
            ("GET", "/compute/v2.0/servers/detail") | ("GET", "/compute/v2.0/servers") => {
                if seen.query.as_deref().unwrap_or("").contains("changes-since") {
                    empty(304)
                } else {
                    json(200, j!({"servers": [server(42, "ACTIVE")]}))
                }
            }
            ("POST", p) if p.ends_with("/action") => {
                let console = seen.body.as_ref().and_then(|b| b.get("console")).is_some();
                if console {
                    json(200, j!({"console": {"type": "vnc", "host": "h", "port": 5900,
                                              "password": "secret-vnc"}}))
                } else if p.contains("/networks/") || p.contains("/floatingips/")
                    || p.contains("/volumes/")
                    || seen.body.as_ref().and_then(|b| b.get("reassign")).is_some()
                {
                    empty(200)
                } else {
                    empty(202)
                }
            }
            ("PUT", p) if p.contains("/metadata/") => {
                let body = seen.body.clone().unwrap_or_default();
                json(201, j!({"meta": body["meta"]}))
            }
            ("GET", p) if p.contains("/flavors") => json(200, j!({"flavors": []})),
            ("POST", "/network/v2.0/networks") => json(
                201,
                j!({"network": {"id": "3141", "name": "n", "status": "ACTIVE", "type": "MAC_FILTERED"}}),
            ),
            ("POST", "/network/v2.0/ports") => json(
                201,
                j!({"port": {"id": "18", "status": "BUILD", "network_id": "2719", "device_id": "42"}}),
            ),
            ("POST", "/network/v2.0/subnets") => json(
                201,
                j!({"subnet": {"id": "7", "network_id": "3141", "cidr": "10.0.0.0/24"}}),
            ),
            ("GET", "/network/v2.0/floatingips") => json(
                200,
                j!({"floatingips": [{"id": "5", "floating_ip_address": "192.168.1.2",
                    "floating_network_id": "2719", "port_id": 18, "instance_id": "42"}]}),
            ),
            ("POST", "/network/v2.0/floatingips") | ("PUT", "/network/v2.0/floatingips/5") => json(
                200,
                j!({"floatingip": {"id": "5", "floating_ip_address": "192.168.1.2",
                    "floating_network_id": "2719"}}),
            ),
            ("DELETE", _) => empty(204),
            ("POST", "/volume/v2.0/volumes") => {
                json(202, j!({"volume": {"id": "44", "display_name": "v", "links": []}}))
            }
            ("GET", "/volume/v2.0/volumes/44") => {
                json(200, j!({"volume": {"id": "44", "status": "available", "size": 10}}))
            }
            ("POST", "/volume/v2.0/snapshots") => json(
                202,
                j!({"snapshot": {"id": "s1", "status": "CREATING", "volume_id": "44"}}),
            ),
            _ => json(404, j!({"itemNotFound": {"code": 404, "message": "not scripted"}})),
        }
    })
    .await
}

fn compute(stub: &Stub) -> CycladesComputeClient {
    CycladesComputeClient::new(&stub.url("/compute/v2.0"), "t0k3n").unwrap()
}

#[tokio::test]
async fn cyclades_create_server_reads_the_image_then_posts_the_exact_body() {
    let stub = cyclades_stub().await;
    let options = CreateServerOptions {
        metadata: [("users".to_string(), "admin".to_string())].into(),
        networks: Some(vec![]),
        project: Some("proj-1".into()),
        key_names: vec!["laptop".into()],
        user_data: Some(b"#!/bin/sh\necho hi\n".to_vec()),
        personality: vec![Personality::new("/etc/motd", "hello")],
        tags: Some(vec!["web".into()]),
        volumes: Some(vec![BlockDeviceMapping::blank(10)]),
        ..Default::default()
    };
    let created = compute(&stub)
        .create_server("s", "3", IMAGE, &options)
        .await
        .unwrap();
    assert_eq!(created.id, "42");
    assert_eq!(created.admin_pass.as_deref(), Some("Pa55word12"));

    let seen = stub.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].line(), format!("GET /compute/v2.0/images/{IMAGE}"));
    assert_eq!(seen[1].line(), "POST /compute/v2.0/servers");
    assert_eq!(
        seen[1].body.clone().unwrap(),
        j!({"server": {
            "name": "s",
            "flavorRef": 3,
            "imageRef": IMAGE,
            "SNF:key_names": ["laptop"],
            "user_data": "IyEvYmluL3NoCmVjaG8gaGkK",
            // `os` comes from the image, `users` was given and stays.
            "metadata": {"os": "debian", "users": "admin"},
            "personality": [{"path": "/etc/motd", "contents": "aGVsbG8="}],
            "networks": [],
            "project": "proj-1",
            "tags": ["web"],
            "block_device_mapping_v2": [{"source_type": "blank", "volume_size": 10}]
        }})
    );
}

#[tokio::test]
async fn openstack_create_server_sends_no_image_request_and_omits_networks_when_none() {
    let stub = cyclades_stub().await;
    let client = ComputeClient::new(&stub.url("/compute/v2.0"), "t0k3n").unwrap();
    let options = CreateServerOptions {
        networks: Some(vec![
            ServerNetwork::network("2719"),
            ServerNetwork::network_with_ip("3141", "10.0.0.5"),
        ]),
        ..Default::default()
    };
    client
        .create_server("s", "1", IMAGE, &options)
        .await
        .unwrap();
    client
        .create_server("s", "1", IMAGE, &CreateServerOptions::default())
        .await
        .unwrap();
    let seen = stub.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen
        .iter()
        .all(|s| s.line() == "POST /compute/v2.0/servers"));
    assert_eq!(
        seen[0].body.as_ref().unwrap()["server"]["networks"],
        j!([{"uuid": "2719"}, {"uuid": "3141", "fixed_ip": "10.0.0.5"}])
    );
    assert_eq!(
        seen[1].body.clone().unwrap(),
        j!({"server": {"name": "s", "flavorRef": 1, "imageRef": IMAGE}}),
        "no networks key: the cloud's default policy applies"
    );
}

#[tokio::test]
async fn listing_query_keys() {
    let stub = cyclades_stub().await;
    let client = compute(&stub);
    let servers = client
        .list_servers(true, &ListServersOptions::default())
        .await
        .unwrap();
    assert_eq!(servers[0].status, "ACTIVE");
    let changed = client
        .list_servers(
            true,
            &ListServersOptions {
                changes_since: Some("2024-01-02T03:04:05+00:00".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(changed.is_empty(), "304 means nothing changed");
    assert_eq!(
        stub.last().line(),
        "GET /compute/v2.0/servers/detail?changes-since=2024-01-02T03:04:05%2B00:00"
    );

    client
        .list_flavors(
            true,
            &ListFlavorsOptions {
                project_id: Some("proj-1".into()),
                is_public: Some(false),
                min_ram: Some(1024),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().line(),
        "GET /compute/v2.0/flavors/detail?minRam=1024&SNF:flavor-access=proj-1&SNF:is_public=false"
    );
    client
        .list_flavors(false, &ListFlavorsOptions::default())
        .await
        .unwrap();
    assert_eq!(stub.last().line(), "GET /compute/v2.0/flavors");
}

#[tokio::test]
async fn server_actions_bodies() {
    let stub = cyclades_stub().await;
    let client = compute(&stub);
    client.start_server("42").await.unwrap();
    client.shutdown_server("42").await.unwrap();
    client.as_compute().start_server("42").await.unwrap();
    client.as_compute().shutdown_server("42").await.unwrap();
    client.reboot_server("42", true).await.unwrap();
    client.reboot_server("42", false).await.unwrap();
    client.resize_server("42", "4").await.unwrap();
    client.rescue_server("42", Some("3")).await.unwrap();
    client.rescue_server("42", None).await.unwrap();
    client.unrescue_server("42").await.unwrap();
    client
        .set_firewall_profile("42", FirewallProfile::Protected, "18")
        .await
        .unwrap();
    client.reassign_server("42", "proj-2").await.unwrap();
    let console = client
        .get_server_console("42", ConsoleType::VncWs)
        .await
        .unwrap();
    assert_eq!(console.port, Some(5900));
    assert!(!format!("{console:?}").contains("secret-vnc"));

    let bodies: Vec<serde_json::Value> = stub
        .requests()
        .into_iter()
        .inspect(|s| assert_eq!(s.line(), "POST /compute/v2.0/servers/42/action"))
        .map(|s| s.body.unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec![
            j!({"start": {}}),
            j!({"shutdown": {}}),
            j!({"os-start": null}),
            j!({"os-stop": null}),
            j!({"reboot": {"type": "HARD"}}),
            j!({"reboot": {"type": "SOFT"}}),
            j!({"resize": {"flavorRef": 4}}),
            j!({"rescue": {"rescue_image_ref": 3}}),
            j!({"rescue": {}}),
            j!({"unrescue": {}}),
            j!({"firewallProfile": {"profile": "PROTECTED", "nic": "18"}}),
            j!({"reassign": {"project": "proj-2"}}),
            j!({"console": {"type": "vnc-ws"}}),
        ]
    );
}

#[tokio::test]
async fn metadata_and_tags_paths() {
    let stub = cyclades_stub().await;
    let client = compute(&stub);
    let meta = client
        .create_server_metadata("42", "role", "web")
        .await
        .unwrap();
    assert_eq!(meta.get("role").map(String::as_str), Some("web"));
    assert_eq!(
        stub.last().line(),
        "PUT /compute/v2.0/servers/42/metadata/role"
    );
    assert_eq!(stub.last().body.unwrap(), j!({"meta": {"role": "web"}}));
    client.delete_tags("42").await.unwrap();
    assert_eq!(stub.last().line(), "DELETE /compute/v2.0/servers/42/tags");
    client.delete_tag("42", "a b").await.unwrap();
    assert_eq!(
        stub.last().line(),
        "DELETE /compute/v2.0/servers/42/tags/a%20b"
    );
}

#[tokio::test]
async fn ids_that_would_move_the_request_are_refused_before_sending() {
    let stub = cyclades_stub().await;
    let client = compute(&stub);
    for bad in ["", "..", "42/action"] {
        let err = client.delete_server(bad).await.unwrap_err();
        assert!(
            matches!(err, ClientError::InvalidRequest(_)),
            "{bad:?}: {err}"
        );
    }
    let err = client
        .get_server_metadata("42", Some("a/b"))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)));
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn network_bodies() {
    let stub = cyclades_stub().await;
    let network = CycladesNetworkClient::new(&stub.url("/network/v2.0"), "t0k3n").unwrap();
    network
        .create_network(
            NetworkType::MacFiltered,
            &CreateNetworkOptions {
                name: Some("private".into()),
                project_id: Some("proj-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"network": {"type": "MAC_FILTERED", "admin_state_up": true, "name": "private",
                        "project": "proj-1"}})
    );
    network
        .as_network()
        .create_network("plain", None, Some(true))
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"network": {"name": "plain", "admin_state_up": false, "shared": true}})
    );

    network
        .create_port(
            "2719",
            &PortOptions {
                device_id: Some("42".into()),
                fixed_ips: vec![FixedIp::address("192.168.1.2")],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"port": {"network_id": "2719", "device_id": "42",
                     "fixed_ips": [{"ip_address": "192.168.1.2"}]}})
    );
    let before = stub.requests().len();
    let err = network
        .create_port(
            "2719",
            &PortOptions {
                fixed_ips: vec![FixedIp {
                    ip_address: None,
                    subnet_id: Some("7".into()),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)));
    assert_eq!(stub.requests().len(), before, "nothing sent");

    network
        .create_subnet(
            "3141",
            "10.0.0.0/24",
            &CreateSubnetOptions {
                gateway_ip: GatewayIp::NoGateway,
                enable_dhcp: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"subnet": {"network_id": "3141", "cidr": "10.0.0.0/24", "ip_version": 4,
                       "gateway_ip": null, "enable_dhcp": false}})
    );

    network
        .create_floatingip(None, &FloatingIpOptions::default())
        .await
        .unwrap();
    assert_eq!(stub.last().body.unwrap(), j!({"floatingip": {}}));
    network
        .create_floatingip(
            Some("2719"),
            &FloatingIpOptions {
                floating_ip_address: Some("192.168.1.9".into()),
                project_id: Some("proj-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"floatingip": {"floating_network_id": "2719", "floating_ip_address": "192.168.1.9",
                           "project": "proj-1"}})
    );
    network
        .update_floatingip(
            "5",
            &UpdateFloatingIpOptions {
                port_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"floatingip": {"port_id": null}})
    );

    network.reassign_floating_ip("5", "proj-2").await.unwrap();
    assert_eq!(
        stub.last().line(),
        "POST /network/v2.0/floatingips/5/action"
    );
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"reassign": {"project": "proj-2"}})
    );
    network.reassign_network("3141", "proj-2").await.unwrap();
    assert_eq!(
        stub.last().line(),
        "POST /network/v2.0/networks/3141/action"
    );

    // Attaching by address creates a port with the IP; detaching deletes
    // the port the IP is attached through.
    stub.clear();
    network
        .attach_floating_ip("42", "192.168.1.2")
        .await
        .unwrap();
    let port_id = network.detach_floating_ip("5").await.unwrap();
    assert_eq!(port_id, "18");
    let lines: Vec<String> = stub.requests().iter().map(Seen::line).collect();
    assert_eq!(
        lines,
        vec![
            "GET /network/v2.0/floatingips",
            "POST /network/v2.0/ports",
            "GET /network/v2.0/floatingips",
            "DELETE /network/v2.0/ports/18",
        ]
    );
    assert_eq!(
        stub.requests()[1].body.clone().unwrap(),
        j!({"port": {"network_id": "2719", "device_id": "42",
                     "fixed_ips": [{"ip_address": "192.168.1.2"}]}})
    );
    let plain = NetworkClient::new(&stub.url("/network/v2.0"), "t0k3n").unwrap();
    assert!(plain.get_network_details("").await.is_err());
}

#[tokio::test]
async fn block_storage_bodies() {
    let stub = cyclades_stub().await;
    let volumes = CycladesBlockStorageClient::new(&stub.url("/volume/v2.0"), "t0k3n").unwrap();
    volumes
        .create_volume(
            10,
            "data",
            &CreateVolumeOptions {
                volume_type: Some("1".into()),
                image_ref: Some(IMAGE.into()),
                project: Some("proj-1".into()),
                metadata: Some([("k".to_string(), "v".to_string())].into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"volume": {"size": 10, "display_name": "data", "imageRef": IMAGE,
                       "project": "proj-1", "volume_type": 1, "metadata": {"k": "v"}}})
    );
    volumes
        .create_volume(
            2,
            "on-server",
            &CreateVolumeOptions {
                server_id: Some("42".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"volume": {"size": 2, "display_name": "on-server", "server_id": "42"}})
    );
    volumes
        .create_snapshot(
            "44",
            &CreateSnapshotOptions {
                display_name: Some("snap".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"snapshot": {"volume_id": "44", "display_name": "snap"}})
    );
    volumes.reassign_volume("44", "proj-2").await.unwrap();
    assert_eq!(stub.last().line(), "POST /volume/v2.0/volumes/44/action");
    assert_eq!(
        stub.last().body.unwrap(),
        j!({"reassign": {"project": "proj-2"}})
    );
    // Nothing to change: kamaki only reads the volume.
    let volume = volumes
        .update_volume("44", &UpdateVolumeOptions::default())
        .await
        .unwrap();
    assert_eq!(volume.status, "available");
    assert_eq!(stub.last().line(), "GET /volume/v2.0/volumes/44");
}

#[tokio::test]
async fn a_wait_that_times_out_returns_the_last_details_without_error() {
    let stub = cyclades_stub().await;
    let client = compute(&stub);
    let mut polls = 0;
    let options = WaitOptions::new(Duration::from_millis(5), Duration::from_millis(40));
    let last = client
        .wait_server_until("42", "ACTIVE", options, |_| polls += 1)
        .await
        .unwrap();
    assert_eq!(last.status, "BUILD");
    assert!(polls >= 2, "polled {polls} times");
    assert!(stub
        .requests()
        .iter()
        .all(|s| s.line() == "GET /compute/v2.0/servers/42"));
}

#[tokio::test]
async fn over_limit_faults_become_clear_errors() {
    let stub = Stub::start(|_| -> Reply {
        json(
            413,
            j!({"overLimit": {"code": 413, "message": "Resource Limit Exceeded for your account.",
                              "details": "Limit for resource 'Virtual Machine' exceeded"}}),
        )
    })
    .await;
    let client = ComputeClient::new(&stub.url("/compute/v2.0"), "t0k3n").unwrap();
    let err = client
        .create_server("s", "1", IMAGE, &CreateServerOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413);
    match &err {
        ClientError::Http { kind, details, .. } => {
            assert_eq!(kind.as_deref(), Some("overLimit"));
            assert!(details[0].contains("Virtual Machine"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("Resource Limit Exceeded"));
    assert_eq!(stub.requests().len(), 1, "a POST is never retried");
}
