/* test_memory.c - memory is bounded by configuration whatever the input,
 * allocation failures are survived, and everything is freed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"
#include "sampo.h"

typedef struct counting {
    size_t live, fail_every, calls;
} counting;

static void *c_malloc(void *op, size_t n)
{
    counting *c = op;
    c->calls++;
    if (c->fail_every && c->calls % c->fail_every == 0)
        return NULL;
    void *p = malloc(n);
    if (p)
        c->live++;
    return p;
}

static void c_free(void *op, void *p)
{
    counting *c = op;
    if (p)
        c->live--;
    free(p);
}

/* xorshift64*: deterministic "random" tokens and ports. */
static uint64_t rng(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static void flood(sampo_ctx *ctx, int n, uint64_t seed, uint64_t t0)
{
    for (int i = 0; i < n; i++) {
        uint64_t r = rng(&seed);
        tflow f = tflow4((uint32_t)(r >> 32), (uint16_t)r, 0x0a000101, 80);
        uint8_t o[40];
        tpkt p = tp_build(&f, TH_SYN, 1, 0, o, opt_join_syn(o, 0, 1, (uint32_t)(r >> 16), 1), 0);
        tp_feed(ctx, &p, t0 + (uint64_t)i * 1000);
    }
}

Test(memory, join_syn_flood_stays_under_cap)
{
    const size_t cap = 1 << 20;
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 7);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, (int64_t)cap), SAMPO_OK);
    flood(ctx, 200000, 1, 1000);
    cr_expect_leq(sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK), cap);
    cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EVICTED), 100000);
    /* Every SYN was tracked (evicting older state), none refused. */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_CREATED), 200000, "created %llu",
                 (unsigned long long)sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_CREATED));
    /* A real connection after the flood is still associated. */
    uint8_t o[40];
    tflow f0 = tflow4(0x0b000001, 40000, 0x0b000101, 80), r0 = tflow_rev(f0);
    tflow f1 = tflow4(0x0b000002, 40001, 0x0b000101, 80);
    uint64_t t = 300000000ull;
    tpkt p = tp_build(&f0, TH_SYN, 1, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    tp_feed(ctx, &p, t);
    p = tp_build(&r0, TH_SYN | TH_ACK, 1, 2, o, opt_mpc(o, 1, 12, 0x29a6c86981ad933cull, 0, 0), 0);
    tp_feed(ctx, &p, t + 1);
    p = tp_build(&f1, TH_SYN, 1, 0, o, opt_join_syn(o, 0, 1, 0xa35d6d82u, 1), 0);
    tp_feed(ctx, &p, t + 2);
    sampo_subflow_info a = SAMPO_SUBFLOW_INFO_INIT, b = SAMPO_SUBFLOW_INFO_INIT;
    sampo_flow q0 = tp_public(&f0), q1 = tp_public(&f1);
    cr_assert_eq(sampo_ctx_lookup(ctx, &q0, &a), SAMPO_OK);
    cr_assert_eq(sampo_ctx_lookup(ctx, &q1, &b), SAMPO_OK);
    cr_expect_eq(a.session_id, b.session_id);
    cr_expect_leq(sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK), cap);
    sampo_ctx_destroy(ctx);
}

Test(memory, max_subflows_cap)
{
    sampo_ctx *ctx;
    sampo_ctx_create(&ctx, NULL);
    sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_SUBFLOWS, 1000);
    flood(ctx, 5000, 3, 1000);
    uint64_t cur = 0;
    int n = 0;
    sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
    while (sampo_ctx_next_subflow(ctx, 0, &cur, &i) > 0)
        n++;
    cr_expect_eq(n, 1000);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_EVICTED), 4000);
    sampo_ctx_destroy(ctx);
}

Test(memory, custom_allocator_frees_everything)
{
    counting c = {0};
    sampo_allocator a = {c_malloc, c_free, &c};
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, &a), SAMPO_OK);
    flood(ctx, 3000, 5, 1000);
    cr_expect_gt(c.live, 3000);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_MEM_CURRENT) > 0, 1);
    sampo_ctx_destroy(ctx);
    cr_expect_eq(c.live, 0);
}

Test(memory, allocation_failures_are_survived)
{
    for (size_t every = 2; every < 40; every += 3) {
        counting c = {.fail_every = every};
        sampo_allocator a = {c_malloc, c_free, &c};
        sampo_ctx *ctx = NULL;
        int rc = sampo_ctx_create(&ctx, &a);
        if (rc != SAMPO_OK) {
            cr_expect_eq(rc, SAMPO_E_NOMEM);
            continue;
        }
        flood(ctx, 2000, every, 1000);
        cr_expect_gt(sampo_ctx_counter(ctx, SAMPO_CNT_ALLOC_FAILED), 0);
        sampo_ctx_flush(ctx);
        uint64_t cur = 0;
        sampo_session_info si = SAMPO_SESSION_INFO_INIT;
        while (sampo_ctx_next_session(ctx, &cur, &si) > 0)
            ;
        sampo_ctx_destroy(ctx);
        cr_expect_eq(c.live, 0, "leak with a failure every %zu allocations", every);
    }
}

typedef struct ends {
    uint64_t subflow, session;
} ends;

static void count_ends(const sampo_event *ev, void *user)
{
    ends *e = user;
    if (ev->type == SAMPO_EV_SUBFLOW_END && ev->subflow)
        e->subflow++;
    if (ev->type == SAMPO_EV_SESSION_END && ev->session)
        e->session++;
}

/* The records of a destroy (and of a flush with SAMPO_FLUSH_END) need no
 * memory: each ended subflow's events are delivered before the next is
 * ended, into the room the queue has held since the context was created.
 * Found by fuzz_feed: a subflow's end record was dropped when the record
 * ring's first growth was refused during sampo_ctx_destroy(), where the
 * drop could not even be counted. */
