//! Pithos transfers on the `kamaki` crate's engine: a file, an open file,
//! bytes or a whole folder, up or down, with kamaki's options. The bytes of
//! a file never pass through Python.

use std::fs::File;
use std::path::PathBuf;

use futures_util::TryStreamExt;
use kamaki::clients::pithos::{
    DownloadOptions, PithosClient, Sharing, TreeOptions, TreeReport, UploadOptions, UploadSource,
};
use kamaki::clients::{ClientError, Service};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::endpoint::Endpoint;
use crate::progress::Callbacks;
use crate::runtime::run;

/// Headers as `(lower-case name, value)` pairs.
type HeaderList = Vec<(String, String)>;

fn pithos(endpoint: &Endpoint, account: String, container: String) -> PithosClient {
    PithosClient::from_client(endpoint.client.clone())
        .with_account(account)
        .with_container(container)
}

/// A new handle on the open file `fd`, which the caller keeps open.
#[cfg(unix)]
fn file_of(fd: i32) -> PyResult<File> {
    use std::os::fd::BorrowedFd;
    if fd < 0 {
        return Err(PyValueError::new_err(format!(
            "{fd} is not a file descriptor"
        )));
    }
    // SAFETY: the Python caller passes `f.fileno()` of a file object it
    // holds for the whole call, so the descriptor stays open while it is
    // borrowed here; it is only duplicated.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    let owned = borrowed
        .try_clone_to_owned()
        .map_err(|e| PyValueError::new_err(format!("file descriptor {fd}: {e}")))?;
    Ok(File::from(owned))
}

#[cfg(not(unix))]
fn file_of(fd: i32) -> PyResult<File> {
    Err(PyValueError::new_err(format!(
        "file descriptor {fd}: open files are passed by path on this platform"
    )))
}

fn sharing_of(sharing: Option<(Vec<String>, Vec<String>)>) -> Option<Sharing> {
    sharing.map(|(read, write)| Sharing { read, write })
}

/// Uploads `obj` from `path`, the open file `fd`, or `data`, sending only
/// the blocks the server lacks; returns the headers of the final PUT.
#[pyfunction]
#[pyo3(signature = (
    endpoint, account, container, obj, *, path = None, fd = None, data = None, size = None,
    etag = None, if_etag_match = None, if_not_exist = false, content_encoding = None,
    content_disposition = None, content_type = None, sharing = None, public = None,
    target_account = None, concurrency = None, hash_cb = None, upload_cb = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn upload(
    py: Python<'_>,
    endpoint: &Endpoint,
    account: String,
    container: String,
    obj: &str,
    path: Option<PathBuf>,
    fd: Option<i32>,
    data: Option<Vec<u8>>,
    size: Option<u64>,
    etag: Option<String>,
    if_etag_match: Option<String>,
    if_not_exist: bool,
    content_encoding: Option<String>,
    content_disposition: Option<String>,
    content_type: Option<String>,
    sharing: Option<(Vec<String>, Vec<String>)>,
    public: Option<bool>,
    target_account: Option<String>,
    concurrency: Option<usize>,
    hash_cb: Option<Py<PyAny>>,
    upload_cb: Option<Py<PyAny>>,
) -> PyResult<HeaderList> {
    let source = match (path, fd, data) {
        (Some(path), None, None) => UploadSource::Path(path),
        (None, Some(fd), None) => UploadSource::File(file_of(fd)?),
        (None, None, Some(data)) => UploadSource::Bytes(data.into()),
        _ => {
            return Err(PyValueError::new_err(
                "give exactly one of path, fd and data to upload",
            ))
        }
    };
    let callbacks = Callbacks::default();
    let options = UploadOptions {
        size,
        hash_cb: callbacks.wrap(hash_cb),
        upload_cb: callbacks.wrap(upload_cb),
        etag,
        if_etag_match,
        if_not_exist,
        content_encoding,
        content_disposition,
        content_type,
        sharing: sharing_of(sharing),
        public,
        target_account,
        concurrency,
        ..UploadOptions::default()
    };
    let client = pithos(endpoint, account, container);
    let headers = run(py, client.upload_object(obj, source, &options))?;
    callbacks.check()?;
    Ok(headers.into_iter().collect())
}

