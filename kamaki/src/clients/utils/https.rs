//! TLS settings: which certificate authorities are trusted.
//!
//! As in kamaki, two process-wide switches apply to every client built after
//! they are set: [`patch_with_certs`] names the CA bundle to trust and
//! [`patch_ignore_ssl`] turns verification off (an explicit, insecure opt-in).
//! A client can also carry its own settings through
//! [`ClientBuilder`](crate::clients::ClientBuilder).
//!
//! Unlike Python kamaki, the server's host name is verified too.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;

use crate::clients::{ClientError, Result};

/// Which CAs a connection trusts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TlsSettings {
    /// A PEM bundle of trusted CA certificates; `None` means the default
    /// ([`crate::defaults::CACERTS_DEFAULT_PATH`], else the platform store).
    pub ca_certs: Option<PathBuf>,
    /// Accept any certificate. Insecure: only for tests and explicit opt-in.
    pub insecure: bool,
}

static GLOBAL: RwLock<TlsSettings> = RwLock::new(TlsSettings {
    ca_certs: None,
    insecure: false,
});

/// Trusts the CA certificates of the PEM bundle at `ca_file`, for every
/// client built from now on that does not set its own (kamaki's
/// `https.patch_with_certs`).
///
/// The file is read at once, so that a wrong path is reported here.
pub fn patch_with_certs(ca_file: impl AsRef<Path>) -> Result<()> {
    let path = ca_file.as_ref().to_path_buf();
    read_bundle(&path)?;
    let mut global = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    global.ca_certs = Some(path);
    Ok(())
}

/// Undoes [`patch_with_certs`]: clients built from now on trust the default
/// CAs again.
pub fn patch_default_certs() {
    let mut global = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    global.ca_certs = None;
}

/// Turns certificate verification off for every client built from now on
/// that does not set its own: any server certificate is accepted.
///
/// This is insecure (anyone on the path can read and change the traffic); it
/// exists for test clouds with self-signed certificates, as kamaki's
/// `patch_ignore_ssl`. [`patch_verify_ssl`] turns verification back on.
pub fn patch_ignore_ssl() {
    let mut global = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    global.insecure = true;
}

/// Undoes [`patch_ignore_ssl`]: certificates are verified again.
pub fn patch_verify_ssl() {
    let mut global = GLOBAL.write().unwrap_or_else(|e| e.into_inner());
    global.insecure = false;
}

/// The process-wide settings now in force.
pub fn global_settings() -> TlsSettings {
    GLOBAL.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The crypto provider of every connection (ring: no C toolchain beyond cc).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads the certificates of a PEM bundle; an unreadable file or one without
/// certificates is a configuration error that names the file.
fn read_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let iter = CertificateDer::pem_file_iter(path).map_err(|e| {
        ClientError::Config(format!("cannot read CA bundle {}: {e}", path.display()))
    })?;
    let certs = iter
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| ClientError::Config(format!("invalid CA bundle {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ClientError::Config(format!(
            "CA bundle {} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The trusted roots for `settings`.
fn root_store(settings: &TlsSettings) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    let bundle = settings
        .ca_certs
        .as_deref()
        .or(*crate::defaults::CACERTS_DEFAULT_PATH);
    match bundle {
        Some(path) => {
            let (_added, _ignored) = roots.add_parsable_certificates(read_bundle(path)?);
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (_added, _ignored) = roots.add_parsable_certificates(found.certs);
        }
    }
    if roots.is_empty() {
        return Err(ClientError::Config(
            "no trusted CA certificate found: give a CA bundle (patch_with_certs / --ca-certs)"
                .into(),
        ));
    }
    Ok(roots)
}

/// Builds the rustls configuration for `settings`.
pub(crate) fn client_config(settings: &TlsSettings) -> Result<rustls::ClientConfig> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Config(format!("TLS setup failed: {e}")))?;
    let config = if settings.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(root_store(settings)?)
            .with_no_client_auth()
    };
    Ok(config)
}

/// The verifier of [`patch_ignore_ssl`]: any certificate passes, though the
/// handshake signatures are still checked.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_bundle_is_a_clear_config_error() {
        let err = read_bundle(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(matches!(err, ClientError::Config(ref m) if m.contains("/nonexistent/ca.pem")));
        let dir = std::env::temp_dir().join(format!("kamaki-empty-ca-{}", std::process::id()));
        std::fs::write(&dir, "not a certificate\n").unwrap();
        let err = read_bundle(&dir).unwrap_err();
        let _ = std::fs::remove_file(&dir);
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
    }

    #[test]
    fn insecure_config_builds_without_roots() {
        let settings = TlsSettings {
            ca_certs: Some("/nonexistent".into()),
            insecure: true,
        };
        assert!(client_config(&settings).is_ok());
    }
}
