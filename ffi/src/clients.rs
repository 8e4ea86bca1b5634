//! Chat client and thread client handles and their blocking operations.
//!
//! Each operation blocks the calling thread until the engine (retries included) finishes. Clients are safe
//! to use from several threads at once. Do not call them from inside a callback of this library.

use std::ffi::c_char;

use acs_chat::blocking;
use acs_chat::options::DEFAULT_CHAT_API_VERSION;

use crate::boundary::{free_boxed, guard, handle, out_ptr, str_arg, write_boxed};
use crate::credential::acs_chat_credential;
use crate::error::acs_chat_error;
use crate::iterators::{
    acs_chat_message_iter, acs_chat_participant_iter, acs_chat_read_receipt_iter,
    acs_chat_thread_iter,
};
use crate::models::{
    acs_chat_identifier, acs_chat_message, acs_chat_participant_failures, acs_chat_thread,
};
use crate::options::{
    acs_chat_client_options, acs_chat_create_thread_options, acs_chat_list_options,
    acs_chat_participant_input, acs_chat_send_message_options, acs_chat_update_message_options,
    acs_chat_update_thread_options, client_options, create_thread_options, offset_list_options,
    participants, send_message_options, time_list_options, update_message_options,
    update_thread_options,
};
use crate::result::acs_chat_result;
use crate::strings::into_c_string;

/// A chat client for one user (one credential). Safe to share between threads.
pub struct acs_chat_client {
    pub(crate) inner: blocking::ChatClient,
}

/// A client for one thread. Safe to share between threads; independent of the chat client it came from
/// (either may be freed first).
pub struct acs_chat_thread_client {
    pub(crate) inner: blocking::ChatThreadClient,
}

/// Makes a chat client for `endpoint` (`https://<resource>.communication.azure.com`). `credential` is
/// borrowed (the client keeps its own reference); `options` may be NULL for the defaults.
///
/// Errors: `ACS_CHAT_RESULT_INVALID_ARGUMENT` for NULL/invalid arguments or a malformed endpoint; an
/// unusable extra root certificate gives `ACS_CHAT_RESULT_INVALID_ARGUMENT` or, when the HTTP stack only
/// notices it while building, `ACS_CHAT_RESULT_TRANSPORT`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_new(
    endpoint: *const c_char,
    credential: *const acs_chat_credential,
    options: *const acs_chat_client_options,
    client_out: *mut *mut acs_chat_client,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(client_out, "client_out")?;
        let endpoint = str_arg(endpoint, "endpoint")?;
        let credential = handle(credential, "credential")?;
        let options = client_options(options, DEFAULT_CHAT_API_VERSION)?;
        let inner = blocking::ChatClient::new(endpoint, credential.inner.clone(), options)?;
        write_boxed(out, acs_chat_client { inner });
        Ok(())
    })
}

/// Frees a chat client. Thread clients made from it keep working. NULL is accepted and ignored. The caller
/// must ensure no other thread is inside a call on this client.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_free(client: *mut acs_chat_client) {
    free_boxed(client)
}

/// Makes a client for thread `thread_id` (no request is sent).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_get_thread_client(
    client: *const acs_chat_client,
    thread_id: *const c_char,
    thread_client_out: *mut *mut acs_chat_thread_client,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(thread_client_out, "thread_client_out")?;
        let client = handle(client, "client")?;
        let thread_id = str_arg(thread_id, "thread_id")?;
        let inner = client.inner.get_chat_thread_client(thread_id)?;
        write_boxed(out, acs_chat_thread_client { inner });
        Ok(())
    })
}

/// Creates a thread with `topic`; the caller becomes a participant. `options` may be NULL.
///
/// `thread_out` receives the new thread (free with `acs_chat_thread_free`). `failures_out` may be NULL; if
/// not, it receives the participants the service refused (possibly none; free with
/// `acs_chat_participant_failures_free`): refusals do not fail the call.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_create_thread(
    client: *const acs_chat_client,
    topic: *const c_char,
    options: *const acs_chat_create_thread_options,
    thread_out: *mut *mut acs_chat_thread,
    failures_out: *mut *mut acs_chat_participant_failures,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(thread_out, "thread_out")?;
        let client = handle(client, "client")?;
        let topic = str_arg(topic, "topic")?;
        let options = create_thread_options(options)?;
        let created = client.inner.create_chat_thread(topic, options)?;
        write_boxed(out, acs_chat_thread::new(&created.chat_thread));
        if !failures_out.is_null() {
            write_boxed(
                failures_out,
                acs_chat_participant_failures::new(&created.errors),
            );
        }
        Ok(())
    })
}

