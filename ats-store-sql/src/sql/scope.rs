//! A connection's share of the tables it shares with others: the rows whose name (a
//! ledger row's `ats`, a delivery's `source`) starts with its scope, `{id}/`.
//!
//! The filter is a range, `name >= scope AND name < successor`, compared byte by
//! byte: an index on the name serves it, and unlike `LIKE` it is case-sensitive and
//! has no wildcards (`_` and `%` are ordinary characters in a scope).

use ats_bridge::store::{StoreError, StoreResult};

use super::Dialect;

/// Which rows a scoped query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every row: the unscoped query (every name starts with the empty scope).
    All,
    /// The names from `from` (included) to `to` (excluded): exactly those that start
    /// with `from`.
    Range {
        /// The scope itself.
        from: String,
        /// The least text greater than every text that starts with the scope.
        to: String,
    },
}

impl Scope {
    /// The rows whose name starts with `scope`.
    ///
    /// A scope of nothing but U+10FFFF characters has no successor (no text sorts
    /// after all of its extensions), so no range expresses it; connection scopes
    /// (`{id}/`) never are.
    pub(crate) fn starting_with(scope: &str) -> StoreResult<Self> {
        if scope.is_empty() {
            return Ok(Self::All);
        }
        let to = successor(scope).ok_or(StoreError::Unsupported(
            "a scope of only U+10FFFF characters",
        ))?;
        Ok(Self::Range {
            from: scope.to_owned(),
            to,
        })
    }
}

/// The least text greater than every text that starts with `prefix`: the prefix
/// without its trailing U+10FFFF characters, its last character incremented
/// (`acme/` gives `acme0`). Byte order is code point order in UTF-8, so this holds
/// for the databases' byte-wise comparison as for Rust's.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // Surrogates are no characters: the one after U+D7FF is U+E000.
        let next = match u32::from(last) + 1 {
            0xD800 => 0xE000,
            code => code,
        };
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The condition that `column` lies in a [`Scope::Range`]: two parameters, `from`
/// then `to`.
pub(crate) fn in_range<D: Dialect>(column: &str) -> String {
    let order = D::BYTE_ORDER;
    format!("{column}{order} >= ? AND {column}{order} < ?")
}

/// The scope key of `column` (the text before its first `/`) and the condition that
/// it has one, for counts per connection.
pub(crate) fn key_of<D: Dialect>(column: &str) -> (String, String) {
    let position = format!("{}({column}, '/')", D::POSITION);
    (
        format!("substr({column}, 1, {position} - 1)"),
        format!("{position} > 0"),
    )
}

/// A statement in two forms: over every row, and over one [`Scope::Range`] (whose two
/// parameters come where the form's `in_range` condition stands).
#[derive(Debug)]
pub(crate) struct Scoped {
    all: String,
    range: String,
}

impl Scoped {
    /// Both forms of the statement `render` writes given its scope condition (empty,
    /// or an [`in_range`] condition followed by `AND `).
    pub(crate) fn new<D: Dialect>(column: &str, render: impl Fn(&str) -> String) -> Self {
        Self {
            all: render(""),
            range: render(&format!("{} AND ", in_range::<D>(column))),
        }
    }

    /// The form that reads `scope`.
    pub(crate) fn sql(&self, scope: &Scope) -> &str {
        match scope {
            Scope::All => &self.all,
            Scope::Range { .. } => &self.range,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_ends_just_before_its_successor() {
        assert_eq!(successor("acme/").as_deref(), Some("acme0"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("\u{10FFFF}\u{10FFFF}"), None);
        assert_eq!(successor(""), None);
    }

    #[test]
    fn only_the_empty_scope_reads_every_row() {
        assert_eq!(Scope::starting_with("").unwrap(), Scope::All);
        assert_eq!(
            Scope::starting_with("acme/").unwrap(),
            Scope::Range {
                from: "acme/".into(),
                to: "acme0".into()
            }
        );
        assert!(matches!(
            Scope::starting_with("\u{10FFFF}"),
            Err(StoreError::Unsupported(_))
        ));
    }

    #[test]
    fn every_name_in_the_range_starts_with_the_scope() {
        let Scope::Range { from, to } = Scope::starting_with("acme/").unwrap() else {
            panic!("a range");
        };
        let names = [
            "acme",
            "acme-2/lever",
            "acme/",
            "acme/lever",
            "acme/~",
            "acme0",
            "ACME/lever",
            "acme/\u{10FFFF}",
        ];
        for name in names {
            let in_range = *name >= *from.as_str() && *name < *to.as_str();
            assert_eq!(in_range, name.starts_with("acme/"), "{name}");
        }
    }
}
