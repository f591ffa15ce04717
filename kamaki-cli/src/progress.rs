//! Progress bars on stderr for transfers and waits; never on stdout, and
//! hidden when stderr is not a terminal or with `-N/--no-progress-bar`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether bars may be drawn at all.
pub fn bars_enabled(no_progress_bar: bool) -> bool {
    !no_progress_bar && std::io::stderr().is_terminal()
}

fn target(enabled: bool) -> ProgressDrawTarget {
    if enabled {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// A bar counting bytes: `message [bar] 12.0 MiB/40.0 MiB 30 MiB/s ETA 1s`.
pub fn bytes_bar(message: &str, total: u64, enabled: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), target(enabled));
    bar.set_style(
        ProgressStyle::with_template("{msg:<25} [{bar:30}] {bytes}/{total_bytes} {rate_eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate_eta",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&rate_and_eta(state.pos(), state.per_sec(), state.eta()));
                },
            )
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}

/// `12.5 MiB/s ETA 3s`, once bytes have moved and a rate is known; nothing
/// before (a bar does not open with "0 B/s ETA 0s").
fn rate_and_eta(done: u64, per_sec: f64, eta: Duration) -> String {
    if done == 0 || !per_sec.is_finite() || per_sec <= 0.0 {
        return String::new();
    }
    format!(
        "{}/s ETA {}",
        indicatif::HumanBytes(per_sec as u64),
        indicatif::HumanDuration(eta)
    )
}

/// A line of text that changes in place (no bar).
pub fn status_line(enabled: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target(enabled));
    bar.set_style(
        ProgressStyle::with_template("{wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bars_count_but_draw_nothing() {
        assert_eq!(rate_and_eta(0, 0.0, Duration::ZERO), "");
        assert_eq!(rate_and_eta(10, 0.0, Duration::ZERO), "");
        assert_eq!(
            rate_and_eta(10, 2048.0, Duration::from_secs(3)),
            "2.00 KiB/s ETA 3 seconds"
        );
        let bar = bytes_bar("upload", 100, false);
        bar.inc(40);
        assert_eq!(bar.position(), 40);
        assert!(bar.is_hidden());
        assert!(!bars_enabled(true));
    }
}
