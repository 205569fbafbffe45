/* assoc.h - DSN association: evidence sources 2 to 4 of docs/algorithm.md
 * (key-anchored DSNs, DATA_ACKs, two-level overlap with absolute
 * proximity), pair verdicts with hysteresis, and clustering into sessions. */
#ifndef SAMPO_ASSOC_H
#define SAMPO_ASSOC_H

#include "internal.h"

/* ---- pure math (assoc_math.c), unit-tested against hand values -------- */

/* Gap rule (algorithm.md 4.4): Φ_D = logistic(k (gap / maxgap - 1)). */
double sampo__phi_gap_distinct(double gap, double maxgap, double k);

/* Second level (4.5): the collisions distinct sessions are expected to
 * show, E_d = (m ΣpA + n ΣpB - n m) / G (>= 0; infinite when G = 0), and
 * P_min = 1 - exp(-E_d), the chance of at least one, in [0, 1]. */
double sampo__expected_collisions(double n, double m, double sum_a, double sum_b, double g);
double sampo__p_min(double n, double m, double sum_a, double sum_b, double g);

/* Absolute proximity (4.4): chance that one of F unrelated ranges lands
 * this close: min(1, F (2 gap + n1 + n2) / 2^bits). */
double sampo__p_close(double f, double gap, double n1, double n2, int bits);

/* ---- one DSN space of one subflow, as seen in a run --------------------- */

typedef struct sampo__item {
    sampo__subflow *sf;
    uint64_t lo;             /* start on the circle of 2^bits (unwrapped value mod 2^bits) */
    uint64_t len;            /* hull of the sender's DSNs and the peer's DATA_ACKs */
    uint64_t maxgap;         /* largest gap between consecutive retained segments */
    uint64_t reach;          /* how far around it pairs are looked for */
    uint16_t nseg;           /* retained segments (saturates) */
    uint8_t dir;             /* the sender's direction index in sf->dir */
    uint8_t bits;            /* 32 or 64: the circle it lives on */
    uint8_t native_bits;     /* the DSN width actually seen */
    uint8_t side;            /* 0: sent by the client side, 1: by the server side (4.9) */
    uint8_t dirty;           /* changed since the last run */
    uint32_t crowd;          /* same-side items its range overlaps at the first level */
} sampo__item;

/* Most any verdict of the two-level analysis (not proximity, not a
 * reinjection) may claim, alone or combined over a pair's two spaces. */
#define SAMPO__LEVEL2_MAX 0.998

/* What one evaluation of a pair concluded. */
typedef struct sampo__eval {
    uint8_t verdict;         /* sampo_verdict */
    uint8_t method;          /* sampo_method */
    uint8_t level;           /* 1: no first-level overlap; 2: overlap at level 2; 3: none at level 2 */
    double phi;
    uint32_t reinjections;   /* duplicated segments found */
    uint32_t overlaps;       /* genuine second-level overlaps */
} sampo__eval;

typedef struct sampo__assoc_prm {
    double f;                /* range items on the circle (for absolute proximity) */
    double k;                /* gap steepness */
    double threshold;        /* reporting threshold */
    int bits;
} sampo__assoc_prm;

/* Decide one pair of items on the same circle (assoc.c). */
void sampo__pair_eval(sampo_ctx *ctx, const sampo__item *a, const sampo__item *b,
                      const sampo__assoc_prm *prm, sampo__eval *out);

/* ---- pair verdicts (verdict.c) ------------------------------------------ */

typedef struct sampo__pair {
    UT_hash_handle hh;
    uint64_t id[2];          /* subflow ids, id[0] < id[1] */
    double phi;
    uint64_t updated_ns;
    uint32_t run;            /* last run that evaluated it (low 32 bits) */
    uint16_t reinjections;   /* saturates */
    uint8_t verdict, method;
} sampo__pair;

void sampo__pair_update(sampo_ctx *ctx, sampo__subflow *a, sampo__subflow *b,
                        const sampo__eval *ev, uint64_t now);
void sampo__emit_pair_event(sampo_ctx *ctx, int type, const sampo__subflow *a, const sampo__subflow *b,
                            int verdict, int old_verdict, int method, double phi, uint64_t now);
bool sampo__pair_known(sampo_ctx *ctx, const sampo__subflow *a, const sampo__subflow *b);
void sampo__pairs_gc(sampo_ctx *ctx);
void sampo__pairs_free(sampo_ctx *ctx);
void sampo__pairs_snapshot(sampo_ctx *ctx);

/* ---- the run (assoc.c) and clustering (cluster.c) ----------------------- */

void sampo__assoc_run(sampo_ctx *ctx, uint64_t now);
void sampo__cluster_run(sampo_ctx *ctx, uint64_t now);

#endif
