/* test_threads.c - distinct contexts in distinct threads (sampo.h,
 * "Threads"): 4 threads, each with its own context, feed the same
 * synthetic trace at the same time and must each get exactly what a
 * single-threaded reference run gets: sessions, subflows, events and
 * counters, compared as text.
 *
 * The trace (a few thousand packets, interleaved across connections):
 * MPTCP v1 sessions with a full handshake, two MP_JOIN subflows each, DSS
 * data with DATA_ACKs in both directions spread over the subflows, then
 * DATA_FIN and FIN or a RST; sessions seen only mid-stream (DSS without
 * handshake); plain TCP flows.  The packets are built once and shared
 * read-only by every thread.
 *
 * Criterion's assertions are only used in the main thread: workers return
 * their results, the test compares them after joining. */
#define _POSIX_C_SOURCE 200809L /* pthread barriers under -std=c11 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joinmac.h"
#include "pktgen.h"
#include "sampo.h"

#define N_THREADS 4
#define ROUNDS 8            /* runs per thread, a fresh context each */
#define N_HANDSHAKE 24      /* sessions with a handshake and 2 joins */
#define N_MIDSTREAM 4       /* sessions seen without handshake */
#define N_PLAIN 5           /* plain TCP connections */
#define DATA_PER_SUBFLOW 48 /* data segments per subflow and direction */
#define SEG 1000            /* payload bytes of a data segment */
#define STEP_NS 200000      /* 0.2 ms between packets */

/* ---- the trace ------------------------------------------------------- */

typedef struct tr_pkt {
    tpkt p;
    uint64_t ts;
} tr_pkt;

typedef struct tr_list {
    tpkt *p;
    size_t n, cap;
} tr_list;

typedef struct trace {
    tr_pkt *pkt;
    size_t n;
} trace;

static trace g_trace;

static void list_push(tr_list *l, tpkt p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->p = realloc(l->p, l->cap * sizeof(*l->p));
        cr_assert_not_null(l->p);
    }
    l->p[l->n++] = p;
}

