//! The command tree, as kamaki has it: `kamaki [options] <group> <command>`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::{config_cmd::ConfigCmd, history::HistoryCmd, user::UserCmd};

/// `kamaki --version`: this release, and whose command tree it follows.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (the command tree and ~/.kamakirc of kamaki 0.16)"
);

/// kamaki: the command line client of the Synnefo cloud (Astakos, Cyclades,
/// Pithos, Image).
#[derive(Debug, Parser)]
#[command(name = "kamaki", version = VERSION, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// Options of every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command group.
    #[command(subcommand)]
    pub group: Group,
}

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

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Group {
    /// Astakos user: authenticate, info, uuid and name lookups.
    #[command(subcommand)]
    User(UserCmd),
    /// kamaki's configuration file.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// The history of kamaki commands.
    #[command(subcommand)]
    History(HistoryCmd),
    /// The service catalog: the services and their endpoints.
    #[command(subcommand)]
    Endpoint(EndpointCmd),
    /// Quotas of the user, by project and resource.
    #[command(subcommand)]
    Quota(crate::commands::quota::QuotaCmd),
    /// The resources of the cloud.
    #[command(subcommand)]
    Resource(crate::commands::quota::ResourceCmd),
    /// Projects: applications, life cycle, joining.
    #[command(subcommand)]
    Project(crate::commands::project::ProjectCmd),
    /// Project memberships.
    #[command(subcommand)]
    Membership(crate::commands::membership::MembershipCmd),
    /// Astakos calls reserved to services (with a service's token).
    #[command(subcommand)]
    Service(crate::commands::service::ServiceCmd),
    /// Quota commissions of services (with a service's token).
    #[command(subcommand)]
    Commission(crate::commands::service::CommissionCmd),
    /// Cyclades virtual servers.
    #[command(subcommand)]
    Server(crate::commands::cyclades::server::ServerCmd),
    /// Cyclades hardware flavors.
    #[command(subcommand)]
    Flavor(crate::commands::cyclades::flavor::FlavorCmd),
    /// Cyclades ssh key pairs.
    #[command(subcommand)]
    Keypair(crate::commands::cyclades::keypair::KeypairCmd),
    /// Cyclades networks.
    #[command(subcommand)]
    Network(crate::commands::cyclades::network::NetworkCmd),
    /// Cyclades subnets.
    #[command(subcommand)]
    Subnet(crate::commands::cyclades::subnet::SubnetCmd),
    /// Cyclades ports (server connections to networks).
    #[command(subcommand)]
    Port(crate::commands::cyclades::port::PortCmd),
    /// Cyclades floating IPs.
    #[command(subcommand)]
    Ip(crate::commands::cyclades::ip::IpCmd),
    /// Cyclades block storage volumes.
    #[command(subcommand)]
    Volume(crate::commands::cyclades::volume::VolumeCmd),
    /// Cyclades volume snapshots.
    #[command(subcommand)]
    Snapshot(crate::commands::cyclades::snapshot::SnapshotCmd),
    /// Images as Cyclades compute shows them.
    #[command(subcommand)]
    Imagecompute(crate::commands::cyclades::imagecompute::ImagecomputeCmd),
    /// Pithos containers.
    #[command(subcommand)]
    Container(crate::commands::pithos::container::ContainerCmd),
    /// Pithos objects (files and directories): list, upload, download, share...
    #[command(subcommand)]
    File(crate::commands::pithos::file::FileCmd),
    /// Pithos accounts that share objects with you.
    #[command(subcommand)]
    Sharer(crate::commands::pithos::sharing::SharerCmd),
    /// Pithos user groups (for permissions).
    #[command(subcommand, name = "group")]
    Groups(crate::commands::pithos::sharing::GroupCmd),
    /// Useful scripts: verifyfs checks and fixes the directory objects of a container.
    #[command(subcommand)]
    Scripts(crate::commands::pithos::scripts::ScriptsCmd),
    /// Images of the Image registry (Plankton).
    #[command(subcommand)]
    Image(crate::commands::image::ImageCmd),
    /// Print a shell completion script: kamaki completion bash|zsh|fish.
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// kamaki's interactive shell (also installed as kamaki-shell).
    #[command(version)]
    Shell,
}

/// `endpoint` commands.
#[derive(Debug, Subcommand)]
pub enum EndpointCmd {
    /// List the service catalog.
    List {
        /// Only services of this type.
        #[arg(long = "type")]
        service_type: Option<String>,
        /// Only services with this exact name.
        #[arg(long)]
        name: Option<String>,
    },
}
