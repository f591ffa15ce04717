//! What the Image registry answers, typed: images as JSON listings show
//! them, and image metadata as `X-Image-Meta-*` headers carry them.

use std::collections::BTreeMap;

use http::HeaderMap;
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Fields a type does not name, as the server sent them.
pub type Extra = BTreeMap<String, Value>;

/// An image as `GET /images` (a few fields) or `GET /images/detail` (all)
/// lists it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Image {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// `AVAILABLE`, `SAVING`, `ERROR`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// e.g. `diskdump`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_format: Option<String>,
    /// e.g. `bare`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_format: Option<String>,
    /// The size of its file in bytes.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
    /// The hash of its file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// `pithos://<owner uuid>/<container>/<path>` of its file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// When it was registered (`2013-03-29 14:14:34`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When it was deleted (empty if it was not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// Whether every user may use it.
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_public: Option<bool>,
    /// Its owner's uuid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free-form properties (`OS`, `USERS`...), as the server names them.
    #[serde(default, deserialize_with = "lenient_properties")]
    pub properties: BTreeMap<String, String>,
    /// Whether it is a snapshot of a volume.
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_snapshot: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A number, or a string of one (older servers quote numbers).
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A boolean, or `True`/`False` as Python writes them.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => parse_bool(&s),
        _ => None,
    })
}

/// Property values as text, whatever JSON type they come as.
fn lenient_properties<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect(),
        _ => BTreeMap::new(),
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// An image's metadata as the registry sends them in `X-Image-Meta-*`
/// headers (`get_meta`, `register`, `update_image`): every
/// `x-image-meta-property-<key>` is a property named `<key>` with `-` made
/// `_`; name, location, description and property values are decoded.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ImageMeta {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `pithos://<owner uuid>/<container>/<path>` of its file.
    pub location: Option<String>,
    /// e.g. `diskdump`.
    pub disk_format: Option<String>,
    /// e.g. `bare`.
    pub container_format: Option<String>,
    /// The size of its file in bytes.
    pub size: Option<u64>,
    /// The hash of its file.
    pub checksum: Option<String>,
    /// When it was registered.
    pub created_at: Option<String>,
    /// When it last changed.
    pub updated_at: Option<String>,
    /// When it was deleted (empty if it was not).
    pub deleted_at: Option<String>,
    /// `AVAILABLE`, `SAVING`, `ERROR`, `DELETED` or `UNKNOWN`.
    pub status: Option<String>,
    /// Whether every user may use it.
    pub is_public: Option<bool>,
    /// Its owner's uuid.
    pub owner: Option<String>,
    /// Whether it is a snapshot of a volume.
    pub is_snapshot: Option<bool>,
    /// Its description (snapshots have one).
    pub description: Option<String>,
    /// Free-form properties.
    pub properties: BTreeMap<String, String>,
    /// Other `x-image-meta-<key>` headers, by `<key>`.
    pub extra: BTreeMap<String, String>,
}

