//! `CommunicationTokenCredential`: the ACS user access token used as a bearer token by the chat clients.
//!
//! A credential holds either a fixed token or a refresher (an async callback that fetches a new token). Concurrent
//! callers share one refresh (single flight). With proactive refresh, a background task renews the token ten
//! minutes before it expires; the task stops when the last clone of the credential is dropped or when
//! [`CommunicationTokenCredential::close`] is called.

mod jwt;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::error::{BoxError, Error, ErrorKind, Result};

/// Without proactive refresh, a token this close to expiry is renewed on the next request.
const ON_DEMAND_WINDOW: Duration = Duration::from_secs(2 * 60);
/// With proactive refresh, the token is renewed this long before it expires.
const PROACTIVE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// The background task never loops faster than this, even for tokens that live only seconds.
const MIN_PROACTIVE_SLEEP: Duration = Duration::from_millis(50);

/// An access token and the instant it expires.
///
/// `Debug` hides the token text.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The raw token, sent as `Authorization: Bearer <token>`. Never log it.
    pub token: String,
    /// When the token stops being accepted (UTC).
    pub expires_on: DateTime<Utc>,
}

impl AccessToken {
    /// Wraps a token whose expiry is already known (for example from the identity API's `expiresOn`).
    pub fn new(token: impl Into<String>, expires_on: DateTime<Utc>) -> Self {
        AccessToken {
            token: token.into(),
            expires_on,
        }
    }

    /// Reads the expiry from the token's JWT `exp` claim.
    ///
    /// # Errors
    /// [`ErrorKind::Credential`] when the token is not a JWT with a numeric `exp`.
    pub fn from_jwt(token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        let expires_on = jwt::expires_on(&token)?;
        Ok(AccessToken { token, expires_on })
    }

    fn remaining(&self, now: DateTime<Utc>) -> chrono::Duration {
        self.expires_on - now
    }

    fn expires_within(&self, window: Duration, now: DateTime<Utc>) -> bool {
        self.remaining(now) < chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX)
    }

    fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_on <= now
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// The future a refresher returns.
pub type RefreshFuture =
    Pin<Box<dyn Future<Output = std::result::Result<AccessToken, BoxError>> + Send>>;

type Refresher = Arc<dyn Fn() -> RefreshFuture + Send + Sync>;

/// How a refreshing credential behaves.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RefreshOptions {
    /// A token to use until it nears expiry; without one the refresher is called on first use.
    pub initial_token: Option<String>,
    /// Renew in the background 10 minutes before expiry (instead of on demand within 2 minutes of it).
    pub proactive_refresh: bool,
}

impl RefreshOptions {
    /// Sets [`RefreshOptions::initial_token`].
    pub fn initial_token(mut self, token: impl Into<String>) -> Self {
        self.initial_token = Some(token.into());
        self
    }

    /// Sets [`RefreshOptions::proactive_refresh`].
    pub fn proactive_refresh(mut self, on: bool) -> Self {
        self.proactive_refresh = on;
        self
    }
}

/// An ACS user access token source for the chat clients.
///
/// Cheap to clone (clones share the cached token and the refresh); `Send + Sync`. Use one credential per user.
///
/// ```
/// use acs_chat::{AccessToken, CommunicationTokenCredential, RefreshOptions};
/// # fn fetch_from_my_server() -> AccessToken { AccessToken::new("t", chrono::Utc::now()) }
/// let credential = CommunicationTokenCredential::with_refresher(
///     || async { Ok(fetch_from_my_server()) },
///     RefreshOptions::default(),
/// )?;
/// # Ok::<(), acs_chat::Error>(())
/// ```
#[derive(Clone)]
pub struct CommunicationTokenCredential {
    inner: Arc<Inner>,
}

struct Inner {
    cached: parking_lot::Mutex<Option<AccessToken>>,
    refresher: Option<Refresher>,
    proactive: bool,
    /// Held while a refresh runs, so concurrent callers wait for it instead of starting their own.
    refresh_lock: tokio::sync::Mutex<()>,
    /// Bumped after every successful refresh; lets waiters see that the refresh they waited for happened.
    generation: AtomicU64,
    closed: AtomicBool,
    background_started: AtomicBool,
    shutdown: Arc<Notify>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // `notify_one` stores a permit, so the background task sees it even if it is not waiting right now.
        self.shutdown.notify_one();
    }
}

