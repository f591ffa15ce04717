//! The version documents of the OpenStack-style APIs, as Synnefo serves
//! them at each API's root (`/astakos/identity/`, `/cyclades/compute/`,
//! `/cyclades/network/`, `/cyclades/volume/`, `/cyclades/image/`) and at the
//! root of a version (`.../v2.0/`): the documents keystoneauth's discovery,
//! openstacksdk and the `openstack` CLI read before anything else.
//!
//! Each document is Synnefo's `build_version_object` output: `id` (`v` and
//! the version), `status`, a `self` link to `ROOT/PATH/`, and the extra
//! fields each API adds (`updated`, `media-types`, `min_version`...).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::state::SharedState;

/// `{"id": "v<id>", "status": "CURRENT", "links": [self]}` plus `extra`.
fn version(root: &str, id: &str, path: &str, extra: Value) -> Value {
    let mut object = json!({
        "id": format!("v{id}"),
        "status": "CURRENT",
        "links": [{"rel": "self", "href": format!("{root}/{path}/")}],
    });
    if let (Some(object), Value::Object(extra)) = (object.as_object_mut(), extra) {
        object.extend(extra);
    }
    object
}

fn root(state: &SharedState, path: &str) -> String {
    format!("{}{path}", state.base_url)
}

const IDENTITY: &str = "/astakos/identity";
const COMPUTE: &str = "/cyclades/compute";
const NETWORK: &str = "/cyclades/network";
const VOLUME: &str = "/cyclades/volume";
const IMAGE: &str = "/cyclades/image";

fn identity_version(state: &SharedState) -> Value {
    version(
        &root(state, IDENTITY),
        "2.0",
        "v2.0",
        json!({"updated": "2014-04-17T00:00:00Z"}),
    )
}

async fn identity_versions(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({"versions": {"values": [identity_version(&state)]}}))
}

async fn identity_details(State(state): State<SharedState>) -> Json<Value> {
    let mut version = identity_version(&state);
    version["media-types"] = json!([{
        "base": "application/json",
        "type": "application/vnd.openstack.identity-v2.0+json"
    }]);
    if let Some(links) = version["links"].as_array_mut() {
        links.push(json!({
            "rel": "describedby",
            "type": "text/html",
            "href": "https://docs.openstack.org/"
        }));
    }
    Json(json!({"version": version}))
}

fn compute_version(state: &SharedState) -> Value {
    version(
        &root(state, COMPUTE),
        "2.0",
        "v2.0",
        json!({"updated": "2011-01-21T11:33:21-06:00"}),
    )
}

async fn compute_versions(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({"versions": [compute_version(&state)]}))
}

async fn compute_details(State(state): State<SharedState>) -> Json<Value> {
    let mut version = compute_version(&state);
    version["media-types"] = json!([
        {"base": "application/xml", "type": "application/vnd.openstack.compute.v2+xml"},
        {"base": "application/json", "type": "application/vnd.openstack.compute.v2+json"}
    ]);
    if let Some(links) = version["links"].as_array_mut() {
        links.push(json!({
            "rel": "describedby",
            "type": "application/pdf",
            "href": "http://docs.rackspacecloud.com/servers/api/v2/cs-devguide-20110125.pdf"
        }));
        links.push(json!({
            "rel": "describedby",
            "type": "application/vnd.sun.wadl+xml",
            "href": "http://docs.rackspacecloud.com/servers/api/v2/application.wadl"
        }));
    }
    Json(json!({"version": version}))
}

async fn network_versions(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({"versions": [version(&root(&state, NETWORK), "2.0", "v2.0", json!({}))]}))
}

/// The network API's `v2.0/`: its collections (a token is required, as in
/// Synnefo).
async fn network_details(State(state): State<SharedState>, _user: Authenticated) -> Response {
    let network = root(&state, NETWORK);
    let resources: Vec<Value> = [
        ("networks", "network"),
        ("subnets", "subnet"),
        ("ports", "port"),
        ("floatingips", "floatingip"),
    ]
    .iter()
    .map(|(collection, name)| {
        json!({
            "links": [{"href": format!("{network}/v2.0/{collection}"), "rel": "self"}],
            "name": name,
            "collection": collection,
        })
    })
    .collect();
    Json(json!({"resources": resources})).into_response()
}

const COMPUTE_JSON: &str = "application/vnd.openstack.compute.v2+json";

async fn volume_versions(State(state): State<SharedState>) -> Json<Value> {
    let volume = root(&state, VOLUME);
    let media = json!([{"base": "application/json", "type": COMPUTE_JSON}]);
    Json(json!({"versions": [
        version(&volume, "2.0", "v2.0", json!({"min_version": "2.0", "version": "2.0", "media_types": media})),
        version(&volume, "2", "v2", json!({"min_version": "2", "version": "2", "media_types": media})),
    ]}))
}

async fn image_versions(State(state): State<SharedState>) -> Json<Value> {
    let image = root(&state, IMAGE);
    let media = json!([{"base": "application/json", "type": COMPUTE_JSON}]);
    Json(json!({"versions": [
        version(&image, "1.0", "v1.0", json!({"media_types": media})),
        version(&image, "1", "v1", json!({"media_types": media})),
    ]}))
}

/// Every version document, at the paths Synnefo's `urls.py` files give
/// them (with and without the trailing slash).
pub fn router() -> Router<SharedState> {
    Router::new()
        .route(IDENTITY, get(identity_versions))
        .route(&format!("{IDENTITY}/"), get(identity_versions))
        .route(&format!("{IDENTITY}/v2.0"), get(identity_details))
        .route(&format!("{IDENTITY}/v2.0/"), get(identity_details))
        .route(COMPUTE, get(compute_versions))
        .route(&format!("{COMPUTE}/"), get(compute_versions))
        .route(&format!("{COMPUTE}/v2.0/"), get(compute_details))
        .route(NETWORK, get(network_versions))
        .route(&format!("{NETWORK}/"), get(network_versions))
        .route(&format!("{NETWORK}/v2.0/"), get(network_details))
        .route(VOLUME, get(volume_versions))
        .route(&format!("{VOLUME}/"), get(volume_versions))
        .route(IMAGE, get(image_versions))
        .route(&format!("{IMAGE}/"), get(image_versions))
        .route(&format!("{IMAGE}/versions"), get(image_versions))
}
