//! `kamaki file download` (files and directory trees, verified block by
//! block, resumable) and `kamaki file cat` (an object to stdout).

use std::path::{Path, PathBuf};

use clap::Args;
use kamaki::clients::pithos::{DownloadOptions, TreeEventKind, TreeOptions};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::common::{headers_are_dir, http_date, parse_date_arg, FileTarget, Target};
use super::transfer::{callback, cancellable, Bars};
use super::tree::{self as tree_cli, TreeBars, DEFAULT_CONCURRENCY};
use crate::args::ByteRange;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// The conditions of `file download` and `file cat`.
#[derive(Args, Debug, Clone)]
pub struct Conditions {
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
    /// This version of the object.
    #[arg(long = "object-version", value_name = "VERSION")]
    object_version: Option<String>,
    /// Only these bytes: START-END, UPTO or -LAST, comma-separated (e.g. 5,10-20,-5).
    #[arg(long, value_name = "RANGE", value_parser = parse_range)]
    range: Option<String>,
}

fn parse_range(text: &str) -> Result<String, String> {
    ByteRange::parse_list(text)
        .map(|ranges| ByteRange::header(&ranges))
        .map_err(|e| e.message)
}

impl Conditions {
    /// Whether any condition, range or version was given.
    fn is_set(&self) -> bool {
        self.if_match.is_some()
            || self.if_none_match.is_some()
            || self.if_modified_since.is_some()
            || self.if_unmodified_since.is_some()
            || self.object_version.is_some()
            || self.range.is_some()
    }

    fn options(&self) -> DownloadOptions {
        DownloadOptions {
            version: self.object_version.clone(),
            range_str: self.range.clone(),
            if_match: self.if_match.clone(),
            if_none_match: self.if_none_match.clone(),
            if_modified_since: self.if_modified_since.as_ref().map(http_date),
            if_unmodified_since: self.if_unmodified_since.as_ref().map(http_date),
            ..DownloadOptions::default()
        }
    }
}

/// `file cat` options.
#[derive(Args, Debug)]
pub struct CatArgs {
    /// The object.
    path_or_url: String,
    #[command(flatten)]
    conditions: Conditions,
    /// Blocks fetched ahead (at least 1; 4 by default).
    #[arg(long = "buffer-blocks", value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    buffer_blocks: u16,
    #[command(flatten)]
    target: FileTarget,
}

/// `file download` options.
#[derive(Args, Debug)]
pub struct DownloadArgs {
    /// The object, directory or container.
    remote_path_or_url: String,
    /// Where to put it (default: its base name here; an existing directory receives it).
    local_path: Option<PathBuf>,
    /// Resume an interrupted download, or overwrite an existing file.
    #[arg(short = 'f', long)]
    resume: bool,
    #[command(flatten)]
    conditions: Conditions,
    /// Requests in flight at once, blocks and files together (kamaki's --threads).
    #[arg(long, visible_alias = "threads", value_name = "N", default_value_t = DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: u16,
    /// No progress bars.
    #[arg(short = 'N', long = "no-progress-bar")]
    no_progress_bar: bool,
    /// Download a directory object or a container with everything in it.
    #[arg(short = 'r', long)]
    recursive: bool,
    #[command(flatten)]
    target: FileTarget,
}

/// Runs `file cat`: the object's bytes (verified) to stdout.
pub async fn cat(ctx: &mut Ctx, args: CatArgs) -> CliResult {
    let target = Target::location(ctx, &args.target, &args.path_or_url).await?;
    target.require_path(&args.path_or_url)?;
    let options = DownloadOptions {
        concurrency: Some(usize::from(args.buffer_blocks)),
        ..args.conditions.options()
    };
    let mut stdout = tokio::io::stdout();
    let result = target
        .client
        .stream_down(&target.path, &mut stdout, &options)
        .await;
    match result {
        Ok(_) => Ok(()),
        // A reader that stopped early (`| head`) is no failure.
        Err(kamaki::clients::ClientError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(())
        }
        Err(e) => Err(target.object_error(e).await),
    }
}

