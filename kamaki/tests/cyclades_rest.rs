//! The REST layer of the Cyclades clients (kamaki's `ComputeRestClient`,
//! `CycladesComputeRestClient`, `NetworkRestClient`,
//! `BlockStorageRestClient` and `CycladesBlockStorageRestClient`) against
//! the emulated cloud: every call's status and the shape of its raw reply.

mod cloud;

use std::collections::BTreeMap;

use cloud::{cloud, fast, Cloud};
use kamaki::clients::blockstorage::{
    CreateSnapshotOptions, CreateVolumeOptions, UpdateVolumeOptions,
};
use kamaki::clients::compute::{
    CreateServerOptions, ListFlavorsOptions, ListImagesOptions, ListServersOptions,
};
use kamaki::clients::wait::wait;
use kamaki::clients::{ClientError, Response};
use serde_json::{json as j, Value};
use synnefo_emu::image::ImageRecord;

/// The JSON body of a reply.
fn body(reply: &Response) -> Value {
    reply.json().expect("a JSON body")
}

/// An id as text, whether the JSON has it as a number or a string.
fn text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not an id: {other}"),
    }
}

/// The ids of the items of a listing.
fn ids(listing: &Value) -> Vec<String> {
    listing
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| text(&item["id"]))
        .collect()
}

fn is_invalid_request(err: &ClientError) -> bool {
    matches!(err, ClientError::InvalidRequest(_))
}

/// The requests the emulator served since it was last cleared, as
/// `(method, path, query)`.
fn seen(c: &Cloud) -> Vec<(String, String, String)> {
    c.emu
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.query.unwrap_or_default()))
        .collect()
}

