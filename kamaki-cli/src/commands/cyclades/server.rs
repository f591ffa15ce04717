//! `kamaki server`: virtual servers (Cyclades compute).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::compute::{
    CreateServerOptions, ListServersOptions, Personality, Server, ServerNetwork,
};
use kamaki::clients::cyclades::{ConsoleType, CycladesComputeClient, FirewallProfile};
use kamaki::clients::ClientError;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use super::waiter::{Goal, WaitArgs, WaitCmdArgs, Waiting, DEFAULT_TIMEOUT};
use super::{compute, network};
use crate::args::parse_date;
use crate::commands::common::{
    keep_equal, key_values, metadata_matches, not_found, only_keys, print_list, raw_list,
    raw_reply, text, to_values, uuid_of, IdFilter, ListStyle, NameFilter, ID_NAME,
};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

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
        } => {
            let compute = compute(ctx).await?;
            let id = server_id.as_str();
            if nics {
                let nics = compute
                    .get_server_nics(id, None)
                    .await
                    .map_err(no_server(id))?;
                ctx.out.print(&nics)
            } else if stats {
                let stats = compute.get_server_stats(id).await.map_err(no_server(id))?;
                ctx.out.print(&stats)
            } else if diagnostics {
                let found = compute
                    .get_server_diagnostics(id)
                    .await
                    .map_err(no_server(id))?;
                print_list(
                    ctx,
                    to_values(&found)?,
                    ListStyle {
                        title: ID_NAME,
                        ..Default::default()
                    },
                )
            } else {
                let reply = compute
                    .servers_get(Some(id), false, &ListServersOptions::default())
                    .await
                    .map_err(no_server(id))?;
                ctx.out.print_value(&raw_reply(&reply, "server")?)
            }
        }
        ServerCmd::Create(args) => create(ctx, *args).await,
        ServerCmd::Modify(args) => modify(ctx, args).await,
        ServerCmd::Reassign {
            server_id,
            project_id,
        } => {
            let compute = compute(ctx).await?;
            compute
                .reassign_server(&server_id, &project_id)
                .await
                .map_err(|e| match e.status() {
                    400 | 403 => CliError::from(e).hint(&format!(
                        "is {project_id} a project of yours? see kamaki project list"
                    )),
                    _ => no_server(&server_id)(e),
                })
        }
        ServerCmd::Delete {
            server_id_or_cluster_prefix,
            cluster,
            wait,
        } => delete(ctx, &server_id_or_cluster_prefix, cluster, &wait).await,
        ServerCmd::Reboot {
            server_id,
            reboot_type,
            wait,
        } => {
            let hard = match reboot_type.as_deref().map(str::to_lowercase).as_deref() {
                None | Some("soft") => false,
                Some("hard") => true,
                Some(_) => {
                    return Err(CliError::new(format!(
                        "Invalid reboot type {}: --type is SOFT (default) or HARD",
                        reboot_type.unwrap_or_default()
                    )))
                }
            };
            let compute = compute(ctx).await?;
            compute
                .reboot_server(&server_id, hard)
                .await
                .map_err(no_server(&server_id))?;
            if wait.wait {
                wait_server(
                    &compute,
                    &server_id,
                    Goal::While("REBOOT".into()),
                    DEFAULT_TIMEOUT,
                    wait.no_progress_bar,
                )
                .await?;
            }
            Ok(())
        }
        ServerCmd::Start { server_id, wait } => power(ctx, &server_id, true, &wait).await,
        ServerCmd::Shutdown { server_id, wait } => power(ctx, &server_id, false, &wait).await,
        ServerCmd::Rescue {
            server_id,
            rescue_image_ref,
        } => {
            let compute = compute(ctx).await?;
            compute
                .rescue_server(&server_id, rescue_image_ref.as_deref())
                .await
                .map_err(no_server(&server_id))
        }
        ServerCmd::Unrescue { server_id } => {
            let compute = compute(ctx).await?;
            compute
                .unrescue_server(&server_id)
                .await
                .map_err(no_server(&server_id))
        }
        ServerCmd::Console {
            server_id,
            console_type,
        } => {
            let console_type = parse_console_type(console_type.as_deref())?;
            let compute = compute(ctx).await?;
            eprintln!("The following credentials will be invalidated shortly");
            let console = compute
                .get_server_console(&server_id, console_type)
                .await
                .map_err(no_server(&server_id))?;
            ctx.out.print(&console)
        }
        ServerCmd::Wait { server_id, args } => {
            let goal = args.goal("BUILD", SERVER_STATES)?;
            let compute = compute(ctx).await?;
            let server = compute
                .get_server_details(&server_id)
                .await
                .map_err(no_server(&server_id))?;
            match &goal {
                Goal::Until(s) if server.status.eq_ignore_ascii_case(s) => {
                    eprintln!("Server {server_id}: already in {}", server.status);
                    Ok(())
                }
                Goal::While(s) if !server.status.eq_ignore_ascii_case(s) => {
                    eprintln!("Server {server_id} status: {}", server.status);
                    Ok(())
                }
                _ => {
                    wait_server(
                        &compute,
                        &server_id,
                        goal,
                        args.timeout,
                        args.no_progress_bar,
                    )
                    .await
                }
            }
        }
        ServerCmd::Attachment {
            server_id,
            attachment_id,
        } => {
            let compute = compute(ctx).await?;
            match compute
                .get_volume_attachment(&server_id, &attachment_id)
                .await
            {
                Ok(found) => ctx.out.print(&found),
                Err(e) => Err(missing_on(
                    &compute,
                    &server_id,
                    e,
                    format!("No volume attachment {attachment_id} on server {server_id}"),
                    format!("kamaki server attachments {server_id}"),
                )
                .await),
            }
        }
        ServerCmd::Attachments { server_id } => {
            let compute = compute(ctx).await?;
            let found = compute
                .list_volume_attachments(&server_id)
                .await
                .map_err(no_server(&server_id))?;
            print_list(
                ctx,
                to_values(&found)?,
                ListStyle {
                    title: ID_NAME,
                    ..Default::default()
                },
            )
        }
        ServerCmd::Attach {
            server_id,
            volume_id,
        } => {
            let compute = compute(ctx).await?;
            match compute.attach_volume(&server_id, &volume_id).await {
                Ok(found) => ctx.out.print(&found),
                Err(e) => Err(missing_on(
                    &compute,
                    &server_id,
                    e,
                    format!("No volume with id {volume_id}"),
                    "kamaki volume list".to_string(),
                )
                .await),
            }
        }
        ServerCmd::Detach {
            server_id,
            attachment_id,
            volume_id,
        } => {
            let compute = compute(ctx).await?;
            if let Some(attachment) = attachment_id {
                if let Err(e) = compute
                    .delete_volume_attachment(&server_id, &attachment)
                    .await
                {
                    return Err(missing_on(
                        &compute,
                        &server_id,
                        e,
                        format!("No volume attachment {attachment} on server {server_id}"),
                        format!("kamaki server attachments {server_id}"),
                    )
                    .await);
                }
            } else if let Some(volume) = volume_id {
                let deleted = compute
                    .detach_volume(&server_id, &volume)
                    .await
                    .map_err(no_server(&server_id))?;
                if deleted.is_empty() {
                    return Err(CliError::new(format!(
                        "Volume {volume} is not attached to server {server_id}: see kamaki server attachments {server_id}"
                    )));
                }
                let n = deleted.len();
                eprintln!(
                    "{n} detachment{} deleted, volume is detached",
                    if n == 1 { "" } else { "s" }
                );
            }
            eprintln!("OK");
            Ok(())
        }
        ServerCmd::Tags { server_id } => {
            let compute = compute(ctx).await?;
            let tags = compute
                .list_tags(&server_id)
                .await
                .map_err(no_server(&server_id))?;
            let items: Vec<Value> = tags
                .tags
                .iter()
                .zip(tags.statuses.iter())
                .map(|(tag, status)| json!({"id": tag, "status": status}))
                .collect();
            print_list(
                ctx,
                items,
                ListStyle {
                    title: ID_NAME,
                    ..Default::default()
                },
            )
        }
        ServerCmd::Tagexists { server_id, tag } => {
            let compute = compute(ctx).await?;
            let exists = compute
                .check_tag_exists(&server_id, &tag)
                .await
                .map_err(no_server(&server_id))?;
            if ctx.json() {
                ctx.out.print_value(&Value::Bool(exists))
            } else {
                println!("{}", if exists { "True" } else { "False" });
                Ok(())
            }
        }
        ServerCmd::Tagstatus { server_id, tag } => {
            let compute = compute(ctx).await?;
            match compute.get_tag_status(&server_id, &tag).await {
                Ok(status) => ctx.out.print_value(&Value::String(status)),
                Err(e) => Err(missing_on(
                    &compute,
                    &server_id,
                    e,
                    format!("No tag {tag} on server {server_id}"),
                    format!("kamaki server tags {server_id}"),
                )
                .await),
            }
        }
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

async fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let exact = key_values(&args.metadata)?;
    let like = key_values(&args.metadata_like)?;
    let with_user = args.user_id.is_some() || args.user_name.is_some();
    let filtered = args.image_id.is_some()
        || args.flavor_id.is_some()
        || !exact.is_empty()
        || !like.is_empty()
        || args.status.is_some()
        || with_user;
    let detail = args.details || filtered;
    let changes_since = match &args.since {
        Some(date) => Some(
            parse_date(date)?
                .format(&Rfc3339)
                .map_err(|e| CliError::new(format!("invalid date {date:?}: {e}")))?,
        ),
        None => None,
    };
    let user = match (&args.user_id, &args.user_name) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(name)) => Some(uuid_of(ctx, name).await?),
        (None, None) => None,
    };
    let compute = compute(ctx).await?;
    let options = ListServersOptions {
        changes_since,
        ..Default::default()
    };
    // As the server sent them: `-o json` prints them field for field.
    let reply = compute.servers_get(None, detail, &options).await?;
    let servers = raw_list(&reply, "servers")?;
    if let (Some(since), true) = (&args.since, servers.is_empty()) {
        eprintln!("No servers have been modified since {since}");
    }
    let mut items = args.ids.apply(args.names.apply(servers));
    if let Some(status) = &args.status {
        items = keep_equal(items, "status", status);
    }
    if let Some(user) = &user {
        items = keep_equal(items, "user_id", user);
    }
    let reference =
        |item: &Value, key: &str| item.get(key).map(|r| text(r, "id")).unwrap_or_default();
    if let Some(image) = &args.image_id {
        items.retain(|s| &reference(s, "image") == image);
    }
    if let Some(flavor) = &args.flavor_id {
        items.retain(|s| &reference(s, "flavor") == flavor);
    }
    if !exact.is_empty() || !like.is_empty() {
        items.retain(|s| {
            s.get("metadata")
                .is_some_and(|m| metadata_matches(m, &exact, &like))
        });
    }
    if !args.details {
        items = only_keys(items, ID_NAME);
    }
    print_list(
        ctx,
        items,
        ListStyle {
            title: ID_NAME,
            enumerate: args.enumerate,
            more: args.more,
            limit: args.number,
        },
    )
}

