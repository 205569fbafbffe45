/* assoc.c - one DSN association run (every window γ of packet time).
 *
 * 1. Items: every direction of every subflow that has DSN evidence becomes
 *    an item on the circle of its DSN space (2^64, or 2^32 when 4-byte
 *    DSNs are involved): the hull of the sender's DSN mappings and the
 *    peer's DATA_ACKs (algorithm.md 3.3), its retained segments, the
 *    largest gap between them.
 * 2. Key anchors (3.2): a known key gives the IDSN of its space; an item of
 *    a subflow without token evidence that falls in an anchor's span is
 *    tied to that connection.
 * 3. Candidates (4.14): items sorted by start; only items whose ranges,
 *    widened by their reach, overlap are paired.  Every other pair is
 *    distinct by construction and costs nothing.
 * 4. Each candidate pair is decided by the two-level analysis (4.3-4.7)
 *    with absolute proximity (4.4), and the verdict is kept with
 *    hysteresis (verdict.c); clustering follows (cluster.c). */
#include <math.h>
#include <stdlib.h>

#include "assoc.h"

/* Absolute proximity alone ties two ranges only when an unrelated range
 * would land that close with a probability below this: far beyond any
 * reporting threshold, so that it can never dominate the error rate. */
#define ABS_STRONG 1e-6
/* An overlap at level 2 that absolute proximity says cannot be a
 * coincidence is a reinjection we failed to recognise, not a distinct
 * session. */
#define ABS_OVERRIDES_OVERLAP 1e-9
/* Slack beyond the highest offset seen in a key-anchored space. */
#define ANCHOR_SLACK_64 (UINT64_C(1) << 36)
#define ANCHOR_SLACK_32_MIN 65536

static inline uint64_t circ_mask(int bits) { return bits == 64 ? UINT64_MAX : UINT64_C(0xffffffff); }

/* ---- items -------------------------------------------------------------- */

/* Smallest arc covering [a, a+la) and [b, b+lb) on the circle.  Lengths
 * are summed in 128 bits: on the 2^64 circle the arc the other way round
 * is longer than 64 bits can hold. */
static void arc_hull(uint64_t mask, uint64_t *a, uint64_t *la, uint64_t b, uint64_t lb)
{
    typedef unsigned __int128 u128;
    u128 r1 = (b - *a) & mask, r2 = (*a - b) & mask;
    u128 l1 = r1 + lb > *la ? r1 + lb : *la;
    u128 l2 = r2 + *la > lb ? r2 + *la : lb;
    u128 l = l1 <= l2 ? l1 : l2;
    if (l2 < l1)
        *a = b;
    *la = l > mask ? mask : (uint64_t)l;
}

typedef struct seg_pos {
    uint64_t rel;            /* start relative to the item's lo */
    uint32_t len;
} seg_pos;

/* Segments are retained in arrival order, which is nearly DSN order:
 * insertion sort is about linear on them, and needs no callback. */
static void seg_pos_sort(seg_pos *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        seg_pos x = v[i];
        uint32_t j = i;
        while (j > 0 && v[j - 1].rel > x.rel) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Largest gap between consecutive retained segments of the item, with the
 * number of distinct segments.  `tmp` holds max_segments entries. */
static void item_gaps(sampo__item *it, uint64_t mask, seg_pos *tmp)
{
    const sampo__dir *d = &it->sf->dir[it->dir];
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->seg_n; i++) {
        const sampo__seg *s = &d->segs[(d->seg_head + i) % d->seg_cap];
        if (!s->len)
            continue; /* an ACK mark */
        tmp[n].rel = (s->dsn - it->lo) & mask;
        tmp[n].len = s->len;
        if (tmp[n].rel < it->len) /* always, unless the span lost a wrap */
            n++;
    }
    seg_pos_sort(tmp, n);
    uint64_t maxgap = 0, end = 0;
    uint32_t distinct = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i && tmp[i].rel == tmp[i - 1].rel && tmp[i].len == tmp[i - 1].len)
            continue;
        if (distinct && tmp[i].rel > end && tmp[i].rel - end > maxgap)
            maxgap = tmp[i].rel - end;
        if (!distinct || tmp[i].rel + tmp[i].len > end)
            end = tmp[i].rel + tmp[i].len;
        distinct++;
    }
    it->nseg = distinct > UINT16_MAX ? UINT16_MAX : (uint16_t)distinct;
    it->maxgap = distinct >= 2 ? maxgap : 0;
}

