//! Durability: run the real binary on an SQLite file, write through the HTTP API, `kill -9` it right
//! after the last 2xx, restart it on the same file (new port), and find everything there: identities,
//! tokens (the signing secret persists), revocations, threads, messages, edits, deletions, participants,
//! read receipts and repeatability ids.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// A running emulator process; killed with SIGKILL when dropped so a failing test leaves nothing behind.
struct Proc {
    child: Child,
    // Held so the emulator never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    endpoint: String,
    key: Vec<u8>,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    fn spawn(db: &Path) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_acs-chat-emulator"))
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Logs go to stderr; a pipe nobody drains could fill up and stall the server.
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let n = stdout
                .read_line(&mut line)
                .expect("reading the startup line");
            tx.send((n, line)).ok();
            stdout
        });
        let (n, line) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(v) => v,
            Err(_) => {
                let _ = child.kill();
                panic!("the emulator printed no startup line within 60 s");
            }
        };
        let stdout = reader.join().expect("reader thread");
        assert!(
            n > 0,
            "the emulator exited before printing its startup line"
        );
        let info: Value = serde_json::from_str(line.trim())
            .unwrap_or_else(|e| panic!("the startup line is not JSON ({e}): {line}"));
        let endpoint = info["endpoint"].as_str().expect("endpoint").to_string();
        let cs = info["connection_string"]
            .as_str()
            .expect("connection_string");
        let key_b64 = cs
            .split(';')
            .find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                k.eq_ignore_ascii_case("accesskey").then_some(v)
            })
            .expect("accesskey in the connection string");
        let key = STANDARD.decode(key_b64).expect("the access key is base64");
        Proc {
            child,
            _stdout: stdout,
            endpoint,
            key,
        }
    }

    fn api(&self) -> Api {
        Api::for_endpoint(&self.endpoint, self.key.clone())
    }

    /// SIGKILL: no chance to flush or close anything.
    fn kill9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaping the killed emulator");
    }
}

