/* test_assoc.c - the DSN association rules, one by one: the probabilities
 * against hand-computed values, then packet scenarios for proximity,
 * wrap-around, reinjection, key anchoring, DATA_ACK evidence, fallback,
 * hysteresis and the veto. */
#define SAMPO_EXPERIMENTAL_API /* sampo_ctx_next_dsn_region() */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assoc/cluster.h"
#include "assoc/math.h"
#include "assoc/verdict.h"
#include "core/alloc.h"
#include "engine/apply.h"
#include "engine/ctx.h"
#include "pktgen.h"
#include "sampo.h"

/* ---- the math ------------------------------------------------------------ */

typedef struct gapv {
    double gap, maxgap, k, want;
} gapv;

ParameterizedTestParameters(math, gap_logistic)
{
    static gapv v[] = {
        {1000, 1000, 8, 0.5},                /* gap = maxgap: undecided point */
        {2000, 1000, 8, 0.9996646498695336}, /* logistic(8) */
        {0, 1000, 8, 0.0003353501304664781}, /* logistic(-8) */
        {3000, 1000, 1, 0.8807970779778823}, /* logistic(2), k = 1 */
    };
    return cr_make_param_array(gapv, v, sizeof(v) / sizeof(v[0]));
}

ParameterizedTest(gapv *v, math, gap_logistic)
{
    cr_expect_float_eq(sampo__phi_gap_distinct(v->gap, v->maxgap, v->k), v->want, 1e-12);
}

typedef struct pminv {
    double n, m, sa, sb, g, want;
} pminv;

ParameterizedTestParameters(math, p_min)
{
    static pminv v[] = {
        /* 10 segments of 1428 bytes each side in G = 1e6:
         * 1 - exp(-(10*14280 + 10*14280 - 100) / 1e6) */
        {10, 10, 14280, 14280, 1e6, 0.24836165882166028},
        /* the chapter's figure 4.5: 50 and 50 segments of 1428 in 1e6 */
        {50, 50, 71400, 71400, 1e6, 0.9992052635438763},
        /* unequal: n = 3 of 1000, m = 2 of 2000 in G = 1e5:
         * 1 - exp(-(2*3000 + 3*4000 - 6) / 1e5) */
        {3, 2, 3000, 4000, 1e5, 0.16471058823529412},
        {0, 5, 0, 7000, 1e5, 0.0},  /* nothing on one side */
        {5, 5, 5000, 5000, 0, 1.0}, /* no room at all */
    };
    return cr_make_param_array(pminv, v, sizeof(v) / sizeof(v[0]));
}

ParameterizedTest(pminv *v, math, p_min)
{
    double want = v->want;
    if (v->n == 3) /* computed here so the comment above is the formula */
        want = 1.0 - exp(-(2.0 * 3000 + 3.0 * 4000 - 6) / 1e5);
    /* The library keeps E_d only; the chapter's P_min is 1 - exp(-E_d). */
    cr_expect_float_eq(1.0 - exp(-sampo__expected_collisions(v->n, v->m, v->sa, v->sb, v->g)), want,
                       1e-12);
}

Test(math, expected_collisions_is_the_p_min_exponent)
{
    /* 10 and 10 segments of 1428 in 1e6: (10*14280 + 10*14280 - 100) / 1e6 */
    cr_expect_float_eq(sampo__expected_collisions(10, 10, 14280, 14280, 1e6), 0.2855, 1e-12);
    cr_expect_eq(sampo__expected_collisions(0, 3, 0, 100, 1000), 0.0);
    cr_expect(isinf(sampo__expected_collisions(1, 1, 10, 10, 0)));
}

Test(math, p_close)
{
    cr_expect_float_eq(sampo__p_close(160, 1e6, 1e6, 1e6, 64), 3.469446951953614e-11, 1e-20);
    cr_expect_float_eq(sampo__p_close(10, 0, 1 << 20, 1 << 20, 32), 10.0 * (1 << 21) / 4294967296.0,
                       1e-15);
    cr_expect_eq(sampo__p_close(1e6, 1e12, 1e12, 1e12, 32), 1.0); /* clamped */
}

/* ---- scenarios ------------------------------------------------------------ */

static sampo_ctx *ctx_new(int token)
{
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 99);
    sampo_ctx_set_option(ctx, SAMPO_OPT_TOKEN_EVIDENCE, token);
    return ctx;
}

static uint64_t session_of(sampo_ctx *ctx, const tflow *f, sampo_subflow_info *out)
{
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    sampo_flow q = tp_public(f);
    cr_assert_eq(sampo_ctx_lookup(ctx, &q, &i), SAMPO_OK);
    if (out)
        *out = i;
    return i.session_id;
}

