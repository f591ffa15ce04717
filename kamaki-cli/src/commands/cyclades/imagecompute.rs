//! `kamaki imagecompute`: images as the compute API shows them.

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::compute::ListImagesOptions;
use kamaki::clients::ClientError;

use super::compute;
use crate::commands::common::{
    annotate_users, keep_equal, key_values, metadata_matches, only_keys, print_list, raw_list,
    raw_reply, uuid_of, IdFilter, ListStyle, NameFilter, ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `imagecompute` commands.
#[derive(Debug, Subcommand)]
pub enum ImagecomputeCmd {
    /// List images.
    List(Box<ListArgs>),
    /// Detailed information on an image.
    Info {
        /// The image id.
        image_id: String,
    },
    /// Delete an image (WARNING: its file is also removed).
    Delete {
        /// The image id.
        image_id: String,
    },
    /// Modify image properties (metadata).
    #[command(group(ArgGroup::new("change").required(true).multiple(true).args(["property_add", "property_del"])))]
    Modify {
        /// The image id.
        image_id: String,
        /// Add a property KEY=VALUE (repeatable).
        #[arg(long = "property-add", value_name = "KEY=VALUE")]
        property_add: Vec<String>,
        /// Delete a property by key (repeatable).
        #[arg(long = "property-del", value_name = "KEY")]
        property_del: Vec<String>,
    },
}

/// `list` options.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Show every field.
    #[arg(short = 'l', long)]
    details: bool,
    /// List at most this many images.
    #[arg(short = 'n', long = "number", value_name = "N")]
    number: Option<usize>,
    /// Show the results through a pager.
    #[arg(long)]
    more: bool,
    /// Number the results.
    #[arg(long)]
    enumerate: bool,
    /// Only images of this user (uuid).
    #[arg(long = "user-id")]
    user_id: Option<String>,
    /// Only images of this user (name).
    #[arg(long = "user-name")]
    user_name: Option<String>,
    /// Only images with this metadata KEY=VALUE (repeatable).
    #[arg(long = "metadata", value_name = "KEY=VALUE")]
    metadata: Vec<String>,
    /// Only images whose metadata KEY contains VALUE (repeatable).
    #[arg(long = "metadata-like", value_name = "KEY=VALUE")]
    metadata_like: Vec<String>,
    #[command(flatten)]
    names: NameFilter,
    #[command(flatten)]
    ids: IdFilter,
}

fn image_error(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    move |e| {
        match e.status() {
        400 | 404 => CliError::new(format!(
            "No image with id {id} ({}): see kamaki image list",
            e.status()
        ))
        .detail(e.to_string()),
        403 | 405 => CliError::new(format!(
            "Insufficient permissions for this action ({}): see the owner with kamaki imagecompute info {id}",
            e.status()
        ))
        .detail(e.to_string()),
        _ => e.into(),
    }
    }
}

/// Runs an `imagecompute` command.
pub async fn run(ctx: &mut Ctx, cmd: ImagecomputeCmd) -> CliResult {
    match cmd {
        ImagecomputeCmd::List(args) => list(ctx, *args).await,
        ImagecomputeCmd::Info { image_id } => info(ctx, &image_id).await,
        ImagecomputeCmd::Delete { image_id } => {
            let compute = compute(ctx).await?;
            compute
                .delete_image(&image_id)
                .await
                .map_err(image_error(&image_id))
        }
        ImagecomputeCmd::Modify {
            image_id,
            property_add,
            property_del,
        } => modify(ctx, &image_id, &property_add, &property_del).await,
    }
}

/// `imagecompute list`: ids and names, or every field with `-l`; the
/// filters by user or metadata ask for every field.
async fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let ListArgs {
        details,
        number,
        more,
        enumerate,
        user_id,
        user_name,
        metadata,
        metadata_like,
        names,
        ids,
    } = args;
    let exact = key_values(&metadata)?;
    let like = key_values(&metadata_like)?;
    let user = match (user_id, user_name) {
        (Some(id), _) => Some(id),
        (None, Some(name)) => Some(uuid_of(ctx, &name).await?),
        (None, None) => None,
    };
    let detail = details || user.is_some() || !exact.is_empty() || !like.is_empty();
    let compute = compute(ctx).await?;
    let reply = compute
        .images_get(None, detail, &ListImagesOptions::default())
        .await?;
    let mut items = ids.apply(names.apply(raw_list(&reply, "images")?));
    if let Some(user) = &user {
        items = keep_equal(items, "user_id", user);
    }
    if !exact.is_empty() || !like.is_empty() {
        items.retain(|i| {
            i.get("metadata")
                .is_some_and(|m| metadata_matches(m, &exact, &like))
        });
    }
    if !details {
        items = only_keys(items, ID_NAME);
    } else if !ctx.json() {
        annotate_users(ctx, &mut items, &["user_id", "tenant_id"]).await;
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

/// `imagecompute info`: the image as the server sent it (with user names,
/// unless the output is JSON).
async fn info(ctx: &mut Ctx, image_id: &str) -> CliResult {
    let compute = compute(ctx).await?;
    let reply = compute
        .images_get(Some(image_id), false, &ListImagesOptions::default())
        .await
        .map_err(image_error(image_id))?;
    let mut value = raw_reply(&reply, "image")?;
    if !ctx.json() {
        annotate_users(ctx, std::slice::from_mut(&mut value), &["user_id"]).await;
    }
    ctx.out.print_value(&value)
}

/// `imagecompute modify`: properties added, then deleted (a missing one
/// named as such).
async fn modify(
    ctx: &mut Ctx,
    image_id: &str,
    property_add: &[String],
    property_del: &[String],
) -> CliResult {
    let add = key_values(property_add)?;
    let compute = compute(ctx).await?;
    if !add.is_empty() {
        compute
            .update_image_metadata(image_id, &add)
            .await
            .map_err(image_error(image_id))?;
    }
    for key in property_del {
        if let Err(e) = compute.delete_image_metadata(image_id, key).await {
            if e.status() == 404 && compute.get_image_details(image_id).await.is_ok() {
                return Err(CliError::new(format!(
                    "No property {key} on image {image_id} (404): see kamaki imagecompute info {image_id}"
                ))
                .detail(e.to_string()));
            }
            return Err(image_error(image_id)(e));
        }
    }
    Ok(())
}
