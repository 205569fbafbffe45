/* query.c - lookups and iteration over subflows, sessions, pairs and the
 * distrusted DSN regions.  Read-only: allowed inside a callback. */
#define SAMPO_EXPERIMENTAL_API
#include "api/api.h"

#include "core/counters.h"
#include "state/info.h"

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

static void subflow_out(const sampo__subflow *sf, sampo_subflow_info *out)
{
    sampo_subflow_info i;
    sampo__subflow_info(sf, &i);
    sampo__copy_out(out, &i, sizeof(i));
}

static void session_out(const sampo__session *s, sampo_session_info *out)
{
    sampo_session_info i;
    sampo__session_info(s, &i);
    sampo__copy_out(out, &i, sizeof(i));
}

SAMPO_API int sampo_ctx_lookup(sampo_ctx *ctx, const sampo_flow *flow, sampo_subflow_info *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!flow || !out || out->size < SAMPO__V01_SUBFLOW_INFO ||
        (flow->family != 4 && flow->family != 6))
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL flow or info, bad family, or size too small");
    sampo__fkey key;
    int dir;
    sampo__fkey_from_flow(flow, &key, &dir);
    sampo__subflow *sf = sampo__table_find(&ctx->flows, &key,
                                           sampo__fkey_hash(ctx->env.hkey, &key));
    if (!sf)
        return sampo__fail(ctx, SAMPO_E_NOTFOUND, "no such subflow");
    subflow_out(sf, out);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_subflow(sampo_ctx *ctx, uint64_t id, sampo_subflow_info *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!out || out->size < SAMPO__V01_SUBFLOW_INFO)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL info or size too small");
    sampo__subflow *sf = sampo__table_by_id(&ctx->flows, ctx->env.hkey, id);
    if (!sf)
        return sampo__fail(ctx, SAMPO_E_NOTFOUND, "no subflow %llu", (unsigned long long)id);
    subflow_out(sf, out);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_session(sampo_ctx *ctx, uint64_t id, sampo_session_info *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!out || out->size < SAMPO__V01_SESSION_INFO)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL info or size too small");
    sampo__session *s = sampo__session_by_id(&ctx->sessions, ctx->env.hkey, id);
    if (!s)
        return sampo__fail(ctx, SAMPO_E_NOTFOUND, "no session %llu", (unsigned long long)id);
    session_out(s, out);
    return sampo__succeed(ctx, SAMPO_OK);
}

SAMPO_API int sampo_ctx_next_session(sampo_ctx *ctx, uint64_t *cursor, sampo_session_info *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!cursor || !out || out->size < SAMPO__V01_SESSION_INFO)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL cursor or info, or size too small");
    sampo__session *s;
    if (*cursor == 0) {
        s = SAMPO__SESS_OF(ctx->sessions.all.head);
    } else if ((s = sampo__session_by_id(&ctx->sessions, ctx->env.hkey, *cursor))) {
        s = SAMPO__SESS_OF(s->link.next);
    } else { /* the cursor's session went away: first one after it */
        for (s = SAMPO__SESS_OF(ctx->sessions.all.head); s && s->id <= *cursor;
             s = SAMPO__SESS_OF(s->link.next))
            ;
    }
    if (!s)
        return sampo__succeed(ctx, 0);
    session_out(s, out);
    *cursor = s->id;
    return sampo__succeed(ctx, 1);
}

/* The member of s after subflow id `cursor`. */
static sampo__subflow *member_after(sampo_ctx *ctx, sampo__session *s, uint64_t cursor)
{
    if (cursor == 0)
        return sampo__session_first(s);
    sampo__subflow *at = sampo__table_by_id(&ctx->flows, ctx->env.hkey, cursor);
    if (at && at->sess == s)
        return SAMPO__SF_OF_SESS(at->sess_link.next);
    sampo__subflow *sf = sampo__session_first(s);
    while (sf && sf->id <= cursor)
        sf = SAMPO__SF_OF_SESS(sf->sess_link.next);
    return sf;
}