/* The item of direction d of sf: the space owned by the sender of d. */
static bool item_build(sampo__subflow *sf, int d, sampo__item *it)
{
    const sampo__dir *s = &sf->dir[d], *peer = &sf->dir[!d];
    if (sf->fallback || (!s->dsn_bits && !peer->ack_bits))
        return false;
    /* Linux acknowledges with 4-byte DATA_ACKs until it has received an
     * 8-byte mapping: a 4-byte value next to 8-byte DSNs of the same space
     * is lifted to the 64-bit value nearest to them with the same low 32
     * bits.  Only 4-byte DSNs put the item on the 2^32 circle (4.8). */
    bool lift = s->dsn_bits == 64 && peer->ack_bits == 32;
    int bits = 64;
    if ((s->dsn_bits && s->dsn_bits < 64) || (peer->ack_bits && peer->ack_bits < 64 && !lift))
        bits = 32;
    uint64_t mask = circ_mask(bits);
    bool have = false;
    uint64_t lo = 0, len = 0;
    if (s->dsn_bits) {
        lo = s->dsn_lo & mask;
        len = s->dsn_hi - s->dsn_lo;
        have = true;
    }
    if (peer->ack_bits) {
        /* A DATA_ACK x says bytes up to x - 1 exist: [lo - 1, hi). */
        uint64_t alo = (peer->ack_lo - 1) & mask, alen = peer->ack_hi - peer->ack_lo + 1;
        if (lift)
            alo = s->dsn_lo + (uint64_t)(int64_t)(int32_t)((uint32_t)(peer->ack_lo - 1) -
                                                         (uint32_t)s->dsn_lo);
        if (have) {
            arc_hull(mask, &lo, &len, alo, alen);
        } else {
            lo = alo;
            len = alen;
        }
    }
    if (bits == 32 && len > mask)
        len = mask;
    it->sf = sf;
    it->lo = lo;
    it->len = len ? len : 1;
    it->dir = (uint8_t)d;
    it->bits = (uint8_t)bits;
    it->native_bits = (uint8_t)bits;
    /* Like directions only (4.9): the client side is the initiator when a
     * SYN was seen, else the endpoint with the higher (ephemeral) port. */
    int client = sf->initiator >= 0 ? sf->initiator : sf->key.port[1] > sf->key.port[0];
    it->side = (uint8_t)(d == client ? 0 : 1);
    it->dirty = s->dirty || peer->dirty;
    it->nseg = 0;
    it->maxgap = 0;
    return true;
}

/* ---- level 2 ------------------------------------------------------------ */

typedef struct span {
    int64_t s, e;            /* relative to the overlapped region's start */
    uint8_t dup;             /* also on the other subflow: a reinjection */
} span;

static inline bool span_less(const span *a, const span *b)
{
    return a->s < b->s || (a->s == b->s && a->e < b->e);
}

