//! Response text made safe for error messages.
//!
//! Errors are logged and stored (a ledger's `last_error`), so they must never carry what
//! a response held: a token response of an unexpected shape holds both tokens, a
//! candidate holds a name and an e-mail address. These functions keep what diagnoses a
//! failure (the JSON path, the expected type, the keys, the vendor's error codes) and
//! drop the values.

use serde_json::{Map, Value};

/// Placeholder for a withheld value.
const WITHHELD: &str = "…";

/// Keys whose string values are machine codes chosen by the vendor, never input, and
/// are kept in [`body_shape`]: they are what a caller matches on.
const CODE_KEYS: &[&str] = &["code", "error_code", "errorCode", "error", "type", "status"];

/// What serde said about a value that did not fit, without the value.
///
/// serde's messages quote what they read (`invalid type: string "alice@example.com",
/// expected u32`, ``unknown variant `x` ``). This keeps the kind of value and what was
/// expected (`invalid type: string, expected u32`) and drops the position suffix
/// (`at line 1 column 30`), which the JSON path replaces.
pub fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    redact_message(text)
}

fn redact_message(text: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            // What was expected comes from the type being decoded, not the input; the
            // last `, expected` is the one serde wrote (a quoted value may hold another).
            let (unexpected, expected) = match rest.rfind(", expected ") {
                Some(at) => (&rest[..at], &rest[at..]),
                None => (rest, ""),
            };
            let kind = unexpected
                .split(['"', '`'])
                .next()
                .unwrap_or_default()
                .trim();
            return format!("{prefix}{kind}{expected}");
        }
    }
    for prefix in ["unknown variant ", "unknown field "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let expected = rest.rfind(", expected").map_or("", |at| &rest[at..]);
            return format!("{}{expected}", prefix.trim_end());
        }
    }
    // `missing field `x`` and `duplicate field `x`` name fields of the type being
    // decoded; syntax errors quote nothing. Anything else (a custom deserializer's
    // message) may quote its input: withhold every quoted part.
    if text.starts_with("missing field ") || text.starts_with("duplicate field ") {
        return text.to_owned();
    }
    withhold_quoted(text)
}

/// Replace every `"…"` and `` `…` `` span with a placeholder.
fn withhold_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None if c == '"' || c == '`' => {
                out.push(c);
                out.push_str(WITHHELD);
                open = Some(c);
            }
            None => out.push(c),
        }
    }
    out
}

/// A body reduced to its shape, at most `limit` characters: JSON with every string
/// value withheld except the vendor's codes (under `code`, `error`, `type`…), numbers,
/// booleans and nulls kept; any other body described by its size only.
pub fn body_shape(body: &[u8], limit: usize) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => crate::error::excerpt(shape(value, false).to_string().as_bytes(), limit),
        Err(_) if body.is_empty() => String::new(),
        Err(_) => format!("(a {}-byte body that is not JSON, withheld)", body.len()),
    }
}

fn shape(value: Value, is_code: bool) -> Value {
    match value {
        Value::String(s) if is_code => Value::String(s),
        Value::String(_) => Value::String(WITHHELD.to_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| shape(v, is_code)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let is_code = CODE_KEYS.contains(&key.as_str());
                    (key, shape(value, is_code))
                })
                .collect::<Map<String, Value>>(),
        ),
        other => other,
    }
}

/// `text` with every e-mail address replaced by `[email]`: vendors' messages sometimes
/// quote the address they refused ("a candidate with alice@example.com exists").
pub fn mask_emails(text: &str) -> String {
    if !text.contains('@') {
        return text.to_owned();
    }
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if looks_like_email(trimmed) {
                format!("[email]{}", &word[trimmed.len()..])
            } else {
                word.to_owned()
            }
        })
        .collect()
}

fn looks_like_email(word: &str) -> bool {
    word.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Amount {
        n: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Colour {
        Red,
    }

    fn message_for<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        serde_message(&serde_json::from_str::<T>(json).unwrap_err())
    }

    #[test]
    fn serde_messages_keep_the_kind_and_drop_the_value() {
        assert_eq!(
            message_for::<Amount>(r#"{"n": "alice@example.com, expected x"}"#),
            "invalid type: string, expected u32"
        );
        assert_eq!(
            message_for::<Amount>(r#"{"n": -4}"#),
            "invalid value: integer, expected u32"
        );
        assert_eq!(
            message_for::<Colour>(r#""Alice Martin""#),
            "unknown variant, expected `Red`"
        );
        assert_eq!(message_for::<Amount>("{}"), "missing field `n`");
        assert_eq!(
            withhold_quoted(r#"bad date "Alice" in `x`"#),
            r#"bad date "…" in `…`"#
        );
    }

    #[test]
    fn a_body_shape_keeps_keys_and_codes_only() {
        let body = br#"{"access_token":"AT-1","n":3,"errors":[{"code":"CONFLICT","message":"alice@example.com"}]}"#;
        assert_eq!(
            body_shape(body, 512),
            r#"{"access_token":"…","n":3,"errors":[{"code":"CONFLICT","message":"…"}]}"#
        );
        assert_eq!(
            body_shape(b"token=AT-1", 512),
            "(a 10-byte body that is not JSON, withheld)"
        );
    }

    #[test]
    fn emails_are_masked_in_messages() {
        assert_eq!(
            mask_emails("Candidate alice@example.com exists.\nRetry"),
            "Candidate [email] exists.\nRetry"
        );
        assert_eq!(mask_emails("use @mentions"), "use @mentions");
    }
}
