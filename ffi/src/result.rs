//! Stable numeric result codes.

use std::ffi::c_char;

/// The outcome of a call. Values are stable across versions and never reused: a retired code stays listed
/// here as a comment.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum acs_chat_result {
    /// Success; out-parameters were written.
    ACS_CHAT_RESULT_OK = 0,
    /// A NULL pointer, invalid UTF-8, an out-of-range number or a value the engine rejected before sending.
    ACS_CHAT_RESULT_INVALID_ARGUMENT = 1,
    /// A bug inside the library was caught at the C boundary; the call had no effect the caller can rely on.
    ACS_CHAT_RESULT_PANIC = 2,
    /// The service rejected the credential (HTTP 401).
    ACS_CHAT_RESULT_AUTHENTICATION = 10,
    /// The thread, message or user does not exist (HTTP 404).
    ACS_CHAT_RESULT_NOT_FOUND = 11,
    /// The request conflicts with the resource's state (HTTP 409).
    ACS_CHAT_RESULT_CONFLICT = 12,
    /// The service throttled the request (HTTP 429) and retries were exhausted.
    ACS_CHAT_RESULT_THROTTLED = 13,
    /// Any other non-success HTTP status (for example 403); see the error's HTTP status and service code.
    ACS_CHAT_RESULT_SERVICE = 14,
    /// The connection failed or broke before a response arrived.
    ACS_CHAT_RESULT_TRANSPORT = 15,
    /// A connect, per-try or overall timeout elapsed.
    ACS_CHAT_RESULT_TIMEOUT = 16,
    /// A response or token could not be decoded.
    ACS_CHAT_RESULT_DECODE = 17,
    /// A send or update of a message failed without telling whether the service applied it; check before
    /// sending again.
    ACS_CHAT_RESULT_AMBIGUOUS_WRITE = 18,
    /// The credential could not provide a valid token (expired static token, failed refresher).
    ACS_CHAT_RESULT_CREDENTIAL = 19,
    /// An async call was stopped by `acs_chat_cancel_request` before it completed.
    ACS_CHAT_RESULT_CANCELLED = 20,
    /// A failure of a kind this version of the library does not classify.
    ACS_CHAT_RESULT_UNKNOWN = 99,
}

/// The name of a result code (for example `"ACS_CHAT_RESULT_NOT_FOUND"`), as a static NUL-terminated string
/// that must not be freed. Unknown values give `"ACS_CHAT_RESULT_UNRECOGNIZED"`. Takes the code as a plain
/// integer so any value is safe to pass.
#[no_mangle]
pub extern "C" fn acs_chat_result_name(result: u32) -> *const c_char {
    let name: &'static [u8] = match result {
        0 => b"ACS_CHAT_RESULT_OK\0",
        1 => b"ACS_CHAT_RESULT_INVALID_ARGUMENT\0",
        2 => b"ACS_CHAT_RESULT_PANIC\0",
        10 => b"ACS_CHAT_RESULT_AUTHENTICATION\0",
        11 => b"ACS_CHAT_RESULT_NOT_FOUND\0",
        12 => b"ACS_CHAT_RESULT_CONFLICT\0",
        13 => b"ACS_CHAT_RESULT_THROTTLED\0",
        14 => b"ACS_CHAT_RESULT_SERVICE\0",
        15 => b"ACS_CHAT_RESULT_TRANSPORT\0",
        16 => b"ACS_CHAT_RESULT_TIMEOUT\0",
        17 => b"ACS_CHAT_RESULT_DECODE\0",
        18 => b"ACS_CHAT_RESULT_AMBIGUOUS_WRITE\0",
        19 => b"ACS_CHAT_RESULT_CREDENTIAL\0",
        20 => b"ACS_CHAT_RESULT_CANCELLED\0",
        99 => b"ACS_CHAT_RESULT_UNKNOWN\0",
        _ => b"ACS_CHAT_RESULT_UNRECOGNIZED\0",
    };
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_code_names_itself() {
        use acs_chat_result::*;
        for code in [
            ACS_CHAT_RESULT_OK,
            ACS_CHAT_RESULT_INVALID_ARGUMENT,
            ACS_CHAT_RESULT_PANIC,
            ACS_CHAT_RESULT_AUTHENTICATION,
            ACS_CHAT_RESULT_NOT_FOUND,
            ACS_CHAT_RESULT_CONFLICT,
            ACS_CHAT_RESULT_THROTTLED,
            ACS_CHAT_RESULT_SERVICE,
            ACS_CHAT_RESULT_TRANSPORT,
            ACS_CHAT_RESULT_TIMEOUT,
            ACS_CHAT_RESULT_DECODE,
            ACS_CHAT_RESULT_AMBIGUOUS_WRITE,
            ACS_CHAT_RESULT_CREDENTIAL,
            ACS_CHAT_RESULT_CANCELLED,
            ACS_CHAT_RESULT_UNKNOWN,
        ] {
            let name = unsafe { CStr::from_ptr(acs_chat_result_name(code as u32)) };
            assert_eq!(name.to_str().unwrap(), format!("{code:?}"));
        }
        let name = unsafe { CStr::from_ptr(acs_chat_result_name(12345)) };
        assert_eq!(name.to_str().unwrap(), "ACS_CHAT_RESULT_UNRECOGNIZED");
    }
}
