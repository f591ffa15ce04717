//! `kamaki file upload`: files and directory trees, block by block (only
//! the blocks the server lacks are sent), with hashing and upload bars.

use std::path::{Path, PathBuf};

use clap::Args;
use std::sync::Arc;

use kamaki::clients::pithos::{
    ContainerInfoCache, Format, ObjectPut, ObjectWriteOptions, Sharing, TreeEventKind, TreeOptions,
    UploadOptions,
};
use serde_json::{json, Value};

use super::common::{headers_are_dir, session_uuid, FileTarget, Target};
use super::transfer::{callback, cancellable, guess_mime, Bars};
use super::tree::{self as tree_cli, TreeBars, DEFAULT_CONCURRENCY};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::format_size;

/// `file upload` options.
#[derive(Args, Debug)]
pub struct UploadArgs {
    /// The local file (or directory, with -r).
    local_path: String,
    /// Where to put it (default: its base name in the default container).
    remote_path_or_url: Option<String>,
    /// Requests in flight at once, blocks and files together (kamaki's --threads).
    #[arg(long, visible_alias = "threads", value_name = "N", default_value_t = DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// The Content-Encoding (default: guessed from the name).
    #[arg(long = "content-encoding")]
    content_encoding: Option<String>,
    /// The Content-Disposition (how it is presented).
    #[arg(long = "content-disposition")]
    content_disposition: Option<String>,
    /// The content type (default: guessed from the name).
    #[arg(long = "content-type")]
    content_type: Option<String>,
    /// Give read access to a user (UUID), a group (UUID:GROUP) or everyone (*) (repeatable).
    #[arg(long = "read-permission", value_name = "ID")]
    read_permission: Vec<String>,
    /// Give write access to a user (UUID), a group (UUID:GROUP) or everyone (*) (repeatable).
    #[arg(long = "write-permission", value_name = "ID")]
    write_permission: Vec<String>,
    /// Publish it and print its public URL.
    #[arg(long)]
    public: bool,
    /// No progress bars.
    #[arg(short = 'N', long = "no-progress-bar")]
    no_progress_bar: bool,
    /// Overwrite existing objects (or add to an existing directory).
    #[arg(short = 'f', long)]
    force: bool,
    /// Upload a directory: its files and subdirectories.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Send each file in one request, without block hashing.
    #[arg(long)]
    unchunked: bool,
    /// The MD5 the uploaded data must have (checked by the server).
    #[arg(long = "etag", value_name = "MD5")]
    etag: Option<String>,
    /// The local file is a hashmap (JSON: bytes and hashes of blocks the server has).
    #[arg(long = "source-is-hashmap")]
    source_is_hashmap: bool,
    #[command(flatten)]
    target: FileTarget,
}

/// A file to upload and its object name.
struct Job {
    local: PathBuf,
    remote: String,
    size: u64,
}

