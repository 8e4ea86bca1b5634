/*
 * libacs_chat quickstart: the chat flow from C.
 *
 *   cc examples/quickstart.c $(pkg-config --cflags --libs acs_chat) -o quickstart
 *   ACS_CONNECTION_STRING='endpoint=https://<resource>.communication.azure.com/;accesskey=<key>' ./quickstart
 *
 * Users and tokens come from the identity API (the connection string's access key); chat calls use the users'
 * tokens. When SSL_CERT_FILE names a PEM file (as `make demo` sets it for the local emulator), that CA is
 * trusted too. Everything created is deleted at the end.
 */
#include <acs_chat.h>

#include <stdio.h>
#include <stdlib.h>

/* Prints the failed call and its error details, then returns 0 so callers can `if (!ok(...)) goto done`. */
static int ok(acs_chat_result rc, const char *what) {
    if (rc == ACS_CHAT_RESULT_OK) return 1;
    acs_chat_error *e = acs_chat_last_error_take();
    fprintf(stderr, "%s failed: %s (HTTP %u): %s\n", what, acs_chat_result_name(rc),
            (unsigned)acs_chat_error_http_status(e), e ? acs_chat_error_message(e) : "");
    acs_chat_error_free(e);
    return 0;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
            if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
                buf[n] = '\0';
            } else {
                free(buf);
                buf = NULL;
            }
        }
    }
    fclose(f);
    return buf;
}

int main(void) {
    const char *connection_string = getenv("ACS_CONNECTION_STRING");
    if (!connection_string) {
        fprintf(stderr, "set ACS_CONNECTION_STRING (make demo starts an emulator and sets it)\n");
        return 2;
    }
    int status = 1;
    char *ca_pem = NULL, *endpoint = NULL, *message_id = NULL;
    acs_chat_identity_client *identity = NULL;
    acs_chat_identifier *alice = NULL, *bob = NULL;
    acs_chat_access_token *alice_token = NULL, *bob_token = NULL;
    acs_chat_credential *credential = NULL;
    acs_chat_client *chat = NULL;
    acs_chat_thread *thread = NULL;
    acs_chat_thread_client *thread_client = NULL;
    acs_chat_message_iter *messages = NULL;

    acs_chat_client_options options;
    acs_chat_client_options_init(&options);
    const char *ca_path = getenv("SSL_CERT_FILE");
    if (ca_path && (ca_pem = read_file(ca_path)) != NULL) options.extra_root_certificate_pem = ca_pem;

    printf("libacs_chat %s\n", acs_chat_version());
    if (!ok(acs_chat_identity_client_new(connection_string, &options, &identity), "identity client")) goto done;
    if (!ok(acs_chat_identity_client_endpoint(identity, &endpoint), "endpoint")) goto done;

    const uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    if (!ok(acs_chat_identity_client_create_user_and_token(identity, scopes, 1, 0, &alice, &alice_token),
            "create Alice"))
        goto done;
    if (!ok(acs_chat_identity_client_create_user_and_token(identity, scopes, 1, 0, &bob, &bob_token), "create Bob"))
        goto done;
    printf("users: Alice %s, Bob %s\n", acs_chat_identifier_raw_id(alice), acs_chat_identifier_raw_id(bob));

    if (!ok(acs_chat_credential_new_static(acs_chat_access_token_token(alice_token), &credential), "credential"))
        goto done;
    if (!ok(acs_chat_client_new(endpoint, credential, &options, &chat), "chat client")) goto done;

    acs_chat_participant_input bob_input = {acs_chat_identifier_raw_id(bob), "Bob", false, 0};
    acs_chat_create_thread_options create;
    acs_chat_create_thread_options_init(&create);
    create.participants = &bob_input;
    create.participant_count = 1;
    if (!ok(acs_chat_client_create_thread(chat, "Quickstart from C", &create, &thread, NULL), "create thread"))
        goto done;
    printf("thread %s: %s\n", acs_chat_thread_id(thread), acs_chat_thread_topic(thread));
    if (!ok(acs_chat_client_get_thread_client(chat, acs_chat_thread_id(thread), &thread_client), "thread client"))
        goto done;

    acs_chat_send_message_options send;
    acs_chat_send_message_options_init(&send);
    send.sender_display_name = "Alice";
    if (!ok(acs_chat_thread_client_send_message(thread_client, "Hello Bob, from C!", &send, &message_id), "send"))
        goto done;
    printf("sent message %s\n", message_id);
    if (!ok(acs_chat_thread_client_send_typing_notification(thread_client, "Alice"), "typing")) goto done;
    if (!ok(acs_chat_thread_client_send_read_receipt(thread_client, message_id), "read receipt")) goto done;

    if (!ok(acs_chat_thread_client_list_messages(thread_client, NULL, &messages), "list messages")) goto done;
    for (;;) {
        acs_chat_message *m = NULL;
        bool done_listing = false;
        if (!ok(acs_chat_message_iter_next(messages, &m, &done_listing), "next message")) goto done;
        if (done_listing) break;
        const char *content = acs_chat_message_content(m);
        printf("  [%s] %s\n", acs_chat_message_get_type(m), content ? content : "");
        acs_chat_message_free(m);
    }

    if (!ok(acs_chat_client_delete_thread(chat, acs_chat_thread_id(thread)), "delete thread")) goto done;
    if (!ok(acs_chat_identity_client_delete_user(identity, alice), "delete Alice")) goto done;
    if (!ok(acs_chat_identity_client_delete_user(identity, bob), "delete Bob")) goto done;
    printf("done: thread and users deleted\n");
    status = 0;

done:
    acs_chat_message_iter_free(messages);
    acs_chat_string_free(message_id);
    acs_chat_thread_client_free(thread_client);
    acs_chat_thread_free(thread);
    acs_chat_client_free(chat);
    acs_chat_credential_free(credential);
    acs_chat_access_token_free(alice_token);
    acs_chat_access_token_free(bob_token);
    acs_chat_identifier_free(alice);
    acs_chat_identifier_free(bob);
    acs_chat_string_free(endpoint);
    acs_chat_identity_client_free(identity);
    free(ca_pem);
    return status;
}
