//! `libacs_chat`: the acs-chat engine behind a small, handle-based C ABI.
//!
//! The C declarations live in `include/acs_chat.h`, generated from this crate by cbindgen; its preamble states
//! the ownership, threading, async and versioning rules. This crate holds no chat behaviour of its own:
//! blocking operations forward to the blocking facade of the `acs-chat` crate (`acs_chat::blocking`), and the
//! `_async` ones spawn the engine's async operations on that facade's runtime (`acs_chat::blocking::runtime()`),
//! so one process-wide tokio runtime serves all calls.
//!
//! Every exported function catches panics ([`acs_chat_result::ACS_CHAT_RESULT_PANIC`]), validates its
//! pointers and strings ([`acs_chat_result::ACS_CHAT_RESULT_INVALID_ARGUMENT`]) and writes its out-parameters
//! only when it returns [`acs_chat_result::ACS_CHAT_RESULT_OK`].

#![allow(non_camel_case_types)]
// Every exported function checks its pointers before dereferencing them; the C contract (valid, live
// pointers or NULL) is documented once in the header preamble rather than on each function.
#![allow(clippy::missing_safety_doc)]

mod async_ops;
mod boundary;
mod calls;
mod clients;
mod credential;
mod error;
mod identity;
mod iterators;
mod models;
mod options;
mod result;
mod strings;
mod version;

pub use async_ops::*;
pub use calls::*;
pub use clients::*;
pub use credential::*;
pub use error::*;
pub use identity::*;
pub use iterators::*;
pub use models::*;
pub use options::*;
pub use result::*;
pub use strings::*;
pub use version::*;
