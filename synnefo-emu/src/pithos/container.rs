//! The container level: `HEAD` (metadata, policy, block size and hash),
//! `GET` (objects), `PUT` (create), `POST` (metadata, policy, and raw
//! blocks), `DELETE` (delete, empty with `delimiter`, purge with `until`).

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::StatusCode;
use serde_json::{json, Value};

use super::account::{check_modified, too_much_metadata, MAX_METADATA};
use super::body::store_blocks;
use super::hashing::{to_hex, BLOCK_SIZE, HASH_ALGORITHM};
use super::headers::{decimal_timestamp, http_date, int_parameter, isoformat};
use super::listing::{
    list_objects as list, page_limit, xml_items, xml_list, Entry, Format, ListQuery, MetaFilter,
    Restriction,
};
use super::model::{object_path, Container, Model, Version, Versioning};
use super::{Ctx, PithosResult, Reply};
use crate::errors::ApiError;

const PITHOS_DISKSPACE: &str = "pithos.diskspace";

/// `404` for a missing container.
pub fn no_container() -> ApiError {
    ApiError::item_not_found("Container does not exist")
}

/// A container policy from `X-Container-Policy-*` headers.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    quota: Option<u64>,
    versioning: Option<Versioning>,
    project: Option<String>,
}

impl Policy {
    fn is_empty(&self) -> bool {
        self.quota.is_none() && self.versioning.is_none() && self.project.is_none()
    }
}

/// Reads and checks the policy headers.
pub fn policy(ctx: &Ctx) -> Result<Policy, ApiError> {
    let mut policy = Policy::default();
    for (key, value) in ctx.headers.prefixed("x-container-policy-") {
        let name = key["X-Container-Policy-".len()..].to_ascii_lowercase();
        let value = value.replace(' ', "");
        match name.as_str() {
            "quota" => {
                policy.quota = Some(int_parameter(&value).ok_or_else(|| {
                    ApiError::bad_request("The quota policy value should be a positive integer.")
                })?);
            }
            "versioning" => {
                policy.versioning = Some(match value.as_str() {
                    "auto" => Versioning::Auto,
                    "none" => Versioning::None,
                    _ => {
                        return Err(ApiError::bad_request(
                            "The versioning policy value should be either 'auto' or 'none'.",
                        ))
                    }
                });
            }
            "project" => policy.project = Some(value),
            _ => {
                return Err(ApiError::bad_request(
                    "The only allowed policies are 'quota' or 'versioning'.",
                ))
            }
        }
    }
    Ok(policy)
}

/// Applies a policy (with `replace`, what is not given reverts to the
/// default), moving the container's usage to a new project.
fn apply_policy(
    ctx: &Ctx,
    model: &mut Model,
    account: &str,
    container: &str,
    policy: Policy,
    replace: bool,
) -> Result<(), ApiError> {
    let now = model.now();
    let cont = model
        .container_mut(account, container)
        .ok_or_else(no_container)?;
    let quota = policy.quota.or(if replace { Some(0) } else { None });
    let versioning = policy.versioning.or(if replace {
        Some(Versioning::Auto)
    } else {
        None
    });
    let project = policy.project.clone().or(if replace {
        Some(account.to_string())
    } else {
        None
    });
    if let Some(project) = &project {
        if *project != cont.project {
            let usage = cont.usage().1;
            let delta = i64::try_from(usage).unwrap_or(i64::MAX);
            ctx.state
                .quotas
                .charge(account, project, &[(PITHOS_DISKSPACE, delta)])?;
            ctx.state
                .quotas
                .release(account, &cont.project, &[(PITHOS_DISKSPACE, usage)]);
        }
    }
    if let Some(q) = quota {
        cont.quota = q;
    }
    if let Some(v) = versioning {
        cont.versioning = v;
    }
    if let Some(p) = project {
        cont.project = p;
    }
    cont.modified = cont.modified.max(now);
    Ok(())
}

/// The names of the object metadata keys used in a container.
fn object_meta_keys(cont: &Container, until: Option<f64>) -> String {
    let Some(until) = until else {
        return cont.object_meta_keys().join(",");
    };
    let until = Some(until);
    let keys: BTreeSet<&str> = cont
        .objects
        .values()
        .filter_map(|n| n.at(until))
        .flat_map(|v| v.meta.keys())
        .filter_map(|k| k.strip_prefix("X-Object-Meta-"))
        .collect();
    keys.into_iter().collect::<Vec<_>>().join(",")
}

