//! The documents Astakos answers with, typed; unknown fields are kept in
//! `extra` so nothing a newer server sends is lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Fields a type does not name, as the server sent them.
pub type Extra = BTreeMap<String, Value>;

/// The reply of `POST /tokens`: `{"access": {...}}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct AuthInfo {
    /// The access document.
    pub access: Access,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The token, its holder and the service catalog.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Access {
    /// The token (absent in the public, tokenless catalog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<AccessToken>,
    /// The token's holder (absent in the public catalog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserInfo>,
    /// The services of the cloud and their endpoints.
    #[serde(rename = "serviceCatalog", default)]
    pub service_catalog: Vec<CatalogService>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A token as Astakos describes it (`Debug` shows its id as `...`).
#[derive(Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct AccessToken {
    /// The token itself.
    #[serde(default)]
    pub id: String,
    /// When it expires (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The user's default project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl AccessToken {
    /// The token's id, kept out of `Debug` output: use with care.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("id", &"...")
            .field("expires", &self.expires)
            .field("tenant", &self.tenant)
            .field("extra", &self.extra)
            .finish()
    }
}

/// A tenant: in Synnefo, the user's default project.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Tenant {
    /// The project id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's real name, as Astakos fills it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The user a token belongs to.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct UserInfo {
    /// The user's uuid (their Pithos account too).
    #[serde(default)]
    pub id: String,
    /// The user's real name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's roles (groups).
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Links of the roles (always empty in Synnefo).
    #[serde(default)]
    pub roles_links: Vec<Value>,
    /// The projects the user is an accepted member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
    /// The user's default project (filled by [`super::AstakosClient::user_info`]
    /// from the token's tenant, as kamaki does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_project: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A role of a user.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Role {
    /// The role's id (a string or a number, as servers differ).
    #[serde(default)]
    pub id: Value,
    /// The role's name.
    #[serde(default)]
    pub name: String,
}

/// A service of the catalog.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct CatalogService {
    /// Its name, e.g. `cyclades_compute`.
    #[serde(default)]
    pub name: String,
    /// Its type, e.g. `compute`.
    #[serde(rename = "type", default)]
    pub service_type: String,
    /// Where it is served.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Links (always empty in Synnefo).
    #[serde(default)]
    pub endpoints_links: Vec<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An endpoint of a service.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Endpoint {
    /// The URL clients use.
    #[serde(rename = "publicURL", default)]
    pub public_url: String,
    /// The API version, e.g. `v2.0` (may be empty).
    #[serde(rename = "versionId", default)]
    pub version_id: String,
    /// The region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The URL of the component's web UI.
    #[serde(rename = "SNF:uiURL", default, skip_serializing_if = "Option::is_none")]
    pub ui_url: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The reply of `POST user_catalogs`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct UserCatalogs {
    /// uuid -> display name.
    #[serde(default)]
    pub uuid_catalog: BTreeMap<String, String>,
    /// display name -> uuid.
    #[serde(default)]
    pub displayname_catalog: BTreeMap<String, String>,
}
