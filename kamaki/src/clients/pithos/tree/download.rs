//! `download_tree`: the objects under a prefix into a local folder, many
//! files at a time, files already there with the right hash left alone.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};

use super::{join_remote, list_under, local_path, Remote, Run, TreeEventKind, TreeOptions};
use super::{TreeReport, SMALL_FILE};
use crate::clients::pithos::download::{partial_path, DownloadOptions};
use crate::clients::pithos::models::BlockInfo;
use crate::clients::pithos::rest_api::ObjectGet;
use crate::clients::pithos::transfer::{hash_blocks, io_error, within, BlockSource, FileSource};
use crate::clients::pithos::PithosClient;
use crate::clients::{ClientError, Result};

/// A file of the tree to put in place.
struct Wanted {
    name: String,
    path: PathBuf,
    remote: Remote,
}

impl PithosClient {
    /// Downloads the objects under `remote` (an object name prefix, a
    /// "directory"; empty for the whole container) into the folder
    /// `local`, keeping their relative paths, many files at a time, every
    /// block verified.
    ///
    /// Directory markers become folders; a local file that already has the
    /// object's hash is not fetched again, and an interrupted file resumes
    /// from its `.kamaki-partial`. Object names that would lead outside
    /// `local` are skipped ([`TreeReport::skipped`]). A file that fails does
    /// not stop the others and is never left under its own name: the call
    /// returns [`ClientError::Incomplete`] with the report.
    ///
    /// ```no_run
    /// # async fn f(pithos: kamaki::clients::pithos::PithosClient) -> kamaki::clients::Result<()> {
    /// use kamaki::clients::pithos::TreeOptions;
    /// let report = pithos.download_tree("backup/photos", "photos", &TreeOptions::default()).await?;
    /// println!("{report}");
    /// # Ok(()) }
    /// ```
    pub async fn download_tree(
        &self,
        remote: &str,
        local: impl AsRef<Path>,
        options: &TreeOptions,
    ) -> Result<TreeReport> {
        let local = local.as_ref();
        within(
            options.timeout,
            || {
                format!(
                    "downloading {} to {}",
                    self.object_url(remote),
                    local.display()
                )
            },
            self.download_tree_unbounded(remote, local, options),
        )
        .await?
        .into_result()
    }

    async fn download_tree_unbounded(
        &self,
        remote: &str,
        local: &Path,
        options: &TreeOptions,
    ) -> Result<TreeReport> {
        let remote = remote.trim_end_matches('/');
        let prefix = if remote.is_empty() {
            String::new()
        } else {
            format!("{remote}/")
        };
        let probe = Run::new(self, options, 0);
        let listed = list_under(self, &prefix, &probe.limits).await?;
        if listed.is_empty() && !remote.is_empty() {
            // Nothing under it: an empty directory, or no such thing.
            let _slot = probe.limits.request().await?;
            let headers = self.get_object_info(remote, None).await?;
            if !super::is_directory_type(headers.get("content-type").map(String::as_str)) {
                return Err(ClientError::InvalidRequest(format!(
                    "{remote} is an object, not a directory: download it as a file"
                )));
            }
        }

        let mut report = TreeReport::default();
        let mut dirs: Vec<(String, PathBuf)> = Vec::new();
        let mut files: Vec<Wanted> = Vec::new();
        let mut names: Vec<(String, Remote)> = listed.into_iter().collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        // A name some other object lives under is a folder here.
        let parents: HashSet<String> = names
            .iter()
            .flat_map(|(name, _)| {
                let rest = &name[prefix.len()..];
                rest.trim_end_matches('/')
                    .match_indices('/')
                    .map(move |(at, _)| rest[..at].to_string())
            })
            .collect();
        for (name, object) in names {
            let rest = &name[prefix.len()..];
            if rest.is_empty() {
                continue;
            }
            let path = match local_path(local, rest) {
                Ok(path) => path,
                Err(why) => {
                    report.skipped.push((name, why));
                    continue;
                }
            };
            if object.directory || rest.ends_with('/') {
                dirs.push((name, path));
            } else if parents.contains(rest) {
                report.skipped.push((
                    name,
                    "other objects are under it, so it is a folder here".into(),
                ));
            } else {
                files.push(Wanted {
                    name,
                    path,
                    remote: object,
                });
            }
        }
        report.bytes = files.iter().map(|f| f.remote.bytes).sum();
        let run = Run::new(self, options, report.bytes);

        // Folders first, parents before children, in one blocking pass.
        let root = local.to_path_buf();
        let wanted_dirs = dirs.clone();
        let file_parents: Vec<PathBuf> = files
            .iter()
            .filter_map(|f| f.path.parent().map(Path::to_path_buf))
            .collect();
        let overwrite = options.overwrite;
        let made = tokio::task::spawn_blocking(move || {
            ensure_dir(&root, &root, overwrite)?;
            let mut failed = Vec::new();
            for (name, path) in wanted_dirs {
                if let Err(e) = ensure_dir(&root, &path, overwrite) {
                    failed.push((name, e));
                }
            }
            for parent in file_parents {
                // Failures show again, per file, when it is written.
                let _ = ensure_dir(&root, &parent, overwrite);
            }
            Ok::<_, ClientError>(failed)
        })
        .await
        .map_err(|e| ClientError::InvalidRequest(format!("creating folders failed: {e}")))??;
        let failed_dirs: HashSet<String> = made.iter().map(|(n, _)| n.clone()).collect();
        for (name, path) in dirs {
            if !failed_dirs.contains(&name) {
                run.tell(TreeEventKind::Directory, &name, &path, 0);
                report.directories.push(join_remote("", &name));
            }
        }
        report.failed.extend(made);

        let info = if files.is_empty() {
            None
        } else {
            let _slot = run.limits.request().await?;
            Some(self.get_block_info(None).await?)
        };
        let outcomes: Vec<(String, Result<bool>)> = stream::iter(files)
            .map(|file| {
                let run = &run;
                async move {
                    let outcome = match info {
                        Some(info) => {
                            self.download_tree_file(&file, info, run, options.overwrite)
                                .await
                        }
                        None => Ok(false),
                    };
                    let kind = match &outcome {
                        Ok(true) => TreeEventKind::Done,
                        Ok(false) => TreeEventKind::Unchanged,
                        Err(_) => TreeEventKind::Failed,
                    };
                    run.tell(kind, &file.name, &file.path, file.remote.bytes);
                    (file.name, outcome)
                }
            })
            .buffer_unordered(run.files_in_flight())
            .collect()
            .await;
        report.gather(outcomes);
        Ok(report)
    }

