//! The HTTP trace on stderr for -v/-vv/-d (the token stays redacted unless
//! `log_token` is on). The level can change while kamaki runs, so that a
//! line of the interactive shell with `-v` traces that line alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{reload, EnvFilter, Registry};

static LEVEL: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// Bodies with -v too (the config's `log_data = on`).
static LOG_DATA: AtomicBool = AtomicBool::new(false);

/// What -v, -vv and -d show: -v each request and its status, -vv also the
/// reply headers and the bodies (secrets cut out), -d everything of
/// kamaki's; other libraries' internals only when `KAMAKI_LOG` asks for
/// them (an `EnvFilter` directive, e.g. `hyper_util=debug`).
fn filter(verbose: u8, debug: bool) -> EnvFilter {
    let data = LOG_DATA.load(Ordering::Relaxed);
    let ours = match (debug, verbose, data) {
        (true, _, _) => "kamaki=trace",
        (false, 0, _) => "off",
        (false, 1, false) => "kamaki::clients=debug",
        (false, 1, true) => "kamaki::clients=debug,kamaki::clients::data=trace",
        (false, _, _) => "kamaki=trace",
    };
    let asked = std::env::var("KAMAKI_LOG").unwrap_or_default();
    let directives = if asked.trim().is_empty() || ours == "off" {
        ours.to_string()
    } else {
        format!("{ours},{asked}")
    };
    EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new(ours))
}

/// Shows request and reply bodies with -v too (`log_data = on`).
pub fn set_log_data(on: bool) {
    LOG_DATA.store(on, Ordering::Relaxed);
}

/// Installs the trace at the level of these options (once per process).
pub fn init(verbose: u8, debug: bool) {
    let (level, handle) = reload::Layer::new(filter(verbose, debug));
    let installed = tracing_subscriber::registry()
        .with(level)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(colour_on_stderr())
                .with_target(false)
                .without_time(),
        )
        .try_init();
    if installed.is_ok() {
        let _ = LEVEL.set(handle);
    }
}

/// Colour only on a terminal, and never with `NO_COLOR` set (to anything
/// but nothing, as no-color.org asks): escape codes in a log file are noise.
fn colour_on_stderr() -> bool {
    use std::io::IsTerminal;
    colour_allowed(std::env::var_os("NO_COLOR").as_deref()) && std::io::stderr().is_terminal()
}

fn colour_allowed(no_color: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|v| v.is_empty())
}

/// Changes the level of the trace installed by [`init`].
pub fn set(verbose: u8, debug: bool) {
    if let Some(handle) = LEVEL.get() {
        let _ = handle.reload(filter(verbose, debug));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_set_to_anything_turns_colour_off() {
        assert!(colour_allowed(None));
        assert!(colour_allowed(Some(std::ffi::OsStr::new(""))));
        assert!(!colour_allowed(Some(std::ffi::OsStr::new("1"))));
    }
}
