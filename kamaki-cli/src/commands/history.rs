//! `kamaki history`: the commands run so far (`~/.kamaki.history`: first
//! line the count of lines dropped, then one command per line).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::config::Config;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `history` commands.
#[derive(Debug, Subcommand)]
pub enum HistoryCmd {
    /// Show the history: all of it, or commands N, N:, :N or N1:N2.
    Show {
        /// Which commands (numbers or slices).
        numbers: Vec<String>,
        /// Only commands holding all of these words.
        #[arg(long = "match", num_args = 1..)]
        terms: Vec<String>,
    },
    /// Forget the history.
    Clean,
}

/// The history file of a configuration.
pub fn history_path(config: &Config) -> PathBuf {
    PathBuf::from(
        config
            .get_global("history_file")
            .unwrap_or_else(|| ".kamaki.history".into()),
    )
}

/// Reads (offset, lines); an old file without the offset line counts from 0.
fn read(path: &Path) -> (usize, Vec<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (0, Vec::new());
    };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    match lines.first().and_then(|l| l.trim().parse::<usize>().ok()) {
        Some(offset) => {
            lines.remove(0);
            (offset, lines)
        }
        None => (0, lines),
    }
}

fn write(path: &Path, offset: usize, lines: &[String]) -> std::io::Result<()> {
    let mut text = format!("{offset}\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(path, text)
}

/// Appends a command line (tokens replaced by `...`), trimming to
/// `history_limit` lines. Failing to record history never fails the command.
pub fn record(config: &Config, args: &[String]) {
    let tokens: Vec<String> = config
        .clouds()
        .values()
        .filter_map(|c| c.get("token"))
        .flat_map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut line = format!("kamaki {}", args.join(" "));
    for token in tokens.iter().filter(|t| !t.is_empty()) {
        line = line.replace(token.as_str(), "...");
    }
    let path = history_path(config);
    let (mut offset, mut lines) = read(&path);
    lines.push(line);
    let limit: usize = config
        .get_global("history_limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    if limit > 0 && lines.len() > limit {
        let drop = lines.len() - limit;
        lines.drain(..drop);
        offset += drop;
    }
    let _ = write(&path, offset, &lines);
}

/// The commands recorded so far, oldest first (the interactive shell
/// offers them to the up arrow).
pub fn recorded(config: &Config) -> Vec<String> {
    read(&history_path(config)).1
}

/// Parses `N`, `N:`, `:N` or `N1:N2` into an inclusive range of numbers.
fn parse_slice(spec: &str, last: usize) -> CliResult<(usize, usize)> {
    let number = |s: &str| {
        s.trim().parse::<usize>().map_err(|_| {
            CliError::new(format!(
                "invalid history selection {spec:?}: use N, N:, :N or N1:N2"
            ))
        })
    };
    match spec.split_once(':') {
        None => {
            let n = number(spec)?;
            Ok((n, n))
        }
        Some((from, to)) => {
            let from = if from.is_empty() { 1 } else { number(from)? };
            let to = if to.is_empty() { last } else { number(to)? };
            Ok((from, to))
        }
    }
}

/// Runs a `history` command.
pub fn run(ctx: &mut Ctx, cmd: HistoryCmd) -> CliResult {
    let path = history_path(&ctx.session.config);
    match cmd {
        HistoryCmd::Show { numbers, terms } => {
            let (offset, lines) = read(&path);
            let last = offset + lines.len();
            let slices = numbers
                .iter()
                .map(|n| parse_slice(n, last))
                .collect::<CliResult<Vec<_>>>()?;
            for (i, line) in lines.iter().enumerate() {
                let number = offset + i + 1;
                let selected =
                    slices.is_empty() || slices.iter().any(|(a, b)| (*a..=*b).contains(&number));
                let matches = terms.iter().all(|t| line.contains(t.as_str()));
                if selected && matches {
                    println!("{number}.  {line}");
                }
            }
        }
        HistoryCmd::Clean => {
            write(&path, 0, &[]).map_err(|e| {
                CliError::new(format!("cannot clean history file {}: {e}", path.display()))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices() {
        assert_eq!(parse_slice("3", 10).unwrap(), (3, 3));
        assert_eq!(parse_slice("3:", 10).unwrap(), (3, 10));
        assert_eq!(parse_slice(":4", 10).unwrap(), (1, 4));
        assert_eq!(parse_slice("2:5", 10).unwrap(), (2, 5));
        assert!(parse_slice("x", 10).is_err());
    }
}
