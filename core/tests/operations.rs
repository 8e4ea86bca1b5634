//! Every chat and identity operation against the in-process emulator.

mod common;

use std::collections::HashMap;

use acs_chat::identity::{CommunicationIdentityClient, TokenScope};
use acs_chat::models::{ChatMessageType, ChatParticipant};
use acs_chat::operation_options::{
    CreateChatThreadOptions, ListMessagesOptions, ListParticipantsOptions, SendMessageOptions,
    TypingNotificationOptions, UpdateMessageOptions,
};
use acs_chat::{
    ChatClient, ClientOptions, CommunicationIdentifier, CommunicationTokenCredential, ErrorKind,
};
use acs_chat_emulator::{Emulator, EmulatorConfig, FaultConfig};
use futures_util::StreamExt;

async fn collect<T: serde::de::DeserializeOwned + Send + 'static>(
    pager: acs_chat::Pager<T>,
) -> Vec<T> {
    pager
        .into_stream()
        .map(|r| r.expect("list item"))
        .collect()
        .await
}

#[tokio::test]
async fn thread_lifecycle_covers_every_operation() {
    let (emu, alice, client) = common::setup().await;
    let bob = emu.create_chat_user().unwrap();
    let carol = emu.create_chat_user().unwrap();

    // Create with a participant.
    let created = client
        .create_chat_thread(
            "Lunch",
            CreateChatThreadOptions::default().participants(vec![ChatParticipant::new(
                CommunicationIdentifier::user(&bob.id),
            )
            .display_name("Bob")]),
        )
        .await
        .unwrap();
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    assert_eq!(created.chat_thread.topic, "Lunch");
    assert_eq!(created.chat_thread.created_by.raw_id(), alice.id.as_str());
    let thread = client
        .get_chat_thread_client(created.chat_thread.id.clone())
        .unwrap();
    assert_eq!(thread.thread_id(), created.chat_thread.id);

    // Properties and topic.
    thread.update_topic("Dinner").await.unwrap();
    let props = thread.get_properties().await.unwrap();
    assert_eq!(props.topic, "Dinner");
    assert_eq!(props.id, created.chat_thread.id);

    // Messages: send, get, update, list, delete.
    let sent = thread
        .send_message(
            "hello",
            SendMessageOptions::default()
                .sender_display_name("Alice")
                .metadata(HashMap::from([("k".to_string(), "v".to_string())])),
        )
        .await
        .unwrap();
    let html = thread
        .send_message(
            "<b>hi</b>",
            SendMessageOptions::default().message_type(ChatMessageType::Html),
        )
        .await
        .unwrap();
    let message = thread.get_message(&sent.id).await.unwrap();
    assert_eq!(
        message.content.as_ref().unwrap().message.as_deref(),
        Some("hello")
    );
    assert_eq!(message.sender_display_name.as_deref(), Some("Alice"));
    assert_eq!(message.metadata.as_ref().unwrap()["k"], "v");
    assert_eq!(message.sender.as_ref().unwrap().raw_id(), alice.id.as_str());
    assert_eq!(message.message_type, ChatMessageType::Text);
    assert_eq!(
        thread.get_message(&html.id).await.unwrap().message_type,
        ChatMessageType::Html
    );

    thread
        .update_message(
            &sent.id,
            UpdateMessageOptions::default()
                .content("hello, edited")
                .metadata(HashMap::from([("k".to_string(), None)])),
        )
        .await
        .unwrap();
    let edited = thread.get_message(&sent.id).await.unwrap();
    assert_eq!(
        edited.content.as_ref().unwrap().message.as_deref(),
        Some("hello, edited")
    );
    assert!(edited.edited_on.is_some());
    assert!(!edited.metadata.unwrap_or_default().contains_key("k"));

    let messages = collect(
        thread
            .list_messages(ListMessagesOptions::default())
            .unwrap(),
    )
    .await;
    let texts: Vec<_> = messages
        .iter()
        .filter(|m| {
            matches!(
                m.message_type,
                ChatMessageType::Text | ChatMessageType::Html
            )
        })
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(
        texts,
        vec![html.id.clone(), sent.id.clone()],
        "newest first"
    );

    // Read receipts and typing.
    thread.send_read_receipt(&sent.id).await.unwrap();
    let receipts = collect(thread.list_read_receipts(Default::default()).unwrap()).await;
    assert!(receipts
        .iter()
        .any(|r| r.chat_message_id == sent.id && r.sender.raw_id() == alice.id.as_str()));
    thread
        .send_typing_notification(TypingNotificationOptions::default())
        .await
        .unwrap();
    thread
        .send_typing_notification(TypingNotificationOptions::default().sender_display_name("Al"))
        .await
        .unwrap();

    // Participants: add, list, remove.
    let refused = thread
        .add_participants(vec![ChatParticipant::new(CommunicationIdentifier::user(
            &carol.id,
        ))])
        .await
        .unwrap();
    assert!(refused.is_empty(), "{refused:?}");
    assert!(thread.add_participants(vec![]).await.unwrap().is_empty());
    let ids = |ps: Vec<ChatParticipant>| -> Vec<String> {
        let mut v: Vec<String> = ps
            .iter()
            .map(|p| p.identifier.raw_id().into_owned())
            .collect();
        v.sort();
        v
    };
    let mut expected = vec![alice.id.clone(), bob.id.clone(), carol.id.clone()];
    expected.sort();
    assert_eq!(
        ids(collect(thread.list_participants(Default::default()).unwrap()).await),
        expected
    );
    thread
        .remove_participant(&CommunicationIdentifier::user(&carol.id))
        .await
        .unwrap();
    let after = ids(collect(
        thread
            .list_participants(
                ListParticipantsOptions::default()
                    .results_per_page(1)
                    .skip(0),
            )
            .unwrap(),
    )
    .await);
    assert!(!after.contains(&carol.id));
    assert_eq!(after.len(), 2);

    // Bob sees the thread through his own client.
    let bob_client = common::client(&emu, &bob, common::fast_options());
    let bobs = collect(bob_client.list_chat_threads(Default::default()).unwrap()).await;
    assert!(bobs.iter().any(|t| t.id == created.chat_thread.id));

    thread.delete_message(&html.id).await.unwrap();
    let deleted = thread.get_message(&html.id).await;
    match deleted {
        Ok(m) => assert!(m.deleted_on.is_some()),
        Err(e) => assert_eq!(e.kind(), &ErrorKind::NotFound),
    }

    client
        .delete_chat_thread(&created.chat_thread.id)
        .await
        .unwrap();
    let threads = collect(client.list_chat_threads(Default::default()).unwrap()).await;
    assert!(threads
        .iter()
        .all(|t| t.id != created.chat_thread.id || t.deleted_on.is_some()));
}