static void span_sort(span *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        span x = v[i];
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
                                span *out)
{
    const sampo__dir *d = &it->sf->dir[it->dir];
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->seg_n; i++) {
        const sampo__seg *sg = &d->segs[(d->seg_head + i) % d->seg_cap];
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
        out[n].dup = 0;
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
static uint32_t boundary_points(const span *v, uint32_t n, int64_t *out)
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
 * |P_A| |P_B| / G times.  Counts the common points; *pa, *pb get the
 * sizes of the two point sets. */
static uint32_t contiguity(const span *a, uint32_t na, const span *b, uint32_t nb, int64_t *sa,
                           int64_t *sb, uint32_t *pa, uint32_t *pb)
{
    *pa = boundary_points(a, na, sa);
    *pb = boundary_points(b, nb, sb);
    uint32_t i = 0, j = 0, t = 0;
    while (i < *pa && j < *pb) {
        if (sa[i] < sb[j])
            i++;
        else if (sa[i] > sb[j])
            j++;
        else {
            t++;
            i++;
            j++;
        }
    }
    return t;
}

/* Compare two sorted segment lists.  Segments that share a boundary with
 * one on the other subflow are reinjections (4.7: the same data sent
 * again, from the same start or to the same end); any other intersection is
 * a genuine second-level overlap. */
static void level2_compare(span *a, uint32_t na, span *b, uint32_t nb, uint32_t *reinj,
                           uint32_t *overlaps)
{
    uint32_t j0 = 0;
    *reinj = *overlaps = 0;
    for (uint32_t i = 0; i < na; i++) {
        if (a[i].e == a[i].s)
            continue; /* an ACK mark */
        while (j0 < nb && b[j0].e <= a[i].s && (j0 + 1 >= nb || b[j0 + 1].s >= b[j0].s))
            j0++;
        for (uint32_t j = j0; j < nb && b[j].s < a[i].e; j++) {
            if (b[j].e <= a[i].s || b[j].e == b[j].s)
                continue;
            if (a[i].s == b[j].s || a[i].e == b[j].e) {
                (*reinj)++;
                a[i].dup = b[j].dup = 1;
            } else {
                (*overlaps)++;
            }
        }
    }
}

/* ---- pair decision ------------------------------------------------------ */

/* Share of a subflow's sampled segments that a reinjection puts on a
 * sibling too (measured in the lab: about 1 %; taken large on purpose, so
 * that a few overlaps never condemn a pair). */
#define REINJ_RATE 0.05
/* No verdict of the two-level analysis claims more than this: however the
 * segments look, a subflow may fail over and have its data re-sent whole
 * on a sibling, which no DSN test can tell from two sessions. */
#define LEVEL2_MAX SAMPO__LEVEL2_MAX
/* Siblings a subflow has at most in one direction, for the prior. */
#define SIBLINGS 4.0

/* Chance that a Poisson(lambda) variable reaches r or more. */
static double poisson_tail(double lambda, uint32_t r)
{
    if (r == 0)
        return 1.0;
    double term = exp(-lambda), cdf = 0;
    for (uint32_t i = 0; i < r; i++) {
        cdf += term;
        term *= lambda / (double)(i + 1);
    }
    double t = 1.0 - cdf;
    return t < 0 ? 0 : t;
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
 * then weighed by the prior that the pair is one session: a range that
 * overlaps c others at the first level has at most SIBLINGS of them in its
 * session, so prior = min(1/2, SIBLINGS / c).  False when there is no
 * common stretch. */
static bool level2_posterior(const span *a, uint32_t na, const span *b, uint32_t nb, uint32_t k,
                             double prior, double *phi_s)
{
    int64_t alo = INT64_MAX, ahi = INT64_MIN, blo = INT64_MAX, bhi = INT64_MIN;
    for (uint32_t i = 0; i < na; i++)
        if (!a[i].dup && a[i].e > a[i].s) {
            alo = a[i].s < alo ? a[i].s : alo;
            ahi = a[i].e > ahi ? a[i].e : ahi;
        }
    for (uint32_t i = 0; i < nb; i++)
        if (!b[i].dup && b[i].e > b[i].s) {
            blo = b[i].s < blo ? b[i].s : blo;
            bhi = b[i].e > bhi ? b[i].e : bhi;
        }
    int64_t lo = alo > blo ? alo : blo, hi = ahi < bhi ? ahi : bhi;
    if (hi <= lo)
        return false;
    double g = (double)(hi - lo), n = 0, m = 0, sa = 0, sb = 0;
    for (uint32_t i = 0; i < na; i++) {
        int64_t s = a[i].s > lo ? a[i].s : lo, e = a[i].e < hi ? a[i].e : hi;
        if (!a[i].dup && e > s) {
            n++;
            sa += (double)(e - s);
        }
    }
    for (uint32_t i = 0; i < nb; i++) {
        int64_t s = b[i].s > lo ? b[i].s : lo, e = b[i].e < hi ? b[i].e : hi;
        if (!b[i].dup && e > s) {
            m++;
            sb += (double)(e - s);
        }
    }
    if (n == 0 || m == 0)
        return false;
    double ed = sampo__expected_collisions(n, m, sa, sb, g);
    double es = REINJ_RATE * (n + m) / 2.0;
    double log_lr = -(ed - es) + (k ? (double)k * log((ed > 1e-12 ? ed : 1e-12) / es) : 0.0);
    log_lr += log((1.0 - prior) / prior); /* prior odds against one session */
    *phi_s = log_lr > 700 ? 0.0 : 1.0 / (1.0 + exp(log_lr));
    return true;
}

typedef struct assoc_scratch {
    span *sa, *sb;
    int64_t *pa, *pb;        /* boundary points, 2 per segment */
    seg_pos *gaps;
} assoc_scratch;

static void decide(const sampo__item *a, const sampo__item *b, const sampo__assoc_prm *prm,
                   assoc_scratch *sc, sampo__eval *out)
{
    uint64_t mask = circ_mask(prm->bits);
    uint64_t rel = (b->lo - a->lo) & mask;
    bool overlap;
    uint64_t rlo = 0, g = 0, gap = 0;
    if (rel < a->len) {
        overlap = true;
        rlo = b->lo;
        g = (a->len - rel < b->len) ? a->len - rel : b->len;
    } else if (((a->lo - b->lo) & mask) < b->len) {
        uint64_t r2 = (a->lo - b->lo) & mask;
        overlap = true;
        rlo = a->lo;
        g = (b->len - r2 < a->len) ? b->len - r2 : a->len;
    } else {
        overlap = false;
        uint64_t g1 = rel - a->len, g2 = ((a->lo - b->lo) & mask) - b->len;
        gap = g1 < g2 ? g1 : g2;
    }
    memset(out, 0, sizeof(*out));
    /* Absolute proximity rests on IDSNs spread uniformly over the circle,
     * which only a 64-bit space guarantees; in a 32-bit space long transfers
     * crowd the circle and the two-level analysis decides (4.4). */
    bool wide = prm->bits == 64;
    double p_close = sampo__p_close(prm->f, (double)gap, (double)a->len, (double)b->len, prm->bits);
    double phi_abs = 1.0 - p_close;

    if (!overlap) {
        out->level = 1;
        if (wide && p_close <= ABS_STRONG) {
            out->verdict = SAMPO_VERDICT_SAME;
            out->method = SAMPO_METHOD_DSN_PROXIMITY;
            out->phi = phi_abs;
            return;
        }
        if (a->nseg < 2 || b->nseg < 2)
            return; /* undecided: the gap rule needs a gap scale (4.4) */
        double maxgap = (double)(a->maxgap > b->maxgap ? a->maxgap : b->maxgap);
        double phi_d = sampo__phi_gap_distinct((double)gap, maxgap, prm->k);
        /* A gap shorter than the subflows' own gaps is no evidence of one
         * session where unrelated ranges crowd (measured: wrong 9 times in
         * 10 on the dense corpus): only "distinct" is concluded here. */
        if (phi_d >= 0.5) {
            out->verdict = SAMPO_VERDICT_DISTINCT;
            out->method = SAMPO_METHOD_DSN_OVERLAP;
            out->phi = phi_d < LEVEL2_MAX ? phi_d : LEVEL2_MAX;
        }
        return;
    }

    uint32_t na = region_segments(a, rlo, g, mask, sc->sa);
    uint32_t nb = region_segments(b, rlo, g, mask, sc->sb);
    uint32_t reinj, ovl;
    level2_compare(sc->sa, na, sc->sb, nb, &reinj, &ovl);
    uint32_t pa, pb;
    uint32_t touch = contiguity(sc->sa, na, sc->sb, nb, sc->pa, sc->pb, &pa, &pb);
    out->reinjections = reinj;
    out->overlaps = ovl;
    out->level = ovl ? 2 : 3;
    if (wide && p_close <= ABS_OVERRIDES_OVERLAP) {
        /* Overlapping 64-bit ranges are one session beyond doubt; an
         * overlap seen at level 2 is a reinjection we failed to recognise. */
        out->verdict = SAMPO_VERDICT_SAME;
        out->method = SAMPO_METHOD_DSN_PROXIMITY;
        out->phi = phi_abs;
        return;
    }
    double phi_s;
    int method = SAMPO_METHOD_DSN_OVERLAP;
    uint32_t crowd = a->crowd > b->crowd ? a->crowd : b->crowd;
    double prior = crowd > 2.0 * SIBLINGS ? SIBLINGS / crowd : 0.5;
    if (!level2_posterior(sc->sa, na, sc->sb, nb, ovl, prior, &phi_s))
        phi_s = -1; /* no common stretch observed: level 2 says nothing */
    else if (phi_s > LEVEL2_MAX)
        phi_s = LEVEL2_MAX;
    else if (phi_s < 1.0 - LEVEL2_MAX)
        phi_s = 1.0 - LEVEL2_MAX;
    /* Distinct sessions share a segment boundary, or abut, by chance
     * about lambda = 2 n m / G times each; r or more when lambda is small
     * is one session.  A shared boundary is a reinjection, which explains
     * the overlaps too (4.7). */
    double lambda = 2.0 * (double)na * (double)nb / (double)(g ? g : 1);
    if (reinj) {
        double phi_r = 1.0 - poisson_tail(lambda, reinj);
        if (phi_r > phi_s && phi_r >= 0.5) {
            phi_s = phi_r;
            method = SAMPO_METHOD_REINJECTION;
        }
    }
    if (touch && !ovl) {
        double phi_t = 1.0 - poisson_tail((double)pa * (double)pb / (double)(g ? g : 1), touch);
        if (phi_t > LEVEL2_MAX)
            phi_t = LEVEL2_MAX;
        if (phi_t > phi_s && phi_t >= 0.5) {
            phi_s = phi_t;
            method = SAMPO_METHOD_DSN_OVERLAP;
        }
    }
    if (wide && p_close <= ABS_STRONG && phi_abs > phi_s) {
        phi_s = phi_abs;
        method = SAMPO_METHOD_DSN_PROXIMITY;
    }
    if (phi_s < 0)
        return; /* undecided */
    out->method = (uint8_t)method;
    if (phi_s >= 0.5) {
        out->verdict = SAMPO_VERDICT_SAME;
        out->phi = phi_s;
    } else {
        out->verdict = SAMPO_VERDICT_DISTINCT;
        out->phi = 1.0 - phi_s;
    }
}

void sampo__pair_eval(sampo_ctx *ctx, const sampo__item *a, const sampo__item *b,
                      const sampo__assoc_prm *prm, sampo__eval *out)
{
    uint32_t na = a->sf->dir[a->dir].seg_n, nb = b->sf->dir[b->dir].seg_n;
    size_t cap = (na > nb ? na : nb) + 1;
    assoc_scratch sc = {0};
    sc.sa = sampo__mem_alloc(&ctx->mem, cap * sizeof(span));
    sc.sb = sampo__mem_alloc(&ctx->mem, cap * sizeof(span));
    sc.pa = sampo__mem_alloc(&ctx->mem, 2 * cap * sizeof(int64_t));
    sc.pb = sampo__mem_alloc(&ctx->mem, 2 * cap * sizeof(int64_t));
    if (sc.sa && sc.sb && sc.pa && sc.pb)
        decide(a, b, prm, &sc, out);
    else
        memset(out, 0, sizeof(*out));
    sampo__mem_free(&ctx->mem, sc.sa);
    sampo__mem_free(&ctx->mem, sc.sb);
    sampo__mem_free(&ctx->mem, sc.pa);
    sampo__mem_free(&ctx->mem, sc.pb);
}

/* ---- key anchors -------------------------------------------------------- */

typedef struct anchor {
    uint64_t start, len;
    sampo__conn *conn;
} anchor;

static int anchor_cmp(const void *x, const void *y)
{
    const anchor *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* The anchor whose span holds [lo, lo + len), or NULL. */
static const anchor *anchor_find(const anchor *v, size_t n, uint64_t mask, uint64_t lo,
                                 uint64_t len)
{
    if (!n)
        return NULL;
    size_t l = 0, h = n; /* first start > lo */
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (v[mid].start <= lo)
            l = mid + 1;
        else
            h = mid;
    }
    const anchor *a = l ? &v[l - 1] : &v[n - 1]; /* wraps to the last one */
    uint64_t off = (lo - a->start) & mask;
    if (off < a->len && off + len <= a->len)
        return a;
    return NULL;
}

/* ---- the run ------------------------------------------------------------ */

typedef struct ext {
    uint64_t s;              /* start of the widened range, shifted by one circle */
    uint64_t e;
    uint32_t item;
} ext;

static int ext_cmp(const void *x, const void *y)
{
    const ext *a = x, *b = y;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

/* For each item, how many same-side items of other subflows its range
 * overlaps (the prior of level 2).  Walks the sorted widened ranges, with
 * `act` as scratch; an exact test on the true ranges filters the pairs. */
static void crowd_count(sampo__item *items, const ext *ev, size_t ne, uint32_t *act, uint64_t mask)
{
    size_t na = 0;
    for (size_t i = 0; i < ne; i++)
        items[ev[i].item].crowd = 0;
    for (size_t i = 0; i < ne; i++) {
        size_t keep = 0;
        for (size_t k = 0; k < na; k++)
            if (ev[act[k]].e > ev[i].s)
                act[keep++] = act[k];
        na = keep;
        sampo__item *y = &items[ev[i].item];
        for (size_t k = 0; k < na; k++) {
            sampo__item *x = &items[ev[act[k]].item];
            if (x->sf == y->sf || x->side != y->side)
                continue;
            uint64_t rel = (y->lo - x->lo) & mask, rel2 = (x->lo - y->lo) & mask;
            if (rel < x->len || rel2 < y->len) {
                x->crowd++;
                y->crowd++;
            }
        }
        act[na++] = (uint32_t)i;
    }
}

/* Pairs of items on one circle whose widened ranges overlap.  On the
 * 2^64 circle the widened ranges are kept in 64 bits: a range that wraps
 * past 2^64 is split (a second entry from 0), which is exact since the
 * reaches involved are tiny against the circle. */
static void circle_candidates(sampo_ctx *ctx, sampo__item *items, uint32_t *idx, uint32_t n,
                              int bits, assoc_scratch *sc, uint64_t now)
{
    if (n < 2)
        return;
    uint64_t mask = circ_mask(bits);
    /* Reach of each item: the gap rule decides up to twice the largest gap;
     * absolute proximity up to where it is strong. */
    size_t nwrap = 0;
    for (uint32_t k = 0; k < n; k++) {
        sampo__item *it = &items[idx[k]];
        double abs_reach = (ABS_STRONG * ldexp(1.0, bits) / (double)n - (double)it->len) / 2.0;
        uint64_t reach = abs_reach > 0 ? (abs_reach > (double)(mask / 4) ? mask / 4 : (uint64_t)abs_reach) : 0;
        if (it->nseg >= 2 && 2 * it->maxgap > reach)
            reach = 2 * it->maxgap < mask / 4 ? 2 * it->maxgap : mask / 4;
        it->reach = reach;
        uint64_t s = (it->lo - reach) & mask, w = it->len + 2 * reach;
        nwrap += bits == 32 ? s + w > mask + 1 : s + w < s;
    }
    ext *ev = sampo__mem_alloc(&ctx->mem, (n + nwrap) * sizeof(*ev));
    uint32_t *act = sampo__mem_alloc(&ctx->mem, (n + nwrap) * sizeof(*act));
    if (!ev || !act) {
        sampo__mem_free(&ctx->mem, ev);
        sampo__mem_free(&ctx->mem, act);
        sampo__count(ctx, SAMPO_CNT_ASSOC_SKIPPED);
        return;
    }
    sampo__assoc_prm prm = {(double)n, ctx->opt.gap_k, ctx->opt.min_confidence, bits};
    size_t ne = 0;
    for (uint32_t k = 0; k < n; k++) {
        sampo__item *it = &items[idx[k]];
        uint64_t s = (it->lo - it->reach) & mask;
        uint64_t w = it->len + 2 * it->reach; /* < circle */
        /* A widened range that runs past the top is split in two. */
        if (bits == 32) {
            ev[ne++] = (ext){s, s + w, idx[k]}; /* fits in 64 bits */
            if (s + w > mask + 1)
                ev[ne++] = (ext){0, s + w - (mask + 1), idx[k]};
        } else if (s + w < s) {
            ev[ne++] = (ext){s, UINT64_MAX, idx[k]};
            ev[ne++] = (ext){0, s + w, idx[k]};
        } else {
            ev[ne++] = (ext){s, s + w, idx[k]};
        }
    }
    qsort(ev, ne, sizeof(*ev), ext_cmp);
    crowd_count(items, ev, ne, act, mask);
    size_t na = 0;
    for (size_t i = 0; i < ne; i++) {
        size_t keep = 0;
        for (size_t k = 0; k < na; k++)
            if (ev[act[k]].e > ev[i].s)
                act[keep++] = act[k];
        na = keep;
        for (size_t k = 0; k < na; k++) {
            sampo__item *x = &items[ev[act[k]].item], *y = &items[ev[i].item];
            if (x->sf == y->sf || x->side != y->side)
                continue;
            if (x->sf->conn && x->sf->conn == y->sf->conn)
                continue; /* token verdicts are final */
            if (bits == 32 && x->native_bits == 64 && y->native_bits == 64)
                continue; /* they meet on the 2^64 circle */
            if (!x->dirty && !y->dirty && sampo__pair_known(ctx, x->sf, y->sf))
                continue; /* nothing new on either side: the verdict stands */
            sampo__eval r;
            sampo__count(ctx, SAMPO_CNT_ASSOC_CANDIDATES);
            decide(x, y, &prm, sc, &r);
            sampo__pair_update(ctx, x->sf, y->sf, &r, now);
        }
        act[na++] = (uint32_t)i;
    }
    sampo__mem_free(&ctx->mem, ev);
    sampo__mem_free(&ctx->mem, act);
}

/* Build the anchors of one circle from the connections with keys. */
static size_t anchors_build(sampo_ctx *ctx, const sampo__item *items, size_t ni, int bits,
                            anchor *out, size_t cap, double *sum)
{
    uint64_t mask = circ_mask(bits);
    size_t n = 0;
    *sum = 0;
    ctx->run++;
    for (sampo__tokent *t = ctx->tokens; t; t = t->hh.next) {
        sampo__conn *c = t->conn;
        if (c->mark == ctx->run)
            continue;
        c->mark = ctx->run;
        for (int r = 0; r < 2 && n < cap; r++) {
            if (!c->has_key[r])
                continue;
            out[n].start = (c->idsn[r] + 1) & mask;
            out[n].len = 1;
            out[n].conn = c;
            n++;
        }
    }
    qsort(out, n, sizeof(*out), anchor_cmp);
    /* Span: the highest offset seen in the space by the connection's own
     * subflows (token members, and those anchored in earlier runs). */
    uint64_t near = bits == 64 ? (UINT64_C(1) << 48) : (UINT64_C(1) << 30);
    for (size_t i = 0; i < ni; i++) {
        const sampo__item *it = &items[i];
        sampo__conn *c = it->sf->conn ? it->sf->conn : it->sf->anchor_conn;
        if (!c)
            continue;
        for (size_t k = 0; k < n; k++) {
            if (out[k].conn != c)
                continue;
            uint64_t off = (it->lo - out[k].start) & mask;
            if (off < near && off + it->len > out[k].len)
                out[k].len = off + it->len;
        }
    }
    for (size_t k = 0; k < n; k++) {
        uint64_t slack = bits == 64 ? ANCHOR_SLACK_64
                                    : (out[k].len > ANCHOR_SLACK_32_MIN ? out[k].len : ANCHOR_SLACK_32_MIN);
        out[k].len = out[k].len + slack > mask ? mask : out[k].len + slack;
        *sum += (double)out[k].len;
    }
    return n;
}

static void anchor_items(sampo_ctx *ctx, sampo__item *items, size_t ni, int bits)
{
    size_t cap = HASH_COUNT(ctx->tokens) * 2;
    if (!cap)
        return;
    anchor *v = sampo__mem_alloc(&ctx->mem, cap * sizeof(*v));
    if (!v)
        return;
    double sum;
    size_t n = anchors_build(ctx, items, ni, bits, v, cap, &sum);
    double phi = 1.0 - sum / ldexp(1.0, bits);
    /* The run holds each anchored conn: re-anchoring a subflow releases its
     * old conn, which may be another anchor of this very array. */
    for (size_t k = 0; k < n; k++)
        v[k].conn->refs++;
    uint64_t mask = circ_mask(bits);
    for (size_t i = 0; i < ni && n; i++) {
        sampo__item *it = &items[i];
        sampo__subflow *sf = it->sf;
        if (sf->conn || it->bits != bits)
            continue;
        const anchor *a = anchor_find(v, n, mask, it->lo, it->len);
        if (!a || phi < sf->anchor_phi)
            continue;
        if (sf->anchor_conn != a->conn) {
            a->conn->refs++;
            sampo__conn_release(ctx, sf->anchor_conn);
            sf->anchor_conn = a->conn;
            sampo__count(ctx, SAMPO_CNT_KEY_ANCHORED);
        }
        sf->anchor_phi = phi;
    }
    for (size_t k = 0; k < n; k++)
        sampo__conn_release(ctx, v[k].conn);
    sampo__mem_free(&ctx->mem, v);
}

void sampo__assoc_run(sampo_ctx *ctx, uint64_t now)
{
    if (!ctx->opt.dsn_evidence || ctx->n_flows == 0)
        return;
    size_t cap = ctx->n_flows * 2;
    sampo__item *items = sampo__mem_alloc(&ctx->mem, cap * sizeof(*items));
    uint32_t *idx64 = sampo__mem_alloc(&ctx->mem, cap * sizeof(*idx64));
    uint32_t *idx32 = NULL;
    assoc_scratch sc = {0};
    if (!items || !idx64) {
        sampo__count(ctx, SAMPO_CNT_ASSOC_SKIPPED);
        goto out;
    }
    size_t ni = 0, nshort = 0;
    uint32_t n64 = 0, n32 = 0, maxseg = 1;
    for (sampo__subflow *sf = ctx->lru_head; sf; sf = sf->lru_next) {
        for (int d = 0; d < 2; d++) {
            if (!item_build(sf, d, &items[ni]))
                continue;
            if (sf->dir[d].seg_n > maxseg)
                maxseg = sf->dir[d].seg_n;
            nshort += items[ni].bits == 32;
            ni++;
        }
    }
    /* The 2^32 circle is only needed when 4-byte DSNs are present. */
    if (nshort && !(idx32 = sampo__mem_alloc(&ctx->mem, ni * sizeof(*idx32)))) {
        sampo__count(ctx, SAMPO_CNT_ASSOC_SKIPPED);
        goto out;
    }
    /* Scratch for the largest segment ring present, not the configured cap. */
    sc.sa = sampo__mem_alloc(&ctx->mem, maxseg * sizeof(span));
    sc.sb = sampo__mem_alloc(&ctx->mem, maxseg * sizeof(span));
    sc.gaps = sampo__mem_alloc(&ctx->mem, maxseg * sizeof(seg_pos));
    sc.pa = sampo__mem_alloc(&ctx->mem, 2 * maxseg * sizeof(int64_t));
    sc.pb = sampo__mem_alloc(&ctx->mem, 2 * maxseg * sizeof(int64_t));
    if (!sc.sa || !sc.sb || !sc.gaps || !sc.pa || !sc.pb) {
        sampo__count(ctx, SAMPO_CNT_ASSOC_SKIPPED);
        goto out;
    }
    for (size_t i = 0; i < ni; i++) {
        sampo__item *it = &items[i];
        sampo__dir *sd = &it->sf->dir[it->dir];
        if (it->dirty) {
            item_gaps(it, circ_mask(it->bits), sc.gaps);
            sd->gap_nseg = it->nseg;
            sd->gap_max = it->maxgap;
        } else {
            it->nseg = sd->gap_nseg > UINT16_MAX ? UINT16_MAX : (uint16_t)sd->gap_nseg;
            it->maxgap = sd->gap_max;
        }
        if (it->bits == 64)
            idx64[n64++] = (uint32_t)i;
        if (idx32)
            idx32[n32++] = (uint32_t)i; /* every item also meets 4-byte DSNs on 2^32 */
    }
    if (ctx->opt.token_evidence) {
        anchor_items(ctx, items, ni, 64);
        anchor_items(ctx, items, ni, 32);
    }
    circle_candidates(ctx, items, idx64, n64, 64, &sc, now);
    if (idx32) {
        /* Some items have 4-byte DSNs: project everything on 2^32 (4.8). */
        sampo__item *proj = items;
        for (uint32_t k = 0; k < n32; k++) {
            sampo__item *it = &proj[idx32[k]];
            if (it->bits == 64) {
                it->lo &= UINT64_C(0xffffffff);
                if (it->len > UINT64_C(0xffffffff))
                    it->len = UINT64_C(0xffffffff);
                it->bits = 32;
            }
        }
        circle_candidates(ctx, items, idx32, n32, 32, &sc, now);
    }
    /* Everything seen so far is now reflected in the verdicts. */
    for (sampo__subflow *sf = ctx->lru_head; sf; sf = sf->lru_next)
        sf->dir[0].dirty = sf->dir[1].dirty = 0;
out:
    sampo__mem_free(&ctx->mem, items);
    sampo__mem_free(&ctx->mem, idx64);
    sampo__mem_free(&ctx->mem, idx32);
    sampo__mem_free(&ctx->mem, sc.sa);
    sampo__mem_free(&ctx->mem, sc.sb);
    sampo__mem_free(&ctx->mem, sc.gaps);
    sampo__mem_free(&ctx->mem, sc.pa);
    sampo__mem_free(&ctx->mem, sc.pb);
}