/// What a download is asked for, as kamaki's `download_object` takes it.
fn download_options(
    callbacks: &Callbacks,
    version: Option<String>,
    resume: bool,
    range_str: Option<String>,
    conditions: [Option<String>; 4],
    concurrency: Option<usize>,
    download_cb: Option<Py<PyAny>>,
) -> DownloadOptions {
    let [if_match, if_none_match, if_modified_since, if_unmodified_since] = conditions;
    DownloadOptions {
        download_cb: callbacks.wrap(download_cb),
        version,
        resume,
        range_str,
        if_match,
        if_none_match,
        if_modified_since,
        if_unmodified_since,
        concurrency,
        ..DownloadOptions::default()
    }
}

/// Downloads `obj` to `path` (through `<path>.kamaki-partial`, renamed
/// when complete) or into the open file `fd` (written in place), verifying
/// every block. Returns `(headers of the hashmap reply, not_modified)`.
#[pyfunction]
#[pyo3(signature = (
    endpoint, account, container, obj, *, path = None, fd = None, version = None,
    resume = false, range_str = None, if_match = None, if_none_match = None,
    if_modified_since = None, if_unmodified_since = None, concurrency = None, download_cb = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn download(
    py: Python<'_>,
    endpoint: &Endpoint,
    account: String,
    container: String,
    obj: &str,
    path: Option<PathBuf>,
    fd: Option<i32>,
    version: Option<String>,
    resume: bool,
    range_str: Option<String>,
    if_match: Option<String>,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    if_unmodified_since: Option<String>,
    concurrency: Option<usize>,
    download_cb: Option<Py<PyAny>>,
) -> PyResult<(HeaderList, bool)> {
    let callbacks = Callbacks::default();
    let options = download_options(
        &callbacks,
        version,
        resume,
        range_str,
        [
            if_match,
            if_none_match,
            if_modified_since,
            if_unmodified_since,
        ],
        concurrency,
        download_cb,
    );
    let client = pithos(endpoint, account, container);
    let report = match (path, fd) {
        (Some(path), None) => run(py, client.download_object(obj, path, &options))?,
        (None, Some(fd)) => {
            let file = file_of(fd)?;
            run(py, async {
                client.download_into_file(obj, &file, &options).await
            })?
        }
        _ => {
            return Err(PyValueError::new_err(
                "give exactly one of path and fd to download to",
            ))
        }
    };
    callbacks.check()?;
    Ok((report.headers.into_iter().collect(), report.not_modified))
}

/// The verified bytes of `obj` (or of the ranges of `range_str`).
#[pyfunction]
#[pyo3(signature = (
    endpoint, account, container, obj, *, version = None, range_str = None, if_match = None,
    if_none_match = None, if_modified_since = None, if_unmodified_since = None,
    concurrency = None, download_cb = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn download_bytes<'py>(
    py: Python<'py>,
    endpoint: &Endpoint,
    account: String,
    container: String,
    obj: &str,
    version: Option<String>,
    range_str: Option<String>,
    if_match: Option<String>,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    if_unmodified_since: Option<String>,
    concurrency: Option<usize>,
    download_cb: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let callbacks = Callbacks::default();
    let options = download_options(
        &callbacks,
        version,
        false,
        range_str,
        [
            if_match,
            if_none_match,
            if_modified_since,
            if_unmodified_since,
        ],
        concurrency,
        download_cb,
    );
    let client = pithos(endpoint, account, container);
    let data = run(py, client.download_to_string(obj, &options))?;
    callbacks.check()?;
    Ok(PyBytes::new(py, &data))
}

