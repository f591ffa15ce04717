//! `kamaki file`: the objects of a container.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::pithos::{ContainerGet, HashmapOptions, ObjectHead};
use kamaki::clients::storage::{headers_of, ListedObject};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::common::{
    confirm, headers_are_dir, headers_value, http_date, not_modified, object_lines, parse_date_arg,
    print_text, to_value, until_param, version_date, FileTarget, Target,
};
use super::copy::{self, CopyArgs};
use super::download::{self, CatArgs, DownloadArgs};
use super::edit::{self, OverwriteArgs};
use super::upload::{self, absolute_url, UploadArgs};
use crate::commands::common::{drop_empty, key_values, NameFilter};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `file` commands.
#[derive(Debug, Subcommand)]
pub enum FileCmd {
    /// List the objects of a container or of a directory.
    List(ListArgs),
    /// Details on an object: its headers, hashmap, permissions, metadata or versions.
    Info(InfoArgs),
    /// Change an object's permissions or metadata.
    Modify(ModifyArgs),
    /// Publish an object and print its public URL.
    Publish {
        /// The object.
        path_or_url: String,
        #[command(flatten)]
        target: FileTarget,
    },
    /// Stop publishing an object.
    Unpublish {
        /// The object.
        path_or_url: String,
        #[command(flatten)]
        target: FileTarget,
    },
    /// Create an empty object.
    Create {
        /// The new object.
        path_or_url: String,
        /// Its content type.
        #[arg(long = "content-type", default_value = "application/octet-stream")]
        content_type: String,
        #[command(flatten)]
        target: FileTarget,
    },
    /// Create a directory object.
    Mkdir {
        /// The new directory.
        path_or_url: String,
        #[command(flatten)]
        target: FileTarget,
    },
    /// Delete an object (or, given a container only, every object in it).
    Delete(DeleteArgs),
    /// Copy objects, also between containers and accounts.
    Copy(CopyArgs),
    /// Move objects, also between containers and accounts.
    Move(CopyArgs),
    /// Append a local file to an existing object.
    Append {
        /// The local file.
        local_path: PathBuf,
        /// The object.
        remote_path_or_url: String,
        /// No progress bar.
        #[arg(short = 'N', long = "no-progress-bar")]
        no_progress_bar: bool,
        /// Accepted for kamaki's scripts: appends go in order, one block at a time.
        #[arg(long, value_name = "N", hide = true)]
        threads: Option<u16>,
        #[command(flatten)]
        target: FileTarget,
    },
    /// Cut an object to a size.
    Truncate {
        /// The object.
        path_or_url: String,
        /// Its size after the cut, in bytes.
        #[arg(long = "size", value_name = "BYTES", required = true)]
        size: u64,
        #[command(flatten)]
        target: FileTarget,
    },
    /// Overwrite bytes FROM to TO of an object with the start of a local file.
    Overwrite(OverwriteArgs),
    /// Upload a file (or, with -r, a directory).
    Upload(UploadArgs),
    /// Print an object's contents on stdout.
    Cat(CatArgs),
    /// Download an object (or, with -r, a directory or a container).
    Download(DownloadArgs),
}

/// `file list` options.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// A container, a directory or a prefix (default: the default container).
    path_or_url: Option<String>,
    /// Every field.
    #[arg(short = 'l', long = "list")]
    details: bool,
    /// At most this many objects.
    #[arg(short = 'n', long = "number", value_name = "N")]
    number: Option<u32>,
    /// Only objects after this name.
    #[arg(long)]
    marker: Option<String>,
    /// Group names at this character (e.g. /: one directory level).
    #[arg(long)]
    delimiter: Option<String>,
    /// Only objects with these metadata keys: KEY[,KEY...] (also !KEY, KEY=VALUE).
    #[arg(long, value_name = "KEYS")]
    meta: Option<String>,
    /// Only if modified since this date.
    #[arg(long = "if-modified-since", value_name = "DATE", value_parser = parse_date_arg)]
    if_modified_since: Option<OffsetDateTime>,
    /// Only if not modified since this date.
    #[arg(long = "if-unmodified-since", value_name = "DATE", value_parser = parse_date_arg)]
    if_unmodified_since: Option<OffsetDateTime>,
    /// As things were at this date (see --format).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// The format of --until, strftime style (e.g. "%d/%m/%Y %H:%M:%S").
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
    /// Only objects shared with other users.
    #[arg(long = "shared-by-me")]
    shared_by_me: bool,
    /// Only published objects.
    #[arg(long)]
    public: bool,
    /// Show the results through a pager.
    #[arg(long)]
    more: bool,
    /// Number the results.
    #[arg(long)]
    enumerate: bool,
    /// Everything below the path, at any depth (the default unless --delimiter).
    #[arg(short = 'r', long)]
    recursive: bool,
    #[command(flatten)]
    names: NameFilter,
    #[command(flatten)]
    target: FileTarget,
}

