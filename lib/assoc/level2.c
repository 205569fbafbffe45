/* level2.c - the second level of the DSN analysis (see level2.h). */
#include "assoc/level2.h"

#include <math.h>

#include "assoc/math.h"

/* Share of a subflow's sampled segments that a reinjection puts on a
 * sibling too (measured in the lab: about 1 %; taken large on purpose, so
 * that a few overlaps never condemn a pair). */
#define REINJ_RATE 0.05

static inline bool span_less(const sampo__span *a, const sampo__span *b)
{
    return a->s < b->s || (a->s == b->s && a->e < b->e);
}

static void span_sort(sampo__span *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        sampo__span x = v[i];
        uint32_t j = i;
        while (j > 0 && span_less(&x, &v[j - 1])) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Segments of `it` that intersect the region [rlo, rlo + g), deduplicated
 * by (start, end) (4.10).  Returns how many were written to out. */
static uint32_t region_segments(const sampo__item *it, uint64_t rlo, uint64_t g, uint64_t mask,
                                sampo__span *out)
{
    const sampo__dir *d = &it->sf->dir[it->dir];
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->seg.n; i++) {
        const sampo__seg *sg = &d->segs[sampo__ring_at(&d->seg, i)];
        uint64_t off = (sg->dsn - rlo) & mask, back = (rlo - sg->dsn) & mask;
        int64_t st;
        /* Closed region: segments that only touch its ends count too, for
         * contiguity; they add nothing to overlaps or lengths. */
        if (off <= g)
            st = (int64_t)off;
        else if (back <= sg->len && back > 0)
            st = -(int64_t)back;
        else
            continue;
        out[n].s = st;
        out[n].e = st + sg->len;
        out[n].t_ms = sg->t_ms;
        out[n].dup = 0;
        out[n].seen = !(sg->ssn_lo & SAMPO__SEG_UNSEEN) && !d->seq_bad;
        n++;
    }
    span_sort(out, n);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!k || out[i].s != out[k - 1].s || out[i].e != out[k - 1].e)
            out[k++] = out[i];
    return k;
}

/* The distinct boundary points of a list: segment starts and ends and ACK
 * marks, reinjected segments left out.  Sorted, into out[]. */
static uint32_t boundary_points(const sampo__span *v, uint32_t n, int64_t *out)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i].dup)
            continue;
        out[k++] = v[i].s;
        if (v[i].e != v[i].s)
            out[k++] = v[i].e;
    }
    /* Starts are sorted and ends nearly so: insertion sort is about linear. */
    for (uint32_t i = 1; i < k; i++) {
        int64_t x = out[i];
        uint32_t j = i;
        while (j > 0 && out[j - 1] > x) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = x;
    }
    uint32_t d = 0;
    for (uint32_t i = 0; i < k; i++)
        if (!d || out[i] != out[d - 1])
            out[d++] = out[i];
    return d;
}

/* Contiguity (beyond the chapter): MPTCP's scheduler cuts one stream into
 * mappings dealt out to the subflows, so siblings' mappings abut, and a
 * receiver acknowledges up to the end of what it got: boundaries and ACK
 * positions of one session coincide exactly across its subflows, while
 * those of unrelated sessions coincide by chance only, about
 * |P_A| |P_B| / G times.  Counts the common points. */
static uint32_t contiguity(const sampo__span *a, uint32_t na, const sampo__span *b, uint32_t nb,
                           sampo__l2_scratch *sc, uint32_t *pa, uint32_t *pb)
{
    *pa = boundary_points(a, na, sc->pa);
    *pb = boundary_points(b, nb, sc->pb);
    uint32_t i = 0, j = 0, t = 0;
    while (i < *pa && j < *pb) {
        if (sc->pa[i] < sc->pb[j]) {
            i++;
        } else if (sc->pa[i] > sc->pb[j]) {
            j++;
        } else {
            t++;
            i++;
            j++;
        }
    }
    return t;
}

/* Could x and y be one segment sent twice?  Both packets carried the
 * data, within the longest reinjection delay of each other.  Equal DSS
 * values alone are what a forger copies. */
static bool plausible_reinjection(const sampo__span *x, const sampo__span *y)
{
    uint32_t dt = x->t_ms > y->t_ms ? x->t_ms - y->t_ms : y->t_ms - x->t_ms;
    return x->seen && y->seen && dt <= SAMPO__REINJ_MAX_MS;
}

/* Compare two sorted segment lists.  Segments that share a boundary with
 * one on the other subflow are reinjections (4.7: the same data sent
 * again, from the same start or to the same end) when that is plausible;
 * any other intersection is a genuine second-level overlap. */
