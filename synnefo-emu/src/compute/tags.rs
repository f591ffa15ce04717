//! Server tags: strings of at most 60 characters without `/` or `,`, at
//! most 50 per server; `PENDADD` until the backend confirms them.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::servers;
use crate::auth::Authenticated;
use crate::cyclades::json::{self, empty, reply};
use crate::cyclades::lifecycle;
use crate::cyclades::model::Tag;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};

/// Most tags per server.
pub const MAX_TAGS: usize = 50;
/// Longest tag.
pub const TAG_LENGTH: usize = 60;

/// Checks a tag as Synnefo does.
pub fn check(tag: &str) -> ApiResult<()> {
    if tag.contains(['/', ',']) {
        return Err(ApiError::bad_request("Tag cannot contain '/' or ','"));
    }
    if tag.is_empty() {
        return Err(ApiError::bad_request("Malformed Request. Invalid tag."));
    }
    json::check_length(tag, TAG_LENGTH, "Malformed Request. Tag is too long")
}

fn too_many() -> ApiError {
    ApiError::bad_request(format!(
        "Virtual Machines cannot have more than {MAX_TAGS} tags"
    ))
}

/// `GET /servers/<id>/tags`: `{"tags": [...], "statuses": [...]}`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?;
    let tags: Vec<&str> = server.tags.iter().map(|t| t.name.as_str()).collect();
    let statuses: Vec<&str> = server.tags.iter().map(|t| t.status(cloud.now)).collect();
    Ok(reply(200, json!({"tags": tags, "statuses": statuses})))
}

/// `PUT /servers/<id>/tags` with `{"tags": [...]}`.
pub async fn replace(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let request = json::body(&headers, &body)?;
    let tags = json::opt_list(&request, "tags")?
        .ok_or_else(|| ApiError::bad_request("Malformed request. Missing attribute 'tags'."))?;
    let tags: Vec<String> = tags
        .iter()
        .map(|t| {
            t.as_str()
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request("Malformed Request. Invalid tag."))
        })
        .collect::<ApiResult<_>>()?;
    if tags.len() > MAX_TAGS {
        return Err(too_many());
    }
    for tag in &tags {
        check(tag)?;
    }
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    lifecycle::validate(&cloud, id, "REPLACETAGS")?;
    let (due, _) = cloud.due();
    let now = cloud.now;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        server.tags.retain(|t| t.status(now) != "ACTIVE");
        for tag in &tags {
            if !server.tags.iter().any(|t| &t.name == tag) {
                server.tags.push(Tag {
                    name: tag.clone(),
                    active_at: due,
                });
            }
        }
    }
    let statuses = vec!["PENDADD"; tags.len()];
    Ok(reply(200, json!({"tags": tags, "statuses": statuses})))
}

/// `DELETE /servers/<id>/tags`: 404 if there were no active tags.
pub async fn delete_all(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    let now = cloud.now;
    let mut deleted = 0;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        let before = server.tags.len();
        server.tags.retain(|t| t.status(now) != "ACTIVE");
        deleted = before - server.tags.len();
    }
    Ok(empty(if deleted > 0 { 204 } else { 404 }))
}

/// `GET /servers/<id>/tags/<tag>`: 204 with a `tag-status` header, or 404.
pub async fn exists(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, tag)): Path<(String, String)>,
) -> ApiResult<Response> {
    let cloud = Cloud::lock(&state);
    let server = servers::find(&cloud, &user, &id)?;
    Ok(match server.tags.iter().find(|t| t.name == tag) {
        Some(t) => {
            let mut response = empty(204);
            if let Ok(value) = t.status(cloud.now).parse() {
                response.headers_mut().insert("tag-status", value);
            }
            response
        }
        None => empty(404),
    })
}

/// `PUT /servers/<id>/tags/<tag>`: 201 with `Location` when added, 204 if
/// it was there.
pub async fn add(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, tag)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult<Response> {
    check(&tag)?;
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    lifecycle::validate(&cloud, id, "ADDTAGS")?;
    let (due, _) = cloud.due();
    let server = cloud
        .compute
        .servers
        .get_mut(&id)
        .ok_or_else(|| ApiError::item_not_found("Server not found."))?;
    if server.tags.iter().any(|t| t.name == tag) {
        return Ok(empty(204));
    }
    if server.tags.len() + 1 > MAX_TAGS {
        return Err(too_many());
    }
    server.tags.push(Tag {
        name: tag,
        active_at: due,
    });
    let location = format!("{}{}", state.base_url, uri.path());
    Ok((
        axum::http::StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (header::CONTENT_LENGTH, "0".to_string()),
        ],
    )
        .into_response())
}

/// `DELETE /servers/<id>/tags/<tag>`: 404 unless the tag is active.
pub async fn delete(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path((id, tag)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut cloud = Cloud::lock(&state);
    let id = servers::find_live(&cloud, &user, &id)?;
    let now = cloud.now;
    let mut found = false;
    if let Some(server) = cloud.compute.servers.get_mut(&id) {
        let before = server.tags.len();
        server
            .tags
            .retain(|t| !(t.name == tag && t.status(now) == "ACTIVE"));
        found = server.tags.len() < before;
    }
    Ok(empty(if found { 204 } else { 404 }))
}

/// Parses the `tags` of a server creation request.
pub fn parse(tags: Option<&Vec<Value>>) -> ApiResult<Vec<String>> {
    let tags: Vec<String> = tags
        .map(|t| {
            t.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if tags.len() > MAX_TAGS {
        return Err(too_many());
    }
    for tag in &tags {
        check(tag)?;
    }
    Ok(tags)
}
