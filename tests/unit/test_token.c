/* test_token.c - association by keys and tokens on synthesized packets:
 * handshakes, joins, pending joins resolved late, no-token mode, closes,
 * queries, and events. */
#include <criterion/criterion.h>
#include <string.h>

#include "pktgen.h"
#include "sampo.h"

#define KEY_C UINT64_C(0x1fdb5df328bc3def) /* initiator (v1 vectors) */
#define KEY_S UINT64_C(0x29a6c86981ad933c) /* listener, token 0xa35d6d82 */
#define TOKEN_S 0xa35d6d82u

static sampo_ctx *new_ctx(int token)
{
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 42), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_TOKEN_EVIDENCE, token), SAMPO_OK);
    return ctx;
}

/* v1 three-way handshake of the initial subflow. */
static void handshake_v1(sampo_ctx *ctx, const tflow *f, uint64_t t)
{
    uint8_t o[40];
    tflow r = tflow_rev(*f);
    tpkt p = tp_build(f, TH_SYN, 100, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    cr_assert_eq(tp_feed(ctx, &p, t), SAMPO_OK);
    p = tp_build(&r, TH_SYN | TH_ACK, 500, 101, o, opt_mpc(o, 1, 12, KEY_S, 0, 0), 0);
    cr_assert_eq(tp_feed(ctx, &p, t + 1000), SAMPO_OK);
    p = tp_build(f, TH_ACK, 101, 501, o, opt_mpc(o, 1, 20, KEY_C, KEY_S, 0), 0);
    cr_assert_eq(tp_feed(ctx, &p, t + 2000), SAMPO_OK);
}

static void join_syn(sampo_ctx *ctx, const tflow *f, uint32_t token, int backup, uint64_t t)
{
    uint8_t o[40];
    tpkt p = tp_build(f, TH_SYN, 7, 0, o, opt_join_syn(o, backup, 2, token, 0x1234), 0);
    cr_assert_eq(tp_feed(ctx, &p, t), SAMPO_OK);
}

static sampo_subflow_info lookup(sampo_ctx *ctx, const tflow *f)
{
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    sampo_flow pf = tp_public(f);
    cr_assert_eq(sampo_ctx_lookup(ctx, &pf, &i), SAMPO_OK);
    return i;
}

static int count_sessions(sampo_ctx *ctx)
{
    uint64_t cur = 0;
    int n = 0;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    while (sampo_ctx_next_session(ctx, &cur, &si) > 0)
        n++;
    return n;
}

Test(token, handshake_then_joins)
{
    sampo_ctx *ctx = new_ctx(1);
    tflow f0 = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    tflow f1 = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    tflow f2 = tflow4(0x0a000001, 40002, 0x0a000102, 80);
    handshake_v1(ctx, &f0, 1000000);
    join_syn(ctx, &f1, TOKEN_S, 0, 2000000);
    join_syn(ctx, &f2, TOKEN_S, 1, 3000000);

    sampo_subflow_info a = lookup(ctx, &f0), b = lookup(ctx, &f1), c = lookup(ctx, &f2);
    cr_expect_neq(a.session_id, 0);
    cr_expect_eq(a.session_id, b.session_id);
    cr_expect_eq(a.session_id, c.session_id);
    cr_expect_eq(b.method, SAMPO_METHOD_TOKEN);
    cr_expect_eq(b.confidence, 1.0);
    cr_expect(a.is_initial && !a.is_join && b.is_join);
    cr_expect_eq(a.mptcp_version, 1);
    cr_expect(c.backup);
    cr_expect_eq(c.addr_id[SAMPO_DIR_FWD], 2);
    /* The initiator is known from the SYN, whichever way the query asks. */
    tflow r1 = tflow_rev(f1);
    sampo_subflow_info br = lookup(ctx, &r1);
    cr_expect(br.initiator_known);
    cr_expect_eq(memcmp(br.flow.src, f1.src, 4), 0);
    cr_expect_eq(br.flow.src_port, f1.sport);

    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    cr_assert_eq(sampo_ctx_session(ctx, a.session_id, &si), SAMPO_OK);
    cr_expect_eq(si.n_subflows, 3);
    cr_expect_eq(si.keys_known, 3);
    cr_expect_eq(si.token[1], TOKEN_S);
    cr_expect_eq(si.method, SAMPO_METHOD_TOKEN);
    cr_expect_eq(si.confidence, 1.0);
    cr_expect_eq(count_sessions(ctx), 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TOKEN_JOINS), 2);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_KEYS_LEARNED), 2);

    /* Subflows of the session, in id order. */
    uint64_t cur = 0, prev = 0;
    int n = 0;
    sampo_subflow_info it = SAMPO_SUBFLOW_INFO_INIT;
    while (sampo_ctx_next_subflow(ctx, a.session_id, &cur, &it) > 0) {
        cr_expect_gt(it.subflow_id, prev);
        prev = it.subflow_id;
        n++;
    }
    cr_expect_eq(n, 3);
    sampo_ctx_destroy(ctx);
}

