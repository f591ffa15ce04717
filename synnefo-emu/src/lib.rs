//! # synnefo-emu: a local Synnefo cloud
//!
//! A real HTTP server that speaks the Synnefo APIs as Synnefo's guides
//! describe them, on one port, with a service catalog pointing at its own
//! URLs, so that clients (this project's `kamaki`, and the Python kamaki) can
//! be run and tested with no cloud at hand.
//!
//! In a test:
//!
//! ```no_run
//! # async fn f() -> Result<(), synnefo_emu::EmuError> {
//! let emu = synnefo_emu::Emulator::start().await?;
//! println!("AUTHENTICATION_URL={} TOKEN={}", emu.auth_url(), emu.token());
//! // ... the server stops when `emu` is dropped.
//! # Ok(()) }
//! ```
//!
//! As a program: `synnefo-emu --listen 127.0.0.1:8080 [--user EMAIL:TOKEN]...
//! [--project-admin EMAIL]... [--component NAME:TOKEN]...
//! [--oauth2-client ID:SECRET[:REDIRECT_URL]]...`.

#![warn(missing_docs)]

pub mod account;
pub mod astakos;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod compute;
pub mod cyclades;
pub mod errors;
pub mod forms;
/// The old name of [`errors`], kept for code written against it.
#[deprecated(note = "renamed to `errors`, and `Fault` to `ApiError`")]
pub mod faults {
    pub use crate::errors::{ApiError as Fault, ApiResult};
}
pub mod identity;
pub mod image;
pub mod inject;
pub mod memory;
pub mod network;
pub mod oauth2;
pub mod persistence;
pub mod pithos;
pub mod quotas;
pub mod random;
pub mod rejections;
pub mod state;
pub mod storage;
pub mod tls;
pub mod versions;
pub mod volume;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::Router;

use crate::errors::ApiError;
pub use crate::inject::{FaultConfig, Injected, LoggedRequest};
pub use crate::oauth2::OAuth2Client;
use crate::state::{AppState, SharedState};
pub use crate::state::{Component, User};
use crate::storage::DataDir;

