//! Error bodies of any status: `ClientError::from_http_reply` never panics,
//! keeps the status, and never shows the token, even when the server echoes
//! it back.
#![no_main]

use kamaki::clients::ClientError;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "s3cr3t-t0ken-9f2c";

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => (500, data),
    };
    let err =
        ClientError::from_http_reply(status, body, "GET https://cloud/x".into(), Some(SECRET));
    assert_eq!(err.status(), status);
    let shown = format!("{err} {err:?} {} {:?}", err.message(), err.details());
    assert!(!shown.contains(SECRET), "the token leaked: {shown}");
});