/// Runs `file upload`.
pub async fn run(ctx: &mut Ctx, args: UploadArgs) -> CliResult {
    let location = args.remote_path_or_url.clone().unwrap_or_default();
    let mut target = Target::location(ctx, &args.target, &location).await?;
    let local = absolute(Path::new(&args.local_path))?;
    let base = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `dir/` or `dir/.`: the contents go to the remote path itself.
    let contents_only = args.local_path.ends_with('.') || args.local_path.ends_with('/');
    let given = !target.path.is_empty();
    let mut remote = if given || contents_only {
        target.path.trim_end_matches('/').to_string()
    } else {
        base.clone()
    };

    let bars = Bars::new(args.no_progress_bar);
    let mut jobs = Vec::new();
    if local.is_dir() {
        if !args.recursive {
            return Err(CliError::new(format!(
                "{} is a directory: use -r to upload directories and their contents",
                local.display()
            )));
        }
        // Hashmaps and unchunked files go one by one, as kamaki sends them.
        if !args.unchunked && !args.source_is_hashmap && args.etag.is_none() {
            return upload_tree(ctx, &args, target, &local, &remote, &bars).await;
        }
        check_tree_destination(&target, &remote, args.force).await?;
        let (dirs, files, others) = walk(&local)?;
        for other in others {
            bars.line(&format!(
                "{} is not a regular file: skipped",
                other.display()
            ));
        }
        let total: u64 = files.iter().map(|(_, size)| size).sum();
        check_limit(&target, total, &local).await?;
        for dir in dirs {
            let name = join(&remote, &relative(&local, &dir));
            if name.is_empty() {
                continue;
            }
            bars.line(&format!("remote: mkdir {}", target.display_path(&name)));
            target
                .on_object(target.at(&name).client.create_directory(&name))
                .await?;
        }
        for (file, size) in files {
            let name = join(&remote, &relative(&local, &file));
            jobs.push(Job {
                local: file,
                remote: name,
                size,
            });
        }
    } else {
        let meta = std::fs::metadata(&local)
            .map_err(|_| CliError::new(format!("{} does not exist", local.display())))?;
        if !meta.is_file() {
            return Err(CliError::new(format!(
                "{} is not a regular file",
                local.display()
            )));
        }
        if remote.is_empty() {
            remote = base.clone();
        }
        remote = check_file_destination(&target, &remote, given, &base, args.force).await?;
        check_limit(&target, meta.len(), &local).await?;
        jobs.push(Job {
            local,
            remote,
            size: meta.len(),
        });
    }

    // Uploads into another user's account: the object goes there, the
    // blocks to the caller's own container of the same name.
    let me = session_uuid(ctx).await?;
    let target_account = (target.account != me).then(|| target.account.clone());
    if target_account.is_some() {
        target.client = target.client.clone().with_account(me);
    }
    let total_bytes: u64 = jobs.iter().map(|j| j.size).sum();
    let total_bar =
        (jobs.len() > 1).then(|| bars.bytes(&format!("Total ({} files)", jobs.len()), total_bytes));
    let cache = ContainerInfoCache::new();
    let mut report = Vec::new();
    let work = async {
        let mut base = 0u64;
        for job in &jobs {
            bars.line(&format!(
                "{} --> {}",
                job.local.display(),
                display_remote(&target, &job.remote)
            ));
            let object = target.at(&job.remote);
            let total = total_bar.as_ref().map(|b| (b, base));
            upload_one(&object, job, &args, &bars, total, &cache, &target_account).await?;
            base += job.size;
            if let Some(bar) = &total_bar {
                bar.set_position(base);
            }
            let public_url = if args.public {
                let owner = match &target_account {
                    Some(account) => object.client.clone().with_account(account.clone()),
                    None => object.client.clone(),
                };
                let info = object
                    .on_object(owner.get_object_info(&job.remote, None))
                    .await?;
                let url = info
                    .get("x-object-public")
                    .map(|u| absolute_url(owner.endpoint_url(), u));
                if let (Some(url), false) = (&url, ctx.json()) {
                    println!("{url}");
                }
                url
            } else {
                None
            };
            bars.line("Upload completed");
            report.push(json!({
                "local": job.local.display().to_string(),
                "remote": display_remote(&target, &job.remote),
                "bytes": job.size,
                "public url": public_url,
            }));
        }
        Ok(())
    };
    cancellable(work, "Upload canceled by user").await?;
    if let Some(bar) = &total_bar {
        bar.finish_and_clear();
    }
    if ctx.json() {
        return ctx.out.print_value(&Value::Array(report));
    }
    Ok(())
}

/// `file upload -r`: the tree at `local` under `remote`, many files at a
/// time; a rerun sends only what is missing, and replaces objects with
/// other content only with `-f`.
async fn upload_tree(
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
    let me = session_uuid(ctx).await?;
    let target_account = (target.account != me).then(|| target.account.clone());
    if target_account.is_some() {
        target.client = target.client.clone().with_account(me);
    }
    let (guessed_type, guessed_encoding) =
        (args.content_type.clone(), args.content_encoding.clone());
    let mut options = TreeOptions {
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
    };
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
    let owner = match &target_account {
        Some(account) => target.client.clone().with_account(account.clone()),
        None => target.client.clone(),
    };
    let mut listed = Vec::new();
    let sizes: std::collections::HashMap<String, (PathBuf, u64)> = files
        .into_iter()
        .map(|(path, size)| (join(remote, &relative(local, &path)), (path, size)))
        .collect();
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
            "remote": display_remote(&target, name),
            "bytes": size,
            "unchanged": report.unchanged.contains(name),
            "public url": public_url,
        }));
    }
    tree_cli::finish(bars, &report, "uploaded", "-f")?;
    if ctx.json() {
        return ctx.out.print_value(&Value::Array(listed));
    }
    Ok(())
}

