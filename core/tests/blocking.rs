//! The blocking facade, used from plain threads with the emulator running on its own runtime.
#![cfg(feature = "blocking")]

use acs_chat::blocking::{ChatClient, CommunicationIdentityClient};
use acs_chat::identity::TokenScope;
use acs_chat::models::{ChatMessageType, ChatParticipant};
use acs_chat::operation_options::{CreateChatThreadOptions, ListMessagesOptions};
use acs_chat::{ClientOptions, CommunicationIdentifier, CommunicationTokenCredential, ErrorKind};
use acs_chat_emulator::{Emulator, EmulatorConfig};

fn emulator() -> (tokio::runtime::Runtime, Emulator) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = rt
        .block_on(Emulator::start(EmulatorConfig::default()))
        .unwrap();
    (rt, emu)
}

#[test]
fn blocking_clients_run_the_whole_flow() {
    let (_rt, emu) = emulator();
    let identity = CommunicationIdentityClient::from_connection_string(
        &emu.connection_string(),
        ClientOptions::default(),
    )
    .unwrap();
    let (alice, token) = identity
        .create_user_and_token(&[TokenScope::Chat], None)
        .unwrap();
    let bob = identity.create_user().unwrap();

    let client = ChatClient::new(
        emu.endpoint(),
        CommunicationTokenCredential::new(token.token).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let created = client
        .create_chat_thread(
            "blocking",
            CreateChatThreadOptions::default()
                .participants(vec![ChatParticipant::new(bob.clone())]),
        )
        .unwrap();
    let thread = client
        .get_chat_thread_client(&created.chat_thread.id)
        .unwrap();
    for i in 0..5 {
        thread
            .send_message(&format!("m{i}"), Default::default())
            .unwrap();
    }
    // Iterate across pages of two.
    let texts: Vec<String> = thread
        .list_messages(ListMessagesOptions::default().results_per_page(2))
        .unwrap()
        .map(|m| m.unwrap())
        .filter(|m| m.message_type == ChatMessageType::Text)
        .map(|m| m.content.unwrap().message.unwrap())
        .collect();
    assert_eq!(texts, vec!["m4", "m3", "m2", "m1", "m0"]);

    let mut pager = thread.list_participants(Default::default()).unwrap();
    let page = pager.next_page().unwrap().unwrap();
    let mut ids: Vec<String> = page
        .items
        .iter()
        .map(|p| p.identifier.raw_id().into_owned())
        .collect();
    ids.sort();
    let mut expected = vec![alice.raw_id().into_owned(), bob.raw_id().into_owned()];
    expected.sort();
    assert_eq!(ids, expected);

    thread.remove_participant(&bob).unwrap();
    thread.update_topic("renamed").unwrap();
    assert_eq!(thread.get_properties().unwrap().topic, "renamed");
    client.delete_chat_thread(&created.chat_thread.id).unwrap();
    identity.delete_user(&bob).unwrap();
    let err = identity
        .get_token(
            &CommunicationIdentifier::phone("+1"),
            &[TokenScope::Chat],
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
}

#[test]
fn blocking_clients_are_usable_from_many_threads() {
    let (_rt, emu) = emulator();
    let user = emu.create_chat_user().unwrap();
    let client = ChatClient::new(
        emu.endpoint(),
        CommunicationTokenCredential::new(user.token.clone()).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let created = client
        .create_chat_thread("threads", Default::default())
        .unwrap();
    let thread = client
        .get_chat_thread_client(&created.chat_thread.id)
        .unwrap();
    std::thread::scope(|s| {
        for i in 0..4 {
            let thread = thread.clone();
            s.spawn(move || {
                thread
                    .send_message(&format!("t{i}"), Default::default())
                    .unwrap()
            });
        }
    });
    let count = thread
        .list_messages(Default::default())
        .unwrap()
        .filter(|m| matches!(m, Ok(m) if m.message_type == ChatMessageType::Text))
        .count();
    assert_eq!(count, 4);
}

#[tokio::test]
async fn blocking_calls_inside_a_runtime_are_refused_not_deadlocked() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let user = emu.create_chat_user().unwrap();
    let client = ChatClient::new(
        emu.endpoint(),
        CommunicationTokenCredential::new(user.token.clone()).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let err = client.delete_chat_thread("19:x@thread.v2").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidInput);
    assert!(err.to_string().contains("async runtime"));
}
