// cxx_consumer.cpp - include/sampo.h used from C++11, as a C++ program
// would: every *_INIT macro, and a few calls.  Built with -std=c++11 -Wall
// -Wextra -Werror -pedantic when SAMPO_ABI_CXX_CHECK is ON (tests/abi/
// CMakeLists.txt).  Exit status 0 when every check passed.
#include <sampo.h>

#include <cstdio>
#include <cstring>

namespace
{

int failures = 0;

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "cxx_consumer: FAIL: %s\n", what);
        failures++;
    }
}

} // namespace

int main()
{
    sampo_packet pkt = SAMPO_PACKET_INIT;
    sampo_bounds bounds = SAMPO_BOUNDS_INIT;
    sampo_event ev = SAMPO_EVENT_INIT;
    sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    sampo_pair_info pi = SAMPO_PAIR_INFO_INIT;

    check(pkt.size == sizeof(sampo_packet), "SAMPO_PACKET_INIT sets size");
    check(pkt.linktype == SAMPO_LINKTYPE_ETHERNET, "SAMPO_PACKET_INIT sets linktype");
    check(pkt.data == NULL && pkt.caplen == 0 && pkt.source_id == 0,
          "SAMPO_PACKET_INIT zeroes the rest");
    check(bounds.size == sizeof(sampo_bounds), "SAMPO_BOUNDS_INIT sets size");
    check(ev.size == sizeof(sampo_event), "SAMPO_EVENT_INIT sets size");
    check(sf.size == sizeof(sampo_subflow_info), "SAMPO_SUBFLOW_INFO_INIT sets size");
    check(si.size == sizeof(sampo_session_info), "SAMPO_SESSION_INFO_INIT sets size");
    check(pi.size == sizeof(sampo_pair_info), "SAMPO_PAIR_INFO_INIT sets size");

    check(sampo_version_number() == SAMPO_VERSION_NUMBER, "sampo_version_number");
    check(std::strcmp(sampo_version_string(), SAMPO_VERSION_STRING) == 0, "sampo_version_string");
    check(std::strcmp(sampo_strerror(SAMPO_E_NOMEM), "out of memory") == 0, "sampo_strerror");

    check(sampo_option_bounds(SAMPO_OPT_WINDOW_NS, &bounds) == SAMPO_OK &&
              bounds.type == SAMPO_OPTTYPE_INT && std::strcmp(bounds.name, "window_ns") == 0,
          "sampo_option_bounds(SAMPO_OPT_WINDOW_NS)");

    sampo_ctx *ctx = NULL;
    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK || !ctx) {
        std::fprintf(stderr, "cxx_consumer: FAIL: sampo_ctx_create\n");
        return 1;
    }
    check(sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 250000000) == SAMPO_OK, "set window_ns");
    int64_t window = 0;
    check(sampo_ctx_get_option(ctx, SAMPO_OPT_WINDOW_NS, &window) == SAMPO_OK &&
              window == 250000000,
          "get window_ns");

    // A frame cut inside its Ethernet header: counted, never fatal.
    static const uint8_t frame[10] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0};
    pkt.data = frame;
    pkt.caplen = sizeof(frame);
    pkt.ts_ns = 1000;
    check(sampo_ctx_feed(ctx, &pkt) < 0, "a 10-byte frame is refused");
    sampo_result res = SAMPO_RESULT_INIT;
    check(res.size == sizeof(sampo_result) && res.flags == 0,
          "SAMPO_RESULT_INIT sets size, zeroes the rest");
    check(sampo_ctx_feed_ex(ctx, &pkt, &res) < 0 && res.status < 0 && res.subflow_id == 0,
          "sampo_ctx_feed_ex: the status in the result");
    check(sampo_ctx_counter(ctx, SAMPO_CNT_PACKETS) == 2, "packets counter");
    check(sampo_ctx_flush(ctx) == SAMPO_OK, "sampo_ctx_flush");
    check(sampo_ctx_next_event(ctx, &ev) == 0, "no event");

    sampo_flow flow;
    check(sampo_flow_parse("192.0.2.1:1234-198.51.100.2:443", &flow) == SAMPO_OK,
          "sampo_flow_parse");
    char text[96];
    check(sampo_flow_format(&flow, text, sizeof(text)) > 0 &&
              std::strcmp(text, "192.0.2.1:1234-198.51.100.2:443") == 0,
          "sampo_flow_format");
    check(sampo_ctx_lookup(ctx, &flow, &sf) == SAMPO_E_NOTFOUND,
          "sampo_ctx_lookup of an unknown flow");
    check(sampo_ctx_session(ctx, 1, &si) == SAMPO_E_NOTFOUND,
          "sampo_ctx_session of an unknown session");
    uint64_t cursor = 0;
    check(sampo_ctx_next_session(ctx, &cursor, &si) == 0, "no session");
    cursor = 0;
    check(sampo_ctx_next_subflow(ctx, 0, &cursor, &sf) == 0, "no subflow");
    cursor = 0;
    check(sampo_ctx_next_pair(ctx, &cursor, &pi) == 0, "no pair");

    uint32_t token = 0;
    uint64_t idsn = 0;
    check(sampo_key_token(UINT64_C(0x29a6c86981ad933c), 1, &token, &idsn) == SAMPO_OK &&
              token == 0xa35d6d82u && idsn == UINT64_C(0xa28e87fddd1d30f1),
          "sampo_key_token (mptcp-v1.pcap listener key)");
    check(std::strcmp(sampo_method_name(SAMPO_METHOD_TOKEN), "token") == 0, "sampo_method_name");
    sampo_ctx_destroy(ctx);

    if (failures) {
        std::fprintf(stderr, "cxx_consumer: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("cxx_consumer: include/sampo.h works from C++11; all checks passed\n");
    return 0;
}