/// The permissions asked for, if any.
fn sharing_of(args: &UploadArgs) -> Option<Sharing> {
    (!args.read_permission.is_empty() || !args.write_permission.is_empty()).then(|| Sharing {
        read: args.read_permission.clone(),
        write: args.write_permission.clone(),
    })
}

/// Uploads one file as `object.path`.
async fn upload_one(
    object: &Target,
    job: &Job,
    args: &UploadArgs,
    bars: &Bars,
    total: Option<(&indicatif::ProgressBar, u64)>,
    cache: &ContainerInfoCache,
    target_account: &Option<String>,
) -> CliResult {
    let (guessed_type, guessed_encoding) = guess_mime(&job.local);
    let content_type = args.content_type.clone().or(guessed_type);
    let content_encoding = args.content_encoding.clone().or(guessed_encoding);
    let sharing = sharing_of(args);
    let public = args.public.then_some(true);
    let client = match target_account {
        Some(account) => object.client.clone().with_account(account.clone()),
        None => object.client.clone(),
    };
    if args.source_is_hashmap {
        let text = std::fs::read(&job.local)?;
        let hashmap: Value = serde_json::from_slice(&text).map_err(|e| {
            CliError::new(format!(
                "{} is not a hashmap (JSON with bytes and hashes): {e}",
                job.local.display()
            ))
        })?;
        if !hashmap.get("hashes").is_some_and(Value::is_array) {
            return Err(CliError::new(format!(
                "{} is not a hashmap: it has no list of hashes",
                job.local.display()
            )));
        }
        let put = ObjectPut {
            format: Some(Format::Json),
            hashmap: true,
            etag: args.etag.clone(),
            content_type: Some(content_type.unwrap_or_else(|| "application/octet-stream".into())),
            content_encoding,
            content_disposition: args.content_disposition.clone(),
            permissions: sharing,
            public,
            data: Some(hashmap.to_string().into()),
            ..ObjectPut::default()
        };
        let reply = object
            .on_object(async {
                client
                    .object_put_request(&job.remote, &put)?
                    .success(&[201, 409])
                    .send()
                    .await
            })
            .await?;
        if reply.status() == 409 {
            let missing: Vec<Value> = reply.json().unwrap_or_default();
            return Err(CliError::new(format!(
                "The cloud lacks {} blocks of the hashmap {} (409): upload the data itself",
                missing.len(),
                job.local.display()
            )));
        }
        return Ok(());
    }
    if args.unchunked {
        let data = std::fs::read(&job.local)?;
        let options = ObjectWriteOptions {
            etag: args.etag.clone(),
            content_encoding,
            content_disposition: args.content_disposition.clone(),
            content_type,
            sharing,
            public,
        };
        object
            .on_object(client.upload_object_unchunked(&job.remote, data, &options))
            .await?;
        return Ok(());
    }
    let options = UploadOptions {
        etag: args.etag.clone(),
        content_encoding,
        content_disposition: args.content_disposition.clone(),
        content_type,
        sharing,
        public,
        container_info_cache: Some(cache.clone()),
        target_account: target_account.clone(),
        concurrency: Some(usize::from(args.concurrency)),
        ..UploadOptions::default()
    };
    upload_with_bars(object, &job.local, job.size, bars, total, options).await
}

