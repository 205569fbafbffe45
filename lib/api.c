/* api.c - public entry points: context life cycle, options, the feed path,
 * windows on packet time, queries, counters, names and versions. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "assoc.h"
#include "internal.h"

/* ---- names ------------------------------------------------------------- */

SAMPO_API unsigned sampo_version_number(void) { return SAMPO_VERSION_NUMBER; }
SAMPO_API const char *sampo_version_string(void) { return SAMPO_VERSION_STRING; }

SAMPO_API const char *sampo_strerror(int code)
{
    switch (code) {
    case SAMPO_OK:
        return "success";
#define SAMPO_XX_(name, val, msg) \
    case SAMPO_E_##name:          \
        return msg;
        SAMPO_ERRNO_MAP(SAMPO_XX_)
#undef SAMPO_XX_
    default:
        return "unknown error";
    }
}

static const char *const counter_names[] = {
#define SAMPO_XX_(name, lower, desc) lower,
    SAMPO_COUNTER_MAP(SAMPO_XX_)
#undef SAMPO_XX_
};
static const char *const counter_descs[] = {
#define SAMPO_XX_(name, lower, desc) desc,
    SAMPO_COUNTER_MAP(SAMPO_XX_)
#undef SAMPO_XX_
};

SAMPO_API const char *sampo_counter_name(int c)
{
    if (c < 0 || c >= SAMPO_CNT__COUNT)
        return NULL;
    return counter_names[c];
}

SAMPO_API const char *sampo_counter_description(int c)
{
    if (c < 0 || c >= SAMPO_CNT__COUNT)
        return NULL;
    return counter_descs[c];
}

SAMPO_API uint64_t sampo_ctx_counter(const sampo_ctx *ctx, int c)
{
    if (!ctx || c < 0 || c >= SAMPO_CNT__COUNT)
        return 0;
    if (c == SAMPO_CNT_MEM_CURRENT)
        return ctx->mem.cur;
    if (c == SAMPO_CNT_MEM_PEAK)
        return ctx->mem.peak;
    return ctx->cnt[c];
}

SAMPO_API const char *sampo_method_name(int m)
{
    static const char *const n[] = {"none", "token", "key-dsn", "dsn-proximity", "dsn-overlap",
                                    "reinjection"};
    return m >= 0 && m < (int)(sizeof(n) / sizeof(n[0])) ? n[m] : "unknown";
}

SAMPO_API const char *sampo_close_reason_name(int r)
{
    static const char *const n[] = {"none", "data-fin", "fastclose", "tcprst",
                                    "rst",  "fin",      "timeout",   "evicted"};
    return r >= 0 && r < (int)(sizeof(n) / sizeof(n[0])) ? n[r] : "unknown";
}

SAMPO_API const char *sampo_event_name(int t)
{
    static const char *const n[] = {NULL,           "session-opened", "subflow-joined",
                                    "verdict-revised", "conflict",    "session-closed",
                                    "add-addr",     "remove-addr",    "mp-prio",
                                    "mp-fail",      "fallback",       "subflow-closed"};
    return t > 0 && t < (int)(sizeof(n) / sizeof(n[0])) ? n[t] : "unknown";
}

void sampo__set_error(sampo_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
}

SAMPO_API const char *sampo_ctx_last_error(const sampo_ctx *ctx)
{
    return ctx ? ctx->err : "";
}

/* ---- hashing ----------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 32;
    x *= UINT64_C(0xd6e8feb86659fd93);
    x ^= x >> 32;
    x *= UINT64_C(0xd6e8feb86659fd93);
    x ^= x >> 32;
    return x;
}

/* Keyed hash: every 8-byte word goes through a full bijective mix with the
 * running state, which starts from the secret seed, so which keys collide
 * depends on the seed. */
uint64_t sampo__hash(uint64_t seed, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = seed ^ (len * UINT64_C(0x9e3779b97f4a7c15));
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix64(h ^ w);
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h = mix64(h ^ w ^ UINT64_C(0xa0761d6478bd642f));
    }
    return mix64(h);
}

/* ---- options ----------------------------------------------------------- */

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

