//! Service limits (rest_api.md §11): 250 participants per thread, 200 per create/add batch, 28 KB
//! messages, 1 KB thread/participant metadata, and no read receipts or typing above 20 participants.
//! Each refusal must carry the error envelope with a message naming the limit, and change nothing.
//!
//! The service's exact status for some limits is undocumented, so where the contract leaves a choice the
//! tests accept the plausible ones (400 or 403 for the thread size, 400 or 413 for the message size).

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn users(emu: &acs_chat_emulator::Emulator, n: usize) -> Vec<String> {
    (0..n).map(|_| chat_user(emu).id).collect()
}

#[tokio::test]
async fn a_thread_holds_at_most_250_participants() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "full", &[]).await;
    api.add_all(&a.token, &thread, &users(&emu, 249)).await;
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 250);

    let one_more = chat_user(&emu);
    let r = api.add(&a.token, &thread, &[&one_more.id]).await;
    let (status, _, message) = r.expect_4xx();
    assert!(status == 400 || status == 403, "400 or 403 expected: {r}");
    assert!(
        message.contains("250"),
        "the message names the limit: {message}"
    );
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 250);

    // Re-adding existing members of a full thread is still a no-op success.
    api.add(&a.token, &thread, &[&a.id]).await.expect(201);
}

#[tokio::test]
async fn adding_past_250_in_one_batch_is_refused_as_a_whole() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "almost full", &[]).await;
    api.add_all(&a.token, &thread, &users(&emu, 200)).await;
    // 201 members now; 50 more would make 251.
    let extra = users(&emu, 50);
    let ids: Vec<&str> = extra.iter().map(String::as_str).collect();
    let r = api.add(&a.token, &thread, &ids).await;
    let (status, _, message) = r.expect_4xx();
    assert!(status == 400 || status == 403, "{r}");
    assert!(message.contains("250"), "{message}");
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 201);
    // 49 more fit exactly.
    api.add(&a.token, &thread, &ids[..49]).await.expect(201);
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 250);
}

#[tokio::test]
async fn batches_of_more_than_200_participants_are_400() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let many = users(&emu, 201);
    let ids: Vec<&str> = many.iter().map(String::as_str).collect();

    let r = api.create_thread(&a.token, "too many", &ids).await;
    let (_, message) = r.expect_error(400);
    assert!(message.contains("200"), "{message}");
    assert!(
        api.list_all(&a.token, "/chat/threads")
            .await
            .items
            .is_empty(),
        "no thread was created"
    );

    // Exactly 200 at creation is fine.
    let thread = api.thread(&a.token, "200 guests", &ids[..200]).await;
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 201);

    let thread = api.thread(&a.token, "adds", &[]).await;
    let r = api.add(&a.token, &thread, &ids).await;
    let (_, message) = r.expect_error(400);
    assert!(message.contains("200"), "{message}");
    assert_eq!(participant_ids(&api, &a.token, &thread).await.len(), 1);
    api.add(&a.token, &thread, &ids[..200]).await.expect(201);
}

#[tokio::test]
async fn messages_larger_than_28_kb_are_refused() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "big", &[]).await;
    let limit = 28 * 1024;

    let id = api.message(&a.token, &thread, &"x".repeat(limit)).await;
    let got = api
        .chat(
            &a.token,
            Method::GET,
            &format!("/chat/threads/{}/messages/{id}", quote(&thread)),
            None,
        )
        .await;
    assert_eq!(
        got.expect(200).json()["content"]["message"]
            .as_str()
            .map(str::len),
        Some(limit)
    );

    let r = api.send(&a.token, &thread, &"x".repeat(limit + 1)).await;
    let (status, _, message) = r.expect_4xx();
    assert!(status == 400 || status == 413, "{r}");
    assert!(
        message.contains("28"),
        "the message names the limit: {message}"
    );

    // Edits are held to the same limit.
    let r = api
        .chat(
            &a.token,
            Method::PATCH,
            &format!("/chat/threads/{}/messages/{id}", quote(&thread)),
            Some(json!({"content": "y".repeat(limit + 1)})),
        )
        .await;
    let (status, _, _) = r.expect_4xx();
    assert!(status == 400 || status == 413, "{r}");
    // Only the 28 KB message and the two system messages exist.
    assert_eq!(all_messages(&api, &a.token, &thread).await.len(), 3);
}

/// Metadata whose JSON size is clearly above 1 KB.
fn big_metadata() -> Value {
    json!({"blob": "m".repeat(1100)})
}

#[tokio::test]
async fn thread_and_participant_metadata_above_1_kb_are_400() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let v = "2025-03-15";

    let r = api
        .chat_v(
            v,
            &a.token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": "t", "metadata": big_metadata()})),
        )
        .await;
    let (_, message) = r.expect_error(400);
    assert!(message.to_lowercase().contains("metadata"), "{message}");

    let r = api
        .chat_v(
            v,
            &a.token,
            Method::POST,
            "/chat/threads",
            Some(json!({"topic": "t", "metadata": {"small": "ok"}})),
        )
        .await;
    let thread = r.expect(201).json()["chatThread"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = api
        .chat_v(
            v,
            &a.token,
            Method::PATCH,
            &format!("/chat/threads/{}", quote(&thread)),
            Some(json!({"metadata": big_metadata()})),
        )
        .await;
    r.expect_error(400);

    let r = api
        .chat_v(
            v,
            &a.token,
            Method::POST,
            &format!("/chat/threads/{}/participants/:add", quote(&thread)),
            Some(json!({"participants": [{
                "communicationIdentifier": ident(&b.id),
                "metadata": big_metadata(),
            }]})),
        )
        .await;
    r.expect_error(400);
    assert_eq!(
        participant_ids(&api, &a.token, &thread).await,
        vec![a.id.clone()]
    );

    let got = api
        .chat_v(
            v,
            &a.token,
            Method::GET,
            &format!("/chat/threads/{}", quote(&thread)),
            None,
        )
        .await;
    assert_eq!(got.expect(200).json()["metadata"], json!({"small": "ok"}));
}

#[tokio::test]
async fn read_receipts_and_typing_are_refused_above_20_participants() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let others = users(&emu, 19);
    let ids: Vec<&str> = others.iter().map(String::as_str).collect();
    let thread = api.thread(&a.token, "twenty", &ids).await;
    let m = api.message(&a.token, &thread, "x").await;
    let receipts = format!("/chat/threads/{}/readReceipts", quote(&thread));
    let typing = format!("/chat/threads/{}/typing", quote(&thread));

    // 20 participants: allowed.
    api.chat(
        &a.token,
        Method::POST,
        &receipts,
        Some(json!({"chatMessageId": m})),
    )
    .await
    .expect(200);
    api.chat(&a.token, Method::POST, &typing, Some(json!({})))
        .await
        .expect(200);

    // 21 participants: refused.
    let c = chat_user(&emu);
    api.add(&a.token, &thread, &[&c.id]).await.expect(201);
    let r = api
        .chat(
            &a.token,
            Method::POST,
            &receipts,
            Some(json!({"chatMessageId": m})),
        )
        .await;
    let (_, message) = r.expect_error(403);
    assert!(
        message.contains("20"),
        "the message names the limit: {message}"
    );
    let r = api
        .chat(&a.token, Method::POST, &typing, Some(json!({})))
        .await;
    let (_, message) = r.expect_error(403);
    assert!(message.contains("20"), "{message}");
}
