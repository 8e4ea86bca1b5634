//! Tests of the emulator's server shell: the binary's startup line and signals, TLS, the body limit,
//! the admin API and fault injection. They use only routes the shell itself owns (`/admin/faults`) or
//! answers for (`/chat/...` faults and limits), so they hold whatever the API routes do.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use acs_chat_emulator::api::auth::hmac;
use acs_chat_emulator::{Emulator, EmulatorConfig, FaultConfig, Storage, DEFAULT_ACCESS_KEY};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHAT_PATH: &str = "/chat/threads?api-version=2023-11-07";
const OVER_LIMIT: usize = 1_100_000;

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config).await.expect("emulator starts")
}

async fn start_default() -> Emulator {
    start(EmulatorConfig::default()).await
}

/// A client that opens a new connection per request, so a dropped connection never leaks into the next test step.
fn fresh_client() -> Client {
    Client::builder().pool_max_idle_per_host(0).build().unwrap()
}

fn host_of(endpoint: &str) -> &str {
    endpoint.split_once("://").map(|(_, h)| h).unwrap()
}

/// A request signed like the identity API (HMAC-SHA256 with `key`).
fn signed(
    client: &Client,
    emu: &Emulator,
    method: Method,
    path_and_query: &str,
    body: &[u8],
    key: &[u8],
) -> reqwest::RequestBuilder {
    let h = hmac::sign(
        method.as_str(),
        path_and_query,
        host_of(emu.endpoint()),
        body,
        key,
        chrono::Utc::now(),
    );
    client
        .request(method, format!("{}{}", emu.endpoint(), path_and_query))
        .header("x-ms-date", h.date)
        .header("x-ms-content-sha256", h.content_sha256)
        .header("authorization", h.authorization)
        .body(body.to_vec())
}

async fn put_faults(emu: &Emulator, patch: Value) -> reqwest::Response {
    let body = serde_json::to_vec(&patch).unwrap();
    signed(
        &fresh_client(),
        emu,
        Method::PUT,
        "/admin/faults",
        &body,
        emu.access_key(),
    )
    .header("content-type", "application/json")
    .send()
    .await
    .unwrap()
}

async fn get_chat(emu: &Emulator) -> reqwest::Result<reqwest::Response> {
    fresh_client()
        .get(format!("{}{}", emu.endpoint(), CHAT_PATH))
        .send()
        .await
}

fn envelope_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

// ---------------------------------------------------------------------------------------------
// The binary

/// The running binary; killed (not just signalled) if a test fails before it exits.
struct Proc {
    child: Child,
    first_line: Value,
}

