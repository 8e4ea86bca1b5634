//! Scenario 2: the Rust engine (`acs-chat`) against a bare reqwest loop that sends the identical requests
//! (same headers and bodies) to the same emulator, alternating round by round.

use std::time::{Duration, Instant};

use acs_chat::operation_options::{ListMessagesOptions, SendMessageOptions};
use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential};
use anyhow::{bail, Context};
use bytes::Bytes;
use futures_util::StreamExt;
use http::{Method, StatusCode};

use super::emulator::{measure, Load};
use super::{create_thread, encode_path_segment, identity_user, ScenarioResult, Settings, API};
use crate::bare_http::Connection;
use crate::emulator_process::EmulatorProcess;

const MESSAGE: &str = "benchmark message of a typical length, about sixty bytes";
/// Messages in the thread that both listings walk (pages of 200).
const LISTED: usize = 10_000;

/// Runs `op` repeatedly until `time` has passed; returns operations per second.
async fn rate<F, Fut>(time: Duration, mut op: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < time {
        op().await?;
        n += 1;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// The bare loop: one reqwest client, the headers the engine sends, JSON decoded into `serde_json::Value`.
struct Bare {
    http: reqwest::Client,
    base: String,
    auth: String,
}

impl Bare {
    async fn send_message(&self, thread_path: &str) -> anyhow::Result<()> {
        let resp = self
            .http
            .post(format!("{}{thread_path}/messages?{API}", self.base))
            .header("authorization", &self.auth)
            .header("x-ms-client-request-id", uuid_v4())
            .header("content-type", "application/json")
            .body(format!(r#"{{"content":"{MESSAGE}","type":"text"}}"#))
            .send()
            .await?;
        if resp.status() != StatusCode::CREATED {
            bail!("bare send answered {}", resp.status());
        }
        let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await?)?;
        v["id"].as_str().context("id")?;
        Ok(())
    }

    async fn list_all(&self, thread_path: &str) -> anyhow::Result<usize> {
        let mut url = format!("{}{thread_path}/messages?maxPageSize=200&{API}", self.base);
        let mut count = 0;
        loop {
            let resp = self
                .http
                .get(&url)
                .header("authorization", &self.auth)
                .header("x-ms-client-request-id", uuid_v4())
                .send()
                .await?;
            if resp.status() != StatusCode::OK {
                bail!("bare list answered {}", resp.status());
            }
            let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await?)?;
            count += v["value"].as_array().context("value")?.len();
            match v["nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return Ok(count),
            }
        }
    }
}

fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Fills a thread with `n` messages quickly, over several bare connections.
async fn fill(
    emu: &EmulatorProcess,
    auth: &str,
    thread_path: &str,
    n: usize,
    connections: usize,
) -> anyhow::Result<()> {
    let path = format!("{thread_path}/messages?{API}");
    let per = n.div_ceil(connections);
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let mut conn = Connection::open(&emu.authority).await?;
        let (path, auth) = (path.clone(), auth.to_owned());
        let count = per.min(n.saturating_sub(worker * per));
        tasks.push(tokio::spawn(async move {
            for _ in 0..count {
                let body = Bytes::from(format!(r#"{{"content":"{MESSAGE}","type":"text"}}"#));
                let resp = conn
                    .send(Method::POST, &path, &[("authorization", &auth)], body)
                    .await?;
                if resp.status != StatusCode::CREATED {
                    bail!("fill send answered {}", resp.status);
                }
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(())
}

/// Sequential `send_message` and listing 10,000 messages: the engine against the bare reqwest loop.
pub async fn engine_vs_bare(
    emu: &EmulatorProcess,
    s: &Settings,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let mut setup = Connection::open(&emu.authority).await?;
    let (_, token) = identity_user(&mut setup, emu).await?;
    let auth = format!("Bearer {token}");
    let send_thread = create_thread(&mut setup, &auth).await?;
    let list_thread = create_thread(&mut setup, &auth).await?;
    eprintln!("bench: filling a thread with {LISTED} messages");
    let list_path = format!("/chat/threads/{}", encode_path_segment(&list_thread));
    fill(emu, &auth, &list_path, LISTED, s.connections).await?;
    // Keep the emulator's round trip the same for both sides: warm it once with the bare generator.
    let warm = Load {
        method: Method::GET,
        path: format!("{list_path}/messages?maxPageSize=200&{API}").into(),
        auth: auth.clone().into(),
        body: Bytes::new(),
        expect: StatusCode::OK,
    };
    let quick = Settings {
        rounds: 1,
        round_time: Duration::from_millis(200),
        connections: 1,
    };
    measure(&emu.authority, &quick, &warm).await?;

    let base = format!("http://{}", emu.authority);
    let chat = ChatClient::new(
        &base,
        CommunicationTokenCredential::new(token.clone())?,
        ClientOptions::default(),
    )?;
    let engine_send = chat.get_chat_thread_client(send_thread.clone())?;
    let engine_list = chat.get_chat_thread_client(list_thread.clone())?;
    let bare = Bare {
        http: reqwest::Client::new(),
        base,
        auth,
    };
    let send_path = format!("/chat/threads/{}", encode_path_segment(&send_thread));

    let mut e_send = ScenarioResult::new("Rust engine send_message (sequential)", "messages/s");
    e_send.baseline = Some(("bare reqwest send_message (sequential)".into(), 0.9));
    let mut b_send = ScenarioResult::new("bare reqwest send_message (sequential)", "messages/s");
    let mut e_list = ScenarioResult::new("Rust engine list 10,000 messages", "listings/s");
    e_list.baseline = Some(("bare reqwest list 10,000 messages".into(), 0.9));
    let mut b_list = ScenarioResult::new("bare reqwest list 10,000 messages", "listings/s");

    for round in 1..=s.rounds {
        let r = rate(s.round_time, || async {
            engine_send
                .send_message(MESSAGE, SendMessageOptions::default())
                .await?;
            Ok(())
        })
        .await?;
        e_send.per_round.push(r);
        let r = rate(s.round_time, || bare.send_message(&send_path)).await?;
        b_send.per_round.push(r);
        eprintln!(
            "bench: round {round}/{}: send_message engine {:.0}/s, bare {:.0}/s",
            s.rounds,
            e_send.per_round[round - 1],
            r
        );

        let r = rate(s.round_time, || async {
            let mut items = engine_list
                .list_messages(ListMessagesOptions::default().results_per_page(200))?
                .into_stream();
            let mut n = 0;
            while let Some(m) = items.next().await {
                m?;
                n += 1;
            }
            if n < LISTED {
                bail!("the engine listed {n} messages, fewer than {LISTED}");
            }
            Ok(())
        })
        .await?;
        e_list.per_round.push(r);
        let r = rate(s.round_time, || async {
            let n = bare.list_all(&list_path).await?;
            if n < LISTED {
                bail!("the bare loop listed {n} messages, fewer than {LISTED}");
            }
            Ok(())
        })
        .await?;
        b_list.per_round.push(r);
        eprintln!(
            "bench: round {round}/{}: list 10,000 engine {:.2}/s, bare {:.2}/s",
            s.rounds,
            e_list.per_round[round - 1],
            r
        );
    }
    Ok(vec![e_send, b_send, e_list, b_list])
}
