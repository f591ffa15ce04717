//! The clients of Cyclades, Synnefo's compute, network and block storage
//! service, with Synnefo's extensions of the OpenStack APIs (kamaki's
//! `kamaki.clients.cyclades`).
//!
//! Each is its OpenStack client plus the extensions, as in Python kamaki
//! where the Cyclades classes inherit the OpenStack ones: a
//! [`CycladesComputeClient`] dereferences to a
//! [`ComputeClient`](crate::clients::compute::ComputeClient), so every
//! compute method works on it, and where Cyclades differs (`create_server`,
//! `start_server`, `shutdown_server`, `list_tags`...) its own method is the
//! one called. The same holds for [`CycladesNetworkClient`] over
//! [`NetworkClient`](crate::clients::network::NetworkClient) and
//! [`CycladesBlockStorageClient`] over
//! [`BlockStorageClient`](crate::clients::blockstorage::BlockStorageClient).
//! The REST calls Cyclades adds (stats, diagnostics, volume attachments,
//! its volume creation and actions) are in [`rest_api`].
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use kamaki::clients::compute::CreateServerOptions;
//! use kamaki::clients::cyclades::CycladesComputeClient;
//! use kamaki::clients::wait::WaitOptions;
//! let cyclades = CycladesComputeClient::new("https://cloud.example.org/compute/v2.0", "my-token")?;
//! let server = cyclades
//!     .create_server("web", "1", "image-uuid", &CreateServerOptions::default())
//!     .await?;
//! let server = cyclades
//!     .wait_server_until(&server.id, "ACTIVE", WaitOptions::default(), |_| {})
//!     .await?;
//! println!("{} is {} at {:?}", server.name, server.status, server.ipv4_addresses());
//! # Ok(()) }
//! ```

mod blockstorage;
mod compute;
mod models;
mod network;
mod options;
pub mod rest_api;

pub use blockstorage::CycladesBlockStorageClient;
pub use compute::CycladesComputeClient;
pub use models::*;
pub use network::CycladesNetworkClient;
pub use options::*;

/// kamaki's old name of [`CycladesComputeClient`].
pub type CycladesClient = CycladesComputeClient;

/// Implements what every Cyclades client has: the catalog constants,
/// `new`, [`Service`](crate::clients::Service), and dereferencing to the
/// OpenStack client it extends.
macro_rules! extends {
    ($name:ident, $field:ident, $base:ty, $as_base:ident) => {
        impl $name {
            /// The service type in the Astakos catalog.
            pub const SERVICE_TYPE: &'static str = <$base>::SERVICE_TYPE;
            /// The version appended to an endpoint URL that names none.
            pub const DEFAULT_API_VERSION: &'static str = <$base>::DEFAULT_API_VERSION;

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

            /// The OpenStack client this one extends, for its methods that
            /// this one overrides.
            pub fn $as_base(&self) -> &$base {
                &self.$field
            }
        }

        impl $crate::clients::Service for $name {
            const SERVICE_TYPE: &'static str = <$base>::SERVICE_TYPE;
            const DEFAULT_API_VERSION: Option<&'static str> = Some(<$base>::DEFAULT_API_VERSION);
            fn from_client(client: $crate::clients::Client) -> Self {
                $name {
                    $field: <$base as $crate::clients::Service>::from_client(client),
                }
            }
            fn client(&self) -> &$crate::clients::Client {
                $crate::clients::Service::client(&self.$field)
            }
        }

        impl std::ops::Deref for $name {
            type Target = $base;
            fn deref(&self) -> &$base {
                &self.$field
            }
        }

        impl From<$base> for $name {
            fn from($field: $base) -> Self {
                $name { $field }
            }
        }
    };
}
use extends;