/* One MPTCP v1 connection: handshake, joins, data both ways, close. */
static void gen_session(tr_list *l, int i, int with_handshake, int close_mode)
{
    uint8_t o[40];
    uint64_t key_c = UINT64_C(0x1000000000000001) * (uint64_t)(i + 1) + 0x77;
    uint64_t key_s = UINT64_C(0x2000000000000003) * (uint64_t)(i + 1) + 0x99;
    uint32_t tok_c, tok_s;
    uint64_t idsn_c, idsn_s;
    tflow f[3];
    uint32_t seq[3][2];
    int n_sf = with_handshake ? 3 : 2;

    cr_assert_eq(sampo_key_token(key_c, 1, &tok_c, &idsn_c), SAMPO_OK);
    cr_assert_eq(sampo_key_token(key_s, 1, &tok_s, &idsn_s), SAMPO_OK);
    if (!with_handshake) { /* DSN spaces nobody can anchor on a key */
        idsn_c = UINT64_C(0x0123456789abcdef) * (uint64_t)(i + 3);
        idsn_s = UINT64_C(0x0fedcba987654321) * (uint64_t)(i + 5);
    }
    for (int s = 0; s < n_sf; s++) {
        f[s] = tflow4(0x0a000000u | (uint32_t)(i << 8) | (uint32_t)(s + 1),
                      (uint16_t)(40000 + i * 8 + s), 0xc0a80000u | (uint32_t)(s + 1), 443);
        seq[s][0] = 1000u * (uint32_t)(i + 1) + (uint32_t)s;
        seq[s][1] = 5000u * (uint32_t)(i + 1) + (uint32_t)s;
    }
    if (with_handshake) {
        tflow r = tflow_rev(f[0]);
        list_push(l, tp_build(&f[0], TH_SYN, seq[0][0]++, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0));
        list_push(l, tp_build(&r, TH_SYN | TH_ACK, seq[0][1]++, seq[0][0], o,
                              opt_mpc(o, 1, 12, key_s, 0, 0), 0));
        list_push(l, tp_build(&f[0], TH_ACK, seq[0][0], seq[0][1], o,
                              opt_mpc(o, 1, 20, key_c, key_s, 0), 0));
        for (int s = 1; s < n_sf; s++) {
            tflow rs = tflow_rev(f[s]);
            list_push(l, tp_build(&f[s], TH_SYN, seq[s][0]++, 0, o,
                                  opt_join_syn(o, s == 2, (uint8_t)s, tok_s, 0x1234u + (uint32_t)s),
                                  0));
            list_push(l, tp_build(&rs, TH_SYN | TH_ACK, seq[s][1]++, seq[s][0], o,
                                  opt_join_synack(o, s == 2, (uint8_t)s,
                                                  tp_join_thmac(1, key_s, key_c, 0x5678u ^ tok_c,
                                                                0x1234u + (uint32_t)s),
                                                  0x5678u ^ tok_c),
                                  0));
            list_push(l, tp_build(&f[s], TH_ACK, seq[s][0], seq[s][1], o, opt_join_ack(o), 0));
        }
    }
    /* Data: the client's DSN space is spread round-robin over the
     * subflows, the server answers on the same subflow; each side acks
     * the other's data at the DSN level. */
    uint64_t dsn_c = idsn_c + 1, dsn_s = idsn_s + 1;
    for (int k = 0; k < DATA_PER_SUBFLOW * n_sf; k++) {
        int s = k % n_sf;
        tflow r = tflow_rev(f[s]);
        list_push(l, tp_build(&f[s], TH_ACK | TH_PSH, seq[s][0], seq[s][1], o,
                              opt_dss64(o, dsn_s, dsn_c, seq[s][0], SEG, 0), SEG));
        seq[s][0] += SEG;
        dsn_c += SEG;
        list_push(l, tp_build(&r, TH_ACK | TH_PSH, seq[s][1], seq[s][0], o,
                              opt_dss64(o, dsn_c, dsn_s, seq[s][1], SEG / 2, 0), SEG / 2));
        seq[s][1] += SEG / 2;
        dsn_s += SEG / 2;
    }
    if (close_mode == 1) { /* DATA_FIN both ways, then FIN on every subflow */
        tflow r = tflow_rev(f[0]);
        list_push(l, tp_build(&f[0], TH_ACK, seq[0][0], seq[0][1], o,
                              opt_dss64(o, dsn_s, dsn_c, seq[0][0], 1, 1), 0));
        list_push(l, tp_build(&r, TH_ACK, seq[0][1], seq[0][0], o,
                              opt_dss64(o, dsn_c + 1, dsn_s, seq[0][1], 1, 1), 0));
        for (int s = 0; s < n_sf; s++) {
            tflow rs = tflow_rev(f[s]);
            list_push(l, tp_build(&f[s], TH_FIN | TH_ACK, seq[s][0], seq[s][1], NULL, 0, 0));
            list_push(l, tp_build(&rs, TH_FIN | TH_ACK, seq[s][1], seq[s][0] + 1, NULL, 0, 0));
        }
    } else if (close_mode == 2) { /* one subflow reset */
        list_push(l, tp_build(&f[n_sf - 1], TH_RST, seq[n_sf - 1][0], 0, NULL, 0, 0));
    }
}

static void gen_plain(tr_list *l, int i)
{
    tflow f = tflow4(0x0b000001u + (uint32_t)i, (uint16_t)(50000 + i), 0xc0a80101u, 80);
    tflow r = tflow_rev(f);
    list_push(l, tp_build(&f, TH_SYN, 1, 0, NULL, 0, 0));
    list_push(l, tp_build(&r, TH_SYN | TH_ACK, 9, 2, NULL, 0, 0));
    for (uint32_t k = 0; k < 20; k++)
        list_push(l, tp_build(k % 2 ? &r : &f, TH_ACK, 2 + k * 100, 10, NULL, 0, 100));
}

/* Every connection's packets, interleaved round-robin, STEP_NS apart. */
static void build_trace(void)
{
    enum { N_CONN = N_HANDSHAKE + N_MIDSTREAM + N_PLAIN };
    tr_list conn[N_CONN];
    size_t total = 0, maxn = 0;

    memset(conn, 0, sizeof(conn));
    for (int i = 0; i < N_HANDSHAKE; i++)
        gen_session(&conn[i], i, 1, i % 3);
    for (int i = 0; i < N_MIDSTREAM; i++)
        gen_session(&conn[N_HANDSHAKE + i], N_HANDSHAKE + i, 0, 0);
    for (int i = 0; i < N_PLAIN; i++)
        gen_plain(&conn[N_HANDSHAKE + N_MIDSTREAM + i], i);
    for (int c = 0; c < N_CONN; c++) {
        total += conn[c].n;
        if (conn[c].n > maxn)
            maxn = conn[c].n;
    }
    g_trace.pkt = calloc(total, sizeof(*g_trace.pkt));
    cr_assert_not_null(g_trace.pkt);
    g_trace.n = 0;
    uint64_t ts = UINT64_C(1700000000) * 1000000000u;
    for (size_t k = 0; k < maxn; k++) {
        for (int c = 0; c < N_CONN; c++) {
            if (k >= conn[c].n)
                continue;
            g_trace.pkt[g_trace.n].p = conn[c].p[k];
            g_trace.pkt[g_trace.n].ts = ts;
            g_trace.n++;
            ts += STEP_NS;
        }
    }
    for (int c = 0; c < N_CONN; c++)
        free(conn[c].p);
}