/// `file info` options.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The object.
    path_or_url: String,
    /// This version of the object.
    #[arg(long = "object-version", value_name = "VERSION")]
    object_version: Option<String>,
    /// Its hashmap (block size, hash and list).
    #[arg(long)]
    hashmap: bool,
    /// Only if the object's ETag is this.
    #[arg(long = "if-match", value_name = "ETAG")]
    if_match: Option<String>,
    /// Only if the object's ETag is not this.
    #[arg(long = "if-none-match", value_name = "ETAG")]
    if_none_match: Option<String>,
    /// Only if modified since this date.
    #[arg(long = "if-modified-since", value_name = "DATE", value_parser = parse_date_arg)]
    if_modified_since: Option<OffsetDateTime>,
    /// Only if not modified since this date.
    #[arg(long = "if-unmodified-since", value_name = "DATE", value_parser = parse_date_arg)]
    if_unmodified_since: Option<OffsetDateTime>,
    /// Its permissions and public URL.
    #[arg(long)]
    sharing: bool,
    /// Only its metadata.
    #[arg(long)]
    metadata: bool,
    /// The list of its versions.
    #[arg(long = "object-versions")]
    versions: bool,
    #[command(flatten)]
    target: FileTarget,
}

/// `file modify` options.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("change").required(true).multiple(true)
    .args(["read_permission", "write_permission", "no_permissions", "metadata_add", "metadata_del"])))]
pub struct ModifyArgs {
    /// The object.
    path_or_url: String,
    /// Give read access to a user (UUID), a group (UUID:GROUP) or everyone (*) (repeatable, added to those it has).
    #[arg(long = "read-permission", value_name = "ID")]
    read_permission: Vec<String>,
    /// Give write access to a user (UUID), a group (UUID:GROUP) or everyone (*) (repeatable, added to those it has).
    #[arg(long = "write-permission", value_name = "ID")]
    write_permission: Vec<String>,
    /// Remove every permission.
    #[arg(long = "no-permissions", conflicts_with_all = ["read_permission", "write_permission"])]
    no_permissions: bool,
    /// Add metadata KEY=VALUE (repeatable).
    #[arg(long = "metadata-add", value_name = "KEY=VALUE")]
    metadata_add: Vec<String>,
    /// Delete the metadata KEY (repeatable).
    #[arg(long = "metadata-del", value_name = "KEY")]
    metadata_del: Vec<String>,
    #[command(flatten)]
    target: FileTarget,
}

/// `file delete` options.
#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// The object (a container alone: every object in it).
    path_or_url: String,
    /// Only its history up to this date.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    until: Option<OffsetDateTime>,
    /// Do not ask for confirmation.
    #[arg(long)]
    yes: bool,
    /// A directory with everything in it.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Also delete the objects named <object><delimiter>...
    #[arg(long)]
    delimiter: Option<String>,
    #[command(flatten)]
    target: FileTarget,
}

/// Runs a `file` command.
pub async fn run(ctx: &mut Ctx, cmd: FileCmd) -> CliResult {
    match cmd {
        FileCmd::List(args) => list(ctx, args).await,
        FileCmd::Info(args) => info(ctx, args).await,
        FileCmd::Modify(args) => modify(ctx, args).await,
        FileCmd::Publish {
            path_or_url,
            target,
        } => edit::publish(ctx, &target, &path_or_url).await,
        FileCmd::Unpublish {
            path_or_url,
            target,
        } => edit::unpublish(ctx, &target, &path_or_url).await,
        FileCmd::Create {
            path_or_url,
            content_type,
            target,
        } => edit::create(ctx, &target, &path_or_url, &content_type).await,
        FileCmd::Mkdir {
            path_or_url,
            target,
        } => edit::mkdir(ctx, &target, &path_or_url).await,
        FileCmd::Delete(args) => delete(ctx, args).await,
        FileCmd::Copy(args) => copy::run(ctx, args, false).await,
        FileCmd::Move(args) => copy::run(ctx, args, true).await,
        FileCmd::Append {
            local_path,
            remote_path_or_url,
            no_progress_bar,
            threads: _,
            target,
        } => {
            edit::append(
                ctx,
                &target,
                &local_path,
                &remote_path_or_url,
                no_progress_bar,
            )
            .await
        }
        FileCmd::Truncate {
            path_or_url,
            size,
            target,
        } => edit::truncate(ctx, &target, &path_or_url, size).await,
        FileCmd::Overwrite(args) => edit::overwrite(ctx, args).await,
        FileCmd::Upload(args) => upload::run(ctx, args).await,
        FileCmd::Cat(args) => download::cat(ctx, args).await,
        FileCmd::Download(args) => download::download(ctx, args).await,
    }
}

