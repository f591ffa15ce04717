//! Astakos' OAuth2 server (`/astakos/oauth2`, the catalog's
//! `astakos_oauth2` entry of type `astakos_auth`): registered clients, the
//! `authorization_code` grant, and the short-lived access tokens it issues.
//!
//! As in Synnefo:
//! - `GET|POST /auth?response_type=code&client_id=..&redirect_uri=..&state=..`
//!   answers `302` to `redirect_uri?code=..&state=..` for a logged-in user.
//!   Synnefo knows the user from their web session (and sends others to its
//!   login page); the emulator takes the user from `X-Auth-Token` and sends
//!   requests without a valid one to `/astakos/ui/login?next=..`. Every
//!   client here is *trusted* (as `snf-manage oauth2-client-add --is-trusted`
//!   registers Pithos' view), so a `GET` gets the code at once.
//! - `POST /token` (form-urlencoded, client credentials in `Authorization:
//!   Basic`) trades a code for `{"access_token", "token_type": "Bearer",
//!   "expires_in"}`. A code is good once; it has no expiry of its own
//!   (Synnefo checks none). Tokens live [`DEFAULT_TOKEN_LIFETIME`].
//! - Every failure is `400 {"error": "generic_error", "exception": "<why>"}`:
//!   Synnefo's OAuth2 errors carry no specific RFC 6749 code.
//! - An access token is good for one thing: `GET /identity/v2.0/tokens/<it>`
//!   (`validate_token`, with `belongsTo` within the token's scope), which is
//!   how Pithos' view checks the tokens it is handed. It is no
//!   `X-Auth-Token` for any API.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::forms::form_pairs;
use crate::identity::User;

/// How long an access token lives (Synnefo's `OAUTH2_TOKEN_EXPIRES`).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(20);

/// The longest redirect URI accepted (Synnefo's
/// `OAUTH2_MAXIMUM_ALLOWED_REDIRECT_URI_LENGTH`).
const REDIRECT_URI_LIMIT: usize = 5000;

/// Where Astakos' login page is.
const LOGIN_PATH: &str = "/astakos/ui/login";

/// A registered OAuth2 client (`snf-manage oauth2-client-add`): a
/// confidential, trusted one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2Client {
    /// Its identifier (`client_id`).
    pub id: String,
    /// Its secret.
    pub secret: String,
    /// The redirect URLs registered for it: a redirect URI must be one of
    /// them or lie under one. None registered: any absolute URI is accepted
    /// (an emulator convenience; Synnefo registers at least one).
    pub redirect_urls: Vec<String>,
}

impl OAuth2Client {
    /// Synnefo's rule: the URI is a registered one, or under one.
    fn redirect_uri_is_valid(&self, uri: &str) -> bool {
        self.redirect_urls.is_empty()
            || self.redirect_urls.iter().any(|url| {
                uri == url || uri.starts_with(&format!("{}/", url.trim_end_matches('/')))
            })
    }
}

/// An authorization code waiting to be traded for a token.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Code {
    user: String,
    client: String,
    redirect_uri: String,
    scope: String,
}

/// An access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Grant {
    user: String,
    scope: String,
    expires_at: OffsetDateTime,
}

/// The OAuth2 server's state: clients, pending codes, issued tokens.
#[derive(Debug)]
pub struct OAuth2State {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    clients: Vec<OAuth2Client>,
    codes: BTreeMap<String, Code>,
    tokens: BTreeMap<String, Grant>,
    lifetime: Duration,
}

/// What a snapshot holds: everything but the token lifetime, a start
/// option.
#[derive(Serialize, Deserialize)]
struct StoredGrants {
    clients: Vec<OAuth2Client>,
    codes: BTreeMap<String, Code>,
    tokens: BTreeMap<String, Grant>,
}

impl Default for OAuth2State {
    fn default() -> Self {
        OAuth2State {
            inner: Mutex::new(Inner {
                clients: Vec::new(),
                codes: BTreeMap::new(),
                tokens: BTreeMap::new(),
                lifetime: DEFAULT_TOKEN_LIFETIME,
            }),
        }
    }
}