impl Proc {
    fn spawn(args: &[&str]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_acs-chat-emulator"))
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the emulator binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let first_line: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("first stdout line is not JSON ({e}): {line:?}"));
        Proc { child, first_line }
    }

    fn endpoint(&self) -> &str {
        self.first_line["endpoint"].as_str().unwrap()
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit (bounded, so a hung process fails the test instead of hanging it) and
    /// returns the exit status and everything written to stderr.
    async fn wait(mut self) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return (status, err);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the emulator did not exit within 20 s of SIGTERM");
            }
            // An async sleep keeps the test's runtime (and its client connections) running, so the
            // client can take part in a graceful HTTP/2 shutdown.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn binary_prints_the_json_line_first_then_serves_and_exits_0_on_sigterm() {
    let proc = Proc::spawn(&["--in-memory", "--listen", "127.0.0.1:0"]);
    let line = &proc.first_line;
    let endpoint = proc.endpoint().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{line}");
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "port 0 must be replaced by the chosen port");
    assert_eq!(
        line["connection_string"],
        format!("endpoint={endpoint}/;accesskey={DEFAULT_ACCESS_KEY}")
    );
    assert_eq!(line["ca_cert"], Value::Null);
    assert_eq!(line.as_object().unwrap().len(), 3, "{line}");

    let token = "secret.bearer.token-value";
    let resp = fresh_client()
        .get(format!(
            "{endpoint}{CHAT_PATH}&continuationToken=hidden-query"
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();

    proc.sigterm();
    let (exit, stderr) = proc.wait().await;
    assert!(exit.success(), "exit status {exit:?}; stderr:\n{stderr}");
    assert!(
        stderr.contains("/chat/threads") && stderr.contains(&status.to_string()),
        "one log line per request with path and status; stderr:\n{stderr}"
    );
    assert!(!stderr.contains(token), "the token must never be logged");
    assert!(!stderr.contains("hidden-query"), "queries are not logged");
    assert!(!stderr.contains(DEFAULT_ACCESS_KEY));
}

#[tokio::test]
async fn binary_with_tls_serves_https_and_removes_its_temporary_certificates() {
    let proc = Proc::spawn(&["--in-memory", "--tls", "--listen", "127.0.0.1:0"]);
    let endpoint = proc.endpoint().to_owned();
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    let ca_path = std::path::PathBuf::from(proc.first_line["ca_cert"].as_str().unwrap());
    let pem = std::fs::read(&ca_path).unwrap();
    let client = Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let resp = client
        .get(format!("{endpoint}/admin/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    proc.sigterm();
    let (exit, stderr) = proc.wait().await;
    assert!(exit.success(), "exit status {exit:?}; stderr:\n{stderr}");
    assert!(
        !ca_path.exists(),
        "the temporary TLS directory is removed at exit"
    );
}

#[test]
fn binary_rejects_bad_flags_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_acs-chat-emulator"))
        .args(["--in-memory", "--fault-503", "1.5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rate_503"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// TLS

#[tokio::test]
async fn tls_is_trusted_via_the_ca_for_ip_and_localhost_over_h2_and_http1_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tls.sqlite3");
    let config = EmulatorConfig {
        tls: true,
        storage: Storage::File(db.clone()),
        ..EmulatorConfig::default()
    };
    let emu = start(config.clone()).await;
    assert!(emu.endpoint().starts_with("https://127.0.0.1:"));
    let ca_path = emu.ca_cert_path().unwrap().to_owned();
    assert_eq!(ca_path, dir.path().join("tls.sqlite3.ca.pem"));
    let pem = emu.ca_cert_pem().unwrap().to_owned();
    let root = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let port = emu.endpoint().rsplit(':').next().unwrap().to_owned();

    let h2 = Client::builder()
        .add_root_certificate(root.clone())
        .build()
        .unwrap();
    let h1 = Client::builder()
        .add_root_certificate(root)
        .http1_only()
        .build()
        .unwrap();
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("https://{host}:{port}/admin/faults");
        let resp = h2.get(&url).send().await.unwrap();
        assert_eq!(resp.version(), reqwest::Version::HTTP_2, "{host}");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{host}");
        let resp = h1.get(&url).send().await.unwrap();
        assert_eq!(resp.version(), reqwest::Version::HTTP_11, "{host}");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{host}");
    }

    // An untrusting client must fail: proves the CA is what makes the connection work.
    let plain = Client::new();
    assert!(plain
        .get(format!("{}/admin/faults", emu.endpoint()))
        .send()
        .await
        .is_err());

    // Signed admin requests work over HTTP/2 too (the Host header comes from :authority).
    let h = hmac::sign(
        "GET",
        "/admin/faults",
        host_of(emu.endpoint()),
        b"",
        emu.access_key(),
        chrono::Utc::now(),
    );
    let resp = h2
        .get(format!("{}/admin/faults", emu.endpoint()))
        .header("x-ms-date", h.date)
        .header("x-ms-content-sha256", h.content_sha256)
        .header("authorization", h.authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.version(), reqwest::Version::HTTP_2);
    assert_eq!(resp.status(), StatusCode::OK);

    emu.shutdown().await;
    let again = start(config).await;
    assert_eq!(
        again.ca_cert_pem().unwrap(),
        pem,
        "the CA is reused across restarts"
    );
    again.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Body limit

#[tokio::test]
async fn oversized_body_with_content_length_gets_413_envelope() {
    let emu = start_default().await;
    let resp = fresh_client()
        .post(format!("{}{}", emu.endpoint(), CHAT_PATH))
        .header("content-type", "application/json")
        .body(vec![b' '; OVER_LIMIT])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(resp.headers()["x-ms-error-response"], "true");
    assert!(
        resp.headers().contains_key("api-supported-versions"),
        "answers made by the shell carry the API's headers too"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(envelope_code(&body), "RequestEntityTooLarge");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1048576"));
}

/// Sends a raw chunked HTTP/1.1 POST of `total` bytes and returns the status line of the answer.
async fn raw_chunked_post(emu: &Emulator, total: usize) -> String {
    let addr = host_of(emu.endpoint()).to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {CHAT_PATH} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let n = chunk.len().min(total - sent);
        let frame = format!("{n:x}\r\n");
        // A write error means the server already answered and closed; the answer is read below.
        if stream.write_all(frame.as_bytes()).await.is_err()
            || stream.write_all(&chunk[..n]).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += n;
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn oversized_chunked_body_gets_413_and_small_ones_pass() {
    let emu = start_default().await;
    let status = raw_chunked_post(&emu, OVER_LIMIT).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
    let status = raw_chunked_post(&emu, 1000).await;
    assert!(status.starts_with("HTTP/1.1 "), "{status:?}");
    assert!(!status.starts_with("HTTP/1.1 413"), "{status:?}");
}

// ---------------------------------------------------------------------------------------------
// Admin API

#[tokio::test]
async fn admin_requires_a_valid_signature() {
    let emu = start_default().await;
    let url = format!("{}/admin/faults", emu.endpoint());
    let resp = fresh_client().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(envelope_code(&body), "Unauthorized");

    let client = fresh_client();
    let wrong = signed(
        &client,
        &emu,
        Method::GET,
        "/admin/faults",
        b"",
        b"wrong key",
    );
    assert_eq!(
        wrong.send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    let ok = signed(
        &client,
        &emu,
        Method::GET,
        "/admin/faults",
        b"",
        emu.access_key(),
    );
    let resp = ok.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let got: FaultConfig = resp.json().await.unwrap();
    assert_eq!(got, FaultConfig::default());

    let unsigned_put = fresh_client()
        .put(&url)
        .body(r#"{"rate_503":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned_put.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(emu.faults(), FaultConfig::default(), "unchanged by a 401");
}

#[tokio::test]
async fn admin_put_merges_validates_and_updates_the_live_config() {
    let emu = start_default().await;
    let resp = put_faults(&emu, json!({"rate_503": 1.0, "remaining": 2})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let got: FaultConfig = resp.json().await.unwrap();
    let expected = FaultConfig {
        rate_503: 1.0,
        remaining: Some(2),
        ..FaultConfig::default()
    };
    assert_eq!(got, expected);
    assert_eq!(emu.faults(), expected);

    let resp = put_faults(&emu, json!({"rate_429": 1.5})).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("rate_429"),
        "{body}"
    );
    let resp = put_faults(&emu, json!({"bogus": 1})).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(emu.faults(), expected, "rejected updates change nothing");

    let resp = put_faults(&emu, json!({"remaining": null, "rate_503": 0})).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(emu.faults(), FaultConfig::default());
}

// ---------------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn fault_429_carries_retry_after_headers_and_counts_down() {
    let emu = start_default().await;
    emu.set_faults(FaultConfig {
        rate_429: 1.0,
        retry_after_secs: 3,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let resp = get_chat(&emu).await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "3");
    assert_eq!(resp.headers()["retry-after-ms"], "3000");
    assert!(resp.headers().contains_key("api-supported-versions"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(envelope_code(&body), "TooManyRequests");
    assert_eq!(emu.faults().remaining, Some(0));
    let next = get_chat(&emu).await.unwrap();
    assert_ne!(next.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn fault_503_hits_exactly_remaining_chat_requests_and_spares_identity_and_admin() {
    let emu = start_default().await;
    emu.set_faults(FaultConfig {
        rate_503: 1.0,
        remaining: Some(2),
        ..FaultConfig::default()
    });
    // Identity and admin requests are never faulted and do not count.
    let identity = fresh_client()
        .post(format!(
            "{}/identities?api-version=2023-10-01",
            emu.endpoint()
        ))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_ne!(identity.status(), StatusCode::SERVICE_UNAVAILABLE);
    let admin = signed(
        &fresh_client(),
        &emu,
        Method::GET,
        "/admin/faults",
        b"",
        emu.access_key(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    assert_eq!(emu.faults().remaining, Some(2));

    for _ in 0..2 {
        let resp = get_chat(&emu).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()["retry-after"], "1");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(envelope_code(&body), "ServiceUnavailable");
    }
    let third = get_chat(&emu).await.unwrap();
    assert_ne!(third.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(emu.faults().remaining, Some(0));
}

#[tokio::test]
async fn fault_drop_before_closes_the_connection_without_an_answer() {
    let emu = start_default().await;
    emu.set_faults(FaultConfig {
        rate_drop_before: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let err = get_chat(&emu).await.expect_err("no response must arrive");
    assert!(!err.is_status(), "{err}");
    assert_eq!(emu.faults().remaining, Some(0));
    get_chat(&emu)
        .await
        .expect("later requests are answered again");
}

#[tokio::test]
async fn fault_drop_after_runs_the_handler_then_closes_the_connection() {
    let emu = start_default().await;
    emu.set_faults(FaultConfig {
        rate_drop_after: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let err = get_chat(&emu).await.expect_err("no response must arrive");
    assert!(!err.is_status(), "{err}");
    assert_eq!(emu.faults().remaining, Some(0));
    get_chat(&emu)
        .await
        .expect("later requests are answered again");
}

#[tokio::test]
async fn fault_drop_after_commits_the_write_before_dropping() {
    let emu = start_default().await;
    let user = emu.create_chat_user().unwrap();
    let url = format!("{}{}", emu.endpoint(), CHAT_PATH);
    emu.set_faults(FaultConfig {
        rate_drop_after: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let dropped = fresh_client()
        .post(&url)
        .bearer_auth(&user.token)
        .json(&json!({"topic": "written before the drop"}))
        .send()
        .await;
    assert!(dropped.is_err(), "no response must arrive");

    let listed = fresh_client()
        .get(&url)
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let body: Value = listed.json().await.unwrap();
    let topics: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["topic"].as_str())
        .collect();
    assert_eq!(topics, ["written before the drop"], "{body}");
}

#[tokio::test]
async fn fault_drop_over_http2_kills_the_connection_and_later_requests_work() {
    let emu = start(EmulatorConfig {
        tls: true,
        ..EmulatorConfig::default()
    })
    .await;
    let root = reqwest::Certificate::from_pem(emu.ca_cert_pem().unwrap().as_bytes()).unwrap();
    let client = Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap();
    let url = format!("{}{}", emu.endpoint(), CHAT_PATH);
    let before = client.get(&url).send().await.unwrap();
    assert_eq!(before.version(), reqwest::Version::HTTP_2);
    emu.set_faults(FaultConfig {
        rate_drop_before: 1.0,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    assert!(client.get(&url).send().await.is_err());
    let after = client.get(&url).send().await.unwrap();
    assert_eq!(after.version(), reqwest::Version::HTTP_2);
}

#[tokio::test]
async fn latency_counts_as_a_fault_and_the_request_still_succeeds() {
    let emu = start_default().await;
    emu.set_faults(FaultConfig {
        latency_ms: 1,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    get_chat(&emu).await.unwrap();
    assert_eq!(emu.faults().remaining, Some(0));
}

// ---------------------------------------------------------------------------------------------
// Shutdown

#[tokio::test]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let emu = start_default().await;
    // The latency holds the request inside the server; `remaining` dropping to 0 shows it has arrived.
    emu.set_faults(FaultConfig {
        latency_ms: 300,
        remaining: Some(1),
        ..FaultConfig::default()
    });
    let url = format!("{}{}", emu.endpoint(), CHAT_PATH);
    let in_flight = tokio::spawn(async move { fresh_client().get(url).send().await });
    let deadline = Instant::now() + Duration::from_secs(10);
    while emu.faults().remaining != Some(0) {
        assert!(Instant::now() < deadline, "the request never arrived");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let endpoint = emu.endpoint().to_owned();
    emu.shutdown().await;
    let resp = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert!(resp.status().as_u16() >= 200);
    assert!(
        fresh_client()
            .get(format!("{endpoint}{CHAT_PATH}"))
            .send()
            .await
            .is_err(),
        "no new connections after shutdown"
    );
}

#[tokio::test]
async fn admin_answers_404_for_other_paths_and_405_for_other_methods() {
    let emu = start_default().await;
    let client = fresh_client();
    let key = emu.access_key().to_vec();
    let other = signed(&client, &emu, Method::GET, "/admin/other", b"", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let body: Value = other.json().await.unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/admin/faults"));
    let delete = signed(&client, &emu, Method::DELETE, "/admin/faults", b"", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = delete.json().await.unwrap();
    assert_eq!(envelope_code(&body), "MethodNotAllowed");
}

#[test]
fn the_handle_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Emulator>();
}