/* One session's data striped over `n` subflows: mapping k of `len` bytes
 * goes to subflow k % n; the reverse direction carries DATA_ACKs.  The
 * peer's space (acknowledged by the data packets) is at ~idsn. */
static void stripe64(sampo_ctx *ctx, const tflow *f, int n, uint64_t idsn, int count, uint16_t len,
                     uint64_t t0, uint64_t step)
{
    uint8_t o[40];
    for (int k = 0; k < count; k++) {
        const tflow *sf = &f[k % n];
        uint64_t dsn = idsn + 1 + (uint64_t)k * len;
        tpkt p = tp_build(sf, TH_ACK, (uint32_t)(1 + k / n * len), 1, o,
                          opt_dss64(o, ~idsn, dsn, (uint32_t)(1 + k / n * len), len, 0), len);
        tp_feed(ctx, &p, t0 + (uint64_t)k * step);
        tflow r = tflow_rev(*sf);
        tpkt a = tp_build(&r, TH_ACK, 1, 1, o, opt_dack64(o, dsn + len), 0);
        tp_feed(ctx, &a, t0 + (uint64_t)k * step + 1);
    }
}

Test(scenario, striped_64bit_subflows_join_by_proximity)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f[3] = {tflow4(0x0a000001, 40000, 0x0a000101, 443),
                  tflow4(0x0a000002, 40001, 0x0a000101, 443),
                  tflow4(0x0a000001, 40002, 0x0a000102, 443)};
    tflow g[2] = {tflow4(0x0a000009, 41000, 0x0a000101, 443),
                  tflow4(0x0a00000a, 41001, 0x0a000102, 443)};
    stripe64(ctx, f, 3, UINT64_C(0x1234567890abcdef), 60, 1400, 1000000, 20000000);
    stripe64(ctx, g, 2, UINT64_C(0x9876543210fedcba), 60, 1400, 1000000, 20000000);
    cr_assert_eq(sampo_ctx_flush(ctx), SAMPO_OK);
    sampo_subflow_info i;
    uint64_t s0 = session_of(ctx, &f[0], &i);
    cr_expect_eq(session_of(ctx, &f[1], NULL), s0);
    cr_expect_eq(session_of(ctx, &f[2], NULL), s0);
    cr_expect_geq(i.confidence, 0.999999);
    cr_expect_eq(i.method, SAMPO_METHOD_DSN_PROXIMITY);
    /* g's two subflows share no host: proximity between them is evidence
     * a forger could have made (pair.h), capped below any join. */
    uint64_t s1 = session_of(ctx, &g[0], NULL);
    cr_expect_neq(s1, s0);
    cr_expect_neq(session_of(ctx, &g[1], NULL), s1);
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_FORGEABLE_CAPPED), 0);
    uint64_t pc = 0;
    sampo_pair_info gp = SAMPO_PAIR_INFO_INIT;
    bool seen = false;
    while (sampo_ctx_next_pair(ctx, &pc, &gp) == 1) {
        sampo_flow a = tp_public(&g[0]), b = tp_public(&g[1]);
        bool ga = !memcmp(&gp.flow[0], &a, sizeof(a)) || !memcmp(&gp.flow[1], &a, sizeof(a));
        bool gb = !memcmp(&gp.flow[0], &b, sizeof(b)) || !memcmp(&gp.flow[1], &b, sizeof(b));
        if (ga && gb) {
            seen = true;
            cr_expect_eq(gp.verdict, SAMPO_VERDICT_SAME);
            cr_expect_leq(gp.confidence, 0.75);
        }
    }
    cr_expect(seen, "the pair of g's subflows has a verdict");
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_PAIRS_SAME), 0);
    /* Far-apart sessions never even become candidates. */
    uint64_t cur = 0;
    sampo_pair_info pi = SAMPO_PAIR_INFO_INIT;
    while (sampo_ctx_next_pair(ctx, &cur, &pi) > 0) {
        cr_expect_eq(pi.verdict, SAMPO_VERDICT_SAME);
        cr_expect_lt(pi.subflow_id[0], pi.subflow_id[1]);
    }
    cr_expect_eq(cur, 4); /* 3 pairs in f, 1 in g */
    sampo_ctx_destroy(ctx);
}

Test(scenario, no_dsn_evidence_means_no_association)
{
    sampo_ctx *ctx = ctx_new(0);
    sampo_ctx_set_option(ctx, SAMPO_OPT_DSN_EVIDENCE, 0);
    tflow f[2] = {tflow4(0x0a000001, 40000, 0x0a000101, 443),
                  tflow4(0x0a000002, 40001, 0x0a000101, 443)};
    stripe64(ctx, f, 2, 5000, 40, 1400, 1000, 20000000);
    sampo_ctx_flush(ctx);
    cr_expect_neq(session_of(ctx, &f[0], NULL), session_of(ctx, &f[1], NULL));
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_CANDIDATES), 0);
    sampo_ctx_destroy(ctx);
}

