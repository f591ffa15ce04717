//! `kamaki volume`: block storage volumes.

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::blockstorage::{CreateVolumeOptions, UpdateVolumeOptions, Volume};
use kamaki::clients::cyclades::CycladesBlockStorageClient;
use kamaki::clients::ClientError;

use super::blockstorage;
use super::waiter::{Goal, WaitArgs, WaitCmdArgs, Waiting, DEFAULT_TIMEOUT};
use crate::commands::common::{
    drop_empty, key_values, not_found, print_list, raw_list, raw_reply, to_value, ListStyle,
    ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// The statuses `volume wait` knows.
pub const VOLUME_STATES: &[&str] = &[
    "creating",
    "available",
    "attaching",
    "detaching",
    "in_use",
    "deleting",
    "deleted",
    "error",
    "error_deleting",
    "backing_up",
    "restoring_backup",
    "error_restoring",
];

/// Statuses a volume passes through on its way somewhere else.
const TRANSIENT: &[&str] = &[
    "creating",
    "attaching",
    "detaching",
    "deleting",
    "backing_up",
    "restoring_backup",
];

/// `volume` commands.
#[derive(Debug, Subcommand)]
pub enum VolumeCmd {
    /// List volumes.
    List {
        /// Show every field.
        #[arg(short = 'l', long)]
        details: bool,
    },
    /// Details on a volume.
    Info {
        /// The volume id.
        volume_id: String,
    },
    /// Create a volume.
    Create(CreateArgs),
    /// Modify a volume.
    #[command(group(ArgGroup::new("change").required(true).multiple(true).args(["name", "description", "delete_on_termination"])))]
    Modify {
        /// The volume id.
        volume_id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// Whether it goes with its server: true or false.
        #[arg(long = "delete-on-termination", value_name = "true|false", value_parser = parse_bool)]
        delete_on_termination: Option<bool>,
    },
    /// Assign a volume to a different project.
    Reassign {
        /// The volume id.
        volume_id: String,
        /// The project to assign it to.
        #[arg(long = "project-id", required = true)]
        project_id: String,
    },
    /// Delete a volume.
    Delete {
        /// The volume id.
        volume_id: String,
        /// Waiting until it is deleted.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Wait for a volume to change its status (default: --while creating).
    Wait {
        /// The volume id.
        volume_id: String,
        /// What to wait for.
        #[command(flatten)]
        args: WaitCmdArgs,
    },
    /// List the volume types.
    Types,
    /// Details on a volume type.
    Type {
        /// The volume type id.
        volume_type_id: String,
    },
}

/// `volume create` options.
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Its size in GB.
    #[arg(long, required = true)]
    size: u64,
    /// Its name.
    #[arg(long, required = true)]
    name: String,
    /// The server to create it on and attach it to.
    #[arg(long = "server-id")]
    server_id: Option<String>,
    /// Its description.
    #[arg(long)]
    description: Option<String>,
    /// A snapshot to fill it from.
    #[arg(long = "snapshot-id")]
    snapshot_id: Option<String>,
    /// An image to fill it from.
    #[arg(long = "image-id")]
    image_id: Option<String>,
    /// Its volume type (default: the server's with --server-id, else
    /// ext_archipelago or the first detachable type).
    #[arg(long = "volume-type")]
    volume_type: Option<String>,
    /// Metadata KEY=VALUE (repeatable).
    #[arg(long = "metadata", value_name = "KEY=VALUE")]
    metadata: Vec<String>,
    /// The project to charge it to.
    #[arg(long = "project-id")]
    project_id: Option<String>,
    /// Waiting until it is ready (in_use on a server, else available).
    #[command(flatten)]
    wait: WaitArgs,
}

fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{text:?} is neither true nor false")),
    }
}

fn no_volume(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    not_found("volume", id, "kamaki volume list")
}

/// Waits for a volume until `stop` holds or the timeout, and reports: fine
/// if it reached `goal`.
async fn wait_volume(
    client: &CycladesBlockStorageClient,
    id: &str,
    goal: Goal,
    stop: impl Fn(&Volume) -> bool,
    timeout: u64,
    no_bar: bool,
) -> CliResult {
    let waiting = Waiting::new("Volume", id, goal, timeout, no_bar);
    let observe = |_: &Volume| waiting.observe(None);
    match client
        .wait_volume(id, stop, waiting.options(), observe)
        .await
    {
        Ok(volume) => waiting.finish(&volume.status),
        Err(e) if e.status() == 404 => waiting.gone(),
        Err(e) => Err(waiting.fail(e)),
    }
}

