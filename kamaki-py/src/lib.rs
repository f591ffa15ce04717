//! The native core of `kamaki-rs`, kamaki's client library on Python 3.
//!
//! Python imports this crate as `kamaki._native`. It holds what is not
//! Python's to do: HTTP (connection pools, TLS, retries, the token kept out
//! of logs and errors), and the Pithos transfer engine of the `kamaki`
//! crate (blocks hashed on threads, sent and fetched in parallel, verified).
//! The classes a kamaki user knows (`PithosClient`, `CycladesComputeClient`,
//! ...) are Python, in `python/kamaki/`, and call this module; every call
//! releases the interpreter lock while it waits on the network or the disk.

mod endpoint;
mod errors;
mod progress;
mod runtime;
mod tls;
mod transfers;

use pyo3::prelude::*;

/// The `kamaki._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<endpoint::Endpoint>()?;
    m.add_function(wrap_pyfunction!(tls::patch_with_certs, m)?)?;
    m.add_function(wrap_pyfunction!(tls::patch_ignore_ssl, m)?)?;
    m.add_function(wrap_pyfunction!(tls::tls_settings, m)?)?;
    m.add_function(wrap_pyfunction!(transfers::upload, m)?)?;
    m.add_function(wrap_pyfunction!(transfers::download, m)?)?;
    m.add_function(wrap_pyfunction!(transfers::download_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(transfers::stream_down, m)?)?;
    m.add_function(wrap_pyfunction!(transfers::upload_tree, m)?)?;
    m.add_function(wrap_pyfunction!(transfers::download_tree, m)?)?;
    m.add("USER_AGENT", kamaki::defaults::USER_AGENT)?;
    Ok(())
}
