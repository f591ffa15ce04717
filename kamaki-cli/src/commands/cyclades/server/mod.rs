//! `kamaki server`: virtual servers (Cyclades compute).

use std::path::PathBuf;
use std::str::FromStr;

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::cyclades::{ConsoleType, CycladesComputeClient};
use kamaki::clients::ClientError;

use super::waiter::{WaitArgs, WaitCmdArgs};
use crate::commands::common::{not_found, IdFilter, NameFilter};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

mod create;
mod info;
mod list;
mod modify;
mod power;
mod tags;
mod volumes;

use create::create;
use info::{console, info};
use list::list;
use modify::{modify, reassign};
use power::{delete, power, reboot, rescue, unrescue, wait};
use tags::{tag_exists, tag_status, tags};
use volumes::{attach, attachment, attachments, detach};

/// The statuses `server wait` knows.
pub const SERVER_STATES: &[&str] = &["BUILD", "ACTIVE", "STOPPED", "REBOOT", "ERROR"];

const LIST_HINT: &str = "kamaki server list";

/// `server` commands.
#[derive(Debug, Subcommand)]
pub enum ServerCmd {
    /// List virtual servers accessible by the user (filters are applied
    /// client-side).
    List(ListArgs),
    /// Detailed information on a virtual server.
    Info {
        /// The server id.
        server_id: String,
        /// Show only the network interfaces of the server.
        #[arg(long, conflicts_with_all = ["stats", "diagnostics"])]
        nics: bool,
        /// Show the URLs of the server's statistics.
        #[arg(long, conflicts_with = "diagnostics")]
        stats: bool,
        /// Show the server's diagnostic messages.
        #[arg(long)]
        diagnostics: bool,
    },
    /// Create a server (aka Virtual Machine).
    Create(Box<CreateArgs>),
    /// Modify attributes of a virtual server.
    Modify(ModifyArgs),
    /// Assign a virtual server to a different project.
    Reassign {
        /// The server id.
        server_id: String,
        /// The project to assign it to.
        #[arg(long = "project-id", required = true)]
        project_id: String,
    },
    /// Delete a virtual server (or, with --cluster, every server whose name
    /// starts with a prefix).
    Delete {
        /// The server id, or the cluster prefix with --cluster.
        server_id_or_cluster_prefix: String,
        /// (DANGEROUS) Delete all servers whose names start with the prefix.
        #[arg(long)]
        cluster: bool,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Reboot a virtual server.
    Reboot {
        /// The server id.
        server_id: String,
        /// SOFT (default) or HARD.
        #[arg(long = "type", value_name = "SOFT|HARD")]
        reboot_type: Option<String>,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Start a stopped virtual server.
    Start {
        /// The server id.
        server_id: String,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Shut down an active virtual server.
    Shutdown {
        /// The server id.
        server_id: String,
        /// Waiting.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Rescue a virtual server (boot it from a rescue image).
    Rescue {
        /// The server id.
        server_id: String,
        /// The rescue image to use (default: the cloud's).
        #[arg(long = "rescue-image-ref", value_name = "ID")]
        rescue_image_ref: Option<String>,
    },
    /// Take a virtual server out of rescue mode.
    Unrescue {
        /// The server id.
        server_id: String,
    },
    /// Create a VNC console and show how to connect to it.
    Console {
        /// The server id.
        server_id: String,
        /// vnc (default), vnc-ws (aka no-vnc), vnc-wss (aka no-vnc-encrypted).
        #[arg(long = "type", value_name = "TYPE")]
        console_type: Option<String>,
    },
    /// Wait for a server to change its status (default: --while BUILD).
    Wait {
        /// The server id.
        server_id: String,
        /// What to wait for.
        #[command(flatten)]
        args: WaitCmdArgs,
    },
    /// Details on the attachment of a volume (not the volume itself: see
    /// kamaki volume info).
    Attachment {
        /// The server id.
        server_id: String,
        /// The volume attachment.
        #[arg(long = "attachment-id", required = true)]
        attachment_id: String,
    },
    /// List the volume attachments of a server.
    Attachments {
        /// The server id.
        server_id: String,
    },
    /// Attach a volume to a server.
    Attach {
        /// The server id.
        server_id: String,
        /// The volume to attach.
        #[arg(long = "volume-id", required = true)]
        volume_id: String,
    },
    /// Detach a volume from a server.
    #[command(group(ArgGroup::new("which").required(true).args(["attachment_id", "volume_id"])))]
    Detach {
        /// The server id.
        server_id: String,
        /// The volume attachment to delete.
        #[arg(long = "attachment-id")]
        attachment_id: Option<String>,
        /// The volume to detach.
        #[arg(long = "volume-id")]
        volume_id: Option<String>,
    },
    /// List the tags of a server with their statuses.
    Tags {
        /// The server id.
        server_id: String,
    },
    /// Whether a server has a tag (prints True or False).
    Tagexists {
        /// The server id.
        server_id: String,
        /// The tag.
        #[arg(short = 't', long = "tag", required = true)]
        tag: String,
    },
    /// The status of a server's tag.
    Tagstatus {
        /// The server id.
        server_id: String,
        /// The tag.
        #[arg(short = 't', long = "tag", required = true)]
        tag: String,
    },
}

/// `server list` options.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Show every field.
    #[arg(short = 'l', long)]
    details: bool,
    /// Only servers modified since this date ("H:M:S YYYY-mm-dd", ISO 8601...).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// List at most this many servers.
    #[arg(short = 'n', long = "number", value_name = "N")]
    number: Option<usize>,
    /// Show the results through a pager.
    #[arg(long)]
    more: bool,
    /// Number the results.
    #[arg(long)]
    enumerate: bool,
    /// Only servers of this flavor.
    #[arg(long = "flavor-id")]
    flavor_id: Option<String>,
    /// Only servers of this image.
    #[arg(long = "image-id")]
    image_id: Option<String>,
    /// Only servers of this user (uuid).
    #[arg(long = "user-id")]
    user_id: Option<String>,
    /// Only servers of this user (name).
    #[arg(long = "user-name")]
    user_name: Option<String>,
    /// Only servers in this status (ACTIVE, STOPPED, REBOOT, ERROR...).
    #[arg(long)]
    status: Option<String>,
    /// Only servers with this metadata KEY=VALUE (repeatable).
    #[arg(long = "metadata", value_name = "KEY=VALUE")]
    metadata: Vec<String>,
    /// Only servers whose metadata KEY contains VALUE (repeatable).
    #[arg(long = "metadata-like", value_name = "KEY=VALUE")]
    metadata_like: Vec<String>,
    #[command(flatten)]
    names: NameFilter,
    #[command(flatten)]
    ids: IdFilter,
}

/// `server create` options.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The name of the new server (the prefix of the names with --cluster-size).
    #[arg(long)]
    name: String,
    /// The flavor id.
    #[arg(long = "flavor-id")]
    flavor_id: u64,
    /// The image id.
    #[arg(long = "image-id")]
    image_id: String,
    /// An ssh key pair to inject (repeatable).
    #[arg(long = "key-name")]
    key_name: Vec<String>,
    /// A file of data for the server (cloud-init...).
    #[arg(short = 'u', long = "user-data", value_name = "FILE")]
    user_data: Option<PathBuf>,
    /// A file to inject: PATH[,SERVER_PATH[,OWNER[,GROUP[,MODE]]]], terms
    /// also as local-path=, server-path=, owner=, group=, mode= (octal)
    /// (repeatable).
    #[arg(short = 'p', long, value_name = "PATH,...")]
    personality: Vec<String>,
    /// Create this many servers, named <name>1 ... <name>N.
    #[arg(long = "cluster-size", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    cluster_size: Option<u32>,
    /// How many servers of a cluster to create at once (default 1).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Connect to a network: [id=]NETWORK_ID[,[ip=]IP] (repeatable).
    #[arg(
        long = "network",
        value_name = "NETWORK",
        conflicts_with = "no_network"
    )]
    network: Vec<String>,
    /// Create no network connection at all (else the cloud's default
    /// policy applies).
    #[arg(long = "no-network")]
    no_network: bool,
    /// The project to charge the server to.
    #[arg(long = "project-id")]
    project_id: Option<String>,
    /// Metadata KEY=VALUE, over the image's (repeatable).
    #[arg(short = 'm', long = "metadata", value_name = "KEY=VALUE")]
    metadata: Vec<String>,
    /// Waiting for the build.
    #[command(flatten)]
    wait: WaitArgs,
}