/// What [`OAuth2State::validate`] finds out about an access token.
#[derive(Clone, Debug)]
pub struct AccessGrant {
    /// The uuid of the user who authorized it.
    pub user: String,
    /// What it was granted for (by default the redirect URI).
    pub scope: String,
    /// When it expires.
    pub expires_at: OffsetDateTime,
}

impl OAuth2State {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state as JSON, for the data dir: the clients, the codes not
    /// traded yet and the access tokens (expired ones included, until they
    /// are checked, as in the running state). The token lifetime is a start
    /// option and is left out.
    pub fn snapshot(&self) -> Value {
        let stored = {
            let inner = self.lock();
            StoredGrants {
                clients: inner.clients.clone(),
                codes: inner.codes.clone(),
                tokens: inner.tokens.clone(),
            }
        };
        // Cannot fail: maps have string keys, and times are written in a
        // format that holds every representable time.
        serde_json::to_value(stored).unwrap_or(Value::Null)
    }

    /// Replaces the state with a snapshot taken by `snapshot` (start
    /// options kept: the token lifetime is the running one, and so are the
    /// clients registered at start, which come first and win over a stored
    /// client of the same id; the stored others follow).
    pub fn restore(&self, snapshot: Value) -> Result<(), serde_json::Error> {
        let stored: StoredGrants = serde_json::from_value(snapshot)?;
        let mut inner = self.lock();
        let mut clients = std::mem::take(&mut inner.clients);
        for client in stored.clients {
            if !clients.iter().any(|c| c.id == client.id) {
                clients.push(client);
            }
        }
        inner.clients = clients;
        inner.codes = stored.codes;
        inner.tokens = stored.tokens;
        Ok(())
    }

    /// Registers a client (replacing one of the same id).
    pub fn add_client(&self, client: OAuth2Client) {
        let mut inner = self.lock();
        inner.clients.retain(|c| c.id != client.id);
        inner.clients.push(client);
    }

    /// The registered clients.
    pub fn clients(&self) -> Vec<OAuth2Client> {
        self.lock().clients.clone()
    }

    /// Sets how long the access tokens issued from now on live.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.lock().lifetime = lifetime;
    }

    /// Checks an access token as Astakos' `validate_token` does: unknown
    /// is "No such token", expired is "Token has expired" (and forgotten).
    pub fn validate(&self, token: &str) -> Result<AccessGrant, &'static str> {
        let mut inner = self.lock();
        let grant = inner.tokens.get(token).cloned().ok_or("No such token")?;
        if crate::clock::now() > grant.expires_at {
            inner.tokens.remove(token);
            return Err("Token has expired");
        }
        Ok(AccessGrant {
            user: grant.user,
            scope: grant.scope,
            expires_at: grant.expires_at,
        })
    }

    /// Issues an access token for the user `uuid` within `scope`, as the
    /// token endpoint does once a code is traded; it lives the configured
    /// lifetime.
    pub fn issue(&self, uuid: &str, scope: &str) -> String {
        let mut inner = self.lock();
        let access_token = crate::random::hex(15);
        let expires_at = crate::clock::now() + inner.lifetime;
        inner.tokens.insert(
            access_token.clone(),
            Grant {
                user: uuid.to_string(),
                scope: scope.to_string(),
                expires_at,
            },
        );
        access_token
    }

    /// Whether a string is a live or expired access token.
    pub fn is_access_token(&self, token: &str) -> bool {
        self.lock().tokens.contains_key(token)
    }
}

/// What the OAuth2 handlers see: their service's state and what it
/// shares with others ([`crate::state::AppState::oauth2_service`] makes it).
#[derive(Clone, Debug)]
pub struct OAuth2Service {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: std::sync::Arc<str>,
    /// The users and components, for authentication.
    pub identity: std::sync::Arc<crate::identity::Identity>,
    /// Clients, codes and tokens.
    pub oauth2: std::sync::Arc<OAuth2State>,
}

impl crate::identity::HasIdentity for OAuth2Service {
    fn identity(&self) -> &crate::identity::Identity {
        &self.identity
    }
}

