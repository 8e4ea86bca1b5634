//! The ACS Chat and Identity REST APIs: state, storage, authentication and routes.
//!
//! Interface used by the server shell (`server.rs`):
//! - [`Storage`] says where data lives.
//! - [`App::open`] loads (or creates) the database, including the token-signing secret and resource id.
//! - [`App::router`] returns every chat and identity route (and a 404/405 envelope fallback).
//! - [`App::create_user`] mints an identity with a token in one call (for in-process tests).
//!
//! Concurrency: reads take the state's read lock; writes take the state's write lock, then the
//! database mutex (always in that order), persist, and only then change memory.

use std::path::PathBuf;

/// Where the emulator keeps its data.
#[derive(Debug, Clone)]
pub enum Storage {
    /// An SQLite file (created if missing). Every acknowledged write survives `kill -9`.
    File(PathBuf),
    /// A throwaway in-memory SQLite database.
    InMemory,
}

pub mod auth;
mod chat;
mod http;
mod identifier;
mod identity;
mod model;
mod paging;
mod state;
mod store;
mod time;
mod versions;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use parking_lot::{Mutex, RwLock};
use rand::RngCore;

use crate::error::ApiError;
use auth::token::SerialClock;
use state::State;
use store::Db;

/// What [`App::open`] needs. `Debug` redacts the access key.
#[derive(Clone)]
pub struct AppConfig {
    /// Where the data lives.
    pub storage: Storage,
    /// The decoded access key that signs identity and admin requests.
    pub access_key: Vec<u8>,
    /// `"http"` or `"https"`: used to build `Location` headers and `nextLink`s from the request's `Host`.
    pub scheme: &'static str,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("storage", &self.storage)
            .field("access_key", &"<redacted>")
            .field("scheme", &self.scheme)
            .finish()
    }
}

/// An ACS user minted by the emulator, with an access token.
#[derive(Clone)]
pub struct UserWithToken {
    /// The `8:acs:<resource>_<suffix>` raw id.
    pub id: String,
    /// The JWT access token (a secret: never log it).
    pub token: String,
    /// When the token expires (whole seconds; equals its `exp` claim).
    pub expires_on: DateTime<Utc>,
}

impl std::fmt::Debug for UserWithToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserWithToken")
            .field("id", &self.id)
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// The emulator's state and routes; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    config: AppConfig,
    /// HS256 key for access tokens (persisted; never logged).
    secret: Vec<u8>,
    /// The resource's immutable GUID (persisted), part of every user id.
    resource_id: String,
    serials: SerialClock,
    state: RwLock<State>,
    db: Mutex<Db>,
}

const META_SECRET: &str = "token_secret";
const META_RESOURCE: &str = "resource_id";

/// `api-supported-versions` on chat responses (and unknown paths).
const CHAT_VERSIONS_HEADER: &str = "2021-03-07, 2021-09-07, 2023-11-07, 2024-03-07, 2025-03-15";
/// `api-supported-versions` on identity responses.
const IDENTITY_VERSIONS_HEADER: &str =
    "2021-03-07, 2022-06-01, 2022-10-01, 2023-08-01, 2023-10-01, 2025-06-30, 2026-07-22, 2026-09-23";

impl App {
    /// Opens (or creates) the database and loads its state.
    ///
    /// The token-signing secret and the resource id are created on first open and stored, so
    /// tokens stay valid across restarts. Errors: the database cannot be opened or read.
    pub fn open(config: AppConfig) -> anyhow::Result<App> {
        let db = Db::open(&config.storage)?;
        let secret = match db.meta(META_SECRET)? {
            Some(s) if s.len() == 32 => s,
            _ => {
                let mut s = vec![0u8; 32];
                rand::thread_rng().fill_bytes(&mut s);
                db.put_meta(META_SECRET, &s)?;
                s
            }
        };
        let resource_id = match db.meta(META_RESOURCE)? {
            Some(r) => String::from_utf8(r)
                .map_err(|_| anyhow::anyhow!("the stored resource id is not UTF-8"))?,
            None => {
                let r = uuid::Uuid::new_v4().to_string();
                db.put_meta(META_RESOURCE, r.as_bytes())?;
                r
            }
        };
        let state = State::from_loaded(db.load()?);
        Ok(App {
            inner: Arc::new(AppInner {
                config,
                secret,
                resource_id,
                serials: SerialClock::default(),
                state: RwLock::new(state),
                db: Mutex::new(db),
            }),
        })
    }

    /// Every chat and identity route, with a 404/405 error-envelope fallback, and the
    /// `api-supported-versions` header on every response.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .merge(identity::routes())
            .merge(chat::routes())
            .fallback(unknown_path)
            .method_not_allowed_fallback(wrong_method)
            .layer(axum::middleware::from_fn(supported_versions))
            .with_state(self.clone())
    }

    /// Mints a new identity and a token for `scopes` valid `expires_in_minutes` (60..=1440).
    ///
    /// Errors: 400 for an unknown scope, an empty scope list or minutes out of range; 503 if
    /// the database write fails.
    pub fn create_user(
        &self,
        scopes: &[&str],
        expires_in_minutes: u32,
    ) -> Result<UserWithToken, ApiError> {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        if scopes.is_empty() {
            return Err(ApiError::bad_request("At least one scope is required."));
        }
        auth::token::validate_scopes(&scopes)?;
        let minutes = auth::token::validate_minutes(Some(i64::from(expires_in_minutes)))?;
        let id = self.new_identity()?;
        let (token, expires_on) = self.issue_token(&id, &scopes, minutes)?;
        Ok(UserWithToken {
            id,
            token,
            expires_on,
        })
    }

    /// The decoded access key.
    pub fn access_key(&self) -> &[u8] {
        &self.inner.config.access_key
    }

    /// The resource GUID embedded in user ids (`8:acs:<resource id>_<suffix>`).
    pub fn resource_id(&self) -> &str {
        &self.inner.resource_id
    }
}

async fn unknown_path(req: Request) -> Response {
    ApiError::not_found(format!("No resource exists at '{}'.", req.uri().path())).into_response()
}

async fn wrong_method(method: Method, req: Request) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!(
            "The method {method} is not allowed on '{}'.",
            req.uri().path()
        ),
    )
    .into_response()
}

async fn supported_versions(req: Request, next: Next) -> Response {
    let list = if versions::is_identity_path(req.uri().path()) {
        IDENTITY_VERSIONS_HEADER
    } else {
        CHAT_VERSIONS_HEADER
    };
    let mut resp = next.run(req).await;
    resp.headers_mut()
        .insert("api-supported-versions", HeaderValue::from_static(list));
    resp
}

#[cfg(test)]
mod tests;
