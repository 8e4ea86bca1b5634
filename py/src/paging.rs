//! `_Pager`: one listing, fetched page by page, items handed to Python as JSON text.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::bridge::run;
use crate::runtime::ProcessGuard;

/// One fetched page: the items as a JSON array (wire form) and the continuation token of the next page.
pub type JsonPage = (String, Option<String>);

/// A pager with its item type erased, so one Python class serves every listing.
pub trait ErasedPager: Send {
    /// Fetches the next page; `None` after the last one.
    fn next_json_page(&mut self) -> BoxFuture<'_, acs_chat::Result<Option<JsonPage>>>;
}

impl<T> ErasedPager for acs_chat::Pager<T>
where
    T: DeserializeOwned + Serialize + Send + 'static,
{
    fn next_json_page(&mut self) -> BoxFuture<'_, acs_chat::Result<Option<JsonPage>>> {
        Box::pin(async move {
            let Some(page) = self.next_page().await? else {
                return Ok(None);
            };
            let json = serde_json::to_string(&page.items).map_err(|e| {
                acs_chat::Error::new(
                    acs_chat::ErrorKind::Decode,
                    format!("could not re-encode a page for Python: {e}"),
                )
            })?;
            Ok(Some((json, page.continuation_token)))
        })
    }
}

/// Builds a pager, resuming from `continuation_token` when given.
pub fn make_pager<T>(
    pager: acs_chat::Result<acs_chat::Pager<T>>,
    continuation_token: Option<&str>,
    py: Python<'_>,
) -> PyResult<PyPager>
where
    T: DeserializeOwned + Serialize + Send + 'static,
{
    let resumed = pager.and_then(|p| match continuation_token {
        Some(token) => p.resume_from(token),
        None => Ok(p),
    });
    match resumed {
        Ok(p) => Ok(PyPager {
            inner: Arc::new(Mutex::new(Box::new(p))),
            guard: ProcessGuard::new(),
        }),
        Err(e) => Err(crate::errors::engine_error(py, &e)),
    }
}

/// A lazy listing. `next_page()` resolves to `(items_json, continuation_token)` or None at the end. Thread-safe
/// (calls are serialised); the GIL is released while a page is fetched.
#[pyclass(module = "acs_chat._acs_chat", name = "_Pager", frozen)]
pub struct PyPager {
    inner: Arc<Mutex<Box<dyn ErasedPager>>>,
    guard: ProcessGuard,
}

#[pymethods]
impl PyPager {
    /// `aio`: false blocks (GIL released); true returns an asyncio awaitable.
    #[pyo3(signature = (aio=false))]
    fn next_page(&self, py: Python<'_>, aio: bool) -> PyResult<PyObject> {
        self.guard.check()?;
        let inner = self.inner.clone();
        run(
            py,
            aio,
            async move { inner.lock().await.next_json_page().await },
        )
    }
}
