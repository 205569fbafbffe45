/* cover.c - data-level coverage of a session's DSN space (see cover.h). */
#include "state/cover.h"

#include <string.h>

#include "core/counters.h"

#define COVER_FIRST 8

static size_t cover_size(uint32_t cap)
{
    return sizeof(sampo__cover) + (size_t)cap * sizeof(((sampo__cover *)0)->iv[0]);
}

/* Room for one more interval: 0, the number of lowest intervals dropped
 * to make it, or -1 when memory was refused. */
static int ensure_room(sampo__env *env, sampo__cover **c)
{
    sampo__cover *o = *c;
    if (o && o->n < o->cap)
        return 0;
    if (o && o->cap >= SAMPO__COVER_MAX) {
        /* The lowest stretches are the oldest data: a quarter of them goes
         * at once, so that a stream of new mappings moves memory once every
         * SAMPO__COVER_MAX / 4 of them. */
        uint32_t drop = SAMPO__COVER_MAX / 4;
        memmove(&o->iv[0], &o->iv[drop], (size_t)(o->n - drop) * sizeof(o->iv[0]));
        o->n -= drop;
        sampo__count_add(env->cnt, SAMPO_CNT_COVER_TRIMMED, drop);
        return (int)drop;
    }
    uint32_t ncap = o ? SAMPO__COVER_MAX : COVER_FIRST;
    sampo__cover *n = sampo__mem_alloc(env->mem, cover_size(ncap));
    if (!n)
        return -1;
    n->cap = ncap;
    n->n = o ? o->n : 0;
    if (o)
        memcpy(n->iv, o->iv, (size_t)o->n * sizeof(o->iv[0]));
    sampo__mem_free(env->mem, o);
    *c = n;
    return 0;
}

int sampo__cover_add(sampo__env *env, sampo__cover **c, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return 0;
    sampo__cover *v = *c;
    uint32_t n = v ? v->n : 0;
    /* First interval that ends at or after lo (binary search on hi). */
    uint32_t a = 0, b = n;
    while (a < b) {
        uint32_t m = (a + b) / 2;
        if (v->iv[m].hi < lo)
            a = m + 1;
        else
            b = m;
    }
    /* Intervals a .. e-1 overlap or touch [lo, hi). */
    uint32_t e = a;
    int covered = 0;
    while (e < n && v->iv[e].lo <= hi) {
        if (v->iv[e].lo < hi && v->iv[e].hi > lo)
            covered = 1;
        e++;
    }
    if (e > a) { /* merge into interval a */
        if (v->iv[a].lo < lo)
            lo = v->iv[a].lo;
        if (v->iv[e - 1].hi > hi)
            hi = v->iv[e - 1].hi;
        v->iv[a].lo = lo;
        v->iv[a].hi = hi;
        memmove(&v->iv[a + 1], &v->iv[e], (size_t)(n - e) * sizeof(v->iv[0]));
        v->n -= e - a - 1;
        return covered;
    }
    int dropped = ensure_room(env, c);
    if (dropped < 0)
        return -1;
    v = *c;
    a = a > (uint32_t)dropped ? a - (uint32_t)dropped : 0; /* the lowest intervals went */
    memmove(&v->iv[a + 1], &v->iv[a], (size_t)(v->n - a) * sizeof(v->iv[0]));
    v->iv[a].lo = lo;
    v->iv[a].hi = hi;
    v->n++;
    return 0;
}

void sampo__cover_free(sampo__env *env, sampo__cover **c)
{
    sampo__mem_free(env->mem, *c);
    *c = NULL;
}

size_t sampo__cover_reserve(void) { return sampo__mem_cost(cover_size(SAMPO__COVER_MAX)); }
