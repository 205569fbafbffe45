/* test_engine.c - the engine's promises: association off the packet path
 * (SAMPO_OPT_AUTO_RUN, sampo_ctx_run), per-packet results
 * (sampo_ctx_feed_ex), end-of-life records for every teardown, the
 * callback contract, last_error, and structs of any size from the first
 * released layout up. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "joinmac.h"
#include "pktgen.h"
#include "sampo.h"

#define KEY_C UINT64_C(0x1122334455667788)
#define KEY_S UINT64_C(0x29a6c86981ad933c) /* token 0xa35d6d82 (test_api.c) */
#define TOKEN_S 0xa35d6d82u
#define MS UINT64_C(1000000)
#define SEC UINT64_C(1000000000)

static sampo_ctx *ctx_new(int64_t auto_run)
{
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 42), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_AUTO_RUN, auto_run), SAMPO_OK);
    return ctx;
}

/* The MP_CAPABLE handshake of f (client -> server) and an MP_JOIN SYN on
 * g naming the server's token, each packet's result in r[0..3]. */
static void handshake_and_join(sampo_ctx *ctx, const tflow *f, const tflow *g, uint64_t t,
                               sampo_result r[4])
{
    uint8_t o[40];
    tflow fr = tflow_rev(*f);
    for (int i = 0; i < 4; i++)
        r[i] = (sampo_result)SAMPO_RESULT_INIT;
    tpkt p = tp_build(f, TH_SYN, 1000, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, t, &r[0]), SAMPO_OK);
    p = tp_build(&fr, TH_SYN | TH_ACK, 5000, 1001, o, opt_mpc(o, 1, 12, KEY_S, 0, 0), 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, t + 1, &r[1]), SAMPO_OK);
    p = tp_build(f, TH_ACK, 1001, 5001, o, opt_mpc(o, 1, 20, KEY_C, KEY_S, 0), 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, t + 2, &r[2]), SAMPO_OK);
    p = tp_build(g, TH_SYN, 9000, 0, o, opt_join_syn(o, 0, 2, TOKEN_S, 7), 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, t + 3, &r[3]), SAMPO_OK);
}

/* ---- per-packet results ------------------------------------------------ */

