//! `kamaki container`: the containers of a Pithos account.

use std::collections::BTreeMap;

use clap::{ArgGroup, Args, Subcommand};
use kamaki::clients::pithos::{AccountGet, ContainerGet, ContainerPut};
use kamaki::clients::storage::{ContainerListing, ListedObject};
use kamaki::clients::{ClientError, Response};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::common::{
    confirm, container_lines, headers_value, http_date, object_lines, parse_date_arg,
    parse_size_arg, parse_versioning, print_text, until_param, AccountArg, Target,
};
use crate::commands::common::{key_values, NameFilter};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::format_size;

/// `container` commands.
#[derive(Debug, Subcommand)]
pub enum ContainerCmd {
    /// List the containers of the account, or the objects of one container.
    List(ListArgs),
    /// Details on a container (its headers).
    Info {
        /// The container.
        container: String,
        /// As it was at this date.
        #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
        until: Option<OffsetDateTime>,
        /// Only its metadata.
        #[arg(long)]
        metadata: bool,
        /// Only its size limit.
        #[arg(long = "size-limit")]
        size_limit: bool,
        /// The size limit in bytes (with --size-limit).
        #[arg(short = 'b', long = "bytes")]
        in_bytes: bool,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Change a container's metadata, size limit or versioning.
    #[command(group(ArgGroup::new("change").required(true).multiple(true)
        .args(["metadata_add", "metadata_del", "size_limit", "versioning"])))]
    Modify {
        /// The container.
        container: String,
        /// Add metadata KEY=VALUE (repeatable).
        #[arg(long = "metadata-add", value_name = "KEY=VALUE")]
        metadata_add: Vec<String>,
        /// Delete the metadata KEY (repeatable).
        #[arg(long = "metadata-del", value_name = "KEY")]
        metadata_del: Vec<String>,
        /// A new size limit: N[B|KiB|KB|MiB|MB|GiB|GB|TiB|TB] (0: unlimited).
        #[arg(long = "size-limit", value_name = "SIZE", value_parser = parse_size_arg)]
        size_limit: Option<u64>,
        /// A new versioning scheme: auto or none.
        #[arg(long, value_name = "auto|none", value_parser = parse_versioning)]
        versioning: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Create a container.
    Create {
        /// The new container's name.
        new_container: String,
        /// Its versioning scheme: auto or none.
        #[arg(long, value_name = "auto|none", value_parser = parse_versioning)]
        versioning: Option<String>,
        /// Its size limit in bytes (units as for container modify --size-limit).
        #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
        limit: Option<u64>,
        /// Metadata KEY=VALUE (repeatable).
        #[arg(long, value_name = "KEY=VALUE")]
        meta: Vec<String>,
        /// The project whose quota it uses.
        #[arg(long = "project-id")]
        project_id: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Delete a container and its history.
    Delete {
        /// The container.
        container: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Delete it even if it holds objects (they are deleted first).
        #[arg(short = 'r', long)]
        recursive: bool,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Delete every object of a container (the container stays).
    Empty {
        /// The container.
        container: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Move a container to the quota of another project.
    Reassign {
        /// The container.
        container: String,
        /// The project.
        #[arg(long = "project-id", required = true)]
        project_id: String,
        #[command(flatten)]
        account: AccountArg,
    },
}

/// `container list` options.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only the objects of this container.
    container: Option<String>,
    /// Every field.
    #[arg(short = 'l', long = "list")]
    details: bool,
    /// At most this many items.
    #[arg(short = 'n', long = "number", value_name = "N")]
    number: Option<u32>,
    /// Only items after this name.
    #[arg(long)]
    marker: Option<String>,
    /// Only if modified since this date.
    #[arg(long = "if-modified-since", value_name = "DATE", value_parser = parse_date_arg)]
    if_modified_since: Option<OffsetDateTime>,
    /// Only if not modified since this date.
    #[arg(long = "if-unmodified-since", value_name = "DATE", value_parser = parse_date_arg)]
    if_unmodified_since: Option<OffsetDateTime>,
    /// As things were at this date.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    until: Option<OffsetDateTime>,
    /// Show the results through a pager.
    #[arg(long)]
    more: bool,
    /// Number the results.
    #[arg(long)]
    enumerate: bool,
    /// List the objects of each container too.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Only what is shared with other users (--shared: the same).
    #[arg(long = "shared-by-me", visible_alias = "shared")]
    shared_by_me: bool,
    /// Only what is published.
    #[arg(long)]
    public: bool,
    #[command(flatten)]
    names: NameFilter,
    #[command(flatten)]
    account: AccountArg,
}

/// Runs a `container` command.
pub async fn run(ctx: &mut Ctx, cmd: ContainerCmd) -> CliResult {
    match cmd {
        ContainerCmd::List(args) => list(ctx, args).await,
        ContainerCmd::Info {
            container,
            until,
            metadata,
            size_limit,
            in_bytes,
            account,
        } => {
            info(
                ctx, container, until, metadata, size_limit, in_bytes, account,
            )
            .await
        }
        ContainerCmd::Modify {
            container,
            metadata_add,
            metadata_del,
            size_limit,
            versioning,
            account,
        } => {
            modify(
                ctx,
                container,
                metadata_add,
                metadata_del,
                size_limit,
                versioning,
                account,
            )
            .await
        }
        ContainerCmd::Create {
            new_container,
            versioning,
            limit,
            meta,
            project_id,
            account,
        } => {
            create(
                ctx,
                new_container,
                versioning,
                limit,
                meta,
                project_id,
                account,
            )
            .await
        }
        ContainerCmd::Delete {
            container,
            yes,
            recursive,
            account,
        } => delete(ctx, container, yes, recursive, account).await,
        ContainerCmd::Empty {
            container,
            yes,
            account,
        } => empty(ctx, container, yes, account).await,
        ContainerCmd::Reassign {
            container,
            project_id,
            account,
        } => reassign(ctx, container, project_id, account).await,
    }
}

/// `container reassign`: to another project; a 404 is told apart (container or project).
async fn reassign(
    ctx: &mut Ctx,
    container: String,
    project_id: String,
    account: AccountArg,
) -> CliResult {
    let target = Target::container(ctx, &account, &container).await?;
    match target.client.reassign_container(&project_id).await {
        Ok(_) => Ok(()),
        Err(e) if e.status() == 404 => {
            // A missing container or a missing project: ask which.
            if let Err(c) = target.client.get_container_info(None, None).await {
                return Err(target.container_error(c));
            }
            Err(project_error(ctx, Some(&project_id), e).await)
        }
        Err(e) => Err(project_error(ctx, Some(&project_id), e).await),
    }
}

/// `container empty`, after a confirmation.
async fn empty(ctx: &mut Ctx, container: String, yes: bool, account: AccountArg) -> CliResult {
    let target = Target::container(ctx, &account, &container).await?;
    if !confirm(&format!("Empty container {container} ?"), yes) {
        return Err(CliError::aborted());
    }
    target
        .on_container(target.client.del_container(None, Some("/")))
        .await?;
    Ok(())
}

/// `container delete`, emptying it first with `-r`, after a confirmation.
async fn delete(
    ctx: &mut Ctx,
    container: String,
    yes: bool,
    recursive: bool,
    account: AccountArg,
) -> CliResult {
    let target = Target::container(ctx, &account, &container).await?;
    let client = &target.client;
    let info = target
        .on_container(client.get_container_info(None, None))
        .await?;
    let count: u64 = info
        .get("x-container-object-count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    if count > 0 && !recursive {
        return Err(CliError::new(format!(
            "Container {container} is not empty ({count} objects): delete them too with kamaki container delete -r {container}"
        )));
    }
    let question = if recursive {
        format!("Empty and delete container {container} ?")
    } else {
        format!("Delete container {container} ?")
    };
    if !confirm(&question, yes) {
        return Err(CliError::aborted());
    }
    if count > 0 {
        target
            .on_container(client.del_container(None, Some("/")))
            .await?;
    }
    target.on_container(client.purge_container(None)).await?;
    Ok(())
}

/// `container create`, refused when it exists (Pithos answers 202).
async fn create(
    ctx: &mut Ctx,
    new_container: String,
    versioning: Option<String>,
    limit: Option<u64>,
    meta: Vec<String>,
    project_id: Option<String>,
    account: AccountArg,
) -> CliResult {
    let target = Target::container(ctx, &account, &new_container).await?;
    let options = ContainerPut {
        quota: limit,
        versioning,
        project_id: project_id.clone(),
        metadata: key_values(&meta)?,
    };
    let reply = target
        .client
        .container_put_request(None, &options)
        .map_err(CliError::from)?
        .success(&[201, 202])
        .send()
        .await;
    match reply {
        Ok(reply) if reply.status() == 202 => Err(CliError::new(format!(
            "Container \"{new_container}\" already exists (202): delete it or choose another name"
        ))),
        Ok(_) => Ok(()),
        Err(e) => Err(project_error(ctx, project_id.as_deref(), e).await),
    }
}

/// `container modify`: metadata, size limit, versioning; shows what changed.
async fn modify(
    ctx: &mut Ctx,
    container: String,
    metadata_add: Vec<String>,
    metadata_del: Vec<String>,
    size_limit: Option<u64>,
    versioning: Option<String>,
    account: AccountArg,
) -> CliResult {
    let target = Target::container(ctx, &account, &container).await?;
    let mut metadata = key_values(&metadata_add)?;
    for key in metadata_del {
        metadata.insert(key, String::new());
    }
    let client = &target.client;
    let mut result = Map::new();
    let mut lines = Vec::new();
    if !metadata.is_empty() {
        target
            .on_container(client.set_container_meta(&metadata))
            .await?;
        let meta = target.on_container(client.get_container_meta(None)).await?;
        result.insert("metadata".into(), headers_value(&meta, None));
    }
    if let Some(limit) = size_limit {
        target
            .on_container(client.set_container_limit(limit))
            .await?;
        let info = target
            .on_container(client.get_container_info(None, None))
            .await?;
        let shown = size_limit_value(&info, false);
        lines.push(format!("new size limit: {}", text_of(&shown)));
        result.insert("size limit".into(), size_limit_value(&info, true));
    }
    if let Some(versioning) = versioning {
        target
            .on_container(client.set_container_versioning(&versioning))
            .await?;
        let info = target
            .on_container(client.get_container_versioning(None))
            .await?;
        let now = info
            .get("x-container-policy-versioning")
            .cloned()
            .unwrap_or_default();
        lines.push(format!("new versioning scheme: {now}"));
        result.insert("versioning".into(), Value::from(now));
    }
    if ctx.json() {
        return ctx.out.print_value(&Value::Object(result));
    }
    if let Some(meta) = result.get("metadata") {
        ctx.out.print_value(meta)?;
    }
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

/// `container info`: the headers, the metadata, or the size limit.
async fn info(
    ctx: &mut Ctx,
    container: String,
    until: Option<OffsetDateTime>,
    metadata: bool,
    size_limit: bool,
    in_bytes: bool,
    account: AccountArg,
) -> CliResult {
    let target = Target::container(ctx, &account, &container).await?;
    let until = until.as_ref().map(until_param);
    let info = target
        .on_container(target.client.get_container_info(None, until.as_deref()))
        .await?;
    let value = if metadata {
        headers_value(&info, Some("x-container-meta-"))
    } else if size_limit {
        json!({ "size limit": size_limit_value(&info, in_bytes) })
    } else {
        headers_value(&info, None)
    };
    ctx.out.print_value(&value)
}

/// The size limit as kamaki shows it: `unlimited`, a size, or bytes.
fn size_limit_value(info: &kamaki::clients::storage::Headers, in_bytes: bool) -> Value {
    let limit: u64 = info
        .get("x-container-policy-quota")
        .and_then(|q| q.parse().ok())
        .unwrap_or(0);
    match (limit, in_bytes) {
        (0, _) => Value::from("unlimited"),
        (n, true) => Value::from(n),
        (n, false) => Value::from(format_size(n)),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A failed request that named a project: a project that does not exist
/// is said so; anything else is the cloud's error.
async fn project_error(ctx: &mut Ctx, project_id: Option<&str>, error: ClientError) -> CliError {
    if let Some(project) = project_id {
        if matches!(error.status(), 400 | 403 | 404) {
            if let Ok(astakos) = ctx.astakos() {
                if let Err(e) = astakos.get_project(project).await {
                    if matches!(e.status(), 400 | 404) {
                        return CliError::new(format!(
                            "No project with id {project} ({}): see kamaki project list",
                            e.status()
                        ))
                        .detail(error.to_string());
                    }
                }
            }
        }
    }
    error.into()
}

/// A JSON list reply (empty for 204 and 304).
fn json_list<T: serde::de::DeserializeOwned>(reply: &Response) -> CliResult<Vec<T>> {
    if reply.body().iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    Ok(reply.json()?)
}

fn name_matches(filter: &NameFilter, name: &str) -> bool {
    !filter.apply(vec![json!({ "name": name })]).is_empty()
}

/// The object listing options of `container list`.
fn object_options(args: &ListArgs) -> ContainerGet {
    ContainerGet {
        limit: args.number,
        marker: args.marker.clone(),
        show_only_shared: args.shared_by_me,
        public: args.public,
        until: args.until.as_ref().map(until_param),
        if_modified_since: args.if_modified_since.as_ref().map(http_date),
        if_unmodified_since: args.if_unmodified_since.as_ref().map(http_date),
        ..ContainerGet::default()
    }
}

/// The objects of the target's container: one page of `-n`, else all.
async fn objects(target: &Target, options: &ContainerGet) -> CliResult<Vec<ListedObject>> {
    let client = &target.client;
    let listed = if options.limit.is_some() {
        client.list_container_objects(options).await
    } else {
        client.list_all_objects(options).await
    };
    listed.map_err(|e| target.container_error(e))
}

/// The objects of the target's container as the server sent them, those
/// named in `keep` (for `--output-format json`).
async fn raw_objects(
    target: &Target,
    options: &ContainerGet,
    keep: &std::collections::HashSet<String>,
) -> CliResult<Vec<Value>> {
    let client = &target.client;
    super::common::raw_listing(options.limit.is_some(), keep, |marker| {
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
    .await
    .map_err(|e| e.hint(&format!("listing {}", target.display())))
}

/// `container list`: the containers of an account (with `-r`, and what is
/// in each), or the objects of one container.
async fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    if let Some(container) = &args.container {
        return list_objects(ctx, &args, container).await;
    }
    let target = Target::account(ctx, &args.account).await?;
    let options = AccountGet {
        limit: args.number,
        marker: args.marker.clone(),
        show_only_shared: args.shared_by_me,
        public: args.public,
        until: args.until.as_ref().map(until_param),
        if_modified_since: args.if_modified_since.as_ref().map(http_date),
        if_unmodified_since: args.if_unmodified_since.as_ref().map(http_date),
        ..AccountGet::default()
    };
    let containers: Vec<ContainerListing> = containers(&target, &options)
        .await?
        .into_iter()
        .filter(|c| name_matches(&args.names, &c.name))
        .collect();
    let mut contents: BTreeMap<String, Vec<ListedObject>> = BTreeMap::new();
    if args.recursive {
        let options = ContainerGet {
            marker: None,
            ..object_options(&args)
        };
        for container in &containers {
            let listed = objects(&target.in_container(&container.name), &options).await?;
            contents.insert(container.name.clone(), listed);
        }
    }
    if ctx.json() {
        let items = raw_containers(&target, &options, &args, &containers, &contents).await?;
        return ctx.out.print_value(&Value::Array(items));
    }
    let mut text = String::new();
    for (i, container) in containers.iter().enumerate() {
        let mut line = container_lines(std::slice::from_ref(container), args.details, false)?;
        if args.enumerate {
            line = format!("{}. {line}", i + 1);
        }
        text.push_str(&line);
        if let Some(objects) = contents.get(&container.name).filter(|o| !o.is_empty()) {
            text.push_str(&object_lines(objects, args.details, args.enumerate)?);
            text.push('\n');
        }
    }
    print_text(&text, args.more)
}

/// `container list CONTAINER`: the objects of one container.
async fn list_objects(ctx: &mut Ctx, args: &ListArgs, container: &str) -> CliResult {
    let target = Target::container(ctx, &args.account, container).await?;
    let objects: Vec<ListedObject> = objects(&target, &object_options(args))
        .await?
        .into_iter()
        .filter(|o| name_matches(&args.names, o.name()))
        .collect();
    if ctx.json() {
        let keep = objects.iter().map(|o| o.name().to_string()).collect();
        let raw = raw_objects(&target, &object_options(args), &keep).await?;
        return ctx.out.print_value(&Value::Array(raw));
    }
    let text = object_lines(&objects, args.details, args.enumerate)?;
    print_text(&text, args.more)
}

/// The containers of the target's account: one page with `-n` (as
/// kamaki), else every page.
async fn containers(target: &Target, options: &AccountGet) -> CliResult<Vec<ContainerListing>> {
    if options.limit.is_some() {
        let reply = target
            .client
            .account_get_request(options)?
            .success(&[200, 204, 304])
            .send()
            .await?;
        json_list::<ContainerListing>(&reply)
    } else {
        Ok(target.client.list_all_containers(options).await?)
    }
}

/// What the server sent for `containers`, field for field (the typed
/// listings decided which entries), with the objects of each listed in
/// `contents` (for `--output-format json`).
async fn raw_containers(
    target: &Target,
    options: &AccountGet,
    args: &ListArgs,
    containers: &[ContainerListing],
    contents: &BTreeMap<String, Vec<ListedObject>>,
) -> CliResult<Vec<Value>> {
    let keep = containers.iter().map(|c| c.name.clone()).collect();
    let client = &target.client;
    let mut items = super::common::raw_listing(options.limit.is_some(), &keep, |marker| {
        let options = AccountGet {
            format: kamaki::clients::pithos::Format::Json,
            marker: marker.or_else(|| options.marker.clone()),
            ..options.clone()
        };
        async move {
            client
                .account_get_request(&options)?
                .success(&[200, 204, 304])
                .send()
                .await
        }
    })
    .await?;
    for value in &mut items {
        let name = value
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if let Some(objects) = contents.get(&name) {
            let keep = objects.iter().map(|o| o.name().to_string()).collect();
            let options = ContainerGet {
                marker: None,
                ..object_options(args)
            };
            let raw = raw_objects(&target.in_container(&name), &options, &keep).await?;
            if let Value::Object(map) = value {
                map.insert("objects".into(), Value::Array(raw));
            }
        }
    }
    Ok(items)
}
