//! Astakos, Synnefo's identity and account service: tokens, the service
//! catalog, users (kamaki's `AstakosClient` / `CachedAstakosClient`), and
//! the account API: resources and quotas, projects and their applications,
//! memberships, and the commissions services allocate resources with.
//!
//! Account calls go to the `account` endpoint of the catalog
//! ([`AstakosClient::account_client`]); the OAuth2 token call to the
//! `astakos_oauth2` one ([`AstakosClient::oauth2_get_token`]).
//!
//! Like kamaki's `CachedAstakosClient`, one client keeps the authentication
//! of several tokens, one per user ([`AstakosClient::authenticate_token`],
//! [`AstakosClient::list_users`], [`AstakosClient::get_token`],
//! [`AstakosClient::remove_user`]); kamaki's `token=` argument is
//! [`AstakosClient::with_token`].

mod commissions;
mod memberships;
mod models;
mod oauth2;
mod projects;
mod quotas;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Mutex;

pub use commissions::{CommissionInfo, CommissionRequest, CommissionResolution, Provision};
pub use memberships::{Membership, MEMBERSHIP_ACTIONS};
pub use models::*;
pub use oauth2::OAuth2Token;
pub use projects::{
    MemberPolicy, Project, ProjectApplication, ProjectFilter, ProjectIds, ProjectSpec,
    ResourcePolicy, APPLICATION_ACTIONS, PROJECT_ACTIONS,
};
pub use quotas::{ProjectQuota, ProjectQuotas, Quota, Quotas, ResourceInfo, UserQuotas};

use crate::clients::utils::encode_query_part;

/// The catalog entry of a service type (matched case-insensitively).
fn service_details(services: Vec<CatalogService>, service_type: &str) -> Result<CatalogService> {
    services
        .into_iter()
        .find(|s| s.service_type.eq_ignore_ascii_case(service_type))
        .ok_or_else(|| {
            ClientError::NotFound(format!(
                "Service type \"{service_type}\" not in service catalog"
            ))
        })
}

/// The one endpoint of `service_type` (of `version`, e.g. `v2.0`, if
/// given) in a service catalog, as [`AstakosClient::get_service_endpoints`]
/// finds it; an error if none or several match.
pub fn find_endpoint(
    services: Vec<CatalogService>,
    service_type: &str,
    version: Option<&str>,
) -> Result<Endpoint> {
    let service = service_details(services, service_type)?;
    let mut matching: Vec<Endpoint> = service
        .endpoints
        .into_iter()
        .filter(|e| version.is_none_or(|v| e.version_id.eq_ignore_ascii_case(v)))
        .collect();
    if matching.len() == 1 {
        return Ok(matching.remove(0));
    }
    let version = version
        .map(|v| format!(" and versionId {v}"))
        .unwrap_or_default();
    Err(ClientError::NotFound(format!(
        "{} endpoints match type {service_type}{version}",
        matching.len()
    )))
}
use crate::clients::{Client, ClientError, Result, Service, Token};

/// The user of an access document, with `default_project` filled from the
/// token's tenant (as kamaki's `user_info` does).
fn user_of(access: Access) -> Option<UserInfo> {
    let mut user = access.user?;
    if user.default_project.is_none() {
        user.default_project = access.token.and_then(|t| t.tenant).and_then(|t| t.id);
    }
    Some(user)
}

/// The API version of the Astakos account service the catalog is searched for.
const ACCOUNT_VERSION: &str = "v1.0";

/// Client of Astakos identity and account.
///
/// The result of the first authentication (the user and the service catalog)
/// is kept, so that endpoint lookups cost no request after it; clones share
/// that cache. uuid <-> name lookups are cached too.
///
/// The cache holds one authentication per user, as kamaki's
/// `CachedAstakosClient` does: [`Self::authenticate_token`] adds another
/// user's, [`Self::list_users`] lists them with their tokens, and
/// [`Self::with_token`] gives a client of the same cache that acts for
/// another token (kamaki's `token=` argument).
///
/// ```no_run
/// # async fn f() -> kamaki::clients::Result<()> {
/// use kamaki::clients::astakos::AstakosClient;
/// let astakos = AstakosClient::new("https://accounts.example.org/identity/v2.0", "my-token")?;
/// let me = astakos.user_info().await?;
/// let pithos_url = astakos.get_endpoint_url("object-store").await?;
/// println!("{} stores at {pithos_url}", me.id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AstakosClient {
    client: Client,
    cache: Arc<Mutex<Cache>>,
}

