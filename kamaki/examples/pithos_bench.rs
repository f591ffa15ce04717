//! Transfer benchmark: uploads, downloads and re-uploads a large file
//! between the library and a Synnefo emulator on 127.0.0.1, and prints each
//! throughput next to this machine's single-core sha256 rate, measured in
//! the same run, with the client's peak memory.
//!
//! ```text
//! cargo run --release -p kamaki --example pithos_bench [SIZE]
//! ```
//!
//! SIZE (argument or `PITHOS_BENCH_SIZE`) is in bytes, or with a K, M or G
//! suffix (powers of 1024); 1G by default. `PITHOS_BENCH_CONCURRENCY` sets
//! the blocks in flight (default: the client's), `PITHOS_BENCH_RUNS` the
//! number of runs (the best of each is shown). The emulator runs in a
//! child process (this program started with `--serve`), so that the peak
//! memory reported (`VmHWM` of /proc/self/status) is the client's alone.
//! MB are 10^6 bytes. The CPU time of the client and of the emulator per
//! GiB is shown too: unlike throughput, it does not depend on what else
//! the machine is running.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kamaki::clients::pithos::{
    progress_fn, ContainerPut, DownloadOptions, HashAlgorithm, PithosClient, Progress,
    UploadOptions,
};
use kamaki::clients::Client;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    // RUST_LOG=kamaki=debug shows every request with its duration.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if args.get(1).map(String::as_str) == Some("--serve") {
        return runtime.block_on(serve());
    }
    let size = match args
        .get(1)
        .cloned()
        .or_else(|| std::env::var("PITHOS_BENCH_SIZE").ok())
    {
        Some(text) => parse_size(&text).ok_or_else(|| format!("bad size {text:?}"))?,
        None => 1 << 30,
    };
    runtime.block_on(bench(size))
}

/// The child: an emulator that lives until its standard input closes.
async fn serve() -> Result<(), BoxError> {
    let emu = synnefo_emu::Emulator::start().await?;
    let user = emu.user();
    let url = emu
        .endpoint_url("object-store")
        .ok_or("no object-store in the catalog")?;
    println!("{url} {} {}", user.token, user.uuid);
    std::io::stdout().flush()?;
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin()
            .read_line(&mut sink)
            .map(|n| n > 0)
            .unwrap_or(false)
        {}
    })
    .await?;
    drop(emu);
    Ok(())
}

