/* pair.c - the decision on one pair of items (see pair.h). */
#include "assoc/pair.h"

#include <string.h>

#include "assoc/math.h"
#include "sampo.h"

/* An overlap at level 2 that absolute proximity says cannot be a
 * coincidence is a reinjection we failed to recognise, not a distinct
 * session. */
#define ABS_OVERRIDES_OVERLAP 1e-9
/* Siblings a subflow has at most in one direction, for the prior. */
#define SIBLINGS 4.0

/* Where two arcs lie relative to each other. */
typedef struct geometry {
    bool overlap;
    uint64_t rlo, g; /* the overlapped region */
    uint64_t gap;    /* the gap between disjoint arcs */
} geometry;

static void pair_geometry(const sampo__item *a, const sampo__item *b, uint64_t mask, geometry *ge)
{
    uint64_t rel = (b->lo - a->lo) & mask, rel2 = (a->lo - b->lo) & mask;
    memset(ge, 0, sizeof(*ge));
    if (rel < a->len) {
        ge->overlap = true;
        ge->rlo = b->lo;
        ge->g = (a->len - rel < b->len) ? a->len - rel : b->len;
    } else if (rel2 < b->len) {
        ge->overlap = true;
        ge->rlo = a->lo;
        ge->g = (b->len - rel2 < a->len) ? b->len - rel2 : a->len;
    } else {
        uint64_t g1 = rel - a->len, g2 = rel2 - b->len;
        ge->gap = g1 < g2 ? g1 : g2;
    }
}

static void verdict_from(double phi_s, int method, sampo__eval *out)
{
    out->method = (uint8_t)method;
    if (phi_s >= 0.5) {
        out->verdict = SAMPO_VERDICT_SAME;
        out->phi = phi_s;
    } else {
        out->verdict = SAMPO_VERDICT_DISTINCT;
        out->phi = 1.0 - phi_s;
    }
}

/* Disjoint arcs (level 1): absolute proximity, else the gap rule (4.4). */
static void level1(const sampo__item *a, const sampo__item *b, const sampo__assoc_prm *prm,
                   const geometry *ge, bool prox, double p_close, sampo__eval *out)
{
    out->level = 1;
    double phi_d = -1;
    if (a->nseg >= 2 && b->nseg >= 2) {
        double maxgap = (double)(a->maxgap > b->maxgap ? a->maxgap : b->maxgap);
        phi_d = sampo__phi_gap_distinct((double)ge->gap, maxgap, prm->k);
    }
    if (prox) {
        verdict_from(1.0 - p_close, SAMPO_METHOD_DSN_PROXIMITY, out);
        return;
    }
    /* A gap shorter than the subflows' own gaps is no evidence of one
     * session where unrelated ranges crowd (measured: wrong 9 times in 10
     * on the dense corpus): only "distinct" is concluded here; without a
     * gap scale (fewer than 2 segments) nothing is (4.4). */
    if (phi_d >= 0.5) {
        out->verdict = SAMPO_VERDICT_DISTINCT;
        out->method = SAMPO_METHOD_DSN_OVERLAP;
        out->phi = phi_d < SAMPO__LEVEL2_MAX ? phi_d : SAMPO__LEVEL2_MAX;
    }
}

/* The level-2 posterior, clamped to the analysis' reach; -1 when there is
 * no common observed stretch. */
static double level2_phi(const sampo__l2 *l2)
{
    if (!l2->have_posterior)
        return -1;
    if (l2->phi_s > SAMPO__LEVEL2_MAX)
        return SAMPO__LEVEL2_MAX;
    if (l2->phi_s < 1.0 - SAMPO__LEVEL2_MAX)
        return 1.0 - SAMPO__LEVEL2_MAX;
    return l2->phi_s;
}

/* Overlapping arcs (level 2): the posterior, raised by reinjections and
 * contiguity, and by absolute proximity where it is trusted. */
