//! The get-started walkthrough runs against the emulator, as in CI.

#[path = "../examples/get_started.rs"]
#[allow(dead_code)]
mod get_started;

use synnefo_emu::Emulator;

#[tokio::test]
async fn get_started_walkthrough_runs() {
    let emu = Emulator::start().await.unwrap();
    let found = get_started::walkthrough(&emu.auth_url(), &emu.token())
        .await
        .expect("the walkthrough succeeds");
    assert_eq!(found.user_uuid, emu.user().uuid);
    assert_eq!(found.user_name, "User");
    let by_client = |name: &str| {
        found
            .services
            .iter()
            .find(|(c, _, _)| *c == name)
            .unwrap()
            .clone()
    };
    let (_, service_type, url) = by_client("CycladesComputeClient");
    assert_eq!(service_type, "compute");
    assert_eq!(Some(url), emu.endpoint_url("compute"));
    let (_, service_type, url) = by_client("PithosClient");
    assert_eq!(service_type, "object-store");
    assert!(url.ends_with("/pithos/object-store/v1"));
    let types: Vec<&str> = found.services.iter().map(|(_, t, _)| *t).collect();
    for wanted in ["identity", "network", "volume", "image"] {
        assert!(types.contains(&wanted), "{wanted}");
    }
    assert!(
        found
            .services
            .iter()
            .all(|(_, _, url)| url.starts_with("http://127.0.0.1")),
        "{:?}",
        found.services
    );
}

#[tokio::test]
async fn get_started_reports_a_wrong_token() {
    let emu = Emulator::start().await.unwrap();
    let err = get_started::walkthrough(&emu.auth_url(), "not-the-token")
        .await
        .unwrap_err();
    assert_eq!(err.status(), 401);
}
