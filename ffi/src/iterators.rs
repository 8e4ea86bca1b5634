//! Iterators over the list calls. Each `_next` fetches pages as needed (blocking) and yields one item; each
//! `_next_async` does the same without blocking (see `async_ops`).
//!
//! An iterator is owned by the caller (free with its `_free`, NULL accepted) and must not be used from two
//! threads at once. On `ACS_CHAT_RESULT_OK`, `*done_out` tells whether the list has ended: when false the item
//! is written to the item out-parameter (owned by the caller), when true that out-parameter is set to NULL.
//! After an error the iteration is over: later calls report done.
//!
//! The iterators drive the engine's async pager directly (not the blocking facade's), so that blocking and
//! async `_next` calls share one cursor. The cursor sits behind an async mutex in an `Arc`: an in-flight
//! `_next_async` holds its own reference, so freeing the iterator meanwhile is safe.

use std::collections::VecDeque;
use std::sync::Arc;

use acs_chat::models::{ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem};
use acs_chat::Pager;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::boundary::{free_boxed, guard, handle, out_ptr, FfiResult};
use crate::error::acs_chat_error;
use crate::models::{
    acs_chat_message, acs_chat_participant, acs_chat_read_receipt, acs_chat_thread_item,
};
use crate::result::acs_chat_result;

/// Position in a listing: the engine's pager, the rest of the current page, and whether the end (or an
/// error) was reached.
pub(crate) struct Cursor<T> {
    pager: Pager<T>,
    buffer: VecDeque<T>,
    finished: bool,
}

/// A cursor shared between an iterator handle and its in-flight async calls.
pub(crate) type SharedCursor<T> = Arc<Mutex<Cursor<T>>>;

fn shared<T>(pager: Pager<T>) -> SharedCursor<T> {
    Arc::new(Mutex::new(Cursor {
        pager,
        buffer: VecDeque::new(),
        finished: false,
    }))
}

/// The next item, fetching a page when the current one is used up; `None` at the end. After an error the
/// cursor reports the end, as the blocking iterators of the engine do.
pub(crate) async fn next_item<T>(cursor: &Mutex<Cursor<T>>) -> acs_chat::Result<Option<T>>
where
    T: DeserializeOwned + Send + 'static,
{
    let mut c = cursor.lock().await;
    loop {
        if let Some(item) = c.buffer.pop_front() {
            return Ok(Some(item));
        }
        if c.finished {
            return Ok(None);
        }
        match c.pager.next_page().await {
            Ok(Some(page)) => c.buffer.extend(page.items),
            Ok(None) => {
                c.finished = true;
                return Ok(None);
            }
            Err(e) => {
                c.finished = true;
                return Err(e);
            }
        }
    }
}

/// Advances `cursor` (blocking) and writes the converted item (or NULL and done) to checked out-parameters.
fn next_into<T, C>(
    cursor: &SharedCursor<T>,
    item_out: *mut *mut C,
    done_out: *mut bool,
    convert: impl FnOnce(&T) -> C,
) -> FfiResult<()>
where
    T: DeserializeOwned + Send + 'static,
{
    // Blocking on a library thread (inside a callback) would stall the runtime the call needs.
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(acs_chat_error::invalid(
            "a blocking _iter_next was called on a library thread (inside a callback); use _iter_next_async",
        ));
    }
    let runtime = acs_chat::blocking::runtime()?;
    match runtime.block_on(next_item(cursor))? {
        Some(item) => {
            unsafe {
                *item_out = Box::into_raw(Box::new(convert(&item)));
                *done_out = false;
            }
            Ok(())
        }
        None => {
            unsafe {
                *item_out = std::ptr::null_mut();
                *done_out = true;
            }
            Ok(())
        }
    }
}

/// Iterator over threads (`acs_chat_client_list_threads`).
pub struct acs_chat_thread_iter {
    pub(crate) cursor: SharedCursor<ChatThreadItem>,
}

impl acs_chat_thread_iter {
    pub(crate) fn new(pager: Pager<ChatThreadItem>) -> Self {
        acs_chat_thread_iter {
            cursor: shared(pager),
        }
    }
}