/// The routes, to nest at `/astakos/oauth2`.
pub fn router() -> Router<OAuth2Service> {
    Router::new()
        .route("/auth", get(authorize).post(authorize))
        .route("/auth/", get(authorize).post(authorize))
        .route("/token", post(token).fallback(token_not_allowed))
        .route("/token/", post(token).fallback(token_not_allowed))
}

/// An OAuth2 failure, answered as Synnefo's backend answers every one.
#[derive(Debug)]
struct OA2Error(String);

impl OA2Error {
    fn new(why: impl Into<String>) -> Self {
        OA2Error(why.into())
    }
}

impl IntoResponse for OA2Error {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "generic_error", "exception": self.0})),
        )
            .into_response()
    }
}

type Oa2Result<T> = Result<T, OA2Error>;

/// Query-string and form characters left as they are (Python's
/// `urllib.quote_plus` keeps these, and writes a space as `+`).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn urlencode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let part = |text: &str| {
                utf8_percent_encode(text, FORM)
                    .to_string()
                    .replace("%20", "+")
            };
            format!("{}={}", part(k), part(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `client_id:secret` from `Authorization: Basic ...`; anything else there
/// counts as no credentials, as in Synnefo.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if scheme != "Basic" || encoded.contains(' ') {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Whether a URI names a scheme (`https:...`), as an absolute URI does.
fn is_absolute(uri: &str) -> bool {
    match uri.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// The client a request names and, where needed, authenticates.
fn validate_client(
    state: &OAuth2Service,
    params: &BTreeMap<String, String>,
    headers: &HeaderMap,
    requires_auth: bool,
    client_id_required: bool,
) -> Oa2Result<OAuth2Client> {
    let mut client_id = params.get("client_id").cloned();
    if client_id.is_none() && client_id_required {
        return Err(OA2Error::new("Client identification is required"));
    }
    let credentials = basic_credentials(headers);
    if let Some((id, _)) = &credentials {
        if client_id.as_ref().is_some_and(|c| c != id) {
            return Err(OA2Error::new(
                "Client identification conflicts with client authorization",
            ));
        }
        client_id = Some(id.clone());
    }
    let client_id = client_id.ok_or_else(|| OA2Error::new("Missing client identification"))?;
    let client = state
        .oauth2
        .clients()
        .into_iter()
        .find(|c| c.id == client_id)
        .ok_or_else(|| OA2Error::new("No such client found"))?;
    match credentials {
        None if requires_auth => Err(OA2Error::new("Client authentication is required")),
        Some((id, secret)) if id != client.id || secret != client.secret => {
            Err(OA2Error::new("Invalid credentials"))
        }
        _ => Ok(client),
    }
}

/// The redirect URI of a request, checked against the client's.
fn validate_redirect_uri(
    client: &OAuth2Client,
    params: &BTreeMap<String, String>,
    expected: Option<&str>,
) -> Oa2Result<String> {
    let Some(uri) = params.get("redirect_uri") else {
        return client
            .redirect_urls
            .first()
            .cloned()
            .ok_or_else(|| OA2Error::new("Unable to fallback to client redirect URI"));
    };
    if !is_absolute(uri) {
        return Err(OA2Error::new("Redirect uri should be an absolute URI"));
    }
    if uri.len() > REDIRECT_URI_LIMIT {
        return Err(OA2Error::new("Redirect uri length limit exceeded"));
    }
    if !client.redirect_uri_is_valid(uri) {
        return Err(OA2Error::new("Mismatching redirect uri"));
    }
    if expected.is_some_and(|e| e != uri) {
        return Err(OA2Error::new("Invalid redirect uri"));
    }
    Ok(uri.clone())
}

/// The parameters of a request: the query of a GET, the form of a POST.
fn params_of(
    method: &Method,
    query: Option<&str>,
    body: &[u8],
) -> Oa2Result<BTreeMap<String, String>> {
    let raw: &[u8] = if method == Method::POST {
        body
    } else {
        query.unwrap_or("").as_bytes()
    };
    form_pairs(raw).ok_or_else(|| OA2Error::new("Invalid request parameters"))
}

/// The user of the request's `X-Auth-Token`, if it names one.
fn logged_in(state: &OAuth2Service, headers: &HeaderMap) -> Option<User> {
    let token = headers.get("x-auth-token")?.to_str().ok()?.trim();
    state.identity.user_by_token(token)
}

/// `redirect_uri` with `code` and `state` set in its query.
fn redirect_with_code(uri: &str, code: &str, client_state: Option<&String>) -> String {
    let (uri, fragment) = match uri.split_once('#') {
        Some((uri, fragment)) => (uri, Some(fragment)),
        None => (uri, None),
    };
    let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut pairs: Vec<(String, String)> = form_pairs(query.as_bytes())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k != "code" && k != "state")
        .collect();
    pairs.push(("code".into(), code.to_string()));
    if let Some(client_state) = client_state {
        pairs.push(("state".into(), client_state.clone()));
    }
    let mut location = format!("{base}?{}", urlencode(&pairs));
    if let Some(fragment) = fragment {
        location.push('#');
        location.push_str(fragment);
    }
    location
}

fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(LOCATION, location.to_string())]).into_response()
}

