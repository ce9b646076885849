//! Building blocks shared by the resource modules: string enums that keep unknown
//! values, the `{totalFound, content}` listing, actions, locations, and the
//! cursor pagination SmartRecruiters uses (`nextPageId` in the body or a
//! `Link: <…>; rel="next"` header, passed back as `pageId`).

use client_core::header::{HeaderMap, LINK};
use client_core::pagination::{Page, Paginated};
use client_core::{RawResponse, Result, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A link to a related resource: `{url, method}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Action {
    /// Absolute URL of the resource.
    #[serde(default)]
    pub url: Option<String>,
    /// HTTP method to use (`GET`, …).
    #[serde(default)]
    pub method: Option<String>,
}

/// Named links of a resource (`details`, `properties`, `attachments`…), kept by name.
pub type Actions = Map<String, Value>;

/// A `{id, label}` pair (departments, industries, reasons…).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IdLabel {
    /// Identifier.
    #[serde(default)]
    pub id: Option<String>,
    /// Human-readable label.
    #[serde(default)]
    pub label: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A location as SmartRecruiters reports it. Coordinates are numbers on candidates and
/// strings on jobs, so they are kept as raw JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Location {
    /// Country name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// ISO country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Region code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// Region name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street address (jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Postal code (jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Remote job flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<bool>,
    /// Anything else (`lat`, `lng`, `latitude`, `longitude`, `manual`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The unpaged `{totalFound, content}` listing (tags, attachments, histories, hiring team…).
/// `content` is required: an answer without it is a decode error, not an empty list, so
/// an unexpected shape is never mistaken for "nothing there".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Listing<T> {
    /// Number of items reported by the API.
    #[serde(default)]
    pub total_found: Option<u64>,
    /// The items.
    pub content: Vec<T>,
}

/// The items of the `{totalFound, content}` listing at `path`.
pub(crate) async fn get_listing<T: DeserializeOwned>(
    transport: &client_core::Transport,
    path: impl Into<String>,
) -> Result<Vec<T>> {
    let listing: Listing<T> = transport.get(path).send().await?;
    Ok(listing.content)
}

/// Every item of a `{totalFound, content}` listing paged with `limit` and `offset`
/// (`page` items at a time), with `query` on every request. A short page, or the
/// reported total reached, ends it.
pub(crate) async fn get_all_by_offset<T: DeserializeOwned>(
    transport: &client_core::Transport,
    path: &str,
    query: &[(String, String)],
    page: usize,
) -> Result<Vec<T>> {
    let mut items = Vec::new();
    loop {
        let listing: Listing<T> = transport
            .get(path)
            .query_pairs(query.iter().cloned())
            .query("limit", page)
            .query("offset", items.len())
            .send()
            .await?;
        let total = listing.total_found;
        let got = listing.content.len();
        items.extend(listing.content);
        if got < page || total.is_some_and(|t| items.len() as u64 >= t) {
            return Ok(items);
        }
    }
}

/// One page of a cursor-paged list; the cursor (a `pageId`) comes from the body's
/// `nextPageId` or, failing that, from the `Link: <…>; rel="next"` header.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CursorPage<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The `pageId` of the next page; `None` on the last page.
    pub next_page_id: Option<String>,
    /// `totalFound`, when the endpoint reports it.
    pub total_found: Option<u64>,
}

impl<T> Paginated for CursorPage<T> {
    type Item = T;
    type Cursor = String;

    fn into_page(self) -> Page<T, String> {
        Page::new(self.items, self.next_page_id).with_total(self.total_found)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    #[serde(default)]
    next_page_id: Option<String>,
    #[serde(default)]
    total_found: Option<u64>,
    // Required: an envelope without its list is a shape this client does not know
    // (`GET /messages` has no published schema), and reading it as "no items" would let
    // a repeat check find nothing and write twice.
    content: Vec<T>,
}

impl<T: DeserializeOwned> CursorPage<T> {
    /// Read a page: a `{content, nextPageId, totalFound}` envelope or a bare JSON array
    /// (the Webhooks API), taking the cursor from `nextPageId` or else from the `Link`
    /// header. An empty page ends the listing whatever the cursor says.
    pub(crate) fn from_response(raw: &RawResponse) -> Result<Self> {
        let is_array = raw
            .body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'[');
        if is_array {
            let items: Vec<T> = raw.json()?;
            return Ok(Self::new(items, next_page_id_from_link(&raw.headers), None));
        }
        let envelope: Envelope<T> = raw.json()?;
        let next = envelope
            .next_page_id
            .filter(|id| !id.is_empty())
            .or_else(|| next_page_id_from_link(&raw.headers));
        Ok(Self::new(envelope.content, next, envelope.total_found))
    }

    fn new(items: Vec<T>, next: Option<String>, total_found: Option<u64>) -> Self {
        let next_page_id = if items.is_empty() { None } else { next };
        Self {
            items,
            next_page_id,
            total_found,
        }
    }
}

/// The `pageId` (or `page_id`) of the `rel="next"` entry of a `Link` header. The cursor
/// is opaque URL-encoded base64, so it is decoded from the URL exactly once.
pub fn next_page_id_from_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|entry| {
            let mut parts = entry.split(';');
            let target = parts.next()?.trim();
            let is_next = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            if !is_next {
                return None;
            }
            let target = target.strip_prefix('<')?.strip_suffix('>')?;
            // Relative links (`/candidates?…`) are resolved against a dummy origin.
            let url = Url::parse(target)
                .or_else(|_| Url::parse("http://relative.invalid").and_then(|b| b.join(target)))
                .ok()?;
            url.query_pairs()
                .find(|(k, _)| k == "pageId" || k == "page_id")
                .map(|(_, v)| v.into_owned())
        })
}

/// Query pairs of a filter, with the error as text so the result can be cloned into
/// each page request of a stream.
pub(crate) fn query_or_message<Q: Serialize>(
    filter: &Q,
) -> std::result::Result<Vec<(String, String)>, String> {
    client_core::query_pairs(filter).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use client_core::header::HeaderValue;

    use super::*;

    #[test]
    fn link_header_cursor_is_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                "</candidates?limit=10&pageId=SKYfn51wTboVGco6%2FvIsIC%2F%3D%3D>; rel=\"next\"",
            ),
        );
        assert_eq!(
            next_page_id_from_link(&headers).as_deref(),
            Some("SKYfn51wTboVGco6/vIsIC/==")
        );
        headers.insert(
            LINK,
            HeaderValue::from_static("<https://api.example.com/x?page_id=abc>; rel=self"),
        );
        assert_eq!(next_page_id_from_link(&headers), None);
    }

    fn raw(body: &str, link: Option<&'static str>) -> RawResponse {
        let mut headers = HeaderMap::new();
        if let Some(link) = link {
            headers.insert(LINK, HeaderValue::from_static(link));
        }
        RawResponse {
            status: client_core::StatusCode::OK,
            headers,
            body: body.as_bytes().to_vec().into(),
        }
    }

    #[test]
    fn pages_read_envelopes_and_arrays() {
        let page: CursorPage<u32> = CursorPage::from_response(&raw(
            r#"{"content":[1,2],"nextPageId":"n","totalFound":5}"#,
            None,
        ))
        .unwrap();
        assert_eq!(
            (page.items, page.next_page_id.as_deref(), page.total_found),
            (vec![1, 2], Some("n"), Some(5))
        );
        let page: CursorPage<u32> =
            CursorPage::from_response(&raw(" [3]", Some("</x?page_id=p2>; rel=\"next\""))).unwrap();
        assert_eq!(
            (page.items, page.next_page_id.as_deref()),
            (vec![3], Some("p2"))
        );
        let empty: CursorPage<u32> =
            CursorPage::from_response(&raw(r#"{"content":[],"nextPageId":"n"}"#, None)).unwrap();
        assert_eq!(empty.next_page_id, None, "an empty page ends the listing");
    }

    #[test]
    fn an_envelope_without_its_list_is_an_error_not_an_empty_page() {
        for body in [
            r#"{"nextPageId":"n"}"#,
            r#"{"messages":[{"content":"x"}]}"#,
            "{}",
        ] {
            let page = CursorPage::<u32>::from_response(&raw(body, None));
            assert!(page.is_err(), "{body} decoded as {page:?}");
        }
        let listing = serde_json::from_str::<Listing<u32>>(r#"{"totalFound":3}"#);
        assert!(listing.is_err(), "{listing:?}");
    }
}
