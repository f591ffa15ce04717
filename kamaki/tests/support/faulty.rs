//! A Pithos upload and download through injected faults, measured from the
//! emulator's request log. Shared by the test `fault_transfers` (small, for
//! CI) and the example `fault_bench` (1 GiB by default).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use kamaki::clients::pithos::{ContainerPut, DownloadOptions, PithosClient, UploadOptions};
use kamaki::clients::{Client, RetryPolicy};
use sha2::{Digest, Sha256};
use synnefo_emu::{Emulator, FaultConfig, Injected, LoggedRequest};

/// The faults of the upload: 10% of the Pithos requests answered 503, 5%
/// of the connections dropped before the request is served.
pub fn upload_faults(seed: u64) -> FaultConfig {
    FaultConfig {
        seed,
        error_rate: 0.10,
        error_statuses: vec![503],
        reset_rate: 0.05,
        path_contains: Some("/pithos/object-store".into()),
        ..FaultConfig::default()
    }
}

/// The faults of the download: those of the upload, and 5% of the replies
/// cut halfway through their body.
pub fn download_faults(seed: u64) -> FaultConfig {
    FaultConfig {
        mid_body_reset_rate: 0.05,
        ..upload_faults(seed)
    }
}

/// What one direction of the transfer cost.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    /// Requests the emulator received.
    pub requests: usize,
    /// Faults injected: each is a failed attempt the client retried.
    pub retries: usize,
    /// Of which 503 answers.
    pub errors: usize,
    /// Of which connections dropped before the reply.
    pub resets: usize,
    /// Of which replies cut halfway.
    pub mid_body_resets: usize,
    /// Block requests that succeeded (one per block).
    pub blocks: usize,
    /// Bytes of block data sent or received in attempts that failed: for an
    /// upload the bodies of the faulted block `POST`s (what the client put
    /// on the wire again), for a download the halves of the blocks whose
    /// reply was cut.
    pub extra_bytes: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl Measured {
    fn from_log(log: &[LoggedRequest], elapsed: Duration, upload: bool) -> Measured {
        let mut m = Measured {
            requests: log.len(),
            elapsed,
            ..Measured::default()
        };
        for request in log {
            let is_block = if upload {
                is_block_post(request)
            } else {
                request.method == "GET" && request.header("range").is_some()
            };
            match request.injected {
                None => m.blocks += usize::from(is_block),
                Some(fault) => {
                    m.retries += 1;
                    match fault {
                        Injected::Status(_) => m.errors += 1,
                        Injected::ResetBefore => m.resets += 1,
                        Injected::ResetMidBody => m.mid_body_resets += 1,
                        Injected::Stall(_) => {}
                    }
                    if is_block && upload {
                        m.extra_bytes += content_length(request);
                    }
                    if is_block && !upload && fault == Injected::ResetMidBody {
                        m.extra_bytes += range_len(request) / 2;
                    }
                }
            }
        }
        m
    }
}

/// The whole run.
#[derive(Clone, Debug)]
pub struct FaultRun {
    /// The bytes moved each way.
    pub size: u64,
    /// The upload.
    pub upload: Measured,
    /// The download.
    pub download: Measured,
    /// sha256 of the source file.
    pub source_sha256: String,
    /// sha256 of the downloaded file.
    pub downloaded_sha256: String,
}

impl FaultRun {
    /// The figures, one direction a line.
    pub fn summary(&self) -> String {
        let line = |what: &str, m: &Measured| {
            format!(
                "{what}: {} requests, {} retries ({} x 503, {} resets before the reply, {} cut mid-body), \
                 {} blocks, {} extra bytes ({:.2}% of {}), {:.2} s",
                m.requests,
                m.retries,
                m.errors,
                m.resets,
                m.mid_body_resets,
                m.blocks,
                m.extra_bytes,
                100.0 * m.extra_bytes as f64 / self.size.max(1) as f64,
                self.size,
                m.elapsed.as_secs_f64()
            )
        };
        format!(
            "{}\n{}\nsha256 {} source, {} downloaded: {}",
            line("upload", &self.upload),
            line("download", &self.download),
            self.source_sha256,
            self.downloaded_sha256,
            if self.source_sha256 == self.downloaded_sha256 {
                "identical"
            } else {
                "DIFFERENT"
            }
        )
    }
}

