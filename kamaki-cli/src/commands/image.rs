//! `kamaki image`: the Image registry (Plankton): list, info, modify,
//! register, unregister.

mod register;

use std::collections::BTreeMap;

use clap::Subcommand;
use kamaki::clients::image::{ImageClient, ImageFilter, ImageMeta, ImageUpdate};
use kamaki::clients::ClientError;
use serde_json::Value;

use crate::args::parse_key_value;
use crate::commands::common::{
    annotate_users, keep_equal, metadata_matches, only_keys, print_list, to_values, uuid_of,
    IdFilter, ListStyle, NameFilter, ID_NAME,
};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::format_size;

pub use register::RegisterArgs;

/// `image` commands.
#[derive(Debug, Subcommand)]
pub enum ImageCmd {
    /// List the images the user may use (own, shared, public).
    List(Box<ListArgs>),
    /// An image's metadata.
    Info {
        /// The image id.
        image_id: String,
        /// Print the image file's location and Pithos hashmap instead.
        #[arg(long)]
        hashmap: bool,
    },
    /// Change an image's metadata, properties and members (values not
    /// given are kept).
    Modify(ModifyArgs),
    /// Register a Pithos object (uploaded first with --upload-image-file)
    /// as an image; its metadata are saved as <object>.meta next to it.
    Register(Box<RegisterArgs>),
    /// Unregister an image (its file stays in Pithos).
    Unregister {
        /// The image id.
        image_id: String,
    },
}

/// `image modify` options.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("change").required(true).multiple(true).args([
    "name", "disk_format", "container_format", "status", "public", "private",
    "property_set", "property_del", "member_add", "member_del"])))]
pub struct ModifyArgs {
    /// The image id.
    image_id: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// A new disk format.
    #[arg(long = "disk-format")]
    disk_format: Option<String>,
    /// A new container format.
    #[arg(long = "container-format")]
    container_format: Option<String>,
    /// A new status.
    #[arg(long)]
    status: Option<String>,
    /// Make the image public.
    #[arg(long, conflicts_with = "private")]
    public: bool,
    /// Make the image private.
    #[arg(long)]
    private: bool,
    /// Set a property (KEY=VALUE; may repeat).
    #[arg(short = 'p', long = "property-set", value_name = "KEY=VALUE", value_parser = key_value)]
    property_set: Vec<(String, String)>,
    /// Delete a property (may repeat).
    #[arg(long = "property-del", value_name = "KEY")]
    property_del: Vec<String>,
    /// Share the image with a user (uuid; may repeat).
    #[arg(long = "member-add", value_name = "UUID")]
    member_add: Vec<String>,
    /// Stop sharing the image with a user (uuid; may repeat).
    #[arg(long = "member-del", value_name = "UUID")]
    member_del: Vec<String>,
}

/// `image list` options.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Every field (and owner names).
    #[arg(short = 'l', long)]
    details: bool,
    /// Only images of this container format.
    #[arg(long = "container-format")]
    container_format: Option<String>,
    /// Only images of this disk format.
    #[arg(long = "disk-format")]
    disk_format: Option<String>,
    /// Only images of at least this size (bytes).
    #[arg(long = "size-min", value_name = "INT")]
    size_min: Option<u64>,
    /// Only images of at most this size (bytes).
    #[arg(long = "size-max", value_name = "INT")]
    size_max: Option<u64>,
    /// Only images in this status.
    #[arg(long)]
    status: Option<String>,
    /// Only images of this owner (uuid).
    #[arg(long, value_name = "UUID")]
    owner: Option<String>,
    /// Only images of this owner (user name).
    #[arg(long = "owner-name", value_name = "NAME")]
    owner_name: Option<String>,
    /// Order by FIELD (-FIELD: reversed).
    #[arg(
        long,
        value_name = "[-]FIELD",
        default_value = "",
        allow_hyphen_values = true
    )]
    order: String,
    /// Only the first N images.
    #[arg(short = 'n', long = "number", value_name = "N")]
    limit: Option<usize>,
    /// Show the list through a pager.
    #[arg(long)]
    more: bool,
    /// Number the images.
    #[arg(long)]
    enumerate: bool,
    /// Only images with this property (KEY=VALUE; may repeat).
    #[arg(long = "property", value_name = "KEY=VALUE", value_parser = key_value)]
    property: Vec<(String, String)>,
    /// Only images whose property KEY contains VALUE (may repeat).
    #[arg(long = "property-like", value_name = "KEY=VALUE", value_parser = key_value)]
    property_like: Vec<(String, String)>,
    /// List the members of this image instead.
    #[arg(long = "members-of", value_name = "IMAGE_ID")]
    members_of: Option<String>,
    #[command(flatten)]
    names: NameFilter,
    #[command(flatten)]
    ids: IdFilter,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    parse_key_value(text).map_err(|e| e.message)
}

