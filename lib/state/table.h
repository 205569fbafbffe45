/* table.h - the flow table: subflows by canonical key and by id, in LRU
 * order.  A container only: it finds, inserts, reorders and unlinks; it
 * never allocates or frees a subflow and never decides when one goes
 * (engine/lifecycle.c does). */
#ifndef SAMPO_STATE_TABLE_H
#define SAMPO_STATE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/env.h"
#include "state/subflow.h"

typedef struct sampo__table {
    sampo__subflow *by_key;
    sampo__subflow *by_id;
    sampo__list lru; /* oldest first */
    uint64_t next_id;
    uint64_t removed; /* subflows unlinked so far */
} sampo__table;

static inline uint32_t sampo__table_count(const sampo__table *t) { return t->lru.n; }

sampo__subflow *sampo__table_find(sampo__table *t, const sampo__fkey *k, unsigned hv);
sampo__subflow *sampo__table_by_id(sampo__table *t, sampo__hkey hkey, uint64_t id);
/* Give sf (key set) the next id and index it; false (nothing indexed)
 * when a table was refused memory. */
bool sampo__table_insert(sampo__env *env, sampo__table *t, sampo__subflow *sf, unsigned hv,
                         uint64_t now);
void sampo__table_unlink(sampo__env *env, sampo__table *t, sampo__subflow *sf);
/* A packet of sf at `now`: LRU bookkeeping (see table.c). */
void sampo__table_touch(sampo__table *t, sampo__subflow *sf, uint64_t now, uint64_t idle_ns);
/* Move sf to the LRU tail as last used at sf->last_ns. */
void sampo__table_requeue(sampo__table *t, sampo__subflow *sf);

static inline sampo__subflow *sampo__table_oldest(const sampo__table *t)
{
    return SAMPO__SF_OF_LRU(t->lru.head);
}

static inline sampo__subflow *sampo__table_newer(const sampo__subflow *sf)
{
    return SAMPO__SF_OF_LRU(sf->lru.next);
}

/* Bytes an insert may allocate (hash tables). */
size_t sampo__table_reserve(const sampo__table *t);

/* Cache hints for a batch (stage 1: the bucket; stage 2: the chain's first entry). */
void sampo__table_prefetch_bucket(const sampo__table *t, unsigned hv);
void sampo__table_prefetch_entry(const sampo__table *t, unsigned hv);

#endif
