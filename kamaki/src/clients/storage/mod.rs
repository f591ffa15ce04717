//! The client of the OpenStack object storage (Swift) subset of Pithos
//! (kamaki's `StorageClient`): accounts, containers and objects with plain
//! requests. [`crate::clients::pithos::PithosClient`] builds on it.

mod models;

use std::collections::BTreeMap;

use bytes::Bytes;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

pub use models::*;

use crate::clients::{
    Client, ClientError, Method, RequestBuilder, Response, Result, Service, Token,
};

/// Client of the object storage (Swift) subset of Pithos.
///
/// An account (a user's uuid) and a container are set on the client, as
/// kamaki's `account` and `container` attributes; calls that need them fail
/// with a configuration error when they are missing.
///
/// ```no_run
/// # async fn f() -> kamaki::clients::Result<()> {
/// use kamaki::clients::storage::StorageClient;
/// let storage = StorageClient::new("https://cloud.example.org/pithos/object-store/v1", "token")?
///     .with_account("user-uuid")
///     .with_container("pithos");
/// for object in storage.list_objects(&Default::default()).await? {
///     println!("{}", object.name());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct StorageClient {
    client: Client,
    /// The account (user uuid) requests go to.
    pub account: Option<String>,
    /// The container requests go to.
    pub container: Option<String>,
}

impl Service for StorageClient {
    const SERVICE_TYPE: &'static str = "object-store";
    const DEFAULT_API_VERSION: Option<&'static str> = Some("1");

    fn from_client(client: Client) -> Self {
        StorageClient {
            client,
            account: None,
            container: None,
        }
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

impl std::ops::Deref for StorageClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

/// The options of [`StorageClient::list_objects`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjects {
    /// At most this many entries (the server caps a page at 10000).
    pub limit: Option<u32>,
    /// Entries after this name.
    pub marker: Option<String>,
    /// Names starting with this.
    pub prefix: Option<String>,
    /// Group names at this delimiter into virtual directories.
    pub delimiter: Option<String>,
    /// Entries in this "directory" (`prefix=path/`, `delimiter=/`);
    /// overrides `prefix` and `delimiter`.
    pub path: Option<String>,
}

impl StorageClient {
    /// The service type in the Astakos catalog.
    pub const SERVICE_TYPE: &'static str = "object-store";
    /// The version appended to an endpoint URL that names none.
    pub const DEFAULT_API_VERSION: &'static str = "1";

    /// A client of `endpoint_url` sending `token`; an unversioned URL gets
    /// `/v1` appended.
    pub fn new(endpoint_url: &str, token: impl Into<Token>) -> Result<Self> {
        Client::builder(endpoint_url).token(token).build_service()
    }

    /// This client for `account`.
    #[must_use]
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// This client for `container`.
    #[must_use]
    pub fn with_container(mut self, container: impl Into<String>) -> Self {
        self.container = Some(container.into());
        self
    }

    /// Sets the account.
    pub fn set_account(&mut self, account: impl Into<String>) {
        self.account = Some(account.into());
    }

    /// Sets the container.
    pub fn set_container(&mut self, container: impl Into<String>) {
        self.container = Some(container.into());
    }

    /// The base client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The account, or an error naming what is missing.
    pub fn account_name(&self) -> Result<&str> {
        match self.account.as_deref() {
            Some(account) if !account.is_empty() => Ok(account),
            _ => Err(ClientError::Config("No account provided".into())),
        }
    }

    /// The container, or an error naming what is missing.
    pub fn container_name(&self) -> Result<&str> {
        match self.container.as_deref() {
            Some(container) if !container.is_empty() => Ok(container),
            _ => Err(ClientError::Config("No container provided".into())),
        }
    }

    /// `/<account>`.
    pub(crate) fn account_path(&self) -> Result<String> {
        Ok(format!("/{}", self.account_name()?))
    }

    /// `/<account>/<container>` for `container`, or the client's container.
    pub(crate) fn container_path(&self, container: Option<&str>) -> Result<String> {
        let container = match container {
            Some(c) if !c.is_empty() => c,
            _ => self.container_name()?,
        };
        Ok(format!("/{}/{}", self.account_name()?, container))
    }

    /// `/<account>/<container>/<object>`, the object name kept as it is.
    pub(crate) fn object_path(&self, object: &str) -> Result<String> {
        if object.is_empty() {
            return Err(ClientError::InvalidRequest(
                "the object name is empty".into(),
            ));
        }
        Ok(format!(
            "{}/{}",
            self.container_path(None)?,
            object.strip_prefix('/').unwrap_or(object)
        ))
    }

    /// A request to a path built by the helpers above (sent verbatim).
    pub(crate) fn at(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        self.client.request(method, path).verbatim_path()
    }