typedef struct opt_def {
    const char *name;
    sampo_option_type type;
    size_t off;
    int64_t imin, imax, idef;
    double rmin, rmax, rdef;
} opt_def;

#define OI(id, name, field, lo, hi, def) \
    [id] = {name, SAMPO_OPTTYPE_INT, offsetof(sampo__opts, field), lo, hi, def, 0, 0, 0}
#define OR(id, name, field, lo, hi, def) \
    [id] = {name, SAMPO_OPTTYPE_REAL, offsetof(sampo__opts, field), 0, 0, 0, lo, hi, def}

static const opt_def opt_defs[] = {
    OI(SAMPO_OPT_WINDOW_NS, "window_ns", window_ns, MS, 3600 * SEC, 500 * MS),
    OI(SAMPO_OPT_RETENTION_NS, "retention_ns", retention_ns, MS, 86400 * SEC, 2 * SEC),
    OI(SAMPO_OPT_IDLE_TIMEOUT_NS, "idle_timeout_ns", idle_ns, MS, 86400 * SEC, 15 * SEC),
    OI(SAMPO_OPT_MAX_SUBFLOWS, "max_subflows", max_subflows, 1, INT64_C(1) << 30, INT64_C(1) << 20),
    OI(SAMPO_OPT_MAX_MEMORY, "max_memory", max_memory, 0, INT64_MAX, 0),
    OR(SAMPO_OPT_MIN_CONFIDENCE, "min_confidence", min_confidence, 0.0, 1.0, 0.99),
    OI(SAMPO_OPT_TOKEN_EVIDENCE, "token_evidence", token_evidence, 0, 1, 1),
    OI(SAMPO_OPT_DSN_EVIDENCE, "dsn_evidence", dsn_evidence, 0, 1, 1),
    OI(SAMPO_OPT_HASH_SEED, "hash_seed", hash_seed, INT64_MIN, INT64_MAX, 0),
    OI(SAMPO_OPT_SAMPLING_RATE, "sampling_rate", sampling_rate, 1, 1000000000, 1),
    OI(SAMPO_OPT_MAX_SEGMENTS, "max_segments", max_segments, 8, 1 << 20, 512),
    OI(SAMPO_OPT_MAX_EVENTS, "max_events", max_events, 1, 1 << 24, 1 << 16),
    OR(SAMPO_OPT_GAP_STEEPNESS, "gap_steepness", gap_k, 0.01, 1000.0, 8.0),
    OR(SAMPO_OPT_HYSTERESIS, "hysteresis", hysteresis, 0.0, 1.0, 0.5),
};
#define N_OPTS ((int)(sizeof(opt_defs) / sizeof(opt_defs[0])))

/* Smallest useful memory cap: the context itself plus a little state. */
#define MIN_MEMORY_CAP (64 * 1024)

static const opt_def *opt_lookup(int opt)
{
    if (opt <= 0 || opt >= N_OPTS || !opt_defs[opt].name)
        return NULL;
    return &opt_defs[opt];
}

SAMPO_API int sampo_option_bounds(sampo_option opt, sampo_bounds *out)
{
    const opt_def *d = opt_lookup(opt);
    if (!d || !out || out->size < sizeof(sampo_bounds))
        return SAMPO_E_INVAL;
    out->type = d->type;
    out->name = d->name;
    out->imin = d->imin;
    out->imax = d->imax;
    out->idefault = d->idef;
    out->rmin = d->rmin;
    out->rmax = d->rmax;
    out->rdefault = d->rdef;
    if (opt == SAMPO_OPT_MAX_MEMORY)
        out->imin = 0;
    return SAMPO_OK;
}

