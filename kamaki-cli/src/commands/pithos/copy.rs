//! `kamaki file copy` and `kamaki file move`: server-side, object by
//! object (the data stays where it is), also between containers and
//! accounts, with `-r` for everything under a prefix.

use std::collections::BTreeMap;

use clap::Args;
use kamaki::clients::pithos::{ContainerGet, CopyOptions};
use kamaki::clients::storage::ObjectListing;

use super::common::{
    account_of, account_uuid, headers_are_dir, is_dir, parse_bool, AccountArg, FileTarget, Target,
};
use crate::args::Location;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `file copy` and `file move` options.
#[derive(Args, Debug)]
pub struct CopyArgs {
    /// The source object (or prefix, with -r).
    source_path_or_url: String,
    /// The destination (default: the same path).
    destination_path_or_url: Option<String>,
    /// The destination account: a user uuid or name (default: yours).
    #[arg(long = "to-account", value_name = "UUID|NAME")]
    to_account: Option<String>,
    /// The destination container (default: the source's).
    #[arg(long = "to-container", value_name = "NAME")]
    to_container: Option<String>,
    /// Every object whose name starts with the source path, that prefix
    /// replaced by the destination path.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Overwrite existing destination objects.
    #[arg(short = 'f', long)]
    force: bool,
    /// This version of the source (copy only: Pithos moves the latest).
    #[arg(long = "source-version", value_name = "VERSION")]
    source_version: Option<String>,
    /// Publish the new objects (true) or not (false).
    #[arg(long, value_name = "true|false", value_parser = parse_bool)]
    public: Option<bool>,
    /// The new objects' content type.
    #[arg(long = "content-type")]
    content_type: Option<String>,
    #[command(flatten)]
    target: FileTarget,
}

/// One step of a transfer.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Copy or move an object.
    Transfer { src: String, dst: String },
    /// Create a directory object at the destination.
    Mkdir { dst: String },
}

/// Runs `file copy` (or `file move`, with `remove`).
pub async fn run(ctx: &mut Ctx, args: CopyArgs, remove: bool) -> CliResult {
    let verb = if remove { "move" } else { "copy" };
    if remove && args.source_version.is_some() {
        return Err(CliError::new(
            "--source-version: Pithos moves the latest version only; copy that version (kamaki file copy --source-version) and delete the source",
        ));
    }
    let src = Target::location(ctx, &args.target, &args.source_path_or_url).await?;
    if src.path.is_empty() && !args.recursive {
        return Err(CliError::new(format!(
            "No object named in {}: use -r to {verb} the contents of container {}",
            args.source_path_or_url, src.container
        )));
    }
    let dst = destination(ctx, &args, &src).await?;
    let existing = existing(&dst).await?;
    let mut plan = Plan {
        steps: Vec::new(),
        remove_dirs: Vec::new(),
        force: args.force,
        remove,
        src: &src,
        dst: &dst,
    };
    if args.recursive {
        plan_tree(&mut plan, &existing).await?;
    } else {
        plan_one(&mut plan, &existing, args.source_version.as_deref(), verb).await?;
    }
    let Plan {
        steps, remove_dirs, ..
    } = plan;
    perform(&args, remove, &src, &dst, steps, remove_dirs).await
}

/// Where the objects go: the destination's account (`--to-account`, the
/// one in its URL, else the caller's), container (`--to-container`, the
/// one it names, else the source's) and path (else the source's).
async fn destination(ctx: &mut Ctx, args: &CopyArgs, src: &Target) -> CliResult<Target> {
    let destination = Location::parse(args.destination_path_or_url.as_deref().unwrap_or(""))?;
    let own = account_of(ctx, &AccountArg::default()).await?;
    let dst_account = match (&args.to_account, &destination.account) {
        (Some(account), _) => account_uuid(ctx, account).await?,
        (None, Some(account)) => account.clone(),
        (None, None) => own.clone(),
    };
    let dst_container = args
        .to_container
        .clone()
        .or(destination.container.clone())
        .unwrap_or_else(|| src.container.clone());
    Ok(Target {
        client: src
            .client
            .clone()
            .with_account(dst_account.clone())
            .with_container(dst_container.clone()),
        foreign: dst_account != own,
        account: dst_account,
        container: dst_container,
        path: if destination.path.is_empty() {
            src.path.clone()
        } else {
            destination.path.clone()
        },
    })
}

/// What is at the destination already, by name.
async fn existing(dst: &Target) -> CliResult<BTreeMap<String, ObjectListing>> {
    let listed = dst
        .on_container(dst.client.list_all_objects(&ContainerGet {
            prefix: (!dst.path.is_empty()).then(|| dst.path.clone()),
            ..ContainerGet::default()
        }))
        .await?;
    Ok(listed
        .into_iter()
        .filter_map(|o| o.as_object().cloned())
        .map(|o| (o.name.clone(), o))
        .collect())
}

