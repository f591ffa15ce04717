//! AstakosClient and the tokens that are not a user's session token,
//! against the emulator: the OAuth2 `authorization_code` round trip, the
//! cache of several users' tokens (kamaki's `CachedAstakosClient`), service
//! (component) tokens, and what logs and errors show of all of them.

#[path = "support/logs.rs"]
mod logs;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::{Client, ClientError};
use synnefo_emu::Emulator;

const CLIENT_ID: &str = "pithos-view";
const CLIENT_SECRET: &str = "view-s3cr3t";
const SERVICE_TOKEN: &str = "cyclades-service-token";
const REDIRECT: &str = "https://view.example.org/pithos/ui/view/alice/photos/cat.jpg";

async fn emulator() -> Emulator {
    logs::every_callsite_of_interest();
    Emulator::builder()
        .user("alice@example.com", "alice-token")
        .user("bob@example.com", "bob-token")
        .component("cyclades", SERVICE_TOKEN)
        .component("pithos", "pithos-service-token")
        .oauth2_client(CLIENT_ID, CLIENT_SECRET)
        .start()
        .await
        .expect("emulator starts")
}

/// The browser's step: `user_token`'s user authorizes the client at
/// `<oauth2>/auth`; the code is in the query of the redirect.
async fn authorize(emu: &Emulator, user_token: &str, redirect_uri: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let reply = browser
        .get(format!("{}/auth", emu.oauth2_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", redirect_uri),
            ("state", "xyz 1"),
        ])
        .header("X-Auth-Token", user_token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 302);
    let location = reply.headers()["location"].to_str().unwrap().to_string();
    let location = url::Url::parse(&location).unwrap();
    assert_eq!(location.path(), "/pithos/ui/view/alice/photos/cat.jpg");
    let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("state".into(), "xyz 1".into())),
        "{query:?}"
    );
    query
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .expect("a code in the redirect")
}

/// A client of the cloud with no user token: what a service such as
/// Pithos' view uses for the token call.
fn anonymous(emu: &Emulator) -> AstakosClient {
    AstakosClient::new(&emu.auth_url(), "").unwrap()
}

