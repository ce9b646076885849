//! The calls every Willo collection shares (list, page, create, get, replace, update,
//! delete), written once. Resource modules wrap them in typed, documented methods.

use client_core::pagination::{Page, Paginated, pages_capped};
use client_core::{Idempotency, Result, Transport, encode_segment};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::pagination::{Cursor, ListParams, Listing};

/// A collection under the API root, such as `/participants/`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection<'a> {
    transport: &'a Transport,
    /// The collection path with leading and trailing slash (`/participants/`).
    path: &'a str,
}

impl<'a> Collection<'a> {
    pub(crate) fn new(transport: &'a Transport, path: &'a str) -> Self {
        Self { transport, path }
    }

    /// `{collection}{key}/`, the key percent-encoded so it cannot change the endpoint.
    pub(crate) fn item_path(&self, key: &str) -> String {
        format!("{}{}/", self.path, encode_segment(key))
    }

    /// `{collection}{key}/{sub}/`.
    pub(crate) fn sub_path(&self, key: &str, sub: &str) -> String {
        format!("{}{}/", self.item_path(key), sub)
    }

    /// One page: `GET {collection}` with `params`, or the saved cursor's link (which
    /// already carries the original filters).
    pub(crate) async fn page<T: DeserializeOwned>(
        &self,
        params: &ListParams,
        cursor: Option<Cursor>,
    ) -> Result<Page<T, Cursor>> {
        let envelope: Listing<T> = match cursor {
            Some(cursor) => self.transport.get_url(cursor.as_str())?.send().await?,
            None => {
                self.transport
                    .get(self.path)
                    .query_pairs(params.to_query())
                    .send()
                    .await?
            }
        };
        Ok(envelope.into_page())
    }

    /// Every page from the start (with `params`) or from a saved cursor.
    fn pages<T>(
        &self,
        params: ListParams,
        start: Option<Cursor>,
    ) -> BoxStream<'static, Result<Page<T, Cursor>>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let transport = self.transport.clone();
        let path = self.path.to_owned();
        let max_pages = transport.max_pages();
        pages_capped::<Listing<T>, _, _>(max_pages, start, move |cursor: Option<Cursor>| {
            let transport = transport.clone();
            let path = path.clone();
            let query = params.to_query();
            async move {
                match cursor {
                    // The `next` link already carries the original filters.
                    Some(cursor) => transport.get_url(cursor.as_str())?.send().await,
                    None => transport.get(path).query_pairs(query).send().await,
                }
            }
        })
        .boxed()
    }

    /// Every item of every page, one page in memory at a time.
    pub(crate) fn items<T>(&self, params: ListParams) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.pages(params, None)
            .map_ok(|page| futures::stream::iter(page.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// `POST {collection}` (not replayed after a server error).
    pub(crate) async fn create<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        body: &B,
    ) -> Result<T> {
        self.transport.post(self.path).json(body).send().await
    }

    /// `POST {collection}` with an explicit idempotency setting, tagged with a rate-limit
    /// class (see `client_core::RateLimits::class`).
    pub(crate) async fn create_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        body: &B,
        idempotency: Idempotency,
        class: &str,
    ) -> Result<T> {
        self.transport
            .post(self.path)
            .json(body)
            .idempotency(idempotency)
            .class(class)
            .send()
            .await
    }

    /// `GET {collection}{key}/`.
    pub(crate) async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T> {
        self.transport.get(self.item_path(key)).send().await
    }

    /// `GET {path}` for a sub-resource returning arbitrary JSON.
    pub(crate) async fn get_path<T: DeserializeOwned>(&self, path: String) -> Result<T> {
        self.transport.get(path).send().await
    }

    /// `PUT {collection}{key}/`: replace the whole resource.
    pub(crate) async fn replace<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        key: &str,
        body: &B,
    ) -> Result<T> {
        self.transport
            .put(self.item_path(key))
            .json(body)
            .send()
            .await
    }

    /// `PATCH {collection}{key}/`: change the given fields only.
    pub(crate) async fn update<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        key: &str,
        body: &B,
    ) -> Result<T> {
        self.transport
            .patch(self.item_path(key))
            .json(body)
            .send()
            .await
    }

    /// `DELETE {collection}{key}/` (any success status, body ignored).
    pub(crate) async fn delete(&self, key: &str) -> Result<()> {
        self.transport
            .delete(self.item_path(key))
            .send_empty()
            .await
    }
}