/// A client of the default user of `emu`, in container `pithos` (created),
/// that retries up to `max_retries` times with short waits.
pub async fn patient_client(emu: &Emulator, max_retries: u32) -> PithosClient {
    let user = emu.user();
    let url = emu
        .endpoint_url("object-store")
        .expect("the catalog lists Pithos");
    let pithos = Client::builder(&url)
        .token(user.token.as_str())
        .retry(RetryPolicy {
            max_retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(20),
        })
        .build_service::<PithosClient>()
        .expect("a valid endpoint")
        .with_account(user.uuid.as_str())
        .with_container("pithos");
    pithos
        .create_container(None, &ContainerPut::default())
        .await
        .expect("the container is created");
    pithos
}

/// Writes `size` pseudo-random bytes to `path`; returns their sha256.
pub fn write_random_file(path: &Path, size: u64, seed: u64) -> std::io::Result<String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        rng.fill(&mut chunk[..n]);
        hasher.update(&chunk[..n]);
        file.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    file.flush()?;
    Ok(hex::encode(hasher.finalize()))
}

/// The sha256 of a file, read in pieces.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        hasher.update(&chunk[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Uploads `source` as `obj` through the upload faults, then downloads it
/// to `target` through the download faults, and measures both.
pub async fn run(
    emu: &Emulator,
    pithos: &PithosClient,
    obj: &str,
    source: &Path,
    target: &Path,
    seed: u64,
) -> Result<FaultRun, Box<dyn std::error::Error + Send + Sync>> {
    let size = std::fs::metadata(source)?.len();
    let source_sha256 = sha256_file(source)?;

    emu.clear_requests();
    emu.set_faults(Some(upload_faults(seed)));
    let started = Instant::now();
    let uploaded = pithos
        .upload_object(obj, source, &UploadOptions::default())
        .await;
    let elapsed = started.elapsed();
    emu.set_faults(None);
    uploaded?;
    let upload = Measured::from_log(&emu.requests(), elapsed, true);

    emu.clear_requests();
    emu.set_faults(Some(download_faults(seed.wrapping_add(1))));
    let started = Instant::now();
    let downloaded = pithos
        .download_object(obj, target, &DownloadOptions::default())
        .await;
    let elapsed = started.elapsed();
    emu.set_faults(None);
    downloaded?;
    let download = Measured::from_log(&emu.requests(), elapsed, false);

    Ok(FaultRun {
        size,
        upload,
        download,
        source_sha256,
        downloaded_sha256: sha256_file(target)?,
    })
}

/// Whether a request is a block upload (container `POST ?update`).
fn is_block_post(request: &LoggedRequest) -> bool {
    request.method == "POST"
        && request
            .query
            .as_deref()
            .is_some_and(|q| q.split('&').any(|p| p == "update"))
        && request.path.matches('/').count() == 5 // /pithos/object-store/v1/<acc>/<cont>
}

fn content_length(request: &LoggedRequest) -> u64 {
    request
        .header("content-length")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The length of a `Range: bytes=a-b` request.
fn range_len(request: &LoggedRequest) -> u64 {
    request
        .header("range")
        .and_then(|r| r.trim().strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .map_or(0, |(a, b)| b.saturating_sub(a) + 1)
}

/// A size in bytes, or with a K, M or G suffix (powers of 1024).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&text[..i], 1 << 20),
        (i, 'G' | 'g') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    number.trim().parse::<u64>().ok()?.checked_mul(unit)
}