/// Uploads a local file as `object.path` with a hashing bar and an upload
/// bar (which also moves `total`, if given), errors explained as the
/// object's: the upload of `file upload` and of `image register`.
pub(crate) async fn upload_with_bars(
    object: &Target,
    local: &Path,
    size: u64,
    bars: &Bars,
    total: Option<(&indicatif::ProgressBar, u64)>,
    options: UploadOptions,
) -> CliResult {
    let name = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hash_bar = bars.bytes("Calculating block hashes", size);
    let upload_bar = bars.bytes(&format!("Uploading {name}"), size);
    let options = UploadOptions {
        hash_cb: Some(callback(&hash_bar, None)),
        upload_cb: Some(callback(&upload_bar, total)),
        ..options
    };
    let result = object
        .on_object(object.client.upload_object(&object.path, local, &options))
        .await;
    hash_bar.finish_and_clear();
    upload_bar.finish_and_clear();
    result.map(|_| ())
}

/// The destination of one file: an existing directory object named by
/// the user receives the file inside it; an existing object needs `-f`.
pub(crate) async fn check_file_destination(
    target: &Target,
    remote: &str,
    given: bool,
    base: &str,
    force: bool,
) -> CliResult<String> {
    let client = &target.client;
    let mut remote = remote.to_string();
    match client.get_object_info(&remote, None).await {
        Ok(info) => {
            if given && headers_are_dir(&info) {
                remote = format!("{remote}/{base}");
                match client.get_object_info(&remote, None).await {
                    Ok(_) => {}
                    Err(e) if e.status() == 404 => return Ok(remote),
                    Err(e) => return Err(target.at(&remote).object_error(e).await),
                }
            }
            if !force {
                return Err(CliError::new(format!(
                    "Object {} already exists: use -f to overwrite it",
                    target.display_path(&remote)
                )));
            }
            Ok(remote)
        }
        Err(e) if e.status() == 404 => {
            // Only a missing container is an error here.
            target
                .on_container(client.get_container_info(None, None))
                .await?;
            Ok(remote)
        }
        Err(e) => Err(target.at(&remote).object_error(e).await),
    }
}

/// A tree goes under `remote`: without `-f` that may not be an object
/// other than a directory.
async fn check_tree_root(target: &Target, remote: &str, force: bool) -> CliResult {
    // Only a missing container is an error here.
    target
        .on_container(target.client.get_container_info(None, None))
        .await?;
    if force || remote.is_empty() {
        return Ok(());
    }
    check_root_object(target, remote).await
}

