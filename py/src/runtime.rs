//! The one tokio runtime every binding call runs on, and the blocking wait used by the sync API.
//!
//! The runtime is created lazily per process: after `os.fork()` the child gets a fresh one (the parent's
//! worker threads do not exist there), while clients made before the fork are refused with a clear error
//! (their connections belong to the parent's reactor, so using them would hang).

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::errors::engine_error;

/// How often a blocking call on the main thread looks for pending signals (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(100);

static RUNTIME: Mutex<Option<(u32, Arc<tokio::runtime::Runtime>)>> = Mutex::new(None);
static MAIN_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Remembers the importing thread as the one Python delivers signals to.
pub fn record_main_thread() {
    let _ = MAIN_THREAD.set(std::thread::current().id());
}

/// The runtime of this process, created on first use.
///
/// # Errors
/// `RuntimeError` if tokio cannot start its threads.
pub fn runtime() -> PyResult<Arc<tokio::runtime::Runtime>> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((owner, rt)) = slot.as_ref() {
        if *owner == pid {
            return Ok(rt.clone());
        }
    }
    if let Some((_, inherited)) = slot.take() {
        // Dropping it would try to join worker threads that were not copied by fork().
        std::mem::forget(inherited);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("acs-chat-py")
        .enable_all()
        .build()
        .map_err(|e| {
            PyRuntimeError::new_err(format!("acs_chat: cannot start the I/O runtime: {e}"))
        })?;
    let rt = Arc::new(rt);
    *slot = Some((pid, rt.clone()));
    Ok(rt)
}

/// The process an object was created in, to refuse use after `fork()`.
#[derive(Debug, Clone, Copy)]
pub struct ProcessGuard(u32);

impl ProcessGuard {
    /// A guard for the current process.
    pub fn new() -> Self {
        ProcessGuard(std::process::id())
    }

    /// # Errors
    /// `RuntimeError` when called in a forked child.
    pub fn check(&self) -> PyResult<()> {
        if self.0 == std::process::id() {
            Ok(())
        } else {
            Err(PyRuntimeError::new_err(
                "acs_chat: this client was created before os.fork(); create a new client in the child process",
            ))
        }
    }
}

enum Outcome<T> {
    Done(acs_chat::Result<T>),
    Interrupted(PyErr),
}

/// Runs `fut` to completion with the GIL released and maps its error.
///
/// On the main thread the wait wakes every 100 ms to run Python's signal handlers, so Ctrl-C
/// (`KeyboardInterrupt`) abandons the request (dropping the future cancels it).
///
/// # Errors
/// The mapped engine error, or whatever a signal handler raised.
pub fn wait<T, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    T: Send,
    F: Future<Output = acs_chat::Result<T>> + Send,
{
    let rt = runtime()?;
    let on_main = MAIN_THREAD.get() == Some(&std::thread::current().id());
    let outcome = py.allow_threads(|| {
        rt.block_on(async {
            if !on_main {
                return Outcome::Done(fut.await);
            }
            tokio::pin!(fut);
            loop {
                tokio::select! {
                    result = &mut fut => return Outcome::Done(result),
                    _ = tokio::time::sleep(SIGNAL_POLL) => {
                        if let Err(e) = Python::with_gil(|py| py.check_signals()) {
                            return Outcome::Interrupted(e);
                        }
                    }
                }
            }
        })
    });
    match outcome {
        Outcome::Done(result) => result.map_err(|e| engine_error(py, &e)),
        Outcome::Interrupted(e) => Err(e),
    }
}
