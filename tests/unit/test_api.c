/* test_api.c - the public API's contract: life cycle, options, names,
 * flows, tokens, version. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pktgen.h"
#include "sampo.h"

Test(api, version_matches_header)
{
    cr_expect_eq(sampo_version_number(), SAMPO_VERSION_NUMBER);
    cr_expect_str_eq(sampo_version_string(), SAMPO_VERSION_STRING);
    char buf[32];
    snprintf(buf, sizeof(buf), "%d.%d.%d", SAMPO_VERSION_MAJOR, SAMPO_VERSION_MINOR,
             SAMPO_VERSION_PATCH);
    cr_expect_str_eq(SAMPO_VERSION_STRING, buf);
}

Test(api, create_destroy_and_null)
{
    sampo_ctx *ctx = (sampo_ctx *)1;
    cr_assert_eq(sampo_ctx_create(NULL, NULL), SAMPO_E_INVAL);
    sampo_allocator bad = {0};
    cr_assert_eq(sampo_ctx_create(&ctx, &bad), SAMPO_E_INVAL);
    cr_assert_null(ctx);
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    cr_assert_not_null(ctx);
    cr_expect_str_eq(sampo_ctx_last_error(ctx), "");
    sampo_ctx_destroy(ctx);
    sampo_ctx_destroy(NULL);
    cr_expect_eq(sampo_ctx_feed(NULL, NULL), SAMPO_E_INVAL);
    cr_expect_eq(sampo_ctx_flush(NULL), SAMPO_E_INVAL);
}

Test(api, strerror_covers_every_code)
{
#define XX(name, val, msg) cr_expect_str_eq(sampo_strerror(val), msg);
    SAMPO_ERRNO_MAP(XX)
#undef XX
    cr_expect_str_eq(sampo_strerror(0), "success");
    cr_expect_str_eq(sampo_strerror(-999), "unknown error");
    cr_expect_str_eq(sampo_strerror(5), "unknown error");
}

Test(api, counter_names_are_lowercase_enum_names)
{
    int n = 0;
#define XX(NAME, lower, desc)                                                \
    do {                                                                     \
        char up[64];                                                         \
        size_t i = 0;                                                        \
        for (; lower[i] && i < sizeof(up) - 1; i++)                          \
            up[i] = (char)toupper((unsigned char)lower[i]);                  \
        up[i] = 0;                                                           \
        cr_expect_str_eq(up, #NAME);                                         \
        cr_expect_str_eq(sampo_counter_name(SAMPO_CNT_##NAME), lower);       \
        cr_expect_str_eq(sampo_counter_description(SAMPO_CNT_##NAME), desc); \
        n++;                                                                 \
    } while (0);
    SAMPO_COUNTER_MAP(XX)
#undef XX
    cr_expect_eq(n, SAMPO_CNT__COUNT);
    cr_expect_null(sampo_counter_name(-1));
    cr_expect_null(sampo_counter_name(SAMPO_CNT__COUNT));
    cr_expect_eq(sampo_ctx_counter(NULL, 0), 0);
}

Test(api, names)
{
    cr_expect_str_eq(sampo_method_name(SAMPO_METHOD_TOKEN), "token");
    cr_expect_str_eq(sampo_method_name(SAMPO_METHOD_DSN_OVERLAP), "dsn-overlap");
    cr_expect_str_eq(sampo_method_name(99), "unknown");
    cr_expect_str_eq(sampo_close_reason_name(SAMPO_CLOSE_FASTCLOSE), "fastclose");
    cr_expect_str_eq(sampo_close_reason_name(-1), "unknown");
    cr_expect_str_eq(sampo_event_name(SAMPO_EV_SUBFLOW_JOINED), "subflow-joined");
    cr_expect_str_eq(sampo_event_name(SAMPO_EV_SUBFLOW_CLOSED), "subflow-closed");
    cr_expect_str_eq(sampo_event_name(0), "unknown");
}

/* Every option: bounds are consistent, the default is what get returns,
 * out-of-range and wrong-type values are refused. */
