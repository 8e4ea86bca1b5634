//! Read receipts and typing notifications over HTTP: 200 with an empty body, listing receipts,
//! one receipt per reader (latest wins), unknown message ids, and membership checks.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

fn receipts_path(thread: &str) -> String {
    format!("/chat/threads/{}/readReceipts", quote(thread))
}

fn typing_path(thread: &str) -> String {
    format!("/chat/threads/{}/typing", quote(thread))
}

#[tokio::test]
async fn send_read_receipt_answers_200_empty_and_lists_one_receipt_per_reader() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let b = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[&b.id]).await;
    let m1 = api.message(&a.token, &thread, "one").await;
    let m2 = api.message(&a.token, &thread, "two").await;

    let empty = api.list_all(&a.token, &receipts_path(&thread)).await;
    assert!(empty.items.is_empty());

    let r = api
        .chat(
            &b.token,
            Method::POST,
            &receipts_path(&thread),
            Some(json!({"chatMessageId": m1})),
        )
        .await;
    r.expect(200).expect_empty().expect_chat_versions_header();

    let r = api
        .chat(&a.token, Method::GET, &receipts_path(&thread), None)
        .await;
    r.expect(200).expect_chat_versions_header();
    let receipts = r.json()["value"].as_array().expect("value").clone();
    assert_eq!(receipts.len(), 1);
    assert_eq!(
        raw_id_of(&receipts[0]["senderCommunicationIdentifier"]),
        b.id
    );
    assert_eq!(receipts[0]["chatMessageId"], m1.as_str());
    ts(&receipts[0]["readOn"], "readOn");

    // A later receipt from the same reader replaces the earlier one.
    api.chat(
        &b.token,
        Method::POST,
        &receipts_path(&thread),
        Some(json!({"chatMessageId": m2})),
    )
    .await
    .expect(200);
    api.chat(
        &a.token,
        Method::POST,
        &receipts_path(&thread),
        Some(json!({"chatMessageId": m2})),
    )
    .await
    .expect(200);
    let receipts = api.list_all(&b.token, &receipts_path(&thread)).await.items;
    assert_eq!(receipts.len(), 2, "{receipts:?}");
    for r in &receipts {
        assert_eq!(r["chatMessageId"], m2.as_str());
    }
}

#[tokio::test]
async fn read_receipt_for_an_unknown_message_is_404() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let r = api
        .chat(
            &a.token,
            Method::POST,
            &receipts_path(&thread),
            Some(json!({"chatMessageId": "1000000000000"})),
        )
        .await;
    r.expect_error(404);
    r.expect_chat_versions_header();
}

#[tokio::test]
async fn typing_answers_200_empty_with_or_without_a_body() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;

    let with_name = api
        .chat(
            &a.token,
            Method::POST,
            &typing_path(&thread),
            Some(json!({"senderDisplayName": "Ann"})),
        )
        .await;
    with_name
        .expect(200)
        .expect_empty()
        .expect_chat_versions_header();
    api.chat(
        &a.token,
        Method::POST,
        &typing_path(&thread),
        Some(json!({})),
    )
    .await
    .expect(200)
    .expect_empty();
    // 2021-03-07 clients send no body at all.
    api.chat(&a.token, Method::POST, &typing_path(&thread), None)
        .await
        .expect(200)
        .expect_empty();
}

#[tokio::test]
async fn non_participants_cannot_send_receipts_or_typing_or_list_receipts() {
    let emu = start().await;
    let api = Api::new(&emu);
    let a = chat_user(&emu);
    let outsider = chat_user(&emu);
    let thread = api.thread(&a.token, "t", &[]).await;
    let m = api.message(&a.token, &thread, "x").await;

    api.chat(
        &outsider.token,
        Method::POST,
        &receipts_path(&thread),
        Some(json!({"chatMessageId": m})),
    )
    .await
    .expect_error(403);
    api.chat(&outsider.token, Method::GET, &receipts_path(&thread), None)
        .await
        .expect_error(403);
    api.chat(
        &outsider.token,
        Method::POST,
        &typing_path(&thread),
        Some(json!({})),
    )
    .await
    .expect_error(403);
}
