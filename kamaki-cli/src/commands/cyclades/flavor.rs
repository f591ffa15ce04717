//! `kamaki flavor`: the hardware configurations servers are made with.

use clap::{Args, Subcommand};
use kamaki::clients::compute::ListFlavorsOptions;

use super::compute;
use crate::commands::common::{
    drop_key, keep_equal, not_found, only_keys, print_list, raw_list, raw_reply, IdFilter,
    ListStyle, NameFilter, ID_NAME,
};
use crate::context::Ctx;
use crate::error::CliResult;

/// `flavor` commands.
#[derive(Debug, Subcommand)]
pub enum FlavorCmd {
    /// List available hardware flavors.
    List(Box<ListArgs>),
    /// Detailed information on a hardware flavor.
    Info {
        /// The flavor id.
        flavor_id: String,
    },
}

/// `list` options.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Show every field.
    #[arg(short = 'l', long)]
    details: bool,
    /// List at most this many flavors.
    #[arg(short = 'n', long = "number", value_name = "N")]
    number: Option<usize>,
    /// Show the results through a pager.
    #[arg(long)]
    more: bool,
    /// Number the results.
    #[arg(long)]
    enumerate: bool,
    /// Only flavors with this much RAM (MiB).
    #[arg(long)]
    ram: Option<String>,
    /// Only flavors with this many virtual CPUs.
    #[arg(long)]
    vcpus: Option<String>,
    /// Only flavors with this much disk (GB).
    #[arg(long)]
    disk: Option<String>,
    /// Only flavors of this disk template.
    #[arg(long = "disk-template")]
    disk_template: Option<String>,
    /// Only flavors this project grants access to.
    #[arg(long = "project", value_name = "ID")]
    project: Option<String>,
    /// Only public flavors.
    #[arg(long)]
    public: bool,
    #[command(flatten)]
    names: NameFilter,
    #[command(flatten)]
    ids: IdFilter,
}

/// Runs a `flavor` command.
pub async fn run(ctx: &mut Ctx, cmd: FlavorCmd) -> CliResult {
    match cmd {
        FlavorCmd::List(args) => {
            let ListArgs {
                details,
                number,
                more,
                enumerate,
                ram,
                vcpus,
                disk,
                disk_template,
                project,
                public,
                names,
                ids,
            } = *args;
            let filters = [
                ("ram", ram),
                ("vcpus", vcpus),
                ("disk", disk),
                ("SNF:disk_template", disk_template),
            ];
            let filtered = filters.iter().any(|(_, v)| v.is_some());
            let options = ListFlavorsOptions {
                is_public: public.then_some(true),
                project_id: project,
                ..Default::default()
            };
            let compute = compute(ctx).await?;
            // As the server sent them: `-o json` prints them field for field.
            let reply = compute
                .flavors_get(None, details || filtered, &options)
                .await?;
            let mut items = ids.apply(names.apply(raw_list(&reply, "flavors")?));
            for (key, wanted) in &filters {
                if let Some(wanted) = wanted {
                    items = keep_equal(items, key, wanted);
                }
            }
            // kamaki: a short listing keeps its links in JSON; one made
            // detailed for the filters is cut to ids and names.
            if !details && (filtered || !ctx.json()) {
                items = only_keys(items, ID_NAME);
            } else if details && !ctx.json() {
                drop_key(&mut items, "links");
            }
            print_list(
                ctx,
                items,
                ListStyle {
                    title: ID_NAME,
                    enumerate,
                    more,
                    limit: number,
                },
            )
        }
        FlavorCmd::Info { flavor_id } => {
            let compute = compute(ctx).await?;
            let reply = compute
                .flavors_get(Some(&flavor_id), false, &ListFlavorsOptions::default())
                .await
                .map_err(not_found("flavor", &flavor_id, "kamaki flavor list"))?;
            ctx.out.print_value(&raw_reply(&reply, "flavor")?)
        }
    }
}