/// What can keep the emulator from starting.
#[derive(Debug, thiserror::Error)]
pub enum EmuError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TLS certificate or key is unusable.
    #[error("TLS: {0}")]
    Tls(String),
    /// A user was given wrongly.
    #[error("invalid user {0:?}: expected EMAIL:TOKEN or EMAIL:TOKEN:UUID (a uuid without \":\" or \"/\")")]
    User(String),
    /// A component (service) was given wrongly.
    #[error("invalid component {0:?}: expected NAME:TOKEN")]
    Component(String),
    /// An OAuth2 client was given wrongly.
    #[error("invalid OAuth2 client {0:?}: expected ID:SECRET or ID:SECRET:REDIRECT_URL")]
    OAuth2Client(String),
    /// A project admin was named who is not one of the users.
    #[error("project admin {0:?} is not a user: add it with --user EMAIL:TOKEN")]
    ProjectAdmin(String),
    /// The data dir cannot be used.
    #[error("{0}")]
    DataDir(#[from] storage::StorageError),
    /// Another I/O failure.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// How to start an emulator.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    /// Email, token and, when pinned, uuid of each user.
    users: Vec<(String, String, Option<String>)>,
    project_admins: Vec<String>,
    components: Vec<(String, String)>,
    oauth2_clients: Vec<OAuth2Client>,
    oauth2_token_lifetime: std::time::Duration,
    tls: Option<(Vec<u8>, Vec<u8>)>,
    public_host: Option<String>,
    faults: Option<FaultConfig>,
    action_delay: std::time::Duration,
    bare_image_listing: bool,
    header_timeout: std::time::Duration,
    body_idle_timeout: std::time::Duration,
    pithos_update_md5: bool,
    request_log: usize,
    data_dir: Option<std::path::PathBuf>,
    remove_unreferenced_blocks: bool,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            users: Vec::new(),
            project_admins: Vec::new(),
            components: Vec::new(),
            oauth2_clients: Vec::new(),
            oauth2_token_lifetime: oauth2::DEFAULT_TOKEN_LIFETIME,
            tls: None,
            public_host: None,
            faults: None,
            action_delay: compute::DEFAULT_ACTION_DELAY,
            bare_image_listing: false,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_idle_timeout: pithos::DEFAULT_BODY_IDLE_TIMEOUT,
            pithos_update_md5: false,
            request_log: inject::DEFAULT_LOG_CAPACITY,
            data_dir: None,
            remove_unreferenced_blocks: false,
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`: a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Adds a user; the first added is the default user. Without any, one
    /// default user `user@example.com` gets a fresh token.
    pub fn user(mut self, email: &str, token: &str) -> Self {
        self.users
            .push((email.to_string(), token.to_string(), None));
        self
    }

    /// Adds a user with a known uuid, as a test deployment of Synnefo has
    /// (any non-empty string without `:` or `/`: some use plain names).
    pub fn user_with_uuid(mut self, email: &str, token: &str, uuid: &str) -> Self {
        self.users
            .push((email.to_string(), token.to_string(), Some(uuid.to_string())));
        self
    }

    /// Adds a user given as `EMAIL:TOKEN` or `EMAIL:TOKEN:UUID`.
    pub fn user_spec(self, spec: &str) -> Result<Self, EmuError> {
        let parts: Vec<&str> = spec.splitn(3, ':').collect();
        let plain = |s: &&str| !s.is_empty();
        match parts.as_slice() {
            [email, token] if plain(email) && plain(token) => Ok(self.user(email, token)),
            [email, token, uuid]
                if plain(email) && plain(token) && plain(uuid) && !uuid.contains([':', '/']) =>
            {
                Ok(self.user_with_uuid(email, token, uuid))
            }
            _ => Err(EmuError::User(spec.to_string())),
        }
    }

    /// Makes the user with this email a project admin (see
    /// [`account::AccountState::add_project_admin`]); the user must be added
    /// with [`EmulatorBuilder::user`].
    pub fn project_admin(mut self, email: &str) -> Self {
        self.project_admins.push(email.to_string());
        self
    }

    /// Adds a component (a service such as `cyclades` or `pithos`) whose
    /// token authenticates the calls Astakos reserves to services; the
    /// first added is the default one. Without any, a `cyclades` component
    /// gets a fresh token.
    pub fn component(mut self, name: &str, token: &str) -> Self {
        self.components.push((name.to_string(), token.to_string()));
        self
    }

    /// Adds a component given as `NAME:TOKEN`.
    pub fn component_spec(self, spec: &str) -> Result<Self, EmuError> {
        match spec.split_once(':') {
            Some((name, token)) if !name.is_empty() && !token.is_empty() => {
                Ok(self.component(name, token))
            }
            _ => Err(EmuError::Component(spec.to_string())),
        }
    }

    /// Registers a confidential, trusted OAuth2 client that accepts any
    /// absolute redirect URI; the first added is the default one. Without
    /// any, a `pithos-view` client gets a fresh secret.
    pub fn oauth2_client(mut self, id: &str, secret: &str) -> Self {
        self.oauth2_clients.push(OAuth2Client {
            id: id.to_string(),
            secret: secret.to_string(),
            redirect_urls: Vec::new(),
        });
        self
    }

    /// Registers an OAuth2 client whose redirect URIs must be
    /// `redirect_url` or lie under it, as Synnefo checks them.
    pub fn oauth2_client_with_redirect(
        mut self,
        id: &str,
        secret: &str,
        redirect_url: &str,
    ) -> Self {
        self.oauth2_clients.push(OAuth2Client {
            id: id.to_string(),
            secret: secret.to_string(),
            redirect_urls: vec![redirect_url.to_string()],
        });
        self
    }

    /// Registers an OAuth2 client given as `ID:SECRET` or
    /// `ID:SECRET:REDIRECT_URL`.
    pub fn oauth2_client_spec(self, spec: &str) -> Result<Self, EmuError> {
        let bad = || EmuError::OAuth2Client(spec.to_string());
        let (id, rest) = spec.split_once(':').ok_or_else(bad)?;
        let (secret, url) = match rest.split_once(':') {
            Some((secret, url)) => (secret, Some(url)),
            None => (rest, None),
        };
        if id.is_empty() || secret.is_empty() || url.is_some_and(str::is_empty) {
            return Err(bad());
        }
        Ok(match url {
            Some(url) => self.oauth2_client_with_redirect(id, secret, url),
            None => self.oauth2_client(id, secret),
        })
    }

    /// How long OAuth2 access tokens live (default 20 seconds, Synnefo's).
    pub fn oauth2_token_lifetime(mut self, lifetime: std::time::Duration) -> Self {
        self.oauth2_token_lifetime = lifetime;
        self
    }

    /// Serves HTTPS with this PEM certificate chain and PEM private key.
    pub fn tls(mut self, cert_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> Self {
        self.tls = Some((cert_pem.into(), key_pem.into()));
        self
    }

    /// The host name put in the URLs of the catalog (default: the listen
    /// address, or 127.0.0.1 when listening on every interface).
    pub fn public_host(mut self, host: &str) -> Self {
        self.public_host = Some(host.to_string());
        self
    }

    /// Injects random faults from the start (see [`FaultConfig`]).
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = Some(faults);
        self
    }

    /// How long Cyclades actions (server build, start, stop, reboot,
    /// resize, delete, port and volume changes, snapshots) take to complete
    /// (default one second; zero completes them at the next request).
    pub fn action_delay(mut self, delay: std::time::Duration) -> Self {
        self.action_delay = delay;
        self
    }

    /// Answers image listings as a bare JSON list, as Synnefo did before
    /// 0.20 and as kamaki 0.16 reads them (default: `{"images": [...]}`,
    /// as Synnefo's latest release).
    pub fn bare_image_listing(mut self, bare: bool) -> Self {
        self.bare_image_listing = bare;
        self
    }

    /// How long a client may take to send a request's headers before the
    /// connection is closed (default 30 s).
    pub fn header_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// How long a Pithos request body may pause before the request is
    /// answered 408 and given up (default 60 s).
    pub fn body_idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.body_idle_timeout = timeout;
        self
    }

    /// Makes Pithos ETags the MD5 of the content, as Synnefo's
    /// `PITHOS_UPDATE_MD5` setting does (off by default, as in Synnefo):
    /// swift and rclone users turn it on for their MD5 checks.
    pub fn pithos_update_md5(mut self, on: bool) -> Self {
        self.pithos_update_md5 = on;
        self
    }

    /// How many of the last requests [`Emulator::requests`] keeps (default
    /// [`inject::DEFAULT_LOG_CAPACITY`]; the `synnefo-emu` program, which
    /// nobody asks for them, keeps none).
    pub fn request_log(mut self, capacity: usize) -> Self {
        self.request_log = capacity;
        self
    }

    /// Keeps what must survive a restart in `dir` (created if missing):
    /// see [`storage`] for what is kept. Without it, everything is in
    /// memory, unless the environment variable
    /// [`TEST_DATA_DIR_ROOT`] names a directory: then each emulator keeps
    /// its state in a new directory under it (to run a test suite against
    /// emulators on disk).
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Removes, at start, the stored blocks no object version refers to
    /// (with a data dir: their files, and the maps no version refers to),
    /// reclaiming their space: blocks of purged versions, or of uploads cut
    /// short.
    pub fn remove_unreferenced_blocks(mut self) -> Self {
        self.remove_unreferenced_blocks = true;
        self
    }

    /// The users to start with: those given (or a default one), and, with
    /// a data dir, mapped to the uuids it keeps and saved to it.
    fn resolve_users(&self) -> Result<(Vec<User>, Option<DataDir>), EmuError> {
        let given: Vec<User> = self
            .users
            .iter()
            .map(|(email, token, uuid)| {
                let user = User::new(email, token);
                match uuid {
                    Some(uuid) => User {
                        uuid: uuid.clone(),
                        default_project: uuid.clone(),
                        ..user
                    },
                    None => user,
                }
            })
            .collect();
        let fallback = User::new("user@example.com", &state::new_token());
        let Some(dir) = &self.data_dir else {
            let users = if given.is_empty() {
                vec![fallback]
            } else {
                given
            };
            return Ok((users, None));
        };
        let data = DataDir::open(dir)?;
        let row = |u: &User| storage::StoredUser {
            uuid: u.uuid.clone(),
            email: u.email.clone(),
            realname: u.realname.clone(),
            token: u.token.clone(),
        };
        let pinned: Vec<bool> = self.users.iter().map(|(_, _, u)| u.is_some()).collect();
        let merged = storage::merge_users(
            dir,
            given.iter().map(row).collect(),
            &pinned,
            data.users()?,
            row(&fallback),
        )?;
        data.save_users(&merged)?;
        let users = merged
            .into_iter()
            .map(|s| User {
                default_project: s.uuid.clone(),
                uuid: s.uuid,
                email: s.email,
                realname: s.realname,
                token: s.token,
            })
            .collect();
        Ok((users, Some(data)))
    }

    /// The components: those given, else those the data dir keeps, else a
    /// default one; given ones are kept in the data dir.
    fn resolve_components(&self, data: Option<&DataDir>) -> Result<Vec<Component>, EmuError> {
        let mut pairs = self.components.clone();
        if let Some(data) = data {
            for kept in data.components()? {
                if !pairs.iter().any(|(name, _)| *name == kept.0) {
                    pairs.push(kept);
                }
            }
        }
        if pairs.is_empty() {
            pairs.push(("cyclades".into(), state::new_token()));
        }
        if let Some(data) = data {
            data.save_components(&pairs)?;
        }
        Ok(pairs
            .into_iter()
            .map(|(name, token)| Component { name, token })
            .collect())
    }

    /// The OAuth2 clients: those given, else those the data dir keeps, else
    /// a default one; given ones are kept in the data dir.
    fn resolve_oauth2_clients(
        &self,
        data: Option<&DataDir>,
    ) -> Result<Vec<OAuth2Client>, EmuError> {
        let mut clients = self.oauth2_clients.clone();
        if let Some(data) = data {
            for (id, secret, redirect_urls) in data.oauth2_clients()? {
                if !clients.iter().any(|c| c.id == id) {
                    clients.push(OAuth2Client {
                        id,
                        secret,
                        redirect_urls,
                    });
                }
            }
        }
        if clients.is_empty() {
            clients.push(OAuth2Client {
                id: "pithos-view".into(),
                secret: state::new_token(),
                redirect_urls: Vec::new(),
            });
        }
        if let Some(data) = data {
            let rows: Vec<(String, String, Vec<String>)> = clients
                .iter()
                .map(|c| (c.id.clone(), c.secret.clone(), c.redirect_urls.clone()))
                .collect();
            data.save_oauth2_clients(&rows)?;
        }
        Ok(clients)
    }

    /// Binds the address and starts serving in the background.
    ///
    /// It also installs rustls' ring provider as the process default if none
    /// is, so that plain `reqwest::Client::new()` works in tests.
    pub async fn start(mut self) -> Result<Emulator, EmuError> {
        install_crypto_provider();
        if self.data_dir.is_none() {
            if let Some(root) = std::env::var_os(TEST_DATA_DIR_ROOT).filter(|r| !r.is_empty()) {
                let fresh = uuid::Uuid::new_v4().to_string();
                self.data_dir = Some(std::path::PathBuf::from(root).join(fresh));
            }
        }
        let tls = match &self.tls {
            Some((cert, key)) => Some(tls::server_config(cert, key)?),
            None => None,
        };
        let listener =
            std::net::TcpListener::bind(self.listen).map_err(|source| EmuError::Bind {
                addr: self.listen,
                source,
            })?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let host = match &self.public_host {
            Some(host) => host.clone(),
            None if local.ip().is_unspecified() => "127.0.0.1".to_string(),
            None => match local.ip() {
                IpAddr::V6(ip) => format!("[{ip}]"),
                IpAddr::V4(ip) => ip.to_string(),
            },
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{host}:{}", local.port());

        let (users, data_dir) = self.resolve_users()?;
        for email in &self.project_admins {
            if !users.iter().any(|u| &u.email == email) {
                return Err(EmuError::ProjectAdmin(email.clone()));
            }
        }
        let mut app = AppState::new(base_url.clone(), users);
        let data_dir = data_dir.map(Arc::new);
        if let Some(data) = &data_dir {
            app.pithos = Arc::new(pithos::PithosState::with_blocks(block_files(data)?));
            let model = data.read(pithos::persist::load)?;
            *app.pithos.write() = model;
            app.data = Some(data.clone());
        }
        if self.remove_unreferenced_blocks {
            let removed = app.pithos.remove_unreferenced_blocks().map_err(|source| {
                storage::StorageError::Unusable {
                    dir: self.data_dir.clone().unwrap_or_default(),
                    source,
                }
            })?;
            tracing::info!("removed {removed} blocks no object refers to");
            if let Some(data) = &data_dir {
                let maps = data.write(|tx| pithos::persist::remove_unreferenced_maps(tx))?;
                tracing::info!("removed {maps} maps no version refers to");
            }
        }
        let state = Arc::new(app);
        for email in &self.project_admins {
            if let Some(user) = state.identity.user_by_email(email) {
                state.account.add_project_admin(&user.uuid);
            }
        }
        state
            .identity
            .set_components(self.resolve_components(data_dir.as_deref())?);
        for client in self.resolve_oauth2_clients(data_dir.as_deref())? {
            state.oauth2.add_client(client);
        }
        state.oauth2.set_token_lifetime(self.oauth2_token_lifetime);
        state.injector.set_random(self.faults.clone());
        state.compute.set_action_delay(self.action_delay);
        state.pithos.set_body_idle_timeout(self.body_idle_timeout);
        state.pithos.set_update_md5(self.pithos_update_md5);
        state.injector.set_log_capacity(self.request_log);
        state.image.bare_listing.store(
            self.bare_image_listing,
            std::sync::atomic::Ordering::Relaxed,
        );
        if let Some(data) = &state.data {
            persistence::restore_services(&state, data)?;
        }
        memory::give_back_after_bursts(&state);
        let app = router(state.clone());

        // Headers that stop arriving close the connection after
        // `header_timeout`; more than hyper's read buffer (about 400 KiB)
        // or 100 of them are refused with 431, as a front end of a real
        // deployment refuses them.
        let handle = axum_server::Handle::new();
        let (header_timeout, service) = (self.header_timeout, app.into_make_service());
        match tls {
            None => {
                let mut server = axum_server::from_tcp(listener)?.handle(handle.clone());
                server
                    .http_builder()
                    .http1()
                    .header_read_timeout(header_timeout);
                tokio::spawn(async move {
                    if let Err(e) = server.serve(service).await {
                        tracing::error!("synnefo-emu stopped: {e}");
                    }
                });
            }
            Some(config) => {
                let mut server = axum_server::from_tcp_rustls(
                    listener,
                    axum_server::tls_rustls::RustlsConfig::from_config(config),
                )?
                .handle(handle.clone());
                server
                    .http_builder()
                    .http1()
                    .header_read_timeout(header_timeout);
                tokio::spawn(async move {
                    if let Err(e) = server.serve(service).await {
                        tracing::error!("synnefo-emu stopped: {e}");
                    }
                });
            }
        };
        let shutdown = handle;
        Ok(Emulator {
            base_url,
            local_addr: local,
            state,
            shutdown,
        })
    }
}

/// The block store of a data dir: its block files (see
/// [`pithos::block_files`]).
fn block_files(data: &DataDir) -> Result<pithos::store::BlockStore, EmuError> {
    let unusable = |source| storage::StorageError::Unusable {
        dir: data.path().to_path_buf(),
        source,
    };
    let files = pithos::block_files::BlockFiles::open(data.path()).map_err(unusable)?;
    Ok(pithos::store::BlockStore::in_files(files).map_err(unusable)?)
}

/// The environment variable that, set to a directory, gives every
/// emulator started without a data dir a new one under it: the way to run
/// a whole test suite against emulators that keep their state on disk
/// (`SYNNEFO_EMU_TEST_DATA_DIR_ROOT=$(mktemp -d) cargo test`).
pub const TEST_DATA_DIR_ROOT: &str = "SYNNEFO_EMU_TEST_DATA_DIR_ROOT";

/// How long a client may take to send a request's headers, unless set
/// otherwise.
pub const DEFAULT_HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A running emulator; it stops when dropped.
pub struct Emulator {
    base_url: String,
    local_addr: SocketAddr,
    state: SharedState,
    shutdown: axum_server::Handle<SocketAddr>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator on a free port of 127.0.0.1 with one default user.
    pub async fn start() -> Result<Emulator, EmuError> {
        EmulatorBuilder::default().start().await
    }

    /// A builder for an emulator with other settings.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The data dir it keeps its state in, if one was given.
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.state.data.as_deref().map(DataDir::path)
    }

    /// The base URL, e.g. `http://127.0.0.1:39123`.
    pub fn url(&self) -> &str {
        &self.base_url
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The identity URL clients authenticate at (ends in `/identity/v2.0`).
    pub fn auth_url(&self) -> String {
        catalog::service("identity")
            .map(|s| s.public_url(&self.base_url))
            .unwrap_or_default()
    }

    /// The public URL of a service type in the catalog.
    pub fn endpoint_url(&self, service_type: &str) -> Option<String> {
        catalog::service(service_type).map(|s| s.public_url(&self.base_url))
    }

    /// The default user.
    pub fn user(&self) -> User {
        self.state
            .identity
            .all_users()
            .into_iter()
            .next()
            .expect("an emulator always has a default user")
    }

    /// All users.
    pub fn users(&self) -> Vec<User> {
        self.state.identity.all_users()
    }

    /// The default user's token.
    pub fn token(&self) -> String {
        self.user().token
    }

    /// The default component (the first added).
    pub fn component(&self) -> Component {
        self.state
            .identity
            .all_components()
            .into_iter()
            .next()
            .expect("an emulator always has a default component")
    }

    /// All components.
    pub fn components(&self) -> Vec<Component> {
        self.state.identity.all_components()
    }

    /// The default component's token: the service token of the calls
    /// Astakos reserves to services.
    pub fn service_token(&self) -> String {
        self.component().token
    }

    /// An OAuth2 access token for the user `uuid`, with `scope` (a URL
    /// prefix that `validate_token`'s `belongsTo` must start with; empty:
    /// any), as if an authorization code had been traded for it. A test
    /// shortcut past the `/auth` and `/token` round trip.
    pub fn issue_access_token(&self, uuid: &str, scope: &str) -> String {
        self.state.oauth2.issue(uuid, scope)
    }

    /// The default OAuth2 client (the first registered).
    pub fn oauth2_client(&self) -> OAuth2Client {
        self.state
            .oauth2
            .clients()
            .into_iter()
            .next()
            .expect("an emulator always has a default OAuth2 client")
    }

    /// The URL of Astakos' OAuth2 server (`.../astakos/oauth2`).
    pub fn oauth2_url(&self) -> String {
        self.endpoint_url("astakos_auth").unwrap_or_default()
    }

    /// The shared state (for tests that look inside).
    pub fn state(&self) -> &SharedState {
        &self.state
    }

    /// The requests served so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.injector.requests()
    }

    /// Forgets the requests served so far.
    pub fn clear_requests(&self) {
        self.state.injector.clear()
    }

    /// The most requests handled at once since the start or the last
    /// [`Emulator::reset_peak_in_flight`].
    pub fn peak_in_flight(&self) -> usize {
        self.state.injector.peak_in_flight()
    }

    /// The requests being handled now (e.g. held by injected latency).
    pub fn in_flight(&self) -> usize {
        self.state.injector.in_flight()
    }

    /// Starts counting [`Emulator::peak_in_flight`] again.
    pub fn reset_peak_in_flight(&self) {
        self.state.injector.reset_peak_in_flight()
    }

    /// Answers the next `count` requests whose path contains `path_contains`
    /// (every request if `None`) with `status`.
    pub fn fail_next(&self, count: u32, status: u16, path_contains: Option<&str>) {
        self.state.injector.fail_next(count, status, path_contains)
    }

    /// Injects `fault` into the next `count` requests whose path contains
    /// `path_contains` (every request if `None`).
    pub fn plan_fault(&self, count: u32, fault: Injected, path_contains: Option<&str>) {
        self.state.injector.plan(count, fault, path_contains)
    }

    /// Switches random faults on, or off with `None`.
    pub fn set_faults(&self, faults: Option<FaultConfig>) {
        self.state.injector.set_random(faults)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown.shutdown();
        // Requests still under way write no more; another emulator may
        // open the data dir at once.
        if let Some(data) = &self.state.data {
            data.close();
        }
    }
}