Test(results, handshake_forms_subflows_sessions_and_direction)
{
    sampo_ctx *ctx = ctx_new(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    sampo_result r[4];
    handshake_and_join(ctx, &f, &g, SEC, r);
    cr_expect_eq(r[0].handshake, SAMPO_HS_MPC_SYN);
    cr_expect_eq(r[1].handshake, SAMPO_HS_MPC_SYNACK);
    cr_expect_eq(r[2].handshake, SAMPO_HS_MPC_ACK);
    cr_expect_eq(r[3].handshake, SAMPO_HS_MPJ_SYN);
    cr_expect_eq(r[0].flags & (SAMPO_RES_TRACKED | SAMPO_RES_NEW_SUBFLOW),
                 SAMPO_RES_TRACKED | SAMPO_RES_NEW_SUBFLOW);
    cr_expect_eq(r[1].flags & SAMPO_RES_NEW_SUBFLOW, 0);
    cr_expect_eq(r[0].subflow_id, r[1].subflow_id);
    cr_expect_eq(r[0].dir, SAMPO_DIR_FWD); /* the SYN's sender is the client */
    cr_expect_eq(r[1].dir, SAMPO_DIR_REV);
    cr_expect_eq(r[1].tcp_seq, 5000);
    cr_expect_neq(r[3].subflow_id, r[0].subflow_id);
    /* The join is tied by the token at once: same session, method token. */
    cr_expect_neq(r[2].session_id, 0);
    cr_expect_eq(r[3].session_id, r[2].session_id);
    cr_expect_eq(r[3].method, SAMPO_METHOD_TOKEN);
    cr_expect_float_eq(r[3].confidence, 1.0, 0);
    cr_expect_eq(r[3].mptcp_version, 1); /* a join's is its session's */
    /* The result's ids look the subflow up directly. */
    sampo_subflow_info si = SAMPO_SUBFLOW_INFO_INIT;
    cr_assert_eq(sampo_ctx_subflow(ctx, r[3].subflow_id, &si), SAMPO_OK);
    cr_expect_eq(si.is_join, 1);
    cr_expect_eq(si.session_id, r[3].session_id);
    cr_expect_eq(sampo_ctx_subflow(ctx, 999999, &si), SAMPO_E_NOTFOUND);
    /* A plain TCP packet of an unknown flow: decoded, not tracked. */
    tflow h = tflow4(0x0a000009, 40009, 0x0a000101, 80);
    uint8_t o[4];
    tpkt p = tp_build(&h, TH_ACK, 1, 1, o, 0, 100);
    sampo_result q = SAMPO_RESULT_INIT;
    cr_expect_eq(tp_feed_ex(ctx, &p, SEC + 10, &q), SAMPO_OK);
    cr_expect_eq(q.status, SAMPO_OK);
    cr_expect_eq(q.flags, 0);
    cr_expect_eq(q.subflow_id, 0);
    cr_expect_eq(q.payload_len, 100);
    /* A dropped packet carries its status. */
    p.buf[12] = 0x08;
    p.buf[13] = 0x06; /* ARP */
    cr_expect_eq(tp_feed_ex(ctx, &p, SEC + 11, &q), SAMPO_E_NOTTCP);
    cr_expect_eq(q.status, SAMPO_E_NOTTCP);
    sampo_ctx_destroy(ctx);
}

Test(results, mappings_acks_payload_position_and_data_fin)
{
    sampo_ctx *ctx = ctx_new(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    tflow gr = tflow_rev(g);
    sampo_result r[4], q = SAMPO_RESULT_INIT;
    handshake_and_join(ctx, &f, &g, SEC, r);
    uint8_t o[40];
    /* The join's SYN/ACK gives the server side's ISN (77); its data
     * carries a mapping: subflow sequence 1 (relative) -> DSN 1000000. */
    tpkt p = tp_build(&gr, TH_SYN | TH_ACK, 77, 9001, o,
                      opt_join_synack(o, 0, 3, tp_join_thmac(1, KEY_S, KEY_C, 6, 7), 6), 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 10, &q), SAMPO_OK);
    cr_expect_eq(q.handshake, SAMPO_HS_MPJ_SYNACK);
    p = tp_build(&g, TH_ACK, 9001, 78, o, opt_join_ack(o), 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 11, &q), SAMPO_OK);
    cr_expect_eq(q.handshake, SAMPO_HS_MPJ_ACK);
    p = tp_build(&gr, TH_ACK, 78, 9001, o, opt_dss64(o, 555, 1000000, 1, 2800, 0), 1400);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 12, &q), SAMPO_OK);
    cr_expect_eq(q.flags & (SAMPO_RES_MAPPING | SAMPO_RES_DATA_ACK | SAMPO_RES_PAYLOAD_DSN),
                 SAMPO_RES_MAPPING | SAMPO_RES_DATA_ACK | SAMPO_RES_PAYLOAD_DSN);
    cr_expect_eq(q.dsn, 1000000);
    cr_expect_eq(q.dsn_bits, 64);
    cr_expect_eq(q.ssn, 1);
    cr_expect_eq(q.data_len, 2800);
    cr_expect_eq(q.data_ack, 555);
    cr_expect_eq(q.payload_dsn, 1000000);
    cr_expect_eq(q.dir, SAMPO_DIR_REV);
    /* The next segment of the same 2800-byte mapping carries no option:
     * its payload sits 1400 bytes into the mapping. */
    p = tp_build(&gr, TH_ACK, 78 + 1400, 9001, o, 0, 1400);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 13, &q), SAMPO_OK);
    cr_expect_eq(q.flags & (SAMPO_RES_MAPPING | SAMPO_RES_PAYLOAD_DSN), SAMPO_RES_PAYLOAD_DSN);
    cr_expect_eq(q.payload_dsn, 1001400);
    /* Past the mapping: position unknown. */
    p = tp_build(&gr, TH_ACK, 78 + 2800, 9001, o, 0, 1400);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 14, &q), SAMPO_OK);
    cr_expect_eq(q.flags & SAMPO_RES_PAYLOAD_DSN, 0);
    /* A 4-byte mapping with DATA_FIN: wire value, 32 bits. */
    p = tp_build(&gr, TH_ACK | TH_FIN, 78 + 2800, 9001, o, opt_dss32(o, 600, 1002800, 2801, 10),
                 10);
    o[3] |= 0x10;
    p = tp_build(&gr, TH_ACK | TH_FIN, 78 + 2800, 9001, o, 18, 10);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 15, &q), SAMPO_OK);
    cr_expect(q.flags & SAMPO_RES_DATA_FIN);
    cr_expect(q.flags & SAMPO_RES_CLOSING);
    cr_expect_eq(q.dsn_bits, 32);
    cr_expect_eq(q.dsn, 1002800);
    sampo_ctx_destroy(ctx);
}

