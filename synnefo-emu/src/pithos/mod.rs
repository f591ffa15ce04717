//! Pithos object storage (the object-store service, `/pithos/object-store/v1`)
//! and its public URLs (`/pithos/public/<id>`), as Synnefo's Pithos serves
//! them: accounts (user uuids), containers and objects with versions,
//! content-addressed blocks with hashmaps, sharing, public objects and
//! quotas.
//!
//! Module map: [`hashing`] (block and Merkle hashes), [`store`] (the block
//! store), [`model`] (accounts, containers, objects, versions), [`sharing`]
//! (who may do what), [`listing`] (listings and their formats), [`headers`]
//! (request and reply headers), [`body`] (streaming bodies in and out), and
//! one module of handlers per level: [`account`], [`container`], [`object`],
//! [`public`]. Other services (block storage's snapshots) write objects
//! through [`backend`], which charges quotas as uploads do.
//!
//! Test hooks: [`PithosState::corrupt_block`] makes the server serve data
//! that no longer matches its hash; [`PithosState::block_count`] tells how
//! many distinct blocks are stored (to observe deduplication);
//! [`PithosState::set_max_upload_size`] lowers the size limit of uploads.

pub mod account;
pub mod backend;
pub mod block_files;
pub mod body;
pub mod container;
pub mod hashing;
pub mod headers;
pub mod interner;
pub mod journal;
pub mod listing;
pub mod model;
pub mod object;
pub mod persist;
pub mod public;
pub mod sharing;
pub mod store;
mod usage;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use self::headers::{Headers, ReplyHeaders};
use self::listing::Format;
use self::model::Model;
use self::store::BlockStore;
use crate::errors::ApiError;
use crate::identity::User;

/// The largest upload of one request, as Synnefo's `MAX_UPLOAD_SIZE`.
pub const DEFAULT_MAX_UPLOAD_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// The largest hashmap document accepted.
const MAX_HASHMAP_BODY: u64 = 64 * 1024 * 1024;

/// How much of an unread request body is drained before replying.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// How long an unwanted body may pause before the reply goes out without
/// the rest of it.
const DRAIN_IDLE: std::time::Duration = std::time::Duration::from_millis(200);

/// The path public URLs are served at.
pub const PUBLIC_PATH: &str = "/pithos/public";

/// The state of Pithos.
#[derive(Debug)]
pub struct PithosState {
    /// The blocks.
    pub store: Arc<BlockStore>,
    /// Accounts, containers, objects, permissions.
    pub model: RwLock<Model>,
    max_upload: AtomicU64,
    /// How long a request body may pause, in milliseconds.
    body_idle_ms: AtomicU64,
    /// Synnefo's `PITHOS_UPDATE_MD5`: ETags are the MD5 of the content.
    update_md5: std::sync::atomic::AtomicBool,
}

/// How long a request body may pause before the request is given up
/// (408), unless set otherwise.
pub const DEFAULT_BODY_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl PithosState {
    /// Removes the blocks no version of any object refers to (left by
    /// deleted objects, purged versions or an earlier run); how many went.
    pub fn remove_unreferenced_blocks(&self) -> std::io::Result<usize> {
        let keep = self.read().referenced_blocks();
        self.store.retain(&keep)
    }

    /// A Pithos whose blocks live in `store` (e.g. block files).
    pub fn with_blocks(store: BlockStore) -> Self {
        PithosState {
            store: Arc::new(store),
            ..PithosState::default()
        }
    }
}

