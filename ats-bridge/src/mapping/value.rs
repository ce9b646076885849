//! Typed values: what a source yields, what a target takes, and the one conversion
//! between them that every adapter uses.

use serde::{Deserialize, Serialize};
use serde_json::Number;

/// The type of value a target takes (or a source yields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValueKind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// A date or date-time (ISO-8601).
    Date,
    /// An absolute `http(s)` link.
    Url,
    /// One of the target's options.
    SingleSelect,
    /// Several of the target's options.
    MultiSelect,
    /// Several free values, each added on its own (tags, links, sources).
    List,
}

impl ValueKind {
    /// Whether a value of kind `self` can be written to a target of kind `target`
    /// (a number fits a text field; a summary does not fit a number field). Checked
    /// when the mapping is validated against the live ATS configuration.
    pub fn fits(self, target: ValueKind) -> bool {
        use ValueKind::*;
        match target {
            Text | List => true,
            Number => self == Number,
            Date => self == Date,
            Url => self == Url,
            // Options are checked by value, once the value is known.
            SingleSelect => matches!(self, Text | Number | SingleSelect),
            MultiSelect => matches!(self, Text | Number | SingleSelect | MultiSelect | List),
        }
    }
}

/// One choice of a select target: its id (what is written) and its label (what
/// recruiters see). A mapped value names either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TargetOption {
    /// The id the ATS stores.
    pub id: String,
    /// The label shown to recruiters.
    pub label: String,
}

impl TargetOption {
    /// An option with an id and a label.
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
        }
    }

    /// The option `value` names (its id, or its label without regard to case).
    pub fn find<'a>(options: &'a [TargetOption], value: &str) -> Option<&'a TargetOption> {
        let value = value.trim();
        options.iter().find(|o| o.id == value).or_else(|| {
            options
                .iter()
                .find(|o| o.label.trim().eq_ignore_ascii_case(value))
        })
    }
}

/// A value for (or read from) a mapped target. Personal data: `Debug` shows the kind
/// only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MappedValue {
    /// Free text.
    Text(String),
    /// A number.
    Number(Number),
    /// A date or date-time (ISO-8601).
    Date(String),
    /// A link.
    Url(String),
    /// The id of one option.
    SingleSelect(String),
    /// The ids of several options.
    MultiSelect(Vec<String>),
    /// Several free values.
    List(Vec<String>),
}

impl std::fmt::Debug for MappedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedValue::{:?}([value])", self.kind())
    }
}

impl MappedValue {
    /// A number value; `None` for a non-finite one.
    pub fn number(number: f64) -> Option<Self> {
        let whole = number.fract() == 0.0 && number.abs() < 9.0e15;
        // Exact within i64's exactly representable range, checked above.
        #[allow(clippy::cast_possible_truncation)]
        let number = if whole {
            Some(Number::from(number as i64))
        } else {
            Number::from_f64(number)
        };
        number.map(Self::Number)
    }

    /// The kind of this value.
    pub fn kind(&self) -> ValueKind {
        match self {
            Self::Text(_) => ValueKind::Text,
            Self::Number(_) => ValueKind::Number,
            Self::Date(_) => ValueKind::Date,
            Self::Url(_) => ValueKind::Url,
            Self::SingleSelect(_) => ValueKind::SingleSelect,
            Self::MultiSelect(_) => ValueKind::MultiSelect,
            Self::List(_) => ValueKind::List,
        }
    }