/// `GET|POST /auth`: a logged-in user authorizes a client; the answer
/// redirects to the client with a fresh code.
async fn authorize(
    State(state): State<OAuth2Service>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Oa2Result<Response> {
    let params = params_of(&method, query.as_deref(), &body)?;
    match params.get("response_type").map(String::as_str) {
        None => return Err(OA2Error::new("Missing authorization type")),
        Some("code") => {}
        Some("token") => return Err(OA2Error::new("Unsupported authorization type")),
        Some(_) => return Err(OA2Error::new("Invalid authorization type")),
    }
    let client = validate_client(&state, &params, &headers, false, true)?;
    let redirect_uri = validate_redirect_uri(&client, &params, None)?;
    let scope = params
        .get("scope")
        .and_then(|s| s.split(' ').next())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| redirect_uri.clone());
    let Some(user) = logged_in(&state, &headers) else {
        let next = format!(
            "/astakos/oauth2/auth?{}",
            urlencode(&params.into_iter().collect::<Vec<_>>())
        );
        let login = format!("{LOGIN_PATH}?{}", urlencode(&[("next".into(), next)]));
        return Ok(found(&login));
    };
    let code = crate::random::hex(30);
    state.oauth2.lock().codes.insert(
        code.clone(),
        Code {
            user: user.uuid,
            client: client.id,
            redirect_uri: redirect_uri.clone(),
            scope,
        },
    );
    Ok(found(&redirect_with_code(
        &redirect_uri,
        &code,
        params.get("state"),
    )))
}

/// `POST /token`: trades an authorization code for an access token.
async fn token(
    State(state): State<OAuth2Service>,
    headers: HeaderMap,
    body: Bytes,
) -> Oa2Result<Response> {
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(OA2Error::new("Invalid Content-Type header"));
    }
    let params = form_pairs(&body).ok_or_else(|| OA2Error::new("Invalid request parameters"))?;
    match params.get("grant_type").map(String::as_str) {
        None => return Err(OA2Error::new("Missing grant type")),
        Some("authorization_code") => {}
        Some(grant) if grant == "client_credentials" || grant == "token" || is_absolute(grant) => {
            return Err(OA2Error::new("Unsupported grant type"))
        }
        Some(_) => return Err(OA2Error::new("Invalid grant type")),
    }
    let client = validate_client(&state, &params, &headers, true, false)?;
    let code_text = params
        .get("code")
        .ok_or_else(|| OA2Error::new("Missing authorization code"))?;
    let mut inner = state.oauth2.lock();
    let code = inner
        .codes
        .get(code_text)
        .cloned()
        .ok_or_else(|| OA2Error::new("No such authorization code"))?;
    if code.client != client.id {
        return Err(OA2Error::new("Mismatching client with code client"));
    }
    let redirect_uri = validate_redirect_uri(&client, &params, Some(&code.redirect_uri))?;
    if redirect_uri != code.redirect_uri {
        return Err(OA2Error::new(
            "The redirect uri does not match the one used during authorization",
        ));
    }
    // A code is good once.
    inner.codes.remove(code_text);
    let lifetime = inner.lifetime;
    drop(inner);
    let access_token = state.oauth2.issue(&code.user, &code.scope);
    Ok(Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response())
}