/// Parses a `--personality` term list into a file to inject.
fn parse_personality(spec: &str) -> CliResult<Personality> {
    const TERMS: [&str; 5] = ["local-path", "server-path", "owner", "group", "mode"];
    let howto = "syntax: [local-path=]PATH[,[server-path=]SERVER_PATH[,[owner=]OWNER[,[group=]GROUP[,[mode=]MODE]]]], e.g. -p /tmp/my.file,owner=root,mode=0777";
    let mut terms: Vec<&str> = spec.split(',').collect();
    if terms.len() > TERMS.len() {
        return Err(CliError::new(format!(
            "Invalid --personality {spec}: 1 to 5 terms ({howto})"
        )));
    }
    let mut named: BTreeMap<&str, String> = BTreeMap::new();
    for key in TERMS {
        let prefix = format!("{key}=");
        if let Some(pos) = terms
            .iter()
            .position(|t| t.to_lowercase().starts_with(&prefix))
        {
            named.insert(key, terms[pos][prefix.len()..].to_string());
            terms.remove(pos);
        }
    }
    let mut positional = terms.into_iter().map(str::to_string);
    let local = match named.remove("local-path") {
        Some(path) => path,
        None => positional.next().unwrap_or_default(),
    };
    if local.is_empty() {
        return Err(CliError::new(format!(
            "Invalid --personality {spec}: no local path ({howto})"
        )));
    }
    let contents = std::fs::read(&local)
        .map_err(|e| CliError::new(format!("--personality: cannot read {local}: {e} ({howto})")))?;
    let mut personality = Personality::new(local.clone(), contents);
    let mut next = |key: &str| named.remove(key).or_else(|| positional.next());
    if let Some(path) = next("server-path") {
        personality.path = path;
    }
    personality.owner = next("owner").filter(|o| !o.is_empty());
    personality.group = next("group").filter(|g| !g.is_empty());
    if let Some(mode) = next("mode").filter(|m| !m.is_empty()) {
        let parsed = u32::from_str_radix(mode.trim_start_matches("0o"), 8).map_err(|_| {
            CliError::new(format!(
                "Invalid --personality mode {mode}: use octal, e.g. 0644"
            ))
        })?;
        personality.mode = Some(parsed);
    }
    Ok(personality)
}

