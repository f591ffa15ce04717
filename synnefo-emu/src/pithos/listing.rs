//! Listings: objects of a container with prefix, delimiter, marker, limit,
//! metadata filters and time travel, as the backend's
//! `latest_version_list` computes them; and the text/json/xml renderings.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use serde_json::Value;

use super::headers::format_header_key;
use super::model::{Container, Version};

/// The default and largest page of a listing.
pub const LIST_LIMIT: usize = 10_000;

/// The page size asked for: `limit` if a positive integer, at most
/// [`LIST_LIMIT`].
pub fn page_limit(limit: Option<&str>) -> usize {
    match limit.and_then(super::headers::int_parameter) {
        Some(0) | None => LIST_LIMIT,
        Some(n) => usize::try_from(n).map_or(LIST_LIMIT, |n| n.min(LIST_LIMIT)),
    }
}

/// A reply format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One name per line.
    Text,
    /// JSON.
    Json,
    /// XML.
    Xml,
}

impl Format {
    /// The `Content-Type` of a reply in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; charset=UTF-8",
            Format::Json => "application/json; charset=UTF-8",
            Format::Xml => "application/xml; charset=UTF-8",
        }
    }
}

/// One metadata condition of the `meta` parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Condition {
    Has(String),
    HasNot(String),
    Compare(String, String, String),
}

/// The `meta` listing parameter: `key`, `!key`, `key<op>value` terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetaFilter {
    conditions: Vec<Condition>,
}

const OPERATORS: [&str; 6] = ["!=", "<=", ">=", "=", "<", ">"];

impl MetaFilter {
    /// Parses a comma-separated list of terms.
    pub fn parse(text: &str) -> Self {
        let mut conditions = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (negated, rest) = match term.strip_prefix('!') {
                Some(rest) => (true, rest.trim_start()),
                None => (false, term),
            };
            let key_of = |k: &str| format_header_key(&format!("X-Object-Meta-{}", k.trim()));
            let split = (1..rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .find_map(|i| {
                    OPERATORS
                        .iter()
                        .find(|op| rest[i..].starts_with(*op))
                        .map(|op| (i, *op))
                });
            match (negated, split) {
                (true, _) => {
                    let key = split.map_or(rest, |(i, _)| &rest[..i]);
                    conditions.push(Condition::HasNot(key_of(key)));
                }
                (false, Some((i, op))) => conditions.push(Condition::Compare(
                    key_of(&rest[..i]),
                    op.to_string(),
                    rest[i + op.len()..].trim().to_string(),
                )),
                (false, None) => conditions.push(Condition::Has(key_of(rest))),
            }
        }
        MetaFilter { conditions }
    }

    /// Whether a version's metadata passes: some of the wanted keys (if
    /// any), none of the unwanted ones, and every comparison.
    pub fn matches(&self, meta: &BTreeMap<String, String>) -> bool {
        let wanted: Vec<&String> = self
            .conditions
            .iter()
            .filter_map(|c| match c {
                Condition::Has(k) => Some(k),
                _ => None,
            })
            .collect();
        if !wanted.is_empty() && !wanted.iter().any(|k| meta.contains_key(*k)) {
            return false;
        }
        self.conditions.iter().all(|c| match c {
            Condition::Has(_) => true,
            Condition::HasNot(k) => !meta.contains_key(k),
            Condition::Compare(k, op, value) => meta.get(k).is_some_and(|v| {
                let v = v.as_str();
                let value = value.as_str();
                match op.as_str() {
                    "=" => v == value,
                    "!=" => v != value,
                    "<=" => v <= value,
                    ">=" => v >= value,
                    "<" => v < value,
                    _ => v > value,
                }
            }),
        })
    }

    /// Whether there is no condition.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
}

/// Which objects a listing may show (for another user's listing, or for
/// `shared`/`public` listings).
#[derive(Clone, Debug, Default)]
pub struct Restriction {
    /// Names shown as they are.
    pub exact: BTreeSet<String>,
    /// Prefixes under which everything is shown (shared directories).
    pub prefixes: Vec<String>,
}

