//! `upload_tree`: a local directory tree into a container, many files at a
//! time, unchanged files skipped by hash.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};

use super::{is_directory_type, SMALL_FILE};
use super::{join_remote, list_under, Remote, Run, TreeEventKind, TreeOptions, TreeReport};
use crate::clients::pithos::hashmap::HashAlgorithm;
use crate::clients::pithos::models::BlockInfo;
use crate::clients::pithos::rest_api::ObjectPut;
use crate::clients::pithos::transfer::{io_error, within, FileSource};
use crate::clients::pithos::upload::{hash_source, Hashed, UploadOptions};
use crate::clients::pithos::PithosClient;
use crate::clients::storage::headers_of;
use crate::clients::{ClientError, Result};

/// What a walk of the local tree found: paths relative to its root.
#[derive(Debug, Default)]
struct Walk {
    dirs: Vec<String>,
    /// `(relative name, local path, size)`.
    files: Vec<(String, PathBuf, u64)>,
    skipped: Vec<(String, String)>,
}

/// Walks `root`: directories (parents first), regular files and their
/// sizes, and what is neither (symbolic links are followed, as kamaki's
/// walk does).
fn walk(root: &Path) -> Result<Walk> {
    let mut found = Walk::default();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| io_error(Some(&dir), e))?
            .collect::<std::io::Result<_>>()
            .map_err(|e| io_error(Some(&dir), e))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                found.skipped.push((
                    path.display().to_string(),
                    "its name is not UTF-8, which an object name must be".into(),
                ));
                continue;
            };
            let rel = join_remote(&rel, &name);
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {
                    found.dirs.push(rel.clone());
                    pending.push((path, rel));
                }
                Ok(meta) if meta.is_file() => found.files.push((rel, path, meta.len())),
                Ok(_) => found.skipped.push((
                    path.display().to_string(),
                    "not a regular file or directory".into(),
                )),
                Err(e) => found
                    .skipped
                    .push((path.display().to_string(), format!("cannot be read: {e}"))),
            }
        }
    }
    found.dirs.sort();
    Ok(found)
}

impl PithosClient {
    /// Uploads the directory tree at `local` under `remote` (an object name
    /// prefix; empty for the container's top), with a directory marker for
    /// `remote` itself (when not empty) and every folder, many files at a
    /// time.
    ///
    /// Files whose hash is already that of the object of the same name are
    /// skipped, so a rerun after an interruption sends only what is
    /// missing; of the other files only the blocks the server lacks are
    /// sent. A file that fails does not stop the others:
    /// [`TreeReport::failed`] lists them, and the call returns
    /// [`ClientError::Incomplete`] with the report.
    ///
    /// ```no_run
    /// # async fn f(pithos: kamaki::clients::pithos::PithosClient) -> kamaki::clients::Result<()> {
    /// use kamaki::clients::pithos::TreeOptions;
    /// let report = pithos.upload_tree("photos", "backup/photos", &TreeOptions::default()).await?;
    /// println!("{report}");
    /// # Ok(()) }
    /// ```
    pub async fn upload_tree(
        &self,
        local: impl AsRef<Path>,
        remote: &str,
        options: &TreeOptions,
    ) -> Result<TreeReport> {
        let local = local.as_ref();
        within(
            options.timeout,
            || {
                format!(
                    "uploading {} to {}",
                    local.display(),
                    self.object_url(remote)
                )
            },
            self.upload_tree_unbounded(local, remote, options),
        )
        .await?
        .into_result()
    }