/* 32-bit DSNs that wrap past 2^32 in the middle of the transfer. */
Test(scenario, wrap_around_32bit)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f[2] = {tflow4(0x0a000001, 40000, 0x0a000101, 22),
                  tflow4(0x0a000002, 40001, 0x0a000101, 22)};
    uint8_t o[40];
    uint32_t dsn = 0xffff0000u;
    for (int k = 0; k < 200; k++) {
        tpkt p = tp_build(&f[k % 2], TH_ACK, 1, 1, o, opt_dss32(o, 9, dsn, (uint32_t)k * 700, 700),
                          700);
        tp_feed(ctx, &p, 1000 + (uint64_t)k * 5000000);
        dsn += 700;
    }
    sampo_ctx_flush(ctx);
    sampo_subflow_info i;
    uint64_t s0 = session_of(ctx, &f[0], &i);
    cr_expect_eq(session_of(ctx, &f[1], NULL), s0);
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_DSN_WRAPS), 0);
    cr_expect_eq(i.dsn_bits[SAMPO_DIR_FWD], 32);
    cr_expect_eq(i.dsn_lo[SAMPO_DIR_FWD], 0xffff0000u);
    cr_expect_eq(i.dsn_hi[SAMPO_DIR_FWD] - i.dsn_lo[SAMPO_DIR_FWD], 199 * 700 + 700 - 700);
    sampo_ctx_destroy(ctx);
}

/* The same mapping on two subflows (a reinjection): positive evidence,
 * counted, and removed before the second-level test. */
Test(scenario, reinjection_counts_as_same)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f[2] = {tflow4(0x0a000001, 40000, 0x0a000101, 22),
                  tflow4(0x0a000002, 40001, 0x0a000101, 22)};
    uint8_t o[40];
    for (int k = 0; k < 40; k++) {
        uint32_t dsn = 100000u + (uint32_t)k * 1000;
        tpkt p = tp_build(&f[k % 2], TH_ACK, 1, 1, o, opt_dss32(o, 9, dsn, (uint32_t)k, 1000),
                          1000);
        tp_feed(ctx, &p, 1000 + (uint64_t)k * 10000000);
        if (k % 8 == 0) { /* re-sent on the other subflow */
            p = tp_build(&f[(k + 1) % 2], TH_ACK, 1, 1, o,
                         opt_dss32(o, 9, dsn, 5000u + (uint32_t)k, 1000), 1000);
            tp_feed(ctx, &p, 2000 + (uint64_t)k * 10000000);
        }
    }
    sampo_ctx_flush(ctx);
    cr_expect_eq(session_of(ctx, &f[0], NULL), session_of(ctx, &f[1], NULL));
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_REINJECTIONS), 0);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_LEVEL2_OVERLAPS), 0);
    sampo_subflow_info i;
    session_of(ctx, &f[0], &i);
    cr_expect_gt(i.reinjections, 0);
    sampo_ctx_destroy(ctx);
}

/* Two distinct sessions whose 32-bit DSN spaces overlap at the first level
 * and interleave with overlapping segments: the second level says distinct. */
Test(scenario, second_level_overlap_means_distinct)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow a = tflow4(0x0a000001, 40000, 0x0a000101, 22),
          b = tflow4(0x0a000002, 40001, 0x0a000101, 22);
    uint8_t o[40];
    for (int k = 0; k < 40; k++) {
        tpkt p = tp_build(&a, TH_ACK, 1, 1, o,
                          opt_dss32(o, 9, 200000u + (uint32_t)k * 1000, (uint32_t)k, 1000), 1000);
        tp_feed(ctx, &p, 1000 + (uint64_t)k * 10000000);
        p = tp_build(&b, TH_ACK, 1, 1, o,
                     opt_dss32(o, 9, 200500u + (uint32_t)k * 1000, (uint32_t)k, 1000), 1000);
        tp_feed(ctx, &p, 2000 + (uint64_t)k * 10000000);
    }
    sampo_ctx_flush(ctx);
    cr_expect_neq(session_of(ctx, &a, NULL), session_of(ctx, &b, NULL));
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_LEVEL2_OVERLAPS), 0);
    uint64_t cur = 0;
    sampo_pair_info pi = SAMPO_PAIR_INFO_INIT;
    cr_assert_eq(sampo_ctx_next_pair(ctx, &cur, &pi), 1);
    cr_expect_eq(pi.verdict, SAMPO_VERDICT_DISTINCT);
    cr_expect_geq(pi.confidence, 0.99);
    sampo_ctx_destroy(ctx);
}

