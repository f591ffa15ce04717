//! The top level (accounts that share with me) and the account level:
//! `HEAD` (metadata, groups, quota), `GET` (containers), `POST` (metadata
//! and groups).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::headers::{http_date, isoformat, Headers};
use super::listing::{page_limit, xml_items, Format};
use super::model::Model;
use super::{fault_reply, Ctx, PithosResult, Reply};
use crate::errors::ApiError;
use crate::pithos::PithosService;

/// The most groups an account may have, and members a group.
const MAX_GROUPS: usize = 32;
const MAX_GROUP_MEMBERS: usize = 32;
/// The most metadata items of an account, container or object.
pub const MAX_METADATA: usize = 32;

const PITHOS_DISKSPACE: &str = "pithos.diskspace";

/// `304 Not Modified` as a fault.
pub fn not_modified() -> ApiError {
    ApiError::new("notModified", 304, "Resource has not been modified")
}

/// `412 Precondition Failed`.
pub fn precondition_failed(message: &str) -> ApiError {
    ApiError::new("preconditionFailed", 412, message)
}

/// `If-Modified-Since` / `If-Unmodified-Since` against a modification time.
pub fn check_modified(headers: &Headers, modified: f64) -> Result<(), ApiError> {
    let modified = modified as u64;
    if let Some(since) = headers
        .get("if-modified-since")
        .and_then(super::headers::parse_http_date)
    {
        if modified <= since {
            return Err(not_modified());
        }
    }
    if let Some(since) = headers
        .get("if-unmodified-since")
        .and_then(super::headers::parse_http_date)
    {
        if modified > since {
            return Err(precondition_failed("Resource has been modified"));
        }
    }
    Ok(())
}

/// Picks a page of sorted names: after `marker`, at most `limit`.
pub fn page(names: Vec<String>, marker: Option<&str>, limit: usize) -> Vec<String> {
    let start = marker
        .and_then(|m| names.iter().position(|n| n == m))
        .map_or(0, |i| i + 1);
    names.into_iter().skip(start).take(limit).collect()
}

/// The projects an account's space is charged to: its own, and those of
/// its containers.
pub fn projects(model: &Model, account: &str) -> BTreeSet<String> {
    let mut projects = BTreeSet::from([account.to_string()]);
    if let Some(acc) = model.accounts.get(account) {
        projects.extend(acc.containers.values().map(|c| c.project.clone()));
    }
    projects
}

/// The last modification of an account (or of anything in it).
pub fn account_modified(model: &Model, account: &str) -> f64 {
    model.accounts.get(account).map_or(0.0, |acc| {
        acc.containers
            .values()
            .map(|c| c.modified)
            .fold(acc.modified, f64::max)
    })
}

/// The account headers of a `HEAD` or `GET` of `account` by the user.
fn account_headers(ctx: &Ctx, model: &Model, account: &str, until: Option<f64>) -> Reply {
    let mut reply = Reply::empty(StatusCode::NO_CONTENT);
    let modified = account_modified(model, account);
    reply.headers.set("Last-Modified", http_date(modified));
    if ctx.uuid() != account {
        return reply;
    }
    let Some(acc) = model.accounts.get(account) else {
        return reply;
    };
    let containers: Vec<_> = acc
        .containers
        .values()
        .filter(|c| until.is_none_or(|u| c.created < u))
        .collect();
    reply
        .headers
        .set("X-Account-Container-Count", containers.len().to_string());
    let quotas = &ctx.state.quotas;
    let mut used = 0;
    let mut limits = BTreeMap::new();
    for project in projects(model, account) {
        let report = quotas.report(account, &project);
        if let Some(entry) = report.get(PITHOS_DISKSPACE) {
            used = entry.usage.saturating_add(used);
            limits.insert(project, entry.limit);
        }
    }
    reply.headers.set("X-Account-Bytes-Used", used.to_string());
    // With `until`, the metadata as it was then (Synnefo versions it).
    let (meta, meta_changed) = match until {
        None => (Some(&acc.meta), 0.0),
        Some(u) => match acc.meta_history.iter().rev().find(|(at, _)| *at < u) {
            Some((at, meta)) => (Some(meta), *at),
            None if acc.meta_history.is_empty() => (Some(&acc.meta), 0.0),
            None => (None, 0.0),
        },
    };
    for (k, v) in meta.into_iter().flatten() {
        reply.headers.set(k.clone(), v.clone());
    }
    if let Some(u) = until {
        let latest = containers
            .iter()
            .map(|c| c.statistics(u).2)
            .fold(meta_changed, f64::max);
        reply
            .headers
            .set("X-Account-Until-Timestamp", http_date(latest));
    }
    for (name, members) in &acc.groups {
        reply.headers.set(
            super::headers::format_header_key(&format!("X-Account-Group-{name}")),
            members.join(","),
        );
    }
    reply.headers.set(
        "X-Account-Policy-Quota",
        limits
            .values()
            .fold(0u64, |a, b| a.saturating_add(*b))
            .to_string(),
    );
    for (project, limit) in limits {
        reply.headers.set(
            format!("X-Account-Policy-Quota-{project}"),
            limit.to_string(),
        );
    }
    reply
}

