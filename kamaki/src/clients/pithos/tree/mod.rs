//! Whole directory trees in parallel (beyond kamaki, whose `-r` moves one
//! file after another): [`PithosClient::upload_tree`] and
//! [`PithosClient::download_tree`].
//!
//! Many files are in flight at once under one [`Limits`] shared by files
//! and blocks alike, so the requests in flight, the hashing threads and
//! with them the memory stay bounded whatever the tree. A file whose Pithos
//! hash (the Merkle root of its blocks) is already on the other side is
//! skipped, so a rerun after an interruption moves only what is missing;
//! within a file, only missing blocks travel (upload deduplication,
//! download resume). A file that fails is reported and the others go on.
//!
//! [`PithosClient::upload_tree`]: super::PithosClient::upload_tree
//! [`PithosClient::download_tree`]: super::PithosClient::download_tree

mod download;
mod upload;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::TryStreamExt;

use super::limits::Limits;
use super::progress::{ProgressFn, Reporter};
use super::rest_api::ContainerGet;
use super::upload::UploadOptions;
use super::PithosClient;
use crate::clients::storage::ListedObject;
use crate::clients::{ClientError, Result};

/// Files of at most this size (and of one block) move in one request,
/// checked against the hash the listing gives: a round trip saved per
/// file is what makes a tree of small files fast on a distant cloud.
pub(crate) const SMALL_FILE: u64 = 1 << 20;

/// The content type of a directory marker, as kamaki creates them.
pub const DIRECTORY_TYPE: &str = "application/directory";

/// Picks a file's content type from its local path.
pub type ContentTypeFn = Arc<dyn Fn(&Path) -> Option<String> + Send + Sync>;

/// Told of each file and directory of a tree as its transfer goes.
pub type TreeEventFn = Arc<dyn Fn(&TreeEvent) + Send + Sync>;

/// How to transfer a directory tree.
#[derive(Clone, Default)]
pub struct TreeOptions {
    /// Requests in flight at once, for all files together (default: the
    /// client's `concurrency()`).
    pub concurrency: Option<usize>,
    /// Threads hashing blocks, for all files together (default: one per
    /// core).
    pub hash_threads: Option<usize>,
    /// Progress of the whole tree: bytes in place (transferred or found
    /// unchanged) out of the bytes of every file.
    pub progress_cb: Option<ProgressFn>,
    /// Each file as it starts, is found unchanged, completes or fails.
    pub event_cb: Option<TreeEventFn>,
    /// Upload: the content type of each file (default: the template's, or
    /// `application/octet-stream`).
    pub content_type: Option<ContentTypeFn>,
    /// Upload: what every file's upload shares (encoding, sharing, public,
    /// target account, container cache); its callbacks, size and
    /// concurrency are not used.
    pub upload: UploadOptions,
    /// Replace objects (upload) or local files (download) that exist with
    /// other content. Off by default: such a file fails with
    /// [`ClientError::Exists`] and the others go on. Files with the same
    /// content are never transferred again, and a download interrupted
    /// midway resumes from its `.kamaki-partial` either way.
    pub overwrite: bool,
    /// A bound on the whole transfer (none by default).
    pub timeout: Option<std::time::Duration>,
}

impl fmt::Debug for TreeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TreeOptions")
            .field("concurrency", &self.concurrency)
            .field("hash_threads", &self.hash_threads)
            .field("upload", &self.upload)
            .field("overwrite", &self.overwrite)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What happened to one entry of a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeEventKind {
    /// Its transfer started.
    Started,
    /// The other side has it already, with the same hash: nothing moved.
    Unchanged,
    /// It was transferred and verified.
    Done,
    /// It failed (the report says why).
    Failed,
    /// A directory was created (a marker object, or a local folder).
    Directory,
}

/// One entry of a tree and what happened to it.
#[derive(Clone, Debug)]
pub struct TreeEvent {
    /// What happened.
    pub kind: TreeEventKind,
    /// The object's name.
    pub remote: String,
    /// The local file or directory.
    pub local: PathBuf,
    /// Its size.
    pub bytes: u64,
}

