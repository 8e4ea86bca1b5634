//! The `_async` variant of every operation that sends a request.
//!
//! Each export validates and copies its arguments on the caller's thread (errors return synchronously, the
//! callback never fires, and the thread's last error is set), then hands an engine future to
//! [`calls::start`](crate::calls::start). The future owns a clone of the engine client (a reference-counted
//! handle), so the C client handle may be freed while calls are in flight: they complete normally and fire
//! their callbacks. The signatures are written out (cbindgen reads the source, not macro expansions); the
//! behaviour lives in the one generic starter.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use acs_chat::operation_options::TypingNotificationOptions;

use crate::boundary::{handle, opt_str_arg, str_arg, FfiResult};
use crate::calls::{
    acs_chat_access_token_callback, acs_chat_call_options, acs_chat_cancel,
    acs_chat_create_thread_callback, acs_chat_done_callback, acs_chat_identifier_callback,
    acs_chat_message_callback, acs_chat_participant_failures_callback, acs_chat_string_callback,
    acs_chat_thread_callback, acs_chat_user_and_token_callback, start,
};
use crate::calls::{
    acs_chat_message_item_callback, acs_chat_participant_item_callback,
    acs_chat_read_receipt_item_callback, acs_chat_thread_item_callback,
};
use crate::clients::{acs_chat_client, acs_chat_thread_client};
use crate::error::acs_chat_error;
use crate::identity::{acs_chat_identity_client, expiry, scopes};
use crate::iterators::{
    acs_chat_message_iter, acs_chat_participant_iter, acs_chat_read_receipt_iter,
    acs_chat_thread_iter, next_item,
};
use crate::models::{
    acs_chat_access_token, acs_chat_identifier, acs_chat_message, acs_chat_participant,
    acs_chat_participant_failures, acs_chat_read_receipt, acs_chat_thread, acs_chat_thread_item,
};
use crate::options::{
    acs_chat_create_thread_options, acs_chat_participant_input, acs_chat_send_message_options,
    acs_chat_update_message_options, acs_chat_update_thread_options, create_thread_options,
    participants, send_message_options, update_message_options, update_thread_options,
};
use crate::result::acs_chat_result;

fn engine<T>(r: acs_chat::Result<T>) -> FfiResult<T> {
    r.map_err(acs_chat_error::from)
}

/// Async `acs_chat_client_create_thread`. Arguments are copied before this returns.
///
/// Common to every `_async` call: `call_options` may be NULL (no deadline). `callback` (required) runs exactly once on a library thread when this
/// returns `ACS_CHAT_RESULT_OK` (possibly before it returns), and never when it returns anything else (then
/// `acs_chat_last_error_take()` has the details). `user_data` is passed to `callback` untouched.
/// `cancel_out` may be NULL; otherwise it receives a cancellation handle (free with
/// `acs_chat_cancel_free`). The client handle may be freed while the call is in flight.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_create_thread_async(
    client: *const acs_chat_client,
    topic: *const c_char,
    options: *const acs_chat_create_thread_options,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_create_thread_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            let topic = str_arg(topic, "topic")?.to_owned();
            let options = create_thread_options(options)?;
            Ok(async move {
                let created = engine(client.create_chat_thread(&topic, options).await)?;
                Ok((
                    acs_chat_thread::new(&created.chat_thread),
                    acs_chat_participant_failures::new(&created.errors),
                ))
            })
        })
    }
}

/// Async `acs_chat_client_delete_thread` (see `acs_chat_client_create_thread_async` for the common rules).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_delete_thread_async(
    client: *const acs_chat_client,
    thread_id: *const c_char,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            let thread_id = str_arg(thread_id, "thread_id")?.to_owned();
            Ok(async move { engine(client.delete_chat_thread(&thread_id).await) })
        })
    }
}

/// Async `acs_chat_thread_client_get_properties` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_get_properties_async(
    thread_client: *const acs_chat_thread_client,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_thread_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            Ok(async move {
                let props = engine(tc.get_properties().await)?;
                Ok(acs_chat_thread::new(&props))
            })
        })
    }
}

