/* env.h - what every layer below the engine is handed: the context's
 * allocator, counters, event queue, options, hash key and time origin.
 * The engine owns the values; lower layers only use them. */
#ifndef SAMPO_CORE_ENV_H
#define SAMPO_CORE_ENV_H

#include <stdint.h>

#include "core/alloc.h"
#include "core/events.h"
#include "core/hash.h"
#include "core/opts.h"

typedef struct sampo__env {
    sampo__mem *mem;
    uint64_t *cnt;
    sampo__evq *evq;
    const sampo__opts *opt;
    sampo__hkey hkey; /* the tables' SipHash key (core/hash.h) */
    uint64_t t0_ns;   /* the first packet's time: segment times are relative to it */
} sampo__env;

#endif