static int opt_check(sampo_ctx *ctx, int opt, sampo_option_type type, const opt_def **d)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    *d = opt_lookup(opt);
    if (!*d) {
        sampo__set_error(ctx, "unknown option %d", opt);
        return SAMPO_E_INVAL;
    }
    if ((*d)->type != type) {
        sampo__set_error(ctx, "option %s takes a %s value", (*d)->name,
                         (*d)->type == SAMPO_OPTTYPE_INT ? "integer" : "real");
        return SAMPO_E_OPTTYPE;
    }
    if (ctx->active && opt != SAMPO_OPT_MIN_CONFIDENCE) {
        sampo__set_error(ctx, "option %s can only be set before the first packet", (*d)->name);
        return SAMPO_E_ACTIVE;
    }
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_set_option(sampo_ctx *ctx, sampo_option opt, int64_t v)
{
    const opt_def *d;
    int rc = opt_check(ctx, opt, SAMPO_OPTTYPE_INT, &d);
    if (rc)
        return rc;
    bool bad = v < d->imin || v > d->imax;
    if (opt == SAMPO_OPT_MAX_MEMORY && v != 0 && v < MIN_MEMORY_CAP)
        bad = true;
    if (bad) {
        sampo__set_error(ctx, "option %s: %lld out of range [%lld, %lld]", d->name, (long long)v,
                         (long long)(opt == SAMPO_OPT_MAX_MEMORY ? MIN_MEMORY_CAP : d->imin),
                         (long long)d->imax);
        return SAMPO_E_RANGE;
    }
    memcpy((char *)&ctx->opt + d->off, &v, sizeof(v));
    if (opt == SAMPO_OPT_MAX_MEMORY)
        ctx->mem.cap = (size_t)v;
    if (opt == SAMPO_OPT_HASH_SEED && v)
        ctx->seed = (uint64_t)v;
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_set_option_real(sampo_ctx *ctx, sampo_option opt, double v)
{
    const opt_def *d;
    int rc = opt_check(ctx, opt, SAMPO_OPTTYPE_REAL, &d);
    if (rc)
        return rc;
    if (!(v >= d->rmin && v <= d->rmax)) { /* also rejects NaN */
        sampo__set_error(ctx, "option %s: %g out of range [%g, %g]", d->name, v, d->rmin, d->rmax);
        return SAMPO_E_RANGE;
    }
    memcpy((char *)&ctx->opt + d->off, &v, sizeof(v));
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_get_option(const sampo_ctx *ctx, sampo_option opt, int64_t *v)
{
    const opt_def *d = opt_lookup(opt);
    if (!ctx || !v || !d)
        return SAMPO_E_INVAL;
    if (d->type != SAMPO_OPTTYPE_INT)
        return SAMPO_E_OPTTYPE;
    memcpy(v, (const char *)&ctx->opt + d->off, sizeof(*v));
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_get_option_real(const sampo_ctx *ctx, sampo_option opt, double *v)
{
    const opt_def *d = opt_lookup(opt);
    if (!ctx || !v || !d)
        return SAMPO_E_INVAL;
    if (d->type != SAMPO_OPTTYPE_REAL)
        return SAMPO_E_OPTTYPE;
    memcpy(v, (const char *)&ctx->opt + d->off, sizeof(*v));
    return SAMPO_OK;
}

/* ---- life cycle -------------------------------------------------------- */

static void *libc_malloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
}

static void libc_free(void *opaque, void *p)
{
    (void)opaque;
    free(p);
}

SAMPO_API int sampo_ctx_create(sampo_ctx **out, const sampo_allocator *alloc)
{
    if (!out)
        return SAMPO_E_INVAL;
    *out = NULL;
    if (alloc && (!alloc->malloc || !alloc->free))
        return SAMPO_E_INVAL;
    sampo__mem m = {.hooks = {libc_malloc, libc_free, NULL}};
    if (alloc)
        m.hooks = *alloc;
    uint64_t tmp[SAMPO_CNT__COUNT] = {0};
    m.cnt = tmp;
    sampo_ctx *ctx = sampo__mem_alloc(&m, sizeof(*ctx));
    if (!ctx)
        return SAMPO_E_NOMEM;
    memset(ctx, 0, sizeof(*ctx));
    ctx->mem = m;
    ctx->mem.cnt = ctx->cnt;
    for (int i = 1; i < N_OPTS; i++) {
        const opt_def *d = &opt_defs[i];
        if (!d->name)
            continue;
        if (d->type == SAMPO_OPTTYPE_INT)
            memcpy((char *)&ctx->opt + d->off, &d->idef, sizeof(d->idef));
        else
            memcpy((char *)&ctx->opt + d->off, &d->rdef, sizeof(d->rdef));
    }
    /* A random seed unless the caller fixes one (SAMPO_OPT_HASH_SEED):
     * output never depends on it, only the hash layout does. */
    if (getrandom(&ctx->seed, sizeof(ctx->seed), GRND_NONBLOCK) != (ssize_t)sizeof(ctx->seed))
        ctx->seed = mix64((uint64_t)(uintptr_t)ctx ^ UINT64_C(0x5a4d50));
    *out = ctx;
    return SAMPO_OK;
}

SAMPO_API void sampo_ctx_destroy(sampo_ctx *ctx)
{
    if (!ctx)
        return;
    /* Tear down without events: free subflows, conns, sessions. */
    ctx->ev_cb = NULL;
    while (ctx->lru_head) {
        sampo__subflow *sf = ctx->lru_head;
        sf->closed = 1; /* no close events while destroying */
        sampo__flow_remove(ctx, sf, SAMPO_CLOSE_NONE);
    }
    sampo__session_destroy_all(ctx);
    sampo__pairs_free(ctx);
    sampo__source *src, *tmp;
    HASH_ITER(hh, ctx->sources, src, tmp) {
        HASH_DELETE(hh, ctx->sources, src);
        sampo__mem_free(&ctx->mem, src);
    }
    sampo__event_free_all(ctx);
    sampo__mem m = ctx->mem;
    sampo__mem_free(&m, ctx);
}

SAMPO_API int sampo_ctx_set_source_rate(sampo_ctx *ctx, uint32_t source_id, uint32_t rate)
{
    if (!ctx || rate == 0)
        return SAMPO_E_INVAL;
    sampo__source *s = NULL;
    unsigned hv = (unsigned)sampo__hash(ctx->seed, &source_id, sizeof(source_id));
    HASH_FIND_BYHASHVALUE(hh, ctx->sources, &source_id, sizeof(source_id), hv, s);
    if (!s) {
        s = sampo__mem_calloc(&ctx->mem, sizeof(*s));
        if (!s)
            return SAMPO_E_NOMEM;
        s->id = source_id;
        ctx->hash_oom = false;
        HASH_ADD_KEYPTR_BYHASHVALUE(hh, ctx->sources, &s->id, sizeof(s->id), hv, s);
        if (ctx->hash_oom) {
            sampo__mem_free(&ctx->mem, s);
            return SAMPO_E_NOMEM;
        }
    }
    s->rate = rate;
    return SAMPO_OK;
}

/* ---- windows on packet time ------------------------------------------- */

static void assoc_run(sampo_ctx *ctx, uint64_t t, bool expire)
{
    sampo__count(ctx, SAMPO_CNT_ASSOC_RUNS);
    if (expire)
        sampo__flow_expire(ctx, t);
    uint64_t ret = (uint64_t)ctx->opt.retention_ns;
    uint64_t horizon = t > ret ? t - ret : 0;
    for (sampo__subflow *sf = ctx->lru_head; sf; sf = sf->lru_next)
        sampo__dsn_prune(ctx, sf, horizon);
    if (ctx->opt.dsn_evidence) {
        sampo__pairs_gc(ctx);
        sampo__assoc_run(ctx, t);
        sampo__cluster_run(ctx, t);
        sampo__pairs_snapshot(ctx);
    }
}

static void run_due(sampo_ctx *ctx, uint64_t t)
{
    uint64_t w = (uint64_t)ctx->opt.window_ns;
    if (t < ctx->next_run_ns)
        return;
    /* After a long silence, run once rather than once per empty window. */
    uint64_t missed = (t - ctx->next_run_ns) / w;
    assoc_run(ctx, t, true);
    ctx->next_run_ns += (missed + 1) * w;
}

static void activate(sampo_ctx *ctx, uint64_t t)
{
    ctx->active = true;
    ctx->now_ns = t;
    ctx->t0_ns = t;
    ctx->next_run_ns = t + (uint64_t)ctx->opt.window_ns;
}

SAMPO_API int sampo_ctx_advance(sampo_ctx *ctx, uint64_t now)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!ctx->active)
        activate(ctx, now);
    if (now < ctx->now_ns)
        return SAMPO_E_TSBACK;
    ctx->now_ns = now;
    run_due(ctx, now);
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_flush(sampo_ctx *ctx)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    assoc_run(ctx, ctx->now_ns, false);
    return SAMPO_OK;
}