/// The type for a volume without a server: `ext_archipelago` if the cloud
/// has it, else its first detachable type. (kamaki tested names as
/// substrings of "ext_archipelago", so that a type named `ext` or `a`
/// would do.)
async fn default_type(client: &CycladesBlockStorageClient) -> CliResult<Option<String>> {
    let types = client.list_volume_types().await?;
    let named = types
        .iter()
        .find(|t| t.name.as_deref() == Some("ext_archipelago"));
    Ok(named
        .or_else(|| types.iter().find(|t| t.detachable == Some(true)))
        .map(|t| t.id.clone()))
}

/// Runs a `volume` command.
pub async fn run(ctx: &mut Ctx, cmd: VolumeCmd) -> CliResult {
    let client = blockstorage(ctx).await?;
    match cmd {
        VolumeCmd::List { details } => list(ctx, &client, details).await,
        VolumeCmd::Info { volume_id } => info(ctx, &client, &volume_id).await,
        VolumeCmd::Create(args) => create(ctx, &client, args).await,
        VolumeCmd::Modify {
            volume_id,
            name,
            description,
            delete_on_termination,
        } => {
            modify(
                ctx,
                &client,
                &volume_id,
                name,
                description,
                delete_on_termination,
            )
            .await
        }
        VolumeCmd::Reassign {
            volume_id,
            project_id,
        } => reassign(&client, &volume_id, &project_id).await,
        VolumeCmd::Delete { volume_id, wait } => delete(&client, volume_id, wait).await,
        VolumeCmd::Wait { volume_id, args } => wait(&client, volume_id, args).await,
        VolumeCmd::Types => types(ctx, &client).await,
        VolumeCmd::Type { volume_type_id } => volume_type(ctx, &client, &volume_type_id).await,
    }
}

/// `volume list`: ids and names, or every field with `-l`.
async fn list(ctx: &mut Ctx, client: &CycladesBlockStorageClient, details: bool) -> CliResult {
    let reply = client.volumes_get(details, None).await?;
    let items = raw_list(&reply, "volumes")?;
    // kamaki prints the short listing as sent (links too) in JSON.
    let items = if details || ctx.json() {
        items
    } else {
        crate::commands::common::only_keys(items, &["id", "name", "display_name"])
    };
    print_list(
        ctx,
        items,
        ListStyle {
            title: ID_NAME,
            ..Default::default()
        },
    )
}

/// `volume info`: the volume as the server sent it.
async fn info(ctx: &mut Ctx, client: &CycladesBlockStorageClient, volume_id: &str) -> CliResult {
    let reply = client
        .volumes_get(false, Some(volume_id))
        .await
        .map_err(no_volume(volume_id))?;
    ctx.out.print_value(&raw_reply(&reply, "volume")?)
}

/// `volume create`, and optionally wait until it is ready.
async fn create(ctx: &mut Ctx, client: &CycladesBlockStorageClient, args: CreateArgs) -> CliResult {
    let CreateArgs {
        size,
        name,
        server_id,
        description,
        snapshot_id,
        image_id,
        volume_type,
        metadata,
        project_id,
        wait,
    } = args;
    let metadata = key_values(&metadata)?;
    let volume_type = match (&volume_type, &server_id) {
        (None, None) => default_type(client).await?,
        _ => volume_type,
    };
    let options = CreateVolumeOptions {
        display_description: description,
        server_id: server_id.clone(),
        volume_type,
        image_ref: image_id,
        snapshot_id,
        metadata: (!metadata.is_empty()).then_some(metadata),
        project: project_id,
        ..Default::default()
    };
    let created = client.create_volume(size, &name, &options).await?;
    // Synnefo answers with the id, name and links only.
    ctx.out.print_value(&drop_empty(to_value(&created)?))?;
    if !wait.wait {
        return Ok(());
    }
    let volume = client
        .get_volume_details(&created.id)
        .await
        .map_err(no_volume(&created.id))?;
    let ready = if server_id.is_some() {
        "in_use"
    } else {
        "available"
    };
    if volume.status == ready {
        eprintln!("Volume {} status: {ready}", volume.id);
        return Ok(());
    }
    let stop = |v: &Volume| v.status == ready || !TRANSIENT.contains(&v.status.as_str());
    wait_volume(
        client,
        &volume.id,
        Goal::Until(ready.into()),
        stop,
        DEFAULT_TIMEOUT,
        wait.no_progress_bar,
    )
    .await
}

