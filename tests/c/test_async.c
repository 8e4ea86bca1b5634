/*
 * C tests of libacs_chat's async calls against a running emulator: every `_async` operation, synchronous
 * validation errors, 100 concurrent calls, cancellation, and freeing handles while calls are in flight.
 *
 * Needs ACS_CONNECTION_STRING and ACS_ENDPOINT (and SSL_CERT_FILE for a TLS emulator), as set by
 * scripts/with_emulator.py. Prints "N passed, N failed" and exits non-zero on any failure. Waits are
 * condition-variable waits for callbacks, never sleeps.
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>
#include "test_support.h"

static acs_chat_client_options client_options;
static const char *endpoint;
static pthread_t main_thread;

/* ---------------------------------------------------------------------------------------------------- */
/* Completion slots: one per call; callbacks fill them under one lock and wake the waiters. */

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cond = PTHREAD_COND_INITIALIZER;

typedef struct {
    int fired;              /* how many times the callback ran: must end at exactly 1 */
    int on_caller_thread;   /* the callback ran on the thread that started the call */
    acs_chat_result rc;     /* the callback's result code */
    int error_present;      /* error was non-NULL */
    acs_chat_result err_rc; /* the error object's own code */
    uint16_t http_status;
    void *value;  /* owned result (type depends on the call), freed by the test */
    void *value2; /* second owned result, for the two-result callbacks */
} slot;

static void record(void *user_data, acs_chat_result rc, void *value, void *value2, acs_chat_error *error) {
    slot *s = user_data;
    pthread_mutex_lock(&slots_lock);
    s->fired++;
    s->on_caller_thread = pthread_equal(pthread_self(), main_thread);
    s->rc = rc;
    s->error_present = error != NULL;
    if (error) {
        s->err_rc = acs_chat_error_result(error);
        s->http_status = acs_chat_error_http_status(error);
        acs_chat_error_free(error);
    }
    s->value = value;
    s->value2 = value2;
    pthread_cond_broadcast(&slots_cond);
    pthread_mutex_unlock(&slots_lock);
}

static void on_done(void *ud, acs_chat_result rc, acs_chat_error *e) { record(ud, rc, NULL, NULL, e); }
static void on_string(void *ud, acs_chat_result rc, char *v, acs_chat_error *e) { record(ud, rc, v, NULL, e); }
static void on_thread(void *ud, acs_chat_result rc, acs_chat_thread *v, acs_chat_error *e) {
    record(ud, rc, v, NULL, e);
}
static void on_create_thread(void *ud, acs_chat_result rc, acs_chat_thread *t, acs_chat_participant_failures *f,
                             acs_chat_error *e) {
    record(ud, rc, t, f, e);
}
static void on_message(void *ud, acs_chat_result rc, acs_chat_message *v, acs_chat_error *e) {
    record(ud, rc, v, NULL, e);
}
static void on_failures(void *ud, acs_chat_result rc, acs_chat_participant_failures *v, acs_chat_error *e) {
    record(ud, rc, v, NULL, e);
}
static void on_identifier(void *ud, acs_chat_result rc, acs_chat_identifier *v, acs_chat_error *e) {
    record(ud, rc, v, NULL, e);
}
static void on_token(void *ud, acs_chat_result rc, acs_chat_access_token *v, acs_chat_error *e) {
    record(ud, rc, v, NULL, e);
}
static void on_user_and_token(void *ud, acs_chat_result rc, acs_chat_identifier *u, acs_chat_access_token *t,
                              acs_chat_error *e) {
    record(ud, rc, u, t, e);
}

/* Waits for a slot's callback. The deadline only turns a lost callback into a failure instead of a hung
 * test; no correct run comes near it. */
enum { HANG_GUARD_SECONDS = 120 };

static void on_message_item_slot(void *ud, acs_chat_result rc, acs_chat_message *v, bool done, acs_chat_error *e) {
    record(ud, rc, v, done ? ud : NULL, e);
}
static void on_thread_item(void *ud, acs_chat_result rc, acs_chat_thread_item *v, bool done, acs_chat_error *e) {
    record(ud, rc, v, done ? ud : NULL, e);
}
static void on_participant_item(void *ud, acs_chat_result rc, acs_chat_participant *v, bool done,
                                acs_chat_error *e) {
    record(ud, rc, v, done ? ud : NULL, e);
}
static void on_receipt_item(void *ud, acs_chat_result rc, acs_chat_read_receipt *v, bool done, acs_chat_error *e) {
    record(ud, rc, v, done ? ud : NULL, e);
}