/* ---- the feed path ----------------------------------------------------- */

static void count_options(sampo_ctx *ctx, const sampo__mptcp_opts *o)
{
    ctx->cnt[SAMPO_CNT_OPT_MALFORMED] += o->n_malformed;
    ctx->cnt[SAMPO_CNT_OPT_TRUNCATED] += o->n_truncated;
    ctx->cnt[SAMPO_CNT_OPT_UNKNOWN_SUBTYPE] += o->n_unknown;
    ctx->cnt[SAMPO_CNT_OPT_DUPLICATE] += o->n_duplicate;
    for (int sub = 0; sub <= SAMPO__MPTCP_SUB_TCPRST; sub++)
        if (SAMPO__HAS(o, sub))
            ctx->cnt[SAMPO_CNT_MP_CAPABLE + sub]++;
}

static void emit_option_events(sampo_ctx *ctx, sampo__subflow *sf, int dir,
                               const sampo__mptcp_opts *o, uint64_t now)
{
    uint64_t sid = sf->sess ? sf->sess->id : 0;
    sampo_event *ev;
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_ADD_ADDR) &&
        (ev = sampo__event_new(ctx, SAMPO_EV_ADD_ADDR, now))) {
        ev->session_id = sid;
        sampo__flow_to_public(sf, &ev->flow);
        ev->mptcp_version = o->add_addr.version;
        ev->addr_id = o->add_addr.addr_id;
        ev->echo = o->add_addr.echo;
        ev->addr_family = o->add_addr.family;
        ev->addr_port = o->add_addr.has_port ? o->add_addr.port : 0;
        memcpy(ev->addr, o->add_addr.addr, 16);
        sampo__event_commit(ctx, ev);
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_REMOVE_ADDR)) {
        for (int i = 0; i < o->rm_addr.n; i++) {
            if (!(ev = sampo__event_new(ctx, SAMPO_EV_REMOVE_ADDR, now)))
                break;
            ev->session_id = sid;
            sampo__flow_to_public(sf, &ev->flow);
            ev->addr_id = o->rm_addr.ids[i];
            sampo__event_commit(ctx, ev);
        }
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_PRIO)) {
        sf->backup = o->prio.backup;
        if ((ev = sampo__event_new(ctx, SAMPO_EV_MP_PRIO, now))) {
            ev->session_id = sid;
            sampo__flow_to_public(sf, &ev->flow);
            ev->backup = o->prio.backup;
            ev->addr_id = o->prio.has_addr_id ? o->prio.addr_id : 0;
            sampo__event_commit(ctx, ev);
        }
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_FAIL) &&
        (ev = sampo__event_new(ctx, SAMPO_EV_MP_FAIL, now))) {
        ev->session_id = sid;
        sampo__flow_to_public(sf, &ev->flow);
        ev->dsn = o->fail.dsn;
        sampo__event_commit(ctx, ev);
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_FASTCLOSE) && sf->sess)
        sampo__session_close(ctx, sf->sess, SAMPO_CLOSE_FASTCLOSE, now);
    (void)dir;
}

