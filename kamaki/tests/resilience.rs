//! The base client through the emulator's injected faults: dropped
//! connections, replies cut halfway, stalled replies, random error storms.

use std::time::Duration;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::{Client, ClientError, RetryPolicy};
use synnefo_emu::{Emulator, FaultConfig, Injected};

const TOKEN: &str = "resilience-token";

/// An OAuth2 access token of the emulator's user: what `validate_token`
/// checks (a user's API token is unknown to it, as in Synnefo).
fn access(emu: &Emulator) -> String {
    emu.issue_access_token(&emu.user().uuid, "")
}

async fn emulator() -> Emulator {
    Emulator::builder()
        .user("r@example.com", TOKEN)
        .start()
        .await
        .unwrap()
}

fn client(emu: &Emulator, retries: u32, read_timeout: Duration) -> AstakosClient {
    Client::builder(&emu.auth_url())
        .token(TOKEN)
        .read_timeout(read_timeout)
        .retry(RetryPolicy {
            max_retries: retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        })
        .build_service()
        .unwrap()
}

fn injected(emu: &Emulator) -> Vec<Option<Injected>> {
    emu.requests().iter().map(|r| r.injected).collect()
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get() {
    let emu = emulator().await;
    let astakos = client(&emu, 2, Duration::from_secs(5));
    emu.plan_fault(1, Injected::ResetBefore, Some("/tokens/"));
    let info = astakos
        .validate_token(&access(&emu), None)
        .await
        .expect("the retry succeeds");
    assert_eq!(info.access.user.unwrap().id, emu.user().uuid);
    assert_eq!(injected(&emu), vec![Some(Injected::ResetBefore), None]);
}

#[tokio::test]
async fn a_reply_cut_halfway_is_retried_for_a_get_and_reported_for_a_post() {
    let emu = emulator().await;
    let astakos = client(&emu, 2, Duration::from_secs(5));
    emu.plan_fault(1, Injected::ResetMidBody, Some("/tokens/"));
    astakos
        .validate_token(&access(&emu), None)
        .await
        .expect("the retry succeeds");
    assert_eq!(injected(&emu), vec![Some(Injected::ResetMidBody), None]);

    emu.clear_requests();
    emu.plan_fault(1, Injected::ResetMidBody, Some("/tokens"));
    let err = astakos.authenticate().await.unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert_eq!(
        emu.requests().len(),
        1,
        "a POST that reached the server is not resent"
    );
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_stalled_reply_times_out_and_is_retried() {
    let emu = emulator().await;
    let astakos = client(&emu, 1, Duration::from_millis(300));
    emu.plan_fault(
        1,
        Injected::Stall(Duration::from_secs(10)),
        Some("/tokens/"),
    );
    astakos
        .validate_token(&access(&emu), None)
        .await
        .expect("the retry succeeds");
    assert_eq!(
        injected(&emu),
        vec![Some(Injected::Stall(Duration::from_secs(10))), None]
    );

    let no_retry = client(&emu, 0, Duration::from_millis(300));
    emu.plan_fault(
        1,
        Injected::Stall(Duration::from_secs(10)),
        Some("/tokens/"),
    );
    let err = no_retry
        .validate_token(&access(&emu), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Timeout { .. } | ClientError::Transport { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn gets_survive_a_storm_of_random_faults() {
    let emu = emulator().await;
    emu.set_faults(Some(FaultConfig {
        seed: 42,
        error_rate: 0.3,
        reset_rate: 0.1,
        mid_body_reset_rate: 0.1,
        path_contains: Some("/tokens/".into()),
        ..FaultConfig::default()
    }));
    let astakos = client(&emu, 10, Duration::from_secs(5));
    for _ in 0..30 {
        astakos
            .validate_token(&access(&emu), None)
            .await
            .expect("retries get through");
    }
    // validate_token carries the token in its path: errors and logs cut it out.
    emu.fail_next(11, 500, Some("/tokens/")); // one try and ten retries
    let checked = access(&emu);
    let err = astakos.validate_token(&checked, None).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&checked), "{err:?}");
    assert!(format!("{err:?}").contains("tokens/..."), "{err:?}");
    let faults = injected(&emu).iter().filter(|f| f.is_some()).count();
    assert!(faults >= 5, "the storm did happen: {faults} faults");
    emu.set_faults(None);
    emu.clear_requests();
    astakos.validate_token(&access(&emu), None).await.unwrap();
    assert_eq!(injected(&emu), vec![None]);
}

#[tokio::test]
async fn a_total_timeout_bounds_a_request_with_all_its_retries() {
    let emu = emulator().await;
    let bounded = |total: Duration| -> AstakosClient {
        Client::builder(&emu.auth_url())
            .token(TOKEN)
            .retry(RetryPolicy {
                max_retries: 100,
                initial_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_millis(200),
            })
            .total_timeout(total)
            .build_service()
            .unwrap()
    };
    // A storm of 503s: a hundred retries would take 10 to 20 s; the bound
    // ends it with the last answer once the next wait would pass it.
    emu.fail_next(1000, 503, Some("/tokens/"));
    let err = bounded(Duration::from_secs(1))
        .validate_token(&access(&emu), None)
        .await
        .unwrap_err();
    assert!(
        err.status() == 503 || matches!(err, ClientError::Timeout { .. }),
        "{err:?}"
    );
    let tries = emu.requests().len();
    // Waits of 100 to 200 ms within 1 s: at most 10 retries.
    assert!((1..=11).contains(&tries), "{tries} tries");

    // A stalled reply: the read timeout (60 s) is far; the bound is not.
    emu.fail_next(0, 503, None);
    emu.plan_fault(
        1,
        Injected::Stall(Duration::from_secs(30)),
        Some("/tokens/"),
    );
    let total = Duration::from_millis(300);
    let err = bounded(total)
        .validate_token(&access(&emu), None)
        .await
        .unwrap_err();
    match err {
        ClientError::Timeout { url, after } => {
            assert_eq!(after, Some(total));
            assert!(!url.contains(TOKEN), "{url}");
        }
        other => panic!("expected a timeout: {other:?}"),
    }
}

#[tokio::test]
async fn a_head_whose_connection_drops_fails_and_is_retried() {
    let emu = emulator().await;
    let account = format!(
        "{}/{}",
        emu.endpoint_url("object-store").unwrap(),
        emu.user().uuid
    );
    let client = |retries| {
        Client::builder(&account)
            .token(TOKEN)
            .retry(RetryPolicy {
                max_retries: retries,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
            })
            .build()
            .unwrap()
    };
    // A HEAD has no body to cut: the connection is dropped before the
    // headers, and the client must not take that for an answer.
    for fault in [Injected::ResetBefore, Injected::ResetMidBody] {
        emu.clear_requests();
        emu.plan_fault(1, fault, Some("/pithos/"));
        let err = client(0).head("").success(&[204]).send().await.unwrap_err();
        assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
        emu.plan_fault(1, fault, Some("/pithos/"));
        let reply = client(1).head("").success(&[204]).send().await.unwrap();
        assert!(reply.header("x-account-container-count").is_some());
        assert_eq!(injected(&emu), vec![Some(fault), Some(fault), None]);
    }
}
