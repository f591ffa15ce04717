//! The version documents at each API's root, the version prefixes Synnefo
//! routes twice (`volume/v2`, `image/v1`), and what paths under a service
//! that it does not serve answer (Synnefo's `api_endpoint_not_found`).

use serde_json::{json, Value};
use synnefo_emu::Emulator;

async fn get(emu: &Emulator, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", emu.url()));
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let reply = request.send().await.unwrap();
    let status = reply.status().as_u16();
    let text = reply.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn every_api_root_answers_its_versions_with_and_without_the_slash() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.url().to_string();
    for path in ["/astakos/identity", "/astakos/identity/"] {
        let (status, body) = get(&emu, path, None).await;
        assert_eq!(status, 200, "{path}");
        let values = &body["versions"]["values"];
        assert_eq!(values[0]["id"], "v2.0", "{path}: {body}");
        assert_eq!(values[0]["status"], "CURRENT");
        assert_eq!(
            values[0]["links"][0],
            json!({"rel": "self", "href": format!("{base}/astakos/identity/v2.0/")})
        );
    }
    let expect = [
        ("/cyclades/compute", vec!["v2.0"]),
        ("/cyclades/network", vec!["v2.0"]),
        ("/cyclades/volume", vec!["v2.0", "v2"]),
        ("/cyclades/image", vec!["v1.0", "v1"]),
    ];
    for (root, ids) in expect {
        for path in [root.to_string(), format!("{root}/")] {
            let (status, body) = get(&emu, &path, None).await;
            assert_eq!(status, 200, "{path}");
            let versions = body["versions"].as_array().unwrap();
            let got: Vec<&str> = versions.iter().map(|v| v["id"].as_str().unwrap()).collect();
            assert_eq!(got, ids, "{path}");
            for v in versions {
                let id = v["id"].as_str().unwrap();
                assert_eq!(v["links"][0]["href"], format!("{base}{root}/{id}/"));
            }
        }
    }
    let (_, image) = get(&emu, "/cyclades/image/versions", None).await;
    assert_eq!(image["versions"][1]["id"], "v1");
}

#[tokio::test]
async fn version_details_as_synnefo_gives_them() {
    let emu = Emulator::start().await.unwrap();
    let (status, identity) = get(&emu, "/astakos/identity/v2.0", None).await;
    assert_eq!(status, 200);
    assert_eq!(identity["version"]["id"], "v2.0");
    assert_eq!(
        identity["version"]["media-types"][0]["type"],
        "application/vnd.openstack.identity-v2.0+json"
    );
    assert_eq!(identity["version"]["links"][1]["rel"], "describedby");

    let (status, compute) = get(&emu, "/cyclades/compute/v2.0/", None).await;
    assert_eq!(status, 200);
    assert_eq!(compute["version"]["updated"], "2011-01-21T11:33:21-06:00");
    assert_eq!(compute["version"]["links"].as_array().unwrap().len(), 3);

    // The network API lists its collections, to a user only.
    let (status, _) = get(&emu, "/cyclades/network/v2.0/", None).await;
    assert_eq!(status, 401);
    let (status, network) = get(&emu, "/cyclades/network/v2.0/", Some(&emu.token())).await;
    assert_eq!(status, 200);
    let collections: Vec<&str> = network["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["collection"].as_str().unwrap())
        .collect();
    assert_eq!(collections, ["networks", "subnets", "ports", "floatingips"]);
}

#[tokio::test]
async fn both_version_prefixes_are_routed_and_unknown_paths_fail_as_synnefo() {
    let emu = Emulator::start().await.unwrap();
    let token = emu.token();
    let (status, volumes) = get(&emu, "/cyclades/volume/v2/volumes", Some(&token)).await;
    assert_eq!((status, volumes["volumes"].is_array()), (200, true));
    let (status, images) = get(&emu, "/cyclades/image/v1/images/", Some(&token)).await;
    assert_eq!(status, 200, "{images}");

    for path in [
        "/pithos/object-store/info",
        "/cyclades/compute/v3/servers",
        "/astakos/identity/v3",
    ] {
        let (status, body) = get(&emu, path, Some(&token)).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["badRequest"]["message"], "API endpoint not found");
    }
    let (status, _) = get(&emu, "/nowhere", None).await;
    assert_eq!(status, 404);
}