/// A server made through `servers_post`, with no network, once ACTIVE.
async fn raw_server(c: &Cloud, name: &str, flavor_id: &str) -> String {
    let image = c.image().await;
    let reply = c
        .compute
        .servers_post(&j!({"server": {
            "name": name, "flavorRef": flavor_id, "imageRef": image.id, "networks": []
        }}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let server = &body(&reply)["server"];
    assert_eq!(server["status"], "BUILD");
    assert!(server["adminPass"].is_string(), "{server}");
    let id = text(&server["id"]);
    let active = c
        .compute
        .wait_server_until(&id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(active.status, "ACTIVE");
    id
}

#[tokio::test]
async fn servers_get_post_put_delete_and_actions() {
    let c = cloud().await;
    let none = ListServersOptions::default();
    let reply = c.compute.servers_get(None, false, &none).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply), j!({"servers": []}));

    let flavor = c.small_flavor().await;
    let id = raw_server(&c, "raw", &flavor.id).await;

    // One server, a plain listing, a detailed listing.
    let reply = c
        .compute
        .servers_get(Some(&id), false, &none)
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let one = body(&reply);
    assert_eq!(text(&one["server"]["id"]), id);
    assert_eq!(one["server"]["name"], "raw");
    assert_eq!(one["server"]["status"], "ACTIVE");
    let plain = body(&c.compute.servers_get(None, false, &none).await.unwrap());
    assert_eq!(ids(&plain["servers"]), vec![id.clone()]);
    assert!(
        plain["servers"][0].get("status").is_none(),
        "a plain listing names servers only: {plain}"
    );
    let detailed = body(&c.compute.servers_get(None, true, &none).await.unwrap());
    assert_eq!(detailed["servers"][0]["status"], "ACTIVE");
    assert_eq!(text(&detailed["servers"][0]["flavor"]["id"]), flavor.id);

    // The filters go with listings only; an id with detail is refused
    // before anything is sent.
    let created = one["server"]["created"].as_str().unwrap().to_string();
    let filtered = ListServersOptions {
        changes_since: Some(created.clone()),
        name: Some("raw".into()),
        limit: Some(5),
        ..Default::default()
    };
    c.emu.clear_requests();
    let reply = c.compute.servers_get(None, true, &filtered).await.unwrap();
    assert_eq!(ids(&body(&reply)["servers"]), vec![id.clone()]);
    c.compute
        .servers_get(Some(&id), false, &filtered)
        .await
        .unwrap();
    let err = c
        .compute
        .servers_get(Some(&id), true, &none)
        .await
        .unwrap_err();
    assert!(is_invalid_request(&err), "{err}");
    let requests = seen(&c);
    assert_eq!(requests.len(), 2, "{requests:?}");
    let (_, path, query) = &requests[0];
    assert!(path.ends_with("/servers/detail"), "{path}");
    for part in ["changes-since=", "name=raw", "limit=5"] {
        assert!(query.contains(part), "{query}");
    }
    assert!(requests[1].1.ends_with(&format!("/servers/{id}")));
    assert_eq!(requests[1].2, "", "no filters on one server");

    // A 304 is a success of listings only.
    c.emu.fail_next(1, 304, Some("/servers/detail"));
    let reply = c.compute.servers_get(None, true, &none).await.unwrap();
    assert_eq!(reply.status(), 304);
    c.emu.fail_next(1, 304, Some(&format!("/servers/{id}")));
    let err = c
        .compute
        .servers_get(Some(&id), false, &none)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 304);

    // Rename.
    let reply = c
        .compute
        .servers_put(&id, &j!({"server": {"name": "renamed"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    assert!(reply.body().is_empty());
    let renamed = c.compute.get_server_details(&id).await.unwrap();
    assert_eq!(renamed.name, "renamed");

    // Actions: 202 by default; those Cyclades answers with 200 need
    // `.success`, and the default refuses their 200.
    let reply = c
        .compute
        .servers_action_post(&id, &j!({"reboot": {"type": "SOFT"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let rebooting = c.compute.get_server_details(&id).await.unwrap();
    assert_eq!(rebooting.status, "REBOOT");
    c.compute
        .wait_server_until(&id, "ACTIVE", fast(), |_| {})
        .await
        .unwrap();
    let console = j!({"console": {"type": "vnc"}});
    let err = c
        .compute
        .servers_action_post(&id, &console)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 200, "{err}");
    let reply = c
        .compute
        .servers_action_post_request(&id, &console)
        .unwrap()
        .success(&[200])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["console"]["type"], "vnc");

    // Delete.
    let reply = c.compute.servers_delete(&id).await.unwrap();
    assert_eq!(reply.status(), 204);
    let deleted = c
        .compute
        .wait_server_until(&id, "DELETED", fast(), |_| {})
        .await
        .unwrap();
    assert_eq!(deleted.status, "DELETED");
}

#[tokio::test]
async fn server_metadata_addresses_stats_and_diagnostics() {
    let c = cloud().await;
    let server = c
        .active_server("meta", &CreateServerOptions::default())
        .await;
    let id = server.id.as_str();

    // Metadata: add, read all and one, set one, delete one.
    let reply = c
        .compute
        .servers_metadata_post(id, &j!({"metadata": {"a": "1", "b": "2"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let all = body(&reply)["metadata"].clone();
    assert_eq!((&all["a"], &all["b"]), (&j!("1"), &j!("2")), "{all}");
    let reply = c.compute.servers_metadata_get(id, None).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["metadata"], all);
    let reply = c
        .compute
        .servers_metadata_put(id, Some("c"), &j!({"meta": {"c": "3"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    assert_eq!(body(&reply), j!({"meta": {"c": "3"}}));
    let reply = c.compute.servers_metadata_get(id, Some("c")).await.unwrap();
    assert_eq!(body(&reply), j!({"meta": {"c": "3"}}));
    let reply = c.compute.servers_metadata_delete(id, "a").await.unwrap();
    assert_eq!(reply.status(), 204);
    let err = c
        .compute
        .servers_metadata_get(id, Some("a"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404, "{err}");
    // Replacing all the metadata is OpenStack's: Cyclades routes no PUT
    // on the collection.
    let err = c
        .compute
        .servers_metadata_put(id, None, &j!({"metadata": {"x": "y"}}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 405, "{err}");

    // Addresses: all the connections, then those on one network.
    let reply = c.compute.servers_ips_get(id, None, None).await.unwrap();
    assert_eq!(reply.status(), 200);
    let nics = body(&reply);
    let addresses = nics["addresses"].as_object().expect("addresses");
    let network_id = addresses
        .keys()
        .next()
        .expect("the default policy connects a new server")
        .clone();
    let reply = c
        .compute
        .servers_ips_get(id, Some(&network_id), None)
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let on_network = body(&reply);
    assert_eq!(
        on_network["network"][&network_id], addresses[&network_id],
        "{on_network}"
    );

    // Cyclades: stats and diagnostics.
    let reply = c.compute.servers_stats_get(id).await.unwrap();
    assert_eq!(reply.status(), 200);
    let stats = body(&reply);
    assert_eq!(text(&stats["stats"]["serverRef"]), id, "{stats}");
    let reply = c.compute.servers_diagnostics_get(id).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(body(&reply).is_array());
}

#[tokio::test]
async fn server_tags() {
    let c = cloud().await;
    let server = c
        .active_server(
            "tags",
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let id = server.id.as_str();

    let reply = c
        .compute
        .servers_tags_replace(id, &["a", "b"])
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let replaced = body(&reply);
    assert_eq!(replaced["tags"], j!(["a", "b"]));
    assert_eq!(replaced["statuses"], j!(["PENDADD", "PENDADD"]));
    // Tags apply after a while.
    let applied = wait(
        || async { c.compute.servers_tags_get(id).await.map(|r| body(&r)) },
        |tags: &Value| tags["statuses"] == j!(["ACTIVE", "ACTIVE"]),
        fast(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(applied["tags"], j!(["a", "b"]));

    let reply = c.compute.servers_tag_exists(id, "a").await.unwrap();
    assert_eq!(reply.status(), 204);
    assert_eq!(reply.header("tag-status"), Some("ACTIVE"));
    let reply = c.compute.servers_tag_exists(id, "zz").await.unwrap();
    assert_eq!(
        reply.status(),
        404,
        "a missing tag is an answer, not an error"
    );

    let reply = c.compute.servers_tag_add(id, "c").await.unwrap();
    assert_eq!(reply.status(), 201);
    let reply = c.compute.servers_tag_add(id, "c").await.unwrap();
    assert_eq!(reply.status(), 204, "already there");
    wait(
        || async { c.compute.servers_tags_get(id).await.map(|r| body(&r)) },
        |tags: &Value| {
            tags["statuses"]
                .as_array()
                .is_some_and(|s| s.iter().all(|s| s == "ACTIVE"))
        },
        fast(),
        |_| {},
    )
    .await
    .unwrap();
    let reply = c.compute.servers_tag_delete(id, "c").await.unwrap();
    assert_eq!(reply.status(), 204);
    // kamaki's `success=`: a missing tag made acceptable.
    let err = c.compute.servers_tag_delete(id, "c").await.unwrap_err();
    assert_eq!(err.status(), 404);
    let reply = c
        .compute
        .servers_tag_delete_request(id, "c")
        .unwrap()
        .success(&[204, 404])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);

    let reply = c.compute.servers_tags_delete(id).await.unwrap();
    assert_eq!(reply.status(), 204);
    let reply = c.compute.servers_tags_get(id).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["tags"], j!([]));
}

#[tokio::test]
async fn flavors_and_images() {
    let c = cloud().await;
    let none = ListFlavorsOptions::default();
    let reply = c.compute.flavors_get(None, false, &none).await.unwrap();
    assert_eq!(reply.status(), 200);
    let plain = body(&reply);
    assert!(!ids(&plain["flavors"]).is_empty());
    assert!(plain["flavors"][0].get("ram").is_none(), "{plain}");
    let detailed = body(&c.compute.flavors_get(None, true, &none).await.unwrap());
    assert!(detailed["flavors"][0]["ram"].is_number(), "{detailed}");
    let first = text(&detailed["flavors"][0]["id"]);
    let reply = c
        .compute
        .flavors_get(Some(&first), false, &none)
        .await
        .unwrap();
    assert_eq!(body(&reply)["flavor"], detailed["flavors"][0]);

    // Cyclades' filters: SNF:is_public and SNF:flavor-access.
    c.emu.clear_requests();
    let public = ListFlavorsOptions {
        is_public: Some(true),
        project_id: Some(c.user_id()),
        min_ram: Some(1),
        ..Default::default()
    };
    let reply = c.compute.flavors_get(None, true, &public).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(body(&reply)["flavors"].is_array());
    let err = c
        .compute
        .flavors_get(Some(&first), true, &none)
        .await
        .unwrap_err();
    assert!(is_invalid_request(&err), "{err}");
    let requests = seen(&c);
    assert_eq!(requests.len(), 1, "{requests:?}");
    let query = &requests[0].2;
    for part in [
        "SNF:is_public=true".to_string(),
        format!("SNF:flavor-access={}", c.user_id()),
        "minRam=1".to_string(),
    ] {
        assert!(query.contains(&part), "{query}");
    }

    // Images: the public ones, then one of the user's own.
    let none = ListImagesOptions::default();
    let reply = c.compute.images_get(None, false, &none).await.unwrap();
    assert_eq!(reply.status(), 200);
    let plain = body(&reply);
    assert!(!ids(&plain["images"]).is_empty());
    let detailed = body(&c.compute.images_get(None, true, &none).await.unwrap());
    assert!(detailed["images"][0]["status"].is_string(), "{detailed}");
    let public_id = text(&detailed["images"][0]["id"]);
    let reply = c
        .compute
        .images_get(Some(&public_id), false, &none)
        .await
        .unwrap();
    assert_eq!(text(&body(&reply)["image"]["id"]), public_id);
    // Others' images are not the user's to change.
    let err = c
        .compute
        .images_metadata_post(&public_id, &j!({"metadata": {"mine": "no"}}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 403, "{err}");

    let own = own_image(&c, "mine");
    let reply = c.compute.images_metadata_get(&own, None).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["metadata"]["osfamily"], "linux");
    let reply = c
        .compute
        .images_metadata_post(&own, &j!({"metadata": {"a": "1"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let all = body(&reply)["metadata"].clone();
    assert_eq!((&all["a"], &all["osfamily"]), (&j!("1"), &j!("linux")));
    // The key goes in the path (Python kamaki dropped it).
    c.emu.clear_requests();
    let reply = c
        .compute
        .images_metadata_put(&own, Some("b"), &j!({"meta": {"b": "2"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    assert_eq!(body(&reply), j!({"meta": {"b": "2"}}));
    assert!(seen(&c)[0]
        .1
        .ends_with(&format!("/images/{own}/metadata/b")));
    let reply = c
        .compute
        .images_metadata_get(&own, Some("b"))
        .await
        .unwrap();
    assert_eq!(body(&reply), j!({"meta": {"b": "2"}}));
    let err = c
        .compute
        .images_metadata_put(&own, None, &j!({"metadata": {"b": "3"}}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 405, "Cyclades routes no PUT of all: {err}");
    let reply = c.compute.images_metadata_delete(&own, "a").await.unwrap();
    assert_eq!(reply.status(), 204);
    let err = c
        .compute
        .images_metadata_get(&own, Some("a"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404, "{err}");
    let reply = c.compute.images_delete(&own).await.unwrap();
    assert_eq!(reply.status(), 204);
    match c.compute.images_get(Some(&own), false, &none).await {
        Ok(reply) => assert_eq!(body(&reply)["image"]["status"], "DELETED"),
        Err(err) => assert_eq!(err.status(), 404, "{err}"),
    }
}

/// An image of the cloud's user, put in the emulator's registry.
fn own_image(c: &Cloud, name: &str) -> String {
    let owner = c.user_id();
    let id = format!("{name}-image-id");
    c.emu.state().image.insert(ImageRecord {
        id: id.clone(),
        name: name.to_string(),
        owner: owner.clone(),
        status: "AVAILABLE".into(),
        is_public: false,
        size: 2048,
        checksum: "ab".repeat(32),
        location: format!("pithos://{owner}/images/{name}.diskdump"),
        disk_format: "diskdump".into(),
        container_format: "bare".into(),
        created_at: "2030-01-01T00:00:00+00:00".into(),
        updated_at: "2030-01-01T00:00:00+00:00".into(),
        deleted_at: None,
        properties: BTreeMap::from([("osfamily".to_string(), "linux".to_string())]),
        members: vec![owner],
    });
    id
}

#[tokio::test]
async fn keypairs_floating_ips_and_limits() {
    let c = cloud().await;
    let reply = c
        .compute
        .keypairs_post(&j!({"keypair": {"name": "raw"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let made = body(&reply);
    assert_eq!(made["keypair"]["name"], "raw");
    assert!(made["keypair"]["private_key"].is_string(), "{made}");
    let reply = c.compute.keypairs_get(None).await.unwrap();
    assert_eq!(reply.status(), 200);
    let listed = body(&reply);
    assert_eq!(listed["keypairs"][0]["keypair"]["name"], "raw", "{listed}");
    let reply = c.compute.keypairs_get(Some("raw")).await.unwrap();
    assert_eq!(
        body(&reply)["keypair"]["public_key"],
        made["keypair"]["public_key"]
    );
    let reply = c.compute.keypairs_delete("raw").await.unwrap();
    assert_eq!(reply.status(), 204);
    let err = c.compute.keypairs_get(Some("raw")).await.unwrap_err();
    assert_eq!(err.status(), 404, "{err}");

    // os-floating-ips: Synnefo answers 200 to an allocation.
    let reply = c.compute.floating_ips_post(&j!({})).await.unwrap();
    assert_eq!(reply.status(), 200);
    let allocated = body(&reply)["floating_ip"].clone();
    let ip_id = text(&allocated["id"]);
    assert!(allocated["ip"].is_string(), "{allocated}");
    let reply = c.compute.floating_ips_get(None).await.unwrap();
    assert_eq!(ids(&body(&reply)["floating_ips"]), vec![ip_id.clone()]);
    let reply = c.compute.floating_ips_get(Some(&ip_id)).await.unwrap();
    assert_eq!(reply.status(), 200);
    let one = body(&reply);
    let one = one.get("floating_ip").or(one.get("floatingip")).unwrap();
    assert_eq!(text(&one["id"]), ip_id);
    let reply = c.compute.floating_ips_delete(&ip_id).await.unwrap();
    assert!(matches!(reply.status(), 202 | 204));
    let reply = c.compute.floating_ips_get(None).await.unwrap();
    assert_eq!(body(&reply)["floating_ips"], j!([]));
    // Synnefo routes no /os-floating-ip-pools: an unknown endpoint.
    let err = c.compute.floating_ip_pools_get().await.unwrap_err();
    assert_eq!(err.status(), 400, "{err}");

    // Synnefo routes no /limits either (400): the request is sent, and
    // accepting 400 shows the answer as it is.
    let reply = c
        .compute
        .limits_get_request()
        .unwrap()
        .success(&[400])
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(&reply)["badRequest"]["message"],
        "API endpoint not found"
    );
}

#[tokio::test]
async fn networks_subnets_ports_floatingips() {
    let c = cloud().await;
    let n = &c.network;
    let reply = n
        .networks_post(&j!({"network": {"type": "MAC_FILTERED", "name": "raw"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let net_id = text(&body(&reply)["network"]["id"]);
    let reply = n.networks_get(None).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(ids(&body(&reply)["networks"]).contains(&net_id));
    let reply = n.networks_get(Some(&net_id)).await.unwrap();
    assert_eq!(body(&reply)["network"]["name"], "raw");
    let reply = n
        .networks_put(&net_id, &j!({"network": {"name": "renamed"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["network"]["name"], "renamed");

    // Subnets: Synnefo deletes them with their network only.
    let reply = n
        .subnets_post(&j!({"subnet": {
            "network_id": net_id, "cidr": "10.0.3.0/24", "ip_version": 4
        }}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let subnet = body(&reply)["subnet"].clone();
    let subnet_id = text(&subnet["id"]);
    assert_eq!(subnet["cidr"], "10.0.3.0/24");
    let reply = n.subnets_get(None).await.unwrap();
    assert!(ids(&body(&reply)["subnets"]).contains(&subnet_id));
    let reply = n.subnets_get(Some(&subnet_id)).await.unwrap();
    assert_eq!(text(&body(&reply)["subnet"]["network_id"]), net_id);
    let reply = n
        .subnets_put(&subnet_id, &j!({"subnet": {"name": "lan"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["subnet"]["name"], "lan");
    let err = n.subnets_delete(&subnet_id).await.unwrap_err();
    assert_eq!(err.status(), 400, "{err}");

    // Ports connect a server.
    let server = c
        .active_server(
            "lan",
            &CreateServerOptions {
                networks: Some(vec![]),
                ..Default::default()
            },
        )
        .await;
    let reply = n
        .ports_post(&j!({"port": {
            "network_id": net_id, "device_id": server.id, "name": "eth1"
        }}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let port_id = text(&body(&reply)["port"]["id"]);
    let reply = n.ports_get(None).await.unwrap();
    assert!(ids(&body(&reply)["ports"]).contains(&port_id));
    let reply = n.ports_get(Some(&port_id)).await.unwrap();
    let port = body(&reply)["port"].clone();
    assert_eq!(text(&port["device_id"]), server.id);
    assert_eq!(text(&port["network_id"]), net_id);
    let reply = n
        .ports_put(&port_id, &j!({"port": {"name": "lan0"}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["port"]["name"], "lan0");
    n.wait_port_while(&port_id, "BUILD", fast(), |_| {})
        .await
        .unwrap();
    let reply = n.ports_delete(&port_id).await.unwrap();
    assert_eq!(reply.status(), 204);
    let _ = n.wait_port_while(&port_id, "ACTIVE", fast(), |_| {}).await;

    // Floating IPs: Synnefo answers 200 to a reservation and implements
    // no update.
    let public = c.public_network().await;
    let reply = n
        .floatingips_post(&j!({"floatingip": {"floating_network_id": public.id}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let ip = body(&reply)["floatingip"].clone();
    let ip_id = text(&ip["id"]);
    assert!(ip["floating_ip_address"].is_string(), "{ip}");
    let reply = n.floatingips_get(None).await.unwrap();
    assert_eq!(ids(&body(&reply)["floatingips"]), vec![ip_id.clone()]);
    let reply = n.floatingips_get(Some(&ip_id)).await.unwrap();
    assert_eq!(
        body(&reply)["floatingip"]["floating_ip_address"],
        ip["floating_ip_address"]
    );
    let err = n
        .floatingips_put(&ip_id, &j!({"floatingip": {"port_id": null}}))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 501, "{err}");
    let reply = n.floatingips_delete(&ip_id).await.unwrap();
    assert_eq!(reply.status(), 204);
    let err = n.floatingips_get(Some(&ip_id)).await.unwrap_err();
    assert_eq!(err.status(), 404, "{err}");

    // An empty network goes, its subnets with it.
    let reply = n.networks_delete(&net_id).await.unwrap();
    assert_eq!(reply.status(), 204);
    match n.networks_get(Some(&net_id)).await {
        Ok(reply) => assert_eq!(body(&reply)["network"]["status"], "DELETED"),
        Err(err) => assert_eq!(err.status(), 404, "{err}"),
    }
}

#[tokio::test]
async fn volumes_attachments_snapshots_and_types() {
    let c = cloud().await;
    let v = &c.volumes;
    let reply = v.types_get(None).await.unwrap();
    assert_eq!(reply.status(), 200);
    let types = body(&reply)["volume_types"].clone();
    let detachable = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["SNF:detachable"] == j!(true))
        .map(|t| text(&t["id"]))
        .expect("a detachable volume type");
    let reply = v.types_get(Some(&detachable)).await.unwrap();
    assert_eq!(text(&body(&reply)["volume_type"]["id"]), detachable);

    // Cyclades' creation (a name required) and OpenStack's.
    let typed = CreateVolumeOptions {
        volume_type: Some(detachable.clone()),
        ..Default::default()
    };
    let reply = v.volumes_post(1, "raw", &typed).await.unwrap();
    assert_eq!(reply.status(), 202);
    let volume = body(&reply)["volume"].clone();
    assert_eq!(volume["display_name"], "raw");
    let volume_id = text(&volume["id"]);
    let reply = v
        .as_blockstorage()
        .volumes_post(
            2,
            &CreateVolumeOptions {
                display_name: Some("plain".into()),
                ..typed.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let other_id = text(&body(&reply)["volume"]["id"]);

    let reply = v.volumes_get(false, None).await.unwrap();
    assert_eq!(reply.status(), 200);
    let mut listed = ids(&body(&reply)["volumes"]);
    listed.sort();
    let mut expected = vec![volume_id.clone(), other_id.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    let detailed = body(&v.volumes_get(true, None).await.unwrap());
    assert!(detailed["volumes"][0]["status"].is_string(), "{detailed}");
    let reply = v.volumes_get(false, Some(&other_id)).await.unwrap();
    assert_eq!(body(&reply)["volume"]["size"], 2);
    let err = v.volumes_get(true, Some(&other_id)).await.unwrap_err();
    assert!(is_invalid_request(&err), "{err}");
    let reply = v
        .volumes_put(
            &volume_id,
            &UpdateVolumeOptions {
                display_name: Some("renamed".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(body(&reply)["volume"]["display_name"], "renamed");
    let reply = v
        .volumes_action_post(&volume_id, &j!({"reassign": {"project": c.user_id()}}))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    v.wait_volume_while(&volume_id, "creating", fast(), |_| {})
        .await
        .unwrap();

    // Attach to a server, then snapshot (Cyclades snapshots attached
    // volumes only).
    let flavor = c.detachable_flavor().await;
    let server = raw_server(&c, "disks", &flavor.id).await;
    let reply = c
        .compute
        .volume_attachment_post(&server, &volume_id)
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let attachment = body(&reply)["volumeAttachment"].clone();
    assert_eq!(text(&attachment["volumeId"]), volume_id);
    assert_eq!(text(&attachment["serverId"]), server);
    let attachment_id = text(&attachment["id"]);
    v.wait_volume_until(&volume_id, "in_use", fast(), |_| {})
        .await
        .unwrap();
    let reply = c
        .compute
        .volume_attachment_get(&server, None)
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let attachments = body(&reply)["volumeAttachments"].clone();
    assert!(ids(&attachments).contains(&attachment_id), "{attachments}");
    let reply = c
        .compute
        .volume_attachment_get(&server, Some(&attachment_id))
        .await
        .unwrap();
    assert_eq!(
        text(&body(&reply)["volumeAttachment"]["volumeId"]),
        volume_id
    );

    let reply = v
        .snapshots_post(
            &volume_id,
            &CreateSnapshotOptions {
                display_name: Some("snap".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    let snapshot_id = text(&body(&reply)["snapshot"]["id"]);
    v.wait_snapshot_while(&snapshot_id, "CREATING", fast(), |_| {})
        .await
        .unwrap();
    let reply = v.snapshots_get(false, None).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(ids(&body(&reply)["snapshots"]).contains(&snapshot_id));
    let detailed = body(&v.snapshots_get(true, None).await.unwrap());
    assert_eq!(detailed["snapshots"][0]["status"], "AVAILABLE");
    let reply = v.snapshots_get(false, Some(&snapshot_id)).await.unwrap();
    assert_eq!(body(&reply)["snapshot"]["display_name"], "snap");
    let reply = v
        .snapshots_put(&snapshot_id, Some("nightly"), Some("before upgrade"))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let renamed = body(&reply)["snapshot"].clone();
    assert_eq!(
        (&renamed["display_name"], &renamed["display_description"]),
        (&j!("nightly"), &j!("before upgrade"))
    );
    let reply = v.snapshots_delete(&snapshot_id).await.unwrap();
    assert_eq!(reply.status(), 202);

    // Detach, then delete both volumes.
    let reply = c
        .compute
        .volume_attachment_delete(&server, &attachment_id)
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    v.wait_volume_until(&volume_id, "available", fast(), |_| {})
        .await
        .unwrap();
    for id in [&volume_id, &other_id] {
        let reply = v.volumes_delete(id).await.unwrap();
        assert_eq!(reply.status(), 202);
    }
}

#[tokio::test]
async fn ids_are_checked_before_anything_is_sent() {
    let c = cloud().await;
    c.emu.clear_requests();
    let body = j!({});
    for bad in ["", "..", ".", "a/b"] {
        let results = [
            c.compute.servers_delete_request(bad).err(),
            c.compute.servers_put_request(bad, &body).err(),
            c.compute.servers_metadata_get_request("1", Some(bad)).err(),
            c.compute.servers_action_post_request(bad, &body).err(),
            c.compute
                .servers_ips_get_request("1", Some(bad), None)
                .err(),
            c.compute.servers_tag_add_request("1", bad).err(),
            c.compute.images_delete_request(bad).err(),
            c.compute.keypairs_delete_request(bad).err(),
            c.compute.floating_ips_delete_request(bad).err(),
            c.compute.volume_attachment_delete_request("1", bad).err(),
            c.compute.servers_stats_get_request(bad).err(),
            c.network.networks_put_request(bad, &body).err(),
            c.network.subnets_delete_request(bad).err(),
            c.network.ports_get_request(Some(bad)).err(),
            c.network.floatingips_delete_request(bad).err(),
            c.volumes.volumes_delete_request(bad).err(),
            c.volumes.snapshots_get_request(false, Some(bad)).err(),
            c.volumes.types_get_request(Some(bad)).err(),
            c.volumes.volumes_action_post_request(bad, &body).err(),
        ];
        for (i, result) in results.iter().enumerate() {
            let err = result
                .as_ref()
                .unwrap_or_else(|| panic!("call {i} took {bad:?}"));
            assert!(is_invalid_request(err), "call {i}: {err}");
        }
    }
    assert!(c.emu.requests().is_empty());

    // Extra query parameters and headers (kamaki's kwargs) reach the wire.
    let reply = c
        .network
        .networks_get_request(None)
        .unwrap()
        .query("extra", "1")
        .header("X-Extra", "yes")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let logged = c.emu.requests();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].query.as_deref(), Some("extra=1"));
    assert!(logged[0]
        .headers
        .iter()
        .any(|(name, value)| name == "x-extra" && value == "yes"));
}
