//! The Chat API (bearer-token auth): all 16 operations, split by resource.
//!
//! Every handler is a plain function `fn(&App, &Ctx) -> Result<Response, ApiError>`; [`op`]
//! wraps it with the shared preamble (read body, check api-version, authenticate, check the
//! content type), so the preamble's order and error messages are the same on every route.
//!
//! Limits (service limits documentation) and the status each violation gets:
//! - more than 200 participants in one create-thread or `:add` call: 400;
//! - a thread growing past 250 participants: 403 (the call is refused as a whole);
//! - message content over 28 KB (28 * 1024 bytes of UTF-8): 400;
//! - metadata (message, thread, participant) over 1 KB of keys plus values: 400;
//! - read receipts (send and list) and typing notifications on a thread with more than 20
//!   participants: 403;
//! - `maxPageSize` outside 1..=200: 400.

mod messages;
mod participants;
mod receipts;
mod threads;
mod wire;

use std::future::Future;
use std::pin::Pin;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::http::Incoming;
use super::state::{State as AppState, ThreadState};
use super::versions::{self, ChatVersion};
use super::App;
use crate::error::ApiError;

/// Participants per thread (service limit).
pub(crate) const MAX_PARTICIPANTS: usize = 250;
/// Participants per create-thread or add-participants call (service limit).
pub(crate) const MAX_BATCH: usize = 200;
/// Message content size in bytes (service limit: 28 KB).
pub(crate) const MAX_CONTENT_BYTES: usize = 28 * 1024;
/// Total metadata size in bytes (keys + values), for messages, threads and participants.
pub(crate) const MAX_METADATA_BYTES: usize = 1024;
/// Read receipts and typing notifications are not supported above this many participants.
pub(crate) const MAX_PARTICIPANTS_FOR_RECEIPTS: usize = 20;

/// The chat routes (state: [`App`]).
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/chat/threads",
            get(op(threads::list)).post(op(threads::create)),
        )
        .route(
            "/chat/threads/{thread}",
            get(op(threads::get))
                .patch(op(threads::update))
                .delete(op(threads::delete)),
        )
        .route(
            "/chat/threads/{thread}/messages",
            get(op(messages::list)).post(op(messages::send)),
        )
        .route(
            "/chat/threads/{thread}/messages/{message}",
            get(op(messages::get))
                .patch(op(messages::update))
                .delete(op(messages::delete)),
        )
        .route(
            "/chat/threads/{thread}/participants",
            get(op(participants::list)),
        )
        .route(
            "/chat/threads/{thread}/participants/{action}",
            post(op(participants::action)),
        )
        .route(
            "/chat/threads/{thread}/readReceipts",
            get(op(receipts::list)).post(op(receipts::send)),
        )
        .route("/chat/threads/{thread}/typing", post(op(receipts::typing)))
}

/// What a token's scopes allow in chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Access {
    /// `chat.join.limited`: no thread create/delete/update, no participant changes.
    Limited,
    /// `chat.join`: no thread create/delete/update.
    Join,
    /// `chat`: everything.
    Full,
}

/// One authenticated chat request.
pub(crate) struct Ctx {
    pub inc: Incoming,
    pub version: ChatVersion,
    /// The caller's raw id (`8:acs:...`).
    pub caller: String,
    pub access: Access,
    /// `scheme://host` of this request.
    pub base: String,
}

impl Ctx {
    /// The decoded thread id from the path.
    pub(crate) fn thread_id(&self) -> Result<String, ApiError> {
        self.inc.segment(2)
    }

    /// The decoded segment after `/chat/threads/{id}/<collection>/`.
    pub(crate) fn sub_id(&self) -> Result<String, ApiError> {
        self.inc.segment(4)
    }

    /// 403 unless the token allows `needed`; `what` names the action.
    pub(crate) fn require(&self, needed: Access, what: &str) -> Result<(), ApiError> {
        if self.access >= needed {
            Ok(())
        } else {
            let scope = match needed {
                Access::Full => "'chat'",
                _ => "'chat' or 'chat.join'",
            };
            Err(ApiError::forbidden(format!(
                "The access token's scopes do not allow {what}; it needs the {scope} scope."
            )))
        }
    }
}