static void wait_for(slot *s) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += HANG_GUARD_SECONDS;
    pthread_mutex_lock(&slots_lock);
    int timed_out = 0;
    while (s->fired == 0 && !timed_out)
        timed_out = pthread_cond_timedwait(&slots_cond, &slots_lock, &deadline) != 0 && s->fired == 0;
    pthread_mutex_unlock(&slots_lock);
    if (timed_out) {
        failed++;
        fprintf(stderr, "FAIL: a callback did not fire within %d s\n", HANG_GUARD_SECONDS);
    }
}

static int fired_count(slot *s) {
    pthread_mutex_lock(&slots_lock);
    int n = s->fired;
    pthread_mutex_unlock(&slots_lock);
    return n;
}

/* Starts a call (its result must be OK), waits for its callback and checks it fired once off this thread
 * with `expected`. Returns whether the outcome matched. */
#define AWAIT(s, call, expected) await_call(&(s), (call), (expected), #call, __LINE__)

static int await_call(slot *s, acs_chat_result started, acs_chat_result expected, const char *what, int line) {
    check_rc(started, ACS_CHAT_RESULT_OK, what, line);
    if (started != ACS_CHAT_RESULT_OK) return 0;
    wait_for(s);
    int ok = s->fired == 1 && !s->on_caller_thread && s->rc == expected &&
             (expected == ACS_CHAT_RESULT_OK ? !s->error_present : (s->error_present && s->err_rc == expected));
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL line %d: %s completed with %s (fired %d, error %d), expected %s\n", line, what,
                acs_chat_result_name(s->rc), s->fired, s->error_present, acs_chat_result_name(expected));
    }
    return ok;
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
    slot s = {0};
    if (!AWAIT(s, acs_chat_identity_client_create_user_and_token_async(identity, scopes, 1, 60, NULL, on_user_and_token,
                                                                        &s, NULL),
               ACS_CHAT_RESULT_OK))
        return 0;
    u->user = s.value;
    u->token = s.value2;
    CHECK(u->user && u->token && acs_chat_identifier_raw_id(u->user));
    acs_chat_credential *cred = NULL;
    CHECK_RC(acs_chat_credential_new_static(acs_chat_access_token_token(u->token), &cred), ACS_CHAT_RESULT_OK);
    acs_chat_result rc = acs_chat_client_new(endpoint, cred, &client_options, &u->chat);
    CHECK_RC(rc, ACS_CHAT_RESULT_OK);
    acs_chat_credential_free(cred);
    return rc == ACS_CHAT_RESULT_OK;
}

static void free_user(test_user *u) {
    acs_chat_client_free(u->chat);
    acs_chat_access_token_free(u->token);
    acs_chat_identifier_free(u->user);
}

static size_t count_text_messages(const acs_chat_thread_client *tc) {
    acs_chat_message_iter *it = NULL;
    size_t n = 0;
    if (acs_chat_thread_client_list_messages(tc, NULL, &it) != ACS_CHAT_RESULT_OK) return 0;
    for (;;) {
        acs_chat_message *m = NULL;
        bool done = false;
        if (acs_chat_message_iter_next(it, &m, &done) != ACS_CHAT_RESULT_OK || done) break;
        n += streq(acs_chat_message_get_type(m), "text");
        acs_chat_message_free(m);
    }
    acs_chat_message_iter_free(it);
    return n;
}

/* ---------------------------------------------------------------------------------------------------- */

/* Handed to calls that fail validation: must still be unfired at the end of the program. */
static slot never;

