//! Shared setup for the tests that run against the in-process emulator.
#![allow(dead_code)]

use std::time::Duration;

use acs_chat::{ChatClient, ClientOptions, CommunicationTokenCredential, RetryOptions};
use acs_chat_emulator::{Emulator, EmulatorConfig, UserWithToken};

/// Options with tiny retry delays so fault tests stay fast.
pub fn fast_options() -> ClientOptions {
    ClientOptions::default().retry(
        RetryOptions::default()
            .max_retries(3)
            .base_delay(Duration::from_millis(5))
            .max_delay(Duration::from_millis(20)),
    )
}

pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts")
}

pub fn client(emu: &Emulator, user: &UserWithToken, options: ClientOptions) -> ChatClient {
    let credential = CommunicationTokenCredential::new(user.token.clone()).expect("valid token");
    ChatClient::new(emu.endpoint(), credential, options).expect("client builds")
}

/// An emulator, one chat user and a client for that user.
pub async fn setup() -> (Emulator, UserWithToken, ChatClient) {
    let emu = emulator().await;
    let user = emu.create_chat_user().expect("user");
    let client = client(&emu, &user, fast_options());
    (emu, user, client)
}
