//! The async call machinery: completion callbacks, cancellation handles, and the one generic starter every
//! `_async` export goes through.
//!
//! A started call is two tasks on the engine's shared runtime (`acs_chat::blocking::runtime()`): the work
//! (the engine future, which owns clones of everything it needs, so freeing the C handles cannot affect it)
//! and a supervisor that waits for the work or a cancellation request, whichever comes first, and then
//! fires the C callback exactly once. Running the work as its own task lets the supervisor turn a panic in
//! the engine into `ACS_CHAT_RESULT_PANIC` instead of losing the callback.

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::boundary::{guard, FfiResult};
use crate::error::acs_chat_error;
use crate::models::{
    acs_chat_access_token, acs_chat_identifier, acs_chat_message, acs_chat_participant,
    acs_chat_participant_failures, acs_chat_read_receipt, acs_chat_thread, acs_chat_thread_item,
};
use crate::result::acs_chat_result;
use crate::strings::into_c_string;

/// Settings of one async call. Fill with `acs_chat_call_options_init`; pass NULL for the defaults.
#[repr(C)]
pub struct acs_chat_call_options {
    /// Deadline for the whole call in milliseconds, retries and token refresh included; 0 means none (the
    /// client's own timeouts still apply). When it passes first, the callback fires with
    /// `ACS_CHAT_RESULT_TIMEOUT`; as with cancellation, a request already on the wire may still take effect.
    pub timeout_ms: u32,
}

/// Fills `options` with the defaults (no deadline). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_call_options_init(options: *mut acs_chat_call_options) {
    crate::boundary::accessor((), || {
        if !options.is_null() {
            unsafe { options.write(acs_chat_call_options { timeout_ms: 0 }) };
        }
    })
}

/// The deadline of a call, from its C options (NULL = none).
fn deadline_of(options: *const acs_chat_call_options) -> Option<Duration> {
    unsafe { options.as_ref() }
        .filter(|o| o.timeout_ms != 0)
        .map(|o| Duration::from_millis(u64::from(o.timeout_ms)))
}

/// A cancellation handle for one async call. Owned by the caller; free with `acs_chat_cancel_free`.
/// Requesting cancellation and freeing are independent: the handle may be freed before or after the call
/// completes, and freeing it never cancels the call. Safe to use from several threads at once (but free it
/// only once, after every other use).
pub struct acs_chat_cancel {
    signal: Arc<Notify>,
}

/// Asks the call behind `cancel` to stop. If the call has not completed yet, its callback fires with
/// `ACS_CHAT_RESULT_CANCELLED`; if it already completed (or is completing at that moment), its callback
/// reports the real outcome instead. Either way the callback fires exactly once. A request that was already
/// on the wire may still take effect at the service (a cancelled send may have been delivered). Calling this
/// more than once, or after completion, is harmless. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_cancel_request(cancel: *const acs_chat_cancel) {
    crate::boundary::accessor((), || {
        if let Some(c) = unsafe { cancel.as_ref() } {
            // `notify_one` stores a permit when nobody waits yet, so a request made before the supervisor
            // starts waiting is not lost.
            c.signal.notify_one();
        }
    })
}

/// Frees a cancellation handle without cancelling the call (its callback still fires). NULL is accepted and
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_cancel_free(cancel: *mut acs_chat_cancel) {
    crate::boundary::free_boxed(cancel)
}