/// `-r`: every object under the source path, that prefix replaced by the
/// destination path.
async fn plan_tree(plan: &mut Plan<'_>, existing: &BTreeMap<String, ObjectListing>) -> CliResult {
    let (src, dst) = (plan.src, plan.dst);
    let sources = src
        .on_container(src.client.list_all_objects(&ContainerGet {
            prefix: (!src.path.is_empty()).then(|| src.path.clone()),
            ..ContainerGet::default()
        }))
        .await?;
    for object in sources.iter().filter_map(|o| o.as_object()) {
        let name = format!("{}{}", dst.path, &object.name[src.path.len()..]);
        plan.add(
            (&object.name, is_dir(object)),
            &name,
            existing.get(&name).map(is_dir),
        )?;
    }
    Ok(())
}

/// One object (or one directory object, without what is in it).
async fn plan_one(
    plan: &mut Plan<'_>,
    existing: &BTreeMap<String, ObjectListing>,
    source_version: Option<&str>,
    verb: &str,
) -> CliResult {
    let (src, dst) = (plan.src, plan.dst);
    let info = src
        .on_object(src.client.get_object_info(&src.path, source_version))
        .await?;
    let source_is_dir = headers_are_dir(&info);
    if source_is_dir && existing.contains_key(&dst.path) && !plan.force {
        return Err(CliError::new(format!(
            "Cannot {verb} directory object {} onto an existing object: use -r to {verb} what is in it",
            src.display()
        )));
    }
    plan.add(
        (&src.path, source_is_dir),
        &dst.path,
        existing.get(&dst.path).map(is_dir),
    )
}

/// Runs the planned steps (copies or moves, directory markers made), then
/// deletes the moved directories, the deepest first.
async fn perform(
    args: &CopyArgs,
    remove: bool,
    src: &Target,
    dst: &Target,
    steps: Vec<Step>,
    mut remove_dirs: Vec<String>,
) -> CliResult {
    let verb = if remove { "move" } else { "copy" };
    let options = CopyOptions {
        source_version: args.source_version.clone(),
        source_account: Some(src.account.clone()),
        public: args.public,
        content_type: args.content_type.clone(),
        ..CopyOptions::default()
    };
    for step in steps {
        match step {
            Step::Transfer { src: from, dst: to } => {
                eprintln!(
                    "  {verb} {}  -->  {}",
                    src.display_path(&from),
                    dst.display_path(&to)
                );
                let options = CopyOptions {
                    dst_object: Some(to.clone()),
                    ..options.clone()
                };
                let call = if remove {
                    dst.client
                        .move_object(&src.container, &from, &dst.container, &options)
                        .await
                } else {
                    dst.client
                        .copy_object(&src.container, &from, &dst.container, &options)
                        .await
                };
                if let Err(e) = call {
                    return Err(src.at(&from).object_error(e).await);
                }
            }
            Step::Mkdir { dst: to } => {
                eprintln!("  mkdir {}", dst.display_path(&to));
                dst.at(&to)
                    .on_object(dst.client.create_directory(&to))
                    .await?;
            }
        }
    }
    // Moved directories: their objects go last, the deepest first.
    remove_dirs.sort();
    for dir in remove_dirs.into_iter().rev() {
        eprintln!("  delete source directory {}", src.display_path(&dir));
        src.at(&dir)
            .on_object(src.client.del_object(&dir, None, None))
            .await?;
    }
    Ok(())
}

/// The steps of a transfer, as they are planned.
struct Plan<'a> {
    /// Copies, moves and directory markers to make.
    steps: Vec<Step>,
    /// Moved directories, deleted once their contents are moved.
    remove_dirs: Vec<String>,
    /// `-f`: overwrite what exists.
    force: bool,
    /// A move (else a copy).
    remove: bool,
    src: &'a Target,
    dst: &'a Target,
}

impl Plan<'_> {
    /// Adds what transferring `source` (a name and whether it is a
    /// directory) to `dst_name` takes; `existing` says whether something is
    /// there (and whether it is a directory).
    fn add(&mut self, source: (&str, bool), dst_name: &str, existing: Option<bool>) -> CliResult {
        let (src, dst) = (self.src, self.dst);
        let (name, source_is_dir) = source;
        if source_is_dir {
            if existing.is_none() || self.force {
                self.steps.push(Step::Mkdir {
                    dst: dst_name.to_string(),
                });
            }
            if self.remove
                && !(src.account == dst.account
                    && src.container == dst.container
                    && name == dst_name)
            {
                self.remove_dirs.push(name.to_string());
            }
            return Ok(());
        }
        if existing.is_some() && !self.force {
            return Err(CliError::new(format!(
                "Destination object {} exists: use -f to overwrite it with {}",
                dst.display_path(dst_name),
                src.display_path(name)
            )));
        }
        self.steps.push(Step::Transfer {
            src: name.to_string(),
            dst: dst_name.to_string(),
        });
        Ok(())
    }
}