/// A file to download: the object and where it goes.
struct Job {
    remote: String,
    local: PathBuf,
    size: u64,
}

/// Runs `file download`.
pub async fn download(ctx: &mut Ctx, args: DownloadArgs) -> CliResult {
    let target = Target::location(ctx, &args.target, &args.remote_path_or_url).await?;
    let prefix = target.path.trim_end_matches('/').to_string();
    let base = match prefix.rsplit('/').next() {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => target.container.clone(),
    };
    let local = match &args.local_path {
        None => PathBuf::from(".").join(&base),
        Some(path) if path.is_dir() => path.join(&base),
        Some(path) => path.clone(),
    };
    let bars = Bars::new(args.no_progress_bar);

    let object = if prefix.is_empty() {
        None
    } else {
        let version = args.conditions.object_version.as_deref();
        Some(
            target
                .at(&prefix)
                .on_object(target.client.get_object_info(&prefix, version))
                .await?,
        )
    };
    let mut jobs = Vec::new();
    if object.as_ref().is_none_or(headers_are_dir) {
        if !args.recursive {
            return Err(if prefix.is_empty() {
                CliError::new(format!(
                    "Cannot download container {}: use -r (kamaki file download -r /{} [LOCAL_PATH])",
                    target.container, target.container
                ))
            } else {
                CliError::new(format!(
                    "Remote object {} is a directory: use -r to download directories",
                    target.display_path(&prefix)
                ))
            });
        }
        return download_tree(ctx, &args, &target, &prefix, &local, &bars).await;
    } else {
        if local.exists() && !args.resume {
            return Err(CliError::new(format!(
                "Cannot overwrite local file {}: use -f/--resume to resume or overwrite",
                local.display()
            )));
        }
        let size = object
            .as_ref()
            .and_then(|h| h.get("content-length"))
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        jobs.push(Job {
            remote: prefix.clone(),
            local,
            size,
        });
    }

    let total_bar = (jobs.len() > 1).then(|| {
        let total: u64 = jobs.iter().map(|j| j.size).sum();
        bars.bytes(&format!("Total ({} files)", jobs.len()), total)
    });
    let mut report = Vec::new();
    let partials: Vec<String> = jobs
        .iter()
        .map(|j| partial_of(&j.local).display().to_string())
        .collect();
    let work = async {
        let mut done = 0u64;
        for job in &jobs {
            let (bytes, line) =
                download_one(&args, &target, job, &bars, total_bar.as_ref(), done).await?;
            done += bytes;
            report.push(line);
        }
        Ok(())
    };
    let canceled = format!(
        "Download canceled by user: what was fetched stays in {}; run the same command again to resume",
        partials.join(", ")
    );
    cancellable(work, &canceled).await?;
    if let Some(bar) = &total_bar {
        bar.finish_and_clear();
    }
    bars.line("Download completed");
    if ctx.json() {
        return ctx.out.print_value(&Value::Array(report));
    }
    Ok(())
}