#[tokio::test]
async fn invalid_input_is_rejected_before_any_request() {
    let (emu, _user, client) = common::setup().await;
    let thread = client.get_chat_thread_client("19:x@thread.v2").unwrap();
    // Every request that reached the server would consume one of these faults.
    emu.set_faults(FaultConfig {
        rate_503: 1.0,
        remaining: Some(100),
        ..FaultConfig::default()
    });
    let invalid = |e: acs_chat::Error| assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{e}");
    invalid(client.get_chat_thread_client("").unwrap_err());
    for n in [0, 201, 1000] {
        invalid(
            thread
                .list_messages(ListMessagesOptions::default().results_per_page(n))
                .unwrap_err(),
        );
        invalid(
            client
                .list_chat_threads(ListMessagesOptions::default().results_per_page(n))
                .unwrap_err(),
        );
        invalid(
            thread
                .list_participants(ListParticipantsOptions::default().results_per_page(n))
                .unwrap_err(),
        );
        invalid(
            thread
                .list_read_receipts(ListParticipantsOptions::default().results_per_page(n))
                .unwrap_err(),
        );
    }
    invalid(
        thread
            .send_message("", Default::default())
            .await
            .unwrap_err(),
    );
    invalid(
        thread
            .send_message(
                "x",
                SendMessageOptions::default().message_type(ChatMessageType::TopicUpdated),
            )
            .await
            .unwrap_err(),
    );
    invalid(thread.get_message("").await.unwrap_err());
    invalid(thread.delete_message("").await.unwrap_err());
    invalid(thread.send_read_receipt("").await.unwrap_err());
    invalid(
        thread
            .update_message("", UpdateMessageOptions::default())
            .await
            .unwrap_err(),
    );
    invalid(
        client
            .create_chat_thread("", Default::default())
            .await
            .unwrap_err(),
    );
    invalid(client.delete_chat_thread("").await.unwrap_err());
    assert_eq!(emu.faults().remaining, Some(100));
}

#[tokio::test]
async fn service_errors_keep_code_message_and_request_id() {
    let (_emu, _user, client) = common::setup().await;
    let thread = client
        .get_chat_thread_client("19:doesnotexist@thread.v2")
        .unwrap();
    let err = thread.get_properties().await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::NotFound | ErrorKind::Service { status: 403, .. }
        ),
        "{err:?}"
    );
    let service = err.service_error().expect("service body");
    assert!(err.to_string().contains(&service.code), "{err}");
    assert!(err.request_id().is_some());
}

