/*
 * What the C test programs share: pass/fail counters, CHECK macros that print the library's last error on a
 * mismatch, and small helpers. Header-only (static inline), included by each test program.
 */
#ifndef ACS_CHAT_TEST_SUPPORT_H
#define ACS_CHAT_TEST_SUPPORT_H

#include <acs_chat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                                                   \
    do {                                                                                              \
        if (cond) {                                                                                   \
            passed++;                                                                                 \
        } else {                                                                                      \
            failed++;                                                                                 \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                           \
        }                                                                                             \
    } while (0)

/* Checks a call's result; on mismatch prints the last error. */
#define CHECK_RC(call, expected) check_rc((call), (expected), #call, __LINE__)

static inline void check_rc(acs_chat_result rc, acs_chat_result expected, const char *what, int line) {
    if (rc == expected) {
        passed++;
        return;
    }
    failed++;
    acs_chat_error *e = acs_chat_last_error_take();
    fprintf(stderr, "FAIL line %d: %s returned %s, expected %s: %s\n", line, what, acs_chat_result_name(rc),
            acs_chat_result_name(expected), e ? acs_chat_error_message(e) : "(no error)");
    acs_chat_error_free(e);
}

static inline int streq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static inline char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

#endif
