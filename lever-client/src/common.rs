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
/// `next` is absent on the last page. A `data` that is one object instead of a list (as
/// Lever documents `GET /archive_reasons?type=hired`) is read as a list of that one item.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct ListPage<T> {
    /// The records on this page.
    #[serde(deserialize_with = "one_or_many")]
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

/// What a [`Call`] sends.
enum Body {
    Json(Value),
    Multipart(Vec<client_core::MultipartPart>),
}

/// A write call whose `perform_as` is optional: add `.perform_as(&user)` before
/// awaiting it, or await it directly.
#[must_use = "a call does nothing until awaited"]
pub struct Call<'a, T> {
    transport: &'a Transport,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Result<Option<Body>>,
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
        self.body = serde_json::to_value(body)
            .map(|json| Some(Body::Json(json)))
            .map_err(|e| {
                Error::InvalidInput(format!("the request body cannot be serialised: {e}"))
            });
        self
    }

    pub(crate) fn multipart(mut self, parts: Vec<client_core::MultipartPart>) -> Self {
        self.body = Ok(Some(Body::Multipart(parts)));
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

    /// A create: never repeated after a server error (a repeat could create twice).
    pub(crate) fn not_repeatable(mut self) -> Self {
        self.idempotency = Idempotency::NotRepeatable;
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
        match self.body? {
            Some(Body::Json(json)) => request = request.json(&json),
            Some(Body::Multipart(parts)) => request = request.multipart(parts),
            None => {}
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

/// A list, or one object standing for a list of one (some documented answers, such as
/// `GET /archive_reasons?type=hired`, put a single object where a list belongs).
pub(crate) fn one_or_many<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    // A visitor rather than an untagged enum, so a bad item still reports its own
    // error (and path) instead of "matched no variant".
    struct OneOrMany<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list or a single object")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            seq: A,
        ) -> std::result::Result<Vec<T>, A::Error> {
            Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            map: A,
        ) -> std::result::Result<Vec<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|one| vec![one])
        }
    }

    d.deserialize_any(OneOrMany(PhantomData))
}

/// A stream that yields `error` once (a listing whose filters could not be encoded).
pub(crate) fn failed<T: Send + 'static>(error: Error) -> BoxStream<'static, Result<T>> {
    Box::pin(futures::stream::once(async move { Err(error) }))
}

/// The calls every resource nested under one opportunity shares
/// (`/opportunities/:opportunity/<resource>`): list, page, get, and the item paths.
#[derive(Debug, Clone)]
pub(crate) struct Nested<'a> {
    pub(crate) client: &'a crate::LeverClient,
    pub(crate) base: String,
}

impl<'a> Nested<'a> {
    pub(crate) fn new(
        client: &'a crate::LeverClient,
        opportunity: &crate::ids::OpportunityId,
        resource: &str,
    ) -> Self {
        Self {
            client,
            base: format!(
                "/opportunities/{}/{resource}",
                client_core::encode_segment(opportunity.as_str())
            ),
        }
    }

    pub(crate) fn transport(&self) -> &'a Transport {
        self.client.transport()
    }

    /// The path of one item (its id percent-encoded).
    pub(crate) fn item(&self, id: &str) -> String {
        format!("{}/{}", self.base, client_core::encode_segment(id))
    }

    pub(crate) fn listing(&self) -> Listing {
        Listing::new(self.transport(), self.base.clone())
    }

    /// `GET <base>/<id>`, `{"data": T}`.
    pub(crate) async fn get<T: DeserializeOwned>(&self, id: &str) -> Result<T> {
        data(self.transport().get(self.item(id)).send_raw().await?)
    }

    /// A write Lever requires `perform_as` on, with an optional JSON body. A `POST`
    /// creates, so it is never repeated after a server error; `PUT` and `DELETE` are.
    pub(crate) async fn write_as<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: String,
        perform_as: &crate::ids::PerformAs,
        body: Option<&B>,
    ) -> Result<RawResponse> {
        let idempotency = if method == Method::POST {
            Idempotency::NotRepeatable
        } else {
            Idempotency::ByMethod
        };
        let mut request = self
            .transport()
            .request(method, path)
            .query("perform_as", &perform_as.0)
            .idempotency(idempotency);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send_raw().await
    }
}

/// For calls whose answer carries nothing to read (deletes: `204`).
pub(crate) fn nothing(_: RawResponse) -> Result<()> {
    Ok(())
}

/// A downloaded file: its bytes as Lever sent them, with the type and name the
/// response declared.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Download {
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// The file name from `Content-Disposition`, when sent.
    pub file_name: Option<String>,
    /// The file.
    pub bytes: bytes::Bytes,
}

impl Download {
    pub(crate) fn from_response(raw: RawResponse) -> Self {
        let file_name = raw
            .header("content-disposition")
            .and_then(disposition_file_name);
        Self {
            content_type: raw.header("content-type").map(str::to_owned),
            file_name,
            bytes: raw.body,
        }
    }
}

/// `attachment; filename="resume.pdf"` → `resume.pdf` (the plain `filename` form;
/// Lever's encoding of non-ASCII names is not documented).
fn disposition_file_name(header: &str) -> Option<String> {
    header.split(';').find_map(|part| {
        let value = part.trim().strip_prefix("filename=")?;
        Some(value.trim_matches('"').to_owned())
    })
}

/// `GET path` for a file (any content type), with `query`.
pub(crate) async fn download(
    transport: &Transport,
    path: String,
    query: Vec<(String, String)>,
) -> Result<Download> {
    let raw = transport
        .get(path)
        .query_pairs(query)
        .header(
            client_core::header::ACCEPT,
            client_core::header::HeaderValue::from_static("*/*"),
        )
        .send_raw()
        .await?;
    Ok(Download::from_response(raw))
}