/* A key seen once anchors the session's DSN space: a subflow never seen in
 * a handshake, with one DSN in the span, is tied to it. */
Test(scenario, key_anchored_dsn)
{
    sampo_ctx *ctx = ctx_new(1);
    const uint64_t key_c = UINT64_C(0x1fdb5df328bc3def); /* IDSN 14413541604287230029 */
    tflow f0 = tflow4(0x0a000001, 40000, 0x0a000101, 80), r0 = tflow_rev(f0);
    tflow f9 = tflow4(0x0a000077, 47000, 0x0a000101, 80); /* another client, same server */
    uint8_t o[40];
    tpkt p = tp_build(&f0, TH_SYN, 1, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    tp_feed(ctx, &p, 1000);
    p = tp_build(&r0, TH_SYN | TH_ACK, 1, 2, o, opt_mpc(o, 1, 12, 0x29a6c86981ad933cull, 0, 0), 0);
    tp_feed(ctx, &p, 2000);
    p = tp_build(&f0, TH_ACK, 2, 2, o, opt_mpc(o, 1, 20, key_c, 0x29a6c86981ad933cull, 0), 0);
    tp_feed(ctx, &p, 3000);
    /* One data packet on a subflow whose handshake was never seen. */
    p = tp_build(&f9, TH_ACK, 5, 5, o,
                 opt_dss64(o, 1, UINT64_C(14413541604287230030) + 5000000, 1, 1400, 0), 1400);
    tp_feed(ctx, &p, 4000);
    sampo_ctx_flush(ctx);
    sampo_subflow_info i;
    cr_expect_eq(session_of(ctx, &f9, &i), session_of(ctx, &f0, NULL));
    cr_expect_eq(i.method, SAMPO_METHOD_KEY_DSN);
    cr_expect_geq(i.confidence, 0.9999);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_KEY_ANCHORED), 1);
    sampo_ctx_destroy(ctx);
}

/* A subflow seen only through the DATA_ACKs it carries (the receiving side
 * of a download) still joins: DATA_ACKs are positions in the peer's space. */
Test(scenario, data_ack_only_subflow_joins)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow data = tflow4(0x0a000001, 40000, 0x0a000101, 443),
          acker = tflow4(0x0a000002, 40001, 0x0a000101, 443);
    uint8_t o[40];
    uint64_t idsn = UINT64_C(0x5555666677778888);
    for (int k = 0; k < 20; k++) {
        tflow r = tflow_rev(data); /* the server sends on `data` */
        tpkt p = tp_build(&r, TH_ACK, 1, 1, o,
                          opt_dss64(o, 1, idsn + 1 + (uint64_t)k * 1400, 1, 1400, 0), 1400);
        tp_feed(ctx, &p, 1000 + (uint64_t)k * 10000000);
    }
    /* The client acknowledges on the other subflow only. */
    tpkt a = tp_build(&acker, TH_ACK, 1, 1, o, opt_dack64(o, idsn + 1 + 7000), 0);
    tp_feed(ctx, &a, 300000000);
    sampo_ctx_flush(ctx);
    cr_expect_eq(session_of(ctx, &data, NULL), session_of(ctx, &acker, NULL));
    sampo_ctx_destroy(ctx);
}

Test(scenario, infinite_mapping_is_fallback)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    uint8_t o[40];
    tpkt p = tp_build(&f, TH_ACK, 1, 1, o, opt_dss64(o, 1, 500, 1, 0, 0), 100);
    tp_feed(ctx, &p, 1000);
    sampo_subflow_info i;
    session_of(ctx, &f, &i);
    cr_expect(i.fallback);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_INFINITE_MAPPINGS), 1);
    sampo_event ev = SAMPO_EVENT_INIT;
    int fallback = 0;
    while (sampo_ctx_next_event(ctx, &ev) > 0)
        fallback += ev.type == SAMPO_EV_FALLBACK;
    cr_expect_eq(fallback, 1);
    sampo_ctx_destroy(ctx);
}

Test(scenario, repeated_mappings_are_deduplicated)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f = tflow4(0x0a000001, 40000, 0x0a000101, 80);
    uint8_t o[40];
    /* One 8192-byte mapping carried by 6 TCP segments (as Linux does). */
    for (int k = 0; k < 6; k++) {
        tpkt p = tp_build(&f, TH_ACK, 1 + (uint32_t)k * 1400, 1, o,
                          opt_dss64(o, 1, 9000, 1, 8192, 0), 1400);
        tp_feed(ctx, &p, 1000 + (uint64_t)k);
    }
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_DSN_SEGMENTS), 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_DSN_SEGMENTS_DUP), 5);
    sampo_ctx_destroy(ctx);
}

