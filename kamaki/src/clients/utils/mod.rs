//! Small helpers shared by every client: URL paths, query strings, TLS.

pub mod https;

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters escaped in a URL path (`/` stays, it separates segments).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// Characters escaped in query keys and values (`/` and `:` stay, as kamaki
/// sends them, e.g. `SNF:is_public` or `path=a/b`).
const QUERY: &AsciiSet = &PATH.add(b'&').add(b'=').add(b'+').add(b';');

/// Joins URL path parts as kamaki's `path4url` does: parts are joined with
/// `/`, repeated slashes collapse, empty parts vanish, and the result starts
/// with exactly one `/` and has none at the end.
///
/// ```
/// use kamaki::clients::utils::path4url;
/// assert_eq!(path4url(&["servers", "", "42"]), "/servers/42");
/// assert_eq!(path4url(&["/a//b/", "c/"]), "/a/b/c");
/// assert_eq!(path4url(&[]), "/");
/// ```
pub fn path4url(parts: &[&str]) -> String {
    let mut path = String::from("/");
    for segment in parts.iter().flat_map(|part| part.split('/')) {
        if segment.is_empty() {
            continue;
        }
        if path.len() > 1 {
            path.push('/');
        }
        path.push_str(segment);
    }
    path
}

/// Percent-encodes a URL path, keeping its `/` separators.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Percent-encodes a query key or value.
pub fn encode_query_part(part: &str) -> String {
    utf8_percent_encode(part, QUERY).to_string()
}

/// Builds a query string from `(key, value)` pairs; a `None` value gives a
/// bare key (`?update`), as Synnefo expects for flags.
pub fn query_string(pairs: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_query_part(key));
        if let Some(value) = value {
            out.push('=');
            out.push_str(&encode_query_part(value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(encode_path("/dir/a b#c?d%"), "/dir/a%20b%23c%3Fd%25");
        assert_eq!(encode_path("/ελ"), "/%CE%B5%CE%BB");
    }

    #[test]
    fn query_flags_and_values() {
        let q = vec![
            ("update".to_string(), None),
            ("SNF:is_public".to_string(), Some("True".to_string())),
            ("path".to_string(), Some("a b/c&d=e".to_string())),
        ];
        assert_eq!(
            query_string(&q),
            "update&SNF:is_public=True&path=a%20b/c%26d%3De"
        );
        assert_eq!(query_string(&[]), "");
    }

    #[test]
    fn path4url_edge_cases() {
        assert_eq!(path4url(&["", ""]), "/");
        assert_eq!(path4url(&["acc", "cont", "dir/obj/"]), "/acc/cont/dir/obj");
    }
}
