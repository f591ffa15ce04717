//! Reading Pithos request headers and writing reply headers the way Synnefo
//! does: percent-encoded values and meta names, `X-*-Meta-*` names
//! reformatted (`foo_bar` -> `Foo-Bar`), sharing and public directives,
//! ranges, dates and etags.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use axum::http::header::{HeaderName, HeaderValue};
use axum::http::HeaderMap;

use super::model::Sharing;
use crate::errors::ApiError;

/// The most `X-*-Meta-*` headers one request may carry.
const MAX_META_HEADERS: usize = 90;

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes as Python 2's `urllib.quote(text, safe)`: letters,
/// digits, `_.-` and the `safe` characters stay.
pub fn quote(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let c = byte as char;
        if byte.is_ascii_alphanumeric()
            || b"_.-".contains(&byte)
            || (byte < 0x80 && safe.contains(c))
        {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `foo_bar-BAZ` -> `Foo-Bar-Baz`, as Synnefo formats header names. Only
/// ASCII letters change case: Synnefo capitalizes Python 2 byte strings,
/// so `όνομα` stays `όνομα` (not `Όνομα`).
pub fn format_header_key(key: &str) -> String {
    key.replace('_', "-")
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => std::iter::once(first.to_ascii_uppercase())
                    .chain(chars.map(|c| c.to_ascii_lowercase()))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join("-")
}

/// The request headers, names lower-case and names and values
/// percent-decoded; a header that is not plain ASCII is refused as Synnefo
/// refuses it.
#[derive(Clone, Debug, Default)]
pub struct Headers {
    entries: Vec<(String, String)>,
}

impl Headers {
    /// Reads a request's headers.
    pub fn from_map(map: &HeaderMap) -> Result<Self, ApiError> {
        let mut entries = Vec::with_capacity(map.len());
        for (name, value) in map {
            let raw = value.as_bytes();
            if !raw.is_ascii() {
                return Err(ApiError::bad_request("Bad character in headers."));
            }
            let value = String::from_utf8_lossy(raw).into_owned();
            let name = name.as_str();
            if name.contains('%') || value.contains('%') {
                entries.push((
                    percent_decode(name).to_ascii_lowercase(),
                    percent_decode(&value),
                ));
            } else {
                entries.push((name.to_string(), value));
            }
        }
        Ok(Headers { entries })
    }

    /// A header's value (the first one).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A header's value, if present and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every header whose name starts with `prefix` (and is longer), names
    /// formatted, values without `~`, as Synnefo's `get_header_prefix`.
    pub fn prefixed(&self, prefix: &str) -> BTreeMap<String, String> {
        let prefix = prefix.to_lowercase().replace('_', "-");
        self.entries
            .iter()
            .filter(|(n, _)| {
                let n = n.replace('_', "-");
                n.len() > prefix.len() && n.starts_with(&prefix)
            })
            .map(|(n, v)| (format_header_key(n), v.replace('~', "")))
            .collect()
    }

    /// `X-<Level>-Meta-*` metadata, checked for size as Synnefo checks it.
    pub fn meta(&self, prefix: &str) -> Result<BTreeMap<String, String>, ApiError> {
        let meta = self.prefixed(prefix);
        check_meta(&meta)?;
        Ok(meta)
    }

    /// The `Content-Type`, which must be ASCII.
    pub fn content_type(&self) -> Option<&str> {
        self.get("content-type")
    }

    /// Whether the body is chunked.
    pub fn chunked(&self) -> bool {
        self.get("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    }

    /// The `Content-Length` (411 if missing or invalid).
    pub fn content_length(&self) -> Result<u64, ApiError> {
        self.get("content-length")
            .and_then(int_parameter)
            .ok_or_else(|| {
                ApiError::new(
                    "lengthRequired",
                    411,
                    "Missing or invalid Content-Length header",
                )
            })
    }

    /// The object metadata of a request: `X-Object-Meta-*`, and the
    /// `Content-Encoding`, `Content-Disposition` and `X-Object-Manifest`
    /// that Pithos counts as user-defined metadata.
    pub fn object_meta(&self) -> Result<BTreeMap<String, String>, ApiError> {
        let mut meta = self.meta("x-object-meta-")?;
        for name in [
            "Content-Encoding",
            "Content-Disposition",
            "X-Object-Manifest",
        ] {
            if let Some(v) = self.non_empty(name) {
                meta.insert(name.to_string(), v.to_string());
            }
        }
        Ok(meta)
    }

    /// The `X-Object-Sharing` directives: `None` if absent, empty to remove
    /// all permissions.
    pub fn sharing(&self) -> Result<Option<Sharing>, ApiError> {
        let Some(value) = self.get("x-object-sharing") else {
            return Ok(None);
        };
        parse_sharing(value).map(Some)
    }

    /// The `X-Object-Public` directive: `None` if absent.
    pub fn public(&self) -> Result<Option<bool>, ApiError> {
        let Some(value) = self.get("x-object-public") else {
            return Ok(None);
        };
        match value.replace(' ', "").to_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" | "" => Ok(Some(false)),
            _ => Err(ApiError::bad_request("Bad X-Object-Public header value")),
        }
    }
}

/// Checks metadata against Synnefo's limits.
pub fn check_meta(meta: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if meta.len() > MAX_META_HEADERS {
        return Err(ApiError::bad_request("Too many headers."));
    }
    for (k, v) in meta {
        if k.chars().count() > 128 {
            return Err(ApiError::bad_request("Header name too large."));
        }
        if v.chars().count() > 256 {
            return Err(ApiError::bad_request("Header value too large."));
        }
    }
    Ok(())
}

/// Parses `read=a,b;write=c` (Synnefo's `get_sharing`).
pub fn parse_sharing(value: &str) -> Result<Sharing, ApiError> {
    let value: String = value.chars().filter(|c| *c != '~' && *c != ' ').collect();
    let mut sharing = Sharing::default();
    if value.is_empty() {
        return Ok(sharing);
    }
    let members = |list: &str| -> Result<Vec<String>, ApiError> {
        let mut out: Vec<String> = Vec::new();
        for m in list.split(',').map(str::to_lowercase) {
            if !m.is_empty() && !out.contains(&m) {
                out.push(m);
            }
        }
        if out.iter().any(|m| m == "*") {
            out = vec!["*".to_string()];
        }
        if out.is_empty() {
            return Err(ApiError::bad_request(
                "Bad X-Object-Sharing header value: invalid length",
            ));
        }
        Ok(out)
    };
    for part in value.split(';') {
        if let Some(list) = part.strip_prefix("read=") {
            sharing.read = members(list)?;
        } else if let Some(list) = part.strip_prefix("write=") {
            sharing.write = members(list)?;
        } else {
            return Err(ApiError::bad_request(
                "Bad X-Object-Sharing header value: missing prefix",
            ));
        }
    }
    // Who may write may read: keep such members in the write list only.
    let write = sharing.write.clone();
    sharing.read.retain(|m| m == "*" || !write.contains(m));
    Ok(sharing)
}

/// A non-negative integer parameter (Synnefo's `get_int_parameter`).
pub fn int_parameter(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `Range: bytes=...` as (offset, length) pairs; `None` when the header is
/// absent or to be ignored.
pub fn parse_range(value: Option<&str>, size: u64) -> Option<Vec<(i128, i128)>> {
    let value: String = value?.chars().filter(|c| *c != ' ').collect();
    let spec = value.strip_prefix("bytes=")?;
    let size = i128::from(size);
    let mut ranges = Vec::new();
    for part in spec.split(',') {
        let (from, to) = part.split_once('-')?;
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(from) || !digits(to) || (from.is_empty() && to.is_empty()) {
            return None;
        }
        // Numbers beyond u64 are refused, so none of this overflows.
        let num = |s: &str| s.parse::<u64>().ok().map(i128::from);
        if !from.is_empty() {
            let offset = num(from)?;
            if !to.is_empty() {
                let upto = num(to)?;
                if offset > upto {
                    return None;
                }
                ranges.push((offset, upto - offset + 1));
            } else {
                ranges.push((offset, size - offset));
            }
        } else {
            let length = num(to)?;
            ranges.push((size - length, length));
        }
    }
    Some(ranges)
}

/// A `Content-Range` of an update: (offset, length, total), `None` parts
/// unknown; `Some(None, None, None)` for `bytes */*`; `None` if invalid.
pub type ContentRange = (Option<u64>, Option<u64>, Option<u64>);

/// Parses a `Content-Range` as Synnefo's `get_content_range`.
pub fn parse_content_range(value: &str) -> Option<ContentRange> {
    if value == "bytes */*" {
        return Some((None, None, None));
    }
    let rest = value.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (from, to) = range.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(from) || !(to.is_empty() || digits(to)) || !(total == "*" || digits(total)) {
        return None;
    }
    let offset: u64 = from.parse().ok()?;
    let upto: Option<u64> = if to.is_empty() {
        None
    } else {
        Some(to.parse().ok()?)
    };
    let total: Option<u64> = if total == "*" {
        None
    } else {
        Some(total.parse().ok()?)
    };
    if upto.is_some_and(|u| offset > u)
        || total.is_some_and(|t| offset >= t)
        || matches!((total, upto), (Some(t), Some(u)) if u >= t)
    {
        return None;
    }
    let length = match upto {
        Some(u) => Some(u.checked_sub(offset)?.checked_add(1)?),
        None => None,
    };
    Some((Some(offset), length, total))
}

/// An HTTP date (RFC 1123) of whole seconds since the epoch.
pub fn http_date(timestamp: f64) -> String {
    let secs = if timestamp.is_finite() && timestamp > 0.0 {
        timestamp as u64
    } else {
        0
    };
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Parses an HTTP date (RFC 1123, RFC 850 or asctime) to epoch seconds.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    time.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// ISO 8601 with the UTC offset, microseconds when not zero, as Python's
/// `isoformat` writes listings' `last_modified`.
pub fn isoformat(timestamp: f64) -> String {
    let micros = (timestamp * 1e6).round() as i128;
    let nanos = micros * 1000;
    match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(t) => {
            let base = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            let us = t.microsecond();
            if us == 0 {
                format!("{base}+00:00")
            } else {
                format!("{base}.{us:06}+00:00")
            }
        }
        Err(_) => "1970-01-01T00:00:00+00:00".to_string(),
    }
}

/// A timestamp as the backend's decimal column prints it.
pub fn decimal_timestamp(timestamp: f64) -> String {
    format!("{timestamp:.6}")
}

/// The etags of an `If-Match`/`If-None-Match` value (quoted ones, else the
/// whole value), as Django's `parse_etags`.
pub fn parse_etags(value: &str) -> Vec<String> {
    let mut etags = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                end = Some(i);
                break;
            }
        }
        match end {
            Some(end) => {
                etags.push(after[..end].replace("\\\"", "\"").replace("\\\\", "\\"));
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    if etags.is_empty() {
        etags.push(value.trim().to_string());
    }
    etags
}

/// Reply headers, in order, quoted as Synnefo quotes them.
#[derive(Clone, Debug, Default)]
pub struct ReplyHeaders {
    entries: Vec<(String, String)>,
}

impl ReplyHeaders {
    /// Sets a header (replacing one of the same name).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        if let Some(entry) = self
            .entries
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            entry.1 = value;
        } else {
            self.entries.push((name, value));
        }
    }

    /// Removes a header.
    pub fn remove(&mut self, name: &str) {
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Whether a header is set.
    pub fn contains(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Writes them into a header map: names of Pithos headers are quoted,
    /// and so are the values of `X-Account-*`, `X-Container-*`, `X-Object-*`
    /// and `Content-*` headers.
    pub fn apply(self, map: &mut HeaderMap) {
        for (name, value) in self.entries {
            let lower = name.to_lowercase();
            let quoted = ["x-account-", "x-container-", "x-object-", "content-"]
                .iter()
                .any(|p| lower.starts_with(p));
            let value = if quoted {
                quote(&value, "/=,:@; \"")
            } else {
                value
            };
            let name = quote(&name, "");
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) else {
                continue;
            };
            map.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_never_panic(text in ".{0,80}", size in 0u64..u64::MAX) {
            let _ = parse_range(Some(&text), size);
            let _ = parse_range(Some(&format!("bytes={text}")), size);
            let _ = parse_content_range(&text);
            let _ = parse_content_range(&format!("bytes {text}"));
            let _ = parse_sharing(&text);
            let _ = parse_etags(&text);
            let _ = percent_decode(&text);
            let _ = quote(&text, "/ ");
            let _ = format_header_key(&text);
            let _ = int_parameter(&text);
            let _ = parse_http_date(&text);
            let _ = crate::pithos::listing::MetaFilter::parse(&text);
        }

        #[test]
        fn ranges_within_the_object_are_accepted(a in 0u64..1000, b in 0u64..1000) {
            let (lo, hi) = (a.min(b), a.max(b));
            let got = parse_range(Some(&format!("bytes={lo}-{hi}")), 1000);
            prop_assert_eq!(got, Some(vec![(i128::from(lo), i128::from(hi - lo + 1))]));
        }
    }

    #[test]
    fn header_keys_are_formatted_as_synnefo_does() {
        assert_eq!(
            format_header_key("x-object-meta-foo_bar"),
            "X-Object-Meta-Foo-Bar"
        );
        assert_eq!(format_header_key("X-OBJECT-META-ABC"), "X-Object-Meta-Abc");
        assert_eq!(
            format_header_key("x-object-meta-όνομα-ΚΑΙ-Ab"),
            "X-Object-Meta-όνομα-ΚΑΙ-Ab"
        );
    }

    #[test]
    fn quoting_and_decoding_round_trip() {
        assert_eq!(quote("a b/c~ü", "/ "), "a b/c%7E%C3%BC");
        assert_eq!(percent_decode("a%20b%C3%BC%zz%"), "a bü%zz%");
    }

    #[test]
    fn sharing_is_parsed_and_checked() {
        let s = parse_sharing("read=A, b ;write=b,c").unwrap();
        assert_eq!(s.read, vec!["a"]);
        assert_eq!(s.write, vec!["b", "c"]);
        assert_eq!(parse_sharing("").unwrap(), Sharing::default());
        assert!(parse_sharing("read=").is_err());
        assert!(parse_sharing("owner=x").is_err());
        assert_eq!(parse_sharing("read=x,*").unwrap().read, vec!["*"]);
    }

    #[test]
    fn ranges_follow_get_range() {
        assert_eq!(parse_range(Some("bytes=0-9"), 100), Some(vec![(0, 10)]));
        assert_eq!(parse_range(Some("bytes=90-"), 100), Some(vec![(90, 10)]));
        assert_eq!(parse_range(Some("bytes=-10"), 100), Some(vec![(90, 10)]));
        assert_eq!(
            parse_range(Some("bytes=0-1, 5-6"), 100),
            Some(vec![(0, 2), (5, 2)])
        );
        assert_eq!(parse_range(Some("bytes=5-1"), 100), None);
        assert_eq!(parse_range(Some("bytes=-"), 100), None);
        assert_eq!(parse_range(Some("lines=1-2"), 100), None);
        assert_eq!(parse_range(None, 100), None);
    }

    #[test]
    fn content_ranges_follow_get_content_range() {
        assert_eq!(parse_content_range("bytes */*"), Some((None, None, None)));
        assert_eq!(
            parse_content_range("bytes 10-19/*"),
            Some((Some(10), Some(10), None))
        );
        assert_eq!(
            parse_content_range("bytes 10-/*"),
            Some((Some(10), None, None))
        );
        assert_eq!(parse_content_range("bytes 10-19/15"), None);
        assert_eq!(parse_content_range("bytes 9-1/*"), None);
        assert_eq!(parse_content_range("junk"), None);
    }

    #[test]
    fn dates_and_etags() {
        assert_eq!(http_date(784111777.9), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784111777)
        );
        assert_eq!(
            isoformat(1322813441.565891),
            "2011-12-02T08:10:41.565891+00:00"
        );
        assert_eq!(isoformat(1344560399.0), "2012-08-10T00:59:59+00:00");
        assert_eq!(parse_etags("\"a\", \"b\""), vec!["a", "b"]);
        assert_eq!(parse_etags("abc"), vec!["abc"]);
        assert_eq!(int_parameter("12"), Some(12));
        assert_eq!(int_parameter("-1"), None);
        assert_eq!(int_parameter("1.5"), None);
    }
}
