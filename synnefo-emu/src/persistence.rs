//! Each request's changes kept in the data dir before its reply goes out.
//!
//! With a data dir, a middleware around every service runs the request,
//! then writes what it changed in one transaction: Pithos' namespace as
//! its journal names ([`crate::pithos::persist`]), and, after a request
//! that may change them (any but `GET` and `HEAD`), the other services'
//! states as one JSON document each, those that changed ([`SERVICES`]).
//! What a `GET` changes needs no keeping: a Cyclades action that completes
//! as it is read completes again after a restart. Only once that commits
//! does the reply leave, so what a client saw acknowledged survives a
//! `kill -9`; if the write fails, the client gets Synnefo's 507 (the disk
//! is full) or 500 instead of its reply, and the changes stay noted to be
//! written with the next request.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rusqlite::params;

use crate::errors::ApiError;
use crate::pithos::persist::Capture;
use crate::state::{AppState, SharedState};
use crate::storage::{DataDir, StorageError};

/// Runs the request, then keeps its changes (see the module).
pub async fn middleware(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let services = services_changed_by(request.method(), request.uri().path());
    let response = next.run(request).await;
    let Some(data) = state.data.clone() else {
        return response;
    };
    if services.is_empty() && !state.pithos.read().has_changes() {
        return response;
    }
    let saving = state.clone();
    match tokio::task::spawn_blocking(move || save(&saving, &data, services)).await {
        Ok(Ok(())) => response,
        Ok(Err(error)) => {
            tracing::error!("cannot keep a request's changes: {error}");
            not_kept(&error).into_response()
        }
        Err(error) => {
            tracing::error!("cannot keep a request's changes: {error}");
            ApiError::internal("The emulator failed to keep the changes").into_response()
        }
    }
}

/// The services (of [`SERVICES`]) whose state a request may change: none
/// for `GET` and `HEAD`; Astakos' quota book alone for Pithos (whose
/// handlers see no other service); all of them otherwise.
fn services_changed_by(method: &Method, path: &str) -> &'static [&'static str] {
    if matches!(*method, Method::GET | Method::HEAD) {
        &[]
    } else if path.starts_with("/pithos/") {
        &["quotas"]
    } else {
        &SERVICES
    }
}

/// The reply to a request whose changes could not be kept.
fn not_kept(error: &StorageError) -> ApiError {
    if error.is_disk_full() {
        ApiError::insufficient_storage("the changes")
    } else {
        ApiError::internal(format!("The emulator failed to keep the changes: {error}"))
    }
}

/// The services kept as one JSON document each, by name.
pub const SERVICES: [&str; 8] = [
    "compute",
    "network",
    "volume",
    "image",
    "account",
    "quotas",
    "oauth2",
    "default_projects",
];

/// A service's state (one of [`SERVICES`]) as a JSON document; `Null`
/// for a name not in it.
pub fn snapshot(state: &AppState, service: &str) -> serde_json::Value {
    match service {
        "compute" => state.compute.snapshot(),
        "network" => state.network.snapshot(),
        "volume" => state.volume.snapshot(),
        "image" => state.image.snapshot(),
        "account" => state.account.snapshot(),
        "quotas" => state.quotas.snapshot(),
        "oauth2" => state.oauth2.snapshot(),
        // Each user's default project (users themselves are kept in their
        // own table, from the start options).
        "default_projects" => state
            .identity
            .all_users()
            .into_iter()
            .map(|u| (u.uuid, serde_json::Value::from(u.default_project)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        _ => serde_json::Value::Null,
    }
}

/// Puts a service's state (one of [`SERVICES`]) back from its document;
/// a name not in it is ignored.
pub fn restore(
    state: &AppState,
    service: &str,
    document: serde_json::Value,
) -> serde_json::Result<()> {
    match service {
        "compute" => state.compute.restore(document),
        "network" => state.network.restore(document),
        "volume" => state.volume.restore(document),
        "image" => state.image.restore(document),
        "account" => state.account.restore(document),
        "quotas" => state.quotas.restore(document),
        "oauth2" => state.oauth2.restore(document),
        "default_projects" => {
            let projects: std::collections::BTreeMap<String, String> =
                serde_json::from_value(document)?;
            for (uuid, project) in projects {
                state.identity.set_default_project(&uuid, &project);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Puts every service's state back from the data dir (the start options
/// given now stay: see each state's `restore`). A document that does not
/// read is refused with its service's name.
pub fn restore_services(state: &AppState, data: &DataDir) -> Result<(), StorageError> {
    let documents = data.read(|db| {
        let mut query = db.prepare("SELECT service, state FROM service_state")?;
        let rows = query.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?;
    for (service, text) in documents {
        let unknown = |e: serde_json::Error| StorageError::Unknown {
            dir: data.path().to_path_buf(),
            what: format!("the state of {service}: {e}"),
        };
        let document = serde_json::from_str(&text).map_err(unknown)?;
        restore(state, &service, document).map_err(unknown)?;
        data.note_saved(&service, &text);
    }
    Ok(())
}

/// Writes what changed (Pithos' namespace, and those of `services` whose
/// state changed), in one transaction; on failure the changes stay noted.
pub fn save(
    state: &SharedState,
    data: &DataDir,
    services: &[&'static str],
) -> Result<(), StorageError> {
    let mut taken = None;
    let mut documents = Vec::new();
    let result = data.write(|tx| {
        // Taken under the database's lock, so that two requests' changes
        // reach it in the order they were made.
        let capture = {
            let mut model = state.pithos.write();
            let journal = model.take_journal();
            Capture::of(&model, journal)
        };
        let written = capture.write(tx);
        taken = Some(capture.journal);
        written?;
        for &service in services {
            let document = snapshot(state, service);
            if document.is_null() {
                tracing::error!("the state of {service} could not be written as JSON");
                continue;
            }
            let text = document.to_string();
            if data.is_saved(service, &text) {
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO service_state (service, state) VALUES (?1, ?2)
                 ON CONFLICT (service) DO UPDATE SET state = excluded.state",
            )?
            .execute(params![service, text])?;
            documents.push((service, text));
        }
        Ok(())
    });
    match &result {
        Ok(()) => {
            for (service, text) in documents {
                data.note_saved(service, &text);
            }
        }
        Err(_) => {
            if let Some(journal) = taken {
                state.pithos.write().requeue(journal);
            }
        }
    }
    result
}