/// Starts listing the caller's threads (most recently active first); no request is sent until the first
/// `acs_chat_thread_iter_next`. `options` may be NULL.
///
/// Errors: `ACS_CHAT_RESULT_INVALID_ARGUMENT` for a page size above 200 or an out-of-range start time.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_list_threads(
    client: *const acs_chat_client,
    options: *const acs_chat_list_options,
    iter_out: *mut *mut acs_chat_thread_iter,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(iter_out, "iter_out")?;
        let client = handle(client, "client")?;
        let pager = client
            .inner
            .as_async()
            .list_chat_threads(time_list_options(options)?)?;
        write_boxed(out, acs_chat_thread_iter::new(pager));
        Ok(())
    })
}

/// Deletes a thread (deleting a missing thread succeeds, as in the service).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_client_delete_thread(
    client: *const acs_chat_client,
    thread_id: *const c_char,
) -> acs_chat_result {
    guard(|| {
        let client = handle(client, "client")?;
        let thread_id = str_arg(thread_id, "thread_id")?;
        client.inner.delete_chat_thread(thread_id)?;
        Ok(())
    })
}

/// Makes a client for thread `thread_id` directly, without a chat client. Arguments as for
/// `acs_chat_client_new`; no request is sent.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_new(
    endpoint: *const c_char,
    credential: *const acs_chat_credential,
    thread_id: *const c_char,
    options: *const acs_chat_client_options,
    thread_client_out: *mut *mut acs_chat_thread_client,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(thread_client_out, "thread_client_out")?;
        let endpoint = str_arg(endpoint, "endpoint")?;
        let credential = handle(credential, "credential")?;
        let thread_id = str_arg(thread_id, "thread_id")?;
        let options = client_options(options, DEFAULT_CHAT_API_VERSION)?;
        let inner = blocking::ChatThreadClient::new(
            endpoint,
            credential.inner.clone(),
            thread_id,
            options,
        )?;
        write_boxed(out, acs_chat_thread_client { inner });
        Ok(())
    })
}

/// Frees a thread client. NULL is accepted and ignored. The caller must ensure no other thread is inside a
/// call on it.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_free(thread_client: *mut acs_chat_thread_client) {
    free_boxed(thread_client)
}

/// The thread id, as an owned string (free with `acs_chat_string_free`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_thread_id(
    thread_client: *const acs_chat_thread_client,
    thread_id_out: *mut *mut c_char,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(thread_id_out, "thread_id_out")?;
        let tc = handle(thread_client, "thread_client")?;
        unsafe { *out = into_c_string(tc.inner.thread_id()) };
        Ok(())
    })
}

/// Gets the thread's properties (free the result with `acs_chat_thread_free`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_get_properties(
    thread_client: *const acs_chat_thread_client,
    thread_out: *mut *mut acs_chat_thread,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(thread_out, "thread_out")?;
        let tc = handle(thread_client, "thread_client")?;
        let props = tc.inner.get_properties()?;
        write_boxed(out, acs_chat_thread::new(&props));
        Ok(())
    })
}

/// Sets the thread's topic.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_update_topic(
    thread_client: *const acs_chat_thread_client,
    topic: *const c_char,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let topic = str_arg(topic, "topic")?;
        tc.inner.update_topic(topic)?;
        Ok(())
    })
}

/// Changes the thread's topic and/or metadata (`options` not NULL; unset fields stay unchanged).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_update_properties(
    thread_client: *const acs_chat_thread_client,
    options: *const acs_chat_update_thread_options,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let changes = update_thread_options(options)?;
        tc.inner.update_properties(changes)?;
        Ok(())
    })
}

/// Sends a message; `message_id_out` receives its id (free with `acs_chat_string_free`). `options` may be
/// NULL (text, no display name).
///
/// Errors include `ACS_CHAT_RESULT_AMBIGUOUS_WRITE`: the outcome is unknown, check before resending.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_send_message(
    thread_client: *const acs_chat_thread_client,
    content: *const c_char,
    options: *const acs_chat_send_message_options,
    message_id_out: *mut *mut c_char,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(message_id_out, "message_id_out")?;
        let tc = handle(thread_client, "thread_client")?;
        let content = str_arg(content, "content")?;
        let options = send_message_options(options)?;
        let sent = tc.inner.send_message(content, options)?;
        unsafe { *out = into_c_string(&sent.id) };
        Ok(())
    })
}

