//! kamaki's process-wide TLS switches (`kamaki.clients.utils.https`): they
//! apply to every client made after they are set.

use pyo3::prelude::*;

use crate::errors::to_py;

/// Trusts the CA certificates of the PEM bundle at `ca_file`; a file that
/// cannot be read, or holds no certificate, raises `ClientError` at once.
/// `None` goes back to the default CAs.
#[pyfunction]
pub(crate) fn patch_with_certs(py: Python<'_>, ca_file: Option<&str>) -> PyResult<()> {
    match ca_file {
        Some(ca_file) => {
            kamaki::clients::utils::https::patch_with_certs(ca_file).map_err(|e| to_py(py, e))
        }
        None => {
            kamaki::clients::utils::https::patch_default_certs();
            Ok(())
        }
    }
}

/// Accepts any server certificate (`True`, insecure), or verifies them
/// again (`False`).
#[pyfunction]
#[pyo3(signature = (insecure = true))]
pub(crate) fn patch_ignore_ssl(insecure: bool) {
    if insecure {
        kamaki::clients::utils::https::patch_ignore_ssl();
    } else {
        kamaki::clients::utils::https::patch_verify_ssl();
    }
}

/// The settings in force: `(ca_file or None, insecure)`.
#[pyfunction]
pub(crate) fn tls_settings() -> (Option<String>, bool) {
    let settings = kamaki::clients::utils::https::global_settings();
    (
        settings.ca_certs.map(|p| p.display().to_string()),
        settings.insecure,
    )
}
