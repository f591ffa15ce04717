//! The resource catalog, quota reports and commissions.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::json_body;
use super::projects::ProjectState;
use crate::account::AstakosService;
use crate::auth::{Authenticated, ServiceAuthenticated};
use crate::errors::{ApiError, ApiResult};
use crate::identity::Component;
use crate::quotas::{Provision, RESOURCES};

fn visible_resources() -> Vec<&'static str> {
    RESOURCES
        .iter()
        .filter(|r| r.api_visible)
        .map(|r| r.name)
        .collect()
}

/// The resources of a component's services (Astakos' `service_origin`).
fn component_resources(component: &Component) -> Vec<&'static str> {
    RESOURCES
        .iter()
        .filter(|r| crate::catalog::component_of(r.service) == Some(component.name.as_str()))
        .map(|r| r.name)
        .collect()
}

/// A comma-separated query parameter as a list.
fn list_param(query: &BTreeMap<String, String>, key: &str) -> Option<Vec<String>> {
    query
        .get(key)
        .map(|v| v.split(',').map(str::to_string).collect())
}

/// `GET /resources` (no token needed).
pub(super) async fn resources() -> Json<Value> {
    let out: serde_json::Map<String, Value> = RESOURCES
        .iter()
        .filter(|r| r.api_visible)
        .map(|r| {
            (
                r.name.to_string(),
                json!({
                    "service": r.service,
                    "description": r.description,
                    "unit": r.unit,
                    "ui_visible": r.ui_visible,
                    "api_visible": r.api_visible,
                }),
            )
        })
        .collect();
    Json(Value::Object(out))
}

/// `GET /quotas`: the user's quotas in every project they are a member of.
pub(super) async fn quotas(
    State(state): State<AstakosService>,
    Authenticated(user): Authenticated,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let resources = visible_resources();
    let mut out = serde_json::Map::new();
    for m in registry.memberships.values() {
        if m.user != user.uuid || !m.state.actually_accepted() {
            continue;
        }
        let hidden = registry
            .projects
            .get(&m.project)
            .is_none_or(|p| p.state == ProjectState::Deleted);
        if hidden {
            continue;
        }
        let report = state
            .quotas
            .member_report(&user.uuid, &m.project, &resources);
        if !report.is_empty() {
            out.insert(m.project.clone(), json!(report));
        }
    }
    Ok(Json(Value::Object(out)))
}

/// `GET /service_quotas?user=&project=`: quotas of every user (or those
/// asked) in every project they hold quota in (or those asked), for the
/// resources of the calling component.
pub(super) async fn service_quotas(
    State(state): State<AstakosService>,
    ServiceAuthenticated(component): ServiceAuthenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let users = list_param(&query, "user");
    let projects = list_param(&query, "project");
    let resources = component_resources(&component);
    let mut out = serde_json::Map::new();
    for uuid in registry.users.keys() {
        if users.as_ref().is_some_and(|u| !u.contains(uuid)) {
            continue;
        }
        let mut per_project = serde_json::Map::new();
        for project in state.quotas.member_projects(uuid) {
            if projects.as_ref().is_some_and(|p| !p.contains(&project)) {
                continue;
            }
            let report = state.quotas.member_report(uuid, &project, &resources);
            if !report.is_empty() {
                per_project.insert(project, json!(report));
            }
        }
        if !per_project.is_empty() {
            out.insert(uuid.clone(), Value::Object(per_project));
        }
    }
    if let (Some(asked), true) = (query.get("user"), out.is_empty()) {
        return Err(ApiError::item_not_found(format!(
            "No user with UUID '{asked}'"
        )));
    }
    Ok(Json(Value::Object(out)))
}

/// `GET /service_project_quotas?project=`: the quotas of every approved
/// project (or those asked), for the resources of the calling component.
pub(super) async fn service_project_quotas(
    State(state): State<AstakosService>,
    ServiceAuthenticated(component): ServiceAuthenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let registry = state.account.registry(&state);
    let projects = list_param(&query, "project");
    let resources = component_resources(&component);
    let mut out = serde_json::Map::new();
    for project in registry.projects.values() {
        if !project.state.initialized()
            || projects.as_ref().is_some_and(|p| !p.contains(&project.id))
        {
            continue;
        }
        let report = state.quotas.project_report(&project.id, &resources);
        if !report.is_empty() {
            out.insert(project.id.clone(), json!(report));
        }
    }
    if let (Some(asked), true) = (query.get("project"), out.is_empty()) {
        return Err(ApiError::item_not_found(format!(
            "No project with UUID '{asked}'"
        )));
    }
    Ok(Json(Value::Object(out)))
}

/// The client key of a caller of the commission API: the component's
/// name, as Astakos keys commissions by component.
fn clientkey(component: &Component) -> String {
    component.name.clone()
}