/// `remote` may be missing or a directory object, not a file (without -f).
async fn check_root_object(target: &Target, remote: &str) -> CliResult {
    match target.client.get_object_info(remote, None).await {
        Ok(info) if !headers_are_dir(&info) => Err(CliError::new(format!(
            "Object {} exists but is not a directory: use -f to overwrite it",
            target.display_path(remote)
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.status() == 404 => Ok(()),
        Err(e) => Err(target.at(remote).object_error(e).await),
    }
}

/// A tree goes to `remote` one file after another (hashmaps, unchunked
/// files): without `-f`, nothing may be there yet but a directory object.
async fn check_tree_destination(target: &Target, remote: &str, force: bool) -> CliResult {
    let client = &target.client;
    let prefix = if remote.is_empty() {
        None
    } else {
        Some(format!("{remote}/"))
    };
    let options = kamaki::clients::pithos::ContainerGet {
        prefix,
        limit: Some(10),
        ..Default::default()
    };
    let existing = target
        .on_container(client.list_container_objects(&options))
        .await?;
    if force {
        return Ok(());
    }
    if !existing.is_empty() {
        let names: Vec<&str> = existing.iter().map(|o| o.name()).take(3).collect();
        return Err(CliError::new(format!(
            "Objects prefixed as {} already exist ({}...): use -f to add, overwrite or resume",
            target.display_path(remote),
            names.join(", ")
        )));
    }
    if remote.is_empty() {
        return Ok(());
    }
    check_root_object(target, remote).await
}

/// The container's size limit must leave room for `size` more bytes.
async fn check_limit(target: &Target, size: u64, local: &Path) -> CliResult {
    let info = target
        .on_container(target.client.get_container_info(None, None))
        .await?;
    let number = |key: &str| -> u64 {
        info.get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_default()
    };
    let limit = number("x-container-policy-quota");
    let used = number("x-container-bytes-used");
    if limit > 0 && size > limit.saturating_sub(used) {
        return Err(CliError::new(format!(
            "Container {} is too small: limit {} - used {} < size {} of {} (kamaki container modify {} --size-limit NEW_LIMIT)",
            target.container,
            format_size(limit),
            format_size(used),
            format_size(size),
            local.display(),
            target.container
        )));
    }
    Ok(())
}

/// The directories (the top first, parents before children) and the
/// regular files (with their sizes) under `top`, sorted; other entries
/// (sockets, broken links) apart. Symbolic links to directories are not
/// followed (no loops); links to files are.
type Tree = (Vec<PathBuf>, Vec<(PathBuf, u64)>, Vec<PathBuf>);

fn walk(top: &Path) -> CliResult<Tree> {
    let mut dirs = vec![top.to_path_buf()];
    let mut files = Vec::new();
    let mut others = Vec::new();
    let mut i = 0;
    while i < dirs.len() {
        let dir = dirs[i].clone();
        i += 1;
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| CliError::new(format!("Failed to read {}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let link = std::fs::symlink_metadata(&path).map(|m| m.file_type().is_symlink());
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() && !link.unwrap_or(true) => dirs.push(path),
                Ok(m) if m.is_file() => files.push((path, m.len())),
                _ => others.push(path),
            }
        }
    }
    dirs.sort();
    files.sort();
    Ok((dirs, files, others))
}

/// `path` relative to `top`, with `/` separators.
fn relative(top: &Path, path: &Path) -> String {
    path.strip_prefix(top)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// `a/b` from `a` and `b`, either of which may be empty.
fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

fn absolute(path: &Path) -> CliResult<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let joined = std::env::current_dir()?.join(path);
    // `dir/.` names dir.
    Ok(joined
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect())
}

fn display_remote(target: &Target, remote: &str) -> String {
    target.display_path(remote)
}

/// A public URL as the user can open it: a path gets the endpoint's
/// scheme and host.
pub fn absolute_url(endpoint: &str, url: &str) -> String {
    if !url.starts_with('/') {
        return url.to_string();
    }
    let origin = match endpoint.find("://") {
        Some(i) => {
            let rest = &endpoint[i + 3..];
            let host_end = rest.find('/').map(|j| i + 3 + j).unwrap_or(endpoint.len());
            &endpoint[..host_end]
        }
        None => "",
    };
    format!("{origin}{url}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_tree() {
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("d", ""), "d");
        assert_eq!(join("d", "a/b"), "d/a/b");
        assert_eq!(
            relative(Path::new("/t/top"), Path::new("/t/top/x/y.txt")),
            "x/y.txt"
        );
        assert_eq!(relative(Path::new("/t/top"), Path::new("/t/top")), "");
    }

    #[test]
    fn public_urls_are_absolute() {
        assert_eq!(
            absolute_url(
                "http://127.0.0.1:9/pithos/object-store/v1",
                "/pithos/public/x"
            ),
            "http://127.0.0.1:9/pithos/public/x"
        );
        assert_eq!(absolute_url("http://h/p", "https://o/x"), "https://o/x");
    }

    #[test]
    fn trees_are_walked_parents_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("a.txt"), b"a").unwrap();
        std::fs::write(dir.path().join("b/c/d.txt"), b"dd").unwrap();
        let (dirs, files, others) = walk(dir.path()).unwrap();
        let rel = |p: &Path| relative(dir.path(), p);
        assert_eq!(
            dirs.iter().map(|d| rel(d)).collect::<Vec<_>>(),
            ["", "b", "b/c"]
        );
        assert_eq!(
            files.iter().map(|(f, s)| (rel(f), *s)).collect::<Vec<_>>(),
            [("a.txt".to_string(), 1), ("b/c/d.txt".to_string(), 2)]
        );
        assert!(others.is_empty());
    }
}