/* The association layer's entry points, as a run calls them. */
static void pair_update(sampo_ctx *ctx, sampo__subflow *a, sampo__subflow *b, const sampo__eval *e,
                        uint64_t now)
{
    sampo__pair_update(&ctx->env, &ctx->assoc.pairs, ctx->assoc.run, a, b, e, now);
}

static void cluster_run(sampo_ctx *ctx, uint64_t now)
{
    sampo__plan plan;
    cr_assert_eq(sampo__cluster(&ctx->env, &ctx->flows, &ctx->conns, &ctx->assoc.pairs,
                                ++ctx->assoc.run, now, &plan),
                 0);
    sampo__apply_plan(ctx, &plan, now);
    sampo__plan_free(&ctx->env, &plan);
}

/* ---- verdict bookkeeping ---------------------------------------------------- */

static void two_flows(sampo_ctx *ctx, tflow *f, int n)
{
    uint8_t o[40];
    for (int i = 0; i < n; i++) {
        f[i] = tflow4(0x0a000001 + (uint32_t)i, (uint16_t)(40000 + i), 0x0a000101, 80);
        /* DSNs far apart: the analysis itself finds no pair. */
        tpkt p = tp_build(&f[i], TH_ACK, 1, 1, o,
                          opt_dss64(o, 1, (uint64_t)(i + 1) << 60, 1, 100, 0), 100);
        tp_feed(ctx, &p, 1000);
    }
}

static sampo__subflow *sf_of(sampo_ctx *ctx, const tflow *f)
{
    sampo_subflow_info i;
    session_of(ctx, f, &i);
    return sampo__table_by_id(&ctx->flows, ctx->env.hkey, i.subflow_id);
}

Test(verdicts, hysteresis_and_revision_events)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f[2];
    two_flows(ctx, f, 2);
    sampo__subflow *a = sf_of(ctx, &f[0]), *b = sf_of(ctx, &f[1]);
    sampo__eval same = {SAMPO_VERDICT_SAME, SAMPO_METHOD_DSN_OVERLAP, 3, 0.90, 0, 0, 0, 0, 0, 0};
    sampo__eval dist = {
        SAMPO_VERDICT_DISTINCT, SAMPO_METHOD_DSN_OVERLAP, 2, 0.92, 0, 1, 0, 0, 0, 0};
    sampo__eval undec = {SAMPO_VERDICT_UNDECIDED, 0, 3, 0, 0, 0, 0, 0, 0, 0};
    while (sampo_ctx_next_event(ctx, &(sampo_event){.size = sizeof(sampo_event)}) > 0)
        ;
    ctx->assoc.run = 100;
    pair_update(ctx, a, b, &same, 1);
    ctx->assoc.run = 101;
    pair_update(ctx, a, b, &dist, 2); /* 0.92 < 0.90 + 0.5 (1 - 0.90): kept */
    sampo__pairs_snapshot(&ctx->env, &ctx->assoc.pairs, &ctx->flows);
    uint64_t cur = 0;
    sampo_pair_info pi = SAMPO_PAIR_INFO_INIT;
    cr_assert_eq(sampo_ctx_next_pair(ctx, &cur, &pi), 1);
    cr_expect_eq(pi.verdict, SAMPO_VERDICT_SAME);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_VERDICTS_REVISED), 0);
    ctx->assoc.run = 102;
    pair_update(ctx, a, b, &undec, 3); /* undecided never erases */
    dist.phi = 0.96;
    ctx->assoc.run = 103;
    pair_update(ctx, a, b, &dist, 4); /* 0.96 >= 0.95: revised */
    /* (0.95 = 0.90 + 0.5 (1 - 0.90): the new verdict must remove half the doubt) */
    sampo__pairs_snapshot(&ctx->env, &ctx->assoc.pairs, &ctx->flows);
    cur = 0;
    cr_assert_eq(sampo_ctx_next_pair(ctx, &cur, &pi), 1);
    cr_expect_eq(pi.verdict, SAMPO_VERDICT_DISTINCT);
    cr_expect_float_eq(pi.confidence, 0.96, 1e-12);
    cr_expect_eq(pi.updated_ns, 4);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_VERDICTS_REVISED), 1);
    sampo_event ev = SAMPO_EVENT_INIT;
    int revised = 0;
    while (sampo_ctx_next_event(ctx, &ev) > 0)
        if (ev.type == SAMPO_EV_VERDICT_REVISED) {
            revised++;
            cr_expect_eq(ev.old_verdict, SAMPO_VERDICT_SAME);
            cr_expect_eq(ev.verdict, SAMPO_VERDICT_DISTINCT);
        }
    cr_expect_eq(revised, 1);
    /* Two spaces agreeing in one run: independent evidence combines. */
    ctx->assoc.run = 200;
    sampo__eval s1 = {SAMPO_VERDICT_DISTINCT, SAMPO_METHOD_DSN_OVERLAP, 3, 0.9, 0, 0, 0, 0, 0, 0};
    pair_update(ctx, a, b, &s1, 5);
    pair_update(ctx, a, b, &s1, 5);
    sampo__pairs_snapshot(&ctx->env, &ctx->assoc.pairs, &ctx->flows);
    cur = 0;
    sampo_ctx_next_pair(ctx, &cur, &pi);
    cr_expect_float_eq(pi.confidence, 1 - 0.1 * 0.1, 1e-12);
    sampo_ctx_destroy(ctx);
}

