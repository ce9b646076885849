//! Tolerant decoding. Willo's field names and shapes are mostly unconfirmed
//! (willo.md §5), so a known field that arrives with an unexpected type becomes `None`
//! instead of failing the whole page, and unknown enum values are kept as `Other`.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string field that may arrive as a string, a number, `null` or something else.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(text_of(&Value::deserialize(d)?))
}

/// Like [`string`], converted into a text newtype.
pub(crate) fn string_into<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(string(d)?.map(T::from))
}

/// A count that may arrive as a number, a numeric string or `null`.
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A list that may arrive as `null`, which counts as empty.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A reference to another resource that may arrive as its key (`"abc…"`) or as a
/// nested object carrying `key` (`{"key": "abc…", "title": …}`).
pub(crate) fn key_ref<'de, D, K>(d: D) -> Result<Option<K>, D::Error>
where
    D: Deserializer<'de>,
    K: From<String>,
{
    Ok(key_of(&Value::deserialize(d)?).map(|k| K::from(k.to_owned())))
}

/// A list of references (keys or objects with `key`); anything else is an empty list.
pub(crate) fn key_refs<'de, D, K>(d: D) -> Result<Vec<K>, D::Error>
where
    D: Deserializer<'de>,
    K: From<String>,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .iter()
            .filter_map(key_of)
            .map(|k| K::from(k.to_owned()))
            .collect(),
        _ => Vec::new(),
    })
}

/// A boolean that may arrive as `true`/`false`, `"true"`/`"false"`, `0`/`1` or `null`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// Text of a scalar: strings as they are, numbers and booleans printed, else `None`.
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The key a reference carries: the string itself, or an object's `key`.
pub(crate) fn key_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Object(map) => map.get("key").and_then(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "string")]
        name: Option<String>,
        #[serde(default, deserialize_with = "key_ref")]
        owner: Option<String>,
        #[serde(default, deserialize_with = "key_refs")]
        interviews: Vec<String>,
        #[serde(default, deserialize_with = "flag")]
        active: Option<bool>,
    }

    #[test]
    fn odd_shapes_do_not_fail() {
        let s: Sample = serde_json::from_str(
            r#"{"name": {"first": "x"}, "owner": {"key": "k1", "email": "e"},
                "interviews": ["a", {"key": "b"}, 7], "active": "true"}"#,
        )
        .unwrap();
        assert_eq!(s.name, None);
        assert_eq!(s.owner.as_deref(), Some("k1"));
        assert_eq!(s.interviews, ["a", "b"]);
        assert_eq!(s.active, Some(true));

        let s: Sample =
            serde_json::from_str(r#"{"name": 42, "owner": "k2", "interviews": null}"#).unwrap();
        assert_eq!(s.name.as_deref(), Some("42"));
        assert_eq!(s.owner.as_deref(), Some("k2"));
        assert!(s.interviews.is_empty());
    }
}
