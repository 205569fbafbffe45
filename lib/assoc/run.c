/* run.c - one association run (see run.h). */
#include "assoc/run.h"

#include <math.h>
#include <stdlib.h>

#include "assoc/anchor.h"
#include "assoc/pair.h"
#include "core/counters.h"

/* New pairs a run keeps room for; past it, pairs are dropped (counted). */
#define RUN_NEW_PAIRS 4096

/* The scratch of one run. */
typedef struct run_ctx {
    sampo__env *env;
    sampo__assoc *a;
    sampo__conns *cs;
    uint64_t now;
    sampo__item *items;
    size_t ni;
    uint32_t *idx64, *idx32;
    uint32_t n64, n32;
    uint32_t maxseg;
    sampo__l2_scratch sc;
    sampo__segpos *gaps;
} run_ctx;

/* Pairs of items on one circle whose widened ranges overlap.  On the
 * 2^64 circle the widened ranges are kept in 64 bits: a range that wraps
 * past 2^64 is split (a second entry from 0), which is exact since the
 * reaches involved are tiny against the circle. */
typedef struct ext {
    uint64_t s; /* start of the widened range */
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

static uint32_t max_ring(const sampo__table *t)
{
    uint32_t m = 1;
    for (const sampo__subflow *sf = sampo__table_oldest(t); sf; sf = sampo__table_newer(sf))
        for (int d = 0; d < 2; d++)
            if (sf->dir[d].seg.n > m)
                m = sf->dir[d].seg.n;
    return m;
}

static size_t scratch_need(uint32_t maxseg)
{
    return 2 * sampo__mem_cost(maxseg * sizeof(sampo__span)) +
           sampo__mem_cost(maxseg * sizeof(sampo__segpos)) +
           2 * sampo__mem_cost(2 * (size_t)maxseg * sizeof(int64_t));
}

size_t sampo__assoc_need(const sampo__env *env, const sampo__assoc *a, const sampo__table *t,
                         const sampo__conns *cs)
{
    if (!env->opt->dsn_evidence)
        return 0;
    size_t n = sampo__table_count(t), ni = 2 * n;
    size_t pairs = HASH_COUNT(a->pairs.by_ids);
    size_t fresh = n < RUN_NEW_PAIRS ? n : RUN_NEW_PAIRS;
    return sampo__mem_cost(ni * sizeof(sampo__item)) + 2 * sampo__mem_cost(ni * sizeof(uint32_t)) +
           scratch_need(max_ring(t)) +
           /* the sweep: two entries per item at most, the open list, the crowd */
           sampo__mem_cost(2 * ni * sizeof(ext)) + 2 * sampo__mem_cost(2 * ni * sizeof(uint32_t)) +
           2 * sampo__mem_cost(2 * ni * sizeof(uint64_t)) +
           sampo__mem_cost((size_t)env->opt->max_candidates * sizeof(uint32_t)) +
           sampo__anchor_need(cs) + sampo__pairs_reserve(&a->pairs, fresh) +
           sampo__trust_reserve(&a->trust) + sampo__cluster_need(n, pairs + fresh) +
           sampo__mem_cost((pairs + fresh) * sizeof(sampo__pair *));
}

/* ---- items ---------------------------------------------------------------- */

static bool items_build(run_ctx *r, sampo__table *t)
{
    size_t cap = 2 * (size_t)sampo__table_count(t);
    r->items = sampo__mem_alloc(r->env->mem, cap * sizeof(*r->items));
    r->idx64 = sampo__mem_alloc(r->env->mem, cap * sizeof(*r->idx64));
    if (!r->items || !r->idx64)
        return false;
    size_t nshort = 0;
    r->maxseg = 1;
    for (sampo__subflow *sf = sampo__table_oldest(t); sf; sf = sampo__table_newer(sf)) {
        sf->assoc_mark = 0;
        for (int d = 0; d < 2; d++) {
            if (!sampo__item_build(sf, d, &r->items[r->ni]))
                continue;
            if (sf->dir[d].seg.n > r->maxseg)
                r->maxseg = sf->dir[d].seg.n;
            nshort += r->items[r->ni].bits == 32;
            r->ni++;
        }
    }
    /* The 2^32 circle is only needed when 4-byte DSNs are present. */
    if (nshort && !(r->idx32 = sampo__mem_alloc(r->env->mem, r->ni * sizeof(*r->idx32))))
        return false;
    /* Scratch for the largest segment ring present, not the configured cap. */
    sampo__mem *m = r->env->mem;
    r->sc.sa = sampo__mem_alloc(m, r->maxseg * sizeof(sampo__span));
    r->sc.sb = sampo__mem_alloc(m, r->maxseg * sizeof(sampo__span));
    r->gaps = sampo__mem_alloc(m, r->maxseg * sizeof(sampo__segpos));
    r->sc.pa = sampo__mem_alloc(m, 2 * (size_t)r->maxseg * sizeof(int64_t));
    r->sc.pb = sampo__mem_alloc(m, 2 * (size_t)r->maxseg * sizeof(int64_t));
    return r->sc.sa && r->sc.sb && r->gaps && r->sc.pa && r->sc.pb;
}

/* Gap statistics (cached on the direction while it is clean) and the
 * circles' index lists. */
static void items_index(run_ctx *r)
{
    for (size_t i = 0; i < r->ni; i++) {
        sampo__item *it = &r->items[i];
        sampo__dir *sd = &it->sf->dir[it->dir];
        if (it->dirty) {
            sampo__item_gaps(it, r->gaps);
            sd->gap_nseg = it->nseg;
            sd->gap_max = it->maxgap;
        } else {
            it->nseg = sd->gap_nseg > UINT16_MAX ? UINT16_MAX : (uint16_t)sd->gap_nseg;
            it->maxgap = sd->gap_max;
        }
        if (it->bits == 64)
            r->idx64[r->n64++] = (uint32_t)i;
        if (r->idx32)
            r->idx32[r->n32++] = (uint32_t)i; /* every item also meets 4-byte DSNs on 2^32 */
    }
}

static void items_free(run_ctx *r)
{
    sampo__mem *m = r->env->mem;
    sampo__mem_free(m, r->items);
    sampo__mem_free(m, r->idx64);
    sampo__mem_free(m, r->idx32);
    sampo__mem_free(m, r->sc.sa);
    sampo__mem_free(m, r->sc.sb);
    sampo__mem_free(m, r->gaps);
    sampo__mem_free(m, r->sc.pa);
    sampo__mem_free(m, r->sc.pb);
}

/* ---- candidates ----------------------------------------------------------- */

/* Reach of each item: the gap rule decides up to twice the largest gap;
 * absolute proximity up to where it is strong.  Returns the entries the
 * sweep needs (wrapping ranges take two). */
static size_t set_reach(sampo__item *items, const uint32_t *idx, uint32_t n, int bits)
{
    uint64_t mask = sampo__circ_mask(bits);
    size_t ne = n;
    for (uint32_t k = 0; k < n; k++) {
        sampo__item *it = &items[idx[k]];
        double abs_reach = (SAMPO__ABS_STRONG * ldexp(1.0, bits) / (double)n - (double)it->len) /
                           2.0;
        uint64_t reach = abs_reach > 0
                             ? (abs_reach > (double)(mask / 4) ? mask / 4 : (uint64_t)abs_reach)
                             : 0;
        if (it->nseg >= 2 && 2 * it->maxgap > reach)
            reach = 2 * it->maxgap < mask / 4 ? 2 * it->maxgap : mask / 4;
        it->reach = reach;
        uint64_t s = (it->lo - reach) & mask, w = it->len + 2 * reach;
        ne += bits == 32 ? s + w > mask + 1 : s + w < s;
    }
    return ne;
}

/* The widened ranges, split where they run past the top, sorted. */
static size_t sweep_entries(const sampo__item *items, const uint32_t *idx, uint32_t n, int bits,
                            ext *ev)
{
    uint64_t mask = sampo__circ_mask(bits);
    size_t ne = 0;
    for (uint32_t k = 0; k < n; k++) {
        const sampo__item *it = &items[idx[k]];
        uint64_t s = (it->lo - it->reach) & mask;
        uint64_t w = it->len + 2 * it->reach; /* < circle */
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
    return ne;
}

/* ---- crowd: how many same-side spaces each one overlaps -------------------- */

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* The true ranges of one side cut into linear pieces (a range that runs
 * past the top of the circle is two), their starts and ends sorted. */
/* An item's true range as at most two linear pieces [s, e) (a range that
 * runs past the top of the circle is two; the top value itself is given
 * up).  Returns the number of pieces. */
static int range_pieces(const sampo__item *it, uint64_t mask, int bits, uint64_t s[2],
                        uint64_t e[2])
{
    uint64_t len = it->len ? it->len : 1;
    if (it->lo + (len - 1) < it->lo || (bits == 32 && it->lo + len > mask + 1)) {
        s[0] = it->lo;
        e[0] = mask;
        s[1] = 0;
        e[1] = (it->lo + len) & mask;
        return 2;
    }
    s[0] = it->lo;
    e[0] = it->lo + len ? it->lo + len : UINT64_MAX; /* up to 2^64 */
    return 1;
}

static size_t crowd_pieces(const sampo__item *items, const uint32_t *idx, uint32_t n, int bits,
                           int side, uint64_t *st, uint64_t *en)
{
    uint64_t mask = sampo__circ_mask(bits);
    size_t np = 0;
    for (uint32_t k = 0; k < n; k++) {
        const sampo__item *it = &items[idx[k]];
        if (it->side == side)
            np += (size_t)range_pieces(it, mask, bits, &st[np], &en[np]);
    }
    qsort(st, np, sizeof(*st), u64_cmp);
    qsort(en, np, sizeof(*en), u64_cmp);
    return np;
}

/* Entries of the sorted v[0..n) below x (strict) or at most x. */
static size_t count_below(const uint64_t *v, size_t n, uint64_t x, bool inclusive)
{
    size_t l = 0, h = n;
    while (l < h) {
        size_t mid = l + (h - l) / 2;
        if (v[mid] < x || (inclusive && v[mid] == x))
            l = mid + 1;
        else
            h = mid;
    }
    return l;
}

/* Pieces overlapping [s, e): those starting before e less those ended by s. */
static size_t overlapping(const uint64_t *st, const uint64_t *en, size_t np, uint64_t s, uint64_t e)
{
    return count_below(st, np, e, false) - count_below(en, np, s, true);
}

/* For each item, how many same-side items of other subflows its range
 * overlaps (the prior of level 2): counted on sorted starts and ends,
 * O(n log n) however the ranges crowd.  `st` and `en` hold 2n entries. */
static void crowd_count(sampo__item *items, const uint32_t *idx, uint32_t n, int bits, uint64_t *st,
                        uint64_t *en)
{
    uint64_t mask = sampo__circ_mask(bits);
    for (int side = 0; side < 2; side++) {
        size_t np = crowd_pieces(items, idx, n, bits, side, st, en);
        for (uint32_t k = 0; k < n; k++) {
            sampo__item *it = &items[idx[k]];
            if (it->side != side)
                continue;
            uint64_t ps[2], pe[2];
            int pieces = range_pieces(it, mask, bits, ps, pe);
            size_t c = 0;
            for (int q = 0; q < pieces; q++)
                c += overlapping(st, en, np, ps[q], pe[q]);
            c -= (size_t)pieces; /* its own pieces */
            it->crowd = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
        }
    }
}

/* ---- candidates: the nearest neighbours in DSN space ------------------------ */

/* The entries still open, in the order of their starts: a list walked from
 * the newest, so each entry meets its nearest predecessors first. */
typedef struct open_list {
    uint32_t *prev, *next;
    uint32_t tail; /* OPEN_NONE when empty */
} open_list;

#define OPEN_NONE UINT32_MAX

static void open_push(open_list *o, uint32_t i)
{
    o->prev[i] = o->tail;
    o->next[i] = OPEN_NONE;
    if (o->tail != OPEN_NONE)
        o->next[o->tail] = i;
    o->tail = i;
}

static void open_unlink(open_list *o, uint32_t i)
{
    if (o->prev[i] != OPEN_NONE)
        o->next[o->prev[i]] = o->next[i];
    if (o->next[i] != OPEN_NONE)
        o->prev[o->next[i]] = o->prev[i];
    else
        o->tail = o->prev[i];
}

/* Two spaces of distinct connections, by their keys. */
static bool keys_differ(const sampo__subflow *a, const sampo__subflow *b)
{
    return a->conn && b->conn && a->conn != b->conn && !sampo__conn_keyless(a->conn) &&
           !sampo__conn_keyless(b->conn);
}

/* Is this close pair known to be distinct (by its keys, or by segments no
 * single session could send)?  Then it witnesses that IDSNs are not
 * uniform here (assoc/trust.h). */
static bool witness(run_ctx *r, const sampo__item *x, const sampo__item *y, const sampo__eval *e,
                    const sampo__assoc_prm *prm)
{
    if (!e->prox_strong || (!keys_differ(x->sf, y->sf) && !sampo__trust_chronology(x, y)))
        return false;
    return sampo__trust_witness(r->env, &r->a->trust, x->lo, x->len, y->lo, y->len,
                                sampo__trust_reach(prm->f), r->a->run, r->now);
}

static bool distrusted(const run_ctx *r, const sampo__item *it)
{
    if (it->distrusted)
        return true;
    return it->bits == 64 && r->a->trust.added &&
           sampo__trust_covers(&r->a->trust, it->lo, it->len);
}

/* Decide one candidate pair and fold the verdict in. */
static void consider(run_ctx *r, sampo__item *x, sampo__item *y, const sampo__assoc_prm *prm)
{
    if (x->sf == y->sf || x->side != y->side)
        return;
    if (x->sf->conn && x->sf->conn == y->sf->conn)
        return; /* token verdicts are final */
    if (!x->dirty && !y->dirty &&
        sampo__pair_find(&r->a->pairs, r->env->hkey, x->sf->id, y->sf->id))
        return; /* nothing new on either side: the verdict stands */
    sampo__count(r->env->cnt, SAMPO_CNT_ASSOC_CANDIDATES);
    bool trust = !(r->a->trust.n && (distrusted(r, x) || distrusted(r, y)));
    sampo__eval e;
    sampo__pair_decide(x, y, prm, trust, &r->sc, &e);
    if (e.prox_strong && witness(r, x, y, &e, prm) && trust)
        sampo__pair_decide(x, y, prm, false, &r->sc, &e);
    if (e.prox_strong && !trust)
        sampo__count(r->env->cnt, SAMPO_CNT_PROXIMITY_DISTRUSTED);
    if (e.verdict == SAMPO_VERDICT_SAME && e.phi > SAMPO__FORGEABLE_CEILING &&
        sampo__pair_forgeable(x, y)) {
        e.raw = e.phi;
        e.phi = SAMPO__FORGEABLE_CEILING;
        e.forgeable = 1;
        sampo__count(r->env->cnt, SAMPO_CNT_FORGEABLE_CAPPED);
    }
    sampo__pair_update(r->env, &r->a->pairs, r->a->run, x->sf, y->sf, &e, r->now);
}

/* Entry i meets the open entries of its side before it, nearest first: at
 * most max_candidates of them, and an item takes part in at most twice
 * that many evaluations per circle.  Entries that closed, or whose item has
 * had its share, leave the list, so each entry costs O(max_candidates)
 * amortised whatever the input: a run is O(n log n) (the sort).  The
 * chosen ones are decided oldest first, the order of a full sweep. */
static void meet_nearest(run_ctx *r, const ext *ev, uint32_t i, open_list *o,
                         const sampo__assoc_prm *prm, uint32_t k_max, uint32_t *chosen)
{
    sampo__item *y = &r->items[ev[i].item];
    uint32_t met = 0, seen = 0, share = 2 * k_max;
    for (uint32_t j = o->tail; j != OPEN_NONE;) {
        uint32_t older = o->prev[j];
        sampo__item *x = &r->items[ev[j].item];
        if (ev[j].e <= ev[i].s || x->met >= share) {
            open_unlink(o, j); /* closed for every later entry too */
        } else if (met == k_max || y->met + met >= share || seen == 4 * k_max) {
            sampo__count(r->env->cnt, SAMPO_CNT_CANDIDATES_BOUNDED);
            break;
        } else if (++seen, x == y) {
            /* the other piece of a range that wraps */
        } else if (prm->bits == 32 && x->native_bits == 64 && y->native_bits == 64) {
            /* they meet on the 2^64 circle */
        } else {
            chosen[met++] = j;
            x->met++;
        }
        j = older;
    }
    y->met += met;
    while (met)
        consider(r, &r->items[ev[chosen[--met]].item], y, prm);
}

/* Every entry of one circle meets the nearest open entries of its side
 * (spaces sent by different sides are never one session's). */
static void meet_all(run_ctx *r, const ext *ev, size_t ne, open_list o[2], uint32_t *chosen,
                     const sampo__assoc_prm *prm)
{
    uint32_t k_max = (uint32_t)r->env->opt->max_candidates;
    o[0].tail = o[1].tail = OPEN_NONE;
    for (size_t i = 0; i < ne; i++) {
        open_list *side = &o[r->items[ev[i].item].side];
        meet_nearest(r, ev, (uint32_t)i, side, prm, k_max, chosen);
        open_push(side, (uint32_t)i);
    }
}

static void circle_candidates(run_ctx *r, const uint32_t *idx, uint32_t n, int bits)
{
    if (n < 2)
        return;
    sampo__item *items = r->items;
    size_t cap = set_reach(items, idx, n, bits);
    sampo__mem *m = r->env->mem;
    ext *ev = sampo__mem_alloc(m, cap * sizeof(*ev));
    /* The two sides' open lists share the arrays: an entry is in one. */
    uint32_t *prev = sampo__mem_alloc(m, cap * sizeof(uint32_t));
    uint32_t *next = sampo__mem_alloc(m, cap * sizeof(uint32_t));
    uint32_t *chosen = sampo__mem_alloc(m, (size_t)r->env->opt->max_candidates * sizeof(uint32_t));
    uint64_t *st = sampo__mem_alloc(m, 2 * (size_t)n * sizeof(uint64_t));
    uint64_t *en = sampo__mem_alloc(m, 2 * (size_t)n * sizeof(uint64_t));
    if (ev && prev && next && chosen && st && en) {
        size_t ne = sweep_entries(items, idx, n, bits, ev);
        crowd_count(items, idx, n, bits, st, en);
        sampo__assoc_prm prm = {(double)n, r->env->opt->gap_k, bits};
        for (uint32_t k = 0; k < n; k++)
            items[idx[k]].met = 0;
        open_list o[2] = {{prev, next, OPEN_NONE}, {prev, next, OPEN_NONE}};
        meet_all(r, ev, ne, o, chosen, &prm);
    } else {
        sampo__count(r->env->cnt, SAMPO_CNT_ASSOC_SKIPPED);
    }
    sampo__mem_free(m, ev);
    sampo__mem_free(m, prev);
    sampo__mem_free(m, next);
    sampo__mem_free(m, chosen);
    sampo__mem_free(m, st);
    sampo__mem_free(m, en);
}

/* ---- trust ----------------------------------------------------------------- */

static bool anchor_distrusted(void *ctx, const sampo__anchor *an)
{
    const run_ctx *r = ctx;
    return sampo__trust_covers(&r->a->trust, an->start, an->len);
}

/* Two keys whose IDSNs collide: known distinct, closer than chance. */
static void anchors_close(void *ctx, const sampo__anchor *x, const sampo__anchor *y)
{
    run_ctx *r = ctx;
    sampo__trust_witness(r->env, &r->a->trust, x->start, 1, y->start, 1,
                         sampo__trust_reach((double)r->n64), r->a->run, r->now);
}

/* Regions made in this run void the proximity verdicts inside them, also
 * those of earlier runs.  First the subflows with a space in a distrusted
 * region are marked (on the 2^64 circle, before any projection). */
static void mark_distrusted(run_ctx *r)
{
    for (uint32_t k = 0; k < r->n64; k++) {
        sampo__item *it = &r->items[r->idx64[k]];
        if (sampo__trust_covers(&r->a->trust, it->lo, it->len))
            it->sf->assoc_mark = 1;
    }
}

/* ...then their proximity verdicts are withdrawn: the next run decides
 * those pairs again without proximity, their subflows being marked
 * changed. */
static void withdraw_proximity(run_ctx *r, sampo__table *t)
{
    sampo__pair *p, *tmp;
    HASH_ITER(hh, r->a->pairs.by_ids, p, tmp) {
        if (p->method != SAMPO_METHOD_DSN_PROXIMITY)
            continue;
        sampo__subflow *x = sampo__table_by_id(t, r->env->hkey, p->id[0]);
        sampo__subflow *y = sampo__table_by_id(t, r->env->hkey, p->id[1]);
        if (!x || !y || (!x->assoc_mark && !y->assoc_mark))
            continue;
        sampo__pair_forget(r->env, &r->a->pairs, r->a->run, x, y, r->now);
        for (int d = 0; d < 2; d++)
            x->dir[d].dirty = y->dir[d].dirty = 1;
    }
}

/* ---- the run ---------------------------------------------------------------- */

static void evaluate(run_ctx *r, sampo__table *t)
{
    if (!sampo__table_count(t))
        return;
    if (!items_build(r, t)) {
        sampo__count(r->env->cnt, SAMPO_CNT_ASSOC_SKIPPED);
        return;
    }
    items_index(r);
    sampo__trust *tr = &r->a->trust;
    tr->added = 0;
    sampo__trust_expire(tr, r->now, (uint64_t)r->env->opt->idle_ns);
    sampo__trust_mark(tr, r->items, r->idx64, r->n64, r->now);
    if (r->env->opt->token_evidence) {
        sampo__anchor_hooks hooks = {anchor_distrusted, anchors_close, r,
                                     sampo__trust_reach((double)r->n64)};
        sampo__anchor_items(r->env, r->cs, 2 * r->a->run, r->items, r->ni, 64, &hooks);
        sampo__anchor_items(r->env, r->cs, 2 * r->a->run + 1, r->items, r->ni, 32, NULL);
    }
    circle_candidates(r, r->idx64, r->n64, 64);
    if (tr->added)
        mark_distrusted(r);
    if (r->idx32) {
        /* Some items have 4-byte DSNs: project everything on 2^32 (4.8). */
        for (uint32_t k = 0; k < r->n32; k++)
            sampo__item_to_32(&r->items[r->idx32[k]]);
        circle_candidates(r, r->idx32, r->n32, 32);
    }
    /* Everything seen so far is now reflected in the verdicts. */
    for (sampo__subflow *sf = sampo__table_oldest(t); sf; sf = sampo__table_newer(sf))
        sf->dir[0].dirty = sf->dir[1].dirty = 0;
    if (tr->added)
        withdraw_proximity(r, t);
}

void sampo__assoc_gc(sampo__env *env, sampo__assoc *a, sampo__table *t)
{
    if (a->gc_removed == t->removed)
        return; /* no subflow left since: nothing to let go */
    sampo__pairs_gc(env, &a->pairs, t);
    a->gc_removed = t->removed;
}

void sampo__assoc_run(sampo__env *env, sampo__assoc *a, sampo__table *t, sampo__conns *cs,
                      uint64_t now, sampo__plan *plan)
{
    plan->n_groups = 0;
    plan->members = NULL;
    plan->groups = NULL;
    if (!env->opt->dsn_evidence)
        return;
    a->run++;
    sampo__assoc_gc(env, a, t);
    run_ctx r = {.env = env, .a = a, .cs = cs, .now = now};
    evaluate(&r, t);
    items_free(&r);
    sampo__cluster(env, t, cs, &a->pairs, a->run, now, plan);
    sampo__pairs_snapshot(env, &a->pairs, t);
}

void sampo__assoc_free(sampo__env *env, sampo__assoc *a)
{
    sampo__pairs_free(env, &a->pairs);
    sampo__trust_free(env, &a->trust);
}
