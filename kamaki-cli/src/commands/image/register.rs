//! `image register` and `image info --hashmap`: the image file in Pithos,
//! its upload, and the `<object>.meta` file kept next to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kamaki::clients::image::{ImageClient, ImageMeta, RegisterParams};
use kamaki::clients::pithos::{ContainerInfoCache, HashmapOptions, Sharing, UploadOptions};
use serde_json::Value;

use super::{client, key_value, meta_value};
use crate::args::Location;
use crate::commands::common::{annotate_users, uuid_of};
use crate::commands::pithos::common::Target;
use crate::commands::pithos::transfer::Bars;
use crate::commands::pithos::upload::{check_file_destination, upload_with_bars};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `image register` options.
#[derive(Debug, clap::Args)]
pub struct RegisterArgs {
    /// The name of the image.
    #[arg(long, required = true)]
    name: String,
    /// Where the image file is (or goes): pithos://UUID/CONTAINER/PATH or
    /// /CONTAINER/PATH (or PATH with -C CONTAINER).
    #[arg(long, required = true, value_name = "LOCATION")]
    location: String,
    /// The image file's checksum.
    #[arg(long)]
    checksum: Option<String>,
    /// The container format (default bare).
    #[arg(long = "container-format")]
    container_format: Option<String>,
    /// The disk format (default diskdump).
    #[arg(long = "disk-format")]
    disk_format: Option<String>,
    /// A property (KEY=VALUE; may repeat).
    #[arg(short = 'p', long = "property", value_name = "KEY=VALUE", value_parser = key_value)]
    property: Vec<(String, String)>,
    /// Make the image public.
    #[arg(long)]
    public: bool,
    /// The image file's size in bytes.
    #[arg(long, value_name = "INT")]
    size: Option<u64>,
    /// Load metadata from this JSON file ({"key": "value", ...,
    /// "properties": {...}}); options override it.
    #[arg(long, value_name = "FILE")]
    metafile: Option<PathBuf>,
    /// Overwrite the remote image file and metadata file.
    #[arg(short = 'f', long)]
    force: bool,
    /// Do not save the metadata in a remote <object>.meta file.
    #[arg(long = "no-metafile-upload")]
    no_metafile_upload: bool,
    /// Upload this local file to the location first.
    #[arg(long = "upload-image-file", value_name = "LOCAL")]
    upload_image_file: Option<PathBuf>,
    /// Do not show progress bars.
    #[arg(long = "no-progress-bar")]
    no_progress_bar: bool,
    /// The account of a /CONTAINER/PATH location, by user name (kamaki
    /// accepted it and did nothing).
    #[arg(long = "owner-name", value_name = "NAME")]
    owner_name: Option<String>,
    /// The container of a location that names none (kamaki accepted it and
    /// did nothing).
    #[arg(short = 'C', long, value_name = "CONTAINER")]
    container: Option<String>,
    /// The account of a /CONTAINER/PATH location, by uuid (kamaki accepted
    /// it and did nothing).
    #[arg(long, value_name = "UUID")]
    uuid: Option<String>,
}

/// Chooses one of two values given for the same thing, or fails.
fn one_of(first: Option<String>, second: Option<String>, what: &str) -> CliResult<Option<String>> {
    match (first, second) {
        (Some(a), Some(b)) if a != b => Err(CliError::new(format!(
            "Conflicting {what}s {a:?} and {b:?}: give one"
        ))),
        (a, b) => Ok(a.or(b)),
    }
}

/// Where the image file is (or goes), as the Pithos commands address it.
async fn target(ctx: &mut Ctx, args: &RegisterArgs) -> CliResult<Target> {
    let location = Location::parse(&args.location)?;
    let container = one_of(location.container, args.container.clone(), "container")?
        .ok_or_else(|| {
            CliError::new(format!(
                "Invalid Pithos location {}: no container (use pithos://UUID/CONTAINER/PATH, /CONTAINER/PATH, or -C CONTAINER)",
                args.location
            ))
        })?;
    let named = match &args.owner_name {
        Some(name) => Some(uuid_of(ctx, name).await?),
        None => None,
    };
    let given = one_of(
        one_of(location.account, args.uuid.clone(), "account")?,
        named,
        "account",
    )?;
    let foreign = given.is_some();
    let account = match given {
        Some(account) => account,
        None => ctx.astakos()?.user_info().await?.id,
    };
    let object = if location.path.is_empty() {
        args.upload_image_file
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        location.path
    };
    if object.is_empty() {
        return Err(CliError::new(format!(
            "Missing the image file or object: {} names no object (give /CONTAINER/PATH, or --upload-image-file LOCAL_PATH)",
            args.location
        )));
    }
    Target::of(ctx, account, &container, &object, foreign).await
}

