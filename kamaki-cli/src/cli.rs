//! The command tree, as kamaki has it: `kamaki [options] <group> <command>`.

use clap::{Parser, Subcommand};

use crate::commands::{config_cmd::ConfigCmd, history::HistoryCmd, user::UserCmd};
use crate::global_args::GlobalArgs;

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
