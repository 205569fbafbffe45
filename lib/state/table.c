/* table.c - the flow table (see table.h).
 *
 * Keys are hashed with the context's keyed hash (SipHash-1-3), which an
 * attacker who does not know the key cannot aim at one bucket.  The LRU list drives
 * both the idle timeout and eviction under the caps, which the engine
 * walks from the oldest end. */
#include "state/table.h"

#include "core/hash.h"

sampo__subflow *sampo__table_find(sampo__table *t, const sampo__fkey *k, unsigned hv)
{
    sampo__subflow *sf = NULL;
    HASH_FIND_BYHASHVALUE(hh, t->by_key, k, sizeof(*k), hv, sf);
    return sf;
}

sampo__subflow *sampo__table_by_id(sampo__table *t, sampo__hkey hkey, uint64_t id)
{
    sampo__subflow *sf = NULL;
    HASH_FIND_BYHASHVALUE(hh_id, t->by_id, &id, sizeof(id), sampo__hash_u64(hkey, id), sf);
    return sf;
}

bool sampo__table_insert(sampo__env *env, sampo__table *t, sampo__subflow *sf, unsigned hv,
                         uint64_t now)
{
    sampo__mem *hmem = env->mem;
    bool ok;
    sf->id = t->next_id + 1;
    SAMPO__HASH_ADD(hh, t->by_key, &sf->key, sizeof(sf->key), hv, sf, ok);
    if (!ok)
        return false;
    SAMPO__HASH_ADD(hh_id, t->by_id, &sf->id, sizeof(sf->id), sampo__hash_u64(env->hkey, sf->id),
                    sf, ok);
    if (!ok) {
        HASH_DELETE(hh, t->by_key, sf);
        return false;
    }
    t->next_id++;
    sf->lru_ns = now;
    sampo__list_append(&t->lru, &sf->lru);
    return true;
}

void sampo__table_unlink(sampo__env *env, sampo__table *t, sampo__subflow *sf)
{
    sampo__mem *hmem = env->mem;
    sampo__list_remove(&t->lru, &sf->lru);
    HASH_DELETE(hh, t->by_key, sf);
    HASH_DELETE(hh_id, t->by_id, sf);
    t->removed++;
}

void sampo__table_requeue(sampo__table *t, sampo__subflow *sf)
{
    sampo__list_remove(&t->lru, &sf->lru);
    sampo__list_append(&t->lru, &sf->lru);
    sf->lru_ns = sf->last_ns;
}

/* A busy subflow is moved to the tail at most 16 times per idle timeout:
 * the list stays ordered to within idle/16 (the expiry walk requeues an
 * entry used since it was placed), and most packets touch no neighbour's
 * cache line. */
void sampo__table_touch(sampo__table *t, sampo__subflow *sf, uint64_t now, uint64_t idle_ns)
{
    sf->last_ns = now;
    if (t->lru.tail != &sf->lru && now - sf->lru_ns >= idle_ns / 16) {
        sampo__list_remove(&t->lru, &sf->lru);
        sampo__list_append(&t->lru, &sf->lru);
        sf->lru_ns = now;
    }
}

size_t sampo__table_reserve(const sampo__table *t)
{
    return SAMPO__HASH_RESERVE(t->by_key, hh) + SAMPO__HASH_RESERVE(t->by_id, hh_id);
}

void sampo__table_prefetch_bucket(const sampo__table *t, unsigned hv)
{
    if (!t->by_key)
        return;
    const UT_hash_table *h = t->by_key->hh.tbl;
    __builtin_prefetch(&h->buckets[hv & (h->num_buckets - 1U)]);
}

void sampo__table_prefetch_entry(const sampo__table *t, unsigned hv)
{
    if (!t->by_key)
        return;
    const UT_hash_table *h = t->by_key->hh.tbl;
    const UT_hash_handle *e = h->buckets[hv & (h->num_buckets - 1U)].hh_head;
    if (e) {
        const char *sf = (const char *)e - h->hho;
        __builtin_prefetch(sf);
        __builtin_prefetch(sf + 64);
        __builtin_prefetch(sf + offsetof(sampo__subflow, dir));
        __builtin_prefetch(sf + offsetof(sampo__subflow, dir) + sizeof(sampo__dir));
    }
}
