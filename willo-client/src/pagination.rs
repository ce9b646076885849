//! Willo's list envelope (Django REST Framework: `{count, next, previous, results}`, or a
//! bare array where a list is unpaginated: [`Listing`]),
//! list parameters, and the cursor to resume a list from.
//!
//! Lists are followed through the absolute `next` link the API hands out, never by
//! computing page numbers (the page parameter's name is unconfirmed). Save
//! a page's `next` cursor after handling it to resume there later with a resource's
//! `page(params, Some(cursor))` call.

use std::fmt;

use client_core::pagination::{Page, Paginated};
use serde::{Deserialize, Serialize};

use crate::lenient;

/// Smallest `page_size` Willo accepts.
pub const MIN_PAGE_SIZE: u32 = 1;
/// Largest `page_size` Willo accepts (confirmed for `GET /interviews/`, assumed for the
/// other lists; willo.md §2).
pub const MAX_PAGE_SIZE: u32 = 30;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct DrfPage<T> {
    /// Items across all pages, when reported.
    #[serde(default, deserialize_with = "lenient::count")]
    pub count: Option<u64>,
    /// Absolute URL of the next page; `None` on the last page.
    #[serde(default, deserialize_with = "lenient::string")]
    pub next: Option<String>,
    /// Absolute URL of the previous page.
    #[serde(default, deserialize_with = "lenient::string")]
    pub previous: Option<String>,
    /// The items on this page. Required: an object without `results` (an error body
    /// answered 200, a proxy's page) is a decode error, not an empty page, because an
    /// empty participant listing is read as "nobody invited yet" and would let a second
    /// invite go out. An explicit `null` is an empty page.
    #[serde(deserialize_with = "lenient::list")]
    pub results: Vec<T>,
}

impl<T> DrfPage<T> {
    /// Where the next page starts, for saving and resuming; `None` on the last page.
    pub fn cursor(&self) -> Option<Cursor> {
        self.next.clone().map(Cursor)
    }
}

/// A list response in either shape Willo may answer with: the DRF envelope, or a bare
/// JSON array.
///
/// Django REST Framework paginates per view, and small reference tables (languages,
/// countries) are commonly left unpaginated, answering the whole list as an array.
/// Which of Willo's lists do is not documented, so every list accepts both: an array
/// is one page with no next. Anything else (a string, a number) is a decode error.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Listing<T> {
    /// The paginated envelope.
    Page(DrfPage<T>),
    /// The whole list, unpaginated.
    All(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Listing<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Decided on the first token, without buffering the body: `[` is a bare list,
        // `{` the envelope.
        struct Shape<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Shape<T> {
            type Value = Listing<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list envelope {count, next, previous, results} or a JSON array")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                let items =
                    Vec::<T>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Listing::All(items))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let page =
                    DrfPage::<T>::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Listing::Page(page))
            }
        }

        deserializer.deserialize_any(Shape(std::marker::PhantomData))
    }
}

impl<T> Paginated for Listing<T> {
    type Item = T;
    type Cursor = Cursor;

    fn into_page(self) -> Page<T, Cursor> {
        match self {
            Listing::Page(page) => page.into_page(),
            Listing::All(items) => {
                let total = items.len() as u64;
                Page::new(items, None).with_total(Some(total))
            }
        }
    }
}

/// A saved position in a list: the absolute `next` link of the page before it.
/// Store it (it serialises as a plain string) and pass it to a resource's `page` call
/// to resume. It only works on the host the client talks to.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub String);

impl Cursor {
    /// The link as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The link may carry a search term (an email); keep it out of logs.
        f.write_str("Cursor(..)")
    }
}

impl<T> Paginated for DrfPage<T> {
    type Item = T;
    type Cursor = Cursor;

    fn into_page(self) -> Page<T, Cursor> {
        let next = self.cursor();
        Page::new(self.results, next).with_total(self.count)
    }
}

