//! Printing results: kamaki's human-readable form, or JSON for scripts.

use std::io::Write;

use serde::Serialize;
use serde_json::Value;

use crate::error::{CliError, CliResult};

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// kamaki's `key: value` form.
    Human,
    /// Indented JSON (`--output-format json`).
    Json,
}

/// Where results go (stdout); messages go to stderr.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// The format.
    pub format: Format,
}

impl Output {
    /// Prints any serialisable result.
    pub fn print<T: Serialize>(&self, value: &T) -> CliResult {
        let value = serde_json::to_value(value)
            .map_err(|e| CliError::new(format!("cannot render the result: {e}")))?;
        self.print_value(&value)
    }

    /// Prints a JSON value in the chosen format.
    pub fn print_value(&self, value: &Value) -> CliResult {
        let text = match self.format {
            Format::Json => to_json(value),
            Format::Human => human(value),
        };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        if !text.ends_with('\n') && !text.is_empty() {
            stdout.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// JSON indented by 4 spaces, as kamaki prints it.
pub fn to_json(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    if value.serialize(&mut serializer).is_err() {
        return value.to_string();
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// kamaki's human form: dicts as `key: value` lines, nested values indented
/// by 4; lists of dicts as a header of `id` and `name` then their fields.
pub fn human(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Array(items) => print_items(items, 0, &mut out),
        Value::Object(_) => print_dict(value, 0, &mut out),
        other => out.push_str(&scalar(other)),
    }
    out
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => escape_ctrl(s),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Control characters are shown escaped, never sent to the terminal.
pub fn escape_ctrl(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn pad(indent: usize) -> String {
    " ".repeat(indent)
}

fn print_dict(value: &Value, indent: usize, out: &mut String) {
    let Value::Object(map) = value else {
        out.push_str(&format!("{}{}\n", pad(indent), scalar(value)));
        return;
    };
    for (key, inner) in map {
        match inner {
            Value::Object(m) if !m.is_empty() => {
                out.push_str(&format!("{}{}:\n", pad(indent), escape_ctrl(key)));
                print_dict(inner, indent + 4, out);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push_str(&format!("{}{}:\n", pad(indent), escape_ctrl(key)));
                print_items(items, indent + 4, out);
            }
            Value::Object(_) | Value::Array(_) => {
                out.push_str(&format!("{}{}:\n", pad(indent), escape_ctrl(key)))
            }
            other => out.push_str(&format!(
                "{}{}: {}\n",
                pad(indent),
                escape_ctrl(key),
                scalar(other)
            )),
        }
    }
}

fn print_items(items: &[Value], indent: usize, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Object(map) => {
                let header: Vec<String> = ["id", "name"]
                    .iter()
                    .filter_map(|k| map.get(*k))
                    .map(scalar)
                    .collect();
                let rest: serde_json::Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| {
                        !header.is_empty() && *k != "id" && *k != "name" || header.is_empty()
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if !header.is_empty() {
                    out.push_str(&format!("{}{}\n", pad(indent), header.join(" ")));
                    print_dict(&Value::Object(rest), indent + 4, out);
                } else {
                    print_dict(&Value::Object(rest), indent, out);
                }
                if i + 1 < items.len() && indent == 0 {
                    out.push('\n');
                }
            }
            Value::Array(inner) => print_items(inner, indent + 4, out),
            other => out.push_str(&format!("{}{}\n", pad(indent), scalar(other))),
        }
    }
}

/// A size in binary units with up to two decimals, trailing zeros removed
/// (`1.5 KiB`), as kamaki shows sizes.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dicts_and_lists_render_as_kamaki_does() {
        let value = json!({"id": "u1", "name": "User", "roles": [{"id": 1, "name": "default"}], "tenant": {"id": "p"}, "links": []});
        let text = human(&value);
        assert_eq!(
            text,
            "id: u1\nlinks:\nname: User\nroles:\n    1 default\ntenant:\n    id: p\n"
        );
        let list =
            json!([{"id": 1, "name": "a", "ram": 1024}, {"id": 2, "name": "b", "ram": 2048}]);
        assert_eq!(human(&list), "1 a\n    ram: 1024\n\n2 b\n    ram: 2048\n");
        assert_eq!(human(&json!(["x", "y"])), "x\ny\n");
    }

    #[test]
    fn json_is_indented_by_four() {
        assert_eq!(
            to_json(&json!({"a": [1]})),
            "{\n    \"a\": [\n        1\n    ]\n}"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(human(&json!({"k": "a\u{1b}[31mb"})), "k: a\\u{1b}[31mb\n");
    }

    #[test]
    fn sizes() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(4 << 20), "4 MiB");
        assert_eq!(format_size(1_234_567_890), "1.15 GiB");
    }
}