Test(results, reinjection_is_new_subflow_data_seen_on_a_sibling)
{
    sampo_ctx *ctx = ctx_new(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    tflow fr = tflow_rev(f), gr = tflow_rev(g);
    sampo_result r[4], q = SAMPO_RESULT_INIT;
    handshake_and_join(ctx, &f, &g, SEC, r);
    uint8_t o[40];
    /* f carries DSN 100000..101400; its TCP retransmission is no reinjection. */
    tpkt p = tp_build(&fr, TH_ACK, 5001, 1001, o, opt_dss64(o, 1, 100000, 1, 1400, 0), 1400);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 10, &q), SAMPO_OK);
    cr_expect_eq(q.flags & SAMPO_RES_REINJECTION, 0);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 11, &q), SAMPO_OK);
    cr_expect_eq(q.flags & SAMPO_RES_REINJECTION, 0, "a TCP retransmission on the same subflow");
    /* g carries the next data: no reinjection. */
    p = tp_build(&gr, TH_ACK, 1, 9001, o, opt_dss64(o, 1, 101400, 1, 1400, 0), 1400);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 12, &q), SAMPO_OK);
    cr_expect_eq(q.flags & SAMPO_RES_REINJECTION, 0);
    /* g then sends f's data again as new subflow data: a reinjection. */
    p = tp_build(&gr, TH_ACK, 1401, 9001, o, opt_dss64(o, 1, 100000, 1401, 1400, 0), 1400);
    cr_assert_eq(tp_feed_ex(ctx, &p, SEC + 13, &q), SAMPO_OK);
    cr_expect(q.flags & SAMPO_RES_REINJECTION);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_REINJECTED_PACKETS), 1);
    sampo_ctx_destroy(ctx);
}