impl Default for PithosState {
    fn default() -> Self {
        PithosState {
            store: Arc::new(BlockStore::default()),
            model: RwLock::new(Model::default()),
            max_upload: AtomicU64::new(DEFAULT_MAX_UPLOAD_SIZE),
            body_idle_ms: AtomicU64::new(DEFAULT_BODY_IDLE_TIMEOUT.as_millis() as u64),
            update_md5: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

/// What other services need to know of a stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary {
    /// Its size in bytes.
    pub size: u64,
    /// Its Pithos hash (the Merkle root of its block hashes, hex).
    pub hash: String,
    /// Its content type.
    pub content_type: String,
    /// Its uuid (`X-Object-UUID`: kept by new versions and moves, new
    /// when the object is deleted and made again).
    pub uuid: String,
    /// Whether its data is a volume snapshot's.
    pub is_snapshot: bool,
}

impl ObjectSummary {
    fn of(version: &model::Version) -> Self {
        ObjectSummary {
            size: version.size,
            hash: version.hash().unwrap_or_default(),
            content_type: version.content_type.to_string(),
            uuid: version.uuid.to_string(),
            is_snapshot: version.is_snapshot,
        }
    }
}

impl PithosState {
    /// The namespace, for reading.
    pub fn read(&self) -> RwLockReadGuard<'_, Model> {
        self.model.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The namespace, for writing.
    pub fn write(&self) -> RwLockWriteGuard<'_, Model> {
        self.model.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The object `account/container/name`, if it exists and `reader` (a
    /// user uuid) may read it (owner, shared with, or public). Used by the
    /// Image registry to read the objects of images. Other services write
    /// objects through [`PithosState::put_object`] and
    /// [`PithosState::delete_object`] ([`backend`]).
    pub fn object_summary(
        &self,
        reader: &str,
        account: &str,
        container: &str,
        name: &str,
    ) -> Option<ObjectSummary> {
        let model = self.read();
        model
            .can_read_object(reader, account, container, name)
            .ok()?;
        let version = model.container(account, container)?.current(name)?;
        Some(ObjectSummary::of(version))
    }

    /// Where the current object with this uuid is in `account` (objects
    /// keep their uuid when overwritten or moved): its container, its name
    /// and what it is now.
    pub fn locate_uuid(
        &self,
        account: &str,
        uuid: &str,
    ) -> Option<(String, String, ObjectSummary)> {
        let uuid = uuid::Uuid::parse_str(uuid).ok()?;
        let model = self.read();
        let account_data = model.accounts.get(account)?;
        account_data
            .containers
            .iter()
            .find_map(|(container, data)| {
                data.objects.iter().find_map(|(name, node)| {
                    node.current()
                        .filter(|v| v.uuid == uuid)
                        .map(|v| (container.clone(), name.clone(), ObjectSummary::of(v)))
                })
            })
    }

    /// Test hook: flips the bytes of the stored block of this hash (hex) so
    /// that the server serves data that does not match it; false if no such
    /// block is stored (the all-zero block never is).
    pub fn corrupt_block(&self, hash: &str) -> bool {
        hashing::from_hex(hash).is_some_and(|h| self.store.corrupt(&h))
    }

    /// Test hook: how many distinct blocks are stored.
    pub fn block_count(&self) -> usize {
        self.store.len()
    }

    /// The largest body one upload request may carry (default 5 GiB).
    pub fn max_upload_size(&self) -> u64 {
        self.max_upload.load(Ordering::Relaxed)
    }

    /// Whether ETags are the MD5 of the content (Synnefo's
    /// `PITHOS_UPDATE_MD5`, off by default), not the Pithos hash.
    pub fn update_md5(&self) -> bool {
        self.update_md5.load(Ordering::Relaxed)
    }

    /// Switches MD5 ETags on or off.
    pub fn set_update_md5(&self, on: bool) {
        self.update_md5.store(on, Ordering::Relaxed);
    }

    /// How long a request body may pause before the request is given up.
    pub fn body_idle_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.body_idle_ms.load(Ordering::Relaxed))
    }

    /// Sets how long a request body may pause before the request is given
    /// up (at least a millisecond).
    pub fn set_body_idle_timeout(&self, idle: std::time::Duration) {
        let ms = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX).max(1);
        self.body_idle_ms.store(ms, Ordering::Relaxed);
    }

    /// Sets the largest body one upload request may carry.
    pub fn set_max_upload_size(&self, bytes: u64) {
        self.max_upload.store(bytes, Ordering::Relaxed);
    }
}

/// The routes of Pithos, nested at its catalog path.
pub fn router() -> Router<PithosService> {
    Router::new()
        .route("/", any(api))
        .route("/{*path}", any(api))
}

/// The routes of public URLs, nested at [`PUBLIC_PATH`].
pub fn public_router() -> Router<PithosService> {
    Router::new()
        .route("/", any(public::serve))
        .route("/{*path}", any(public::serve))
}

