//! Shared setup of the Pithos integration tests: an emulator, a client of
//! its default user with a container, and test data.

#![allow(dead_code)]

use kamaki::clients::pithos::{ContainerPut, PithosClient};
use kamaki::clients::{Client, RetryPolicy};
use sha2::{Digest, Sha256};
use synnefo_emu::Emulator;

/// A Pithos client of `emu` for the user with this token, in `account`'s
/// `container` (created when it is the user's own).
pub async fn client_for(
    emu: &Emulator,
    token: &str,
    account: &str,
    container: &str,
) -> PithosClient {
    let url = emu
        .endpoint_url("object-store")
        .expect("the catalog lists Pithos");
    Client::builder(&url)
        .token(token)
        .retry(RetryPolicy {
            max_retries: 2,
            initial_backoff: std::time::Duration::from_millis(1),
            max_backoff: std::time::Duration::from_millis(5),
        })
        .concurrency(4)
        .build_service::<PithosClient>()
        .expect("a valid endpoint")
        .with_account(account)
        .with_container(container)
}

/// An emulator and a client of its default user in container `pithos`.
pub async fn setup() -> (Emulator, PithosClient) {
    let emu = Emulator::start().await.expect("the emulator starts");
    let user = emu.user();
    let pithos = client_for(&emu, &user.token, &user.uuid, "pithos").await;
    pithos
        .create_container(None, &ContainerPut::default())
        .await
        .expect("the container is created");
    (emu, pithos)
}

/// `len` pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut buf = vec![0u8; len];
    rng.fill(&mut buf);
    buf
}

/// The hex sha256 of `data`.
pub fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The block uploads (container `POST ?update`) among `requests`.
pub fn block_posts(requests: &[synnefo_emu::LoggedRequest]) -> usize {
    requests
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.query
                    .as_deref()
                    .is_some_and(|q| q.split('&').any(|p| p == "update"))
                && r.path.matches('/').count() == 5 // /pithos/object-store/v1/<acc>/<cont>
        })
        .count()
}

/// The ranged block GETs among `requests`.
pub fn block_gets(requests: &[synnefo_emu::LoggedRequest]) -> usize {
    requests
        .iter()
        .filter(|r| r.method == "GET" && r.header("range").is_some())
        .count()
}
