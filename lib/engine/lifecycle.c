/* lifecycle.c - room, creation, closing, expiry, eviction, end of life (see
 * lifecycle.h). */
#include "engine/lifecycle.h"

#include "core/counters.h"
#include "state/cover.h"
#include "state/dsn.h"
#include "state/info.h"

/* ---- room ------------------------------------------------------------------ */

static void end_subflow(sampo_ctx *ctx, sampo__subflow *sf, int reason, uint64_t now);

/* State that carries no progress: one packet, or neither a handshake nor
 * any advance at the data level (what a flood costs nothing to send). */
static bool no_progress(const sampo__subflow *sf)
{
    uint64_t pkts = sf->dir[0].pkts + sf->dir[1].pkts;
    if (pkts <= 1)
        return true;
    if (sf->initiator >= 0 || sf->conn)
        return false;
    for (int d = 0; d < 2; d++)
        if (sf->dir[d].dsn_hi - sf->dir[d].dsn_lo > 1 || sf->dir[d].ack_hi - sf->dir[d].ack_lo > 1)
            return false;
    return true;
}

/* Entries looked at from the LRU head for one without progress. */
#define EVICT_SCAN 64

/* Does source src hold its quota of the table (and share it with others)? */
static bool over_quota(const sampo_ctx *ctx, const sampo__source *src)
{
    uint32_t n = sampo__table_count(&ctx->flows);
    return src && src->members.n < n &&
           (uint64_t)src->members.n * 100 >= (uint64_t)ctx->opt.source_quota * n;
}

/* Among the EVICT_SCAN first of a list of subflows (oldest first, `next`
 * the link's successor), the first without progress, else the first of a
 * source over its quota, else the first. */
static sampo__subflow *pick(const sampo_ctx *ctx, sampo__link *l, bool by_source,
                            const sampo__subflow *keep)
{
    sampo__subflow *first = NULL, *heavy = NULL;
    for (int k = 0; l && k < EVICT_SCAN; l = l->next, k++) {
        sampo__subflow *sf = by_source ? SAMPO__SF_OF_SRC(l) : SAMPO__SF_OF_LRU(l);
        if (sf == keep)
            continue;
        if (no_progress(sf))
            return sf;
        if (!first)
            first = sf;
        if (!by_source && !heavy && over_quota(ctx, sf->src))
            heavy = sf;
    }
    return heavy ? heavy : first;
}

/* The next subflow to evict to make room for a packet of source `src`
 * (NULL: none in particular).  A source that holds its quota ends its own
 * subflows; otherwise the least recently used, state without progress
 * first, then that of sources over their quota. */
static sampo__subflow *victim(sampo_ctx *ctx, const sampo__subflow *keep, sampo__source *src,
                              bool *own)
{
    *own = false;
    if (over_quota(ctx, src)) {
        sampo__subflow *sf = pick(ctx, src->members.head, true, keep);
        if (sf) {
            *own = true;
            return sf;
        }
    }
    sampo__subflow *oldest = sampo__table_oldest(&ctx->flows);
    return pick(ctx, oldest ? &oldest->lru : NULL, false, keep);
}

static bool evict_one(sampo_ctx *ctx, const sampo__subflow *keep, sampo__source *src)
{
    bool own;
    sampo__subflow *sf = victim(ctx, keep, src, &own);
    if (!sf)
        return false;
    sampo__count(ctx->cnt, SAMPO_CNT_SUBFLOWS_EVICTED);
    if (own)
        sampo__count(ctx->cnt, SAMPO_CNT_SOURCE_QUOTA_EVICTIONS);
    end_subflow(ctx, sf, SAMPO_CLOSE_EVICTED, ctx->now_ns);
    return true;
}

void sampo__lc_make_room(sampo_ctx *ctx, size_t need, const sampo__subflow *keep,
                         sampo__source *src)
{
    if (!ctx->mem.cap || sampo__mem_fits(&ctx->mem, need))
        return;
    sampo__count(ctx->cnt, SAMPO_CNT_MEM_CAP_HITS);
    while (!sampo__mem_fits(&ctx->mem, need))
        if (!evict_one(ctx, keep, src))
            break;
}

size_t sampo__lc_evict(sampo_ctx *ctx, size_t n)
{
    size_t k = 0;
    while (k < n && evict_one(ctx, NULL, NULL))
        k++;
    return k;
}