type Op = fn(&App, &Ctx) -> Result<Response, ApiError>;
type BoxedResponse = Pin<Box<dyn Future<Output = Response> + Send>>;

fn op(f: Op) -> impl Fn(State<App>, Request) -> BoxedResponse + Clone + Send + Sync + 'static {
    move |State(app): State<App>, req: Request| Box::pin(run(app, req, f))
}

async fn run(app: App, req: Request, f: Op) -> Response {
    let ctx = match prepare(&app, req).await {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    f(&app, &ctx).unwrap_or_else(IntoResponse::into_response)
}

async fn prepare(app: &App, req: Request) -> Result<Ctx, ApiError> {
    let inc = Incoming::read(req).await?;
    let version = versions::chat(inc.param("api-version"))?;
    let header = inc
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::unauthorized("The Authorization header is not valid ASCII."))
        })
        .transpose()?;
    let claims = app.authenticate_bearer(header)?;
    let access = if claims.has_scope("chat") {
        Access::Full
    } else if claims.has_scope("chat.join") {
        Access::Join
    } else if claims.has_scope("chat.join.limited") {
        Access::Limited
    } else {
        return Err(ApiError::forbidden(
            "The access token has no chat scope (chat, chat.join or chat.join.limited).",
        ));
    };
    inc.check_json_content_type()?;
    let base = inc.base_url(app.inner.config.scheme);
    Ok(Ctx {
        inc,
        version,
        caller: claims.user_id(),
        access,
        base,
    })
}

fn thread_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("The chat thread '{id}' does not exist."))
}

fn not_a_participant() -> ApiError {
    ApiError::forbidden("The caller is not a participant of this chat thread.")
}

/// The live thread `id` if `caller` participates (404 unknown/deleted, 403 non-participant).
pub(crate) fn readable<'a>(
    st: &'a AppState,
    id: &str,
    caller: &str,
) -> Result<&'a ThreadState, ApiError> {
    let t = st
        .threads
        .get(id)
        .filter(|t| t.rec.deleted_on.is_none())
        .ok_or_else(|| thread_not_found(id))?;
    if t.participant(caller).is_none() {
        return Err(not_a_participant());
    }
    Ok(t)
}

/// The same as [`readable`], for changing the thread.
pub(crate) fn writable<'a>(
    st: &'a mut AppState,
    id: &str,
    caller: &str,
) -> Result<&'a mut ThreadState, ApiError> {
    let t = st
        .threads
        .get_mut(id)
        .filter(|t| t.rec.deleted_on.is_none())
        .ok_or_else(|| thread_not_found(id))?;
    if t.participant(caller).is_none() {
        return Err(not_a_participant());
    }
    Ok(t)
}

/// 400 if `metadata` exceeds the size limit; `what` names its owner.
pub(crate) fn check_metadata(
    metadata: &super::model::Metadata,
    what: &str,
) -> Result<(), ApiError> {
    let size: usize = metadata.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_METADATA_BYTES {
        return Err(ApiError::bad_request(format!(
            "The {what} metadata is {size} bytes; the limit is {MAX_METADATA_BYTES} bytes (1 KB) of keys and values."
        ))
        .with_target("metadata"));
    }
    Ok(())
}

/// Applies a JSON merge patch to string metadata: `null` removes everything, a `null` value
/// removes its key, a string value sets it (400 for any other JSON type).
pub(crate) fn merge_metadata(
    current: Option<&super::model::Metadata>,
    patch: &serde_json::Value,
) -> Result<Option<super::model::Metadata>, ApiError> {
    match patch {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Object(map) => {
            let mut out = current.cloned().unwrap_or_default();
            for (k, v) in map {
                match v {
                    serde_json::Value::Null => {
                        out.remove(k);
                    }
                    serde_json::Value::String(s) => {
                        out.insert(k.clone(), s.clone());
                    }
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "Metadata values must be strings; '{k}' is not."
                        ))
                        .with_target("metadata"))
                    }
                }
            }
            Ok(Some(out))
        }
        _ => Err(
            ApiError::bad_request("'metadata' must be an object of strings.")
                .with_target("metadata"),
        ),
    }
}