/// What the clients of one cache share.
#[derive(Debug, Default)]
struct Cache {
    /// The authenticated users, by uuid.
    users: BTreeMap<String, CachedAuth>,
    /// The uuid each authenticated token belongs to.
    owners: HashMap<Token, String>,
    /// uuid <-> name answers, per token that asked.
    lookups: HashMap<Token, Lookups>,
    /// The public catalog, for clients that have not authenticated (a
    /// service token cannot).
    public_catalog: Option<Vec<CatalogService>>,
}

/// One user's authentication.
#[derive(Debug)]
struct CachedAuth {
    token: Token,
    info: AuthInfo,
    /// Set when the cached answer is known to be out of date (the default
    /// project changed): the next use authenticates again.
    stale: bool,
}

/// Cached `user_catalogs` answers.
#[derive(Debug, Default)]
struct Lookups {
    /// uuid -> name.
    names: BTreeMap<String, String>,
    /// name -> uuid.
    uuids: BTreeMap<String, String>,
}

impl Cache {
    /// The authentication of `token`, if cached.
    fn auth_of(&self, token: &Token) -> Option<&CachedAuth> {
        self.users
            .get(self.owners.get(token)?)
            .filter(|auth| &auth.token == token)
    }

    /// Caches an authentication of `token`, replacing what its user had,
    /// and resets that token's lookups (as kamaki does).
    fn store(&mut self, token: Token, info: AuthInfo) {
        let uuid = info
            .access
            .user
            .as_ref()
            .map(|u| u.id.clone())
            .unwrap_or_default();
        if let Some(old) = self.users.remove(&uuid) {
            self.owners.remove(&old.token);
            self.lookups.remove(&old.token);
        }
        self.owners.insert(token.clone(), uuid.clone());
        self.lookups.remove(&token);
        self.users.insert(
            uuid,
            CachedAuth {
                token,
                info,
                stale: false,
            },
        );
    }
}

/// A user the client has authenticated, with their token (kamaki's
/// `list_users()` items: the user dict plus `auth_token`).
#[derive(Clone, Debug, PartialEq)]
pub struct CachedUser {
    /// The user, with `default_project` filled from the token's tenant.
    pub info: UserInfo,
    /// Their token (`Debug` and `Display` show `...`).
    pub auth_token: Token,
}

impl Service for AstakosClient {
    const SERVICE_TYPE: &'static str = "identity";
    const DEFAULT_API_VERSION: Option<&'static str> = Some("2.0");

