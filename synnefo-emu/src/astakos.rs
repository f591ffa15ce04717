//! Astakos: the identity API (`/astakos/identity/v2.0`: tokens) and the
//! user parts of the account API (`/astakos/account/v1.0`: user catalogs,
//! feedback, default project), and the UI's service list.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::account::AstakosService;
use crate::auth::{Authenticated, ServiceAuthenticated};
use crate::catalog;
use crate::errors::{ApiError, ApiResult};
use crate::forms::form_pairs;
use crate::identity::User;

/// How far in the future the emulator's tokens expire.
const TOKEN_EXPIRES: &str = "2099-12-31T23:59:59.000000+00:00";

/// The identity routes, to nest at `/astakos/identity/v2.0`.
pub fn identity_router() -> Router<AstakosService> {
    Router::new()
        .route("/tokens", post(authenticate))
        .route("/tokens/", post(authenticate))
        .route("/tokens/{token_id}", get(validate_token))
}

/// The account routes, to nest at `/astakos/account/v1.0`.
pub fn account_router() -> Router<AstakosService> {
    Router::new()
        .route("/user_catalogs", post(user_catalogs))
        .route("/service/user_catalogs", post(service_user_catalogs))
        .route("/feedback", post(feedback))
        .route("/myaccount/default_project", post(default_project))
        .merge(crate::account::router())
}

/// The UI routes, to nest at `/astakos/ui`.
pub fn ui_router() -> Router<AstakosService> {
    Router::new()
        .route("/get_services", get(get_services))
        .route("/get_menu", get(get_menu))
}

/// The token's holder, with the active projects they are a member of.
fn user_json(state: &AstakosService, user: &User) -> Value {
    json!({
        "id": user.uuid,
        "name": user.realname,
        "roles": [{"id": "1", "name": "default"}],
        "roles_links": [],
        "projects": state.account.member_projects(state, &user.uuid),
    })
}

fn token_json(user: &User) -> Value {
    json!({
        "id": user.token,
        "expires": TOKEN_EXPIRES,
        "tenant": {"id": user.default_project, "name": user.realname},
    })
}

fn parse_json(body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request("Invalid JSON data"))
}

/// `POST /tokens`: with a body, authenticates a token; without one, answers
/// the public catalog only.
async fn authenticate(State(state): State<AstakosService>, body: Bytes) -> ApiResult<Json<Value>> {
    let catalog = catalog::catalog_json(&state.base_url);
    if body.is_empty() {
        return Ok(Json(json!({"access": {"serviceCatalog": catalog}})));
    }
    let request = parse_json(&body)?;
    let auth = &request["auth"];
    let (token, uuid) = match auth["token"]["id"].as_str() {
        Some(token) => (token, None),
        None => match (
            auth["passwordCredentials"]["password"].as_str(),
            auth["passwordCredentials"]["username"].as_str(),
        ) {
            (Some(password), Some(username)) => (password, Some(username)),
            _ => {
                return Err(ApiError::bad_request(
                    "Malformed request: missing credentials",
                ))
            }
        },
    };
    let user = state
        .identity
        .user_by_token(token)
        .ok_or_else(|| ApiError::unauthorized("Invalid token"))?;
    if uuid.is_some_and(|u| u != user.uuid) {
        return Err(ApiError::unauthorized("Invalid credentials"));
    }
    if let Some(tenant) = auth["tenantName"].as_str().filter(|t| !t.is_empty()) {
        if tenant != user.uuid {
            return Err(ApiError::bad_request("Not conforming tenantName"));
        }
    }
    Ok(Json(json!({"access": {
        "token": token_json(&user),
        "user": user_json(&state, &user),
        "serviceCatalog": catalog,
    }})))
}