size_t sampo__lc_packet_margin(const sampo_ctx *ctx)
{
    size_t ring = sampo__mem_cost((size_t)ctx->opt.max_segments * sizeof(sampo__seg));
    return 2 * ring + 2 * (sampo__cover_reserve() + sampo__conns_reserve(&ctx->conns) +
                           sampo__sessions_reserve(&ctx->sessions));
}

size_t sampo__lc_packet_need(const sampo_ctx *ctx, const sampo__subflow *sf)
{
    size_t need = sampo__dsn_reserve(&ctx->env, sf) + sampo__cover_reserve() +
                  sampo__conns_reserve(&ctx->conns) + sampo__sessions_reserve(&ctx->sessions);
    if (!sf)
        need += sampo__mem_cost(sizeof(sampo__subflow)) + sampo__table_reserve(&ctx->flows);
    return need;
}

/* ---- creation -------------------------------------------------------------- */

sampo__subflow *sampo__lc_subflow_new(sampo_ctx *ctx, const sampo__fkey *k, unsigned hv,
                                      sampo__source *src, uint64_t now)
{
    while ((int64_t)sampo__table_count(&ctx->flows) >= ctx->opt.max_subflows)
        if (!evict_one(ctx, NULL, src))
            return NULL;
    sampo__subflow *sf = sampo__mem_calloc(&ctx->mem, sizeof(*sf));
    if (!sf)
        return NULL;
    sf->key = *k;
    sf->first_ns = sf->last_ns = now;
    sf->initiator = -1;
    sf->version = SAMPO__UNKNOWN_VERSION;
    for (int d = 0; d < 2; d++)
        sf->dir[d].addr_id = -1;
    if (!sampo__table_insert(&ctx->env, &ctx->flows, sf, hv, now)) {
        sampo__mem_free(&ctx->mem, sf);
        return NULL;
    }
    sf->src = src;
    sampo__list_append(&src->members, &sf->src_link);
    sampo__count(ctx->cnt, SAMPO_CNT_SUBFLOWS_CREATED);
    return sf;
}

/* ---- closing (the protocol's) ---------------------------------------------- */

void sampo__lc_close_session(sampo_ctx *ctx, sampo__session *s, int reason, uint64_t now)
{
    if (s->closed)
        return;
    s->closed = 1;
    s->close_reason = (uint8_t)reason;
    sampo__count(ctx->cnt, SAMPO_CNT_SESSIONS_CLOSED);
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_SESSION_CLOSED, now);
    ev->session_id = s->id;
    ev->mptcp_version = s->version;
    ev->reason = s->close_reason;
    sampo__ev_commit(&ctx->evq, ev, NULL);
}

static void subflow_closed_event(sampo_ctx *ctx, const sampo__subflow *sf, int reason,
                                 int tcprst_reason, uint64_t now)
{
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_SUBFLOW_CLOSED, now);
    sampo__event_about(ev, sf);
    ev->reason = reason;
    ev->tcprst_reason = (uint8_t)tcprst_reason;
    sampo__ev_commit(&ctx->evq, ev, NULL);
}

void sampo__lc_close_subflow(sampo_ctx *ctx, sampo__subflow *sf, int reason, int tcprst_reason,
                             uint64_t now)
{
    if (sf->closed)
        return;
    sf->closed = 1;
    sf->close_reason = (uint8_t)reason;
    sampo__count(ctx->cnt, SAMPO_CNT_SUBFLOWS_CLOSED);
    subflow_closed_event(ctx, sf, reason, tcprst_reason, now);
    sampo__session *s = sf->sess;
    if (!s)
        return;
    int last = SAMPO_CLOSE_NONE;
    for (const sampo__link *l = s->members.head; l; l = l->next) {
        const sampo__subflow *m = SAMPO__SF_OF_SESS(l);
        if (!m->closed)
            return;
        last = m->close_reason;
    }
    sampo__lc_close_session(ctx, s, last, now);
}

/* ---- end of life ------------------------------------------------------------ */

static void end_record_subflow(sampo_ctx *ctx, const sampo__subflow *sf, int reason, uint64_t now)
{
    sampo__record rec;
    sampo__subflow_info(sf, &rec.sf);
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_SUBFLOW_END, now);
    sampo__event_about(ev, sf);
    ev->reason = reason;
    ev->method = (sampo_method)sf->method;
    ev->confidence = sf->confidence;
    ev->mptcp_version = rec.sf.mptcp_version;
    sampo__ev_commit(&ctx->evq, ev, &rec);
    sampo__count(ctx->cnt, SAMPO_CNT_SUBFLOWS_ENDED);
}