static void close_subflow(sampo_ctx *ctx, sampo__subflow *sf, int reason, int tcprst_reason,
                          uint64_t now)
{
    if (sf->closed)
        return;
    sf->closed = 1;
    sf->close_reason = (uint8_t)reason;
    sampo__count(ctx, SAMPO_CNT_SUBFLOWS_CLOSED);
    sampo_event *ev = sampo__event_new(ctx, SAMPO_EV_SUBFLOW_CLOSED, now);
    if (ev) {
        ev->session_id = sf->sess ? sf->sess->id : 0;
        sampo__flow_to_public(sf, &ev->flow);
        ev->reason = reason;
        ev->tcprst_reason = (uint8_t)tcprst_reason;
        sampo__event_commit(ctx, ev);
    }
    if (sf->sess)
        sampo__session_check_closed(ctx, sf->sess, now);
}

static void on_tcp_flags(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__pkt *p,
                         const sampo__mptcp_opts *o, uint64_t now)
{
    if (p->tcp_flags & SAMPO__TH_SYN) {
        /* A SYN without ACK is sent by the initiator. */
        if (!(p->tcp_flags & SAMPO__TH_ACK) && sf->initiator < 0)
            sf->initiator = (int8_t)dir;
        else if ((p->tcp_flags & SAMPO__TH_ACK) && sf->initiator < 0)
            sf->initiator = (int8_t)!dir;
    }
    if (p->tcp_flags & SAMPO__TH_RST) {
        sf->dir[dir].rst = 1;
        if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_TCPRST))
            close_subflow(ctx, sf, SAMPO_CLOSE_TCPRST, o->tcprst.reason, now);
        else
            close_subflow(ctx, sf, SAMPO_CLOSE_RST, 0, now);
    } else if (p->tcp_flags & SAMPO__TH_FIN) {
        sf->dir[dir].fin = 1;
        if (sf->dir[!dir].fin)
            close_subflow(ctx, sf, SAMPO_CLOSE_FIN, 0, now);
    }
}

