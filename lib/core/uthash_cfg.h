/* uthash_cfg.h - the one place uthash is configured.
 *
 * Allocation goes through the context allocator (so the memory cap holds),
 * an out-of-memory is never fatal (HASH_NONFATAL_OOM: a refused bucket
 * expansion rolls the insert back, a refused table allocation fails it,
 * and either sets mem->oom), and keys are hashed by the caller with the
 * context's keyed hash (core/hash.h; HASH_ADD/FIND_BYHASHVALUE), never by
 * uthash's default unkeyed function.
 *
 * Every use of a HASH_* macro that may allocate or free must have
 * `hmem` (sampo__mem *) in scope. */
#ifndef SAMPO_CORE_UTHASH_CFG_H
#define SAMPO_CORE_UTHASH_CFG_H

#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) sampo__mem_alloc(hmem, (sz))
#define uthash_free(ptr, sz) sampo__mem_free(hmem, (ptr))
#define uthash_nonfatal_oom(obj) (hmem->oom = true)
#define uthash_fatal(msg) (hmem->oom = true)
#define uthash_bzero(a, n) memset((a), 0, (n))

#include <uthash.h>

/* uthash expands a table when one bucket's chain reaches 10 entries, which
 * lets average chains grow to several entries, each a cache miss on a large
 * table.  A smaller threshold shortens them, but uthash expands on the
 * longest chain, so a very small one makes the bucket count grow faster
 * than the items (at 4, 1.8 KB per subflow at 100k against 1.4 KB at 10k).
 * 6 measured best for time and stays about linear in memory
 * (docs/benchmarks.md).  The macro is expanded where HASH_ADD is used, so
 * redefining it here takes effect. */
#undef HASH_BKT_CAPACITY_THRESH
#define HASH_BKT_CAPACITY_THRESH 6U

/* uthash stops expanding a table for good (noexpand) once two expansions
 * in a row left more than half its items in over-long chains: its answer
 * to a hash that cannot spread the keys.  Keys aimed at one bucket (a
 * flood crafted against a known seed) trigger it as well, and froze the
 * table at its size then: every key after them went into ever longer
 * chains (issue 9's audit: 200 crafted SYNs, then 400,000 ordinary flows
 * 70 times slower).  So a frozen table is doubled all the same when it
 * holds more than SAMPO__HASH_MAX_LOAD items per bucket: the crafted keys
 * keep their one chain, every other key a short one, and the buckets stay
 * proportional to the items (amortised O(1) per insert; a forced doubling
 * leaves 2 items per 16-byte bucket).  A refused doubling leaves the table
 * frozen and the insert in, and is tried again at the next insert;
 * sampo__hash_reserve() counts it in beforehand. */
#define SAMPO__HASH_MAX_LOAD 4U

static inline bool sampo__hash_overloaded(const UT_hash_table *tbl, unsigned more)
{
    return (uint64_t)tbl->num_items + more > (uint64_t)SAMPO__HASH_MAX_LOAD * tbl->num_buckets;
}

static inline void sampo__hash_unfreeze(sampo__mem *hmem, UT_hash_table *tbl)
{
    if (!sampo__hash_overloaded(tbl, 0))
        return;
    int oomed = 0;
    unsigned ineff = tbl->ineff_expands;
    tbl->noexpand = 0;
    tbl->ineff_expands = 0; /* one expansion cannot freeze it again */
    HASH_EXPAND_BUCKETS(hh, tbl, oomed);
    if (oomed) {
        tbl->noexpand = 1;
        tbl->ineff_expands = ineff;
        return;
    }
    hmem->cnt[SAMPO_CNT_HASH_FORCED_EXPANSIONS]++;
}

/* Insert `item` keyed by keyptr[0..keylen) with hash hv; `ok` says whether
 * it went in (false: the table or its expansion was refused memory, and
 * the table is as it was). */
#define SAMPO__HASH_ADD(hh, head, keyptr, keylen, hv, item, ok)          \
    do {                                                                 \
        hmem->oom = false;                                               \
        HASH_ADD_KEYPTR_BYHASHVALUE(hh, head, keyptr, keylen, hv, item); \
        (ok) = !hmem->oom;                                               \
        if ((ok) && (head)->hh.tbl->noexpand)                            \
            sampo__hash_unfreeze(hmem, (head)->hh.tbl);                  \
    } while (0)

/* Bytes the next insert into a table may allocate: the table itself when
 * it is empty, else a doubled bucket array (an expansion, uthash's or a
 * forced one).  What the engine keeps free before a step that may insert. */
static inline size_t sampo__hash_reserve(const UT_hash_handle *any)
{
    if (!any)
        return sampo__mem_cost(sizeof(UT_hash_table)) +
               sampo__mem_cost(HASH_INITIAL_NUM_BUCKETS * sizeof(UT_hash_bucket));
    if (any->tbl->noexpand && !sampo__hash_overloaded(any->tbl, 1))
        return 0; /* frozen, and the next insert does not unfreeze it */
    return sampo__mem_cost(2u * any->tbl->num_buckets * sizeof(UT_hash_bucket));
}

#define SAMPO__HASH_RESERVE(head, hh) sampo__hash_reserve((head) ? &(head)->hh : NULL)

#endif
