//! The shell's view of the command tree: clap's `Command` of the CLI, so
//! that contexts, help and completion always match what `kamaki` parses.

use clap::{Command, CommandFactory};

use crate::cli::Cli;

/// Sub-commands the shell does not offer: `shell` is its own word for OS
/// commands, `help` its own help.
const NOT_IN_SHELL: &[&str] = &["shell", "help"];

/// The command tree, built once (global options propagated to every
/// command, usage lines named from the root).
pub struct Tree {
    root: Command,
}

impl Tree {
    /// The tree of `kamaki`.
    pub fn new() -> Self {
        let mut root = Cli::command();
        root.build();
        Tree { root }
    }

    /// The node at `path` (canonical names), if there is one.
    pub fn find(&self, path: &[String]) -> Option<&Command> {
        let mut node = &self.root;
        for name in path {
            node = node.find_subcommand(name)?;
        }
        Some(node)
    }

    /// The sub-command of `node` called `name` (or an alias of it) that the
    /// shell offers.
    pub fn child<'a>(node: &'a Command, name: &str) -> Option<&'a Command> {
        node.find_subcommand(name)
            .filter(|c| !NOT_IN_SHELL.contains(&c.get_name()))
    }

    /// The sub-commands of `node` the shell lists and completes.
    pub fn children(node: &Command) -> impl Iterator<Item = &Command> {
        node.get_subcommands()
            .filter(|c| !c.is_hide_set() && !NOT_IN_SHELL.contains(&c.get_name()))
    }

    /// Whether `node` is a group (it has commands under it).
    pub fn is_group(node: &Command) -> bool {
        Self::children(node).next().is_some()
    }

    /// Follows the leading words of `words` that name sub-commands, from
    /// the node at `base`: the canonical path reached and how many words
    /// it took.
    pub fn walk(&self, base: &[String], words: &[String]) -> (Vec<String>, usize) {
        let mut path = base.to_vec();
        let Some(mut node) = self.find(base) else {
            return (path, 0);
        };
        let mut used = 0;
        for word in words {
            match Self::child(node, word) {
                Some(next) => {
                    path.push(next.get_name().to_string());
                    node = next;
                    used += 1;
                }
                None => break,
            }
        }
        (path, used)
    }

    /// The long options of `node` (its own and the global ones), as typed.
    pub fn long_options(node: &Command) -> Vec<String> {
        let mut options = Vec::new();
        for arg in node.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                options.push(format!("--{long}"));
            }
            if let Some(aliases) = arg.get_visible_aliases() {
                options.extend(aliases.into_iter().map(|a| format!("--{a}")));
            }
        }
        options.sort();
        options.dedup();
        options
    }

    /// The usage of the command at `path` as typed in the context
    /// `context`: `list [OPTIONS]` in `[server]`, `server list [OPTIONS]`
    /// at the top.
    pub fn syntax(&self, path: &[String], context: &[String]) -> Option<String> {
        let mut node = self.find(path)?.clone();
        let usage = node.render_usage().to_string();
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        let mut words = usage.split(' ').peekable();
        // Drop "kamaki" and the words of the context already typed.
        words.next_if_eq(&self.root.get_name());
        for name in context {
            words.next_if(|w| w == name);
        }
        Some(words.collect::<Vec<_>>().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn groups_and_commands_come_from_clap() {
        let tree = Tree::new();
        let top: Vec<&str> = Tree::children(tree.find(&[]).unwrap())
            .map(|c| c.get_name())
            .collect();
        assert!(top.contains(&"server") && top.contains(&"file"), "{top:?}");
        assert!(!top.contains(&"shell") && !top.contains(&"help"), "{top:?}");
        let server = tree.find(&strings(&["server"])).unwrap();
        assert!(Tree::is_group(server));
        let list = tree.find(&strings(&["server", "list"])).unwrap();
        assert!(!Tree::is_group(list));
        assert!(tree.find(&strings(&["server", "nope"])).is_none());
    }

    #[test]
    fn walking_stops_at_the_first_word_that_is_no_command() {
        let tree = Tree::new();
        let (path, used) = tree.walk(&[], &strings(&["server", "info", "42", "-l"]));
        assert_eq!((path, used), (strings(&["server", "info"]), 2));
        let (path, used) = tree.walk(&strings(&["file"]), &strings(&["list", "/pithos"]));
        assert_eq!((path, used), (strings(&["file", "list"]), 1));
        let (path, used) = tree.walk(&[], &strings(&["-v", "server"]));
        assert_eq!((path, used), (Vec::<String>::new(), 0));
        // `group` is the name of the Pithos groups, whatever the Rust name.
        let (path, _) = tree.walk(&[], &strings(&["group", "list"]));
        assert_eq!(path, strings(&["group", "list"]));
    }

    #[test]
    fn options_include_the_global_ones() {
        let tree = Tree::new();
        let list = tree.find(&strings(&["server", "list"])).unwrap();
        let options = Tree::long_options(list);
        for wanted in ["--cloud", "--output-format", "--insecure", "--ignore-ssl"] {
            assert!(
                options.contains(&wanted.to_string()),
                "{wanted}: {options:?}"
            );
        }
    }

    #[test]
    fn syntax_is_relative_to_the_context() {
        let tree = Tree::new();
        let path = strings(&["server", "info"]);
        let inside = tree.syntax(&path, &strings(&["server"])).unwrap();
        assert!(inside.starts_with("info "), "{inside}");
        let top = tree.syntax(&path, &[]).unwrap();
        assert!(top.starts_with("server info "), "{top}");
    }
}
