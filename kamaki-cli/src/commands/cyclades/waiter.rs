//! `-w/--wait` and the `wait` commands: poll a server, port or volume
//! while (or until) it is in a status, with a spinner on stderr, then say
//! where it ended up: `Server 42 status: ACTIVE`.

use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kamaki::clients::wait::WaitOptions;
use kamaki::clients::ClientError;

use crate::error::{CliError, CliResult};
use crate::progress::bars_enabled;

/// kamaki's timeout of `-w` and of the `wait` commands, in seconds.
pub const DEFAULT_TIMEOUT: u64 = 60;

/// `-w/--wait` and `-N/--no-progress-bar`.
#[derive(Args, Clone, Debug, Default)]
pub struct WaitArgs {
    /// Wait until the action completes (up to 60 seconds).
    #[arg(short = 'w', long)]
    pub wait: bool,
    /// Do not show the progress bar of the wait.
    #[arg(short = 'N', long = "no-progress-bar")]
    pub no_progress_bar: bool,
}

/// The options of the `wait` commands.
#[derive(Args, Clone, Debug)]
pub struct WaitCmdArgs {
    /// Give up after this many seconds.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT, value_name = "SECONDS")]
    pub timeout: u64,
    /// Wait while in this status (case-insensitive).
    #[arg(long = "while", value_name = "STATUS", conflicts_with_all = ["until", "status"])]
    pub while_: Option<String>,
    /// Wait until this status is reached (case-insensitive).
    #[arg(long, value_name = "STATUS", conflicts_with = "status")]
    pub until: Option<String>,
    /// Deprecated: the same as --while.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Do not show the progress bar.
    #[arg(short = 'N', long = "no-progress-bar")]
    pub no_progress_bar: bool,
}

/// What a wait waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The status to leave.
    While(String),
    /// The status to reach.
    Until(String),
}

impl Goal {
    /// Whether `status` ends the wait.
    pub fn reached(&self, status: &str) -> bool {
        match self {
            Goal::While(s) => !status.eq_ignore_ascii_case(s),
            Goal::Until(s) => status.eq_ignore_ascii_case(s),
        }
    }
}

/// Checks a status given by the user against the kind's statuses
/// (case-insensitively) and returns it in the API's spelling.
pub fn parse_status(given: &str, valid: &[&str]) -> CliResult<String> {
    valid
        .iter()
        .find(|s| s.eq_ignore_ascii_case(given.trim()))
        .map(|s| s.to_string())
        .ok_or_else(|| {
            CliError::new(format!(
                "Invalid status {given}: use one of {}",
                valid.join(", ")
            ))
        })
}

impl WaitCmdArgs {
    /// The goal these options say, `--while <default>` if none, after
    /// checking the status against `valid`. Prints the deprecation warning
    /// of `--status`.
    pub fn goal(&self, default_while: &str, valid: &[&str]) -> CliResult<Goal> {
        if self.status.is_some() {
            eprintln!("WARNING: argument --status will be deprecated in the next version, use --while instead");
        }
        Ok(
            match (&self.until, self.while_.as_ref().or(self.status.as_ref())) {
                (Some(until), _) => Goal::Until(parse_status(until, valid)?),
                (None, Some(w)) => Goal::While(parse_status(w, valid)?),
                (None, None) => Goal::While(default_while.to_string()),
            },
        )
    }
}

/// A wait in progress: its spinner (or, for a server build, its percentage
/// bar) and what to say at the end.
pub struct Waiting {
    kind: &'static str,
    id: String,
    goal: Goal,
    timeout: u64,
    bar: ProgressBar,
    percent: bool,
}

