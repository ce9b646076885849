//! Best-effort reading of JSON whose field names are not known for sure: try several
//! plausible names in order, accept a few shapes for each value. Shared by webhook
//! parsing and [`crate::InterviewResults`].

use std::ops::ControlFlow;

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

/// One step from a JSON value to a child: an object's field or an array's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'v> {
    /// A field of an object.
    Field(&'v str),
    /// An element of an array.
    Index(usize),
}

/// The steps from the root to the string being visited. Borrowed from the scan's one
/// stack: nothing is copied unless the visitor keeps it ([`Path::pointer`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'a, 'v> {
    steps: &'a [Step<'v>],
}

impl<'v> Path<'_, 'v> {
    /// Whether an object field on the way mentions `word` (`participant_ref` mentions
    /// `participant`).
    pub(crate) fn mentions(&self, word: &str) -> bool {
        self.steps
            .iter()
            .any(|step| matches!(step, Step::Field(name) if name.contains(word)))
    }

    /// The path as a JSON Pointer (RFC 6901: `/data/items/0/key`, `~` and `/` in
    /// names escaped), which `serde_json::Value::pointer` reads back.
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        for step in self.steps {
            out.push('/');
            match step {
                Step::Field(name) => {
                    for c in name.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                Step::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

/// Visit every string in `value` in document order with the path leading to it,
/// until `visit` answers [`ControlFlow::Break`].
///
/// The path lives on one stack that grows to the body's depth and is reused for every
/// string, so scanning a body of a million strings allocates a handful of times, not
/// a million: a visitor pays only for what it keeps.
pub(crate) fn visit_strings<'v>(
    value: &'v Value,
    mut visit: impl FnMut(Path<'_, 'v>, &'v str) -> ControlFlow<()>,
) {
    fn walk<'v>(
        value: &'v Value,
        stack: &mut Vec<Step<'v>>,
        visit: &mut dyn FnMut(Path<'_, 'v>, &'v str) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        match value {
            Value::String(s) => visit(Path { steps: stack }, s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push(Step::Index(i));
                    let flow = walk(item, stack, visit);
                    stack.pop();
                    flow?;
                }
                ControlFlow::Continue(())
            }
            Value::Object(map) => {
                for (name, item) in map {
                    stack.push(Step::Field(name));
                    let flow = walk(item, stack, visit);
                    stack.pop();
                    flow?;
                }
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Continue(()),
        }
    }
    let _ = walk(value, &mut Vec::new(), &mut visit);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_are_json_pointers_that_lead_back_to_the_string() {
        let body = json!({"a": [{"b/c": "x"}, "y"], "d~": {"e": "z"}, "n": 1});
        let mut seen = Vec::new();
        visit_strings(&body, |path, s| {
            seen.push((path.pointer(), s.to_owned()));
            ControlFlow::Continue(())
        });
        assert_eq!(
            seen,
            [
                ("/a/0/b~1c".to_owned(), "x".to_owned()),
                ("/a/1".to_owned(), "y".to_owned()),
                ("/d~0/e".to_owned(), "z".to_owned()),
            ]
        );
        for (pointer, s) in &seen {
            assert_eq!(
                body.pointer(pointer).and_then(Value::as_str),
                Some(s.as_str())
            );
        }
    }

    #[test]
    fn a_break_stops_the_scan() {
        let body = json!(["a", "b", "c"]);
        let mut seen = 0;
        visit_strings(&body, |_, s| {
            seen += 1;
            if s == "b" {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(seen, 2);
    }
}
