//! The client of Pithos, Synnefo's object storage (kamaki's
//! `PithosClient`): accounts, containers, objects, sharing, versions, and the
//! parallel, deduplicating block transfers.
//!
//! Where things are:
//! * [`rest_api`]: the REST verbs (`account_head` ... `object_delete`), one
//!   options struct each;
//! * `account.rs`, `container.rs`, `object.rs`: kamaki's high-level calls;
//! * [`hashmap`]: block hashing and the Merkle object hash;
//! * `transfer.rs`: the shared parallel engine (hashing on every core,
//!   bounded in-flight blocks), `upload.rs` and `download.rs` on top of it;
//! * [`progress`]: progress callbacks.
//!
//! ```no_run
//! # async fn f() -> kamaki::clients::Result<()> {
//! use kamaki::clients::pithos::{DownloadOptions, PithosClient, UploadOptions};
//! let pithos = PithosClient::new("https://cloud.example.org/pithos/object-store/v1", "token")?
//!     .with_account("user-uuid")
//!     .with_container("pithos");
//! pithos.upload_object("disk.img", std::path::Path::new("disk.img"), &UploadOptions::default()).await?;
//! pithos.download_object("disk.img", "copy.img", &DownloadOptions::default()).await?;
//! # Ok(()) }
//! ```

mod account;
mod buffers;
mod container;
mod download;
pub mod hashmap;
mod limits;
mod models;
mod object;
mod paging;
pub mod progress;
pub mod rest_api;
mod transfer;
mod tree;
mod upload;

pub use download::{
    parse_ranges, DownloadOptions, DownloadReport, DEFAULT_MEMORY_LIMIT, PARTIAL_SUFFIX,
};
pub use hashmap::HashAlgorithm;
pub use models::*;
pub use object::{public_url, CopyOptions, HashmapOptions, ObjectWriteOptions};
pub use progress::{progress_fn, Progress, ProgressFn};
pub use rest_api::*;
pub use transfer::{BlockSource, UploadSource};
pub use tree::{
    ContentTypeFn, TreeEvent, TreeEventFn, TreeEventKind, TreeOptions, TreeReport, DIRECTORY_TYPE,
};
pub use upload::{ContainerInfoCache, UploadOptions};

use crate::clients::storage::StorageClient;
use crate::clients::{Client, Result, Service, Token};

/// Client of Pithos, Synnefo's object storage.
///
/// It is a [`StorageClient`] (every call of it is available through
/// `Deref`, and the `account` and `container` fields are its), with the
/// Pithos calls on top; where both have a call of the same name, as in
/// kamaki, the Pithos one is used.
#[derive(Clone, Debug)]
pub struct PithosClient {
    storage: StorageClient,
}

impl Service for PithosClient {
    const SERVICE_TYPE: &'static str = "object-store";
    const DEFAULT_API_VERSION: Option<&'static str> = Some("1");

    fn from_client(client: Client) -> Self {
        PithosClient {
            storage: StorageClient::from_client(client),
        }
    }

    fn client(&self) -> &Client {
        self.storage.client()
    }
}

impl std::ops::Deref for PithosClient {
    type Target = StorageClient;
    fn deref(&self) -> &StorageClient {
        &self.storage
    }
}

impl std::ops::DerefMut for PithosClient {
    fn deref_mut(&mut self) -> &mut StorageClient {
        &mut self.storage
    }
}

impl PithosClient {
    /// The service type in the Astakos catalog.
    pub const SERVICE_TYPE: &'static str = "object-store";
    /// The version appended to an endpoint URL that names none.
    pub const DEFAULT_API_VERSION: &'static str = "1";

    /// A client of `endpoint_url` sending `token`; an unversioned URL gets
    /// `/v1` appended. Set the account (the user's uuid) and the container
    /// before calling: [`PithosClient::with_account`].
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self> {
        Client::builder(endpoint_url).token(token).build_service()
    }

    /// This client for `account`.
    #[must_use]
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.storage.set_account(account);
        self
    }

    /// This client for `container`.
    #[must_use]
    pub fn with_container(mut self, container: impl Into<String>) -> Self {
        self.storage.set_container(container);
        self
    }

    /// The same client for another account (kamaki's
    /// `use_alternative_account`): to work in a container another user
    /// shares with this one.
    #[must_use]
    pub fn use_alternative_account(&self, account: impl Into<String>) -> Self {
        self.clone().with_account(account)
    }

    /// The same client for another container (or the client's own, when
    /// `None`).
    pub(crate) fn for_container(&self, container: Option<&str>) -> Self {
        match container {
            Some(c) if !c.is_empty() => self.clone().with_container(c),
            _ => self.clone(),
        }
    }

    /// The storage client underneath.
    pub fn storage(&self) -> &StorageClient {
        &self.storage
    }

    /// The URL of `obj`, for messages.
    pub(crate) fn object_url(&self, obj: &str) -> String {
        let path = self.object_path(obj).unwrap_or_else(|_| obj.to_string());
        format!("{}{path}", self.endpoint_url())
    }
}
