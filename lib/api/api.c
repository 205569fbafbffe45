/* api.c - public entry points: context life cycle, options, feeding,
 * runs, events. */
#define _GNU_SOURCE
#include "api/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "api/options.h"
#include "core/hash.h"
#include "engine/clock.h"
#include "engine/feed.h"
#include "engine/lifecycle.h"

/* ---- errors and delivery ------------------------------------------------- */

int sampo__fail(const sampo_ctx *ctx, int rc, const char *fmt, ...)
{
    if (!ctx)
        return rc;
    sampo_ctx *w = (sampo_ctx *)(uintptr_t)ctx; /* allocated mutable: see api.h */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof(w->err), fmt, ap);
    va_end(ap);
    return rc;
}

int sampo__succeed(const sampo_ctx *ctx, int rc)
{
    if (ctx && ctx->err[0])
        ((sampo_ctx *)(uintptr_t)ctx)->err[0] = '\0';
    return rc;
}

SAMPO_API const char *sampo_ctx_last_error(const sampo_ctx *ctx) { return ctx ? ctx->err : ""; }

/* Hand the queued events to the callback, if one is installed. */
static void deliver(sampo_ctx *ctx)
{
    if (!ctx->evq.cb)
        return;
    sampo_event ev;
    ctx->in_callback = true;
    while (sampo__ev_pop(&ctx->evq, &ev) > 0)
        ctx->evq.cb(&ev, ctx->evq.user);
    ctx->in_callback = false;
}

/* End every subflow (and so every session), handing each one's events to
 * the callback before the next is ended: the state is consistent between
 * two, and the records need no more queue than the reserve created with
 * the context, whatever the allocator says. */
static void end_all(sampo_ctx *ctx, int reason)
{
    while (sampo__lc_end_oldest(ctx, reason, ctx->now_ns))
        deliver(ctx);
}

/* ---- options ------------------------------------------------------------- */

SAMPO_API int sampo_option_bounds(sampo_option opt, sampo_bounds *out)
{
    const sampo__opt_def *d = sampo__opt_lookup(opt);
    if (!d || !out || out->size < SAMPO__V01_BOUNDS)
        return SAMPO_E_INVAL;
    sampo_bounds b;
    memset(&b, 0, sizeof(b));
    b.size = sizeof(b);
    b.type = d->type;
    b.name = d->name;
    b.imin = d->imin;
    b.imax = d->imax;
    b.idefault = d->idef;
    b.rmin = d->rmin;
    b.rmax = d->rmax;
    b.rdefault = d->rdef;
    sampo__copy_out(out, &b, sizeof(b));
    return SAMPO_OK;
}

static int opt_check(sampo_ctx *ctx, int opt, sampo_option_type type, const sampo__opt_def **d)
{
    SAMPO__MUTATOR(ctx);
    *d = sampo__opt_lookup(opt);
    if (!*d)
        return sampo__fail(ctx, SAMPO_E_INVAL, "unknown option %d", opt);
    if ((*d)->type != type)
        return sampo__fail(ctx, SAMPO_E_OPTTYPE, "option %s takes a %s value", (*d)->name,
                           (*d)->type == SAMPO_OPTTYPE_INT ? "integer" : "real");
    if (ctx->active && opt != SAMPO_OPT_MIN_CONFIDENCE)
        return sampo__fail(ctx, SAMPO_E_ACTIVE, "option %s can only be set before the first packet",
                           (*d)->name);
    return SAMPO_OK;
}

/* 128 random bits for the tables' hash key.  getrandom(2) fails only before
 * the kernel's pool is ready early in boot (GRND_NONBLOCK: never block a
 * caller for it) or where a filter denies the call; then what varies from
 * one context to the next (clocks, the pid, the context's and the stack's
 * addresses under ASLR) goes through SipHash: weaker (whoever can guess
 * those can guess the key), but no constant. */