/// The query string of a request, decoded, in order.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a query string (`+` is a space, `%XX` escapes).
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let decode = |s: &str| headers::percent_decode(&s.replace('+', " "));
                (decode(k), decode(v))
            })
            .collect();
        Query { pairs }
    }

    /// A parameter's value (the last one, as Django's `QueryDict.get`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a parameter is present (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// A parameter's value if present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// The `until` parameter: a non-negative integer timestamp, else
    /// ignored (as Synnefo's `get_int_parameter` does).
    pub fn until(&self) -> Option<f64> {
        self.get("until")
            .and_then(headers::int_parameter)
            .map(|u| u as f64)
    }
}

/// What the Pithos handlers see: their service's state and what it
/// shares with others ([`crate::state::AppState::pithos_service`] makes it).
#[derive(Clone, Debug)]
pub struct PithosService {
    /// The base URL clients reach the emulator at, without trailing slash.
    pub base_url: std::sync::Arc<str>,
    /// The users and components, for authentication.
    pub identity: std::sync::Arc<crate::identity::Identity>,
    /// Quotas, charged by what is stored.
    pub quotas: std::sync::Arc<crate::quotas::Quotas>,
    /// The object store.
    pub pithos: std::sync::Arc<PithosState>,
}

impl crate::identity::HasIdentity for PithosService {
    fn identity(&self) -> &crate::identity::Identity {
        &self.identity
    }
}

/// A request to the Pithos API, read.
pub struct Ctx {
    /// The shared state.
    pub state: PithosService,
    /// The method.
    pub method: Method,
    /// The authenticated user.
    pub user: User,
    /// The headers.
    pub headers: Headers,
    /// The query.
    pub query: Query,
    /// The reply format.
    pub format: Format,
}

impl Ctx {
    /// The user's uuid.
    pub fn uuid(&self) -> &str {
        &self.user.uuid
    }

    /// The Pithos state.
    pub fn pithos(&self) -> &PithosState {
        &self.state.pithos
    }

    /// The public URL of a public id.
    pub fn public_url(&self, id: &str) -> String {
        format!("{}{PUBLIC_PATH}/{id}", self.state.base_url)
    }
}

/// A reply: status, headers, body.
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: ReplyHeaders,
    /// The body.
    pub body: Body,
}

impl Reply {
    /// An empty reply of a status.
    pub fn empty(status: StatusCode) -> Self {
        Reply {
            status,
            headers: ReplyHeaders::default(),
            body: Body::empty(),
        }
    }

    /// A reply with a text body.
    pub fn with_body(status: StatusCode, content_type: &str, body: impl Into<Body>) -> Self {
        let mut reply = Reply::empty(status);
        reply.headers.set("Content-Type", content_type);
        reply.body = body.into();
        reply
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.set(name, value);
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        self.headers.apply(response.headers_mut());
        response
    }
}

/// The result of a Pithos handler.
pub type PithosResult = Result<Reply, ApiError>;

/// Renders a fault in the reply format (`304` without a body).
pub fn fault_reply(fault: ApiError, format: Format) -> Response {
    let status = StatusCode::from_u16(fault.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::NOT_MODIFIED {
        return Reply::empty(status).into_response();
    }
    let (content_type, body) = match format {
        Format::Xml => (
            Format::Xml.content_type(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{name} code=\"{code}\">\n  <message>{message}</message>\n  <details>{details}</details>\n</{name}>\n",
                name = fault.name,
                code = fault.code,
                message = listing::xml_escape(&fault.message),
                details = listing::xml_escape(&fault.details),
            ),
        ),
        // Synnefo's API errors are JSON unless XML was asked for, under the
        // request's own content type: text/plain for a text listing.
        _ => (
            if matches!(format, Format::Text) {
                Format::Text.content_type()
            } else {
                Format::Json.content_type()
            },
            serde_json::json!({fault.name: {
                "code": fault.code, "message": fault.message, "details": fault.details,
            }})
            .to_string(),
        ),
    };
    Reply::with_body(status, content_type, body).into_response()
}

/// Adds what every Pithos reply carries.
pub fn finish(mut response: Response, format: Format) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key("content-type") {
        headers.insert(
            "content-type",
            HeaderValue::from_static(format.content_type()),
        );
    }
    headers.insert("vary", HeaderValue::from_static("X-Auth-Token"));
    headers.insert(
        "cache-control",
        HeaderValue::from_static("no-cache, no-store, must-revalidate, max-age=0"),
    );
    response
}

