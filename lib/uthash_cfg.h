/* uthash_cfg.h - the one place uthash is configured.
 *
 * Allocation goes through the context allocator (so the memory cap holds),
 * an out-of-memory is never fatal (HASH_NONFATAL_OOM: a refused bucket
 * expansion only leaves chains longer; a refused first insert is reported
 * through ctx->hash_oom), and keys are hashed by the caller with the
 * context's seeded hash (HASH_ADD/FIND_BYHASHVALUE), never by uthash's
 * default unseeded function.
 *
 * Every use of a HASH_* macro must have `ctx` (sampo_ctx *) in scope. */
#ifndef SAMPO_UTHASH_CFG_H
#define SAMPO_UTHASH_CFG_H

#include <string.h>

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) sampo__mem_alloc(&ctx->mem, (sz))
#define uthash_free(ptr, sz) sampo__mem_free(&ctx->mem, (ptr))
#define uthash_nonfatal_oom(obj) (ctx->hash_oom = true)
#define uthash_fatal(msg) (ctx->hash_oom = true)
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

#endif