/// Downloads one object to its local path (its folder made if missing),
/// with a bar of its own and its share of the total bar; answers the bytes
/// written and the report line of `--output-format json`.
async fn download_one(
    args: &DownloadArgs,
    target: &Target,
    job: &Job,
    bars: &Bars,
    total_bar: Option<&indicatif::ProgressBar>,
    done: u64,
) -> CliResult<(u64, Value)> {
    if let Some(parent) = job.local.parent().filter(|p| !p.as_os_str().is_empty()) {
        if parent.exists() && !parent.is_dir() {
            return Err(CliError::new(format!(
                "Cannot download to {}: {} is not a directory",
                job.local.display(),
                parent.display()
            )));
        }
        if !parent.exists() {
            bars.line(&format!("Create local directory {}", parent.display()));
        }
        std::fs::create_dir_all(parent).map_err(|e| local_error(parent, e))?;
    }
    let partial = partial_of(&job.local);
    bars.line(&format!(
        "{} --> {}",
        target.display_path(&job.remote),
        job.local.display()
    ));
    let bar = bars.bytes("  download", job.size);
    let options = DownloadOptions {
        download_cb: Some(callback(&bar, total_bar.map(|b| (b, done)))),
        // A partial file left by an interrupted run is resumed by a
        // plain rerun: it replaces nothing.
        resume: args.resume || partial.is_file(),
        concurrency: Some(usize::from(args.concurrency)),
        ..args.conditions.options()
    };
    let result = target
        .at(&job.remote)
        .on_object(async {
            // Errors name the target, not the temporary file.
            target
                .client
                .download_object(&job.remote, &job.local, &options)
                .await
                .map_err(|e| match e {
                    kamaki::clients::ClientError::Io {
                        path: Some(p),
                        source,
                    } if p == partial => kamaki::clients::ClientError::Io {
                        path: Some(job.local.clone()),
                        source,
                    },
                    other => other,
                })
        })
        .await;
    bar.finish_and_clear();
    let done_now = result?;
    if done_now.not_modified {
        bars.line(&format!(
            "{}: not modified (304), not downloaded",
            target.display_path(&job.remote)
        ));
    }
    let line = json!({
        "remote": target.display_path(&job.remote),
        "local": job.local.display().to_string(),
        "bytes": done_now.bytes,
        "fetched_bytes": done_now.fetched_bytes,
        "not_modified": done_now.not_modified,
    });
    Ok((done_now.bytes, line))
}

/// `file download -r`: the objects under `prefix` into `local`, many files
/// at a time; a rerun fetches only what is missing, and replaces local
/// files with other content only with `-f`.
async fn download_tree(
    ctx: &mut Ctx,
    args: &DownloadArgs,
    target: &Target,
    prefix: &str,
    local: &Path,
    bars: &Bars,
) -> CliResult {
    if args.conditions.is_set() {
        return Err(CliError::new(
            "--range, --object-version and the --if-* conditions apply to one object: \
             drop them to download a directory, or download its files one by one",
        ));
    }
    let mut options = TreeOptions {
        concurrency: Some(usize::from(args.concurrency)),
        overwrite: args.resume,
        ..TreeOptions::default()
    };
    let shown = target.clone();
    let progress = TreeBars::attach(
        bars,
        &format!("Downloading {}", target.display_path(prefix)),
        &mut options,
        move |event| match event.kind {
            TreeEventKind::Directory => format!("Create local directory {}", event.local.display()),
            _ => format!(
                "{} --> {}",
                shown.display_path(&event.remote),
                event.local.display()
            ),
        },
    );
    let work = async {
        target
            .on_container(async {
                tree_cli::outcome(target.client.download_tree(prefix, local, &options).await)
            })
            .await
    };
    let result = cancellable(
        work,
        "Download canceled by user: complete files are in place, the others are kept as \
         FILE.kamaki-partial; run the same command again to resume",
    )
    .await;
    progress.finish();
    let report = result?;
    let base = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let listed: Vec<Value> = report
        .transferred
        .iter()
        .chain(&report.unchanged)
        .map(|name| {
            let rest = name.strip_prefix(&base).unwrap_or(name);
            json!({
                "remote": target.display_path(name),
                "local": local.join(rest).display().to_string(),
                "unchanged": report.unchanged.contains(name),
            })
        })
        .collect();
    tree_cli::finish(bars, &report, "downloaded", "-f/--resume")?;
    if ctx.json() {
        return ctx.out.print_value(&Value::Array(listed));
    }
    Ok(())
}

/// `<file>.kamaki-partial`, where a download goes until it is complete.
fn partial_of(local: &Path) -> PathBuf {
    let mut name = local
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(kamaki::clients::pithos::PARTIAL_SUFFIX);
    local.with_file_name(name)
}

fn local_error(path: &Path, error: std::io::Error) -> CliError {
    CliError::new(format!("Failed to access {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_become_headers() {
        assert_eq!(parse_range("5,10-20,-5").unwrap(), "bytes=0-5,10-20,-5");
        assert!(parse_range("9-1").is_err());
    }
}
