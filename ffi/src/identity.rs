//! The identity client: users and their access tokens, from a connection string.

use std::ffi::c_char;
use std::time::Duration;

use acs_chat::blocking;
use acs_chat::options::DEFAULT_IDENTITY_API_VERSION;
use acs_chat::TokenScope;

use crate::boundary::{
    free_boxed, guard, handle, out_ptr, slice_arg, str_arg, write_boxed, FfiResult,
};
use crate::error::acs_chat_error;
use crate::models::{acs_chat_access_token, acs_chat_identifier};
use crate::options::{acs_chat_client_options, client_options};
use crate::result::acs_chat_result;

/// What a token may be used for.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum acs_chat_token_scope {
    /// Full chat access (`chat`).
    ACS_CHAT_TOKEN_SCOPE_CHAT = 0,
    /// Full calling access (`voip`).
    ACS_CHAT_TOKEN_SCOPE_VOIP = 1,
    /// Chat without creating, deleting or updating threads (`chat.join`).
    ACS_CHAT_TOKEN_SCOPE_CHAT_JOIN = 2,
    /// `chat.join` without adding or removing participants (`chat.join.limited`).
    ACS_CHAT_TOKEN_SCOPE_CHAT_JOIN_LIMITED = 3,
    /// Calling without starting calls (`voip.join`).
    ACS_CHAT_TOKEN_SCOPE_VOIP_JOIN = 4,
}

/// Creates and manages users with the resource's access key. Safe to share between threads.
pub struct acs_chat_identity_client {
    pub(crate) inner: blocking::CommunicationIdentityClient,
}

/// Makes an identity client from `endpoint=https://...;accesskey=...`. `options` may be NULL. The access
/// key is a secret and never appears in errors.
///
/// Errors: `ACS_CHAT_RESULT_INVALID_ARGUMENT` for NULL arguments or a malformed connection string.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_new(
    connection_string: *const c_char,
    options: *const acs_chat_client_options,
    client_out: *mut *mut acs_chat_identity_client,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(client_out, "client_out")?;
        let cs = str_arg(connection_string, "connection_string")?;
        let options = client_options(options, DEFAULT_IDENTITY_API_VERSION)?;
        let inner = blocking::CommunicationIdentityClient::from_connection_string(cs, options)?;
        write_boxed(out, acs_chat_identity_client { inner });
        Ok(())
    })
}

/// The resource endpoint from the connection string (what `acs_chat_client_new` needs), as an owned string
/// (free with `acs_chat_string_free`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_endpoint(
    client: *const acs_chat_identity_client,
    endpoint_out: *mut *mut c_char,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(endpoint_out, "endpoint_out")?;
        let client = handle(client, "client")?;
        unsafe { *out = crate::strings::into_c_string(client.inner.as_async().endpoint()) };
        Ok(())
    })
}

/// Frees an identity client. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_free(client: *mut acs_chat_identity_client) {
    free_boxed(client)
}

pub(crate) fn scopes(list: *const u32, count: usize) -> FfiResult<Vec<TokenScope>> {
    let list = slice_arg(list, count, "scopes")?;
    if list.is_empty() {
        return Err(acs_chat_error::invalid("scopes is empty"));
    }
    list.iter()
        .map(|s| match s {
            0 => Ok(TokenScope::Chat),
            1 => Ok(TokenScope::Voip),
            2 => Ok(TokenScope::ChatJoin),
            3 => Ok(TokenScope::ChatJoinLimited),
            4 => Ok(TokenScope::VoipJoin),
            other => Err(acs_chat_error::invalid(format!(
                "scope {other} is not an acs_chat_token_scope"
            ))),
        })
        .collect()
}

pub(crate) fn expiry(minutes: u32) -> Option<Duration> {
    (minutes != 0).then(|| Duration::from_secs(u64::from(minutes) * 60))
}

/// Creates a user (free the identifier with `acs_chat_identifier_free`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_create_user(
    client: *const acs_chat_identity_client,
    user_out: *mut *mut acs_chat_identifier,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(user_out, "user_out")?;
        let client = handle(client, "client")?;
        let user = client.inner.create_user()?;
        write_boxed(out, acs_chat_identifier::new(user));
        Ok(())
    })
}

/// Creates a user and a token for it. `scopes` holds `scope_count` `acs_chat_token_scope` values (at least
/// one); `expires_in_minutes` is 0 for the service default (24 h) or 60 to 1440. Free the results with
/// `acs_chat_identifier_free` and `acs_chat_access_token_free`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_create_user_and_token(
    client: *const acs_chat_identity_client,
    scope_list: *const u32,
    scope_count: usize,
    expires_in_minutes: u32,
    user_out: *mut *mut acs_chat_identifier,
    token_out: *mut *mut acs_chat_access_token,
) -> acs_chat_result {
    guard(|| {
        let user_out = out_ptr(user_out, "user_out")?;
        let token_out = out_ptr(token_out, "token_out")?;
        let client = handle(client, "client")?;
        let scopes = scopes(scope_list, scope_count)?;
        let (user, token) = client
            .inner
            .create_user_and_token(&scopes, expiry(expires_in_minutes))?;
        write_boxed(user_out, acs_chat_identifier::new(user));
        write_boxed(token_out, acs_chat_access_token::new(&token));
        Ok(())
    })
}

/// Issues a token for an existing user (see `acs_chat_identity_client_create_user_and_token` for the
/// arguments).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_get_token(
    client: *const acs_chat_identity_client,
    user: *const acs_chat_identifier,
    scope_list: *const u32,
    scope_count: usize,
    expires_in_minutes: u32,
    token_out: *mut *mut acs_chat_access_token,
) -> acs_chat_result {
    guard(|| {
        let token_out = out_ptr(token_out, "token_out")?;
        let client = handle(client, "client")?;
        let user = handle(user, "user")?;
        let scopes = scopes(scope_list, scope_count)?;
        let token = client
            .inner
            .get_token(&user.inner, &scopes, expiry(expires_in_minutes))?;
        write_boxed(token_out, acs_chat_access_token::new(&token));
        Ok(())
    })
}

/// Revokes every token of `user`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_revoke_tokens(
    client: *const acs_chat_identity_client,
    user: *const acs_chat_identifier,
) -> acs_chat_result {
    guard(|| {
        let client = handle(client, "client")?;
        let user = handle(user, "user")?;
        client.inner.revoke_tokens(&user.inner)?;
        Ok(())
    })
}

/// Deletes `user` and revokes its tokens.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_delete_user(
    client: *const acs_chat_identity_client,
    user: *const acs_chat_identifier,
) -> acs_chat_result {
    guard(|| {
        let client = handle(client, "client")?;
        let user = handle(user, "user")?;
        client.inner.delete_user(&user.inner)?;
        Ok(())
    })
}
