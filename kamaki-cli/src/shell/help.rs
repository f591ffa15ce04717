//! `help` and `?` in the shell: the commands of a context, or one command's
//! description and syntax, all read from clap's tree.

use std::fmt::Write as _;

use super::tree::Tree;

/// The shell's own commands, listed under the commands of the context.
const SHELL_COMMANDS: &[(&str, &str)] = &[
    ("exit, ^D", "leave the context (at the top: end the shell)"),
    ("/exit", "end the shell"),
    ("/<command>", "run a top-level command from any context"),
    ("!<command>", "run an OS command (also: shell <command>)"),
    ("?<command>", "help on a command (also: help <command>)"),
    ("<command> -h", "all the options of a command"),
];

/// The help text on the node at `path`, typed in `context`.
pub fn render(tree: &Tree, path: &[String], context: &[String]) -> String {
    let Some(node) = tree.find(path) else {
        return format!("no command {}\n", path.join(" "));
    };
    let mut out = String::new();
    if Tree::is_group(node) {
        let title = match path.is_empty() {
            true => node.get_name().to_string(),
            false => path.join(" "),
        };
        if !path.is_empty() && path != context {
            if let Some(about) = node.get_about() {
                let _ = writeln!(out, "{about}");
            }
        }
        let rows: Vec<(String, String)> = Tree::children(node)
            .map(|c| {
                let about = c.get_about().map(|a| a.to_string()).unwrap_or_default();
                (c.get_name().to_string(), about)
            })
            .collect();
        let _ = writeln!(out, "{title} commands:");
        table(&mut out, &rows);
        if path == context {
            let rows: Vec<(String, String)> = SHELL_COMMANDS
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            let _ = writeln!(out, "interactive shell commands:");
            table(&mut out, &rows);
        }
        return out;
    }
    let about = node.get_about().map(|a| a.to_string()).unwrap_or_default();
    let _ = writeln!(out, "{about} ({} -h for more options)", node.get_name());
    if let Some(long) = node.get_long_about() {
        let long = long.to_string();
        if long.trim() != about.trim() {
            let _ = writeln!(out, "{}", long.trim_end());
        }
    }
    if let Some(syntax) = tree.syntax(path, context) {
        let _ = writeln!(out, "Syntax: {syntax}");
    }
    out
}

/// Two aligned columns, indented.
fn table(out: &mut String, rows: &[(String, String)]) {
    let width = rows.iter().map(|(a, _)| a.len()).max().unwrap_or(0);
    for (name, about) in rows {
        let _ = writeln!(out, "  {name:<width$}  {about}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn a_context_lists_its_commands_and_the_shell_ones() {
        let tree = Tree::new();
        let server = strings(&["server"]);
        let text = render(&tree, &server, &server);
        assert!(text.starts_with("server commands:\n"), "{text}");
        assert!(
            text.lines().any(|l| l.trim_start().starts_with("list ")),
            "{text}"
        );
        assert!(text.contains("interactive shell commands:"), "{text}");
        let top = render(&tree, &[], &[]);
        assert!(top.starts_with("kamaki commands:\n"), "{top}");
        assert!(
            top.lines().any(|l| l.trim_start().starts_with("file ")),
            "{top}"
        );
        assert!(
            !top.lines().any(|l| l.trim_start().starts_with("shell ")),
            "{top}"
        );
    }

    #[test]
    fn a_command_shows_its_description_and_syntax() {
        let tree = Tree::new();
        let text = render(&tree, &strings(&["server", "list"]), &strings(&["server"]));
        assert!(text.contains("(list -h for more options)"), "{text}");
        assert!(text.contains("Syntax: list [OPTIONS]"), "{text}");
        // A group asked about from elsewhere: its description, then its list.
        let text = render(&tree, &strings(&["flavor"]), &[]);
        assert!(text.contains("flavor commands:"), "{text}");
        assert!(!text.contains("interactive shell commands"), "{text}");
    }
}
