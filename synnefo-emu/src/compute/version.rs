//! The version document and extensions. Synnefo routes no `/limits`: it is
//! an unknown endpoint there (400), and so it is here.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::auth::Authenticated;
use crate::cyclades::json::{empty, reply};
use crate::cyclades::CycladesService;

/// `GET /`: the compute API version.
pub async fn version(State(state): State<CycladesService>) -> Response {
    let href = crate::catalog::service("compute")
        .map(|s| format!("{}{}/", state.base_url, s.served_path()))
        .unwrap_or_default();
    reply(
        200,
        json!({"version": {
            "id": "v2.0",
            "status": "CURRENT",
            "updated": "2011-01-21T11:33:21-06:00",
            "links": [{"rel": "self", "href": href}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.compute.v2+json"}
            ],
        }}),
    )
}

/// `GET /extensions`: none.
pub async fn extensions(Authenticated(_user): Authenticated) -> Response {
    reply(200, json!({ "extensions": [] }))
}

/// `GET /extensions/<alias>`: not found.
pub async fn extension(
    Authenticated(_user): Authenticated,
    Path(_alias): Path<String>,
) -> Response {
    empty(404)
}