/* ---- one run, written down as text ----------------------------------- */

typedef struct text {
    char *buf;
    size_t len, cap;
    int oom;
} text;

__attribute__((format(printf, 2, 3))) static void tx(text *t, const char *fmt, ...)
{
    va_list ap;
    char line[512];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        t->oom = 1;
        return;
    }
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t ncap = (t->cap ? t->cap * 2 : 65536) + (size_t)n;
        char *nb = realloc(t->buf, ncap);
        if (!nb) {
            t->oom = 1;
            return;
        }
        t->buf = nb;
        t->cap = ncap;
    }
    memcpy(t->buf + t->len, line, (size_t)n + 1);
    t->len += (size_t)n;
}

static const char *flow_text(const sampo_flow *f, char *buf)
{
    if (f->family == 0)
        return "-";
    if (sampo_flow_format(f, buf, 96) < 0)
        return "?";
    return buf;
}

static void put_event(text *t, const sampo_event *ev)
{
    char a[96], b[96];
    tx(t,
       "ev %s ts=%" PRIu64 " s=%" PRIu64 "/%" PRIu64 " f=%s p=%s m=%d c=%.17g v=%d/%d r=%d"
       " ver=%u id=%u bk=%u dsn=%" PRIu64 "\n",
       sampo_event_name(ev->type), ev->ts_ns, ev->session_id, ev->other_session_id,
       flow_text(&ev->flow, a), flow_text(&ev->peer, b), (int)ev->method, ev->confidence,
       (int)ev->verdict, (int)ev->old_verdict, ev->reason, (unsigned)ev->mptcp_version,
       (unsigned)ev->addr_id, (unsigned)ev->backup, ev->dsn);
}

static void put_subflow(text *t, const sampo_subflow_info *s)
{
    char a[96];
    tx(t,
       "  sf %" PRIu64 " s=%" PRIu64 " %s ik=%u v=%u in=%u j=%u b=%u fb=%u cl=%u/%d m=%d"
       " c=%.17g\n",
       s->subflow_id, s->session_id, flow_text(&s->flow, a), (unsigned)s->initiator_known,
       (unsigned)s->mptcp_version, (unsigned)s->is_initial, (unsigned)s->is_join,
       (unsigned)s->backup, (unsigned)s->fallback, (unsigned)s->closed, s->close_reason,
       (int)s->method, s->confidence);
    for (int d = 0; d < 2; d++)
        tx(t,
           "    d%d pk=%" PRIu64 " by=%" PRIu64 " dss=%" PRIu64 " bits=%u dsn=%" PRIu64 "..%" PRIu64
           " aid=%d\n",
           d, s->packets[d], s->bytes[d], s->dss_packets[d], (unsigned)s->dsn_bits[d], s->dsn_lo[d],
           s->dsn_hi[d], (int)s->addr_id[d]);
    tx(t, "    t=%" PRIu64 "..%" PRIu64 " reinj=%" PRIu32 "\n", s->first_ns, s->last_ns,
       s->reinjections);
}

/* Sessions with their subflows, every tracked subflow, counters (the
 * memory gauges only `with_mem`: they follow the hash layout, which
 * follows the seed). */
static void put_state(text *t, sampo_ctx *ctx, int with_mem)
{
    uint64_t cur = 0;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    while (sampo_ctx_next_session(ctx, &cur, &si) > 0) {
        tx(t,
           "session %" PRIu64 " n=%" PRIu32 " v=%u keys=%u cl=%u/%d m=%d c=%.17g"
           " tok=%08" PRIx32 "/%08" PRIx32 " t=%" PRIu64 "..%" PRIu64 " pk=%" PRIu64 " by=%" PRIu64
           "\n",
           si.session_id, si.n_subflows, (unsigned)si.mptcp_version, (unsigned)si.keys_known,
           (unsigned)si.closed, si.close_reason, (int)si.method, si.confidence, si.token[0],
           si.token[1], si.first_ns, si.last_ns, si.packets, si.bytes);
        uint64_t c2 = 0;
        sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
        while (sampo_ctx_next_subflow(ctx, si.session_id, &c2, &sf) > 0)
            put_subflow(t, &sf);
    }
    cur = 0;
    sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
    while (sampo_ctx_next_subflow(ctx, 0, &cur, &sf) > 0)
        put_subflow(t, &sf);
    for (int i = 0; i < SAMPO_CNT__COUNT; i++) {
        if (!with_mem && (i == SAMPO_CNT_MEM_CURRENT || i == SAMPO_CNT_MEM_PEAK))
            continue;
        tx(t, "%s=%" PRIu64 "\n", sampo_counter_name(i), sampo_ctx_counter(ctx, i));
    }
}

