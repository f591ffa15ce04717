//! How a client is configured: the builder and the shared connection pools
//! (the retry policy it takes is in `retry.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clients::retry::RetryPolicy;
use crate::clients::utils::https::{self, TlsSettings};
use crate::clients::{Client, ClientError, ClientInner, Result, Service, Token};

/// Settings of the HTTP transport; clients with equal settings share one
/// connection pool.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct PoolKey {
    tls: TlsSettings,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    user_agent: String,
}

/// One `reqwest::Client` (one pool of connections) per distinct transport.
static POOLS: Mutex<Option<HashMap<PoolKey, reqwest::Client>>> = Mutex::new(None);

fn shared_http(key: PoolKey) -> Result<reqwest::Client> {
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    let pools = pools.get_or_insert_with(HashMap::new);
    if let Some(client) = pools.get(&key) {
        return Ok(client.clone());
    }
    let tls = https::client_config(&key.tls)?;
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(key.connect_timeout)
        .user_agent(key.user_agent.clone())
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60));
    if let Some(read_timeout) = key.read_timeout {
        builder = builder.read_timeout(read_timeout);
    }
    let client = builder
        .build()
        .map_err(|e| ClientError::Config(format!("cannot build the HTTP client: {e}")))?;
    pools.insert(key, client.clone());
    Ok(client)
}

/// Builds a [`Client`] (or a service client) with settings of its own.
///
/// ```no_run
/// # async fn f() -> kamaki::clients::Result<()> {
/// use std::time::Duration;
/// use kamaki::clients::{Client, RetryPolicy};
/// use kamaki::clients::pithos::PithosClient;
///
/// let pithos: PithosClient = Client::builder("https://cloud.example.org/pithos/object-store/v1")
///     .token("my-token")
///     .ca_certs("/etc/ssl/my-cloud-ca.pem")
///     .read_timeout(Duration::from_secs(30))
///     .retry(RetryPolicy { max_retries: 5, ..RetryPolicy::default() })
///     .concurrency(8)
///     .build_service()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ClientBuilder {
    endpoint_url: String,
    token: Option<Token>,
    ca_certs: Option<PathBuf>,
    insecure: Option<bool>,
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    retry: RetryPolicy,
    concurrency: usize,
    user_agent: String,
    log_token: bool,
}

impl ClientBuilder {
    pub(crate) fn new(endpoint_url: &str) -> Self {
        ClientBuilder {
            endpoint_url: endpoint_url.to_string(),
            token: None,
            ca_certs: None,
            insecure: None,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Some(Duration::from_secs(60)),
            timeout: None,
            total_timeout: None,
            retry: RetryPolicy::default(),
            concurrency: default_concurrency(),
            user_agent: crate::defaults::USER_AGENT.to_string(),
            log_token: false,
        }
    }

    /// The same settings as `client`, for another endpoint.
    pub fn from_client(client: &Client, endpoint_url: &str) -> Self {
        let inner = &client.inner;
        ClientBuilder {
            endpoint_url: endpoint_url.to_string(),
            token: inner.token.clone(),
            ca_certs: inner.tls.ca_certs.clone(),
            insecure: Some(inner.tls.insecure),
            connect_timeout: inner.connect_timeout,
            read_timeout: inner.read_timeout,
            timeout: inner.timeout,
            total_timeout: inner.total_timeout,
            retry: inner.retry.clone(),
            concurrency: inner.concurrency,
            user_agent: inner.user_agent.clone(),
            log_token: inner.log_token,
        }
    }

    /// The token sent as `X-Auth-Token` (none by default).
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Trusts the CAs of this PEM bundle instead of the process-wide ones.
    pub fn ca_certs(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_certs = Some(path.into());
        self
    }

    /// Accepts any server certificate (insecure; explicit opt-in), or, with
    /// `false`, verifies even if [`https::patch_ignore_ssl`] was called.
    pub fn danger_accept_invalid_certs(mut self, insecure: bool) -> Self {
        self.insecure = Some(insecure);
        self
    }

    /// How long to wait for a connection (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a reply may stay silent before the request fails (default
    /// 60 s, as kamaki's response wait); a stalled transfer is detected by it.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// A bound on each whole request, body included (none by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// A bound on each whole operation: a request with all its retries and
    /// the waits between them (none by default). When the next wait would
    /// pass it, the last failure is returned instead of waiting; an attempt
    /// still running when it passes fails with [`ClientError::Timeout`].
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// The retry policy (default: 3 retries, 200 ms doubling, 10 s cap).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How many requests a transfer keeps in flight (default: twice the
    /// cores, at least 4).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Shows the token in debug logs (kamaki's `LOG_TOKEN`); off by default.
    pub fn log_token(mut self, log_token: bool) -> Self {
        self.log_token = log_token;
        self
    }

