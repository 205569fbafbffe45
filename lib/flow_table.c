/* flow_table.c - subflows keyed by a canonical bidirectional 5-tuple.
 *
 * The key puts the lower (address, port) endpoint first and the packet's
 * direction is returned beside it, so both directions of a connection
 * find the same entry.  Keys are hashed with the context's seeded hash
 * (sampo__hash), which an attacker who does not know the seed cannot aim
 * at one bucket.  Subflows sit on an LRU list (oldest first) that drives
 * both the idle timeout and eviction under the caps. */
#include "internal.h"

static int endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
    int c = memcmp(a, b, 16);
    if (c)
        return c;
    return (pa > pb) - (pa < pb);
}

void sampo__fkey_from_pkt(const sampo__pkt *p, sampo__fkey *k, int *dir)
{
    memset(k, 0, sizeof(*k));
    k->family = p->family;
    int d = endpoint_cmp(p->src, p->sport, p->dst, p->dport) > 0;
    /* d = 0: the sender is endpoint 0 of the key. */
    memcpy(k->addr[d], p->src, 16);
    k->port[d] = p->sport;
    memcpy(k->addr[!d], p->dst, 16);
    k->port[!d] = p->dport;
    *dir = d;
}

unsigned sampo__fkey_hash(const sampo_ctx *ctx, const sampo__fkey *k)
{
    return (unsigned)sampo__hash(ctx->seed, k, sizeof(*k));
}

sampo__subflow *sampo__flow_find(sampo_ctx *ctx, const sampo__fkey *k, unsigned hv)
{
    sampo__subflow *sf = NULL;
    HASH_FIND_BYHASHVALUE(hh, ctx->flows, k, sizeof(*k), hv, sf);
    return sf;
}

/* Ask the cache for the bucket of hash hv (stage 1 of a batch) and then
 * for the first entry of its chain (stage 2): by the time the packet is
 * processed, its lookup and its subflow are in cache.  Hints only. */
void sampo__flow_prefetch_bucket(const sampo_ctx *ctx, unsigned hv)
{
    if (!ctx->flows)
        return;
    const UT_hash_table *t = ctx->flows->hh.tbl;
    __builtin_prefetch(&t->buckets[hv & (t->num_buckets - 1U)]);
}

void sampo__flow_prefetch_entry(const sampo_ctx *ctx, unsigned hv)
{
    if (!ctx->flows)
        return;
    const UT_hash_table *t = ctx->flows->hh.tbl;
    const UT_hash_handle *h = t->buckets[hv & (t->num_buckets - 1U)].hh_head;
    if (h) {
        const char *sf = (const char *)h - t->hho;
        __builtin_prefetch(sf);
        __builtin_prefetch(sf + 64);
        __builtin_prefetch(sf + offsetof(sampo__subflow, dir));
        __builtin_prefetch(sf + offsetof(sampo__subflow, dir) + sizeof(sampo__dir));
    }
}

static void lru_unlink(sampo_ctx *ctx, sampo__subflow *sf)
{
    if (sf->lru_prev)
        sf->lru_prev->lru_next = sf->lru_next;
    else
        ctx->lru_head = sf->lru_next;
    if (sf->lru_next)
        sf->lru_next->lru_prev = sf->lru_prev;
    else
        ctx->lru_tail = sf->lru_prev;
    sf->lru_prev = sf->lru_next = NULL;
}

static void lru_append(sampo_ctx *ctx, sampo__subflow *sf)
{
    sf->lru_prev = ctx->lru_tail;
    sf->lru_next = NULL;
    if (ctx->lru_tail)
        ctx->lru_tail->lru_next = sf;
    else
        ctx->lru_head = sf;
    ctx->lru_tail = sf;
}

/* A busy subflow is moved to the tail at most 16 times per idle timeout:
 * the list stays ordered to within idle/16, and most packets touch no
 * neighbour's cache line. */
void sampo__flow_touch(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now)
{
    sf->last_ns = now;
    if (ctx->lru_tail != sf && now - sf->lru_ns >= (uint64_t)ctx->opt.idle_ns / 16) {
        lru_unlink(ctx, sf);
        lru_append(ctx, sf);
        sf->lru_ns = now;
    }
}

/* Evict the least recently used subflow that is not pinned (the one being
 * processed).  Returns false when there is nothing left to evict. */
bool sampo__flow_evict_one(sampo_ctx *ctx)
{
    sampo__subflow *sf = ctx->lru_head;
    while (sf && sf->pinned)
        sf = sf->lru_next;
    if (!sf)
        return false;
    sampo__count(ctx, SAMPO_CNT_SUBFLOWS_EVICTED);
    sampo__flow_remove(ctx, sf, SAMPO_CLOSE_EVICTED);
    return true;
}

