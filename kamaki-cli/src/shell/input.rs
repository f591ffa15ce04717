//! Where the shell's lines come from: a line editor on a terminal (history
//! on the up arrow, tab completion from the command tree), plain lines
//! otherwise, so that the shell can be scripted.

use std::io::{BufRead, IsTerminal};
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Editor, Helper};

use super::tree::Tree;

/// What reading a line gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// A line (without its end of line).
    Line(String),
    /// Ctrl-C at the prompt.
    Interrupted,
    /// Ctrl-D, or the end of the input.
    Eof,
}

/// The source of lines.
pub enum Input {
    /// A terminal, through rustyline.
    Terminal(Box<Editor<ShellHelper, DefaultHistory>>),
    /// Lines of a pipe or file, no prompt.
    Plain,
}

impl Input {
    /// A line editor if stdin is a terminal (and the editor starts), else
    /// plain lines.
    pub fn new(tree: Rc<Tree>) -> Self {
        if !std::io::stdin().is_terminal() {
            return Input::Plain;
        }
        let config = Config::builder()
            .auto_add_history(false)
            .completion_type(CompletionType::List)
            .build();
        match Editor::with_config(config) {
            Ok(mut editor) => {
                editor.set_helper(Some(ShellHelper {
                    tree,
                    context: Vec::new(),
                }));
                Input::Terminal(Box::new(editor))
            }
            Err(_) => Input::Plain,
        }
    }

    /// Whether a person types the lines.
    pub fn interactive(&self) -> bool {
        matches!(self, Input::Terminal(_))
    }

    /// Reads a line in the context `context`, showing `prompt` on a
    /// terminal.
    pub fn read(&mut self, prompt: &str, context: &[String]) -> Read {
        match self {
            Input::Terminal(editor) => {
                if let Some(helper) = editor.helper_mut() {
                    helper.context = context.to_vec();
                }
                match editor.readline(prompt) {
                    Ok(line) => Read::Line(line),
                    Err(ReadlineError::Interrupted) => Read::Interrupted,
                    Err(_) => Read::Eof,
                }
            }
            Input::Plain => {
                let mut line = String::new();
                // The standard input's own buffer: a command that asks a
                // question reads its answer from the next line.
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(0) | Err(_) => Read::Eof,
                    Ok(_) => Read::Line(line.trim_end_matches(['\n', '\r']).to_string()),
                }
            }
        }
    }

    /// Offers `line` to the up arrow.
    pub fn remember(&mut self, line: &str) {
        if let Input::Terminal(editor) = self {
            let _ = editor.add_history_entry(line);
        }
    }
}

/// Completion of the shell's lines from the command tree.
pub struct ShellHelper {
    tree: Rc<Tree>,
    context: Vec<String>,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let upto = line.get(..pos).unwrap_or(line);
        let (start, words) = complete(&self.tree, &self.context, upto);
        let pairs = words
            .into_iter()
            .map(|word| Pair {
                replacement: format!("{word} "),
                display: word,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}

/// The completions of the last word of `line` (typed in `context`): where
/// that word starts and the words that can replace it. Sub-commands where a
/// command name goes, long options where a word starts with `-` or follows
/// a complete command.
pub fn complete(tree: &Tree, context: &[String], line: &str) -> (usize, Vec<String>) {
    if line.trim_start().starts_with('!') {
        return (line.len(), Vec::new());
    }
    let lead = line.len() - line.trim_start().len();
    let mut body_start = lead;
    let mut base = context;
    let body = &line[lead..];
    let body = match body.strip_prefix('/') {
        Some(rest) => {
            body_start += 1;
            base = &[];
            rest
        }
        None => body,
    };
    let body = match body.strip_prefix('?') {
        Some(rest) => {
            body_start += 1;
            rest
        }
        None => body,
    };
    let word_start = body.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
    let word = &body[word_start..];
    let mut before: Vec<String> = body[..word_start]
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if before.first().is_some_and(|w| w == "help") {
        before.remove(0);
    }
    let start = body_start + word_start;
    let commands: Vec<String> = before
        .iter()
        .filter(|w| !w.starts_with('-'))
        .cloned()
        .collect();
    let (path, used) = tree.walk(base, &commands);
    let Some(node) = tree.find(&path) else {
        return (start, Vec::new());
    };
    let mut found: Vec<String> = Vec::new();
    if word.starts_with('-') || (!Tree::is_group(node) && used == commands.len()) {
        found = Tree::long_options(node);
    } else if used == commands.len() {
        found = Tree::children(node)
            .map(|c| c.get_name().to_string())
            .collect();
        if before.is_empty() && body_start == lead {
            found.extend(["exit", "help"].map(String::from));
        }
    }
    found.retain(|w| w.starts_with(word));
    found.sort();
    (start, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn names(tree: &Tree, context: &[&str], line: &str) -> (usize, Vec<String>) {
        complete(tree, &strings(context), line)
    }

    #[test]
    fn commands_complete_from_the_tree() {
        let tree = Tree::new();
        let (start, found) = names(&tree, &[], "ser");
        assert_eq!((start, found), (0, strings(&["server", "service"])));
        let (start, found) = names(&tree, &[], "server li");
        assert_eq!((start, found), (7, strings(&["list"])));
        let (_, found) = names(&tree, &["server"], "");
        assert!(found.contains(&"list".to_string()), "{found:?}");
        assert!(found.contains(&"exit".to_string()), "{found:?}");
        let (start, found) = names(&tree, &["server"], "/fi");
        assert_eq!((start, found), (1, strings(&["file"])));
        let (start, found) = names(&tree, &["server"], "?re");
        assert_eq!(
            (start, found),
            (1, strings(&["reassign", "reboot", "rescue"]))
        );
        let (start, found) = names(&tree, &[], "help fla");
        assert_eq!((start, found), (5, strings(&["flavor"])));
    }

    #[test]
    fn options_complete_on_a_dash_or_after_a_command() {
        let tree = Tree::new();
        let (start, found) = names(&tree, &["server"], "list --det");
        assert_eq!((start, found), (5, strings(&["--details"])));
        let (_, found) = names(&tree, &[], "flavor list ");
        assert!(found.contains(&"--output-format".to_string()), "{found:?}");
        // Nothing for words that are no command, nor for OS commands.
        assert!(names(&tree, &[], "nope li").1.is_empty());
        assert!(names(&tree, &[], "!ls").1.is_empty());
    }
}
