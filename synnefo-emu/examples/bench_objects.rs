//! The data dir with many objects: loads N objects (default 1,000,000) into
//! one container of a release `synnefo-emu --data-dir` through the API, and
//! G GiB of distinct blocks (default 4), then prints the emulator's RSS, the
//! time of a listing page of 10,000 objects with `prefix` and `marker`, and
//! how long a restart on that data dir takes to serve.
//!
//! ```text
//! cargo build --release -p synnefo-emu --example bench_objects
//! target/release/examples/bench_objects [--objects N] [--gib G] [--dir DIR]
//!     [--in-memory] [--reuse (measure DIR as a former run left it)]
//!     [--distinct (each object with content of its own)]
//! ```
//!
//! It is a benchmark, not a test: nothing here asserts a time.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

const TOKEN: &str = "bench-token";
const UUID: &str = "be4c0000-0000-4000-8000-000000000001";

struct Args {
    objects: u64,
    gib: u64,
    dir: PathBuf,
    emu: PathBuf,
    /// No data dir: the same load against an emulator in memory.
    in_memory: bool,
    /// Measure the data dir a former run loaded (no load).
    reuse: bool,
    /// Each object with content of its own (by default all hold the same
    /// six bytes, and share one hash and block list).
    distinct: bool,
}

fn args() -> Args {
    let mut args = Args {
        objects: 1_000_000,
        gib: 4,
        dir: PathBuf::from("target/bench-objects"),
        emu: PathBuf::from("target/release/synnefo-emu"),
        in_memory: false,
        reuse: false,
        distinct: false,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        if ["--in-memory", "--reuse", "--distinct"].contains(&flag.as_str()) {
            args.in_memory |= flag == "--in-memory";
            args.reuse |= flag == "--reuse";
            args.distinct |= flag == "--distinct";
            continue;
        }
        let value = given.next().unwrap_or_default();
        match flag.as_str() {
            "--objects" => args.objects = value.parse().unwrap_or(args.objects),
            "--gib" => args.gib = value.parse().unwrap_or(args.gib),
            "--dir" => args.dir = PathBuf::from(value),
            "--emu" => args.emu = PathBuf::from(value),
            other => {
                eprintln!("unknown option {other}");
                std::process::exit(2);
            }
        }
    }
    args
}

/// A running emulator: its process and base URL.
struct Emu {
    child: Child,
    base: String,
}

impl Emu {
    fn start(emu: &Path, dir: Option<&Path>) -> (Emu, Duration) {
        let started = Instant::now();
        let mut command = Command::new(emu);
        command
            .args(["--listen", "127.0.0.1:0", "--user"])
            .arg(format!("bench@example.com:{TOKEN}:{UUID}"));
        if let Some(dir) = dir {
            command.arg("--data-dir").arg(dir);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let stdout = child.stdout.take().expect("piped");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let ready = started.elapsed();
        std::thread::spawn(move || lines.for_each(drop));
        let base = first
            .strip_prefix("AUTHENTICATION_URL=")
            .and_then(|u| u.strip_suffix("/astakos/identity/v2.0"))
            .expect("the emulator prints its URL")
            .to_string();
        (Emu { child, base }, ready)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/pithos/object-store/v1/{UUID}/{path}", self.base)
    }

    /// Resident and peak memory, MiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .unwrap_or(0)
                / 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    fn stop(self) {
        drop(self);
    }
}

impl Drop for Emu {
    /// No emulator outlives the benchmark, even one that panics.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn put(http: &reqwest::Client, url: String, body: Vec<u8>) {
    let length = body.len().to_string();
    let reply = http
        .put(&url)
        .header("X-Auth-Token", TOKEN)
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", length)
        .body(body)
        .send()
        .await;
    match reply {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => panic!("PUT {url}: {}", r.status()),
        Err(e) => panic!("PUT {url}: {e}"),
    }
}

/// The name of object `i`: 100 folders of objects.
fn name(i: u64) -> String {
    format!("d{:02}/o{i:07}", i % 100)
}

/// `len` bytes no other call makes (xorshift from `seed`).
fn distinct(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn load(emu: &Emu, http: &reqwest::Client, args: &Args) {
    put(http, emu.url("c"), Vec::new()).await;
    let started = Instant::now();
    futures_util::stream::iter(0..args.objects)
        .map(|i| {
            let content = if args.distinct {
                format!("bench {i}\n").into_bytes()
            } else {
                b"bench\n".to_vec()
            };
            put(http, emu.url(&format!("c/{}", name(i))), content)
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "loaded {} objects in {seconds:.1} s ({:.0} objects/s)",
        args.objects,
        args.objects as f64 / seconds
    );
    let started = Instant::now();
    for part in 0..args.gib * 4 {
        put(
            http,
            emu.url(&format!("c/blocks-{part}")),
            distinct(part + 1, 256 << 20),
        )
        .await;
    }
    println!(
        "stored {} GiB of distinct blocks in {:.1} s",
        args.gib,
        started.elapsed().as_secs_f64()
    );
}

/// The median time of a listing page of 10,000 with prefix and marker.
async fn listing(emu: &Emu, http: &reqwest::Client) -> (Duration, usize) {
    let url = emu.url("c?format=json&limit=10000&prefix=d42/&marker=d42/o0100042");
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let reply = http
            .get(&url)
            .header("X-Auth-Token", TOKEN)
            .send()
            .await
            .expect("the listing answers");
        let page: serde_json::Value = reply.json().await.expect("a JSON page");
        times.push(started.elapsed());
        count = page.as_array().map_or(0, Vec::len);
    }
    times.sort();
    (times[times.len() / 2], count)
}

#[tokio::main]
async fn main() {
    let args = args();
    synnefo_emu::install_crypto_provider();
    if !args.reuse {
        let _ = std::fs::remove_dir_all(&args.dir);
    }
    let http = reqwest::Client::new();
    let dir = (!args.in_memory).then_some(args.dir.as_path());
    let (emu, _) = Emu::start(&args.emu, dir);
    if !args.reuse {
        load(&emu, &http, &args).await;
    }
    let (rss, peak) = emu.memory();
    println!("emulator memory after loading: RSS {rss} MiB (peak {peak} MiB)");
    let (median, count) = listing(&emu, &http).await;
    println!(
        "listing page of {count} objects (prefix, marker): median {:.1} ms",
        median.as_secs_f64() * 1e3
    );
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let (rss, _) = emu.memory();
    println!("emulator memory after 5 s with no request: RSS {rss} MiB");
    emu.stop();
    if args.in_memory {
        return;
    }

    let (again, ready) = Emu::start(&args.emu, dir);
    println!("restart: serving after {:.2} s", ready.as_secs_f64());
    let (median, count) = listing(&again, &http).await;
    let (rss, peak) = again.memory();
    println!(
        "after the restart: RSS {rss} MiB (peak {peak} MiB); listing page of {count}: median {:.1} ms",
        median.as_secs_f64() * 1e3
    );
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let (rss, _) = again.memory();
    println!("after the restart and 5 s with no request: RSS {rss} MiB");
    again.stop();
}