impl Restriction {
    fn allows(&self, name: &str) -> bool {
        self.exact.contains(name) || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Names start with this.
    pub prefix: String,
    /// Group names by what comes before this, after the prefix.
    pub delimiter: Option<String>,
    /// Names after this.
    pub marker: Option<String>,
    /// At most this many entries.
    pub limit: usize,
    /// Show the groups as `subdir` entries.
    pub virtual_dirs: bool,
    /// As things were just before this time.
    pub until: Option<f64>,
    /// Metadata conditions.
    pub meta: MetaFilter,
    /// Limit to these objects.
    pub restriction: Option<Restriction>,
}

/// An entry of an object listing.
#[derive(Clone, Debug)]
pub enum Entry<'a> {
    /// An object and the version listed.
    Object(&'a str, &'a Version),
    /// A virtual directory (a common prefix, delimiter included).
    Subdir(String),
}

impl Entry<'_> {
    /// The name of the entry.
    pub fn name(&self) -> &str {
        match self {
            Entry::Object(name, _) => name,
            Entry::Subdir(name) => name,
        }
    }
}

/// Lists the objects of a container.
pub fn list_objects<'a>(container: &'a Container, query: &ListQuery) -> Vec<Entry<'a>> {
    let prefix = query.prefix.as_str();
    let start: Bound<&str> = match query.marker.as_deref() {
        Some(m) if !m.is_empty() && m >= prefix => Bound::Excluded(m),
        _ => Bound::Included(prefix),
    };
    let delimiter = query.delimiter.as_deref().filter(|d| !d.is_empty());
    let mut objects: Vec<Entry<'a>> = Vec::new();
    let mut subdirs: Vec<String> = Vec::new();
    let mut skip: Option<String> = None;
    let mut one_more = false;
    let range = container
        .objects
        .range::<str, _>((start, Bound::Unbounded))
        .take_while(|(name, _)| name.starts_with(prefix));
    for (name, node) in range {
        let Some(version) = node.at(query.until) else {
            continue;
        };
        if let Some(r) = &query.restriction {
            if !r.allows(name) {
                continue;
            }
        }
        if !query.meta.is_empty() && !query.meta.matches(&version.meta) {
            continue;
        }
        if let Some(s) = &skip {
            if name.starts_with(s.as_str()) {
                continue;
            }
            skip = None;
        }
        let group_end = delimiter.and_then(|d| {
            name.get(prefix.len()..)
                .and_then(|rest| rest.find(d))
                .map(|i| (prefix.len() + i, d.len()))
        });
        // A name with the delimiter after the prefix (and not only at its
        // end) is folded into its common prefix.
        let folded = group_end.filter(|(idx, dz)| *idx > 0 && idx + dz != name.len());
        if one_more {
            if let Some((idx, dz)) = folded {
                subdirs.push(name[..idx + dz].to_string());
            }
            break;
        }
        if let Some((idx, dz)) = folded {
            let common = name[..idx + dz].to_string();
            subdirs.push(common.clone());
            skip = Some(common);
            continue;
        }
        objects.push(Entry::Object(name.as_str(), version));
        if objects.len() >= query.limit {
            if group_end.is_some_and(|(idx, dz)| idx + dz == name.len()) {
                one_more = true;
            } else {
                break;
            }
        }
    }
    if query.virtual_dirs {
        objects.extend(subdirs.into_iter().map(Entry::Subdir));
        // Stable: an object sorts before a subdir of the same name.
        objects.sort_by(|a, b| a.name().cmp(b.name()));
    }
    objects.truncate(query.limit);
    objects
}

/// Escapes text for XML.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders JSON objects as XML elements in `<tag>` (dict values as
/// `<key>/<value>` pairs), under a root element.
pub fn xml_items(root_open: &str, root_close: &str, tag: &str, items: &[Value]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(root_open);
    out.push('\n');
    for item in items {
        if let Some(subdir) = item.get("subdir").and_then(Value::as_str) {
            out.push_str(&format!("  <subdir name=\"{}\" />\n", xml_escape(subdir)));
            continue;
        }
        out.push_str(&format!("  <{tag}>\n"));
        if let Some(map) = item.as_object() {
            for (key, value) in map {
                let inner = match value {
                    Value::Object(dict) => dict
                        .iter()
                        .map(|(k, v)| {
                            format!(
                                "<key>{}</key><value>{}</value>",
                                xml_escape(k),
                                xml_escape(&plain(v))
                            )
                        })
                        .collect::<String>(),
                    other => xml_escape(&plain(other)),
                };
                out.push_str(&format!("    <{key}>{inner}</{key}>\n"));
            }
        }
        out.push_str(&format!("  </{tag}>\n"));
    }
    out.push_str(root_close);
    out.push('\n');
    out
}

