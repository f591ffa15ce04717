//! The base client: retries, logging with the token redacted, transport and
//! reply errors, request building as the emulator sees it.

#[path = "support/logs.rs"]
mod logs;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::{Client, ClientError, RetryPolicy, Service};
use synnefo_emu::Emulator;

const TOKEN: &str = "core-test-token-0123456789";

/// An OAuth2 access token of the emulator's user: what `validate_token`
/// checks (a user's API token is unknown to it, as in Synnefo).
fn access(emu: &Emulator) -> String {
    emu.issue_access_token(&emu.user().uuid, "")
}

async fn emulator() -> Emulator {
    logs::every_callsite_of_interest();
    Emulator::builder()
        .user("core@example.com", TOKEN)
        .start()
        .await
        .expect("emulator starts")
}

fn fast_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    }
}

fn astakos(emu: &Emulator, retries: u32) -> AstakosClient {
    Client::builder(&emu.auth_url())
        .token(TOKEN)
        .retry(fast_retries(retries))
        .build_service()
        .unwrap()
}

#[tokio::test]
async fn idempotent_get_is_retried_through_503s() {
    let emu = emulator().await;
    let client = astakos(&emu, 3);
    emu.fail_next(2, 503, Some("/tokens/"));
    let info = client
        .validate_token(&access(&emu), None)
        .await
        .expect("third attempt succeeds");
    assert_eq!(info.access.user.unwrap().id, emu.user().uuid);
    let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![503, 503, 200]);
}

#[tokio::test]
async fn retries_are_bounded() {
    let emu = emulator().await;
    let client = astakos(&emu, 2);
    emu.fail_next(10, 502, Some("/tokens/"));
    let err = client
        .validate_token(&access(&emu), None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 502);
    assert_eq!(emu.requests().len(), 3, "one try and two retries");
}

#[tokio::test]
async fn post_is_not_retried() {
    let emu = emulator().await;
    let client = astakos(&emu, 3);
    emu.fail_next(2, 503, Some("/tokens"));
    let err = client.authenticate().await.unwrap_err();
    assert_eq!(err.status(), 503);
    assert_eq!(emu.requests().len(), 1, "a POST is sent once");
    // The fault plan still has one failure left: the next POST meets it too.
    assert_eq!(client.authenticate().await.unwrap_err().status(), 503);
    client.authenticate().await.expect("the plan is spent");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let emu = emulator().await;
    let client = astakos(&emu, 3);
    for status in [400, 404, 409, 501] {
        emu.clear_requests();
        emu.fail_next(5, status, None);
        let err = client
            .validate_token(&access(&emu), None)
            .await
            .unwrap_err();
        assert_eq!(err.status(), status);
        assert_eq!(emu.requests().len(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn unreachable_host_is_a_transport_error() {
    // A port nothing listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client: AstakosClient = Client::builder(&format!("http://127.0.0.1:{port}/identity/v2.0"))
        .token(TOKEN)
        .retry(fast_retries(1))
        .build_service()
        .unwrap();
    let err = client.authenticate().await.unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains(TOKEN));
    assert_eq!(err.status(), 0);
}

#[tokio::test]
async fn requests_carry_token_query_and_headers_as_built() {
    let emu = emulator().await;
    let client = Client::new(&emu.auth_url(), TOKEN).unwrap();
    emu.clear_requests();
    let reply = client
        .get("tokens/some token")
        .query("belongsTo", "a b&c")
        .flag("update")
        .header("X-Custom", "yes")
        .success(&[404])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);
    let seen = &emu.requests()[0];
    assert_eq!(seen.method, "GET");
    assert!(
        seen.path.ends_with("/identity/v2.0/tokens/some%20token"),
        "{}",
        seen.path
    );
    assert_eq!(seen.query.as_deref(), Some("belongsTo=a%20b%26c&update"));
    assert_eq!(seen.header("x-auth-token"), Some(TOKEN));
    assert_eq!(seen.header("x-custom"), Some("yes"));
    assert!(seen.header("user-agent").unwrap().starts_with("kamaki-rs/"));
}

#[tokio::test]
async fn malformed_replies_are_invalid_response_errors() {
    let emu = emulator().await;
    let ui = Client::new(&format!("{}/astakos/ui", emu.url()), TOKEN).unwrap();
    let reply = ui.get("get_menu").send().await.unwrap();
    let err = reply.json::<Vec<u64>>().unwrap_err();
    assert!(
        matches!(err, ClientError::InvalidResponse { .. }),
        "{err:?}"
    );
    // A reply larger than allowed is refused, not buffered.
    let err = ui
        .get("get_services")
        .max_response_bytes(10)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("larger than the 10 bytes"),
        "{err}"
    );
    // Headers that cannot be sent are refused before anything is sent.
    let err = ui
        .get("get_menu")
        .header("X-Bad", "a\nb")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::InvalidRequest(_)), "{err:?}");
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

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn logged_authentication(emu: &Emulator, log_token: bool) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let client: AstakosClient = Client::builder(&emu.auth_url())
        .token(TOKEN)
        .log_token(log_token)
        .build_service()
        .unwrap();
    client.authenticate().await.unwrap();
    // A failing call too: its error goes through the same paths.
    let wrong = AstakosClient::new(&emu.auth_url(), format!("{TOKEN}-wrong")).unwrap();
    let err = wrong.authenticate().await.unwrap_err();
    tracing::debug!("error was: {err} / {err:?}");
    captured.text()
}

#[tokio::test]
async fn debug_log_shows_requests_but_not_the_token() {
    let emu = emulator().await;
    let log = logged_authentication(&emu, false).await;
    assert!(log.contains("POST"), "{log}");
    assert!(log.contains("/identity/v2.0/tokens"), "{log}");
    assert!(log.contains("-> 200"), "{log}");
    assert!(log.contains("elapsed_ms"), "{log}");
    assert!(log.contains("x-auth-token: ..."), "{log}");
    assert!(!log.contains(TOKEN), "token leaked into the log:\n{log}");
}

#[tokio::test]
async fn debug_log_shows_the_token_only_when_asked() {
    let emu = emulator().await;
    let log = logged_authentication(&emu, true).await;
    assert!(log.contains(&format!("x-auth-token: {TOKEN}")), "{log}");
}

#[tokio::test]
async fn service_clients_share_settings_and_debug_hides_the_token() {
    let emu = emulator().await;
    let client: AstakosClient = Client::builder(&emu.auth_url())
        .token(TOKEN)
        .concurrency(3)
        .build_service()
        .unwrap();
    let other = client
        .with_endpoint(&format!("{}/astakos/ui", emu.url()))
        .unwrap();
    assert_eq!(other.concurrency(), 3);
    assert_eq!(other.token().map(|t| t.expose()), Some(TOKEN));
    assert_eq!(client.client().endpoint_url(), emu.auth_url());
    let shown = format!("{client:?} {other:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
}