static sampo__hkey random_key(const void *ctx)
{
    sampo__hkey k;
    if (getrandom(&k, sizeof(k), GRND_NONBLOCK) == (ssize_t)sizeof(k))
        return k;
    struct {
        struct timespec real, mono;
        uintptr_t ctx, stack;
        uint64_t pid;
    } e;
    memset(&e, 0, sizeof(e));
    clock_gettime(CLOCK_REALTIME, &e.real);
    clock_gettime(CLOCK_MONOTONIC, &e.mono);
    e.ctx = (uintptr_t)ctx;
    e.stack = (uintptr_t)&e;
    e.pid = (uint64_t)getpid();
    k.k0 = sampo__hash(sampo__hkey_from_seed(1), &e, sizeof(e));
    k.k1 = sampo__hash(sampo__hkey_from_seed(2), &e, sizeof(e));
    return k;
}

SAMPO_API int sampo_ctx_set_option(sampo_ctx *ctx, sampo_option opt, int64_t v)
{
    const sampo__opt_def *d = NULL;
    int rc = opt_check(ctx, opt, SAMPO_OPTTYPE_INT, &d);
    if (rc)
        return rc;
    bool bad = v < d->imin || v > d->imax;
    if (opt == SAMPO_OPT_MAX_MEMORY && v != 0 && v < SAMPO__MIN_MEMORY_CAP)
        bad = true;
    if (bad)
        return sampo__fail(
            ctx, SAMPO_E_RANGE, "option %s: %lld out of range [%lld, %lld]", d->name, (long long)v,
            (long long)(opt == SAMPO_OPT_MAX_MEMORY ? SAMPO__MIN_MEMORY_CAP : d->imin),
            (long long)d->imax);
    memcpy((char *)&ctx->opt + d->off, &v, sizeof(v));
    if (opt == SAMPO_OPT_MAX_MEMORY)
        ctx->mem.cap = (size_t)v;
    if (opt == SAMPO_OPT_HASH_SEED) /* 0: random again */
        ctx->env.hkey = v ? sampo__hkey_from_seed((uint64_t)v) : random_key(ctx);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_set_option_real(sampo_ctx *ctx, sampo_option opt, double v)
{
    const sampo__opt_def *d = NULL;
    int rc = opt_check(ctx, opt, SAMPO_OPTTYPE_REAL, &d);
    if (rc)
        return rc;
    if (!(v >= d->rmin && v <= d->rmax)) /* also rejects NaN */
        return sampo__fail(ctx, SAMPO_E_RANGE, "option %s: %g out of range [%g, %g]", d->name, v,
                           d->rmin, d->rmax);
    memcpy((char *)&ctx->opt + d->off, &v, sizeof(v));
    return sampo__succeed(ctx, SAMPO_OK);
}

static int opt_read(const sampo_ctx *ctx, int opt, sampo_option_type type, void *v)
{
    const sampo__opt_def *d = sampo__opt_lookup(opt);
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!v || !d)
        return sampo__fail(ctx, SAMPO_E_INVAL, "unknown option %d or NULL value", opt);
    if (d->type != type)
        return sampo__fail(ctx, SAMPO_E_OPTTYPE, "option %s takes a %s value", d->name,
                           d->type == SAMPO_OPTTYPE_INT ? "integer" : "real");
    memcpy(v, (const char *)&ctx->opt + d->off, 8);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_get_option(const sampo_ctx *ctx, sampo_option opt, int64_t *v)
{
    return opt_read(ctx, opt, SAMPO_OPTTYPE_INT, v);
}

SAMPO_API int sampo_ctx_get_option_real(const sampo_ctx *ctx, sampo_option opt, double *v)
{
    return opt_read(ctx, opt, SAMPO_OPTTYPE_REAL, v);
}

SAMPO_API int sampo_ctx_set_source_rate(sampo_ctx *ctx, uint32_t source_id, uint32_t rate)
{
    SAMPO__MUTATOR(ctx);
    if (rate == 0)
        return sampo__fail(ctx, SAMPO_E_INVAL, "a sampling rate is at least 1");
    if (sampo__source_set(&ctx->env, &ctx->sources, source_id, rate) != SAMPO_OK)
        return sampo__fail(ctx, SAMPO_E_NOMEM, "no memory for source %u", source_id);
    return sampo__succeed(ctx, SAMPO_OK);
}

/* ---- life cycle ------------------------------------------------------------ */

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
    sampo__opts_defaults(&ctx->opt);
    ctx->mem.cap = (size_t)ctx->opt.max_memory; /* bounded by default */
    ctx->evq.mem = &ctx->mem;
    ctx->evq.cnt = ctx->cnt;
    ctx->evq.max = (uint32_t)ctx->opt.max_events;
    ctx->env = (sampo__env){&ctx->mem, ctx->cnt, &ctx->evq, &ctx->opt, {0, 0}, 0};
    if (!sampo__ev_reserve(&ctx->evq)) {
        sampo__ev_free(&ctx->evq);
        sampo__mem_free(&m, ctx);
        return SAMPO_E_NOMEM;
    }
    /* A random key unless the caller fixes a seed (SAMPO_OPT_HASH_SEED):
     * output never depends on it, only the hash layout does. */
    ctx->env.hkey = random_key(ctx);
    *out = ctx;
    return SAMPO_OK;
}