    fn from_client(client: Client) -> Self {
        AstakosClient {
            client,
            cache: Arc::default(),
        }
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

impl std::ops::Deref for AstakosClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl AstakosClient {
    /// The service type in the catalog.
    pub const SERVICE_TYPE: &'static str = "identity";
    /// The version appended to an authentication URL that names none.
    pub const DEFAULT_API_VERSION: &'static str = "2.0";

    /// A client of the Astakos identity service at `auth_url` (e.g.
    /// `https://accounts.example.org/identity/v2.0`) for `token`.
    pub fn new(auth_url: &str, token: impl Into<Token>) -> Result<Self> {
        Client::builder(auth_url).token(token).build_service()
    }

    fn token_id(&self) -> Result<&Token> {
        match self.client.token() {
            Some(token) if !token.is_empty() => Ok(token),
            _ => Err(ClientError::Config(
                "no token: set one to authenticate (kamaki config set cloud.<name>.token ...)"
                    .into(),
            )),
        }
    }

    /// A client of the same cache and settings that acts for `token`: its
    /// calls send that token and use that user's cached authentication. This
    /// is what kamaki's `token=` argument of `CachedAstakosClient` methods
    /// does: `astakos.with_token(t)?.user_info()` is kamaki's
    /// `astakos.user_info(token=t)`.
    pub fn with_token(&self, token: impl Into<Token>) -> Result<AstakosClient> {
        let client =
            crate::clients::ClientBuilder::from_client(&self.client, self.client.endpoint_url())
                .token(token)
                .build()?;
        Ok(AstakosClient {
            client,
            cache: Arc::clone(&self.cache),
        })
    }

    /// Authenticates the token (`POST /tokens`) and returns the access
    /// document: the token, its user and the service catalog. The result is
    /// cached, under the user's uuid, for later lookups.
    pub async fn authenticate(&self) -> Result<AuthInfo> {
        let body = json!({"auth": {"token": {"id": self.token_id()?.expose()}}});
        self.post_tokens(body).await
    }

    /// Authenticates the token for a tenant (a project the user belongs to).
    pub async fn authenticate_tenant(&self, tenant_name: &str) -> Result<AuthInfo> {
        let body = json!({"auth": {"token": {"id": self.token_id()?.expose()}, "tenantName": tenant_name}});
        self.post_tokens(body).await
    }

    /// Authenticates another user's token and caches the result under
    /// their uuid, next to this client's own (kamaki's
    /// `CachedAstakosClient.authenticate(token=...)`).
    pub async fn authenticate_token(&self, token: impl Into<Token>) -> Result<AuthInfo> {
        self.with_token(token)?.authenticate().await
    }

    async fn post_tokens(&self, body: Value) -> Result<AuthInfo> {
        let token = self.token_id()?.clone();
        let info: AuthInfo = self.client.post("tokens").json(&body).send_json().await?;
        self.cache.lock().await.store(token, info.clone());
        Ok(info)
    }

    /// The cached authentication of this client's token, made on first use.
    async fn auth(&self) -> Result<AuthInfo> {
        if let Some(token) = self.client.token() {
            let cache = self.cache.lock().await;
            if let Some(auth) = cache.auth_of(token).filter(|a| !a.stale) {
                return Ok(auth.info.clone());
            }
        }
        self.authenticate().await
    }

    /// The catalog the account and OAuth2 endpoints are found in: the
    /// authenticated one if this token has authenticated, else the public
    /// one (as Synnefo's astakosclient finds them), so that a service
    /// token, which is no user's and cannot authenticate, reaches them.
    async fn catalog(&self) -> Result<Vec<CatalogService>> {
        {
            let cache = self.cache.lock().await;
            if let Some(auth) = self.client.token().and_then(|t| cache.auth_of(t)) {
                return Ok(auth.info.access.service_catalog.clone());
            }
            if let Some(public) = &cache.public_catalog {
                return Ok(public.clone());
            }
        }
        let public = self.get_endpoints().await?.access.service_catalog;
        self.cache.lock().await.public_catalog = Some(public.clone());
        Ok(public)
    }

    /// The users authenticated so far (this client's own one, authenticated
    /// now if the cache is empty), each with their token, by uuid.
    pub async fn list_users(&self) -> Result<Vec<CachedUser>> {
        let (empty, stale): (bool, Vec<Token>) = {
            let cache = self.cache.lock().await;
            let stale = cache
                .users
                .values()
                .filter(|a| a.stale)
                .map(|a| a.token.clone())
                .collect();
            (cache.users.is_empty(), stale)
        };
        if empty {
            self.authenticate().await?;
        }
        for token in stale {
            self.with_token(token)?.authenticate().await?;
        }
        let cache = self.cache.lock().await;
        Ok(cache
            .users
            .values()
            .filter_map(|auth| {
                Some(CachedUser {
                    info: user_of(auth.info.access.clone())?,
                    auth_token: auth.token.clone(),
                })
            })
            .collect())
    }

    /// The cached token of the user with this uuid (kamaki's
    /// `get_token(uuid)`; see [`Self::oauth2_get_token`] for the OAuth2
    /// call of Synnefo's astakosclient, which has the same name there).
    pub async fn get_token(&self, uuid: &str) -> Option<Token> {
        let cache = self.cache.lock().await;
        cache.users.get(uuid).map(|auth| auth.token.clone())
    }

    /// Forgets a user: their authentication, token and lookups. Whether
    /// the user was cached.
    pub async fn remove_user(&self, uuid: &str) -> bool {
        let mut cache = self.cache.lock().await;
        match cache.users.remove(uuid) {
            Some(auth) => {
                cache.owners.remove(&auth.token);
                cache.lookups.remove(&auth.token);
                true
            }
            None => false,
        }
    }

    /// The public service catalog, asked without authentication (`POST
    /// /tokens` with no body).
    pub async fn get_endpoints(&self) -> Result<AuthInfo> {
        self.client.post("tokens").send_json().await
    }

    /// The service catalog of the cloud.
    pub async fn get_services(&self) -> Result<Vec<CatalogService>> {
        Ok(self.auth().await?.access.service_catalog)
    }

    /// The services the cloud's web UI lists, as the server sent them
    /// (`[{"id", "name", "url"}...]`): astakosclient's `get_services`, a
    /// `GET` of `get_services` under the account service's `SNF:uiURL`.
    /// (kamaki's own [`Self::get_services`] is the service catalog.)
    pub async fn get_ui_services(&self) -> Result<Vec<Value>> {
        let catalog = self.catalog().await?;
        let endpoint = match find_endpoint(catalog.clone(), "account", Some(ACCOUNT_VERSION)) {
            Ok(endpoint) => endpoint,
            Err(_) => find_endpoint(catalog, "account", None)?,
        };
        let ui = endpoint.ui_url.ok_or_else(|| {
            ClientError::NotFound(
                "the catalog gives the account service no SNF:uiURL (the web UI's address)".into(),
            )
        })?;
        self.client
            .with_endpoint(&ui)?
            .get("get_services")
            .send_json()
            .await
    }

    /// The catalog entry of a service type (matched case-insensitively).
    pub async fn get_service_details(&self, service_type: &str) -> Result<CatalogService> {
        service_details(self.get_services().await?, service_type)
    }

    /// The endpoint of a service type, of a given version (`v2.0`) if one is
    /// asked for; exactly one endpoint must match.
    pub async fn get_service_endpoints(
        &self,
        service_type: &str,
        version: Option<&str>,
    ) -> Result<Endpoint> {
        find_endpoint(self.get_services().await?, service_type, version)
    }

    /// The public URL of a service type, e.g. `get_endpoint_url("compute")`.
    pub async fn get_endpoint_url(&self, service_type: &str) -> Result<String> {
        Ok(self
            .get_service_endpoints(service_type, None)
            .await?
            .public_url)
    }

    /// The public URL of a service type at an API version (`v2.0`).
    pub async fn get_endpoint_url_for_version(
        &self,
        service_type: &str,
        version: &str,
    ) -> Result<String> {
        Ok(self
            .get_service_endpoints(service_type, Some(version))
            .await?
            .public_url)
    }

    /// The user the token belongs to, with `default_project` filled from the
    /// token's tenant. (Another user's: `with_token(t)?.user_info()`.)
    pub async fn user_info(&self) -> Result<UserInfo> {
        user_of(self.auth().await?.access).ok_or_else(|| ClientError::InvalidResponse {
            url: self.client.endpoint_url().to_string(),
            message: "the authentication reply names no user".into(),
        })
    }

    /// One field of [`Self::user_info`] (`id`, `name`, `roles`...), if set.
    pub async fn user_term(&self, key: &str) -> Result<Option<Value>> {
        let user = serde_json::to_value(self.user_info().await?).map_err(|e| {
            ClientError::InvalidResponse {
                url: self.client.endpoint_url().to_string(),
                message: e.to_string(),
            }
        })?;
        Ok(user.get(key).cloned())
    }

    /// Validates an OAuth2 access token (`GET /tokens/<token_id>`),
    /// optionally that it belongs to a scope (a URL prefix). Synnefo knows
    /// only the tokens its OAuth2 server issued here: a user's API token is
    /// "not found" (404). The token is cut out of logs and errors.
    pub async fn validate_token(
        &self,
        token_id: &str,
        belongs_to: Option<&str>,
    ) -> Result<AuthInfo> {
        let path = format!("tokens/{}", encode_query_part(token_id));
        self.client
            .get(&path)
            .secret(token_id)
            .query_opt("belongsTo", belongs_to)
            .send_json()
            .await
    }

    /// A client of the Astakos account service, found in the catalog (the
    /// public one if this token has not authenticated: see
    /// [`Self::get_endpoints`]).
    pub async fn account_client(&self) -> Result<Client> {
        let catalog = self.catalog().await?;
        let url = match find_endpoint(catalog.clone(), "account", Some(ACCOUNT_VERSION)) {
            Ok(endpoint) => endpoint.public_url,
            Err(_) => find_endpoint(catalog, "account", None)?.public_url,
        };
        self.client.with_endpoint(&url)
    }

    async fn user_catalogs(
        &self,
        path: &str,
        uuids: Option<&[&str]>,
        names: Option<&[&str]>,
    ) -> Result<UserCatalogs> {
        let mut body = serde_json::Map::new();
        if let Some(uuids) = uuids {
            body.insert("uuids".into(), json!(uuids));
        }
        if let Some(names) = names {
            body.insert("displaynames".into(), json!(names));
        }
        self.account_client()
            .await?
            .post(path)
            .json(&body)
            .send_json()
            .await
    }

    /// `POST /user_catalogs` as it is: the names of `uuids` and the uuids of
    /// `displaynames`, uncached (kamaki's `post_user_catalogs`).
    pub async fn post_user_catalogs(
        &self,
        uuids: Option<&[&str]>,
        displaynames: Option<&[&str]>,
    ) -> Result<UserCatalogs> {
        self.user_catalogs("user_catalogs", uuids, displaynames)
            .await
    }

    /// Looks `uuids` up (those not cached yet) and returns every uuid ->
    /// name this token has learnt so far, as kamaki's
    /// `CachedAstakosClient.uuids2usernames` does.
    pub async fn uuids2usernames(&self, uuids: &[&str]) -> Result<BTreeMap<String, String>> {
        self.get_usernames(uuids).await?;
        self.learnt(|l| &l.names).await
    }

    /// Looks `names` up (those not cached yet) and returns every name ->
    /// uuid this token has learnt so far (kamaki's `usernames2uuids`).
    pub async fn usernames2uuids(&self, names: &[&str]) -> Result<BTreeMap<String, String>> {
        self.get_uuids(names).await?;
        self.learnt(|l| &l.uuids).await
    }

    /// One of the maps this token's lookups have filled.
    async fn learnt(
        &self,
        map: impl Fn(&Lookups) -> &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        let key = self.token_id()?;
        let cache = self.cache.lock().await;
        Ok(cache.lookups.get(key).map(map).cloned().unwrap_or_default())
    }

    /// The client acting for `token`, authenticated (once, then from the
    /// cache): kamaki's `CachedAstakosClient.get_client(token)`.
    pub async fn get_client(&self, token: impl Into<Token>) -> Result<AstakosClient> {
        let client = self.with_token(token)?;
        client.auth().await?;
        Ok(client)
    }

    /// The display names (emails) of users by uuid; unknown uuids are left
    /// out. Answers are cached, per token (kamaki's `uuids2usernames`).
    pub async fn get_usernames(&self, uuids: &[&str]) -> Result<BTreeMap<String, String>> {
        let key = self.token_id()?.clone();
        let missing: Vec<&str> = {
            let cache = self.cache.lock().await;
            let known = cache.lookups.get(&key);
            uuids
                .iter()
                .copied()
                .filter(|u| !known.is_some_and(|l| l.names.contains_key(*u)))
                .collect()
        };
        if !missing.is_empty() {
            let found = self
                .user_catalogs("user_catalogs", Some(&missing), None)
                .await?;
            let mut cache = self.cache.lock().await;
            let lookups = cache.lookups.entry(key.clone()).or_default();
            for (uuid, name) in found.uuid_catalog {
                lookups.uuids.insert(name.clone(), uuid.clone());
                lookups.names.insert(uuid, name);
            }
        }
        let cache = self.cache.lock().await;
        let Some(lookups) = cache.lookups.get(&key) else {
            return Ok(BTreeMap::new());
        };
        Ok(uuids
            .iter()
            .filter_map(|u| lookups.names.get(*u).map(|n| (u.to_string(), n.clone())))
            .collect())
    }

    /// The display name of one user.
    pub async fn get_username(&self, uuid: &str) -> Result<String> {
        self.get_usernames(&[uuid])
            .await?
            .remove(uuid)
            .ok_or_else(|| ClientError::NotFound(format!("No user with uuid {uuid}")))
    }

    /// The uuids of users by display name; unknown names are left out.
    /// Answers are cached, per token (kamaki's `usernames2uuids`).
    pub async fn get_uuids(&self, names: &[&str]) -> Result<BTreeMap<String, String>> {
        let key = self.token_id()?.clone();
        let missing: Vec<&str> = {
            let cache = self.cache.lock().await;
            let known = cache.lookups.get(&key);
            names
                .iter()
                .copied()
                .filter(|n| !known.is_some_and(|l| l.uuids.contains_key(*n)))
                .collect()
        };
        if !missing.is_empty() {
            let found = self
                .user_catalogs("user_catalogs", None, Some(&missing))
                .await?;
            let mut cache = self.cache.lock().await;
            let lookups = cache.lookups.entry(key.clone()).or_default();
            for (name, uuid) in found.displayname_catalog {
                lookups.names.insert(uuid.clone(), name.clone());
                lookups.uuids.insert(name, uuid);
            }
        }
        let cache = self.cache.lock().await;
        let Some(lookups) = cache.lookups.get(&key) else {
            return Ok(BTreeMap::new());
        };
        Ok(names
            .iter()
            .filter_map(|n| lookups.uuids.get(*n).map(|u| (n.to_string(), u.clone())))
            .collect())
    }

    /// The uuid of one user.
    pub async fn get_uuid(&self, name: &str) -> Result<String> {
        self.get_uuids(&[name])
            .await?
            .remove(name)
            .ok_or_else(|| ClientError::NotFound(format!("No user with name {name}")))
    }

    /// The display names of users by uuid, asked with a service token
    /// (`POST service/user_catalogs`; make the client with the service's
    /// token, as kamaki does: a user's token is refused with 401); not
    /// cached.
    pub async fn service_get_usernames(&self, uuids: &[&str]) -> Result<BTreeMap<String, String>> {
        Ok(self
            .user_catalogs("service/user_catalogs", Some(uuids), None)
            .await?
            .uuid_catalog)
    }

    /// The uuids of users by display name, asked with a service token.
    pub async fn service_get_uuids(&self, names: &[&str]) -> Result<BTreeMap<String, String>> {
        Ok(self
            .user_catalogs("service/user_catalogs", None, Some(names))
            .await?
            .displayname_catalog)
    }

    /// The display name of one user, asked with a service token.
    pub async fn service_get_username(&self, uuid: &str) -> Result<String> {
        self.service_get_usernames(&[uuid])
            .await?
            .remove(uuid)
            .ok_or_else(|| ClientError::NotFound(format!("No user with uuid {uuid}")))
    }

    /// The uuid of one user, asked with a service token.
    pub async fn service_get_uuid(&self, name: &str) -> Result<String> {
        self.service_get_uuids(&[name])
            .await?
            .remove(name)
            .ok_or_else(|| ClientError::NotFound(format!("No user with name {name}")))
    }

    /// Sends feedback to the cloud's operators (`POST feedback`).
    pub async fn send_feedback(&self, message: &str, data: &str) -> Result<()> {
        let body = format!(
            "feedback_msg={}&feedback_data={}",
            encode_query_part(message),
            encode_query_part(data)
        );
        self.account_client()
            .await?
            .post("feedback")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .success(&[200, 201, 202, 204])
            .send()
            .await?;
        Ok(())
    }

    /// Makes a project the user's default one (`POST myaccount/default_project`).
    pub async fn user_set_default_project(&self, project_id: &str) -> Result<()> {
        self.account_client()
            .await?
            .post("myaccount/default_project")
            .json(&json!({"project_id": project_id}))
            .success(&[200, 201, 202, 204])
            .send()
            .await?;
        // The cached tenant (default project) is out of date now.
        if let Some(token) = self.client.token() {
            let mut cache = self.cache.lock().await;
            if let Some(uuid) = cache.owners.get(token).cloned() {
                if let Some(auth) = cache.users.get_mut(&uuid) {
                    auth.stale = true;
                }
            }
        }
        Ok(())
    }

    /// The same as [`Self::user_set_default_project`], by the name of the
    /// underlying Astakos client.
    pub async fn set_default_project(&self, project_id: &str) -> Result<()> {
        self.user_set_default_project(project_id).await
    }
}
