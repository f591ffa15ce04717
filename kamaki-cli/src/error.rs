//! Errors of the command line: one line that names what went wrong and what
//! to do, details shown with `--verbose`.

use std::fmt;

use kamaki::clients::ClientError;

/// A failed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError {
    /// The one-line message.
    pub message: String,
    /// More lines (server details, hints), shown with `-v`/`-d`.
    pub details: Vec<String>,
    /// The exit status (1, or 130 for an interrupt, as shells expect).
    pub code: u8,
}

/// The exit status of a command interrupted with Ctrl-C (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;

impl CliError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            details: Vec::new(),
            code: 1,
        }
    }

    /// A confirmation answered no: nothing was done, and the exit status
    /// says so (1).
    pub fn aborted() -> Self {
        CliError::new("Aborted")
    }

    /// The user pressed Ctrl-C (exit status 130).
    pub fn interrupted(message: impl Into<String>) -> Self {
        CliError {
            code: INTERRUPTED,
            ..CliError::new(message)
        }
    }

    /// Adds a detail line.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.details.push(detail.into());
        self
    }

    /// The text printed on stderr: the message, and with `verbose` every
    /// detail as `|  <line>` (as kamaki does).
    pub fn render(&self, verbose: bool) -> String {
        let mut out = self.message.replace('\n', " ");
        if verbose {
            for detail in &self.details {
                out.push_str("\n|  ");
                out.push_str(detail);
            }
        }
        out
    }

    /// The same error with the `cloud.<name>.` of its hints made the name
    /// of the cloud in use.
    pub fn naming_cloud(mut self, cloud: &str) -> Self {
        let named = format!("cloud.{cloud}.");
        self.message = self.message.replace("cloud.<name>.", &named);
        for detail in &mut self.details {
            *detail = detail.replace("cloud.<name>.", &named);
        }
        self
    }

    /// A 404 from the authentication URL itself says to check the URL.
    pub fn on_auth_url(self, cloud: &str, url: &str) -> Self {
        let path = url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("");
        let about_it = !path.is_empty()
            && (self.message.contains(path) || self.details.iter().any(|d| d.contains(path)));
        if self.message.starts_with("404")
            && about_it
            && !self.message.contains("kamaki config get cloud.")
        {
            self.hint(&format!(
                "is {url} the cloud's authentication URL? check it: kamaki config get cloud.{cloud}.url"
            ))
        } else {
            self
        }
    }

    /// Appends a hint to the one-line message.
    pub fn hint(mut self, hint: &str) -> Self {
        self.message = format!("{} ({hint})", self.message);
        self
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<ClientError> for CliError {
    fn from(error: ClientError) -> Self {
        let details: Vec<String> = error.details().to_vec();
        let base = CliError {
            code: 1,
            message: error.to_string(),
            details,
        };
        match &error {
            ClientError::Http { status: 401, .. } => {
                base.hint("check the token: kamaki config set cloud.<name>.token TOKEN")
            }
            ClientError::Http { status: 403, .. } => {
                base.hint("the token's user is not allowed to do this")
            }
            ClientError::Http { status: 413, .. } => base.hint("over quota: see kamaki quota list"),
            ClientError::Tls { .. } => {
                let mut e = CliError::new(format!("SSL Authentication failed: {error}"));
                e.message = e.message.replace(
                    "; if the cloud uses a private CA, give its bundle (patch_with_certs / --ca-certs)",
                    "",
                );
                e.hint("give the CA bundle with --ca-certs PATH or kamaki config set ca_certs PATH; -k skips verification (insecure)")
            }
            ClientError::Transport { .. } | ClientError::Timeout { .. } => {
                base.hint("check the cloud URL: kamaki config get cloud.<name>.url")
            }
            _ => base,
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::new(format!("I/O error: {error}"))
    }
}

/// A command line that clap cannot parse, as one line: clap's message, the
/// usage, clap's tip if any, and where the full help is. Help and version
/// requests are not errors and are left to clap.
/// The `'quoted'` words of a text, in order.
fn quoted(text: &str) -> Vec<String> {
    text.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// clap's "some similar subcommands exist: 'a', 'b'" with the suggestions
/// closest to what was typed first (clap lists them the other way round).
fn closest_first(tip: &str, typed: &str) -> String {
    let Some((head, list)) = tip.split_once(": ") else {
        return tip.to_string();
    };
    let mut names = quoted(list);
    if names.len() < 2 || typed.is_empty() {
        return tip.to_string();
    }
    names.sort_by_key(|name| edit_distance(name, typed));
    let listed: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("{head}: {}", listed.join(", "))
}

/// Levenshtein distance (insertions, deletions, substitutions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

pub fn syntax_error_line(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let mut message = String::new();
    let mut usage = None;
    let mut tips = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("error:") {
            message.push_str(rest.trim());
        } else if let Some(rest) = line.strip_prefix("Usage:") {
            usage = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("tip:") {
            tips.push(rest.trim().to_string());
        } else if line.starts_with("For more information") {
            continue;
        } else if usage.is_none() {
            // The indented continuation of the message (missing argument
            // names, possible values).
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(line);
        }
    }
    let mut out = format!("Syntax error: {}", message.trim_end_matches(':'));
    let typed = quoted(&message).into_iter().next().unwrap_or_default();
    for tip in tips {
        out.push_str(&format!("; {}", closest_first(&tip, &typed)));
    }
    if let Some(usage) = usage {
        // The usage line starts with the command path, e.g.
        // `kamaki container create <NEW_CONTAINER>`.
        let command: Vec<&str> = usage
            .split_whitespace()
            .take_while(|w| !w.starts_with(['<', '[', '-']))
            .collect();
        out.push_str(&format!(
            " (usage: {usage}; see {} --help)",
            command.join(" ")
        ));
    }
    out
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use clap::{Arg, Command};

    use super::{closest_first, edit_distance, syntax_error_line};

    #[test]
    fn suggestions_come_closest_first() {
        assert_eq!(edit_distance("serer", "server"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(
            closest_first(
                "some similar subcommands exist: 'user', 'sharer', 'server'",
                "serer"
            ),
            "some similar subcommands exist: 'server', 'sharer', 'user'"
        );
        assert_eq!(closest_first("no list here", "x"), "no list here");
    }

    fn kamaki() -> Command {
        Command::new("kamaki").subcommand(
            Command::new("container")
                .subcommand(Command::new("create").arg(Arg::new("NEW_CONTAINER").required(true))),
        )
    }

    #[test]
    fn a_missing_argument_is_one_line_naming_it_and_the_help() {
        let error = kamaki()
            .try_get_matches_from(["kamaki", "container", "create"])
            .unwrap_err();
        let line = syntax_error_line(&error);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("Syntax error: "), "{line}");
        assert!(line.contains("<NEW_CONTAINER>"), "{line}");
        assert!(
            line.contains("see kamaki container create --help"),
            "{line}"
        );
    }

    #[test]
    fn an_unknown_option_keeps_clap_tip() {
        let error = kamaki()
            .try_get_matches_from(["kamaki", "container", "create", "x", "--nope"])
            .unwrap_err();
        let line = syntax_error_line(&error);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("'--nope'"), "{line}");
    }
}
