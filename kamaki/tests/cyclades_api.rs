//! Every method of the Cyclades clients against the emulated cloud; calls
//! Synnefo does not implement are checked to fail as Synnefo fails.

mod cloud;

use cloud::{cloud, fast};
use kamaki::clients::blockstorage::{
    CreateSnapshotOptions, CreateVolumeOptions, Metadata, UpdateVolumeOptions,
};
use kamaki::clients::compute::{
    CreateServerOptions, ListFlavorsOptions, ListImagesOptions, ListServersOptions,
};
use kamaki::clients::cyclades::{
    ConsoleType, CreateNetworkOptions, CycladesComputeClient, FirewallProfile, NetworkType,
};
use kamaki::clients::network::{
    CreateSubnetOptions, FloatingIpOptions, NetworkSpec, PortOptions, PortSpec, SubnetSpec,
    UpdateFloatingIpOptions, UpdateNetworkOptions, UpdateSubnetOptions,
};
use kamaki::clients::wait::wait;
use kamaki::clients::ClientError;

fn meta(pairs: &[(&str, &str)]) -> Metadata {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn kind(err: &ClientError) -> Option<&str> {
    match err {
        ClientError::Http { kind, .. } => kind.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn servers_listing_details_renaming_deletion() {
    let c = cloud().await;
    let flavor = c.small_flavor().await;
    let image = c.image().await;
    let started = c
        .compute
        .list_servers(false, &ListServersOptions::default())
        .await
        .unwrap();
    assert!(started.is_empty());

    // The OpenStack client creates too (no image lookup, no metadata copy).
    let plain = c
        .compute
        .as_compute()
        .create_server(
            "plain",
            &flavor.id,
            &image.id,
            &CreateServerOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(plain.status, "BUILD");
    let server = c
        .active_server("web", &CreateServerOptions::default())
        .await;
    assert_eq!(server.flavor.as_ref().unwrap().id, flavor.id);
    assert_eq!(server.image.as_ref().unwrap().id, image.id);

    let listed = c
        .compute
        .list_servers(false, &ListServersOptions::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|s| s.status.is_empty()), "plain listing");
    let detailed = c
        .compute
        .list_servers(true, &ListServersOptions::default())
        .await
        .unwrap();
    assert!(detailed.iter().all(|s| !s.status.is_empty()));

    c.compute
        .update_server_name(&server.id, "renamed")
        .await
        .unwrap();
    let renamed = c.compute.get_server_details(&server.id).await.unwrap();
    assert_eq!(renamed.name, "renamed");
    let (status, progress) = c.compute.get_server_status(&server.id).await.unwrap();
    assert_eq!((status.as_str(), progress), ("ACTIVE", None));

    c.compute.delete_server(&plain.id).await.unwrap();
    let gone = c
        .compute
        .wait_server(&plain.id, "ACTIVE", fast(), |_| {})
        .await;
    match gone {
        Ok(server) => assert_ne!(server.status, "ACTIVE"),
        Err(err) => assert_eq!(err.status(), 404, "{err}"),
    }
    let deleted = c
        .compute
        .wait_server_until(&plain.id, "DELETED", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(deleted.status, "DELETED");

    let err = c.compute.get_server_details("999999").await.unwrap_err();
    assert_eq!(err.status(), 404);
    assert_eq!(kind(&err), Some("itemNotFound"));
}

#[tokio::test]
async fn server_metadata_nics_tags_stats_console() {
    let c = cloud().await;
    let server = c
        .active_server(
            "tagged",
            &CreateServerOptions {
                metadata: meta(&[("role", "web")]),
                tags: Some(vec!["first".into()]),
                ..Default::default()
            },
        )
        .await;
    let id = server.id.as_str();

    // Metadata.
    let all = c.compute.get_server_metadata(id, None).await.unwrap();
    assert_eq!(all.get("role").map(String::as_str), Some("web"));
    assert!(all.contains_key("os"), "copied from the image: {all:?}");
    let item = c
        .compute
        .get_server_metadata(id, Some("role"))
        .await
        .unwrap();
    assert_eq!(item, meta(&[("role", "web")]));
    let set = c
        .compute
        .create_server_metadata(id, "tier", "front")
        .await
        .unwrap();
    assert_eq!(set, meta(&[("tier", "front")]));
    let updated = c
        .compute
        .update_server_metadata(id, &meta(&[("role", "db"), ("zone", "a")]))
        .await
        .unwrap();
    assert_eq!(updated.get("role").map(String::as_str), Some("db"));
    assert_eq!(updated.get("tier").map(String::as_str), Some("front"));
    c.compute.delete_server_metadata(id, "zone").await.unwrap();
    let err = c
        .compute
        .get_server_metadata(id, Some("zone"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);

    // Connections.
    let nics = c.compute.get_server_nics(id, None).await.unwrap();
    assert!(!nics.attachments.is_empty(), "default policy connects it");
    let public = &nics.attachments[0];
    let on_net = c
        .compute
        .get_server_network_nics(id, &public.network_id, None)
        .await
        .unwrap();
    assert!(on_net.contains_key(&public.network_id), "{on_net:?}");
    c.compute
        .set_firewall_profile(id, FirewallProfile::Enabled, &public.id)
        .await
        .unwrap();

    // Tags: Cyclades adds them asynchronously (PENDADD, then ACTIVE) and
    // deletes only active ones.
    c.compute.add_tag(id, "second").await.unwrap();
    assert!(c.compute.check_tag_exists(id, "second").await.unwrap());
    assert!(!c.compute.check_tag_exists(id, "absent").await.unwrap());
    let status = wait(
        || c.compute.get_tag_status(id, "second"),
        |status| status == "ACTIVE",
        fast(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(status, "ACTIVE");
    let tags = c.compute.list_tags(id).await.unwrap();
    assert_eq!(tags.tags.len(), tags.statuses.len());
    assert!(tags.tags.contains(&"second".to_string()), "{tags:?}");
    let plain_tags = c.compute.as_compute().list_tags(id).await.unwrap();
    assert_eq!(plain_tags, tags.tags);
    c.compute.delete_tag(id, "second").await.unwrap();
    assert!(!c.compute.check_tag_exists(id, "second").await.unwrap());
    let replaced = c.compute.replace_tags(id, &["x", "y"]).await.unwrap();
    assert_eq!(replaced.tags, vec!["x", "y"]);
    assert_eq!(replaced.statuses, vec!["PENDADD", "PENDADD"]);
    let replaced = c
        .compute
        .as_compute()
        .replace_tags(id, &["z".to_string()])
        .await
        .unwrap();
    assert_eq!(replaced, vec!["z"]);
    wait(
        || c.compute.get_tag_status(id, "z"),
        |status| status == "ACTIVE",
        fast(),
        |_| {},
    )
    .await
    .unwrap();
    c.compute.delete_tags(id).await.unwrap();
    assert!(c.compute.list_tags(id).await.unwrap().tags.is_empty());

    // Cyclades extensions.
    let stats = c.compute.get_server_stats(id).await.unwrap();
    assert_eq!(stats.server_ref, server.id);
    let diagnostics = c.compute.get_server_diagnostics(id).await.unwrap();
    assert!(diagnostics.iter().all(|d| !d.level.is_empty()));
    for kind in CycladesComputeClient::CONSOLE_TYPES {
        let console = c.compute.get_server_console(id, *kind).await.unwrap();
        assert_eq!(console.console_type, kind.as_str());
    }
    let console = c
        .compute
        .get_server_console(id, ConsoleType::Vnc)
        .await
        .unwrap();
    assert!(console.host.is_some() && console.port.is_some() && console.password.is_some());
}

#[tokio::test]
async fn actions_synnefo_lacks_fail_as_synnefo_fails() {
    let c = cloud().await;
    let server = c
        .active_server(
            "openstack",
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let id = server.id.as_str();
    // Synnefo's action dispatcher refuses every action it does not know
    // with 400 "Action ... not supported".
    let unsupported = [
        c.compute.rebuild_server(id).await,
        c.compute.confirm_resize_server(id).await,
        c.compute.revert_resize_server(id).await,
        c.compute
            .create_server_image(id, "snap", &Metadata::new())
            .await
            .map(|_| ()),
    ];
    for result in unsupported {
        let err = result.unwrap_err();
        assert_eq!(
            (err.status(), kind(&err)),
            (400, Some("badRequest")),
            "{err}"
        );
        assert!(err.message().contains("not supported"), "{err}");
    }
    // changePassword is no action of Synnefo's (an OpenStack one): the
    // request is sent and the refusal comes back as an error.
    let err = c
        .compute
        .change_admin_password(id, "Secr3tPassw0rd")
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    assert!(err.message().contains("changePassword"), "{err}");
    // Synnefo routes no /limits either (an OpenStack call): 400.
    let err = c.compute.limits_get().await.unwrap_err();
    assert_eq!(err.status(), 400, "{err}");

    // The OpenStack spellings of start and stop work on Cyclades too.
    c.compute.as_compute().shutdown_server(id).await.unwrap();
    let stopped = c
        .compute
        .wait_server_until(id, "STOPPED", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(stopped.status, "STOPPED");

    // Rescue mode needs a stopped server; the status stays STOPPED while
    // the task runs, so wait on the rescue flag.
    c.compute.rescue_server(id, None).await.unwrap();
    let rescued = wait(
        || c.compute.get_server_details(id),
        |s| s.rescue == Some(true) && s.task_state.as_deref().unwrap_or("").is_empty(),
        fast(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(rescued.rescue, Some(true), "{rescued:?}");
    assert_eq!(rescued.status, "STOPPED");
    c.compute.unrescue_server(id).await.unwrap();
    let back = wait(
        || c.compute.get_server_details(id),
        |s| s.rescue == Some(false) && s.task_state.as_deref().unwrap_or("").is_empty(),
        fast(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(back.rescue, Some(false), "{back:?}");

    c.compute.as_compute().start_server(id).await.unwrap();
    let started = c
        .compute
        .wait_server_until(id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(started.status, "ACTIVE");
}

#[tokio::test]
async fn flavors_images_keypairs() {
    let c = cloud().await;
    let flavors = c
        .compute
        .list_flavors(false, &ListFlavorsOptions::default())
        .await
        .unwrap();
    assert!(!flavors.is_empty());
    assert!(flavors.iter().all(|f| f.ram.is_none()), "plain listing");
    let detailed = c
        .compute
        .list_flavors(true, &ListFlavorsOptions::default())
        .await
        .unwrap();
    assert_eq!(detailed.len(), flavors.len());
    assert!(detailed
        .iter()
        .all(|f| f.ram.is_some() && f.vcpus.is_some()));
    let public = c
        .compute
        .list_flavors(
            true,
            &ListFlavorsOptions {
                is_public: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(public.iter().all(|f| f.is_public == Some(true)));
    let private = c
        .compute
        .list_flavors(
            true,
            &ListFlavorsOptions {
                is_public: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(private.iter().all(|f| f.is_public == Some(false)));
    let stranger = c
        .compute
        .list_flavors(
            true,
            &ListFlavorsOptions {
                project_id: Some("not-a-project-of-mine".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(stranger.is_empty());
    let one = c.compute.get_flavor_details(&detailed[0].id).await.unwrap();
    assert_eq!(one, detailed[0]);

    let images = c
        .compute
        .list_images(false, &ListImagesOptions::default())
        .await
        .unwrap();
    assert!(!images.is_empty());
    let detailed = c
        .compute
        .list_images(true, &ListImagesOptions::default())
        .await
        .unwrap();
    let image = &detailed[0];
    assert_eq!(image.status, "ACTIVE");
    let details = c.compute.get_image_details(&image.id).await.unwrap();
    assert_eq!(details.metadata, image.metadata);
    let metadata = c.compute.get_image_metadata(&image.id, None).await.unwrap();
    assert_eq!(metadata, image.metadata);
    let (key, value) = metadata.iter().next().expect("seeded images have metadata");
    let item = c
        .compute
        .get_image_metadata(&image.id, Some(key))
        .await
        .unwrap();
    assert_eq!(item.get(key), Some(value));
    // The public images belong to the system user: others cannot change them.
    let err = c
        .compute
        .update_image_metadata(&image.id, &meta(&[("mine", "no")]))
        .await
        .unwrap_err();
    assert!(matches!(err.status(), 403 | 404), "{err}");
    let err = c
        .compute
        .create_image_metadata(&image.id, "mine", "no")
        .await
        .unwrap_err();
    assert!(matches!(err.status(), 403 | 404), "{err}");
    let err = c
        .compute
        .delete_image_metadata(&image.id, key)
        .await
        .unwrap_err();
    assert!(matches!(err.status(), 403 | 404), "{err}");
    let err = c.compute.delete_image(&image.id).await.unwrap_err();
    assert!(matches!(err.status(), 403 | 404), "{err}");

    // Keypairs: generated, imported, listed, read, deleted.
    let generated = c.compute.create_key(Some("made"), None).await.unwrap();
    assert!(generated.private_key.is_some());
    assert!(generated.public_key.starts_with("ssh-"));
    let public_key = generated.public_key.clone();
    let imported = c
        .compute
        .create_key(Some("imported"), Some(&public_key))
        .await
        .unwrap();
    assert_eq!(imported.private_key, None);
    assert_eq!(imported.fingerprint, generated.fingerprint);
    let err = c
        .compute
        .create_key(Some("made"), Some(&public_key))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409, "{err}");
    let mut names: Vec<String> = c
        .compute
        .list_keypairs()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    names.sort();
    assert_eq!(names, vec!["imported", "made"]);
    let details = c.compute.get_keypair_details("imported").await.unwrap();
    assert_eq!(details.public_key, public_key);
    c.compute.delete_keypair("imported").await.unwrap();
    let err = c.compute.get_keypair_details("imported").await.unwrap_err();
    assert_eq!(err.status(), 404);
    let server = c
        .active_server(
            "with keys",
            &CreateServerOptions {
                key_names: vec!["made".into()],
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(server.key_names, vec!["made"]);
}

#[tokio::test]
async fn compute_floating_ip_extension() {
    let c = cloud().await;
    // Synnefo routes no /os-floating-ip-pools (its URL patterns are
    // commented out): an unknown endpoint, 400.
    let err = c.compute.get_floating_ip_pools().await.unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    let ip = c.compute.alloc_floating_ip(None).await.unwrap();
    assert!(!ip.ip.is_empty());
    let all = c.compute.get_floating_ips().await.unwrap();
    assert!(all.iter().any(|i| i.id == ip.id));
    let one = c.compute.get_floating_ip(&ip.id).await.unwrap();
    assert_eq!(one.ip, ip.ip);
    c.compute.delete_floating_ip(&ip.id).await.unwrap();
    assert!(c.compute.get_floating_ips().await.unwrap().is_empty());
}

#[tokio::test]
async fn volume_attachments() {
    let c = cloud().await;
    let flavor = c.detachable_flavor().await;
    let server = c
        .active_server_of(
            "disks",
            &flavor,
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let types = c.volumes.list_volume_types().await.unwrap();
    let detachable = types
        .iter()
        .find(|t| t.detachable == Some(true))
        .expect("a detachable volume type");
    let volume = c
        .volumes
        .create_volume(
            1,
            "spare",
            &CreateVolumeOptions {
                volume_type: Some(detachable.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let volume = c
        .volumes
        .wait_volume_while(&volume.id, "creating", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(volume.status, "available");
    let attachment = c
        .compute
        .attach_volume(&server.id, &volume.id)
        .await
        .unwrap();
    assert_eq!(attachment.server_id, server.id);
    c.volumes
        .wait_volume_until(&volume.id, "in_use", fast(), |_| {})
        .await
        .unwrap();
    let listed = c.compute.list_volume_attachments(&server.id).await.unwrap();
    assert!(listed.iter().any(|a| a.volume_id == volume.id));
    let one = c
        .compute
        .get_volume_attachment(&server.id, &attachment.id)
        .await
        .unwrap();
    assert_eq!(one.volume_id, volume.id);
    c.compute
        .delete_volume_attachment(&server.id, &attachment.id)
        .await
        .unwrap();
    let volume = c
        .volumes
        .wait_volume_until(&volume.id, "available", fast(), |_| {})
        .await
        .unwrap();
    assert!(volume.attachments.is_empty());
    assert!(c
        .compute
        .detach_volume(&server.id, &volume.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn networks_subnets_ports() {
    let c = cloud().await;
    let public = c.public_network().await;
    let listed = c.network.list_networks(false).await.unwrap();
    assert!(listed.iter().any(|n| n.id == public.id));
    let plain = c.network.as_network().list_networks().await.unwrap();
    assert_eq!(plain.len(), listed.len());

    let net = c
        .network
        .create_network(
            NetworkType::MacFiltered,
            &CreateNetworkOptions {
                name: Some("lan".into()),
                project_id: Some(c.user_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Cyclades needs a type: the OpenStack forms are refused.
    let err = c
        .network
        .as_network()
        .create_network("typeless", Some(true), None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    let err = c
        .network
        .create_networks(&[NetworkSpec {
            name: "bulk".into(),
            ..Default::default()
        }])
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "{err}");

    let renamed = c
        .network
        .update_network(
            &net.id,
            &UpdateNetworkOptions {
                name: Some("LAN".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "LAN");
    assert_eq!(
        c.network.get_network_details(&net.id).await.unwrap().name,
        "LAN"
    );
    c.network
        .reassign_network(&net.id, &c.user_id())
        .await
        .unwrap();
    c.network
        .wait_network_while(&net.id, "BUILD", fast(), |_| {})
        .await
        .unwrap();

    // Subnets.
    let subnet = c
        .network
        .create_subnet(
            &net.id,
            "10.0.9.0/24",
            &CreateSubnetOptions {
                name: Some("lan4".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(subnet.network_id, net.id);
    assert_eq!(subnet.gateway_ip.as_deref(), Some("10.0.9.1"));
    let err = c
        .network
        .create_subnets(&[SubnetSpec {
            network_id: net.id.clone(),
            cidr: "10.0.10.0/24".into(),
            ..Default::default()
        }])
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    assert!(c
        .network
        .list_subnets()
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == subnet.id));
    let details = c.network.get_subnet_details(&subnet.id).await.unwrap();
    assert_eq!(details.cidr, "10.0.9.0/24");
    let renamed = c
        .network
        .update_subnet(
            &subnet.id,
            &UpdateSubnetOptions {
                name: Some("lan-v4".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "lan-v4");
    let err = c
        .network
        .update_subnet(
            &subnet.id,
            &UpdateSubnetOptions {
                enable_dhcp: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "only names change: {err}");
    let err = c.network.delete_subnet(&subnet.id).await.unwrap_err();
    assert_eq!(err.status(), 400, "{err}");

    // Ports.
    let server = c
        .active_server(
            "port user",
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let port = c
        .network
        .create_port(
            &net.id,
            &PortOptions {
                device_id: Some(server.id.clone()),
                name: Some("eth1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = c
        .network
        .create_ports(&[PortSpec {
            network_id: net.id.clone(),
            ..Default::default()
        }])
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    let port = c
        .network
        .wait_port(&port.id, "BUILD", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(port.status, "ACTIVE");
    let (status, _) = c.network.get_port_status(&port.id).await.unwrap();
    assert_eq!(status, "ACTIVE");
    assert!(port
        .fixed_ips
        .iter()
        .any(|ip| ip.ip_address.starts_with("10.0.9.")));
    let ports = c.network.list_ports(true).await.unwrap();
    assert!(ports.iter().any(|p| p.id == port.id && p.name == "eth1"));
    assert_eq!(
        c.network.as_network().list_ports().await.unwrap().len(),
        ports.len()
    );
    let renamed = c
        .network
        .update_port(
            &port.id,
            &net.id,
            &PortOptions {
                name: Some("lan0".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "lan0");
    assert_eq!(
        c.network.get_port_details(&port.id).await.unwrap().name,
        "lan0"
    );
    c.network.delete_port(&port.id).await.unwrap();
    let _ = c
        .network
        .wait_port_while(&port.id, "ACTIVE", fast(), |_| {})
        .await;
    let server = c.compute.get_server_details(&server.id).await.unwrap();
    assert!(server.attachments.iter().all(|nic| nic.id != port.id));

    // Once empty, the network goes (its subnets with it).
    let gone = c.network.delete_network(&net.id).await;
    gone.unwrap();
    let err = c.network.get_network_details(&net.id).await;
    match err {
        Ok(network) => assert_eq!(network.deleted, Some(true)),
        Err(err) => assert_eq!(err.status(), 404),
    }
}

#[tokio::test]
async fn floating_ips() {
    let c = cloud().await;
    let public = c.public_network().await;
    let ip = c
        .network
        .create_floatingip(None, &FloatingIpOptions::default())
        .await
        .unwrap();
    assert_eq!(ip.floating_network_id, public.id);
    let chosen = c
        .network
        .as_network()
        .create_floatingip(&public.id, &FloatingIpOptions::default())
        .await
        .unwrap();
    assert_eq!(chosen.floating_network_id, public.id);
    let listed = c.network.list_floatingips().await.unwrap();
    assert_eq!(listed.len(), 2);
    let details = c.network.get_floatingip_details(&ip.id).await.unwrap();
    assert_eq!(details.floating_ip_address, ip.floating_ip_address);
    assert_eq!(
        c.network
            .find_floatingip(&ip.floating_ip_address)
            .await
            .unwrap()
            .id,
        ip.id
    );
    c.network
        .reassign_floating_ip(&ip.id, &c.user_id())
        .await
        .unwrap();
    let err = c
        .network
        .update_floatingip(
            &ip.id,
            &UpdateFloatingIpOptions {
                port_id: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        501,
        "Synnefo does not update floating IPs: {err}"
    );
    let err = c.network.detach_floating_ip(&ip.id).await.unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err}");
    let err = c
        .network
        .find_floatingip("198.51.100.77")
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::NotFound(_)));
    for one in [&ip, &chosen] {
        c.network.delete_floatingip(&one.id).await.unwrap();
    }
    assert!(c.network.list_floatingips().await.unwrap().is_empty());
}

#[tokio::test]
async fn volumes_types_snapshots_metadata() {
    let c = cloud().await;
    let types = c.volumes.list_volume_types().await.unwrap();
    assert!(!types.is_empty());
    let kind = c
        .volumes
        .get_volume_type_details(&types[0].id)
        .await
        .unwrap();
    assert_eq!(kind.id, types[0].id);
    let detachable = types
        .iter()
        .find(|t| t.detachable == Some(true))
        .expect("a detachable volume type");

    let volume = c
        .volumes
        .create_volume(
            3,
            "data",
            &CreateVolumeOptions {
                volume_type: Some(detachable.id.clone()),
                display_description: Some("scratch".into()),
                metadata: Some(meta(&[("purpose", "tests")])),
                project: Some(c.user_id()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(volume.display_name, "data");
    let volume = c
        .volumes
        .wait_volume(&volume.id, |v| v.status != "creating", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(volume.status, "available");
    assert_eq!(volume.size, Some(3));
    let (status, _) = c.volumes.get_volume_status(&volume.id).await.unwrap();
    assert_eq!(status, "available");
    let details = c.volumes.get_volume_details(&volume.id).await.unwrap();
    assert_eq!(details.display_description.as_deref(), Some("scratch"));
    assert_eq!(details.volume_type.as_ref(), Some(&detachable.id));
    assert_eq!(details.tenant_id.as_deref(), Some(c.user_id().as_str()));
    let same = c
        .volumes
        .update_volume(&volume.id, &UpdateVolumeOptions::default())
        .await
        .unwrap();
    assert_eq!(same, details, "nothing to change: a read");
    // The OpenStack client creates too, when given a type.
    let other = c
        .volumes
        .as_blockstorage()
        .create_volume(
            1,
            &CreateVolumeOptions {
                display_name: Some("other".into()),
                volume_type: Some(detachable.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let listed = c.volumes.list_volumes(false).await.unwrap();
    assert!(listed.iter().any(|v| v.id == other.id));
    let detailed = c.volumes.list_volumes(true).await.unwrap();
    assert!(detailed.iter().all(|v| !v.status.is_empty()));

    let updated = c
        .volumes
        .update_volume(
            &volume.id,
            &UpdateVolumeOptions {
                display_name: Some("data-1".into()),
                display_description: Some("kept".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.display_name, "data-1");
    assert_eq!(updated.display_description.as_deref(), Some("kept"));

    let metadata = c.volumes.get_volume_metadata(&volume.id).await.unwrap();
    assert_eq!(metadata, meta(&[("purpose", "tests")]));
    let metadata = c
        .volumes
        .update_volume_metadata(&volume.id, &meta(&[("owner", "me")]))
        .await
        .unwrap();
    assert_eq!(metadata, meta(&[("owner", "me"), ("purpose", "tests")]));
    let metadata = c
        .volumes
        .replace_volume_metadata(&volume.id, &meta(&[("only", "this")]))
        .await
        .unwrap();
    assert_eq!(metadata, meta(&[("only", "this")]));
    c.volumes
        .delete_volume_metadata(&volume.id, "only")
        .await
        .unwrap();
    assert!(c
        .volumes
        .get_volume_metadata(&volume.id)
        .await
        .unwrap()
        .is_empty());
    c.volumes
        .reassign_volume(&volume.id, &c.user_id())
        .await
        .unwrap();

    // Snapshots: Cyclades snapshots attached volumes only.
    let flavor = c.detachable_flavor().await;
    let server = c
        .active_server_of(
            "snapshots",
            &flavor,
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    c.compute
        .attach_volume(&server.id, &volume.id)
        .await
        .unwrap();
    c.volumes
        .wait_volume_until(&volume.id, "in_use", fast(), |_| {})
        .await
        .unwrap();
    let snapshot = c
        .volumes
        .create_snapshot(&volume.id, &CreateSnapshotOptions::default())
        .await
        .unwrap();
    let snapshot = c
        .volumes
        .wait_snapshot_while(&snapshot.id, "CREATING", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(snapshot.status, "AVAILABLE");
    assert!(c
        .volumes
        .list_snapshots(false)
        .await
        .unwrap()
        .iter()
        .any(|s| s.id == snapshot.id));
    assert!(!c.volumes.list_snapshots(true).await.unwrap().is_empty());
    let renamed = c
        .volumes
        .update_snapshot(&snapshot.id, Some("nightly"), Some("before upgrade"))
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "nightly");
    let same = c
        .volumes
        .update_snapshot(&snapshot.id, None, None)
        .await
        .unwrap();
    assert_eq!(same.display_name, "nightly");
    assert_eq!(
        c.volumes
            .get_snapshot_details(&snapshot.id)
            .await
            .unwrap()
            .display_description
            .as_deref(),
        Some("before upgrade")
    );
    let metadata = c
        .volumes
        .update_snapshot_metadata(&snapshot.id, &meta(&[("k", "v")]))
        .await
        .unwrap();
    assert_eq!(metadata.get("k").map(String::as_str), Some("v"));
    assert_eq!(
        c.volumes
            .get_snapshot_metadata(&snapshot.id)
            .await
            .unwrap()
            .get("k")
            .map(String::as_str),
        Some("v")
    );
    c.volumes
        .delete_snapshot_metadata(&snapshot.id, "k")
        .await
        .unwrap();
    assert!(!c
        .volumes
        .get_snapshot_metadata(&snapshot.id)
        .await
        .unwrap()
        .contains_key("k"));
    c.volumes.delete_snapshot(&snapshot.id).await.unwrap();
    c.compute
        .detach_volume(&server.id, &volume.id)
        .await
        .unwrap();
    c.volumes
        .wait_volume_until(&volume.id, "available", fast(), |_| {})
        .await
        .unwrap();

    for id in [&volume.id, &other.id] {
        c.volumes.delete_volume(id).await.unwrap();
        let gone = c
            .volumes
            .wait_volume_until(id, "deleted", fast(), |_| {})
            .await;
        if let Ok(volume) = gone {
            assert_eq!(volume.status, "deleted");
        }
    }
}
