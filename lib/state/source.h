/* source.h - declared sampling rates per packet source (exporter or
 * interface), for the traffic estimates. */
#ifndef SAMPO_STATE_SOURCE_H
#define SAMPO_STATE_SOURCE_H

#include <stdint.h>

#include "core/env.h"
#include "core/uthash_cfg.h"

typedef struct sampo__source {
    UT_hash_handle hh;
    uint32_t id;
    uint32_t rate;
} sampo__source;

/* The rate declared for `id`, 0 when none. */
uint32_t sampo__source_rate(sampo__source *const *sources, sampo__hkey hkey, uint32_t id);
/* Declare it: SAMPO_OK or SAMPO_E_NOMEM. */
int sampo__source_set(sampo__env *env, sampo__source **sources, uint32_t id, uint32_t rate);
void sampo__sources_free(sampo__env *env, sampo__source **sources);

#endif
