//! `scripts verifyfs`: checks that the directory objects of a container form
//! a consistent tree, as file managers and kamaki's own listings expect it,
//! and fixes one kind of problem per run:
//!
//! 1. conflicts: a file (not a directory object) whose name is also a
//!    directory of other objects (`a` and `a/b`); fixed by renaming the file
//!    to `<name>_orig_<YYYY-mm-dd>`;
//! 2. directory objects whose names hold `\` (Windows separators); fixed by
//!    renaming them with `/`;
//! 3. missing directory objects (`a/b/c` without a directory object `a/b`);
//!    fixed by creating them.
//!
//! A kind is fixed only once the kinds before it are gone, as in kamaki.

use std::collections::BTreeSet;

use clap::{Args, Subcommand};
use kamaki::clients::pithos::{ContainerGet, CopyOptions};
use kamaki::clients::storage::ListedObject;
use serde::Serialize;
use serde_json::json;

use super::common::{confirm, is_dir, AccountArg, Target};
use crate::commands::Ctx;
use crate::error::{CliError, CliResult};

/// `scripts` commands.
#[derive(Debug, Subcommand)]
pub enum ScriptsCmd {
    /// Verify (and fix) the structure of the directory objects of a container.
    Verifyfs(VerifyArgs),
}

/// `scripts verifyfs` arguments.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The container to check.
    pub container: String,
    /// The account.
    #[command(flatten)]
    pub account: AccountArg,
    /// Rename files whose names are also directories (to NAME_orig_DATE).
    #[arg(long = "fix-conflicts")]
    pub fix_conflicts: bool,
    /// Rename directory objects whose names hold \ (with / instead).
    #[arg(long = "fix-dir-names")]
    pub fix_dir_names: bool,
    /// Create the missing directory objects.
    #[arg(long = "fix-missing-dirs")]
    pub fix_missing_dirs: bool,
    /// Do not ask before each change.
    #[arg(long)]
    pub yes: bool,
}

/// What a container's listing shows, by kind of problem.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Findings {
    /// Files whose names are also directories of other objects.
    pub conflicts: BTreeSet<String>,
    /// Directory objects whose names hold `\`.
    pub backslash_dirs: BTreeSet<String>,
    /// Directories of objects with no directory object.
    pub missing_dirs: BTreeSet<String>,
}

impl Findings {
    /// Reads a listing: `(name, is a directory object)` pairs.
    pub fn of<'a>(objects: impl IntoIterator<Item = (&'a str, bool)>) -> Findings {
        let mut dirs = BTreeSet::new();
        let mut files = BTreeSet::new();
        for (name, dir) in objects {
            if dir {
                dirs.insert(name);
            } else {
                files.insert(name);
            }
        }
        let mut findings = Findings::default();
        for name in files.iter().chain(dirs.iter()) {
            // Every proper prefix ending before a `/` is a directory.
            for (at, _) in name.match_indices('/') {
                let parent = &name[..at];
                if parent.is_empty() || parent.ends_with('/') {
                    continue; // `//` or a leading `/`: no name to create
                }
                if !dirs.contains(parent) {
                    findings.missing_dirs.insert(parent.to_string());
                }
                if files.contains(parent) {
                    findings.conflicts.insert(parent.to_string());
                }
            }
        }
        findings.backslash_dirs = dirs
            .iter()
            .filter(|d| d.contains('\\'))
            .map(|d| d.to_string())
            .collect();
        findings
    }

    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty() && self.backslash_dirs.is_empty() && self.missing_dirs.is_empty()
    }
}

/// The name a conflicting file gets: `<name>_orig_<date>`, or with `_2`,
/// `_3`... when that is taken too.
pub fn backup_name(name: &str, date: &str, taken: &BTreeSet<String>) -> String {
    let base = format!("{name}_orig_{date}");
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    candidate
}

/// Runs a `scripts` command.
pub async fn run(ctx: &mut Ctx, cmd: ScriptsCmd) -> CliResult {
    match cmd {
        ScriptsCmd::Verifyfs(args) => verifyfs(ctx, args).await,
    }
}

fn listed(objects: &[ListedObject]) -> impl Iterator<Item = (&str, bool)> {
    objects
        .iter()
        .filter_map(ListedObject::as_object)
        .map(|o| (o.name.as_str(), is_dir(o)))
}

