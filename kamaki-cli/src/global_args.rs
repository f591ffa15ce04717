//! The options every command takes, anywhere on the line (`-c`, `--cloud`,
//! `-o`, `-v`, `-d`, `-k`, `--ca-certs`, `--output-format`): the lowest
//! layer of the CLI, read by the session and the context.

use std::path::PathBuf;

use clap::Args;

/// The heading of the options every command takes, shown after the
/// command's own in `--help` (as kamaki's help does).
const GLOBAL: &str = "Global options";

/// Options every command takes (anywhere on the line).
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Use this config file instead of $KAMAKI_CONFIG or ~/.kamakirc.
    #[arg(short = 'c', long, global = true, help_heading = GLOBAL, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The cloud to use (a `[cloud "NAME"]` of the config file).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "NAME")]
    pub cloud: Option<String>,
    /// Override a config option for this run: SECTION.KEY=VAL (not saved).
    #[arg(
        short = 'o',
        long = "options",
        global = true, help_heading = GLOBAL,
        value_name = "SECTION.KEY=VAL"
    )]
    pub options: Vec<String>,
    /// Print debug information (HTTP exchanges with the token redacted).
    #[arg(short = 'd', long, global = true, help_heading = GLOBAL)]
    pub debug: bool,
    /// Print the HTTP requests and replies (-vv: with more detail).
    #[arg(short = 'v', long, global = true, help_heading = GLOBAL, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Do not verify HTTPS certificates (insecure).
    #[arg(
        short = 'k',
        long = "ignore-ssl",
        visible_alias = "insecure",
        global = true, help_heading = GLOBAL
    )]
    pub ignore_ssl: bool,
    /// The CA bundle to verify HTTPS certificates with.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "PATH")]
    pub ca_certs: Option<PathBuf>,
    /// Print results as JSON (the only other format).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "json", value_parser = ["json"])]
    pub output_format: Option<String>,
}