Test(token, pending_join_resolved_when_key_appears)
{
    sampo_ctx *ctx = new_ctx(1);
    tflow f0 = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    tflow f1 = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    tflow f2 = tflow4(0x0a000002, 40003, 0x0a000102, 80);
    join_syn(ctx, &f1, TOKEN_S, 0, 1000);
    join_syn(ctx, &f2, TOKEN_S, 0, 2000);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TOKEN_PENDING), 1);
    /* Two joins naming one token are one connection already. */
    cr_expect_eq(lookup(ctx, &f1).session_id, lookup(ctx, &f2).session_id);
    handshake_v1(ctx, &f0, 5000);
    sampo_subflow_info a = lookup(ctx, &f0), b = lookup(ctx, &f1);
    cr_expect_eq(a.session_id, b.session_id);
    cr_expect_eq(a.method, SAMPO_METHOD_TOKEN);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TOKEN_RESOLVED_LATE), 2);
    cr_expect_eq(count_sessions(ctx), 1);
    sampo_ctx_destroy(ctx);
}

Test(token, unknown_token_stays_apart_and_expires)
{
    sampo_ctx *ctx = new_ctx(1);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_IDLE_TIMEOUT_NS, 1000000000), SAMPO_OK);
    tflow f0 = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    tflow f1 = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    handshake_v1(ctx, &f0, 1000);
    join_syn(ctx, &f1, 0xdeadbeef, 0, 2000);
    cr_expect_neq(lookup(ctx, &f0).session_id, lookup(ctx, &f1).session_id);
    cr_expect_eq(count_sessions(ctx), 2);
    /* Keep f0 alive, let f1 age out. */
    uint8_t o[40];
    tpkt p = tp_build(&f0, TH_ACK, 101, 501, o, opt_dss64(o, 1, 2, 1, 100, 0), 100);
    for (uint64_t t = 1; t <= 4; t++)
        tp_feed(ctx, &p, t * 500000000ull);
    sampo_flow pf = tp_public(&f1);
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    cr_expect_eq(sampo_ctx_lookup(ctx, &pf, &i), SAMPO_E_NOTFOUND);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EXPIRED), 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TOKEN_PENDING_EXPIRED), 1);
    cr_expect_eq(count_sessions(ctx), 1);
    sampo_ctx_destroy(ctx);
}

Test(token, no_token_mode_ignores_keys_and_tokens)
{
    sampo_ctx *ctx = new_ctx(0);
    tflow f0 = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    tflow f1 = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    handshake_v1(ctx, &f0, 1000);
    join_syn(ctx, &f1, TOKEN_S, 0, 2000);
    sampo_subflow_info a = lookup(ctx, &f0), b = lookup(ctx, &f1);
    cr_expect_neq(a.session_id, b.session_id);
    cr_expect_eq(a.method, SAMPO_METHOD_NONE);
    cr_expect(a.is_initial && b.is_join);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_KEYS_LEARNED), 0);
    sampo_ctx_destroy(ctx);
}