Test(results, batch_results_equal_single_results)
{
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    tflow fr = tflow_rev(f);
    uint8_t o[40];
    tpkt t[40];
    int n = 0;
    t[n++] = tp_build(&f, TH_SYN, 1000, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    t[n++] = tp_build(&fr, TH_SYN | TH_ACK, 5000, 1001, o, opt_mpc(o, 1, 12, KEY_S, 0, 0), 0);
    t[n++] = tp_build(&f, TH_ACK, 1001, 5001, o, opt_mpc(o, 1, 20, KEY_C, KEY_S, 0), 0);
    t[n++] = tp_build(&g, TH_SYN, 9000, 0, o, opt_join_syn(o, 0, 2, TOKEN_S, 7), 0);
    for (int k = 0; k < 30; k++)
        t[n++] = tp_build(
            &fr, TH_ACK, 5001 + 1400 * (uint32_t)k, 1001, o,
            opt_dss64(o, 1, 7000000 + 1400 * (uint64_t)k, 1 + 1400 * (uint32_t)k, 1400, 0), 1400);
    sampo_packet pk[40];
    sampo_result one[40], many[40];
    sampo_ctx *a = ctx_new(1), *b = ctx_new(1);
    for (int i = 0; i < n; i++) {
        pk[i] = (sampo_packet)SAMPO_PACKET_INIT;
        pk[i].data = t[i].buf;
        pk[i].caplen = t[i].len;
        pk[i].wirelen = t[i].wirelen;
        pk[i].ts_ns = SEC + (uint64_t)i * 100 * MS;
        one[i] = (sampo_result)SAMPO_RESULT_INIT;
        many[i] = (sampo_result)SAMPO_RESULT_INIT;
        sampo_ctx_feed_ex(a, &pk[i], &one[i]);
    }
    cr_assert_eq(sampo_ctx_feed_batch_ex(b, pk, (size_t)n, many), n);
    for (int i = 0; i < n; i++)
        cr_expect_eq(memcmp(&one[i], &many[i], sizeof(one[i])), 0, "packet %d", i);
    sampo_ctx_destroy(a);
    sampo_ctx_destroy(b);
}

/* ---- association off the packet path ------------------------------------ */

Test(offpath, feed_never_runs_nor_expires_without_auto_run)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    sampo_result r[4];
    handshake_and_join(ctx, &f, &g, SEC, r);
    /* Hours of packet time on another subflow: no run, no expiry. */
    tflow h = tflow4(0x0a000003, 40002, 0x0a000101, 80);
    uint8_t o[40];
    for (int k = 0; k < 100; k++) {
        tpkt p = tp_build(&h, TH_ACK, 1, 1, o, opt_dack64(o, (uint64_t)k), 0);
        cr_assert_eq(tp_feed(ctx, &p, SEC + (uint64_t)k * 60 * SEC), SAMPO_OK);
    }
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS), 0);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EXPIRED), 0);
    sampo_flow q = tp_public(&f);
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    cr_expect_eq(sampo_ctx_lookup(ctx, &q, &i), SAMPO_OK);
    /* The caller's timer runs it: one run, idle subflows end. */
    cr_assert_eq(sampo_ctx_run(ctx, 200 * 60 * SEC), SAMPO_OK);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS), 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EXPIRED), 3);
    cr_expect_eq(sampo_ctx_lookup(ctx, &q, &i), SAMPO_E_NOTFOUND);
    /* An earlier time runs at the clock's time. */
    cr_assert_eq(sampo_ctx_run(ctx, SEC), SAMPO_OK);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS), 2);
    sampo_ctx_destroy(ctx);
}

Test(offpath, auto_run_runs_inside_feed_when_a_window_closes)
{
    sampo_ctx *ctx = ctx_new(1);
    tflow h = tflow4(0x0a000003, 40002, 0x0a000101, 80);
    uint8_t o[40];
    for (int k = 0; k < 10; k++) {
        tpkt p = tp_build(&h, TH_ACK, 1, 1, o, opt_dack64(o, (uint64_t)k), 0);
        tp_feed(ctx, &p, SEC + (uint64_t)k * 200 * MS);
    }
    /* 1.8 s of packet time with γ = 0.5 s: runs at 0.6, 1.0, 1.6 s after the first packet. */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS), 3);
    sampo_ctx_destroy(ctx);
}

/* ---- end-of-life records -------------------------------------------------- */

typedef struct rec_log {
    int sub_end, sess_end, reasons[16];
    sampo_subflow_info last_sf;
    sampo_session_info last_ss;
    sampo_ctx *ctx;
    int busy_ok, lookups_ok;
} rec_log;

static void on_record(const sampo_event *ev, void *user)
{
    rec_log *l = user;
    if (ev->type == SAMPO_EV_SUBFLOW_END) {
        cr_assert_not_null(ev->subflow);
        cr_assert_null(ev->session);
        l->sub_end++;
        l->last_sf = *ev->subflow;
        if (ev->reason >= 0 && ev->reason < 16)
            l->reasons[ev->reason]++;
    } else if (ev->type == SAMPO_EV_SESSION_END) {
        cr_assert_not_null(ev->session);
        l->sess_end++;
        l->last_ss = *ev->session;
    } else {
        cr_assert_null(ev->subflow);
        cr_assert_null(ev->session);
    }
    if (l->ctx) { /* the callback contract */
        sampo_packet p = SAMPO_PACKET_INIT;
        sampo_event e = SAMPO_EVENT_INIT;
        l->busy_ok += sampo_ctx_feed(l->ctx, &p) == SAMPO_E_BUSY &&
                      sampo_ctx_run(l->ctx, 0) == SAMPO_E_BUSY &&
                      sampo_ctx_next_event(l->ctx, &e) == SAMPO_E_BUSY &&
                      sampo_ctx_set_option(l->ctx, SAMPO_OPT_WINDOW_NS, MS) == SAMPO_E_BUSY &&
                      sampo_ctx_flush(l->ctx) == SAMPO_E_BUSY &&
                      sampo_ctx_set_event_callback(l->ctx, NULL, NULL) == SAMPO_E_BUSY;
        sampo_ctx_destroy(l->ctx); /* ignored */
        /* Reading is allowed, and sees a consistent state: the subflow an
         * event names is found in the session it names. */
        if (ev->type == SAMPO_EV_SUBFLOW_JOINED) {
            sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
            l->lookups_ok += sampo_ctx_lookup(l->ctx, &ev->flow, &i) == SAMPO_OK &&
                             i.session_id == ev->session_id;
        }
    }
}