/// Parses `--network [id=]NETWORK_ID[,[ip=]IP]`.
fn parse_network(spec: &str) -> CliResult<ServerNetwork> {
    let bad = || {
        CliError::new(format!(
            "Invalid network argument {spec}: use [id=]NETWORK_ID[,[ip=]IP]"
        ))
    };
    let (first, second) = spec.split_once(',').unwrap_or((spec, ""));
    let (mut net, mut ip) = (String::new(), String::new());
    if let Some(id) = first.strip_prefix("id=") {
        net = id.to_string();
    } else if let Some(address) = first.strip_prefix("ip=") {
        ip = address.to_string();
    } else {
        net = first.to_string();
    }
    if !second.is_empty() {
        if (second.starts_with("id=") && !net.is_empty())
            || (second.starts_with("ip=") && !ip.is_empty())
        {
            return Err(bad());
        }
        if let Some(id) = second.strip_prefix("id=") {
            net = id.to_string();
        } else if let Some(address) = second.strip_prefix("ip=") {
            ip = address.to_string();
        } else if !net.is_empty() {
            ip = second.to_string();
        } else {
            net = second.to_string();
        }
    }
    if net.is_empty() {
        return Err(bad());
    }
    Ok(if ip.is_empty() {
        ServerNetwork::network(net)
    } else {
        ServerNetwork::network_with_ip(net, ip)
    })
}

async fn create(ctx: &mut Ctx, args: CreateArgs) -> CliResult {
    let personality = args
        .personality
        .iter()
        .map(|p| parse_personality(p))
        .collect::<CliResult<Vec<_>>>()?;
    let networks = args
        .network
        .iter()
        .map(|n| parse_network(n))
        .collect::<CliResult<Vec<_>>>()?;
    let user_data = match &args.user_data {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            CliError::new(format!("cannot read --user-data {}: {e}", path.display()))
        })?),
        None => None,
    };
    let options = CreateServerOptions {
        metadata: key_values(&args.metadata)?,
        personality,
        networks: if args.no_network {
            Some(Vec::new())
        } else if networks.is_empty() {
            None
        } else {
            Some(networks)
        },
        project: args.project_id.clone(),
        key_names: args.key_name.clone(),
        user_data,
        ..Default::default()
    };
    let compute = compute(ctx).await?;
    let size = args.cluster_size.unwrap_or(1);
    let names: Vec<String> = if size == 1 {
        vec![args.name.clone()]
    } else {
        (1..=size).map(|i| format!("{}{i}", args.name)).collect()
    };
    let flavor = args.flavor_id.to_string();
    let created = create_all(
        &compute,
        &names,
        &flavor,
        &args.image_id,
        &options,
        args.threads.unwrap_or(1),
    )
    .await;
    let servers = match created {
        Ok(servers) => servers,
        Err(error) => {
            if names.len() > 1 {
                report_spawned(&compute, &names).await;
            }
            return Err(explain_create_error(ctx, &compute, &args, &options, error).await);
        }
    };
    if ctx.json() {
        if let [server] = servers.as_slice() {
            ctx.out.print(server)?;
        } else {
            ctx.out.print(&servers)?;
        }
    } else {
        for (i, server) in servers.iter().enumerate() {
            if i > 0 {
                println!();
            }
            ctx.out.print(server)?;
        }
    }
    if args.wait.wait {
        for server in &servers {
            let status = if server.status.is_empty() {
                "BUILD"
            } else {
                server.status.as_str()
            };
            wait_server(
                &compute,
                &server.id,
                Goal::While(status.to_string()),
                DEFAULT_TIMEOUT,
                args.wait.no_progress_bar,
            )
            .await?;
        }
    }
    Ok(())
}

