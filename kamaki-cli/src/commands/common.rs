//! What the command groups share: name and id filters, listings with
//! `-n`/`--more`/`--enumerate`, `KEY=VALUE` options, and the one-line
//! errors for ids that name nothing.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use clap::Args;
use kamaki::clients::ClientError;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::args::parse_key_value;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::output::{escape_ctrl, human};

/// The options of `network list` and `port list`: detail, pager, owner,
/// and the name and id filters.
#[derive(Args, Clone, Debug, Default)]
pub struct OwnedListArgs {
    /// Show every field.
    #[arg(short = 'l', long)]
    pub details: bool,
    /// Show the results through a pager.
    #[arg(long)]
    pub more: bool,
    /// Only those of this user (uuid).
    #[arg(long = "user-id")]
    pub user_id: Option<String>,
    /// Name filters.
    #[command(flatten)]
    pub names: NameFilter,
    /// Id filters.
    #[command(flatten)]
    pub ids: IdFilter,
}

/// kamaki's name filters (client-side, case-insensitive).
#[derive(Args, Clone, Debug, Default)]
pub struct NameFilter {
    /// Only items with this name (case-insensitive).
    #[arg(long)]
    pub name: Option<String>,
    /// Only items whose name starts with this (case-insensitive).
    #[arg(long = "name-prefix", value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// Only items whose name ends with this (case-insensitive).
    #[arg(long = "name-suffix", value_name = "SUFFIX")]
    pub name_suffix: Option<String>,
    /// Only items whose name contains this (case-insensitive).
    #[arg(long = "name-like", value_name = "TEXT")]
    pub name_like: Option<String>,
}

/// kamaki's id filters (client-side, case-insensitive).
#[derive(Args, Clone, Debug, Default)]
pub struct IdFilter {
    /// Only the item with this id.
    #[arg(long)]
    pub id: Option<String>,
    /// Only items whose id starts with this (case-insensitive).
    #[arg(long = "id-prefix", value_name = "PREFIX")]
    pub id_prefix: Option<String>,
    /// Only items whose id ends with this (case-insensitive).
    #[arg(long = "id-suffix", value_name = "SUFFIX")]
    pub id_suffix: Option<String>,
    /// Only items whose id contains this (case-insensitive).
    #[arg(long = "id-like", value_name = "TEXT")]
    pub id_like: Option<String>,
}

/// A field of a JSON item as text (numbers as written, null as empty).
pub fn text(item: &Value, key: &str) -> String {
    match item.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn matches(
    value: &str,
    exact: Option<&str>,
    prefix: &Option<String>,
    suffix: &Option<String>,
    like: &Option<String>,
) -> bool {
    let value = value.to_lowercase();
    exact.is_none_or(|e| value == e.to_lowercase())
        && prefix
            .as_ref()
            .is_none_or(|p| value.starts_with(&p.to_lowercase()))
        && suffix
            .as_ref()
            .is_none_or(|s| value.ends_with(&s.to_lowercase()))
        && like
            .as_ref()
            .is_none_or(|l| value.contains(&l.to_lowercase()))
}

impl NameFilter {
    /// Keeps the items whose `name` passes every filter given.
    pub fn apply(&self, items: Vec<Value>) -> Vec<Value> {
        items
            .into_iter()
            .filter(|item| {
                matches(
                    &text(item, "name"),
                    self.name.as_deref(),
                    &self.name_prefix,
                    &self.name_suffix,
                    &self.name_like,
                )
            })
            .collect()
    }
}

impl IdFilter {
    /// Keeps the items whose `id` passes every filter given.
    pub fn apply(&self, items: Vec<Value>) -> Vec<Value> {
        items
            .into_iter()
            .filter(|item| {
                matches(
                    &text(item, "id"),
                    self.id.as_deref(),
                    &self.id_prefix,
                    &self.id_suffix,
                    &self.id_like,
                )
            })
            .collect()
    }
}

/// Keeps the items whose `key` equals `wanted`, case-insensitively (kamaki's
/// `filter_dicts_by_dict`).
pub fn keep_equal(items: Vec<Value>, key: &str, wanted: &str) -> Vec<Value> {
    let wanted = wanted.to_lowercase();
    items
        .into_iter()
        .filter(|item| item.get(key).is_some() && text(item, key).to_lowercase() == wanted)
        .collect()
}

/// Whether a metadata map has every `KEY=VALUE` of `exact` (values equal,
/// case-insensitively) and of `like` (values contained).
pub fn metadata_matches(
    metadata: &Value,
    exact: &BTreeMap<String, String>,
    like: &BTreeMap<String, String>,
) -> bool {
    let value_of = |key: &str| {
        metadata.get(key).map(|v| match v {
            Value::String(s) => s.to_lowercase(),
            other => other.to_string().to_lowercase(),
        })
    };
    exact
        .iter()
        .all(|(k, v)| value_of(k).is_some_and(|have| have == v.to_lowercase()))
        && like
            .iter()
            .all(|(k, v)| value_of(k).is_some_and(|have| have.contains(&v.to_lowercase())))
}

/// Only the `keys` of each item (kamaki's short listings).
pub fn only_keys(items: Vec<Value>, keys: &[&str]) -> Vec<Value> {
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(k, _)| keys.contains(&k.as_str()))
                    .collect(),
            ),
            other => other,
        })
        .collect()
}

