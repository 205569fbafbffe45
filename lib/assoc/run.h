/* run.h - one association run (every window γ of packet time, or when
 * the caller asks): the association layer's entry point for the engine.
 *
 * 1. Items: every direction of every subflow that has DSN evidence becomes
 *    an item on the circle of its DSN space (assoc/item.h).
 * 2. Key anchors tie items to known connections (assoc/anchor.h).
 * 3. Candidates (4.14): items sorted by start; only items whose ranges,
 *    widened by their reach, overlap are paired.  Every other pair is
 *    distinct by construction and costs nothing.
 * 4. Each candidate pair is decided (assoc/pair.h) and its verdict kept
 *    with hysteresis (assoc/verdict.h); clustering makes the plan of
 *    session changes (assoc/cluster.h) that the engine applies.
 *
 * A run holds pointers to subflows throughout: it never allocates outside
 * the room the engine made for it (sampo__assoc_need()), never frees
 * state it does not own, and is never interrupted by an eviction. */
#ifndef SAMPO_ASSOC_RUN_H
#define SAMPO_ASSOC_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "assoc/cluster.h"
#include "assoc/trust.h"
#include "assoc/verdict.h"
#include "core/env.h"
#include "state/conn.h"
#include "state/table.h"

/* What the association layer owns. */
typedef struct sampo__assoc {
    sampo__pairs pairs;
    sampo__trust trust;
    uint64_t run;        /* runs so far */
    uint64_t gc_removed; /* the table's removals when the pairs were last collected */
} sampo__assoc;

/* Bytes a run over the current state may allocate. */
size_t sampo__assoc_need(const sampo__env *env, const sampo__assoc *a, const sampo__table *t,
                         const sampo__conns *cs);
/* Let go of what the association layer holds for subflows no longer in
 * the table (pair verdicts): the engine calls it while it makes room. */
void sampo__assoc_gc(sampo__env *env, sampo__assoc *a, sampo__table *t);
/* One run at `now`; fills `plan` (empty when there is nothing to change). */
void sampo__assoc_run(sampo__env *env, sampo__assoc *a, sampo__table *t, sampo__conns *cs,
                      uint64_t now, sampo__plan *plan);
void sampo__assoc_free(sampo__env *env, sampo__assoc *a);

#endif