/// Django's answer to anything but a POST at the token endpoint.
async fn token_not_allowed() -> Response {
    (StatusCode::METHOD_NOT_ALLOWED, [("allow", "POST")]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_keep_the_uri_query_and_add_code_and_state() {
        let state = "a b&c".to_string();
        assert_eq!(
            redirect_with_code(
                "https://app.example.org/cb?x=1&code=old#top",
                "C0DE",
                Some(&state)
            ),
            "https://app.example.org/cb?x=1&code=C0DE&state=a+b%26c#top"
        );
        assert_eq!(
            redirect_with_code("https://app.example.org/cb", "C", None),
            "https://app.example.org/cb?code=C"
        );
    }

    #[test]
    fn redirect_uris_are_checked_as_synnefo_checks_them() {
        let client = OAuth2Client {
            id: "c".into(),
            secret: "s".into(),
            redirect_urls: vec!["https://app.example.org/view/".into()],
        };
        assert!(client.redirect_uri_is_valid("https://app.example.org/view/"));
        assert!(client.redirect_uri_is_valid("https://app.example.org/view/a/b"));
        assert!(!client.redirect_uri_is_valid("https://app.example.org/viewer"));
        assert!(is_absolute("https://x"));
        assert!(is_absolute("myapp+x:cb"));
        assert!(!is_absolute("/relative"));
        assert!(!is_absolute("1x:y"));
    }

    #[test]
    fn basic_credentials_are_read_or_ignored() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("id:se:cret");
        headers.insert(AUTHORIZATION, format!("Basic {encoded}").parse().unwrap());
        assert_eq!(
            basic_credentials(&headers),
            Some(("id".to_string(), "se:cret".to_string()))
        );
        for bad in ["Bearer abc", "Basic !!!", "Basic", "Basic a b"] {
            headers.insert(AUTHORIZATION, bad.parse().unwrap());
            assert_eq!(basic_credentials(&headers), None, "{bad}");
        }
    }

    #[test]
    fn snapshots_round_trip_keeping_lifetime_and_start_clients() {
        let state = OAuth2State::default();
        let client = |id: &str| OAuth2Client {
            id: id.to_string(),
            secret: format!("{id}-secret"),
            redirect_urls: vec![format!("https://{id}.example.org/")],
        };
        state.add_client(client("app"));
        state.add_client(client("both"));
        let token = state.issue("alice", "https://app.example.org/");
        state.lock().codes.insert(
            "c0de".to_string(),
            Code {
                user: "alice".to_string(),
                client: "app".to_string(),
                redirect_uri: "https://app.example.org/cb".to_string(),
                scope: "https://app.example.org/cb".to_string(),
            },
        );
        let snapshot = state.snapshot();
        assert_eq!(snapshot["clients"][0]["id"], "app");
        assert_eq!(snapshot["codes"]["c0de"]["client"], "app");
        assert_eq!(snapshot["tokens"][&token]["user"], "alice");
        assert!(snapshot.get("lifetime").is_none(), "a start option");

        let fresh = OAuth2State::default();
        fresh.restore(snapshot.clone()).unwrap();
        assert_eq!(fresh.snapshot(), snapshot);
        let grant = fresh.validate(&token).unwrap();
        assert_eq!(grant.expires_at, state.validate(&token).unwrap().expires_at);

        let started = OAuth2State::default();
        started.set_token_lifetime(Duration::from_secs(99));
        let mut renewed = client("both");
        renewed.secret = "new".to_string();
        started.add_client(client("start"));
        started.add_client(renewed.clone());
        started.restore(snapshot).unwrap();
        let ids: Vec<String> = started.clients().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["start", "both", "app"]);
        assert_eq!(started.clients()[1], renewed, "the start option wins");
        assert_eq!(started.lock().lifetime, Duration::from_secs(99));
        assert!(started.lock().codes.contains_key("c0de"));
    }
}