static void records_without_memory(int flush_end)
{
    counting c = {0};
    sampo_allocator a = {c_malloc, c_free, &c};
    sampo_ctx *ctx;
    ends e = {0, 0};
    cr_assert_eq(sampo_ctx_create(&ctx, &a), SAMPO_OK);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 3);
    cr_assert_eq(sampo_ctx_set_event_callback(ctx, count_ends, &e), SAMPO_OK);
    flood(ctx, 300, 9, 1000);
    uint64_t created = sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_CREATED);
    cr_assert_eq(created, 300);
    cr_assert_eq(e.subflow, 0);
    c.fail_every = 1; /* from now on every allocation is refused */
    if (flush_end) {
        cr_assert_eq(sampo_ctx_flush_ex(ctx, SAMPO_FLUSH_END), SAMPO_OK);
        cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_ENDED), created);
        cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS_DROPPED), 0);
    }
    sampo_ctx_destroy(ctx);
    cr_expect_eq(e.subflow, created, "%llu of %llu subflow records", (unsigned long long)e.subflow,
                 (unsigned long long)created);
    cr_expect_eq(e.session, created); /* a lone JOIN SYN is its own session */
    cr_expect_eq(c.live, 0);
}

Test(memory, destroy_delivers_every_record_with_the_allocator_refusing)
{
    records_without_memory(0);
}

Test(memory, flush_end_delivers_every_record_with_the_allocator_refusing)
{
    records_without_memory(1);
}

/* sampo_ctx_feed_batch() is n calls of sampo_ctx_feed(): same statuses,
 * same counters, same sessions, whatever the burst boundaries. */
static void run_capture(sampo_ctx *ctx, int batch, size_t burst, int *statuses, size_t *n_out)
{
    enum { N = 3000 };
    static tpkt pk[N];
    static sampo_packet pp[N];
    uint64_t s = 11;
    for (int i = 0; i < N; i++) {
        uint64_t r = rng(&s);
        int sess = (int)(r % 50), sub = (int)((r >> 8) % 4);
        tflow f = tflow4(0x0a000000u + (uint32_t)sess * 4 + (uint32_t)sub, (uint16_t)(40000 + sess),
                         0x0a100001, 443);
        uint8_t o[40];
        if (i % 97 == 5) /* something undecodable now and then */
            pk[i] = tp_build(&f, TH_ACK, 1, 1, o, opt_dss64(o, 1, 2, 3, 100, 0), 0), pk[i].len = 30;
        else
            pk[i] = tp_build(&f, TH_ACK, 1, 1, o,
                             opt_dss64(o, ((uint64_t)sess << 50) + (uint64_t)i,
                                       ((uint64_t)sess << 40) + (uint64_t)i * 1400, (uint32_t)i,
                                       1400, 0),
                             1400);
        pp[i] = (sampo_packet)SAMPO_PACKET_INIT;
        pp[i].data = pk[i].buf;
        pp[i].caplen = pk[i].len;
        pp[i].wirelen = pk[i].wirelen;
        pp[i].ts_ns = 1000000 + (uint64_t)i * 1000000;
    }
    if (!batch) {
        for (int i = 0; i < N; i++)
            statuses[i] = sampo_ctx_feed(ctx, &pp[i]);
    } else {
        for (size_t i = 0; i < N; i += burst) {
            size_t m = N - i < burst ? N - i : burst;
            cr_assert_eq(sampo_ctx_feed_batch(ctx, &pp[i], m, &statuses[i]), (int)m);
        }
    }
    sampo_ctx_flush(ctx);
    *n_out = N;
}

Test(memory, batch_feed_equals_single_feed)
{
    static int st1[3000], st2[3000];
    size_t bursts[] = {1, 7, 16, 100, 3000};
    sampo_ctx *ref;
    size_t n;
    sampo_ctx_create(&ref, NULL);
    sampo_ctx_set_option(ref, SAMPO_OPT_HASH_SEED, 5);
    run_capture(ref, 0, 0, st1, &n);
    for (size_t b = 0; b < sizeof(bursts) / sizeof(bursts[0]); b++) {
        sampo_ctx *ctx;
        sampo_ctx_create(&ctx, NULL);
        sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 5);
        run_capture(ctx, 1, bursts[b], st2, &n);
        cr_expect_eq(memcmp(st1, st2, n * sizeof(int)), 0, "statuses differ, burst %zu", bursts[b]);
        for (int c = 0; c < SAMPO_CNT__COUNT; c++)
            cr_expect_eq(sampo_ctx_counter(ctx, c), sampo_ctx_counter(ref, c),
                         "counter %s, burst %zu", sampo_counter_name(c), bursts[b]);
        uint64_t c1 = 0, c2 = 0;
        sampo_subflow_info a = SAMPO_SUBFLOW_INFO_INIT, b2 = SAMPO_SUBFLOW_INFO_INIT;
        int k = 0;
        while (sampo_ctx_next_subflow(ref, 0, &c1, &a) > 0) {
            cr_assert_eq(sampo_ctx_next_subflow(ctx, 0, &c2, &b2), 1);
            cr_expect_eq(a.session_id, b2.session_id);
            cr_expect_eq(a.packets[0] + a.packets[1], b2.packets[0] + b2.packets[1]);
            k++;
        }
        cr_expect_eq(k, 200);
        sampo_ctx_destroy(ctx);
    }
    cr_expect_eq(sampo_ctx_feed_batch(ref, NULL, 1, NULL), SAMPO_E_INVAL);
    cr_expect_eq(sampo_ctx_feed_batch(ref, NULL, 0, NULL), 0);
    sampo_ctx_destroy(ref);
}