/// What a tree transfer did.
#[derive(Debug, Default)]
#[must_use]
pub struct TreeReport {
    /// Files transferred (object names).
    pub transferred: Vec<String>,
    /// Files found the same on both sides, not transferred.
    pub unchanged: Vec<String>,
    /// Directories created (object names).
    pub directories: Vec<String>,
    /// Local entries left out, with why (not a regular file, a name that is
    /// not UTF-8, an object name that would leave the target folder).
    pub skipped: Vec<(String, String)>,
    /// Files that failed, with their error.
    pub failed: Vec<(String, ClientError)>,
    /// The bytes of every file of the tree.
    pub bytes: u64,
}

impl TreeReport {
    /// Files' outcomes, `Ok(true)` transferred, `Ok(false)` unchanged, into
    /// the report, sorted by name.
    pub(crate) fn gather(&mut self, outcomes: Vec<(String, Result<bool>)>) {
        for (name, outcome) in outcomes {
            match outcome {
                Ok(true) => self.transferred.push(name),
                Ok(false) => self.unchanged.push(name),
                Err(e) => self.failed.push((name, e)),
            }
        }
        self.transferred.sort();
        self.unchanged.sort();
        self.failed.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// Whether every file is in place.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }

    /// `Ok(self)` when complete, else [`ClientError::Incomplete`] holding
    /// this report.
    pub fn into_result(self) -> Result<TreeReport> {
        if self.is_complete() {
            Ok(self)
        } else {
            Err(ClientError::Incomplete(Box::new(self)))
        }
    }
}

impl fmt::Display for TreeReport {
    /// `N files transferred, N unchanged, N failed (first: NAME: ERROR)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} files transferred, {} unchanged, {} failed",
            self.transferred.len(),
            self.unchanged.len(),
            self.failed.len()
        )?;
        if let Some((name, error)) = self.failed.first() {
            write!(f, " (first: {name}: {error})")?;
        }
        Ok(())
    }
}

/// The shared state of one tree transfer.
pub(crate) struct Run {
    pub(crate) limits: Limits,
    pub(crate) progress: Arc<Reporter>,
    events: Option<TreeEventFn>,
}

impl Run {
    fn new(client: &PithosClient, options: &TreeOptions, total: u64) -> Run {
        let limits = Limits::new(
            options.concurrency.unwrap_or_else(|| client.concurrency()),
            options
                .hash_threads
                .unwrap_or_else(super::transfer::default_hash_threads),
        );
        let progress = Arc::new(Reporter::new(options.progress_cb.clone(), total));
        progress.start(0);
        Run {
            limits,
            progress,
            events: options.event_cb.clone(),
        }
    }

    /// How many files are worked on at once: enough to keep every request
    /// and hashing place busy, few enough to keep open files in check.
    fn files_in_flight(&self) -> usize {
        self.limits.requests() + self.limits.hash_threads()
    }

    pub(crate) fn tell(&self, kind: TreeEventKind, remote: &str, local: &Path, bytes: u64) {
        if let Some(events) = &self.events {
            events(&TreeEvent {
                kind,
                remote: remote.to_string(),
                local: local.to_path_buf(),
                bytes,
            });
        }
    }

    /// A per-file progress callback adding what the file reports to the
    /// tree's total; the returned counter says how much it added.
    pub(crate) fn file_progress(&self) -> (ProgressFn, Arc<AtomicU64>) {
        let added = Arc::new(AtomicU64::new(0));
        let (tree, seen) = (self.progress.clone(), added.clone());
        let callback: ProgressFn = Arc::new(move |p| {
            let before = seen.fetch_max(p.done, Ordering::Relaxed);
            if p.done > before {
                tree.add(p.done - before);
            }
        });
        (callback, added)
    }

    /// Brings the tree's total up to the whole of a file of `bytes` whose
    /// callback reported `added` so far.
    pub(crate) fn file_complete(&self, added: &AtomicU64, bytes: u64) {
        let before = added.swap(bytes, Ordering::Relaxed);
        if bytes > before {
            self.progress.add(bytes - before);
        }
    }
}