fn unquote(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

impl ImageMeta {
    /// Reads the `X-Image-Meta-*` headers of a reply; others are ignored.
    pub fn from_headers(headers: &HeaderMap) -> ImageMeta {
        let mut meta = ImageMeta::default();
        for (name, value) in headers {
            let Some(key) = name.as_str().strip_prefix("x-image-meta-") else {
                continue;
            };
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            if let Some(property) = key.strip_prefix("property-") {
                meta.properties
                    .insert(unquote(property).replace('-', "_"), unquote(&value));
                continue;
            }
            let text = Some(value.clone());
            match key {
                "id" => meta.id = value,
                "name" => meta.name = unquote(&value),
                "location" => meta.location = Some(unquote(&value)),
                "description" => meta.description = Some(unquote(&value)),
                "disk-format" => meta.disk_format = text,
                "container-format" => meta.container_format = text,
                "size" => meta.size = value.trim().parse().ok(),
                "checksum" => meta.checksum = text,
                "created-at" => meta.created_at = text,
                "updated-at" => meta.updated_at = text,
                "deleted-at" => meta.deleted_at = text,
                "status" => meta.status = text,
                "is-public" => meta.is_public = parse_bool(&value),
                "owner" => meta.owner = text,
                "is-snapshot" => meta.is_snapshot = parse_bool(&value),
                other => {
                    meta.extra.insert(other.to_string(), value);
                }
            }
        }
        meta
    }
}

/// A user an image is shared with.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct ImageMember {
    /// The user's uuid.
    #[serde(default)]
    pub member_id: String,
    /// Always false in Synnefo.
    #[serde(default)]
    pub can_share: bool,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An image shared with the caller ([`super::ImageClient::list_shared`]).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct SharedImage {
    /// The image's id.
    #[serde(default)]
    pub image_id: String,
    /// Always false in Synnefo.
    #[serde(default)]
    pub can_share: bool,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Filters of [`super::ImageClient::list_public`]; `None` does not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageFilter {
    /// Only images of this name.
    pub name: Option<String>,
    /// Only images of this container format.
    pub container_format: Option<String>,
    /// Only images of this disk format.
    pub disk_format: Option<String>,
    /// Only images in this status.
    pub status: Option<String>,
    /// Only images of at least this size.
    pub size_min: Option<u64>,
    /// Only images of at most this size.
    pub size_max: Option<u64>,
}

impl ImageFilter {
    /// No filter.
    pub fn new() -> Self {
        ImageFilter::default()
    }

    /// Only images of this name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Only images of this container format.
    pub fn container_format(mut self, format: &str) -> Self {
        self.container_format = Some(format.to_string());
        self
    }

    /// Only images of this disk format.
    pub fn disk_format(mut self, format: &str) -> Self {
        self.disk_format = Some(format.to_string());
        self
    }

    /// Only images in this status.
    pub fn status(mut self, status: &str) -> Self {
        self.status = Some(status.to_string());
        self
    }

    /// Only images of at least this size.
    pub fn size_min(mut self, size: u64) -> Self {
        self.size_min = Some(size);
        self
    }

    /// Only images of at most this size.
    pub fn size_max(mut self, size: u64) -> Self {
        self.size_max = Some(size);
        self
    }
}

/// The metadata [`super::ImageClient::register`] may set besides name,
/// location and properties; `None` sends nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegisterParams {
    /// The store (`pithos`, the only one Synnefo has).
    pub store: Option<String>,
    /// `diskdump` (the default), `extdump` or `ntfsdump`.
    pub disk_format: Option<String>,
    /// `bare` (the default), `ovf`, `aki`, `ari` or `ami`.
    pub container_format: Option<String>,
    /// The file's size, checked against the object's.
    pub size: Option<u64>,
    /// The file's hash, checked against the object's.
    pub checksum: Option<String>,
    /// Whether every user may use the image.
    pub is_public: Option<bool>,
    /// The owner (stored by the registry, which shows the object's account).
    pub owner: Option<String>,
}

/// What [`super::ImageClient::update_image`] changes; `None` leaves a
/// field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new disk format.
    pub disk_format: Option<String>,
    /// A new container format.
    pub container_format: Option<String>,
    /// A new status.
    pub status: Option<String>,
    /// Publish or unpublish.
    pub public: Option<bool>,
    /// A new owner.
    pub owner_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use serde_json::json;

    #[test]
    fn headers_become_meta() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-image-meta-id", "i"),
            ("x-image-meta-name", "My%20Image"),
            ("x-image-meta-size", "42"),
            ("x-image-meta-is-public", "True"),
            ("x-image-meta-location", "pithos://u/c/a%20b"),
            ("x-image-meta-property-root-partition", "1"),
            ("x-image-meta-property-description", "Debian%2C%20fine"),
            ("x-image-meta-future", "x"),
            ("content-type", "text/plain"),
        ] {
            h.insert(
                http::HeaderName::from_static(k),
                HeaderValue::from_static(v),
            );
        }
        let meta = ImageMeta::from_headers(&h);
        assert_eq!(meta.name, "My Image");
        assert_eq!(meta.size, Some(42));
        assert_eq!(meta.is_public, Some(true));
        assert_eq!(meta.location.as_deref(), Some("pithos://u/c/a b"));
        assert_eq!(meta.properties["root_partition"], "1");
        assert_eq!(meta.properties["description"], "Debian, fine");
        assert_eq!(meta.extra["future"], "x");
        assert_eq!(
            ImageMeta::from_headers(&HeaderMap::new()),
            ImageMeta::default()
        );
    }

    #[test]
    fn listings_parse_leniently() {
        let image: Image = serde_json::from_value(json!({
            "id": "i", "name": "n", "size": "12", "is_public": "True",
            "properties": {"sortorder": 5, "os": "debian", "none": null},
            "min_ram": 0,
        }))
        .unwrap();
        assert_eq!(image.size, Some(12));
        assert_eq!(image.is_public, Some(true));
        assert_eq!(image.properties["sortorder"], "5");
        assert_eq!(image.properties["none"], "");
        assert_eq!(image.extra["min_ram"], 0);
        let odd: Image =
            serde_json::from_value(json!({"size": -1, "is_public": "maybe", "properties": []}))
                .unwrap();
        assert_eq!((odd.size, odd.is_public), (None, None));
        assert!(odd.properties.is_empty());
    }
}