/// The image client of the session.
async fn client(ctx: &mut Ctx) -> CliResult<ImageClient> {
    let cloud = ctx.global.cloud.clone();
    ctx.session
        .service::<ImageClient>(cloud.as_deref(), "plankton")
        .await
}

/// An error about an image id: no such image, or not the user's.
fn on_image(id: &str) -> impl FnOnce(ClientError) -> CliError + '_ {
    move |e| match e.status() {
        404 => CliError::new(format!(
            "No image with ID {id} ({e}): see kamaki image list"
        )),
        403 => CliError::new(format!(
            "No permission to change image {id} ({e}): only its owner may"
        )),
        _ => e.into(),
    }
}

/// Image metadata as one JSON object: fields, `properties`, and the other
/// `x-image-meta-*` headers at the top level.
pub(crate) fn meta_value(meta: &ImageMeta) -> Value {
    let mut value = serde_json::to_value(meta).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        if let Some(Value::Object(extra)) = map.remove("extra") {
            for (k, v) in extra {
                map.entry(k).or_insert(v);
            }
        }
    }
    value
}

/// An image's headers as kamaki 0.16 prints them: the `x-image-meta-`
/// headers by the rest of their name, and the `x-image-meta-property-`
/// ones (`-` read as `_`) under `properties`, values unquoted.
fn header_meta<'a>(headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Value {
    let mut meta = serde_json::Map::new();
    let mut properties = serde_json::Map::new();
    for (name, value) in headers {
        let Some(key) = name.strip_prefix("x-image-meta-") else {
            continue;
        };
        // Values URL-unquoted, as kamaki's HTTP layer gives them.
        let value = percent_encoding::percent_decode(value).decode_utf8_lossy();
        let value = Value::String(value.into_owned());
        match key.strip_prefix("property-") {
            Some(property) => {
                properties.insert(property.replace('-', "_"), value);
            }
            None => {
                meta.insert(key.to_string(), value);
            }
        }
    }
    meta.insert("properties".into(), Value::Object(properties));
    Value::Object(meta)
}

fn humanize_size(value: &mut Value) {
    if let Some(size) = value.get_mut("size") {
        if let Some(n) = size.as_u64() {
            *size = Value::String(format_size(n));
        }
    }
}

/// Runs an `image` command.
pub async fn run(ctx: &mut Ctx, cmd: ImageCmd) -> CliResult {
    match cmd {
        ImageCmd::List(args) => list(ctx, *args).await,
        ImageCmd::Info { image_id, hashmap } => info(ctx, &image_id, hashmap).await,
        ImageCmd::Modify(args) => modify(ctx, args).await,
        ImageCmd::Register(args) => register::run(ctx, *args).await,
        ImageCmd::Unregister { image_id } => {
            let image = client(ctx).await?;
            image
                .unregister(&image_id)
                .await
                .map_err(on_image(&image_id))
        }
    }
}

/// `image info`: the image's metadata with owner names and a readable
/// size (in JSON, its headers as kamaki prints them), or with `--hashmap`
/// its file's location and hashmap.
async fn info(ctx: &mut Ctx, image_id: &str, hashmap: bool) -> CliResult {
    let image = client(ctx).await?;
    if ctx.json() && !hashmap {
        // kamaki prints the reply's headers: `x-image-meta-` cut,
        // properties apart, every value a string.
        let reply = image
            .head(&format!("images/{image_id}"))
            .send()
            .await
            .map_err(on_image(image_id))?;
        let headers = reply.headers().iter();
        let meta = header_meta(headers.map(|(n, v)| (n.as_str(), v.as_bytes())));
        return ctx.out.print_value(&meta);
    }
    let meta = image.get_meta(image_id).await.map_err(on_image(image_id))?;
    if hashmap {
        return register::print_hashmap(ctx, &meta).await;
    }
    let mut value = [meta_value(&meta)];
    if !ctx.json() {
        annotate_users(ctx, &mut value, &["owner"]).await;
        humanize_size(&mut value[0]);
    }
    ctx.out.print_value(&value[0])
}

