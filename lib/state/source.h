/* source.h - packet sources (an exporter, an sFlow agent's data source, an
 * interface: the caller's source_id): the sampling rate declared for each,
 * and the subflows each one brought in, for the per-source quota. */
#ifndef SAMPO_STATE_SOURCE_H
#define SAMPO_STATE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/env.h"
#include "core/list.h"
#include "core/uthash_cfg.h"

/* Sources with a record of their own; the ones past it share `other`
 * (counted: a sender of forged sFlow datagrams can make up any number of
 * agents). */
#define SAMPO__SOURCES_MAX 4096

typedef struct sampo__source {
    UT_hash_handle hh;
    uint32_t id;
    uint32_t rate;       /* declared 1-in-N, 0: none */
    sampo__list members; /* subflows it created, oldest first */
} sampo__source;

typedef struct sampo__sources {
    sampo__source *by_id;
    sampo__source other;   /* every source past SAMPO__SOURCES_MAX */
    sampo__source *pinned; /* kept even when empty (a packet is making room for it) */
} sampo__sources;

/* The rate declared for `id`, 0 when none. */
uint32_t sampo__source_rate(const sampo__sources *s, sampo__hkey hkey, uint32_t id);
/* Declare it: SAMPO_OK or SAMPO_E_NOMEM. */
int sampo__source_set(sampo__env *env, sampo__sources *s, uint32_t id, uint32_t rate);
/* The record of `id`, made if needed; `other` when the table is full or
 * memory is short (*shared set then). */
sampo__source *sampo__source_get(sampo__env *env, sampo__sources *s, uint32_t id, bool *shared);
/* The record has lost a member: freed when it holds nothing else. */
void sampo__source_put(sampo__env *env, sampo__sources *s, sampo__source *src);
void sampo__sources_free(sampo__env *env, sampo__sources *s);

#endif
