//! Scenario 3: Python `acs_chat` vs `azure-communication-chat==1.2.0`. The official SDK needs TLS, so this
//! scenario has its own emulator started with `--tls`, and both libraries trust its CA. The measuring is done
//! by `bench/python/driver.py` (run with the bench venv's interpreter), which alternates the two libraries
//! itself and prints one JSON object of figures per round.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

use super::{ScenarioResult, Settings};
use crate::emulator_process::EmulatorProcess;

/// Where the Python figures come from.
pub struct PythonSetup {
    /// The bench venv's interpreter, with `acs_chat` and `azure-communication-chat==1.2.0` installed.
    pub python: PathBuf,
    /// `bench/python/driver.py`.
    pub driver: PathBuf,
    /// The emulator binary (a second, TLS instance is started from it).
    pub emulator_bin: PathBuf,
    /// Harness check: the listed thread holds 1,000 messages instead of 10,000 (the labels keep 10,000).
    pub quick: bool,
}

/// (driver key suffix, row label, unit, lower is better, lowest acceptable acs_chat advantage)
const FIGURES: &[(&str, &str, &str, bool, f64)] = &[
    (
        "sync send_message",
        "sync send_message (sequential)",
        "messages/s",
        false,
        3.0,
    ),
    (
        "list 10,000 messages",
        "list 10,000 messages (pages of 200)",
        "listings/s",
        false,
        5.0,
    ),
    (
        "aio send_message, 64 in flight",
        "aio send_message, 64 in flight",
        "messages/s",
        false,
        5.0,
    ),
    (
        "import",
        "import time (fresh interpreter, median)",
        "ms",
        true,
        3.0,
    ),
    (
        "peak RSS listing 10,000",
        "peak RSS listing 10,000 (VmHWM, fresh process)",
        "MiB",
        true,
        1.0,
    ),
];

fn run_driver(
    py: &PythonSetup,
    emu: &EmulatorProcess,
    ca: &Path,
    s: &Settings,
) -> anyhow::Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let mut child = Command::new(&py.python)
        .arg(&py.driver)
        .args(["--rounds", &s.rounds.to_string()])
        .args(["--seconds", &s.round_time.as_secs_f64().to_string()])
        .args(["--import-runs", if py.quick { "3" } else { "15" }])
        .args(["--listed", if py.quick { "1000" } else { "10000" }])
        .env("BENCH_CONNECTION_STRING", &emu.connection_string)
        .env("BENCH_CA_CERT", ca)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot run {} {}", py.python.display(), py.driver.display()))?;
    let stdout = child.stdout.take().context("driver stdout")?;
    let mut rounds = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("the Python driver printed {line:?}, not a JSON object"))?;
        match v {
            serde_json::Value::Object(m) => rounds.push(m),
            other => bail!("the Python driver printed {other}, not a JSON object"),
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("the Python driver exited with {status}");
    }
    Ok(rounds)
}

/// Runs the Python driver against a fresh TLS emulator and turns its rounds into result rows.
pub async fn python_vs_official(
    py: PythonSetup,
    s: &Settings,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let emu = EmulatorProcess::start(&py.emulator_bin, true)?;
    let ca = emu
        .ca_cert
        .clone()
        .context("the TLS emulator reported no ca_cert")?;
    let settings = Settings {
        rounds: s.rounds,
        round_time: s.round_time,
        connections: s.connections,
    };
    let rounds = tokio::task::spawn_blocking(move || {
        let r = run_driver(&py, &emu, &ca, &settings);
        drop(emu);
        r
    })
    .await??;
    if rounds.is_empty() {
        bail!("the Python driver printed no rounds");
    }
    let mut out = Vec::new();
    for (key, label, unit, lower, advantage) in FIGURES {
        let mut ours = ScenarioResult::new(&format!("Python acs_chat {label}"), unit);
        let mut official = ScenarioResult::new(&format!("Python official 1.2.0 {label}"), unit);
        ours.lower_is_better = *lower;
        official.lower_is_better = *lower;
        ours.baseline = Some((official.name.clone(), *advantage));
        for r in &rounds {
            for (lib, row) in [("acs_chat", &mut ours), ("official", &mut official)] {
                let k = format!("{lib} {key}");
                row.per_round
                    .push(
                        r.get(&k)
                            .and_then(serde_json::Value::as_f64)
                            .with_context(|| {
                                format!("figure {k:?} missing from the Python driver's output")
                            })?,
                    );
            }
        }
        out.push(ours);
        out.push(official);
    }
    Ok(out)
}