    /// Builds a plain [`Client`]; the endpoint URL is taken as it is (no API
    /// version is appended).
    pub fn build(self) -> Result<Client> {
        self.build_with_version(None)
    }

    /// Builds a service client; an endpoint URL without a version gets the
    /// service's default version appended (`.../image` -> `.../image/v1.0`).
    pub fn build_service<S: Service>(self) -> Result<S> {
        Ok(S::from_client(
            self.build_with_version(S::DEFAULT_API_VERSION)?,
        ))
    }

    fn build_with_version(self, default_version: Option<&str>) -> Result<Client> {
        let (endpoint_url, api_version) = normalize_endpoint(&self.endpoint_url, default_version)?;
        let global = https::global_settings();
        let tls = TlsSettings {
            ca_certs: self.ca_certs.or(global.ca_certs),
            insecure: self.insecure.unwrap_or(global.insecure),
        };
        let http = shared_http(PoolKey {
            tls: tls.clone(),
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            user_agent: self.user_agent.clone(),
        })?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                endpoint_url,
                api_version,
                token: self.token,
                http,
                tls,
                connect_timeout: self.connect_timeout,
                read_timeout: self.read_timeout,
                timeout: self.timeout,
                total_timeout: self.total_timeout,
                retry: self.retry,
                concurrency: self.concurrency,
                user_agent: self.user_agent,
                log_token: self.log_token,
            }),
        })
    }
}

fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .max(4)
}

/// Checks an endpoint URL, strips trailing slashes, and appends
/// `/v<default_version>` when it carries no version (`.../v2.0`, `.../v1`).
///
/// Returns the URL and the API version it ends with.
pub(crate) fn normalize_endpoint(
    url: &str,
    default_version: Option<&str>,
) -> Result<(String, Option<String>)> {
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(ClientError::Config("the endpoint URL is empty".into()));
    }
    let parsed = url::Url::parse(trimmed)
        .map_err(|e| ClientError::Config(format!("invalid endpoint URL {trimmed:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ClientError::Config(format!(
            "invalid endpoint URL {trimmed:?}: expected http(s)://host/..."
        )));
    }
    if let Some(version) = url_version(trimmed) {
        return Ok((trimmed.to_string(), Some(version.to_string())));
    }
    match default_version {
        Some(version) => Ok((format!("{trimmed}/v{version}"), Some(version.to_string()))),
        None => Ok((trimmed.to_string(), None)),
    }
}

/// The version at the end of a URL: `2.0` for `.../v2.0`, `1` for `.../v1`.
fn url_version(url: &str) -> Option<&str> {
    let last = url.rsplit('/').next()?;
    let version = last.strip_prefix('v')?;
    let mut parts = version.splitn(2, '.');
    let major = parts.next()?;
    let minor_ok = parts
        .next()
        .is_none_or(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()));
    (!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) && minor_ok).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_detected_or_appended() {
        let n = |u, v| normalize_endpoint(u, v).unwrap();
        assert_eq!(
            n("https://h/image/", Some("1.0")),
            ("https://h/image/v1.0".into(), Some("1.0".into()))
        );
        assert_eq!(
            n("https://h/compute/v2.0", Some("2.0")),
            ("https://h/compute/v2.0".into(), Some("2.0".into()))
        );
        assert_eq!(
            n("https://h/pithos/object-store/v1//", Some("1")),
            ("https://h/pithos/object-store/v1".into(), Some("1".into()))
        );
        assert_eq!(n("http://h/x", None), ("http://h/x".into(), None));
        assert_eq!(
            n("http://h/v2.", Some("3")).0,
            "http://h/v2./v3",
            "v2. is no version"
        );
        assert_eq!(n("http://h/vx", Some("3")).0, "http://h/vx/v3");
    }

    #[test]
    fn bad_endpoints_are_config_errors() {
        for url in ["", "   ", "not a url", "ftp://h/x", "file:///tmp"] {
            assert!(
                matches!(normalize_endpoint(url, None), Err(ClientError::Config(_))),
                "{url}"
            );
        }
    }
}