/// Parses a date in a strftime-style format (the common directives:
/// %Y %y %m %d %H %M %S %b %%), in the local time `zone`.
fn parse_with_format(
    text: &str,
    format: &str,
    zone: &jiff::tz::TimeZone,
) -> CliResult<OffsetDateTime> {
    let mut description = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            if c == '[' {
                description.push_str("[[");
            } else {
                description.push(c);
            }
            continue;
        }
        let item = match chars.next() {
            Some('Y') => "[year]",
            Some('y') => "[year repr:last_two]",
            Some('m') => "[month]",
            Some('d') => "[day]",
            Some('H') => "[hour]",
            Some('M') => "[minute]",
            Some('S') => "[second]",
            Some('b') => "[month repr:short]",
            Some('%') => "%",
            other => {
                return Err(CliError::new(format!(
                    "unsupported directive %{} in --format {format:?}: use %Y %y %m %d %H %M %S %b",
                    other.map(String::from).unwrap_or_default()
                )))
            }
        };
        description.push_str(item);
    }
    let bad = |e: &dyn std::fmt::Display| {
        CliError::new(format!("invalid date {text:?} for format {format:?}: {e}"))
    };
    let items = time::format_description::parse_borrowed::<1>(&description).map_err(|e| bad(&e))?;
    let mut parsed = time::parsing::Parsed::new();
    let rest = parsed
        .parse_items(text.trim().as_bytes(), &items)
        .map_err(|e| bad(&e))?;
    if !rest.is_empty() {
        return Err(bad(&"text after the date"));
    }
    let date = time::Date::from_calendar_date(
        parsed.year().ok_or_else(|| bad(&"no year"))?,
        parsed.month().ok_or_else(|| bad(&"no month"))?,
        parsed.day().map(u8::from).ok_or_else(|| bad(&"no day"))?,
    )
    .map_err(|e| bad(&e))?;
    let clock = time::Time::from_hms(
        parsed.hour_24().unwrap_or(0),
        parsed.minute().unwrap_or(0),
        parsed.second().unwrap_or(0),
    )
    .map_err(|e| bad(&e))?;
    Ok(crate::local_time::assume_in(
        time::PrimitiveDateTime::new(date, clock),
        zone,
    ))
}

/// `file list`: the objects under a path (or of a container).
async fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let location = args.path_or_url.clone().unwrap_or_default();
    let target = Target::location(ctx, &args.target, &location).await?;
    let options = list_options(&args, &target)?;
    let client = &target.client;
    let listed = if options.limit.is_some() {
        target
            .on_container(client.list_container_objects(&options))
            .await?
    } else {
        target
            .on_container(client.list_all_objects(&options))
            .await?
    };
    let listed: Vec<ListedObject> = listed
        .into_iter()
        .filter(|o| {
            o.as_object().is_none()
                || !args
                    .names
                    .apply(vec![json!({ "name": o.name() })])
                    .is_empty()
        })
        .collect();
    if listed.is_empty() {
        say_empty(ctx, &target).await?;
    }
    if ctx.json() {
        // What the server sent, field for field (the typed listing decided
        // which entries).
        let keep = listed.iter().map(|o| o.name().to_string()).collect();
        let raw = super::common::raw_listing(options.limit.is_some(), &keep, |marker| {
            let options = ContainerGet {
                format: kamaki::clients::pithos::Format::Json,
                marker: marker.or_else(|| options.marker.clone()),
                ..options.clone()
            };
            async move {
                client
                    .container_get_request(&options)?
                    .success(&[200, 204, 304])
                    .send()
                    .await
            }
        })
        .await?;
        return ctx.out.print_value(&Value::Array(raw));
    }
    let text = object_lines(&listed, args.details, args.enumerate)?;
    print_text(&text, args.more)
}