    /// Puts one object of a tree at its path; `Ok(false)` when the file
    /// there has its hash already.
    async fn download_tree_file(
        &self,
        file: &Wanted,
        info: BlockInfo,
        run: &Run,
        overwrite: bool,
    ) -> Result<bool> {
        let (name, path, size) = (&file.name, &file.path, file.remote.bytes);
        run.tell(TreeEventKind::Started, name, path, size);
        let (callback, added) = run.file_progress();
        clear_empty_dir(path)?;
        if let Some(hash) = &file.remote.hash {
            if local_hash(path, size, info, run).await?.as_deref() == Some(hash) {
                run.file_complete(&added, size);
                return Ok(false);
            }
        }
        if !overwrite && std::fs::symlink_metadata(path).is_ok() {
            return Err(ClientError::Exists(format!("file {}", path.display())));
        }
        if size == 0 {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::write(&path, b"").map_err(|e| io_error(Some(&path), e))
            })
            .await
            .map_err(|e| ClientError::InvalidRequest(format!("the writing task failed: {e}")))??;
            run.file_complete(&added, size);
            return Ok(true);
        }
        let small = size <= SMALL_FILE.min(info.block_size) && file.remote.hash.is_some();
        if small && self.fetch_small(file, info, run).await? {
            run.file_complete(&added, size);
            return Ok(true);
        }
        let options = DownloadOptions {
            resume: true,
            download_cb: Some(callback),
            ..DownloadOptions::default()
        };
        self.download_limited(name, path, &options, &run.limits)
            .await?;
        run.file_complete(&added, size);
        Ok(true)
    }

    /// Fetches a one-block object in one `GET` and writes it if it has the
    /// hash the listing gave; `Ok(false)` when it does not (it changed
    /// since): the caller then downloads it block by block.
    async fn fetch_small(&self, file: &Wanted, info: BlockInfo, run: &Run) -> Result<bool> {
        let reply = {
            let _slot = run.limits.request().await?;
            self.object_get_request(&file.name, &ObjectGet::default())?
                .max_response_bytes(SMALL_FILE as usize + (1 << 16))
                .send()
                .await?
        };
        let data = reply.into_body();
        let expected = file.remote.hash.clone().unwrap_or_default();
        let path = file.path.clone();
        tokio::task::spawn_blocking(move || {
            if info.algorithm.block_hash_hex(&data) != expected {
                return Ok(false);
            }
            let partial = partial_path(&path);
            std::fs::write(&partial, &data).map_err(|e| io_error(Some(&path), e))?;
            std::fs::rename(&partial, &path).map_err(|e| io_error(Some(&path), e))?;
            Ok(true)
        })
        .await
        .map_err(|e| ClientError::InvalidRequest(format!("the writing task failed: {e}")))?
    }
}