SAMPO_API void sampo_ctx_destroy(sampo_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->in_callback) {
        sampo__fail(ctx, SAMPO_E_BUSY, "sampo_ctx_destroy: ignored inside a callback");
        return;
    }
    if (ctx->evq.cb) /* every record, for a consumer that keeps them */
        end_all(ctx, SAMPO_CLOSE_DESTROY);
    sampo__lc_free_all(ctx);
    sampo__mem m = ctx->mem;
    sampo__mem_free(&m, ctx);
}

/* ---- feeding --------------------------------------------------------------- */

static bool packet_valid(const sampo_packet *pkt)
{
    return pkt && pkt->size >= SAMPO__V01_PACKET && (pkt->data || !pkt->caplen);
}

static int feed_status(sampo_ctx *ctx, int rc)
{
    if (rc == SAMPO_OK)
        return sampo__succeed(ctx, rc);
    if (rc == SAMPO_E_LIMIT)
        return sampo__fail(ctx, rc, "no memory for a new subflow under the configured caps");
    return sampo__fail(ctx, rc, "packet dropped: %s", sampo_strerror(rc));
}

/* Process one prepared packet; its result into the caller's `res`. */
static int process(sampo_ctx *ctx, const sampo_packet *pkt, sampo__job *j, sampo_result *res)
{
    sampo_result r;
    if (res)
        memset(&r, 0, sizeof(r));
    int rc = sampo__feed_process(ctx, pkt, j, res ? &r : NULL);
    if (res) {
        r.size = sizeof(r);
        r.status = rc;
        sampo__copy_out(res, &r, sizeof(r));
    }
    return rc;
}

SAMPO_API int sampo_ctx_feed_ex(sampo_ctx *ctx, const sampo_packet *pkt, sampo_result *res)
{
    SAMPO__MUTATOR(ctx);
    if (!packet_valid(pkt))
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL packet, no data, or size below 0.1's layout");
    if (res && res->size < SAMPO__V02_RESULT)
        return sampo__fail(ctx, SAMPO_E_INVAL, "result size below its first layout");
    sampo__job j;
    sampo__feed_prepare(ctx, pkt, &j);
    int rc = process(ctx, pkt, &j, res);
    deliver(ctx);
    return feed_status(ctx, rc);
}

SAMPO_API int sampo_ctx_feed(sampo_ctx *ctx, const sampo_packet *pkt)
{
    return sampo_ctx_feed_ex(ctx, pkt, NULL);
}

/* Packets prepared ahead: enough to hide memory latency, few enough that
 * the jobs stay in L1/L2. */
#define BATCH 16

#define AT(base, stride, i) ((void *)((char *)(base) + (size_t)(i) * (stride)))

/* n packets (element size pkts[0].size), each one's result into res[]
 * (element size res[0].size) or its status into status[]. */