    /// True when the value holds nothing (empty text, an empty list): an ATS field
    /// holding such a value counts as empty for protection.
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Number(_) => false,
            Self::Text(s) | Self::Date(s) | Self::Url(s) | Self::SingleSelect(s) => {
                s.trim().is_empty()
            }
            Self::MultiSelect(items) | Self::List(items) => {
                items.iter().all(|s| s.trim().is_empty())
            }
        }
    }

    /// The value as its texts (one for a single value, each item of a list).
    pub fn texts(&self) -> Vec<String> {
        match self {
            Self::Text(s) | Self::Date(s) | Self::Url(s) | Self::SingleSelect(s) => {
                vec![s.clone()]
            }
            Self::Number(n) => vec![n.to_string()],
            Self::MultiSelect(items) | Self::List(items) => items.clone(),
        }
    }

    /// Convert to what a target of `kind` takes, choosing among `options` for
    /// select targets. The error says why, without the value (it may be personal
    /// data).
    pub fn coerce(&self, kind: ValueKind, options: &[TargetOption]) -> Result<Self, String> {
        let texts = self.texts();
        let one = || match texts.as_slice() {
            [single] => Ok(single.trim().to_owned()),
            _ => Err(format!(
                "a list of {} values does not fit one {kind:?} field",
                texts.len()
            )),
        };
        let choose = |value: &str| {
            TargetOption::find(options, value)
                .map(|o| o.id.clone())
                .ok_or_else(|| "the value is not one of the field's options".to_owned())
        };
        Ok(match kind {
            ValueKind::Text => match self {
                Self::MultiSelect(items) | Self::List(items) => Self::Text(items.join("\n")),
                other => Self::Text(other.texts().concat()),
            },
            ValueKind::Number => match self {
                Self::Number(n) => Self::Number(n.clone()),
                _ => {
                    let parsed: f64 = one()?
                        .parse()
                        .map_err(|_| format!("a {:?} value is not a number", self.kind()))?;
                    Self::number(parsed).ok_or_else(|| "the number is not finite".to_owned())?
                }
            },
            ValueKind::Date => {
                let text = one()?;
                if !looks_like_date(&text) {
                    return Err("the value is not an ISO-8601 date".into());
                }
                Self::Date(text)
            }
            ValueKind::Url => {
                let text = one()?;
                if !is_web_link(&text) {
                    return Err("the value is not an http(s) link".into());
                }
                Self::Url(text)
            }
            ValueKind::SingleSelect => Self::SingleSelect(choose(&one()?)?),
            ValueKind::MultiSelect => {
                Self::MultiSelect(texts.iter().map(|t| choose(t)).collect::<Result<_, _>>()?)
            }
            ValueKind::List => Self::List(
                texts
                    .into_iter()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
            ),
        })
    }
}

/// An absolute `http(s)` link with a host and no spaces; the ATS checks the rest.
fn is_web_link(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty() && !rest.starts_with('/') && !rest.chars().any(char::is_whitespace)
    })
}

/// `YYYY-MM-DD`, optionally followed by a time: enough to refuse a sentence in a
/// date field; the ATS checks the rest.
fn looks_like_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && (bytes.len() == 10 || matches!(bytes[10], b'T' | b' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_texts_convert_where_they_fit() {
        let score = MappedValue::number(87.0).unwrap();
        assert_eq!(
            score.coerce(ValueKind::Text, &[]),
            Ok(MappedValue::Text("87".into()))
        );
        assert_eq!(
            MappedValue::Text(" 4.5 ".into()).coerce(ValueKind::Number, &[]),
            Ok(MappedValue::number(4.5).unwrap())
        );
        assert!(
            MappedValue::Text("great".into())
                .coerce(ValueKind::Number, &[])
                .is_err()
        );
        assert!(
            MappedValue::Text("soon".into())
                .coerce(ValueKind::Date, &[])
                .is_err()
        );
        assert!(
            MappedValue::Text("2026-01-02T10:00:00Z".into())
                .coerce(ValueKind::Date, &[])
                .is_ok()
        );
        assert!(
            MappedValue::Text("ftp://x".into())
                .coerce(ValueKind::Url, &[])
                .is_err()
        );
    }

    #[test]
    fn select_values_name_an_option_by_id_or_label() {
        let options = [
            TargetOption::new("o-1", "Passed"),
            TargetOption::new("o-2", "Failed"),
        ];
        assert_eq!(
            MappedValue::Text("passed".into()).coerce(ValueKind::SingleSelect, &options),
            Ok(MappedValue::SingleSelect("o-1".into()))
        );
        assert_eq!(
            MappedValue::List(vec!["o-2".into(), "Passed".into()])
                .coerce(ValueKind::MultiSelect, &options),
            Ok(MappedValue::MultiSelect(vec!["o-2".into(), "o-1".into()]))
        );
        let error = MappedValue::Text("maybe".into())
            .coerce(ValueKind::SingleSelect, &options)
            .unwrap_err();
        assert!(!error.contains("maybe"), "no value in errors: {error}");
    }

    #[test]
    fn debug_hides_the_value() {
        let text = format!("{:?}", MappedValue::Text("jane@example.com".into()));
        assert!(!text.contains("jane"), "{text}");
    }
}
