//! What `file upload` checks at the destination before it sends
//! anything: what is there already (`-f` to replace it), and room under
//! the container's size limit.

use std::path::Path;

use crate::commands::pithos::common::{headers_are_dir, Target};
use crate::error::{CliError, CliResult};
use crate::output::format_size;

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
pub(super) async fn check_tree_root(target: &Target, remote: &str, force: bool) -> CliResult {
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
pub(super) async fn check_tree_destination(
    target: &Target,
    remote: &str,
    force: bool,
) -> CliResult {
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
pub(super) async fn check_limit(target: &Target, size: u64, local: &Path) -> CliResult {
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