    /// `HEAD /<account>` -> the account's headers (204).
    pub async fn get_account_info(&self) -> Result<Headers> {
        let reply = self
            .at(Method::HEAD, &self.account_path()?)
            .success(&[204, 200])
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// `POST /<account>` with `X-Account-Meta-<key>` headers: replaces the
    /// account's metadata with these pairs.
    pub async fn replace_account_meta(&self, pairs: &BTreeMap<String, String>) -> Result<()> {
        let mut request = self
            .at(Method::POST, &self.account_path()?)
            .success(&[202, 204]);
        for (key, value) in pairs {
            request = meta_header(request, "X-Account-Meta-", key, value);
        }
        request.send().await?;
        Ok(())
    }

    /// Deletes one metadata key of the account: reads the metadata and posts
    /// back all the others. A key the account does not have is a 404.
    pub async fn del_account_meta(&self, key: &str) -> Result<()> {
        let info = self.get_account_info().await?;
        let wanted = format!("x-account-meta-{}", key.to_ascii_lowercase());
        if !info.contains_key(&wanted) {
            return Err(ClientError::Http {
                status: 404,
                reason: "Not Found".into(),
                kind: None,
                message: format!("Account metadata {key:?} not found"),
                details: Vec::new(),
                request: String::new(),
            });
        }
        let rest: BTreeMap<String, String> = filter_in(&info, "x-account-meta-", false)
            .into_iter()
            .filter(|(name, _)| *name != wanted)
            .filter_map(|(name, value)| {
                Some((name.strip_prefix("x-account-meta-")?.to_string(), value))
            })
            .collect();
        self.replace_account_meta(&rest).await
    }

    /// `PUT /<account>/<name>` (201); a container that exists already (202)
    /// is an error, as in kamaki.
    pub async fn create_container(&self, name: &str) -> Result<Headers> {
        let reply = self
            .at(Method::PUT, &self.container_path(Some(name))?)
            .success(&[201, 202])
            .send()
            .await?;
        if reply.status() == 202 {
            return Err(http_error(
                202,
                format!("Container \"{name}\" already exists"),
            ));
        }
        Ok(headers_of(&reply))
    }

    /// `HEAD /<account>/<name>` -> the container's headers.
    pub async fn get_container_info(&self, name: &str) -> Result<Headers> {
        let reply = self
            .at(Method::HEAD, &self.container_path(Some(name))?)
            .success(&[204, 200])
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// `DELETE /<account>/<name>` (204); a missing (404) or non-empty (409)
    /// container is an error.
    pub async fn delete_container(&self, name: &str) -> Result<()> {
        self.at(Method::DELETE, &self.container_path(Some(name))?)
            .success(&[204])
            .send()
            .await?;
        Ok(())
    }

    /// `GET /<account>?format=json` -> the containers (first page).
    pub async fn list_containers(&self) -> Result<Vec<ContainerListing>> {
        let reply = self
            .at(Method::GET, &self.account_path()?)
            .query("format", "json")
            .success(&[200, 204])
            .send()
            .await?;
        json_list(&reply)
    }

    /// `PUT /<account>/<container>/<obj>` with the whole `data` as the body
    /// (kamaki's `StorageClient.upload_object`; see
    /// [`crate::clients::pithos::PithosClient::upload_object`] for block
    /// uploads).
    pub async fn upload_object(&self, obj: &str, data: impl Into<Bytes>) -> Result<Headers> {
        let data = data.into();
        let reply = self
            .at(Method::PUT, &self.object_path(obj)?)
            .header("Content-Type", "application/octet-stream")
            .body(data)
            .success(&[201])
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// `PUT` an empty object of this content type (default
    /// `application/octet-stream`).
    pub async fn create_object(&self, obj: &str, content_type: Option<&str>) -> Result<Headers> {
        let reply = self
            .at(Method::PUT, &self.object_path(obj)?)
            .header(
                "Content-Type",
                content_type.unwrap_or("application/octet-stream"),
            )
            .header("Content-Length", 0)
            .success(&[201])
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// `PUT` an empty `application/directory` object.
    pub async fn create_directory(&self, obj: &str) -> Result<Headers> {
        self.create_object(obj, Some("application/directory")).await
    }

    /// `HEAD /<account>/<container>/<obj>` -> the object's headers.
    pub async fn get_object_info(&self, obj: &str) -> Result<Headers> {
        let reply = self
            .at(Method::HEAD, &self.object_path(obj)?)
            .success(&[200, 204])
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// The object's `x-object-meta-*` headers, keyed by what follows the
    /// prefix (`x-object-meta-color` -> `color`).
    pub async fn get_object_meta(&self, obj: &str) -> Result<BTreeMap<String, String>> {
        let info = self.get_object_info(obj).await?;
        Ok(filter_in(&info, "x-object-meta-", false)
            .into_iter()
            .filter_map(|(name, value)| {
                Some((name.strip_prefix("x-object-meta-")?.to_string(), value))
            })
            .collect())
    }

    /// `POST` an empty `X-Object-Meta-<key>`: deletes that key.
    pub async fn del_object_meta(&self, obj: &str, key: &str) -> Result<()> {
        let request = self
            .at(Method::POST, &self.object_path(obj)?)
            .flag("update");
        meta_header(request, "X-Object-Meta-", key, "")
            .success(&[202, 204])
            .send()
            .await?;
        Ok(())
    }

    /// `POST /<account>/<container>/<obj>` with `X-Object-Meta-*` headers:
    /// replaces the object's metadata. (kamaki's version takes no object
    /// and posts to the container, a bug not kept here.)
    pub async fn replace_object_meta(
        &self,
        obj: &str,
        pairs: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mut request = self
            .at(Method::POST, &self.object_path(obj)?)
            .success(&[202, 204]);
        for (key, value) in pairs {
            request = meta_header(request, "X-Object-Meta-", key, value);
        }
        request.send().await?;
        Ok(())
    }

    /// Copies `/<src_container>/<src_object>` to `dst_object` (default: the
    /// same name) in `dst_container`: `PUT` with `X-Copy-From`.
    pub async fn copy_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: Option<&str>,
    ) -> Result<Headers> {
        self.copy_or_move(
            "X-Copy-From",
            src_container,
            src_object,
            dst_container,
            dst_object,
        )
        .await
    }

    /// Moves an object: `PUT` with `X-Move-From`.
    pub async fn move_object(
        &self,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: Option<&str>,
    ) -> Result<Headers> {
        self.copy_or_move(
            "X-Move-From",
            src_container,
            src_object,
            dst_container,
            dst_object,
        )
        .await
    }

    async fn copy_or_move(
        &self,
        header: &str,
        src_container: &str,
        src_object: &str,
        dst_container: &str,
        dst_object: Option<&str>,
    ) -> Result<Headers> {
        let dst = dst_object.unwrap_or(src_object);
        let path = format!("{}/{}", self.container_path(Some(dst_container))?, dst);
        let reply = self
            .at(Method::PUT, &path)
            .header(
                header,
                quote_value(&format!("/{src_container}/{src_object}")),
            )
            .header("Content-Length", 0)
            .success(&[201])
            .send()
            .await?;
        Ok(headers_of(&reply))
    }

    /// `DELETE /<account>/<container>/<obj>` (204); a missing object is a
    /// 404 error "Object `<obj>` not found".
    pub async fn delete_object(&self, obj: &str) -> Result<()> {
        let reply = self
            .at(Method::DELETE, &self.object_path(obj)?)
            .success(&[204, 404])
            .send()
            .await?;
        if reply.status() == 404 {
            return Err(http_error(404, format!("Object {obj} not found")));
        }
        Ok(())
    }

    /// `GET /<account>/<container>?format=json` with the listing filters ->
    /// one page of objects (304 or 204: none).
    pub async fn list_objects(&self, options: &ListObjects) -> Result<Vec<ListedObject>> {
        let mut request = self
            .at(Method::GET, &self.container_path(None)?)
            .query("format", "json")
            .query_opt("limit", options.limit)
            .query_opt("marker", options.marker.as_deref());
        request = match &options.path {
            Some(path) => request.query("path", path),
            None => request
                .query_opt("prefix", options.prefix.as_deref())
                .query_opt("delimiter", options.delimiter.as_deref()),
        };
        let reply = request.success(&[200, 204, 304]).send().await?;
        json_list(&reply)
    }

    /// The objects under `path_prefix` (`?path=`).
    pub async fn list_objects_in_path(&self, path_prefix: &str) -> Result<Vec<ListedObject>> {
        self.list_objects(&ListObjects {
            path: Some(path_prefix.to_string()),
            ..ListObjects::default()
        })
        .await
    }
}

/// Characters percent-encoded in Pithos header names and values: controls,
/// non-ASCII (by the encoder), `%` itself so that values round-trip.
const HEADER_QUOTE: &AsciiSet = &CONTROLS.add(b'%');

/// Percent-encodes what a header cannot carry (non-ASCII, controls) and `%`,
/// as Synnefo expects ("all non-ASCII characters in headers should be
/// URL-encoded").
pub(crate) fn quote_value(value: &str) -> String {
    utf8_percent_encode(value, HEADER_QUOTE).to_string()
}

/// Adds a `<prefix><key>: <value>` metadata header, name and value quoted.
pub(crate) fn meta_header<'a>(
    request: RequestBuilder<'a>,
    prefix: &str,
    key: &str,
    value: &str,
) -> RequestBuilder<'a> {
    let key = utf8_percent_encode(key, HEADER_QUOTE).to_string();
    request.header(&format!("{prefix}{key}"), quote_value(value))
}

/// The reply's headers, lower-case names to values; the names and values of
/// Pithos' own headers (`X-Account-*`, `X-Container-*`, `X-Object-*`) and
/// `Last-Modified` are URL-unquoted, as kamaki does.
pub fn headers_of(reply: &Response) -> Headers {
    decode_headers(reply.headers())
}

/// [`headers_of`] for any header map (whatever a server sent: invalid
/// escapes and bytes are kept as they are, lossily).
pub fn decode_headers(headers: &http::HeaderMap) -> Headers {
    let mut out = Headers::new();
    for (name, value) in headers {
        let name = name.as_str().to_ascii_lowercase();
        let raw = String::from_utf8_lossy(value.as_bytes());
        let pithos = ["x-account-", "x-container-", "x-object-"]
            .iter()
            .any(|p| name.starts_with(p))
            || name == "last-modified";
        // Synnefo capitalises meta names and quotes non-ASCII ones
        // (`X-Account-Meta-%CE%95%CE%BB`): decoded, they are lower-cased
        // again so that lookups by name work.
        let (name, value) = if pithos {
            (
                percent_decode_str(&name).decode_utf8_lossy().to_lowercase(),
                percent_decode_str(&raw).decode_utf8_lossy().into_owned(),
            )
        } else {
            (name, raw.into_owned())
        };
        out.entry(name)
            .and_modify(|v: &mut String| {
                v.push(',');
                v.push_str(&value)
            })
            .or_insert(value);
    }
    out
}

/// The entries of `headers` whose name starts with `prefix` (or equals it,
/// with `exact`), case-insensitively (kamaki's `filter_in`).
pub fn filter_in(headers: &Headers, prefix: &str, exact: bool) -> Headers {
    let prefix = prefix.to_ascii_lowercase();
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            if exact {
                name == prefix
            } else {
                name.starts_with(&prefix)
            }
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A JSON list reply; an empty body (204, 304) is an empty list.
pub(crate) fn json_list<T: serde::de::DeserializeOwned>(reply: &Response) -> Result<Vec<T>> {
    if reply.body().iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    reply.json()
}

/// An HTTP-shaped error made on the client side (kamaki raises these for
/// replies it treats as failures, e.g. a 202 "already exists").
pub(crate) fn http_error(status: u16, message: String) -> ClientError {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_string();
    ClientError::Http {
        status,
        reason,
        kind: None,
        message,
        details: Vec::new(),
        request: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> StorageClient {
        StorageClient::new("http://127.0.0.1:1/pithos/object-store", "t").unwrap()
    }

    #[test]
    fn paths_need_an_account_and_a_container() {
        let c = client();
        assert_eq!(
            c.endpoint_url(),
            "http://127.0.0.1:1/pithos/object-store/v1"
        );
        assert!(
            matches!(c.account_path(), Err(ClientError::Config(m)) if m == "No account provided")
        );
        let c = c.with_account("u");
        assert!(
            matches!(c.object_path("o"), Err(ClientError::Config(m)) if m == "No container provided")
        );
        let c = c.with_container("c");
        assert_eq!(c.object_path("dir/o/").unwrap(), "/u/c/dir/o/");
        assert_eq!(c.object_path("/a//b").unwrap(), "/u/c/a//b");
        assert_eq!(c.container_path(Some("other")).unwrap(), "/u/other");
        assert!(c.object_path("").is_err());
        assert_eq!(
            c.url_for_verbatim("/u/c/a b/é?#", &[]),
            "http://127.0.0.1:1/pithos/object-store/v1/u/c/a%20b/%C3%A9%3F%23"
        );
    }

    #[test]
    fn header_values_are_quoted_minimally() {
        assert_eq!(quote_value("plain, value"), "plain, value");
        assert_eq!(quote_value("ελ 50%"), "%CE%B5%CE%BB 50%25");
        assert_eq!(quote_value("a\nb"), "a%0Ab");
    }

    #[test]
    fn filter_in_by_prefix_or_exact() {
        let mut h = Headers::new();
        h.insert("x-object-meta-a".into(), "1".into());
        h.insert("x-object-sharing".into(), "read=*".into());
        h.insert("content-type".into(), "x".into());
        assert_eq!(filter_in(&h, "X-Object-Meta-", false).len(), 1);
        assert_eq!(filter_in(&h, "x-object-sharing", true).len(), 1);
        assert_eq!(filter_in(&h, "x-object-", false).len(), 2);
    }
}
