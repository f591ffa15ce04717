//! kamaki's interactive shell (`kamaki shell`, `kamaki-shell`).
//!
//! It authenticates once, then reads lines: a group name enters its
//! context, a command runs in this process through [`crate::dispatch`]
//! with the session (config, cloud, identity client and its catalog) kept
//! from line to line. Errors print one line, as `kamaki` prints them, and
//! the shell goes on.

mod help;
mod input;
mod line;
mod tree;

use std::io::Write;
use std::rc::Rc;

use clap::error::ErrorKind;
use clap::Parser;

use crate::cli::{Cli, Group};
use crate::commands::config_cmd::ConfigCmd;
use crate::commands::user::UserCmd;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::global_args::GlobalArgs;
use crate::session::Session;

use input::{Input, Read};
use line::Action;
use tree::Tree;

/// Runs the shell with the options it was started with.
pub async fn run(global: GlobalArgs) -> CliResult {
    let mut session = Session::new(&global)?;
    let astakos = session.astakos(global.cloud.as_deref())?;
    let user = astakos.user_info().await.map_err(|e| match e.status() {
        401 => CliError::new(
            "Token was not authenticated (401 Unauthorized): check it, or set a new one with kamaki config set cloud.<name>.token TOKEN",
        ),
        _ => CliError::from(e),
    })?;
    greet(user.name.as_deref().unwrap_or(""), &user.id);
    let tree = Rc::new(Tree::new());
    let mut input = Input::new(tree.clone());
    // Earlier commands (recorded as `kamaki <words>`) on the up arrow.
    for recorded in crate::commands::history::recorded(&session.config) {
        input.remember(recorded.strip_prefix("kamaki ").unwrap_or(&recorded));
    }
    let mut shell = Shell {
        verbose: global.verbose > 0 || global.debug,
        global,
        session: Some(session),
        context: Vec::new(),
        tree,
        interactive: input.interactive(),
    };
    loop {
        let prompt = format!("[{}]: ", shell.title());
        match input.read(&prompt, &shell.context) {
            Read::Eof => {
                if shell.interactive {
                    println!();
                }
                if shell.leave() {
                    break;
                }
            }
            Read::Interrupted => println!(" - interrupted"),
            Read::Line(text) => {
                if !text.trim().is_empty() {
                    input.remember(&text);
                }
                if shell.line(&text).await == Flow::Quit {
                    break;
                }
            }
        }
    }
    Ok(())
}

fn greet(name: &str, uuid: &str) {
    println!("kamaki v{} - Interactive Shell", env!("CARGO_PKG_VERSION"));
    println!();
    for (keys, what) in [
        ("/exit", "terminate kamaki"),
        ("exit or ^D", "exit context"),
        ("? or help", "available commands"),
        ("?command", "help on command"),
        ("!<command>", "execute OS shell command"),
    ] {
        println!("    {keys:<12}{what}");
    }
    println!();
    println!("Session user is {name} (uuid: {uuid})");
}

/// Whether the shell goes on after a line.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

struct Shell {
    /// The options the shell was started with.
    global: GlobalArgs,
    /// Whether errors print their details (`-v`/`-d` at start).
    verbose: bool,
    /// The session every line shares (lent to a command while it runs).
    session: Option<Session>,
    /// The path of the context (`["server"]`), empty at the top.
    context: Vec<String>,
    tree: Rc<Tree>,
    /// Whether a person types (Ctrl-C then stops a command, not the shell).
    interactive: bool,
}

impl Shell {
    /// The name in the prompt.
    fn title(&self) -> String {
        match self.context.is_empty() {
            true => "kamaki".to_string(),
            false => self.context.join(" "),
        }
    }

    /// Leaves the context; true if there was none (the shell ends).
    fn leave(&mut self) -> bool {
        self.context.pop().is_none()
    }

    async fn line(&mut self, text: &str) -> Flow {
        match line::parse(text, &self.context, &self.tree) {
            Action::Nothing => {}
            Action::Leave => {
                if self.leave() {
                    return Flow::Quit;
                }
            }
            Action::Quit => return Flow::Quit,
            Action::Os(command) => os_command(&command),
            Action::Help(path) => print!("{}", help::render(&self.tree, &path, &self.context)),
            Action::Enter(path) => self.context = path,
            Action::Invalid(message) => eprintln!("{message}"),
            Action::Run(words) => self.command(words).await,
        }
        Flow::Continue
    }

