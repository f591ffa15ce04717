//! Clients that stall or send too much (issue 14, item 8): headers that
//! stop arriving close the connection after the header timeout, a body that
//! stops arriving is answered 408 and creates nothing, oversize headers are
//! refused, and none of it holds up other clients.

use std::time::Duration;

use synnefo_emu::Emulator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn emulator() -> Emulator {
    Emulator::builder()
        .header_timeout(Duration::from_millis(300))
        .body_idle_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap()
}

/// Everything the server sends until it closes the connection; a server
/// that neither answers nor closes within 10 s fails the test.
async fn until_closed(socket: &mut tokio::net::TcpStream) -> String {
    let mut all = Vec::new();
    let read = socket.read_to_end(&mut all);
    match tokio::time::timeout(Duration::from_secs(10), read).await {
        Ok(_) => String::from_utf8_lossy(&all).into_owned(),
        Err(_) => panic!(
            "the connection was held open: {}",
            String::from_utf8_lossy(&all)
        ),
    }
}

#[tokio::test]
async fn headers_that_stop_arriving_close_the_connection_and_others_go_on() {
    let emu = emulator().await;
    let mut stalled = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    stalled
        .write_all(b"GET /astakos/identity/v2.0 HTTP/1.1\r\nHost: h\r\nX-Par")
        .await
        .unwrap();
    // Meanwhile another client is served.
    let other = reqwest::get(format!("{}/astakos/identity/", emu.url()))
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    let said = until_closed(&mut stalled).await;
    assert!(!said.contains("200 OK"), "{said}");
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_given_up_and_creates_nothing() {
    let emu = emulator().await;
    let (uuid, token) = (emu.user().uuid, emu.token());
    let container = format!(
        "{}/{uuid}/pithos",
        emu.endpoint_url("object-store").unwrap()
    );
    let http = reqwest::Client::new();
    http.put(&container)
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap();

    let mut socket = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    let head = format!(
        "PUT /pithos/object-store/v1/{uuid}/pithos/half HTTP/1.1\r\nHost: h\r\n\
         X-Auth-Token: {token}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&[b'x'; 400]).await.unwrap();
    let said = until_closed(&mut socket).await;
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    assert!(said.contains("stopped arriving"), "{said}");

    let status = http
        .head(format!("{container}/half"))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404, "no object from half a body");
}

#[tokio::test]
async fn oversize_headers_are_refused() {
    let emu = emulator().await;
    let huge = "a".repeat(600 * 1024);
    let reply = reqwest::Client::new()
        .get(format!("{}/astakos/identity/", emu.url()))
        .header("X-Huge", huge)
        .send()
        .await;
    match reply {
        Ok(reply) => assert_eq!(reply.status(), 431),
        // The connection closed before the client finished sending.
        Err(e) => assert!(e.is_request() || e.is_connect() || e.is_body(), "{e:?}"),
    }
    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let mut socket = tokio::net::TcpStream::connect(emu.local_addr())
        .await
        .unwrap();
    socket
        .write_all(format!("GET /astakos/identity/ HTTP/1.1\r\nHost: h\r\n{many}\r\n").as_bytes())
        .await
        .unwrap();
    let said = until_closed(&mut socket).await;
    assert!(said.starts_with("HTTP/1.1 431"), "{said}");
}
