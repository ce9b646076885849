//! Query strings as the vendors send them: repeated parameters (`status=A&status=B`)
//! that axum's `Query` cannot hold, decoded with the `url` crate's form decoder.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use client_core::Url;

/// The decoded pairs of a raw query string, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

/// The handlers take the query decoded: `params: Params` in place of axum's `RawQuery`.
impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query()))
    }
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        let Some(raw) = raw.filter(|r| !r.is_empty()) else {
            return Self::default();
        };
        let pairs = Url::parse(&format!("http://query.invalid/?{raw}"))
            .map(|url| url.query_pairs().into_owned().collect())
            .unwrap_or_default();
        Self(pairs)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `name` as a number, `default` when absent or not a number.
    pub fn number(&self, name: &str, default: usize) -> usize {
        self.get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// Every pair except those named in `without`.
    pub fn without<'a>(&'a self, without: &'a [&str]) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .iter()
            .filter(move |(k, _)| !without.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_encoded_values() {
        let params = Params::parse(Some("status=NEW&status=IN_REVIEW&q=%22a%40b.c%22&limit=x"));
        assert_eq!(params.all("status"), ["NEW", "IN_REVIEW"]);
        assert_eq!(params.get("q"), Some("\"a@b.c\""));
        assert_eq!(params.number("limit", 10), 10);
        assert_eq!(params.without(&["status", "q"]).count(), 1);
        assert!(Params::parse(None).get("a").is_none());
    }
}
