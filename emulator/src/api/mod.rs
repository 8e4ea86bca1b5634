//! The ACS Chat and Identity REST APIs: state, storage, authentication and routes.
//!
//! Interface used by the server shell (`server.rs`):
//! - [`Storage`] says where data lives.
//! - [`App::open`] loads (or creates) the database, including the token-signing secret and resource id.
//! - [`App::router`] returns every chat and identity route (and a 404/405 envelope fallback).
//! - [`App::create_user`] mints an identity with a token in one call (for in-process tests).

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

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::ApiError;

/// What [`App::open`] needs.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub storage: Storage,
    /// The decoded access key that signs identity and admin requests.
    pub access_key: Vec<u8>,
    /// `"http"` or `"https"`: used to build `Location` headers and `nextLink`s from the request's `Host`.
    pub scheme: &'static str,
}

/// An ACS user minted by the emulator, with an access token.
#[derive(Clone)]
pub struct UserWithToken {
    /// The `8:acs:<resource>_<suffix>` raw id.
    pub id: String,
    /// The JWT access token (a secret: never log it).
    pub token: String,
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

/// The emulator's state and routes; cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    config: AppConfig,
}

impl App {
    /// Opens (or creates) the database and loads its state.
    pub fn open(config: AppConfig) -> anyhow::Result<App> {
        Ok(App {
            inner: Arc::new(AppInner { config }),
        })
    }

    /// Every chat and identity route, with a 404/405 error-envelope fallback.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
    }

    /// Mints a new identity and a token for `scopes` valid `expires_in_minutes` (60..=1440).
    pub fn create_user(
        &self,
        _scopes: &[&str],
        _expires_in_minutes: u32,
    ) -> Result<UserWithToken, ApiError> {
        Err(ApiError::service_unavailable("identities are not implemented yet"))
    }

    /// The decoded access key.
    pub fn access_key(&self) -> &[u8] {
        &self.inner.config.access_key
    }
}
