/* ring.h - the one ring buffer of the library: index arithmetic over a
 * caller-owned array of `cap` elements holding `n` from `head`, and growth
 * that keeps the order.  Used for the retained DSN segments of a subflow
 * direction and for the event queue. */
#ifndef SAMPO_CORE_RING_H
#define SAMPO_CORE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"

typedef struct sampo__ring {
    uint32_t head, n, cap;
} sampo__ring;

/* Array index of the i-th element (0 = oldest), i < cap. */
static inline uint32_t sampo__ring_at(const sampo__ring *r, uint32_t i)
{
    uint32_t k = r->head + i;
    return k >= r->cap ? k - r->cap : k;
}

/* Index of the slot after the newest (the ring must not be full). */
static inline uint32_t sampo__ring_tail(const sampo__ring *r) { return sampo__ring_at(r, r->n); }

static inline void sampo__ring_pop(sampo__ring *r)
{
    r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
    r->n--;
}

/* Move the ring's elements into a new array of `ncap` (> n) elements of
 * `elem` bytes, oldest first; false (ring unchanged) when the memory is
 * refused. */
bool sampo__ring_grow(sampo__mem *m, void **buf, size_t elem, sampo__ring *r, uint32_t ncap);

#endif