/// `image modify`: members added and removed, then the metadata and
/// properties changed in one update.
async fn modify(ctx: &mut Ctx, args: ModifyArgs) -> CliResult {
    let ModifyArgs {
        image_id,
        name,
        disk_format,
        container_format,
        status,
        public,
        private,
        property_set,
        property_del,
        member_add,
        member_del,
    } = args;
    let image = client(ctx).await?;
    for member in &member_add {
        if let Err(e) = image.add_member(&image_id, member).await {
            return Err(on_image(&image_id)(e));
        }
    }
    for member in &member_del {
        if let Err(e) = image.remove_member(&image_id, member).await {
            return Err(on_image(&image_id)(e));
        }
    }
    let meta = image
        .get_meta(&image_id)
        .await
        .map_err(on_image(&image_id))?;
    // kamaki sends every property again, keys upper-cased; a deleted
    // one goes as an empty value, which removes it (kamaki leaves it
    // out, and the registry, which merges, keeps it).
    let mut properties: BTreeMap<String, String> = meta
        .properties
        .into_iter()
        .map(|(k, v)| (k.to_uppercase(), v))
        .collect();
    for (k, v) in property_set {
        properties.insert(k.to_uppercase(), v);
    }
    for k in property_del {
        properties.insert(k.to_uppercase(), String::new());
    }
    let update = ImageUpdate {
        name,
        disk_format,
        container_format,
        status,
        public: if public {
            Some(true)
        } else if private {
            Some(false)
        } else {
            None
        },
        owner_id: None,
    };
    image
        .update_image(&image_id, &update, &properties)
        .await
        .map_err(on_image(&image_id))?;
    Ok(())
}

async fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let image = client(ctx).await?;
    if let Some(id) = &args.members_of {
        return members(ctx, &image, id).await;
    }
    let owner = match (&args.owner, &args.owner_name) {
        (Some(uuid), _) => Some(uuid.clone()),
        // An unknown name matches no image, as in kamaki.
        (None, Some(name)) => Some(uuid_of(ctx, name).await.unwrap_or_default()),
        (None, None) => None,
    };
    let exact: BTreeMap<String, String> = args.property.iter().cloned().collect();
    let like: BTreeMap<String, String> = args.property_like.iter().cloned().collect();
    let filtered = owner.is_some() || !exact.is_empty() || !like.is_empty();
    let filter = ImageFilter {
        name: args.names.name.clone(),
        container_format: args.container_format.clone(),
        disk_format: args.disk_format.clone(),
        status: args.status.clone(),
        size_min: args.size_min,
        size_max: args.size_max,
    };
    let images = image
        .list_public(args.details || filtered, &filter, &args.order)
        .await?;
    let mut images = to_values(&images)?;
    if let Some(owner) = &owner {
        images = keep_equal(images, "owner", owner);
    }
    if !exact.is_empty() || !like.is_empty() {
        images.retain(|i| {
            i.get("properties")
                .is_some_and(|p| metadata_matches(p, &exact, &like))
        });
    }
    let mut images = args.ids.apply(args.names.apply(images));
    if args.details && !ctx.json() {
        annotate_users(ctx, &mut images, &["owner"]).await;
    } else if !args.details {
        // The registry's short listing has these; the typed one adds
        // empty properties.
        images = only_keys(
            images,
            &[
                "id",
                "name",
                "status",
                "container_format",
                "disk_format",
                "size",
            ],
        );
    }
    if !ctx.json() {
        images.iter_mut().for_each(humanize_size);
    }
    let style = ListStyle {
        title: ID_NAME,
        enumerate: args.enumerate,
        more: args.more,
        limit: args.limit,
    };
    print_list(ctx, images, style)
}

/// `image list --members-of`.
async fn members(ctx: &mut Ctx, image: &ImageClient, image_id: &str) -> CliResult {
    let members = image
        .list_members(image_id)
        .await
        .map_err(on_image(image_id))?;
    let mut members = to_values(&members)?;
    if !ctx.json() {
        annotate_users(ctx, &mut members, &["member_id"]).await;
    }
    let style = ListStyle {
        title: &["member_id"],
        ..ListStyle::default()
    };
    print_list(ctx, members, style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_headers_join_the_fields() {
        let mut meta = ImageMeta {
            id: "i".into(),
            ..ImageMeta::default()
        };
        meta.extra.insert("store".into(), "pithos".into());
        let value = meta_value(&meta);
        assert_eq!(value["store"], "pithos");
        assert!(value.get("extra").is_none());
    }
}