/// Installs rustls' ring crypto provider as the process default, unless one
/// is installed already.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The whole API: every service at its catalog path.
pub fn router(state: SharedState) -> Router {
    let at = |service_type: &str| {
        catalog::service(service_type)
            .map(|s| s.served_path())
            .unwrap_or_default()
    };
    let astakos = state.astakos_service();
    let cyclades = state.cyclades_service();
    let image = state.image_service();
    Router::new()
        .nest(
            &at("identity"),
            astakos::identity_router().with_state(astakos.clone()),
        )
        .nest(
            &at("account"),
            astakos::account_router().with_state(astakos.clone()),
        )
        .nest(
            &at("astakos_auth"),
            oauth2::router().with_state(state.oauth2_service()),
        )
        .nest("/astakos/ui", astakos::ui_router().with_state(astakos))
        .nest(
            &at("compute"),
            compute::router().with_state(cyclades.clone()),
        )
        .nest(
            &at("network"),
            network::router().with_state(cyclades.clone()),
        )
        .nest(&at("volume"), volume::router().with_state(cyclades.clone()))
        .nest("/cyclades/volume/v2", volume::router().with_state(cyclades))
        .nest(&at("image"), image::router().with_state(image.clone()))
        .nest("/cyclades/image/v1", image::router().with_state(image))
        .merge(versions::router())
        // As services, so that `.../v1/` (with the slash) is served too.
        .nest_service(
            &at("object-store"),
            pithos::router().with_state(state.pithos_service()),
        )
        .nest_service(
            pithos::PUBLIC_PATH,
            pithos::public_router().with_state(state.pithos_service()),
        )
        .fallback(not_served)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            persistence::middleware,
        ))
        .layer(axum::middleware::from_fn(rejections::as_synnefo_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.injector.clone(),
            inject::middleware,
        ))
        .with_state(state)
}

/// A path under a service that it does not serve is Synnefo's
/// `api_endpoint_not_found` (400); any other path is not found (404).
async fn not_served(request: Request) -> axum::response::Response {
    let path = request.uri().path();
    let under_a_service = catalog::SERVICES
        .iter()
        .any(|s| path.starts_with(&format!("/{}/{}", s.component, s.prefix)));
    if under_a_service {
        ApiError::bad_request("API endpoint not found").into_response()
    } else {
        ApiError::item_not_found(format!("API endpoint not found: {path}")).into_response()
    }
}
