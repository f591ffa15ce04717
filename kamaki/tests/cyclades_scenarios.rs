//! The scenarios of kamaki's library examples (`docs/library/examples/`:
//! compute-create, compute-wait, compute-reboot, compute-reassign-resize,
//! network-vpn, network-cluster, network-ip, volume-plug-unplug), run
//! against the emulated cloud, and a volume snapshot (a Pithos object).

mod cloud;

use std::time::Duration;

use cloud::{cloud, cloud_with_delay, fast};
use kamaki::clients::blockstorage::{CreateSnapshotOptions, CreateVolumeOptions};
use kamaki::clients::compute::{CreateServerOptions, ListServersOptions, ServerNetwork};
use kamaki::clients::cyclades::{CreateNetworkOptions, NetworkType};
use kamaki::clients::network::{FloatingIpOptions, PortOptions};
use kamaki::clients::pithos::PithosClient;
use kamaki::clients::wait::WaitOptions;
use kamaki::clients::ClientError;

/// compute-create: a server with a reserved public IP, and one without any
/// network connection.
#[tokio::test]
async fn server_with_an_ip_and_one_without_networking() {
    let c = cloud().await;
    let project = c.user_id();
    let ip = c
        .network
        .create_floatingip(None, &FloatingIpOptions::default())
        .await
        .unwrap();
    assert!(!ip.floating_ip_address.is_empty());
    assert_eq!(ip.port_id, None);

    let public = c
        .active_server(
            "My public server",
            &CreateServerOptions {
                networks: Some(vec![ServerNetwork::network_with_ip(
                    &ip.floating_network_id,
                    &ip.floating_ip_address,
                )]),
                project: Some(project.clone()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(
        public.ipv4_addresses(),
        vec![ip.floating_ip_address.as_str()]
    );
    assert_eq!(public.tenant_id.as_deref(), Some(project.as_str()));
    let ip = c.network.get_floatingip_details(&ip.id).await.unwrap();
    assert_eq!(ip.instance_id.as_deref(), Some(public.id.as_str()));

    let private = c
        .active_server(
            "My private server",
            &CreateServerOptions {
                networks: Some(vec![]),
                project: Some(project),
                ..Default::default()
            },
        )
        .await;
    assert!(private.attachments.is_empty(), "{:?}", private.attachments);
    assert!(private.addresses.is_empty());
    let nics = c.compute.get_server_nics(&private.id, None).await.unwrap();
    assert!(nics.attachments.is_empty());
}

/// compute-wait: create, see BUILD, wait for ACTIVE, read the IP the
/// default policy gave.
#[tokio::test]
async fn wait_for_a_server_to_build_and_read_its_ip() {
    let c = cloud().await;
    let flavor = c.small_flavor().await;
    let image = c.image().await;
    let server = c
        .compute
        .create_server(
            "My public server",
            &flavor.id,
            &image.id,
            &CreateServerOptions {
                project: Some(c.user_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(server.status, "BUILD");
    assert!(server.admin_pass.is_some());
    // The Cyclades client copied the image's os/users metadata.
    assert!(server.metadata.contains_key("os"), "{:?}", server.metadata);

    let mut seen = Vec::new();
    let server = c
        .compute
        .wait_server_until(&server.id, "ACTIVE", fast(), |s| {
            seen.push(s.status.clone())
        })
        .await
        .unwrap();
    assert_eq!(server.status, "ACTIVE");
    assert_eq!(seen.last().map(String::as_str), Some("ACTIVE"));
    let ip = server.ipv4_addresses();
    assert!(
        !ip.is_empty(),
        "the default policy gives a public IPv4: {server:?}"
    );
    assert_eq!(server.progress, Some(100));
}

/// compute-reboot: reboot an ACTIVE server and wait while REBOOT; start a
/// STOPPED one.
#[tokio::test]
async fn reboot_a_server() {
    let c = cloud().await;
    let server = c
        .active_server("rebooted", &CreateServerOptions::default())
        .await;
    let slow = c
        .active_server("slow", &CreateServerOptions::default())
        .await;

    // An action's delay is fixed when it is issued: with a long one, the
    // intermediate status can be seen without racing the clock.
    c.emu
        .state()
        .compute
        .set_action_delay(Duration::from_secs(3600));
    c.compute.reboot_server(&slow.id, false).await.unwrap();
    let during = c.compute.get_server_details(&slow.id).await.unwrap();
    assert_eq!(during.status, "REBOOT");
    c.emu.state().compute.set_action_delay(cloud::ACTION_DELAY);

    for hard in [false, true] {
        c.compute.reboot_server(&server.id, hard).await.unwrap();
        let after = c
            .compute
            .wait_server_while(&server.id, "REBOOT", fast(), |_| {})
            .await
            .unwrap();
        assert_eq!(after.status, "ACTIVE");
    }

    c.compute.shutdown_server(&server.id).await.unwrap();
    let stopped = c
        .compute
        .wait_server_until(&server.id, "STOPPED", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(stopped.status, "STOPPED");
    c.compute.start_server(&server.id).await.unwrap();
    let after = c
        .compute
        .wait_server_until(&server.id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(after.status, "ACTIVE");
}

/// compute-reassign-resize: shut down, reassign to another project,
/// resize, start.
#[tokio::test]
async fn shutdown_reassign_and_resize() {
    let c = cloud().await;
    let flavors = c.flavors().await;
    let old = &flavors[0];
    let server = c
        .active_server_of("resized", old, &CreateServerOptions::default())
        .await;
    // Cyclades changes CPUs and RAM, never the disk or its template.
    let new_flavor = flavors
        .iter()
        .find(|f| f.id != old.id && f.disk == old.disk && f.disk_template == old.disk_template)
        .expect("another flavor with the same disk")
        .id
        .clone();

    // Cyclades resizes stopped servers only.
    let err = c
        .compute
        .resize_server(&server.id, &new_flavor)
        .await
        .unwrap_err();
    assert!(matches!(err.status(), 400 | 409), "{err}");

    c.compute.shutdown_server(&server.id).await.unwrap();
    let stopped = c
        .compute
        .wait_server_until(&server.id, "STOPPED", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(stopped.status, "STOPPED");

    let project = c.user_id();
    c.compute
        .reassign_server(&server.id, &project)
        .await
        .unwrap();
    c.compute
        .resize_server(&server.id, &new_flavor)
        .await
        .unwrap();
    let resized = c
        .compute
        .wait_server_until(&server.id, "STOPPED", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(resized.flavor.unwrap().id, new_flavor);
    assert_eq!(resized.tenant_id.as_deref(), Some(project.as_str()));

    c.compute.start_server(&server.id).await.unwrap();
    let started = c
        .compute
        .wait_server_until(&server.id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(started.status, "ACTIVE");
}

/// network-vpn / network-cluster: a private network connecting two
/// servers through ports.
#[tokio::test]
async fn private_network_connecting_two_servers() {
    let c = cloud().await;
    let vpn = c
        .network
        .create_network(
            NetworkType::MacFiltered,
            &CreateNetworkOptions {
                name: Some("My Network".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(vpn.network_type.as_deref(), Some("MAC_FILTERED"));
    let vpn = c
        .network
        .wait_network_until(&vpn.id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(vpn.status, "ACTIVE");

    let isolated = CreateServerOptions {
        networks: Some(vec![]),
        ..Default::default()
    };
    let one = c.active_server("Node 1", &isolated).await;
    let two = c.active_server("Node 2", &isolated).await;
    let mut ports = Vec::new();
    for server in [&one, &two] {
        let port = c
            .network
            .create_port(
                &vpn.id,
                &PortOptions {
                    device_id: Some(server.id.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(port.device_id.as_deref(), Some(server.id.as_str()));
        ports.push(port);
    }
    for port in &ports {
        let port = c
            .network
            .wait_port_until(&port.id, "ACTIVE", fast(), |_| {})
            .await
            .unwrap();
        assert_eq!(port.status, "ACTIVE");
        assert_eq!(port.network_id, vpn.id);
    }
    for (server, port) in [(&one, &ports[0]), (&two, &ports[1])] {
        let server = c.compute.get_server_details(&server.id).await.unwrap();
        let nic = server
            .attachments
            .iter()
            .find(|nic| nic.id == port.id)
            .expect("the server shows its new port");
        assert_eq!(nic.network_id, vpn.id);
    }
    // A network in use cannot go; without ports it can.
    let err = c.network.delete_network(&vpn.id).await.unwrap_err();
    assert_eq!(err.status(), 409, "{err}");
    for port in &ports {
        c.network.delete_port(&port.id).await.unwrap();
    }
    for port in &ports {
        let gone = c
            .network
            .wait_port_while(&port.id, "ACTIVE", fast(), |_| {})
            .await;
        if let Ok(port) = gone {
            assert_ne!(port.status, "ACTIVE");
        }
    }
}

/// network-ip: reserve a floating IP and attach it to a server through a
/// port; detach it and release it.
#[tokio::test]
async fn reserve_a_floating_ip_and_attach_it() {
    let c = cloud().await;
    let server = c
        .active_server(
            "ip holder",
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let public = c.public_network().await;
    let ip = c
        .network
        .create_floatingip(Some(&public.id), &FloatingIpOptions::default())
        .await
        .unwrap();
    assert_eq!(ip.floating_network_id, public.id);
    let unused: Vec<_> = c
        .network
        .list_floatingips()
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.port_id.is_none())
        .collect();
    assert!(unused.iter().any(|i| i.id == ip.id));

    let port = c
        .network
        .attach_floating_ip(&server.id, &ip.floating_ip_address)
        .await
        .unwrap();
    let port = c
        .network
        .wait_port_until(&port.id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(port.fixed_ips[0].ip_address, ip.floating_ip_address);
    let attached = c
        .network
        .wait_floatingip(&ip.id, |i| i.port_id.is_some(), fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(attached.port_id.as_deref(), Some(port.id.as_str()));
    assert_eq!(attached.instance_id.as_deref(), Some(server.id.as_str()));
    let server = c.compute.get_server_details(&server.id).await.unwrap();
    assert_eq!(
        server.ipv4_addresses(),
        vec![ip.floating_ip_address.as_str()]
    );

    // An attached IP cannot be released.
    assert!(c.network.delete_floatingip(&ip.id).await.is_err());
    let detached_port = c.network.detach_floating_ip(&ip.id).await.unwrap();
    assert_eq!(detached_port, port.id);
    let detached = c
        .network
        .wait_floatingip(&ip.id, |i| i.port_id.is_none(), fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(detached.port_id, None);
    c.network.delete_floatingip(&ip.id).await.unwrap();
    let err = c.network.get_floatingip_details(&ip.id).await.unwrap_err();
    assert_eq!(err.status(), 404);
}

/// volume-plug-unplug: a volume made on one server, unplugged, plugged into
/// another.
#[tokio::test]
async fn create_a_volume_and_plug_unplug_it() {
    let c = cloud().await;
    let isolated = CreateServerOptions {
        networks: Some(vec![]),
        ..Default::default()
    };
    let flavor = c.detachable_flavor().await;
    let one = c.active_server_of("server 1", &flavor, &isolated).await;
    let two = c.active_server_of("server 2", &flavor, &isolated).await;

    let usb = c
        .volumes
        .create_volume(
            2,
            "USB stick",
            &CreateVolumeOptions {
                server_id: Some(one.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let usb = c
        .volumes
        .wait_volume_until(&usb.id, "in_use", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(usb.status, "in_use");
    assert_eq!(usb.server_ids(), vec![one.id.as_str()]);
    let attachments = c.compute.list_volume_attachments(&one.id).await.unwrap();
    assert!(attachments.iter().any(|a| a.volume_id == usb.id));

    let detached = c.compute.detach_volume(&one.id, &usb.id).await.unwrap();
    assert_eq!(detached.len(), 1);
    let usb = c
        .volumes
        .wait_volume_while(&usb.id, "in_use", fast(), |_| {})
        .await
        .unwrap();
    let usb = c
        .volumes
        .wait_volume_until(&usb.id, "available", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(usb.status, "available");
    assert!(usb.attachments.is_empty());

    let attachment = c.compute.attach_volume(&two.id, &usb.id).await.unwrap();
    assert_eq!(attachment.volume_id, usb.id);
    let usb = c
        .volumes
        .wait_volume_until(&usb.id, "in_use", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(usb.server_ids(), vec![two.id.as_str()]);
    let two = c.compute.get_server_details(&two.id).await.unwrap();
    assert!(two.volumes.contains(&usb.id), "{:?}", two.volumes);
}

/// Snapshot a volume, and make a new volume of the snapshot.
#[tokio::test]
async fn snapshot_a_volume() {
    let c = cloud().await;
    let flavor = c.detachable_flavor().await;
    let server = c
        .active_server_of(
            "snapshotted",
            &flavor,
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let volume_id = server.volumes.first().cloned().expect("a root volume");
    let snapshot = c
        .volumes
        .create_snapshot(
            &volume_id,
            &CreateSnapshotOptions {
                display_name: Some("backup".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(snapshot.display_name, "backup");
    let snapshot = c
        .volumes
        .wait_snapshot_until(&snapshot.id, "AVAILABLE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(snapshot.status, "AVAILABLE");
    assert_eq!(snapshot.volume_id.as_deref(), Some(volume_id.as_str()));

    // As in Synnefo, the snapshot is an object of the user's `snapshots`
    // container, as large as the volume, whose uuid is the snapshot's id.
    let pithos_url = c.emu.endpoint_url(PithosClient::SERVICE_TYPE).unwrap();
    let pithos = PithosClient::new(&pithos_url, c.emu.token())
        .unwrap()
        .with_account(c.user_id())
        .with_container("snapshots");
    let info = pithos.get_object_info("backup", None).await.unwrap();
    let volume_gb = snapshot.size.expect("a snapshot has a size");
    assert_eq!(
        info.get("content-length"),
        Some(&(volume_gb << 30).to_string())
    );
    assert_eq!(info.get("x-object-uuid"), Some(&snapshot.id));

    let restored = c
        .volumes
        .create_volume(
            snapshot.size.unwrap_or(1).max(1),
            "restored",
            &CreateVolumeOptions {
                snapshot_id: Some(snapshot.id.clone()),
                server_id: Some(server.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let restored = c
        .volumes
        .wait_volume_while(&restored.id, "creating", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(restored.snapshot_id.as_deref(), Some(snapshot.id.as_str()));
}

/// A waiter whose timeout runs out returns the last details, no error.
#[tokio::test]
async fn a_wait_that_times_out_returns_the_last_status() {
    let c = cloud_with_delay(Duration::from_secs(3600)).await;
    let flavor = c.small_flavor().await;
    let image = c.image().await;
    let server = c
        .compute
        .create_server(
            "slow",
            &flavor.id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await
        .unwrap();
    let mut polls = 0;
    let last = c
        .compute
        .wait_server_until(
            &server.id,
            "ACTIVE",
            WaitOptions::new(Duration::from_millis(5), Duration::from_millis(30)),
            |_| polls += 1,
        )
        .await
        .unwrap();
    assert_eq!(last.status, "BUILD");
    assert_eq!(last.id, server.id);
    assert!(polls >= 1);
}

/// Exhausting a quota gives Synnefo's overLimit error and creates nothing.
#[tokio::test]
async fn quota_exhaustion_is_a_clear_error_and_creates_nothing() {
    let c = cloud().await;
    let user = c.user_id();
    c.emu
        .state()
        .quotas
        .set_member_limit(&user, &user, "cyclades.vm", 1);
    let flavor = c.small_flavor().await;
    let image = c.image().await;
    c.compute
        .create_server(
            "first",
            &flavor.id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await
        .unwrap();
    let before = c
        .compute
        .list_servers(false, &ListServersOptions::default())
        .await
        .unwrap();
    let ports_before = c.network.list_ports(false).await.unwrap().len();
    let err = c
        .compute
        .create_server(
            "second",
            &flavor.id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413, "{err}");
    match &err {
        ClientError::Http { kind, .. } => assert_eq!(kind.as_deref(), Some("overLimit")),
        other => panic!("unexpected {other:?}"),
    }
    let after = c
        .compute
        .list_servers(false, &ListServersOptions::default())
        .await
        .unwrap();
    assert_eq!(after.len(), before.len(), "no half-created server");
    assert_eq!(
        c.network.list_ports(false).await.unwrap().len(),
        ports_before
    );

    let ips_before = c.network.list_floatingips().await.unwrap().len();
    c.emu
        .state()
        .quotas
        .set_member_limit(&user, &user, "cyclades.floating_ip", 0);
    let err = c
        .network
        .create_floatingip(None, &FloatingIpOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), 413, "{err}");
    assert_eq!(
        c.network.list_floatingips().await.unwrap().len(),
        ips_before
    );
}
