//! One API call being put together: method, target, query, body, endpoint class,
//! idempotency. Finished with one of the `send*` methods, which run it through the
//! transport's auth, limits and retries.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::retry::Idempotency;
use crate::transport::{RawResponse, Transport};

/// A request body, kept as bytes so every retry sends exactly the same thing.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded`.
    Form(Bytes),
    /// Any other content type.
    Raw {
        content_type: HeaderValue,
        bytes: Bytes,
    },
    /// `multipart/form-data`, rebuilt for every attempt.
    Multipart(Vec<MultipartPart>),
}

/// One part of a `multipart/form-data` upload.
#[derive(Debug, Clone)]
pub struct MultipartPart {
    /// Form field name.
    pub field: String,
    /// File name reported to the server, if a file.
    pub file_name: Option<String>,
    /// Content type of the part, if known.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub bytes: Bytes,
}

/// Where a request goes: a path under the base URL or (for pagination links) an
/// absolute URL on the same host.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Path(String),
    Absolute(Url),
}

/// A request under construction. Obtain one from [`Transport::request`] (or `get`,
/// `post`, …), then call a `send*` method.
#[must_use = "a request does nothing until sent"]
#[derive(Debug)]
pub struct RequestBuilder<'t> {
    pub(crate) transport: &'t Transport,
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Result<Option<Body>>,
    pub(crate) headers: HeaderMap,
    pub(crate) class: Option<String>,
    pub(crate) idempotency: Idempotency,
}

impl<'t> RequestBuilder<'t> {
    pub(crate) fn new(transport: &'t Transport, method: Method, target: Target) -> Self {
        Self {
            transport,
            method,
            target,
            query: Vec::new(),
            body: Ok(None),
            headers: HeaderMap::new(),
            class: None,
            idempotency: Idempotency::ByMethod,
        }
    }

    /// Add a query parameter. Repeating a key sends it several times (`?tag=a&tag=b`).
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Add a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Add many query parameters.
    pub fn query_pairs<K: Into<String>, V: ToString>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.query
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.to_string())));
        self
    }

    /// Send `body` as JSON.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = serde_json::to_vec(body)
            .map(|bytes| Some(Body::Json(bytes.into())))
            .map_err(|e| {
                Error::InvalidInput(format!("the request body cannot be serialised: {e}"))
            });
        self
    }

    /// Send `pairs` as an URL-encoded form.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut encoder = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            encoder.append_pair(k.as_ref(), v.as_ref());
        }
        self.body = Ok(Some(Body::Form(encoder.finish().into_bytes().into())));
        self
    }

    /// Send raw bytes with the given content type.
    pub fn bytes(mut self, content_type: &str, bytes: impl Into<Bytes>) -> Self {
        self.body = HeaderValue::from_str(content_type)
            .map(|content_type| {
                Some(Body::Raw {
                    content_type,
                    bytes: bytes.into(),
                })
            })
            .map_err(|_| {
                Error::InvalidInput(format!("`{content_type}` is not a valid content type"))
            });
        self
    }

    /// Send a `multipart/form-data` body.
    pub fn multipart(mut self, parts: Vec<MultipartPart>) -> Self {
        self.body = Ok(Some(Body::Multipart(parts)));
        self
    }

    /// Add a header to this request.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Tag the request with an endpoint class, so the class's extra rate limits apply
    /// (see [`crate::RateLimits::class`]).
    pub fn class(mut self, class: impl Into<String>) -> Self {
        self.class = Some(class.into());
        self
    }

    /// Say whether the request may be repeated (default: by method).
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Send and decode the JSON answer into `T`.
    pub async fn send<T: DeserializeOwned>(self) -> Result<T> {
        self.send_raw().await?.json()
    }

    /// Send and decode the JSON answer into a [`Value`] (`Null` for an empty body).
    pub async fn send_value(self) -> Result<Value> {
        let response = self.send_raw().await?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        response.json()
    }

    /// Send and ignore the answer's body.
    pub async fn send_empty(self) -> Result<()> {
        self.send_raw().await.map(drop)
    }

    /// Send and return status, headers and body as received.
    pub async fn send_raw(self) -> Result<RawResponse> {
        let transport = self.transport;
        transport.execute(self).await
    }
}

impl Body {
    pub(crate) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Body::Json(bytes) => request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes.clone()),
            Body::Form(bytes) => request
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(bytes.clone()),
            Body::Raw {
                content_type,
                bytes,
            } => request
                .header(CONTENT_TYPE, content_type.clone())
                .body(bytes.clone()),
            Body::Multipart(parts) => {
                let mut form = reqwest::multipart::Form::new();
                for part in parts {
                    let mut piece = reqwest::multipart::Part::stream(part.bytes.clone());
                    if let Some(name) = &part.file_name {
                        piece = piece.file_name(name.clone());
                    }
                    if let Some(mime) = &part.content_type {
                        // An unparsable MIME type falls back to the part without one.
                        piece = match piece.mime_str(mime) {
                            Ok(p) => p,
                            Err(_) => reqwest::multipart::Part::stream(part.bytes.clone()),
                        };
                    }
                    form = form.part(part.field.clone(), piece);
                }
                request.multipart(form)
            }
        }
    }
}

/// What [`encode_segment`] returns for an id that cannot be a path segment. `%` is
/// always escaped in a segment (`%25`), so `%%` never comes out of encoding an id, and no
/// endpoint path holds it; the transport refuses a path that contains this before
/// sending ([`Error::InvalidPathSegment`]).
pub(crate) const UNUSABLE_SEGMENT: &str = "%%unusable-id%%";

/// Percent-encode one path segment (an id taken from user input), so `a/b` or `?`
/// can never change which endpoint is called.
///
/// An empty id, `.` or `..` would drop the id's slot or walk up the path
/// (`/candidates/..` is `/`): for those this returns a marker the transport refuses with
/// [`Error::InvalidPathSegment`] before anything is sent, so building a path stays
/// infallible at every call site.
pub fn encode_segment(segment: &str) -> String {
    if matches!(segment, "" | "." | "..") {
        return UNUSABLE_SEGMENT.to_owned();
    }
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape_their_slot() {
        assert_eq!(encode_segment("abc-DEF_1.2~"), "abc-DEF_1.2~");
        assert_eq!(encode_segment("../admin?x=1"), "..%2Fadmin%3Fx%3D1");
        assert_eq!(encode_segment("a b"), "a%20b");
        assert_eq!(encode_segment(".a."), ".a.");
        for unusable in ["", ".", ".."] {
            assert_eq!(encode_segment(unusable), UNUSABLE_SEGMENT);
        }
    }
}
