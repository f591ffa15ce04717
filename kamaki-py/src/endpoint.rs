//! `Endpoint`: one service endpoint, its token and its connections; the
//! base every Python client sends its requests through.

use bytes::Bytes;
use kamaki::clients::{Client, Method};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::to_py;
use crate::runtime::run;

/// The most a single reply may hold in memory. kamaki reads whatever it is
/// sent; the transfer functions are the way to move large objects.
const MAX_RESPONSE_BYTES: usize = 1 << 40;

/// A reply: `(status, reason, headers, body)`, header names lower-case.
type Reply = (u16, String, Vec<(String, String)>, Py<PyBytes>);

/// A service endpoint with a token: the URL taken as it is (the Python
/// client has appended its API version), connections pooled and shared by
/// every thread using it.
#[pyclass(frozen, module = "kamaki._native")]
pub(crate) struct Endpoint {
    pub(crate) client: Client,
}

#[pymethods]
impl Endpoint {
    #[new]
    #[pyo3(signature = (url, token = None, concurrency = None))]
    fn new(
        py: Python<'_>,
        url: &str,
        token: Option<String>,
        concurrency: Option<usize>,
    ) -> PyResult<Self> {
        let mut builder = Client::builder(url);
        if let Some(token) = token {
            builder = builder.token(token);
        }
        if let Some(concurrency) = concurrency {
            builder = builder.concurrency(concurrency.max(1));
        }
        let client = builder.build().map_err(|e| to_py(py, e))?;
        Ok(Endpoint { client })
    }

    /// The endpoint URL.
    #[getter]
    fn url(&self) -> String {
        self.client.endpoint_url().to_string()
    }

    /// Sends `method path?params` with `headers` and `data`, and returns
    /// the reply if its status is one of `success`; raises `ClientError`
    /// otherwise. `path` is joined under the URL as kamaki's `path4url`
    /// does and percent-encoded; a param whose value is `None` is sent as a
    /// bare key (`?update`).
    #[pyo3(signature = (method, path, params = Vec::new(), headers = Vec::new(), data = None, success = vec![200], token = None))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        params: Vec<(String, Option<String>)>,
        headers: Vec<(String, String)>,
        data: Option<&[u8]>,
        success: Vec<u16>,
        token: Option<String>,
    ) -> PyResult<Reply> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| PyValueError::new_err(format!("{method:?} is not an HTTP method")))?;
        let mut request = self
            .client
            .request(method, path)
            .success(&success)
            .max_response_bytes(MAX_RESPONSE_BYTES);
        for (key, value) in &params {
            request = match value {
                Some(value) => request.query(key, value),
                None => request.flag(key),
            };
        }
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        if let Some(data) = data {
            request = request.body(Bytes::copy_from_slice(data));
        }
        if let Some(token) = token {
            request = request.token(token);
        }
        let reply = run(py, request.send())?;
        let reason = http::StatusCode::from_u16(reply.status())
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string();
        let headers = reply
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = PyBytes::new(py, reply.body()).unbind();
        Ok((reply.status(), reason, headers, body))
    }
}
