//! # kamaki: the client of the Synnefo cloud, in Rust
//!
//! Full, typed coverage of the Synnefo APIs, with the names a user of the
//! Python kamaki knows: Astakos identity ([`clients::astakos::AstakosClient`]),
//! Cyclades compute, network and block storage ([`clients::cyclades`]), the
//! Image registry ([`clients::image::ImageClient`]) and Pithos object storage
//! ([`clients::pithos::PithosClient`]).
//!
//! ## Get started
//!
//! Authenticate with Astakos, find the endpoints of the services in its
//! catalog, and make clients of them, as in kamaki's own walkthrough:
//!
//! ```no_run
//! use kamaki::clients::astakos::AstakosClient;
//! use kamaki::clients::cyclades::CycladesComputeClient;
//! use kamaki::clients::pithos::PithosClient;
//! use kamaki::clients::utils::https;
//!
//! # async fn walkthrough() -> kamaki::clients::Result<()> {
//! const AUTHENTICATION_URL: &str = "https://accounts.example.org/identity/v2.0";
//! const TOKEN: &str = "User-Token";
//!
//! // Trust the cloud's CA when the system has no bundle of its own.
//! if kamaki::defaults::CACERTS_DEFAULT_PATH.is_none() {
//!     https::patch_with_certs("/path/to/ca-certificates.crt")?;
//! }
//!
//! let astakos = AstakosClient::new(AUTHENTICATION_URL, TOKEN)?;
//! let compute_url = astakos.get_endpoint_url(CycladesComputeClient::SERVICE_TYPE).await?;
//! let pithos_url = astakos.get_endpoint_url(PithosClient::SERVICE_TYPE).await?;
//! let cyclades_compute = CycladesComputeClient::new(&compute_url, TOKEN)?;
//! let pithos = PithosClient::new(&pithos_url, TOKEN)?;
//! # let _ = (cyclades_compute, pithos);
//! # Ok(()) }
//! ```
//!
//! `cargo run --example get_started` runs this against an embedded Synnefo
//! emulator (the `synnefo-emu` crate), or against a real cloud when
//! `AUTHENTICATION_URL` and `TOKEN` are set.
//!
//! ## Errors, retries, logs
//!
//! Every call returns [`clients::Result`]; errors are [`clients::ClientError`]
//! (also exported as [`Error`]), which keeps the HTTP status, the server's
//! message and details. Idempotent requests are retried on connection errors,
//! timeouts and 408/429/500/502/503/504 with exponential backoff and jitter
//! ([`clients::RetryPolicy`]). Each request is logged at `debug` level
//! through `tracing` (targets `kamaki::clients::send` and `::recv`); the
//! token shows as `...` unless a client is built with `log_token(true)`.

#![warn(missing_docs)]

pub mod clients;
pub mod defaults;

pub use clients::{ClientError as Error, Result};
