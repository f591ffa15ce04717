//! Pithos headers, as a server may send them: decoded (percent-escapes),
//! then read as the client reads them: block size and hash, sharing and
//! permissions, quotas, byte ranges, the public URL.
#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue};
use kamaki::clients::pithos::{parse_ranges, public_url, BlockInfo, Sharing};
use kamaki::clients::storage::decode_headers;
use libfuzzer_sys::fuzz_target;

/// `name: value` lines; those http refuses are skipped, as a client never
/// sees them.
pub fn header_map(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            map.append(name, value);
        }
    }
    map
}

fuzz_target!(|data: &[u8]| {
    let headers = decode_headers(&header_map(data));
    if let Ok(info) = BlockInfo::from_headers(&headers) {
        assert!(info.block_size > 0 && info.block_size <= kamaki::clients::pithos::MAX_BLOCK_SIZE);
    }
    for name in ["x-object-sharing", "x-container-sharing"] {
        if let Some(value) = headers.get(name) {
            if let Ok(sharing) = Sharing::parse(value) {
                let _ = Sharing::parse(&sharing.header_value());
            }
        }
    }
    for name in ["x-account-policy-quota", "x-container-policy-quota"] {
        let _ = headers.get(name).map(|q| q.trim().parse::<u64>());
    }
    let size = headers
        .get("x-object-bytes")
        .or_else(|| headers.get("content-length"))
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(1 << 20);
    for name in ["range", "content-range"] {
        if let Some(spec) = headers.get(name) {
            if let Ok(ranges) = parse_ranges(spec, size) {
                assert!(ranges
                    .iter()
                    .all(|&(start, end)| start < end && end <= size));
            }
        }
    }
    if let Some(public) = headers.get("x-object-public") {
        let _ = public_url("https://cloud.example.org/pithos/object-store/v1", public);
    }
});