/// Async `acs_chat_thread_client_update_topic` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_update_topic_async(
    thread_client: *const acs_chat_thread_client,
    topic: *const c_char,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let topic = str_arg(topic, "topic")?.to_owned();
            Ok(async move { engine(tc.update_topic(topic).await) })
        })
    }
}

/// Async `acs_chat_thread_client_update_properties` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_update_properties_async(
    thread_client: *const acs_chat_thread_client,
    options: *const acs_chat_update_thread_options,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let changes = update_thread_options(options)?;
            Ok(async move { engine(tc.update_properties(changes).await) })
        })
    }
}

/// Async `acs_chat_thread_client_send_message`: the callback receives the new message's id (common rules:
/// `acs_chat_client_create_thread_async`). A cancelled send may still have been delivered.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_send_message_async(
    thread_client: *const acs_chat_thread_client,
    content: *const c_char,
    options: *const acs_chat_send_message_options,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_string_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let content = str_arg(content, "content")?.to_owned();
            let options = send_message_options(options)?;
            Ok(async move {
                let sent = engine(tc.send_message(&content, options).await)?;
                Ok(sent.id)
            })
        })
    }
}

/// Async `acs_chat_thread_client_get_message` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_get_message_async(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_message_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let id = str_arg(message_id, "message_id")?.to_owned();
            Ok(async move {
                let message = engine(tc.get_message(&id).await)?;
                Ok(acs_chat_message::new(&message))
            })
        })
    }
}

/// Async `acs_chat_thread_client_update_message` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_update_message_async(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
    options: *const acs_chat_update_message_options,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let id = str_arg(message_id, "message_id")?.to_owned();
            let changes = update_message_options(options)?;
            Ok(async move { engine(tc.update_message(&id, changes).await) })
        })
    }
}

/// Async `acs_chat_thread_client_delete_message` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_delete_message_async(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let id = str_arg(message_id, "message_id")?.to_owned();
            Ok(async move { engine(tc.delete_message(&id).await) })
        })
    }
}

/// Async `acs_chat_thread_client_add_participants` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_add_participants_async(
    thread_client: *const acs_chat_thread_client,
    participant_list: *const acs_chat_participant_input,
    count: usize,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_participant_failures_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let list = participants(participant_list, count, "participants")?;
            if list.is_empty() {
                return Err(acs_chat_error::invalid("participants is empty"));
            }
            Ok(async move {
                let refused = engine(tc.add_participants(list).await)?;
                Ok(acs_chat_participant_failures::new(&refused))
            })
        })
    }
}

/// Async `acs_chat_thread_client_remove_participant`; the identifier is copied (common rules:
/// `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_remove_participant_async(
    thread_client: *const acs_chat_thread_client,
    identifier: *const acs_chat_identifier,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let identifier = handle(identifier, "identifier")?.inner.clone();
            Ok(async move { engine(tc.remove_participant(&identifier).await) })
        })
    }
}

/// Async `acs_chat_thread_client_send_typing_notification` (common rules:
/// `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_send_typing_notification_async(
    thread_client: *const acs_chat_thread_client,
    sender_display_name: *const c_char,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let mut options = TypingNotificationOptions::default();
            if let Some(n) = opt_str_arg(sender_display_name, "sender_display_name")? {
                options = options.sender_display_name(n);
            }
            Ok(async move { engine(tc.send_typing_notification(options).await) })
        })
    }
}

/// Async `acs_chat_thread_client_send_read_receipt` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_send_read_receipt_async(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let tc = handle(thread_client, "thread_client")?
                .inner
                .as_async()
                .clone();
            let id = str_arg(message_id, "message_id")?.to_owned();
            Ok(async move { engine(tc.send_read_receipt(&id).await) })
        })
    }
}

/// Async `acs_chat_identity_client_create_user` (common rules: `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_create_user_async(
    client: *const acs_chat_identity_client,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_identifier_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            Ok(async move {
                let user = engine(client.create_user().await)?;
                Ok(acs_chat_identifier::new(user))
            })
        })
    }
}