async fn new_user(api: &Api) -> (String, String) {
    let r = api.create_identity(&["chat"], None).await;
    let body = r.expect(201).json();
    (
        body["identity"]["id"].as_str().unwrap().to_string(),
        body["accessToken"]["token"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn everything_acknowledged_survives_kill_9_and_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("x.sqlite3");

    let first = Proc::spawn(&db);
    let api = first.api();
    let (a, a_token) = new_user(&api).await;
    let (b, b_token) = new_user(&api).await;
    let (c, c_token) = new_user(&api).await;
    let (d, d_token) = new_user(&api).await;
    let (e, e_token) = new_user(&api).await;
    let rid = uuid::Uuid::new_v4().to_string();
    let created = api
        .raw(
            Method::POST,
            &format!("/chat/threads?api-version={CHAT_API}"),
            &[
                ("authorization", format!("Bearer {a_token}")),
                ("content-type", "application/json".into()),
                ("repeatability-request-id", rid.clone()),
            ],
            Some(
                serde_json::to_vec(&json!({"topic": "durable", "participants": [participant(&b)]}))
                    .unwrap(),
            ),
        )
        .await;
    let thread = created.expect(201).json()["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = format!("/chat/threads/{}", quote(&thread));
    let mut sent = Vec::new();
    for i in 0..40 {
        sent.push(api.message(&a_token, &thread, &format!("m{i}")).await);
    }
    api.chat(
        &a_token,
        Method::PATCH,
        &format!("{t}/messages/{}", sent[3]),
        Some(json!({"content": "edited"})),
    )
    .await
    .expect(204);
    api.chat(
        &a_token,
        Method::DELETE,
        &format!("{t}/messages/{}", sent[4]),
        None,
    )
    .await
    .expect(204);
    api.chat(
        &b_token,
        Method::POST,
        &format!("{t}/readReceipts"),
        Some(json!({"chatMessageId": sent[39]})),
    )
    .await
    .expect(200);
    api.add(&a_token, &thread, &[&c]).await.expect(201);
    api.identity(
        Method::POST,
        &format!("/identities/{}/:revokeAccessTokens", quote(&c)),
        None,
    )
    .await
    .expect(204);
    api.chat(
        &a_token,
        Method::PATCH,
        &t,
        Some(json!({"topic": "still durable"})),
    )
    .await
    .expect(204);
    // A second thread that d leaves and a deletes; e's identity is deleted.
    let doomed = api.thread(&a_token, "doomed", &[&d, &e]).await;
    let doomed_path = format!("/chat/threads/{}", quote(&doomed));
    api.chat(
        &d_token,
        Method::POST,
        &format!("{doomed_path}/participants/:remove"),
        Some(ident(&d)),
    )
    .await
    .expect(204);
    api.chat(&a_token, Method::DELETE, &doomed_path, None)
        .await
        .expect(204);
    api.identity(Method::DELETE, &format!("/identities/{}", quote(&e)), None)
        .await
        .expect(204);
    let last = api.message(&a_token, &thread, "the last word").await;
    // Killed right after the last acknowledged write.
    first.kill9();

    let second = Proc::spawn(&db);
    let api = second.api();
    assert_ne!(api.endpoint, "", "restarted");

    // The same token works: the signing secret and the identity were persisted.
    let got = api.chat(&a_token, Method::GET, &t, None).await;
    assert_eq!(got.expect(200).json()["topic"], "still durable");
    // The revocation too.
    api.chat(&c_token, Method::GET, &t, None)
        .await
        .expect_error(401);

    let messages = api
        .list_all(&a_token, &format!("{t}/messages?maxPageSize=7"))
        .await
        .items;
    let texts: Vec<&Value> = messages.iter().filter(|m| m["type"] == "text").collect();
    assert_eq!(texts.len(), 41, "every acknowledged message is there");
    assert_eq!(texts[0]["id"], last.as_str());
    assert_eq!(texts[0]["content"]["message"], "the last word");
    let by_id = |id: &str| -> &Value {
        texts
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("message {id} lost"))
    };
    for (i, id) in sent.iter().enumerate() {
        let m = by_id(id);
        match i {
            3 => {
                assert_eq!(m["content"]["message"], "edited");
                ts(&m["editedOn"], "editedOn");
            }
            4 => {
                ts(&m["deletedOn"], "deletedOn");
            }
            _ => assert_eq!(m["content"]["message"], format!("m{i}")),
        }
    }
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"participantAdded") && kinds.contains(&"topicUpdated"));

    let mut members = participant_ids(&api, &a_token, &thread).await;
    members.sort();
    let mut expected = vec![a.clone(), b.clone(), c.clone()];
    expected.sort();
    assert_eq!(members, expected);

    let receipts = api
        .list_all(&a_token, &format!("{t}/readReceipts"))
        .await
        .items;
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0]["chatMessageId"], sent[39].as_str());
    assert_eq!(raw_id_of(&receipts[0]["senderCommunicationIdentifier"]), b);

    let threads = api.list_all(&b_token, "/chat/threads").await.items;
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["id"], thread.as_str());

    // Leaving, deleting a thread and deleting an identity persisted too.
    api.chat(&a_token, Method::GET, &doomed_path, None)
        .await
        .expect_error(404);
    let a_threads = api.list_all(&a_token, "/chat/threads").await.items;
    let doomed_item = a_threads
        .iter()
        .find(|t| t["id"] == doomed.as_str())
        .expect("the deleted thread is still listed");
    ts(&doomed_item["deletedOn"], "deletedOn after restart");
    api.chat(&e_token, Method::GET, "/chat/threads", None)
        .await
        .expect_error(401);
    api.identity(
        Method::POST,
        &format!("/identities/{}/:issueAccessToken", quote(&e)),
        Some(json!({"scopes": ["chat"]})),
    )
    .await
    .expect_error(404);
    let d_threads = api.list_all(&d_token, "/chat/threads").await.items;
    assert!(
        d_threads.iter().all(|t| t["id"] != doomed.as_str()),
        "d left the doomed thread before it was deleted: {d_threads:?}"
    );

    // The repeatability id still maps to the original thread.
    let again = api
        .raw(
            Method::POST,
            &format!("/chat/threads?api-version={CHAT_API}"),
            &[
                ("authorization", format!("Bearer {a_token}")),
                ("content-type", "application/json".into()),
                ("repeatability-request-id", rid),
            ],
            Some(serde_json::to_vec(&json!({"topic": "durable"})).unwrap()),
        )
        .await;
    assert_eq!(
        again.expect(201).json()["chatThread"]["id"],
        thread.as_str()
    );
    assert_eq!(api.list_all(&a_token, "/chat/threads").await.items.len(), 2);

    // Writing continues where it stopped: ids and sequence ids keep increasing.
    let next = api.message(&a_token, &thread, "after restart").await;
    assert!(next.parse::<u64>().unwrap() > last.parse::<u64>().unwrap());
    let m = api
        .chat(&a_token, Method::GET, &format!("{t}/messages/{next}"), None)
        .await
        .json();
    let last_seq: u64 = messages[0]["sequenceId"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        m["sequenceId"].as_str().unwrap().parse::<u64>().unwrap(),
        last_seq + 1
    );
    // Identities persisted: a new token for b can be issued.
    api.identity(
        Method::POST,
        &format!("/identities/{}/:issueAccessToken", quote(&b)),
        Some(json!({"scopes": ["chat"]})),
    )
    .await
    .expect(200);
    drop(second);
}

