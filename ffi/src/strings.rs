//! Owned strings handed to C.

use std::ffi::{c_char, CString};

/// Converts text for C. Service text may in principle contain NUL, which a C string cannot hold; such
/// characters become U+FFFD so the rest of the text survives instead of failing the whole call.
pub(crate) fn to_cstring(s: &str) -> CString {
    match CString::new(s) {
        Ok(c) => c,
        Err(_) => CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default(),
    }
}

/// Hands an owned string to C; free it with `acs_chat_string_free`.
pub(crate) fn into_c_string(s: &str) -> *mut c_char {
    to_cstring(s).into_raw()
}

/// Frees a string this library returned as `char *`. NULL is accepted and ignored. Never pass a string that
/// `malloc` or another library allocated, nor a borrowed `const char *` from an accessor.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_string_free(s: *mut c_char) {
    crate::boundary::accessor((), || {
        if !s.is_null() {
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
