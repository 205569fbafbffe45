/* trust.c - distrusted regions of the DSN circle (see trust.h). */
#include "assoc/trust.h"

#include <math.h>
#include <string.h>

#include "assoc/pair.h"
#include "core/counters.h"

/* A region never grows past half the circle: beyond that "distrusted
 * everywhere" is the honest state, and arithmetic on arcs stays exact. */
#define REGION_MAX_LEN (UINT64_C(1) << 62)

uint64_t sampo__trust_reach(double f)
{
    double r = SAMPO__ABS_STRONG * ldexp(1.0, 64) / (f > 1 ? f : 1);
    return r >= (double)REGION_MAX_LEN ? REGION_MAX_LEN : (uint64_t)r;
}

/* Index of the last region starting at or before x, or n-1 (wrap). */
static uint32_t region_before(const sampo__trust *t, uint64_t x)
{
    uint32_t a = 0, b = t->n;
    while (a < b) {
        uint32_t m = (a + b) / 2;
        if (t->r[m].lo <= x)
            a = m + 1;
        else
            b = m;
    }
    return a ? a - 1 : t->n - 1;
}

static bool arcs_meet(uint64_t a, uint64_t la, uint64_t b, uint64_t lb)
{
    return ((b - a) < la) || ((a - b) < lb);
}

bool sampo__trust_covers(const sampo__trust *t, uint64_t lo, uint64_t len)
{
    if (!t->n)
        return false;
    /* The region before lo, and the one after it (arcs are short). */
    uint32_t i = region_before(t, lo);
    uint32_t j = i + 1 == t->n ? 0 : i + 1;
    return arcs_meet(t->r[i].lo, t->r[i].len, lo, len ? len : 1) ||
           arcs_meet(t->r[j].lo, t->r[j].len, lo, len ? len : 1);
}

void sampo__trust_mark(sampo__trust *t, sampo__item *items, const uint32_t *idx, uint32_t n,
                       uint64_t now)
{
    if (!t->n)
        return;
    for (uint32_t k = 0; k < n; k++) {
        sampo__item *it = &items[idx[k]];
        if (it->bits != 64)
            continue;
        uint32_t i = region_before(t, it->lo);
        uint32_t j = i + 1 == t->n ? 0 : i + 1;
        uint64_t len = it->len ? it->len : 1;
        if (arcs_meet(t->r[i].lo, t->r[i].len, it->lo, len)) {
            it->distrusted = 1;
            t->r[i].seen_ns = now;
        } else if (arcs_meet(t->r[j].lo, t->r[j].len, it->lo, len)) {
            it->distrusted = 1;
            t->r[j].seen_ns = now;
        }
    }
}

/* Fold region i+1 into region i when they meet (both sorted by lo). */
static void merge_neighbours(sampo__trust *t)
{
    for (uint32_t i = 0; i + 1 < t->n;) {
        sampo__region *a = &t->r[i], *b = &t->r[i + 1];
        if (b->lo - a->lo > a->len) {
            i++;
            continue;
        }
        uint64_t end = b->lo + b->len > a->lo + a->len ? b->lo + b->len : a->lo + a->len;
        a->len = end - a->lo > REGION_MAX_LEN ? REGION_MAX_LEN : end - a->lo;
        a->witnesses += b->witnesses;
        a->since_ns = a->since_ns < b->since_ns ? a->since_ns : b->since_ns;
        a->seen_ns = a->seen_ns > b->seen_ns ? a->seen_ns : b->seen_ns;
        a->born_run = a->born_run > b->born_run ? a->born_run : b->born_run;
        memmove(b, b + 1, (size_t)(t->n - i - 2) * sizeof(*b));
        t->n--;
    }
}

/* Room for one more region: grow, else the least witnessed (then the
 * least recently seen) goes. */
static bool region_room(sampo__env *env, sampo__trust *t)
{
    if (t->n < t->cap)
        return true;
    if (t->cap < SAMPO__TRUST_MAX) {
        uint32_t ncap = t->cap ? t->cap * 2 : 4;
        sampo__region *n = sampo__mem_alloc(env->mem, ncap * sizeof(*n));
        if (n) {
            if (t->n)
                memcpy(n, t->r, t->n * sizeof(*n));
            sampo__mem_free(env->mem, t->r);
            t->r = n;
            t->cap = ncap;
            return true;
        }
        if (!t->cap)
            return false;
    }
    uint32_t worst = 0;
    for (uint32_t i = 1; i < t->n; i++)
        if (t->r[i].witnesses < t->r[worst].witnesses ||
            (t->r[i].witnesses == t->r[worst].witnesses && t->r[i].seen_ns < t->r[worst].seen_ns))
            worst = i;
    memmove(&t->r[worst], &t->r[worst + 1], (size_t)(t->n - worst - 1) * sizeof(*t->r));
    t->n--;
    return true;
}