/* Validation errors return synchronously: no callback, no cancellation handle, a last error. */
static void test_sync_validation(acs_chat_thread_client *tc) {
    acs_chat_cancel *cancel = NULL;
    CHECK_RC(acs_chat_thread_client_send_message_async(tc, NULL, NULL, NULL, on_string, &never, &cancel),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(cancel == NULL);
    acs_chat_error *e = acs_chat_last_error_take();
    CHECK(e && strstr(acs_chat_error_message(e), "content"));
    acs_chat_error_free(e);
    CHECK_RC(acs_chat_thread_client_send_message_async(tc, "x", NULL, NULL, NULL, &never, &cancel),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(cancel == NULL);
    e = acs_chat_last_error_take();
    CHECK(e && strstr(acs_chat_error_message(e), "callback"));
    acs_chat_error_free(e);
    CHECK_RC(acs_chat_thread_client_send_message_async(NULL, "x", NULL, NULL, on_string, &never, NULL),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    const char bad_utf8[] = {'a', (char)0xff, 0};
    CHECK_RC(acs_chat_thread_client_update_topic_async(tc, bad_utf8, NULL, on_done, &never, NULL),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(acs_chat_thread_client_add_participants_async(tc, NULL, 0, NULL, on_failures, &never, NULL),
             ACS_CHAT_RESULT_INVALID_ARGUMENT);
    acs_chat_error_free(acs_chat_last_error_take());
    /* Cancellation functions accept NULL. */
    acs_chat_cancel_request(NULL);
    acs_chat_cancel_free(NULL);
    CHECK(streq(acs_chat_result_name(ACS_CHAT_RESULT_CANCELLED), "ACS_CHAT_RESULT_CANCELLED"));
    CHECK(fired_count(&never) == 0); /* checked again at the end, after every other callback */
}

/* A callback that calls back into the library: a blocking request is refused, an async one starts. */
typedef struct {
    slot done;
    slot nested;
    const acs_chat_thread_client *tc;
    acs_chat_result blocking_rc;
    acs_chat_result nested_start_rc;
} reentry;

static void on_reentry(void *user_data, acs_chat_result rc, acs_chat_error *error) {
    reentry *r = user_data;
    acs_chat_thread *t = NULL;
    r->blocking_rc = acs_chat_thread_client_get_properties(r->tc, &t);
    acs_chat_error_free(acs_chat_last_error_take());
    acs_chat_thread_free(t);
    r->nested_start_rc = acs_chat_thread_client_get_properties_async(r->tc, NULL, on_thread, &r->nested, NULL);
    record(&r->done, rc, NULL, NULL, error);
}

static void test_reentry(const acs_chat_thread_client *tc) {
    reentry r;
    memset(&r, 0, sizeof r);
    r.tc = tc;
    r.nested_start_rc = ACS_CHAT_RESULT_PANIC;
    AWAIT(r.done, acs_chat_thread_client_send_typing_notification_async(tc, NULL, NULL, on_reentry, &r, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(r.blocking_rc == ACS_CHAT_RESULT_INVALID_ARGUMENT);
    CHECK(r.nested_start_rc == ACS_CHAT_RESULT_OK);
    if (r.nested_start_rc == ACS_CHAT_RESULT_OK) {
        wait_for(&r.nested);
        CHECK(r.nested.fired == 1 && r.nested.rc == ACS_CHAT_RESULT_OK && r.nested.value);
        acs_chat_thread_free(r.nested.value);
    }
}

/* Every async operation once, in the order of a real session, plus service errors through the callback. */
static void test_every_operation(const acs_chat_identity_client *identity) {
    test_user alice, bob;
    if (!make_user(identity, &alice) || !make_user(identity, &bob)) return;

    slot s_user = {0};
    AWAIT(s_user, acs_chat_identity_client_create_user_async(identity, NULL, on_identifier, &s_user, NULL),
          ACS_CHAT_RESULT_OK);
    acs_chat_identifier *carol = s_user.value;
    CHECK(carol && strncmp(acs_chat_identifier_raw_id(carol), "8:acs:", 6) == 0);
    uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    slot s_token = {0};
    AWAIT(s_token, acs_chat_identity_client_get_token_async(identity, carol, scopes, 1, 0, NULL, on_token, &s_token, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(s_token.value && acs_chat_access_token_token(s_token.value));
    acs_chat_access_token_free(s_token.value);

    slot s_create = {0};
    AWAIT(s_create, acs_chat_client_create_thread_async(alice.chat, "async topic", NULL, NULL, on_create_thread, &s_create,
                                                        NULL),
          ACS_CHAT_RESULT_OK);
    acs_chat_thread *thread = s_create.value;
    CHECK(thread && streq(acs_chat_thread_topic(thread), "async topic"));
    CHECK(s_create.value2 && acs_chat_participant_failures_count(s_create.value2) == 0);
    acs_chat_participant_failures_free(s_create.value2);
    if (!thread) return;
    acs_chat_thread_client *tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(alice.chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);

    test_sync_validation(tc);
    test_reentry(tc);

    slot s_topic = {0};
    AWAIT(s_topic, acs_chat_thread_client_update_topic_async(tc, "renamed", NULL, on_done, &s_topic, NULL),
          ACS_CHAT_RESULT_OK);
    acs_chat_update_thread_options upd;
    acs_chat_update_thread_options_init(&upd);
    upd.topic = "renamed again";
    slot s_props = {0};
    AWAIT(s_props, acs_chat_thread_client_update_properties_async(tc, &upd, NULL, on_done, &s_props, NULL),
          ACS_CHAT_RESULT_OK);
    slot s_get = {0};
    AWAIT(s_get, acs_chat_thread_client_get_properties_async(tc, NULL, on_thread, &s_get, NULL), ACS_CHAT_RESULT_OK);
    CHECK(s_get.value && streq(acs_chat_thread_topic(s_get.value), "renamed again"));
    acs_chat_thread_free(s_get.value);

    acs_chat_participant_input bob_in = {acs_chat_identifier_raw_id(bob.user), "Bob", false, 0};
    slot s_add = {0};
    AWAIT(s_add, acs_chat_thread_client_add_participants_async(tc, &bob_in, 1, NULL, on_failures, &s_add, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(s_add.value && acs_chat_participant_failures_count(s_add.value) == 0);
    acs_chat_participant_failures_free(s_add.value);

    acs_chat_send_message_options send_opts;
    acs_chat_send_message_options_init(&send_opts);
    send_opts.sender_display_name = "Alice";
    slot s_send = {0};
    AWAIT(s_send, acs_chat_thread_client_send_message_async(tc, "hello async", &send_opts, NULL, on_string, &s_send, NULL),
          ACS_CHAT_RESULT_OK);
    char *message_id = s_send.value;
    CHECK(message_id && message_id[0]);
    if (!message_id) return;

    slot s_msg = {0};
    AWAIT(s_msg, acs_chat_thread_client_get_message_async(tc, message_id, NULL, on_message, &s_msg, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(s_msg.value && streq(acs_chat_message_content(s_msg.value), "hello async") &&
          streq(acs_chat_message_sender_display_name(s_msg.value), "Alice"));
    acs_chat_message_free(s_msg.value);

    acs_chat_update_message_options edit;
    acs_chat_update_message_options_init(&edit);
    edit.content = "edited async";
    slot s_edit = {0};
    AWAIT(s_edit, acs_chat_thread_client_update_message_async(tc, message_id, &edit, NULL, on_done, &s_edit, NULL),
          ACS_CHAT_RESULT_OK);
    slot s_msg2 = {0};
    AWAIT(s_msg2, acs_chat_thread_client_get_message_async(tc, message_id, NULL, on_message, &s_msg2, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(s_msg2.value && streq(acs_chat_message_content(s_msg2.value), "edited async"));
    acs_chat_message_free(s_msg2.value);

    slot s_receipt = {0};
    AWAIT(s_receipt, acs_chat_thread_client_send_read_receipt_async(tc, message_id, NULL, on_done, &s_receipt, NULL),
          ACS_CHAT_RESULT_OK);
    /* One item from each other kind of iterator, without blocking. */
    acs_chat_participant_iter *pit = NULL;
    CHECK_RC(acs_chat_thread_client_list_participants(tc, NULL, &pit), ACS_CHAT_RESULT_OK);
    slot s_pnext = {0};
    AWAIT(s_pnext, acs_chat_participant_iter_next_async(pit, NULL, on_participant_item, &s_pnext, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(s_pnext.value && acs_chat_participant_identifier(s_pnext.value));
    acs_chat_participant_free(s_pnext.value);
    acs_chat_participant_iter_free(pit);
    acs_chat_read_receipt_iter *rit = NULL;
    CHECK_RC(acs_chat_thread_client_list_read_receipts(tc, NULL, &rit), ACS_CHAT_RESULT_OK);
    slot s_rnext = {0};
    AWAIT(s_rnext, acs_chat_read_receipt_iter_next_async(rit, NULL, on_receipt_item, &s_rnext, NULL),
          ACS_CHAT_RESULT_OK);
    CHECK(s_rnext.value && streq(acs_chat_read_receipt_message_id(s_rnext.value), message_id));
    acs_chat_read_receipt_free(s_rnext.value);
    acs_chat_read_receipt_iter_free(rit);
    acs_chat_thread_iter *tit = NULL;
    CHECK_RC(acs_chat_client_list_threads(alice.chat, NULL, &tit), ACS_CHAT_RESULT_OK);
    slot s_tnext = {0};
    AWAIT(s_tnext, acs_chat_thread_iter_next_async(tit, NULL, on_thread_item, &s_tnext, NULL), ACS_CHAT_RESULT_OK);
    CHECK(s_tnext.value && streq(acs_chat_thread_item_id(s_tnext.value), acs_chat_thread_id(thread)));
    acs_chat_thread_item_free(s_tnext.value);
    acs_chat_thread_iter_free(tit);

    slot s_typing = {0};
    AWAIT(s_typing, acs_chat_thread_client_send_typing_notification_async(tc, "Alice", NULL, on_done, &s_typing, NULL),
          ACS_CHAT_RESULT_OK);

    /* A service error arrives through the callback, with its details in the owned error. */
    slot s_missing = {0};
    AWAIT(s_missing, acs_chat_thread_client_get_message_async(tc, "1", NULL, on_message, &s_missing, NULL),
          ACS_CHAT_RESULT_NOT_FOUND);
    CHECK(s_missing.value == NULL && s_missing.http_status == 404);

    slot s_delmsg = {0};
    AWAIT(s_delmsg, acs_chat_thread_client_delete_message_async(tc, message_id, NULL, on_done, &s_delmsg, NULL),
          ACS_CHAT_RESULT_OK);
    slot s_remove = {0};
    AWAIT(s_remove, acs_chat_thread_client_remove_participant_async(tc, bob.user, NULL, on_done, &s_remove, NULL),
          ACS_CHAT_RESULT_OK);
    /* Bob is gone: his view of the thread is refused. */
    acs_chat_thread_client *bob_tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(bob.chat, acs_chat_thread_id(thread), &bob_tc), ACS_CHAT_RESULT_OK);
    slot s_refused = {0};
    AWAIT(s_refused, acs_chat_thread_client_get_properties_async(bob_tc, NULL, on_thread, &s_refused, NULL),
          ACS_CHAT_RESULT_SERVICE);
    CHECK(s_refused.http_status == 403);
    acs_chat_thread_client_free(bob_tc);

    slot s_delthread = {0};
    AWAIT(s_delthread, acs_chat_client_delete_thread_async(alice.chat, acs_chat_thread_id(thread), NULL, on_done,
                                                           &s_delthread, NULL),
          ACS_CHAT_RESULT_OK);
    slot s_revoke = {0};
    AWAIT(s_revoke, acs_chat_identity_client_revoke_tokens_async(identity, carol, NULL, on_done, &s_revoke, NULL),
          ACS_CHAT_RESULT_OK);
    slot s_deluser = {0};
    AWAIT(s_deluser, acs_chat_identity_client_delete_user_async(identity, carol, NULL, on_done, &s_deluser, NULL),
          ACS_CHAT_RESULT_OK);

    acs_chat_string_free(message_id);
    acs_chat_identifier_free(carol);
    acs_chat_thread_client_free(tc);
    acs_chat_thread_free(thread);
    free_user(&alice);
    free_user(&bob);
}

/* Drains a message iterator with chained `_next_async` calls, each started from the previous callback. */
typedef struct {
    acs_chat_message_iter *it;
    size_t text_items;
    slot end; /* fired once, with the end of the list or the error */
} drain;

static void on_message_item(void *user_data, acs_chat_result rc, acs_chat_message *item, bool done,
                            acs_chat_error *error) {
    drain *d = user_data;
    if (rc == ACS_CHAT_RESULT_OK && !done) {
        d->text_items += streq(acs_chat_message_get_type(item), "text");
        acs_chat_message_free(item);
        acs_chat_result next = acs_chat_message_iter_next_async(d->it, NULL, on_message_item, d, NULL);
        if (next != ACS_CHAT_RESULT_OK) record(&d->end, next, NULL, NULL, acs_chat_last_error_take());
        return;
    }
    record(&d->end, rc, NULL, NULL, error);
}

static size_t count_text_messages_async(const acs_chat_thread_client *tc, uint32_t page_size) {
    acs_chat_list_options opts;
    acs_chat_list_options_init(&opts);
    opts.page_size = page_size;
    drain d;
    memset(&d, 0, sizeof d);
    CHECK_RC(acs_chat_thread_client_list_messages(tc, &opts, &d.it), ACS_CHAT_RESULT_OK);
    if (!d.it) return 0;
    AWAIT(d.end, acs_chat_message_iter_next_async(d.it, NULL, on_message_item, &d, NULL), ACS_CHAT_RESULT_OK);
    acs_chat_message_iter_free(d.it);
    return d.text_items;
}

enum { CONCURRENT = 100 };

/* 100 sends in flight at once on one thread client: each callback fires once, every message arrives. */
static void test_concurrent(const acs_chat_identity_client *identity) {
    test_user u;
    if (!make_user(identity, &u)) return;
    acs_chat_thread *thread = NULL;
    CHECK_RC(acs_chat_client_create_thread(u.chat, "concurrent", NULL, &thread, NULL), ACS_CHAT_RESULT_OK);
    if (!thread) return;
    acs_chat_thread_client *tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(u.chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);

    static slot slots[CONCURRENT];
    memset(slots, 0, sizeof slots);
    int started = 0;
    for (int i = 0; i < CONCURRENT; i++) {
        char text[32];
        snprintf(text, sizeof text, "concurrent %d", i);
        started += acs_chat_thread_client_send_message_async(tc, text, NULL, NULL, on_string, &slots[i], NULL) ==
                   ACS_CHAT_RESULT_OK;
    }
    CHECK(started == CONCURRENT);
    int ok = 0, distinct = 1;
    for (int i = 0; i < started; i++) {
        wait_for(&slots[i]);
        ok += slots[i].fired == 1 && slots[i].rc == ACS_CHAT_RESULT_OK && slots[i].value && !slots[i].error_present;
        for (int j = 0; j < i; j++)
            if (streq(slots[i].value, slots[j].value)) distinct = 0;
    }
    CHECK(ok == CONCURRENT);
    CHECK(distinct);
    for (int i = 0; i < started; i++) acs_chat_string_free(slots[i].value);
    CHECK(count_text_messages(tc) == CONCURRENT);
    CHECK(count_text_messages_async(tc, 30) == CONCURRENT); /* four pages */

    acs_chat_thread_client_free(tc);
    acs_chat_thread_free(thread);
    free_user(&u);
}

/* ---------------------------------------------------------------------------------------------------- */
/* A refresher that blocks until the test opens its gate: calls made with it are reliably still in flight
 * while the test cancels them or frees their handles. Gates are static and keep their own copy of the token:
 * a refresh abandoned by a cancelled call may still finish on a library thread after its test returned. */

typedef struct {
    const char *token;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered;
    int open;
} gate;

static bool gated_refresher(void *user_data, acs_chat_token_sink *sink) {
    gate *g = user_data;
    pthread_mutex_lock(&g->lock);
    g->entered++;
    pthread_cond_broadcast(&g->cond);
    while (!g->open) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
    return acs_chat_token_sink_set(sink, g->token) == ACS_CHAT_RESULT_OK;
}

static void gate_wait_entered(gate *g) {
    pthread_mutex_lock(&g->lock);
    while (g->entered == 0) pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_open(gate *g) {
    pthread_mutex_lock(&g->lock);
    g->open = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

enum { TOKEN_MAX = 4096 };
static gate cancel_gate, in_flight_gate;
static char cancel_token[TOKEN_MAX], in_flight_token[TOKEN_MAX];

static void gate_init(gate *g, char *copy, const char *token) {
    snprintf(copy, TOKEN_MAX, "%s", token);
    g->token = copy;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
}

static void test_cancellation(const acs_chat_identity_client *identity) {
    test_user u;
    if (!make_user(identity, &u)) return;
    acs_chat_thread *thread = NULL;
    CHECK_RC(acs_chat_client_create_thread(u.chat, "cancel", NULL, &thread, NULL), ACS_CHAT_RESULT_OK);
    if (!thread) return;

    /* A call stuck waiting for its token is cancelled: CANCELLED, once, with an error object. */
    gate *g = &cancel_gate;
    gate_init(g, cancel_token, acs_chat_access_token_token(u.token));
    acs_chat_credential *cred = NULL;
    CHECK_RC(acs_chat_credential_new_refreshing(gated_refresher, g, NULL, NULL, false, &cred), ACS_CHAT_RESULT_OK);
    acs_chat_thread_client *gated = NULL;
    CHECK_RC(acs_chat_thread_client_new(endpoint, cred, acs_chat_thread_id(thread), &client_options, &gated),
             ACS_CHAT_RESULT_OK);
    slot s_cancelled = {0};
    acs_chat_cancel *cancel = NULL;
    CHECK_RC(acs_chat_thread_client_send_message_async(gated, "never sent", NULL, NULL, on_string, &s_cancelled, &cancel),
             ACS_CHAT_RESULT_OK);
    CHECK(cancel != NULL);
    if (cancel) {
        gate_wait_entered(g);
        acs_chat_cancel_request(cancel);
        acs_chat_cancel_request(cancel); /* a second request is harmless */
        wait_for(&s_cancelled);
        CHECK(s_cancelled.rc == ACS_CHAT_RESULT_CANCELLED && s_cancelled.value == NULL);
        CHECK(s_cancelled.error_present && s_cancelled.err_rc == ACS_CHAT_RESULT_CANCELLED);
        CHECK(!s_cancelled.on_caller_thread);
        acs_chat_cancel_free(cancel);
    }
    /* A deadline behaves like a cancellation made by the library: TIMEOUT, once, with an error object. */
    acs_chat_call_options call_opts;
    acs_chat_call_options_init(&call_opts);
    CHECK(call_opts.timeout_ms == 0);
    call_opts.timeout_ms = 50;
    slot s_timeout = {0};
    AWAIT(s_timeout, acs_chat_thread_client_get_properties_async(gated, &call_opts, on_thread, &s_timeout, NULL),
          ACS_CHAT_RESULT_TIMEOUT);
    CHECK(s_timeout.value == NULL);
    gate_open(g);

    /* With the gate open the same client works again, and nothing was sent by the cancelled call. */
    slot s_after = {0};
    AWAIT(s_after, acs_chat_thread_client_send_message_async(gated, "after cancel", NULL, NULL, on_string, &s_after, NULL),
          ACS_CHAT_RESULT_OK);
    acs_chat_string_free(s_after.value);

    /* Cancelling after completion changes nothing: the real outcome was already delivered. */
    slot s_done = {0};
    cancel = NULL;
    AWAIT(s_done, acs_chat_thread_client_get_properties_async(gated, NULL, on_thread, &s_done, &cancel), ACS_CHAT_RESULT_OK);
    acs_chat_cancel_request(cancel);
    acs_chat_cancel_free(cancel);
    acs_chat_thread_free(s_done.value);

    /* Freeing the handle without requesting cancellation lets the call complete normally. */
    slot s_kept = {0};
    cancel = NULL;
    CHECK_RC(acs_chat_thread_client_send_typing_notification_async(gated, NULL, NULL, on_done, &s_kept, &cancel),
             ACS_CHAT_RESULT_OK);
    acs_chat_cancel_free(cancel);
    wait_for(&s_kept);
    CHECK(s_kept.rc == ACS_CHAT_RESULT_OK);

    acs_chat_thread_client *tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(u.chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);
    CHECK(count_text_messages(tc) == 1);

    CHECK(fired_count(&s_cancelled) == 1);
    acs_chat_thread_client_free(tc);
    acs_chat_thread_client_free(gated);
    acs_chat_credential_free(cred);
    acs_chat_thread_free(thread);
    free_user(&u);
}

enum { IN_FLIGHT = 10 };

/* Every handle the calls came from is freed while they wait for a token; they still complete normally. */
static void test_free_with_calls_in_flight(const acs_chat_identity_client *identity) {
    test_user u;
    if (!make_user(identity, &u)) return;
    acs_chat_thread *thread = NULL;
    CHECK_RC(acs_chat_client_create_thread(u.chat, "in flight", NULL, &thread, NULL), ACS_CHAT_RESULT_OK);
    if (!thread) return;

    gate *g = &in_flight_gate;
    gate_init(g, in_flight_token, acs_chat_access_token_token(u.token));
    acs_chat_credential *cred = NULL;
    CHECK_RC(acs_chat_credential_new_refreshing(gated_refresher, g, NULL, NULL, false, &cred), ACS_CHAT_RESULT_OK);
    acs_chat_client *chat = NULL;
    CHECK_RC(acs_chat_client_new(endpoint, cred, &client_options, &chat), ACS_CHAT_RESULT_OK);
    acs_chat_thread_client *tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(chat, acs_chat_thread_id(thread), &tc), ACS_CHAT_RESULT_OK);

    acs_chat_message_iter *it = NULL;
    CHECK_RC(acs_chat_thread_client_list_messages(tc, NULL, &it), ACS_CHAT_RESULT_OK);
    slot s_item = {0};
    CHECK_RC(acs_chat_message_iter_next_async(it, NULL, on_message_item_slot, &s_item, NULL), ACS_CHAT_RESULT_OK);

    slot slots[IN_FLIGHT + 1];
    memset(slots, 0, sizeof slots);
    int started = 0;
    for (int i = 0; i < IN_FLIGHT; i++)
        started += acs_chat_thread_client_send_message_async(tc, "in flight", NULL, NULL, on_string, &slots[i], NULL) ==
                   ACS_CHAT_RESULT_OK;
    started += acs_chat_client_create_thread_async(chat, "made in flight", NULL, NULL, on_create_thread,
                                                   &slots[IN_FLIGHT], NULL) == ACS_CHAT_RESULT_OK;
    CHECK(started == IN_FLIGHT + 1);
    gate_wait_entered(g);
    acs_chat_message_iter_free(it);
    acs_chat_thread_client_free(tc);
    acs_chat_client_free(chat);
    acs_chat_credential_free(cred);
    gate_open(g);

    int ok = 0;
    for (int i = 0; i < started; i++) {
        wait_for(&slots[i]);
        ok += slots[i].fired == 1 && slots[i].rc == ACS_CHAT_RESULT_OK;
    }
    CHECK(ok == IN_FLIGHT + 1);
    wait_for(&s_item); /* the listing's first item: the thread's creation message or one of the sends */
    CHECK(s_item.fired == 1 && s_item.rc == ACS_CHAT_RESULT_OK && s_item.value != NULL);
    acs_chat_message_free(s_item.value);
    for (int i = 0; i < IN_FLIGHT; i++) acs_chat_string_free(slots[i].value);
    acs_chat_thread *made = slots[IN_FLIGHT].value;
    CHECK(made && streq(acs_chat_thread_topic(made), "made in flight"));
    if (made) CHECK_RC(acs_chat_client_delete_thread(u.chat, acs_chat_thread_id(made)), ACS_CHAT_RESULT_OK);
    acs_chat_thread_free(made);
    acs_chat_participant_failures_free(slots[IN_FLIGHT].value2);

    acs_chat_thread_client *check_tc = NULL;
    CHECK_RC(acs_chat_client_get_thread_client(u.chat, acs_chat_thread_id(thread), &check_tc), ACS_CHAT_RESULT_OK);
    CHECK(count_text_messages(check_tc) == IN_FLIGHT);
    acs_chat_thread_client_free(check_tc);
    acs_chat_thread_free(thread);
    free_user(&u);
}

int main(void) {
    const char *cs = getenv("ACS_CONNECTION_STRING");
    endpoint = getenv("ACS_ENDPOINT");
    if (!cs || !endpoint) {
        fprintf(stderr, "ACS_CONNECTION_STRING and ACS_ENDPOINT must be set (run through scripts/with_emulator.py)\n");
        return 2;
    }
    main_thread = pthread_self();
    acs_chat_client_options_init(&client_options);
    client_options.max_retries = 1;
    client_options.retry_base_delay_ms = 10;
    char *ca_pem = NULL;
    const char *ca = getenv("SSL_CERT_FILE");
    if (ca) {
        ca_pem = read_file(ca);
        client_options.extra_root_certificate_pem = ca_pem;
    }

    acs_chat_identity_client *identity = NULL;
    CHECK_RC(acs_chat_identity_client_new(cs, &client_options, &identity), ACS_CHAT_RESULT_OK);
    if (identity) {
        test_every_operation(identity);
        test_concurrent(identity);
        test_cancellation(identity);
        test_free_with_calls_in_flight(identity);
    }
    CHECK(fired_count(&never) == 0);
    acs_chat_identity_client_free(identity);
    free(ca_pem);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