/// Completion of a call with no result value. `error` is NULL on success, otherwise owned by the callback
/// (free with `acs_chat_error_free`).
pub type acs_chat_done_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of a call giving a string (free with `acs_chat_string_free`; NULL unless the result is OK).
pub type acs_chat_string_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        value: *mut c_char,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of a call giving a thread (free with `acs_chat_thread_free`; NULL unless the result is OK).
pub type acs_chat_thread_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        thread: *mut acs_chat_thread,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_client_create_thread_async`: the new thread and the participants the service
/// refused (possibly none); free them with `acs_chat_thread_free` and `acs_chat_participant_failures_free`.
/// Both are NULL unless the result is OK.
pub type acs_chat_create_thread_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        thread: *mut acs_chat_thread,
        failures: *mut acs_chat_participant_failures,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of a call giving a message (free with `acs_chat_message_free`; NULL unless the result is OK).
pub type acs_chat_message_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        message: *mut acs_chat_message,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_thread_client_add_participants_async`: the participants the service refused
/// (possibly none; free with `acs_chat_participant_failures_free`; NULL unless the result is OK).
pub type acs_chat_participant_failures_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        failures: *mut acs_chat_participant_failures,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of a call giving an identifier (free with `acs_chat_identifier_free`; NULL unless OK).
pub type acs_chat_identifier_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        user: *mut acs_chat_identifier,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of a call giving an access token (free with `acs_chat_access_token_free`; NULL unless OK).
pub type acs_chat_access_token_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        token: *mut acs_chat_access_token,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_identity_client_create_user_and_token_async` (free the results with
/// `acs_chat_identifier_free` and `acs_chat_access_token_free`; both NULL unless OK).
pub type acs_chat_user_and_token_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        user: *mut acs_chat_identifier,
        token: *mut acs_chat_access_token,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_thread_iter_next_async`: on `ACS_CHAT_RESULT_OK`, either `item` (owned; free with
/// `acs_chat_thread_item_free`) with `done` false, or NULL with `done` true at the end of the list.
pub type acs_chat_thread_item_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        item: *mut acs_chat_thread_item,
        done: bool,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_message_iter_next_async` (item rules as for `acs_chat_thread_item_callback`;
/// free with `acs_chat_message_free`).
pub type acs_chat_message_item_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        item: *mut acs_chat_message,
        done: bool,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_participant_iter_next_async` (item rules as for
/// `acs_chat_thread_item_callback`; free with `acs_chat_participant_free`).
pub type acs_chat_participant_item_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        item: *mut acs_chat_participant,
        done: bool,
        error: *mut acs_chat_error,
    ),
>;

/// Completion of `acs_chat_read_receipt_iter_next_async` (item rules as for
/// `acs_chat_thread_item_callback`; free with `acs_chat_read_receipt_free`).
pub type acs_chat_read_receipt_item_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        result: acs_chat_result,
        item: *mut acs_chat_read_receipt,
        done: bool,
        error: *mut acs_chat_error,
    ),
>;

/// How one kind of C completion callback receives an outcome.
pub(crate) trait Completion: Copy + Send + 'static {
    /// What the work produces on success; moved to the heap and handed over when the callback fires.
    type Value: Send + 'static;

    /// Calls the C function once. Ownership of every pointer passed goes to the callback.
    ///
    /// # Safety
    /// `user_data` is the caller's pointer, passed through untouched.
    unsafe fn fire(self, user_data: *mut c_void, outcome: FfiResult<Self::Value>);
}

fn boxed<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// The result code the C side receives for an outcome.
fn code_of<T>(outcome: &FfiResult<T>) -> acs_chat_result {
    match outcome {
        Ok(_) => acs_chat_result::ACS_CHAT_RESULT_OK,
        Err(e) => e.result(),
    }
}

/// Implements [`Completion`] for a callback type whose value is one or more owned pointers.
macro_rules! completion {
    ($fn_ty:ty, $value:ty, |$v:ident| ($($arg:expr),*), ($($null:expr),*)) => {
        impl Completion for $fn_ty {
            type Value = $value;

            unsafe fn fire(self, user_data: *mut c_void, outcome: FfiResult<$value>) {
                let code = code_of(&outcome);
                match outcome {
                    Ok($v) => unsafe { self(user_data, code, $($arg,)* ptr::null_mut()) },
                    Err(e) => unsafe { self(user_data, code, $($null,)* boxed(e)) },
                }
            }
        }
    };
}

type DoneFn = unsafe extern "C" fn(*mut c_void, acs_chat_result, *mut acs_chat_error);
type StringFn =
    unsafe extern "C" fn(*mut c_void, acs_chat_result, *mut c_char, *mut acs_chat_error);
type ThreadFn =
    unsafe extern "C" fn(*mut c_void, acs_chat_result, *mut acs_chat_thread, *mut acs_chat_error);
type CreateThreadFn = unsafe extern "C" fn(
    *mut c_void,
    acs_chat_result,
    *mut acs_chat_thread,
    *mut acs_chat_participant_failures,
    *mut acs_chat_error,
);
type MessageFn =
    unsafe extern "C" fn(*mut c_void, acs_chat_result, *mut acs_chat_message, *mut acs_chat_error);
