/*
 * Throughput of the blocking C send_message loop, for the bench harness to compare with the Rust engine.
 *
 *   bench_send [COUNT]      (default 2000; ACS_CONNECTION_STRING and optionally SSL_CERT_FILE as for the tests)
 *
 * Creates a user and a thread, sends 20 warm-up messages, then times COUNT sequential sends on one thread
 * client and prints one JSON line: {"binding":"c","operation":"send_message","count":N,"seconds":S,
 * "per_second":R}. Exits non-zero if any call fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <acs_chat.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int fail(acs_chat_result rc, const char *what) {
    acs_chat_error *e = acs_chat_last_error_take();
    fprintf(stderr, "%s failed: %s: %s\n", what, acs_chat_result_name(rc), e ? acs_chat_error_message(e) : "");
    acs_chat_error_free(e);
    return 1;
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

static int send_n(const acs_chat_thread_client *tc, long n) {
    for (long i = 0; i < n; i++) {
        char *id = NULL;
        acs_chat_result rc = acs_chat_thread_client_send_message(tc, "benchmark message", NULL, &id);
        if (rc != ACS_CHAT_RESULT_OK) return fail(rc, "send_message");
        acs_chat_string_free(id);
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *cs = getenv("ACS_CONNECTION_STRING");
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    if (!cs || count <= 0) {
        fprintf(stderr, "usage: ACS_CONNECTION_STRING=... bench_send [COUNT>0]\n");
        return 2;
    }
    acs_chat_client_options options;
    acs_chat_client_options_init(&options);
    char *pem = getenv("SSL_CERT_FILE") ? read_file(getenv("SSL_CERT_FILE")) : NULL;
    options.extra_root_certificate_pem = pem;

    int status = 1;
    acs_chat_identity_client *identity = NULL;
    acs_chat_identifier *user = NULL;
    acs_chat_access_token *token = NULL;
    acs_chat_credential *cred = NULL;
    acs_chat_client *chat = NULL;
    acs_chat_thread *thread = NULL;
    acs_chat_thread_client *tc = NULL;
    char *endpoint = NULL;
    const uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    acs_chat_result rc;

    if ((rc = acs_chat_identity_client_new(cs, &options, &identity)) != ACS_CHAT_RESULT_OK) {
        fail(rc, "identity client");
    } else if ((rc = acs_chat_identity_client_endpoint(identity, &endpoint)) != ACS_CHAT_RESULT_OK) {
        fail(rc, "endpoint");
    } else if ((rc = acs_chat_identity_client_create_user_and_token(identity, scopes, 1, 0, &user, &token)) !=
               ACS_CHAT_RESULT_OK) {
        fail(rc, "create user");
    } else if ((rc = acs_chat_credential_new_static(acs_chat_access_token_token(token), &cred)) != ACS_CHAT_RESULT_OK) {
        fail(rc, "credential");
    } else if ((rc = acs_chat_client_new(endpoint, cred, &options, &chat)) != ACS_CHAT_RESULT_OK) {
        fail(rc, "chat client");
    } else if ((rc = acs_chat_client_create_thread(chat, "bench", NULL, &thread, NULL)) != ACS_CHAT_RESULT_OK) {
        fail(rc, "create thread");
    } else if ((rc = acs_chat_client_get_thread_client(chat, acs_chat_thread_id(thread), &tc)) != ACS_CHAT_RESULT_OK) {
        fail(rc, "thread client");
    } else if (send_n(tc, 20) == 0) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        if (send_n(tc, count) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &end);
            double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
            printf("{\"binding\":\"c\",\"operation\":\"send_message\",\"count\":%ld,\"seconds\":%.6f,"
                   "\"per_second\":%.1f}\n",
                   count, seconds, (double)count / seconds);
            status = 0;
        }
    }

    acs_chat_thread_client_free(tc);
    acs_chat_thread_free(thread);
    acs_chat_client_free(chat);
    acs_chat_credential_free(cred);
    acs_chat_access_token_free(token);
    acs_chat_identifier_free(user);
    acs_chat_string_free(endpoint);
    acs_chat_identity_client_free(identity);
    free(pem);
    return status;
}