/// Query parameters of a list: page size, search, ordering and filters.
///
/// ```
/// use willo_client::ListParams;
/// let params = ListParams::new().page_size(100).search("engineer").ordering("-created_at");
/// assert_eq!(params.page_size_value(), Some(30)); // clamped to Willo's 1..=30
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    page_size: Option<u32>,
    search: Option<String>,
    ordering: Option<String>,
    filters: Vec<(String, String)>,
}

impl ListParams {
    /// No parameters: Willo's default page size and order.
    pub fn new() -> Self {
        Self::default()
    }

    /// Items per page, clamped to [`MIN_PAGE_SIZE`]..=[`MAX_PAGE_SIZE`] (Willo refuses
    /// other values).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size.clamp(MIN_PAGE_SIZE, MAX_PAGE_SIZE));
        self
    }

    /// The page size that will be sent, after clamping.
    pub fn page_size_value(&self) -> Option<u32> {
        self.page_size
    }

    /// Free-text `search` (on interviews: title, owner email, department name).
    pub fn search(mut self, term: impl Into<String>) -> Self {
        self.search = Some(term.into());
        self
    }

    /// `ordering`: comma-separated fields, `-field` for descending. Which fields are
    /// orderable is not documented.
    pub fn ordering(mut self, fields: impl Into<String>) -> Self {
        self.ordering = Some(fields.into());
        self
    }

    /// Any other filter, sent as `name=value` (repeatable).
    pub fn filter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push((name.into(), value.into()));
        self
    }

    /// The query pairs, in a stable order.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut pairs = self.filters.clone();
        if let Some(search) = &self.search {
            pairs.push(("search".into(), search.clone()));
        }
        if let Some(ordering) = &self.ordering {
            pairs.push(("ordering".into(), ordering.clone()));
        }
        if let Some(size) = self.page_size {
            pairs.push(("page_size".into(), size.to_string()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn page_size_is_clamped() {
        assert_eq!(ListParams::new().page_size(0).page_size_value(), Some(1));
        assert_eq!(ListParams::new().page_size(31).page_size_value(), Some(30));
        assert_eq!(ListParams::new().page_size(10).page_size_value(), Some(10));
    }

    #[test]
    fn a_list_is_an_envelope_or_a_bare_array() {
        let enveloped: Listing<Value> = serde_json::from_str(
            r#"{"count": 3, "next": "https://api.example/x/?page=2", "results": [1, 2]}"#,
        )
        .unwrap();
        let page = enveloped.into_page();
        assert_eq!(page.items, [json!(1), json!(2)]);
        assert_eq!(page.total, Some(3));
        assert_eq!(page.next.unwrap().as_str(), "https://api.example/x/?page=2");

        let bare: Listing<Value> =
            serde_json::from_str(r#"[{"code": "en"}, {"code": "fr"}]"#).unwrap();
        let page = bare.into_page();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next, None, "a bare list is the whole list");
        assert_eq!(page.total, Some(2));

        let error = serde_json::from_str::<Listing<Value>>(r#""languages""#).unwrap_err();
        assert!(error.to_string().contains("or a JSON array"), "{error}");
    }

    #[test]
    fn envelope_tolerates_missing_parts() {
        let page: DrfPage<Value> = serde_json::from_str(r#"{"results": [1]}"#).unwrap();
        assert_eq!(page.count, None);
        assert_eq!(page.cursor(), None);
        let page = page.into_page();
        assert_eq!(page.items.len(), 1);

        let page: DrfPage<Value> =
            serde_json::from_str(r#"{"count": "3", "next": null, "results": null}"#).unwrap();
        assert_eq!(page.count, Some(3));
        assert!(page.results.is_empty());
    }

    #[test]
    fn an_object_without_results_is_not_an_empty_page() {
        for body in [r#"{"count": 3}"#, r#"{"detail": "Not found."}"#, "{}"] {
            let error = serde_json::from_str::<Listing<Value>>(body).unwrap_err();
            assert!(error.to_string().contains("results"), "{body}: {error}");
        }
    }
}