/* Allocation hooks counting what one context holds, per context. */
typedef struct counting {
    long live, calls;
} counting;

static void *c_malloc(void *op, size_t n)
{
    counting *c = op;
    void *p = malloc(n);
    if (p) {
        c->live++;
        c->calls++;
    }
    return p;
}

static void c_free(void *op, void *p)
{
    counting *c = op;
    if (p)
        c->live--;
    free(p);
}

static void on_event(const sampo_event *ev, void *user) { put_event(user, ev); }

typedef struct run_cfg {
    int64_t seed;
    int callback;  /* events through the callback instead of the queue */
    int own_alloc; /* counting allocator hooks */
    int with_mem;  /* report the memory gauges */
} run_cfg;

/* Feed the whole trace into a fresh context; the text of everything it
 * reported.  @return 0, or -1 on an unexpected library result. */
static int run_once(const run_cfg *cfg, text *t)
{
    counting cnt = {0, 0};
    sampo_allocator al = {c_malloc, c_free, &cnt};
    sampo_ctx *ctx = NULL;

    if (sampo_ctx_create(&ctx, cfg->own_alloc ? &al : NULL) != SAMPO_OK)
        return -1;
    if (sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, cfg->seed) != SAMPO_OK)
        return -1;
    if (cfg->callback)
        sampo_ctx_set_event_callback(ctx, on_event, t);
    for (size_t i = 0; i < g_trace.n; i++) {
        const tr_pkt *tp = &g_trace.pkt[i];
        if (tp_feed(ctx, &tp->p, tp->ts) != SAMPO_OK)
            return -1;
        sampo_event ev = SAMPO_EVENT_INIT;
        while (sampo_ctx_next_event(ctx, &ev) > 0)
            put_event(t, &ev);
        if (i % 512 == 511) { /* queries while running, from this thread */
            sampo_subflow_info si = SAMPO_SUBFLOW_INFO_INIT;
            sampo_flow pf;
            memset(&pf, 0, sizeof(pf));
            pf.family = 4; /* a flow that is never there */
            if (sampo_ctx_lookup(ctx, &pf, &si) != SAMPO_E_NOTFOUND)
                return -1;
        }
    }
    if (sampo_ctx_flush(ctx) != SAMPO_OK)
        return -1;
    sampo_event ev = SAMPO_EVENT_INIT;
    while (sampo_ctx_next_event(ctx, &ev) > 0)
        put_event(t, &ev);
    put_state(t, ctx, cfg->with_mem);
    /* With a callback, destroying delivers every record still held (reason
     * "destroy"): one subflow-end per tracked subflow, one session-end per
     * session.  They are checked here and kept out of the text compared
     * with the queue runs, whose destroy discards instead. */
    uint64_t subflows = 0, sessions = 0, cur = 0;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    while (sampo_ctx_next_session(ctx, &cur, &si) > 0)
        sessions++;
    sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
    for (cur = 0; sampo_ctx_next_subflow(ctx, 0, &cur, &sf) > 0;)
        subflows++;
    size_t mark = t->len;
    sampo_ctx_destroy(ctx);
    if (cfg->callback) {
        size_t ends = 0, sends = 0;
        char *line = t->buf + mark, *end = t->buf + t->len;
        while (line < end) {
            char *nl = memchr(line, '\n', (size_t)(end - line));
            if (!nl)
                return -1;
            *nl = '\0';
            if (!strncmp(line, "ev subflow-end ", 15))
                ends++;
            else if (!strncmp(line, "ev session-end ", 15))
                sends++;
            else if (strncmp(line, "ev subflow-closed ", 18) &&
                     strncmp(line, "ev session-closed ", 18))
                return -1; /* nothing else happens at destroy */
            if (!strstr(line, " r=9 "))
                return -1; /* every one for SAMPO_CLOSE_DESTROY */
            line = nl + 1;
        }
        if (ends != subflows || sends != sessions)
            return -1;
        t->len = mark;
    }
    if (cfg->own_alloc && cnt.live != 0)
        return -1; /* leak, or a free through another context's hooks */
    return t->oom ? -1 : 0;
}

/* ---- threads ------------------------------------------------------------ */