ParameterizedTestParameters(api, option_bounds)
{
    static int opts[] = {
        SAMPO_OPT_WINDOW_NS,      SAMPO_OPT_RETENTION_NS, SAMPO_OPT_IDLE_TIMEOUT_NS,
        SAMPO_OPT_MAX_SUBFLOWS,   SAMPO_OPT_MAX_MEMORY,   SAMPO_OPT_MIN_CONFIDENCE,
        SAMPO_OPT_TOKEN_EVIDENCE, SAMPO_OPT_DSN_EVIDENCE, SAMPO_OPT_HASH_SEED,
        SAMPO_OPT_SAMPLING_RATE,  SAMPO_OPT_MAX_SEGMENTS, SAMPO_OPT_MAX_EVENTS,
        SAMPO_OPT_GAP_STEEPNESS,  SAMPO_OPT_HYSTERESIS};
    return cr_make_param_array(int, opts, sizeof(opts) / sizeof(opts[0]));
}

ParameterizedTest(int *opt, api, option_bounds)
{
    sampo_bounds b = SAMPO_BOUNDS_INIT;
    cr_assert_eq(sampo_option_bounds((sampo_option)*opt, &b), SAMPO_OK);
    cr_assert_not_null(b.name);
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    if (b.type == SAMPO_OPTTYPE_INT) {
        int64_t v;
        cr_expect_leq(b.imin, b.idefault);
        cr_expect_leq(b.idefault, b.imax);
        cr_assert_eq(sampo_ctx_get_option(ctx, (sampo_option)*opt, &v), SAMPO_OK);
        cr_expect_eq(v, b.idefault, "%s default", b.name);
        cr_expect_eq(sampo_ctx_set_option_real(ctx, (sampo_option)*opt, 1.0), SAMPO_E_OPTTYPE);
        if (b.imin > INT64_MIN)
            cr_expect_eq(sampo_ctx_set_option(ctx, (sampo_option)*opt, b.imin - 1), SAMPO_E_RANGE);
        if (b.imax < INT64_MAX)
            cr_expect_eq(sampo_ctx_set_option(ctx, (sampo_option)*opt, b.imax + 1), SAMPO_E_RANGE);
        cr_expect_eq(sampo_ctx_set_option(ctx, (sampo_option)*opt, b.idefault), SAMPO_OK);
    } else {
        double v;
        cr_expect_leq(b.rmin, b.rdefault);
        cr_expect_leq(b.rdefault, b.rmax);
        cr_assert_eq(sampo_ctx_get_option_real(ctx, (sampo_option)*opt, &v), SAMPO_OK);
        cr_expect_eq(v, b.rdefault);
        cr_expect_eq(sampo_ctx_set_option(ctx, (sampo_option)*opt, 1), SAMPO_E_OPTTYPE);
        cr_expect_eq(sampo_ctx_set_option_real(ctx, (sampo_option)*opt, b.rmax * 2 + 1),
                     SAMPO_E_RANGE);
        cr_expect_eq(sampo_ctx_set_option_real(ctx, (sampo_option)*opt, 0.0 / 0.0), SAMPO_E_RANGE);
        cr_expect_eq(sampo_ctx_set_option_real(ctx, (sampo_option)*opt, b.rdefault), SAMPO_OK);
    }
    sampo_ctx_destroy(ctx);
}

Test(api, unknown_option_and_memory_floor)
{
    sampo_ctx *ctx;
    sampo_ctx_create(&ctx, NULL);
    cr_expect_eq(sampo_ctx_set_option(ctx, (sampo_option)0, 1), SAMPO_E_INVAL);
    cr_expect_eq(sampo_ctx_set_option(ctx, (sampo_option)999, 1), SAMPO_E_INVAL);
    cr_expect_neq(strlen(sampo_ctx_last_error(ctx)), 0);
    cr_expect_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 100), SAMPO_E_RANGE);
    cr_expect_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 1 << 20), SAMPO_OK);
    sampo_bounds b = SAMPO_BOUNDS_INIT;
    cr_expect_eq(sampo_option_bounds((sampo_option)999, &b), SAMPO_E_INVAL);
    sampo_ctx_destroy(ctx);
}