    async fn upload_tree_unbounded(
        &self,
        local: &Path,
        remote: &str,
        options: &TreeOptions,
    ) -> Result<TreeReport> {
        let remote = remote.trim_end_matches('/');
        let root = local.to_path_buf();
        let found = tokio::task::spawn_blocking(move || walk(&root))
            .await
            .map_err(|e| ClientError::InvalidRequest(format!("walking the tree failed: {e}")))??;
        let mut report = TreeReport {
            skipped: found.skipped,
            bytes: found.files.iter().map(|f| f.2).sum(),
            ..TreeReport::default()
        };
        let run = Run::new(self, options, report.bytes);
        let target = self.upload_target(&options.upload);
        let info = target
            .block_info_cached(options.upload.container_info_cache.as_ref(), &run.limits)
            .await?;
        let prefix = if remote.is_empty() {
            String::new()
        } else {
            format!("{remote}/")
        };
        let mut existing = list_under(&target, &prefix, &run.limits).await?;
        if !remote.is_empty() {
            let _slot = run.limits.request().await?;
            match target.get_object_info(remote, None).await {
                Ok(headers) => {
                    let directory =
                        is_directory_type(headers.get("content-type").map(String::as_str));
                    existing.insert(
                        remote.to_string(),
                        Remote {
                            bytes: 0,
                            hash: None,
                            directory,
                        },
                    );
                }
                Err(e) if e.status() == 404 => {}
                Err(e) => return Err(e),
            }
        }

        let mut dirs: Vec<String> = Vec::new();
        if !remote.is_empty() {
            dirs.push(remote.to_string());
        }
        dirs.extend(found.dirs.iter().map(|d| join_remote(remote, d)));
        let mut in_the_way = Vec::new();
        dirs.retain(|d| match existing.get(d) {
            Some(r) if r.directory => false,
            Some(_) if !options.overwrite => {
                in_the_way.push(d.clone());
                false
            }
            _ => true,
        });
        for name in in_the_way {
            report
                .failed
                .push((name.clone(), ClientError::Exists(format!("object {name}"))));
        }
        let created: Vec<(String, Result<()>)> = stream::iter(dirs)
            .map(|name| {
                let (target, run) = (&target, &run);
                async move {
                    let made = async {
                        let _slot = run.limits.request().await?;
                        target.create_directory(&name).await.map(|_| ())
                    }
                    .await;
                    (name, made)
                }
            })
            .buffer_unordered(run.limits.requests())
            .collect()
            .await;
        for (name, made) in created {
            match made {
                Ok(()) => {
                    run.tell(TreeEventKind::Directory, &name, local, 0);
                    report.directories.push(name);
                }
                Err(e) => report.failed.push((name, e)),
            }
        }
        report.directories.sort();

        let existing = Arc::new(existing);
        let outcomes: Vec<(String, Result<bool>)> = stream::iter(found.files)
            .map(|(rel, path, size)| {
                let name = join_remote(remote, &rel);
                let (target, run, existing) = (&target, &run, existing.clone());
                async move {
                    let outcome = self
                        .upload_tree_file(
                            target,
                            &name,
                            &path,
                            size,
                            info,
                            existing.get(&name),
                            run,
                            options,
                        )
                        .await;
                    let kind = match &outcome {
                        Ok(true) => TreeEventKind::Done,
                        Ok(false) => TreeEventKind::Unchanged,
                        Err(_) => TreeEventKind::Failed,
                    };
                    run.tell(kind, &name, &path, size);
                    (name, outcome)
                }
            })
            .buffer_unordered(run.files_in_flight())
            .collect()
            .await;
        report.gather(outcomes);
        Ok(report)
    }