static void level2(const sampo__item *a, const sampo__item *b, const sampo__assoc_prm *prm,
                   const geometry *ge, bool trust, double p_close, sampo__l2_scratch *sc,
                   sampo__eval *out)
{
    uint32_t crowd = a->crowd > b->crowd ? a->crowd : b->crowd;
    double prior = crowd > 2.0 * SIBLINGS ? SIBLINGS / crowd : 0.5;
    sampo__l2 l2;
    sampo__level2(a, b, ge->rlo, ge->g, prm->bits, prior, sc, &l2);
    out->reinjections = l2.reinj;
    out->reinj_refused = l2.reinj_refused;
    out->overlaps = l2.overlaps;
    out->level = l2.overlaps ? 2 : 3;
    double phi_s = level2_phi(&l2);
    if (trust && p_close <= ABS_OVERRIDES_OVERLAP) {
        /* Overlapping 64-bit ranges are one session beyond doubt; an
         * overlap seen at level 2 is a reinjection we failed to recognise. */
        verdict_from(1.0 - p_close, SAMPO_METHOD_DSN_PROXIMITY, out);
        return;
    }
    int method = SAMPO_METHOD_DSN_OVERLAP;
    /* Distinct sessions share a segment boundary, or abut, by chance about
     * lambda = 2 n m / G times each; r or more when lambda is small is one
     * session.  A shared boundary is a reinjection, which explains the
     * overlaps too (4.7). */
    double g = (double)(ge->g ? ge->g : 1);
    if (l2.reinj) {
        double phi_r = 1.0 - sampo__poisson_tail(2.0 * l2.na * (double)l2.nb / g, l2.reinj);
        if (phi_r > phi_s && phi_r >= 0.5) {
            phi_s = phi_r;
            method = SAMPO_METHOD_REINJECTION;
        }
    }
    if (l2.touch && !l2.overlaps) {
        double phi_t = 1.0 - sampo__poisson_tail(l2.pa * (double)l2.pb / g, l2.touch);
        if (phi_t > SAMPO__LEVEL2_MAX)
            phi_t = SAMPO__LEVEL2_MAX;
        if (phi_t > phi_s && phi_t >= 0.5) {
            phi_s = phi_t;
            method = SAMPO_METHOD_DSN_OVERLAP;
        }
    }
    if (trust && p_close <= SAMPO__ABS_STRONG && 1.0 - p_close > phi_s) {
        phi_s = 1.0 - p_close;
        method = SAMPO_METHOD_DSN_PROXIMITY;
    }
    if (phi_s >= 0)
        verdict_from(phi_s, method, out);
}

bool sampo__pair_forgeable(const sampo__item *a, const sampo__item *b)
{
    return a->crowd > SAMPO__SESSION_SPACES_MAX || b->crowd > SAMPO__SESSION_SPACES_MAX ||
           !sampo__sf_share_host(a->sf, b->sf);
}

void sampo__pair_decide(const sampo__item *a, const sampo__item *b, const sampo__assoc_prm *prm,
                        bool trust_proximity, sampo__l2_scratch *sc, sampo__eval *out)
{
    uint64_t mask = sampo__circ_mask(prm->bits);
    geometry ge;
    pair_geometry(a, b, mask, &ge);
    memset(out, 0, sizeof(*out));
    /* Absolute proximity rests on IDSNs spread uniformly over the circle,
     * which only a 64-bit space guarantees; in a 32-bit space long
     * transfers crowd the circle and the two-level analysis decides (4.4). */
    bool wide = prm->bits == 64;
    double p_close = sampo__p_close(prm->f, (double)ge.gap, (double)a->len, (double)b->len,
                                    prm->bits);
    out->prox_strong = wide && p_close <= SAMPO__ABS_STRONG;
    bool trust = wide && trust_proximity;
    if (!ge.overlap)
        level1(a, b, prm, &ge, trust && p_close <= SAMPO__ABS_STRONG, p_close, out);
    else
        level2(a, b, prm, &ge, trust, p_close, sc, out);
}
