//! The benchmark scenarios. Each round runs the compared programs one after the other (alternating), so
//! drift of the shared machine affects them alike; figures are rounds' medians.

mod c_ffi;
mod emulator;
mod engine;
mod python;

pub use c_ffi::c_vs_engine;
pub use emulator::emulator_throughput;
pub use engine::engine_vs_bare;
pub use python::{python_vs_official, PythonSetup};

use std::time::Duration;

use anyhow::{bail, Context};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::bare_http::Connection;
use crate::emulator_process::EmulatorProcess;

/// The chat api-version every scenario uses.
pub const API: &str = "api-version=2023-11-07";

/// How long and how hard each scenario runs.
pub struct Settings {
    pub rounds: usize,
    pub round_time: Duration,
    pub connections: usize,
}

/// The figures of one scenario: one throughput (operations per second) per round.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioResult {
    pub name: String,
    pub unit: String,
    pub per_round: Vec<f64>,
    /// The absolute figure the issues ask for, if any.
    pub target: Option<f64>,
    /// The scenario this one is compared with (same run), and the lowest acceptable ratio of medians.
    pub baseline: Option<(String, f64)>,
    /// True for times and sizes: the advantage over the baseline is then baseline / this.
    pub lower_is_better: bool,
}

impl ScenarioResult {
    pub fn new(name: &str, unit: &str) -> ScenarioResult {
        ScenarioResult {
            name: name.into(),
            unit: unit.into(),
            per_round: Vec::new(),
            target: None,
            baseline: None,
            lower_is_better: false,
        }
    }
}

/// Creates an identity with a chat token through the HMAC-signed identity API; returns (id, token).
pub async fn identity_user(
    conn: &mut Connection,
    emu: &EmulatorProcess,
) -> anyhow::Result<(String, String)> {
    let path = "/identities?api-version=2023-10-01";
    let body = br#"{"createTokenWithScopes":["chat"]}"#;
    let signed = acs_chat_emulator::api::auth::hmac::sign(
        "POST",
        path,
        &emu.authority,
        body,
        &emu.access_key,
        chrono::Utc::now(),
    );
    let resp = conn
        .send(
            Method::POST,
            path,
            &[
                ("x-ms-date", &signed.date),
                ("x-ms-content-sha256", &signed.content_sha256),
                ("authorization", &signed.authorization),
            ],
            Bytes::from_static(body),
        )
        .await?;
    if resp.status != StatusCode::CREATED {
        bail!("create identity answered {}", resp.status);
    }
    let v: serde_json::Value = serde_json::from_slice(&resp.body)?;
    let id = v["identity"]["id"]
        .as_str()
        .context("identity.id")?
        .to_owned();
    let token = v["accessToken"]["token"]
        .as_str()
        .context("accessToken.token")?
        .to_owned();
    Ok((id, token))
}

/// Creates a thread and returns its id.
pub async fn create_thread(conn: &mut Connection, auth: &str) -> anyhow::Result<String> {
    let created = conn
        .send(
            Method::POST,
            &format!("/chat/threads?{API}"),
            &[("authorization", auth)],
            Bytes::from_static(br#"{"topic":"bench","participants":[]}"#),
        )
        .await?;
    if created.status != StatusCode::CREATED {
        bail!("create thread answered {}", created.status);
    }
    let v: serde_json::Value = serde_json::from_slice(&created.body)?;
    Ok(v["chatThread"]["id"]
        .as_str()
        .context("chatThread.id")?
        .to_owned())
}

/// Percent-encodes a path segment the way the clients do (everything but unreserved characters).
pub fn encode_path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
