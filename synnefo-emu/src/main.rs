//! `synnefo-emu`: runs the Synnefo emulator until interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use synnefo_emu::{EmuError, Emulator};

/// A local emulator of the Synnefo cloud APIs (Astakos, Cyclades, Pithos, Image).
#[derive(Debug, Parser)]
#[command(name = "synnefo-emu", version, about)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A user as EMAIL:TOKEN, or EMAIL:TOKEN:UUID to pin the uuid; may repeat, the first is the default user.
    /// Without any, user@example.com gets a fresh token.
    #[arg(long = "user", value_name = "EMAIL:TOKEN[:UUID]")]
    users: Vec<String>,
    /// Make this user (the EMAIL of a --user) a project admin, who approves
    /// project applications; may repeat.
    #[arg(long = "project-admin", value_name = "EMAIL")]
    project_admins: Vec<String>,
    /// A component (service) as NAME:TOKEN, e.g. cyclades:SECRET; its token
    /// authenticates the calls Astakos reserves to services (service
    /// quotas, commissions, service user catalogs). May repeat, the first is
    /// printed as SERVICE_TOKEN. Without any, `cyclades` gets a fresh token.
    #[arg(long = "component", value_name = "NAME:TOKEN")]
    components: Vec<String>,
    /// A trusted, confidential OAuth2 client as ID:SECRET (any redirect URI)
    /// or ID:SECRET:REDIRECT_URL (redirect URIs under that URL); may repeat,
    /// the first is printed as OAUTH2_CLIENT. Without any, `pithos-view`
    /// gets a fresh secret.
    #[arg(long = "oauth2-client", value_name = "ID:SECRET[:REDIRECT_URL]")]
    oauth2_clients: Vec<String>,
    /// How long OAuth2 access tokens live, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    oauth2_token_lifetime: u64,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Host name to put in the catalog's URLs (default: the listen address).
    #[arg(long)]
    public_host: Option<String>,
    /// Share of requests answered with 500/502/503 (0.0-1.0).
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    fault_error_rate: f64,
    /// Share of requests whose connection drops before they are served.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    fault_reset_rate: f64,
    /// Share of replies cut halfway through their body.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    fault_mid_body_reset_rate: f64,
    /// Share of replies that stall halfway for --fault-stall-ms.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    fault_stall_rate: f64,
    /// How long a stalled reply waits.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    fault_stall_ms: u64,
    /// Latency added to every request.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    fault_latency_ms: u64,
    /// Seed of the fault generator (the same seed repeats the same faults).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// How long Cyclades actions (server build, reboot, ...) take, in
    /// milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    action_delay_ms: u64,
    /// How image listings are answered: `wrapped` ({"images": [...]}, as
    /// Synnefo's latest release) or `bare` (a list, as before Synnefo 0.20
    /// and as kamaki 0.16 reads them).
    #[arg(long, value_name = "FORM", default_value = "wrapped", value_parser = ["wrapped", "bare"])]
    image_listing: String,
    /// How long a client may take to send a request's headers before its
    /// connection is closed.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    header_timeout_ms: u64,
    /// How long a Pithos upload's body may pause before the request is
    /// answered 408 and given up.
    #[arg(long, value_name = "MS", default_value_t = 60_000)]
    body_idle_timeout_ms: u64,
    /// Pithos ETags are the MD5 of the content (Synnefo's PITHOS_UPDATE_MD5),
    /// for swift and rclone users' MD5 checks.
    #[arg(long)]
    pithos_update_md5: bool,
    /// Keep the cloud in DIR across restarts and crashes (created if
    /// missing; one emulator at a time): the users (a --user given again is
    /// the same user, with the same uuid), service tokens, OAuth2 clients,
    /// Pithos' objects (metadata in SQLite, blocks as files) and every
    /// service's state. Each request's changes are kept before its reply.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// At start, remove the stored blocks (with --data-dir, their files)
    /// and maps no version of any object refers to: those of deleted
    /// objects' purged versions, or of uploads cut short.
    #[arg(long)]
    remove_unreferenced_blocks: bool,
}

async fn run(args: Args) -> Result<(), EmuError> {
    let mut builder = Emulator::builder()
        .listen(args.listen)
        .action_delay(std::time::Duration::from_millis(args.action_delay_ms))
        .bare_image_listing(args.image_listing == "bare")
        .header_timeout(std::time::Duration::from_millis(args.header_timeout_ms))
        .body_idle_timeout(std::time::Duration::from_millis(args.body_idle_timeout_ms))
        .pithos_update_md5(args.pithos_update_md5)
        // The request log is for tests that run an emulator in their own
        // process; nobody can read this one's.
        .request_log(0);
    if let Some(dir) = &args.data_dir {
        builder = builder.data_dir(dir);
    }
    if args.remove_unreferenced_blocks {
        builder = builder.remove_unreferenced_blocks();
    }
    for spec in &args.users {
        builder = builder.user_spec(spec)?;
    }
    for email in &args.project_admins {
        builder = builder.project_admin(email);
    }
    for spec in &args.components {
        builder = builder.component_spec(spec)?;
    }
    for spec in &args.oauth2_clients {
        builder = builder.oauth2_client_spec(spec)?;
    }
    builder =
        builder.oauth2_token_lifetime(std::time::Duration::from_secs(args.oauth2_token_lifetime));
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let read = |p: &PathBuf| {
            std::fs::read(p).map_err(|e| EmuError::Tls(format!("cannot read {}: {e}", p.display())))
        };
        builder = builder.tls(read(cert)?, read(key)?);
    }
    if let Some(host) = &args.public_host {
        builder = builder.public_host(host);
    }
    let faults = synnefo_emu::FaultConfig {
        seed: args.fault_seed,
        error_rate: args.fault_error_rate,
        reset_rate: args.fault_reset_rate,
        mid_body_reset_rate: args.fault_mid_body_reset_rate,
        stall_rate: args.fault_stall_rate,
        stall: std::time::Duration::from_millis(args.fault_stall_ms),
        latency: std::time::Duration::from_millis(args.fault_latency_ms),
        ..synnefo_emu::FaultConfig::default()
    };
    if faults.is_active() {
        eprintln!("fault injection on: {faults:?}");
        builder = builder.faults(faults);
    }
    let emu = builder.start().await?;
    println!("AUTHENTICATION_URL={}", emu.auth_url());
    println!("TOKEN={}", emu.token());
    println!("SERVICE_TOKEN={}", emu.service_token());
    let client = emu.oauth2_client();
    println!("OAUTH2_CLIENT={}:{}", client.id, client.secret);
    for user in emu.users() {
        eprintln!("user {} uuid {}", user.email, user.uuid);
    }
    for component in emu.components().iter().skip(1) {
        eprintln!("component {} token {}", component.name, component.token);
    }
    eprintln!("OAuth2 at {}", emu.oauth2_url());
    let _ = tokio::signal::ctrl_c().await;
    drop(emu);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synnefo-emu: {e}");
            ExitCode::FAILURE
        }
    }
}
