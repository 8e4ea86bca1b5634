//! acs-chat-emulator: the Azure Communication Services Chat and Identity REST APIs on loopback.
//!
//! Run it as a binary (`acs-chat-emulator --help`) or in-process from Rust tests:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use acs_chat_emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! let user = emulator.create_chat_user()?;
//! println!("{} as {}", emulator.endpoint(), user.id);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The library never installs a `tracing` subscriber; it logs one `info` event per request
//! (method, path without query, status, latency in ms) and never logs headers, bodies or secrets.

mod admin;
pub mod api;
pub mod config;
pub mod error;
pub mod faults;
pub mod limit;
mod server;
mod tls;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use api::{Storage, UserWithToken};
pub use config::{EmulatorConfig, DEFAULT_ACCESS_KEY};
pub use faults::FaultConfig;

use api::{App, AppConfig};
use faults::FaultState;

/// Lifetime of tokens minted by [`Emulator::create_user`], in minutes (the service's maximum).
pub const TEST_TOKEN_MINUTES: u32 = 1440;

/// A running emulator. Dropping it stops serving at once (in-flight requests are cut off);
/// [`Emulator::shutdown`] stops gracefully. All methods take `&self` and are thread-safe.
pub struct Emulator {
    endpoint: String,
    app: App,
    faults: Arc<FaultState>,
    tls: Option<tls::TlsMaterial>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint)
            .field("ca_cert", &self.ca_cert_path())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Opens the storage, prepares TLS if asked, binds the listener and starts serving on the
    /// current tokio runtime (which must keep running for the emulator to answer).
    ///
    /// # Errors
    /// An empty access key, an invalid fault configuration, storage or certificate files that cannot
    /// be opened, or an address that cannot be bound; the message says which.
    pub async fn start(config: EmulatorConfig) -> anyhow::Result<Emulator> {
        if config.access_key.is_empty() {
            anyhow::bail!("the access key is empty");
        }
        config
            .faults
            .validate()
            .map_err(|msg| anyhow::anyhow!("invalid fault configuration: {msg}"))?;
        let scheme = if config.tls { "https" } else { "http" };
        let tls = if config.tls {
            Some(tls::prepare(&config.storage).context("preparing the TLS certificates")?)
        } else {
            None
        };
        let app = App::open(AppConfig {
            storage: config.storage.clone(),
            access_key: config.access_key.clone(),
            scheme,
        })
        .context("opening the emulator's storage")?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let local = listener.local_addr().context("reading the bound address")?;
        let endpoint = config::endpoint_for(scheme, local);

        let faults = Arc::new(FaultState::new(config.faults));
        let shared = Arc::new(server::Shared {
            router: app.router(),
            faults: faults.clone(),
            access_key: config.access_key,
        });
        let acceptor = tls
            .as_ref()
            .map(|m| tokio_rustls::TlsAcceptor::from(m.server_config.clone()));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, acceptor, shared, shutdown_rx));
        Ok(Emulator {
            endpoint,
            app,
            faults,
            tls,
            shutdown,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` (or `https://...` with TLS; IPv6 bracketed), without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `endpoint={endpoint}/;accesskey={base64 key}`. Contains the access key: do not log it.
    pub fn connection_string(&self) -> String {
        config::connection_string_for(&self.endpoint, self.app.access_key())
    }

    /// The CA certificate PEM file clients should trust, when serving TLS.
    pub fn ca_cert_path(&self) -> Option<&Path> {
        self.tls.as_ref().map(|t| t.ca_path.as_path())
    }

    /// The CA certificate as PEM text, when serving TLS (for clients that take PEM bytes).
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.ca_pem.as_str())
    }

    /// Mints a new identity with a token for `scopes` valid [`TEST_TOKEN_MINUTES`] minutes.
    ///
    /// # Errors
    /// Whatever the identity store reports (e.g. an unknown scope or a storage failure).
    pub fn create_user(&self, scopes: &[&str]) -> anyhow::Result<UserWithToken> {
        Ok(self.app.create_user(scopes, TEST_TOKEN_MINUTES)?)
    }

    /// [`Emulator::create_user`] with the `chat` scope.
    ///
    /// # Errors
    /// As [`Emulator::create_user`].
    pub fn create_chat_user(&self) -> anyhow::Result<UserWithToken> {
        self.create_user(&["chat"])
    }

    /// Replaces the fault configuration; takes effect for the next request. Values are used as given
    /// (a rate above 1 acts as 1, below 0 or NaN as 0); check them with [`FaultConfig::validate`].
    pub fn set_faults(&self, faults: FaultConfig) {
        self.faults.set(faults);
    }

    /// The current fault configuration, including how many faults are `remaining`.
    pub fn faults(&self) -> FaultConfig {
        self.faults.get()
    }

    /// The decoded access key. A secret in general: do not log it.
    pub fn access_key(&self) -> &[u8] {
        self.app.access_key()
    }

    /// The emulator's state and routes, for tests that need more than the HTTP surface.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Stops accepting connections, lets in-flight requests finish (at most 30 seconds), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                if e.is_panic() {
                    tracing::error!("the server task panicked during shutdown");
                }
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