/* One packet between the stateless stage (decode, parse, key, hash) and
 * the stateful one: a batch prepares several before processing any. */
typedef struct feed_job {
    sampo__pkt p;
    sampo__mptcp_opts o;
    sampo__fkey key;
    unsigned hv;
    int dir;
    int rc;                  /* decode status */
    int counter;             /* decode counter, -1 for none */
} feed_job;

static bool packet_valid(const sampo_packet *pkt)
{
    return pkt && pkt->size >= offsetof(sampo_packet, source_id) + sizeof(pkt->source_id) &&
           (pkt->data || !pkt->caplen);
}

/* The 1-in-N rate a packet stands for: its own, its source's, the
 * context's default. */
static uint64_t packet_rate(sampo_ctx *ctx, const sampo_packet *pkt)
{
    if (pkt->sampling_rate)
        return pkt->sampling_rate;
    if (ctx->sources) {
        sampo__source *s = NULL;
        HASH_FIND_BYHASHVALUE(hh, ctx->sources, &pkt->source_id, sizeof(pkt->source_id),
                              (unsigned)sampo__hash(ctx->seed, &pkt->source_id, sizeof(pkt->source_id)), s);
        if (s)
            return s->rate;
    }
    return (uint64_t)ctx->opt.sampling_rate;
}

/* Stateless: may run ahead of the packets before it. */
static void job_prepare(const sampo_ctx *ctx, const sampo_packet *pkt, feed_job *j)
{
    j->counter = -1;
    j->rc = sampo__decode(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, &j->p, &j->counter);
    if (j->rc != SAMPO_OK)
        return;
    sampo__mptcp_parse(j->p.opts, j->p.opts_len, j->p.tcp_flags, &j->o);
    sampo__fkey_from_pkt(&j->p, &j->key, &j->dir);
    j->hv = sampo__fkey_hash(ctx, &j->key);
}

