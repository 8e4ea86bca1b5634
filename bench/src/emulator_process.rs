//! Starts the emulator binary as a separate process, as users run it, and reads its first stdout line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::Context;

/// A running emulator process; killed when dropped.
pub struct EmulatorProcess {
    child: Child,
    /// `host:port` it listens on.
    pub authority: String,
    /// The decoded access key from its connection string.
    pub access_key: Vec<u8>,
    /// The connection string it printed (holds the access key: never log it).
    pub connection_string: String,
    /// Path of the CA certificate PEM when started with TLS.
    pub ca_cert: Option<std::path::PathBuf>,
    _data_dir: tempfile::TempDir,
}

impl EmulatorProcess {
    /// Starts `bin` on a free loopback port with the default SQLite storage in a fresh temporary directory;
    /// with `tls`, it serves HTTPS with its self-signed CA (path in [`EmulatorProcess::ca_cert`]).
    pub fn start(bin: &Path, tls: bool) -> anyhow::Result<EmulatorProcess> {
        let data_dir = tempfile::tempdir()?;
        let mut cmd = Command::new(bin);
        cmd.args(["--listen", "127.0.0.1:0", "--db"])
            .arg(data_dir.path().join("bench.sqlite3"));
        if tls {
            cmd.arg("--tls");
        }
        let mut child = cmd
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start the emulator at {}", bin.display()))?;
        let stdout = child.stdout.take().context("emulator stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let info: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("emulator's first line: {line:?}"))?;
        let endpoint = info["endpoint"].as_str().context("endpoint")?;
        let authority = endpoint
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_owned();
        let connection_string = info["connection_string"]
            .as_str()
            .context("connection_string")?
            .to_owned();
        let ca_cert = info["ca_cert"].as_str().map(std::path::PathBuf::from);
        let key = connection_string
            .split(';')
            .find_map(|part| part.strip_prefix("accesskey="))
            .context("accesskey in the connection string")?;
        use base64::Engine as _;
        let access_key = base64::engine::general_purpose::STANDARD.decode(key)?;
        Ok(EmulatorProcess {
            child,
            authority,
            access_key,
            connection_string,
            ca_cert,
            _data_dir: data_dir,
        })
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
