//! AstakosClient against the emulator: authentication, the catalog, users.

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::cyclades::CycladesComputeClient;
use kamaki::clients::pithos::PithosClient;
use kamaki::clients::ClientError;
use synnefo_emu::Emulator;

async fn two_users() -> Emulator {
    Emulator::builder()
        .user("alice@example.com", "alice-token")
        .user("bob.smith@example.com", "bob-token")
        .start()
        .await
        .expect("emulator starts")
}

#[tokio::test]
async fn authenticate_returns_token_user_and_catalog() {
    let emu = two_users().await;
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    let info = astakos.authenticate().await.unwrap();
    let alice = &emu.users()[0];
    let user = info.access.user.as_ref().expect("a user");
    assert_eq!(user.id, alice.uuid);
    assert_eq!(user.name.as_deref(), Some("Alice"));
    let token = info.access.token.as_ref().expect("a token");
    assert_eq!(token.id(), "alice-token");
    assert_eq!(
        token.tenant.as_ref().and_then(|t| t.id.as_deref()),
        Some(alice.uuid.as_str())
    );
    let types: Vec<&str> = info
        .access
        .service_catalog
        .iter()
        .map(|s| s.service_type.as_str())
        .collect();
    for wanted in [
        "identity",
        "account",
        "compute",
        "network",
        "volume",
        "image",
        "object-store",
    ] {
        assert!(types.contains(&wanted), "{wanted} missing from {types:?}");
    }
}

#[tokio::test]
async fn ui_services_are_read_under_the_account_ui_url() {
    let emu = two_users().await;
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    let services = astakos.get_ui_services().await.unwrap();
    let names: Vec<&str> = services.iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"cyclades"), "{services:?}");
    assert!(names.contains(&"pithos"), "{services:?}");
    assert!(
        services.iter().all(|s| s["url"].is_string()),
        "{services:?}"
    );
}

#[tokio::test]
async fn endpoint_lookup_finds_services_and_names_missing_ones() {
    let emu = two_users().await;
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    let compute = astakos
        .get_endpoint_url(CycladesComputeClient::SERVICE_TYPE)
        .await
        .unwrap();
    assert_eq!(Some(compute.clone()), emu.endpoint_url("compute"));
    assert!(compute.ends_with("/cyclades/compute/v2.0"), "{compute}");
    let pithos = astakos
        .get_endpoint_url(PithosClient::SERVICE_TYPE)
        .await
        .unwrap();
    assert!(pithos.ends_with("/pithos/object-store/v1"), "{pithos}");
    // Case-insensitive type, explicit version.
    let versioned = astakos
        .get_endpoint_url_for_version("COMPUTE", "v2.0")
        .await
        .unwrap();
    assert_eq!(versioned, compute);

    let err = astakos
        .get_endpoint_url("no-such-service")
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::NotFound(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Service type \"no-such-service\" not in service catalog"
    );
    let err = astakos
        .get_endpoint_url_for_version("compute", "v9")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "0 endpoints match type compute and versionId v9"
    );

    // The catalog is cached: lookups after the first cost no request.
    emu.clear_requests();
    astakos.get_endpoint_url("image").await.unwrap();
    astakos.get_services().await.unwrap();
    assert!(emu.requests().is_empty(), "{:?}", emu.requests());
}

#[tokio::test]
async fn unversioned_auth_url_gets_v2_0() {
    let emu = two_users().await;
    let bare = emu.auth_url().trim_end_matches("/v2.0").to_string();
    let astakos = AstakosClient::new(&bare, "alice-token").unwrap();
    assert_eq!(astakos.endpoint_url(), emu.auth_url());
    assert_eq!(astakos.api_version(), Some("2.0"));
    astakos.authenticate().await.unwrap();
}

#[tokio::test]
async fn user_info_and_terms() {
    let emu = two_users().await;
    let bob = emu.users()[1].clone();
    let astakos = AstakosClient::new(&emu.auth_url(), "bob-token").unwrap();
    let info = astakos.user_info().await.unwrap();
    assert_eq!(info.id, bob.uuid);
    assert_eq!(info.name.as_deref(), Some("Bob Smith"));
    assert_eq!(info.default_project.as_deref(), Some(bob.uuid.as_str()));
    assert_eq!(
        astakos.user_term("id").await.unwrap(),
        Some(serde_json::json!(bob.uuid))
    );
    assert_eq!(astakos.user_term("nonexistent").await.unwrap(), None);
}