static int job_process(sampo_ctx *ctx, const sampo_packet *pkt, feed_job *j)
{
    uint64_t ts = pkt->ts_ns;
    if (!ctx->active)
        activate(ctx, ts);
    sampo__count(ctx, SAMPO_CNT_PACKETS);
    ctx->cnt[SAMPO_CNT_BYTES] += pkt->wirelen ? pkt->wirelen : pkt->caplen;
    if (ts < ctx->now_ns) {
        sampo__count(ctx, SAMPO_CNT_TS_BACKWARDS);
        ts = ctx->now_ns; /* the clock never goes back */
    } else {
        ctx->now_ns = ts;
        run_due(ctx, ts);
    }
    if (j->counter >= 0 && j->counter < SAMPO_CNT__COUNT)
        sampo__count(ctx, j->counter);
    if (j->rc != SAMPO_OK)
        return j->rc;

    const sampo__mptcp_opts *o = &j->o;
    const sampo__pkt *p = &j->p;
    int dir = j->dir;
    count_options(ctx, o);
    sampo__subflow *sf = sampo__flow_find(ctx, &j->key, j->hv);
    if (!sf) {
        if (!o->present) {
            sampo__count(ctx, o->n_mptcp ? SAMPO_CNT_TCP_MPTCP : SAMPO_CNT_TCP_PLAIN);
            return SAMPO_OK;
        }
        sf = sampo__flow_create(ctx, &j->key, j->hv, ts);
        if (!sf) {
            sampo__count(ctx, SAMPO_CNT_TCP_MPTCP);
            sampo__set_error(ctx, "no memory for a new subflow under the configured caps");
            return SAMPO_E_LIMIT;
        }
    } else {
        sampo__flow_touch(ctx, sf, ts);
    }
    sampo__count(ctx, o->n_mptcp ? SAMPO_CNT_TCP_MPTCP : SAMPO_CNT_TCP_PLAIN);
    sf->pinned = 1;

    sampo__dir *d = &sf->dir[dir];
    d->pkts++;
    d->bytes += p->payload_len;
    uint64_t rate = packet_rate(ctx, pkt);
    d->est_pkts += rate;
    d->est_bytes += rate * p->payload_len;
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE)) {
        if (sf->version == SAMPO__UNKNOWN_VERSION)
            sf->version = o->mpc.version;
        else if (sf->version != o->mpc.version)
            sampo__count(ctx, SAMPO_CNT_VERSION_MISMATCH);
    }
    sampo__token_on_packet(ctx, sf, dir, p, o, ts);
    if (o->present && sampo__session_ensure(ctx, sf, ts) != SAMPO_OK)
        sampo__set_error(ctx, "no memory for a new session");
    sampo__dsn_on_packet(ctx, sf, dir, p, o, ts);
    emit_option_events(ctx, sf, dir, o, ts);
    on_tcp_flags(ctx, sf, dir, p, o, ts);
    sf->pinned = 0;
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_feed(sampo_ctx *ctx, const sampo_packet *pkt)
{
    if (!ctx || !packet_valid(pkt))
        return SAMPO_E_INVAL;
    feed_job j;
    job_prepare(ctx, pkt, &j);
    return job_process(ctx, pkt, &j);
}

/* Packets prepared ahead: enough to hide memory latency, few enough that
 * the jobs stay in L1/L2. */
#define BATCH 16

SAMPO_API int sampo_ctx_feed_batch(sampo_ctx *ctx, const sampo_packet *pkts, size_t n, int *status)
{
    if (!ctx || (!pkts && n))
        return SAMPO_E_INVAL;
    for (size_t i = 0; i < n; i++)
        if (!packet_valid(&pkts[i]))
            return SAMPO_E_INVAL;
    feed_job jobs[BATCH];
    for (size_t base = 0; base < n; base += BATCH) {
        size_t m = n - base < BATCH ? n - base : BATCH;
        for (size_t k = 0; k < m; k++) {
            job_prepare(ctx, &pkts[base + k], &jobs[k]);
            if (jobs[k].rc == SAMPO_OK)
                sampo__flow_prefetch_bucket(ctx, jobs[k].hv);
        }
        for (size_t k = 0; k < m; k++)
            if (jobs[k].rc == SAMPO_OK)
                sampo__flow_prefetch_entry(ctx, jobs[k].hv);
        for (size_t k = 0; k < m; k++) {
            int rc = job_process(ctx, &pkts[base + k], &jobs[k]);
            if (status)
                status[base + k] = rc;
        }
    }
    return (int)(n > INT32_MAX ? INT32_MAX : n);
}

/* ---- queries ----------------------------------------------------------- */

SAMPO_API int sampo_ctx_lookup(sampo_ctx *ctx, const sampo_flow *flow, sampo_subflow_info *out)
{
    if (!ctx || !flow || !out || out->size < sizeof(*out) || (flow->family != 4 && flow->family != 6))
        return SAMPO_E_INVAL;
    sampo__pkt p;
    memset(&p, 0, sizeof(p));
    p.family = flow->family;
    memcpy(p.src, flow->src, 16);
    memcpy(p.dst, flow->dst, 16);
    if (p.family == 4) {
        memset(p.src + 4, 0, 12);
        memset(p.dst + 4, 0, 12);
    }
    p.sport = flow->src_port;
    p.dport = flow->dst_port;
    sampo__fkey key;
    int dir;
    sampo__fkey_from_pkt(&p, &key, &dir);
    sampo__subflow *sf = sampo__flow_find(ctx, &key, sampo__fkey_hash(ctx, &key));
    if (!sf)
        return SAMPO_E_NOTFOUND;
    sampo__subflow_info(ctx, sf, out);
    return SAMPO_OK;
}

