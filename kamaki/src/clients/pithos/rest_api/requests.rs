//! The options of each Pithos REST verb: every request parameter and
//! header the object API guide gives for one level and method.

use super::*;

/// Options of `HEAD /<account>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountHead {
    /// Information as of this timestamp.
    pub until: Option<String>,
    /// `If-Modified-Since` (an HTTP date).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (an HTTP date).
    pub if_unmodified_since: Option<String>,
}

/// Options of `GET /<account>` (list containers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountGet {
    /// At most this many containers.
    pub limit: Option<u32>,
    /// Containers after this name.
    pub marker: Option<String>,
    /// The reply format (JSON by default).
    pub format: Format,
    /// Only shared containers (`shared`).
    pub show_only_shared: bool,
    /// Only public containers (`public`).
    pub public: bool,
    /// The listing as of this timestamp.
    pub until: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since`.
    pub if_unmodified_since: Option<String>,
}

/// Options of `POST /<account>` (metadata, groups, policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountPost {
    /// Update (`?update`, the default) rather than replace.
    pub update: bool,
    /// Groups to set: name -> members (an empty list deletes the group).
    pub groups: BTreeMap<String, Vec<String>>,
    /// Metadata to set (an empty value deletes the key, with `update`).
    pub metadata: BTreeMap<String, String>,
    /// `X-Account-Policy-Quota`.
    pub quota: Option<u64>,
    /// `X-Account-Policy-Versioning`.
    pub versioning: Option<String>,
}

/// Options of `GET /<account>/<container>` (list objects).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerGet {
    /// At most this many objects (the server caps a page at 10000).
    pub limit: Option<u32>,
    /// Objects after this name.
    pub marker: Option<String>,
    /// Names starting with this.
    pub prefix: Option<String>,
    /// Group names at this delimiter into virtual directories.
    pub delimiter: Option<String>,
    /// `prefix=path/`, `delimiter=/`; overrides both.
    pub path: Option<String>,
    /// The reply format (JSON by default).
    pub format: Format,
    /// Metadata queries (`key`, `!key`, `key=value`, `key<value`...).
    pub meta: Vec<String>,
    /// Only shared objects (`shared`).
    pub show_only_shared: bool,
    /// Only public objects (`public`, owner only).
    pub public: bool,
    /// The listing as of this timestamp.
    pub until: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since`.
    pub if_unmodified_since: Option<String>,
}

/// Options of `PUT /<account>/<container>` (create or update).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerPut {
    /// `X-Container-Policy-Quota`: the size limit in bytes (0: none).
    pub quota: Option<u64>,
    /// `X-Container-Policy-Versioning`: `auto` or `none`.
    pub versioning: Option<String>,
    /// `X-Container-Policy-Project`: the project whose quota it uses.
    pub project_id: Option<String>,
    /// `X-Container-Meta-*`.
    pub metadata: BTreeMap<String, String>,
}