#[tokio::test]
async fn identity_client_manages_users_and_tokens() {
    let emu = common::emulator().await;
    let identity = CommunicationIdentityClient::from_connection_string(
        &emu.connection_string(),
        ClientOptions::default(),
    )
    .unwrap();
    let plain = identity.create_user().await.unwrap();
    assert!(plain.raw_id().starts_with("8:acs:"), "{plain}");

    let (user, token) = identity
        .create_user_and_token(
            &[TokenScope::Chat],
            Some(std::time::Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    assert!(token.expires_on > chrono::Utc::now());
    let fresh = identity
        .get_token(&user, &[TokenScope::Chat, TokenScope::Voip], None)
        .await
        .unwrap();
    assert!(fresh.expires_on > chrono::Utc::now());

    // The issued token works for chat until it is revoked.
    let chat = ChatClient::new(
        emu.endpoint(),
        CommunicationTokenCredential::new(fresh.token.clone()).unwrap(),
        common::fast_options(),
    )
    .unwrap();
    chat.create_chat_thread("mine", Default::default())
        .await
        .unwrap();
    identity.revoke_tokens(&user).await.unwrap();
    let err = chat
        .create_chat_thread("again", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Authentication, "{err}");

    identity.delete_user(&user).await.unwrap();
    identity.delete_user(&plain).await.unwrap();
    let err = identity
        .get_token(
            &CommunicationIdentifier::phone("+1"),
            &[TokenScope::Chat],
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
}

#[tokio::test]
async fn wrong_access_key_is_an_authentication_error_without_the_key() {
    let emu = common::emulator().await;
    let endpoint = emu.endpoint().to_string();
    let cs = format!("endpoint={endpoint}/;accesskey=d3Jvbmcta2V5LXdyb25nLWtleQ==");
    let identity =
        CommunicationIdentityClient::from_connection_string(&cs, ClientOptions::default()).unwrap();
    let err = identity.create_user().await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Authentication, "{err}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("d3Jvbmcta2V5"));
}

#[tokio::test]
async fn tls_emulator_needs_its_ca() {
    let emu = Emulator::start(EmulatorConfig {
        tls: true,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let user = emu.create_chat_user().unwrap();
    assert!(emu.endpoint().starts_with("https://"));
    let pem = emu.ca_cert_pem().unwrap().as_bytes().to_vec();
    let trusting = common::client(
        &emu,
        &user,
        common::fast_options().extra_root_certificate_pem(pem),
    );
    trusting
        .create_chat_thread("secure", Default::default())
        .await
        .unwrap();
    let untrusting = common::client(&emu, &user, common::fast_options());
    let err = untrusting
        .create_chat_thread("secure", Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Transport), "{err:?}");
}

#[test]
fn clients_are_send_sync_and_streams_are_static() {
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    fn send_static<T: Send + 'static>() {}
    send_sync::<ChatClient>();
    send_sync::<acs_chat::ChatThreadClient>();
    send_sync::<CommunicationIdentityClient>();
    send_sync::<CommunicationTokenCredential>();
    send_static::<acs_chat::ItemStream<acs_chat::models::ChatMessage>>();
    send_static::<acs_chat::Pager<acs_chat::models::ChatMessage>>();
    fn error_bounds<T: std::error::Error + Send + Sync + 'static>() {}
    error_bounds::<acs_chat::Error>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_requests_share_one_token_refresh() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let (emu, user, client) = common::setup().await;
    let created = client
        .create_chat_thread("shared credential", Default::default())
        .await
        .unwrap();
    // An already-expired initial token (same user) forces a refresh on first use.
    let expired = {
        use base64::Engine;
        let payload = format!(
            r#"{{"skypeid":"acs:x","exp":{}}}"#,
            chrono::Utc::now().timestamp() - 60
        );
        format!(
            "e30.{}.c2ln",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
        )
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let (calls2, token) = (calls.clone(), user.token.clone());
    let credential = CommunicationTokenCredential::with_refresher(
        move || {
            let (calls, token) = (calls2.clone(), token.clone());
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok(acs_chat::AccessToken::from_jwt(token)?)
            }
        },
        acs_chat::RefreshOptions::default().initial_token(expired),
    )
    .unwrap();
    let shared = ChatClient::new(emu.endpoint(), credential, common::fast_options()).unwrap();
    let thread = shared
        .get_chat_thread_client(created.chat_thread.id)
        .unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let t = thread.clone();
            tokio::spawn(async move { t.get_properties().await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