static void end_session(sampo_ctx *ctx, sampo__session *s, int reason, uint64_t now)
{
    sampo__lc_close_session(ctx, s, reason, now);
    sampo__record rec;
    sampo__session_info(s, &rec.ss);
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_SESSION_END, now);
    ev->session_id = s->id;
    ev->reason = reason;
    ev->method = rec.ss.method;
    ev->confidence = rec.ss.confidence;
    ev->mptcp_version = s->version;
    sampo__ev_commit(&ctx->evq, ev, &rec);
    sampo__count(ctx->cnt, SAMPO_CNT_SESSIONS_ENDED);
    sampo__session_destroy(&ctx->env, &ctx->sessions, s);
}

/* Free sf, out of any session: its connection (freed with its last
 * member), its DSN state, its table entry. */
static void release(sampo_ctx *ctx, sampo__subflow *sf)
{
    sampo__conn *c = sampo__conn_unlink(sf);
    if (c && !c->members.n)
        sampo__conn_destroy(&ctx->env, &ctx->conns, c);
    sampo__dsn_release(&ctx->env, sf);
    if (sf->src) {
        sampo__list_remove(&sf->src->members, &sf->src_link);
        sampo__source_put(&ctx->env, &ctx->sources, sf->src);
    }
    sampo__table_unlink(&ctx->env, &ctx->flows, sf);
    sampo__mem_free(&ctx->mem, sf);
}

/* End sf (reason: SAMPO_CLOSE_TIMEOUT, _EVICTED, _FLUSH, _DESTROY): its
 * records, then free. */
static void end_subflow(sampo_ctx *ctx, sampo__subflow *sf, int reason, uint64_t now)
{
    /* A subflow the protocol never closed is reported closed by its end. */
    if (!sf->closed) {
        sf->closed = 1;
        sf->close_reason = (uint8_t)reason;
        subflow_closed_event(ctx, sf, reason, 0, now);
    }
    end_record_subflow(ctx, sf, reason, now);
    sampo__session *s = sf->sess;
    if (s) {
        uint8_t keys;
        uint32_t tokens[2];
        sampo__conn_identity(sf->conn, &keys, tokens);
        sampo__session_retire(ctx->cnt, sf, keys, tokens);
        if (!sampo__session_size(s))
            end_session(ctx, s, reason, now);
    }
    release(ctx, sf);
}

void sampo__lc_end(sampo_ctx *ctx, sampo__subflow *sf, int reason, uint64_t now)
{
    end_subflow(ctx, sf, reason, now);
}

void sampo__lc_expire(sampo_ctx *ctx, uint64_t now)
{
    uint64_t idle = (uint64_t)ctx->opt.idle_ns;
    sampo__subflow *sf;
    while ((sf = sampo__table_oldest(&ctx->flows)) && now >= sf->lru_ns &&
           now - sf->lru_ns >= idle) {
        if (now - sf->last_ns < idle) { /* used since it was placed: its turn comes later */
            sampo__table_requeue(&ctx->flows, sf);
            continue;
        }
        sampo__count(ctx->cnt, SAMPO_CNT_SUBFLOWS_EXPIRED);
        end_subflow(ctx, sf, SAMPO_CLOSE_TIMEOUT, now);
    }
}

bool sampo__lc_end_oldest(sampo_ctx *ctx, int reason, uint64_t now)
{
    sampo__subflow *sf = sampo__table_oldest(&ctx->flows);
    if (!sf)
        return false;
    end_subflow(ctx, sf, reason, now);
    return true;
}

void sampo__lc_free_all(sampo_ctx *ctx)
{
    sampo__subflow *sf;
    while ((sf = sampo__table_oldest(&ctx->flows))) {
        sampo__session *s = sf->sess;
        sampo__session_remove(sf);
        if (s && !sampo__session_size(s))
            sampo__session_destroy(&ctx->env, &ctx->sessions, s);
        release(ctx, sf);
    }
    sampo__assoc_free(&ctx->env, &ctx->assoc);
    sampo__sources_free(&ctx->env, &ctx->sources);
    sampo__ev_free(&ctx->evq);
}
