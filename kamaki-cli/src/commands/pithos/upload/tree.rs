//! `kamaki file upload -r`: a whole tree through the library's tree
//! upload, many files at a time; a rerun sends only what is missing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kamaki::clients::pithos::{
    ContainerInfoCache, PithosClient, TreeEventKind, TreeOptions, TreeReport, UploadOptions,
};
use serde_json::{json, Value};

use super::checks::{check_limit, check_tree_root};
use super::local::{join, relative, walk};
use super::{absolute_url, blocks_to_own_account, display_remote, owner, sharing_of, UploadArgs};
use crate::commands::pithos::common::Target;
use crate::commands::pithos::transfer::{cancellable, guess_mime, Bars};
use crate::commands::pithos::tree::{self as tree_cli, TreeBars};
use crate::context::Ctx;
use crate::error::CliResult;

/// `file upload -r`: the tree at `local` under `remote`, many files at a
/// time; a rerun sends only what is missing, and replaces objects with
/// other content only with `-f`.
pub(super) async fn upload_tree(
    ctx: &mut Ctx,
    args: &UploadArgs,
    mut target: Target,
    local: &Path,
    remote: &str,
    bars: &Bars,
) -> CliResult {
    check_tree_root(&target, remote, args.force).await?;
    let (_, files, _) = walk(local)?;
    let total: u64 = files.iter().map(|(_, size)| size).sum();
    check_limit(&target, total, local).await?;
    let target_account = blocks_to_own_account(ctx, &mut target).await?;
    let mut options = tree_options(args, &target_account);
    let shown = target.clone();
    let progress = TreeBars::attach(
        bars,
        &format!("Uploading {} files", files.len()),
        &mut options,
        move |event| match event.kind {
            TreeEventKind::Directory => {
                format!("remote: mkdir {}", shown.display_path(&event.remote))
            }
            _ => format!(
                "{} --> {}",
                event.local.display(),
                shown.display_path(&event.remote)
            ),
        },
    );
    let work = async {
        target
            .on_container(async {
                tree_cli::outcome(target.client.upload_tree(local, remote, &options).await)
            })
            .await
    };
    let result = cancellable(
        work,
        "Upload canceled by user: objects not complete were not created; \
         run the same command again to send what is missing",
    )
    .await;
    progress.finish();
    let report = result?;
    let sizes: HashMap<String, (PathBuf, u64)> = files
        .into_iter()
        .map(|(path, size)| (join(remote, &relative(local, &path)), (path, size)))
        .collect();
    let owner = owner(&target.client, &target_account);
    let listed = finish_objects(ctx, args, &target, &owner, &report, &sizes).await?;
    tree_cli::finish(bars, &report, "uploaded", "-f")?;
    if ctx.json() {
        return ctx.out.print_value(&Value::Array(listed));
    }
    Ok(())
}

/// The library's tree options for `args`: concurrency, `-f`, the content
/// type (given, or guessed from each name) and what each upload asks for.
fn tree_options(args: &UploadArgs, target_account: &Option<String>) -> TreeOptions {
    let (guessed_type, guessed_encoding) =
        (args.content_type.clone(), args.content_encoding.clone());
    TreeOptions {
        concurrency: Some(usize::from(args.concurrency)),
        overwrite: args.force,
        content_type: Some(Arc::new(move |path: &Path| {
            guessed_type.clone().or_else(|| guess_mime(path).0)
        })),
        upload: UploadOptions {
            content_encoding: guessed_encoding,
            content_disposition: args.content_disposition.clone(),
            sharing: sharing_of(args),
            public: args.public.then_some(true),
            target_account: target_account.clone(),
            container_info_cache: Some(ContainerInfoCache::new()),
            ..UploadOptions::default()
        },
        ..TreeOptions::default()
    }
}

/// What is left to do for the objects sent or found unchanged (publish
/// them, and give the unchanged ones their permissions), and the list of
/// them for `--output-format json`; public URLs are printed.
async fn finish_objects(
    ctx: &Ctx,
    args: &UploadArgs,
    target: &Target,
    owner: &PithosClient,
    report: &TreeReport,
    sizes: &HashMap<String, (PathBuf, u64)>,
) -> CliResult<Vec<Value>> {
    let mut listed = Vec::new();
    for name in report.transferred.iter().chain(&report.unchanged) {
        let public_url = if args.public {
            // Unchanged files were not sent again: publish them too.
            let url = target
                .at(name)
                .on_object(owner.publish_object(name))
                .await?;
            let url = absolute_url(owner.endpoint_url(), &url);
            if !ctx.json() {
                println!("{url}");
            }
            Some(url)
        } else {
            None
        };
        if let (Some(sharing), true) = (sharing_of(args), report.unchanged.contains(name)) {
            target
                .at(name)
                .on_object(owner.set_object_sharing(name, &sharing.read, &sharing.write))
                .await?;
        }
        let (path, size) = sizes.get(name).cloned().unwrap_or_default();
        listed.push(json!({
            "local": path.display().to_string(),
            "remote": display_remote(target, name),
            "bytes": size,
            "unchanged": report.unchanged.contains(name),
            "public url": public_url,
        }));
    }
    Ok(listed)
}
