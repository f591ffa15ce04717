//! What a line typed in the shell asks for, decided before clap sees it.

use super::tree::Tree;

/// What a line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// An empty line.
    Nothing,
    /// `exit` (or end of input): leave the context, or the shell at the top.
    Leave,
    /// `/exit`: end the shell from any context.
    Quit,
    /// `!cmd` or `shell cmd`: an OS command line.
    Os(String),
    /// `help`, `?`, `help <cmd>`, `?cmd`: help on the node at this path
    /// (from the root).
    Help(Vec<String>),
    /// A group name alone: enter its context (the path from the root).
    Enter(Vec<String>),
    /// A command: the words from the root (`server list -l`).
    Run(Vec<String>),
    /// A line that cannot be read (unbalanced quotes, an unknown name).
    Invalid(String),
}

/// Reads `line`, typed in the context `context` (a path from the root).
pub fn parse(line: &str, context: &[String], tree: &Tree) -> Action {
    let line = line.trim();
    if line.is_empty() {
        return Action::Nothing;
    }
    if let Some(command) = line.strip_prefix('!') {
        return Action::Os(command.trim().to_string());
    }
    // `/...` is read from the root, whatever the context.
    let (base, rest) = match line.strip_prefix('/') {
        Some(rest) => (&[][..], rest.trim_start()),
        None => (context, line),
    };
    if let Some(topic) = rest.strip_prefix('?') {
        return help(topic, base, tree);
    }
    let Some(words) = shlex::split(rest) else {
        return Action::Invalid(format!("unbalanced quotes in: {line}"));
    };
    let Some(first) = words.first() else {
        return Action::Nothing;
    };
    match first.as_str() {
        "exit" if words.len() == 1 => {
            return match line.starts_with('/') {
                true => Action::Quit,
                false => Action::Leave,
            }
        }
        "help" => return help(rest.strip_prefix("help").unwrap_or(""), base, tree),
        "shell" => {
            let command = rest.strip_prefix("shell").unwrap_or("").trim();
            return Action::Os(command.to_string());
        }
        _ => {}
    }
    let (path, used) = tree.walk(base, &words);
    if used == words.len() && tree.find(&path).is_some_and(Tree::is_group) {
        return Action::Enter(path);
    }
    if used == 0 && !base.is_empty() && tree.walk(&[], &words[..1]).1 == 1 {
        // A top-level group typed in a context: say how to reach it (clap
        // would only call it an unknown command).
        return Action::Invalid(format!(
            "{first} is not a {} command: /{rest} runs the top-level one",
            base.join(" ")
        ));
    }
    let mut all = base.to_vec();
    all.extend(words);
    Action::Run(all)
}

/// `help TOPIC` from the context `base`: the path of what it names.
fn help(topic: &str, base: &[String], tree: &Tree) -> Action {
    let Some(words) = shlex::split(topic) else {
        return Action::Invalid(format!("unbalanced quotes in: {topic}"));
    };
    let (path, used) = tree.walk(base, &words);
    match words.get(used) {
        None => Action::Help(path),
        Some(unknown) => Action::Invalid(format!("no command {unknown} here (help lists them)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn parse_in(line: &str, context: &[&str]) -> Action {
        parse(line, &strings(context), &Tree::new())
    }

    #[test]
    fn groups_enter_contexts_and_commands_run_from_the_root() {
        assert_eq!(parse_in("server", &[]), Action::Enter(strings(&["server"])));
        assert_eq!(
            parse_in("list -l", &["server"]),
            Action::Run(strings(&["server", "list", "-l"]))
        );
        assert_eq!(
            parse_in("server info 'a b'", &[]),
            Action::Run(strings(&["server", "info", "a b"]))
        );
        // A group with more words is clap's to read (and to complain about).
        assert_eq!(
            parse_in("server -h", &[]),
            Action::Run(strings(&["server", "-h"]))
        );
        assert_eq!(parse_in("   ", &["server"]), Action::Nothing);
    }

    #[test]
    fn a_slash_reads_from_the_root() {
        assert_eq!(
            parse_in("/file list", &["server"]),
            Action::Run(strings(&["file", "list"]))
        );
        assert_eq!(
            parse_in("/file", &["server"]),
            Action::Enter(strings(&["file"]))
        );
        assert_eq!(parse_in("/exit", &["server"]), Action::Quit);
        assert_eq!(parse_in("/?", &["server"]), Action::Help(vec![]));
    }

    #[test]
    fn exit_help_and_os_commands() {
        assert_eq!(parse_in("exit", &["server"]), Action::Leave);
        assert_eq!(parse_in("exit", &[]), Action::Leave);
        assert_eq!(
            parse_in("?", &["server"]),
            Action::Help(strings(&["server"]))
        );
        assert_eq!(parse_in("help", &[]), Action::Help(vec![]));
        assert_eq!(
            parse_in("?list", &["server"]),
            Action::Help(strings(&["server", "list"]))
        );
        assert_eq!(
            parse_in("help server list", &[]),
            Action::Help(strings(&["server", "list"]))
        );
        assert!(matches!(parse_in("help nope", &[]), Action::Invalid(_)));
        assert_eq!(parse_in("!ls -l", &[]), Action::Os("ls -l".into()));
        assert_eq!(
            parse_in("shell echo hi", &["file"]),
            Action::Os("echo hi".into())
        );
    }

    #[test]
    fn unknown_words_and_bad_quotes_are_one_line_errors() {
        match parse_in("file list", &["server"]) {
            Action::Invalid(e) => assert!(e.contains("/file list"), "{e}"),
            other => panic!("{other:?}"),
        }
        match parse_in("info 'open", &["server"]) {
            Action::Invalid(e) => assert!(e.contains("quotes"), "{e}"),
            other => panic!("{other:?}"),
        }
        // Other unknown words are clap's to name (with its suggestions).
        assert_eq!(parse_in("nope", &[]), Action::Run(strings(&["nope"])));
        assert_eq!(
            parse_in("lst", &["server"]),
            Action::Run(strings(&["server", "lst"]))
        );
    }
}