Test(verdicts, strong_distinct_vetoes_a_merge)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f[3];
    two_flows(ctx, f, 3);
    sampo__subflow *a = sf_of(ctx, &f[0]), *b = sf_of(ctx, &f[1]), *c = sf_of(ctx, &f[2]);
    sampo__eval ab = {SAMPO_VERDICT_SAME, SAMPO_METHOD_DSN_OVERLAP, 3, 0.9995, 0, 0, 0, 0, 0, 0};
    sampo__eval bc = {SAMPO_VERDICT_SAME, SAMPO_METHOD_DSN_OVERLAP, 3, 0.995, 0, 0, 0, 0, 0, 0};
    sampo__eval ac = {
        SAMPO_VERDICT_DISTINCT, SAMPO_METHOD_DSN_OVERLAP, 2, 0.9999, 0, 1, 0, 0, 0, 0};
    ctx->assoc.run = 7;
    pair_update(ctx, a, b, &ab, 10);
    pair_update(ctx, b, c, &bc, 10);
    pair_update(ctx, a, c, &ac, 10);
    while (sampo_ctx_next_event(ctx, &(sampo_event){.size = sizeof(sampo_event)}) > 0)
        ;
    cluster_run(ctx, 10);
    uint64_t sa = session_of(ctx, &f[0], NULL);
    cr_expect_eq(session_of(ctx, &f[1], NULL), sa);
    cr_expect_neq(session_of(ctx, &f[2], NULL), sa);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_CONFLICTS), 1);
    sampo_event ev = SAMPO_EVENT_INIT;
    int conflicts = 0;
    while (sampo_ctx_next_event(ctx, &ev) > 0)
        conflicts += ev.type == SAMPO_EV_CONFLICT;
    cr_expect_eq(conflicts, 1);
    /* The tie of the joined subflow is the edge that joined it. */
    sampo_subflow_info i;
    session_of(ctx, &f[1], &i);
    cr_expect_float_eq(i.confidence, 0.9995, 1e-12);
    cr_expect_eq(i.method, SAMPO_METHOD_DSN_OVERLAP);
    sampo_ctx_destroy(ctx);
}

Test(verdicts, below_threshold_stays_apart_and_revision_splits)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow f[2];
    two_flows(ctx, f, 2);
    sampo__subflow *a = sf_of(ctx, &f[0]), *b = sf_of(ctx, &f[1]);
    sampo__eval weak = {SAMPO_VERDICT_SAME, SAMPO_METHOD_DSN_OVERLAP, 3, 0.98, 0, 0, 0, 0, 0, 0};
    ctx->assoc.run = 1;
    pair_update(ctx, a, b, &weak, 1);
    cluster_run(ctx, 1);
    cr_expect_neq(session_of(ctx, &f[0], NULL), session_of(ctx, &f[1], NULL));
    /* The threshold can be lowered on a live context. */
    cr_assert_eq(sampo_ctx_set_option_real(ctx, SAMPO_OPT_MIN_CONFIDENCE, 0.95), SAMPO_OK);
    cluster_run(ctx, 2);
    uint64_t s = session_of(ctx, &f[0], NULL);
    cr_expect_eq(session_of(ctx, &f[1], NULL), s);
    /* A revision to distinct splits them again, under new session ids for
     * the part that leaves. */
    sampo__eval dist = {
        SAMPO_VERDICT_DISTINCT, SAMPO_METHOD_DSN_OVERLAP, 2, 0.9999, 0, 1, 0, 0, 0, 0};
    ctx->assoc.run = 3;
    pair_update(ctx, a, b, &dist, 3);
    cluster_run(ctx, 3);
    uint64_t s0 = session_of(ctx, &f[0], NULL), s1 = session_of(ctx, &f[1], NULL);
    cr_expect_neq(s0, s1);
    cr_expect(s0 == s || s1 == s);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SESSIONS_SPLIT), 1);
    sampo_ctx_destroy(ctx);
}

/* A crowded 32-bit space: six sessions' data within 2 MB.  Only one
 * session has two subflows, and their few sampled mappings abut (the
 * scheduler dealt consecutive mappings to them): contiguity ties them;
 * nothing ties the others, whose ranges overlap theirs. */