fn provision(value: &Value) -> ApiResult<Provision> {
    let malformed = || ApiError::bad_request(format!("Malformed provision {value}"));
    let holder = value
        .get("holder")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    let source = match value.get("source") {
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        _ => return Err(malformed()),
    };
    let resource = value
        .get("resource")
        .and_then(Value::as_str)
        .ok_or_else(malformed)?;
    let quantity = value
        .get("quantity")
        .and_then(Value::as_i64)
        .ok_or_else(malformed)?;
    Ok(Provision {
        holder: holder.to_string(),
        source,
        resource: resource.to_string(),
        quantity,
    })
}

fn bool_member(body: &serde_json::Map<String, Value>, key: &str) -> ApiResult<bool> {
    match body.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::bad_request(format!(
            "\"{key}\" option should be a boolean."
        ))),
    }
}

/// `POST /commissions`.
pub(super) async fn issue_commission(
    State(state): State<AstakosService>,
    ServiceAuthenticated(service): ServiceAuthenticated,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_body(&body)?;
    // Users known to the account API have their system projects.
    drop(state.account.registry(&state));
    let provisions = match body.get("provisions") {
        None => return Err(ApiError::bad_request("Provisions are missing.")),
        Some(Value::Array(items)) => items.iter().map(provision).collect::<ApiResult<Vec<_>>>()?,
        Some(_) => return Err(ApiError::bad_request("Provisions should be a list.")),
    };
    let force = bool_member(&body, "force")?;
    let auto_accept = bool_member(&body, "auto_accept")?;
    let name = match body.get("name") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(ApiError::bad_request("Commission name should be a string.")),
    };
    match state.quotas.issue_commission(
        &clientkey(&service),
        provisions,
        &name,
        force,
        auto_accept,
        super::now_iso(),
    ) {
        Ok(serial) => Ok((StatusCode::CREATED, Json(json!({"serial": serial}))).into_response()),
        Err(e) => {
            let (code, body) = e.body();
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
            Ok((status, Json(body)).into_response())
        }
    }
}

/// `GET /commissions`: the caller's pending commissions.
pub(super) async fn pending_commissions(
    State(state): State<AstakosService>,
    ServiceAuthenticated(service): ServiceAuthenticated,
) -> Json<Value> {
    Json(json!(state
        .quotas
        .pending_commissions(&clientkey(&service))))
}

fn serial(text: &str) -> ApiResult<u64> {
    text.parse()
        .map_err(|_| ApiError::bad_request("Serial should be an integer."))
}

/// `GET /commissions/<serial>`: a 404 without a body when unknown, as
/// Astakos answers.
pub(super) async fn get_commission(
    State(state): State<AstakosService>,
    ServiceAuthenticated(service): ServiceAuthenticated,
    Path(text): Path<String>,
) -> ApiResult<Response> {
    let serial = serial(&text)?;
    Ok(
        match state.quotas.commission(&clientkey(&service), serial) {
            Some(c) => Json(c.to_json()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
    )
}

/// `POST /commissions/<serial>/action`: `{"accept": ""}` or `{"reject": ""}`.
pub(super) async fn commission_action(
    State(state): State<AstakosService>,
    ServiceAuthenticated(service): ServiceAuthenticated,
    Path(text): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let body = json_body(&body)?;
    let serial = serial(&text)?;
    let accept = body.contains_key("accept");
    if accept == body.contains_key("reject") {
        return Err(ApiError::bad_request(
            "Specify either accept or reject action.",
        ));
    }
    let (a, r): (&[u64], &[u64]) = if accept {
        (&[serial], &[])
    } else {
        (&[], &[serial])
    };
    let done = state.quotas.resolve_commissions(&clientkey(&service), a, r);
    Ok(if done.not_found.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    })
}

fn serials(body: &serde_json::Map<String, Value>, key: &str) -> ApiResult<Vec<u64>> {
    match body.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| ApiError::bad_request("Serials should be integer."))
            })
            .collect(),
        Some(_) => Err(ApiError::bad_request(
            "\"accept\" and \"reject\" should reference lists of serials.",
        )),
    }
}

/// `POST /commissions/action`: `{"accept": [..], "reject": [..]}`.
pub(super) async fn resolve_commissions(
    State(state): State<AstakosService>,
    ServiceAuthenticated(service): ServiceAuthenticated,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = json_body(&body)?;
    let accept = serials(&body, "accept")?;
    let reject = serials(&body, "reject")?;
    let done = state
        .quotas
        .resolve_commissions(&clientkey(&service), &accept, &reject);
    let mut failed: Vec<Value> = done
        .not_found
        .iter()
        .map(|s| {
            json!([s, {"itemNotFound": {"code": 404, "message": format!("serial {s} does not exist")}}])
        })
        .collect();
    failed.extend(done.conflicting.iter().map(|s| {
        json!([s, {"badRequest": {"code": 400, "message": format!("cannot both accept and reject serial {s}")}}])
    }));
    Ok(Json(json!({
        "accepted": done.accepted,
        "rejected": done.rejected,
        "failed": failed,
    })))
}