/// The reply format: `format=json|xml`, else `Accept`, else the default;
/// `text` only where listings allow it.
pub fn reply_format(query: &Query, headers: &Headers, allowed: bool, list: bool) -> Format {
    let default = if list { Format::Text } else { Format::Json };
    if !allowed {
        return Format::Json;
    }
    match query.get("format") {
        Some("json") => return Format::Json,
        Some("xml") => return Format::Xml,
        _ => {}
    }
    for item in headers.get("accept").unwrap_or("").split(',') {
        match item.split(';').next().unwrap_or("").trim() {
            "application/json" => return Format::Json,
            "application/xml" => return Format::Xml,
            _ => {}
        }
    }
    default
}

/// Where a request goes.
enum Level {
    Top,
    Account(String),
    Container(String, String),
    Object(String, String, String),
}

/// Splits a decoded API path as Synnefo's URL patterns do.
fn level(path: &str) -> Level {
    let path = path.strip_prefix('/').unwrap_or(path);
    if path.is_empty() {
        return Level::Top;
    }
    let Some((account, rest)) = path.split_once('/').filter(|(a, _)| !a.is_empty()) else {
        return Level::Account(path.trim_end_matches('/').to_string());
    };
    if rest.is_empty() {
        return Level::Account(account.to_string());
    }
    // The container is at least one character long, up to the next slash.
    let cut = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '/')
        .map(|(i, _)| i);
    match cut {
        Some(i) if i + 1 < rest.len() => Level::Object(
            account.to_string(),
            rest[..i].to_string(),
            rest[i + 1..].to_string(),
        ),
        Some(i) => Level::Container(account.to_string(), rest[..i].to_string()),
        None => Level::Container(account.to_string(), rest.to_string()),
    }
}

fn not_allowed(allowed: &[&str]) -> Response {
    let mut response = fault_reply(ApiError::not_allowed("Method not allowed"), Format::Json);
    if let Ok(value) = HeaderValue::from_str(&allowed.join(",")) {
        response.headers_mut().insert("allow", value);
    }
    response
}

