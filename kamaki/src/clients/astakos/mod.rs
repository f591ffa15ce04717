//! Astakos, Synnefo's identity and account service: tokens, the service
//! catalog, users (kamaki's `AstakosClient` / `CachedAstakosClient`), and
//! the account API: resources and quotas, projects and their applications,
//! memberships, and the commissions services allocate resources with.
//!
//! Account calls go to the `account` endpoint of the catalog
//! ([`AstakosClient::account_client`]).

mod commissions;
mod memberships;
mod models;
mod projects;
mod quotas;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Mutex;

pub use commissions::{CommissionInfo, CommissionRequest, CommissionResolution, Provision};
pub use memberships::{Membership, MEMBERSHIP_ACTIONS};
pub use models::*;
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

/// The API version of the Astakos account service the catalog is searched for.
const ACCOUNT_VERSION: &str = "v1.0";

/// Client of Astakos identity and account.
///
/// The result of the first authentication (the user and the service catalog)
/// is kept, so that endpoint lookups cost no request after it; clones share
/// that cache. uuid <-> name lookups are cached too.
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

#[derive(Debug, Default)]
struct Cache {
    auth: Option<AuthInfo>,
    names: BTreeMap<String, String>,
    uuids: BTreeMap<String, String>,
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

    fn token_id(&self) -> Result<&str> {
        match self.client.token() {
            Some(token) if !token.is_empty() => Ok(token.expose()),
            _ => Err(ClientError::Config(
                "no token: set one to authenticate (kamaki config set cloud.<name>.token ...)"
                    .into(),
            )),
        }
    }

    /// Authenticates the token (`POST /tokens`) and returns the access
    /// document: the token, its user and the service catalog. The result is
    /// cached for later lookups.
    pub async fn authenticate(&self) -> Result<AuthInfo> {
        let body = json!({"auth": {"token": {"id": self.token_id()?}}});
        self.post_tokens(body).await
    }

    /// Authenticates the token for a tenant (a project the user belongs to).
    pub async fn authenticate_tenant(&self, tenant_name: &str) -> Result<AuthInfo> {
        let body = json!({"auth": {"token": {"id": self.token_id()?}, "tenantName": tenant_name}});
        self.post_tokens(body).await
    }

    async fn post_tokens(&self, body: Value) -> Result<AuthInfo> {
        let info: AuthInfo = self.client.post("tokens").json(&body).send_json().await?;
        let mut cache = self.cache.lock().await;
        cache.names.clear();
        cache.uuids.clear();
        cache.auth = Some(info.clone());
        Ok(info)
    }

    /// The cached authentication, made on first use.
    async fn auth(&self) -> Result<AuthInfo> {
        if let Some(auth) = &self.cache.lock().await.auth {
            return Ok(auth.clone());
        }
        self.authenticate().await
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
    /// token's tenant.
    pub async fn user_info(&self) -> Result<UserInfo> {
        let access = self.auth().await?.access;
        let mut user = access.user.ok_or_else(|| ClientError::InvalidResponse {
            url: self.client.endpoint_url().to_string(),
            message: "the authentication reply names no user".into(),
        })?;
        if user.default_project.is_none() {
            user.default_project = access.token.and_then(|t| t.tenant).and_then(|t| t.id);
        }
        Ok(user)
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

    /// Validates a token (`GET /tokens/<token_id>`), optionally that it
    /// belongs to a scope.
    pub async fn validate_token(
        &self,
        token_id: &str,
        belongs_to: Option<&str>,
    ) -> Result<AuthInfo> {
        let path = format!("tokens/{}", encode_query_part(token_id));
        self.client
            .get(&path)
            .query_opt("belongsTo", belongs_to)
            .send_json()
            .await
    }

    /// A client of the Astakos account service, found in the catalog.
    pub async fn account_client(&self) -> Result<Client> {
        let url = match self
            .get_service_endpoints("account", Some(ACCOUNT_VERSION))
            .await
        {
            Ok(endpoint) => endpoint.public_url,
            Err(_) => self.get_endpoint_url("account").await?,
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

    /// The display names (emails) of users by uuid; unknown uuids are left
    /// out. Answers are cached.
    pub async fn get_usernames(&self, uuids: &[&str]) -> Result<BTreeMap<String, String>> {
        let missing: Vec<&str> = {
            let cache = self.cache.lock().await;
            uuids
                .iter()
                .copied()
                .filter(|u| !cache.names.contains_key(*u))
                .collect()
        };
        if !missing.is_empty() {
            let found = self
                .user_catalogs("user_catalogs", Some(&missing), None)
                .await?;
            let mut cache = self.cache.lock().await;
            for (uuid, name) in found.uuid_catalog {
                cache.uuids.insert(name.clone(), uuid.clone());
                cache.names.insert(uuid, name);
            }
        }
        let cache = self.cache.lock().await;
        Ok(uuids
            .iter()
            .filter_map(|u| cache.names.get(*u).map(|n| (u.to_string(), n.clone())))
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
    /// Answers are cached.
    pub async fn get_uuids(&self, names: &[&str]) -> Result<BTreeMap<String, String>> {
        let missing: Vec<&str> = {
            let cache = self.cache.lock().await;
            names
                .iter()
                .copied()
                .filter(|n| !cache.uuids.contains_key(*n))
                .collect()
        };
        if !missing.is_empty() {
            let found = self
                .user_catalogs("user_catalogs", None, Some(&missing))
                .await?;
            let mut cache = self.cache.lock().await;
            for (name, uuid) in found.displayname_catalog {
                cache.names.insert(uuid.clone(), name.clone());
                cache.uuids.insert(name, uuid);
            }
        }
        let cache = self.cache.lock().await;
        Ok(names
            .iter()
            .filter_map(|n| cache.uuids.get(*n).map(|u| (n.to_string(), u.clone())))
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
    /// (`POST service/user_catalogs`); not cached.
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
        let mut cache = self.cache.lock().await;
        cache.auth = None;
        Ok(())
    }

    /// The same as [`Self::user_set_default_project`], by the name of the
    /// underlying Astakos client.
    pub async fn set_default_project(&self, project_id: &str) -> Result<()> {
        self.user_set_default_project(project_id).await
    }
}
