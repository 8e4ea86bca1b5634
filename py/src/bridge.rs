//! Runs an engine future either blocking (sync API) or as an asyncio awaitable (`acs_chat.aio`), both on the
//! one shared runtime of [`crate::runtime`].
//!
//! The awaitable comes from pyo3-async-runtimes' generic bridge with [`SharedRuntime`] as its runtime, so
//! cancelling the asyncio future drops (and so cancels) the engine request.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};
use pyo3_async_runtimes::TaskLocals;

use crate::errors::engine_error;
use crate::runtime::{runtime, wait};

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

/// pyo3-async-runtimes' view of [`crate::runtime::runtime`].
pub struct SharedRuntime;

/// A spawned task's failure (panic or abort), for pyo3-async-runtimes.
pub struct TaskFailed(tokio::task::JoinError);

impl JoinError for TaskFailed {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

impl Runtime for SharedRuntime {
    type JoinError = TaskFailed;
    type JoinHandle = Pin<Box<dyn Future<Output = Result<(), TaskFailed>> + Send>>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match runtime() {
            Ok(rt) => {
                let handle = rt.spawn(fut);
                Box::pin(async move { handle.await.map_err(TaskFailed) })
            }
            // `run` creates the runtime before spawning, so this only happens if tokio cannot start threads;
            // the awaitable then never completes, which `run` prevents by checking first.
            Err(_) => Box::pin(std::future::pending()),
        }
    }
}

impl ContextExt for SharedRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().map(|l| Python::with_gil(|py| l.clone_ref(py))))
            .unwrap_or_default()
    }
}

/// Runs `fut`: blocking with the GIL released when `aio` is false (returns the value), otherwise returns an
/// asyncio awaitable bound to the running event loop.
///
/// # Errors
/// The mapped engine error (sync), or a `RuntimeError` when `aio` is set outside a running event loop.
pub fn run<T, F>(py: Python<'_>, aio: bool, fut: F) -> PyResult<PyObject>
where
    F: Future<Output = acs_chat::Result<T>> + Send + 'static,
    T: for<'py> IntoPyObject<'py> + Send + 'static,
{
    if !aio {
        return wait(py, fut)?.into_py_any(py);
    }
    runtime()?;
    let awaitable =
        pyo3_async_runtimes::generic::future_into_py::<SharedRuntime, _, T>(py, async move {
            fut.await
                .map_err(|e| Python::with_gil(|py| engine_error(py, &e)))
        })
        .map_err(|e| {
            PyRuntimeError::new_err(format!(
                "acs_chat.aio needs a running asyncio event loop: {e}"
            ))
        })?;
    Ok(awaitable.unbind())
}
