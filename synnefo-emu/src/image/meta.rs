//! Image metadata on the wire: `X-Image-Meta-*` request headers to
//! parameters, image records to response headers and JSON, and Pithos
//! locations.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::ImageRecord;
use crate::errors::{ApiError, ApiResult};

/// What Python's `quote` leaves as it is: letters, digits, `_.-` and `/`.
const QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'/');

/// Percent-encodes as Synnefo quotes names and properties.
pub(crate) fn quote(text: &str) -> String {
    utf8_percent_encode(text, QUOTE).to_string()
}

fn unquote(text: &str) -> ApiResult<String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ApiError::bad_request("Could not decode request as UTF-8 string"))
}

/// Lower-cases and turns punctuation into `_`, as Plankton names keys.
fn normalize(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_punctuation() {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// The metadata fields Plankton reads from request headers.
const PLANKTON_FIELDS: &[&str] = &[
    "name",
    "disk_format",
    "container_format",
    "size",
    "checksum",
    "location",
    "created_at",
    "updated_at",
    "deleted_at",
    "status",
    "is_public",
    "owner",
    "properties",
    "id",
    "is_snapshot",
    "description",
    "store",
];

/// Image parameters sent as headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Params {
    /// Known fields (`name`, `disk_format`...), decoded.
    pub fields: BTreeMap<String, String>,
    /// `X-Image-Meta-Property-*`, keys normalized, values decoded.
    pub properties: BTreeMap<String, String>,
}

impl Params {
    /// Reads `X-Image-Meta-*` headers; unknown fields are left out.
    pub fn from_headers(headers: &HeaderMap) -> ApiResult<Params> {
        let mut params = Params::default();
        for (name, value) in headers {
            let name = name.as_str();
            let Some(rest) = name.strip_prefix("x-image-meta-") else {
                continue;
            };
            let value = value
                .to_str()
                .map_err(|_| ApiError::bad_request("Could not decode request as UTF-8 string"))?;
            if let Some(key) = rest.strip_prefix("property-") {
                let key = normalize(&unquote(key)?);
                params.properties.insert(key, unquote(value)?);
                continue;
            }
            let key = normalize(rest);
            if !PLANKTON_FIELDS.contains(&key.as_str()) {
                continue;
            }
            let value = if key == "name" {
                unquote(value)?
            } else {
                value.to_string()
            };
            params.fields.insert(key, value);
        }
        Ok(params)
    }

    /// Whether every field is one of `allowed`.
    pub fn only(&self, allowed: &[&str]) -> bool {
        self.fields.keys().all(|k| allowed.contains(&k.as_str()))
    }

    /// `is_public` as Plankton reads it (`true`, any case, is true).
    pub fn is_public(&self) -> Option<bool> {
        self.fields
            .get("is_public")
            .map(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// `pithos://<account>/<container>/<path>`, each part decoded.
pub(crate) fn split_location(location: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = location.splitn(5, '/').collect();
    if parts.len() != 5 || parts[0] != "pithos:" || !parts[1].is_empty() {
        return None;
    }
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    let (account, container, path) = (decode(parts[2])?, decode(parts[3])?, decode(parts[4])?);
    if account.is_empty() || container.is_empty() || path.is_empty() {
        return None;
    }
    Some((account, container, path))
}

/// The location of an object, quoted as Plankton writes it.
pub(crate) fn make_location(account: &str, container: &str, path: &str) -> String {
    format!(
        "pithos://{}/{}/{}",
        quote(account),
        quote(container),
        quote(path)
    )
}

/// A time as Plankton shows it: `2013-03-29 14:14:34`.
pub(crate) fn plankton_time(iso: &str) -> String {
    match crate::clock::parse_date(iso) {
        Some(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        None => iso.to_string(),
    }
}

/// The status shown in headers: Plankton's map of Pithos object states.
fn header_status(status: &str) -> &'static str {
    match status.to_ascii_uppercase().as_str() {
        "AVAILABLE" => "AVAILABLE",
        "UNAVAILABLE" => "SAVING",
        "ERROR" => "ERROR",
        "DELETED" => "DELETED",
        _ => "UNKNOWN",
    }
}

fn python_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The image as `/images/detail` lists it.
pub(crate) fn detail_json(image: &ImageRecord) -> Value {
    json!({
        "id": image.id,
        "name": image.name,
        "status": image.status,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        "size": image.size,
        "checksum": image.checksum,
        "location": image.location,
        "created_at": plankton_time(&image.created_at),
        "updated_at": plankton_time(&image.updated_at),
        "deleted_at": image.deleted_at.as_deref().map(plankton_time).unwrap_or_default(),
        "is_public": image.is_public,
        "owner": image.owner,
        "properties": image.properties,
        "is_snapshot": false,
    })
}

/// The image as `/images` lists it.
pub(crate) fn list_json(image: &ImageRecord) -> Value {
    json!({
        "id": image.id,
        "name": image.name,
        "status": image.status,
        "disk_format": image.disk_format,
        "container_format": image.container_format,
        "size": image.size,
    })
}

/// The image as response headers (`HEAD /images/<id>`, register, update).
pub(crate) fn headers(image: &ImageRecord) -> HeaderMap {
    let mut map = HeaderMap::new();
    let mut put = |name: String, value: String| {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            map.insert(name, value);
        }
    };
    let deleted = image
        .deleted_at
        .as_deref()
        .map(plankton_time)
        .unwrap_or_default();
    let fields = [
        ("name", quote(&image.name)),
        ("disk-format", image.disk_format.clone()),
        ("container-format", image.container_format.clone()),
        ("size", image.size.to_string()),
        ("checksum", image.checksum.clone()),
        ("location", image.location.clone()),
        ("created-at", plankton_time(&image.created_at)),
        ("updated-at", plankton_time(&image.updated_at)),
        ("deleted-at", deleted),
        ("status", header_status(&image.status).to_string()),
        ("is-public", python_bool(image.is_public).to_string()),
        ("owner", image.owner.clone()),
        ("id", image.id.clone()),
        ("is-snapshot", python_bool(false).to_string()),
        ("description", String::new()),
    ];
    for (key, value) in fields {
        put(format!("x-image-meta-{key}"), value);
    }
    for (key, value) in &image.properties {
        let key = quote(&key.replace('_', "-")).to_ascii_lowercase();
        put(format!("x-image-meta-property-{key}"), quote(value));
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_split_and_join() {
        assert_eq!(
            split_location("pithos://u/images/dir/my%20image.diskdump"),
            Some(("u".into(), "images".into(), "dir/my image.diskdump".into()))
        );
        for bad in [
            "pithos://u/images",
            "http://u/images/x",
            "pithos:/u/images/x",
            "pithos:///images/x",
            "pithos://u/images/",
            "",
        ] {
            assert_eq!(split_location(bad), None, "{bad}");
        }
        assert_eq!(
            make_location("u", "images", "dir/my image~1"),
            "pithos://u/images/dir/my%20image%7E1"
        );
    }

    #[test]
    fn request_headers_become_params() {
        let mut h = HeaderMap::new();
        h.insert("x-image-meta-name", HeaderValue::from_static("My%20Image"));
        h.insert(
            "x-image-meta-disk_format",
            HeaderValue::from_static("diskdump"),
        );
        h.insert("x-image-meta-is-public", HeaderValue::from_static("TRUE"));
        h.insert(
            "x-image-meta-property-os-family",
            HeaderValue::from_static("linux%20x"),
        );
        h.insert("x-image-meta-unknown", HeaderValue::from_static("ignored"));
        h.insert("x-other", HeaderValue::from_static("ignored"));
        let p = Params::from_headers(&h).unwrap();
        assert_eq!(p.fields["name"], "My Image");
        assert_eq!(p.fields["disk_format"], "diskdump");
        assert_eq!(p.is_public(), Some(true));
        assert_eq!(p.properties["os_family"], "linux x");
        assert!(!p.fields.contains_key("unknown"));
        assert!(p.only(&["name", "disk_format", "is_public"]));
        assert!(!p.only(&["name"]));
        h.insert("x-image-meta-property-bad", HeaderValue::from_static("%ff"));
        assert_eq!(Params::from_headers(&h).unwrap_err().code, 400);
    }

    #[test]
    fn times_are_shown_as_plankton_does() {
        assert_eq!(
            plankton_time("2026-01-01T10:11:12+00:00"),
            "2026-01-01 10:11:12"
        );
        assert_eq!(plankton_time("garbage"), "garbage");
    }
}
