/* level2.h - the second level of the DSN analysis (algorithm.md 4.5-4.7):
 * on the stretch where two items' arcs overlap, compare their retained
 * segments: reinjections (shared boundaries), genuine overlaps, contiguity
 * of mapping boundaries and ACK marks, and the likelihood ratio of one
 * session against two. */
#ifndef SAMPO_ASSOC_LEVEL2_H
#define SAMPO_ASSOC_LEVEL2_H

#include <stdbool.h>
#include <stdint.h>

#include "assoc/item.h"

/* Longest time between the two copies of a reinjected segment: Linux
 * reinjects after a subflow's retransmission timeout, which backs off to
 * at most 120 s (TCP_RTO_MAX). */
#define SAMPO__REINJ_MAX_MS 120000u

/* A segment relative to the overlapped region's start. */
typedef struct sampo__span {
    int64_t s, e;
    uint32_t t_ms; /* when it was seen (sampo__seg.t_ms) */
    uint8_t dup;   /* also on the other subflow: a reinjection */
    uint8_t seen;  /* its packet carried its data (not SAMPO__SEG_UNSEEN) */
} sampo__span;

/* Scratch of the pair evaluations of a run, sized for the largest ring. */
typedef struct sampo__l2_scratch {
    sampo__span *sa, *sb;
    int64_t *pa, *pb; /* boundary points, 2 per segment */
} sampo__l2_scratch;

/* What the second level saw on one region. */
typedef struct sampo__l2 {
    uint32_t na, nb;        /* segments of each item in the region */
    uint32_t reinj;         /* segments sharing a boundary with one on the other side */
    uint32_t reinj_refused; /* shared boundaries not taken as reinjections (counted as
                             * overlaps): a copy whose packet did not carry its data,
                             * or copies further apart in time than SAMPO__REINJ_MAX_MS */
    uint32_t overlaps;      /* genuine second-level overlaps */
    uint32_t touch;         /* common boundary points (contiguity) */
    uint32_t pa, pb;        /* boundary points of each side */
    bool have_posterior;    /* a common observed stretch exists */
    double phi_s;           /* posterior that the pair is one session (with have_posterior) */
} sampo__l2;

/* Compare a and b on the region [rlo, rlo + g) of the circle of `bits`;
 * `prior` is the prior that the pair is one session. */
void sampo__level2(const sampo__item *a, const sampo__item *b, uint64_t rlo, uint64_t g, int bits,
                   double prior, sampo__l2_scratch *sc, sampo__l2 *out);

#endif
