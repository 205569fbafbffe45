/* alloc.h - per-context allocation with exact accounting and a hard cap.
 *
 * Every block carries a small header with its size, so the context knows
 * at all times how much it holds (counter mem_current) and refuses an
 * allocation that would cross SAMPO_OPT_MAX_MEMORY.  This layer never
 * evicts anything: making room is the engine's decision
 * (engine/lifecycle.c), taken before a step starts. */
#ifndef SAMPO_CORE_ALLOC_H
#define SAMPO_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sampo.h"

typedef struct sampo__mem {
    sampo_allocator hooks;
    size_t cur, peak;
    size_t cap;    /* 0: no cap */
    uint64_t *cnt; /* the context's counters */
    bool oom;      /* a uthash allocation was refused (core/uthash_cfg.h) */
} sampo__mem;

void *sampo__mem_alloc(sampo__mem *m, size_t size);
void *sampo__mem_calloc(sampo__mem *m, size_t size);
void sampo__mem_free(sampo__mem *m, void *p);

/* What an allocation of `size` bytes costs against the cap. */
size_t sampo__mem_cost(size_t size);

/* Would `need` more bytes still fit under the cap? */
static inline bool sampo__mem_fits(const sampo__mem *m, size_t need)
{
    return !m->cap || (m->cur <= m->cap && need <= m->cap - m->cur);
}

#endif
