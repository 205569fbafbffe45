/* cluster.h - sessions from pair verdicts (algorithm.md 4.13).
 *
 * Union-find over all subflows: token groups first (final), then
 * key-anchored ties and "same" verdicts at or above the reporting
 * threshold, strongest first.  A merge is vetoed, and reported as a
 * conflict, when a "distinct" verdict at or above the threshold links the
 * two groups, or when both hold a different token identity.  The groups
 * are then matched with the live sessions: each group keeps the session
 * most of its members are in (so ids stay stable), and a group whose
 * sessions were all taken by larger groups needs a new one (a split).
 *
 * The result is a plan; the engine applies it (engine/apply.c). */
#ifndef SAMPO_ASSOC_CLUSTER_H
#define SAMPO_ASSOC_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "assoc/verdict.h"
#include "core/env.h"
#include "state/conn.h"
#include "state/session.h"
#include "state/table.h"

typedef struct sampo__plan_member {
    sampo__subflow *sf;
    double phi; /* its tie */
    uint8_t method;
} sampo__plan_member;

typedef struct sampo__plan_group {
    uint32_t first, n;      /* members[first .. first + n) */
    sampo__session *target; /* the session it keeps, NULL: a new one for members[first] */
} sampo__plan_group;

typedef struct sampo__plan {
    sampo__plan_member *members;
    sampo__plan_group *groups;
    uint32_t n_groups;
} sampo__plan;

/* Bytes sampo__cluster() may allocate for n subflows and `pairs` pairs
 * (its plan included). */
size_t sampo__cluster_need(size_t n, size_t pairs);

/* Group every subflow of the table; 0, or -1 when memory was refused
 * (counted, no plan). */
int sampo__cluster(sampo__env *env, sampo__table *t, sampo__conns *cs, sampo__pairs *ps,
                   uint64_t run, uint64_t now, sampo__plan *plan);
void sampo__plan_free(sampo__env *env, sampo__plan *plan);

#endif
