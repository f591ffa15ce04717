//! `kamaki file upload`: files and directory trees, block by block (only
//! the blocks the server lacks are sent), with hashing and upload bars.
//!
//! Here: the options and what `run` settles before sending (where the
//! upload goes, one file or a tree). [`files`] sends files one after
//! another, [`tree`] a whole tree many files at a time, [`checks`] looks
//! at the destination first, [`local`] walks the local side.

mod checks;
mod files;
mod local;
mod tree;

pub(crate) use checks::check_file_destination;
pub(crate) use files::upload_with_bars;

use std::path::Path;

use clap::Args;
use kamaki::clients::pithos::{PithosClient, Sharing};

use super::common::{session_uuid, FileTarget, Target};
use super::transfer::Bars;
use super::tree::DEFAULT_CONCURRENCY;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use local::absolute;

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

/// Runs `file upload`.
pub async fn run(ctx: &mut Ctx, args: UploadArgs) -> CliResult {
    let location = args.remote_path_or_url.clone().unwrap_or_default();
    let target = Target::location(ctx, &args.target, &location).await?;
    let local = absolute(Path::new(&args.local_path))?;
    let base = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `dir/` or `dir/.`: the contents go to the remote path itself.
    let contents_only = args.local_path.ends_with('.') || args.local_path.ends_with('/');
    let given = !target.path.is_empty();
    let remote = if given || contents_only {
        target.path.trim_end_matches('/').to_string()
    } else {
        base.clone()
    };

    let bars = Bars::new(args.no_progress_bar);
    let jobs = if local.is_dir() {
        if !args.recursive {
            return Err(CliError::new(format!(
                "{} is a directory: use -r to upload directories and their contents",
                local.display()
            )));
        }
        // Hashmaps and unchunked files go one by one, as kamaki sends them.
        if !args.unchunked && !args.source_is_hashmap && args.etag.is_none() {
            return tree::upload_tree(ctx, &args, target, &local, &remote, &bars).await;
        }
        files::tree_jobs(&target, &args, &local, &remote, &bars).await?
    } else {
        let remote = if remote.is_empty() {
            base.clone()
        } else {
            remote
        };
        vec![files::file_job(&target, &args, local, remote, given, &base).await?]
    };
    files::upload_jobs(ctx, &args, target, jobs, &bars).await
}

/// Uploads into another user's account: the object goes there, the
/// blocks to the caller's own container of the same name. That account,
/// if it is not the caller's (`target` then points at the caller's).
async fn blocks_to_own_account(ctx: &mut Ctx, target: &mut Target) -> CliResult<Option<String>> {
    let me = session_uuid(ctx).await?;
    let target_account = (target.account != me).then(|| target.account.clone());
    if target_account.is_some() {
        target.client = target.client.clone().with_account(me);
    }
    Ok(target_account)
}

/// The client of the account the objects go to.
fn owner(client: &PithosClient, target_account: &Option<String>) -> PithosClient {
    match target_account {
        Some(account) => client.clone().with_account(account.clone()),
        None => client.clone(),
    }
}

/// The permissions asked for, if any.
fn sharing_of(args: &UploadArgs) -> Option<Sharing> {
    (!args.read_permission.is_empty() || !args.write_permission.is_empty()).then(|| Sharing {
        read: args.read_permission.clone(),
        write: args.write_permission.clone(),
    })
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
}
