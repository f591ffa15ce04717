//! The Pithos REST verbs, one per level and method (kamaki's
//! `PithosRestClient`): each takes an options struct naming every request
//! parameter and header the object API guide gives, and returns the reply.
//!
//! Every verb comes in two forms: `object_put(..)` sends the request and
//! checks the documented success status, `object_put_request(..)` returns
//! the [`RequestBuilder`] so a caller may change the accepted statuses, the
//! body or the token before sending it.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::models::{Format, Sharing};
use super::PithosClient;
use crate::clients::storage::{meta_header, quote_value};
use crate::clients::{Method, RequestBuilder, Response, Result};

mod requests;
pub use requests::*;

fn public_value(public: bool) -> &'static str {
    if public {
        "True"
    } else {
        "False"
    }
}

fn format_param(request: RequestBuilder<'_>, format: Option<Format>) -> RequestBuilder<'_> {
    request.query_opt("format", format.and_then(Format::param))
}

fn if_dates<'a>(
    request: RequestBuilder<'a>,
    modified: &Option<String>,
    unmodified: &Option<String>,
) -> RequestBuilder<'a> {
    request
        .header_opt("If-Modified-Since", modified.as_deref())
        .header_opt("If-Unmodified-Since", unmodified.as_deref())
}

fn with_meta<'a>(
    mut request: RequestBuilder<'a>,
    prefix: &str,
    metadata: &BTreeMap<String, String>,
) -> RequestBuilder<'a> {
    for (key, value) in metadata {
        request = meta_header(request, prefix, key, value);
    }
    request
}