/// The metadata and properties of a `--metafile` (the `.meta` file a
/// register saved, or one written by hand): keys lower-cased with `-` as
/// `_`; `name` and `location` are the options'.
fn load_metafile(path: &Path) -> CliResult<(RegisterParams, BTreeMap<String, String>)> {
    let bad = |why: String| {
        CliError::new(format!(
            "Invalid json metadata config file {}: {why}",
            path.display()
        ))
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let Value::Object(map) = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))? else {
        return Err(bad("not a JSON object".into()));
    };
    let scalar = |key: &str, v: &Value| -> CliResult<String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Object(_) | Value::Array(_) => Err(bad(format!("invalid value of {key}"))),
            Value::Null => Ok(String::new()),
            other => Ok(other.to_string()),
        }
    };
    let mut params = RegisterParams::default();
    let mut properties = BTreeMap::new();
    for (key, value) in &map {
        let key = key.to_lowercase().replace('-', "_");
        if key == "properties" {
            let Value::Object(props) = value else {
                return Err(bad("properties is not an object".into()));
            };
            for (k, v) in props {
                properties.insert(k.to_uppercase().replace('-', "_"), scalar(k, v)?);
            }
            continue;
        }
        let text = scalar(&key, value)?;
        let text = Some(text).filter(|t| !t.is_empty());
        match key.as_str() {
            "store" => params.store = text,
            "disk_format" => params.disk_format = text,
            "container_format" => params.container_format = text,
            "checksum" => params.checksum = text,
            "owner" => params.owner = text,
            "size" => {
                params.size = match text {
                    Some(t) => Some(t.parse().map_err(|_| bad(format!("size {t:?}")))?),
                    None => None,
                }
            }
            "is_public" => {
                params.is_public = text.map(|t| t.eq_ignore_ascii_case("true"));
            }
            // The registry sets the rest (id, status, dates...).
            _ => {}
        }
    }
    Ok((params, properties))
}

/// Runs `image register`.
pub async fn run(ctx: &mut Ctx, args: RegisterArgs) -> CliResult {
    let target = target(ctx, &args).await?;
    let cache = ContainerInfoCache::new();
    if let Some(local) = &args.upload_image_file {
        let size = std::fs::metadata(local)
            .map_err(|e| CliError::new(format!("cannot read {}: {e}", local.display())))?
            .len();
        check_file_destination(&target, &target.path, false, "", args.force).await?;
        let options = UploadOptions {
            container_info_cache: Some(cache.clone()),
            ..UploadOptions::default()
        };
        let bars = Bars::new(args.no_progress_bar);
        upload_with_bars(&target, local, size, &bars, None, options).await?;
    }
    let (mut params, mut properties) = match &args.metafile {
        Some(path) => load_metafile(path)?,
        None => Default::default(),
    };
    // Options override the file (kamaki overwrote the file's values with
    // the options' defaults too).
    params.checksum = args.checksum.clone().or(params.checksum);
    params.container_format = args.container_format.clone().or(params.container_format);
    params.disk_format = args.disk_format.clone().or(params.disk_format);
    params.size = args.size.or(params.size);
    if args.public {
        params.is_public = Some(true);
    }
    for (k, v) in &args.property {
        properties.insert(k.to_uppercase().replace('-', "_"), v.clone());
    }
    let meta_path = format!("{}.meta", target.path);
    if !args.no_metafile_upload {
        check_file_destination(&target, &meta_path, false, "", args.force).await?;
    }
    let image = client(ctx).await?;
    let location = ImageClient::location(&target.account, &target.container, &target.path);
    let meta = image
        .register(&args.name, &location, &params, &properties)
        .await
        .map_err(|e| match e.status() {
            400 | 404 => CliError::new(format!(
                "Nonexistent image file location {location} ({e}): does {} exist? Upload it with --upload-image-file LOCAL or kamaki file upload",
                target.display()
            )),
            _ => e.into(),
        })?;
    let value = meta_value(&meta);
    if ctx.json() {
        ctx.out.print_value(&value)?;
    } else {
        let mut shown = [value.clone()];
        annotate_users(ctx, &mut shown, &["owner"]).await;
        ctx.out.print_value(&shown[0])?;
    }
    if !args.no_metafile_upload {
        upload_metafile(&target, &meta_path, &value, &cache).await?;
    }
    Ok(())
}

/// Saves the registered metadata as `<object>.meta`, shared as the image
/// file is.
async fn upload_metafile(
    target: &Target,
    meta_path: &str,
    value: &Value,
    cache: &ContainerInfoCache,
) -> CliResult {
    let pithos = &target.client;
    let sharing: Sharing = target
        .on_object(pithos.get_object_sharing(&target.path))
        .await?;
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::new(format!("Failed to dump metafile: {e}")))?;
    let options = UploadOptions {
        sharing: Some(sharing).filter(|s| !s.is_empty()),
        container_info_cache: Some(cache.clone()),
        ..UploadOptions::default()
    };
    let headers = pithos
        .upload_from_string(meta_path, text, &options)
        .await
        .map_err(|e| target.container_error(e))?;
    eprintln!(
        "Metadata file uploaded as {} (version {})",
        target.display_path(meta_path),
        headers
            .get("x-object-version")
            .map(String::as_str)
            .unwrap_or("unknown")
    );
    Ok(())
}

/// `image info --hashmap`: the image file's location, then its hashmap
/// (in JSON, one object: the hashmap with a `location` key).
pub async fn print_hashmap(ctx: &mut Ctx, meta: &ImageMeta) -> CliResult {
    let location = meta
        .location
        .clone()
        .ok_or_else(|| CliError::new(format!("Image {} has no location", meta.id)))?;
    let parsed = Location::parse(&location)?;
    let (Some(account), Some(container)) = (parsed.account, parsed.container) else {
        return Err(CliError::new(format!(
            "Image {} has an unexpected location {location}",
            meta.id
        )));
    };
    let target = Target::of(ctx, account, &container, &parsed.path, false).await?;
    let hashmap = target
        .client
        .get_object_hashmap(&target.path, &HashmapOptions::default())
        .await?
        .ok_or_else(|| CliError::new(format!("No hashmap for {location}")))?;
    let mut value = serde_json::to_value(&hashmap)
        .map_err(|e| CliError::new(format!("cannot render the hashmap: {e}")))?;
    if ctx.json() {
        if let Value::Object(map) = &mut value {
            map.insert("location".into(), Value::String(location));
        }
    } else {
        println!("{location}");
    }
    ctx.out.print_value(&value)
}
