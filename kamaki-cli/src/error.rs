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
}

impl CliError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            details: Vec::new(),
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

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
