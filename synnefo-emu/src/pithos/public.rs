//! Public URLs: `GET`/`HEAD /pithos/public/<id>` serve a published object
//! to anyone, without a token, with only the basic headers.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use super::headers::{percent_decode, Headers};
use super::listing::Format;
use super::object::{public_read, At};
use super::{fault_reply, finish, Ctx, Query};
use crate::errors::ApiError;
use crate::identity::User;
use crate::pithos::PithosService;

/// Serves a public URL.
pub async fn serve(State(state): State<PithosService>, request: Request) -> Response {
    let method = request.method().clone();
    if !matches!(method.as_str(), "GET" | "HEAD") {
        let mut response = fault_reply(ApiError::not_allowed("Method not allowed"), Format::Json);
        response
            .headers_mut()
            .insert("allow", axum::http::HeaderValue::from_static("HEAD,GET"));
        return finish(response, Format::Json);
    }
    let id = percent_decode(request.uri().path());
    let id = id.trim_matches('/').to_string();
    let headers = match Headers::from_map(request.headers()) {
        Ok(h) => h,
        Err(fault) => return finish(fault_reply(fault, Format::Json), Format::Json),
    };
    let not_found = || {
        finish(
            fault_reply(
                ApiError::item_not_found("Object does not exist"),
                Format::Json,
            ),
            Format::Json,
        )
    };
    let Some(path) = state.pithos.read().public_ids.get(&id).cloned() else {
        return not_found();
    };
    let mut parts = path.splitn(3, '/');
    let (Some(account), Some(container), Some(name)) = (parts.next(), parts.next(), parts.next())
    else {
        return not_found();
    };
    let ctx = Ctx {
        state: state.clone(),
        method,
        user: User {
            uuid: String::new(),
            email: String::new(),
            realname: String::new(),
            token: String::new(),
            default_project: String::new(),
        },
        headers,
        query: Query::parse(request.uri().query()),
        format: Format::Json,
    };
    let at = At {
        account,
        container,
        name,
    };
    let response = match public_read(&ctx, &at) {
        Ok(reply) => reply.into_response(),
        Err(fault) => fault_reply(fault, Format::Json),
    };
    finish(response, Format::Json)
}