/// Writes the verified bytes of `obj` to `write` (a callable taking
/// `bytes`, e.g. a file's `write`), in order, with `concurrency` blocks
/// fetched ahead; returns how many bytes were written. One hashmap request
/// for the whole object; the interpreter lock is released while the bytes
/// come.
#[pyfunction]
#[pyo3(signature = (
    endpoint, account, container, obj, write, *, version = None, if_match = None,
    if_none_match = None, if_modified_since = None, if_unmodified_since = None,
    concurrency = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn stream_down(
    py: Python<'_>,
    endpoint: &Endpoint,
    account: String,
    container: String,
    obj: &str,
    write: Bound<'_, PyAny>,
    version: Option<String>,
    if_match: Option<String>,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    if_unmodified_since: Option<String>,
    concurrency: Option<usize>,
) -> PyResult<u64> {
    let options = DownloadOptions {
        version,
        if_match,
        if_none_match,
        if_modified_since,
        if_unmodified_since,
        concurrency,
        ..DownloadOptions::default()
    };
    let client = pithos(endpoint, account, container);
    let mut stream = Box::pin(run(py, client.download_stream(obj, &options))?);
    let mut written = 0u64;
    while let Some(piece) = run(py, stream.try_next())? {
        write.call1((PyBytes::new(py, &piece),))?;
        written += piece.len() as u64;
    }
    Ok(written)
}

fn tree_options(
    callbacks: &Callbacks,
    concurrency: Option<usize>,
    overwrite: bool,
    progress_cb: Option<Py<PyAny>>,
    upload: UploadOptions,
) -> TreeOptions {
    TreeOptions {
        concurrency,
        overwrite,
        progress_cb: callbacks.wrap(progress_cb),
        upload,
        ..TreeOptions::default()
    }
}

/// A tree transfer's report as a dict; a failed file is `(name, message)`
/// (the transfer goes on for the others).
fn report_dict<'py>(py: Python<'py>, report: TreeReport) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("transferred", report.transferred)?;
    dict.set_item("unchanged", report.unchanged)?;
    dict.set_item("directories", report.directories)?;
    dict.set_item("skipped", report.skipped)?;
    let failed: Vec<(String, String)> = report
        .failed
        .into_iter()
        .map(|(name, error)| (name, error.to_string()))
        .collect();
    dict.set_item("failed", failed)?;
    dict.set_item("bytes", report.bytes)?;
    Ok(dict)
}

/// A tree call's result with an incomplete transfer as a report, not an
/// error: the Python side raises with the report attached.
#[allow(clippy::result_large_err)] // the kamaki crate's own Result
fn tree_result(result: kamaki::clients::Result<TreeReport>) -> kamaki::clients::Result<TreeReport> {
    match result {
        Err(ClientError::Incomplete(report)) => Ok(*report),
        other => other,
    }
}

/// Uploads the folder `local` under `remote` (a prefix in the container),
/// files in parallel; files already there with the same hash are not sent.
#[pyfunction]
#[pyo3(signature = (
    endpoint, account, container, local, remote, *, concurrency = None, overwrite = false,
    content_type = None, sharing = None, public = None, progress_cb = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn upload_tree<'py>(
    py: Python<'py>,
    endpoint: &Endpoint,
    account: String,
    container: String,
    local: PathBuf,
    remote: &str,
    concurrency: Option<usize>,
    overwrite: bool,
    content_type: Option<String>,
    sharing: Option<(Vec<String>, Vec<String>)>,
    public: Option<bool>,
    progress_cb: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let callbacks = Callbacks::default();
    let upload = UploadOptions {
        content_type,
        sharing: sharing_of(sharing),
        public,
        ..UploadOptions::default()
    };
    let options = tree_options(&callbacks, concurrency, overwrite, progress_cb, upload);
    let client = pithos(endpoint, account, container);
    let report = run(py, async {
        tree_result(client.upload_tree(&local, remote, &options).await)
    })?;
    callbacks.check()?;
    report_dict(py, report)
}

/// Downloads every object under `remote` into the folder `local`, files in
/// parallel; local files with the same hash are not fetched again.
#[pyfunction]
#[pyo3(signature = (
    endpoint, account, container, remote, local, *, concurrency = None, overwrite = false,
    progress_cb = None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn download_tree<'py>(
    py: Python<'py>,
    endpoint: &Endpoint,
    account: String,
    container: String,
    remote: &str,
    local: PathBuf,
    concurrency: Option<usize>,
    overwrite: bool,
    progress_cb: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let callbacks = Callbacks::default();
    let options = tree_options(
        &callbacks,
        concurrency,
        overwrite,
        progress_cb,
        UploadOptions::default(),
    );
    let client = pithos(endpoint, account, container);
    let report = run(py, async {
        tree_result(client.download_tree(remote, &local, &options).await)
    })?;
    callbacks.check()?;
    report_dict(py, report)
}