#[tokio::test]
async fn oauth2_authorization_code_round_trip() {
    let emu = emulator().await;
    let alice = emu.users()[0].clone();
    let astakos = anonymous(&emu);
    assert_eq!(astakos.oauth2_url().await.unwrap(), emu.oauth2_url());
    assert!(emu.oauth2_url().ends_with("/astakos/oauth2"));

    let code = authorize(&emu, "alice-token", REDIRECT).await;
    emu.clear_requests();
    let token = astakos
        .oauth2_get_token(
            "authorization_code",
            CLIENT_ID,
            CLIENT_SECRET,
            &[("code", &code), ("redirect_uri", REDIRECT)],
        )
        .await
        .unwrap();
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.expires_in, Some(20));
    assert!(token.refresh_token.is_none());
    assert_eq!(token.access_token.expose().len(), 30);
    assert!(!format!("{token:?}").contains(token.access_token.expose()));

    // The request as Synnefo's astakosclient makes it.
    let sent = emu
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/oauth2/token"))
        .expect("a token request");
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );

    // The access token is what Pithos' view validates, within its scope
    // (the redirect URI when no scope was asked for).
    let checker = AstakosClient::new(&emu.auth_url(), SERVICE_TOKEN).unwrap();
    let info = checker
        .validate_token(token.access_token.expose(), Some(REDIRECT))
        .await
        .unwrap();
    assert_eq!(info.access.user.unwrap().id, alice.uuid);
    assert_eq!(info.access.token.unwrap().id(), token.access_token.expose());
    let err = checker
        .validate_token(
            token.access_token.expose(),
            Some("https://view.example.org/pithos/ui/view/bob"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert_eq!(
        err.message(),
        "The specified tenant is outside the token's scope"
    );
    // ... and nothing else: it is no X-Auth-Token.
    let as_user = AstakosClient::new(&emu.auth_url(), token.access_token.clone()).unwrap();
    assert_eq!(as_user.authenticate().await.unwrap_err().status(), 401);
    assert_eq!(as_user.get_quotas().await.unwrap_err().status(), 401);
}

#[tokio::test]
async fn an_authorization_code_is_good_once() {
    let emu = emulator().await;
    let astakos = anonymous(&emu);
    let code = astakos_code(&emu).await;
    let params = [("code", code.as_str()), ("redirect_uri", REDIRECT)];
    let get = || astakos.oauth2_get_token("authorization_code", CLIENT_ID, CLIENT_SECRET, &params);
    get().await.expect("the first use");
    let err = get().await.unwrap_err();
    match &err {
        ClientError::Http {
            status,
            kind,
            message,
            ..
        } => {
            assert_eq!(*status, 400);
            // Synnefo's OAuth2 server names no RFC 6749 code: every
            // failure is a generic_error with the reason.
            assert_eq!(kind.as_deref(), Some("generic_error"));
            assert_eq!(
                message,
                "OAuth2 error generic_error: No such authorization code"
            );
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert!(!format!("{err} {err:?}").contains(&code));
}

async fn astakos_code(emu: &Emulator) -> String {
    authorize(emu, "alice-token", REDIRECT).await
}

#[tokio::test]
async fn oauth2_refusals_say_why_and_show_no_secret() {
    let emu = emulator().await;
    let astakos = anonymous(&emu);
    let code = astakos_code(&emu).await;
    let token_with = |secret: &'static str, redirect: &'static str| {
        let code = code.clone();
        let astakos = astakos.clone();
        async move {
            astakos
                .oauth2_get_token(
                    "authorization_code",
                    CLIENT_ID,
                    secret,
                    &[("code", &code), ("redirect_uri", redirect)],
                )
                .await
                .unwrap_err()
        }
    };
    let err = token_with("wrong-secret", REDIRECT).await;
    assert_eq!(err.status(), 400);
    assert_eq!(
        err.to_string(),
        "400 Bad Request: OAuth2 error generic_error: Invalid credentials"
    );
    assert!(!format!("{err:?}").contains("wrong-secret"));
    let err = token_with(CLIENT_SECRET, "https://elsewhere.example.org/").await;
    assert_eq!(
        err.message(),
        "OAuth2 error generic_error: Invalid redirect uri"
    );
    assert!(!format!("{err:?}").contains(CLIENT_SECRET));
    // Neither refusal used the code up.
    let err = astakos
        .oauth2_get_token("client_credentials", CLIENT_ID, CLIENT_SECRET, &[])
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "OAuth2 error generic_error: Unsupported grant type"
    );
    astakos
        .oauth2_get_token(
            "authorization_code",
            CLIENT_ID,
            CLIENT_SECRET,
            &[("code", &code), ("redirect_uri", REDIRECT)],
        )
        .await
        .expect("the code still works");
    let err = astakos
        .oauth2_get_token("authorization_code", "no-such-client", "x", &[])
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "OAuth2 error generic_error: No such client found"
    );
}

#[tokio::test]
async fn access_tokens_expire() {
    let emu = Emulator::builder()
        .user("alice@example.com", "alice-token")
        .oauth2_client(CLIENT_ID, CLIENT_SECRET)
        .oauth2_token_lifetime(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let astakos = anonymous(&emu);
    let code = astakos_code(&emu).await;
    let token = astakos
        .oauth2_get_token(
            "authorization_code",
            CLIENT_ID,
            CLIENT_SECRET,
            &[("code", &code), ("redirect_uri", REDIRECT)],
        )
        .await
        .unwrap();
    assert_eq!(token.expires_in, Some(0));
    let err = astakos
        .validate_token(token.access_token.expose(), None)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.message()),
        (404, "Token has expired".into())
    );
    // An expired token is forgotten.
    let err = astakos
        .validate_token(token.access_token.expose(), None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 404);
    assert_ne!(err.message(), "Token has expired");
}

