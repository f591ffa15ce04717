//! `kamaki file upload` one file after another: a single file, or a tree
//! whose files go as hashmaps, unchunked or with an etag (as kamaki sends
//! them); a hashing and an upload bar each, and a total bar for many.

use std::path::{Path, PathBuf};

use kamaki::clients::pithos::{
    ContainerInfoCache, Format, ObjectPut, ObjectWriteOptions, PithosClient, UploadOptions,
};
use serde_json::{json, Value};

use super::checks::{check_file_destination, check_limit, check_tree_destination};
use super::local::{join, relative, walk};
use super::{absolute_url, blocks_to_own_account, display_remote, owner, sharing_of, UploadArgs};
use crate::commands::pithos::common::Target;
use crate::commands::pithos::transfer::{callback, cancellable, guess_mime, Bars};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// A file to upload and its object name.
pub(super) struct Job {
    local: PathBuf,
    remote: String,
    size: u64,
}

/// The tree at `local` to send under `remote` one file after another:
/// its directory objects are made now, its files are the jobs.
pub(super) async fn tree_jobs(
    target: &Target,
    args: &UploadArgs,
    local: &Path,
    remote: &str,
    bars: &Bars,
) -> CliResult<Vec<Job>> {
    check_tree_destination(target, remote, args.force).await?;
    let (dirs, files, others) = walk(local)?;
    for other in others {
        bars.line(&format!(
            "{} is not a regular file: skipped",
            other.display()
        ));
    }
    let total: u64 = files.iter().map(|(_, size)| size).sum();
    check_limit(target, total, local).await?;
    for dir in dirs {
        let name = join(remote, &relative(local, &dir));
        if name.is_empty() {
            continue;
        }
        bars.line(&format!("remote: mkdir {}", target.display_path(&name)));
        target
            .on_object(target.at(&name).client.create_directory(&name))
            .await?;
    }
    Ok(files
        .into_iter()
        .map(|(file, size)| Job {
            remote: join(remote, &relative(local, &file)),
            local: file,
            size,
        })
        .collect())
}

/// The one file at `local` to send as `remote` (inside it, if `given` names
/// a directory object; over what is there only with `-f`).
pub(super) async fn file_job(
    target: &Target,
    args: &UploadArgs,
    local: PathBuf,
    remote: String,
    given: bool,
    base: &str,
) -> CliResult<Job> {
    let meta = std::fs::metadata(&local)
        .map_err(|_| CliError::new(format!("{} does not exist", local.display())))?;
    if !meta.is_file() {
        return Err(CliError::new(format!(
            "{} is not a regular file",
            local.display()
        )));
    }
    let remote = check_file_destination(target, &remote, given, base, args.force).await?;
    check_limit(target, meta.len(), &local).await?;
    Ok(Job {
        local,
        remote,
        size: meta.len(),
    })
}

/// Sends the jobs one after another, each reported as it ends (and its
/// public URL printed, with `--public`); the list of them with
/// `--output-format json`.
pub(super) async fn upload_jobs(
    ctx: &mut Ctx,
    args: &UploadArgs,
    mut target: Target,
    jobs: Vec<Job>,
    bars: &Bars,
) -> CliResult {
    let target_account = blocks_to_own_account(ctx, &mut target).await?;
    let total_bytes: u64 = jobs.iter().map(|j| j.size).sum();
    let total_bar =
        (jobs.len() > 1).then(|| bars.bytes(&format!("Total ({} files)", jobs.len()), total_bytes));
    let cache = ContainerInfoCache::new();
    let json = ctx.json();
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
            upload_one(&object, job, args, bars, total, &cache, &target_account).await?;
            base += job.size;
            if let Some(bar) = &total_bar {
                bar.set_position(base);
            }
            let public_url = if args.public {
                public_url(&object, &owner(&object.client, &target_account), json).await?
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

/// The public URL of the uploaded `object` (printed unless the output is
/// JSON).
async fn public_url(
    object: &Target,
    owner: &PithosClient,
    json: bool,
) -> CliResult<Option<String>> {
    let info = object
        .on_object(owner.get_object_info(&object.path, None))
        .await?;
    let url = info
        .get("x-object-public")
        .map(|u| absolute_url(owner.endpoint_url(), u));
    if let (Some(url), false) = (&url, json) {
        println!("{url}");
    }
    Ok(url)
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
    let options = ObjectWriteOptions {
        etag: args.etag.clone(),
        content_encoding: args.content_encoding.clone().or(guessed_encoding),
        content_disposition: args.content_disposition.clone(),
        content_type: args.content_type.clone().or(guessed_type),
        sharing: sharing_of(args),
        public: args.public.then_some(true),
    };
    let client = owner(&object.client, target_account);
    if args.source_is_hashmap {
        return put_hashmap(object, &client, job, options).await;
    }
    if args.unchunked {
        let data = std::fs::read(&job.local)?;
        object
            .on_object(client.upload_object_unchunked(&job.remote, data, &options))
            .await?;
        return Ok(());
    }
    let options = UploadOptions {
        etag: options.etag,
        content_encoding: options.content_encoding,
        content_disposition: options.content_disposition,
        content_type: options.content_type,
        sharing: options.sharing,
        public: options.public,
        container_info_cache: Some(cache.clone()),
        target_account: target_account.clone(),
        concurrency: Some(usize::from(args.concurrency)),
        ..UploadOptions::default()
    };
    upload_with_bars(object, &job.local, job.size, bars, total, options).await
}

/// `--source-is-hashmap`: the local file is a hashmap of blocks the cloud
/// has; the object is made of them.
async fn put_hashmap(
    object: &Target,
    client: &PithosClient,
    job: &Job,
    options: ObjectWriteOptions,
) -> CliResult {
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
        etag: options.etag,
        content_type: Some(
            options
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
        ),
        content_encoding: options.content_encoding,
        content_disposition: options.content_disposition,
        permissions: options.sharing,
        public: options.public,
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
    Ok(())
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