#[tokio::test]
async fn uuid_and_name_lookups() {
    let emu = two_users().await;
    let (alice, bob) = (emu.users()[0].clone(), emu.users()[1].clone());
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();

    let names = astakos
        .get_usernames(&[&alice.uuid, &bob.uuid, "unknown-uuid"])
        .await
        .unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(names[&bob.uuid], "bob.smith@example.com");
    assert_eq!(
        astakos.get_username(&alice.uuid).await.unwrap(),
        "alice@example.com"
    );
    let err = astakos.get_username("unknown-uuid").await.unwrap_err();
    assert!(matches!(err, ClientError::NotFound(_)), "{err:?}");

    let uuids = astakos
        .get_uuids(&["bob.smith@example.com", "nobody@example.com"])
        .await
        .unwrap();
    assert_eq!(uuids.len(), 1);
    assert_eq!(uuids["bob.smith@example.com"], bob.uuid);
    assert_eq!(
        astakos.get_uuid("alice@example.com").await.unwrap(),
        alice.uuid
    );
    assert!(astakos.get_uuid("nobody@example.com").await.is_err());

    // Known answers come from the cache.
    emu.clear_requests();
    astakos.get_username(&bob.uuid).await.unwrap();
    astakos.get_uuid("alice@example.com").await.unwrap();
    assert!(emu.requests().is_empty());

    // The service forms take a service (component) token.
    let service = AstakosClient::new(&emu.auth_url(), emu.service_token()).unwrap();
    let all = service.service_get_usernames(&[&alice.uuid]).await.unwrap();
    assert_eq!(all[&alice.uuid], "alice@example.com");
    let all = service
        .service_get_uuids(&["alice@example.com"])
        .await
        .unwrap();
    assert_eq!(all["alice@example.com"], alice.uuid);
}

#[tokio::test]
async fn validate_token_and_public_catalog() {
    let emu = two_users().await;
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    // An OAuth2 access token of bob's, for URLs under https://view/.
    let bobs = emu.issue_access_token(&emu.users()[1].uuid, "https://view/");
    let info = astakos.validate_token(&bobs, None).await.unwrap();
    assert_eq!(info.access.user.unwrap().id, emu.users()[1].uuid);
    assert!(info.access.service_catalog.is_empty());
    let inside = astakos
        .validate_token(&bobs, Some("https://view/a/b"))
        .await;
    assert!(inside.is_ok(), "{inside:?}");
    let err = astakos.validate_token("bogus", None).await.unwrap_err();
    assert_eq!(err.status(), 404);
    let err = astakos
        .validate_token(&bobs, Some("someone-else"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    // A user's API token is no OAuth2 token: Synnefo does not know it here.
    let err = astakos.validate_token("bob-token", None).await.unwrap_err();
    assert_eq!(err.status(), 404);

    // The public catalog needs no token at all.
    let anonymous = AstakosClient::new(&emu.auth_url(), "").unwrap();
    let public = anonymous.get_endpoints().await.unwrap();
    assert!(public.access.user.is_none());
    assert!(public
        .access
        .service_catalog
        .iter()
        .any(|s| s.service_type == "compute"));
    let err = anonymous.authenticate().await.unwrap_err();
    assert!(matches!(err, ClientError::Config(_)), "{err:?}");
}

#[tokio::test]
async fn feedback_and_default_project() {
    let emu = two_users().await;
    let alice = emu.users()[0].clone();
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    astakos
        .send_feedback("it works & it's fast", "kamaki-rs tests")
        .await
        .unwrap();
    let feedback = emu.state().identity.feedback.read().unwrap().clone();
    assert_eq!(
        feedback,
        vec![(
            alice.uuid.clone(),
            "it works & it's fast".to_string(),
            "kamaki-rs tests".to_string()
        )]
    );
    let err = astakos.send_feedback("", "").await.unwrap_err();
    assert_eq!(err.status(), 400);

    astakos.user_set_default_project(&alice.uuid).await.unwrap();
    let err = astakos
        .user_set_default_project("not-a-project")
        .await
        .unwrap_err();
    // Astakos: "There is no project identified by not-a-project." (404).
    assert_eq!(err.status(), 404);
}

#[tokio::test]
async fn wrong_token_is_a_401_with_the_servers_message() {
    let emu = two_users().await;
    let astakos = AstakosClient::new(&emu.auth_url(), "wrong-token").unwrap();
    let err = astakos.authenticate().await.unwrap_err();
    match &err {
        ClientError::Http {
            status,
            message,
            kind,
            ..
        } => {
            assert_eq!(*status, 401);
            assert_eq!(message, "Invalid token");
            assert_eq!(kind.as_deref(), Some("unauthorized"));
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("wrong-token"), "token leaked: {shown}");
    // Lookups that need the catalog surface the same error.
    assert_eq!(
        astakos
            .get_endpoint_url("compute")
            .await
            .unwrap_err()
            .status(),
        401
    );
}