Test(scenario, contiguity_in_a_crowded_32bit_space)
{
    sampo_ctx *ctx = ctx_new(0);
    uint8_t o[40];
    tflow a = tflow4(0x0a000001, 40000, 0x0a000101, 22),
          b = tflow4(0x0a000002, 40001, 0x0a000101, 22);
    uint32_t base = 1000000;
    uint64_t t = 1000;
    for (int k = 0; k < 12; k++) { /* mappings 2k on a, 2k+1 on b, 3000 bytes each */
        uint32_t d0 = base + (uint32_t)(4 * k) * 3000;
        tpkt p = tp_build(&a, TH_ACK, 1, 1, o, opt_dss32(o, 9, d0, (uint32_t)k * 3000, 3000), 1400);
        tp_feed(ctx, &p, t += 10000000);
        p = tp_build(&b, TH_ACK, 1, 1, o, opt_dss32(o, 9, d0 + 3000, (uint32_t)k * 3000, 3000),
                     1400);
        tp_feed(ctx, &p, t += 10000000);
    }
    tflow other[5];
    for (int s = 0; s < 5; s++) {
        other[s] = tflow4(0x0a000010 + (uint32_t)s, (uint16_t)(41000 + s), 0x0a000101, 22);
        for (int k = 0; k < 12; k++) {
            uint32_t d = base + 777u * (uint32_t)(s + 1) + (uint32_t)k * 11000;
            tpkt p = tp_build(&other[s], TH_ACK, 1, 1, o, opt_dss32(o, 9, d, (uint32_t)k, 1400),
                              1400);
            tp_feed(ctx, &p, t += 1000000);
        }
    }
    sampo_ctx_flush(ctx);
    sampo_subflow_info i;
    cr_expect_eq(session_of(ctx, &a, &i), session_of(ctx, &b, NULL));
    cr_expect_eq(i.method, SAMPO_METHOD_DSN_OVERLAP);
    cr_expect_leq(i.confidence, SAMPO__LEVEL2_MAX); /* never more than the two-level cap */
    for (int s = 0; s < 5; s++) {
        cr_expect_neq(session_of(ctx, &other[s], NULL), session_of(ctx, &a, NULL));
        for (int r = s + 1; r < 5; r++)
            cr_expect_neq(session_of(ctx, &other[s], NULL), session_of(ctx, &other[r], NULL));
    }
    sampo_ctx_destroy(ctx);
}

/* ---- the lifecycle during a run --------------------------------------------- */

/* An allocator that refuses blocks of one size once armed. */
typedef struct refusing {
    size_t size;
    int armed, refused;
} refusing;

static void *r_malloc(void *op, size_t n)
{
    refusing *r = op;
    if (r->armed && n == r->size) {
        r->refused++;
        return NULL;
    }
    return malloc(n);
}

static void r_free(void *op, void *p)
{
    (void)op;
    free(p);
}

/* Regression: a run that must split a session under a memory cap, and is
 * refused the new session's memory, used to evict a subflow it still held
 * (cluster_run -> session_new -> evict_one: a use-after-free).  Nothing
 * is evicted inside a run now: the split waits, counted, and happens at
 * the next run that gets the memory. */
Test(lifecycle, a_split_refused_memory_mid_run_evicts_nothing)
{
    refusing rf = {sampo__mem_cost(sizeof(sampo__session)), 0, 0};
    sampo_allocator al = {r_malloc, r_free, &rf};
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, &al), SAMPO_OK);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 99);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 256 * 1024), SAMPO_OK);
    tflow f[3];
    two_flows(ctx, f, 3);
    sampo__subflow *a = sf_of(ctx, &f[0]), *b = sf_of(ctx, &f[1]), *c = sf_of(ctx, &f[2]);
    sampo__eval same = {SAMPO_VERDICT_SAME, SAMPO_METHOD_DSN_OVERLAP, 3, 0.9995, 0, 0, 0, 0, 0, 0};
    ctx->assoc.run = 1;
    pair_update(ctx, a, b, &same, 1);
    pair_update(ctx, b, c, &same, 1);
    cluster_run(ctx, 1);
    uint64_t s = session_of(ctx, &f[0], NULL);
    cr_assert_eq(session_of(ctx, &f[2], NULL), s);
    /* A revision isolates c: a new session is needed, and refused. */
    sampo__eval dist = {
        SAMPO_VERDICT_DISTINCT, SAMPO_METHOD_DSN_OVERLAP, 2, 0.9999, 0, 1, 0, 0, 0, 0};
    ctx->assoc.run = 3;
    pair_update(ctx, b, c, &dist, 3);
    uint64_t evicted = sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EVICTED);
    rf.armed = 1;
    cluster_run(ctx, 3);
    rf.armed = 0;
    cr_expect_gt(rf.refused, 0);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_APPLY_FAILED), 1);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EVICTED), evicted,
                 "nothing evicted in a run");
    cr_expect_eq(session_of(ctx, &f[2], NULL), s, "the split waits");
    /* With memory again, the next run splits. */
    cluster_run(ctx, 4);
    cr_expect_neq(session_of(ctx, &f[2], NULL), s);
    cr_expect_eq(session_of(ctx, &f[1], NULL), s);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SESSIONS_SPLIT), 1);
    cr_expect_leq(sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK), 256 * 1024);
    sampo_ctx_destroy(ctx);
}

