//! The Cyclades command groups of `kamaki` (server, flavor, keypair,
//! imagecompute, network, subnet, port, ip, volume, snapshot) against the
//! emulator. Each test runs a whole story, many commands against one
//! emulator, to keep the file quick.

mod common;

use std::time::Duration;

use common::{env_for, fails, json, kamaki, ok, stderr, stdout, succeeds, Env};
use serde_json::Value;
use synnefo_emu::Emulator;

const DEBIAN: &str = "1d1f1a25-9f06-4c26-95e6-1c9a2f0b6a01";
/// The first flavor whose volumes can be detached (`ext_vlmc`).
const VLMC_FLAVOR: &str = "37";

async fn emulator(delay_ms: u64) -> Emulator {
    Emulator::builder()
        .user("cli@example.com", "cli-token")
        .action_delay(Duration::from_millis(delay_ms))
        .start()
        .await
        .unwrap()
}

fn id(value: &Value) -> String {
    match &value["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn active_server(env: &Env, name: &str, flavor: &str) -> String {
    let server = json(
        env,
        &[
            "server",
            "create",
            "--name",
            name,
            "--flavor-id",
            flavor,
            "--image-id",
            DEBIAN,
            "-w",
        ],
    )
    .await;
    id(&server)
}

#[tokio::test(flavor = "multi_thread")]
async fn servers_are_built_listed_changed_and_deleted() {
    let emu = emulator(50).await;
    let env = env_for(&emu, "cli-token");
    let me = emu.user().uuid;

    let out = succeeds(
        &env,
        &[
            "server",
            "create",
            "--name",
            "web",
            "--flavor-id",
            "1",
            "--image-id",
            DEBIAN,
            "-w",
            "-m",
            "role=front",
            "--output-format",
            "json",
        ],
    )
    .await;
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sid = id(&created);
    assert_eq!(created["status"], "BUILD");
    assert!(created["adminPass"].as_str().is_some_and(|p| !p.is_empty()));
    assert!(
        stderr(&out).contains(&format!("Server {sid} status: ACTIVE")),
        "{}",
        stderr(&out)
    );

    assert_eq!(ok(&env, &["server", "list"]).await, format!("{sid} web\n"));
    assert_eq!(
        ok(&env, &["server", "list", "--more"]).await,
        format!("{sid} web\n")
    );
    let listed = json(&env, &["server", "list", "-l"]).await;
    assert_eq!(listed[0]["status"], "ACTIVE");
    assert_eq!(
        listed[0]["metadata"]["os"], "debian",
        "the image's os is copied"
    );
    assert_eq!(listed[0]["metadata"]["role"], "front");
    let short = json(&env, &["server", "list"]).await;
    assert_eq!(
        short[0].as_object().unwrap().len(),
        2,
        "id and name: {short}"
    );
    let found = ok(
        &env,
        &[
            "server",
            "list",
            "--status",
            "active",
            "--name-prefix",
            "WE",
            "--metadata-like",
            "role=fro",
            "--image-id",
            DEBIAN,
            "--flavor-id",
            "1",
            "--user-id",
            &me,
            "--enumerate",
        ],
    )
    .await;
    assert_eq!(found, format!("1. {sid} web\n"));
    assert_eq!(
        ok(&env, &["server", "list", "--status", "STOPPED"]).await,
        ""
    );
    assert_eq!(
        ok(
            &env,
            &[
                "server",
                "list",
                "--id",
                "999",
                "--user-name",
                "cli@example.com"
            ]
        )
        .await,
        ""
    );
    let minute_ago = time::OffsetDateTime::now_utc() - Duration::from_secs(60);
    let minute_ago = minute_ago
        .format(time::macros::format_description!(
            "[hour]:[minute]:[second] [year]-[month]-[day]"
        ))
        .unwrap();
    let since = ok(&env, &["server", "list", "--since", &minute_ago]).await;
    assert!(since.contains("web"), "{since}");

    let info = json(&env, &["server", "info", &sid]).await;
    assert_eq!(info["name"], "web");
    assert_eq!(info["flavor"]["id"], 1, "an integer, as Synnefo sends it");
    let nics = json(&env, &["server", "info", &sid, "--nics"]).await;
    assert!(
        !nics["attachments"].as_array().unwrap().is_empty(),
        "{nics}"
    );
    assert!(ok(&env, &["server", "info", &sid, "--stats"])
        .await
        .contains("cpuBar"));
    assert!(ok(&env, &["server", "info", &sid, "--diagnostics"])
        .await
        .contains("message:"));
    let out = kamaki(&env, &["server", "info", &sid, "--nics", "--stats"]).await;
    assert!(
        !out.status.success(),
        "--nics and --stats exclude each other"
    );

    ok(
        &env,
        &[
            "server",
            "modify",
            &sid,
            "--name",
            "web2",
            "--metadata-set",
            "k=v",
            "--tag-add",
            "blue",
        ],
    )
    .await;
    let info = json(&env, &["server", "info", &sid]).await;
    assert_eq!(
        (&info["name"], &info["metadata"]["k"]),
        (&Value::from("web2"), &Value::from("v"))
    );
    ok(&env, &["server", "modify", &sid, "--metadata-del", "k"]).await;
    assert!(json(&env, &["server", "info", &sid]).await["metadata"]
        .get("k")
        .is_none());
    fails(
        &env,
        &["server", "modify", &sid, "--metadata-del", "nope"],
        &["nope", "404"],
    )
    .await;
    let tags = json(&env, &["server", "tags", &sid]).await;
    assert_eq!(tags[0]["id"], "blue", "{tags}");
    assert_eq!(
        ok(&env, &["server", "tagexists", &sid, "-t", "blue"]).await,
        "True\n"
    );
    assert_eq!(
        ok(&env, &["server", "tagexists", &sid, "--tag", "red"]).await,
        "False\n"
    );
    assert!(!ok(&env, &["server", "tagstatus", &sid, "-t", "blue"])
        .await
        .trim()
        .is_empty());
    fails(
        &env,
        &["server", "tagstatus", &sid, "-t", "red"],
        &["No tag red", "404", "kamaki server tags"],
    )
    .await;
    ok(
        &env,
        &[
            "server",
            "modify",
            &sid,
            "--tag-replace",
            "a",
            "--tag-replace",
            "b",
        ],
    )
    .await;
    let tags = json(&env, &["server", "tags", &sid]).await;
    assert_eq!(tags.as_array().unwrap().len(), 2, "{tags}");
    ok(&env, &["server", "modify", &sid, "--tags-del"]).await;
    let out = kamaki(&env, &["server", "modify", &sid]).await;
    assert!(!out.status.success(), "modify needs a change");

    let out = succeeds(&env, &["server", "console", &sid, "--type", "no-vnc"]).await;
    assert!(stdout(&out).contains("type: vnc-ws"), "{}", stdout(&out));
    assert!(stderr(&out).contains("invalidated shortly"));
    fails(
        &env,
        &["server", "console", &sid, "--type", "spice"],
        &["Invalid console type"],
    )
    .await;

    let out = succeeds(&env, &["server", "modify", &sid, "--firewall", "protected"]).await;
    assert!(
        stderr(&out).contains("firewall to PROTECTED"),
        "{}",
        stderr(&out)
    );
    let nics = json(&env, &["server", "info", &sid, "--nics"]).await;
    assert!(
        nics["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["firewallProfile"] == "PROTECTED"),
        "{nics}"
    );
    fails(
        &env,
        &["server", "modify", &sid, "--firewall", "bogus"],
        &["Invalid firewall profile"],
    )
    .await;
    fails(
        &env,
        &["server", "modify", &sid, "--flavor-id", "4"],
        &["must be STOPPED", "kamaki server shutdown"],
    )
    .await;
    let out = kamaki(&env, &["server", "reboot", &sid, "--type", "HARD", "-w"]).await;
    assert!(
        stderr(&out).contains(&format!("Server {sid} status: ACTIVE")),
        "{}",
        stderr(&out)
    );
    let out = kamaki(&env, &["server", "shutdown", &sid, "-w"]).await;
    assert!(
        stderr(&out).contains(&format!("Server {sid} status: STOPPED")),
        "{}",
        stderr(&out)
    );
    fails(&env, &["server", "shutdown", &sid], &["already STOPPED"]).await;
    let out = kamaki(
        &env,
        &[
            "server",
            "wait",
            &sid,
            "--while",
            "stopped",
            "--timeout",
            "1",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "a wait that times out fails");
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
    let out = kamaki(&env, &["server", "start", &sid, "-w"]).await;
    assert!(stderr(&out).contains("status: ACTIVE"), "{}", stderr(&out));
    let out = kamaki(&env, &["server", "wait", &sid, "--until", "active"]).await;
    assert!(
        stderr(&out).contains("already in ACTIVE"),
        "{}",
        stderr(&out)
    );
    let out = kamaki(&env, &["server", "wait", &sid]).await;
    assert!(
        stderr(&out).contains(&format!("Server {sid} status: ACTIVE")),
        "{}",
        stderr(&out)
    );
    fails(
        &env,
        &["server", "wait", &sid, "--until", "gone"],
        &["Invalid status gone"],
    )
    .await;
    ok(&env, &["server", "reassign", &sid, "--project-id", &me]).await;

    fails(
        &env,
        &["server", "info", "4242"],
        &["No server with id 4242 (404)", "kamaki server list"],
    )
    .await;
    fails(
        &env,
        &["server", "delete", "abc"],
        &["Invalid server id abc"],
    )
    .await;
    fails(
        &env,
        &[
            "server",
            "create",
            "--name",
            "x",
            "--flavor-id",
            "9999",
            "--image-id",
            DEBIAN,
        ],
        &["No flavor with id 9999 (404)"],
    )
    .await;
    fails(
        &env,
        &[
            "server",
            "create",
            "--name",
            "x",
            "--flavor-id",
            "1",
            "--image-id",
            "no-image",
        ],
        &["No image with id no-image"],
    )
    .await;

    let out = succeeds(&env, &["server", "delete", &sid, "-w"]).await;
    assert!(
        stderr(&out).contains("DELETED") || stderr(&out).contains("deleted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ok(&env, &["server", "list"]).await, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn flavors_keypairs_images_and_clusters() {
    let emu = emulator(0).await;
    let env = env_for(&emu, "cli-token");

    let listed = ok(&env, &["flavor", "list", "-n", "2", "--enumerate"]).await;
    assert_eq!(listed, "1. 1 C1R1024D20drbd\n2. 2 C1R1024D40drbd\n");
    let flavors = json(
        &env,
        &[
            "flavor",
            "list",
            "--ram",
            "2048",
            "--vcpus",
            "2",
            "--disk-template",
            "EXT_VLMC",
        ],
    )
    .await;
    let flavors = flavors.as_array().unwrap();
    assert_eq!(flavors.len(), 3, "{flavors:?}");
    assert!(flavors
        .iter()
        .all(|f| f["name"].as_str().unwrap().starts_with("C2R2048")));
    let detailed = json(
        &env,
        &[
            "flavor",
            "list",
            "-l",
            "--name-suffix",
            "d20drbd",
            "--id-prefix",
            "1",
        ],
    )
    .await;
    assert_eq!(detailed[0]["ram"], 1024, "{detailed}");
    assert!(!ok(&env, &["flavor", "list", "-l", "--public"])
        .await
        .contains("links"));
    assert_eq!(json(&env, &["flavor", "info", "1"]).await["vcpus"], 1);
    fails(
        &env,
        &["flavor", "info", "9999"],
        &["No flavor with id 9999 (404)", "kamaki flavor list"],
    )
    .await;

    let generated = json(&env, &["keypair", "generate", "--key-name", "gen"]).await;
    assert!(generated["private_key"]
        .as_str()
        .is_some_and(|k| k.contains("PRIVATE KEY")));
    let key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtiQDfi7kDjgK6RoyAExeZuyQ50VjlD17QoRkWq+Uhr me@host";
    let uploaded = json(
        &env,
        &["keypair", "upload", "--key-name", "up", "--public-key", key],
    )
    .await;
    assert_eq!(uploaded["public_key"], key);
    fails(
        &env,
        &["keypair", "upload", "--key-name", "up", "--public-key", key],
        &["already exists (409)", "keypair upload -f"],
    )
    .await;
    ok(
        &env,
        &[
            "keypair",
            "upload",
            "-f",
            "--key-name",
            "up",
            "--public-key",
            key,
        ],
    )
    .await;
    let auto = json(&env, &["keypair", "upload", "--public-key", key]).await;
    assert!(auto["name"]
        .as_str()
        .unwrap()
        .starts_with("kamaki-key_autogen_"));
    let names = ok(&env, &["keypair", "list"]).await;
    assert!(names.contains("gen\n") && names.contains("up\n"), "{names}");
    assert!(!names.contains("ssh-ed25519"), "public keys only with -l");
    let keys = json(&env, &["keypair", "list", "-l", "--name", "UP"]).await;
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(keys[0]["public_key"], key);
    assert_eq!(json(&env, &["keypair", "info", "up"]).await["name"], "up");
    ok(&env, &["keypair", "delete", "gen"]).await;
    fails(
        &env,
        &["keypair", "info", "gen"],
        &["No keypair with name gen (404)"],
    )
    .await;

    assert!(ok(&env, &["imagecompute", "list"])
        .await
        .contains(&format!("{DEBIAN} Debian Base\n")));
    let ubuntu = json(&env, &["imagecompute", "list", "--name-like", "ubuntu"]).await;
    assert_eq!(ubuntu.as_array().unwrap().len(), 1);
    let debian = json(
        &env,
        &["imagecompute", "list", "--metadata", "os=debian", "-l"],
    )
    .await;
    assert_eq!(debian[0]["id"], DEBIAN);
    assert_eq!(
        json(&env, &["imagecompute", "info", DEBIAN]).await["metadata"]["os"],
        "debian"
    );
    fails(
        &env,
        &["imagecompute", "modify", DEBIAN, "--property-add", "x=y"],
        &["Insufficient permissions", "(403)"],
    )
    .await;
    let mine = "5e5e5e5e-0000-4000-8000-000000000001";
    {
        let images = &emu.state().image.images;
        let mut images = images.write().unwrap();
        let mut image = images[DEBIAN].clone();
        image.id = mine.to_string();
        image.name = "Mine".to_string();
        image.owner = emu.user().uuid;
        image.is_public = false;
        images.insert(mine.to_string(), image);
    }
    let mut listed = json(
        &env,
        &["imagecompute", "list", "--user-name", "cli@example.com"],
    )
    .await;
    assert_eq!(
        listed[0].take(),
        serde_json::json!({"id": mine, "name": "Mine"})
    );
    let annotated = ok(&env, &["imagecompute", "info", mine]).await;
    assert!(annotated.contains("(cli@example.com)"), "{annotated}");
    ok(
        &env,
        &[
            "imagecompute",
            "modify",
            mine,
            "--property-add",
            "color=red",
        ],
    )
    .await;
    assert_eq!(
        json(&env, &["imagecompute", "info", mine]).await["metadata"]["color"],
        "red"
    );
    ok(
        &env,
        &["imagecompute", "modify", mine, "--property-del", "color"],
    )
    .await;
    assert!(
        json(&env, &["imagecompute", "info", mine]).await["metadata"]
            .get("color")
            .is_none()
    );
    ok(&env, &["imagecompute", "delete", mine]).await;
    fails(
        &env,
        &["imagecompute", "info", "no-such-image"],
        &["No image with id no-such-image (404)"],
    )
    .await;

    // A cluster: <name>1, <name>2, created two at a time, deleted by prefix.
    let cluster = json(
        &env,
        &[
            "server",
            "create",
            "--name",
            "node",
            "--cluster-size",
            "2",
            "--threads",
            "2",
            "--flavor-id",
            "1",
            "--image-id",
            DEBIAN,
            "--no-network",
            "-w",
        ],
    )
    .await;
    let mut names: Vec<&str> = cluster
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["node1", "node2"]);
    // Rescue mode, for a stopped server (actions complete at once here).
    let node = id(&cluster[0]);
    ok(&env, &["server", "shutdown", &node, "-w"]).await;
    ok(&env, &["server", "modify", &node, "--flavor-id", "4"]).await;
    assert_eq!(
        json(&env, &["server", "info", &node]).await["flavor"]["id"],
        4,
        "an integer, as Synnefo sends it"
    );
    ok(&env, &["server", "rescue", &node]).await;
    assert_eq!(
        json(&env, &["server", "info", &node]).await["SNF:rescue"],
        true
    );
    ok(&env, &["server", "unrescue", &node]).await;
    assert_eq!(
        json(&env, &["server", "info", &node]).await["SNF:rescue"],
        false
    );
    let out = kamaki(&env, &["server", "delete", "--cluster", "node", "-w"]).await;
    assert!(
        stderr(&out).contains("2 virtual servers deleted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ok(&env, &["server", "list"]).await, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn networks_ports_and_floating_ips() {
    let emu = emulator(50).await;
    let env = env_for(&emu, "cli-token");
    let me = emu.user().uuid;
    let sid = active_server(&env, "net-test", "1").await;

    let network = json(
        &env,
        &[
            "network",
            "create",
            "--name",
            "priv",
            "--type",
            "mac_filtered",
        ],
    )
    .await;
    let nid = id(&network);
    assert_eq!(network["type"], "MAC_FILTERED");
    let listed = ok(&env, &["network", "list"]).await;
    assert!(
        listed.contains(&format!("{nid} priv ( private )")),
        "{listed}"
    );
    assert!(listed.contains("( public )"), "{listed}");
    assert_eq!(
        json(&env, &["network", "list", "-l", "--user-id", &me]).await[0]["name"],
        "priv"
    );
    assert_eq!(
        json(&env, &["network", "info", &nid]).await["status"],
        "ACTIVE"
    );
    assert_eq!(
        json(&env, &["network", "modify", &nid, "--name", "priv2"]).await["name"],
        "priv2"
    );
    ok(&env, &["network", "reassign", &nid, "--project-id", &me]).await;
    fails(
        &env,
        &["network", "create", "--type", "bogus"],
        &["Invalid network type bogus"],
    )
    .await;
    fails(
        &env,
        &["network", "info", "777"],
        &["No network with id 777 (404)", "kamaki network list"],
    )
    .await;

    let subnet = json(
        &env,
        &[
            "subnet",
            "create",
            "--network-id",
            &nid,
            "--cidr",
            "10.0.0.0/24",
            "--name",
            "sn",
            "--alloc-pool",
            "10.0.0.10,10.0.0.20",
            "--no-gateway",
        ],
    )
    .await;
    let snid = id(&subnet);
    assert_eq!(subnet["allocation_pools"][0]["start"], "10.0.0.10");
    assert!(ok(&env, &["subnet", "list"])
        .await
        .contains(&format!("{snid} sn ( of network {nid} )")));
    assert_eq!(
        json(&env, &["subnet", "info", &snid]).await["subnet"]["cidr"],
        "10.0.0.0/24"
    );
    assert_eq!(
        json(&env, &["subnet", "modify", &snid, "--name", "sn2"]).await["name"],
        "sn2"
    );
    assert!(!json(&env, &["subnet", "list", "-l", "--name", "sn2"])
        .await
        .as_array()
        .unwrap()
        .is_empty());
    fails(
        &env,
        &[
            "subnet",
            "create",
            "--network-id",
            "777",
            "--cidr",
            "10.1.0.0/24",
        ],
        &["No network with id 777"],
    )
    .await;

    let out = succeeds(
        &env,
        &[
            "network",
            "connect",
            &nid,
            "--device-id",
            &sid,
            "-w",
            "--output-format",
            "json",
        ],
    )
    .await;
    let ports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pid = id(&ports[0]);
    assert_eq!(ports[0]["device_id"], sid);
    assert_eq!(ports[0]["status"], "ACTIVE");
    assert!(
        stderr(&out).contains(&format!("Port {pid} status: ACTIVE")),
        "{}",
        stderr(&out)
    );
    let nics = json(&env, &["server", "info", &sid, "--nics"]).await;
    assert!(nics["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["network_id"] == nid.as_str()));
    assert!(ok(&env, &["port", "list"])
        .await
        .contains(&format!("{pid}\n")));
    assert_eq!(
        json(&env, &["port", "list", "-l", "--id", &pid]).await[0]["network_id"],
        nid.as_str()
    );
    assert_eq!(
        json(&env, &["port", "info", &pid]).await["fixed_ips"][0]["ip_address"],
        "10.0.0.10"
    );
    assert_eq!(
        json(&env, &["port", "modify", &pid, "--name", "pp"]).await["name"],
        "pp"
    );
    let out = kamaki(&env, &["port", "wait", &pid, "--until", "ACTIVE"]).await;
    assert!(
        stderr(&out).contains("already in ACTIVE"),
        "{}",
        stderr(&out)
    );
    fails(
        &env,
        &["network", "delete", &nid],
        &["in use (409)", "kamaki port list"],
    )
    .await;

    let out = succeeds(
        &env,
        &["network", "disconnect", &nid, "--device-id", &sid, "-w"],
    )
    .await;
    assert!(
        stderr(&out).contains(&format!("Deleting port {pid}")),
        "{}",
        stderr(&out)
    );
    let nics = json(&env, &["server", "info", &sid, "--nics"]).await;
    assert!(!nics["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["network_id"] == nid.as_str()));
    fails(
        &env,
        &["network", "disconnect", &nid, "--device-id", &sid],
        &["has no network"],
    )
    .await;

    let port = json(
        &env,
        &[
            "port",
            "create",
            "--network-id",
            &nid,
            "--device-id",
            &sid,
            "--name",
            "p2",
        ],
    )
    .await;
    let p2 = id(&port[0]);
    let out = kamaki(&env, &["port", "wait", &p2]).await;
    assert!(
        stderr(&out).contains(&format!("Port {p2} status: ACTIVE")),
        "{}",
        stderr(&out)
    );
    ok(&env, &["port", "delete", &p2, "-w"]).await;
    fails(
        &env,
        &["port", "info", &p2],
        &[&format!("No port with id {p2} (404)")],
    )
    .await;
    fails(
        &env,
        &["port", "create", "--network-id", "777", "--device-id", &sid],
        &["No network with id 777"],
    )
    .await;
    ok(&env, &["network", "delete", &nid]).await;

    let ip = json(&env, &["ip", "create", "--network-id", "1"]).await;
    // As sent: a new address is on no port yet (null, as kamaki prints it).
    assert!(ip.get("port_id").is_some_and(Value::is_null), "{ip}");
    let (ipid, address) = (
        id(&ip),
        ip["floating_ip_address"].as_str().unwrap().to_string(),
    );
    assert!(ok(&env, &["ip", "list"]).await.contains(&address));
    assert_eq!(
        json(&env, &["ip", "info", &ipid]).await["floating_ip_address"],
        address.as_str()
    );
    let out = succeeds(
        &env,
        &[
            "ip",
            "attach",
            &address,
            "--server-id",
            &sid,
            "-w",
            "--output-format",
            "json",
        ],
    )
    .await;
    let attached: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(attached[0]["device_id"], sid);
    assert!(stderr(&out).contains("status: ACTIVE"), "{}", stderr(&out));
    assert_eq!(
        json(&env, &["ip", "info", &ipid]).await["instance_id"],
        sid.as_str()
    );
    ok(&env, &["ip", "detach", &ipid, "-w"]).await;
    assert!(json(&env, &["ip", "info", &ipid])
        .await
        .get("port_id")
        .is_none_or(Value::is_null));
    fails(&env, &["ip", "detach", &address], &["is not attached"]).await;
    fails(
        &env,
        &["ip", "attach", "192.0.2.99", "--server-id", &sid],
        &["does not match any reserved IPs"],
    )
    .await;
    ok(&env, &["ip", "reassign", &address, "--project-id", &me]).await;
    ok(&env, &["ip", "delete", &ipid]).await;
    fails(
        &env,
        &["ip", "info", &ipid],
        &["No floating IP with id", "404", "kamaki ip list"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn volumes_attachments_and_snapshots() {
    let emu = emulator(50).await;
    let env = env_for(&emu, "cli-token");
    let me = emu.user().uuid;
    let sid = active_server(&env, "disk-test", VLMC_FLAVOR).await;

    assert!(ok(&env, &["volume", "types"]).await.contains("2 ext_vlmc"));
    assert_eq!(
        json(&env, &["volume", "type", "2"]).await["SNF:detachable"],
        true
    );

    // No server, no type: the first detachable type is taken.
    let out = succeeds(
        &env,
        &[
            "volume",
            "create",
            "--size",
            "1",
            "--name",
            "v1",
            "-w",
            "--output-format",
            "json",
        ],
    )
    .await;
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let vid = id(&created);
    assert_eq!(created["display_name"], "v1");
    assert!(
        created.get("status").is_none(),
        "only what the cloud sent: {created}"
    );
    assert!(
        stderr(&out).contains(&format!("Volume {vid} status: available")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        json(&env, &["volume", "info", &vid]).await["volume_type"],
        2,
        "Synnefo sends the volume type's id as an integer"
    );

    let attachment = json(&env, &["server", "attach", &sid, "--volume-id", &vid]).await;
    assert_eq!(attachment["volumeId"], vid.as_str());
    ok(&env, &["volume", "wait", &vid, "--until", "IN_USE"]).await;
    let attachments = json(&env, &["server", "attachments", &sid]).await;
    let aid = attachments
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["volumeId"].as_u64() == vid.parse().ok())
        .map(id)
        .expect("the volume is attached");
    assert_eq!(
        json(
            &env,
            &["server", "attachment", &sid, "--attachment-id", &aid]
        )
        .await["serverId"]
            .as_u64(),
        sid.parse().ok()
    );
    fails(
        &env,
        &["server", "attachment", &sid, "--attachment-id", "999"],
        &["No volume attachment 999", "kamaki server attachments"],
    )
    .await;

    let snapshot = json(
        &env,
        &["snapshot", "create", "--volume-id", &vid, "--name", "s1"],
    )
    .await;
    let snid = id(&snapshot);
    assert!(ok(&env, &["snapshot", "list"]).await.contains(&snid));
    assert_eq!(
        json(&env, &["snapshot", "list", "-l"]).await[0]["volume_id"],
        vid.as_str()
    );
    assert_eq!(
        json(&env, &["snapshot", "modify", &snid, "--description", "d"]).await
            ["display_description"],
        "d"
    );
    assert_eq!(
        json(&env, &["snapshot", "info", &snid]).await["display_name"],
        "s1"
    );
    ok(&env, &["snapshot", "delete", &snid]).await;

    let out = succeeds(&env, &["server", "detach", &sid, "--volume-id", &vid]).await;
    assert!(
        stderr(&out).contains("1 detachment deleted") && stderr(&out).contains("OK"),
        "{}",
        stderr(&out)
    );
    ok(&env, &["volume", "wait", &vid, "--while", "detaching"]).await;
    fails(
        &env,
        &["server", "detach", &sid, "--volume-id", &vid],
        &["not attached"],
    )
    .await;

    let out = succeeds(
        &env,
        &[
            "volume",
            "create",
            "--size",
            "1",
            "--name",
            "v2",
            "--server-id",
            &sid,
            "-w",
        ],
    )
    .await;
    assert!(stderr(&out).contains("status: in_use"), "{}", stderr(&out));
    let changed = json(
        &env,
        &[
            "volume",
            "modify",
            &vid,
            "--name",
            "v1b",
            "--delete-on-termination",
            "true",
        ],
    )
    .await;
    assert_eq!(
        (&changed["display_name"], &changed["delete_on_termination"]),
        (&Value::from("v1b"), &Value::from(true))
    );
    ok(&env, &["volume", "reassign", &vid, "--project-id", &me]).await;
    assert!(ok(&env, &["volume", "list"])
        .await
        .contains("display_name: v1b"));
    assert_eq!(
        json(&env, &["volume", "list", "-l"])
            .await
            .as_array()
            .unwrap()
            .len(),
        3,
        "root, v1b and v2"
    );

    let out = succeeds(&env, &["volume", "delete", &vid, "-w"]).await;
    assert!(stderr(&out).contains("deleted"), "{}", stderr(&out));
    fails(
        &env,
        &["volume", "info", "999"],
        &["No volume with id 999 (404)", "kamaki volume list"],
    )
    .await;
    fails(
        &env,
        &["volume", "wait", &vid, "--until", "nowhere"],
        &["Invalid status nowhere"],
    )
    .await;
}

/// `path` of the compute API as the emulator answers it.
async fn compute_reply(emu: &Emulator, path: &str) -> Value {
    reply_of(emu, "compute", path).await
}

/// `path` of a service (by type) as the emulator answers it.
async fn reply_of(emu: &Emulator, service: &str, path: &str) -> Value {
    let mut base = emu.endpoint_url(service).unwrap();
    if service == "network" || service == "volume" {
        // The catalog hides the version these APIs are served at.
        base.push_str("/v2.0");
    }
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("X-Auth-Token", "cli-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn server_json_is_what_the_server_sent_field_for_field() {
    let emu = emulator(0).await;
    let env = env_for(&emu, "cli-token");
    let made = json(
        &env,
        &[
            "server",
            "create",
            "--name",
            "exact",
            "--flavor-id",
            "1",
            "--image-id",
            DEBIAN,
            "-w",
        ],
    )
    .await;
    // The creation's reply as sent: an integer id, a null key name.
    assert!(made["id"].is_u64(), "{made}");
    assert!(made.get("key_name").is_some_and(Value::is_null), "{made}");
    let id = made["id"].to_string();
    let listed = json(&env, &["server", "list", "-l"]).await;
    let raw = compute_reply(&emu, "/servers/detail").await;
    assert_eq!(listed, raw["servers"]);
    // Integer ids stay integers, nulls stay.
    assert!(listed[0]["id"].is_u64(), "{listed}");
    assert!(listed[0]["flavor"]["id"].is_u64(), "{listed}");
    assert!(
        listed[0].get("key_name").is_some_and(Value::is_null),
        "{listed}"
    );

    let short = json(&env, &["server", "list"]).await;
    assert_eq!(short[0]["id"], raw["servers"][0]["id"]);

    let shown = json(&env, &["server", "info", &id]).await;
    let raw = compute_reply(&emu, &format!("/servers/{id}")).await;
    assert_eq!(shown, raw["server"]);

    // The other resources, listed in detail and shown, likewise.
    let raw = compute_reply(&emu, "/flavors/detail").await;
    assert_eq!(json(&env, &["flavor", "list", "-l"]).await, raw["flavors"]);
    let raw = compute_reply(&emu, "/flavors/1").await;
    assert_eq!(json(&env, &["flavor", "info", "1"]).await, raw["flavor"]);
    let raw = reply_of(&emu, "network", "/networks").await;
    assert_eq!(
        json(&env, &["network", "list", "-l"]).await,
        raw["networks"]
    );
    let net = raw["networks"][0]["id"].as_str().unwrap().to_string();
    let raw = reply_of(&emu, "network", &format!("/networks/{net}")).await;
    assert_eq!(json(&env, &["network", "info", &net]).await, raw["network"]);
    let raw = reply_of(&emu, "network", "/subnets").await;
    assert_eq!(json(&env, &["subnet", "list", "-l"]).await, raw["subnets"]);
    let raw = reply_of(&emu, "volume", "/volumes/detail").await;
    assert_eq!(json(&env, &["volume", "list", "-l"]).await, raw["volumes"]);
    let raw = compute_reply(&emu, "/images/detail").await;
    assert_eq!(
        json(&env, &["imagecompute", "list", "-l"]).await,
        raw["images"]
    );
    let raw = reply_of(&emu, "network", "/ports").await;
    assert!(
        !raw["ports"].as_array().unwrap().is_empty(),
        "the server's port"
    );
    assert_eq!(json(&env, &["port", "list", "-l"]).await, raw["ports"]);

    // Short listings keep what the server sent (links too), as kamaki's.
    let raw = compute_reply(&emu, "/flavors").await;
    assert_eq!(json(&env, &["flavor", "list"]).await, raw["flavors"]);
    assert!(raw["flavors"][0]["links"].is_array(), "{raw}");
    let raw = reply_of(&emu, "volume", "/volumes").await;
    assert_eq!(json(&env, &["volume", "list"]).await, raw["volumes"]);
    let raw = reply_of(&emu, "volume", "/types/1").await;
    assert_eq!(
        json(&env, &["volume", "type", "1"]).await,
        raw["volume_type"]
    );
    assert!(raw["volume_type"]["id"].is_u64(), "{raw}");
    // kamaki prints the subnet reply whole.
    let subnet = crate::id(&reply_of(&emu, "network", "/subnets").await["subnets"][0]);
    let raw = reply_of(&emu, "network", &format!("/subnets/{subnet}")).await;
    assert_eq!(json(&env, &["subnet", "info", &subnet]).await, raw);
    // The server's NICs, statistics and volume attachments, as sent.
    let raw = compute_reply(&emu, &format!("/servers/{id}/ips")).await;
    assert_eq!(json(&env, &["server", "info", &id, "--nics"]).await, raw);
    let raw = compute_reply(&emu, &format!("/servers/{id}/stats")).await;
    assert_eq!(
        json(&env, &["server", "info", &id, "--stats"]).await,
        raw["stats"]
    );
    let raw = compute_reply(&emu, &format!("/servers/{id}/os-volume_attachments")).await;
    assert_eq!(
        json(&env, &["server", "attachments", &id]).await,
        raw["volumeAttachments"]
    );
    assert!(raw["volumeAttachments"][0]["id"].is_u64(), "{raw}");
    ok(&env, &["keypair", "generate", "--key-name", "exact-key"]).await;
    let raw = compute_reply(&emu, "/os-keypairs/exact-key").await;
    assert_eq!(
        json(&env, &["keypair", "info", "exact-key"]).await,
        raw["keypair"]
    );
    assert!(raw["keypair"]["id"].is_u64(), "{raw}");
}
