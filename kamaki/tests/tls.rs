//! TLS against the emulator served over HTTPS with a CA made in the test:
//! refused without the CA, accepted with it (per client or process-wide),
//! accepted insecurely only on explicit opt-in; wrong host names and
//! expired certificates refused.
//!
//! The process-wide switches are global, so every step that touches them is
//! in one test function, run in order.

use std::path::PathBuf;

use kamaki::clients::astakos::AstakosClient;
use kamaki::clients::utils::https;
use kamaki::clients::{Client, ClientError, RetryPolicy};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use synnefo_emu::Emulator;

const TOKEN: &str = "tls-token";

struct Pki {
    ca_path: PathBuf,
    issuer: Issuer<'static, KeyPair>,
}

fn make_ca(dir: &std::path::Path) -> Pki {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "kamaki test CA");
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, cert.pem()).unwrap();
    Pki {
        ca_path,
        issuer: Issuer::new(params, key),
    }
}

/// A server certificate for `names`, signed by the CA; `expired` makes one
/// whose validity ended in 2001.
fn leaf(pki: &Pki, names: &[&str], expired: bool) -> (String, String) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    if expired {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    }
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &pki.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

async fn https_emulator(cert: (String, String)) -> Emulator {
    Emulator::builder()
        .user("tls@example.com", TOKEN)
        .tls(cert.0, cert.1)
        .start()
        .await
        .expect("HTTPS emulator starts")
}

fn client(
    emu: &Emulator,
    configure: impl FnOnce(kamaki::clients::ClientBuilder) -> kamaki::clients::ClientBuilder,
) -> AstakosClient {
    configure(
        Client::builder(&emu.auth_url())
            .token(TOKEN)
            .retry(RetryPolicy::never()),
    )
    .build_service()
    .unwrap()
}

fn assert_tls_refused(result: kamaki::clients::Result<impl std::fmt::Debug>, what: &str) -> String {
    match result {
        Err(ClientError::Tls { message, .. }) => message,
        other => panic!("{what}: expected a TLS error, got {other:?}"),
    }
}

#[tokio::test]
async fn tls_verification() {
    let dir = std::env::temp_dir().join(format!("kamaki-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pki = make_ca(&dir);
    let good = https_emulator(leaf(&pki, &["127.0.0.1", "localhost"], false)).await;
    assert!(good.auth_url().starts_with("https://127.0.0.1:"));

    // 1. Unknown CA: refused, with a message that says what to do.
    let err = client(&good, |b| b).authenticate().await.unwrap_err();
    assert!(err.to_string().contains("patch_with_certs"), "{err}");
    let message = assert_tls_refused(Err::<(), _>(err), "unknown CA");
    assert!(
        message.to_lowercase().contains("unknown") || message.contains("issuer"),
        "{message}"
    );

    // 2. The CA given to one client: accepted, for that client only.
    let with_ca = client(&good, |b| b.ca_certs(&pki.ca_path));
    let info = with_ca
        .authenticate()
        .await
        .expect("trusted through the builder");
    assert_eq!(info.access.user.unwrap().name.as_deref(), Some("Tls"));
    let err = client(&good, |b| b).authenticate().await;
    assert_tls_refused(err, "another client without the CA");

    // 3. The CA patched in process-wide: every new client trusts it.
    https::patch_with_certs(&pki.ca_path).expect("the bundle is readable");
    let patched = AstakosClient::new(&good.auth_url(), TOKEN).unwrap();
    patched
        .authenticate()
        .await
        .expect("trusted through patch_with_certs");

    // 4. Even with the CA, a certificate for another host is refused ...
    let wrong_host = https_emulator(leaf(&pki, &["cloud.example.org"], false)).await;
    let message = assert_tls_refused(
        client(&wrong_host, |b| b).authenticate().await,
        "wrong host",
    );
    assert!(message.to_lowercase().contains("name"), "{message}");
    // ... and so is an expired one.
    let expired = https_emulator(leaf(&pki, &["127.0.0.1"], true)).await;
    let message = assert_tls_refused(client(&expired, |b| b).authenticate().await, "expired");
    assert!(message.to_lowercase().contains("expired"), "{message}");

    // 5. Insecure only on explicit opt-in: per client ...
    let other_dir = dir.join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let other_pki = make_ca(&other_dir);
    let stranger = https_emulator(leaf(&other_pki, &["127.0.0.1"], false)).await;
    assert_tls_refused(
        client(&stranger, |b| b).authenticate().await,
        "untrusted before opt-in",
    );
    client(&stranger, |b| b.danger_accept_invalid_certs(true))
        .authenticate()
        .await
        .expect("accepted with the per-client opt-in");
    // ... or process-wide, until turned back off.
    https::patch_ignore_ssl();
    AstakosClient::new(&stranger.auth_url(), TOKEN)
        .unwrap()
        .authenticate()
        .await
        .expect("accepted after patch_ignore_ssl");
    https::patch_verify_ssl();
    assert_tls_refused(
        AstakosClient::new(&stranger.auth_url(), TOKEN)
            .unwrap()
            .authenticate()
            .await,
        "after patch_verify_ssl",
    );

    // A bundle that cannot be read is reported at once.
    let err = https::patch_with_certs(dir.join("missing.pem")).unwrap_err();
    assert!(matches!(err, ClientError::Config(_)), "{err:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
