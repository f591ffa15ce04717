//! The HTTP trace on stderr for -v/-vv/-d (the token stays redacted unless
//! `log_token` is on). The level can change while kamaki runs, so that a
//! line of the interactive shell with `-v` traces that line alone.

use std::sync::OnceLock;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

static LEVEL: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// What -v, -vv and -d show.
fn filter(verbose: u8, debug: bool) -> EnvFilter {
    EnvFilter::new(match (debug, verbose) {
        (true, _) => "debug",
        (false, 0) => "off",
        (false, 1) => "kamaki::clients=debug",
        (false, _) => "kamaki=trace",
    })
}

/// Installs the trace at the level of these options (once per process).
pub fn init(verbose: u8, debug: bool) {
    let (level, handle) = reload::Layer::new(filter(verbose, debug));
    let installed = tracing_subscriber::registry()
        .with(level)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .without_time(),
        )
        .try_init();
    if installed.is_ok() {
        let _ = LEVEL.set(handle);
    }
}

/// Changes the level of the trace installed by [`init`].
pub fn set(verbose: u8, debug: bool) {
    if let Some(handle) = LEVEL.get() {
        let _ = handle.reload(filter(verbose, debug));
    }
}
