//! Pagination as a stream: any vendor envelope that can say "these items, and this is
//! how to get the next page" becomes a `Stream` of items fetched page by page, holding
//! one page in memory at a time, resumable from a saved cursor.
//!
//! ```
//! use client_core::pagination::{Page, Paginated, items};
//! use futures::TryStreamExt;
//!
//! // A vendor envelope: `{"data": [...], "next": "token"}`.
//! struct Envelope { data: Vec<u32>, next: Option<String> }
//!
//! impl Paginated for Envelope {
//!     type Item = u32;
//!     type Cursor = String;
//!     fn into_page(self) -> Page<u32, String> {
//!         Page::new(self.data, self.next)
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let all: Vec<u32> = items(None, |cursor: Option<String>| async move {
//!     // A real client sends a request here, with `cursor` when it is `Some`.
//!     Ok(match cursor.as_deref() {
//!         None => Envelope { data: vec![1, 2], next: Some("p2".into()) },
//!         Some(_) => Envelope { data: vec![3], next: None },
//!     })
//! })
//! .try_collect()
//! .await?;
//! assert_eq!(all, [1, 2, 3]);
//! # Ok::<_, client_core::Error>(()) }).unwrap();
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

use crate::error::{Error, Result};

/// One page: its items and the cursor of the page after it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T, C> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The cursor for the next page; `None` on the last page. Save it after handling
    /// `items` to resume from the next page later.
    pub next: Option<C>,
    /// The total across all pages, when the vendor reports it.
    pub total: Option<u64>,
}

impl<T, C> Page<T, C> {
    /// A page without a total.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Self {
            items,
            next,
            total: None,
        }
    }

    /// Set the total across all pages.
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total = total;
        self
    }
}

/// A vendor's list envelope (DRF `{count, next, results}`, SmartRecruiters
/// `{content, nextPageId}`, Lever `{data, hasNext, next}`…).
pub trait Paginated {
    /// The item type.
    type Item;
    /// What identifies the next page (a URL, a page id, an offset token).
    type Cursor;
    /// Split the envelope into items and the next cursor.
    fn into_page(self) -> Page<Self::Item, Self::Cursor>;
}

/// A boxed stream of items, as every client's `list` returns it (one page at a time is
/// fetched as it is polled; `page(filter, cursor)` returns one [`Page`] instead).
pub type ItemStream<'a, T> = BoxStream<'a, Result<T>>;

/// How many pages one listing may follow unless told otherwise: far more than any real
/// listing of the family's vendors needs, few enough that a misbehaving API cannot keep a
/// caller paging for ever.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// Pages, fetched one at a time as the stream is polled. `start` is `None` for the
/// first page or a cursor saved from [`Page::next`] to resume there. `fetch` is called
/// with `None` for the first page and with each page's cursor after that.
///
/// At most [`DEFAULT_MAX_PAGES`] pages are followed ([`pages_capped`] sets another cap),
/// and a cursor seen before in the same listing (`A → B → A`) stops the stream with
/// [`Error::PaginationLoop`] instead of going round for ever.
pub fn pages<E, F, Fut>(
    start: Option<E::Cursor>,
    fetch: F,
) -> impl Stream<Item = Result<Page<E::Item, E::Cursor>>>
where
    E: Paginated,
    E::Cursor: Clone + Eq + Hash,
    F: FnMut(Option<E::Cursor>) -> Fut,
    Fut: Future<Output = Result<E>>,
{
    pages_capped(DEFAULT_MAX_PAGES, start, fetch)
}