/// An object of a listing, as the tree transfers see it.
#[derive(Clone, Debug)]
pub(crate) struct Remote {
    pub(crate) bytes: u64,
    /// The Merkle hash of its blocks, when the listing gives it.
    pub(crate) hash: Option<String>,
    pub(crate) directory: bool,
}

/// The objects under `prefix` (all pages), by name.
pub(crate) async fn list_under(
    client: &PithosClient,
    prefix: &str,
    limits: &Limits,
) -> Result<HashMap<String, Remote>> {
    let options = ContainerGet {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        ..ContainerGet::default()
    };
    let _slot = limits.request().await?;
    let listed: Vec<ListedObject> = client.list_objects_stream(&options).try_collect().await?;
    Ok(listed
        .into_iter()
        .filter_map(|entry| match entry {
            ListedObject::Object(object) => {
                let directory = is_directory_type(object.content_type.as_deref());
                let hash = object
                    .x_object_hash
                    .filter(|h| !h.is_empty())
                    .map(|h| h.to_ascii_lowercase());
                Some((
                    object.name,
                    Remote {
                        bytes: object.bytes,
                        hash,
                        directory,
                    },
                ))
            }
            ListedObject::Subdir { .. } => None,
        })
        .collect())
}

/// Whether a content type marks a directory (`application/directory`, or
/// the older `application/folder`).
pub(crate) fn is_directory_type(content_type: Option<&str>) -> bool {
    content_type
        .map(|t| t.split(';').next().unwrap_or("").trim())
        .is_some_and(|t| {
            t.eq_ignore_ascii_case(DIRECTORY_TYPE) || t.eq_ignore_ascii_case("application/folder")
        })
}

/// `prefix/rest`, or `rest` alone under an empty prefix.
pub(crate) fn join_remote(prefix: &str, rest: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}/{rest}"),
    }
}

/// Where an object named `rest` (relative to the tree's prefix) goes under
/// `root`, or why it cannot: every part must be a plain name, so no object
/// name leads outside the target folder.
pub(crate) fn local_path(root: &Path, rest: &str) -> std::result::Result<PathBuf, String> {
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return Err("an empty name".into());
    }
    let mut path = root.to_path_buf();
    for part in rest.split('/') {
        let plain = !part.is_empty()
            && part != "."
            && part != ".."
            && !part.contains('\0')
            && !(cfg!(windows) && (part.contains('\\') || part.contains(':')));
        if !plain {
            return Err(format!("{rest:?} is not a safe local path (part {part:?})"));
        }
        path.push(part);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_stay_inside_the_target() {
        let root = Path::new("/tmp/t");
        assert_eq!(local_path(root, "a/b.txt").unwrap(), root.join("a/b.txt"));
        assert_eq!(local_path(root, "dir/").unwrap(), root.join("dir"));
        assert_eq!(local_path(root, "ünï/çödé").unwrap(), root.join("ünï/çödé"));
        for bad in ["", "../x", "a/../../x", "a//b", "/abs", "./x", "a/\0"] {
            assert!(local_path(root, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn remote_names_join_without_double_slashes() {
        assert_eq!(join_remote("", "a/b"), "a/b");
        assert_eq!(join_remote("dir/", "a"), "dir/a");
        assert_eq!(join_remote("dir", ""), "dir");
    }

    #[test]
    fn directory_types() {
        assert!(is_directory_type(Some("application/directory")));
        assert!(is_directory_type(Some("application/folder; charset=x")));
        assert!(!is_directory_type(Some("text/plain")));
        assert!(!is_directory_type(None));
    }

    #[test]
    fn a_report_with_failures_is_an_error_holding_it() {
        let report = TreeReport {
            transferred: vec!["a".into()],
            failed: vec![("b".into(), ClientError::Integrity("bad block".into()))],
            ..TreeReport::default()
        };
        assert!(!report.is_complete());
        let text = report.to_string();
        assert!(text.contains("1 failed (first: b: integrity"), "{text}");
        match report.into_result() {
            Err(ClientError::Incomplete(report)) => assert_eq!(report.transferred, ["a"]),
            other => panic!("{other:?}"),
        }
        assert!(TreeReport::default().into_result().is_ok());
    }
}