/// The listing `file list` asks for: the objects under the target's path,
/// with the filters and conditions given.
fn list_options(args: &ListArgs, target: &Target) -> CliResult<ContainerGet> {
    let until = match (&args.until, &args.format) {
        (Some(text), Some(format)) => Some(parse_with_format(
            text,
            format,
            &crate::local_time::system_zone(),
        )?),
        (Some(text), None) => Some(crate::args::parse_date(text)?),
        (None, _) => None,
    };
    let meta: Vec<String> = args
        .meta
        .iter()
        .flat_map(|m| m.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect();
    Ok(ContainerGet {
        limit: args.number,
        marker: args.marker.clone(),
        prefix: (!target.path.is_empty()).then(|| target.path.clone()),
        delimiter: args.delimiter.clone(),
        meta,
        show_only_shared: args.shared_by_me,
        public: args.public,
        until: until.as_ref().map(until_param),
        if_modified_since: args.if_modified_since.as_ref().map(http_date),
        if_unmodified_since: args.if_unmodified_since.as_ref().map(http_date),
        ..ContainerGet::default()
    })
}

/// Says that nothing is listed (on stderr, unless the output is JSON):
/// the container or the directory is empty; a path that is not a
/// directory is an error.
async fn say_empty(ctx: &Ctx, target: &Target) -> CliResult {
    let client = &target.client;
    if target.path.is_empty() {
        if !ctx.json() {
            eprintln!("Container \"{}\" is empty", target.container);
        }
    } else {
        // `dir/` names the directory object `dir`.
        let named = target.at(target.path.trim_end_matches('/'));
        let info = named
            .on_object(client.get_object_info(&named.path, None))
            .await?;
        if !headers_are_dir(&info) {
            return Err(CliError::new(format!(
                "Object {} is not a directory: see kamaki file info {}",
                named.display(),
                named.display()
            )));
        }
        if !ctx.json() {
            eprintln!("Directory {} is empty", named.display());
        }
    }
    Ok(())
}

async fn info(ctx: &mut Ctx, args: InfoArgs) -> CliResult {
    let target = Target::object(ctx, &args.target, &args.path_or_url).await?;
    let client = &target.client;
    let path = &target.path;
    let value = if args.hashmap {
        let options = HashmapOptions {
            version: args.object_version.clone(),
            if_match: args.if_match.clone(),
            if_none_match: args.if_none_match.clone(),
            if_modified_since: args.if_modified_since.as_ref().map(http_date),
            if_unmodified_since: args.if_unmodified_since.as_ref().map(http_date),
        };
        match target
            .on_object(client.get_object_hashmap(path, &options))
            .await?
        {
            Some(hashmap) => to_value(&hashmap)?,
            None => return Err(not_modified(&target.display())),
        }
    } else if args.sharing {
        let info = target
            .on_object(client.get_object_info(path, args.object_version.as_deref()))
            .await?;
        let sharing = match info.get("x-object-sharing") {
            Some(value) => kamaki::clients::pithos::Sharing::parse(value)?,
            None => Default::default(),
        };
        let public = info
            .get("x-object-public")
            .filter(|u| !u.is_empty())
            .map(|u| absolute_url(client.endpoint_url(), u));
        let value = json!({
            "read": sharing.read.join(","),
            "write": sharing.write.join(","),
            "public url": public,
        });
        if ctx.json() {
            value
        } else {
            drop_empty(value)
        }
    } else if args.versions {
        let versions = target
            .on_object(client.get_object_versionlist(path))
            .await?;
        let list: Vec<Value> = versions
            .iter()
            .map(|v| json!({"version_id": v.id, "created": version_date(v.timestamp)}))
            .collect();
        json!({ target.display(): list })
    } else {
        let head = ObjectHead {
            version: args.object_version.clone(),
            if_etag_match: args.if_match.clone(),
            if_etag_not_match: args.if_none_match.clone(),
            if_modified_since: args.if_modified_since.as_ref().map(http_date),
            if_unmodified_since: args.if_unmodified_since.as_ref().map(http_date),
        };
        let reply = target.on_object(client.object_head(path, &head)).await?;
        let headers = headers_of(&reply);
        if args.metadata {
            headers_value(&headers, Some("x-object-meta-"))
        } else {
            headers_value(&headers, None)
        }
    };
    ctx.out.print_value(&value)
}

async fn modify(ctx: &mut Ctx, args: ModifyArgs) -> CliResult {
    let target = Target::object(ctx, &args.target, &args.path_or_url).await?;
    let client = &target.client;
    let path = &target.path;
    let mut result = Map::new();
    if !args.read_permission.is_empty() || !args.write_permission.is_empty() {
        let mut sharing = target.on_object(client.get_object_sharing(path)).await?;
        sharing.read.extend(args.read_permission.iter().cloned());
        sharing.write.extend(args.write_permission.iter().cloned());
        target
            .on_object(client.set_object_sharing(path, &sharing.read, &sharing.write))
            .await?;
    }
    if args.no_permissions {
        target.on_object(client.del_object_sharing(path)).await?;
    }
    if !args.read_permission.is_empty() || !args.write_permission.is_empty() || args.no_permissions
    {
        let now = target.on_object(client.get_object_sharing(path)).await?;
        result.insert(
            "sharing".into(),
            json!({"read": now.read.join(","), "write": now.write.join(",")}),
        );
    }
    let mut metadata = key_values(&args.metadata_add)?;
    for key in &args.metadata_del {
        metadata.insert(key.clone(), String::new());
    }
    if !metadata.is_empty() {
        target
            .on_object(client.set_object_meta(path, &metadata))
            .await?;
        let now = target.on_object(client.get_object_meta(path, None)).await?;
        result.insert("metadata".into(), headers_value(&now, None));
    }
    if ctx.json() {
        return ctx.out.print_value(&Value::Object(result));
    }
    for key in ["sharing", "metadata"] {
        let Some(value) = result.get(key) else {
            continue;
        };
        let value = drop_empty(value.clone());
        if value.as_object().is_some_and(|m| !m.is_empty()) {
            ctx.out.print_value(&value)?;
        }
    }
    Ok(())
}

async fn delete(ctx: &mut Ctx, args: DeleteArgs) -> CliResult {
    let target = Target::location(ctx, &args.target, &args.path_or_url).await?;
    let client = &target.client;
    let until = args.until.as_ref().map(until_param);
    if target.path.is_empty() {
        // The whole container: its objects go (kamaki sent the container's
        // name as `until` here).
        target
            .on_container(client.get_container_info(None, None))
            .await?;
        if !confirm(&format!("Empty container {} ?", target.display()), args.yes) {
            return Err(CliError::aborted());
        }
        target
            .on_container(client.del_container(until.as_deref(), Some("/")))
            .await?;
        return Ok(());
    }
    let path = &target.path;
    target.on_object(client.get_object_info(path, None)).await?;
    if !confirm(&format!("Delete {} ?", target.display()), args.yes) {
        return Err(CliError::aborted());
    }
    let prefix = format!("{}/", path.trim_end_matches('/'));
    let under = target
        .on_container(client.list_all_objects(&ContainerGet {
            prefix: Some(prefix.clone()),
            ..ContainerGet::default()
        }))
        .await?;
    if !under.is_empty() {
        let count = under.len();
        eprintln!(" * {count} other object(s) with {prefix} as prefix found");
        if args.recursive {
            eprintln!(" * The above {count} object(s) will be deleted, too!");
        } else {
            eprintln!(
                " * The above {count} object(s) will be preserved, but the directory structure will become inconsistent!"
            );
        }
        if !confirm("Continue?", args.yes) {
            return Err(CliError::aborted());
        }
    }
    let delimiter = if args.recursive {
        Some("/".to_string())
    } else {
        args.delimiter.clone()
    };
    target
        .on_object(client.del_object(path, until.as_deref(), delimiter.as_deref()))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_dates_in_a_given_format() {
        let utc = jiff::tz::TimeZone::UTC;
        let date = parse_with_format("02/01/2024 10:00:00", "%d/%m/%Y %H:%M:%S", &utc).unwrap();
        assert_eq!(date.unix_timestamp(), 1_704_189_600);
        let date = parse_with_format("2024-01-02", "%Y-%m-%d", &utc).unwrap();
        assert_eq!(date.unix_timestamp(), 1_704_153_600);
        assert!(parse_with_format("2024-01-02", "%d/%m/%Y", &utc).is_err());
        assert!(parse_with_format("x", "%Q", &utc).is_err());
    }
}
