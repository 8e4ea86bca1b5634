//! Client-wide settings: API version, retries, timeouts, TLS trust and User-Agent.

use std::time::Duration;

/// The chat REST API version sent by default (the one azure-communication-chat 1.2.0 uses).
pub const DEFAULT_CHAT_API_VERSION: &str = "2023-11-07";
/// The identity REST API version sent by default.
pub const DEFAULT_IDENTITY_API_VERSION: &str = "2023-10-01";

/// Retry behaviour for transient failures.
///
/// Delays grow exponentially from `base_delay` (doubling per retry, capped at `max_delay`) with random jitter
/// of up to half the delay. A `Retry-After` / `retry-after-ms` answer from the service replaces the computed
/// delay. `overall_timeout` bounds all attempts and waits of one operation together.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryOptions {
    /// Retries after the first attempt (0 disables retrying). Default 3.
    pub max_retries: u32,
    /// Delay before the first retry. Default 800 ms.
    pub base_delay: Duration,
    /// Upper bound of a computed delay. Default 60 s.
    pub max_delay: Duration,
    /// Bound on the whole operation including retries; `None` for no bound. Default 5 minutes.
    pub overall_timeout: Option<Duration>,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max_retries: 3,
            base_delay: Duration::from_millis(800),
            max_delay: Duration::from_secs(60),
            overall_timeout: Some(Duration::from_secs(300)),
        }
    }
}

impl RetryOptions {
    /// Sets [`RetryOptions::max_retries`].
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets [`RetryOptions::base_delay`].
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets [`RetryOptions::max_delay`].
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets [`RetryOptions::overall_timeout`].
    pub fn overall_timeout(mut self, d: Option<Duration>) -> Self {
        self.overall_timeout = d;
        self
    }
}

/// Settings shared by a client and every thread client made from it.
///
/// ```
/// use std::time::Duration;
/// use acs_chat::ClientOptions;
/// let options = ClientOptions::default()
///     .api_version("2021-09-07")
///     .per_try_timeout(Duration::from_secs(10))
///     .application_id("my-app/1.0");
/// assert_eq!(options.api_version, "2021-09-07");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientOptions {
    /// REST `api-version` query value. Default [`DEFAULT_CHAT_API_VERSION`] (identity client:
    /// [`DEFAULT_IDENTITY_API_VERSION`]).
    pub api_version: String,
    /// Retry policy.
    pub retry: RetryOptions,
    /// Time allowed to open a connection (TCP + TLS). Default 10 s.
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending to the end of the response body. Default 30 s.
    pub per_try_timeout: Duration,
    /// An extra PEM root certificate to trust (for example the local emulator's CA), on top of the
    /// built-in web PKI roots.
    pub extra_root_certificate_pem: Option<Vec<u8>>,
    /// Optional application id, put in front of the User-Agent (`<application_id> acs-chat/...`).
    pub application_id: Option<String>,
    /// Which binding drives the core (`rust`, `python`, `c`); shown in the User-Agent.
    pub binding: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api_version: DEFAULT_CHAT_API_VERSION.to_string(),
            retry: RetryOptions::default(),
            connect_timeout: Duration::from_secs(10),
            per_try_timeout: Duration::from_secs(30),
            extra_root_certificate_pem: None,
            application_id: None,
            binding: "rust".to_string(),
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("per_try_timeout", &self.per_try_timeout)
            .field(
                "extra_root_certificate_pem",
                &self.extra_root_certificate_pem.as_ref().map(|p| p.len()),
            )
            .field("application_id", &self.application_id)
            .field("binding", &self.binding)
            .finish()
    }
}

impl ClientOptions {
    /// Sets [`ClientOptions::api_version`].
    pub fn api_version(mut self, v: impl Into<String>) -> Self {
        self.api_version = v.into();
        self
    }

    /// Sets [`ClientOptions::retry`].
    pub fn retry(mut self, r: RetryOptions) -> Self {
        self.retry = r;
        self
    }

    /// Sets [`ClientOptions::connect_timeout`].
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets [`ClientOptions::per_try_timeout`].
    pub fn per_try_timeout(mut self, d: Duration) -> Self {
        self.per_try_timeout = d;
        self
    }

    /// Sets [`ClientOptions::extra_root_certificate_pem`].
    pub fn extra_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificate_pem = Some(pem.into());
        self
    }

    /// Sets [`ClientOptions::application_id`].
    pub fn application_id(mut self, id: impl Into<String>) -> Self {
        self.application_id = Some(id.into());
        self
    }

    /// Sets [`ClientOptions::binding`].
    pub fn binding(mut self, b: impl Into<String>) -> Self {
        self.binding = b.into();
        self
    }

    pub(crate) fn user_agent(&self) -> String {
        let core = format!(
            "acs-chat/{} ({}; rust)",
            env!("CARGO_PKG_VERSION"),
            self.binding
        );
        match self.application_id.as_deref().map(str::trim) {
            Some(app) if !app.is_empty() => format!("{app} {core}"),
            _ => core,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_crate_version_binding_and_app() {
        let o = ClientOptions::default();
        assert_eq!(
            o.user_agent(),
            format!("acs-chat/{} (rust; rust)", env!("CARGO_PKG_VERSION"))
        );
        let o = o.binding("python").application_id("shop/2");
        assert!(o.user_agent().starts_with("shop/2 acs-chat/"));
        assert!(o.user_agent().ends_with("(python; rust)"));
    }
}