/// [`pages`], following at most `max_pages` pages; the page after the last allowed one
/// ends the stream with [`Error::TooManyPages`].
pub fn pages_capped<E, F, Fut>(
    max_pages: usize,
    start: Option<E::Cursor>,
    fetch: F,
) -> impl Stream<Item = Result<Page<E::Item, E::Cursor>>>
where
    E: Paginated,
    E::Cursor: Clone + Eq + Hash,
    F: FnMut(Option<E::Cursor>) -> Fut,
    Fut: Future<Output = Result<E>>,
{
    let walk = Walk {
        fetched: 0,
        // A resumed listing must not come back to where it started either.
        seen: start.iter().cloned().collect(),
    };
    stream::try_unfold(
        (fetch, walk, Next::Fetch(start)),
        move |(mut fetch, mut walk, next)| async move {
            let cursor = match next {
                Next::Fetch(cursor) => cursor,
                Next::Done => return Ok(None),
                Next::Repeated => {
                    return Err(Error::PaginationLoop { page: walk.fetched });
                }
            };
            if walk.fetched == max_pages {
                return Err(Error::TooManyPages { max_pages });
            }
            walk.fetched += 1;
            let page = fetch(cursor).await?.into_page();
            // The page itself is new: hand it over, and stop before following a cursor
            // this listing has already followed.
            let next = match &page.next {
                None => Next::Done,
                Some(next) if walk.seen.insert(next.clone()) => Next::Fetch(Some(next.clone())),
                Some(_) => Next::Repeated,
            };
            Ok(Some((page, (fetch, walk, next))))
        },
    )
}

/// What a listing does after a page.
enum Next<C> {
    /// Fetch this page (`None`: the first).
    Fetch(Option<C>),
    /// The last page was handed over.
    Done,
    /// The last page pointed at a cursor already followed.
    Repeated,
}

/// Where a listing has been: how many pages it fetched and every cursor it was handed.
struct Walk<C> {
    fetched: usize,
    seen: HashSet<C>,
}

/// The items of every page, in order, one page in memory at a time.
pub fn items<E, F, Fut>(start: Option<E::Cursor>, fetch: F) -> impl Stream<Item = Result<E::Item>>
where
    E: Paginated,
    E::Cursor: Clone + Eq + Hash,
    F: FnMut(Option<E::Cursor>) -> Fut,
    Fut: Future<Output = Result<E>>,
{
    items_capped(DEFAULT_MAX_PAGES, start, fetch)
}

/// [`items`], following at most `max_pages` pages ([`pages_capped`]).
pub fn items_capped<E, F, Fut>(
    max_pages: usize,
    start: Option<E::Cursor>,
    fetch: F,
) -> impl Stream<Item = Result<E::Item>>
where
    E: Paginated,
    E::Cursor: Clone + Eq + Hash,
    F: FnMut(Option<E::Cursor>) -> Fut,
    Fut: Future<Output = Result<E>>,
{
    pages_capped(max_pages, start, fetch)
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}