#[tokio::test]
async fn a_client_caches_one_authentication_per_user() {
    let emu = emulator().await;
    let (alice, bob) = (emu.users()[0].clone(), emu.users()[1].clone());
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();

    // Empty cache: list_users authenticates the client's own token.
    let users = astakos.list_users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].info.id, alice.uuid);
    assert_eq!(users[0].auth_token.expose(), "alice-token");
    assert_eq!(
        users[0].info.default_project.as_deref(),
        Some(alice.uuid.as_str())
    );

    let info = astakos.authenticate_token("bob-token").await.unwrap();
    assert_eq!(info.access.user.unwrap().id, bob.uuid);
    let users = astakos.list_users().await.unwrap();
    let mut ids: Vec<&str> = users.iter().map(|u| u.info.id.as_str()).collect();
    ids.sort();
    let mut expected = vec![alice.uuid.as_str(), bob.uuid.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    assert!(!format!("{users:?}").contains("bob-token"), "{users:?}");

    assert_eq!(
        astakos.get_token(&bob.uuid).await.unwrap().expose(),
        "bob-token"
    );
    assert_eq!(
        astakos.get_token(&alice.uuid).await.unwrap().expose(),
        "alice-token"
    );
    assert!(astakos.get_token("nobody").await.is_none());

    // kamaki's token= argument: the cached answers of the other user, no
    // request needed.
    emu.clear_requests();
    let as_bob = astakos.with_token("bob-token").unwrap();
    assert_eq!(as_bob.user_info().await.unwrap().id, bob.uuid);
    assert_eq!(astakos.user_info().await.unwrap().id, alice.uuid);
    assert!(emu.requests().is_empty(), "{:?}", emu.requests());
    // Lookups with the other token send it.
    assert_eq!(
        as_bob.get_username(&alice.uuid).await.unwrap(),
        "alice@example.com"
    );
    let lookup = emu
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/user_catalogs"))
        .unwrap();
    assert_eq!(lookup.header("x-auth-token"), Some("bob-token"));

    assert!(astakos.remove_user(&bob.uuid).await);
    assert!(!astakos.remove_user(&bob.uuid).await);
    assert!(astakos.get_token(&bob.uuid).await.is_none());
    let users = astakos.list_users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].info.id, alice.uuid);
    // A removed user authenticates again when next used.
    emu.clear_requests();
    as_bob.user_info().await.unwrap();
    assert_eq!(emu.requests().len(), 1);

    // A token that does not authenticate is not cached.
    assert_eq!(
        astakos
            .authenticate_token("wrong-token")
            .await
            .unwrap_err()
            .status(),
        401
    );
    assert_eq!(astakos.list_users().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_changed_default_project_is_authenticated_again() {
    let emu = emulator().await;
    let alice = emu.users()[0].clone();
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    astakos.authenticate().await.unwrap();
    astakos.user_set_default_project(&alice.uuid).await.unwrap();
    emu.clear_requests();
    let users = astakos.list_users().await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        emu.requests().len(),
        1,
        "the stale authentication is made again"
    );
}

#[tokio::test]
async fn service_calls_need_a_service_token() {
    let emu = emulator().await;
    let (alice, bob) = (emu.users()[0].clone(), emu.users()[1].clone());
    let user = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();
    for err in [
        user.service_get_usernames(&[&bob.uuid]).await.unwrap_err(),
        user.service_get_quotas(&[], &[]).await.unwrap_err(),
        user.service_get_project_quotas(&[]).await.unwrap_err(),
        user.get_pending_commissions().await.unwrap_err(),
    ] {
        assert_eq!(err.status(), 401, "{err}");
        assert_eq!(err.message(), "Invalid X-Auth-Token");
    }

    // The service token is no user's: it cannot authenticate, yet reaches
    // the account service through the public catalog.
    let service = AstakosClient::new(&emu.auth_url(), SERVICE_TOKEN).unwrap();
    assert_eq!(service.authenticate().await.unwrap_err().status(), 401);
    assert_eq!(
        service.service_get_username(&bob.uuid).await.unwrap(),
        "bob@example.com"
    );
    let quotas = service
        .service_get_quotas(&[&alice.uuid], &[])
        .await
        .unwrap();
    let own = &quotas[&alice.uuid][&alice.uuid];
    assert!(own.contains_key("cyclades.vm"));
    assert!(
        !own.contains_key("pithos.diskspace"),
        "a component sees its own services' resources: {own:?}"
    );
    let pithos = AstakosClient::new(&emu.auth_url(), "pithos-service-token").unwrap();
    let quotas = pithos
        .service_get_quotas(&[&alice.uuid], &[])
        .await
        .unwrap();
    assert!(quotas[&alice.uuid][&alice.uuid].contains_key("pithos.diskspace"));

    // Commissions are the component's own.
    let serial = service
        .issue_one_commission(
            &alice.uuid,
            &[(&alice.uuid, "cyclades.vm", 1)],
            "one vm",
            false,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        service.get_pending_commissions().await.unwrap(),
        vec![serial]
    );
    assert!(pithos.get_pending_commissions().await.unwrap().is_empty());
    service.accept_commission(serial).await.unwrap();
    let quotas = user.get_quotas().await.unwrap();
    assert_eq!(quotas[&alice.uuid]["cyclades.vm"].usage, 1);
}