/// A JSON value as plain text.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_string(),
        other => other.to_string(),
    }
}

/// A list of strings as XML `<items>`.
pub fn xml_list(items: &[String]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<items>\n");
    for item in items {
        out.push_str(&format!("  <item>{}</item>\n", xml_escape(item)));
    }
    out.push_str("</items>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pithos::model::{Cluster, ObjectNode};

    fn container(names: &[&str]) -> Container {
        let mut c = Container::new("u", 1.0);
        for (i, name) in names.iter().enumerate() {
            let mut meta = BTreeMap::new();
            if name.contains('m') {
                meta.insert("X-Object-Meta-Color".to_string(), "red".to_string());
            }
            c.objects.insert(
                name.to_string(),
                ObjectNode {
                    versions: vec![Version {
                        serial: i as u64 + 1,
                        mtime: 10.0 + i as f64,
                        cluster: Cluster::Normal,
                        size: 1,
                        content: crate::pithos::interner::Content::of(&[]),
                        content_type: "text/plain".into(),
                        checksum: Box::default(),
                        uuid: uuid::Uuid::nil(),
                        muser: "u".into(),
                        meta: meta.into(),
                        is_snapshot: false,
                    }],
                },
            );
        }
        c
    }

    fn names(entries: &[Entry<'_>]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                Entry::Object(n, _) => n.to_string(),
                Entry::Subdir(s) => format!("{s}*"),
            })
            .collect()
    }

    #[test]
    fn delimiter_folds_names_into_subdirs() {
        let c = container(&["a", "b/", "b/1", "b/2", "c/d/e", "d"]);
        let q = ListQuery {
            delimiter: Some("/".into()),
            limit: 100,
            virtual_dirs: true,
            ..Default::default()
        };
        assert_eq!(names(&list_objects(&c, &q)), ["a", "b/", "b/*", "c/*", "d"]);
        let q = ListQuery {
            prefix: "b/".into(),
            delimiter: Some("/".into()),
            limit: 100,
            virtual_dirs: false,
            ..Default::default()
        };
        // The prefix itself is an object name too.
        assert_eq!(names(&list_objects(&c, &q)), ["b/", "b/1", "b/2"]);
    }

    #[test]
    fn marker_and_limit_page_through() {
        let c = container(&["a", "b", "c", "d"]);
        let mut q = ListQuery {
            limit: 2,
            ..Default::default()
        };
        assert_eq!(names(&list_objects(&c, &q)), ["a", "b"]);
        q.marker = Some("b".into());
        assert_eq!(names(&list_objects(&c, &q)), ["c", "d"]);
        q.marker = Some("d".into());
        assert!(list_objects(&c, &q).is_empty());
    }

    #[test]
    fn meta_filters_select_objects() {
        let c = container(&["am", "b", "cm"]);
        let mut q = ListQuery {
            limit: 10,
            meta: MetaFilter::parse("color"),
            ..Default::default()
        };
        assert_eq!(names(&list_objects(&c, &q)), ["am", "cm"]);
        q.meta = MetaFilter::parse("!color");
        assert_eq!(names(&list_objects(&c, &q)), ["b"]);
        q.meta = MetaFilter::parse("color=red");
        assert_eq!(names(&list_objects(&c, &q)), ["am", "cm"]);
        q.meta = MetaFilter::parse("color!=red");
        assert!(list_objects(&c, &q).is_empty());
    }

    #[test]
    fn until_shows_the_past() {
        let c = container(&["a", "b", "c"]);
        let q = ListQuery {
            limit: 10,
            until: Some(11.5),
            ..Default::default()
        };
        assert_eq!(names(&list_objects(&c, &q)), ["a", "b"]);
    }

    #[test]
    fn page_limits() {
        assert_eq!(page_limit(None), 10_000);
        assert_eq!(page_limit(Some("0")), 10_000);
        assert_eq!(page_limit(Some("5")), 5);
        assert_eq!(page_limit(Some("50000")), 10_000);
        assert_eq!(page_limit(Some("x")), 10_000);
    }
}
