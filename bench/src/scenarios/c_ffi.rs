//! Scenario 4: the blocking C `send_message` loop (libacs_chat through `bench_send`, a separate process)
//! against the Rust engine, same emulator, alternating round by round.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use acs_chat::operation_options::SendMessageOptions;
use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential};
use anyhow::{bail, Context};

use super::{create_thread, identity_user, ScenarioResult, Settings};
use crate::bare_http::Connection;
use crate::emulator_process::EmulatorProcess;

/// The text `bench_send.c` sends; the engine sends the same so both post identical bodies.
const C_MESSAGE: &str = "benchmark message";

/// Runs `bench_send COUNT` against the emulator and returns the messages per second it printed.
fn run_c(program: &Path, connection_string: &str, count: u64) -> anyhow::Result<f64> {
    let out = Command::new(program)
        .arg(count.to_string())
        .env("ACS_CONNECTION_STRING", connection_string)
        .env_remove("SSL_CERT_FILE")
        .output()
        .with_context(|| format!("cannot run the C bench program {}", program.display()))?;
    if !out.status.success() {
        bail!(
            "{} exited with {}: {}",
            program.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim())
        .with_context(|| format!("the C bench program printed {line:?}, not one JSON object"))?;
    v["per_second"]
        .as_f64()
        .context("per_second in the C bench program's output")
}

/// C blocking `send_message` loop vs the engine's sequential `send_message`. The C program sends as many
/// messages as the engine managed in the same round, so both run for about the round time.
pub async fn c_vs_engine(
    emu: &EmulatorProcess,
    s: &Settings,
    program: PathBuf,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let mut setup = Connection::open(&emu.authority).await?;
    let (_, token) = identity_user(&mut setup, emu).await?;
    let thread = create_thread(&mut setup, &format!("Bearer {token}")).await?;
    let chat = ChatClient::new(
        &format!("http://{}", emu.authority),
        CommunicationTokenCredential::new(token)?,
        ClientOptions::default(),
    )?;
    let engine = chat.get_chat_thread_client(thread)?;
    for _ in 0..20 {
        engine
            .send_message(C_MESSAGE, SendMessageOptions::default())
            .await?;
    }

    let mut c = ScenarioResult::new("C blocking send_message (sequential)", "messages/s");
    c.baseline = Some(("Rust engine send_message, C's message".into(), 0.9));
    let mut rust = ScenarioResult::new("Rust engine send_message, C's message", "messages/s");
    for round in 1..=s.rounds {
        let started = Instant::now();
        let mut n = 0u64;
        while started.elapsed() < s.round_time {
            engine
                .send_message(C_MESSAGE, SendMessageOptions::default())
                .await?;
            n += 1;
        }
        let engine_rate = n as f64 / started.elapsed().as_secs_f64();
        rust.per_round.push(engine_rate);
        let count = n.max(50);
        let (program, cs) = (program.clone(), emu.connection_string.clone());
        let c_rate = tokio::task::spawn_blocking(move || run_c(&program, &cs, count)).await??;
        c.per_round.push(c_rate);
        eprintln!(
            "bench: round {round}/{}: send_message C {c_rate:.0}/s, Rust engine {engine_rate:.0}/s",
            s.rounds
        );
    }
    // A short pause lets the emulator's WAL checkpoint settle before the next scenario.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(vec![c, rust])
}
