//! Best-effort reading of JSON whose field names are not known for sure: try several
//! plausible names in order, accept a few shapes for each value. Shared by webhook
//! parsing and [`crate::InterviewResults`].

use serde_json::{Map, Value};

/// Keys that name an object in human terms, best first.
const LABEL_KEYS: &[&str] = &["name", "title", "label", "text", "value", "key"];

/// The first of `names` present in `map` with a non-null value.
pub(crate) fn first<'v>(map: &'v Map<String, Value>, names: &[&str]) -> Option<&'v Value> {
    names
        .iter()
        .filter_map(|name| map.get(*name))
        .find(|v| !v.is_null())
}

/// Text of a value: a non-empty string, a number, or an object's name/title/label/…
pub(crate) fn label(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => LABEL_KEYS
            .iter()
            .filter_map(|k| map.get(*k))
            .find_map(|v| match v {
                Value::Object(_) => None,
                other => label(other),
            }),
        _ => None,
    }
}

/// The first of `names` whose value has a [`label`].
pub(crate) fn first_label(map: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().filter_map(|n| map.get(*n)).find_map(label)
}

/// A number: JSON number, numeric string, or an object's `value`/`score`.
pub(crate) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Object(map) => first(map, &["value", "score", "average"]).and_then(number),
        _ => None,
    }
}

/// The first of `names` holding a [`number`].
pub(crate) fn first_number(map: &Map<String, Value>, names: &[&str]) -> Option<f64> {
    names.iter().filter_map(|n| map.get(*n)).find_map(number)
}

/// Every string in `value` with the object keys leading to it, in document order.
pub(crate) fn strings_with_paths(value: &Value) -> Vec<(Vec<&str>, &str)> {
    fn walk<'v>(value: &'v Value, path: &mut Vec<&'v str>, out: &mut Vec<(Vec<&'v str>, &'v str)>) {
        match value {
            Value::String(s) => out.push((path.clone(), s)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, path, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(k);
                    walk(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}
