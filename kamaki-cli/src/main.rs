//! `kamaki`: the command line tool of the Synnefo cloud.

mod args;
mod cli;
mod commands;
mod config;
mod context;
mod error;
mod global_args;
mod local_time;
mod logging;
mod output;
mod progress;
mod session;
mod shell;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, EndpointCmd, Group};
use crate::commands::config_cmd::ConfigCmd;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::session::Session;

async fn run(cli: Cli) -> CliResult {
    if let Group::Completion { shell } = cli.group {
        clap_complete::generate(shell, &mut Cli::command(), "kamaki", &mut std::io::stdout());
        return Ok(());
    }
    if let Group::Shell = cli.group {
        return shell::run(cli.global).await;
    }
    let session = Session::new(&cli.global)?;
    // `config set` lines may hold secrets: kamaki never records them.
    if !matches!(cli.group, Group::Config(ConfigCmd::Set { .. })) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        commands::history::record(&session.config, &args);
    }
    let mut ctx = Ctx::new(session, cli.global);
    let outcome = dispatch(&mut ctx, cli.group).await;
    // Hints name the cloud in use when it is known (`cloud.emu.token`).
    outcome.map_err(|error| {
        let requested = ctx.global.cloud.clone();
        match ctx.session.cloud(requested.as_deref()) {
            Ok(cloud) => error
                .naming_cloud(&cloud.name)
                .on_auth_url(&cloud.name, &cloud.url),
            Err(_) => error,
        }
    })
}

/// Runs one parsed command against a session: the one of this process, or
/// the interactive shell's, which runs every line through here.
#[allow(clippy::needless_borrow)] // the arms lend `ctx` on as `run` did
pub(crate) async fn dispatch(mut ctx: &mut Ctx, group: Group) -> CliResult {
    match group {
        Group::User(cmd) => commands::user::run(&mut ctx, cmd).await,
        Group::Config(cmd) => commands::config_cmd::run(&mut ctx, cmd),
        Group::History(cmd) => commands::history::run(&mut ctx, cmd),
        Group::Endpoint(EndpointCmd::List { service_type, name }) => {
            let services = ctx.astakos()?.get_services().await?;
            let services: Vec<_> = services
                .into_iter()
                .filter(|s| service_type.as_ref().is_none_or(|t| &s.service_type == t))
                .filter(|s| name.as_ref().is_none_or(|n| &s.name == n))
                .collect();
            ctx.out.print(&services)
        }
        Group::Quota(cmd) => commands::quota::run(&mut ctx, cmd).await,
        Group::Resource(cmd) => commands::quota::run_resource(&mut ctx, cmd).await,
        Group::Project(cmd) => commands::project::run(&mut ctx, cmd).await,
        Group::Membership(cmd) => commands::membership::run(&mut ctx, cmd).await,
        Group::Service(cmd) => commands::service::run(&mut ctx, cmd).await,
        Group::Commission(cmd) => commands::service::run_commission(&mut ctx, cmd).await,
        Group::Server(cmd) => commands::cyclades::server::run(&mut ctx, cmd).await,
        Group::Flavor(cmd) => commands::cyclades::flavor::run(&mut ctx, cmd).await,
        Group::Keypair(cmd) => commands::cyclades::keypair::run(&mut ctx, cmd).await,
        Group::Network(cmd) => commands::cyclades::network::run(&mut ctx, cmd).await,
        Group::Subnet(cmd) => commands::cyclades::subnet::run(&mut ctx, cmd).await,
        Group::Port(cmd) => commands::cyclades::port::run(&mut ctx, cmd).await,
        Group::Ip(cmd) => commands::cyclades::ip::run(&mut ctx, cmd).await,
        Group::Volume(cmd) => commands::cyclades::volume::run(&mut ctx, cmd).await,
        Group::Snapshot(cmd) => commands::cyclades::snapshot::run(&mut ctx, cmd).await,
        Group::Imagecompute(cmd) => commands::cyclades::imagecompute::run(&mut ctx, cmd).await,
        Group::Container(cmd) => commands::pithos::container::run(&mut ctx, cmd).await,
        Group::File(cmd) => commands::pithos::file::run(&mut ctx, cmd).await,
        Group::Sharer(cmd) => commands::pithos::sharing::sharer(&mut ctx, cmd).await,
        Group::Groups(cmd) => commands::pithos::sharing::group(&mut ctx, cmd).await,
        Group::Image(cmd) => commands::image::run(&mut ctx, cmd).await,
        Group::Scripts(cmd) => commands::pithos::scripts::run(&mut ctx, cmd).await,
        Group::Completion { .. } | Group::Shell => Ok(()),
    }
}

/// A closed stdout (`kamaki server list | head -1`) ends kamaki quietly,
/// as it ends any Unix tool, instead of an error or a panic of `println!`.
fn die_quietly_on_closed_pipes() {
    #[cfg(unix)]
    // SAFETY: this restores the default, process-wide disposition of
    // SIGPIPE (Rust's runtime sets it to ignore); no Rust state is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    die_quietly_on_closed_pipes();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(), // --help, --version
        Err(error)
            if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            error.exit() // `kamaki server`: the group's help, as kamaki
        }
        Err(error) => {
            eprintln!("{}", error::syntax_error_line(&error));
            return ExitCode::from(2);
        }
    };
    logging::init(cli.global.verbose, cli.global.debug);
    let verbose = cli.global.verbose > 0 || cli.global.debug;
    // Ctrl-C ends a command with status 130, as shells expect; a
    // transfer's own handler (polled first) says what became of its data.
    // The interactive shell handles Ctrl-C itself (it goes on).
    let outcome = if matches!(cli.group, Group::Shell) {
        run(cli).await
    } else {
        tokio::select! {
            biased;
            outcome = run(cli) => outcome,
            _ = tokio::signal::ctrl_c() => {
                eprintln!();
                Err(error::CliError::interrupted("Interrupted by user"))
            }
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", render_error(&error, verbose));
            ExitCode::from(error.code)
        }
    }
}

fn render_error(error: &CliError, verbose: bool) -> String {
    error.render(verbose)
}