impl PithosClient {
    /// `HEAD /<account>`, accepting 204.
    pub fn account_head_request(&self, options: &AccountHead) -> Result<RequestBuilder<'_>> {
        let request = self
            .at(Method::HEAD, &self.account_path()?)
            .query_opt("until", options.until.as_deref())
            .success(&[204, 200]);
        Ok(if_dates(
            request,
            &options.if_modified_since,
            &options.if_unmodified_since,
        ))
    }

    /// Sends [`PithosClient::account_head_request`].
    pub async fn account_head(&self, options: &AccountHead) -> Result<Response> {
        self.account_head_request(options)?.send().await
    }

    /// `GET /<account>`, accepting 200 and 204.
    pub fn account_get_request(&self, options: &AccountGet) -> Result<RequestBuilder<'_>> {
        let request = self
            .at(Method::GET, &self.account_path()?)
            .query_opt("limit", options.limit)
            .query_opt("marker", options.marker.as_deref());
        let request = format_param(request, Some(options.format))
            .flag_if("shared", options.show_only_shared)
            .flag_if("public", options.public)
            .query_opt("until", options.until.as_deref())
            .success(&[200, 204]);
        Ok(if_dates(
            request,
            &options.if_modified_since,
            &options.if_unmodified_since,
        ))
    }

    /// Sends [`PithosClient::account_get_request`].
    pub async fn account_get(&self, options: &AccountGet) -> Result<Response> {
        self.account_get_request(options)?.send().await
    }

    /// `POST /<account>`, accepting 202.
    pub fn account_post_request(&self, options: &AccountPost) -> Result<RequestBuilder<'_>> {
        let mut request = self
            .at(Method::POST, &self.account_path()?)
            .flag_if("update", options.update);
        for (group, members) in &options.groups {
            request = meta_header(request, "X-Account-Group-", group, &members.join(","));
        }
        request = with_meta(request, "X-Account-Meta-", &options.metadata)
            .header_opt("X-Account-Policy-Quota", options.quota)
            .header_opt("X-Account-Policy-Versioning", options.versioning.as_deref());
        Ok(request.success(&[202, 204]))
    }

    /// Sends [`PithosClient::account_post_request`].
    pub async fn account_post(&self, options: &AccountPost) -> Result<Response> {
        self.account_post_request(options)?.send().await
    }

    /// `HEAD /<account>/<container>`, accepting 204.
    pub fn container_head_request(&self, options: &ContainerHead) -> Result<RequestBuilder<'_>> {
        let request = self
            .at(Method::HEAD, &self.container_path(None)?)
            .query_opt("until", options.until.as_deref())
            .success(&[204, 200]);
        Ok(if_dates(
            request,
            &options.if_modified_since,
            &options.if_unmodified_since,
        ))
    }

    /// Sends [`PithosClient::container_head_request`].
    pub async fn container_head(&self, options: &ContainerHead) -> Result<Response> {
        self.container_head_request(options)?.send().await
    }

    /// `GET /<account>/<container>`, accepting 200 and 204.
    pub fn container_get_request(&self, options: &ContainerGet) -> Result<RequestBuilder<'_>> {
        let mut request = self
            .at(Method::GET, &self.container_path(None)?)
            .query_opt("limit", options.limit)
            .query_opt("marker", options.marker.as_deref());
        request = match &options.path {
            Some(path) => request.query("path", path),
            None => request
                .query_opt("prefix", options.prefix.as_deref())
                .query_opt("delimiter", options.delimiter.as_deref()),
        };
        request = format_param(request, Some(options.format))
            .flag_if("shared", options.show_only_shared)
            .flag_if("public", options.public);
        if !options.meta.is_empty() {
            request = request.query("meta", options.meta.join(","));
        }
        let request = request
            .query_opt("until", options.until.as_deref())
            .success(&[200, 204]);
        Ok(if_dates(
            request,
            &options.if_modified_since,
            &options.if_unmodified_since,
        ))
    }

    /// Sends [`PithosClient::container_get_request`].
    pub async fn container_get(&self, options: &ContainerGet) -> Result<Response> {
        self.container_get_request(options)?.send().await
    }

    /// `PUT /<account>/<container>`, accepting 201 (created) and 202
    /// (existed: updated).
    pub fn container_put_request(
        &self,
        container: Option<&str>,
        options: &ContainerPut,
    ) -> Result<RequestBuilder<'_>> {
        let request = self
            .at(Method::PUT, &self.container_path(container)?)
            .header_opt("X-Container-Policy-Quota", options.quota)
            .header_opt(
                "X-Container-Policy-Versioning",
                options.versioning.as_deref(),
            )
            .header_opt("X-Container-Policy-Project", options.project_id.as_deref())
            .header("Content-Length", 0);
        Ok(with_meta(request, "X-Container-Meta-", &options.metadata).success(&[201, 202]))
    }

    /// Sends [`PithosClient::container_put_request`] for the client's
    /// container.
    pub async fn container_put(&self, options: &ContainerPut) -> Result<Response> {
        self.container_put_request(None, options)?.send().await
    }

    /// `POST /<account>/<container>`, accepting 202.
    pub fn container_post_request(&self, options: &ContainerPost) -> Result<RequestBuilder<'_>> {
        let request = self
            .at(Method::POST, &self.container_path(None)?)
            .flag_if("update", options.update);
        let mut request = format_param(request, Some(options.format))
            .header_opt("X-Container-Policy-Quota", options.quota)
            .header_opt(
                "X-Container-Policy-Versioning",
                options.versioning.as_deref(),
            )
            .header_opt("X-Container-Policy-Project", options.project_id.as_deref())
            .header_opt("Content-Type", options.content_type.as_deref())
            .header_opt("Transfer-Encoding", options.transfer_encoding.as_deref());
        if options.transfer_encoding.is_none() {
            request = request.header_opt("Content-Length", options.content_length);
        }
        request = with_meta(request, "X-Container-Meta-", &options.metadata);
        if let Some(data) = &options.data {
            request = request.body(data.clone());
        }
        Ok(request.success(&[202, 204]))
    }

    /// Sends [`PithosClient::container_post_request`].
    pub async fn container_post(&self, options: &ContainerPost) -> Result<Response> {
        self.container_post_request(options)?.send().await
    }

    /// `DELETE /<account>/<container>`, accepting 204.
    pub fn container_delete_request(
        &self,
        options: &ContainerDelete,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .at(Method::DELETE, &self.container_path(None)?)
            .query_opt("until", options.until.as_deref())
            .query_opt("delimiter", options.delimiter.as_deref())
            .success(&[204]))
    }

    /// Sends [`PithosClient::container_delete_request`].
    pub async fn container_delete(&self, options: &ContainerDelete) -> Result<Response> {
        self.container_delete_request(options)?.send().await
    }

    /// `HEAD /<account>/<container>/<object>`, accepting 200.
    pub fn object_head_request(
        &self,
        obj: &str,
        options: &ObjectHead,
    ) -> Result<RequestBuilder<'_>> {
        let request = self
            .at(Method::HEAD, &self.object_path(obj)?)
            .query_opt("version", options.version.as_deref())
            .header_opt("If-Match", options.if_etag_match.as_deref())
            .header_opt("If-None-Match", options.if_etag_not_match.as_deref())
            .success(&[200, 204]);
        Ok(if_dates(
            request,
            &options.if_modified_since,
            &options.if_unmodified_since,
        ))
    }

    /// Sends [`PithosClient::object_head_request`].
    pub async fn object_head(&self, obj: &str, options: &ObjectHead) -> Result<Response> {
        self.object_head_request(obj, options)?.send().await
    }

    /// `GET /<account>/<container>/<object>`, accepting 200 and 206.
    pub fn object_get_request(&self, obj: &str, options: &ObjectGet) -> Result<RequestBuilder<'_>> {
        let listing = options.hashmap || options.version.as_deref() == Some("list");
        let format = options.format.or(listing.then_some(Format::Json));
        let mut request = format_param(self.at(Method::GET, &self.object_path(obj)?), format)
            .flag_if("hashmap", options.hashmap)
            .query_opt("version", options.version.as_deref());
        if let Some(range) = &options.data_range {
            let range = range.trim();
            let range = range.strip_prefix("bytes=").unwrap_or(range);
            request = request.header("Range", format!("bytes={range}"));
            if options.if_range {
                request = request.header("If-Range", "");
            }
        }
        let request = request
            .header_opt("If-Match", options.if_etag_match.as_deref())
            .header_opt("If-None-Match", options.if_etag_not_match.as_deref())
            .success(&[200, 206]);
        Ok(if_dates(
            request,
            &options.if_modified_since,
            &options.if_unmodified_since,
        ))
    }

    /// Sends [`PithosClient::object_get_request`].
    pub async fn object_get(&self, obj: &str, options: &ObjectGet) -> Result<Response> {
        self.object_get_request(obj, options)?.send().await
    }

    /// `PUT /<account>/<container>/<object>`, accepting 201.
    pub fn object_put_request(&self, obj: &str, options: &ObjectPut) -> Result<RequestBuilder<'_>> {
        let mut request = format_param(
            self.at(Method::PUT, &self.object_path(obj)?),
            options.format,
        )
        .flag_if("hashmap", options.hashmap)
        .query_opt("delimiter", options.delimiter.as_deref())
        .header_opt("If-Match", options.if_etag_match.as_deref())
        .header_opt("If-None-Match", options.if_etag_not_match.as_deref())
        .header_opt("ETag", options.etag.as_deref())
        .header_opt("Content-Type", options.content_type.as_deref())
        .header_opt("Transfer-Encoding", options.transfer_encoding.as_deref())
        .header_opt("X-Copy-From", options.copy_from.as_deref().map(quote_value))
        .header_opt("X-Move-From", options.move_from.as_deref().map(quote_value))
        .header_opt("X-Source-Account", options.source_account.as_deref())
        .header_opt("X-Source-Version", options.source_version.as_deref())
        .header_opt("Content-Encoding", options.content_encoding.as_deref())
        .header_opt(
            "Content-Disposition",
            options.content_disposition.as_deref().map(quote_value),
        )
        .header_opt(
            "X-Object-Manifest",
            options.manifest.as_deref().map(quote_value),
        )
        .header_opt(
            "X-Object-Sharing",
            options.permissions.as_ref().map(Sharing::header_value),
        )
        .header_opt("X-Object-Public", options.public.map(public_value));
        if options.transfer_encoding.is_none() {
            let length = options
                .content_length
                .or_else(|| options.data.as_ref().map(|d| d.len() as u64));
            request = request.header_opt("Content-Length", length);
        }
        request = with_meta(request, "X-Object-Meta-", &options.metadata);
        if let Some(data) = &options.data {
            request = request.body(data.clone());
        }
        Ok(request.success(&[201]))
    }

    /// Sends [`PithosClient::object_put_request`].
    pub async fn object_put(&self, obj: &str, options: &ObjectPut) -> Result<Response> {
        self.object_put_request(obj, options)?.send().await
    }

    fn copy_move_request(
        &self,
        method: &str,
        obj: &str,
        options: &ObjectCopy,
    ) -> Result<RequestBuilder<'_>> {
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
            crate::clients::ClientError::InvalidRequest(format!("bad method {method}"))
        })?;
        let copy = method.as_str() == "COPY";
        let mut request = format_param(self.at(method, &self.object_path(obj)?), options.format)
            .flag_if("ignore_content_type", options.ignore_content_type)
            .query_opt("delimiter", options.delimiter.as_deref())
            .header("Destination", quote_value(&options.destination))
            .header_opt(
                "Destination-Account",
                options.destination_account.as_deref(),
            )
            .header_opt("If-Match", options.if_etag_match.as_deref())
            .header_opt("If-None-Match", options.if_etag_not_match.as_deref())
            .header_opt("Content-Type", options.content_type.as_deref())
            .header_opt("Content-Encoding", options.content_encoding.as_deref())
            .header_opt(
                "Content-Disposition",
                options.content_disposition.as_deref().map(quote_value),
            )
            .header_opt(
                "X-Object-Sharing",
                options.permissions.as_ref().map(Sharing::header_value),
            )
            .header_opt("X-Object-Public", options.public.map(public_value));
        if copy {
            request = request.header_opt("X-Source-Version", options.source_version.as_deref());
        }
        Ok(with_meta(request, "X-Object-Meta-", &options.metadata).success(&[201]))
    }

    /// `COPY /<account>/<container>/<object>` to `Destination`, accepting 201.
    pub fn object_copy_request(
        &self,
        obj: &str,
        options: &ObjectCopy,
    ) -> Result<RequestBuilder<'_>> {
        self.copy_move_request("COPY", obj, options)
    }

    /// Sends [`PithosClient::object_copy_request`].
    pub async fn object_copy(&self, obj: &str, options: &ObjectCopy) -> Result<Response> {
        self.object_copy_request(obj, options)?.send().await
    }

    /// `MOVE /<account>/<container>/<object>` to `Destination`, accepting
    /// 201 (`source_version` is not sent: a move takes the latest version).
    pub fn object_move_request(
        &self,
        obj: &str,
        options: &ObjectCopy,
    ) -> Result<RequestBuilder<'_>> {
        self.copy_move_request("MOVE", obj, options)
    }

    /// Sends [`PithosClient::object_move_request`].
    pub async fn object_move(&self, obj: &str, options: &ObjectCopy) -> Result<Response> {
        self.object_move_request(obj, options)?.send().await
    }

    /// `POST /<account>/<container>/<object>`, accepting 202 and 204.
    pub fn object_post_request(
        &self,
        obj: &str,
        options: &ObjectPost,
    ) -> Result<RequestBuilder<'_>> {
        let mut request = format_param(
            self.at(Method::POST, &self.object_path(obj)?),
            options.format,
        )
        .flag_if("update", options.update)
        .header_opt("If-Match", options.if_etag_match.as_deref())
        .header_opt("If-None-Match", options.if_etag_not_match.as_deref())
        .header_opt("Content-Type", options.content_type.as_deref())
        .header_opt("Content-Range", options.content_range.as_deref())
        .header_opt("Transfer-Encoding", options.transfer_encoding.as_deref())
        .header_opt("Content-Encoding", options.content_encoding.as_deref())
        .header_opt(
            "Content-Disposition",
            options.content_disposition.as_deref().map(quote_value),
        )
        .header_opt(
            "X-Source-Object",
            options.source_object.as_deref().map(quote_value),
        )
        .header_opt("X-Source-Account", options.source_account.as_deref())
        .header_opt("X-Source-Version", options.source_version.as_deref())
        .header_opt("X-Object-Bytes", options.object_bytes)
        .header_opt(
            "X-Object-Manifest",
            options.manifest.as_deref().map(quote_value),
        )
        .header_opt(
            "X-Object-Sharing",
            options.permissions.as_ref().map(Sharing::header_value),
        )
        .header_opt("X-Object-Public", options.public.map(public_value));
        if options.transfer_encoding.is_none() {
            let length = options
                .content_length
                .or_else(|| options.data.as_ref().map(|d| d.len() as u64));
            request = request.header_opt("Content-Length", length);
        }
        request = with_meta(request, "X-Object-Meta-", &options.metadata);
        if let Some(data) = &options.data {
            request = request.body(data.clone());
        }
        Ok(request.success(&[202, 204]))
    }

    /// Sends [`PithosClient::object_post_request`].
    pub async fn object_post(&self, obj: &str, options: &ObjectPost) -> Result<Response> {
        self.object_post_request(obj, options)?.send().await
    }

    /// `DELETE /<account>/<container>/<object>`, accepting 204.
    pub fn object_delete_request(
        &self,
        obj: &str,
        options: &ObjectDelete,
    ) -> Result<RequestBuilder<'_>> {
        Ok(self
            .at(Method::DELETE, &self.object_path(obj)?)
            .query_opt("until", options.until.as_deref())
            .query_opt("delimiter", options.delimiter.as_deref())
            .success(&[204]))
    }

    /// Sends [`PithosClient::object_delete_request`].
    pub async fn object_delete(&self, obj: &str, options: &ObjectDelete) -> Result<Response> {
        self.object_delete_request(obj, options)?.send().await
    }
}