    /// Uploads one file of a tree as `name`; `Ok(false)` when the object
    /// there has its hash already.
    #[allow(clippy::too_many_arguments)]
    async fn upload_tree_file(
        &self,
        target: &PithosClient,
        name: &str,
        path: &Path,
        size: u64,
        info: BlockInfo,
        existing: Option<&Remote>,
        run: &Run,
        options: &TreeOptions,
    ) -> Result<bool> {
        run.tell(TreeEventKind::Started, name, path, size);
        let (callback, added) = run.file_progress();
        let content_type = options
            .content_type
            .as_ref()
            .and_then(|guess| guess(path))
            .or_else(|| options.upload.content_type.clone());
        let file_options = UploadOptions {
            content_type,
            upload_cb: Some(callback),
            hash_cb: None,
            size: None,
            ..options.upload.clone()
        };
        let file = std::fs::File::open(path).map_err(|e| io_error(Some(path), e))?;
        let source = Arc::new(FileSource::new(file, Some(path.to_path_buf()))?);
        let hashed = hash_source(source, &file_options, info, &run.limits).await?;
        if hashed.size != size {
            return Err(ClientError::Io {
                path: Some(path.to_path_buf()),
                source: std::io::Error::other("the file changed size while being uploaded"),
            });
        }
        let hash = info.algorithm.merkle_hex(&hashed.hashes)?;
        if let Some(remote) = existing {
            if !remote.directory && remote.bytes == size && remote.hash.as_deref() == Some(&hash) {
                run.file_complete(&added, size);
                return Ok(false);
            }
            if !options.overwrite {
                return Err(ClientError::Exists(format!("object {name}")));
            }
        }
        if size <= SMALL_FILE && hashed.hashes.len() <= 1 && options.upload.target_account.is_none()
        {
            put_small(
                target,
                name,
                &hashed,
                &hash,
                info.algorithm,
                &file_options,
                run,
            )
            .await?;
        } else {
            self.put_hashed(target, name, &hashed, info, &file_options, &run.limits)
                .await?;
        }
        run.file_complete(&added, size);
        Ok(true)
    }
}

/// Creates a small object in one `PUT` with its data, checking the ETag
/// when the server gives the Pithos hash (not the MD5) as ETag.
async fn put_small(
    target: &PithosClient,
    name: &str,
    hashed: &Hashed,
    hash: &str,
    algorithm: HashAlgorithm,
    options: &UploadOptions,
    run: &Run,
) -> Result<()> {
    let data = tokio::task::spawn_blocking({
        let source = hashed.source.clone();
        let size = hashed.size as usize;
        move || {
            let mut buf = vec![0u8; size];
            source.read_at(0, &mut buf).map(|_| buf)
        }
    })
    .await
    .map_err(|e| ClientError::InvalidRequest(format!("the reading task failed: {e}")))?
    .map_err(|e| ClientError::Io {
        path: Some(PathBuf::from(hashed.source.describe())),
        source: e,
    })?;
    let put = ObjectPut {
        content_type: Some(
            options
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
        ),
        content_encoding: options.content_encoding.clone(),
        content_disposition: options.content_disposition.clone(),
        permissions: options.sharing.clone(),
        public: options.public,
        data: Some(data.into()),
        ..ObjectPut::default()
    };
    let reply = {
        let _slot = run.limits.request().await?;
        target
            .object_put_request(name, &put)?
            .success(&[201])
            .send()
            .await?
    };
    let headers = headers_of(&reply);
    let etag = headers
        .get("etag")
        .map(|e| e.trim_matches('"').to_ascii_lowercase());
    if let Some(etag) = etag {
        if etag.len() == algorithm.digest_len() * 2 && etag != hash {
            return Err(ClientError::Integrity(format!(
                "uploading {name}: the server stored it with hash {etag}, not {hash}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_lists_dirs_parents_first_and_files_with_sizes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::create_dir_all(dir.path().join("empty")).unwrap();
        std::fs::write(dir.path().join("a/b/f"), b"12345").unwrap();
        std::fs::write(dir.path().join("top"), b"").unwrap();
        let found = walk(dir.path()).unwrap();
        assert_eq!(found.dirs, ["a", "a/b", "empty"]);
        let mut files: Vec<(String, u64)> =
            found.files.iter().map(|f| (f.0.clone(), f.2)).collect();
        files.sort();
        assert_eq!(files, [("a/b/f".to_string(), 5), ("top".to_string(), 0)]);
        assert!(walk(&dir.path().join("missing")).is_err());
    }
}