static int feed_batch(sampo_ctx *ctx, const sampo_packet *pkts, size_t n, sampo_result *res,
                      int *status)
{
    SAMPO__MUTATOR(ctx);
    if (!pkts && n)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL packets");
    size_t ps = n ? pkts[0].size : 0, rs = res && n ? res[0].size : 0;
    for (size_t i = 0; i < n; i++) {
        const sampo_packet *p = AT(pkts, ps, i);
        if (!packet_valid(p) || p->size != ps)
            return sampo__fail(ctx, SAMPO_E_INVAL, "packet %zu: bad size or data", i);
    }
    if (res && n && rs < SAMPO__V02_RESULT)
        return sampo__fail(ctx, SAMPO_E_INVAL, "result size below its first layout");
    sampo__job jobs[BATCH];
    for (size_t base = 0; base < n; base += BATCH) {
        size_t m = n - base < BATCH ? n - base : BATCH;
        for (size_t k = 0; k < m; k++) {
            sampo__feed_prepare(ctx, AT(pkts, ps, base + k), &jobs[k]);
            sampo__feed_prefetch(ctx, &jobs[k], 0);
        }
        for (size_t k = 0; k < m; k++)
            sampo__feed_prefetch(ctx, &jobs[k], 1);
        for (size_t k = 0; k < m; k++) {
            sampo_result *dst = res ? AT(res, rs, base + k) : NULL;
            if (dst)
                dst->size = rs;
            int rc = process(ctx, AT(pkts, ps, base + k), &jobs[k], dst);
            if (status)
                status[base + k] = rc;
        }
        deliver(ctx); /* between groups: the queue stages BATCH packets' events at most */
    }
    sampo__succeed(ctx, SAMPO_OK);
    return (int)(n > INT32_MAX ? INT32_MAX : n);
}

SAMPO_API int sampo_ctx_feed_batch_ex(sampo_ctx *ctx, const sampo_packet *pkts, size_t n,
                                      sampo_result *res)
{
    return feed_batch(ctx, pkts, n, res, NULL);
}

SAMPO_API int sampo_ctx_feed_batch(sampo_ctx *ctx, const sampo_packet *pkts, size_t n, int *status)
{
    return feed_batch(ctx, pkts, n, NULL, status);
}

/* ---- time and runs ----------------------------------------------------------- */

SAMPO_API int sampo_ctx_advance(sampo_ctx *ctx, uint64_t now)
{
    SAMPO__MUTATOR(ctx);
    if (!ctx->active)
        sampo__clock_start(ctx, now);
    if (now < ctx->now_ns)
        return sampo__fail(ctx, SAMPO_E_TSBACK, "time %llu is before the clock (%llu)",
                           (unsigned long long)now, (unsigned long long)ctx->now_ns);
    ctx->now_ns = now;
    sampo__clock_run_due(ctx, now);
    deliver(ctx);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_run(sampo_ctx *ctx, uint64_t now)
{
    SAMPO__MUTATOR(ctx);
    if (!ctx->active)
        sampo__clock_start(ctx, now);
    if (now > ctx->now_ns)
        ctx->now_ns = now;
    sampo__clock_run(ctx, ctx->now_ns, true);
    ctx->next_run_ns = ctx->now_ns + (uint64_t)ctx->opt.window_ns;
    deliver(ctx);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_flush_ex(sampo_ctx *ctx, unsigned flags)
{
    SAMPO__MUTATOR(ctx);
    if (flags & ~SAMPO_FLUSH_END)
        return sampo__fail(ctx, SAMPO_E_INVAL, "unknown flush flags 0x%x", flags);
    sampo__clock_run(ctx, ctx->now_ns, false);
    deliver(ctx);
    if (flags & SAMPO_FLUSH_END)
        end_all(ctx, SAMPO_CLOSE_FLUSH);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_flush(sampo_ctx *ctx) { return sampo_ctx_flush_ex(ctx, 0); }

/* ---- events ------------------------------------------------------------------- */

SAMPO_API int sampo_ctx_next_event(sampo_ctx *ctx, sampo_event *out)
{
    SAMPO__MUTATOR(ctx);
    if (!out || out->size < SAMPO__V01_EVENT)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL event or size below 0.1's layout");
    sampo_event ev;
    if (!sampo__ev_pop(&ctx->evq, &ev))
        return sampo__succeed(ctx, 0);
    sampo__copy_out(out, &ev, sizeof(ev));
    return sampo__succeed(ctx, 1);
}

SAMPO_API int sampo_ctx_set_event_callback(sampo_ctx *ctx, sampo_event_cb cb, void *user)
{
    SAMPO__MUTATOR(ctx);
    ctx->evq.cb = cb;
    ctx->evq.user = user;
    return sampo__succeed(ctx, SAMPO_OK);
}
