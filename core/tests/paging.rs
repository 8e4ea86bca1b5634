//! Paging at 0, 1, 200, 201 and 1000 items: page by page, as a stream, and resumed from a token.

mod common;

use std::collections::HashSet;

use acs_chat::models::{ChatMessage, ChatMessageType};
use acs_chat::operation_options::{ListMessagesOptions, ListParticipantsOptions};
use acs_chat::ChatThreadClient;
use futures_util::StreamExt;

fn is_user_message(m: &ChatMessage) -> bool {
    matches!(m.message_type, ChatMessageType::Text)
}

async fn thread_with_messages(count: usize) -> (acs_chat_emulator::Emulator, ChatThreadClient) {
    let (emu, _user, client) = common::setup().await;
    let created = client
        .create_chat_thread("paging", Default::default())
        .await
        .unwrap();
    let thread = client
        .get_chat_thread_client(created.chat_thread.id)
        .unwrap();
    for i in 0..count {
        thread
            .send_message(&format!("m{i}"), Default::default())
            .await
            .unwrap();
    }
    (emu, thread)
}

async fn check_paging(count: usize) {
    let (_emu, thread) = thread_with_messages(count).await;

    // Page by page with the maximum page size.
    let mut pager = thread
        .list_messages(ListMessagesOptions::default().results_per_page(200))
        .unwrap();
    let mut by_page = Vec::new();
    let mut pages = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        pages += 1;
        assert!(page.items.len() <= 200, "page of {}", page.items.len());
        by_page.extend(page.items);
        assert!(pages <= count / 200 + 3, "too many pages");
    }
    assert!(
        pager.next_page().await.unwrap().is_none(),
        "pager stays done"
    );
    let texts: Vec<String> = by_page
        .iter()
        .filter(|m| is_user_message(m))
        .map(|m| m.content.as_ref().unwrap().message.clone().unwrap())
        .collect();
    assert_eq!(texts.len(), count);
    // Newest first, each message exactly once.
    let expected: Vec<String> = (0..count).rev().map(|i| format!("m{i}")).collect();
    assert_eq!(texts, expected);
    let ids: HashSet<_> = by_page.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.len(), by_page.len(), "duplicate items across pages");

    // The stream yields the same items.
    let streamed: Vec<ChatMessage> = thread
        .list_messages(ListMessagesOptions::default().results_per_page(200))
        .unwrap()
        .into_stream()
        .map(|r| r.unwrap())
        .collect()
        .await;
    assert_eq!(
        streamed.iter().map(|m| &m.id).collect::<Vec<_>>(),
        by_page.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn paging_zero_messages() {
    check_paging(0).await;
}

#[tokio::test]
async fn paging_one_message() {
    check_paging(1).await;
}

#[tokio::test]
async fn paging_exactly_one_full_page() {
    check_paging(200).await;
}

#[tokio::test]
async fn paging_one_past_a_full_page() {
    check_paging(201).await;
}

#[tokio::test]
async fn paging_a_thousand_messages() {
    check_paging(1000).await;
}

#[tokio::test]
async fn resumes_from_a_continuation_token_on_a_fresh_pager() {
    let (_emu, thread) = thread_with_messages(7).await;
    let mut first = thread
        .list_messages(ListMessagesOptions::default().results_per_page(3))
        .unwrap();
    let page1 = first.next_page().await.unwrap().unwrap();
    assert_eq!(page1.items.len(), 3);
    let token = page1.continuation_token.clone().expect("more pages");

    // A different pager (as another process would build it) continues where the first stopped.
    let mut resumed = thread
        .list_messages(ListMessagesOptions::default())
        .unwrap()
        .resume_from(&token)
        .unwrap();
    let page2 = resumed.next_page().await.unwrap().unwrap();
    let page2_direct = first.next_page().await.unwrap().unwrap();
    assert_eq!(
        page2.items.iter().map(|m| &m.id).collect::<Vec<_>>(),
        page2_direct.items.iter().map(|m| &m.id).collect::<Vec<_>>()
    );
    assert!(page2
        .items
        .iter()
        .all(|m| !page1.items.iter().any(|p| p.id == m.id)));

    let err = thread
        .list_messages(ListMessagesOptions::default())
        .unwrap()
        .resume_from("http://example.com/chat/threads?x=1")
        .unwrap_err();
    assert_eq!(err.kind(), &acs_chat::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn participants_page_with_skip() {
    let (emu, _user, client) = common::setup().await;
    let others: Vec<_> = (0..4).map(|_| emu.create_chat_user().unwrap()).collect();
    let created = client
        .create_chat_thread(
            "people",
            acs_chat::operation_options::CreateChatThreadOptions::default().participants(
                others
                    .iter()
                    .map(|u| {
                        acs_chat::models::ChatParticipant::new(
                            acs_chat::CommunicationIdentifier::user(&u.id),
                        )
                    })
                    .collect(),
            ),
        )
        .await
        .unwrap();
    let thread = client
        .get_chat_thread_client(created.chat_thread.id)
        .unwrap();
    let mut pager = thread
        .list_participants(ListParticipantsOptions::default().results_per_page(2))
        .unwrap();
    let mut total = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        assert!(page.items.len() <= 2);
        total += page.items.len();
    }
    assert_eq!(total, 5);
    let skipped: Vec<_> = thread
        .list_participants(ListParticipantsOptions::default().skip(3))
        .unwrap()
        .into_stream()
        .collect()
        .await;
    assert_eq!(skipped.len(), 2);
}
