/* opts.h - the values of the context's options (the table of names,
 * ranges and defaults is api/options.c). */
#ifndef SAMPO_CORE_OPTS_H
#define SAMPO_CORE_OPTS_H

#include <stdint.h>

typedef struct sampo__opts {
    int64_t window_ns, retention_ns, idle_ns;
    int64_t max_subflows, max_memory, hash_seed, sampling_rate;
    int64_t max_segments, max_events;
    int64_t token_evidence, dsn_evidence, auto_run, max_candidates;
    int64_t source_quota;
    double min_confidence, gap_k, hysteresis;
} sampo__opts;

#endif
