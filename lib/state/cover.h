/* cover.h - which data-level bytes of one DSN space a session was seen to
 * carry: a small sorted set of disjoint intervals, merged as they touch,
 * at most SAMPO__COVER_MAX of them (past that the lowest quarter goes,
 * counted).  It
 * tells a reinjection apart: new subflow-level data whose data-level bytes
 * are already covered was sent before on another subflow. */
#ifndef SAMPO_STATE_COVER_H
#define SAMPO_STATE_COVER_H

#include <stdint.h>

#include "core/env.h"

#define SAMPO__COVER_MAX 64

typedef struct sampo__cover {
    uint32_t n, cap;
    struct {
        uint64_t lo, hi; /* [lo, hi) */
    } iv[];
} sampo__cover;

/* Add [lo, hi) to *c (allocated on first use).  Returns 1 when part of it
 * was covered already, 0 when none was, -1 when memory was refused (then
 * nothing was recorded). */
int sampo__cover_add(sampo__env *env, sampo__cover **c, uint64_t lo, uint64_t hi);
void sampo__cover_free(sampo__env *env, sampo__cover **c);
/* Bytes sampo__cover_add() may allocate. */
size_t sampo__cover_reserve(void);

#endif
