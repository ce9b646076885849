//! What every resource shares: the `{data}` and `{data, hasNext, next}` envelopes,
//! expandable fields, listings (a stream or one page), and the call builder behind
//! optional `perform_as`.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;

use client_core::error_body::{ErrorBodyParser, GenericErrorParser, ParsedErrorBody};
use client_core::pagination::{self, ItemStream, Page, Paginated};
use client_core::{Error, Idempotency, Method, RawResponse, Result, StatusCode, Transport};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::UserId;

/// `{"data": …}`: how Lever wraps single objects.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Data<T> {
    pub data: T,
}

/// One page of a list: `{"data": [...], "hasNext": bool, "next": "<offset token>"}`.
///
/// `hasNext` defaults to `false` (Lever's doc examples and `GET /webhooks` omit it) and
/// `next` is absent on the last page.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ListPage<T> {
    /// The records on this page.
    pub data: Vec<T>,
    /// Whether another page follows.
    #[serde(default, rename = "hasNext")]
    pub has_next: bool,
    /// The opaque offset token of the next page. Save it to resume later.
    #[serde(default)]
    pub next: Option<String>,
}

impl<T> Paginated for ListPage<T> {
    type Item = T;
    type Cursor = String;

    fn into_page(self) -> Page<T, String> {
        let next = if self.has_next { self.next } else { None };
        Page::new(self.data, next)
    }
}

/// A field Lever returns as an id, or as the full object when `expand` asks for it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Expandable<I, T> {
    /// Not expanded: just the id.
    Id(I),
    /// Expanded into the object.
    Object(Box<T>),
    /// Expanded, but in a shape this crate could not read; kept as sent.
    Raw(Value),
}

impl<I, T> Expandable<I, T> {
    /// The id, when not expanded.
    pub fn id(&self) -> Option<&I> {
        match self {
            Self::Id(id) => Some(id),
            _ => None,
        }
    }

    /// The expanded object, when expanded and readable.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Object(object) => Some(object),
            _ => None,
        }
    }
}

/// True when `error` says an offset token is no longer valid
/// ([`Error::InvalidCursor`]). Restart the listing without the saved token, for
/// example from an `updated_at_start` window.
pub fn is_invalid_offset(error: &Error) -> bool {
    matches!(error, Error::InvalidCursor(_))
}

/// Lever's error bodies are `{code, message}`, read by the generic parser. An expired
/// offset token comes back as a 400 whose message contains "Invalid offset token"; the
/// exact `code` is not documented, so codes mentioning an invalid offset count too.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LeverErrorParser;

impl ErrorBodyParser for LeverErrorParser {
    fn parse(&self, status: StatusCode, body: &[u8]) -> ParsedErrorBody {
        let mut parsed = GenericErrorParser.parse(status, body);
        let mentions = |text: &str| {
            let lower = text.to_ascii_lowercase();
            lower.contains("invalid offset") || lower.contains("invalidoffset")
        };
        parsed.invalid_cursor = status.is_client_error()
            && (parsed.message.as_deref().is_some_and(mentions)
                || parsed.code.as_deref().is_some_and(mentions));
        parsed
    }
}

/// A paged listing: path and query fixed, offset supplied per page.
#[derive(Debug, Clone)]
pub(crate) struct Listing {
    transport: Transport,
    path: String,
    query: Vec<(String, String)>,
}

impl Listing {
    pub(crate) fn new(transport: &Transport, path: impl Into<String>) -> Self {
        Self {
            transport: transport.clone(),
            path: path.into(),
            query: Vec::new(),
        }
    }

    pub(crate) fn query(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    /// One page, starting at `offset` (`None` for the first).
    pub(crate) fn fetch<T: DeserializeOwned>(
        &self,
        offset: Option<String>,
    ) -> impl Future<Output = Result<ListPage<T>>> + Send + 'static + use<T> {
        let this = self.clone();
        async move {
            this.transport
                .get(this.path.as_str())
                .query_pairs(this.query)
                .query_opt("offset", offset)
                .send()
                .await
        }
    }

    /// Every item, page by page, from the first page.
    pub(crate) fn items<T>(self) -> ItemStream<'static, T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let max_pages = self.transport.max_pages();
        pagination::boxed_items_capped(max_pages, None, move |offset| self.fetch::<T>(offset))
    }

    /// One page (items plus the offset token of the page after), at `offset` (`None`
    /// for the first).
    pub(crate) async fn page<T>(self, offset: Option<String>) -> Result<Page<T, String>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        Ok(self.fetch::<T>(offset).await?.into_page())
    }
}

/// A write call whose `perform_as` is optional: add `.perform_as(&user)` before
/// awaiting it, or await it directly.
#[must_use = "a call does nothing until awaited"]
pub struct Call<'a, T> {
    transport: &'a Transport,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Result<Option<Value>>,
    idempotency: Idempotency,
    decode: fn(RawResponse) -> Result<T>,
    _out: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Call<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body and query may hold personal data; show the endpoint only.
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl<'a, T> Call<'a, T> {
    pub(crate) fn new(
        transport: &'a Transport,
        method: Method,
        path: String,
        decode: fn(RawResponse) -> Result<T>,
    ) -> Self {
        Self {
            transport,
            method,
            path,
            query: Vec::new(),
            body: Ok(None),
            idempotency: Idempotency::ByMethod,
            decode,
            _out: PhantomData,
        }
    }

    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = serde_json::to_value(body).map(Some).map_err(|e| {
            Error::InvalidInput(format!("the request body cannot be serialised: {e}"))
        });
        self
    }

    pub(crate) fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Make the call fail with `error` without sending anything.
    pub(crate) fn fail(mut self, error: Error) -> Self {
        self.body = Err(error);
        self
    }

    pub(crate) fn idempotent(mut self) -> Self {
        self.idempotency = Idempotency::Guarded;
        self
    }

    /// Attribute the action to `user` (Lever's `perform_as` query parameter). Without
    /// it Lever attributes the action to the API key's or token's default (often nobody).
    pub fn perform_as(self, user: &UserId) -> Self {
        self.query("perform_as", user)
    }

    /// Send the call.
    pub async fn send(self) -> Result<T> {
        let mut request = self
            .transport
            .request(self.method, self.path)
            .query_pairs(self.query)
            .idempotency(self.idempotency);
        if let Some(body) = self.body? {
            request = request.json(&body);
        }
        (self.decode)(request.send_raw().await?)
    }
}

impl<'a, T: Send + 'a> IntoFuture for Call<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Decode `{"data": T}` and return `T`.
pub(crate) fn data<T: DeserializeOwned>(raw: RawResponse) -> Result<T> {
    Ok(raw.json::<Data<T>>()?.data)
}

/// `null` or a missing value becomes the default (Lever sends `null` for empty lists in places).
pub(crate) fn null_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A stream that yields `error` once (a listing whose filters could not be encoded).
pub(crate) fn failed<T: Send + 'static>(error: Error) -> BoxStream<'static, Result<T>> {
    Box::pin(futures::stream::once(async move { Err(error) }))
}