/// Async `acs_chat_identity_client_create_user_and_token` (common rules:
/// `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_create_user_and_token_async(
    client: *const acs_chat_identity_client,
    scope_list: *const u32,
    scope_count: usize,
    expires_in_minutes: u32,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_user_and_token_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            let scopes = scopes(scope_list, scope_count)?;
            let expires_in = expiry(expires_in_minutes);
            Ok(async move {
                let (user, token) =
                    engine(client.create_user_and_token(&scopes, expires_in).await)?;
                Ok((
                    acs_chat_identifier::new(user),
                    acs_chat_access_token::new(&token),
                ))
            })
        })
    }
}

/// Async `acs_chat_identity_client_get_token`; the user is copied (common rules:
/// `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_get_token_async(
    client: *const acs_chat_identity_client,
    user: *const acs_chat_identifier,
    scope_list: *const u32,
    scope_count: usize,
    expires_in_minutes: u32,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_access_token_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            let user = handle(user, "user")?.inner.clone();
            let scopes = scopes(scope_list, scope_count)?;
            let expires_in = expiry(expires_in_minutes);
            Ok(async move {
                let token = engine(client.get_token(&user, &scopes, expires_in).await)?;
                Ok(acs_chat_access_token::new(&token))
            })
        })
    }
}

/// Async `acs_chat_identity_client_revoke_tokens`; the user is copied (common rules:
/// `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_revoke_tokens_async(
    client: *const acs_chat_identity_client,
    user: *const acs_chat_identifier,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            let user = handle(user, "user")?.inner.clone();
            Ok(async move { engine(client.revoke_tokens(&user).await) })
        })
    }
}

/// Async `acs_chat_identity_client_delete_user`; the user is copied (common rules:
/// `acs_chat_client_create_thread_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_identity_client_delete_user_async(
    client: *const acs_chat_identity_client,
    user: *const acs_chat_identifier,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_done_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let client = handle(client, "client")?.inner.as_async().clone();
            let user = handle(user, "user")?.inner.clone();
            Ok(async move { engine(client.delete_user(&user).await) })
        })
    }
}

/// Yields the next thread of a listing without blocking (common rules:
/// `acs_chat_client_create_thread_async`). The callback gets the item, or `done` true at the end; after an
/// error the listing is over. Start the next `_next_async` on an iterator only after the previous one's
/// callback has run. The iterator may be freed while the call is in flight.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_iter_next_async(
    iter: *const acs_chat_thread_iter,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_thread_item_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let cursor = Arc::clone(&handle(iter, "iter")?.cursor);
            Ok(async move {
                let item = engine(next_item(&cursor).await)?;
                Ok(item.as_ref().map(acs_chat_thread_item::new))
            })
        })
    }
}

/// Async `acs_chat_message_iter_next` (rules as for `acs_chat_thread_iter_next_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_iter_next_async(
    iter: *const acs_chat_message_iter,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_message_item_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let cursor = Arc::clone(&handle(iter, "iter")?.cursor);
            Ok(async move {
                let item = engine(next_item(&cursor).await)?;
                Ok(item.as_ref().map(acs_chat_message::new))
            })
        })
    }
}

/// Async `acs_chat_participant_iter_next` (rules as for `acs_chat_thread_iter_next_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_iter_next_async(
    iter: *const acs_chat_participant_iter,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_participant_item_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let cursor = Arc::clone(&handle(iter, "iter")?.cursor);
            Ok(async move {
                let item = engine(next_item(&cursor).await)?;
                Ok(item.as_ref().map(acs_chat_participant::new))
            })
        })
    }
}

/// Async `acs_chat_read_receipt_iter_next` (rules as for `acs_chat_thread_iter_next_async`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_iter_next_async(
    iter: *const acs_chat_read_receipt_iter,
    call_options: *const acs_chat_call_options,
    callback: acs_chat_read_receipt_item_callback,
    user_data: *mut c_void,
    cancel_out: *mut *mut acs_chat_cancel,
) -> acs_chat_result {
    unsafe {
        start(call_options, callback, user_data, cancel_out, || {
            let cursor = Arc::clone(&handle(iter, "iter")?.cursor);
            Ok(async move {
                let item = engine(next_item(&cursor).await)?;
                Ok(item.as_ref().map(acs_chat_read_receipt::new))
            })
        })
    }
}