/// Yields the next thread (free with `acs_chat_thread_item_free`); see the module rules for `done_out`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_iter_next(
    iter: *mut acs_chat_thread_iter,
    thread_out: *mut *mut acs_chat_thread_item,
    done_out: *mut bool,
) -> acs_chat_result {
    guard(|| {
        let item_out = out_ptr(thread_out, "thread_out")?;
        let done_out = out_ptr(done_out, "done_out")?;
        let iter = handle(iter, "iter")?;
        next_into(&iter.cursor, item_out, done_out, acs_chat_thread_item::new)
    })
}

/// Frees a thread iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_iter_free(iter: *mut acs_chat_thread_iter) {
    free_boxed(iter)
}

/// Iterator over messages (`acs_chat_thread_client_list_messages`).
pub struct acs_chat_message_iter {
    pub(crate) cursor: SharedCursor<ChatMessage>,
}

impl acs_chat_message_iter {
    pub(crate) fn new(pager: Pager<ChatMessage>) -> Self {
        acs_chat_message_iter {
            cursor: shared(pager),
        }
    }
}

/// Yields the next message (free with `acs_chat_message_free`); see the module rules for `done_out`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_iter_next(
    iter: *mut acs_chat_message_iter,
    message_out: *mut *mut acs_chat_message,
    done_out: *mut bool,
) -> acs_chat_result {
    guard(|| {
        let item_out = out_ptr(message_out, "message_out")?;
        let done_out = out_ptr(done_out, "done_out")?;
        let iter = handle(iter, "iter")?;
        next_into(&iter.cursor, item_out, done_out, acs_chat_message::new)
    })
}

/// Frees a message iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_iter_free(iter: *mut acs_chat_message_iter) {
    free_boxed(iter)
}

/// Iterator over participants (`acs_chat_thread_client_list_participants`).
pub struct acs_chat_participant_iter {
    pub(crate) cursor: SharedCursor<ChatParticipant>,
}

impl acs_chat_participant_iter {
    pub(crate) fn new(pager: Pager<ChatParticipant>) -> Self {
        acs_chat_participant_iter {
            cursor: shared(pager),
        }
    }
}

/// Yields the next participant (free with `acs_chat_participant_free`); see the module rules for `done_out`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_iter_next(
    iter: *mut acs_chat_participant_iter,
    participant_out: *mut *mut acs_chat_participant,
    done_out: *mut bool,
) -> acs_chat_result {
    guard(|| {
        let item_out = out_ptr(participant_out, "participant_out")?;
        let done_out = out_ptr(done_out, "done_out")?;
        let iter = handle(iter, "iter")?;
        next_into(&iter.cursor, item_out, done_out, acs_chat_participant::new)
    })
}

/// Frees a participant iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_iter_free(iter: *mut acs_chat_participant_iter) {
    free_boxed(iter)
}

/// Iterator over read receipts (`acs_chat_thread_client_list_read_receipts`).
pub struct acs_chat_read_receipt_iter {
    pub(crate) cursor: SharedCursor<ChatMessageReadReceipt>,
}

impl acs_chat_read_receipt_iter {
    pub(crate) fn new(pager: Pager<ChatMessageReadReceipt>) -> Self {
        acs_chat_read_receipt_iter {
            cursor: shared(pager),
        }
    }
}

/// Yields the next read receipt (free with `acs_chat_read_receipt_free`); see the module rules for
/// `done_out`.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_iter_next(
    iter: *mut acs_chat_read_receipt_iter,
    receipt_out: *mut *mut acs_chat_read_receipt,
    done_out: *mut bool,
) -> acs_chat_result {
    guard(|| {
        let item_out = out_ptr(receipt_out, "receipt_out")?;
        let done_out = out_ptr(done_out, "done_out")?;
        let iter = handle(iter, "iter")?;
        next_into(&iter.cursor, item_out, done_out, acs_chat_read_receipt::new)
    })
}

/// Frees a read-receipt iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_iter_free(iter: *mut acs_chat_read_receipt_iter) {
    free_boxed(iter)
}
