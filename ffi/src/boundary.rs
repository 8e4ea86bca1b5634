//! The C boundary: panic catching, last-error bookkeeping and argument checks shared by every export.

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{acs_chat_error, clear_last_error, set_last_error};
use crate::result::acs_chat_result;

pub(crate) type FfiResult<T> = Result<T, acs_chat_error>;

/// Runs the body of a fallible export: clears the thread's last error, catches panics, records failures.
pub(crate) fn guard(body: impl FnOnce() -> FfiResult<()>) -> acs_chat_result {
    clear_last_error();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => acs_chat_result::ACS_CHAT_RESULT_OK,
        Ok(Err(e)) => {
            let code = e.result();
            set_last_error(e);
            code
        }
        Err(_) => {
            set_last_error(acs_chat_error::local(
                acs_chat_result::ACS_CHAT_RESULT_PANIC,
                "internal error: a panic was caught at the C boundary",
            ));
            acs_chat_result::ACS_CHAT_RESULT_PANIC
        }
    }
}

/// Runs the body of an infallible export (accessor, `_free`), returning `fallback` if it panics.
pub(crate) fn accessor<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Borrows a required handle.
pub(crate) fn handle<'a, T>(p: *const T, name: &str) -> FfiResult<&'a T> {
    unsafe { p.as_ref() }.ok_or_else(|| acs_chat_error::invalid(format!("{name} is NULL")))
}

/// Borrows a required handle mutably.
pub(crate) fn handle_mut<'a, T>(p: *mut T, name: &str) -> FfiResult<&'a mut T> {
    unsafe { p.as_mut() }.ok_or_else(|| acs_chat_error::invalid(format!("{name} is NULL")))
}

/// Checks a required out-parameter before any work is done, so a NULL one fails without side effects.
pub(crate) fn out_ptr<T>(p: *mut T, name: &str) -> FfiResult<*mut T> {
    if p.is_null() {
        Err(acs_chat_error::invalid(format!("{name} is NULL")))
    } else {
        Ok(p)
    }
}

/// Borrows a required NUL-terminated UTF-8 string.
pub(crate) fn str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(acs_chat_error::invalid(format!("{name} is NULL")));
    }
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| acs_chat_error::invalid(format!("{name} is not valid UTF-8")))
}

/// Borrows an optional NUL-terminated UTF-8 string (NULL means absent).
pub(crate) fn opt_str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        str_arg(p, name).map(Some)
    }
}

/// Borrows a C array; NULL is allowed only when `len` is 0.
pub(crate) fn slice_arg<'a, T>(p: *const T, len: usize, name: &str) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(acs_chat_error::invalid(format!(
            "{name} is NULL but its count is {len}"
        )));
    }
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Moves a value to the heap and writes the pointer to a checked out-parameter.
pub(crate) fn write_boxed<T>(out: *mut *mut T, value: T) {
    unsafe { *out = Box::into_raw(Box::new(value)) };
}

/// Frees a boxed handle; NULL is ignored.
pub(crate) fn free_boxed<T>(p: *mut T) {
    accessor((), || {
        if !p.is_null() {
            drop(unsafe { Box::from_raw(p) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{acs_chat_error_free, acs_chat_error_message, acs_chat_last_error_take};

    fn take_message() -> String {
        let e = acs_chat_last_error_take();
        assert!(!e.is_null(), "no last error was stored");
        let text = unsafe { CStr::from_ptr(acs_chat_error_message(e)) }
            .to_str()
            .unwrap()
            .to_string();
        unsafe { acs_chat_error_free(e) };
        text
    }

    #[test]
    fn a_panic_becomes_a_result_code_and_an_error() {
        let rc = guard(|| panic!("boom"));
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_PANIC);
        assert!(take_message().contains("panic"));
        assert!(acs_chat_last_error_take().is_null(), "taken twice");
    }

    #[test]
    fn success_clears_the_previous_error() {
        let rc = guard(|| Err(acs_chat_error::invalid("first")));
        assert_eq!(rc, acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT);
        assert_eq!(guard(|| Ok(())), acs_chat_result::ACS_CHAT_RESULT_OK);
        assert!(acs_chat_last_error_take().is_null());
    }

    #[test]
    fn strings_are_checked_for_null_and_utf8() {
        let bad = [b'a', 0xff, 0];
        let err = str_arg(bad.as_ptr().cast(), "name").unwrap_err();
        assert_eq!(
            err.result(),
            acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT
        );
        assert!(str_arg(std::ptr::null(), "name").is_err());
        assert_eq!(opt_str_arg(std::ptr::null(), "name").unwrap(), None);
        assert_eq!(str_arg(c"ok".as_ptr(), "name").unwrap(), "ok");
        assert!(slice_arg::<u32>(std::ptr::null(), 2, "list").is_err());
        assert!(slice_arg::<u32>(std::ptr::null(), 0, "list")
            .unwrap()
            .is_empty());
    }
}
