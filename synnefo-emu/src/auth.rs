//! Authentication of every request: the `X-Auth-Token` header must name a
//! user of the emulator.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::faults::Fault;
use crate::state::{SharedState, User};

/// The user a request is authenticated as; a handler that takes it answers
/// 401 to a request without a valid token.
#[derive(Clone, Debug)]
pub struct Authenticated(pub User);

impl FromRequestParts<SharedState> for Authenticated {
    type Rejection = Fault;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Fault::unauthorized("No authentication token provided"))?;
        state
            .user_by_token(token)
            .map(Authenticated)
            .ok_or_else(|| Fault::unauthorized("Invalid token"))
    }
}