/// Drops the fields that say nothing (`""`, `[]`, `{}`, `null`): what a
/// typed reply holds for what the cloud did not send.
pub fn drop_empty(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| match v {
                    Value::String(s) => !s.is_empty(),
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    Value::Null => false,
                    _ => true,
                })
                .collect(),
        ),
        other => other,
    }
}

/// Drops `key` from each item.
pub fn drop_key(items: &mut [Value], key: &str) {
    for item in items {
        if let Value::Object(map) = item {
            map.remove(key);
        }
    }
}

/// Any serialisable results as JSON values.
pub fn to_values<T: Serialize>(items: &[T]) -> CliResult<Vec<Value>> {
    items.iter().map(to_value).collect()
}

/// `key` of a reply's JSON, as the server sent it (integers stay integers,
/// nulls stay): what `--output-format json` prints, field for field.
pub fn raw_reply(reply: &kamaki::clients::Response, key: &str) -> CliResult<Value> {
    let mut body: Value = reply.json()?;
    match body.get_mut(key) {
        Some(value) => Ok(value.take()),
        None => Err(CliError::new(format!(
            "the reply of {} has no {key:?}",
            reply.url()
        ))),
    }
}

/// The list `key` of a reply's JSON, as the server sent it.
pub fn raw_list(reply: &kamaki::clients::Response, key: &str) -> CliResult<Vec<Value>> {
    match raw_reply(reply, key)? {
        Value::Array(items) => Ok(items),
        other => Err(CliError::new(format!(
            "the reply of {} has {key:?} that is not a list: {other}",
            reply.url()
        ))),
    }
}

/// One serialisable result as a JSON value.
pub fn to_value<T: Serialize>(item: &T) -> CliResult<Value> {
    serde_json::to_value(item).map_err(|e| CliError::new(format!("cannot render the result: {e}")))
}

/// How a listing is shown.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListStyle<'a> {
    /// The keys whose values make each item's header line (kamaki: `id`
    /// and `name`).
    pub title: &'a [&'a str],
    /// Number the items (`--enumerate`).
    pub enumerate: bool,
    /// Through the pager (`--more`), when stdout is a terminal.
    pub more: bool,
    /// At most this many items (`-n`).
    pub limit: Option<usize>,
}

/// The title kamaki uses for most listings.
pub const ID_NAME: &[&str] = &["id", "name"];

