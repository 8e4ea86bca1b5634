//! `acs-chat-emulator`: serves the emulated ACS Chat and Identity APIs until SIGINT/SIGTERM.
//!
//! The first stdout line is one JSON object `{"endpoint", "connection_string", "ca_cert"}`; logs go
//! to stderr (`RUST_LOG` sets the level, default `info`).

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use acs_chat_emulator::config::{decode_access_key, DEFAULT_DB_FILE, DEFAULT_LISTEN};
use acs_chat_emulator::{Emulator, EmulatorConfig, FaultConfig, Storage, DEFAULT_ACCESS_KEY};
use clap::Parser;

const AFTER_HELP: &str = "\
OUTPUT:
  The first line on stdout is one JSON object, flushed before serving:
    {\"endpoint\": \"http://127.0.0.1:PORT\", \"connection_string\": \"endpoint=http://127.0.0.1:PORT/;accesskey=...\", \"ca_cert\": null}
  With --tls, endpoint is https://... and ca_cert is the path of the CA certificate PEM; point
  REQUESTS_CA_BUNDLE (Python) or your client's trust store at it.
  Logs (one line per request, never tokens or keys) go to stderr; RUST_LOG sets the level (default info).

ACCESS KEY:
  The default access key is the well-known value
    YWNzLWNoYXQtZW11bGF0b3Itd2VsbC1rbm93bi1hY2Nlc3Mta2V5LW5vdC1hLXNlY3JldA==
  (base64 of \"acs-chat-emulator-well-known-access-key-not-a-secret\"). It is public and NOT a secret;
  pass --access-key to use another one.

TLS:
  --tls generates, on first start, a self-signed CA and a server certificate for localhost, 127.0.0.1
  and ::1, stored beside the database as <db>.ca.pem, <db>.cert.pem and <db>.key.pem and reused later
  (delete them to regenerate). With --in-memory they live in a temporary directory removed at exit.
  HTTP/1.1 and HTTP/2 (ALPN h2) are both served.

FAULT INJECTION:
  Applies to /chat/... requests only (identity and admin requests are never faulted). Change it at run
  time with GET/PUT /admin/faults, signed with HMAC-SHA256 and the access key like the identity API;
  PUT takes any subset of {\"rate_429\", \"retry_after_secs\", \"rate_503\", \"rate_drop_before\",
  \"rate_drop_after\", \"latency_ms\", \"remaining\"} and keeps the other fields. \"remaining\" (null =
  unlimited) is how many more requests may be faulted.

LIMITS:
  Request bodies over 1 MiB (1048576 bytes) get 413.

SIGNALS:
  SIGINT or SIGTERM stops accepting connections, lets in-flight requests finish and exits 0.";

/// A local emulator of the Azure Communication Services Chat and Identity REST APIs.
#[derive(Debug, Parser)]
#[command(name = "acs-chat-emulator", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Address to listen on, IP:PORT (IPv6 as [::1]:PORT). Port 0 picks a free port; the JSON line
    /// reports the one chosen.
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// Serve HTTPS with a self-signed CA (see TLS below) instead of plain HTTP.
    #[arg(long)]
    tls: bool,

    /// SQLite database file, created if missing; data survives restarts.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_DB_FILE, conflicts_with = "in_memory")]
    db: PathBuf,

    /// Keep everything in memory and forget it at exit.
    #[arg(long)]
    in_memory: bool,

    /// Base64 access key for identity and admin request signing and the connection string. The default
    /// is the public well-known key shown below: it is not a secret.
    #[arg(long, value_name = "BASE64", default_value = DEFAULT_ACCESS_KEY, hide_default_value = true)]
    access_key: String,

    /// Probability (0..=1) that a chat request gets 429 TooManyRequests.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fault_429: f64,

    /// Probability (0..=1) that a chat request gets 503 ServiceUnavailable.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fault_503: f64,

    /// Probability (0..=1) that a chat request's connection is closed before the handler runs.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fault_drop_before: f64,

    /// Probability (0..=1) that a chat request runs (its write is committed) and then its connection is
    /// closed without a response.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    fault_drop_after: f64,

    /// Milliseconds to wait before handling each chat request (at most 60000).
    #[arg(long, value_name = "N", default_value_t = 0)]
    fault_latency_ms: u64,

    /// Seconds sent in Retry-After (and retry-after-ms) with injected 429 and 503 answers.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    fault_retry_after: u32,
}

impl Cli {
    fn into_config(self) -> Result<EmulatorConfig, String> {
        let access_key =
            decode_access_key(&self.access_key).map_err(|e| format!("--access-key: {e}"))?;
        let faults = FaultConfig {
            rate_429: self.fault_429,
            retry_after_secs: self.fault_retry_after,
            rate_503: self.fault_503,
            rate_drop_before: self.fault_drop_before,
            rate_drop_after: self.fault_drop_after,
            latency_ms: self.fault_latency_ms,
            remaining: None,
        };
        faults.validate().map_err(|e| format!("fault flags: {e}"))?;
        Ok(EmulatorConfig {
            listen: self.listen,
            tls: self.tls,
            storage: if self.in_memory {
                Storage::InMemory
            } else {
                Storage::File(self.db)
            },
            access_key,
            faults,
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let config = match cli.into_config() {
        Ok(config) => config,
        Err(msg) => {
            eprintln!("acs-chat-emulator: {msg}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("acs-chat-emulator: starting the async runtime failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acs-chat-emulator: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// The first stdout line, in this field order.
#[derive(serde::Serialize)]
struct StartupLine<'a> {
    endpoint: &'a str,
    connection_string: String,
    ca_cert: Option<String>,
}

async fn run(config: EmulatorConfig) -> anyhow::Result<()> {
    // Handlers go in before the startup line: a supervisor may send SIGTERM as soon as it has read it.
    let stop = shutdown_signal()?;
    let emulator = Emulator::start(config).await?;
    let line = StartupLine {
        endpoint: emulator.endpoint(),
        connection_string: emulator.connection_string(),
        // Lossy on non-UTF-8 paths rather than failing: the JSON line must always be printed.
        ca_cert: emulator.ca_cert_path().map(|p| p.display().to_string()),
    };
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", serde_json::to_string(&line)?)?;
        stdout.flush()?;
    }
    tracing::info!(endpoint = emulator.endpoint(), "serving");
    stop.await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    Ok(())
}

/// Registers the SIGINT/SIGTERM handlers now; the returned future completes on the first of them.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// Ctrl-C on platforms without Unix signals.
#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn help_spells_out_the_default_key_and_listen_address() {
        assert!(AFTER_HELP.contains(DEFAULT_ACCESS_KEY));
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("127.0.0.1:10000"), "{help}");
        assert!(help.contains(DEFAULT_DB_FILE));
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_become_a_config() {
        let cli = Cli::parse_from([
            "x",
            "--in-memory",
            "--fault-503",
            "0.5",
            "--listen",
            "[::1]:0",
        ]);
        let cfg = cli.into_config().unwrap();
        assert!(matches!(cfg.storage, Storage::InMemory));
        assert_eq!(cfg.faults.rate_503, 0.5);
        assert_eq!(cfg.listen, "[::1]:0".parse().unwrap());
        assert_eq!(
            cfg.access_key,
            b"acs-chat-emulator-well-known-access-key-not-a-secret"
        );

        let bad = Cli::parse_from(["x", "--fault-429", "2"])
            .into_config()
            .unwrap_err();
        assert!(bad.contains("rate_429"), "{bad}");
        let bad = Cli::parse_from(["x", "--access-key", "%%%"])
            .into_config()
            .unwrap_err();
        assert!(bad.contains("--access-key"), "{bad}");
        assert!(Cli::try_parse_from(["x", "--in-memory", "--db", "a.sqlite3"]).is_err());
    }
}