/// Checks read access and time travel; the container.
fn readable<'m>(
    ctx: &Ctx,
    model: &'m Model,
    account: &str,
    container: &str,
    until: Option<f64>,
) -> Result<&'m Container, ApiError> {
    model.can_read_container(ctx.uuid(), account, container)?;
    if ctx.uuid() != account && until.is_some() {
        return Err(ApiError::forbidden(
            "Accessing other account's historical information is not allowed",
        ));
    }
    let cont = model
        .container(account, container)
        .ok_or_else(no_container)?;
    if until.is_some_and(|u| cont.created >= u) {
        return Err(ApiError::item_not_found("Path does not exist"));
    }
    Ok(cont)
}

/// The container headers of a `HEAD` or `GET`.
fn container_headers(ctx: &Ctx, cont: &Container, account: &str, until: Option<f64>) -> Reply {
    let mut reply = Reply::empty(StatusCode::NO_CONTENT);
    let own = ctx.uuid() == account;
    if own {
        let (count, bytes, latest) = match until {
            Some(u) => cont.statistics(u),
            // The time of the latest version is shown for `until` only.
            None => {
                let (count, bytes) = cont.usage();
                (count, bytes, cont.modified)
            }
        };
        reply
            .headers
            .set("X-Container-Object-Count", count.to_string());
        reply
            .headers
            .set("X-Container-Bytes-Used", bytes.to_string());
        if until.is_some() {
            reply.headers.set(
                "X-Container-Until-Timestamp",
                http_date(latest.max(cont.created)),
            );
        }
    }
    reply.headers.set("Last-Modified", http_date(cont.modified));
    if own {
        for (k, v) in &cont.meta {
            reply.headers.set(k.clone(), v.clone());
        }
    }
    reply
        .headers
        .set("X-Container-Object-Meta", object_meta_keys(cont, until));
    reply
        .headers
        .set("X-Container-Block-Size", BLOCK_SIZE.to_string());
    reply.headers.set("X-Container-Block-Hash", HASH_ALGORITHM);
    if own {
        for (k, v) in cont.policy() {
            reply.headers.set(
                super::headers::format_header_key(&format!("X-Container-Policy-{k}")),
                v,
            );
        }
    }
    reply
}

/// `HEAD /<account>/<container>`.
pub fn head(ctx: &Ctx, account: &str, container: &str) -> PithosResult {
    let until = ctx.query.until();
    let model = ctx.pithos().read();
    let cont = readable(ctx, &model, account, container, until)?;
    check_modified(&ctx.headers, cont.modified)?;
    Ok(container_headers(ctx, cont, account, until))
}

/// `PUT /<account>/<container>`: creates it (201), or updates its policy
/// and metadata (202).
pub fn put(ctx: &Ctx, account: &str, container: &str) -> PithosResult {
    let meta = ctx.headers.meta("x-container-meta-")?;
    let policy = policy(ctx)?;
    let mut model = ctx.pithos().write();
    model.can_write_container(ctx.uuid(), account)?;
    let exists = model.container(account, container).is_some();
    if !exists {
        let now = model.now();
        let acc = model.account_mut(account);
        acc.containers
            .insert(container.to_string(), Container::new(account, now));
        acc.modified = now;
    }
    if !policy.is_empty() {
        apply_policy(ctx, &mut model, account, container, policy, false)?;
    }
    if !meta.is_empty() {
        update_meta(&mut model, account, container, &meta, false)?;
    }
    Ok(Reply::empty(if exists {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    }))
}

fn update_meta(
    model: &mut Model,
    account: &str,
    container: &str,
    meta: &BTreeMap<String, String>,
    replace: bool,
) -> Result<(), ApiError> {
    let now = model.now();
    let cont = model
        .container_mut(account, container)
        .ok_or_else(no_container)?;
    let merged = super::model::merge_meta(Some(&cont.meta), meta, replace);
    if merged.len() > MAX_METADATA {
        return Err(too_much_metadata());
    }
    cont.meta = merged;
    cont.modified = cont.modified.max(now);
    model.touch(account, Some(container), now);
    Ok(())
}

