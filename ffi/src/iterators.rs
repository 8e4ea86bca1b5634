//! Iterators over the list calls. Each `_next` fetches pages as needed (blocking) and yields one item.
//!
//! An iterator is owned by the caller (free with its `_free`, NULL accepted) and must not be used from two
//! threads at once. On `ACS_CHAT_RESULT_OK`, `*done_out` tells whether the list has ended: when false the item
//! is written to the item out-parameter (owned by the caller), when true that out-parameter is set to NULL.
//! After an error the iteration is over: later calls report done.

use acs_chat::blocking::Pager;
use acs_chat::models::{ChatMessage, ChatMessageReadReceipt, ChatParticipant, ChatThreadItem};

use crate::boundary::{free_boxed, guard, handle_mut, out_ptr, FfiResult};
use crate::models::{
    acs_chat_message, acs_chat_participant, acs_chat_read_receipt, acs_chat_thread_item,
};
use crate::result::acs_chat_result;

/// Advances `pager` and writes the converted item (or NULL and done) to checked out-parameters.
fn next_into<T, C>(
    pager: &mut Pager<T>,
    item_out: *mut *mut C,
    done_out: *mut bool,
    convert: impl FnOnce(&T) -> C,
) -> FfiResult<()>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    match pager.next() {
        Some(Ok(item)) => {
            unsafe {
                *item_out = Box::into_raw(Box::new(convert(&item)));
                *done_out = false;
            }
            Ok(())
        }
        Some(Err(e)) => Err(e.into()),
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
    pager: Pager<ChatThreadItem>,
}

impl acs_chat_thread_iter {
    pub(crate) fn new(pager: Pager<ChatThreadItem>) -> Self {
        acs_chat_thread_iter { pager }
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
        let iter = handle_mut(iter, "iter")?;
        next_into(
            &mut iter.pager,
            item_out,
            done_out,
            acs_chat_thread_item::new,
        )
    })
}

/// Frees a thread iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_thread_iter_free(iter: *mut acs_chat_thread_iter) {
    free_boxed(iter)
}

/// Iterator over messages (`acs_chat_thread_client_list_messages`).
pub struct acs_chat_message_iter {
    pager: Pager<ChatMessage>,
}

impl acs_chat_message_iter {
    pub(crate) fn new(pager: Pager<ChatMessage>) -> Self {
        acs_chat_message_iter { pager }
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
        let iter = handle_mut(iter, "iter")?;
        next_into(&mut iter.pager, item_out, done_out, acs_chat_message::new)
    })
}

/// Frees a message iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_message_iter_free(iter: *mut acs_chat_message_iter) {
    free_boxed(iter)
}

/// Iterator over participants (`acs_chat_thread_client_list_participants`).
pub struct acs_chat_participant_iter {
    pager: Pager<ChatParticipant>,
}

impl acs_chat_participant_iter {
    pub(crate) fn new(pager: Pager<ChatParticipant>) -> Self {
        acs_chat_participant_iter { pager }
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
        let iter = handle_mut(iter, "iter")?;
        next_into(
            &mut iter.pager,
            item_out,
            done_out,
            acs_chat_participant::new,
        )
    })
}

/// Frees a participant iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_participant_iter_free(iter: *mut acs_chat_participant_iter) {
    free_boxed(iter)
}

/// Iterator over read receipts (`acs_chat_thread_client_list_read_receipts`).
pub struct acs_chat_read_receipt_iter {
    pager: Pager<ChatMessageReadReceipt>,
}

impl acs_chat_read_receipt_iter {
    pub(crate) fn new(pager: Pager<ChatMessageReadReceipt>) -> Self {
        acs_chat_read_receipt_iter { pager }
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
        let iter = handle_mut(iter, "iter")?;
        next_into(
            &mut iter.pager,
            item_out,
            done_out,
            acs_chat_read_receipt::new,
        )
    })
}

/// Frees a read-receipt iterator. NULL is accepted and ignored.
#[no_mangle]
pub unsafe extern "C" fn acs_chat_read_receipt_iter_free(iter: *mut acs_chat_read_receipt_iter) {
    free_boxed(iter)
}