Test(records, idle_timeout_ends_subflows_then_their_session)
{
    sampo_ctx *ctx = ctx_new(1);
    rec_log log;
    memset(&log, 0, sizeof(log));
    sampo_ctx_set_event_callback(ctx, on_record, &log);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    tflow fr = tflow_rev(f);
    sampo_result r[4];
    handshake_and_join(ctx, &f, &g, SEC, r);
    uint8_t o[40];
    /* f stays busy 10 s longer than g: g ends first, then f and the session. */
    for (int k = 0; k < 20; k++) {
        tpkt p = tp_build(&fr, TH_ACK, 5001 + 100 * (uint32_t)k, 1001, o,
                          opt_dss64(o, 1, 3000 + 100 * (uint64_t)k, 1 + 100 * (uint32_t)k, 100, 0),
                          100);
        tp_feed(ctx, &p, SEC + (uint64_t)k * 500 * MS);
    }
    cr_assert_eq(sampo_ctx_advance(ctx, 40 * SEC), SAMPO_OK);
    cr_expect_eq(log.sub_end, 2);
    cr_expect_eq(log.sess_end, 1);
    cr_expect_eq(log.reasons[SAMPO_CLOSE_TIMEOUT], 2);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_ENDED), 2);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SESSIONS_ENDED), 1);
    /* The last record is f's, whole; the session's counts both. */
    cr_expect_eq(log.last_sf.packets[SAMPO_DIR_REV], 21);
    cr_expect_eq(log.last_sf.method, SAMPO_METHOD_TOKEN);
    cr_expect_eq(log.last_ss.session_id, r[2].session_id);
    cr_expect_eq(log.last_ss.n_subflows, 0);
    cr_expect_eq(log.last_ss.subflows_seen, 2);
    cr_expect_eq(log.last_ss.packets, 24);
    cr_expect_eq(log.last_ss.keys_known, 3);
    cr_expect_eq(log.last_ss.token[1], TOKEN_S);
    cr_expect_eq(log.last_ss.method, SAMPO_METHOD_TOKEN);
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    cr_expect_eq(sampo_ctx_session(ctx, r[2].session_id, &si), SAMPO_E_NOTFOUND);
    sampo_ctx_destroy(ctx);
}

Test(records, eviction_flush_and_destroy_each_end_with_a_record)
{
    sampo_ctx *ctx = ctx_new(1);
    rec_log log;
    memset(&log, 0, sizeof(log));
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_SUBFLOWS, 4), SAMPO_OK);
    sampo_ctx_set_event_callback(ctx, on_record, &log);
    uint8_t o[40];
    for (int k = 0; k < 10; k++) {
        tflow h = tflow4(0x0a000010 + (uint32_t)k, 40000, 0x0a000101, 80);
        /* DATA_ACKs far apart on the 2^64 circle: ten unrelated sessions. */
        tpkt p = tp_build(&h, TH_ACK, 1, 1, o, opt_dack64(o, (uint64_t)(k + 1) << 58), 0);
        tp_feed(ctx, &p, SEC + (uint64_t)k * MS);
    }
    cr_expect_eq(log.reasons[SAMPO_CLOSE_EVICTED], 6);
    cr_assert_eq(sampo_ctx_flush_ex(ctx, SAMPO_FLUSH_END), SAMPO_OK);
    cr_expect_eq(log.reasons[SAMPO_CLOSE_FLUSH], 4);
    cr_expect_eq(log.sub_end, 10);
    cr_expect_eq(log.sess_end, 10);
    uint64_t cur = 0;
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    cr_expect_eq(sampo_ctx_next_subflow(ctx, 0, &cur, &i), 0, "nothing left after the flush");
    cr_expect_eq(sampo_ctx_flush_ex(ctx, 0x80), SAMPO_E_INVAL);
    /* More packets after it, then destroy: their records too. */
    tflow h = tflow4(0x0a000020, 40000, 0x0a000101, 80);
    tpkt p = tp_build(&h, TH_ACK, 1, 1, o, opt_dack64(o, 1), 0);
    tp_feed(ctx, &p, 2 * SEC);
    sampo_ctx_destroy(ctx);
    cr_expect_eq(log.reasons[SAMPO_CLOSE_DESTROY], 1);
    cr_expect_eq(log.sub_end, 11);
    cr_expect_eq(log.sess_end, 11);
}