bool sampo__trust_witness(sampo__env *env, sampo__trust *t, uint64_t a_lo, uint64_t a_len,
                          uint64_t b_lo, uint64_t b_len, uint64_t reach, uint64_t run, uint64_t now)
{
    sampo__count(env->cnt, SAMPO_CNT_UNIFORMITY_WITNESSES);
    /* The hull of the two arcs, widened by the reach on both sides. */
    uint64_t lo = a_lo, len = a_len ? a_len : 1;
    sampo__arc_hull(UINT64_MAX, &lo, &len, b_lo, b_len ? b_len : 1);
    uint64_t wide = len + 2 * reach;
    if (wide < len || wide > REGION_MAX_LEN)
        wide = REGION_MAX_LEN;
    lo -= reach;
    if (t->n) {
        uint32_t i = region_before(t, lo);
        sampo__region *r = &t->r[i];
        if ((lo - r->lo) <= r->len && (lo - r->lo) + wide <= r->len) {
            r->witnesses++;
            r->seen_ns = now;
            return false; /* inside an existing region */
        }
    }
    if (!region_room(env, t))
        return false;
    /* Insert sorted by lo; a region that wraps past 2^64 keeps its lo. */
    uint32_t at = 0;
    while (at < t->n && t->r[at].lo < lo)
        at++;
    memmove(&t->r[at + 1], &t->r[at], (size_t)(t->n - at) * sizeof(*t->r));
    t->r[at] = (sampo__region){lo, wide, 1, now, now, run};
    t->n++;
    merge_neighbours(t);
    t->added++;
    return true;
}

void sampo__trust_expire(sampo__trust *t, uint64_t now, uint64_t idle_ns)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (now < t->r[i].seen_ns || now - t->r[i].seen_ns < idle_ns)
            t->r[k++] = t->r[i];
    t->n = k;
}

size_t sampo__trust_reserve(const sampo__trust *t)
{
    if (t->n < t->cap || t->cap >= SAMPO__TRUST_MAX)
        return 0;
    return sampo__mem_cost((t->cap ? t->cap * 2 : 4) * sizeof(sampo__region));
}

void sampo__trust_free(sampo__env *env, sampo__trust *t)
{
    sampo__mem_free(env->mem, t->r);
    memset(t, 0, sizeof(*t));
}

/* Does a segment of `b` sent at or after some segment of `a` lie more than
 * the window below it?  Positions are taken relative to `origin` on the
 * circle (the items are close, so differences fit in 63 bits). */
static bool inverted(const sampo__item *a, const sampo__item *b, uint64_t origin)
{
    const sampo__dir *da = &a->sf->dir[a->dir], *db = &b->sf->dir[b->dir];
    uint32_t i = 0, j = 0;
    bool seen = false;
    int64_t amax = 0;
    while (j < db->seg.n) {
        const sampo__seg *sb = &db->segs[sampo__ring_at(&db->seg, j)];
        /* Every segment of a no later than this one of b. */
        while (i < da->seg.n) {
            const sampo__seg *sa = &da->segs[sampo__ring_at(&da->seg, i)];
            if (sa->t_ms > sb->t_ms)
                break;
            int64_t pos = (int64_t)(sa->dsn + sa->len - origin);
            if (sa->len && (!seen || pos > amax)) {
                amax = pos;
                seen = true;
            }
            i++;
        }
        if (sb->len && seen && amax - (int64_t)(sb->dsn - origin) > (int64_t)SAMPO__TRUST_WINDOW)
            return true;
        j++;
    }
    return false;
}

bool sampo__trust_chronology(const sampo__item *x, const sampo__item *y)
{
    if (x->bits != 64 || y->bits != 64 || x->side != y->side)
        return false;
    /* No segment of one lies more than the window below one of the other
     * when the two hulls are that close: nothing to look at (the case of
     * every session's own subflows). */
    uint64_t xe = x->lo + x->len - y->lo, ye = y->lo + y->len - x->lo;
    if ((int64_t)xe <= (int64_t)SAMPO__TRUST_WINDOW && (int64_t)ye <= (int64_t)SAMPO__TRUST_WINDOW)
        return false;
    return inverted(x, y, x->lo) || inverted(y, x, x->lo);
}