/// Reads an account for its owner (creating it) or a user it shares with.
fn readable_account(ctx: &Ctx, account: &str, until: Option<f64>) -> Result<(), ApiError> {
    let mut model = ctx.pithos().write();
    model.can_read_account(ctx.uuid(), account)?;
    if ctx.uuid() == account {
        model.ensure_account(account);
    } else {
        if until.is_some() {
            return Err(ApiError::forbidden(
                "Browsing other account's history is not allowed",
            ));
        }
        if !model.accounts.contains_key(account) {
            return Err(ApiError::forbidden("Account does not exist"));
        }
    }
    Ok(())
}

/// `HEAD /<account>`.
pub fn head(ctx: &Ctx, account: &str) -> PithosResult {
    let until = ctx.query.until();
    readable_account(ctx, account, until)?;
    let model = ctx.pithos().read();
    check_modified(&ctx.headers, account_modified(&model, account))?;
    Ok(account_headers(ctx, &model, account, until))
}

/// `POST /<account>`: metadata and groups.
pub fn post(ctx: &Ctx, account: &str) -> PithosResult {
    let meta = ctx.headers.meta("x-account-meta-")?;
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in ctx.headers.prefixed("x-account-group-") {
        let name = key["X-Account-Group-".len()..].to_ascii_lowercase();
        if name.contains('-') || name.contains('_') {
            return Err(ApiError::bad_request("Bad characters in group name"));
        }
        let mut members: Vec<String> = Vec::new();
        for m in value.replace(' ', "").split(',') {
            if !m.is_empty() && !members.iter().any(|x| x == m) {
                members.push(m.to_string());
            }
        }
        let unknown: Vec<&str> = members
            .iter()
            .filter(|m| ctx.state.identity.user_by_uuid(m).is_none())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Unknown displaynames: {}",
                unknown.join(", ")
            )));
        }
        groups.insert(name, members);
    }
    let replace = !ctx.query.has("update");
    let mut model = ctx.pithos().write();
    if !groups.is_empty() {
        model.can_write_account(ctx.uuid(), account)?;
        for (name, members) in &groups {
            if name.chars().count() > 256 || members.iter().any(|m| m.chars().count() > 256) {
                return Err(ApiError::bad_request(
                    "Group names and members should be at most 256 characters long.",
                ));
            }
        }
        let mut updated = if replace {
            BTreeMap::new()
        } else {
            model.account_mut(account).groups.clone()
        };
        for (name, members) in groups {
            updated.insert(name, members);
        }
        updated.retain(|_, members| !members.is_empty());
        if updated.len() > MAX_GROUPS {
            return Err(ApiError::bad_request(format!(
                "Pithos+ accounts cannot have more than {MAX_GROUPS} groups"
            )));
        }
        if updated.values().any(|m| m.len() > MAX_GROUP_MEMBERS) {
            return Err(ApiError::bad_request(format!(
                "Pithos+ groups cannot have more than {MAX_GROUP_MEMBERS} members"
            )));
        }
        model.account_mut(account).groups = updated;
    }
    if !meta.is_empty() || replace {
        model.can_write_account(ctx.uuid(), account)?;
        let current = model.account_mut(account).meta.clone();
        let merged = super::model::merge_meta(Some(&current), &meta, replace);
        if merged.len() > MAX_METADATA {
            return Err(too_much_metadata());
        }
        let now = model.now();
        let acc = model.account_mut(account);
        acc.meta_history.push((now, merged.clone()));
        acc.meta = merged;
        acc.modified = now;
    }
    Ok(Reply::empty(StatusCode::ACCEPTED))
}

/// The fault of too many metadata items.
pub fn too_much_metadata() -> ApiError {
    ApiError::bad_request(format!(
        "Pithos+ resources cannot have more than {MAX_METADATA} metadata items per domain"
    ))
}

/// The JSON of a container in a listing.
fn container_json(
    ctx: &Ctx,
    model: &Model,
    account: &str,
    name: &str,
    until: Option<f64>,
) -> Value {
    let Some(c) = model.container(account, name) else {
        return json!({"name": name});
    };
    if ctx.uuid() != account {
        return json!({"name": name, "last_modified": isoformat(c.modified)});
    }
    let (count, bytes, latest) = match until {
        Some(u) => c.statistics(u),
        // The time of the latest version is shown for `until` only.
        None => {
            let (count, bytes) = c.usage();
            (count, bytes, c.modified)
        }
    };
    let mut item = json!({
        "name": name,
        "count": count,
        "bytes": bytes,
        "last_modified": isoformat(c.modified),
        "x_container_policy": c.policy(),
    });
    if until.is_some() {
        item["x_container_until_timestamp"] = json!(isoformat(latest.max(c.created)));
    }
    item
}

