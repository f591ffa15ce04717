//! Cyclades block storage (volumes, snapshots, volume types;
//! `/cyclades/volume/v2.0`).
//!
//! Volumes of `drbd` type live and die with their server; `ext_vlmc` ones
//! are detachable: created on their own, attached to and detached from
//! servers, snapshotted. A snapshot is, as in Synnefo, a Pithos object of
//! its owner (charged to `pithos.diskspace`) that is also a private image,
//! so that servers and volumes can be made from it ([`snapshots`]).

pub mod snapshots;
pub mod types;
pub mod volumes;

use axum::routing::{delete, get, post};
use axum::Router;

use crate::cyclades::json::{endpoint_not_found, method_not_allowed};
use crate::cyclades::CycladesService;

pub use crate::cyclades::model::volume::{
    Snapshot, Volume, VolumeData, VolumeState, VolumeStatus, VolumeType,
};

/// The routes of Cyclades block storage, nested at its catalog path.
pub fn router() -> Router<CycladesService> {
    Router::new()
        .route("/volumes", get(volumes::list).post(volumes::create))
        .route("/volumes/detail", get(volumes::list_detail))
        .route(
            "/volumes/{id}",
            get(volumes::get_details)
                .put(volumes::update)
                .delete(volumes::delete),
        )
        .route(
            "/volumes/{id}/metadata",
            get(volumes::list_metadata)
                .post(volumes::update_metadata)
                .put(volumes::replace_metadata),
        )
        .route(
            "/volumes/{id}/metadata/{key}",
            delete(volumes::delete_metadata_item),
        )
        .route("/volumes/{id}/action", post(volumes::action))
        .route("/types", get(types::list))
        .route("/types/{id}", get(types::get_details))
        .route("/snapshots", get(snapshots::list).post(snapshots::create))
        .route("/snapshots/detail", get(snapshots::list_detail))
        .route(
            "/snapshots/{id}",
            get(snapshots::get_details)
                .put(snapshots::update)
                .delete(snapshots::delete),
        )
        .route(
            "/snapshots/{id}/metadata",
            get(snapshots::list_metadata)
                .post(snapshots::update_metadata)
                .put(snapshots::replace_metadata),
        )
        .route(
            "/snapshots/{id}/metadata/{key}",
            delete(snapshots::delete_metadata_item),
        )
        .fallback(endpoint_not_found)
        .method_not_allowed_fallback(method_not_allowed)
}