/// The Pithos hash of the file at `path` if it is a file of `size` bytes.
async fn local_hash(path: &Path, size: u64, info: BlockInfo, run: &Run) -> Result<Option<String>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(Some(path), e)),
    };
    let source: Arc<dyn BlockSource> = Arc::new(FileSource::new(file, Some(path.to_path_buf()))?);
    if source.len() != size {
        return Ok(None);
    }
    let blocks: Vec<(u64, usize)> = (0..size.div_ceil(info.block_size))
        .map(|i| {
            let offset = i * info.block_size;
            (offset, info.block_size.min(size - offset) as usize)
        })
        .collect();
    let hashes = if blocks.is_empty() {
        Vec::new()
    } else {
        let (_threads, threads) = run.limits.hashing(blocks.len()).await?;
        let quiet = Arc::new(crate::clients::pithos::progress::Reporter::new(None, 0));
        hash_blocks(
            source,
            blocks,
            info.algorithm,
            threads,
            quiet,
            run.limits.pool(),
        )
        .await?
    };
    Ok(Some(info.algorithm.merkle_hex(&hashes)?))
}

/// Makes `path` (under `root`) a folder: missing folders are created, and
/// a file standing where a folder must be is replaced if `overwrite` (the
/// remote tree decides what is a folder).
fn ensure_dir(root: &Path, path: &Path, overwrite: bool) -> Result<()> {
    let mut at = root.to_path_buf();
    let below = path.strip_prefix(root).unwrap_or(Path::new(""));
    let mut steps = vec![at.clone()];
    for part in below.components() {
        at.push(part);
        steps.push(at.clone());
    }
    for step in steps {
        match std::fs::symlink_metadata(&step) {
            Ok(meta) if meta.is_dir() => continue,
            Ok(meta) if meta.is_file() && step != root => {
                if !overwrite {
                    return Err(ClientError::Exists(format!("file {}", step.display())));
                }
                std::fs::remove_file(&step).map_err(|e| io_error(Some(&step), e))?;
            }
            Ok(_) if step == root => {
                return Err(io_error(
                    Some(&step),
                    std::io::Error::other("not a directory"),
                ))
            }
            Ok(_) => {
                // A symbolic link: followed if it leads to a folder.
                if std::fs::metadata(&step).is_ok_and(|m| m.is_dir()) {
                    continue;
                }
                return Err(io_error(
                    Some(&step),
                    std::io::Error::other("not a directory"),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(Some(&step), e)),
        }
        std::fs::create_dir_all(&step).map_err(|e| io_error(Some(&step), e))?;
    }
    Ok(())
}

/// Where a file must go, an empty folder is removed (the remote tree says
/// it is a file now); a folder with contents is an error for this file.
fn clear_empty_dir(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir(path).map_err(|e| {
            io_error(
                Some(path),
                std::io::Error::new(
                    e.kind(),
                    format!("a folder stands where the object's file must go ({e})"),
                ),
            )
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_dir_replaces_files_standing_in_the_way() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("x"), b"old file").unwrap();
        let err = ensure_dir(root.path(), &root.path().join("x/y"), false).unwrap_err();
        assert!(matches!(err, ClientError::Exists(_)), "{err:?}");
        assert!(root.path().join("x").is_file());
        ensure_dir(root.path(), &root.path().join("x/y"), true).unwrap();
        assert!(root.path().join("x/y").is_dir());
        ensure_dir(root.path(), &root.path().join("x/y"), false).unwrap();

        let file = root.path().join("plain");
        std::fs::write(&file, b"").unwrap();
        let err = ensure_dir(&file, &file.join("sub"), true).unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
    }

    #[test]
    fn only_empty_folders_give_way_to_files() {
        let root = tempfile::tempdir().unwrap();
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        clear_empty_dir(&empty).unwrap();
        assert!(!empty.exists());
        let full = root.path().join("full");
        std::fs::create_dir_all(full.join("inner")).unwrap();
        let err = clear_empty_dir(&full).unwrap_err();
        assert!(err.to_string().contains("a folder stands where"), "{err}");
        clear_empty_dir(&root.path().join("missing")).unwrap();
    }
}