/// Creates the servers, `threads` at a time, in the order of `names`.
async fn create_all(
    compute: &CycladesComputeClient,
    names: &[String],
    flavor: &str,
    image: &str,
    options: &CreateServerOptions,
    threads: u32,
) -> Result<Vec<Server>, ClientError> {
    let limit = Arc::new(tokio::sync::Semaphore::new(threads.max(1) as usize));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, name) in names.iter().enumerate() {
        let (compute, name, flavor, image, options, limit) = (
            compute.clone(),
            name.clone(),
            flavor.to_string(),
            image.to_string(),
            options.clone(),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (
                i,
                compute
                    .create_server(&name, &flavor, &image, &options)
                    .await,
            )
        });
    }
    let mut servers: Vec<Option<Server>> = vec![None; names.len()];
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, Ok(server))) => servers[i] = Some(server),
            Ok((_, Err(e))) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(ClientError::InvalidRequest(format!(
                    "server creation stopped: {e}"
                )));
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(servers.into_iter().flatten().collect()),
    }
}

/// After a failed cluster creation, says which of its servers exist.
async fn report_spawned(compute: &CycladesComputeClient, names: &[String]) {
    eprintln!("Failed to build {} servers", names.len());
    match compute
        .list_servers(false, &ListServersOptions::default())
        .await
    {
        Ok(all) => {
            let spawned: Vec<&Server> = all.iter().filter(|s| names.contains(&s.name)).collect();
            eprintln!("Found {} matching servers:", spawned.len());
            for server in spawned {
                eprintln!("{} {}", server.id, server.name);
            }
            eprintln!("Check if any of these servers should be removed");
        }
        Err(e) => eprintln!("Error ({e}) while notifying about errors"),
    }
}

/// Turns a failed creation into the most specific error kamaki gives: a
/// missing flavor, image, network or IP, else the cloud's own message.
async fn explain_create_error(
    ctx: &mut Ctx,
    compute: &CycladesComputeClient,
    args: &CreateArgs,
    options: &CreateServerOptions,
    error: ClientError,
) -> CliError {
    let status = error.status();
    if matches!(status, 400 | 404) {
        let flavor = args.flavor_id.to_string();
        if let Err(e) = compute.get_flavor_details(&flavor).await {
            if matches!(e.status(), 400 | 404) {
                return not_found("flavor", &flavor, "kamaki flavor list")(e);
            }
        }
        if let Err(e) = compute.get_image_details(&args.image_id).await {
            if matches!(e.status(), 400 | 404) {
                return CliError::new(format!(
                    "No image with id {} ({}): see kamaki image list",
                    args.image_id,
                    e.status()
                ))
                .detail(e.to_string());
            }
        }
    }
    if matches!(status, 400 | 404 | 409) {
        let wanted = options.networks.clone().unwrap_or_default();
        if !wanted.is_empty() {
            if let Ok(net) = network(ctx).await {
                for want in &wanted {
                    let id = want.uuid.clone().unwrap_or_default();
                    if let Err(e) = net.get_network_details(&id).await {
                        if matches!(e.status(), 400 | 404) {
                            return CliError::new(format!(
                                "No network with id {id} ({}): see kamaki network list",
                                e.status()
                            ))
                            .detail(error.to_string());
                        }
                    }
                    if let Some(ip) = &want.fixed_ip {
                        if let Some(problem) = ip_problem(&net, ip, &id, status).await {
                            return CliError::new(format!("{problem} ({status}): see kamaki ip list; reserve one with kamaki ip create"))
                                .detail(error.to_string());
                        }
                    }
                }
            }
        }
    }
    if args.project_id.is_some() && matches!(status, 400 | 403 | 404) {
        return CliError::from(error).hint("check --project-id: see kamaki project list");
    }
    error.into()
}

