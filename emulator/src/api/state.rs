//! The in-memory state: the source of truth for reads, rebuilt from SQLite on open.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::model::{
    IdentityRecord, MessageRecord, ParticipantRecord, ReceiptRecord, RepeatRecord, ThreadRecord,
};
use super::store::Loaded;

/// Everything the emulator knows. Guarded by the app's `RwLock`; writers also hold the
/// database mutex and persist before mutating this.
#[derive(Default)]
pub(crate) struct State {
    /// By raw id.
    pub identities: HashMap<String, IdentityRecord>,
    /// By thread id (deleted threads stay, with `deleted_on`).
    pub threads: HashMap<String, ThreadState>,
    /// Raw id -> ids of the threads the user currently participates in.
    pub user_threads: HashMap<String, HashSet<String>>,
    /// `(caller, repeatability-request-id)` -> the original answer.
    pub repeats: HashMap<(String, String), RepeatRecord>,
}

/// One thread with everything in it.
pub(crate) struct ThreadState {
    pub rec: ThreadRecord,
    /// Current participants in join order.
    pub participants: Vec<ParticipantRecord>,
    /// All messages; `messages[i].seq == i + 1`; ids and `created_on` never decrease.
    pub messages: Vec<MessageRecord>,
    /// One per sender, in first-receipt order.
    pub receipts: Vec<ReceiptRecord>,
    /// Next participant `order` value.
    pub next_order: u64,
    /// Next receipt `order` value.
    pub next_receipt_order: u64,
}

impl ThreadState {
    /// A new thread without participants or messages.
    pub(crate) fn new(rec: ThreadRecord) -> Self {
        ThreadState {
            rec,
            participants: Vec::new(),
            messages: Vec::new(),
            receipts: Vec::new(),
            next_order: 1,
            next_receipt_order: 1,
        }
    }

    /// The participant with raw id `raw`, if present.
    pub(crate) fn participant(&self, raw: &str) -> Option<&ParticipantRecord> {
        self.participants.iter().find(|p| p.raw_id == raw)
    }

    /// Epoch ms of the thread's last activity as of `as_of_ms`: the latest message created at
    /// or before it, else the creation time (even if later, so a thread created just now
    /// still sorts, first, into a listing that started before it).
    pub(crate) fn activity_as_of(&self, as_of_ms: i64) -> i64 {
        // created_on never decreases along the list, so this is a binary search.
        let n = self
            .messages
            .partition_point(|m| m.created_on.timestamp_millis() <= as_of_ms);
        match n {
            0 => self.rec.created_on.timestamp_millis(),
            n => self.messages[n - 1].created_on.timestamp_millis(),
        }
    }

    /// `lastMessageReceivedOn`: when the last message arrived, not counting the two creation
    /// messages of a thread created without listing participants (see `quiet_creation`).
    pub(crate) fn last_message_received_on(&self) -> Option<DateTime<Utc>> {
        let counted = if self.rec.quiet_creation {
            self.messages.get(CREATION_MESSAGES..).unwrap_or(&[])
        } else {
            &self.messages[..]
        };
        counted.last().map(|m| m.created_on)
    }

    /// `(id, seq, created_on)` for the next message: the id is epoch ms of `now`, bumped past
    /// the previous id when two messages land in the same millisecond; `created_on` never goes
    /// backwards even if the wall clock does.
    pub(crate) fn next_message_slot(&self, now: DateTime<Utc>) -> (u64, u64, DateTime<Utc>) {
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        match self.messages.last() {
            Some(last) => (
                now_ms.max(last.id + 1),
                last.seq + 1,
                now.max(last.created_on),
            ),
            None => (now_ms, 1, now),
        }
    }

    /// Index of the message with epoch-ms id `id` (ids are sorted, so a binary search).
    pub(crate) fn message_index(&self, id: u64) -> Option<usize> {
        self.messages.binary_search_by_key(&id, |m| m.id).ok()
    }

    /// Adds a message built by [`Self::next_message_slot`].
    pub(crate) fn push_message(&mut self, m: MessageRecord) {
        debug_assert_eq!(m.seq as usize, self.messages.len() + 1);
        self.messages.push(m);
    }
}

impl State {
    /// Rebuilds the state from stored rows.
    pub(crate) fn from_loaded(loaded: Loaded) -> State {
        let mut st = State::default();
        for i in loaded.identities {
            st.identities.insert(i.id.clone(), i);
        }
        for t in loaded.threads {
            st.threads.insert(t.id.clone(), ThreadState::new(t));
        }
        for (tid, m) in loaded.messages {
            if let Some(t) = st.threads.get_mut(&tid) {
                t.push_message(m);
            }
        }
        for (tid, p) in loaded.participants {
            if let Some(t) = st.threads.get_mut(&tid) {
                t.next_order = t.next_order.max(p.order + 1);
                st.user_threads
                    .entry(p.raw_id.clone())
                    .or_default()
                    .insert(tid.clone());
                t.participants.push(p);
            }
        }
        for (tid, r) in loaded.receipts {
            if let Some(t) = st.threads.get_mut(&tid) {
                t.next_receipt_order = t.next_receipt_order.max(r.order + 1);
                t.receipts.push(r);
            }
        }
        for t in st.threads.values_mut() {
            t.participants.sort_by_key(|p| p.order);
            t.receipts.sort_by_key(|r| r.order);
        }
        for (caller, id, r) in loaded.repeats {
            st.repeats.insert((caller, id), r);
        }
        st
    }

    /// Records that `raw` now participates in `thread_id`.
    pub(crate) fn index_join(&mut self, raw: &str, thread_id: &str) {
        self.user_threads
            .entry(raw.to_owned())
            .or_default()
            .insert(thread_id.to_owned());
    }

    /// Records that `raw` left `thread_id`.
    pub(crate) fn index_leave(&mut self, raw: &str, thread_id: &str) {
        if let Some(set) = self.user_threads.get_mut(raw) {
            set.remove(thread_id);
        }
    }
}

/// How many system messages a new thread starts with (participantAdded, topicUpdated).
pub(crate) const CREATION_MESSAGES: usize = 2;

/// Whether a message kind is one users send (as opposed to a system event).
pub(crate) fn is_user_message(kind: &str) -> bool {
    kind == "text" || kind == "html"
}