typedef struct worker {
    pthread_t th;
    pthread_barrier_t *start;
    run_cfg cfg;
    text out[ROUNDS];
    int rc;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start); /* all threads feed at the same time */
    w->rc = 0;
    for (int r = 0; r < ROUNDS && w->rc == 0; r++)
        w->rc = run_once(&w->cfg, &w->out[r]);
    return NULL;
}

/* Run N_THREADS workers with `cfg[i]` and compare each run with `ref[0]`
 * (without memory gauges) or `ref[1]` (with them). */
static void run_threads(const run_cfg cfg[N_THREADS], const text ref_by_mem[2])
{
    pthread_barrier_t start;
    worker w[N_THREADS];

    memset(w, 0, sizeof(w));
    cr_assert_eq(pthread_barrier_init(&start, NULL, N_THREADS), 0);
    for (int i = 0; i < N_THREADS; i++) {
        w[i].start = &start;
        w[i].cfg = cfg[i];
        cr_assert_eq(pthread_create(&w[i].th, NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        cr_assert_eq(pthread_join(w[i].th, NULL), 0);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < N_THREADS; i++) {
        const text *ref = &ref_by_mem[cfg[i].with_mem ? 1 : 0];
        cr_expect_eq(w[i].rc, 0, "thread %d: unexpected library result", i);
        for (int r = 0; r < ROUNDS && w[i].rc == 0; r++) {
            cr_expect_eq(w[i].out[r].len, ref->len,
                         "thread %d run %d: %zu bytes of report, "
                         "reference %zu",
                         i, r, w[i].out[r].len, ref->len);
            if (w[i].out[r].len == ref->len)
                cr_expect_eq(memcmp(w[i].out[r].buf, ref->buf, ref->len), 0,
                             "thread %d run %d differs from the reference", i, r);
        }
        for (int r = 0; r < ROUNDS; r++)
            free(w[i].out[r].buf);
    }
}

static text reference(int with_mem)
{
    run_cfg cfg = {12345, 0, 0, with_mem};
    text ref = {NULL, 0, 0, 0};
    cr_assert_eq(run_once(&cfg, &ref), 0);
    return ref;
}

static void setup(void) { build_trace(); }

static void teardown(void)
{
    free(g_trace.pkt);
    memset(&g_trace, 0, sizeof(g_trace));
}

TestSuite(threads, .init = setup, .fini = teardown);

/* The trace is what it claims to be: thousands of packets, sessions joined
 * by token, DSS data, closes. */
Test(threads, reference_run_is_meaningful)
{
    text ref = reference(1);
    cr_assert_gt(g_trace.n, 3000);
    cr_expect_not_null(strstr(ref.buf, "ev subflow-joined"));
    cr_expect_not_null(strstr(ref.buf, "ev session-closed"));
    cr_expect_not_null(strstr(ref.buf, "\ntoken_joins=48\n"), "2 joins x %d sessions", N_HANDSHAKE);
    cr_expect_not_null(strstr(ref.buf, "\ntcp_plain="));
    cr_expect_not_null(strstr(ref.buf, "\nevents_dropped=0\n"));
    /* The same run twice in one thread gives the same text. */
    text again = reference(1);
    cr_expect_eq(again.len, ref.len);
    cr_expect_eq(memcmp(again.buf, ref.buf, ref.len < again.len ? ref.len : again.len), 0);
    free(ref.buf);
    free(again.buf);
}

/* 4 threads, 4 contexts, same seed, queue and callback events, default
 * and counting allocators: each run is byte for byte the reference.  (A
 * context with an event callback never allocates the event queue, so its
 * memory gauges are not those of the reference: they are left out there.) */
Test(threads, four_contexts_in_parallel_match_the_reference)
{
    text ref[2] = {reference(0), reference(1)};
    run_cfg cfg[N_THREADS] = {
        {12345, 0, 0, 1},
        {12345, 1, 0, 0},
        {12345, 0, 1, 1},
        {12345, 1, 1, 0},
    };
    run_threads(cfg, ref);
    free(ref[0].buf);
    free(ref[1].buf);
}

/* Output never depends on the hash seed (sampo.h, SAMPO_OPT_HASH_SEED):
 * distinct seeds in parallel, still the reference. */
Test(threads, distinct_seeds_in_parallel_match_the_reference)
{
    text ref[2] = {reference(0), {NULL, 0, 0, 0}};
    run_cfg cfg[N_THREADS] = {
        {1, 0, 0, 0},
        {0x5a4d50, 1, 1, 0},
        {INT64_C(0x7fffffffffffffff), 0, 1, 0},
        {0, 1, 0, 0}, /* 0: a seed from getrandom(2) */
    };
    run_threads(cfg, ref);
    free(ref[0].buf);
}
