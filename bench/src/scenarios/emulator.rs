//! Scenario 1: the emulator's own throughput under a bare HTTP load generator.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use bytes::Bytes;
use http::{Method, StatusCode};

use super::{create_thread, encode_path_segment, identity_user, ScenarioResult, Settings, API};
use crate::bare_http::Connection;
use crate::emulator_process::EmulatorProcess;

/// One request that a load generator repeats.
#[derive(Clone)]
pub struct Load {
    pub method: Method,
    pub path: Arc<str>,
    pub auth: Arc<str>,
    pub body: Bytes,
    pub expect: StatusCode,
}

/// Runs `s.connections` connections, each repeating `load` until the round time elapses; returns requests per
/// second.
pub async fn measure(authority: &str, s: &Settings, load: &Load) -> anyhow::Result<f64> {
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
pub async fn emulator_throughput(
    emu: &EmulatorProcess,
    s: &Settings,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let mut setup = Connection::open(&emu.authority).await?;
    let (_, token) = identity_user(&mut setup, emu).await?;
    let auth: Arc<str> = format!("Bearer {token}").into();
    let thread = encode_path_segment(&create_thread(&mut setup, &auth).await?);
    let send_path: Arc<str> = format!("/chat/threads/{thread}/messages?{API}").into();
    let list_path: Arc<str> =
        format!("/chat/threads/{thread}/messages?maxPageSize=200&{API}").into();
    let message = Bytes::from_static(
        br#"{"content":"benchmark message of a typical length, about sixty bytes","type":"text"}"#,
    );

    let mut send = ScenarioResult::new("emulator send_message", "messages/s");
    send.target = Some(5000.0);
    let mut list = ScenarioResult::new("emulator list_messages (pages of 200)", "pages/s");
    list.target = Some(2000.0);
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
    // A fresh connection: the emulator may have closed the set-up one, idle through all the rounds.
    let page = Connection::open(&emu.authority)
        .await?
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