/// `server modify` options (at least one change).
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("change").required(true).multiple(true)))]
pub struct ModifyArgs {
    /// The server id.
    server_id: String,
    /// A new name.
    #[arg(long, group = "change")]
    name: Option<String>,
    /// Resize: another flavor (the server must be STOPPED).
    #[arg(long = "flavor-id", group = "change")]
    flavor_id: Option<u64>,
    /// The firewall profile of the public connections: ENABLED, DISABLED
    /// or PROTECTED.
    #[arg(long, group = "change", value_name = "PROFILE")]
    firewall: Option<String>,
    /// The connection to set the firewall of (* for all).
    #[arg(long = "port-id", requires = "firewall")]
    port_id: Option<String>,
    /// Set metadata KEY=VALUE (repeatable).
    #[arg(long = "metadata-set", group = "change", value_name = "KEY=VALUE")]
    metadata_set: Vec<String>,
    /// Delete metadata by key (repeatable).
    #[arg(long = "metadata-del", group = "change", value_name = "KEY")]
    metadata_del: Vec<String>,
    /// Add a tag.
    #[arg(long = "tag-add", group = "change")]
    tag_add: Option<String>,
    /// Delete a tag.
    #[arg(long = "tag-del", group = "change")]
    tag_del: Option<String>,
    /// Delete all tags.
    #[arg(long = "tags-del", group = "change")]
    tags_del: bool,
    /// Replace all tags with these (repeatable).
    #[arg(long = "tag-replace", group = "change", value_name = "TAG")]
    tag_replace: Vec<String>,
}

