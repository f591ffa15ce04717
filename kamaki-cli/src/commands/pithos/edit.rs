//! `kamaki file publish`, `unpublish`, `create`, `mkdir`, `append`,
//! `truncate` and `overwrite`: changes to one object in place.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::common::{FileTarget, Target};
use super::transfer::{callback, cancellable, Bars};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// `file overwrite` options.
#[derive(Args, Debug)]
pub struct OverwriteArgs {
    /// The local file.
    local_path: PathBuf,
    /// The object (default: the local file's name).
    path_or_url: String,
    /// No progress bar.
    #[arg(short = 'N', long = "no-progress-bar")]
    no_progress_bar: bool,
    /// The first byte to overwrite.
    #[arg(long = "from", value_name = "BYTE", required = true)]
    start: u64,
    /// The last byte to overwrite.
    #[arg(long = "to", value_name = "BYTE", required = true)]
    end: u64,
    /// The version whose data is overwritten.
    #[arg(long = "object-version", value_name = "VERSION")]
    object_version: Option<String>,
    #[command(flatten)]
    target: FileTarget,
}

/// `file publish`: prints the object's public URL.
pub async fn publish(ctx: &mut Ctx, target: &FileTarget, path_or_url: &str) -> CliResult {
    let target = Target::object(ctx, target, path_or_url).await?;
    let url = target
        .on_object(target.client.publish_object(&target.path))
        .await?;
    if ctx.json() {
        return ctx.out.print_value(&json!({ "public url": url }));
    }
    println!("{url}");
    Ok(())
}

/// `file unpublish`.
pub async fn unpublish(ctx: &mut Ctx, target: &FileTarget, path_or_url: &str) -> CliResult {
    let target = Target::object(ctx, target, path_or_url).await?;
    target
        .on_object(target.client.unpublish_object(&target.path))
        .await?;
    Ok(())
}

/// `file create`: an empty object of this content type.
pub async fn create(
    ctx: &mut Ctx,
    target: &FileTarget,
    path_or_url: &str,
    content_type: &str,
) -> CliResult {
    let target = Target::object(ctx, target, path_or_url).await?;
    target
        .on_object(
            target
                .client
                .create_object(&target.path, Some(content_type)),
        )
        .await?;
    Ok(())
}

/// `file mkdir`: a directory object.
pub async fn mkdir(ctx: &mut Ctx, target: &FileTarget, path_or_url: &str) -> CliResult {
    let target = Target::object(ctx, target, path_or_url).await?;
    target
        .on_object(target.client.create_directory(&target.path))
        .await?;
    Ok(())
}

/// `file append`: a local file added at the end of the object, with a bar.
pub async fn append(
    ctx: &mut Ctx,
    target: &FileTarget,
    local_path: &Path,
    remote_path_or_url: &str,
    no_progress_bar: bool,
) -> CliResult {
    let target = Target::object(ctx, target, remote_path_or_url).await?;
    let size = local_size(local_path)?;
    let bars = Bars::new(no_progress_bar);
    let bar = bars.bytes("Appending", size);
    let work = target.on_object(target.client.append_object(
        &target.path,
        local_path,
        Some(callback(&bar, None)),
    ));
    let result = cancellable(work, "Append canceled by user").await;
    bar.finish_and_clear();
    result.map(|_| ())
}

/// `file truncate`: the object cut to `size` bytes.
pub async fn truncate(
    ctx: &mut Ctx,
    target: &FileTarget,
    path_or_url: &str,
    size: u64,
) -> CliResult {
    let target = Target::object(ctx, target, path_or_url).await?;
    target
        .on_object(target.client.truncate_object(&target.path, size))
        .await?;
    Ok(())
}

/// `file overwrite`: bytes FROM to TO of the object replaced by the start
/// of a local file, with a bar.
pub async fn overwrite(ctx: &mut Ctx, args: OverwriteArgs) -> CliResult {
    let OverwriteArgs {
        local_path,
        path_or_url,
        no_progress_bar,
        start,
        end,
        object_version,
        target,
    } = args;
    let mut target = Target::location(ctx, &target, &path_or_url).await?;
    if target.path.is_empty() {
        let name = local_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        target = target.at(&name);
    }
    if start > end {
        return Err(CliError::new(format!(
            "Invalid range {start}-{end}: --from must not be after --to"
        )));
    }
    local_size(&local_path)?;
    let bars = Bars::new(no_progress_bar);
    let bar = bars.bytes(
        &format!("Overwrite {} bytes", end - start + 1),
        end - start + 1,
    );
    let work = target.on_object(target.client.overwrite_object(
        &target.path,
        start,
        end,
        local_path.as_path(),
        object_version.as_deref(),
        Some(callback(&bar, None)),
    ));
    let result = cancellable(work, "Overwrite canceled by user").await;
    bar.finish_and_clear();
    result.map(|_| ())
}

/// The size of a readable local file.
fn local_size(path: &Path) -> CliResult<u64> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(m.len()),
        Ok(_) => Err(CliError::new(format!(
            "Failed to access file {}: not a regular file",
            path.display()
        ))),
        Err(e) => Err(CliError::new(format!(
            "Failed to access file {}: {e}",
            path.display()
        ))),
    }
}