Test(token, plain_tcp_is_not_tracked)
{
    sampo_ctx *ctx = new_ctx(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    tpkt p = tp_build(&f, TH_SYN, 1, 0, NULL, 0, 0);
    tp_feed(ctx, &p, 1);
    sampo_flow pf = tp_public(&f);
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    cr_expect_eq(sampo_ctx_lookup(ctx, &pf, &i), SAMPO_E_NOTFOUND);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TCP_PLAIN), 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_CREATED), 0);
    sampo_ctx_destroy(ctx);
}

typedef struct evlog {
    int n[16];
    sampo_event last[16];
} evlog;

static void on_event(const sampo_event *ev, void *user)
{
    evlog *l = user;
    if (ev->type > 0 && ev->type < 16) {
        l->n[ev->type]++;
        l->last[ev->type] = *ev;
    }
}

Test(token, events_and_closes)
{
    sampo_ctx *ctx = new_ctx(1);
    evlog log;
    memset(&log, 0, sizeof(log));
    sampo_ctx_set_event_callback(ctx, on_event, &log);
    tflow f0 = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    tflow f1 = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    handshake_v1(ctx, &f0, 1000);
    join_syn(ctx, &f1, TOKEN_S, 0, 2000);
    /* f1's known token takes it straight into the session: no session of its own. */
    cr_expect_eq(log.n[SAMPO_EV_SESSION_OPENED], 1);
    cr_expect_geq(log.n[SAMPO_EV_SUBFLOW_JOINED], 1);
    cr_expect_eq(log.last[SAMPO_EV_SUBFLOW_JOINED].method, SAMPO_METHOD_TOKEN);
    cr_expect_eq(log.last[SAMPO_EV_SUBFLOW_JOINED].confidence, 1.0);

    /* DATA_FIN both ways closes the session. */
    uint8_t o[40];
    tflow r0 = tflow_rev(f0);
    tpkt p = tp_build(&f0, TH_ACK, 101, 501, o, opt_dss64(o, 10, 20, 1, 1, 1), 0);
    tp_feed(ctx, &p, 3000);
    cr_expect_eq(log.n[SAMPO_EV_SESSION_CLOSED], 0);
    p = tp_build(&r0, TH_ACK, 501, 101, o, opt_dss64(o, 21, 10, 1, 1, 1), 0);
    tp_feed(ctx, &p, 4000);
    cr_expect_eq(log.n[SAMPO_EV_SESSION_CLOSED], 1);
    cr_expect_eq(log.last[SAMPO_EV_SESSION_CLOSED].reason, SAMPO_CLOSE_DATA_FIN);

    /* RST closes a subflow; MP_TCPRST carries its reason. */
    uint8_t rst[4] = {30, 4, 0x81, 5};
    p = tp_build(&f1, TH_RST | TH_ACK, 8, 0, rst, sizeof(rst), 0);
    tp_feed(ctx, &p, 5000);
    cr_expect_eq(log.n[SAMPO_EV_SUBFLOW_CLOSED], 1);
    cr_expect_eq(log.last[SAMPO_EV_SUBFLOW_CLOSED].reason, SAMPO_CLOSE_TCPRST);
    cr_expect_eq(log.last[SAMPO_EV_SUBFLOW_CLOSED].tcprst_reason, 5);
    sampo_ctx_destroy(ctx);
}

Test(token, event_queue_is_bounded)
{
    sampo_ctx *ctx = new_ctx(1);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_EVENTS, 4), SAMPO_OK);
    for (uint32_t i = 0; i < 10; i++) {
        tflow f = tflow4(0x0a000001, (uint16_t)(40000 + i), 0x0a000101, 80);
        join_syn(ctx, &f, 0x1000 + i, 0, 1000 + i);
    }
    sampo_event ev = SAMPO_EVENT_INIT;
    int n = 0;
    uint64_t last_ts = 0;
    while (sampo_ctx_next_event(ctx, &ev) > 0) {
        cr_expect_geq(ev.ts_ns, last_ts);
        last_ts = ev.ts_ns;
        n++;
    }
    cr_expect_eq(n, 4);
    cr_expect_eq(last_ts, 1009); /* the newest are kept */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS_DROPPED), 6);
    sampo_ctx_destroy(ctx);
}

