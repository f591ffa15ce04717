//! `file upload -r` and `file download -r` on the library's tree
//! transfers: one bar for the whole tree, a line naming the files in
//! flight, a line per file done, and at the end the files that failed and
//! how to retry them.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use indicatif::ProgressBar;
use kamaki::clients::pithos::{progress_fn, TreeEvent, TreeEventKind, TreeOptions, TreeReport};
use kamaki::clients::ClientError;

use super::transfer::Bars;
use crate::error::{CliError, CliResult};

/// The default number of requests a tree keeps in flight, files and blocks
/// together: enough to hide a distant cloud's round trips behind each
/// other, few enough to hold at most 64 MiB of 4 MiB blocks.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The bars of a tree transfer, wired to a [`TreeOptions`].
pub struct TreeBars {
    total: ProgressBar,
    current: ProgressBar,
}

impl TreeBars {
    /// Bars under `bars`, and `options` reporting to them; `describe`
    /// gives the line printed when a file is done or a folder made.
    pub fn attach(
        bars: &Bars,
        label: &str,
        options: &mut TreeOptions,
        describe: impl Fn(&TreeEvent) -> String + Send + Sync + 'static,
    ) -> TreeBars {
        let total = bars.bytes(label, 0);
        let current = bars.status();
        let in_flight: Arc<Mutex<BTreeSet<String>>> = Arc::default();
        let bar = total.clone();
        options.progress_cb = Some(progress_fn(move |p| {
            bar.set_length(p.total);
            bar.set_position(p.done);
        }));
        let status = current.clone();
        let printer = bars.printer();
        options.event_cb = Some(Arc::new(move |event| {
            let mut names = in_flight.lock().unwrap_or_else(|e| e.into_inner());
            match event.kind {
                TreeEventKind::Started => {
                    names.insert(event.remote.clone());
                }
                TreeEventKind::Done => {
                    names.remove(&event.remote);
                    printer(&describe(event));
                }
                TreeEventKind::Unchanged | TreeEventKind::Failed => {
                    names.remove(&event.remote);
                }
                TreeEventKind::Directory => printer(&describe(event)),
            }
            status.set_message(in_flight_line(&names));
        }));
        TreeBars { total, current }
    }

    /// Clears the bars.
    pub fn finish(&self) {
        self.current.finish_and_clear();
        self.total.finish_and_clear();
    }
}

/// `now: a, b, c (+N)`.
fn in_flight_line(names: &BTreeSet<String>) -> String {
    if names.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
    let more = names.len().saturating_sub(shown.len());
    let mut line = format!("  now: {}", shown.join(", "));
    if more > 0 {
        line.push_str(&format!(" (+{more})"));
    }
    line
}

/// The report of a finished tree, or of one with failures, and the
/// transfer's other errors.
// The library's own error type, as every call returns it.
#[allow(clippy::result_large_err)]
pub fn outcome(result: Result<TreeReport, ClientError>) -> Result<TreeReport, ClientError> {
    match result {
        Err(ClientError::Incomplete(report)) => Ok(*report),
        other => other,
    }
}

/// Prints what was skipped and what failed (with the fix for each), a
/// summary line, and fails if any file did.
pub fn finish(bars: &Bars, report: &TreeReport, verb: &str, force_flag: &str) -> CliResult {
    for (name, why) in &report.skipped {
        bars.line(&format!("Skipped {name}: {why}"));
    }
    for (name, error) in &report.failed {
        let hint = match error {
            ClientError::Exists(_) => format!(" (use {force_flag} to replace it)"),
            _ => String::new(),
        };
        bars.line(&format!("Failed {name}: {error}{hint}"));
    }
    bars.line(&format!(
        "{} files {verb}, {} unchanged, {} failed, {} folders created",
        report.transferred.len(),
        report.unchanged.len(),
        report.failed.len(),
        report.directories.len()
    ));
    if report.failed.is_empty() {
        return Ok(());
    }
    Err(CliError::new(format!(
        "{} of {} files failed (listed above): fix what they name and run the same command again, \
         which moves only what is missing",
        report.failed.len(),
        report.failed.len() + report.transferred.len() + report.unchanged.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_in_flight_are_named_up_to_three() {
        let mut names = BTreeSet::new();
        assert_eq!(in_flight_line(&names), "");
        for n in ["d", "a", "c", "b", "e"] {
            names.insert(n.to_string());
        }
        assert_eq!(in_flight_line(&names), "  now: a, b, c (+2)");
    }

    #[test]
    fn failures_name_the_file_the_error_and_the_fix() {
        let bars = Bars::new(true);
        let report = TreeReport {
            transferred: vec!["a".into()],
            failed: vec![("b".into(), ClientError::Exists("object b".into()))],
            ..TreeReport::default()
        };
        let err = finish(&bars, &report, "uploaded", "-f").unwrap_err();
        assert!(err.to_string().contains("1 of 2 files failed"), "{err}");
        assert!(finish(&bars, &TreeReport::default(), "uploaded", "-f").is_ok());
        let incomplete = outcome(Err(ClientError::Incomplete(Box::new(report)))).unwrap();
        assert_eq!(incomplete.failed.len(), 1);
    }
}
