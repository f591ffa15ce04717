//! The clients of the Synnefo services, one module per service, at the paths
//! Python kamaki uses (`kamaki.clients.pithos.PithosClient` is
//! [`pithos::PithosClient`]).
//!
//! Every service client stands on [`Client`]: an endpoint URL, a token, and
//! a shared pool of connections; it builds requests, sends `X-Auth-Token`,
//! retries what is safe to retry, logs through `tracing` with the token
//! redacted, and turns unexpected answers into [`ClientError`]s.

mod config;
mod errors;
mod request;
mod retry;
mod token;

pub mod astakos;
pub mod blockstorage;
pub mod compute;
pub mod cyclades;
pub mod image;
pub mod network;
pub mod pithos;
pub mod storage;
pub mod utils;
pub mod wait;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use config::ClientBuilder;
pub use errors::{ClientError, Result};
pub use http::Method;
pub use request::{RequestBuilder, Response, AUTH_HEADER, DEFAULT_MAX_RESPONSE_BYTES};
pub use retry::RetryPolicy;
pub use token::Token;

use utils::https::TlsSettings;

/// The base client every service client is made of: an endpoint, a token and
/// the HTTP settings (kamaki's `kamaki.clients.Client`).
///
/// Cloning is cheap and shares the connection pool.
///
/// ```no_run
/// # async fn f() -> kamaki::clients::Result<()> {
/// use kamaki::clients::Client;
/// let client = Client::new("https://cloud.example.org/cyclades/compute/v2.0", "my-token")?;
/// let flavors: serde_json::Value = client.get("flavors").send().await?.json()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) endpoint_url: String,
    pub(crate) api_version: Option<String>,
    pub(crate) token: Option<Token>,
    pub(crate) http: reqwest::Client,
    pub(crate) tls: TlsSettings,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) concurrency: usize,
    pub(crate) user_agent: String,
    pub(crate) log_token: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint_url", &self.inner.endpoint_url)
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of `endpoint_url` (taken as it is) sending `token`.
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Client> {
        Client::builder(endpoint_url).token(token).build()
    }

    /// A builder for a client with settings of its own.
    pub fn builder(endpoint_url: &str) -> ClientBuilder {
        ClientBuilder::new(endpoint_url)
    }

    /// The endpoint URL, version included, without a trailing slash.
    pub fn endpoint_url(&self) -> &str {
        &self.inner.endpoint_url
    }

    /// The API version the endpoint URL ends with (`2.0`, `1`), if any.
    pub fn api_version(&self) -> Option<&str> {
        self.inner.api_version.as_deref()
    }

    /// The token this client sends.
    pub fn token(&self) -> Option<&Token> {
        self.inner.token.as_ref()
    }

    /// How many requests a transfer keeps in flight.
    pub fn concurrency(&self) -> usize {
        self.inner.concurrency
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The CA bundle this client trusts, if one was configured.
    pub fn ca_certs(&self) -> Option<&PathBuf> {
        self.inner.tls.ca_certs.as_ref()
    }

    /// Starts a request to `path` (relative to the endpoint).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, method, path)
    }

    /// Starts a GET.
    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    /// Starts a HEAD.
    pub fn head(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::HEAD, path)
    }

    /// Starts a POST.
    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    /// Starts a PUT.
    pub fn put(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PUT, path)
    }

    /// Starts a DELETE.
    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }

    /// A client of another endpoint with this one's token and settings.
    pub fn with_endpoint(&self, endpoint_url: &str) -> Result<Client> {
        ClientBuilder::from_client(self, endpoint_url).build()
    }
}

/// What every service client has: the catalog type it is found under, the
/// API version its endpoint gets when the URL names none, and the base
/// [`Client`] it is made of.
pub trait Service: Sized {
    /// The service type in the Astakos catalog (`compute`, `object-store`...).
    const SERVICE_TYPE: &'static str;
    /// The version appended to an unversioned endpoint URL.
    const DEFAULT_API_VERSION: Option<&'static str>;
    /// Wraps a base client.
    fn from_client(client: Client) -> Self;
    /// The base client.
    fn client(&self) -> &Client;
}

/// Defines a service client that is a base [`Client`] with a service type
/// and a default API version.
macro_rules! service_client {
    ($(#[$meta:meta])* $name:ident, $service_type:literal, $version:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $name {
            client: $crate::clients::Client,
        }

        impl $name {
            /// The service type in the Astakos catalog.
            pub const SERVICE_TYPE: &'static str = $service_type;
            /// The version appended to an endpoint URL that names none.
            pub const DEFAULT_API_VERSION: &'static str = $version;

            /// A client of `endpoint_url` sending `token`; an unversioned
            /// URL gets [`Self::DEFAULT_API_VERSION`] appended.
            pub fn new(
                endpoint_url: &str,
                token: impl Into<$crate::clients::Token>,
            ) -> $crate::clients::Result<Self> {
                $crate::clients::Client::builder(endpoint_url)
                    .token(token)
                    .build_service()
            }
        }

        impl $crate::clients::Service for $name {
            const SERVICE_TYPE: &'static str = $service_type;
            const DEFAULT_API_VERSION: Option<&'static str> = Some($version);
            fn from_client(client: $crate::clients::Client) -> Self {
                $name { client }
            }
            fn client(&self) -> &$crate::clients::Client {
                &self.client
            }
        }

        impl std::ops::Deref for $name {
            type Target = $crate::clients::Client;
            fn deref(&self) -> &Self::Target {
                &self.client
            }
        }
    };
}
pub(crate) use service_client;