Test(records, queued_records_stay_valid_until_the_next_call)
{
    sampo_ctx *ctx = ctx_new(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    sampo_result r[4];
    handshake_and_join(ctx, &f, &g, SEC, r);
    cr_assert_eq(sampo_ctx_flush_ex(ctx, SAMPO_FLUSH_END), SAMPO_OK);
    sampo_event ev = SAMPO_EVENT_INIT;
    int sub = 0, sess = 0;
    while (sampo_ctx_next_event(ctx, &ev) > 0) {
        if (ev.type == SAMPO_EV_SUBFLOW_END) {
            cr_assert_not_null(ev.subflow);
            cr_expect_eq(ev.subflow->subflow_id, ev.subflow_id);
            cr_expect_eq(ev.subflow->session_id, r[2].session_id);
            cr_expect_eq(ev.reason, SAMPO_CLOSE_FLUSH);
            sub++;
        } else if (ev.type == SAMPO_EV_SESSION_END) {
            cr_assert_not_null(ev.session);
            cr_expect_eq(ev.session->subflows_seen, 2);
            sess++;
        }
    }
    cr_expect_eq(sub, 2);
    cr_expect_eq(sess, 1);
    sampo_ctx_destroy(ctx);
}

/* ---- the callback contract -------------------------------------------------- */

Test(callback, mutating_calls_are_refused_and_reads_see_consistent_state)
{
    sampo_ctx *ctx = ctx_new(1);
    rec_log log;
    memset(&log, 0, sizeof(log));
    log.ctx = ctx;
    sampo_ctx_set_event_callback(ctx, on_record, &log);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    sampo_result r[4];
    handshake_and_join(ctx, &f, &g, SEC, r);
    cr_expect_gt(log.busy_ok, 0);
    cr_expect_eq(log.lookups_ok, 1, "the join's event, read back from inside the callback");
    cr_expect_str_eq(sampo_ctx_last_error(ctx), "");
    log.ctx = NULL;
    sampo_ctx_destroy(ctx);
}

/* ---- errors --------------------------------------------------------------- */

Test(errors, last_error_is_set_by_failures_and_cleared_by_successes)
{
    sampo_ctx *ctx = ctx_new(1);
    cr_expect_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 1), SAMPO_E_RANGE);
    cr_expect_neq(sampo_ctx_last_error(ctx)[0], '\0');
    cr_expect_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 5 * MS), SAMPO_OK);
    cr_expect_str_eq(sampo_ctx_last_error(ctx), "");
    int64_t v;
    cr_expect_eq(sampo_ctx_get_option(ctx, (sampo_option)99, &v), SAMPO_E_INVAL);
    cr_expect_neq(sampo_ctx_last_error(ctx)[0], '\0');
    cr_expect_eq(sampo_ctx_get_option(ctx, SAMPO_OPT_WINDOW_NS, &v), SAMPO_OK);
    cr_expect_str_eq(sampo_ctx_last_error(ctx), "");
    sampo_flow q;
    memset(&q, 0, sizeof(q));
    q.family = 4;
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    cr_expect_eq(sampo_ctx_lookup(ctx, &q, &i), SAMPO_E_NOTFOUND);
    cr_expect_neq(sampo_ctx_last_error(ctx)[0], '\0');
    uint64_t cur = 0;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    cr_expect_eq(sampo_ctx_next_session(ctx, &cur, &si), 0);
    cr_expect_str_eq(sampo_ctx_last_error(ctx), "");
    sampo_ctx_destroy(ctx);
}

