//! The local side of `file upload`: walking a directory tree, and the
//! object names of its files.

use std::path::{Path, PathBuf};

use crate::error::{CliError, CliResult};

/// The directories (the top first, parents before children) and the
/// regular files (with their sizes) under `top`, sorted; other entries
/// (sockets, broken links) apart. Symbolic links to directories are not
/// followed (no loops); links to files are.
pub(super) type Tree = (Vec<PathBuf>, Vec<(PathBuf, u64)>, Vec<PathBuf>);

pub(super) fn walk(top: &Path) -> CliResult<Tree> {
    let mut dirs = vec![top.to_path_buf()];
    let mut files = Vec::new();
    let mut others = Vec::new();
    let mut i = 0;
    while i < dirs.len() {
        let dir = dirs[i].clone();
        i += 1;
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| CliError::new(format!("Failed to read {}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let link = std::fs::symlink_metadata(&path).map(|m| m.file_type().is_symlink());
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() && !link.unwrap_or(true) => dirs.push(path),
                Ok(m) if m.is_file() => files.push((path, m.len())),
                _ => others.push(path),
            }
        }
    }
    dirs.sort();
    files.sort();
    Ok((dirs, files, others))
}

/// `path` relative to `top`, with `/` separators.
pub(super) fn relative(top: &Path, path: &Path) -> String {
    path.strip_prefix(top)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// `a/b` from `a` and `b`, either of which may be empty.
pub(super) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// `path` made absolute (from the current directory), `.` components
/// dropped.
pub(super) fn absolute(path: &Path) -> CliResult<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let joined = std::env::current_dir()?.join(path);
    // `dir/.` names dir.
    Ok(joined
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_tree() {
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("d", ""), "d");
        assert_eq!(join("d", "a/b"), "d/a/b");
        assert_eq!(
            relative(Path::new("/t/top"), Path::new("/t/top/x/y.txt")),
            "x/y.txt"
        );
        assert_eq!(relative(Path::new("/t/top"), Path::new("/t/top")), "");
    }

    #[test]
    fn trees_are_walked_parents_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::write(dir.path().join("a.txt"), b"a").unwrap();
        std::fs::write(dir.path().join("b/c/d.txt"), b"dd").unwrap();
        let (dirs, files, others) = walk(dir.path()).unwrap();
        let rel = |p: &Path| relative(dir.path(), p);
        assert_eq!(
            dirs.iter().map(|d| rel(d)).collect::<Vec<_>>(),
            ["", "b", "b/c"]
        );
        assert_eq!(
            files.iter().map(|(f, s)| (rel(f), *s)).collect::<Vec<_>>(),
            [("a.txt".to_string(), 1), ("b/c/d.txt".to_string(), 2)]
        );
        assert!(others.is_empty());
    }
}
