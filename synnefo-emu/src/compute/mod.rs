//! Cyclades compute (servers, flavors, images as compute sees them,
//! keypairs; `/cyclades/compute/v2.0`).
//!
//! Servers go through Synnefo's status machine: `BUILD` -> `ACTIVE` after
//! creation, `ACTIVE` -> `STOPPED` on shutdown, `REBOOT` -> `ACTIVE`,
//! `RESIZE` -> `STOPPED`, `DELETED` after deletion. Each transition takes the
//! emulator's action delay ([`ComputeState::set_action_delay`]); it is
//! computed lazily from timestamps whenever the Cyclades data is locked (see
//! [`crate::cyclades::Cloud`]), so nothing runs in the background.

pub mod actions;
pub mod addresses;
pub mod create;
pub mod flavors;
pub mod images;
pub mod keypairs;
pub mod metadata;
pub mod servers;
pub mod tags;
pub mod version;
pub mod volume_attachments;

use axum::routing::get;
use axum::Router;

use crate::cyclades::json::{endpoint_not_found, method_not_allowed};
use crate::cyclades::CycladesService;

/// The server status machine, now below the three Cyclades APIs (this
/// path kept for code written against it).
pub use crate::cyclades::lifecycle;
pub use crate::cyclades::model::compute::{
    ComputeData, ComputeState, Flavor, Keypair, Server, Tag, DEFAULT_ACTION_DELAY,
};

/// The routes of Cyclades compute, nested at its catalog path.
pub fn router() -> Router<CycladesService> {
    use axum::routing::post;
    Router::new()
        .route("/", get(version::version))
        .route("/servers", get(servers::list).post(create::create))
        .route("/servers/detail", get(servers::list_detail))
        .route(
            "/servers/{id}",
            get(servers::get_details)
                .put(servers::rename)
                .delete(servers::delete),
        )
        .route("/servers/{id}/action", post(actions::action))
        .route(
            "/servers/{id}/metadata",
            get(metadata::list).post(metadata::update),
        )
        .route(
            "/servers/{id}/metadata/{key}",
            get(metadata::get_item)
                .put(metadata::set_item)
                .delete(metadata::delete_item),
        )
        .route(
            "/servers/{id}/tags",
            get(tags::list).put(tags::replace).delete(tags::delete_all),
        )
        .route(
            "/servers/{id}/tags/{tag}",
            get(tags::exists).put(tags::add).delete(tags::delete),
        )
        .route("/servers/{id}/ips", get(addresses::list))
        .route("/servers/{id}/ips/{network}", get(addresses::by_network))
        .route("/servers/{id}/stats", get(servers::stats))
        .route("/servers/{id}/diagnostics", get(servers::diagnostics))
        .route(
            "/servers/{id}/password",
            get(servers::password).delete(servers::delete_password),
        )
        .route(
            "/servers/{id}/os-volume_attachments",
            get(volume_attachments::list).post(volume_attachments::attach),
        )
        .route(
            "/servers/{id}/os-volume_attachments/{volume}",
            get(volume_attachments::get_one).delete(volume_attachments::detach),
        )
        .route("/flavors", get(flavors::list))
        .route("/flavors/detail", get(flavors::list_detail))
        .route("/flavors/{id}", get(flavors::get_details))
        .route("/flavors/{id}/os-extra_specs", get(flavors::extra_specs))
        .route("/images", get(images::list).post(images::create))
        .route("/images/detail", get(images::list_detail))
        .route(
            "/images/{id}",
            get(images::get_details).delete(images::delete),
        )
        .route(
            "/images/{id}/metadata",
            get(images::list_metadata).post(images::update_metadata),
        )
        .route(
            "/images/{id}/metadata/{key}",
            get(images::get_metadata_item)
                .put(images::set_metadata_item)
                .delete(images::delete_metadata_item),
        )
        .route("/extensions", get(version::extensions))
        .route("/extensions/{alias}", get(version::extension))
        .route("/os-keypairs", get(keypairs::list).post(keypairs::create))
        .route(
            "/os-keypairs/{name}",
            get(keypairs::get_details).delete(keypairs::delete),
        )
        .route(
            "/os-floating-ips",
            get(crate::network::floating_ips::compute_list)
                .post(crate::network::floating_ips::compute_allocate),
        )
        .route(
            "/os-floating-ips/{id}",
            get(crate::network::floating_ips::compute_get)
                .delete(crate::network::floating_ips::compute_release),
        )
        .fallback(endpoint_not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
