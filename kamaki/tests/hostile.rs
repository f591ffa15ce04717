//! A hostile server: lengths and counts it declares never size the client's
//! memory before the bytes are there (measured with a counting allocator),
//! and listings that never end are stopped.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kamaki::clients::pithos::{ContainerGet, DownloadOptions, PithosClient};
use kamaki::clients::{Client, ClientError, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Counts the largest single allocation made on a thread while it watches.
struct Watching;

thread_local! {
    static WATCH: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = WATCH.try_with(|watch| {
        if watch.get() {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
        }
    });
}

unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

/// The largest allocation `work` makes on this thread (the tests run the
/// client, and the stub, on a current-thread runtime).
async fn largest_allocation<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    LARGEST.with(|l| l.set(0));
    WATCH.with(|w| w.set(true));
    let out = work.await;
    WATCH.with(|w| w.set(false));
    (out, LARGEST.with(Cell::get))
}

/// A server answering each request (given its request line) with the raw
/// bytes `answer` makes, then closing the connection. Returns its base URL
/// and a count of the requests it got.
async fn stub(
    answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let (answer, counted) = (Arc::new(answer), hits.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (answer, counted) = (answer.clone(), counted.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match socket.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&head);
                let line = text.lines().next().unwrap_or_default().to_string();
                let _ = socket.write_all(&answer(&line)).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, hits)
}

fn reply(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn pithos(url: &str) -> PithosClient {
    Client::builder(&format!("{url}/v1"))
        .token("t")
        .retry(RetryPolicy::never())
        .read_timeout(Duration::from_secs(5))
        .build_service::<PithosClient>()
        .unwrap()
        .with_account("a")
        .with_container("c")
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[tokio::test(flavor = "current_thread")]
async fn a_declared_length_is_not_allocated_before_its_bytes_come() {
    // 60 MB promised (under the 64 MiB a reply may have), 10 bytes sent.
    let (url, _) = stub(|_| {
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 60000000\r\n\r\n0123456789"
            .to_vec()
    })
    .await;
    let client = pithos(&url);
    let (result, largest) = largest_allocation(client.get("a/c/o").send()).await;
    let err = result.unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert!(largest < 16 << 20, "{largest} bytes allocated at once");
}

#[tokio::test(flavor = "current_thread")]
async fn a_hashmap_is_checked_before_anything_is_sized_from_it() {
    let hashmap = |bytes: u64, block_size: u64, blocks: usize| {
        let hashes = vec![EMPTY_SHA256; blocks];
        serde_json::json!({
            "bytes": bytes, "block_size": block_size, "block_hash": "sha256", "hashes": hashes,
        })
        .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("o");
    for (bytes, block_size, blocks) in [
        // An exabyte in one block: the counts disagree.
        (1u64 << 60, 4u64 << 20, 1usize),
        // Blocks larger than a transfer may hold.
        (4 << 30, 4 << 30, 1),
        (1 << 20, 0, 1),
    ] {
        let body = hashmap(bytes, block_size, blocks);
        let (url, _) =
            stub(move |_| reply("200 OK", "Content-Type: application/json\r\n", &body)).await;
        let (result, largest) = largest_allocation(pithos(&url).download_object(
            "o",
            &target,
            &DownloadOptions::default(),
        ))
        .await;
        let err = result.unwrap_err();
        assert!(matches!(err, ClientError::Integrity(_)), "{err:?}");
        assert!(largest < 16 << 20, "{largest} bytes allocated at once");
        assert!(!dir.path().join("o.kamaki-partial").exists());
    }

    // 16 GiB of blocks of zeros, consistent: nothing to fetch, so nothing
    // would stop a download to memory from filling it but its limit.
    let body = hashmap(16 << 30, 4 << 20, 4096);
    let (url, hits) =
        stub(move |_| reply("200 OK", "Content-Type: application/json\r\n", &body)).await;
    let (result, largest) =
        largest_allocation(pithos(&url).download_to_string("o", &DownloadOptions::default())).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, ClientError::InvalidRequest(m) if m.contains("memory_limit")),
        "{err:?}"
    );
    assert!(largest < 16 << 20, "{largest} bytes allocated at once");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "only the hashmap was asked for"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_block_reply_longer_than_the_block_is_refused_unread() {
    let hashmap = serde_json::json!({
        "bytes": 100, "block_size": 4 << 20, "block_hash": "sha256",
        "hashes": ["0".repeat(64)],
    })
    .to_string();
    let (url, _) = stub(move |line| {
        if line.contains("hashmap") {
            reply("200 OK", "Content-Type: application/json\r\nETag: \"e\"\r\n", &hashmap)
        } else {
            b"HTTP/1.1 206 Partial Content\r\nConnection: close\r\nContent-Length: 60000000\r\n\r\nxx"
                .to_vec()
        }
    })
    .await;
    let (result, largest) =
        largest_allocation(pithos(&url).download_to_string("o", &DownloadOptions::default())).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, ClientError::InvalidResponse { message, .. } if message.contains("larger than")),
        "{err:?}"
    );
    assert!(largest < 16 << 20, "{largest} bytes allocated at once");
}

#[tokio::test(flavor = "current_thread")]
async fn a_listing_that_never_moves_on_is_stopped() {
    let page = r#"[{"name": "a", "bytes": 1}, {"name": "b", "bytes": 2}]"#;
    let (url, hits) =
        stub(move |_| reply("200 OK", "Content-Type: application/json\r\n", page)).await;
    let err = pithos(&url)
        .list_all_objects(&ContainerGet {
            limit: Some(2),
            ..ContainerGet::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::InvalidResponse { message, .. } if message.contains("\"b\"")),
        "{err:?}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "the same page twice, then no more"
    );
}