fn joined(names: &BTreeSet<String>) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn verifyfs(ctx: &mut Ctx, args: VerifyArgs) -> CliResult {
    let target = Target::container(ctx, &args.account, &args.container).await?;
    let objects = target
        .on_container(target.client.list_all_objects(&ContainerGet::default()))
        .await?;
    let findings = Findings::of(listed(&objects));
    let names: BTreeSet<String> = objects.iter().map(|o| o.name().to_string()).collect();
    let mut fixed: Vec<(String, String)> = Vec::new();
    let container = target.container.clone();
    let moving = |from: &str, to: &str| {
        let client = target.client.clone();
        let (from, to, container) = (from.to_string(), to.to_string(), container.clone());
        async move {
            let options = CopyOptions {
                dst_object: Some(to),
                ..CopyOptions::default()
            };
            client
                .move_object(&container, &from, &container, &options)
                .await
        }
    };
    if !findings.conflicts.is_empty() {
        if !args.fix_conflicts {
            return Err(CliError::new(format!(
                "Conflicting object names in {container}: {} (files that should be directories; --fix-conflicts renames them)",
                joined(&findings.conflicts)
            )));
        }
        let today = crate::local_time::today();
        let mut taken = names.clone();
        for name in &findings.conflicts {
            let backup = backup_name(name, &today, &taken);
            if !confirm(&format!("Rename {name} to {backup}?"), args.yes) {
                continue;
            }
            eprintln!(" * Renaming {name} to {backup}");
            moving(name, &backup)
                .await
                .map_err(|e| CliError::from(e).hint(&format!("renaming {name}")))?;
            taken.insert(backup.clone());
            fixed.push((name.clone(), backup));
        }
    } else if !findings.backslash_dirs.is_empty() {
        if !args.fix_dir_names {
            return Err(CliError::new(format!(
                "Directory objects with \\ in {container}: {} (--fix-dir-names renames them with /)",
                joined(&findings.backslash_dirs)
            )));
        }
        for name in &findings.backslash_dirs {
            let correct = name.replace('\\', "/");
            if names.contains(&correct) {
                eprintln!(" * Skipping {name}: {correct} exists");
                continue;
            }
            if !confirm(&format!("Rename {name} to {correct}?"), args.yes) {
                continue;
            }
            eprintln!(" * Renaming {name} to {correct}");
            moving(name, &correct)
                .await
                .map_err(|e| CliError::from(e).hint(&format!("renaming {name}")))?;
            fixed.push((name.clone(), correct));
        }
    } else if !findings.missing_dirs.is_empty() {
        if !args.fix_missing_dirs {
            return Err(CliError::new(format!(
                "Missing directory objects in {container}: {} (--fix-missing-dirs creates them)",
                joined(&findings.missing_dirs)
            )));
        }
        for name in &findings.missing_dirs {
            if !confirm(&format!("Create {name}?"), args.yes) {
                continue;
            }
            eprintln!(" * Creating directory object {name}");
            target
                .client
                .create_directory(name)
                .await
                .map_err(|e| CliError::from(e).hint(&format!("creating {name}")))?;
            fixed.push((String::new(), name.clone()));
        }
    }
    if ctx.json() {
        let fixed: Vec<_> = fixed
            .iter()
            .map(|(from, to)| match from.is_empty() {
                true => json!({ "created": to }),
                false => json!({ "renamed": from, "to": to }),
            })
            .collect();
        return ctx.out.print_value(&json!({
            "container": container,
            "found": findings,
            "fixed": fixed,
        }));
    }
    if findings.is_clean() {
        eprintln!("The directory objects of {container} are consistent");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_consistent_tree_has_no_findings() {
        let findings = Findings::of([
            ("a", true),
            ("a/b", true),
            ("a/b/c.txt", false),
            ("d", false),
        ]);
        assert!(findings.is_clean(), "{findings:?}");
    }

    #[test]
    fn each_kind_is_found() {
        let findings = Findings::of([
            ("docs", false),        // a file...
            ("docs/readme", false), // ...that is also a directory
            ("x\\y", true),         // a Windows-style directory object
            ("p/q/r.txt", false),   // p and p/q have no directory objects
            ("", false),
            ("/lead", false), // a leading slash names no directory
        ]);
        assert_eq!(findings.conflicts, set(&["docs"]));
        assert_eq!(findings.backslash_dirs, set(&["x\\y"]));
        assert_eq!(findings.missing_dirs, set(&["docs", "p", "p/q"]));
    }

    #[test]
    fn backups_never_overwrite() {
        let taken = set(&["a_orig_2026-01-01", "a_orig_2026-01-01_2"]);
        assert_eq!(
            backup_name("a", "2026-01-01", &taken),
            "a_orig_2026-01-01_3"
        );
        assert_eq!(backup_name("b", "2026-01-01", &taken), "b_orig_2026-01-01");
    }
}
