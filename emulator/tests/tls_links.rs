//! Over TLS, the absolute URLs the emulator hands out (`Location`, `nextLink`) must use `https` and the
//! host the client used, or the official SDK (which follows nextLinks verbatim) would leave TLS or the
//! host it trusts. Also checks HMAC signing over TLS, whose string-to-sign includes that host.

mod common;

use acs_chat_emulator::{Emulator, EmulatorConfig};
use common::*;
use reqwest::{Certificate, Client, Method};

#[tokio::test]
async fn location_and_next_links_use_https_and_the_callers_host() {
    let emu = Emulator::start(EmulatorConfig {
        tls: true,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator with TLS");
    assert!(
        emu.endpoint().starts_with("https://127.0.0.1:"),
        "{}",
        emu.endpoint()
    );
    let pem = emu.ca_cert_pem().expect("a CA certificate with TLS");
    let client = Client::builder()
        .no_proxy()
        .add_root_certificate(Certificate::from_pem(pem.as_bytes()).expect("CA PEM"))
        .build()
        .expect("reqwest client");

    for host in ["127.0.0.1", "localhost"] {
        let endpoint = emu.endpoint().replace("127.0.0.1", host);
        let api = Api::with_client(&endpoint, emu.access_key().to_vec(), client.clone());
        let a = chat_user(&emu);

        let r = api.create_thread(&a.token, "tls", &[]).await;
        r.expect(201);
        // location_path checks the prefix is exactly this https endpoint.
        let thread = r.json()["chatThread"]["id"].as_str().unwrap().to_string();
        assert_eq!(location_path(&api, &r), format!("/chat/threads/{thread}"));

        for i in 0..5 {
            api.message(&a.token, &thread, &format!("m{i}")).await;
        }
        // list_all checks every nextLink is absolute on this https endpoint and follows it.
        let paged = api
            .list_all(
                &a.token,
                &format!("/chat/threads/{}/messages?maxPageSize=2", quote(&thread)),
            )
            .await;
        assert_eq!(paged.items.len(), 7);
        assert!(!paged.next_links.is_empty());

        let created = api.create_identity(&["chat"], None).await;
        created.expect(201);
        let token = created.json()["accessToken"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        api.chat(&token, Method::GET, "/chat/threads", None)
            .await
            .expect(200);
    }
    emu.shutdown().await;
}
