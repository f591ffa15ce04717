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
use crate::context::Ctx;
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

/// One change to the container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Fix {
    /// Move an object to another name.
    Rename {
        /// The object.
        #[serde(rename = "renamed")]
        from: String,
        /// Its new name.
        to: String,
    },
    /// Create a directory object.
    Create(#[serde(serialize_with = "created")] String),
}

fn created<S: serde::Serializer>(name: &str, serializer: S) -> Result<S::Ok, S::Error> {
    json!({ "created": name }).serialize(serializer)
}

/// The changes of this run: those of the first kind of problem found, if
/// its --fix flag is given; else that kind of problem, as an error.
pub fn plan(
    findings: &Findings,
    args: &VerifyArgs,
    names: &BTreeSet<String>,
    today: &str,
) -> Result<Vec<Fix>, String> {
    if !findings.conflicts.is_empty() {
        if !args.fix_conflicts {
            return Err(format!(
                "Conflicting object names: {} (files that should be directories; --fix-conflicts renames them)",
                joined(&findings.conflicts)
            ));
        }
        let mut taken = names.clone();
        let mut fixes = Vec::new();
        for name in &findings.conflicts {
            let backup = backup_name(name, today, &taken);
            taken.insert(backup.clone());
            fixes.push(Fix::Rename {
                from: name.clone(),
                to: backup,
            });
        }
        return Ok(fixes);
    }
    if !findings.backslash_dirs.is_empty() {
        if !args.fix_dir_names {
            return Err(format!(
                "Directory objects with \\: {} (--fix-dir-names renames them with /)",
                joined(&findings.backslash_dirs)
            ));
        }
        let renames = findings.backslash_dirs.iter().filter_map(|name| {
            let correct = name.replace('\\', "/");
            if names.contains(&correct) {
                eprintln!(" * Skipping {name}: {correct} exists");
                return None;
            }
            Some(Fix::Rename {
                from: name.clone(),
                to: correct,
            })
        });
        return Ok(renames.collect());
    }
    if !findings.missing_dirs.is_empty() {
        if !args.fix_missing_dirs {
            return Err(format!(
                "Missing directory objects: {} (--fix-missing-dirs creates them)",
                joined(&findings.missing_dirs)
            ));
        }
        return Ok(findings
            .missing_dirs
            .iter()
            .cloned()
            .map(Fix::Create)
            .collect());
    }
    Ok(Vec::new())
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
    let container = target.container.clone();
    let plan = plan(&findings, &args, &names, &crate::local_time::today())
        .map_err(|problem| CliError::new(format!("{container}: {problem}")))?;
    let mut fixed: Vec<&Fix> = Vec::new();
    for fix in &plan {
        let (question, doing) = match fix {
            Fix::Rename { from, to } => (
                format!("Rename {from} to {to}?"),
                format!("Renaming {from} to {to}"),
            ),
            Fix::Create(name) => (
                format!("Create {name}?"),
                format!("Creating directory object {name}"),
            ),
        };
        if !confirm(&question, args.yes) {
            continue;
        }
        eprintln!(" * {doing}");
        let done = match fix {
            Fix::Rename { from, to } => {
                let options = CopyOptions {
                    dst_object: Some(to.clone()),
                    ..CopyOptions::default()
                };
                target
                    .client
                    .move_object(&container, from, &container, &options)
                    .await
            }
            Fix::Create(name) => target.client.create_directory(name).await,
        };
        done.map_err(|e| CliError::from(e).hint(&doing.to_lowercase()))?;
        fixed.push(fix);
    }
    if ctx.json() {
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

    fn args(conflicts: bool, names: bool, missing: bool) -> VerifyArgs {
        VerifyArgs {
            container: "c".into(),
            account: AccountArg::default(),
            fix_conflicts: conflicts,
            fix_dir_names: names,
            fix_missing_dirs: missing,
            yes: true,
        }
    }

    #[test]
    fn one_kind_per_run_in_order() {
        let findings = Findings::of([("a", false), ("a/b", false), ("w\\x", true)]);
        let names = set(&["a", "a/b", "w\\x", "a_orig_d"]);
        let all = args(true, true, true);
        assert_eq!(
            plan(&findings, &all, &names, "d").unwrap(),
            [Fix::Rename {
                from: "a".into(),
                to: "a_orig_d_2".into()
            }]
        );
        let refused = plan(&findings, &args(false, true, true), &names, "d").unwrap_err();
        assert!(refused.contains("--fix-conflicts"), "{refused}");
        let later = Findings::of([("w\\x", true), ("w/x/y", true)]);
        let fixes = plan(&later, &all, &set(&[]), "d").unwrap();
        assert_eq!(
            fixes,
            [Fix::Rename {
                from: "w\\x".into(),
                to: "w/x".into()
            }]
        );
        let last = Findings::of([("w/x", true)]);
        assert_eq!(
            plan(&last, &all, &set(&[]), "d").unwrap(),
            [Fix::Create("w".into())]
        );
        assert!(plan(&last, &args(true, true, false), &set(&[]), "d").is_err());
        assert!(plan(
            &Findings::default(),
            &args(false, false, false),
            &set(&[]),
            "d"
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn fixes_as_json() {
        let rename = Fix::Rename {
            from: "a".into(),
            to: "b".into(),
        };
        assert_eq!(
            serde_json::to_value(rename).unwrap(),
            json!({"renamed": "a", "to": "b"})
        );
        assert_eq!(
            serde_json::to_value(Fix::Create("d".into())).unwrap(),
            json!({"created": "d"})
        );
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