/// [`items`], boxed (for `Send` fetchers).
pub fn boxed_items<'a, E, F, Fut>(start: Option<E::Cursor>, fetch: F) -> ItemStream<'a, E::Item>
where
    E: Paginated + Send + 'a,
    E::Item: Send + 'a,
    E::Cursor: Clone + Eq + Hash + Send + 'a,
    F: FnMut(Option<E::Cursor>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<E>> + Send + 'a,
{
    items(start, fetch).boxed()
}

/// [`items_capped`], boxed (for `Send` fetchers).
pub fn boxed_items_capped<'a, E, F, Fut>(
    max_pages: usize,
    start: Option<E::Cursor>,
    fetch: F,
) -> ItemStream<'a, E::Item>
where
    E: Paginated + Send + 'a,
    E::Item: Send + 'a,
    E::Cursor: Clone + Eq + Hash + Send + 'a,
    F: FnMut(Option<E::Cursor>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<E>> + Send + 'a,
{
    items_capped(max_pages, start, fetch).boxed()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::TryStreamExt;

    use super::*;

    struct Numbers {
        items: Vec<u32>,
        next: Option<u32>,
    }

    impl Paginated for Numbers {
        type Item = u32;
        type Cursor = u32;
        fn into_page(self) -> Page<u32, u32> {
            Page::new(self.items, self.next)
        }
    }

    fn three_pages(
        calls: Arc<AtomicUsize>,
    ) -> impl FnMut(Option<u32>) -> std::future::Ready<Result<Numbers>> {
        move |cursor| {
            calls.fetch_add(1, Ordering::SeqCst);
            let page = cursor.unwrap_or(0);
            std::future::ready(Ok(Numbers {
                items: vec![page * 10, page * 10 + 1],
                next: (page < 2).then_some(page + 1),
            }))
        }
    }

    #[tokio::test]
    async fn streams_all_pages_lazily_and_resumes() {
        let calls = Arc::new(AtomicUsize::new(0));
        let mut stream = Box::pin(items(None, three_pages(calls.clone())));
        assert_eq!(stream.try_next().await.unwrap(), Some(0));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "only the first page is fetched"
        );
        let rest: Vec<u32> = stream.try_collect().await.unwrap();
        assert_eq!(rest, [1, 10, 11, 20, 21]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let resumed: Vec<u32> = items(Some(2), three_pages(Arc::new(AtomicUsize::new(0))))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(resumed, [20, 21]);
    }

    #[tokio::test]
    async fn a_repeated_cursor_stops_with_an_error() {
        let stuck = |_cursor: Option<u32>| {
            std::future::ready(Ok(Numbers {
                items: vec![1],
                next: Some(5),
            }))
        };
        let result: Result<Vec<u32>> = items(None, stuck).try_collect().await;
        assert!(
            matches!(result, Err(Error::PaginationLoop { page: 2 })),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn a_cycle_of_cursors_stops_with_an_error() {
        // 0 → 1 → 2 → 1: the API hands out page 1's cursor again.
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let cycling = move |cursor: Option<u32>| {
            counted.fetch_add(1, Ordering::SeqCst);
            let page = cursor.unwrap_or(0);
            std::future::ready(Ok(Numbers {
                items: vec![page],
                next: Some(if page == 2 { 1 } else { page + 1 }),
            }))
        };
        let collected: Vec<Result<u32>> = items(None, cycling).collect().await;
        assert_eq!(collected.len(), 4, "{collected:?}");
        assert_eq!(
            collected[2].as_ref().ok(),
            Some(&2),
            "page 2 is handed over"
        );
        assert!(matches!(
            collected[3],
            Err(Error::PaginationLoop { page: 3 })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        // A resumed listing that is sent back to its start cursor stops too.
        let back_to_start = |_cursor: Option<u32>| {
            std::future::ready(Ok(Numbers {
                items: vec![7],
                next: Some(7),
            }))
        };
        let resumed: Result<Vec<u32>> = items(Some(7), back_to_start).try_collect().await;
        assert!(matches!(resumed, Err(Error::PaginationLoop { page: 1 })));
    }

    #[tokio::test]
    async fn a_listing_follows_at_most_the_page_cap() {
        let calls = Arc::new(AtomicUsize::new(0));
        let endless = {
            let calls = calls.clone();
            move |cursor: Option<u32>| {
                calls.fetch_add(1, Ordering::SeqCst);
                let page = cursor.unwrap_or(0);
                std::future::ready(Ok(Numbers {
                    items: vec![page],
                    next: Some(page + 1),
                }))
            }
        };
        let collected: Vec<Result<u32>> = items_capped(3, None, endless).collect().await;
        assert_eq!(collected.len(), 4);
        assert!(matches!(
            collected[3],
            Err(Error::TooManyPages { max_pages: 3 })
        ));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "the fourth page is never fetched"
        );

        // Exactly `max_pages` pages end normally.
        let all: Vec<u32> = items_capped(3, None, three_pages(Arc::new(AtomicUsize::new(0))))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all, [0, 1, 10, 11, 20, 21]);
    }

    #[tokio::test]
    async fn errors_end_the_stream() {
        let failing = |cursor: Option<u32>| {
            std::future::ready(match cursor {
                None => Ok(Numbers {
                    items: vec![1],
                    next: Some(1),
                }),
                Some(_) => Err(Error::InvalidInput("boom".into())),
            })
        };
        let collected: Vec<Result<u32>> = items(None, failing).collect().await;
        assert_eq!(collected.len(), 2);
        assert!(collected[1].is_err());
    }
}
