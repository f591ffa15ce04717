//! Decoding `application/x-www-form-urlencoded` bodies and query strings,
//! as Astakos' feedback and OAuth2 endpoints receive them.

use std::collections::BTreeMap;

/// Parses an `application/x-www-form-urlencoded` body (or a query string).
pub fn form_pairs(body: &[u8]) -> Option<BTreeMap<String, String>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut out = BTreeMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.insert(form_decode(key)?, form_decode(value)?);
    }
    Some(out)
}

fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode() {
        let form = form_pairs(b"feedback_msg=hello+there%21&feedback_data=").unwrap();
        assert_eq!(form["feedback_msg"], "hello there!");
        assert_eq!(form["feedback_data"], "");
        assert!(form_pairs(b"a=%zz").is_none());
        assert!(form_pairs(b"a=%4").is_none());
        assert!(form_pairs(&[0xff]).is_none());
    }
}