/// What is wrong with using floating IP `ip` on network `network_id`, if
/// anything can be told.
async fn ip_problem(
    net: &kamaki::clients::cyclades::CycladesNetworkClient,
    ip: &str,
    network_id: &str,
    status: u16,
) -> Option<String> {
    let ips = net.list_floatingips().await.ok()?;
    let Some(found) = ips.iter().find(|f| f.floating_ip_address == ip) else {
        return Some(format!("IP {ip} not available for current user"));
    };
    if status == 409 {
        if found.floating_network_id != network_id {
            return Some(format!(
                "IP {ip} belongs to network {}, not {network_id}",
                found.floating_network_id
            ));
        }
        if let Some(device) = &found.instance_id {
            return Some(format!("IP {ip} is already used by device {device}"));
        }
    }
    None
}

async fn modify(ctx: &mut Ctx, args: ModifyArgs) -> CliResult {
    let firewall = args
        .firewall
        .as_deref()
        .map(|p| {
            FirewallProfile::from_str(p).map_err(|_| {
                CliError::new(format!(
                    "Invalid firewall profile {p}: use one of DISABLED, ENABLED, PROTECTED"
                ))
            })
        })
        .transpose()?;
    let metadata_set = key_values(&args.metadata_set)?;
    let compute = compute(ctx).await?;
    let id = args.server_id.as_str();
    if let Some(name) = &args.name {
        compute
            .update_server_name(id, name)
            .await
            .map_err(no_server(id))?;
    }
    if let Some(flavor) = args.flavor_id {
        let flavor = flavor.to_string();
        if let Err(e) = compute.resize_server(id, &flavor).await {
            return Err(explain_resize_error(&compute, id, &flavor, e).await);
        }
    }
    if let Some(profile) = firewall {
        set_firewall(ctx, &compute, id, profile, args.port_id.as_deref()).await?;
    }
    if !metadata_set.is_empty() {
        compute
            .update_server_metadata(id, &metadata_set)
            .await
            .map_err(no_server(id))?;
    }
    for key in &args.metadata_del {
        if let Err(e) = compute.delete_server_metadata(id, key).await {
            return Err(missing_on(
                &compute,
                id,
                e,
                format!("No virtual server metadata with key {key}"),
                format!("kamaki server info {id}"),
            )
            .await);
        }
    }
    if let Some(tag) = &args.tag_add {
        compute.add_tag(id, tag).await.map_err(no_server(id))?;
    }
    if let Some(tag) = &args.tag_del {
        if let Err(e) = compute.delete_tag(id, tag).await {
            return Err(missing_on(
                &compute,
                id,
                e,
                format!("No tag {tag} on server {id}"),
                format!("kamaki server tags {id}"),
            )
            .await);
        }
    }
    if args.tags_del {
        if let Err(e) = compute.delete_tags(id).await {
            // Synnefo answers 404 when there was no tag to delete.
            if e.status() != 404 || compute.get_server_details(id).await.is_err() {
                return Err(no_server(id)(e));
            }
        }
    }
    if !args.tag_replace.is_empty() {
        compute
            .replace_tags(id, &args.tag_replace)
            .await
            .map_err(no_server(id))?;
    }
    Ok(())
}

async fn explain_resize_error(
    compute: &CycladesComputeClient,
    id: &str,
    flavor: &str,
    error: ClientError,
) -> CliError {
    match error.status() {
        404 => match compute.get_server_details(id).await {
            Err(e) => no_server(id)(e),
            Ok(_) => not_found("flavor", flavor, "kamaki flavor list")(error),
        },
        400 => match compute.get_server_details(id).await {
            Ok(server) if !server.status.eq_ignore_ascii_case("STOPPED") => CliError::new(format!(
                "To resize a virtual server, it must be STOPPED: server {id} is {} (kamaki server shutdown {id} -w)",
                server.status
            ))
            .detail(error.to_string()),
            _ => error.into(),
        },
        _ => error.into(),
    }
}