/// Checks a server id as kamaki does: a positive integer.
fn check_id(server_id: &str) -> CliResult {
    if crate::commands::common::is_positive_integer(server_id) {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "Invalid server id {server_id}: a server id is a positive integer (see {LIST_HINT})"
        )))
    }
}

fn no_server(server_id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    not_found("server", server_id, LIST_HINT)
}

/// A 404 (or Cyclades' 400) about something of a server: the server
/// itself, if it is gone, else `what`.
async fn missing_on(
    compute: &CycladesComputeClient,
    server_id: &str,
    error: ClientError,
    what: String,
    hint: String,
) -> CliError {
    let status = error.status();
    if !matches!(status, 400 | 404) {
        return error.into();
    }
    if let Err(e) = compute.get_server_details(server_id).await {
        return no_server(server_id)(e);
    }
    CliError::new(format!("{what} ({status}): see {hint}")).detail(error.to_string())
}

/// Runs a `server` command.
pub async fn run(ctx: &mut Ctx, cmd: ServerCmd) -> CliResult {
    if let Some(id) = server_id_of(&cmd) {
        check_id(id)?;
    }
    match cmd {
        ServerCmd::List(args) => list(ctx, args).await,
        ServerCmd::Info {
            server_id,
            nics,
            stats,
            diagnostics,
        } => info(ctx, server_id, nics, stats, diagnostics).await,
        ServerCmd::Create(args) => create(ctx, *args).await,
        ServerCmd::Modify(args) => modify(ctx, args).await,
        ServerCmd::Reassign {
            server_id,
            project_id,
        } => reassign(ctx, server_id, project_id).await,
        ServerCmd::Delete {
            server_id_or_cluster_prefix,
            cluster,
            wait,
        } => delete(ctx, &server_id_or_cluster_prefix, cluster, &wait).await,
        ServerCmd::Reboot {
            server_id,
            reboot_type,
            wait,
        } => reboot(ctx, server_id, reboot_type, wait).await,
        ServerCmd::Start { server_id, wait } => power(ctx, &server_id, true, &wait).await,
        ServerCmd::Shutdown { server_id, wait } => power(ctx, &server_id, false, &wait).await,
        ServerCmd::Rescue {
            server_id,
            rescue_image_ref,
        } => rescue(ctx, server_id, rescue_image_ref).await,
        ServerCmd::Unrescue { server_id } => unrescue(ctx, server_id).await,
        ServerCmd::Console {
            server_id,
            console_type,
        } => console(ctx, server_id, console_type).await,
        ServerCmd::Wait { server_id, args } => wait(ctx, server_id, args).await,
        ServerCmd::Attachment {
            server_id,
            attachment_id,
        } => attachment(ctx, server_id, attachment_id).await,
        ServerCmd::Attachments { server_id } => attachments(ctx, server_id).await,
        ServerCmd::Attach {
            server_id,
            volume_id,
        } => attach(ctx, server_id, volume_id).await,
        ServerCmd::Detach {
            server_id,
            attachment_id,
            volume_id,
        } => detach(ctx, server_id, attachment_id, volume_id).await,
        ServerCmd::Tags { server_id } => tags(ctx, server_id).await,
        ServerCmd::Tagexists { server_id, tag } => tag_exists(ctx, server_id, tag).await,
        ServerCmd::Tagstatus { server_id, tag } => tag_status(ctx, server_id, tag).await,
    }
}

