//! Errors of the `kamaki` crate as kamaki's Python exceptions:
//! `kamaki.clients.ClientError(message, status, details)`, and
//! `KamakiSSLError` for TLS failures.

use kamaki::clients::ClientError;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// `error` as the exception kamaki raises for it. The message has kamaki's
/// shape: `<reason> <fault> (<message>)` for a Synnefo fault, `<reason>
/// <body>` for another reply, the error's text for failures with no reply.
/// It never holds the token: the `kamaki` crate leaves it out.
pub(crate) fn to_py(py: Python<'_>, error: ClientError) -> PyErr {
    let class = match &error {
        ClientError::Tls { .. } => "KamakiSSLError",
        _ => "ClientError",
    };
    let status = error.status();
    let mut details: Vec<String> = error.details().to_vec();
    if let ClientError::Http { request, .. } = &error {
        // Which request failed (the token is never in it).
        details.push(request.clone());
    }
    let message = match &error {
        ClientError::Http {
            reason,
            kind: Some(kind),
            message,
            ..
        } if !message.is_empty() => format!("{reason} {kind} ({message})"),
        ClientError::Http {
            reason,
            kind: Some(kind),
            ..
        } => format!("{reason} {kind}"),
        // An empty body leaves the reason as the message: say it once.
        ClientError::Http {
            reason, message, ..
        } if message.is_empty() || message == reason => reason.clone(),
        ClientError::Http {
            reason, message, ..
        } => format!("{reason} {message}").trim_end().to_string(),
        other => other.to_string(),
    };
    match raise(py, class, message.clone(), status, details) {
        Ok(err) => err,
        // The Python half of the package is missing or broken: still say
        // what failed.
        Err(import_error) => PyRuntimeError::new_err(format!(
            "{message} (and kamaki.clients.{class} could not be raised: {import_error})"
        )),
    }
}

fn raise(
    py: Python<'_>,
    class: &str,
    message: String,
    status: u16,
    details: Vec<String>,
) -> PyResult<PyErr> {
    let module = py.import("kamaki.clients")?;
    let instance = module.getattr(class)?.call1((message, status, details))?;
    Ok(PyErr::from_value(instance))
}
