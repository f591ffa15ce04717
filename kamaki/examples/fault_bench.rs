//! Transfers through faults: uploads a file to a Synnefo emulator on
//! 127.0.0.1 while 10% of the Pithos requests are answered 503 and 5% of
//! the connections are dropped, downloads it back through the same faults
//! and 5% of the replies cut halfway, checks that the sha256 is the same,
//! and prints the retries and the extra bytes the faults cost.
//!
//! ```text
//! cargo run --release -p kamaki --example fault_bench [SIZE] [SEED]
//! ```
//!
//! SIZE (argument or `FAULT_BENCH_SIZE`) is in bytes, or with a K, M or G
//! suffix; 1G by default. The source and downloaded files go to TMPDIR
//! (2 x SIZE of space; `TMPDIR=/dev/shm` keeps them in memory) and are
//! removed at the end. The client retries up to 10 times, waiting 1 to
//! 20 ms.

#[path = "../tests/support/faulty.rs"]
mod faulty;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let size = match args
        .get(1)
        .cloned()
        .or_else(|| std::env::var("FAULT_BENCH_SIZE").ok())
    {
        Some(text) => faulty::parse_size(&text).ok_or_else(|| format!("bad size {text:?}"))?,
        None => 1 << 30,
    };
    let seed = match args.get(2) {
        Some(text) => text.parse().map_err(|_| format!("bad seed {text:?}"))?,
        None => 1,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(bench(size, seed))
}

async fn bench(size: u64, seed: u64) -> Result<(), BoxError> {
    let emu = synnefo_emu::Emulator::start().await?;
    let pithos = faulty::patient_client(&emu, 10).await;
    let dir = tempfile::tempdir()?;
    let (source, target) = (dir.path().join("source"), dir.path().join("target"));
    faulty::write_random_file(&source, size, seed)?;
    println!(
        "{size} bytes, faults seeded with {seed}: upload {:?}, download {:?}",
        faulty::upload_faults(seed),
        faulty::download_faults(seed.wrapping_add(1))
    );
    let run = faulty::run(&emu, &pithos, "fault-bench", &source, &target, seed).await;
    drop(dir);
    let run = run?;
    println!("{}", run.summary());
    if run.source_sha256 != run.downloaded_sha256 {
        return Err("the downloaded file differs from the source".into());
    }
    Ok(())
}