type FailuresFn = unsafe extern "C" fn(
    *mut c_void,
    acs_chat_result,
    *mut acs_chat_participant_failures,
    *mut acs_chat_error,
);
type IdentifierFn = unsafe extern "C" fn(
    *mut c_void,
    acs_chat_result,
    *mut acs_chat_identifier,
    *mut acs_chat_error,
);
type TokenFn = unsafe extern "C" fn(
    *mut c_void,
    acs_chat_result,
    *mut acs_chat_access_token,
    *mut acs_chat_error,
);
type UserAndTokenFn = unsafe extern "C" fn(
    *mut c_void,
    acs_chat_result,
    *mut acs_chat_identifier,
    *mut acs_chat_access_token,
    *mut acs_chat_error,
);

completion!(DoneFn, (), |_v| (), ());
completion!(StringFn, String, |v| (into_c_string(&v)), (ptr::null_mut()));
completion!(ThreadFn, acs_chat_thread, |v| (boxed(v)), (ptr::null_mut()));
completion!(
    CreateThreadFn,
    (acs_chat_thread, acs_chat_participant_failures),
    |v| (boxed(v.0), boxed(v.1)),
    (ptr::null_mut(), ptr::null_mut())
);
completion!(
    MessageFn,
    acs_chat_message,
    |v| (boxed(v)),
    (ptr::null_mut())
);
completion!(
    FailuresFn,
    acs_chat_participant_failures,
    |v| (boxed(v)),
    (ptr::null_mut())
);
completion!(
    IdentifierFn,
    acs_chat_identifier,
    |v| (boxed(v)),
    (ptr::null_mut())
);
completion!(
    TokenFn,
    acs_chat_access_token,
    |v| (boxed(v)),
    (ptr::null_mut())
);
completion!(
    UserAndTokenFn,
    (acs_chat_identifier, acs_chat_access_token),
    |v| (boxed(v.0), boxed(v.1)),
    (ptr::null_mut(), ptr::null_mut())
);

/// Implements [`Completion`] for an iterator callback: an item, or the end of the list.
macro_rules! item_completion {
    ($($item:ty),*) => {$(
        impl Completion
            for unsafe extern "C" fn(*mut c_void, acs_chat_result, *mut $item, bool, *mut acs_chat_error)
        {
            type Value = Option<$item>;

            unsafe fn fire(self, user_data: *mut c_void, outcome: FfiResult<Option<$item>>) {
                let code = code_of(&outcome);
                match outcome {
                    Ok(Some(item)) => unsafe { self(user_data, code, boxed(item), false, ptr::null_mut()) },
                    Ok(None) => unsafe { self(user_data, code, ptr::null_mut(), true, ptr::null_mut()) },
                    Err(e) => unsafe { self(user_data, code, ptr::null_mut(), false, boxed(e)) },
                }
            }
        }
    )*};
}

item_completion!(
    acs_chat_thread_item,
    acs_chat_message,
    acs_chat_participant,
    acs_chat_read_receipt
);

/// The caller's `user_data`. The library never dereferences it; the header's contract makes the caller
/// responsible for it being usable from the library thread the callback runs on.
struct UserData(*mut c_void);

unsafe impl Send for UserData {}

impl UserData {
    fn get(&self) -> *mut c_void {
        self.0
    }
}

fn cancelled() -> acs_chat_error {
    acs_chat_error::local(
        acs_chat_result::ACS_CHAT_RESULT_CANCELLED,
        "the call was cancelled with acs_chat_cancel_request",
    )
}

fn timed_out(deadline: Duration) -> acs_chat_error {
    acs_chat_error::local(
        acs_chat_result::ACS_CHAT_RESULT_TIMEOUT,
        format!(
            "the call did not complete within its timeout_ms of {} ms",
            deadline.as_millis()
        ),
    )
}

fn panicked() -> acs_chat_error {
    acs_chat_error::local(
        acs_chat_result::ACS_CHAT_RESULT_PANIC,
        "internal error: a panic was caught while running an async call",
    )
}