void *sampo__alloc_evicting(sampo_ctx *ctx, size_t size)
{
    for (;;) {
        void *p = sampo__mem_calloc(&ctx->mem, size);
        if (p)
            return p;
        if (!ctx->mem.cap || !sampo__flow_evict_one(ctx))
            return NULL;
    }
}

sampo__subflow *sampo__flow_create(sampo_ctx *ctx, const sampo__fkey *k, unsigned hv, uint64_t now)
{
    while ((int64_t)ctx->n_flows >= ctx->opt.max_subflows) {
        if (!sampo__flow_evict_one(ctx))
            return NULL;
    }
    sampo__subflow *sf = sampo__alloc_evicting(ctx, sizeof(*sf));
    if (!sf)
        return NULL;
    sf->key = *k;
    sf->id = ++ctx->next_flow_id;
    sf->first_ns = sf->last_ns = sf->lru_ns = now;
    sf->initiator = -1;
    sf->version = SAMPO__UNKNOWN_VERSION;
    for (int d = 0; d < 2; d++)
        sf->dir[d].addr_id = -1;

    /* Pinned: the evictions that make room for its entries must not take it. */
    sf->pinned = 1;
    bool ok;
    SAMPO__HASH_ADD_EVICTING(ctx, hh, ctx->flows, &sf->key, sizeof(sf->key), hv, sf, ok);
    if (!ok) {
        sampo__mem_free(&ctx->mem, sf);
        return NULL;
    }
    hv = (unsigned)sampo__hash(ctx->seed, &sf->id, sizeof(sf->id));
    SAMPO__HASH_ADD_EVICTING(ctx, hh_id, ctx->flows_by_id, &sf->id, sizeof(sf->id), hv, sf, ok);
    if (!ok) {
        HASH_DELETE(hh, ctx->flows, sf);
        sampo__mem_free(&ctx->mem, sf);
        return NULL;
    }
    sf->pinned = 0;
    lru_append(ctx, sf);
    ctx->n_flows++;
    sampo__count(ctx, SAMPO_CNT_SUBFLOWS_CREATED);
    return sf;
}

void sampo__flow_remove(sampo_ctx *ctx, sampo__subflow *sf, int reason)
{
    sampo__session_unlink(ctx, sf, reason, ctx->now_ns);
    sampo__conn_detach(ctx, sf);
    if (sf->anchor_conn) {
        sampo__conn_release(ctx, sf->anchor_conn);
        sf->anchor_conn = NULL;
    }
    sampo__dsn_free(ctx, sf);
    lru_unlink(ctx, sf);
    HASH_DELETE(hh, ctx->flows, sf);
    HASH_DELETE(hh_id, ctx->flows_by_id, sf);
    ctx->n_flows--;
    sampo__mem_free(&ctx->mem, sf);
}

void sampo__flow_expire(sampo_ctx *ctx, uint64_t now)
{
    uint64_t idle = (uint64_t)ctx->opt.idle_ns;
    while (ctx->lru_head && now >= ctx->lru_head->lru_ns && now - ctx->lru_head->lru_ns >= idle) {
        sampo__subflow *sf = ctx->lru_head;
        if (now - sf->last_ns < idle) { /* used since it was placed: its turn comes later */
            lru_unlink(ctx, sf);
            lru_append(ctx, sf);
            sf->lru_ns = sf->last_ns;
            continue;
        }
        sampo__count(ctx, SAMPO_CNT_SUBFLOWS_EXPIRED);
        sampo__flow_remove(ctx, sf, SAMPO_CLOSE_TIMEOUT);
    }
}

void sampo__flow_to_public(const sampo__subflow *sf, sampo_flow *out)
{
    /* Initiator first when a SYN was seen.  Otherwise the endpoint with the
     * higher port first: clients use ephemeral ports, servers low ones
     * (ties keep the canonical order). */
    int s = sf->initiator;
    if (s < 0)
        s = sf->key.port[1] > sf->key.port[0];
    memset(out, 0, sizeof(*out));
    out->family = sf->key.family;
    memcpy(out->src, sf->key.addr[s], 16);
    memcpy(out->dst, sf->key.addr[!s], 16);
    out->src_port = sf->key.port[s];
    out->dst_port = sf->key.port[!s];
}

sampo__subflow *sampo__flow_by_id(sampo_ctx *ctx, uint64_t id)
{
    sampo__subflow *sf = NULL;
    HASH_FIND_BYHASHVALUE(hh_id, ctx->flows_by_id, &id, sizeof(id),
                          (unsigned)sampo__hash(ctx->seed, &id, sizeof(id)), sf);
    return sf;
}