Test(token, ipv6_subflows)
{
    sampo_ctx *ctx = new_ctx(1);
    tflow f0, f1;
    cr_assert_eq(sampo_flow_parse("[fd00::1]:40000-[fd00::100]:80", (sampo_flow *)&(sampo_flow){0}),
                 SAMPO_OK);
    memset(&f0, 0, sizeof(f0));
    f0.family = 6;
    f0.src[0] = 0xfd;
    f0.src[15] = 1;
    f0.dst[0] = 0xfd;
    f0.dst[15] = 0x10;
    f0.sport = 40000;
    f0.dport = 80;
    f1 = f0;
    f1.src[15] = 2;
    f1.sport = 40001;
    handshake_v1(ctx, &f0, 1000);
    join_syn(ctx, &f1, TOKEN_S, 0, 2000);
    sampo_subflow_info a = lookup(ctx, &f0), b = lookup(ctx, &f1);
    cr_expect_eq(a.session_id, b.session_id);
    char buf[96];
    cr_assert_gt(sampo_flow_format(&b.flow, buf, sizeof(buf)), 0);
    cr_expect_str_eq(buf, "[fd00::2]:40001-[fd00::10]:80");
    sampo_ctx_destroy(ctx);
}

/* Traffic estimates: each packet counts for its sampling rate, else its
 * source's, else the context default. */
Test(token, sampling_rate_estimates)
{
    sampo_ctx *ctx = new_ctx(1);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_SAMPLING_RATE, 5), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_source_rate(ctx, 7, 10), SAMPO_OK);
    cr_expect_eq(sampo_ctx_set_source_rate(ctx, 8, 0), SAMPO_E_INVAL);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    uint8_t o[40];
    tpkt t = tp_build(&f, TH_ACK, 1, 1, o, opt_dss64(o, 1, 1000, 1, 1000, 0), 1000);
    sampo_packet p = SAMPO_PACKET_INIT;
    p.data = t.buf;
    p.caplen = t.len;
    p.wirelen = t.wirelen;
    uint32_t rates[] = {100, 100, 0, 0};
    uint32_t sources[] = {0, 0, 7, 9};
    for (int i = 0; i < 4; i++) {
        p.ts_ns = 1000 + (uint64_t)i;
        p.sampling_rate = rates[i];
        p.source_id = sources[i];
        cr_assert_eq(sampo_ctx_feed(ctx, &p), SAMPO_OK);
    }
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    sampo_flow q = tp_public(&f);
    cr_assert_eq(sampo_ctx_lookup(ctx, &q, &i), SAMPO_OK);
    cr_expect_eq(i.packets[SAMPO_DIR_FWD], 4);
    cr_expect_eq(i.est_packets[SAMPO_DIR_FWD], 100 + 100 + 10 + 5);
    cr_expect_eq(i.est_bytes[SAMPO_DIR_FWD], 1000u * (100 + 100 + 10 + 5));
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    cr_assert_eq(sampo_ctx_session(ctx, i.session_id, &si), SAMPO_OK);
    cr_expect_eq(si.est_packets, 215);
    sampo_ctx_destroy(ctx);
}

/* Issue 9: at the largest sampling rate a packet can declare, 2^32-1, with
 * 65,000-byte payloads, est_bytes passes 2^64 at the 66,077th packet.  It
 * saturates at 2^64-1 and never wraps, per direction, in the session's
 * totals and in the end records, and every update held there is counted
 * (est_saturated); est_packets (2^32-1 per packet) stays exact. */
