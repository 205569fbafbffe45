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

/* Insert `item` keyed by keyptr[0..keylen) with hash hv; `ok` says whether
 * it went in (false: the table or its expansion was refused memory, and
 * the table is as it was). */
#define SAMPO__HASH_ADD(hh, head, keyptr, keylen, hv, item, ok)          \
    do {                                                                 \
        hmem->oom = false;                                               \
        HASH_ADD_KEYPTR_BYHASHVALUE(hh, head, keyptr, keylen, hv, item); \
        (ok) = !hmem->oom;                                               \
    } while (0)

/* Bytes the next insert into a table may allocate: the table itself when
 * it is empty, else a doubled bucket array (an expansion).  What the
 * engine keeps free before a step that may insert. */
static inline size_t sampo__hash_reserve(const UT_hash_handle *any)
{
    if (!any)
        return sampo__mem_cost(sizeof(UT_hash_table)) +
               sampo__mem_cost(HASH_INITIAL_NUM_BUCKETS * sizeof(UT_hash_bucket));
    if (any->tbl->noexpand)
        return 0;
    return sampo__mem_cost(2u * any->tbl->num_buckets * sizeof(UT_hash_bucket));
}

#define SAMPO__HASH_RESERVE(head, hh) sampo__hash_reserve((head) ? &(head)->hh : NULL)

#endif
