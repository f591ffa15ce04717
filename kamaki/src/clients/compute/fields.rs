//! Helpers shared by the Cyclades clients (compute, network, block storage):
//! lenient decoding of the ids and maps Synnefo sends, the check that keeps
//! ids from rewriting a request path, and unwrapping of `{"<key>": ...}`
//! replies.
//!
//! Synnefo is not consistent about ids: servers, flavors, volumes and
//! attachments come as JSON numbers, networks, ports and subnets as strings,
//! and the same id may come either way in different replies. Every id is
//! kept as a `String` here, whatever its JSON type.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::clients::{ClientError, Response, Result};

/// Fields a type does not name, as the server sent them.
pub type Extra = BTreeMap<String, Value>;

/// Key-value metadata (of servers, images, volumes, snapshots).
pub type Metadata = BTreeMap<String, String>;

/// A scalar as text: strings as they are, numbers and booleans printed,
/// `null` as `None`; arrays and objects are not ids.
fn scalar_text(value: Value) -> std::result::Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!("expected an id, found {other}")),
    }
}

/// An id that may be a JSON string or number; `null` becomes `""`.
pub(crate) fn id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(scalar_text(value)
        .map_err(serde::de::Error::custom)?
        .unwrap_or_default())
}

/// An optional id that may be a JSON string or number; `null` and `""` are
/// `None`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(scalar_text(value)
        .map_err(serde::de::Error::custom)?
        .filter(|s| !s.is_empty()))
}

/// A list of ids, each a JSON string or number; `null` is an empty list.
pub(crate) fn id_list<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    let values: Option<Vec<Value>> = Option::deserialize(d)?;
    values
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| scalar_text(v).transpose())
        .collect::<std::result::Result<_, _>>()
        .map_err(serde::de::Error::custom)
}

/// A map of text values; numbers and booleans are printed, `null` values
/// are dropped, and a `null` map is empty. Synnefo accepts integer
/// metadata values and may send them back as numbers.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Metadata, D::Error> {
    let values: Option<BTreeMap<String, Value>> = Option::deserialize(d)?;
    let mut map = Metadata::new();
    for (key, value) in values.unwrap_or_default() {
        let text = match value {
            Value::Array(_) | Value::Object(_) => value.to_string(),
            other => match scalar_text(other).map_err(serde::de::Error::custom)? {
                Some(text) => text,
                None => continue,
            },
        };
        map.insert(key, text);
    }
    Ok(map)
}

/// A value whose `null` means its default (an empty string, list, `false`).
pub(crate) fn nullable<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An id as it goes into a JSON body: a number when it is one (Synnefo's
/// flavors, volumes and volume types have integer ids, and kamaki sends them
/// as integers), a string otherwise.
pub(crate) fn id_value(id: &str) -> Value {
    let canonical = !id.is_empty() && (id == "0" || !id.starts_with('0'));
    match id.parse::<u64>() {
        Ok(n) if canonical && id.bytes().all(|b| b.is_ascii_digit()) => Value::from(n),
        _ => Value::from(id),
    }
}

/// Checks that `value` can stand as one segment of a request path: an empty
/// id would turn `DELETE /servers/<id>` into `DELETE /servers`, a `/` or a
/// dot segment would reach another resource.
pub(crate) fn segment<'a>(what: &str, value: &'a str) -> Result<&'a str> {
    if value.is_empty() || value == "." || value == ".." || value.contains('/') {
        return Err(ClientError::InvalidRequest(format!(
            "invalid {what} {value:?}: it must be non-empty and hold no '/'"
        )));
    }
    Ok(value)
}

/// The path of a collection's listing (`servers`, or `servers/detail` for
/// every attribute) or of one of its items (`servers/<id>`). Python kamaki
/// listed and dropped the id when given both; here that is refused, since
/// the caller cannot have meant it.
pub(crate) fn listing_or_item(
    collection: &str,
    what: &str,
    id: Option<&str>,
    detail: bool,
) -> Result<String> {
    match (id, detail) {
        (Some(id), true) => Err(ClientError::InvalidRequest(format!(
            "{what} {id:?} given with detail: detail lists all {collection}, an id reads one"
        ))),
        (Some(id), false) => Ok(format!("{collection}/{}", segment(what, id)?)),
        (None, true) => Ok(format!("{collection}/detail")),
        (None, false) => Ok(collection.to_string()),
    }
}

