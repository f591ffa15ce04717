//! Each request's changes kept in the data dir before its reply goes out.
//!
//! With a data dir, a middleware around every service runs the request,
//! then writes what it changed in one transaction: Pithos' namespace as
//! its journal names ([`crate::pithos::persist`]). Only once that commits
//! does the reply leave, so what a client saw acknowledged survives a
//! `kill -9`; if the write fails, the client gets Synnefo's 507 (the disk
//! is full) or 500 instead of its reply, and the changes stay noted to be
//! written with the next request.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::pithos::persist::Capture;
use crate::state::SharedState;
use crate::storage::{DataDir, StorageError};

/// Runs the request, then keeps its changes (see the module).
pub async fn middleware(
    State(state): State<SharedState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let Some(data) = state.data.clone() else {
        return response;
    };
    if !state.pithos.read().has_changes() {
        return response;
    }
    let saving = state.clone();
    match tokio::task::spawn_blocking(move || save(&saving, &data)).await {
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

/// The reply to a request whose changes could not be kept.
fn not_kept(error: &StorageError) -> ApiError {
    if error.is_disk_full() {
        ApiError::new(
            "insufficientStorage",
            507,
            "No space left to keep the changes: free some space on the emulator's data dir disk",
        )
    } else {
        ApiError::internal(format!("The emulator failed to keep the changes: {error}"))
    }
}

/// Writes what changed, in one transaction; on failure the changes stay
/// noted.
pub fn save(state: &SharedState, data: &DataDir) -> Result<(), StorageError> {
    let mut taken = None;
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
        written
    });
    if result.is_err() {
        if let Some(journal) = taken {
            state.pithos.write().requeue(journal);
        }
    }
    result
}
