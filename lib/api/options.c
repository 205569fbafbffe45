/* options.c - the table of options (see options.h). */
#include "api/options.h"

#include <string.h>

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

#define OI(id, name, field, lo, hi, def) \
    [id] = {name, SAMPO_OPTTYPE_INT, offsetof(sampo__opts, field), lo, hi, def, 0, 0, 0}
#define OR(id, name, field, lo, hi, def) \
    [id] = {name, SAMPO_OPTTYPE_REAL, offsetof(sampo__opts, field), 0, 0, 0, lo, hi, def}

static const sampo__opt_def opt_defs[] = {
    OI(SAMPO_OPT_WINDOW_NS, "window_ns", window_ns, MS, 3600 * SEC, 500 * MS),
    OI(SAMPO_OPT_RETENTION_NS, "retention_ns", retention_ns, MS, 86400 * SEC, 2 * SEC),
    OI(SAMPO_OPT_IDLE_TIMEOUT_NS, "idle_timeout_ns", idle_ns, MS, 86400 * SEC, 15 * SEC),
    OI(SAMPO_OPT_MAX_SUBFLOWS, "max_subflows", max_subflows, 1, INT64_C(1) << 30, INT64_C(1) << 20),
    OI(SAMPO_OPT_MAX_MEMORY, "max_memory", max_memory, 0, INT64_MAX, INT64_C(1) << 30),
    OR(SAMPO_OPT_MIN_CONFIDENCE, "min_confidence", min_confidence, 0.0, 1.0, 0.99),
    OI(SAMPO_OPT_TOKEN_EVIDENCE, "token_evidence", token_evidence, 0, 1, 1),
    OI(SAMPO_OPT_DSN_EVIDENCE, "dsn_evidence", dsn_evidence, 0, 1, 1),
    OI(SAMPO_OPT_HASH_SEED, "hash_seed", hash_seed, INT64_MIN, INT64_MAX, 0),
    OI(SAMPO_OPT_SAMPLING_RATE, "sampling_rate", sampling_rate, 1, 1000000000, 1),
    OI(SAMPO_OPT_MAX_SEGMENTS, "max_segments", max_segments, 8, 1 << 20, 512),
    OI(SAMPO_OPT_MAX_EVENTS, "max_events", max_events, 1, 1 << 24, 1 << 16),
    OR(SAMPO_OPT_GAP_STEEPNESS, "gap_steepness", gap_k, 0.01, 1000.0, 8.0),
    OR(SAMPO_OPT_HYSTERESIS, "hysteresis", hysteresis, 0.0, 1.0, 0.5),
    OI(SAMPO_OPT_AUTO_RUN, "auto_run", auto_run, 0, 1, 1),
    OI(SAMPO_OPT_MAX_CANDIDATES, "max_candidates", max_candidates, 1, 4096, 16),
    OI(SAMPO_OPT_SOURCE_QUOTA, "source_quota", source_quota, 1, 100, 50),
};
#define N_OPTS ((int)(sizeof(opt_defs) / sizeof(opt_defs[0])))

const sampo__opt_def *sampo__opt_lookup(int opt)
{
    if (opt <= 0 || opt >= N_OPTS || !opt_defs[opt].name)
        return NULL;
    return &opt_defs[opt];
}

void sampo__opts_defaults(sampo__opts *o)
{
    for (int i = 1; i < N_OPTS; i++) {
        const sampo__opt_def *d = &opt_defs[i];
        if (!d->name)
            continue;
        if (d->type == SAMPO_OPTTYPE_INT)
            memcpy((char *)o + d->off, &d->idef, sizeof(d->idef));
        else
            memcpy((char *)o + d->off, &d->rdef, sizeof(d->rdef));
    }
}
