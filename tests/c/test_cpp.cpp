// C++17 compile-and-run test: the header is usable from C++ and the API works through it.
#include <acs_chat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char *what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::fprintf(stderr, "FAIL: %s\n", what);
    }
}

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *p) const { Free(p); }
};
using Identity = std::unique_ptr<acs_chat_identity_client, Deleter<acs_chat_identity_client, acs_chat_identity_client_free>>;
using Identifier = std::unique_ptr<acs_chat_identifier, Deleter<acs_chat_identifier, acs_chat_identifier_free>>;
using Token = std::unique_ptr<acs_chat_access_token, Deleter<acs_chat_access_token, acs_chat_access_token_free>>;
using Credential = std::unique_ptr<acs_chat_credential, Deleter<acs_chat_credential, acs_chat_credential_free>>;
using Client = std::unique_ptr<acs_chat_client, Deleter<acs_chat_client, acs_chat_client_free>>;
using Thread = std::unique_ptr<acs_chat_thread, Deleter<acs_chat_thread, acs_chat_thread_free>>;
using ThreadClient = std::unique_ptr<acs_chat_thread_client, Deleter<acs_chat_thread_client, acs_chat_thread_client_free>>;
using Message = std::unique_ptr<acs_chat_message, Deleter<acs_chat_message, acs_chat_message_free>>;

}  // namespace

int main() {
    const char *cs = std::getenv("ACS_CONNECTION_STRING");
    const char *endpoint = std::getenv("ACS_ENDPOINT");
    if (cs == nullptr || endpoint == nullptr) {
        std::fprintf(stderr, "ACS_CONNECTION_STRING and ACS_ENDPOINT must be set\n");
        return 2;
    }
    std::string pem;
    acs_chat_client_options options;
    acs_chat_client_options_init(&options);
    if (const char *ca = std::getenv("SSL_CERT_FILE")) {
        std::ifstream in(ca);
        std::stringstream ss;
        ss << in.rdbuf();
        pem = ss.str();
        options.extra_root_certificate_pem = pem.c_str();
    }

    const std::string expected = std::to_string(ACS_CHAT_VERSION_MAJOR) + "." + std::to_string(ACS_CHAT_VERSION_MINOR) +
                                 "." + std::to_string(ACS_CHAT_VERSION_PATCH);
    check(expected == acs_chat_version(), "version macros match acs_chat_version()");

    acs_chat_identity_client *raw_identity = nullptr;
    check(acs_chat_identity_client_new(cs, &options, &raw_identity) == ACS_CHAT_RESULT_OK, "identity client");
    Identity identity(raw_identity);

    const uint32_t scopes[] = {ACS_CHAT_TOKEN_SCOPE_CHAT};
    acs_chat_identifier *raw_user = nullptr;
    acs_chat_access_token *raw_token = nullptr;
    check(acs_chat_identity_client_create_user_and_token(identity.get(), scopes, 1, 0, &raw_user, &raw_token) ==
              ACS_CHAT_RESULT_OK,
          "create user and token");
    Identifier user(raw_user);
    Token token(raw_token);

    acs_chat_credential *raw_cred = nullptr;
    check(acs_chat_credential_new_static(acs_chat_access_token_token(token.get()), &raw_cred) == ACS_CHAT_RESULT_OK,
          "static credential");
    Credential cred(raw_cred);
    acs_chat_client *raw_client = nullptr;
    check(acs_chat_client_new(endpoint, cred.get(), &options, &raw_client) == ACS_CHAT_RESULT_OK, "chat client");
    Client client(raw_client);

    acs_chat_thread *raw_thread = nullptr;
    check(acs_chat_client_create_thread(client.get(), "from C++", nullptr, &raw_thread, nullptr) == ACS_CHAT_RESULT_OK,
          "create thread");
    Thread thread(raw_thread);
    acs_chat_thread_client *raw_tc = nullptr;
    check(acs_chat_client_get_thread_client(client.get(), acs_chat_thread_id(thread.get()), &raw_tc) ==
              ACS_CHAT_RESULT_OK,
          "thread client");
    ThreadClient tc(raw_tc);

    char *id = nullptr;
    check(acs_chat_thread_client_send_message(tc.get(), "hi from C++", nullptr, &id) == ACS_CHAT_RESULT_OK,
          "send message");
    acs_chat_message *raw_message = nullptr;
    check(id != nullptr && acs_chat_thread_client_get_message(tc.get(), id, &raw_message) == ACS_CHAT_RESULT_OK,
          "get message");
    Message message(raw_message);
    check(message && std::string(acs_chat_message_content(message.get())) == "hi from C++", "content round trip");
    acs_chat_string_free(id);

    check(acs_chat_thread_client_get_message(tc.get(), nullptr, &raw_message) == ACS_CHAT_RESULT_INVALID_ARGUMENT,
          "NULL message id rejected");
    acs_chat_error *error = acs_chat_last_error_take();
    check(error != nullptr && acs_chat_error_result(error) == ACS_CHAT_RESULT_INVALID_ARGUMENT, "error object");
    acs_chat_error_free(error);

    // Async from C++: a captureless lambda is the callback, a std::promise travels in user_data.
    struct Sent {
        acs_chat_result rc;
        std::string id;
    };
    std::promise<Sent> sent;
    acs_chat_string_callback on_sent = [](void *user_data, acs_chat_result rc, char *message_id,
                                          acs_chat_error *err) {
        auto *p = static_cast<std::promise<Sent> *>(user_data);
        p->set_value(Sent{rc, message_id != nullptr ? message_id : ""});
        acs_chat_string_free(message_id);
        acs_chat_error_free(err);
    };
    std::future<Sent> result = sent.get_future();
    const bool started = acs_chat_thread_client_send_message_async(tc.get(), "async from C++", nullptr, nullptr,
                                                                   on_sent, &sent, nullptr) == ACS_CHAT_RESULT_OK;
    check(started, "send message async started");
    if (started) {
        Sent outcome = result.get();
        check(outcome.rc == ACS_CHAT_RESULT_OK && !outcome.id.empty(), "send message async completed");
    }

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