static sampo__session *session_by_id(sampo_ctx *ctx, uint64_t id)
{
    sampo__session *s = NULL;
    HASH_FIND_BYHASHVALUE(hh, ctx->sessions, &id, sizeof(id),
                          (unsigned)sampo__hash(ctx->seed, &id, sizeof(id)), s);
    return s;
}

SAMPO_API int sampo_ctx_session(sampo_ctx *ctx, uint64_t id, sampo_session_info *out)
{
    if (!ctx || !out || out->size < sizeof(*out))
        return SAMPO_E_INVAL;
    sampo__session *s = session_by_id(ctx, id);
    if (!s)
        return SAMPO_E_NOTFOUND;
    sampo__session_info(s, out);
    return SAMPO_OK;
}

SAMPO_API int sampo_ctx_next_session(sampo_ctx *ctx, uint64_t *cursor, sampo_session_info *out)
{
    if (!ctx || !cursor || !out || out->size < sizeof(*out))
        return SAMPO_E_INVAL;
    sampo__session *s;
    if (*cursor == 0) {
        s = ctx->sess_head;
    } else if ((s = session_by_id(ctx, *cursor))) {
        s = s->next;
    } else { /* the cursor's session went away: first one after it */
        for (s = ctx->sess_head; s && s->id <= *cursor; s = s->next)
            ;
    }
    if (!s)
        return 0;
    sampo__session_info(s, out);
    *cursor = s->id;
    return 1;
}

SAMPO_API int sampo_ctx_next_subflow(sampo_ctx *ctx, uint64_t session_id, uint64_t *cursor,
                                     sampo_subflow_info *out)
{
    if (!ctx || !cursor || !out || out->size < sizeof(*out))
        return SAMPO_E_INVAL;
    sampo__subflow *sf = NULL;
    if (session_id) {
        sampo__session *s = session_by_id(ctx, session_id);
        if (!s)
            return SAMPO_E_NOTFOUND;
        sampo__subflow *at = *cursor ? sampo__flow_by_id(ctx, *cursor) : NULL;
        if (*cursor == 0)
            sf = s->head;
        else if (at && at->sess == s)
            sf = at->sess_next;
        else
            for (sf = s->head; sf && sf->id <= *cursor; sf = sf->sess_next)
                ;
    } else {
        /* All subflows by id: ids are dense and increasing, so probe the
         * next ids first and fall back to a scan past gaps. */
        uint64_t best = UINT64_MAX;
        for (uint64_t id = *cursor + 1; id <= ctx->next_flow_id && id <= *cursor + 64; id++)
            if ((sf = sampo__flow_by_id(ctx, id)))
                break;
        if (!sf) {
            for (sampo__subflow *it = ctx->lru_head; it; it = it->lru_next)
                if (it->id > *cursor && it->id < best) {
                    best = it->id;
                    sf = it;
                }
        }
    }
    if (!sf)
        return 0;
    sampo__subflow_info(ctx, sf, out);
    *cursor = sf->id;
    return 1;
}

SAMPO_API int sampo_ctx_next_pair(sampo_ctx *ctx, uint64_t *cursor, sampo_pair_info *out)
{
    if (!ctx || !cursor || !out || out->size < sizeof(*out))
        return SAMPO_E_INVAL;
    if (*cursor >= ctx->n_pair_list)
        return 0;
    const sampo__pair *p = ctx->pair_list[*cursor];
    size_t size = out->size;
    memset(out, 0, sizeof(*out));
    out->size = size;
    for (int i = 0; i < 2; i++) {
        out->subflow_id[i] = p->id[i];
        sampo__subflow *sf = sampo__flow_by_id(ctx, p->id[i]);
        if (sf)
            sampo__flow_to_public(sf, &out->flow[i]);
    }
    out->verdict = (sampo_verdict)p->verdict;
    out->method = (sampo_method)p->method;
    out->confidence = p->phi;
    out->reinjections = p->reinjections;
    out->updated_ns = p->updated_ns;
    (*cursor)++;
    return 1;
}