/// The token of a request: the `X-Auth-Token` header or parameter.
fn token<'a>(headers: &'a Headers, query: &'a Query) -> Option<&'a str> {
    headers
        .non_empty("x-auth-token")
        .or_else(|| query.non_empty("X-Auth-Token"))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Every request of the API comes here.
async fn api(State(state): State<PithosService>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = body::with_idle_timeout(body, state.pithos.body_idle_timeout());
    let query = Query::parse(parts.uri.query());
    let raw_path = parts.uri.path().to_string();
    let path = headers::percent_decode(&raw_path);
    let level = level(&path);
    let method = parts.method.clone();

    let allowed: &[&str] = match &level {
        Level::Top => &["GET"],
        Level::Account(_) => &["HEAD", "POST", "GET"],
        Level::Container(..) => &["HEAD", "PUT", "POST", "DELETE", "GET"],
        Level::Object(..) => &["HEAD", "GET", "PUT", "COPY", "MOVE", "POST", "DELETE"],
    };
    if !allowed.contains(&method.as_str()) {
        return finish(not_allowed(allowed), Format::Json);
    }

    let headers = match Headers::from_map(&parts.headers) {
        Ok(h) => h,
        Err(fault) => return finish(fault_reply(fault, Format::Json), Format::Json),
    };
    let format = match (&level, method.as_str()) {
        (Level::Top, _) | (Level::Account(_), "GET") | (Level::Container(..), "GET") => {
            reply_format(&query, &headers, true, true)
        }
        (Level::Container(..), "POST") | (Level::Object(..), "GET" | "COPY" | "MOVE" | "POST") => {
            reply_format(&query, &headers, true, false)
        }
        _ => Format::Json,
    };

    let Some(token) = token(&headers, &query) else {
        if matches!(level, Level::Top) {
            return finish(account::authenticate(&state, &headers), Format::Text);
        }
        let fault = ApiError::unauthorized("Access denied. No authentication token");
        return finish(fault_reply(fault, format), format);
    };
    let Some(user) = state.identity.user_by_token(token) else {
        let fault = ApiError::unauthorized("Invalid token");
        return finish(fault_reply(fault, format), format);
    };

    let ctx = Ctx {
        state: state.clone(),
        method: method.clone(),
        user,
        headers,
        query,
        format,
    };
    // Handlers take the body when they read it; one left unread (a request
    // refused early) is drained, within reason, so that the client gets
    // the reply instead of a broken connection.
    let mut body = Some(body);
    let result = match level {
        Level::Top => account::sharing_accounts(&ctx),
        Level::Account(account) => match method.as_str() {
            "HEAD" => account::head(&ctx, &account),
            "POST" => account::post(&ctx, &account),
            _ => account::list_containers(&ctx, &account),
        },
        Level::Container(account, container) => {
            if container.chars().count() > 256 {
                Err(ApiError::bad_request("Container name too large"))
            } else {
                match method.as_str() {
                    "HEAD" => container::head(&ctx, &account, &container),
                    "PUT" => container::put(&ctx, &account, &container),
                    "POST" => container::post(&ctx, &account, &container, &mut body).await,
                    "DELETE" => container::delete(&ctx, &account, &container),
                    _ => container::list_objects(&ctx, &account, &container),
                }
            }
        }
        Level::Object(account, container, name) => {
            if container.chars().count() > 256 {
                Err(ApiError::bad_request("Container name too large"))
            } else if name.chars().count() > 1024 {
                Err(ApiError::bad_request("Object name too large."))
            } else {
                let at = object::At {
                    account: &account,
                    container: &container,
                    name: &name,
                };
                match method.as_str() {
                    "HEAD" => object::head(&ctx, &at),
                    "GET" => object::get(&ctx, &at),
                    "PUT" => object::put(&ctx, &at, &mut body).await,
                    "COPY" => object::copy_or_move(&ctx, &at, false),
                    "MOVE" => object::copy_or_move(&ctx, &at, true),
                    "POST" => object::post(&ctx, &at, &mut body).await,
                    _ => object::delete(&ctx, &at),
                }
            }
        }
    };
    if let Some(unread) = body {
        body::drain(unread, DRAIN_LIMIT, DRAIN_IDLE).await;
    }
    let response = match result {
        Ok(reply) => reply.into_response(),
        Err(fault) => fault_reply(fault, format),
    };
    finish(response, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(l: Level) -> String {
        match l {
            Level::Top => "top".into(),
            Level::Account(a) => format!("acc {a}"),
            Level::Container(a, c) => format!("cont {a} {c}"),
            Level::Object(a, c, o) => format!("obj {a} {c} {o}"),
        }
    }

    #[test]
    fn paths_split_as_synnefo_urls() {
        assert_eq!(show(level("/")), "top");
        assert_eq!(show(level("")), "top");
        assert_eq!(show(level("/a")), "acc a");
        assert_eq!(show(level("/a/")), "acc a");
        assert_eq!(show(level("/a/c")), "cont a c");
        assert_eq!(show(level("/a/c/")), "cont a c");
        assert_eq!(show(level("/a/c/o")), "obj a c o");
        assert_eq!(show(level("/a/c/d/e/")), "obj a c d/e/");
        assert_eq!(show(level("/a/c//x")), "obj a c /x");
    }

    proptest::proptest! {
        #[test]
        fn any_path_and_query_splits(path in "[/a-z%é]{0,30}", query in ".{0,40}") {
            let _ = show(level(&path));
            let q = Query::parse(Some(&query));
            let _ = (q.until(), q.get("limit"), q.has("update"));
        }
    }

    #[test]
    fn queries_keep_bare_flags() {
        let q = Query::parse(Some("update&format=json&a=b%20c&d=e+f&until=12&until=x"));
        assert!(q.has("update"));
        assert_eq!(q.get("update"), Some(""));
        assert_eq!(q.get("a"), Some("b c"));
        assert_eq!(q.get("d"), Some("e f"));
        assert_eq!(q.until(), None);
        assert_eq!(Query::parse(Some("until=12")).until(), Some(12.0));
    }
}