/// Options of `POST /<account>/<container>` (metadata, policy, or blocks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPost {
    /// Update (`?update`, the default) rather than replace.
    pub update: bool,
    /// The format of the hash list replied for uploaded blocks.
    pub format: Format,
    /// `X-Container-Policy-Quota`.
    pub quota: Option<u64>,
    /// `X-Container-Policy-Versioning`.
    pub versioning: Option<String>,
    /// `X-Container-Policy-Project`.
    pub project_id: Option<String>,
    /// `X-Container-Meta-*` (an empty value deletes the key).
    pub metadata: BTreeMap<String, String>,
    /// `Content-Type` (`application/octet-stream` to upload blocks).
    pub content_type: Option<String>,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Transfer-Encoding`.
    pub transfer_encoding: Option<String>,
    /// Block data to store.
    pub data: Option<Bytes>,
}

/// Options of `DELETE` of a container or an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerDelete {
    /// Purge the history up to this timestamp.
    pub until: Option<String>,
    /// Delete everything under the name and this delimiter too.
    pub delimiter: Option<String>,
}

/// Options of `HEAD /<account>/<container>/<object>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectHead {
    /// A version to read.
    pub version: Option<String>,
    /// `If-Match`.
    pub if_etag_match: Option<String>,
    /// `If-None-Match`.
    pub if_etag_not_match: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since`.
    pub if_unmodified_since: Option<String>,
}

/// Options of `GET /<account>/<container>/<object>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectGet {
    /// The reply format (needed with `hashmap` or `version=list`; JSON is
    /// then used when none is given).
    pub format: Option<Format>,
    /// Ask for the hashmap instead of the data.
    pub hashmap: bool,
    /// A version to read, or `list` for the version list.
    pub version: Option<String>,
    /// `Range` without the `bytes=` (`0-99`, `0-9,30-39,-100`).
    pub data_range: Option<String>,
    /// Send an empty `If-Range` with the range.
    pub if_range: bool,
    /// `If-Match`.
    pub if_etag_match: Option<String>,
    /// `If-None-Match`.
    pub if_etag_not_match: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since`.
    pub if_unmodified_since: Option<String>,
}

/// Options of `PUT /<account>/<container>/<object>` (write, copy, move).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectPut {
    /// The format of a hashmap body and of the 409 reply.
    pub format: Option<Format>,
    /// The body is a hashmap (`?hashmap`).
    pub hashmap: bool,
    /// Copy or move everything under the source and this delimiter.
    pub delimiter: Option<String>,
    /// `If-Match`.
    pub if_etag_match: Option<String>,
    /// `If-None-Match` (`*`: only if the object does not exist).
    pub if_etag_not_match: Option<String>,
    /// `ETag`: the MD5 the written data must have.
    pub etag: Option<String>,
    /// `Content-Length` (the body's length when not given).
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Transfer-Encoding`.
    pub transfer_encoding: Option<String>,
    /// `X-Copy-From: /<container>/<object>`.
    pub copy_from: Option<String>,
    /// `X-Move-From: /<container>/<object>`.
    pub move_from: Option<String>,
    /// `X-Source-Account`.
    pub source_account: Option<String>,
    /// `X-Source-Version`.
    pub source_version: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `X-Object-Manifest: <container>/<prefix>`.
    pub manifest: Option<String>,
    /// `X-Object-Sharing`.
    pub permissions: Option<Sharing>,
    /// `X-Object-Public`.
    pub public: Option<bool>,
    /// `X-Object-Meta-*`.
    pub metadata: BTreeMap<String, String>,
    /// The body: data, or a JSON hashmap with `hashmap`.
    pub data: Option<Bytes>,
}

/// Options of `COPY` and `MOVE` of an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectCopy {
    /// `Destination: /<container>/<object>`.
    pub destination: String,
    /// The format of a conflict reply.
    pub format: Option<Format>,
    /// `ignore_content_type`.
    pub ignore_content_type: bool,
    /// `If-Match`.
    pub if_etag_match: Option<String>,
    /// `If-None-Match`.
    pub if_etag_not_match: Option<String>,
    /// `Destination-Account`.
    pub destination_account: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `X-Source-Version` (COPY only).
    pub source_version: Option<String>,
    /// `X-Object-Sharing`.
    pub permissions: Option<Sharing>,
    /// `X-Object-Public`.
    pub public: Option<bool>,
    /// `X-Object-Meta-*`.
    pub metadata: BTreeMap<String, String>,
    /// Copy everything under the object's name and this delimiter.
    pub delimiter: Option<String>,
}

/// Options of `POST /<account>/<container>/<object>` (metadata or data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPost {
    /// The format of a conflict reply.
    pub format: Option<Format>,
    /// Update (`?update`, the default) rather than replace metadata.
    pub update: bool,
    /// `If-Match`.
    pub if_etag_match: Option<String>,
    /// `If-None-Match`.
    pub if_etag_not_match: Option<String>,
    /// `Content-Length` (the body's length when not given).
    pub content_length: Option<u64>,
    /// `Content-Type` (`application/octet-stream` to update data).
    pub content_type: Option<String>,
    /// `Content-Range` (`bytes 10-19/*`, `bytes */*` to append).
    pub content_range: Option<String>,
    /// `Transfer-Encoding`.
    pub transfer_encoding: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `X-Source-Object: /<container>/<object>`.
    pub source_object: Option<String>,
    /// `X-Source-Account`.
    pub source_account: Option<String>,
    /// `X-Source-Version`.
    pub source_version: Option<String>,
    /// `X-Object-Bytes`: the final size (truncates).
    pub object_bytes: Option<u64>,
    /// `X-Object-Manifest`.
    pub manifest: Option<String>,
    /// `X-Object-Sharing` (an empty one removes all permissions).
    pub permissions: Option<Sharing>,
    /// `X-Object-Public`.
    pub public: Option<bool>,
    /// `X-Object-Meta-*` (an empty value deletes the key).
    pub metadata: BTreeMap<String, String>,
    /// Data to write.
    pub data: Option<Bytes>,
}

impl Default for AccountPost {
    fn default() -> Self {
        AccountPost {
            update: true,
            groups: BTreeMap::new(),
            metadata: BTreeMap::new(),
            quota: None,
            versioning: None,
        }
    }
}

impl Default for ContainerPost {
    fn default() -> Self {
        ContainerPost {
            update: true,
            format: Format::Json,
            quota: None,
            versioning: None,
            project_id: None,
            metadata: BTreeMap::new(),
            content_type: None,
            content_length: None,
            transfer_encoding: None,
            data: None,
        }
    }
}

impl Default for ObjectPost {
    fn default() -> Self {
        ObjectPost {
            format: Some(Format::Json),
            update: true,
            if_etag_match: None,
            if_etag_not_match: None,
            content_length: None,
            content_type: None,
            content_range: None,
            transfer_encoding: None,
            content_encoding: None,
            content_disposition: None,
            source_object: None,
            source_account: None,
            source_version: None,
            object_bytes: None,
            manifest: None,
            permissions: None,
            public: None,
            metadata: BTreeMap::new(),
            data: None,
        }
    }
}

/// Options of `HEAD /<account>/<container>`.
pub type ContainerHead = AccountHead;

/// Options of `DELETE /<account>/<container>/<object>`.
pub type ObjectDelete = ContainerDelete;