async fn set_firewall(
    ctx: &mut Ctx,
    compute: &CycladesComputeClient,
    id: &str,
    profile: FirewallProfile,
    pick: Option<&str>,
) -> CliResult {
    let server = compute
        .get_server_details(id)
        .await
        .map_err(no_server(id))?;
    let mut ports: Vec<_> = server
        .attachments
        .iter()
        .filter(|p| p.firewall_profile.is_some())
        .collect();
    // A connection whose profile was never set may show none: the public
    // networks tell which connections have a firewall.
    if ports.is_empty() {
        let public: Vec<String> = network(ctx)
            .await?
            .list_networks(true)
            .await?
            .into_iter()
            .filter(|n| n.public == Some(true))
            .map(|n| n.id)
            .collect();
        ports = server
            .attachments
            .iter()
            .filter(|p| public.contains(&p.network_id))
            .collect();
    }
    match pick {
        Some(pick) => ports.retain(|p| pick == "*" || pick == p.id),
        None if ports.len() > 1 => {
            let ids: Vec<&str> = ports.iter().map(|p| p.id.as_str()).collect();
            return Err(CliError::new(format!(
                "Multiple public connections on server {id} (ports {}): choose one with --port-id PORT_ID, or all with --port-id '*'",
                ids.join(", ")
            )));
        }
        None => {}
    }
    if ports.is_empty() {
        let through = pick
            .map(|p| format!(" through port {p}"))
            .unwrap_or_default();
        return Err(CliError::new(format!(
            "No public networks attached on server {id}{through}: see kamaki server info {id} --nics; connect one with kamaki network connect NETWORK_ID --device-id {id}"
        )));
    }
    for port in ports {
        eprintln!("Set port {} firewall to {profile}", port.id);
        compute
            .set_firewall_profile(id, profile, &port.id)
            .await
            .map_err(no_server(id))?;
    }
    Ok(())
}

async fn delete(ctx: &mut Ctx, target: &str, cluster: bool, wait: &WaitArgs) -> CliResult {
    let compute = compute(ctx).await?;
    let ids: Vec<String> = if cluster {
        compute
            .list_servers(false, &ListServersOptions::default())
            .await?
            .into_iter()
            .filter(|s| s.name.starts_with(target))
            .map(|s| s.id)
            .collect()
    } else {
        vec![target.to_string()]
    };
    for id in &ids {
        let status = if wait.wait {
            Some(
                compute
                    .get_server_details(id)
                    .await
                    .map_err(no_server(id))?
                    .status,
            )
        } else {
            None
        };
        compute.delete_server(id).await.map_err(no_server(id))?;
        if let Some(status) = status {
            wait_server(
                &compute,
                id,
                Goal::While(status),
                DEFAULT_TIMEOUT,
                wait.no_progress_bar,
            )
            .await?;
        }
    }
    if cluster {
        let n = ids.len();
        eprintln!(
            "{n} virtual server{} deleted",
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// `server start` (`up`) or `server shutdown`.
async fn power(ctx: &mut Ctx, id: &str, up: bool, wait: &WaitArgs) -> CliResult {
    let compute = compute(ctx).await?;
    let target = if up { "ACTIVE" } else { "STOPPED" };
    let current = compute
        .get_server_details(id)
        .await
        .map_err(no_server(id))?
        .status;
    if current == target {
        return Err(CliError::new(format!("Server {id} is already {target}")));
    }
    let sent = if up {
        compute.start_server(id).await
    } else {
        compute.shutdown_server(id).await
    };
    sent.map_err(no_server(id))?;
    if wait.wait {
        wait_server(
            &compute,
            id,
            Goal::While(current),
            DEFAULT_TIMEOUT,
            wait.no_progress_bar,
        )
        .await?;
    }
    Ok(())
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

/// Waits for a server, showing a bar, and reports where it ended up.
pub async fn wait_server(
    compute: &CycladesComputeClient,
    id: &str,
    goal: Goal,
    timeout: u64,
    no_bar: bool,
) -> CliResult {
    let waiting = Waiting::new("Server", id, goal.clone(), timeout, no_bar);
    let observe = |server: &Server| waiting.observe(server.progress);
    let result = match &goal {
        Goal::While(s) => {
            compute
                .wait_server_while(id, s, waiting.options(), observe)
                .await
        }
        Goal::Until(s) => {
            compute
                .wait_server_until(id, s, waiting.options(), observe)
                .await
        }
    };
    match result {
        Ok(server) => waiting.finish(&server.status),
        Err(e) if e.status() == 404 => waiting.gone(),
        Err(e) => Err(waiting.fail(e)),
    }
}

#[cfg(test)]
mod tests {
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