/// `GET /tokens/<token_id>`: the token's holder, without the catalog.
///
/// As in Synnefo, only the access tokens of the OAuth2 server are known here
/// (`belongsTo` must start with the token's scope); anything else, a user's
/// API token included, is 404 "No such token".
async fn validate_token(
    State(state): State<AstakosService>,
    Path(token_id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    // Synnefo's validate_token knows only the OAuth2 server's tokens: a
    // user's API token is no such token.
    validate_access_token(&state, &token_id, query.get("belongsTo"))
}

/// `validate_token` of an OAuth2 access token.
fn validate_access_token(
    state: &AstakosService,
    token_id: &str,
    belongs_to: Option<&String>,
) -> ApiResult<Json<Value>> {
    let grant = state
        .oauth2
        .validate(token_id)
        .map_err(ApiError::item_not_found)?;
    if belongs_to.is_some_and(|scope| !scope.starts_with(&grant.scope)) {
        return Err(ApiError::item_not_found(
            "The specified tenant is outside the token's scope",
        ));
    }
    let user = state
        .identity
        .user_by_uuid(&grant.user)
        .ok_or_else(|| ApiError::item_not_found("No such token"))?;
    Ok(Json(json!({"access": {
        "token": {
            "id": token_id,
            "expires": crate::clock::iso(grant.expires_at),
            "tenant": {"id": user.default_project, "name": user.realname},
        },
        "user": {
            "id": user.uuid,
            "name": user.realname,
            "roles": [{"id": "1", "name": "default"}],
            "roles_links": [],
        },
    }})))
}

/// Builds both catalogs for the uuids and names asked; `null` lists mean
/// every user when `all_on_null`.
fn catalogs(state: &AstakosService, body: &[u8], all_on_null: bool) -> ApiResult<Json<Value>> {
    let request = parse_json(body)?;
    if !request.is_object() {
        return Err(ApiError::bad_request(
            "Request body should be a json object",
        ));
    }
    let wanted = |key: &str| -> ApiResult<Option<Vec<String>>> {
        match &request[key] {
            Value::Null => Ok(None),
            Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| ApiError::bad_request(format!("{key} must be strings")))
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            _ => Err(ApiError::bad_request(format!("{key} must be a list"))),
        }
    };
    let users = state.identity.all_users();
    let mut uuid_catalog = serde_json::Map::new();
    let mut displayname_catalog = serde_json::Map::new();
    match wanted("uuids")? {
        Some(uuids) => {
            for user in users.iter().filter(|u| uuids.contains(&u.uuid)) {
                uuid_catalog.insert(user.uuid.clone(), json!(user.email));
            }
        }
        None if all_on_null && request.get("uuids").is_some() => {
            for user in &users {
                uuid_catalog.insert(user.uuid.clone(), json!(user.email));
            }
        }
        None => {}
    }
    match wanted("displaynames")? {
        Some(names) => {
            for user in users.iter().filter(|u| names.contains(&u.email)) {
                displayname_catalog.insert(user.email.clone(), json!(user.uuid));
            }
        }
        None if all_on_null && request.get("displaynames").is_some() => {
            for user in &users {
                displayname_catalog.insert(user.email.clone(), json!(user.uuid));
            }
        }
        None => {}
    }
    Ok(Json(
        json!({"uuid_catalog": uuid_catalog, "displayname_catalog": displayname_catalog}),
    ))
}

async fn user_catalogs(
    State(state): State<AstakosService>,
    _user: Authenticated,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    catalogs(&state, &body, false)
}

async fn service_user_catalogs(
    State(state): State<AstakosService>,
    _service: ServiceAuthenticated,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    catalogs(&state, &body, true)
}

/// `POST /feedback` with form fields `feedback_msg` and `feedback_data`.
async fn feedback(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let form: BTreeMap<String, String> =
        form_pairs(&body).ok_or_else(|| ApiError::bad_request("Invalid message data"))?;
    let message = form
        .get("feedback_msg")
        .map(String::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if message.is_empty() {
        return Err(ApiError::bad_request(
            "Invalid message data: feedback_msg is required",
        ));
    }
    let data = form.get("feedback_data").cloned().unwrap_or_default();
    state
        .identity
        .feedback
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .push((user.uuid, message, data));
    Ok(StatusCode::OK)
}

/// `POST /myaccount/default_project`: `{"project_id": ...}`.
async fn default_project(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let request = parse_json(&body)?;
    let project = request["project_id"]
        .as_str()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::forbidden("Project id not specified"))?;
    state
        .account
        .validate_default_project(&state, &user, project)?;
    state.identity.set_default_project(&user.uuid, project);
    Ok(StatusCode::OK)
}

async fn get_services(State(state): State<AstakosService>) -> Json<Value> {
    let base = &state.base_url;
    Json(json!([
        {"id": "1", "name": "grnet cloud", "url": format!("{base}/")},
        {"id": "2", "name": "cyclades", "url": format!("{base}/cyclades/ui/")},
        {"id": "3", "name": "pithos", "url": format!("{base}/pithos/ui/")},
    ]))
}

async fn get_menu(State(state): State<AstakosService>, headers: HeaderMap) -> Json<Value> {
    let token = headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Json(match state.identity.user_by_token(token) {
        Some(user) => json!([
            {"url": "/astakos/ui/", "name": user.email},
            {"url": "/astakos/ui/landing", "name": "Dashboard"},
            {"url": "/astakos/ui/logout", "name": "Sign out"},
        ]),
        None => json!([{"url": "/astakos/ui/", "name": "Sign in"}]),
    })
}
