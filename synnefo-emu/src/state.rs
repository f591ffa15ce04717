//! The emulator's state, whole: its address, who may call it, the request
//! log, and each service's own state. Only the top of the crate (the router
//! in `lib.rs`, the version documents) sees all of it; each service's
//! handlers see only their service's state ([`AppState::pithos_service`] and
//! its siblings hand each its part), so no service depends on another's
//! state through here.
//!
//! Lock order, where one request takes several locks: the Cyclades data
//! (compute, then network, then volume, see [`crate::cyclades::Cloud`]),
//! then the Pithos namespace, then the image registry, then the quota book,
//! then identities; Pithos and the registry never take a Cyclades lock, and
//! no lock is held across an `.await`.

use std::sync::Arc;

use crate::account::{AccountState, AstakosService};
use crate::compute::ComputeState;
use crate::cyclades::CycladesService;
pub use crate::identity::{new_token, Component, User};
use crate::identity::{HasIdentity, Identity};
use crate::image::{ImageService, ImageState};
use crate::inject::Injector;
use crate::network::NetworkState;
use crate::oauth2::{OAuth2Service, OAuth2State};
use crate::pithos::{PithosService, PithosState};
use crate::quotas::Quotas;
use crate::storage::DataDir;
use crate::volume::VolumeState;

/// Everything the emulator holds.
#[derive(Debug)]
pub struct AppState {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: Arc<str>,
    /// The users and components, and their tokens.
    pub identity: Arc<Identity>,
    /// Request log and injected faults.
    pub injector: Arc<Injector>,
    /// Quotas of every user in every project.
    pub quotas: Arc<Quotas>,
    /// Pithos object storage.
    pub pithos: Arc<PithosState>,
    /// Cyclades compute.
    pub compute: Arc<ComputeState>,
    /// Cyclades network.
    pub network: Arc<NetworkState>,
    /// Cyclades block storage.
    pub volume: Arc<VolumeState>,
    /// The Image registry.
    pub image: Arc<ImageState>,
    /// Astakos projects, applications and memberships.
    pub account: Arc<AccountState>,
    /// Astakos' OAuth2 server.
    pub oauth2: Arc<OAuth2State>,
    /// The data dir the state is kept in, if any.
    pub data: Option<Arc<DataDir>>,
}

/// The shared state handle of the router.
pub type SharedState = Arc<AppState>;

impl AppState {
    /// State for a server at `base_url` with these users.
    pub fn new(base_url: String, users: Vec<User>) -> Self {
        AppState {
            base_url: base_url.into(),
            identity: Arc::new(Identity::new(users)),
            injector: Arc::default(),
            quotas: Arc::default(),
            pithos: Arc::default(),
            compute: Arc::default(),
            network: Arc::default(),
            volume: Arc::default(),
            image: Arc::default(),
            account: Arc::default(),
            oauth2: Arc::default(),
            data: None,
        }
    }

    /// What the Pithos handlers see.
    pub fn pithos_service(&self) -> PithosService {
        PithosService {
            base_url: self.base_url.clone(),
            identity: self.identity.clone(),
            quotas: self.quotas.clone(),
            pithos: self.pithos.clone(),
        }
    }

    /// What the Image registry's handlers see.
    pub fn image_service(&self) -> ImageService {
        ImageService {
            base_url: self.base_url.clone(),
            identity: self.identity.clone(),
            image: self.image.clone(),
            pithos: self.pithos.clone(),
        }
    }

    /// What the handlers of the three Cyclades APIs (compute, network,
    /// block storage) see.
    pub fn cyclades_service(&self) -> CycladesService {
        CycladesService {
            base_url: self.base_url.clone(),
            identity: self.identity.clone(),
            quotas: self.quotas.clone(),
            compute: self.compute.clone(),
            network: self.network.clone(),
            volume: self.volume.clone(),
            image: self.image.clone(),
            pithos: self.pithos.clone(),
        }
    }

    /// What the Astakos handlers (identity, account, projects, quotas)
    /// see.
    pub fn astakos_service(&self) -> AstakosService {
        AstakosService {
            base_url: self.base_url.clone(),
            identity: self.identity.clone(),
            quotas: self.quotas.clone(),
            account: self.account.clone(),
            oauth2: self.oauth2.clone(),
        }
    }

    /// What the OAuth2 handlers see.
    pub fn oauth2_service(&self) -> OAuth2Service {
        OAuth2Service {
            base_url: self.base_url.clone(),
            identity: self.identity.clone(),
            oauth2: self.oauth2.clone(),
        }
    }
}

impl HasIdentity for SharedState {
    fn identity(&self) -> &Identity {
        &self.identity
    }
}
