//! `kamaki snapshot`: snapshots of volumes.

use clap::{ArgGroup, Subcommand};
use kamaki::clients::blockstorage::CreateSnapshotOptions;

use super::blockstorage;
use crate::commands::common::{
    not_found, only_keys, print_list, raw_list, raw_reply, ListStyle, ID_NAME,
};
use crate::context::Ctx;
use crate::error::CliResult;

/// `snapshot` commands.
#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    /// List snapshots.
    List {
        /// Show every field.
        #[arg(short = 'l', long)]
        details: bool,
    },
    /// Details on a snapshot.
    Info {
        /// The snapshot id.
        snapshot_id: String,
    },
    /// Snapshot a volume.
    Create {
        /// The volume.
        #[arg(long = "volume-id", required = true)]
        volume_id: String,
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// Its description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Rename or describe a snapshot.
    #[command(group(ArgGroup::new("change").required(true).multiple(true).args(["name", "description"])))]
    Modify {
        /// The snapshot id.
        snapshot_id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a snapshot.
    Delete {
        /// The snapshot id.
        snapshot_id: String,
    },
}

const HINT: &str = "kamaki snapshot list";

/// Runs a `snapshot` command.
pub async fn run(ctx: &mut Ctx, cmd: SnapshotCmd) -> CliResult {
    let client = blockstorage(ctx).await?;
    match cmd {
        SnapshotCmd::List { details } => {
            let reply = client.snapshots_get(details, None).await?;
            let items = raw_list(&reply, "snapshots")?;
            // kamaki prints the short listing as sent (links too) in JSON.
            let items = if details || ctx.json() {
                items
            } else {
                only_keys(items, &["id", "display_name"])
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
        SnapshotCmd::Info { snapshot_id } => {
            let reply = client
                .snapshots_get(false, Some(&snapshot_id))
                .await
                .map_err(not_found("snapshot", &snapshot_id, HINT))?;
            ctx.out.print_value(&raw_reply(&reply, "snapshot")?)
        }
        SnapshotCmd::Create {
            volume_id,
            name,
            description,
        } => {
            let options = CreateSnapshotOptions {
                display_name: name,
                display_description: description,
                ..Default::default()
            };
            let snapshot = client
                .create_snapshot(&volume_id, &options)
                .await
                .map_err(not_found("volume", &volume_id, "kamaki volume list"))?;
            ctx.out.print(&snapshot)
        }
        SnapshotCmd::Modify {
            snapshot_id,
            name,
            description,
        } => {
            let snapshot = client
                .update_snapshot(&snapshot_id, name.as_deref(), description.as_deref())
                .await
                .map_err(not_found("snapshot", &snapshot_id, HINT))?;
            ctx.out.print(&snapshot)
        }
        SnapshotCmd::Delete { snapshot_id } => client
            .delete_snapshot(&snapshot_id)
            .await
            .map_err(not_found("snapshot", &snapshot_id, HINT)),
    }
}