/* ---- the uniformity check (algorithm.md 4.2, "Checked on the data") ------ */

/* Mapping k (1400 bytes from DSN base) of subflow f at time t, and the
 * peer's DATA_ACK of it. */
static void mapping_and_ack(sampo_ctx *ctx, const tflow *f, uint64_t base, int k, uint64_t t)
{
    uint8_t o[40];
    tflow r = tflow_rev(*f);
    tpkt p = tp_build(f, TH_ACK, 1 + 1400 * (uint32_t)k, 1, o,
                      opt_dss64(o, 7, base + 1400 * (uint64_t)k, 1 + 1400 * (uint32_t)k, 1400, 0),
                      1400);
    tp_feed(ctx, &p, t);
    p = tp_build(&r, TH_ACK, 1, 1 + 1400 * (uint32_t)(k + 1), o,
                 opt_dack64(o, base + 1400 * (uint64_t)(k + 1)), 0);
    tp_feed(ctx, &p, t + 1000);
}

/* Subflow f sends 40 mappings from DSN base, one every 20 ms from t0. */
static void stream(sampo_ctx *ctx, const tflow *f, uint64_t base, uint64_t t0)
{
    for (int k = 0; k < 40; k++)
        mapping_and_ack(ctx, f, base, k, t0 + (uint64_t)k * 20000000);
}

/* Two sessions whose spaces were put 2^27 apart (a rewriting middlebox,
 * colliding keys): proximity alone would tie them at Φ > 1 - 10^-9.  They
 * send at the same time, the later segments of one lying 2^27 below the
 * earlier ones of the other: no single session can do that, so the region
 * is distrusted and they stay apart. */
Test(trust, concurrent_spaces_too_far_apart_for_one_session_are_witnesses)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow a = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          b = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    uint64_t base = UINT64_C(0x5a0000005a000000);
    /* Interleaved in time: a's packets and b's alternate. */
    for (int k = 0; k < 40; k++) {
        uint64_t t = 1000000000 + (uint64_t)k * 20000000;
        mapping_and_ack(ctx, &a, base, k, t);
        mapping_and_ack(ctx, &b, base + (UINT64_C(1) << 27), k, t + 2000);
    }
    sampo_ctx_flush(ctx);
    cr_expect_neq(session_of(ctx, &a, NULL), session_of(ctx, &b, NULL));
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_UNIFORMITY_WITNESSES), 0);
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_PROXIMITY_DISTRUSTED), 0);
    uint64_t cur = 0;
    sampo_dsn_region reg = {sizeof(reg), 0, 0, 0, 0, 0};
    cr_assert_eq(sampo_ctx_next_dsn_region(ctx, &cur, &reg), 1);
    cr_expect_lt(base - reg.lo, reg.len, "the region covers the first space");
    cr_expect_lt(base + (UINT64_C(1) << 27) - reg.lo, reg.len, "and the second");
    cr_expect_eq(sampo_ctx_next_dsn_region(ctx, &cur, &reg), 0);
    sampo_ctx_destroy(ctx);
}

/* One session whose data moved from one subflow to another (a failover, a
 * late join) never gives a witness, however far apart its ranges: the
 * later subflow's data lies above the earlier one's.  Proximity ties them. */
Test(trust, one_session_in_sequence_is_no_witness)
{
    sampo_ctx *ctx = ctx_new(0);
    tflow a = tflow4(0x0a000001, 40000, 0x0a000101, 80),
          b = tflow4(0x0a000002, 40001, 0x0a000101, 80);
    uint64_t base = UINT64_C(0x1234000000000000);
    stream(ctx, &a, base, 1000000000);
    stream(ctx, &b, base + (UINT64_C(1) << 27), 1900000000);
    sampo_ctx_flush(ctx);
    sampo_subflow_info i;
    cr_expect_eq(session_of(ctx, &a, NULL), session_of(ctx, &b, &i));
    cr_expect_eq(i.method, SAMPO_METHOD_DSN_PROXIMITY);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_UNIFORMITY_WITNESSES), 0);
    sampo_ctx_destroy(ctx);
}