#[tokio::test]
async fn a_burst_of_writes_killed_mid_stream_keeps_every_acknowledged_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("x.sqlite3");
    let first = Proc::spawn(&db);
    let api = first.api();
    let (_, token) = new_user(&api).await;
    let thread = api.thread(&token, "burst", &[]).await;

    // Four writers; the process is killed while they are still sending.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let (api, token, thread, tx) = (api.clone(), token.clone(), thread.clone(), tx.clone());
        writers.spawn(async move {
            for i in 0..10_000 {
                let r = api
                    .http
                    .post(format!(
                        "{}/chat/threads/{}/messages?api-version={CHAT_API}",
                        api.endpoint,
                        quote(&thread)
                    ))
                    .bearer_auth(&token)
                    .json(&json!({"content": format!("w{w} m{i}")}))
                    .send()
                    .await;
                let Ok(r) = r else { break };
                if r.status().as_u16() != 201 {
                    break;
                }
                let Ok(body) = r.json::<Value>().await else {
                    break;
                };
                if tx.send(body["id"].as_str().unwrap().to_string()).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 200 {
        acknowledged.push(rx.recv().await.expect("writers keep acknowledging"));
    }
    first.kill9();
    while writers.join_next().await.is_some() {}
    while let Ok(id) = rx.try_recv() {
        acknowledged.push(id);
    }

    let second = Proc::spawn(&db);
    let api = second.api();
    let listed: std::collections::HashSet<String> = all_messages(&api, &token, &thread)
        .await
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !listed.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged messages were lost: {:?}",
        lost.len(),
        acknowledged.len(),
        lost.iter().take(10).collect::<Vec<_>>()
    );
}

#[test]
fn a_file_that_is_not_a_database_stops_startup_with_a_message_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("x.sqlite3");
    std::fs::write(
        &db,
        b"this is not an SQLite database, just some text ".repeat(200),
    )
    .expect("write the fake database");
    let mut child = Command::new(env!("CARGO_BIN_EXE_acs-chat-emulator"))
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the emulator binary starts");
    // Bounded wait: a server that starts anyway would never exit on its own.
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = child.try_wait().expect("try_wait") {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the emulator kept running on a file that is not a database");
    };
    let output = child.wait_with_output().expect("collect output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!status.success(), "it must exit with a failure status");
    assert!(
        !stderr.contains("panicked"),
        "a bad database file is an error, not a panic: {stderr}"
    );
    assert!(!stderr.trim().is_empty(), "it says what went wrong");
}