/// The server id a command names, to check before anything is sent.
fn server_id_of(cmd: &ServerCmd) -> Option<&str> {
    match cmd {
        ServerCmd::Info { server_id, .. }
        | ServerCmd::Reassign { server_id, .. }
        | ServerCmd::Reboot { server_id, .. }
        | ServerCmd::Start { server_id, .. }
        | ServerCmd::Shutdown { server_id, .. }
        | ServerCmd::Rescue { server_id, .. }
        | ServerCmd::Unrescue { server_id }
        | ServerCmd::Console { server_id, .. }
        | ServerCmd::Wait { server_id, .. }
        | ServerCmd::Attachment { server_id, .. }
        | ServerCmd::Attachments { server_id }
        | ServerCmd::Attach { server_id, .. }
        | ServerCmd::Detach { server_id, .. }
        | ServerCmd::Tags { server_id }
        | ServerCmd::Tagexists { server_id, .. }
        | ServerCmd::Tagstatus { server_id, .. } => Some(server_id),
        ServerCmd::Modify(args) => Some(&args.server_id),
        ServerCmd::Delete {
            server_id_or_cluster_prefix,
            cluster: false,
            ..
        } => Some(server_id_or_cluster_prefix),
        ServerCmd::List(_) | ServerCmd::Create(_) | ServerCmd::Delete { .. } => None,
    }
}

fn parse_console_type(given: Option<&str>) -> CliResult<ConsoleType> {
    let given = given.unwrap_or("vnc").to_lowercase();
    let word = match given.as_str() {
        "no-vnc" => "vnc-ws",
        "no-vnc-encrypted" => "vnc-wss",
        other => other,
    };
    ConsoleType::from_str(word).map_err(|_| {
        CliError::new(format!(
            "Invalid console type {given}: use vnc, vnc-ws (aka no-vnc) or vnc-wss (aka no-vnc-encrypted)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::create::{parse_network, parse_personality};
    use super::*;

    #[test]
    fn network_arguments() {
        let n = parse_network("3141").unwrap();
        assert_eq!((n.uuid.as_deref(), n.fixed_ip), (Some("3141"), None));
        let n = parse_network("id=1,ip=10.0.0.2").unwrap();
        assert_eq!(n.fixed_ip.as_deref(), Some("10.0.0.2"));
        let n = parse_network("ip=10.0.0.2,7").unwrap();
        assert_eq!(
            (n.uuid.as_deref(), n.fixed_ip.as_deref()),
            (Some("7"), Some("10.0.0.2"))
        );
        let n = parse_network("7,10.0.0.3").unwrap();
        assert_eq!(n.fixed_ip.as_deref(), Some("10.0.0.3"));
        assert!(parse_network("ip=1.2.3.4").is_err());
        assert!(parse_network("id=1,id=2").is_err());
    }

    #[test]
    fn personality_terms() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        std::fs::write(&file, "ssh-rsa AAA").unwrap();
        let local = file.display().to_string();
        let p = parse_personality(&format!(
            "{local},/root/.ssh/authorized_keys,root,mode=0600"
        ))
        .unwrap();
        assert_eq!(p.path, "/root/.ssh/authorized_keys");
        assert_eq!(p.owner.as_deref(), Some("root"));
        assert_eq!(p.group, None);
        assert_eq!(p.mode, Some(0o600));
        assert_eq!(p.contents, "c3NoLXJzYSBBQUE=");
        let p = parse_personality(&format!("owner=me,local-path={local}")).unwrap();
        assert_eq!(p.path, local);
        assert_eq!(p.owner.as_deref(), Some("me"));
        assert!(parse_personality(&format!("{local},a,b,c,d,e")).is_err());
        assert!(parse_personality(&format!("{local},x,y,z,999")).is_err());
        assert!(parse_personality("/no/such/file").is_err());
    }

    #[test]
    fn console_types_and_ids() {
        assert_eq!(parse_console_type(None).unwrap(), ConsoleType::Vnc);
        assert_eq!(
            parse_console_type(Some("No-VNC")).unwrap(),
            ConsoleType::VncWs
        );
        assert_eq!(
            parse_console_type(Some("no-vnc-encrypted")).unwrap(),
            ConsoleType::VncWss
        );
        assert!(parse_console_type(Some("spice")).is_err());
        assert!(check_id("42").is_ok());
        assert!(check_id("0").is_err());
        assert!(check_id("abc").is_err());
    }
}