/* Every subflow by id: ids are dense and increasing, so probe the next ids
 * first and fall back to a scan past gaps. */
static sampo__subflow *subflow_after(sampo_ctx *ctx, uint64_t cursor)
{
    for (uint64_t id = cursor + 1; id <= ctx->flows.next_id && id <= cursor + 64; id++) {
        sampo__subflow *sf = sampo__table_by_id(&ctx->flows, ctx->env.hkey, id);
        if (sf)
            return sf;
    }
    sampo__subflow *best = NULL;
    for (sampo__subflow *it = sampo__table_oldest(&ctx->flows); it; it = sampo__table_newer(it))
        if (it->id > cursor && (!best || it->id < best->id))
            best = it;
    return best;
}

SAMPO_API int sampo_ctx_next_subflow(sampo_ctx *ctx, uint64_t session_id, uint64_t *cursor,
                                     sampo_subflow_info *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!cursor || !out || out->size < SAMPO__V01_SUBFLOW_INFO)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL cursor or info, or size too small");
    sampo__subflow *sf;
    if (session_id) {
        sampo__session *s = sampo__session_by_id(&ctx->sessions, ctx->env.hkey, session_id);
        if (!s)
            return sampo__fail(ctx, SAMPO_E_NOTFOUND, "no session %llu",
                               (unsigned long long)session_id);
        sf = member_after(ctx, s, *cursor);
    } else {
        sf = subflow_after(ctx, *cursor);
    }
    if (!sf)
        return sampo__succeed(ctx, 0);
    subflow_out(sf, out);
    *cursor = sf->id;
    return sampo__succeed(ctx, 1);
}

SAMPO_API int sampo_ctx_next_pair(sampo_ctx *ctx, uint64_t *cursor, sampo_pair_info *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!cursor || !out || out->size < SAMPO__V01_PAIR_INFO)
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL cursor or info, or size too small");
    sampo__pairs *ps = &ctx->assoc.pairs;
    sampo__pairs_sort(ps);
    if (*cursor >= ps->n_list)
        return sampo__succeed(ctx, 0);
    const sampo__pair *p = ps->list[*cursor];
    sampo_pair_info i;
    memset(&i, 0, sizeof(i));
    i.size = sizeof(i);
    for (int e = 0; e < 2; e++) {
        i.subflow_id[e] = p->id[e];
        sampo__subflow *sf = sampo__table_by_id(&ctx->flows, ctx->env.hkey, p->id[e]);
        if (sf)
            sampo__sf_to_flow(sf, &i.flow[e]);
    }
    i.verdict = (sampo_verdict)p->verdict;
    i.method = (sampo_method)p->method;
    i.confidence = p->phi;
    i.reinjections = p->reinjections;
    i.updated_ns = p->updated_ns;
    sampo__copy_out(out, &i, sizeof(i));
    (*cursor)++;
    return sampo__succeed(ctx, 1);
}

SAMPO_API int sampo_ctx_next_dsn_region(sampo_ctx *ctx, uint64_t *cursor, sampo_dsn_region *out)
{
    if (!ctx)
        return SAMPO_E_INVAL;
    if (!cursor || !out || out->size < SAMPO__MIN_SIZE(sampo_dsn_region, seen_ns))
        return sampo__fail(ctx, SAMPO_E_INVAL, "NULL cursor or region, or size too small");
    const sampo__trust *t = &ctx->assoc.trust;
    if (*cursor >= t->n)
        return sampo__succeed(ctx, 0);
    const sampo__region *r = &t->r[*cursor];
    sampo_dsn_region o = {sizeof(o), r->lo, r->len, r->witnesses, r->since_ns, r->seen_ns};
    sampo__copy_out(out, &o, sizeof(o));
    (*cursor)++;
    return sampo__succeed(ctx, 1);
}