Test(api, options_frozen_after_first_packet)
{
    sampo_ctx *ctx;
    sampo_ctx_create(&ctx, NULL);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000002, 80);
    tpkt t = tp_build(&f, TH_SYN, 1, 0, NULL, 0, 0);
    cr_assert_eq(tp_feed(ctx, &t, 1000), SAMPO_OK);
    cr_expect_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 1000000000), SAMPO_E_ACTIVE);
    cr_expect_eq(sampo_ctx_set_option_real(ctx, SAMPO_OPT_MIN_CONFIDENCE, 0.5), SAMPO_OK);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TCP_PLAIN), 1);
    sampo_ctx_destroy(ctx);
}

Test(api, flow_format_parse_roundtrip)
{
    const char *texts[] = {"10.0.0.1:40000-10.0.0.2:80", "[2001:db8::1]:5201-[fd00::2]:443",
                           "0.0.0.0:0-255.255.255.255:65535"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        sampo_flow f;
        char buf[96];
        cr_assert_eq(sampo_flow_parse(texts[i], &f), SAMPO_OK, "%s", texts[i]);
        cr_assert_eq(sampo_flow_format(&f, buf, sizeof(buf)), (int)strlen(texts[i]));
        cr_expect_str_eq(buf, texts[i]);
    }
    const char *bad[] = {"",
                         "10.0.0.1:1",
                         "10.0.0.1-10.0.0.2:1",
                         "10.0.0.1:1-[::1]:2",
                         "10.0.0.1:65536-10.0.0.2:1",
                         "10.0.0.1:1x-10.0.0.2:1",
                         "[::1:1-[::2]:2",
                         "10.0.0.256:1-10.0.0.2:1",
                         "10.0.0.1:-10.0.0.2:1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sampo_flow f;
        cr_expect_eq(sampo_flow_parse(bad[i], &f), SAMPO_E_INVAL, "'%s' accepted", bad[i]);
    }
    sampo_flow f;
    sampo_flow_parse(texts[1], &f);
    char small[10];
    cr_expect_eq(sampo_flow_format(&f, small, sizeof(small)), SAMPO_E_NOSPACE);
    cr_expect_str_eq(small, "");
}

/* Token and IDSN vectors: keys from the public captures (tcpdump test
 * suite), tokens as named by the MP_JOIN SYN or documented, IDSNs as the
 * first DATA_ACK / DSN minus one in the same captures. */
typedef struct kvec {
    uint64_t key;
    int version;
    uint32_t token;
    uint64_t idsn;
    int check_idsn;
} kvec;

ParameterizedTestParameters(api, key_token_vectors)
{
    static kvec v[] = {
        /* mptcp-v0.pcap: initiator key; token documented in algorithm.md */
        {UINT64_C(0x9c9eabd1e46a33b2), 0, 0xaf9706eb, 0, 0},
        /* mptcp-v0.pcap: listener key; its token is in the MP_JOIN SYN; its
         * IDSN + 1 = first DATA_ACK from the initiator, 3518592144 (low 32) */
        {UINT64_C(0x967d2770b6960552), 0, 0xe47f0142, 3518592143u, 2},
        /* mptcp-v1.pcap: listener key: token documented; IDSN + 1 =
         * 11713449205243392242 (the client's first DATA_ACK) */
        {UINT64_C(0x29a6c86981ad933c), 1, 0xa35d6d82, UINT64_C(11713449205243392241), 1},
        /* mptcp-v1.pcap: initiator key; IDSN + 1 = 14413541604287230030 */
        {UINT64_C(0x1fdb5df328bc3def), 1, 0, UINT64_C(14413541604287230029), 1},
    };
    return cr_make_param_array(kvec, v, sizeof(v) / sizeof(v[0]));
}

ParameterizedTest(kvec *v, api, key_token_vectors)
{
    uint32_t token;
    uint64_t idsn;
    cr_assert_eq(sampo_key_token(v->key, v->version, &token, &idsn), SAMPO_OK);
    if (v->token)
        cr_expect_eq(token, v->token, "token %08x, want %08x", token, v->token);
    if (v->check_idsn == 1)
        cr_expect_eq(idsn, v->idsn);
    if (v->check_idsn == 2)
        cr_expect_eq((uint32_t)idsn, (uint32_t)v->idsn);
    cr_expect_eq(sampo_key_token(v->key, 2, &token, &idsn), SAMPO_E_INVAL);
}