/// Prints a listing: JSON, or kamaki's items (a header of the title values,
/// then the other fields indented by 4).
pub fn print_list(ctx: &Ctx, mut items: Vec<Value>, style: ListStyle<'_>) -> CliResult {
    if let Some(limit) = style.limit {
        items.truncate(limit);
    }
    if ctx.json() {
        return ctx.out.print_value(&Value::Array(items));
    }
    let mut out = String::new();
    let mut previous_had_body = false;
    for (i, item) in items.iter().enumerate() {
        let (header, body) = match item {
            Value::Object(map) => {
                let header: Vec<String> = style
                    .title
                    .iter()
                    .filter_map(|k| map.get(*k))
                    .map(|v| escape_ctrl(&scalar(v)))
                    .filter(|v| !v.is_empty())
                    .collect();
                let body: Map<String, Value> = map
                    .iter()
                    .filter(|(k, _)| !style.title.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (header.join(" "), body)
            }
            other => (escape_ctrl(&scalar(other)), Map::new()),
        };
        if i > 0 && (previous_had_body || !body.is_empty()) {
            out.push('\n');
        }
        if style.enumerate {
            out.push_str(&format!("{}. ", i + 1));
        }
        // Items without a title show their fields unindented.
        let indent = if header.is_empty() && !style.enumerate {
            ""
        } else {
            out.push_str(&header);
            out.push('\n');
            "    "
        };
        if !body.is_empty() {
            for line in human(&Value::Object(body.clone())).lines() {
                out.push_str(indent);
                out.push_str(line);
                out.push('\n');
            }
        }
        previous_had_body = !body.is_empty();
    }
    if style.more {
        page(&out)
    } else {
        write_stdout(&out)
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn write_stdout(text: &str) -> CliResult {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Shows text through `$PAGER` (default `less -R`) when stdout is a
/// terminal; else, or if the pager cannot start, prints it.
pub fn page(text: &str) -> CliResult {
    if !std::io::stdout().is_terminal() {
        return write_stdout(text);
    }
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -R".to_string());
    let mut words = pager.split_whitespace();
    let Some(program) = words.next() else {
        return write_stdout(text);
    };
    let child = std::process::Command::new(program)
        .args(words)
        .stdin(std::process::Stdio::piped())
        .spawn();
    match child {
        Ok(mut child) => {
            if let Some(mut stdin) = child.stdin.take() {
                // A pager quit early closes the pipe: not an error.
                let _ = stdin.write_all(text.as_bytes());
            }
            let _ = child.wait();
            Ok(())
        }
        Err(_) => write_stdout(text),
    }
}

/// Parses repeated `KEY=VALUE` options into a map (later keys win).
pub fn key_values(pairs: &[String]) -> CliResult<BTreeMap<String, String>> {
    pairs.iter().map(|p| parse_key_value(p)).collect()
}

/// Whether an id is a positive integer (Cyclades' ids of servers, networks,
/// ports, subnets, floating IPs and volumes are).
pub fn is_positive_integer(id: &str) -> bool {
    id.parse::<u64>().is_ok_and(|n| n > 0)
}

/// Maps a "not found" reply about `what` with this `id` to kamaki's one
/// line with a hint: `No server with id 42 (404): see kamaki server list`.
/// A 400 counts as not found when the id is no positive integer (the
/// cloud's way of saying there cannot be such an item).
pub fn not_found<'a>(
    what: &'a str,
    id: &'a str,
    hint: &'a str,
) -> impl FnOnce(ClientError) -> CliError + 'a {
    move |error| {
        let status = error.status();
        if status == 404 || (status == 400 && !is_positive_integer(id)) {
            CliError::new(format!("No {what} with id {id} ({status}): see {hint}"))
                .detail(error.to_string())
        } else {
            error.into()
        }
    }
}

/// The uuid of a user name, through Astakos.
pub async fn uuid_of(ctx: &mut Ctx, name: &str) -> CliResult<String> {
    let astakos = ctx.astakos()?;
    let found = astakos.get_uuids(&[name]).await?;
    found
        .get(name)
        .cloned()
        .ok_or_else(|| CliError::new(format!("No user named {name} (see kamaki user name2uuid)")))
}

/// Appends ` (<user name>)` to the uuids in `keys` of the items, as kamaki
/// shows owners; names it cannot resolve are left alone.
pub async fn annotate_users(ctx: &mut Ctx, items: &mut [Value], keys: &[&str]) {
    let mut uuids: Vec<String> = items
        .iter()
        .flat_map(|item| keys.iter().map(move |k| text(item, k)))
        .filter(|u| !u.is_empty())
        .collect();
    uuids.sort();
    uuids.dedup();
    if uuids.is_empty() {
        return;
    }
    let Ok(astakos) = ctx.astakos() else { return };
    let refs: Vec<&str> = uuids.iter().map(String::as_str).collect();
    let Ok(names) = astakos.get_usernames(&refs).await else {
        return;
    };
    for item in items.iter_mut() {
        for key in keys {
            let uuid = text(item, key);
            if let (Some(name), Value::Object(map)) = (names.get(&uuid), &mut *item) {
                map.insert(key.to_string(), Value::from(format!("{uuid} ({name})")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_are_case_insensitive() {
        let items = vec![
            json!({"id": 1, "name": "Web-One"}),
            json!({"id": 22, "name": "db"}),
            json!({"id": 3, "name": null}),
        ];
        let nf = NameFilter {
            name_prefix: Some("web".into()),
            ..Default::default()
        };
        assert_eq!(nf.apply(items.clone()).len(), 1);
        let nf = NameFilter {
            name: Some("DB".into()),
            ..Default::default()
        };
        assert_eq!(nf.apply(items.clone())[0]["id"], 22);
        let idf = IdFilter {
            id_like: Some("2".into()),
            ..Default::default()
        };
        assert_eq!(idf.apply(items.clone()).len(), 1);
        assert_eq!(IdFilter::default().apply(items).len(), 3);
    }

    #[test]
    fn metadata_filters() {
        let meta = json!({"os": "Debian", "users": "root user"});
        let exact = BTreeMap::from([("os".to_string(), "debian".to_string())]);
        let like = BTreeMap::from([("users".to_string(), "USER".to_string())]);
        assert!(metadata_matches(&meta, &exact, &like));
        let missing = BTreeMap::from([("x".to_string(), "y".to_string())]);
        assert!(!metadata_matches(&meta, &missing, &BTreeMap::new()));
    }

    #[test]
    fn not_found_names_the_status_and_the_fix() {
        let error = ClientError::from_http_reply(
            404,
            br#"{"itemNotFound": {"code": 404, "message": "Server not found"}}"#,
            "GET x".into(),
            None,
        );
        let e = not_found("server", "42", "kamaki server list")(error);
        assert_eq!(
            e.message,
            "No server with id 42 (404): see kamaki server list"
        );
        let error = ClientError::from_http_reply(400, b"{}", "GET x".into(), None);
        assert!(not_found("port", "7", "kamaki port list")(error)
            .message
            .starts_with("400"));
    }
}
