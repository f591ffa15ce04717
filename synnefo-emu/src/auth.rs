//! Authentication of every request: the `X-Auth-Token` header must name a
//! user of the emulator ([`Authenticated`]), or, for the calls Astakos
//! reserves to services, a component ([`ServiceAuthenticated`]).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::errors::ApiError;
use crate::identity::{Component, HasIdentity, User};

/// The request's `X-Auth-Token`, trimmed, if it has a non-empty one.
fn token_of(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The user a request is authenticated as; a handler that takes it answers
/// 401 to a request without a valid token.
#[derive(Clone, Debug)]
pub struct Authenticated(pub User);

impl<S: HasIdentity + Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = token_of(parts)
            .ok_or_else(|| ApiError::unauthorized("No authentication token provided"))?;
        state
            .identity()
            .user_by_token(token)
            .map(Authenticated)
            .ok_or_else(|| ApiError::unauthorized("Invalid token"))
    }
}

/// The component (service) a request is authenticated as, as Astakos'
/// `component_from_token` checks it: a user's token is refused with 401.
#[derive(Clone, Debug)]
pub struct ServiceAuthenticated(pub Component);

impl<S: HasIdentity + Send + Sync> FromRequestParts<S> for ServiceAuthenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = token_of(parts)
            .ok_or_else(|| ApiError::unauthorized("Access denied. No authentication token"))?;
        state
            .identity()
            .component_by_token(token)
            .map(ServiceAuthenticated)
            .ok_or_else(|| ApiError::unauthorized("Invalid X-Auth-Token"))
    }
}
