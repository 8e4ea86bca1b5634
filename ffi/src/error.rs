//! The error object and the per-thread last error.
//!
//! A failing call returns its result code and also stores an `acs_chat_error` for the calling thread; the
//! caller takes it with `acs_chat_last_error_take()`. Every exported call that returns a result code clears
//! the calling thread's last error first, so a taken error always belongs to the latest failing call.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::ptr;

use acs_chat::{Error, ErrorKind};

use crate::boundary::accessor;
use crate::result::acs_chat_result;
use crate::strings::to_cstring;

/// Details of a failed call: result code, HTTP status, service error code, message and request id.
/// Owned by the caller once taken; free with `acs_chat_error_free`. Holds no token or key. Not thread-safe
/// to free while another thread reads it; reading from several threads at once is safe.
#[derive(Debug)]
pub struct acs_chat_error {
    result: acs_chat_result,
    message: CString,
    http_status: u16,
    service_code: Option<CString>,
    request_id: Option<CString>,
}

impl acs_chat_error {
    /// An error raised at the C boundary itself (bad argument, panic).
    pub(crate) fn local(result: acs_chat_result, message: impl AsRef<str>) -> Self {
        acs_chat_error {
            result,
            message: to_cstring(message.as_ref()),
            http_status: 0,
            service_code: None,
            request_id: None,
        }
    }

    /// An invalid-argument error naming the problem.
    pub(crate) fn invalid(message: impl AsRef<str>) -> Self {
        Self::local(acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT, message)
    }

    pub(crate) fn result(&self) -> acs_chat_result {
        self.result
    }
}

/// Maps the engine's error kinds to stable codes.
fn result_of(kind: &ErrorKind) -> acs_chat_result {
    use acs_chat_result::*;
    match kind {
        ErrorKind::Authentication => ACS_CHAT_RESULT_AUTHENTICATION,
        ErrorKind::NotFound => ACS_CHAT_RESULT_NOT_FOUND,
        ErrorKind::Conflict => ACS_CHAT_RESULT_CONFLICT,
        ErrorKind::Throttled { .. } => ACS_CHAT_RESULT_THROTTLED,
        ErrorKind::Service { .. } => ACS_CHAT_RESULT_SERVICE,
        ErrorKind::Transport => ACS_CHAT_RESULT_TRANSPORT,
        ErrorKind::Timeout => ACS_CHAT_RESULT_TIMEOUT,
        ErrorKind::InvalidInput => ACS_CHAT_RESULT_INVALID_ARGUMENT,
        ErrorKind::Decode => ACS_CHAT_RESULT_DECODE,
        ErrorKind::AmbiguousWrite => ACS_CHAT_RESULT_AMBIGUOUS_WRITE,
        ErrorKind::Credential => ACS_CHAT_RESULT_CREDENTIAL,
        // `ErrorKind` is non-exhaustive: a kind added later must not crash the boundary.
        _ => ACS_CHAT_RESULT_UNKNOWN,
    }
}

impl From<Error> for acs_chat_error {
    fn from(e: Error) -> Self {
        let service_code = match (e.kind(), e.service_error()) {
            (_, Some(s)) if !s.code.is_empty() => Some(s.code.clone()),
            (ErrorKind::Service { code, .. }, _) => Some(code.clone()),
            _ => None,
        };
        acs_chat_error {
            result: result_of(e.kind()),
            message: to_cstring(&e.to_string()),
            http_status: e.status().unwrap_or(0),
            service_code: service_code.map(|c| to_cstring(&c)),
            request_id: e.request_id().map(to_cstring),
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<Box<acs_chat_error>>> = const { RefCell::new(None) };
}

pub(crate) fn set_last_error(e: acs_chat_error) {
    // `try_with` because a call during thread teardown must not panic.
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(Box::new(e)));
}

pub(crate) fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = None);
}

/// Takes the calling thread's last error: the details of the latest call on this thread that returned a
/// code other than `ACS_CHAT_RESULT_OK`. Returns NULL when the latest call succeeded or the error was already
/// taken. The caller owns the result and frees it with `acs_chat_error_free`.
#[no_mangle]
pub extern "C" fn acs_chat_last_error_take() -> *mut acs_chat_error {
    accessor(ptr::null_mut(), || {
        LAST_ERROR
            .try_with(|slot| slot.borrow_mut().take())
            .ok()
            .flatten()
            .map_or(ptr::null_mut(), Box::into_raw)
    })
}

/// Frees an error taken with `acs_chat_last_error_take`. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_error_free(error: *mut acs_chat_error) {
    accessor((), || {
        if !error.is_null() {
            drop(unsafe { Box::from_raw(error) });
        }
    })
}

/// The error's result code; `ACS_CHAT_RESULT_INVALID_ARGUMENT` for NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_error_result(error: *const acs_chat_error) -> acs_chat_result {
    accessor(acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT, || {
        unsafe { error.as_ref() }.map_or(acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT, |e| {
            e.result
        })
    })
}

/// A readable description (NUL-terminated UTF-8, never NULL for a non-NULL error), borrowed from the error
/// and valid until it is freed. Contains no token or key.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_error_message(error: *const acs_chat_error) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { error.as_ref() }.map_or(ptr::null(), |e| e.message.as_ptr())
    })
}

/// The HTTP status of the failed response, or 0 when no response was received (or `error` is NULL).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_error_http_status(error: *const acs_chat_error) -> u16 {
    accessor(0, || unsafe { error.as_ref() }.map_or(0, |e| e.http_status))
}

/// The service's error code (for example `"Forbidden"`), borrowed from the error; NULL when the service sent
/// none.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_error_service_code(
    error: *const acs_chat_error,
) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { error.as_ref() }
            .and_then(|e| e.service_code.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// The client request id of the failed request (quote it in support cases), borrowed from the error; NULL
/// when no request was sent.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_error_request_id(error: *const acs_chat_error) -> *const c_char {
    accessor(ptr::null(), || {
        unsafe { error.as_ref() }
            .and_then(|e| e.request_id.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}
