/* pair.h - the decision on one pair of items on the same circle
 * (algorithm.md 4.3-4.7): first level (disjoint arcs: absolute proximity,
 * gap rule), second level (overlapping arcs: reinjections, overlaps,
 * contiguity, posterior), then their combination into one verdict. */
#ifndef SAMPO_ASSOC_PAIR_H
#define SAMPO_ASSOC_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "assoc/item.h"
#include "assoc/level2.h"

/* Most any verdict of the two-level analysis (not proximity, not a
 * reinjection) may claim, alone or combined over a pair's two spaces:
 * however the segments look, a subflow may fail over and have its data
 * re-sent whole on a sibling, which no DSN test can tell from two
 * sessions. */
#define SAMPO__LEVEL2_MAX 0.998

/* Absolute proximity alone ties two ranges only when an unrelated range
 * would land that close with a probability below this: far beyond any
 * reporting threshold, so that it can never dominate the error rate. */
#define SAMPO__ABS_STRONG 1e-6

/* The forgeable ceiling (docs/security.md): the most a "same" verdict
 * resting on DSN evidence alone may claim when an attacker could have made
 * that evidence: between two subflows that share no host (an on-path
 * forger copies a victim's DSS options onto flows of its own), and among
 * spaces crowded by more subflows than one session holds (a forger
 * places thousands of spaces together; no uniform-IDSN chance or single
 * session explains the crowd).  Below 0.9, and below any sensible
 * reporting threshold: such evidence is reported, never acted on alone. */
#define SAMPO__FORGEABLE_CEILING 0.75
/* Same-side spaces one session's space can overlap: its siblings (Linux
 * allows 8 subflows per connection) with room to spare. */
#define SAMPO__SESSION_SPACES_MAX 32

/* Could an attacker have made the DSN evidence between these two spaces?
 * (see SAMPO__FORGEABLE_CEILING) */
bool sampo__pair_forgeable(const sampo__item *a, const sampo__item *b);

/* What one evaluation of a pair concluded. */
typedef struct sampo__eval {
    uint8_t verdict; /* sampo_verdict */
    uint8_t method;  /* sampo_method */
    uint8_t level;   /* 1: no first-level overlap; 2: overlap at level 2; 3: none at level 2 */
    double phi;
    uint32_t reinjections;  /* duplicated segments found */
    uint32_t overlaps;      /* genuine second-level overlaps */
    uint8_t prox_strong;    /* absolute proximity alone would tie them (64-bit circle) */
    uint8_t forgeable;      /* capped at SAMPO__FORGEABLE_CEILING */
    double raw;             /* with forgeable: phi before the cap, the evidence's weight */
    uint32_t reinj_refused; /* shared boundaries not plausible as reinjections */
} sampo__eval;

typedef struct sampo__assoc_prm {
    double f; /* range items on the circle (for absolute proximity) */
    double k; /* gap steepness */
    int bits;
} sampo__assoc_prm;

/* Decide a against b.  `trust_proximity` false: absolute proximity (which
 * rests on uniformly drawn IDSNs) is left out. */
void sampo__pair_decide(const sampo__item *a, const sampo__item *b, const sampo__assoc_prm *prm,
                        bool trust_proximity, sampo__l2_scratch *sc, sampo__eval *out);

#endif