/// `GET /<account>`: the containers.
pub fn list_containers(ctx: &Ctx, account: &str) -> PithosResult {
    let until = ctx.query.until();
    readable_account(ctx, account, until)?;
    let model = ctx.pithos().read();
    check_modified(&ctx.headers, account_modified(&model, account))?;
    let mut reply = account_headers(ctx, &model, account, until);
    let marker = ctx.query.get("marker");
    let limit = page_limit(ctx.query.get("limit"));
    let shared = ctx.query.has("shared");
    let public = ctx.query.has("public");
    if public && ctx.uuid() != account {
        return Err(ApiError::forbidden(
            "PUblic container listing is not allowed to non path owners",
        ));
    }
    let names: Vec<String> = if ctx.uuid() != account {
        model
            .allowed_containers(ctx.uuid(), account)
            .into_iter()
            .collect()
    } else if shared || public {
        let prefix = format!("{account}/");
        let mut set = BTreeSet::new();
        let container_of = |path: &String| {
            path.strip_prefix(&prefix)
                .and_then(|rest| rest.split('/').next())
                .map(str::to_string)
        };
        if shared {
            set.extend(model.sharing.keys().filter_map(container_of));
        }
        if public {
            set.extend(model.public.keys().filter_map(container_of));
        }
        set.into_iter().collect()
    } else {
        model
            .accounts
            .get(account)
            .map(|acc| {
                acc.containers
                    .iter()
                    .filter(|(_, c)| until.is_none_or(|u| c.created < u))
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let names = page(names, marker, limit);
    match ctx.format {
        Format::Text => {
            if names.is_empty() {
                reply.status = StatusCode::NO_CONTENT;
                return Ok(reply);
            }
            reply.status = StatusCode::OK;
            reply.body = format!("{}\n", names.join("\n")).into();
        }
        format => {
            let items: Vec<Value> = names
                .iter()
                .map(|n| container_json(ctx, &model, account, n, until))
                .collect();
            reply.status = StatusCode::OK;
            reply.body = if format == Format::Json {
                Value::Array(items).to_string().into()
            } else {
                let root = format!("<account name=\"{}\">", super::listing::xml_escape(account));
                xml_items(&root, "</account>", "container", &items).into()
            };
        }
    }
    reply.headers.set("Content-Type", ctx.format.content_type());
    Ok(reply)
}

/// `GET /` with a token: the accounts that share something with the user.
pub fn sharing_accounts(ctx: &Ctx) -> PithosResult {
    if ctx.method.as_str() != "GET" {
        return Err(ApiError::not_allowed("Method not allowed"));
    }
    let model = ctx.pithos().read();
    let names: Vec<String> = model.allowed_accounts(ctx.uuid()).into_iter().collect();
    let names = page(
        names,
        ctx.query.get("marker"),
        page_limit(ctx.query.get("limit")),
    );
    let content_type = ctx.format.content_type();
    match ctx.format {
        Format::Text => {
            if names.is_empty() {
                return Ok(Reply::empty(StatusCode::NO_CONTENT));
            }
            Ok(Reply::with_body(
                StatusCode::OK,
                content_type,
                format!("{}\n", names.join("\n")),
            ))
        }
        format => {
            let items: Vec<Value> = names
                .iter()
                .filter(|n| n.as_str() != ctx.uuid())
                .map(
                    |n| json!({"name": n, "last_modified": isoformat(account_modified(&model, n))}),
                )
                .collect();
            let body = if format == Format::Json {
                Value::Array(items).to_string()
            } else {
                xml_items("<accounts>", "</accounts>", "account", &items)
            };
            Ok(Reply::with_body(StatusCode::OK, content_type, body))
        }
    }
}

/// `GET /` without a token: the OOS-compatible dummy authentication.
pub fn authenticate(state: &PithosService, headers: &Headers) -> Response {
    let (Some(user), Some(key)) = (
        headers.non_empty("x-auth-user"),
        headers.non_empty("x-auth-key"),
    ) else {
        return fault_reply(
            ApiError::bad_request("Missing X-Auth-User or X-Auth-Key header"),
            Format::Json,
        );
    };
    let endpoint = crate::catalog::service("object-store")
        .map(|s| s.public_url(&state.base_url))
        .unwrap_or_default();
    Reply::empty(StatusCode::NO_CONTENT)
        .header("X-Auth-Token", key)
        .header("X-Storage-Url", format!("{endpoint}/{user}"))
        .into_response()
}