/// `volume modify`: a new name, description or delete-on-termination.
async fn modify(
    ctx: &mut Ctx,
    client: &CycladesBlockStorageClient,
    volume_id: &str,
    name: Option<String>,
    description: Option<String>,
    delete_on_termination: Option<bool>,
) -> CliResult {
    let options = UpdateVolumeOptions {
        display_name: name,
        display_description: description,
        delete_on_termination,
        ..Default::default()
    };
    let volume = client
        .update_volume(volume_id, &options)
        .await
        .map_err(no_volume(volume_id))?;
    ctx.out.print(&volume)
}

/// `volume reassign`: to another project.
async fn reassign(
    client: &CycladesBlockStorageClient,
    volume_id: &str,
    project_id: &str,
) -> CliResult {
    client
        .reassign_volume(volume_id, project_id)
        .await
        .map_err(|e| match e.status() {
            400 | 403 => CliError::from(e).hint(&format!(
                "is {project_id} a project of yours? see kamaki project list"
            )),
            _ => no_volume(volume_id)(e),
        })
}

/// `volume types`.
async fn types(ctx: &mut Ctx, client: &CycladesBlockStorageClient) -> CliResult {
    let reply = client.types_get(None).await?;
    print_list(
        ctx,
        raw_list(&reply, "volume_types")?,
        ListStyle {
            title: ID_NAME,
            ..Default::default()
        },
    )
}

/// `volume type`: details on one volume type.
async fn volume_type(
    ctx: &mut Ctx,
    client: &CycladesBlockStorageClient,
    volume_type_id: &str,
) -> CliResult {
    let reply = client
        .types_get(Some(volume_type_id))
        .await
        .map_err(not_found(
            "volume type",
            volume_type_id,
            "kamaki volume types",
        ))?;
    ctx.out.print_value(&raw_reply(&reply, "volume_type")?)
}

/// `volume delete`, and optionally wait until it is deleted (or stuck in an
/// error).
async fn delete(
    client: &CycladesBlockStorageClient,
    volume_id: String,
    wait: WaitArgs,
) -> CliResult {
    client
        .get_volume_details(&volume_id)
        .await
        .map_err(no_volume(&volume_id))?;
    client
        .delete_volume(&volume_id)
        .await
        .map_err(no_volume(&volume_id))?;
    if !wait.wait {
        return Ok(());
    }
    // Done when deleted, or stuck in an error.
    let stop = |v: &Volume| v.status == "deleted" || v.status.starts_with("error");
    wait_volume(
        client,
        &volume_id,
        Goal::Until("deleted".into()),
        stop,
        DEFAULT_TIMEOUT,
        wait.no_progress_bar,
    )
    .await
}

/// `volume wait`: until (or while) the volume is in a status.
async fn wait(
    client: &CycladesBlockStorageClient,
    volume_id: String,
    args: WaitCmdArgs,
) -> CliResult {
    let goal = args.goal("creating", VOLUME_STATES)?;
    let volume = client
        .get_volume_details(&volume_id)
        .await
        .map_err(no_volume(&volume_id))?;
    match &goal {
        Goal::Until(s) if &volume.status == s => {
            eprintln!("Volume {volume_id}: already in {s}");
            Ok(())
        }
        Goal::While(s) if &volume.status != s => {
            eprintln!("Volume {volume_id} status: {}", volume.status);
            Ok(())
        }
        Goal::Until(s) => {
            let s = s.clone();
            wait_volume(
                client,
                &volume_id,
                goal,
                move |v| v.status == s,
                args.timeout,
                args.no_progress_bar,
            )
            .await
        }
        Goal::While(s) => {
            let s = s.clone();
            wait_volume(
                client,
                &volume_id,
                goal,
                move |v| v.status != s,
                args.timeout,
                args.no_progress_bar,
            )
            .await
        }
    }
}