/// Gets one message (free the result with `acs_chat_message_free`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_get_message(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
    message_out: *mut *mut acs_chat_message,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(message_out, "message_out")?;
        let tc = handle(thread_client, "thread_client")?;
        let id = str_arg(message_id, "message_id")?;
        let message = tc.inner.get_message(id)?;
        write_boxed(out, acs_chat_message::new(&message));
        Ok(())
    })
}

/// Starts listing messages (newest first); no request is sent until the first `acs_chat_message_iter_next`.
/// `options` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_list_messages(
    thread_client: *const acs_chat_thread_client,
    options: *const acs_chat_list_options,
    iter_out: *mut *mut acs_chat_message_iter,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(iter_out, "iter_out")?;
        let tc = handle(thread_client, "thread_client")?;
        let pager = tc
            .inner
            .as_async()
            .list_messages(time_list_options(options)?)?;
        write_boxed(out, acs_chat_message_iter::new(pager));
        Ok(())
    })
}

/// Edits a message's content and/or metadata (`options` not NULL).
///
/// Errors include `ACS_CHAT_RESULT_AMBIGUOUS_WRITE`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_update_message(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
    options: *const acs_chat_update_message_options,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let id = str_arg(message_id, "message_id")?;
        let changes = update_message_options(options)?;
        tc.inner.update_message(id, changes)?;
        Ok(())
    })
}

/// Deletes a message.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_delete_message(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let id = str_arg(message_id, "message_id")?;
        tc.inner.delete_message(id)?;
        Ok(())
    })
}

/// Starts listing participants; no request is sent until the first `acs_chat_participant_iter_next`.
/// `options` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_list_participants(
    thread_client: *const acs_chat_thread_client,
    options: *const acs_chat_list_options,
    iter_out: *mut *mut acs_chat_participant_iter,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(iter_out, "iter_out")?;
        let tc = handle(thread_client, "thread_client")?;
        let pager = tc
            .inner
            .as_async()
            .list_participants(offset_list_options(options)?)?;
        write_boxed(out, acs_chat_participant_iter::new(pager));
        Ok(())
    })
}

/// Adds `count` participants (`participants` may be NULL only when `count` is 0). `failures_out` may be
/// NULL; if not, it receives the participants the service refused (free with
/// `acs_chat_participant_failures_free`).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_add_participants(
    thread_client: *const acs_chat_thread_client,
    participant_list: *const acs_chat_participant_input,
    count: usize,
    failures_out: *mut *mut acs_chat_participant_failures,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let list = participants(participant_list, count, "participants")?;
        if list.is_empty() {
            return Err(acs_chat_error::invalid("participants is empty"));
        }
        let refused = tc.inner.add_participants(list)?;
        if !failures_out.is_null() {
            write_boxed(failures_out, acs_chat_participant_failures::new(&refused));
        }
        Ok(())
    })
}

/// Removes a participant (borrowed identifier).
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_remove_participant(
    thread_client: *const acs_chat_thread_client,
    identifier: *const acs_chat_identifier,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let identifier = handle(identifier, "identifier")?;
        tc.inner.remove_participant(&identifier.inner)?;
        Ok(())
    })
}

/// Sends a typing notification; `sender_display_name` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_send_typing_notification(
    thread_client: *const acs_chat_thread_client,
    sender_display_name: *const c_char,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let mut options = acs_chat::operation_options::TypingNotificationOptions::default();
        if let Some(n) = crate::boundary::opt_str_arg(sender_display_name, "sender_display_name")? {
            options = options.sender_display_name(n);
        }
        tc.inner.send_typing_notification(options)?;
        Ok(())
    })
}

/// Marks message `message_id` (and the ones before it) as read by the caller.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_send_read_receipt(
    thread_client: *const acs_chat_thread_client,
    message_id: *const c_char,
) -> acs_chat_result {
    guard(|| {
        let tc = handle(thread_client, "thread_client")?;
        let id = str_arg(message_id, "message_id")?;
        tc.inner.send_read_receipt(id)?;
        Ok(())
    })
}

/// Starts listing read receipts; no request is sent until the first `acs_chat_read_receipt_iter_next`.
/// `options` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_client_list_read_receipts(
    thread_client: *const acs_chat_thread_client,
    options: *const acs_chat_list_options,
    iter_out: *mut *mut acs_chat_read_receipt_iter,
) -> acs_chat_result {
    guard(|| {
        let out = out_ptr(iter_out, "iter_out")?;
        let tc = handle(thread_client, "thread_client")?;
        let pager = tc
            .inner
            .as_async()
            .list_read_receipts(offset_list_options(options)?)?;
        write_boxed(out, acs_chat_read_receipt_iter::new(pager));
        Ok(())
    })
}
