//! Pithos requests refused on their headers are answered without waiting
//! for a body that may never come (issue 14, item 7): the client sends the
//! headers of a `PUT`/`POST` and nothing else, and reads the answer.

use std::time::Duration;

use synnefo_emu::Emulator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `head` (request line and headers, no body) and returns the status
/// line and the body of the reply; a reply that does not come within 10 s
/// fails the test.
async fn headers_only(emu: &Emulator, head: &str) -> (String, String) {
    let mut socket = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            let n = socket.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&reply);
            if let Some((_, body)) = text.split_once("\r\n\r\n") {
                if body.contains('}') || body.ends_with('\n') {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("the reply came while the body was still owed");
    let text = String::from_utf8_lossy(&reply).into_owned();
    let status = text.lines().next().unwrap_or_default().to_string();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn refusals_on_headers_do_not_wait_for_the_body() {
    let emu = Emulator::start().await.unwrap();
    let (uuid, token) = (emu.user().uuid, emu.token());
    let http = reqwest::Client::new();
    let object = format!(
        "{}/{uuid}/pithos/x",
        emu.endpoint_url("object-store").unwrap()
    );
    let container = object.trim_end_matches("/x").to_string();
    http.put(&container)
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap();
    http.put(&object)
        .header("X-Auth-Token", &token)
        .header("Content-Type", "text/plain")
        .body("0123456789")
        .send()
        .await
        .unwrap();

    let path = format!("/pithos/object-store/v1/{uuid}/pithos/x");
    let head = |method: &str, query: &str, extra: &str| {
        format!(
            "{method} {path}{query} HTTP/1.1\r\nHost: h\r\nX-Auth-Token: {token}\r\n{extra}\r\n"
        )
    };
    let cases = [
        (
            head("POST", "?update", "Content-Type: application/octet-stream\r\nContent-Length: 100\r\nContent-Range: bytes 0-9/*\r\n"),
            "400",
            "Content length does not match range length",
        ),
        (
            head("POST", "?update", "Content-Type: application/octet-stream\r\nContent-Length: 5\r\nContent-Range: bytes 50-54/*\r\n"),
            "416",
            "Supplied offset is beyond object limits",
        ),
        (
            head("POST", "?update", "Content-Type: application/octet-stream\r\nContent-Length: 5\r\nContent-Range: bytes 0-4/999\r\n"),
            "416",
            "Supplied range will change provided object limits",
        ),
        (
            head("POST", "?update", "Content-Type: application/octet-stream\r\nContent-Length: 5\r\nContent-Range: junk\r\n"),
            "416",
            "Invalid Content-Range header",
        ),
        (
            head("PUT", "", "Content-Length: 100\r\n"),
            "411",
            "Missing Content-Type header",
        ),
    ];
    for (request, status, message) in cases {
        let (line, body) = headers_only(&emu, &request).await;
        assert!(line.contains(status), "{request}: {line} {body}");
        assert!(body.contains(message), "{request}: {body}");
    }
    // The object is as it was.
    let text = http
        .get(&object)
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "0123456789");
}