/// `POST /<account>/<container>`: policy and metadata, and with
/// `Content-Type: application/octet-stream` raw blocks, answered with the
/// list of their hashes.
pub async fn post(
    ctx: &Ctx,
    account: &str,
    container: &str,
    body: &mut Option<Body>,
) -> PithosResult {
    let meta = ctx.headers.meta("x-container-meta-")?;
    let policy = policy(ctx)?;
    let replace = !ctx.query.has("update");
    {
        let mut model = ctx.pithos().write();
        if !policy.is_empty() {
            model.can_write_container(ctx.uuid(), account)?;
            apply_policy(ctx, &mut model, account, container, policy, replace)?;
        }
        if !meta.is_empty() || replace {
            model.can_write_container(ctx.uuid(), account)?;
            update_meta(&mut model, account, container, &meta, replace)?;
        }
    }
    let length = if ctx.headers.chunked() {
        None
    } else {
        Some(ctx.headers.get("content-length").unwrap_or("0")).and_then(int_parameter)
    };
    let mut reply = Reply::empty(StatusCode::ACCEPTED);
    if ctx.headers.content_type() == Some("application/octet-stream") && length != Some(0) {
        ctx.pithos()
            .read()
            .can_write_container(ctx.uuid(), account)?;
        let stored = store_blocks(
            ctx.pithos().store.clone(),
            super::body::take(body),
            length,
            ctx.pithos().max_upload_size(),
            BLOCK_SIZE,
            false,
        )
        .await?;
        if !stored.hashes.is_empty() {
            let hashes: Vec<String> = stored.hashes.iter().map(to_hex).collect();
            let body = match ctx.format {
                Format::Xml => xml_list(&hashes),
                _ => Value::from(hashes).to_string(),
            };
            reply = Reply::with_body(StatusCode::ACCEPTED, ctx.format.content_type(), body);
        }
    }
    Ok(reply)
}