/// Sleeps for `deadline`, or forever when there is none.
async fn sleep_or_never(deadline: Option<Duration>) {
    match deadline {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Fires `callback` once, converting a panic in the conversion of the value into a PANIC outcome. C
/// callbacks themselves cannot unwind, so a caught panic means the C function was not reached yet.
fn fire_once<C: Completion>(callback: C, user_data: &UserData, outcome: FfiResult<C::Value>) {
    let first = catch_unwind(AssertUnwindSafe(|| unsafe {
        callback.fire(user_data.get(), outcome)
    }));
    if first.is_err() {
        let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
            callback.fire(user_data.get(), Err(panicked()))
        }));
    }
}

/// Starts an async call: checks the callback, runs `prepare` (argument validation and copying, on the
/// caller's thread; its errors return synchronously and the callback never fires), then spawns the work and
/// writes the cancellation handle to `cancel_out` when it is not NULL.
///
/// # Safety
/// `cancel_out` is NULL or valid for a write.
pub(crate) unsafe fn start<C, Fut>(
    call_options: *const acs_chat_call_options,
    callback: Option<C>,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
    prepare: impl FnOnce() -> FfiResult<Fut>,
) -> acs_chat_result
where
    C: Completion,
    Fut: Future<Output = FfiResult<C::Value>> + Send + 'static,
{
    guard(|| {
        let callback = callback.ok_or_else(|| acs_chat_error::invalid("callback is NULL"))?;
        let work = prepare()?;
        let deadline = deadline_of(call_options);
        let runtime = acs_chat::blocking::runtime()?;
        let signal = Arc::new(Notify::new());
        let user_data = UserData(user_data);
        if !cancel_out.is_null() {
            let handle = acs_chat_cancel {
                signal: Arc::clone(&signal),
            };
            unsafe { *cancel_out = boxed(handle) };
        }
        let mut work = runtime.spawn(work);
        runtime.spawn(async move {
            let outcome = tokio::select! {
                // Cancellation wins a tie, so a request made before the call starts is always honoured.
                biased;
                () = signal.notified() => {
                    work.abort();
                    Err(cancelled())
                }
                () = sleep_or_never(deadline) => {
                    work.abort();
                    // `sleep_or_never` only completes when a deadline is set.
                    Err(timed_out(deadline.unwrap_or_default()))
                }
                joined = &mut work => match joined {
                    Ok(outcome) => outcome,
                    Err(e) if e.is_panic() => Err(panicked()),
                    // Only `abort` above cancels the work, and that branch does not come here.
                    Err(_) => Err(cancelled()),
                },
            };
            fire_once(callback, &user_data, outcome);
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{channel, Receiver, Sender};
    use std::sync::Mutex;

    /// What a test callback saw: the result code, whether an error came with it and the error's own code.
    type Seen = (acs_chat_result, Option<acs_chat_result>);

    /// The callback's user_data: an `Arc` reference the callback takes over, so the test thread waking up
    /// and returning cannot free what the callback still touches.
    struct Probe {
        tx: Mutex<Sender<Seen>>,
    }

    fn probe() -> (Arc<Probe>, Receiver<Seen>) {
        let (tx, rx) = channel();
        (Arc::new(Probe { tx: Mutex::new(tx) }), rx)
    }

    unsafe extern "C" fn on_done(ud: *mut c_void, rc: acs_chat_result, error: *mut acs_chat_error) {
        let probe = unsafe { Arc::from_raw(ud as *const Probe) };
        let error_code = unsafe { error.as_ref() }.map(acs_chat_error::result);
        if !error.is_null() {
            drop(unsafe { Box::from_raw(error) });
        }
        let _ = probe.tx.lock().unwrap().send((rc, error_code));
    }

    /// Generous bound that only keeps a broken implementation from hanging the test run.
    const HANG_GUARD: Duration = Duration::from_secs(30);

    fn start_done<Fut>(
        probe: &Arc<Probe>,
        call_options: *const acs_chat_call_options,
        cancel_out: *mut *mut acs_chat_cancel,
        work: Fut,
    ) -> acs_chat_result
    where
        Fut: Future<Output = FfiResult<()>> + Send + 'static,
    {
        let ud = Arc::into_raw(Arc::clone(probe)) as *mut c_void;
        let rc = unsafe {
            start(
                call_options,
                Some(on_done as DoneFn),
                ud,
                cancel_out,
                || Ok(work),
            )
        };
        if rc != acs_chat_result::ACS_CHAT_RESULT_OK {
            // No callback will take the reference over.
            drop(unsafe { Arc::from_raw(ud as *const Probe) });
        }
        rc
    }

    #[test]
    fn a_completed_call_reports_ok_once_without_an_error() {
        let (probe, rx) = probe();
        let rc = start_done(&probe, ptr::null(), ptr::null_mut(), async { Ok(()) });
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_OK);
        assert_eq!(
            rx.recv_timeout(HANG_GUARD).unwrap(),
            (acs_chat_result::ACS_CHAT_RESULT_OK, None)
        );
    }

    #[test]
    fn a_failed_call_hands_over_its_error() {
        let (probe, rx) = probe();
        let rc = start_done(&probe, ptr::null(), ptr::null_mut(), async {
            Err(acs_chat_error::invalid("refused"))
        });
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_OK);
        let bad = acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT;
        assert_eq!(rx.recv_timeout(HANG_GUARD).unwrap(), (bad, Some(bad)));
    }

    #[test]
    fn cancelling_a_pending_call_reports_cancelled_once() {
        let (probe, rx) = probe();
        let mut cancel: *mut acs_chat_cancel = ptr::null_mut();
        let rc = start_done(&probe, ptr::null(), &mut cancel, std::future::pending());
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_OK);
        assert!(!cancel.is_null());
        unsafe {
            acs_chat_cancel_request(cancel);
            acs_chat_cancel_request(cancel);
        }
        let cancelled = acs_chat_result::ACS_CHAT_RESULT_CANCELLED;
        assert_eq!(
            rx.recv_timeout(HANG_GUARD).unwrap(),
            (cancelled, Some(cancelled))
        );
        unsafe { acs_chat_cancel_free(cancel) };
    }

    #[test]
    fn a_call_past_its_deadline_reports_timeout() {
        let (probe, rx) = probe();
        let options = acs_chat_call_options { timeout_ms: 20 };
        let rc = start_done(&probe, &options, ptr::null_mut(), std::future::pending());
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_OK);
        let timeout = acs_chat_result::ACS_CHAT_RESULT_TIMEOUT;
        assert_eq!(
            rx.recv_timeout(HANG_GUARD).unwrap(),
            (timeout, Some(timeout))
        );
    }

    #[test]
    fn call_options_default_to_no_deadline() {
        let mut options = acs_chat_call_options { timeout_ms: 7 };
        unsafe { acs_chat_call_options_init(&mut options) };
        assert_eq!(options.timeout_ms, 0);
        assert_eq!(deadline_of(&options), None);
        assert_eq!(deadline_of(ptr::null()), None);
        options.timeout_ms = 1500;
        assert_eq!(deadline_of(&options), Some(Duration::from_millis(1500)));
        unsafe { acs_chat_call_options_init(ptr::null_mut()) };
    }

    #[test]
    fn a_panic_in_the_work_still_fires_the_callback() {
        let (probe, rx) = probe();
        let rc = start_done(&probe, ptr::null(), ptr::null_mut(), async {
            if true {
                panic!("engine bug");
            }
            Ok(())
        });
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_OK);
        let panic = acs_chat_result::ACS_CHAT_RESULT_PANIC;
        assert_eq!(rx.recv_timeout(HANG_GUARD).unwrap(), (panic, Some(panic)));
    }

    #[test]
    fn argument_errors_return_synchronously_and_write_nothing() {
        let (probe, _rx) = probe();
        // Both calls fail before anything is spawned, so the pointer is never used by a callback.
        let ud = Arc::as_ptr(&probe) as *mut c_void;
        let mut cancel: *mut acs_chat_cancel = ptr::null_mut();
        let rc = unsafe {
            start::<DoneFn, _>(ptr::null(), None, ud, &mut cancel, || Ok(async { Ok(()) }))
        };
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT);
        assert!(cancel.is_null());
        let rc = unsafe {
            start(
                ptr::null(),
                Some(on_done as DoneFn),
                ud,
                &mut cancel,
                || {
                    Err::<std::future::Ready<FfiResult<()>>, _>(acs_chat_error::invalid(
                        "topic is NULL",
                    ))
                },
            )
        };
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT);
        assert!(cancel.is_null());
    }
}