Test(token, estimates_saturate_at_rate_2_32_minus_1)
{
    sampo_ctx *ctx = new_ctx(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    handshake_v1(ctx, &f, 1000);
    join_syn(ctx, &g, TOKEN_S, 0, 10000);
    const uint64_t rate = UINT32_MAX, payload = 65000, n = 70000;
    sampo_subflow_info i = lookup(ctx, &f);
    cr_assert_eq(i.est_bytes[SAMPO_DIR_FWD], 0);
    uint64_t pkts0 = i.est_packets[SAMPO_DIR_FWD];
    uint64_t exact = 0, held = 0, prev = 0; /* exact: saturating, held: updates past 2^64 */
    sampo_packet p = SAMPO_PACKET_INIT;
    for (uint64_t k = 0; k < n; k++) {
        tpkt t = tp_build(&f, TH_ACK, 101 + (uint32_t)(k * payload), 501, NULL, 0,
                          (uint32_t)payload);
        p.data = t.buf;
        p.caplen = t.len;
        p.wirelen = t.wirelen;
        p.ts_ns = 20000 + k * 1000;
        p.sampling_rate = (uint32_t)rate;
        cr_assert_eq(sampo_ctx_feed(ctx, &p), SAMPO_OK);
        if (UINT64_MAX - exact < rate * payload) {
            exact = UINT64_MAX;
            held++;
        } else {
            exact += rate * payload;
        }
        i = lookup(ctx, &f);
        cr_assert_eq(i.est_bytes[SAMPO_DIR_FWD], exact, "packet %llu", (unsigned long long)k);
        cr_assert_geq(i.est_bytes[SAMPO_DIR_FWD], prev); /* no wrap */
        prev = i.est_bytes[SAMPO_DIR_FWD];
    }
    cr_expect_eq(held, n - 66076); /* 66,076 packets fit in 64 bits, the next passes */
    cr_expect_eq(i.est_bytes[SAMPO_DIR_FWD], UINT64_MAX);
    cr_expect_eq(i.est_packets[SAMPO_DIR_FWD], pkts0 + n * rate);
    cr_expect_eq(i.bytes[SAMPO_DIR_FWD], n * payload);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_EST_SATURATED), held);

    /* The session's live totals saturate too; a query counts nothing. */
    tpkt t = tp_build(&g, TH_ACK, 8, 1, NULL, 0, 1000);
    p.data = t.buf;
    p.caplen = t.len;
    p.wirelen = t.wirelen;
    p.ts_ns += 1000;
    cr_assert_eq(sampo_ctx_feed(ctx, &p), SAMPO_OK);
    sampo_subflow_info gi = lookup(ctx, &g);
    cr_assert_eq(gi.session_id, i.session_id);
    cr_expect_eq(gi.est_bytes[SAMPO_DIR_FWD], 1000 * rate);
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    cr_assert_eq(sampo_ctx_session(ctx, i.session_id, &si), SAMPO_OK);
    cr_expect_eq(si.est_bytes, UINT64_MAX);
    uint64_t session_pkts = i.est_packets[0] + i.est_packets[1] + gi.est_packets[0] +
                            gi.est_packets[1];
    cr_expect_eq(si.est_packets, session_pkts);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_EST_SATURATED), held);

    /* The end records: both subflows retire into the session's totals,
     * the second one's addition saturates and is counted. */
    cr_assert_eq(sampo_ctx_flush_ex(ctx, SAMPO_FLUSH_END), SAMPO_OK);
    sampo_event ev = SAMPO_EVENT_INIT;
    int subflow_ends = 0, session_ends = 0;
    while (sampo_ctx_next_event(ctx, &ev) > 0) {
        if (ev.type == SAMPO_EV_SUBFLOW_END && ev.subflow->subflow_id == i.subflow_id) {
            cr_expect_eq(ev.subflow->est_bytes[SAMPO_DIR_FWD], UINT64_MAX);
            subflow_ends++;
        } else if (ev.type == SAMPO_EV_SESSION_END) {
            cr_expect_eq(ev.session->est_bytes, UINT64_MAX);
            cr_expect_eq(ev.session->est_packets, session_pkts);
            session_ends++;
        }
    }
    cr_expect_eq(subflow_ends, 1);
    cr_expect_eq(session_ends, 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_EST_SATURATED), held + 1);
    sampo_ctx_destroy(ctx);
}
