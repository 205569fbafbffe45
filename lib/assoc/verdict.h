/* verdict.h - per-pair verdicts that persist across runs (algorithm.md
 * 4.2, 4.12): a new verdict replaces a different old one only when it
 * removes the fraction h (SAMPO_OPT_HYSTERESIS) of the old one's doubt,
 * Φ_new >= Φ_old + h (1 - Φ_old) (an additive margin could never revise a
 * verdict near 1), an undecided evaluation never erases a decided verdict,
 * and every revision is an event. */
#ifndef SAMPO_ASSOC_VERDICT_H
#define SAMPO_ASSOC_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "assoc/pair.h"
#include "core/env.h"
#include "state/table.h"

typedef struct sampo__pair {
    UT_hash_handle hh;
    uint64_t id[2]; /* subflow ids, id[0] < id[1] */
    double phi;
    double raw; /* the weight of its evidence: phi, or what a forgeable cap hid (pair.h) */
    uint64_t updated_ns;
    uint32_t run;          /* last run that evaluated it (low 32 bits) */
    uint32_t born;         /* run that made it (low 32 bits) */
    uint16_t reinjections; /* saturates */
    uint8_t verdict, method;
    uint8_t forgeable; /* its "same" rests on forgeable evidence only (pair.h) */
} sampo__pair;

typedef struct sampo__pairs {
    sampo__pair *by_ids;
    sampo__pair **list; /* snapshot, for iteration; sorted by ids once `sorted` */
    size_t n_list;
    bool sorted;
} sampo__pairs;

/* Fold one evaluation of (a, b) in run `run` into the pair's verdict. */
void sampo__pair_update(sampo__env *env, sampo__pairs *ps, uint64_t run, sampo__subflow *a,
                        sampo__subflow *b, const sampo__eval *ev, uint64_t now);
/* Forget the verdict on (a, b): the premise it rested on failed.  A
 * decided one that earlier runs made visible is reported as revised to
 * undecided. */
void sampo__pair_forget(sampo__env *env, sampo__pairs *ps, uint64_t run, sampo__subflow *a,
                        sampo__subflow *b, uint64_t now);
sampo__pair *sampo__pair_find(sampo__pairs *ps, sampo__hkey hkey, uint64_t ida, uint64_t idb);
/* An event about a pair: a revised verdict, or a vetoed merge. */
void sampo__pair_event(sampo__env *env, int type, const sampo__subflow *a, const sampo__subflow *b,
                       int verdict, int old_verdict, int method, double phi, uint64_t now);
/* Drop the pairs whose subflows are gone. */
void sampo__pairs_gc(sampo__env *env, sampo__pairs *ps, sampo__table *t);
/* Rebuild the list that sampo_ctx_next_pair() walks, and each subflow's
 * reinjection count. */
void sampo__pairs_snapshot(sampo__env *env, sampo__pairs *ps, sampo__table *t);
/* Order that list by subflow ids (once per snapshot, when first read). */
void sampo__pairs_sort(sampo__pairs *ps);
void sampo__pairs_free(sampo__env *env, sampo__pairs *ps);
/* Bytes a run may allocate for n new pairs (their blocks and the table's growth). */
size_t sampo__pairs_reserve(const sampo__pairs *ps, size_t n);

#endif