/// A writer for the log subscriber that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn debug_logs_show_no_client_secret_code_or_token() {
    let emu = emulator().await;
    // The browser's step is not the library's: out of the log.
    let code = astakos_code(&emu).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let astakos: AstakosClient = Client::builder(&emu.auth_url())
        .token(SERVICE_TOKEN)
        .build_service()
        .unwrap();
    let token = astakos
        .oauth2_get_token(
            "authorization_code",
            CLIENT_ID,
            CLIENT_SECRET,
            &[("code", &code), ("redirect_uri", REDIRECT)],
        )
        .await
        .unwrap();
    let err = astakos
        .oauth2_get_token(
            "authorization_code",
            CLIENT_ID,
            CLIENT_SECRET,
            &[("code", &code), ("redirect_uri", REDIRECT)],
        )
        .await
        .unwrap_err();
    tracing::debug!("token: {token:?}; error: {err} / {err:?}");
    let cached = astakos.with_token("bob-token").unwrap();
    cached.authenticate().await.unwrap();
    let users = astakos.list_users().await.unwrap();
    tracing::debug!("users: {users:?}");

    let log = captured.text();
    assert!(log.contains("/astakos/oauth2/token"), "{log}");
    assert!(log.contains("authorization: ..."), "{log}");
    assert!(log.contains("x-auth-token: ..."), "{log}");
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    for secret in [
        CLIENT_SECRET,
        basic.as_str(),
        token.access_token.expose(),
        code.as_str(),
        SERVICE_TOKEN,
        "bob-token",
    ] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn cached_lookups_under_kamaki_names() {
    let emu = emulator().await;
    let (alice, bob) = (emu.users()[0].clone(), emu.users()[1].clone());
    let astakos = AstakosClient::new(&emu.auth_url(), "alice-token").unwrap();

    // The raw call answers what was asked, both ways at once.
    let raw = astakos
        .post_user_catalogs(Some(&[bob.uuid.as_str()]), Some(&["alice@example.com"]))
        .await
        .unwrap();
    assert_eq!(raw.uuid_catalog[&bob.uuid], "bob@example.com");
    assert_eq!(raw.displayname_catalog["alice@example.com"], alice.uuid);

    // The cached ones answer everything learnt so far.
    let names = astakos.uuids2usernames(&[&bob.uuid]).await.unwrap();
    assert_eq!(names.len(), 1, "{names:?}");
    let names = astakos
        .uuids2usernames(&[&alice.uuid, "no-such-uuid"])
        .await
        .unwrap();
    assert_eq!(names[&bob.uuid], "bob@example.com", "kept from before");
    assert_eq!(names[&alice.uuid], "alice@example.com");
    assert_eq!(names.len(), 2, "{names:?}");
    emu.clear_requests();
    let uuids = astakos.usernames2uuids(&["bob@example.com"]).await.unwrap();
    assert_eq!(uuids["bob@example.com"], bob.uuid);
    assert!(
        emu.requests().is_empty(),
        "known from the uuid lookups: {:?}",
        emu.requests()
    );

    // get_client authenticates another token once, then reuses it.
    emu.clear_requests();
    let as_bob = astakos.get_client("bob-token").await.unwrap();
    assert_eq!(as_bob.user_info().await.unwrap().id, bob.uuid);
    astakos.get_client("bob-token").await.unwrap();
    let posts = emu
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/tokens"))
        .count();
    assert_eq!(posts, 1);
    assert!(astakos.get_client("wrong-token").await.is_err());
}
