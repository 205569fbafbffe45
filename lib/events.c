/* events.c - events are built in a scratch slot, then either handed to
 * the callback or queued in a ring that grows up to SAMPO_OPT_MAX_EVENTS;
 * past that the oldest queued event is dropped (counted). */
#include "internal.h"

sampo_event *sampo__event_new(sampo_ctx *ctx, int type, uint64_t ts)
{
    sampo_event *ev = &ctx->ev_scratch;
    memset(ev, 0, sizeof(*ev));
    ev->size = sizeof(*ev);
    ev->type = (sampo_event_type)type;
    ev->ts_ns = ts;
    ev->mptcp_version = SAMPO__UNKNOWN_VERSION;
    return ev;
}

static bool ring_grow(sampo_ctx *ctx)
{
    uint32_t max = (uint32_t)ctx->opt.max_events;
    if (ctx->ev_cap >= max)
        return false;
    uint32_t ncap = ctx->ev_cap ? ctx->ev_cap * 2 : 16;
    if (ncap > max)
        ncap = max;
    sampo_event *n = sampo__mem_alloc(&ctx->mem, (size_t)ncap * sizeof(*n));
    if (!n)
        return false;
    for (uint32_t i = 0; i < ctx->ev_n; i++)
        n[i] = ctx->evq[(ctx->ev_head + i) % ctx->ev_cap];
    sampo__mem_free(&ctx->mem, ctx->evq);
    ctx->evq = n;
    ctx->ev_cap = ncap;
    ctx->ev_head = 0;
    return true;
}

void sampo__event_commit(sampo_ctx *ctx, sampo_event *ev)
{
    sampo__count(ctx, SAMPO_CNT_EVENTS);
    if (ctx->ev_cb) {
        ctx->ev_cb(ev, ctx->ev_user);
        return;
    }
    if (ctx->ev_n == ctx->ev_cap && !ring_grow(ctx)) {
        if (!ctx->ev_cap) {
            sampo__count(ctx, SAMPO_CNT_EVENTS_DROPPED);
            return;
        }
        ctx->ev_head = (ctx->ev_head + 1) % ctx->ev_cap;
        ctx->ev_n--;
        sampo__count(ctx, SAMPO_CNT_EVENTS_DROPPED);
    }
    ctx->evq[(ctx->ev_head + ctx->ev_n) % ctx->ev_cap] = *ev;
    ctx->ev_n++;
}

SAMPO_API int sampo_ctx_next_event(sampo_ctx *ctx, sampo_event *out)
{
    if (!ctx || !out || out->size < offsetof(sampo_event, dsn) + sizeof(out->dsn))
        return SAMPO_E_INVAL;
    if (!ctx->ev_n)
        return 0;
    *out = ctx->evq[ctx->ev_head];
    ctx->ev_head = (ctx->ev_head + 1) % ctx->ev_cap;
    ctx->ev_n--;
    return 1;
}

SAMPO_API int sampo_ctx_set_event_callback(sampo_ctx *ctx, sampo_event_cb cb, void *user)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    ctx->ev_cb = cb;
    ctx->ev_user = user;
    return SAMPO_OK;
}

void sampo__event_free_all(sampo_ctx *ctx)
{
    sampo__mem_free(&ctx->mem, ctx->evq);
    ctx->evq = NULL;
    ctx->ev_cap = ctx->ev_n = ctx->ev_head = 0;
}
