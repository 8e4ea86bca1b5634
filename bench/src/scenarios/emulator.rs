//! The benchmark scenarios. Each round runs the compared programs one after the other (alternating), so
//! drift of the shared machine affects them alike; figures are rounds' medians.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use http::{Method, StatusCode};

use crate::bare_http::Connection;
use crate::emulator_process::EmulatorProcess;

const API: &str = "api-version=2023-11-07";

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
    /// The figure the issue asks for, if any.
    pub target: Option<f64>,
}

async fn identity_user(
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

fn encode_path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One request that a load generator repeats.
#[derive(Clone)]
struct Load {
    method: Method,
    path: Arc<str>,
    auth: Arc<str>,
    body: Bytes,
    expect: StatusCode,
}

/// Runs `s.connections` connections, each repeating `load` until the round time elapses; returns requests per
/// second.
async fn measure(authority: &str, s: &Settings, load: &Load) -> anyhow::Result<f64> {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..s.connections {
        let mut conn = Connection::open(authority).await?;
        let (done, stop, load) = (done.clone(), stop.clone(), load.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let resp = conn
                    .send(
                        load.method.clone(),
                        &load.path,
                        &[("authorization", &load.auth)],
                        load.body.clone(),
                    )
                    .await?;
                if resp.status != load.expect {
                    bail!(
                        "{} {} answered {} (expected {})",
                        load.method,
                        load.path,
                        resp.status,
                        load.expect
                    );
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(s.round_time).await;
    stop.store(true, Ordering::Relaxed);
    let counted = done.load(Ordering::Relaxed);
    let elapsed = started.elapsed();
    for t in tasks {
        t.await??;
    }
    Ok(counted as f64 / elapsed.as_secs_f64())
}

/// Scenario 1: the emulator's `send_message` and `list_messages` (pages of 200) throughput, measured with a
/// bare HTTP/1.1 keep-alive load generator over loopback against the default SQLite storage.
pub async fn emulator_throughput(bin: &Path, s: &Settings) -> anyhow::Result<Vec<ScenarioResult>> {
    eprintln!("bench: starting the emulator ({})", bin.display());
    let emu = EmulatorProcess::start(bin)?;
    let mut setup = Connection::open(&emu.authority).await?;
    let (_, token) = identity_user(&mut setup, &emu).await?;
    let auth: Arc<str> = format!("Bearer {token}").into();
    let created = setup
        .send(
            Method::POST,
            &format!("/chat/threads?{API}"),
            &[("authorization", &auth)],
            Bytes::from_static(br#"{"topic":"bench","participants":[]}"#),
        )
        .await?;
    if created.status != StatusCode::CREATED {
        bail!("create thread answered {}", created.status);
    }
    let v: serde_json::Value = serde_json::from_slice(&created.body)?;
    let thread = encode_path_segment(v["chatThread"]["id"].as_str().context("chatThread.id")?);
    let send_path: Arc<str> = format!("/chat/threads/{thread}/messages?{API}").into();
    let list_path: Arc<str> =
        format!("/chat/threads/{thread}/messages?maxPageSize=200&{API}").into();
    let message = Bytes::from_static(
        br#"{"content":"benchmark message of a typical length, about sixty bytes","type":"text"}"#,
    );

    let mut send = ScenarioResult {
        name: "emulator send_message".into(),
        unit: "messages/s".into(),
        per_round: Vec::new(),
        target: Some(5000.0),
    };
    let mut list = ScenarioResult {
        name: "emulator list_messages (pages of 200)".into(),
        unit: "pages/s".into(),
        per_round: Vec::new(),
        target: Some(2000.0),
    };
    let send_load = Load {
        method: Method::POST,
        path: send_path,
        auth: auth.clone(),
        body: message,
        expect: StatusCode::CREATED,
    };
    let list_load = Load {
        method: Method::GET,
        path: list_path.clone(),
        auth: auth.clone(),
        body: Bytes::new(),
        expect: StatusCode::OK,
    };
    for round in 1..=s.rounds {
        let r = measure(&emu.authority, s, &send_load).await?;
        eprintln!("bench: round {round}/{}: send_message {r:.0}/s", s.rounds);
        send.per_round.push(r);
        let r = measure(&emu.authority, s, &list_load).await?;
        eprintln!(
            "bench: round {round}/{}: list_messages {r:.0} pages/s",
            s.rounds
        );
        list.per_round.push(r);
    }
    let page = setup
        .send(
            Method::GET,
            &list_path,
            &[("authorization", &auth)],
            Bytes::new(),
        )
        .await?;
    let v: serde_json::Value = serde_json::from_slice(&page.body)?;
    let n = v["value"].as_array().map_or(0, Vec::len);
    if n != 200 {
        bail!("a list page held {n} messages, not 200");
    }
    Ok(vec![send, list])
}
