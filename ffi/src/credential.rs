//! Token credentials: a static token, or a C refresher callback.

use std::ffi::{c_char, c_void};

use acs_chat::credential::AccessToken;
use acs_chat::{CommunicationTokenCredential, RefreshOptions};

use crate::boundary::{free_boxed, guard, handle_mut, opt_str_arg, out_ptr, str_arg, write_boxed};
use crate::error::acs_chat_error;
use crate::result::acs_chat_result;

/// The user access token source of chat clients. Clients made from it keep their own reference, so the
/// credential may be freed right after creating them. Safe to share between threads.
pub struct acs_chat_credential {
    pub(crate) inner: CommunicationTokenCredential,
}

/// Where a refresher callback puts the new token (see `acs_chat_token_sink_set`). Valid only during the
/// callback that received it.
pub struct acs_chat_token_sink {
    token: Option<AccessToken>,
}

/// Fetches a new token: call `acs_chat_token_sink_set(sink, token)` and return true, or return false when no
/// token can be had. Runs on a library thread (never the caller's), never twice at once for one credential,
/// and may block (for example on an HTTP call to your token service).
pub type acs_chat_token_refresher =
    Option<unsafe extern "C" fn(user_data: *mut c_void, sink: *mut acs_chat_token_sink) -> bool>;

/// Releases the `user_data` of a refresher once the library no longer uses it.
pub type acs_chat_user_data_free = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// The caller's context pointer, released with its free function once the last clone of the credential is
/// gone. The pointer is only handed back to the caller's own functions, which promise thread-safety.
struct UserData {
    ptr: *mut c_void,
    free: acs_chat_user_data_free,
}

unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl Drop for UserData {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            unsafe { free(self.ptr) };
        }
    }
}

/// Makes a credential for a fixed token (a JWT; its expiry is read from the `exp` claim). Calls made after
/// it expires fail with `ACS_CHAT_RESULT_CREDENTIAL`.
///
/// Errors: `ACS_CHAT_RESULT_INVALID_ARGUMENT` for NULL or non-UTF-8 arguments; `ACS_CHAT_RESULT_CREDENTIAL`
/// when the token is not a JWT with an `exp` claim or has already expired.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_credential_new_static(
    token: *const c_char,
    credential_out: *mut *mut acs_chat_credential,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(credential_out, "credential_out")?;
        let token = str_arg(token, "token")?;
        let inner = CommunicationTokenCredential::new(token)?;
        write_boxed(out, acs_chat_credential { inner });
        Ok(())
    })
}

/// Makes a credential that calls `refresher` for a new token when the current one nears expiry (within
/// 2 minutes, or 10 minutes ahead in the background when `proactive_refresh` is true).
///
/// `initial_token` (a JWT, or NULL) is used until it nears expiry. `user_data` is passed to `refresher` as
/// is; `free_user_data` (or NULL) is called once with it when the credential and every client made from it
/// are freed. On failure `free_user_data` is not called: the caller still owns `user_data`.
///
/// Errors: `ACS_CHAT_RESULT_INVALID_ARGUMENT` for a NULL refresher or out-parameter;
/// `ACS_CHAT_RESULT_CREDENTIAL` when `initial_token` is not a JWT with an `exp` claim.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_credential_new_refreshing(
    refresher: acs_chat_token_refresher,
    user_data: *mut c_void,
    free_user_data: acs_chat_user_data_free,
    initial_token: *const c_char,
    proactive_refresh: bool,
    credential_out: *mut *mut acs_chat_credential,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(credential_out, "credential_out")?;
        let Some(refresher) = refresher else {
            return Err(acs_chat_error::invalid("refresher is NULL"));
        };
        let mut options = RefreshOptions::default().proactive_refresh(proactive_refresh);
        if let Some(t) = opt_str_arg(initial_token, "initial_token")? {
            options = options.initial_token(t);
        }
        // Validate before taking ownership of user_data, so a failed call leaves it with the caller.
        if let Some(t) = &options.initial_token {
            AccessToken::from_jwt(t.as_str())?;
        }
        let data = UserData {
            ptr: user_data,
            free: free_user_data,
        };
        let inner = CommunicationTokenCredential::with_blocking_refresher(
            move || {
                // Captures `data` whole (not just its raw pointer field) so the closure is Send + Sync.
                let data = &data;
                let mut sink = acs_chat_token_sink { token: None };
                let ok = unsafe { refresher(data.ptr, &mut sink) };
                match (ok, sink.token) {
                    (true, Some(token)) => Ok(token),
                    (true, None) => {
                        Err("the token refresher returned true without setting a token".into())
                    }
                    (false, _) => Err("the token refresher reported a failure".into()),
                }
            },
            options,
        )?;
        write_boxed(out, acs_chat_credential { inner });
        Ok(())
    })
}

/// Hands the refreshed token (a JWT with an `exp` claim; copied) to the library from inside a refresher.
///
/// Errors: `ACS_CHAT_RESULT_INVALID_ARGUMENT` for NULL or non-UTF-8 arguments; `ACS_CHAT_RESULT_CREDENTIAL`
/// when the token is not a JWT with an `exp` claim.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_token_sink_set(
    sink: *mut acs_chat_token_sink,
    token: *const c_char,
) -> acs_chat_result {
    guard(|| {
        let sink = handle_mut(sink, "sink")?;
        let token = str_arg(token, "token")?;
        sink.token = Some(AccessToken::from_jwt(token)?);
        Ok(())
    })
}

/// Frees a credential. Clients made from it keep working. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_credential_free(credential: *mut acs_chat_credential) {
    free_boxed(credential)
}