/// `DELETE /<account>/<container>`.
pub fn delete(ctx: &Ctx, account: &str, container: &str) -> PithosResult {
    let until = ctx.query.until();
    let delimiter = ctx.query.non_empty("delimiter");
    let mut model = ctx.pithos().write();
    model.can_write_container(ctx.uuid(), account)?;
    let cont = model
        .container(account, container)
        .ok_or_else(no_container)?;
    let project = cont.project.clone();
    if let Some(u) = until {
        model.purge_history(account, container, u);
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    if delimiter.is_none() {
        if cont.usage().0 > 0 {
            return Err(ApiError::conflict("Container is not empty"));
        }
        let now = model.now();
        let acc = model.account_mut(account);
        acc.containers.remove(container);
        acc.modified = now;
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    let names: Vec<String> = cont
        .objects
        .iter()
        .filter(|(_, n)| n.current().is_some())
        .map(|(name, _)| name.clone())
        .collect();
    let mut freed = 0;
    for name in names {
        freed += model
            .delete_current(ctx.uuid(), account, container, &name)
            .unwrap_or(0);
    }
    ctx.state
        .quotas
        .release(account, &project, &[(PITHOS_DISKSPACE, freed)]);
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// The JSON of an object in a listing.
fn object_json(
    ctx: &Ctx,
    model: &Model,
    account: &str,
    container: &str,
    name: &str,
    version: &Version,
    until: Option<f64>,
) -> Value {
    let mut item = json!({
        "name": name,
        "bytes": version.size,
        "content_type": &*version.content_type,
        "hash": version.checksum,
        "x_object_hash": version.hash(),
        "x_object_uuid": version.uuid.to_string(),
        "x_object_version": version.serial,
        "x_object_version_timestamp": decimal_timestamp(version.mtime),
        "x_object_modified_by": &*version.muser,
    });
    if until.is_none() {
        item["last_modified"] = json!(isoformat(version.mtime));
        let path = object_path(account, container, name);
        if let Some(sharing) = model.sharing.get(&path) {
            item["x_object_sharing"] = json!(sharing.header_value());
            if ctx.uuid() != account {
                let allowed = if model.access_check(&path, true, ctx.uuid()) {
                    "write"
                } else {
                    "read"
                };
                item["x_object_allowed_to"] = json!(allowed);
            }
        }
        if ctx.uuid() == account {
            if let Some(id) = model.public.get(&path) {
                item["x_object_public"] = json!(ctx.public_url(id));
            }
        }
    }
    item
}

/// `GET /<account>/<container>`: the objects.
pub fn list_objects(ctx: &Ctx, account: &str, container: &str) -> PithosResult {
    let until = ctx.query.until();
    let model = ctx.pithos().read();
    let cont = readable(ctx, &model, account, container, until)?;
    check_modified(&ctx.headers, cont.modified)?;
    let mut reply = container_headers(ctx, cont, account, until);

    let path = ctx.query.non_empty("path");
    let (mut prefix, delimiter, virtual_dirs) = match path {
        Some(p) => (p.to_string(), Some("/".to_string()), false),
        None => (
            ctx.query.get("prefix").unwrap_or("").to_string(),
            ctx.query.non_empty("delimiter").map(str::to_string),
            true,
        ),
    };
    if let Some(d) = &delimiter {
        if !prefix.is_empty() && !prefix.ends_with(d.as_str()) {
            prefix.push_str(d);
        }
    }
    let prefix = prefix.trim_start_matches('/').to_string();
    let shared = ctx.query.has("shared");
    let public = ctx.query.has("public");
    let own = ctx.uuid() == account;
    if public && !own {
        return Err(ApiError::forbidden(
            "PUblic object listing is not allowed to non path owners",
        ));
    }
    let limit = page_limit(ctx.query.get("limit"));
    let mut query = ListQuery {
        prefix: prefix.clone(),
        delimiter,
        marker: ctx.query.non_empty("marker").map(str::to_string),
        limit,
        virtual_dirs,
        until,
        meta: MetaFilter::parse(ctx.query.get("meta").unwrap_or("")),
        restriction: None,
    };
    let scope = object_path(account, container, &prefix);
    let scope = scope.trim_end_matches('/');
    let mut entries: Vec<Entry<'_>> = Vec::new();
    if !own {
        let granted = model.granted_paths(ctx.uuid(), Some(scope));
        if granted.is_empty() {
            return Err(ApiError::forbidden(
                "Browsing other account's history is not allowed",
            ));
        }
        let (exact, prefixes) = model.listing_filter(account, container, &granted);
        query.restriction = Some(Restriction { exact, prefixes });
        entries = list(cont, &query);
    } else if shared || public {
        if shared {
            let paths: Vec<String> = model
                .sharing
                .keys()
                .filter(|p| p.starts_with(scope))
                .cloned()
                .collect();
            if !paths.is_empty() {
                let (exact, prefixes) = model.listing_filter(account, container, &paths);
                query.restriction = Some(Restriction { exact, prefixes });
                entries = list(cont, &query);
            }
        }
        if public {
            let head = format!("{account}/{container}/");
            for path in model.public.keys().filter(|p| p.starts_with(scope)) {
                let Some(name) = path.strip_prefix(&head) else {
                    continue;
                };
                if let Some((name, node)) = cont.objects.get_key_value(name) {
                    if let Some(v) = node.current() {
                        if !entries.iter().any(|e| e.name() == name) {
                            entries.push(Entry::Object(name.as_str(), v));
                        }
                    }
                }
            }
            entries.sort_by(|a, b| a.name().cmp(b.name()));
            entries.truncate(limit);
        }
    } else {
        entries = list(cont, &query);
    }

    match ctx.format {
        Format::Text => {
            if entries.is_empty() {
                reply.status = StatusCode::NO_CONTENT;
                return Ok(reply);
            }
            let mut text = String::new();
            for e in &entries {
                text.push_str(e.name());
                text.push('\n');
            }
            reply.status = StatusCode::OK;
            reply.body = text.into();
        }
        format => {
            let items: Vec<Value> = entries
                .iter()
                .map(|e| match e {
                    Entry::Subdir(s) => json!({"subdir": s}),
                    Entry::Object(name, v) => {
                        object_json(ctx, &model, account, container, name, v, until)
                    }
                })
                .collect();
            reply.status = StatusCode::OK;
            reply.body = if format == Format::Json {
                Value::Array(items).to_string().into()
            } else {
                let root = format!(
                    "<container name=\"{}\">",
                    super::listing::xml_escape(container)
                );
                xml_items(&root, "</container>", "object", &items).into()
            };
        }
    }
    reply.headers.set("Content-Type", ctx.format.content_type());
    Ok(reply)
}
