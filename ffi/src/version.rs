//! Library version: the header's macros and `acs_chat_version()`.

use std::ffi::c_char;

/// Major version of the library (the header's copy is kept equal to Cargo's by a test).
pub const ACS_CHAT_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const ACS_CHAT_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const ACS_CHAT_VERSION_PATCH: u32 = 0;

/// The library's version as `"MAJOR.MINOR.PATCH"`, a static string that must not be freed. Compare it with
/// the header's `ACS_CHAT_VERSION_*` macros to detect a header/library mismatch.
#[no_mangle]
pub extern "C" fn acs_chat_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_cargo_version() {
        assert_eq!(
            ACS_CHAT_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            ACS_CHAT_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            ACS_CHAT_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        let v = unsafe { std::ffi::CStr::from_ptr(acs_chat_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