/// The paging verbs for a resource handle that has a `collection()` method: `list`
/// (a stream of every item) and `page` (one page and the cursor after it). `$item` is
/// the model type.
macro_rules! list_calls {
    ($item:ty, $what:literal) => {
        #[doc = concat!("Every one of the ", $what, " across all pages, fetched page by page as the stream is polled. Accepts [`crate::ListParams`] or a resource filter.")]
        pub fn list(
            &self,
            params: impl Into<$crate::ListParams>,
        ) -> client_core::pagination::ItemStream<'static, $item> {
            self.collection().items(params.into())
        }

        #[doc = concat!("One page of ", $what, ": the first (`cursor` `None`) or the one a saved [`crate::Cursor`] points at (its link carries the original filters, so `params` is then ignored). Save `page.next` once the page is handled to resume there.")]
        pub async fn page(
            &self,
            params: impl Into<$crate::ListParams>,
            cursor: Option<$crate::Cursor>,
        ) -> client_core::Result<client_core::pagination::Page<$item, $crate::Cursor>> {
            self.collection().page(&params.into(), cursor).await
        }
    };
}

/// `get(key)` for a resource handle.
macro_rules! get_call {
    ($key:ty => $item:ty, $what:literal) => {
        #[doc = concat!("`GET` one ", $what, " by key.")]
        pub async fn get(&self, key: &$key) -> client_core::Result<$item> {
            self.collection().get(key.as_str()).await
        }
    };
}

/// `create(input)` for a resource handle (never replayed after a server error).
macro_rules! create_call {
    ($input:ty => $item:ty, $what:literal) => {
        #[doc = concat!("`POST` a new ", $what, ". Not retried after a server error, since the first attempt may have succeeded.")]
        pub async fn create(&self, input: &$input) -> client_core::Result<$item> {
            self.collection().create(input).await
        }
    };
}

/// `replace(key, input)` (PUT) and `update(key, input)` (PATCH) for a resource handle.
macro_rules! write_calls {
    ($key:ty, $input:ty => $item:ty, $what:literal) => {
        #[doc = concat!("`PUT` the ", $what, ": replace it whole with `input`.")]
        pub async fn replace(&self, key: &$key, input: &$input) -> client_core::Result<$item> {
            self.collection().replace(key.as_str(), input).await
        }

        #[doc = concat!("`PATCH` the ", $what, ": change only the fields set in `input`.")]
        pub async fn update(&self, key: &$key, input: &$input) -> client_core::Result<$item> {
            self.collection().update(key.as_str(), input).await
        }
    };
}

/// `delete(key)` for a resource handle.
macro_rules! delete_call {
    ($key:ty, $what:literal) => {
        #[doc = concat!("`DELETE` the ", $what, ".")]
        pub async fn delete(&self, key: &$key) -> client_core::Result<()> {
            self.collection().delete(key.as_str()).await
        }
    };
}

/// A read-only reference list whose items are a code and a name (the languages, the
/// IDV countries): the item type `$item`, and the handle `$handle` with `list` and
/// `page` over the collection at `$path`, an expression of `$client: &WilloClient`.
macro_rules! code_name_list {
    (
        $(#[$item_doc:meta])*
        item $item:ident;
        $(#[$handle_doc:meta])*
        handle $handle:ident at |$client:ident| $path:expr;
        $what:literal
    ) => {
        $(#[$item_doc])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Deserialize, serde::Serialize)]
        #[non_exhaustive]
        pub struct $item {
            /// Its code (read from `code`, field name unconfirmed).
            #[serde(default, deserialize_with = "crate::lenient::string")]
            pub code: Option<String>,
            /// Its name (field name unconfirmed).
            #[serde(default, deserialize_with = "crate::lenient::string")]
            pub name: Option<String>,
            /// Every other field, as received.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        $(#[$handle_doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $handle<'a> {
            client: &'a crate::client::WilloClient,
        }

        impl<'a> $handle<'a> {
            pub(crate) fn new(client: &'a crate::client::WilloClient) -> Self {
                Self { client }
            }

            fn collection(&self) -> crate::resource::Collection<'a> {
                let $client = self.client;
                crate::resource::Collection::new($client.transport(), $path)
            }

            crate::resource::list_calls!($item, $what);
        }
    };
}

/// `field(name, value)` for a request body with an `extra` map: any field the type does
/// not model (Willo ignores fields it does not know, so a typo is not refused).
macro_rules! extra_field_setter {
    () => {
        /// Send any other field (`name: value`), for fields this type does not model.
        pub fn field(
            mut self,
            name: impl Into<String>,
            value: impl Into<serde_json::Value>,
        ) -> Self {
            self.extra.insert(name.into(), value.into());
            self
        }
    };
}

pub(crate) use {
    code_name_list, create_call, delete_call, extra_field_setter, get_call, list_calls, write_calls,
};
