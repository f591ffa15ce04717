//! What uploads and downloads share: progress bars on stderr (hidden when
//! it is not a terminal or with `-N`), messages that do not garble them,
//! Ctrl-C, and the content type of a file name.

use std::future::Future;
use std::path::Path;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};
use kamaki::clients::pithos::{progress_fn, Progress, ProgressFn};

use crate::error::{CliError, CliResult};
use crate::progress::{bars_enabled, bytes_bar, status_line};

/// The bars of one command, drawn together on stderr.
pub struct Bars {
    multi: MultiProgress,
    enabled: bool,
}

impl Bars {
    /// Bars, unless `-N` was given or stderr is not a terminal.
    pub fn new(no_progress_bar: bool) -> Self {
        let enabled = bars_enabled(no_progress_bar);
        let target = if enabled {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Bars {
            multi: MultiProgress::with_draw_target(target),
            enabled,
        }
    }

    /// A new bar of `total` bytes.
    pub fn bytes(&self, message: &str, total: u64) -> ProgressBar {
        self.multi.add(bytes_bar(message, total, self.enabled))
    }

    /// A line of text under the other bars (e.g. what is in flight).
    pub fn status(&self) -> ProgressBar {
        self.multi.add(status_line(self.enabled))
    }

    /// A message on stderr, above the bars.
    pub fn line(&self, text: &str) {
        (self.printer())(text)
    }

    /// What [`Bars::line`] does, for callbacks that outlive `self`.
    pub fn printer(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let (multi, enabled) = (self.multi.clone(), self.enabled);
        move |text: &str| {
            if enabled {
                let _ = multi.println(text);
            } else {
                eprintln!("{text}");
            }
        }
    }
}

/// A progress callback that moves `bar`, and `total` (a bar of several
/// files) from `base` on.
pub fn callback(bar: &ProgressBar, total: Option<(&ProgressBar, u64)>) -> ProgressFn {
    let bar = bar.clone();
    let total = total.map(|(b, base)| (b.clone(), base));
    progress_fn(move |p: Progress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        if let Some((total, base)) = &total {
            total.set_position(base + p.done);
        }
    })
}

/// Runs `work` until it ends or the user presses Ctrl-C; then the work is
/// dropped (nothing half-done is presented as complete: downloads keep
/// their data in `<file>.kamaki-partial`, uploads create the object only
/// at their last request) and the error says `canceled`.
pub async fn cancellable<T>(
    work: impl Future<Output = CliResult<T>>,
    canceled: &str,
) -> CliResult<T> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => {
            eprintln!();
            Err(CliError::interrupted(canceled))
        }
    }
}

/// The content type and encoding of a file, from its name (as Python's
/// `mimetypes.guess_type`): `a.tar.gz` is `application/x-tar` encoded
/// `gzip`.
pub fn guess_mime(path: &Path) -> (Option<String>, Option<String>) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (stem, encoding) = match name.rsplit_once('.') {
        Some((stem, "gz")) => (stem.to_string(), Some("gzip")),
        Some((stem, "bz2")) => (stem.to_string(), Some("bzip2")),
        Some((stem, "xz")) => (stem.to_string(), Some("xz")),
        Some((stem, "z")) => (stem.to_string(), Some("compress")),
        _ => (name.clone(), None),
    };
    let extension = match stem.rsplit_once('.') {
        Some((_, ext)) => ext,
        None if encoding.is_some() => "",
        None => return (None, None),
    };
    let content_type = match extension {
        "txt" | "text" | "log" | "conf" | "cfg" | "ini" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "xml" => "text/xml",
        "py" => "text/x-python",
        "c" | "h" => "text/x-c",
        "sh" => "application/x-sh",
        "js" => "application/javascript",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "tar" => "application/x-tar",
        "tgz" => return (Some("application/x-tar".into()), Some("gzip".into())),
        "iso" => "application/x-iso9660-image",
        "doc" => "application/msword",
        "odt" => "application/vnd.oasis.opendocument.text",
        "xls" => "application/vnd.ms-excel",
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "ico" => "image/vnd.microsoft.icon",
        "tif" | "tiff" => "image/tiff",
        "webp" => "image/webp",
        "mp3" => "audio/mpeg",
        "wav" => "audio/x-wav",
        "ogg" => "audio/ogg",
        "mp4" => "video/mp4",
        "mpeg" | "mpg" => "video/mpeg",
        "avi" => "video/x-msvideo",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        _ => "",
    };
    let content_type = (!content_type.is_empty()).then(|| content_type.to_string());
    (content_type, encoding.map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_from_names() {
        let guess = |n: &str| guess_mime(Path::new(n));
        assert_eq!(guess("a.txt"), (Some("text/plain".into()), None));
        assert_eq!(
            guess("dir/b.tar.gz"),
            (Some("application/x-tar".into()), Some("gzip".into()))
        );
        assert_eq!(guess("PHOTO.JPG"), (Some("image/jpeg".into()), None));
        assert_eq!(guess("noext"), (None, None));
        assert_eq!(guess("x.unknown"), (None, None));
        assert_eq!(guess("x.gz"), (None, Some("gzip".into())));
    }

    #[test]
    fn hidden_bars_follow_the_callbacks() {
        let bars = Bars::new(true);
        let bar = bars.bytes("upload", 10);
        let total = bars.bytes("total", 30);
        let cb = callback(&bar, Some((&total, 10)));
        cb(Progress { done: 4, total: 10 });
        assert_eq!((bar.position(), total.position()), (4, 14));
    }
}