impl fmt::Debug for CommunicationTokenCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommunicationTokenCredential")
            .field(
                "expires_on",
                &self.inner.cached.lock().as_ref().map(|t| t.expires_on),
            )
            .field("has_refresher", &self.inner.refresher.is_some())
            .field("proactive", &self.inner.proactive)
            .finish()
    }
}

impl CommunicationTokenCredential {
    /// A credential for a fixed token. Its expiry is read from the JWT `exp` claim.
    ///
    /// Requests made after the token expired fail with [`ErrorKind::Credential`] before anything is sent.
    ///
    /// # Errors
    /// [`ErrorKind::Credential`] when the token is not a JWT with a numeric `exp`, or has already expired.
    pub fn new(token: impl Into<String>) -> Result<Self> {
        let token = AccessToken::from_jwt(token)?;
        if token.is_expired(Utc::now()) {
            return Err(expired_static(&token));
        }
        Ok(Self::build(Some(token), None, false))
    }

    /// A credential that calls `refresher` for a new token when the current one nears expiry.
    ///
    /// The refresher must return a token that has not expired; otherwise the request fails with
    /// [`ErrorKind::Credential`]. Concurrent requests share one refresher call.
    ///
    /// # Errors
    /// [`ErrorKind::Credential`] when `options.initial_token` is not a JWT with a numeric `exp`.
    pub fn with_refresher<F, Fut>(refresher: F, options: RefreshOptions) -> Result<Self>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<AccessToken, BoxError>> + Send + 'static,
    {
        let initial = options
            .initial_token
            .map(AccessToken::from_jwt)
            .transpose()?;
        let refresher: Refresher = Arc::new(move || Box::pin(refresher()) as RefreshFuture);
        Ok(Self::build(
            initial,
            Some(refresher),
            options.proactive_refresh,
        ))
    }

    /// Like [`with_refresher`](Self::with_refresher) for a plain blocking function (for example a callback from
    /// another language). It runs on tokio's blocking thread pool, so it may do blocking I/O.
    ///
    /// # Errors
    /// [`ErrorKind::Credential`] when `options.initial_token` is not a JWT with a numeric `exp`.
    pub fn with_blocking_refresher<F>(refresher: F, options: RefreshOptions) -> Result<Self>
    where
        F: Fn() -> std::result::Result<AccessToken, BoxError> + Send + Sync + 'static,
    {
        let refresher = Arc::new(refresher);
        Self::with_refresher(
            move || {
                let refresher = refresher.clone();
                async move {
                    tokio::task::spawn_blocking(move || refresher())
                        .await
                        .map_err(|e| -> BoxError {
                            format!("the token refresher panicked or was cancelled: {e}").into()
                        })?
                }
            },
            options,
        )
    }

    fn build(initial: Option<AccessToken>, refresher: Option<Refresher>, proactive: bool) -> Self {
        CommunicationTokenCredential {
            inner: Arc::new(Inner {
                cached: parking_lot::Mutex::new(initial),
                refresher,
                proactive,
                refresh_lock: tokio::sync::Mutex::new(()),
                generation: AtomicU64::new(0),
                closed: AtomicBool::new(false),
                background_started: AtomicBool::new(false),
                shutdown: Arc::new(Notify::new()),
            }),
        }
    }

    /// Returns a valid token, refreshing it first if it is within the refresh window.
    ///
    /// # Errors
    /// [`ErrorKind::Credential`] if the credential was closed, a static token has expired, the refresher failed
    /// or returned an expired token.
    pub async fn get_token(&self) -> Result<AccessToken> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::credential(
                "the CommunicationTokenCredential was closed and cannot be used any more",
            ));
        }
        self.start_background_refresh();
        get_token(&self.inner).await
    }

    /// Stops background refresh and makes further [`get_token`](Self::get_token) calls fail. Affects all clones.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.shutdown.notify_one();
    }

    /// Starts the proactive refresh task the first time a token is requested inside a tokio runtime.
    fn start_background_refresh(&self) {
        if !self.inner.proactive || self.inner.refresher.is_none() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.inner.background_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        let shutdown = self.inner.shutdown.clone();
        handle.spawn(background_refresh(weak, shutdown));
    }
}

