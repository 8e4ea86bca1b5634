//! Paged list results: page by page with continuation tokens, or as a stream of items.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use futures_core::Stream;
use http::Method;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::models::responses::Collection;
use crate::pipeline::{url, Pipeline, Request};

/// The largest page size the service accepts.
pub const MAX_PAGE_SIZE: u32 = 200;

/// A stream of list items that owns its client state (`Send + 'static`), so it can be stored or moved
/// across threads. It ends after the last page, or after yielding the first error.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send + 'static>>;

/// One page of a list operation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in service order (possibly empty even when more pages follow).
    pub items: Vec<T>,
    /// The service's `nextLink` for the following page; `None` on the last page. Pass it to
    /// [`Pager::resume_from`] (possibly in another process) to continue from there.
    pub continuation_token: Option<String>,
}

/// Fetches a list operation's pages lazily: nothing is sent until [`next_page`](Pager::next_page) or the
/// stream is polled.
///
/// The first request carries the list options; later requests follow the service's `nextLink` as given,
/// with the client's `api-version`. A failed page can be retried by calling `next_page` again.
///
/// ```no_run
/// # async fn demo(thread: acs_chat::ChatThreadClient, saved: Option<String>) -> acs_chat::Result<()> {
/// use acs_chat::operation_options::ListMessagesOptions;
/// let mut pager = thread.list_messages(ListMessagesOptions::default().results_per_page(100))?;
/// if let Some(token) = saved {
///     // Continue where an earlier run stopped.
///     pager = pager.resume_from(&token)?;
/// }
/// while let Some(page) = pager.next_page().await? {
///     println!("{} messages", page.items.len());
///     if let Some(token) = &page.continuation_token {
///         println!("resume later from {token}");
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Pager<T> {
    pipeline: Arc<Pipeline>,
    operation: &'static str,
    state: State,
    _item: PhantomData<fn() -> T>,
}

enum State {
    Next(::url::Url),
    Done,
}

impl<T> fmt::Debug for Pager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pager")
            .field("operation", &self.operation)
            .field(
                "next",
                &match &self.state {
                    State::Next(u) => Some(u.as_str()),
                    State::Done => None,
                },
            )
            .finish()
    }
}

/// Checks `results_per_page` before any request is made.
pub(crate) fn check_page_size(results_per_page: Option<u32>) -> Result<()> {
    match results_per_page {
        Some(n) if !(1..=MAX_PAGE_SIZE).contains(&n) => Err(Error::invalid_input(format!(
            "results_per_page must be between 1 and {MAX_PAGE_SIZE}, got {n}"
        ))),
        _ => Ok(()),
    }
}

impl<T> Pager<T>
where
    T: DeserializeOwned + Send + 'static,
{
    pub(crate) fn new(pipeline: Arc<Pipeline>, operation: &'static str, first: ::url::Url) -> Self {
        Pager {
            pipeline,
            operation,
            state: State::Next(first),
            _item: PhantomData,
        }
    }

    /// Continues from a continuation token (a `nextLink`) instead of the first page.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) if the token is not a URL, or uses plain
    /// `http` for a non-loopback host.
    pub fn resume_from(mut self, continuation_token: &str) -> Result<Self> {
        let url = url::next_link(
            &self.pipeline.endpoint,
            continuation_token,
            &self.pipeline.options.api_version,
        )?;
        self.state = State::Next(url);
        Ok(self)
    }

    /// Fetches the next page; `Ok(None)` once the last page was returned.
    ///
    /// # Errors
    /// Any request error; the pager stays on the same page, so calling again retries it.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>> {
        let url = match &self.state {
            State::Next(url) => url.clone(),
            State::Done => return Ok(None),
        };
        let response = self
            .pipeline
            .send(Request::new(self.operation, Method::GET, url, &[200]))
            .await?;
        let page: Collection<T> = response.json(self.operation)?;
        let continuation_token = page.next_link.filter(|l| !l.is_empty());
        self.state = match &continuation_token {
            Some(link) => State::Next(url::next_link(
                &self.pipeline.endpoint,
                link,
                &self.pipeline.options.api_version,
            )?),
            None => State::Done,
        };
        Ok(Some(Page {
            items: page.value,
            continuation_token,
        }))
    }

    /// Turns the pager into a stream of items across all remaining pages.
    pub fn into_stream(self) -> ItemStream<T> {
        let stream = futures_util::stream::unfold(
            (self, VecDeque::new(), false),
            |(mut pager, mut buffer, failed)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Some((Ok(item), (pager, buffer, failed)));
                    }
                    if failed {
                        return None;
                    }
                    match pager.next_page().await {
                        Ok(Some(page)) => buffer.extend(page.items),
                        Ok(None) => return None,
                        Err(e) => return Some((Err(e), (pager, buffer, true))),
                    }
                }
            },
        );
        Box::pin(stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_bounds() {
        assert!(check_page_size(None).is_ok());
        assert!(check_page_size(Some(1)).is_ok());
        assert!(check_page_size(Some(200)).is_ok());
        assert!(check_page_size(Some(0)).is_err());
        assert!(check_page_size(Some(201)).is_err());
    }
}
