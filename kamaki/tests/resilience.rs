//! The base client through the emulator's injected faults: dropped
//! connections, replies cut halfway, stalled replies, random error storms.

use std::time::Duration;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::{Client, ClientError, RetryPolicy};
use synnefo_emu::{Emulator, FaultConfig, Injected};

const TOKEN: &str = "resilience-token";

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
        .validate_token(TOKEN, None)
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
        .validate_token(TOKEN, None)
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
        .validate_token(TOKEN, None)
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
    let err = no_retry.validate_token(TOKEN, None).await.unwrap_err();
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
            .validate_token(TOKEN, None)
            .await
            .expect("retries get through");
    }
    // validate_token carries the token in its path: errors and logs cut it out.
    emu.fail_next(11, 500, Some("/tokens/")); // one try and ten retries
    let err = astakos.validate_token(TOKEN, None).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains(TOKEN), "{err:?}");
    let faults = injected(&emu).iter().filter(|f| f.is_some()).count();
    assert!(faults >= 5, "the storm did happen: {faults} faults");
    emu.set_faults(None);
    emu.clear_requests();
    astakos.validate_token(TOKEN, None).await.unwrap();
    assert_eq!(injected(&emu), vec![None]);
}