fn expired_static(token: &AccessToken) -> Error {
    Error::credential(format!(
        "the access token expired at {} and the credential has no refresher; get a new token",
        token.expires_on.to_rfc3339()
    ))
}

fn window(inner: &Inner) -> Duration {
    if inner.proactive {
        PROACTIVE_WINDOW
    } else {
        ON_DEMAND_WINDOW
    }
}

async fn get_token(inner: &Inner) -> Result<AccessToken> {
    let now = Utc::now();
    let generation = inner.generation.load(Ordering::Acquire);
    let current = inner.cached.lock().clone();
    let Some(refresher) = inner.refresher.clone() else {
        // A static token is used until it expires; the window does not apply because nothing can renew it.
        let token = current.ok_or_else(|| Error::credential("the credential holds no token"))?;
        if token.is_expired(now) {
            return Err(expired_static(&token));
        }
        return Ok(token);
    };
    if let Some(t) = &current {
        if !t.expires_within(window(inner), now) {
            return Ok(t.clone());
        }
    }
    let _guard = match inner.refresh_lock.try_lock() {
        Ok(g) => g,
        Err(_) => {
            // Someone else is refreshing: a still-valid token is good enough, otherwise wait for them.
            if let Some(t) = current.filter(|t| !t.is_expired(now)) {
                return Ok(t);
            }
            inner.refresh_lock.lock().await
        }
    };
    // Re-check under the lock: a refresh that finished while we waited counts as ours (one refresh per
    // expiry), as long as its token is still valid.
    if let Some(t) = inner.cached.lock().clone() {
        let now = Utc::now();
        let refreshed_meanwhile = inner.generation.load(Ordering::Acquire) != generation;
        if !t.is_expired(now) && (refreshed_meanwhile || !t.expires_within(window(inner), now)) {
            return Ok(t);
        }
    }
    let fresh = refresher().await.map_err(|e| {
        Error::with_source(
            ErrorKind::Credential,
            "the token refresher failed to provide a new access token",
            e,
        )
    })?;
    if fresh.is_expired(Utc::now()) {
        return Err(Error::credential(format!(
            "the token returned by the token refresher is already expired (expired at {})",
            fresh.expires_on.to_rfc3339()
        )));
    }
    *inner.cached.lock() = Some(fresh.clone());
    inner.generation.fetch_add(1, Ordering::AcqRel);
    Ok(fresh)
}

/// Renews the token [`PROACTIVE_WINDOW`] before expiry until the credential is closed or dropped.
async fn background_refresh(weak: Weak<Inner>, shutdown: Arc<Notify>) {
    loop {
        let sleep_for = {
            let Some(inner) = weak.upgrade() else { return };
            if inner.closed.load(Ordering::Acquire) {
                return;
            }
            let cached = inner.cached.lock().clone();
            match cached {
                None => Duration::ZERO,
                Some(t) => {
                    let remaining = t.remaining(Utc::now()).to_std().unwrap_or(Duration::ZERO);
                    if remaining > PROACTIVE_WINDOW {
                        remaining - PROACTIVE_WINDOW
                    } else {
                        // Already inside the window (short-lived token): try again halfway to expiry.
                        remaining / 2
                    }
                }
            }
            .max(MIN_PROACTIVE_SLEEP)
        };
        tokio::select! {
            _ = shutdown.notified() => return,
            _ = tokio::time::sleep(sleep_for) => {}
        }
        let Some(inner) = weak.upgrade() else { return };
        if inner.closed.load(Ordering::Acquire) {
            return;
        }
        if let Err(e) = get_token(&inner).await {
            tracing::warn!(error = %e, "proactive token refresh failed; will retry on demand");
            // Back off so a failing refresher is not hammered; the next request retries on demand anyway.
            drop(inner);
            tokio::select! {
                _ = shutdown.notified() => return,
                _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;
