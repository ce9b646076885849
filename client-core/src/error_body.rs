//! Turning a vendor's error body into code, message and field errors.
//!
//! Every vendor words its errors differently (DRF field maps, `{message, errors[]}`,
//! `{code, message}`, OAuth's `{error, error_description}`, plain text). A client plugs
//! in an [`ErrorBodyParser`]; [`GenericErrorParser`] understands all the shapes the
//! family's vendors are known to send and falls back to the raw text.

use std::fmt::Debug;

use reqwest::StatusCode;
use serde_json::{Map, Value};

use crate::error::FieldError;

/// What could be read out of an error body. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedErrorBody {
    /// Machine-readable code.
    pub code: Option<String>,
    /// Human-readable message.
    pub message: Option<String>,
    /// Per-field messages.
    pub field_errors: Vec<FieldError>,
    /// The vendor said a pagination cursor is invalid; the transport then returns
    /// [`crate::Error::InvalidCursor`].
    pub invalid_cursor: bool,
}

/// Reads a vendor's error body. Implement it when a vendor has a shape the generic
/// parser gets wrong.
pub trait ErrorBodyParser: Send + Sync + Debug {
    /// Parse `body`, returned with `status`. Must not fail: return what could be read.
    fn parse(&self, status: StatusCode, body: &[u8]) -> ParsedErrorBody;
}

/// Understands, in order: `{message|detail|error_description|error, code|error, errors[]}`
/// envelopes and DRF field maps (`{"field": ["msg", …]}`), then plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenericErrorParser;

/// Keys that carry the human message, best first.
const MESSAGE_KEYS: &[&str] = &["message", "detail", "error_description", "error", "title"];
/// Keys that carry a machine code, best first.
const CODE_KEYS: &[&str] = &["code", "error_code", "errorCode", "error"];

impl ErrorBodyParser for GenericErrorParser {
    fn parse(&self, _status: StatusCode, body: &[u8]) -> ParsedErrorBody {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => parse_object(&map),
            Ok(Value::Array(items)) => ParsedErrorBody {
                message: joined_strings(&items),
                ..Default::default()
            },
            Ok(Value::String(text)) => ParsedErrorBody {
                message: non_empty(text.trim()),
                ..Default::default()
            },
            _ => ParsedErrorBody {
                message: first_line(body),
                ..Default::default()
            },
        }
    }
}

fn parse_object(map: &Map<String, Value>) -> ParsedErrorBody {
    let message = MESSAGE_KEYS
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
        .and_then(non_empty);
    let mut code = CODE_KEYS
        .iter()
        .find_map(|k| map.get(*k).and_then(scalar_text))
        .filter(|c| Some(c) != message.as_ref());

    let mut field_errors = Vec::new();
    // `{errors: [{code, message, field?}]}` (SmartRecruiters and many others).
    if let Some(Value::Array(errors)) = map.get("errors") {
        for item in errors {
            let Value::Object(obj) = item else { continue };
            let item_message = obj.get("message").and_then(Value::as_str).unwrap_or("");
            if code.is_none() {
                code = obj.get("code").and_then(scalar_text);
            }
            let field = obj
                .get("field")
                .or_else(|| obj.get("path"))
                .and_then(Value::as_str);
            field_errors.push(FieldError {
                field: field.unwrap_or("").to_owned(),
                messages: vec![item_message.to_owned()],
            });
        }
    }
    // DRF field maps: every value a list of strings (or a nested map of them).
    if message.is_none() && code.is_none() && field_errors.is_empty() {
        for (field, value) in map {
            let messages = messages_of(value);
            if !messages.is_empty() {
                field_errors.push(FieldError {
                    field: field.clone(),
                    messages,
                });
            }
        }
    }
    let message = message.or_else(|| {
        field_errors
            .first()
            .and_then(|f| f.messages.first().cloned())
            .filter(|m| !m.is_empty())
    });
    ParsedErrorBody {
        code,
        message,
        field_errors,
        invalid_cursor: false,
    }
}

fn messages_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(messages_of).collect(),
        Value::Object(inner) => inner
            .iter()
            .flat_map(|(k, v)| messages_of(v).into_iter().map(move |m| format!("{k}: {m}")))
            .collect(),
        _ => Vec::new(),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn joined_strings(items: &[Value]) -> Option<String> {
    let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
    non_empty(&parts.join(" "))
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn first_line(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    // HTML error pages say nothing useful in their first line.
    if line.starts_with('<') {
        return None;
    }
    Some(line.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ParsedErrorBody {
        GenericErrorParser.parse(StatusCode::BAD_REQUEST, body.as_bytes())
    }

    #[test]
    fn drf_field_map() {
        let p = parse(r#"{"name": ["This field is required."], "phone": ["Bad.", "Worse."]}"#);
        assert_eq!(p.code, None);
        assert_eq!(p.message.as_deref(), Some("This field is required."));
        assert_eq!(p.field_errors.len(), 2);
        assert_eq!(p.field_errors[1].field, "phone");
        assert_eq!(p.field_errors[1].messages, vec!["Bad.", "Worse."]);
    }

    #[test]
    fn drf_detail() {
        let p = parse(r#"{"detail": "Not found."}"#);
        assert_eq!(p.message.as_deref(), Some("Not found."));
        assert!(p.field_errors.is_empty());
    }

    #[test]
    fn message_with_errors_array() {
        let p = parse(
            r#"{"message":"Conflict","errors":[{"code":"CANDIDATE_DATA_CONFLICT","message":"Email taken"}]}"#,
        );
        assert_eq!(p.code.as_deref(), Some("CANDIDATE_DATA_CONFLICT"));
        assert_eq!(p.message.as_deref(), Some("Conflict"));
        assert_eq!(p.field_errors[0].messages, vec!["Email taken"]);
    }

    #[test]
    fn code_and_message() {
        let p = parse(r#"{"code":"InvalidOffset","message":"Bad offset"}"#);
        assert_eq!(p.code.as_deref(), Some("InvalidOffset"));
        assert_eq!(p.message.as_deref(), Some("Bad offset"));
    }

    #[test]
    fn oauth_error() {
        let p = parse(r#"{"error":"invalid_grant","error_description":"Refresh token used"}"#);
        assert_eq!(p.code.as_deref(), Some("invalid_grant"));
        assert_eq!(p.message.as_deref(), Some("Refresh token used"));
    }

    #[test]
    fn plain_text_and_html() {
        assert_eq!(
            parse("\n upstream down \n").message.as_deref(),
            Some("upstream down")
        );
        assert_eq!(parse("<html><body>502</body></html>").message, None);
    }
}