    /// Parses and runs one command (its words from the root).
    async fn command(&mut self, words: Vec<String>) {
        let argv = std::iter::once("kamaki".to_string()).chain(words.iter().cloned());
        let cli = match Cli::try_parse_from(argv) {
            Ok(cli) => cli,
            Err(error) => return print_clap_error(&error),
        };
        let global = merge(&self.global, &cli.global);
        let verbose = self.verbose || global.verbose > 0 || global.debug;
        // Options that change the session get one of their own.
        let own_session = !same_session(&self.global, &global);
        let session = match (own_session, self.session.take()) {
            (false, Some(session)) => Ok(session),
            (true, kept) => {
                self.session = kept;
                Session::new(&global)
            }
            (false, None) => Session::new(&global),
        };
        let session = match session {
            Ok(session) => session,
            Err(error) => return eprintln!("{}", error.render(verbose)),
        };
        // As `kamaki` does: every command but `config set` (it may hold
        // a secret) is recorded, tokens replaced by `...`.
        if !matches!(cli.group, Group::Config(ConfigCmd::Set { .. })) {
            crate::commands::history::record(&session.config, &words);
        }
        let changes_config = matches!(
            cli.group,
            Group::Config(ConfigCmd::Set { .. } | ConfigCmd::Delete { .. })
                | Group::User(
                    UserCmd::Add { .. } | UserCmd::Select { .. } | UserCmd::Delete { .. }
                )
        );
        // -v/-d on this line trace this line alone.
        crate::logging::set(global.verbose, global.debug);
        let mut ctx = Ctx::new(session, global);
        let result = match self.interactive {
            true => {
                tokio::select! {
                    result = crate::dispatch(&mut ctx, cli.group) => Some(result),
                    _ = tokio::signal::ctrl_c() => None,
                }
            }
            false => Some(crate::dispatch(&mut ctx, cli.group).await),
        };
        let _ = std::io::stdout().flush();
        crate::logging::set(self.global.verbose, self.global.debug);
        match result {
            Some(Ok(())) => {}
            Some(Err(error)) => eprintln!("{}", error.render(verbose)),
            None => println!(" - interrupted"),
        }
        if !own_session {
            self.session = Some(ctx.session);
            if changes_config {
                // The config file changed: read it again, and forget the
                // clients made with the old one.
                match Session::new(&self.global) {
                    Ok(fresh) => self.session = Some(fresh),
                    Err(error) => eprintln!("{}", error.render(verbose)),
                }
            }
        }
    }
}

/// The options of a line over the ones the shell started with (options
/// added later to `GlobalArgs` come from the line).
fn merge(start: &GlobalArgs, line: &GlobalArgs) -> GlobalArgs {
    let mut merged = line.clone();
    merged.config = line.config.clone().or_else(|| start.config.clone());
    merged.cloud = line.cloud.clone().or_else(|| start.cloud.clone());
    merged.options = start.options.clone();
    merged.options.extend(line.options.iter().cloned());
    merged.debug = start.debug || line.debug;
    merged.verbose = start.verbose.max(line.verbose);
    merged.ignore_ssl = start.ignore_ssl || line.ignore_ssl;
    merged.ca_certs = line.ca_certs.clone().or_else(|| start.ca_certs.clone());
    merged.output_format = line
        .output_format
        .clone()
        .or_else(|| start.output_format.clone());
    merged
}

/// Whether two sets of options make the same session.
fn same_session(a: &GlobalArgs, b: &GlobalArgs) -> bool {
    a.config == b.config
        && a.cloud == b.cloud
        && a.options == b.options
        && a.ignore_ssl == b.ignore_ssl
        && a.ca_certs == b.ca_certs
}

/// clap's verdict on a line: help and version as clap prints them, a
/// mistake as one line (the message and clap's tips).
fn print_clap_error(error: &clap::Error) {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
        }
        _ => eprintln!("{}", crate::error::syntax_error_line(error)),
    }
}

/// Runs an OS command line through the system shell, on the terminal.
fn os_command(command: &str) {
    if command.is_empty() {
        return;
    }
    let _ = std::io::stdout().flush();
    #[cfg(unix)]
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .status();
    #[cfg(not(unix))]
    let status = std::process::Command::new("cmd")
        .arg("/C")
        .arg(command)
        .status();
    if let Err(error) = status {
        eprintln!("cannot run {command:?}: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(words: &[&str]) -> clap::Error {
        match Cli::try_parse_from(std::iter::once("kamaki").chain(words.iter().copied())) {
            Ok(cli) => panic!("parsed: {cli:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn clap_errors_fit_on_one_line() {
        let line = crate::error::syntax_error_line(&parse_error(&["server", "lst"]));
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("'lst'") && line.contains("'list'"), "{line}");
        assert!(line.starts_with("Syntax error: "), "{line}");
        let line = crate::error::syntax_error_line(&parse_error(&["server", "list", "--bogus"]));
        assert!(!line.contains('\n') && line.contains("--bogus"), "{line}");
        let kind = parse_error(&["server", "list", "-h"]).kind();
        assert_eq!(kind, ErrorKind::DisplayHelp);
    }

    #[test]
    fn line_options_add_to_the_starting_ones() {
        let start = GlobalArgs {
            cloud: Some("a".into()),
            options: vec!["x=1".into()],
            ..GlobalArgs::default()
        };
        let json = GlobalArgs {
            output_format: Some("json".into()),
            ..GlobalArgs::default()
        };
        let merged = merge(&start, &json);
        assert_eq!(merged.cloud.as_deref(), Some("a"));
        assert_eq!(merged.output_format.as_deref(), Some("json"));
        assert!(same_session(&start, &merged));
        let other = GlobalArgs {
            cloud: Some("b".into()),
            ..GlobalArgs::default()
        };
        let merged = merge(&start, &other);
        assert_eq!(merged.cloud.as_deref(), Some("b"));
        assert!(!same_session(&start, &merged));
        let more = GlobalArgs {
            options: vec!["y=2".into()],
            ..GlobalArgs::default()
        };
        assert_eq!(merge(&start, &more).options, vec!["x=1", "y=2"]);
    }
}
