/*
 * C tests of libacs_chat against a running emulator.
 *
 * Needs ACS_CONNECTION_STRING (and SSL_CERT_FILE for the emulator's CA when it runs with TLS), as set by
 * scripts/with_emulator.py. Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <acs_chat.h>
#include "test_support.h"

/* The creation topic plus two renames. */
enum { TOPIC_UPDATES = 3 };
static char *ca_pem;
static acs_chat_client_options client_options;
static const char *endpoint;

/* ---------------------------------------------------------------------------------------------------- */

static void test_version_and_names(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", ACS_CHAT_VERSION_MAJOR, ACS_CHAT_VERSION_MINOR,
             ACS_CHAT_VERSION_PATCH);
    CHECK(streq(acs_chat_version(), expected));
    CHECK(streq(acs_chat_result_name(ACS_CHAT_RESULT_OK), "ACS_CHAT_RESULT_OK"));
    CHECK(streq(acs_chat_result_name(ACS_CHAT_RESULT_NOT_FOUND), "ACS_CHAT_RESULT_NOT_FOUND"));
    CHECK(streq(acs_chat_result_name(4242), "ACS_CHAT_RESULT_UNRECOGNIZED"));
    CHECK(acs_chat_last_error_take() == NULL);
}

static void test_bad_inputs(const acs_chat_identity_client *identity) {
    acs_chat_credential *cred = (acs_chat_credential *)0x1; /* must stay untouched on failure */
    CHECK_RC(acs_chat_credential_new_static(NULL, &cred), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(cred == (acs_chat_credential *)0x1);
    acs_chat_error *e = acs_chat_last_error_take();
    CHECK(e != NULL);
    CHECK(acs_chat_error_result(e) == ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(strstr(acs_chat_error_message(e), "token is NULL") != NULL);
    CHECK(acs_chat_error_http_status(e) == 0);
    CHECK(acs_chat_error_request_id(e) == NULL);
    acs_chat_error_free(e);
    CHECK(acs_chat_last_error_take() == NULL); /* taken once */

    CHECK_RC(acs_chat_credential_new_static("not-a-jwt", NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_credential_new_static("not-a-jwt", &cred), ACS_CHAT_RESULT_CREDENTIAL);
    /* A JWT whose exp (1000) is long past: {"alg":"none"}.{"exp":1000}.sig */
    CHECK_RC(acs_chat_credential_new_static("eyJhbGciOiJub25lIn0.eyJleHAiOjEwMDB9.c2ln", &cred),
             ACS_CHAT_RESULT_CREDENTIAL);
    const char bad_utf8[] = {'a', (char)0xff, (char)0xfe, 0};
    CHECK_RC(acs_chat_credential_new_static(bad_utf8, &cred), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    e = acs_chat_last_error_take();
    CHECK(e && strstr(acs_chat_error_message(e), "not valid UTF-8") != NULL);
    acs_chat_error_free(e);

    acs_chat_identity_client *ic = NULL;
    CHECK_RC(acs_chat_identity_client_new("endpoint=nope", NULL, &ic), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(ic == NULL);
    CHECK_RC(acs_chat_identity_client_new(bad_utf8, NULL, &ic), ACS_CHAT_RESULT_INVALID_ARGUMENT);

    acs_chat_client_options bad_opts;
    acs_chat_client_options_init(&bad_opts);
    bad_opts.per_try_timeout_ms = 0;
    CHECK_RC(acs_chat_identity_client_new("endpoint=https://x.example;accesskey=a2V5", &bad_opts, &ic),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);

    uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    uint32_t bad_scopes[] = {77};
    acs_chat_identifier *user = NULL;
    acs_chat_access_token *token = NULL;
    CHECK_RC(acs_chat_identity_client_create_user_and_token(identity, NULL, 1, 0, &user, &token),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_identity_client_create_user_and_token(identity, scopes, 0, 0, &user, &token),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_identity_client_create_user_and_token(identity, bad_scopes, 1, 0, &user, &token),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_identity_client_create_user_and_token(NULL, scopes, 1, 0, &user, &token),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(user == NULL && token == NULL);

    CHECK_RC(acs_chat_identifier_from_raw_id("", &user), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_token_sink_set(NULL, "x"), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_credential_new_refreshing(NULL, NULL, NULL, NULL, false, &cred),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);

    /* Malformed entries inside option structs. */
    acs_chat_client_options pem_opts = client_options;
    pem_opts.extra_root_certificate_pem = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
    /* Refused; the engine currently reports an unusable certificate as TRANSPORT (client build failure). */
    acs_chat_result pem_rc = acs_chat_identity_client_new("endpoint=https://x.example;accesskey=a2V5", &pem_opts, &ic);
    CHECK(pem_rc == ACS_CHAT_RESULT_INVALID_ARGUMENT || pem_rc == ACS_CHAT_RESULT_TRANSPORT);
    CHECK(ic == NULL);
    acs_chat_error_free(acs_chat_last_error_take());

    /* Accessors and frees are NULL-safe. */
    CHECK(acs_chat_message_id(NULL) == NULL);
    CHECK(acs_chat_thread_metadata_count(NULL) == 0);
    CHECK(acs_chat_identifier_raw_id(NULL) == NULL);
    CHECK(acs_chat_identifier_get_kind(NULL) == ACS_CHAT_IDENTIFIER_KIND_UNKNOWN);
    CHECK(acs_chat_error_message(NULL) == NULL);
    acs_chat_client_free(NULL);
    acs_chat_thread_client_free(NULL);
    acs_chat_identity_client_free(NULL);
    acs_chat_credential_free(NULL);
    acs_chat_message_free(NULL);
    acs_chat_thread_free(NULL);
    acs_chat_thread_item_free(NULL);
    acs_chat_participant_free(NULL);
    acs_chat_read_receipt_free(NULL);
    acs_chat_identifier_free(NULL);
    acs_chat_access_token_free(NULL);
    acs_chat_participant_failures_free(NULL);
    acs_chat_message_iter_free(NULL);
    acs_chat_thread_iter_free(NULL);
    acs_chat_participant_iter_free(NULL);
    acs_chat_read_receipt_iter_free(NULL);
    acs_chat_string_free(NULL);
    acs_chat_error_free(NULL);
    acs_chat_client_options_init(NULL);
    acs_chat_list_options_init(NULL);
}

/* ---------------------------------------------------------------------------------------------------- */

typedef struct {
    acs_chat_identifier *user;
    acs_chat_access_token *token;
    acs_chat_client *chat;
} test_user;

static int make_user(const acs_chat_identity_client *identity, test_user *u) {
    uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    memset(u, 0, sizeof *u);
    acs_chat_result rc = acs_chat_identity_client_create_user_and_token(identity, scopes, 1, 60, &u->user, &u->token);
    CHECK_RC(rc, ACS_CHAT_RESULT_OK);
    if (rc != ACS_CHAT_RESULT_OK) return 0;
    acs_chat_credential *cred = NULL;
    CHECK_RC(acs_chat_credential_new_static(acs_chat_access_token_token(u->token), &cred), ACS_CHAT_RESULT_OK);
    rc = acs_chat_client_new(endpoint, cred, &client_options, &u->chat);
    CHECK_RC(rc, ACS_CHAT_RESULT_OK);
    /* The client keeps its own reference: the credential may go right away. */
    acs_chat_credential_free(cred);
    return rc == ACS_CHAT_RESULT_OK;
}

static void free_user(test_user *u) {
    acs_chat_client_free(u->chat);
    acs_chat_access_token_free(u->token);
    acs_chat_identifier_free(u->user);
}

static size_t count_messages(const acs_chat_thread_client *tc, uint32_t page_size, const char *type) {
    acs_chat_list_options opts;
    acs_chat_list_options_init(&opts);
    opts.page_size = page_size;
    acs_chat_message_iter *it = NULL;
    CHECK_RC(acs_chat_thread_client_list_messages(tc, &opts, &it), ACS_CHAT_RESULT_OK);
    size_t n = 0;
    for (;;) {
        acs_chat_message *m = NULL;
        bool done = false;
        acs_chat_result rc = acs_chat_message_iter_next(it, &m, &done);
        CHECK_RC(rc, ACS_CHAT_RESULT_OK);
        if (rc != ACS_CHAT_RESULT_OK || done) {
            CHECK(m == NULL || rc != ACS_CHAT_RESULT_OK);
            break;
        }
        if (!type || streq(acs_chat_message_get_type(m), type)) n++;
        acs_chat_message_free(m);
    }
    acs_chat_message_iter_free(it);
    return n;
}

/* Finds the participantAdded message naming `raw_id` (as the creator's thread starts with one). */
static int added_message_names(const acs_chat_thread_client *tc, const char *raw_id) {
    acs_chat_message_iter *it = NULL;
    int found = 0;
    if (acs_chat_thread_client_list_messages(tc, NULL, &it) != ACS_CHAT_RESULT_OK) return 0;
    for (;;) {
        acs_chat_message *m = NULL;
        bool done = true;
        if (acs_chat_message_iter_next(it, &m, &done) != ACS_CHAT_RESULT_OK || done) break;
        if (streq(acs_chat_message_get_type(m), "participantAdded")) {
            for (size_t i = 0; i < acs_chat_message_participant_count(m); i++) {
                const acs_chat_participant *p = acs_chat_message_participant(m, i);
                found |= streq(acs_chat_identifier_raw_id(acs_chat_participant_identifier(p)), raw_id);
            }
            found = found && acs_chat_message_initiator(m) != NULL &&
                    acs_chat_message_participant(m, acs_chat_message_participant_count(m)) == NULL;
        }
        acs_chat_message_free(m);
    }
    acs_chat_message_iter_free(it);
    return found;
}

static void test_chat_flow(const acs_chat_identity_client *identity) {
    test_user alice, bob, carol;
    if (!make_user(identity, &alice) || !make_user(identity, &bob) || !make_user(identity, &carol)) return;
    CHECK(acs_chat_identifier_get_kind(alice.user) == ACS_CHAT_IDENTIFIER_KIND_COMMUNICATION_USER);
    CHECK(strncmp(acs_chat_identifier_raw_id(alice.user), "8:acs:", 6) == 0);
    CHECK(acs_chat_access_token_expires_on_ms(alice.token) > 0);

    /* create thread with bob */
    acs_chat_participant_input bob_in = {acs_chat_identifier_raw_id(bob.user), "Bob", false, 0};
    acs_chat_create_thread_options copts;
    acs_chat_create_thread_options_init(&copts);
    copts.participants = &bob_in;
    copts.participant_count = 1;
    copts.idempotency_token = "c-test-create-1";
    acs_chat_thread *thread = NULL;
    acs_chat_participant_failures *failures = NULL;
    CHECK_RC(acs_chat_client_create_thread(alice.chat, "C topic", &copts, &thread, &failures), ACS_CHAT_RESULT_OK);
    if (!thread) return;
    CHECK(acs_chat_participant_failures_count(failures) == 0);
    acs_chat_participant_failures_free(failures);
    CHECK(streq(acs_chat_thread_topic(thread), "C topic"));
    CHECK(streq(acs_chat_identifier_raw_id(acs_chat_thread_created_by(thread)), acs_chat_identifier_raw_id(alice.user)));
    CHECK(acs_chat_thread_created_on_ms(thread) > 1600000000000LL);
    CHECK(!acs_chat_thread_deleted_on_ms(thread, NULL));
    /* Same idempotency token: same thread. */
    acs_chat_thread *again = NULL;
    CHECK_RC(acs_chat_client_create_thread(alice.chat, "C topic", &copts, &again, NULL), ACS_CHAT_RESULT_OK);
    CHECK(again && streq(acs_chat_thread_id(again), acs_chat_thread_id(thread)));
    acs_chat_thread_free(again);

    acs_chat_thread_client *tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(alice.chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);
    char *tid = NULL;
    CHECK_RC(acs_chat_thread_client_thread_id(tc, &tid), ACS_CHAT_RESULT_OK);
    CHECK(streq(tid, acs_chat_thread_id(thread)));
    acs_chat_string_free(tid);

    /* topic and properties */
    CHECK_RC(acs_chat_thread_client_update_topic(tc, "Renamed"), ACS_CHAT_RESULT_OK);
    acs_chat_update_thread_options uopts;
    acs_chat_update_thread_options_init(&uopts);
    uopts.topic = "Renamed twice";
    CHECK_RC(acs_chat_thread_client_update_properties(tc, &uopts), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_update_properties(tc, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    acs_chat_thread *props = NULL;
    CHECK_RC(acs_chat_thread_client_get_properties(tc, &props), ACS_CHAT_RESULT_OK);
    CHECK(props && streq(acs_chat_thread_topic(props), "Renamed twice"));
    acs_chat_thread_free(props);

    /* send, get, update, delete messages */
    acs_chat_metadata_entry meta[] = {{"tag", "x"}, {"a", "1"}};
    acs_chat_send_message_options sopts;
    acs_chat_send_message_options_init(&sopts);
    sopts.sender_display_name = "Alice";
    sopts.metadata = meta;
    sopts.metadata_count = 2;
    char *mid = NULL;
    CHECK_RC(acs_chat_thread_client_send_message(tc, "hello from C", &sopts, &mid), ACS_CHAT_RESULT_OK);
    if (!mid) return;
    acs_chat_message *m = NULL;
    CHECK_RC(acs_chat_thread_client_get_message(tc, mid, &m), ACS_CHAT_RESULT_OK);
    if (m) {
        CHECK(streq(acs_chat_message_id(m), mid));
        CHECK(streq(acs_chat_message_get_type(m), "text"));
        CHECK(streq(acs_chat_message_content(m), "hello from C"));
        CHECK(streq(acs_chat_message_sender_display_name(m), "Alice"));
        CHECK(streq(acs_chat_identifier_raw_id(acs_chat_message_sender(m)), acs_chat_identifier_raw_id(alice.user)));
        CHECK(acs_chat_message_sequence_id(m) != NULL && acs_chat_message_version(m) != NULL);
        CHECK(acs_chat_message_metadata_count(m) == 2);
        CHECK(streq(acs_chat_message_metadata_key(m, 0), "a") && streq(acs_chat_message_metadata_value(m, 0), "1"));
        CHECK(streq(acs_chat_message_metadata_key(m, 1), "tag"));
        CHECK(acs_chat_message_metadata_key(m, 2) == NULL);
        CHECK(!acs_chat_message_edited_on_ms(m, NULL));
        CHECK(acs_chat_message_topic(m) == NULL);
    }
    acs_chat_message_free(m);

    acs_chat_send_message_options html;
    acs_chat_send_message_options_init(&html);
    html.message_type = ACS_CHAT_MESSAGE_TYPE_HTML;
    char *mid2 = NULL;
    CHECK_RC(acs_chat_thread_client_send_message(tc, "<b>bold</b>", &html, &mid2), ACS_CHAT_RESULT_OK);
    acs_chat_metadata_entry null_key[] = {{NULL, "v"}};
    acs_chat_send_message_options bad_meta;
    acs_chat_send_message_options_init(&bad_meta);
    bad_meta.metadata = null_key;
    bad_meta.metadata_count = 1;
    char *never_sent = NULL;
    CHECK_RC(acs_chat_thread_client_send_message(tc, "x", &bad_meta, &never_sent), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    bad_meta.metadata = NULL;
    CHECK_RC(acs_chat_thread_client_send_message(tc, "x", &bad_meta, &never_sent), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(never_sent == NULL);
    acs_chat_participant_input no_id = {NULL, "Nobody", false, 0};
    CHECK_RC(acs_chat_thread_client_add_participants(tc, &no_id, 1, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    acs_chat_error *meta_err = acs_chat_last_error_take();
    CHECK(meta_err && strstr(acs_chat_error_message(meta_err), "participants[0].raw_id is NULL") != NULL);
    acs_chat_error_free(meta_err);
    html.message_type = 9;
    char *never = NULL;
    CHECK_RC(acs_chat_thread_client_send_message(tc, "x", &html, &never), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(never == NULL);

    acs_chat_metadata_entry patch[] = {{"tag", NULL}, {"b", "2"}};
    acs_chat_update_message_options mopts;
    acs_chat_update_message_options_init(&mopts);
    mopts.content = "edited";
    mopts.metadata = patch;
    mopts.metadata_count = 2;
    CHECK_RC(acs_chat_thread_client_update_message(tc, mid, &mopts), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_get_message(tc, mid, &m), ACS_CHAT_RESULT_OK);
    if (m) {
        int64_t edited = 0;
        CHECK(streq(acs_chat_message_content(m), "edited"));
        CHECK(acs_chat_message_edited_on_ms(m, &edited) && edited > 0);
        CHECK(acs_chat_message_metadata_count(m) == 2); /* a, b */
        CHECK(streq(acs_chat_message_metadata_key(m, 1), "b"));
        acs_chat_message_free(m);
    }

    /* paging: 5 more texts, then list 2 per page */
    for (int i = 0; i < 5; i++) {
        char *id = NULL;
        CHECK_RC(acs_chat_thread_client_send_message(tc, "page me", NULL, &id), ACS_CHAT_RESULT_OK);
        acs_chat_string_free(id);
    }
    CHECK(count_messages(tc, 2, "text") == 6);
    CHECK(count_messages(tc, 0, "html") == 1);
    CHECK(count_messages(tc, 200, "topicUpdated") == TOPIC_UPDATES);

    /* start-time filter: nothing is newer than an hour from now; everything is newer than the thread */
    acs_chat_list_options topts;
    acs_chat_list_options_init(&topts);
    topts.has_start_time = true;
    topts.start_time_ms = acs_chat_thread_created_on_ms(thread) + 3600 * 1000;
    acs_chat_message_iter *fit = NULL;
    CHECK_RC(acs_chat_thread_client_list_messages(tc, &topts, &fit), ACS_CHAT_RESULT_OK);
    acs_chat_message *first = (acs_chat_message *)0x1;
    bool fdone = false;
    CHECK_RC(acs_chat_message_iter_next(fit, &first, &fdone), ACS_CHAT_RESULT_OK);
    CHECK(fdone && first == NULL);
    /* after the end, still done */
    CHECK_RC(acs_chat_message_iter_next(fit, &first, &fdone), ACS_CHAT_RESULT_OK);
    CHECK(fdone);
    acs_chat_message_iter_free(fit);

    /* a thread client made directly, without the chat client */
    acs_chat_credential *direct_cred = NULL;
    CHECK_RC(acs_chat_credential_new_static(acs_chat_access_token_token(alice.token), &direct_cred), ACS_CHAT_RESULT_OK);
    acs_chat_thread_client *direct = NULL;
    CHECK_RC(acs_chat_thread_client_new(endpoint, direct_cred, acs_chat_thread_id(thread), &client_options, &direct),
             ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_new(endpoint, direct_cred, NULL, &client_options, &direct),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    acs_chat_credential_free(direct_cred);
    CHECK(count_messages(direct, 0, "text") == 6);
    acs_chat_thread_client_free(direct);

    CHECK(added_message_names(tc, acs_chat_identifier_raw_id(bob.user)));

    /* bad page sizes */
    acs_chat_list_options lopts;
    acs_chat_list_options_init(&lopts);
    lopts.page_size = 201;
    acs_chat_message_iter *mit = NULL;
    CHECK_RC(acs_chat_thread_client_list_messages(tc, &lopts, &mit), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(mit == NULL);
    acs_chat_participant_iter *pit = NULL;
    CHECK_RC(acs_chat_thread_client_list_participants(tc, &lopts, &pit), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    lopts.page_size = 0;
    lopts.has_start_time = true;
    lopts.start_time_ms = INT64_MAX;
    CHECK_RC(acs_chat_thread_client_list_messages(tc, &lopts, &mit), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_message_iter_next(NULL, NULL, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);

    /* delete a message */
    CHECK_RC(acs_chat_thread_client_delete_message(tc, mid2), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_get_message(tc, mid2, &m), ACS_CHAT_RESULT_OK);
    if (m) {
        int64_t deleted = 0;
        CHECK(acs_chat_message_deleted_on_ms(m, &deleted) && deleted > 0);
        acs_chat_message_free(m);
    }
    acs_chat_string_free(mid2);

    /* 404 with status, code and request id */
    CHECK_RC(acs_chat_thread_client_get_message(tc, "123456789", &m), ACS_CHAT_RESULT_NOT_FOUND);
    acs_chat_error *e = acs_chat_last_error_take();
    CHECK(e && acs_chat_error_http_status(e) == 404);
    CHECK(e && acs_chat_error_request_id(e) != NULL);
    CHECK(e && acs_chat_error_service_code(e) != NULL);
    acs_chat_error_free(e);

    /* participants: add carol, list with skip, remove her */
    acs_chat_participant_input carol_in = {acs_chat_identifier_raw_id(carol.user), "Carol", true, 1700000000000LL};
    failures = NULL;
    CHECK_RC(acs_chat_thread_client_add_participants(tc, &carol_in, 1, &failures), ACS_CHAT_RESULT_OK);
    CHECK(acs_chat_participant_failures_count(failures) == 0);
    acs_chat_participant_failures_free(failures);
    CHECK_RC(acs_chat_thread_client_add_participants(tc, NULL, 0, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_thread_client_add_participants(tc, NULL, 3, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);
    acs_chat_list_options_init(&lopts);
    lopts.page_size = 1;
    CHECK_RC(acs_chat_thread_client_list_participants(tc, &lopts, &pit), ACS_CHAT_RESULT_OK);
    size_t participants = 0;
    int saw_carol = 0;
    for (;;) {
        acs_chat_participant *p = NULL;
        bool done = true;
        acs_chat_result rc = acs_chat_participant_iter_next(pit, &p, &done);
        CHECK_RC(rc, ACS_CHAT_RESULT_OK);
        if (rc != ACS_CHAT_RESULT_OK || done) break;
        participants++;
        if (streq(acs_chat_identifier_raw_id(acs_chat_participant_identifier(p)), acs_chat_identifier_raw_id(carol.user))) {
            int64_t since = 0;
            saw_carol = streq(acs_chat_participant_display_name(p), "Carol") &&
                        acs_chat_participant_share_history_time_ms(p, &since) && since == 1700000000000LL;
        }
        acs_chat_participant_free(p);
    }
    acs_chat_participant_iter_free(pit);
    CHECK(participants == 3);
    CHECK(saw_carol);
    lopts.skip = 2;
    lopts.page_size = 0;
    CHECK_RC(acs_chat_thread_client_list_participants(tc, &lopts, &pit), ACS_CHAT_RESULT_OK);
    participants = 0;
    for (;;) {
        acs_chat_participant *p = NULL;
        bool done = true;
        if (acs_chat_participant_iter_next(pit, &p, &done) != ACS_CHAT_RESULT_OK || done) break;
        participants++;
        acs_chat_participant_free(p);
    }
    acs_chat_participant_iter_free(pit);
    CHECK(participants == 1);
    CHECK_RC(acs_chat_thread_client_remove_participant(tc, carol.user), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_remove_participant(tc, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);

    /* 403: carol is no longer a participant */
    acs_chat_thread_client *carol_tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(carol.chat, acs_chat_thread_id(thread), &carol_tc), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_get_properties(carol_tc, &props), ACS_CHAT_RESULT_SERVICE);
    e = acs_chat_last_error_take();
    CHECK(e && acs_chat_error_http_status(e) == 403);
    CHECK(e && streq(acs_chat_error_service_code(e), "Forbidden"));
    acs_chat_error_free(e);
    acs_chat_thread_client_free(carol_tc);

    /* typing and read receipts (bob reads) */
    CHECK_RC(acs_chat_thread_client_send_typing_notification(tc, "Alice"), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_send_typing_notification(tc, NULL), ACS_CHAT_RESULT_OK);
    acs_chat_thread_client *bob_tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(bob.chat, acs_chat_thread_id(thread), &bob_tc), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_send_read_receipt(bob_tc, mid), ACS_CHAT_RESULT_OK);
    acs_chat_read_receipt_iter *rit = NULL;
    CHECK_RC(acs_chat_thread_client_list_read_receipts(tc, NULL, &rit), ACS_CHAT_RESULT_OK);
    size_t receipts = 0;
    for (;;) {
        acs_chat_read_receipt *r = NULL;
        bool done = true;
        if (acs_chat_read_receipt_iter_next(rit, &r, &done) != ACS_CHAT_RESULT_OK || done) break;
        receipts++;
        CHECK(streq(acs_chat_read_receipt_message_id(r), mid));
        CHECK(streq(acs_chat_identifier_raw_id(acs_chat_read_receipt_sender(r)), acs_chat_identifier_raw_id(bob.user)));
        CHECK(acs_chat_read_receipt_read_on_ms(r) > 0);
        acs_chat_read_receipt_free(r);
    }
    acs_chat_read_receipt_iter_free(rit);
    CHECK(receipts == 1);
    acs_chat_thread_client_free(bob_tc);

    /* list threads: alice sees hers */
    acs_chat_thread_iter *tit = NULL;
    CHECK_RC(acs_chat_client_list_threads(alice.chat, NULL, &tit), ACS_CHAT_RESULT_OK);
    int found = 0;
    for (;;) {
        acs_chat_thread_item *t = NULL;
        bool done = true;
        if (acs_chat_thread_iter_next(tit, &t, &done) != ACS_CHAT_RESULT_OK || done) break;
        if (streq(acs_chat_thread_item_id(t), acs_chat_thread_id(thread))) {
            found = streq(acs_chat_thread_item_topic(t), "Renamed twice") &&
                    acs_chat_thread_item_last_message_received_on_ms(t, NULL) &&
                    !acs_chat_thread_item_deleted_on_ms(t, NULL);
        }
        acs_chat_thread_item_free(t);
    }
    acs_chat_thread_iter_free(tit);
    CHECK(found);

    /* delete the thread: then 404 */
    CHECK_RC(acs_chat_client_delete_thread(alice.chat, acs_chat_thread_id(thread)), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_thread_client_get_properties(tc, &props), ACS_CHAT_RESULT_NOT_FOUND);

    acs_chat_string_free(mid);
    acs_chat_thread_client_free(tc);
    acs_chat_thread_free(thread);

    /* revoked token: 401 */
    CHECK_RC(acs_chat_identity_client_revoke_tokens(identity, alice.user), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_client_create_thread(alice.chat, "after revoke", NULL, &thread, NULL), ACS_CHAT_RESULT_AUTHENTICATION);
    e = acs_chat_last_error_take();
    CHECK(e && acs_chat_error_http_status(e) == 401);
    acs_chat_error_free(e);

    /* identity: create_user, get_token, delete_user */
    acs_chat_identifier *dave = NULL;
    CHECK_RC(acs_chat_identity_client_create_user(identity, &dave), ACS_CHAT_RESULT_OK);
    uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT, ACS_CHAT_TOKEN_SCOPE_VOIP};
    acs_chat_access_token *dave_token = NULL;
    CHECK_RC(acs_chat_identity_client_get_token(identity, dave, scopes, 2, 0, &dave_token), ACS_CHAT_RESULT_OK);
    CHECK(dave_token && strlen(acs_chat_access_token_token(dave_token)) > 20);
    acs_chat_access_token_free(dave_token);
    CHECK_RC(acs_chat_identity_client_delete_user(identity, dave), ACS_CHAT_RESULT_OK);
    acs_chat_identifier_free(dave);
    acs_chat_identifier *phone = NULL;
    CHECK_RC(acs_chat_identifier_from_raw_id("4:+14255550123", &phone), ACS_CHAT_RESULT_OK);
    CHECK(acs_chat_identifier_get_kind(phone) == ACS_CHAT_IDENTIFIER_KIND_PHONE_NUMBER);
    CHECK(streq(acs_chat_identifier_raw_id(phone), "4:+14255550123"));
    acs_chat_identifier_free(phone);

    free_user(&alice);
    free_user(&bob);
    free_user(&carol);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Thread metadata and retention policies (api-version 2025-03-15). */

static void test_metadata_and_retention(const acs_chat_identity_client *identity) {
    uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    acs_chat_identifier *user = NULL;
    acs_chat_access_token *token = NULL;
    CHECK_RC(acs_chat_identity_client_create_user_and_token(identity, scopes, 1, 0, &user, &token), ACS_CHAT_RESULT_OK);
    if (!token) return;
    acs_chat_credential *cred = NULL;
    CHECK_RC(acs_chat_credential_new_static(acs_chat_access_token_token(token), &cred), ACS_CHAT_RESULT_OK);
    acs_chat_client_options opts = client_options;
    opts.api_version = "2025-03-15";
    acs_chat_client *chat = NULL;
    CHECK_RC(acs_chat_client_new(endpoint, cred, &opts, &chat), ACS_CHAT_RESULT_OK);

    acs_chat_metadata_entry meta[] = {{"team", "blue"}};
    acs_chat_create_thread_options copts;
    acs_chat_create_thread_options_init(&copts);
    copts.metadata = meta;
    copts.metadata_count = 1;
    copts.retention_kind = ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE;
    copts.delete_thread_after_days = 40;
    acs_chat_thread *thread = NULL;
    CHECK_RC(acs_chat_client_create_thread(chat, "kept 40 days", &copts, &thread, NULL), ACS_CHAT_RESULT_OK);
    if (thread) {
        int32_t days = 0;
        CHECK(acs_chat_thread_retention_kind(thread, &days) == ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE);
        CHECK(days == 40);
        CHECK(acs_chat_thread_metadata_count(thread) == 1);
        CHECK(streq(acs_chat_thread_metadata_key(thread, 0), "team") && streq(acs_chat_thread_metadata_value(thread, 0), "blue"));
        CHECK(acs_chat_thread_metadata_value(thread, 1) == NULL);

        acs_chat_thread_client *tc = NULL;
        CHECK_RC(acs_chat_client_get_thread_client(chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);
        acs_chat_update_thread_options u;
        acs_chat_update_thread_options_init(&u);
        u.retention_kind = ACS_CHAT_RETENTION_KIND_NONE;
        acs_chat_metadata_entry meta2[] = {{"team", "red"}};
        u.metadata = meta2;
        u.metadata_count = 1;
        CHECK_RC(acs_chat_thread_client_update_properties(tc, &u), ACS_CHAT_RESULT_OK);
        acs_chat_thread *props = NULL;
        CHECK_RC(acs_chat_thread_client_get_properties(tc, &props), ACS_CHAT_RESULT_OK);
        CHECK(props && acs_chat_thread_retention_kind(props, NULL) == ACS_CHAT_RETENTION_KIND_NONE);
        CHECK(props && streq(acs_chat_thread_metadata_value(props, 0), "red"));
        CHECK(props && streq(acs_chat_thread_topic(props), "kept 40 days"));
        acs_chat_thread_free(props);
        u.retention_kind = 7;
        CHECK_RC(acs_chat_thread_client_update_properties(tc, &u), ACS_CHAT_RESULT_INVALID_ARGUMENT);
        /* The service refuses a retention outside 30..90 days. */
        u.retention_kind = ACS_CHAT_RETENTION_KIND_THREAD_CREATION_DATE;
        u.delete_thread_after_days = 5;
        CHECK_RC(acs_chat_thread_client_update_properties(tc, &u), ACS_CHAT_RESULT_SERVICE);
        acs_chat_error *e = acs_chat_last_error_take();
        CHECK(e && acs_chat_error_http_status(e) == 400);
        acs_chat_error_free(e);
        acs_chat_thread_client_free(tc);
        CHECK_RC(acs_chat_client_delete_thread(chat, acs_chat_thread_id(thread)), ACS_CHAT_RESULT_OK);
    }
    CHECK(acs_chat_thread_retention_kind(NULL, NULL) == ACS_CHAT_RETENTION_KIND_NOT_SET);
    acs_chat_thread_free(thread);
    acs_chat_client_free(chat);
    acs_chat_credential_free(cred);
    acs_chat_access_token_free(token);
    acs_chat_identifier_free(user);
}

/* ---------------------------------------------------------------------------------------------------- */
/* A refreshing credential shared by 32 threads. */

typedef struct {
    const char *token; /* fetched beforehand: a refresher must not call back into the library */
    pthread_mutex_t lock;
    int calls;
    int freed;
} refresher_state;

static bool refresh_token(void *user_data, acs_chat_token_sink *sink) {
    refresher_state *s = user_data;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    pthread_mutex_unlock(&s->lock);
    return acs_chat_token_sink_set(sink, s->token) == ACS_CHAT_RESULT_OK;
}

static void free_state(void *user_data) {
    refresher_state *s = user_data;
    s->freed++;
}

static bool failing_refresher(void *user_data, acs_chat_token_sink *sink) {
    (void)user_data;
    (void)sink;
    return false;
}

typedef struct {
    const acs_chat_thread_client *tc;
    acs_chat_result rc;
} sender_arg;

static void *send_one(void *p) {
    sender_arg *a = p;
    char *id = NULL;
    a->rc = acs_chat_thread_client_send_message(a->tc, "from a thread", NULL, &id);
    acs_chat_string_free(id);
    return NULL;
}

enum { THREADS = 32 };

static void test_refresher_threads(const acs_chat_identity_client *identity) {
    acs_chat_identifier *user = NULL;
    CHECK_RC(acs_chat_identity_client_create_user(identity, &user), ACS_CHAT_RESULT_OK);
    if (!user) return;
    uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    acs_chat_access_token *token = NULL;
    CHECK_RC(acs_chat_identity_client_get_token(identity, user, scopes, 1, 0, &token), ACS_CHAT_RESULT_OK);
    if (!token) return;
    refresher_state state = {acs_chat_access_token_token(token), PTHREAD_MUTEX_INITIALIZER, 0, 0};
    acs_chat_credential *cred = NULL;
    CHECK_RC(acs_chat_credential_new_refreshing(refresh_token, &state, free_state, NULL, false, &cred),
             ACS_CHAT_RESULT_OK);
    acs_chat_client *chat = NULL;
    CHECK_RC(acs_chat_client_new(endpoint, cred, &client_options, &chat), ACS_CHAT_RESULT_OK);
    acs_chat_thread *thread = NULL;
    CHECK_RC(acs_chat_client_create_thread(chat, "threads", NULL, &thread, NULL), ACS_CHAT_RESULT_OK);
    if (!thread) return;
    acs_chat_thread_client *tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);

    pthread_t ids[THREADS];
    sender_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i].tc = tc;
        args[i].rc = ACS_CHAT_RESULT_PANIC;
        pthread_create(&ids[i], NULL, send_one, &args[i]);
    }
    int ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(ids[i], NULL);
        ok += args[i].rc == ACS_CHAT_RESULT_OK;
    }
    CHECK(ok == THREADS);
    CHECK(state.calls == 1); /* one shared refresh for all threads */
    CHECK(count_messages(tc, 50, "text") == THREADS);

    acs_chat_thread_client_free(tc);
    acs_chat_thread_free(thread);
    acs_chat_credential_free(cred);
    CHECK(state.freed == 0); /* the client still holds the credential */
    acs_chat_client_free(chat);
    CHECK(state.freed == 1);

    /* A refresher that hands back an expired token: credential error, nothing is sent. */
    refresher_state expired = {"eyJhbGciOiJub25lIn0.eyJleHAiOjEwMDB9.c2ln", PTHREAD_MUTEX_INITIALIZER, 0, 0};
    CHECK_RC(acs_chat_credential_new_refreshing(refresh_token, &expired, NULL, NULL, false, &cred), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_client_new(endpoint, cred, &client_options, &chat), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_client_create_thread(chat, "never", NULL, &thread, NULL), ACS_CHAT_RESULT_CREDENTIAL);
    CHECK(expired.calls >= 1);
    acs_chat_client_free(chat);
    acs_chat_credential_free(cred);

    /* An initial token that is not a JWT is refused, and user_data stays with the caller. */
    refresher_state unused = {NULL, PTHREAD_MUTEX_INITIALIZER, 0, 0};
    cred = NULL;
    CHECK_RC(acs_chat_credential_new_refreshing(refresh_token, &unused, free_state, "garbage", false, &cred),
             ACS_CHAT_RESULT_CREDENTIAL);
    CHECK(cred == NULL && unused.freed == 0);

    /* A token lifetime the service refuses (under an hour). */
    acs_chat_access_token *short_token = NULL;
    CHECK(acs_chat_identity_client_get_token(identity, user, scopes, 1, 5, &short_token) != ACS_CHAT_RESULT_OK);
    CHECK(short_token == NULL);
    acs_chat_error_free(acs_chat_last_error_take());

    /* A refresher that fails: the call reports a credential error, nothing is sent. */
    CHECK_RC(acs_chat_credential_new_refreshing(failing_refresher, NULL, NULL, NULL, false, &cred), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_client_new(endpoint, cred, &client_options, &chat), ACS_CHAT_RESULT_OK);
    CHECK_RC(acs_chat_client_create_thread(chat, "never", NULL, &thread, NULL), ACS_CHAT_RESULT_CREDENTIAL);
    acs_chat_client_free(chat);
    acs_chat_credential_free(cred);
    acs_chat_access_token_free(token);
    acs_chat_identifier_free(user);
}

int main(void) {
    const char *cs = getenv("ACS_CONNECTION_STRING");
    endpoint = getenv("ACS_ENDPOINT");
    if (!cs || !endpoint) {
        fprintf(stderr, "ACS_CONNECTION_STRING and ACS_ENDPOINT must be set (run through scripts/with_emulator.py)\n");
        return 2;
    }
    acs_chat_client_options_init(&client_options);
    client_options.max_retries = 1;
    client_options.retry_base_delay_ms = 10;
    const char *ca = getenv("SSL_CERT_FILE");
    if (ca) {
        ca_pem = read_file(ca);
        client_options.extra_root_certificate_pem = ca_pem;
    }

    test_version_and_names();
    acs_chat_identity_client *identity = NULL;
    CHECK_RC(acs_chat_identity_client_new(cs, &client_options, &identity), ACS_CHAT_RESULT_OK);
    if (identity) {
        char *ep = NULL;
        CHECK_RC(acs_chat_identity_client_endpoint(identity, &ep), ACS_CHAT_RESULT_OK);
        CHECK(ep && strncmp(ep, endpoint, strlen(endpoint)) == 0);
        acs_chat_string_free(ep);
        CHECK_RC(acs_chat_identity_client_endpoint(identity, NULL), ACS_CHAT_RESULT_INVALID_ARGUMENT);
        test_bad_inputs(identity);
        test_chat_flow(identity);
        test_metadata_and_retention(identity);
        test_refresher_threads(identity);
    }
    acs_chat_identity_client_free(identity);
    free(ca_pem);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