/// The value under `key` of a JSON object reply (`{"server": {...}}`).
pub(crate) fn unwrap<T: DeserializeOwned>(response: &Response, key: &str) -> Result<T> {
    let invalid = |message: String| ClientError::InvalidResponse {
        url: response.url().to_string(),
        message,
    };
    let mut reply: Value = response.json()?;
    let inner = reply
        .get_mut(key)
        .map(Value::take)
        .ok_or_else(|| invalid(format!("the reply has no \"{key}\"")))?;
    serde_json::from_value(inner).map_err(|e| invalid(format!("unexpected \"{key}\": {e}")))
}

/// A whole JSON reply, typed.
pub(crate) fn whole<T: DeserializeOwned>(response: &Response) -> Result<T> {
    response.json()
}

/// A metadata reply: `{"metadata": {...}}`.
pub(crate) fn metadata(reply: &Response) -> Result<Metadata> {
    let map: Value = unwrap(reply, "metadata")?;
    to_metadata(reply, map)
}

/// A metadata item reply: `{"meta": {key: value}}` (Synnefo's guide says
/// `metadata`, its code sends `meta`: both are read).
pub(crate) fn meta_item(reply: &Response) -> Result<Metadata> {
    let map: Value = unwrap(reply, "meta").or_else(|_| unwrap(reply, "metadata"))?;
    to_metadata(reply, map)
}

fn to_metadata(reply: &Response, map: Value) -> Result<Metadata> {
    #[derive(serde::Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "text_map")] Metadata);
    serde_json::from_value::<Wrapper>(map)
        .map(|w| w.0)
        .map_err(|e| ClientError::InvalidResponse {
            url: reply.url().to_string(),
            message: format!("unexpected metadata: {e}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Ids {
        #[serde(deserialize_with = "id")]
        a: String,
        #[serde(default, deserialize_with = "opt_id")]
        b: Option<String>,
        #[serde(default, deserialize_with = "id_list")]
        c: Vec<String>,
        #[serde(default, deserialize_with = "text_map")]
        m: Metadata,
        #[serde(default, deserialize_with = "nullable")]
        s: String,
    }

    #[test]
    fn ids_come_as_numbers_or_strings() {
        let ids: Ids = serde_json::from_str(
            r#"{"a": 42, "b": "7", "c": [1, "2", null], "m": {"x": 1, "y": "z", "n": null}, "s": null}"#,
        )
        .unwrap();
        assert_eq!(ids.a, "42");
        assert_eq!(ids.b.as_deref(), Some("7"));
        assert_eq!(ids.c, vec!["1", "2"]);
        assert_eq!(ids.m.get("x").map(String::as_str), Some("1"));
        assert!(!ids.m.contains_key("n"));
        assert_eq!(ids.s, "");
        let ids: Ids = serde_json::from_str(r#"{"a": "abc", "b": null, "c": null}"#).unwrap();
        assert_eq!(ids.b, None);
        assert!(ids.c.is_empty());
        assert!(serde_json::from_str::<Ids>(r#"{"a": [1]}"#).is_err());
    }

    #[test]
    fn numeric_ids_go_out_as_numbers() {
        assert_eq!(id_value("153"), Value::from(153));
        assert_eq!(id_value("0"), Value::from(0));
        assert_eq!(id_value("007"), Value::from("007"));
        assert_eq!(id_value("1d1f-uuid"), Value::from("1d1f-uuid"));
        assert_eq!(id_value("+1"), Value::from("+1"));
        assert_eq!(id_value(""), Value::from(""));
        assert_eq!(
            id_value("99999999999999999999999"),
            Value::from("99999999999999999999999")
        );
    }

    #[test]
    fn segments_that_would_move_the_request_are_refused() {
        for bad in ["", ".", "..", "a/b", "/"] {
            assert!(segment("server id", bad).is_err(), "{bad:?}");
        }
        assert_eq!(segment("tag", "a b?c").unwrap(), "a b?c");
    }

    #[test]
    fn listings_and_items_have_their_paths() {
        let path = |id, detail| listing_or_item("servers", "server id", id, detail);
        assert_eq!(path(None, false).unwrap(), "servers");
        assert_eq!(path(None, true).unwrap(), "servers/detail");
        assert_eq!(path(Some("42"), false).unwrap(), "servers/42");
        assert!(path(Some("42"), true).is_err());
        assert!(path(Some(".."), false).is_err());
        assert!(path(Some(""), false).is_err());
    }
}
