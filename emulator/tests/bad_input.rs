//! Randomized bad input (seeded, bounded, fast): malformed JSON, wrong types, missing required fields,
//! unknown ids, bodies over 1 MB, invalid percent-encoding in path ids and garbage Authorization
//! headers, sent to every chat and identity route. Every answer must be a 4xx with the error envelope
//! `{"error":{"code","message"}}` (never a 5xx, never a success), and the emulator must keep answering
//! correctly afterwards.

mod common;

use chrono::Utc;
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

/// Fixed so a failure reproduces; change it locally to explore other sequences.
const SEED: u64 = 0x0AC5_C4A7;
const REQUESTS: usize = 420;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Api2 {
    Chat,
    Identity,
}

/// One route. `{t}`, `{m}` and `{id}` stand for a thread id, message id and identity id (already
/// percent-encoded where they are substituted). `body` tells whether the route reads a JSON body.
struct Route {
    api: Api2,
    method: Method,
    path: &'static str,
    body: bool,
    /// Bodies that are valid JSON but miss a required field or carry a wrong type for this route.
    bad_bodies: &'static [&'static str],
}

fn routes() -> Vec<Route> {
    use Api2::*;
    let r = |api, method, path, body, bad_bodies| Route {
        api,
        method,
        path,
        body,
        bad_bodies,
    };
    vec![
        r(
            Chat,
            Method::POST,
            "/chat/threads",
            true,
            &[
                r#"{}"#,
                r#"{"participants":[]}"#,
                r#"{"topic":5}"#,
                r#"{"topic":null}"#,
                r#"{"topic":"t","participants":"x"}"#,
                r#"{"topic":"t","participants":[{"displayName":"no identifier"}]}"#,
                r#"{"topic":"t","participants":[{"communicationIdentifier":{}}]}"#,
                r#"{"topic":"t","participants":[{"communicationIdentifier":{"communicationUser":{}}}]}"#,
                r#"{"topic":"t","participants":[{"communicationIdentifier":{"rawId":7}}]}"#,
                r#"{"topic":"t","participants":[{"communicationIdentifier":{"rawId":"8:acs:x"},"shareHistoryTime":"yesterday"}]}"#,
            ],
        ),
        r(Chat, Method::GET, "/chat/threads", false, &[]),
        r(Chat, Method::GET, "/chat/threads/{t}", false, &[]),
        r(
            Chat,
            Method::PATCH,
            "/chat/threads/{t}",
            true,
            &[r#"{"topic":5}"#, r#"{"topic":["a"]}"#],
        ),
        r(Chat, Method::DELETE, "/chat/threads/{t}", false, &[]),
        r(
            Chat,
            Method::POST,
            "/chat/threads/{t}/messages",
            true,
            &[
                r#"{}"#,
                r#"{"type":"text"}"#,
                r#"{"content":5}"#,
                r#"{"content":null}"#,
                r#"{"content":"x","type":"participantAdded"}"#,
                r#"{"content":"x","type":7}"#,
                r#"{"content":"x","metadata":"m"}"#,
                r#"{"content":"x","metadata":{"k":1}}"#,
                r#"{"content":"x","senderDisplayName":{}}"#,
            ],
        ),
        r(Chat, Method::GET, "/chat/threads/{t}/messages", false, &[]),
        r(
            Chat,
            Method::GET,
            "/chat/threads/{t}/messages/{m}",
            false,
            &[],
        ),
        r(
            Chat,
            Method::PATCH,
            "/chat/threads/{t}/messages/{m}",
            true,
            &[
                r#"{"content":5}"#,
                r#"{"metadata":[1]}"#,
                r#"{"metadata":{"k":{}}}"#,
            ],
        ),
        r(
            Chat,
            Method::DELETE,
            "/chat/threads/{t}/messages/{m}",
            false,
            &[],
        ),
        r(
            Chat,
            Method::GET,
            "/chat/threads/{t}/participants",
            false,
            &[],
        ),
        r(
            Chat,
            Method::POST,
            "/chat/threads/{t}/participants/:add",
            true,
            &[
                r#"{}"#,
                r#"{"participants":null}"#,
                r#"{"participants":{}}"#,
                r#"{"participants":[{}]}"#,
                r#"{"participants":[{"communicationIdentifier":"8:acs:x"}]}"#,
                r#"{"participants":[{"communicationIdentifier":{"rawId":"8:acs:x"},"displayName":3}]}"#,
            ],
        ),
        r(
            Chat,
            Method::POST,
            "/chat/threads/{t}/participants/:remove",
            true,
            &[
                r#"{}"#,
                r#"{"rawId":5}"#,
                r#"{"communicationUser":{}}"#,
                r#"{"communicationUser":{"id":null}}"#,
            ],
        ),
        r(
            Chat,
            Method::POST,
            "/chat/threads/{t}/readReceipts",
            true,
            &[
                r#"{}"#,
                r#"{"chatMessageId":12}"#,
                r#"{"chatMessageId":null}"#,
                r#"{"chatMessageId":"not-a-message"}"#,
            ],
        ),
        r(
            Chat,
            Method::GET,
            "/chat/threads/{t}/readReceipts",
            false,
            &[],
        ),
        r(
            Chat,
            Method::POST,
            "/chat/threads/{t}/typing",
            true,
            &[r#"{"senderDisplayName":5}"#, r#"[]"#, r#""typing""#],
        ),
        r(
            Identity,
            Method::POST,
            "/identities",
            true,
            &[
                r#"{"createTokenWithScopes":"chat"}"#,
                r#"{"createTokenWithScopes":["admin"]}"#,
                r#"{"createTokenWithScopes":[1]}"#,
                r#"{"createTokenWithScopes":["chat"],"expiresInMinutes":"60"}"#,
                r#"{"createTokenWithScopes":["chat"],"expiresInMinutes":30}"#,
                r#"{"expiresInMinutes":2000}"#,
                r#"[]"#,
            ],
        ),
        r(Identity, Method::DELETE, "/identities/{id}", false, &[]),
        r(
            Identity,
            Method::POST,
            "/identities/{id}/:issueAccessToken",
            true,
            &[
                r#"{}"#,
                r#"{"scopes":[]}"#,
                r#"{"scopes":"chat"}"#,
                r#"{"scopes":["superuser"]}"#,
                r#"{"scopes":["chat"],"expiresInMinutes":1441}"#,
            ],
        ),
        r(
            Identity,
            Method::POST,
            "/identities/{id}/:revokeAccessTokens",
            false,
            &[],
        ),
        r(
            Identity,
            Method::POST,
            "/teamsUser/:exchangeAccessToken",
            true,
            &[r#"{}"#, r#"{"token":"t","appId":"a","userId":"u"}"#],
        ),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Mutation {
    MalformedJson,
    WrongTopLevelType,
    BadBody,
    UnknownIds,
    TooLarge,
    BadPercentEncoding,
    GarbageAuth,
    BadQuery,
    WrongContentType,
}

const MUTATIONS: [Mutation; 9] = [
    Mutation::MalformedJson,
    Mutation::WrongTopLevelType,
    Mutation::BadBody,
    Mutation::UnknownIds,
    Mutation::TooLarge,
    Mutation::BadPercentEncoding,
    Mutation::GarbageAuth,
    Mutation::BadQuery,
    Mutation::WrongContentType,
];

fn malformed_json(rng: &mut StdRng) -> Vec<u8> {
    let pool: [&[u8]; 10] = [
        b"{",
        b"{\"topic\": \"x\"",
        b"{\"content\": \"x\",}",
        b"{'content': 'single quotes'}",
        b"not json at all",
        b"{\"a\":1}{\"b\":2}",
        b"\xff\xfe\x00{}",
        b"{\"content\": \"\\uZZZZ\"}",
        b"[1, 2,",
        b"{\"participants\": [}",
    ];
    if rng.gen_bool(0.3) {
        // Random bytes that are almost never JSON; the leading '{' makes the parser get going.
        let n = rng.gen_range(1..64);
        let mut b = vec![b'{'];
        b.extend((0..n).map(|_| rng.gen::<u8>()));
        b
    } else {
        pool[rng.gen_range(0..pool.len())].to_vec()
    }
}

fn garbage_auth(rng: &mut StdRng, valid_token: &str) -> String {
    match rng.gen_range(0..5) {
        0 => {
            let n = rng.gen_range(1..80);
            (0..n)
                .map(|_| rng.gen_range(0x21u8..0x7f) as char)
                .collect()
        }
        1 => {
            let n = rng.gen_range(1..80);
            let s: String = (0..n)
                .map(|_| rng.gen_range(0x21u8..0x7f) as char)
                .collect();
            format!("Bearer {s}")
        }
        2 => format!("Bearer {valid_token}x"),
        3 => format!(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={}",
            (0..44)
                .map(|_| rng.gen_range(b'A'..=b'Z') as char)
                .collect::<String>()
        ),
        _ => "Bearer a.b.c".to_string(),
    }
}

/// A query that is wrong for the route: a missing or unknown api-version, or (on lists) a bad
/// paging parameter next to a valid api-version.
fn bad_query(route: &Route, rng: &mut StdRng) -> String {
    let version = match route.api {
        Api2::Chat => CHAT_API,
        Api2::Identity => IDENTITY_API,
    };
    let p = route.path;
    let is_list = route.method == Method::GET
        && (p.ends_with("/threads")
            || p.ends_with("/messages")
            || p.ends_with("/participants")
            || p.ends_with("/readReceipts"));
    if is_list && rng.gen_bool(0.6) {
        let mut pool = vec![
            "maxPageSize=abc",
            "maxPageSize=0",
            "maxPageSize=201",
            "maxPageSize=-5",
        ];
        if p.ends_with("/threads") || p.ends_with("/messages") {
            pool.extend([
                "startTime=not-a-time",
                "startTime=2026-13-45T99%3A00%3A00Z",
                "startTime=%FF%FE",
                "startTime=99999-01-01T00%3A00%3A00Z",
            ]);
        } else {
            pool.extend([
                "skip=-3",
                "skip=many",
                "skip=99999999999999999999",
                "skip=%FF",
            ]);
        }
        if p.ends_with("/messages") || p.ends_with("/threads") {
            pool.push("syncState=%21%21garbage");
        }
        let bad = pool[rng.gen_range(0..pool.len())];
        return format!("?{bad}&api-version={version}");
    }
    let pool = [
        "",
        "?api-version=",
        "?api-version=2099-01-01",
        "?api-version=%zz",
        "?apiversion=2023-11-07",
    ];
    pool[rng.gen_range(0..pool.len())].to_string()
}

struct Fixture {
    api: Api,
    token: String,
    thread: String,
    message: String,
    identity: String,
}

struct Sent {
    route: String,
    /// The first bytes of the request body, for the failure report.
    body_preview: String,
    mutation: Mutation,
    resp: Resp,
}

async fn send_one(
    fx: &Fixture,
    route: &Route,
    mutation: Mutation,
    rng: &mut StdRng,
) -> Option<Sent> {
    let mut thread = quote(&fx.thread);
    let mut message = quote(&fx.message);
    let mut identity = quote(&fx.identity);
    let mut body: Option<Vec<u8>> = if route.body {
        Some(b"{}".to_vec())
    } else {
        None
    };
    let mut auth: Option<String> = None;
    let mut query: Option<String> = None;
    let mut content_type: Option<String> = None;
    let has_ids = route.path.contains('{');
    match mutation {
        Mutation::MalformedJson
        | Mutation::WrongTopLevelType
        | Mutation::BadBody
        | Mutation::TooLarge
        | Mutation::WrongContentType
            if !route.body =>
        {
            return None
        }
        Mutation::UnknownIds | Mutation::BadPercentEncoding if !has_ids => return None,
        Mutation::MalformedJson => body = Some(malformed_json(rng)),
        Mutation::WrongTopLevelType => {
            // Typing and identity creation take an optional body, so JSON `null` may fairly mean
            // "no body" there.
            let pool = if route.path.ends_with("/typing") || route.path == "/identities" {
                vec!["[]", "\"x\"", "42", "true"]
            } else {
                vec!["[]", "\"x\"", "42", "true", "null"]
            };
            body = Some(pool[rng.gen_range(0..pool.len())].as_bytes().to_vec());
        }
        Mutation::BadBody => {
            if route.bad_bodies.is_empty() {
                return None;
            }
            let b = route.bad_bodies[rng.gen_range(0..route.bad_bodies.len())];
            body = Some(b.as_bytes().to_vec());
        }
        Mutation::TooLarge => {
            let n = 1024 * 1024 + rng.gen_range(1..4096);
            let mut b = b"{\"content\":\"".to_vec();
            b.resize(n, b'a');
            b.extend_from_slice(b"\"}");
            body = Some(b);
        }
        Mutation::UnknownIds => {
            thread = quote(&format!("19:{:032x}@thread.v2", rng.gen::<u128>()));
            message = rng
                .gen_range(1_000_000_000_000u64..1_600_000_000_000)
                .to_string();
            let (prefix, _) = fx.identity.rsplit_once('_').expect("identity shape");
            identity = quote(&format!("{prefix}_{}", uuid::Uuid::new_v4()));
            if route.body {
                body = Some(valid_body(route, fx).into_bytes());
            }
            // With a known thread, only the message id is unknown on message routes.
            if route.path.contains("{m}") && rng.gen_bool(0.5) {
                thread = quote(&fx.thread);
            }
        }
        Mutation::BadPercentEncoding => {
            let pool = ["%zz", "%", "19%3", "%FF%FE", "%C3%28", "19%3Aabc%4", "%00"];
            let bad = pool[rng.gen_range(0..pool.len())].to_string();
            if route.path.contains("{m}") && rng.gen_bool(0.5) {
                message = bad;
            } else {
                thread = bad.clone();
                identity = bad;
            }
            if route.body {
                body = Some(valid_body(route, fx).into_bytes());
            }
        }
        Mutation::GarbageAuth => {
            auth = Some(garbage_auth(rng, &fx.token));
            if route.body {
                body = Some(valid_body(route, fx).into_bytes());
            }
        }
        Mutation::WrongContentType => {
            let pool = [
                "text/plain",
                "application/xml",
                "multipart/form-data; boundary=x",
            ];
            content_type = Some(pool[rng.gen_range(0..pool.len())].to_string());
            body = Some(valid_body(route, fx).into_bytes());
        }
        Mutation::BadQuery => {
            query = Some(bad_query(route, rng));
            if route.body {
                body = Some(valid_body(route, fx).into_bytes());
            }
        }
    }
    let path = route
        .path
        .replace("{t}", &thread)
        .replace("{m}", &message)
        .replace("{id}", &identity);
    let version = match route.api {
        Api2::Chat => CHAT_API,
        Api2::Identity => IDENTITY_API,
    };
    let pq = match query {
        Some(q) => format!("{path}{q}"),
        None => format!("{path}?api-version={version}"),
    };
    let mut headers: Vec<(&str, String)> = Vec::new();
    match (route.api, auth) {
        (_, Some(a)) => headers.push(("authorization", a)),
        (Api2::Chat, None) => headers.push(("authorization", format!("Bearer {}", fx.token))),
        (Api2::Identity, None) => headers.extend(fx.api.signed_headers(
            route.method.as_str(),
            &pq,
            body.as_deref().unwrap_or_default(),
            Utc::now(),
        )),
    }
    if body.is_some() {
        let ct = match content_type {
            Some(ct) => ct,
            None if route.method == Method::PATCH => "application/merge-patch+json".to_string(),
            None => "application/json".to_string(),
        };
        headers.push(("content-type", ct));
    }
    let body_preview = body
        .as_deref()
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(120)]).into_owned())
        .unwrap_or_default();
    let resp = fx.api.raw(route.method.clone(), &pq, &headers, body).await;
    Some(Sent {
        route: format!("{} {}", route.method, route.path),
        body_preview,
        mutation,
        resp,
    })
}

/// A body the route would accept, so that the mutation under test is the only thing wrong.
fn valid_body(route: &Route, fx: &Fixture) -> String {
    let p = route.path;
    let v: Value = if p == "/chat/threads" {
        json!({"topic": "t"})
    } else if p.ends_with("/messages") {
        json!({"content": "x"})
    } else if p.ends_with("/messages/{m}") {
        json!({"content": "y"})
    } else if p.ends_with(":add") || p.ends_with(":remove") {
        // A participant that is not in the thread: removing it must not touch real members.
        let (prefix, _) = fx.identity.rsplit_once('_').expect("identity shape");
        let stranger = format!("{prefix}_{}", uuid::Uuid::new_v4());
        if p.ends_with(":add") {
            json!({"participants": [participant(&stranger)]})
        } else {
            ident(&stranger)
        }
    } else if p.ends_with("/readReceipts") {
        json!({"chatMessageId": fx.message})
    } else if p.ends_with("/typing") {
        json!({})
    } else if p.ends_with(":issueAccessToken") {
        json!({"scopes": ["chat"]})
    } else if p.ends_with(":exchangeAccessToken") {
        json!({"token": "t", "appId": "a", "userId": "u"})
    } else if p.ends_with("/{t}") {
        json!({"topic": "still t"})
    } else {
        json!({})
    };
    v.to_string()
}

/// Why a response breaks the contract, if it does.
fn violation(s: &Sent) -> Option<String> {
    let r = &s.resp;
    if !(400..500).contains(&r.status) {
        return Some(format!("status {} is not a 4xx", r.status));
    }
    if matches!(s.mutation, Mutation::TooLarge) && r.status != 413 {
        return Some(format!("a body over 1 MB got {} instead of 413", r.status));
    }
    let v: Value = match serde_json::from_slice(&r.body) {
        Ok(v) => v,
        Err(_) => return Some("the body is not JSON".into()),
    };
    let ok = v["error"]["code"].as_str().is_some_and(|c| !c.is_empty())
        && v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty());
    if !ok {
        return Some("no {\"error\":{\"code\",\"message\"}} envelope".into());
    }
    // Chat answers list the chat versions, identity answers the identity ones.
    let expected_version = if s.route.contains("/chat/") {
        CHAT_API
    } else {
        IDENTITY_API
    };
    if !r
        .header("api-supported-versions")
        .is_some_and(|h| h.contains(expected_version))
    {
        return Some(format!(
            "no api-supported-versions header listing {expected_version}"
        ));
    }
    None
}

/// Whether the emulator still serves the fixture correctly: nothing the bad requests did changed it.
async fn health_problem(fx: &Fixture) -> Option<String> {
    let t = fx
        .api
        .chat(
            &fx.token,
            Method::GET,
            &format!("/chat/threads/{}", quote(&fx.thread)),
            None,
        )
        .await;
    if t.status != 200 || t.json()["topic"] != "t" {
        return Some(format!("the fixture thread changed: {t}"));
    }
    let m = fx
        .api
        .chat(
            &fx.token,
            Method::GET,
            &format!(
                "/chat/threads/{}/messages/{}",
                quote(&fx.thread),
                fx.message
            ),
            None,
        )
        .await;
    if m.status != 200 || m.json()["content"]["message"] != "keep me" {
        return Some(format!("the fixture message changed: {m}"));
    }
    None
}

#[tokio::test]
async fn every_route_answers_bad_input_with_a_4xx_envelope_and_keeps_serving() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let message = api.message(&a.token, &thread, "keep me").await;
    // A separate identity for the identity routes, so the chat user's token is never at risk.
    let identity = chat_user(&emu).id;
    let fx = Fixture {
        api,
        token: a.token.clone(),
        thread,
        message,
        identity,
    };
    let routes = routes();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut failures: Vec<String> = Vec::new();
    let mut sent = 0usize;
    let mut seen = std::collections::HashSet::new();
    while sent < REQUESTS {
        let route = &routes[rng.gen_range(0..routes.len())];
        let mutation = MUTATIONS[rng.gen_range(0..MUTATIONS.len())];
        // Large bodies are slow-ish to build and send; a few per route is plenty.
        if matches!(mutation, Mutation::TooLarge) && rng.gen_bool(0.7) {
            continue;
        }
        let Some(s) = send_one(&fx, route, mutation, &mut rng).await else {
            continue;
        };
        sent += 1;
        seen.insert((s.route.clone(), format!("{mutation:?}")));
        if let Some(why) = violation(&s) {
            if failures.len() < 40 {
                failures.push(format!(
                    "[{mutation:?}] {}: {why}\n    request body: {:?}\n    {}",
                    s.route, s.body_preview, s.resp
                ));
            }
        }
        if let Some(problem) = health_problem(&fx).await {
            failures.push(format!("after the request above: {problem}"));
            break;
        }
    }
    // The seed must actually exercise every route with several kinds of bad input.
    for route in &routes {
        let name = format!("{} {}", route.method, route.path);
        let kinds = seen.iter().filter(|(r, _)| *r == name).count();
        assert!(
            kinds >= 2,
            "{name} got only {kinds} kinds of bad input; raise REQUESTS"
        );
    }
    assert!(
        failures.is_empty(),
        "{} contract violations (first {}):\n{}",
        failures.len(),
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn invalid_percent_encoding_in_path_ids_is_400() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    for bad in ["%zz", "19%3", "%FF%FE", "%C3%28"] {
        let r = api
            .chat(&a.token, Method::GET, &format!("/chat/threads/{bad}"), None)
            .await;
        r.expect_error(400);
        let r = api
            .identity(Method::DELETE, &format!("/identities/{bad}"), None)
            .await;
        r.expect_error(400);
    }
}

#[tokio::test]
async fn bodies_over_1_mb_are_413_on_chat_and_identity() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let big = json!({"topic": "x".repeat(1024 * 1024 + 10)});
    let r = api
        .chat(&a.token, Method::POST, "/chat/threads", Some(big.clone()))
        .await;
    r.expect_error(413);
    r.expect_chat_versions_header();
    let r = api.identity(Method::POST, "/identities", Some(big)).await;
    r.expect_error(413);
    assert!(api
        .list_all(&a.token, "/chat/threads")
        .await
        .items
        .is_empty());
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_envelope() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let r = api.chat(&a.token, Method::GET, "/chat/nothing", None).await;
    r.expect_error(404);
    r.expect_chat_versions_header();
    let r = api
        .chat(
            &a.token,
            Method::PUT,
            &format!("/chat/threads/{}", quote(&thread)),
            None,
        )
        .await;
    let (status, _, _) = r.expect_4xx();
    assert!(status == 405 || status == 404, "{r}");
    let r = api
        .chat(
            &a.token,
            Method::POST,
            &format!("/chat/threads/{}/participants/:explode", quote(&thread)),
            Some(json!({})),
        )
        .await;
    r.expect_4xx();
}

#[tokio::test]
async fn json_that_is_not_an_object_is_400_even_where_every_field_is_optional() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let message = api.message(&a.token, &thread, "m").await;
    let t = format!("/chat/threads/{}", quote(&thread));
    for body in [json!([]), json!([1]), json!("x"), json!(7)] {
        let cases = [
            (Method::PATCH, t.clone()),
            (Method::PATCH, format!("{t}/messages/{message}")),
            (Method::POST, format!("{t}/typing")),
        ];
        for (method, path) in cases {
            let r = api.chat(&a.token, method, &path, Some(body.clone())).await;
            r.expect_error(400);
        }
        let r = api.identity(Method::POST, "/identities", Some(body)).await;
        r.expect_error(400);
    }
    let got = api.chat(&a.token, Method::GET, &t, None).await;
    assert_eq!(got.expect(200).json()["topic"], "t");
}
