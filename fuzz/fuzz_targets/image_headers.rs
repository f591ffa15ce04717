//! The Image registry: `X-Image-Meta-*` headers (HEAD of an image) and the
//! JSON of images, members and shared images.
#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue};
use kamaki::clients::image::{Image, ImageMember, ImageMeta, SharedImage};
use libfuzzer_sys::fuzz_target;

fn header_map(data: &[u8]) -> HeaderMap {
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
    let meta = ImageMeta::from_headers(&header_map(data));
    let _ = format!("{meta:?}");
    let _ = serde_json::from_slice::<Image>(data);
    let _ = serde_json::from_slice::<Vec<Image>>(data);
    let _ = serde_json::from_slice::<Vec<ImageMember>>(data);
    let _ = serde_json::from_slice::<Vec<SharedImage>>(data);
});