/* ---- structs of any size from the first released layout up ---------------- */

#define GUARD 0xa5

Test(abi, info_structs_of_the_first_layout_are_filled_and_never_overrun)
{
    sampo_ctx *ctx = ctx_new(1);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          g = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    sampo_result r[4];
    handshake_and_join(ctx, &f, &g, SEC, r);
    /* 0.1's sampo_session_info ended with est_bytes. */
    size_t v01 = offsetof(sampo_session_info, est_bytes) + sizeof(uint64_t);
    unsigned char buf[sizeof(sampo_session_info) + 16];
    memset(buf, GUARD, sizeof(buf));
    sampo_session_info *si = (sampo_session_info *)(void *)buf;
    si->size = v01;
    cr_assert_eq(sampo_ctx_session(ctx, r[2].session_id, si), SAMPO_OK);
    cr_expect_eq(si->size, v01);
    cr_expect_eq(si->session_id, r[2].session_id);
    cr_expect_eq(si->n_subflows, 2);
    for (size_t k = v01; k < sizeof(buf); k++)
        cr_assert_eq(buf[k], GUARD, "byte %zu past the caller's size was written", k);
    /* One byte short of the first layout is refused. */
    si->size = v01 - 1;
    cr_expect_eq(sampo_ctx_session(ctx, r[2].session_id, si), SAMPO_E_INVAL);
    /* A caller from the future (a bigger struct): filled as far as we know. */
    unsigned char big[sizeof(sampo_session_info) + 64];
    memset(big, GUARD, sizeof(big));
    sampo_session_info *sb = (sampo_session_info *)(void *)big;
    sb->size = sizeof(big);
    cr_assert_eq(sampo_ctx_session(ctx, r[2].session_id, sb), SAMPO_OK);
    cr_expect_eq(sb->size, sizeof(big));
    cr_expect_eq(sb->subflows_seen, 2);
    for (size_t k = sizeof(sampo_session_info); k < sizeof(big); k++)
        cr_assert_eq(big[k], GUARD);
    /* Events: 0.1's layout ended with dsn. */
    size_t e01 = offsetof(sampo_event, dsn) + sizeof(uint64_t);
    unsigned char eb[sizeof(sampo_event) + 16];
    memset(eb, GUARD, sizeof(eb));
    sampo_event *ev = (sampo_event *)(void *)eb;
    ev->size = e01;
    int got = 0;
    while (sampo_ctx_next_event(ctx, ev) > 0) {
        got++;
        for (size_t k = e01; k < sizeof(eb); k++)
            cr_assert_eq(eb[k], GUARD);
    }
    cr_expect_gt(got, 0);
    sampo_ctx_destroy(ctx);
}

Test(abi, packets_and_results_below_their_first_layout_are_refused)
{
    sampo_ctx *ctx = ctx_new(1);
    uint8_t frame[64] = {0};
    sampo_packet p = SAMPO_PACKET_INIT;
    p.data = frame;
    p.caplen = sizeof(frame);
    p.ts_ns = SEC;
    p.size = offsetof(sampo_packet, source_id); /* one member short */
    cr_expect_eq(sampo_ctx_feed(ctx, &p), SAMPO_E_INVAL);
    p.size = sizeof(p);
    sampo_result r = SAMPO_RESULT_INIT;
    r.size = 8;
    cr_expect_eq(sampo_ctx_feed_ex(ctx, &p, &r), SAMPO_E_INVAL);
    cr_expect_eq(sampo_counter_count(), SAMPO_CNT__COUNT);
    cr_expect_str_eq(sampo_counter_name(SAMPO_CNT_SUBFLOWS_ENDED), "subflows_ended");
    cr_expect_eq(SAMPO_CNT_PACKETS, 0);
    cr_expect_eq(SAMPO_CNT_MEM_PEAK, 67);
    sampo_ctx_destroy(ctx);
}