impl Waiting {
    /// Starts showing a wait of the `kind` (`Server`, `Port`, `Volume`)
    /// with this id. Builds show the server's progress as a percentage.
    pub fn new(kind: &'static str, id: &str, goal: Goal, timeout: u64, no_bar: bool) -> Self {
        let enabled = bars_enabled(no_bar);
        let target = if enabled {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let title = match &goal {
            Goal::While(s) => format!("{kind} {id} status still {s}"),
            Goal::Until(s) => format!("{kind} {id} status not yet {s}"),
        };
        let percent = kind == "Server" && goal == Goal::While("BUILD".into());
        let bar = if percent {
            let bar = ProgressBar::with_draw_target(Some(100), target);
            bar.set_style(
                ProgressStyle::with_template("{msg:<25} [{bar:30}] {pos}% {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        } else {
            let bar = ProgressBar::with_draw_target(None, target);
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{{msg:<25}} {{spinner}} {{elapsed}} (timeout {timeout}s)"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        };
        bar.set_message(title);
        if enabled {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Waiting {
            kind,
            id: id.to_string(),
            goal,
            timeout,
            bar,
            percent,
        }
    }

    /// Polling up to the timeout, once a second as kamaki once the action
    /// takes long; before that sooner (after 0.1 s, 0.2 s, ...), so that
    /// quick actions are seen done quickly.
    pub fn options(&self) -> WaitOptions {
        WaitOptions::new(
            Duration::from_millis(100),
            Duration::from_secs(self.timeout),
        )
        .backoff(Duration::from_secs(1))
    }

    /// Shows one poll's result.
    pub fn observe(&self, progress: Option<u32>) {
        if self.percent {
            if let Some(p) = progress {
                self.bar.set_position(u64::from(p.min(100)));
            }
        } else {
            self.bar.tick();
        }
    }

    /// Ends the wait: clears the bar, prints `<Kind> <id> status: <STATUS>`
    /// on stderr, and fails if the goal was not reached in time (kamaki
    /// exits 0 then; a script must be able to tell).
    pub fn finish(self, status: &str) -> CliResult {
        self.bar.finish_and_clear();
        eprintln!("{} {} status: {status}", self.kind, self.id);
        if self.goal.reached(status) {
            return Ok(());
        }
        let wanted = match &self.goal {
            Goal::While(s) => format!("still {s}"),
            Goal::Until(s) => format!("not yet {s}"),
        };
        Err(CliError::new(format!(
            "Operation timed out: {} {} is {wanted} after {}s (wait longer: kamaki {} wait {} --timeout SECONDS)",
            self.kind,
            self.id,
            self.timeout,
            self.kind.to_lowercase(),
            self.id
        )))
    }

    /// Ends a wait that failed: clears the bar.
    pub fn fail(self, error: ClientError) -> CliError {
        self.bar.finish_and_clear();
        error.into()
    }

    /// Ends a wait for something that is gone (404 while polling): clears
    /// the bar and says so.
    pub fn gone(self) -> CliResult {
        self.bar.finish_and_clear();
        eprintln!("{} {} is deleted", self.kind, self.id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_case_insensitive() {
        let valid = ["BUILD", "ACTIVE"];
        assert_eq!(parse_status("active", &valid).unwrap(), "ACTIVE");
        assert!(parse_status("gone", &valid).is_err());
        let args = WaitCmdArgs {
            timeout: 1,
            while_: None,
            until: Some("Active".into()),
            status: None,
            no_progress_bar: true,
        };
        assert_eq!(
            args.goal("BUILD", &valid).unwrap(),
            Goal::Until("ACTIVE".into())
        );
        assert!(Goal::While("BUILD".into()).reached("ACTIVE"));
        assert!(!Goal::Until("ACTIVE".into()).reached("BUILD"));
    }

    #[test]
    fn a_timeout_is_an_error_naming_the_status() {
        let w = Waiting::new("Server", "42", Goal::While("BUILD".into()), 1, true);
        let e = w.finish("BUILD").unwrap_err();
        assert!(e.message.contains("still BUILD"), "{}", e.message);
        let w = Waiting::new("Port", "7", Goal::Until("ACTIVE".into()), 1, true);
        assert!(w.finish("ACTIVE").is_ok());
    }
}
