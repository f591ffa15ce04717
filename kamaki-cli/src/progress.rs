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
        ProgressStyle::with_template(
            "{msg:<25} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
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

/// A spinner for a wait: `message ⠋ 12s`.
pub fn spinner(message: &str, enabled: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target(enabled));
    bar.set_style(
        ProgressStyle::with_template("{msg} {spinner} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bars_count_but_draw_nothing() {
        let bar = bytes_bar("upload", 100, false);
        bar.inc(40);
        assert_eq!(bar.position(), 40);
        assert!(bar.is_hidden());
        assert!(!bars_enabled(true));
    }
}