static void compare(sampo__span *a, uint32_t na, sampo__span *b, uint32_t nb, uint32_t *reinj,
                    uint32_t *overlaps, uint32_t *refused)
{
    uint32_t j0 = 0;
    *reinj = *overlaps = *refused = 0;
    for (uint32_t i = 0; i < na; i++) {
        if (a[i].e == a[i].s)
            continue; /* an ACK mark */
        while (j0 < nb && b[j0].e <= a[i].s && (j0 + 1 >= nb || b[j0 + 1].s >= b[j0].s))
            j0++;
        for (uint32_t j = j0; j < nb && b[j].s < a[i].e; j++) {
            if (b[j].e <= a[i].s || b[j].e == b[j].s)
                continue;
            bool shared = a[i].s == b[j].s || a[i].e == b[j].e;
            if (shared && plausible_reinjection(&a[i], &b[j])) {
                (*reinj)++;
                a[i].dup = b[j].dup = 1;
            } else {
                *refused += shared;
                (*overlaps)++;
            }
        }
    }
}

/* Hull of the real (not reinjected, not mark) segments of a list. */
static bool real_hull(const sampo__span *v, uint32_t n, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (uint32_t i = 0; i < n; i++) {
        if (!v[i].dup && v[i].e > v[i].s) {
            *lo = v[i].s < *lo ? v[i].s : *lo;
            *hi = v[i].e > *hi ? v[i].e : *hi;
        }
    }
    return *hi > *lo;
}

/* Segments of a list within [lo, hi), and their total length there. */
static double clipped(const sampo__span *v, uint32_t n, int64_t lo, int64_t hi, double *sum)
{
    double k = 0;
    *sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t s = v[i].s > lo ? v[i].s : lo, e = v[i].e < hi ? v[i].e : hi;
        if (!v[i].dup && e > s) {
            k++;
            *sum += (double)(e - s);
        }
    }
    return k;
}

/* Level 2 as a likelihood ratio (4.5).  Only the stretch where both
 * subflows have retained segments is informative: ranges are cumulative,
 * segments recent, and two sessions active at different times in the same
 * DSN area never meet there.  In that stretch of G bytes, with n and m
 * segments (reinjections removed) of total lengths ΣpA and ΣpB, distinct
 * sessions are expected to collide E_d = (m ΣpA + n ΣpB - n m) / G times
 * (the exponent of P_min), one session only through reinjections we did
 * not recognise, E_s = REINJ_RATE (n + m) / 2.  With k genuine overlaps
 * seen, Poisson likelihoods and even odds give
 *     Φ_S = 1 / (1 + exp(-(E_d - E_s)) (E_d / E_s)^k).
 * For k = 0 it grows with E_d like P_min; a few overlaps where many were
 * expected point to reinjections, not to distinct sessions.  The odds are
 * then weighed by the prior that the pair is one session.  False when
 * there is no common stretch. */
static bool posterior(const sampo__span *a, uint32_t na, const sampo__span *b, uint32_t nb,
                      uint32_t k, double prior, double *phi_s)
{
    int64_t alo, ahi, blo, bhi;
    if (!real_hull(a, na, &alo, &ahi) || !real_hull(b, nb, &blo, &bhi))
        return false;
    int64_t lo = alo > blo ? alo : blo, hi = ahi < bhi ? ahi : bhi;
    if (hi <= lo)
        return false;
    double sa, sb;
    double n = clipped(a, na, lo, hi, &sa), m = clipped(b, nb, lo, hi, &sb);
    if (n == 0 || m == 0)
        return false;
    double ed = sampo__expected_collisions(n, m, sa, sb, (double)(hi - lo));
    double es = REINJ_RATE * (n + m) / 2.0;
    double log_lr = -(ed - es) + (k ? (double)k * log((ed > 1e-12 ? ed : 1e-12) / es) : 0.0);
    log_lr += log((1.0 - prior) / prior); /* prior odds against one session */
    *phi_s = log_lr > 700 ? 0.0 : 1.0 / (1.0 + exp(log_lr));
    return true;
}

void sampo__level2(const sampo__item *a, const sampo__item *b, uint64_t rlo, uint64_t g, int bits,
                   double prior, sampo__l2_scratch *sc, sampo__l2 *out)
{
    uint64_t mask = sampo__circ_mask(bits);
    out->na = region_segments(a, rlo, g, mask, sc->sa);
    out->nb = region_segments(b, rlo, g, mask, sc->sb);
    compare(sc->sa, out->na, sc->sb, out->nb, &out->reinj, &out->overlaps, &out->reinj_refused);
    out->touch = contiguity(sc->sa, out->na, sc->sb, out->nb, sc, &out->pa, &out->pb);
    out->have_posterior = posterior(sc->sa, out->na, sc->sb, out->nb, out->overlaps, prior,
                                    &out->phi_s);
}
