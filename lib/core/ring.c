/* ring.c - ring growth (see ring.h). */
#include "core/ring.h"

#include <string.h>

bool sampo__ring_grow(sampo__mem *m, void **buf, size_t elem, sampo__ring *r, uint32_t ncap)
{
    if (ncap <= r->n)
        return false;
    char *n = sampo__mem_alloc(m, (size_t)ncap * elem);
    if (!n)
        return false;
    const char *old = *buf;
    /* Two runs: from head to the end of the array, then from its start. */
    uint32_t first = r->cap - r->head < r->n ? r->cap - r->head : r->n;
    if (first)
        memcpy(n, old + (size_t)r->head * elem, (size_t)first * elem);
    if (r->n > first)
        memcpy(n + (size_t)first * elem, old, (size_t)(r->n - first) * elem);
    sampo__mem_free(m, *buf);
    *buf = n;
    r->cap = ncap;
    r->head = 0;
    return true;
}
