//! Flavors: the hardware configurations servers are built with, seeded as
//! a fresh Synnefo cloud has them (`C<cpus>R<ram MiB>D<disk GB><template>`).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::cyclades::json::{parse_id, reply};
use crate::cyclades::model::Flavor;
use crate::cyclades::Cloud;
use crate::cyclades::CycladesService;
use crate::errors::{ApiError, ApiResult};
use crate::identity::User;

/// A flavor in the compute API's form.
pub fn to_json(cloud: &Cloud, flavor: &Flavor, detail: bool, projects: &[String]) -> Value {
    let mut d = json!({
        "id": flavor.id,
        "name": flavor.name,
        "links": cloud.links("compute", "flavors", &flavor.id.to_string()),
    });
    if detail {
        let template = cloud
            .volume
            .types
            .get(&flavor.volume_type)
            .map(|t| t.disk_template.clone())
            .unwrap_or_default();
        let access: Vec<&String> = flavor
            .access
            .iter()
            .filter(|p| projects.contains(p))
            .collect();
        d["ram"] = json!(flavor.ram);
        d["disk"] = json!(flavor.disk);
        d["vcpus"] = json!(flavor.cpu);
        d["os-flavor-access:is_public"] = json!(flavor.public);
        d["SNF:disk_template"] = json!(template);
        d["SNF:volume_type"] = json!(flavor.volume_type);
        d["SNF:allow_create"] = json!(flavor.allow_create);
        d["SNF:flavor-access"] = json!(access);
    }
    d
}

/// The flavor a server may be created with or resized to, for `project`.
pub fn usable(cloud: &Cloud, user: &User, id_text: &str, project: &str) -> ApiResult<Flavor> {
    let id = id_text
        .trim()
        .parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("Invalid flavor ID '{id_text}'")))?;
    let projects = Cloud::user_projects(user);
    let flavor = cloud
        .compute
        .flavors
        .get(&id)
        .filter(|f| !f.deleted && f.accessible(&projects))
        .ok_or_else(|| ApiError::item_not_found("Flavor not found."))?;
    if !flavor.accessible(&[project.to_string()]) {
        return Err(ApiError::forbidden("Insufficient access"));
    }
    Ok(flavor.clone())
}

fn list_flavors(
    state: &CycladesService,
    user: &User,
    query: &BTreeMap<String, String>,
    detail: bool,
) -> Response {
    let cloud = Cloud::lock(state);
    let projects = Cloud::user_projects(user);
    let project = query.get("SNF:flavor-access");
    let public = query
        .get("SNF:is_public")
        .map(|p| p.eq_ignore_ascii_case("true"));
    let flavors: Vec<Value> = cloud
        .compute
        .flavors
        .values()
        .filter(|f| !f.deleted && f.accessible(&projects))
        .filter(|f| match project {
            None => true,
            Some(p) => projects.contains(p) && f.access.contains(p),
        })
        .filter(|f| public.is_none_or(|p| f.public == p))
        .map(|f| to_json(&cloud, f, detail, &projects))
        .collect();
    reply(200, json!({ "flavors": flavors }))
}

/// `GET /flavors`.
pub async fn list(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    list_flavors(&state, &user, &query, false)
}

/// `GET /flavors/detail`.
pub async fn list_detail(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    list_flavors(&state, &user, &query, true)
}

/// `GET /flavors/<id>`: also a retired flavor, or one the user's servers use.
pub async fn get_details(
    State(state): State<CycladesService>,
    Authenticated(user): Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id, "flavor")?;
    let cloud = Cloud::lock(&state);
    let projects = Cloud::user_projects(&user);
    let flavor = cloud
        .compute
        .flavors
        .get(&id)
        .filter(|f| {
            f.accessible(&projects)
                || cloud
                    .compute
                    .servers
                    .values()
                    .any(|s| s.user == user.uuid && s.flavor == f.id)
        })
        .ok_or_else(|| ApiError::item_not_found("Flavor not found."))?;
    Ok(reply(
        200,
        json!({ "flavor": to_json(&cloud, flavor, true, &projects) }),
    ))
}

/// `GET /flavors/<id>/os-extra_specs`: always empty.
pub async fn extra_specs(Authenticated(_user): Authenticated, Path(_id): Path<String>) -> Response {
    reply(200, json!({ "extra_specs": {} }))
}
