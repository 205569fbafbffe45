/* counters.h - the context's named counters (SAMPO_COUNTER_MAP of sampo.h).
 * Every layer counts through these helpers on the array it is handed. */
#ifndef SAMPO_CORE_COUNTERS_H
#define SAMPO_CORE_COUNTERS_H

#include <stdint.h>

#include "sampo.h"

static inline void sampo__count(uint64_t *cnt, int c) { cnt[c]++; }

static inline void sampo__count_add(uint64_t *cnt, int c, uint64_t n) { cnt[c] += n; }

/* a + b, saturating at UINT64_MAX (traffic estimates). */
static inline uint64_t sampo__sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* est + add for a traffic estimate (est_packets, est_bytes and their
 * session totals): held at UINT64_MAX rather than wrapping, and counted
 * (est_saturated) whenever the exact sum does not fit. */
static inline uint64_t sampo__est_add(uint64_t *cnt, uint64_t est, uint64_t add)
{
    uint64_t s = est + add;
    if (__builtin_expect(s < est, 0)) {
        cnt[SAMPO_CNT_EST_SATURATED]++;
        return UINT64_MAX;
    }
    return s;
}

#endif