async fn bench(size: u64) -> Result<(), BoxError> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no child stdout")?).read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (url, token, uuid) = match (parts.next(), parts.next(), parts.next()) {
        (Some(u), Some(t), Some(a)) => (u.to_string(), t.to_string(), a.to_string()),
        _ => return Err(format!("the emulator did not start: {line:?}").into()),
    };

    let mut builder = Client::builder(&url).token(token.as_str());
    if let Some(n) = std::env::var("PITHOS_BENCH_CONCURRENCY")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        builder = builder.concurrency(n);
    }
    let pithos: PithosClient = builder.build_service()?;
    let pithos = pithos.with_account(uuid).with_container("bench");
    pithos
        .create_container(None, &ContainerPut::default())
        .await?;
    let info = pithos.get_block_info(None).await?;

    println!(
        "pithos_bench: {size} bytes, blocks of {} ({}), {} blocks in flight, {} cores",
        info.block_size,
        info.algorithm,
        pithos.concurrency(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let sha = sha256_rate(info.algorithm, info.block_size as usize);
    println!("single-core {} : {:>9.1} MB/s", info.algorithm, sha);

    let dir = tempfile::tempdir()?;
    let source = dir.path().join("source.bin");
    write_random_file(&source, size, 0)?;
    let target = dir.path().join("downloaded.bin");

    let runs: usize = std::env::var("PITHOS_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let child_pid = child.id().to_string();
    let (mut upload, mut download, mut reupload) =
        (Cost::default(), Cost::default(), Cost::default());
    let best = |best: &mut Cost, new: Cost| {
        if best.wall == 0.0 || new.wall < best.wall {
            *best = new;
        }
    };
    let mut sent_none = true;
    for run in 0..runs {
        // New data for each run, so that every first upload sends every
        // block (the emulator keeps blocks of deleted objects).
        if run > 0 {
            write_random_file(&source, size, run as u64)?;
        }
        let name = format!("big-{run}");
        let started = Cost::start(&child_pid);
        pithos
            .upload_object(&name, source.as_path(), &UploadOptions::default())
            .await?;
        best(&mut upload, Cost::since(started, &child_pid));

        let started = Cost::start(&child_pid);
        let report = pithos
            .download_object(&name, &target, &DownloadOptions::default())
            .await?;
        best(&mut download, Cost::since(started, &child_pid));
        if report.bytes != size || std::fs::metadata(&target)?.len() != size {
            return Err("the download is incomplete".into());
        }

        let first_done = Arc::new(AtomicU64::new(u64::MAX));
        let seen = first_done.clone();
        let started = Cost::start(&child_pid);
        pithos
            .upload_object(
                &format!("{name}-again"),
                source.as_path(),
                &UploadOptions {
                    upload_cb: Some(progress_fn(move |p: Progress| {
                        let _ = seen.compare_exchange(
                            u64::MAX,
                            p.done,
                            Ordering::SeqCst,
                            Ordering::SeqCst,
                        );
                    })),
                    ..UploadOptions::default()
                },
            )
            .await?;
        best(&mut reupload, Cost::since(started, &child_pid));
        sent_none &= first_done.load(Ordering::SeqCst) == size;
        pithos.del_object(&name, None, None).await?;
        pithos
            .del_object(&format!("{name}-again"), None, None)
            .await?;
    }

    let peak = peak_rss_kib();
    let gib = size as f64 / (1u64 << 30) as f64;
    let line = |label: &str, cost: Cost, goal: &str| {
        let mbs = size as f64 / 1e6 / cost.wall.max(1e-9);
        println!(
            "{label:<18}: {mbs:>9.1} MB/s  {:.2}x sha256{goal}   CPU s/GiB: client {:.2}, emulator {:.2}",
            mbs / sha,
            cost.client / gib,
            cost.server / gib,
        );
    };
    line("upload", upload, " (goal >= 0.5x)");
    line("download", download, " (goal >= 0.7x)");
    line("re-upload", reupload, "");
    println!(
        "re-upload blocks  : {}",
        if sent_none {
            "none sent"
        } else {
            "some sent (unexpected)"
        }
    );
    match peak {
        Some(kib) => println!(
            "client peak RSS   : {:>9.1} MiB (goal < 256 MiB)",
            kib as f64 / 1024.0
        ),
        None => println!("client peak RSS   : unknown (no /proc/self/status)"),
    }

    drop(child.stdin.take());
    let _ = child.wait();
    Ok(())
}

/// Parses `123`, `64K`, `256M`, `1G`.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, 'B'),
    };
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return None,
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

fn rate(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
}

/// The single-core rate of Pithos block hashing: 16 MiB of random blocks
/// hashed over and over for about a second.
fn sha256_rate(algorithm: HashAlgorithm, block_size: usize) -> f64 {
    let block_size = block_size.clamp(4096, 64 << 20);
    let mut rng = fastrand::Rng::with_seed(1);
    let mut buf = vec![0u8; 16 << 20];
    rng.fill(&mut buf);
    let started = Instant::now();
    let mut hashed = 0u64;
    while started.elapsed() < Duration::from_secs(1) {
        for block in buf.chunks(block_size) {
            std::hint::black_box(algorithm.block_hash(block));
            hashed += block.len() as u64;
        }
    }
    rate(hashed, started.elapsed())
}

/// Writes `size` random bytes (of `seed`) to `path`, 4 MiB at a time.
fn write_random_file(path: &std::path::Path, size: u64, seed: u64) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut rng = fastrand::Rng::with_seed(2 + seed);
    let mut chunk = vec![0u8; 4 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        rng.fill(&mut chunk[..n]);
        file.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    file.flush()
}

/// CPU seconds (user + system) used so far by process `pid` (`self` for
/// this one), from /proc; 0 where there is no /proc.
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces): utime is the
    // 14th field of the line, stime the 15th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// Wall time and the CPU time of the client and of the emulator.
#[derive(Clone, Copy, Default)]
struct Cost {
    wall: f64,
    client: f64,
    server: f64,
}

impl Cost {
    fn start(child: &str) -> (Instant, f64, f64) {
        (Instant::now(), cpu_seconds("self"), cpu_seconds(child))
    }

    fn since(start: (Instant, f64, f64), child: &str) -> Cost {
        Cost {
            wall: start.0.elapsed().as_secs_f64(),
            client: cpu_seconds("self") - start.1,
            server: cpu_seconds(child) - start.2,
        }
    }
}

/// The peak resident set of this process in KiB (`VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
