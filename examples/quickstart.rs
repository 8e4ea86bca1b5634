//! acs-chat quickstart: the whole chat flow in one program.
//!
//! ```text
//! cargo run --example quickstart                      # against an in-process emulator
//! ACS_CONNECTION_STRING='endpoint=https://<resource>.communication.azure.com/;accesskey=<key>' \
//!     cargo run --example quickstart                  # against real Azure Communication Services
//! ```
//!
//! Users and tokens come from the identity API (the connection string's access key); chat calls use the
//! users' tokens. Everything created is deleted at the end.

use std::time::Duration;

use acs_chat::identity::{CommunicationIdentityClient, TokenScope};
use acs_chat::models::{ChatMessageType, ChatParticipant};
use acs_chat::operation_options::{
    CreateChatThreadOptions, ListMessagesOptions, SendMessageOptions, TypingNotificationOptions,
    UpdateMessageOptions,
};
use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential, RefreshOptions};
use futures_util::StreamExt;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    // Keep the emulator alive for the whole run when we started one.
    let (_emulator, connection_string) = match std::env::var("ACS_CONNECTION_STRING") {
        Ok(cs) if !cs.trim().is_empty() => {
            println!("Using the Azure Communication Services resource from ACS_CONNECTION_STRING");
            (None, cs)
        }
        _ => {
            let emulator =
                acs_chat_emulator::Emulator::start(acs_chat_emulator::EmulatorConfig::default())
                    .await
                    .map_err(|e| -> AnyError { e.into() })?;
            println!(
                "No ACS_CONNECTION_STRING: started an in-process emulator at {}",
                emulator.endpoint()
            );
            let cs = emulator.connection_string();
            (Some(emulator), cs)
        }
    };

    // 1. Users and tokens.
    let identity = CommunicationIdentityClient::from_connection_string(
        &connection_string,
        ClientOptions::default().application_id("acs-chat-quickstart"),
    )?;
    let (alice, alice_token) = identity
        .create_user_and_token(&[TokenScope::Chat], Some(Duration::from_secs(3600)))
        .await?;
    let bob = identity.create_user().await?;
    let carol = identity.create_user().await?;
    println!("Created users alice={alice} bob={bob} carol={carol}");

    // 2. A credential that renews Alice's token through the identity API when it nears expiry.
    let refresh_identity = identity.clone();
    let refresh_user = alice.clone();
    let credential = CommunicationTokenCredential::with_refresher(
        move || {
            let identity = refresh_identity.clone();
            let user = refresh_user.clone();
            async move { Ok(identity.get_token(&user, &[TokenScope::Chat], None).await?) }
        },
        RefreshOptions::default().initial_token(alice_token.token),
    )?;
    let endpoint = identity.endpoint().to_string();
    let chat = ChatClient::new(
        &endpoint,
        credential,
        ClientOptions::default().application_id("acs-chat-quickstart"),
    )?;

    // 3. A thread with Bob in it.
    let created = chat
        .create_chat_thread(
            "Quickstart",
            CreateChatThreadOptions::default()
                .participants(vec![ChatParticipant::new(bob.clone()).display_name("Bob")]),
        )
        .await?;
    println!(
        "Created thread {} (refused participants: {})",
        created.chat_thread.id,
        created.errors.len()
    );
    let thread = chat.get_chat_thread_client(created.chat_thread.id.clone())?;

    // 4. Messages: send, get, list page by page, update.
    let mut first_id = String::new();
    for i in 1..=5 {
        let sent = thread
            .send_message(
                &format!("Hello #{i}"),
                SendMessageOptions::default().sender_display_name("Alice"),
            )
            .await?;
        if i == 1 {
            first_id = sent.id;
        }
    }
    let first = thread.get_message(&first_id).await?;
    println!(
        "Got message {}: {:?}",
        first.id,
        first.content.as_ref().and_then(|c| c.message.as_deref())
    );
    let mut pager = thread.list_messages(ListMessagesOptions::default().results_per_page(2))?;
    let mut page_number = 0;
    while let Some(page) = pager.next_page().await? {
        page_number += 1;
        let texts: Vec<_> = page
            .items
            .iter()
            .filter(|m| m.message_type == ChatMessageType::Text)
            .filter_map(|m| m.content.as_ref().and_then(|c| c.message.clone()))
            .collect();
        println!(
            "Page {page_number}: {} items {texts:?} (more: {})",
            page.items.len(),
            page.continuation_token.is_some()
        );
    }
    thread
        .update_message(
            &first_id,
            UpdateMessageOptions::default().content("Hello #1 (edited)"),
        )
        .await?;
    println!("Updated message {first_id}");

    // 5. Read receipts and typing.
    thread.send_read_receipt(&first_id).await?;
    let receipts: Vec<_> = thread
        .list_read_receipts(Default::default())?
        .into_stream()
        .collect()
        .await;
    println!("Read receipts: {}", receipts.len());
    thread
        .send_typing_notification(TypingNotificationOptions::default().sender_display_name("Alice"))
        .await?;
    println!("Sent a typing notification");

    // 6. Participants: add Carol, list, remove her.
    let refused = thread
        .add_participants(vec![
            ChatParticipant::new(carol.clone()).display_name("Carol")
        ])
        .await?;
    println!("Added Carol (refused: {})", refused.len());
    let mut participants = thread.list_participants(Default::default())?.into_stream();
    while let Some(p) = participants.next().await {
        let p = p?;
        println!("  participant {} {:?}", p.identifier, p.display_name);
    }
    thread.remove_participant(&carol).await?;
    println!("Removed Carol");

    // 7. Clean up.
    thread.delete_message(&first_id).await?;
    chat.delete_chat_thread(thread.thread_id()).await?;
    for user in [&alice, &bob, &carol] {
        identity.delete_user(user).await?;
    }
    println!("Deleted the message, the thread and the users. Done.");
    Ok(())
}
