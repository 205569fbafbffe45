/* verdict.c - per-pair verdicts that persist across runs (see verdict.h). */
#include "assoc/verdict.h"

#include <stdlib.h>

#include "core/counters.h"
#include "core/hash.h"
#include "state/info.h"

/* The pair of ids id[0] < id[1], and the hash it is filed under. */
static sampo__pair *find(sampo__pairs *ps, sampo__hkey hkey, const uint64_t id[2], unsigned *hv)
{
    sampo__pair *p = NULL;
    *hv = (unsigned)sampo__hash(hkey, id, 2 * sizeof(uint64_t));
    HASH_FIND_BYHASHVALUE(hh, ps->by_ids, id, 2 * sizeof(uint64_t), *hv, p);
    return p;
}

sampo__pair *sampo__pair_find(sampo__pairs *ps, sampo__hkey hkey, uint64_t ida, uint64_t idb)
{
    uint64_t id[2] = {ida < idb ? ida : idb, ida < idb ? idb : ida};
    unsigned hv;
    return find(ps, hkey, id, &hv);
}

void sampo__pair_event(sampo__env *env, int type, const sampo__subflow *a, const sampo__subflow *b,
                       int verdict, int old_verdict, int method, double phi, uint64_t now)
{
    sampo_event *ev = sampo__ev_new(env->evq, type, now);
    sampo__event_about(ev, a);
    sampo__event_peer(ev, b);
    ev->verdict = (sampo_verdict)verdict;
    ev->old_verdict = (sampo_verdict)old_verdict;
    ev->method = (sampo_method)method;
    ev->confidence = phi;
    sampo__ev_commit(env->evq, ev, NULL);
}

/* The weight of an evaluation's evidence: what decides between verdicts.
 * A capped "same" keeps its weight against a "distinct", it only may not
 * claim more than the ceiling. */
static double weight(const sampo__eval *ev) { return ev->forgeable ? ev->raw : ev->phi; }

static sampo__pair *pair_new(sampo__env *env, sampo__pairs *ps, const uint64_t id[2], unsigned hv,
                             const sampo__eval *ev, uint64_t now)
{
    sampo__mem *hmem = env->mem;
    sampo__pair *p = sampo__mem_calloc(env->mem, sizeof(*p));
    if (!p) {
        sampo__count(env->cnt, SAMPO_CNT_PAIRS_DROPPED);
        return NULL;
    }
    p->id[0] = id[0];
    p->id[1] = id[1];
    bool ok;
    SAMPO__HASH_ADD(hh, ps->by_ids, p->id, sizeof(p->id), hv, p, ok);
    if (!ok) {
        sampo__mem_free(env->mem, p);
        sampo__count(env->cnt, SAMPO_CNT_PAIRS_DROPPED);
        return NULL;
    }
    p->verdict = ev->verdict;
    p->method = ev->method;
    p->phi = ev->phi;
    p->raw = weight(ev);
    p->forgeable = ev->forgeable;
    p->updated_ns = now;
    return p;
}

static void set(sampo__pair *p, const sampo__eval *ev, uint64_t now)
{
    if (ev->verdict != p->verdict || ev->phi != p->phi || ev->method != p->method)
        p->updated_ns = now;
    p->verdict = ev->verdict;
    p->method = ev->method;
    p->phi = ev->phi;
    p->raw = weight(ev);
    p->forgeable = ev->forgeable;
}

/* The same run saw the pair's other DSN space with the same conclusion:
 * independent evidence combines. */
static void combine_same_run(sampo__pair *p, const sampo__eval *ev, uint64_t now)
{
    double phi = 1.0 - (1.0 - p->phi) * (1.0 - ev->phi);
    double raw = 1.0 - (1.0 - p->raw) * (1.0 - weight(ev));
    if (ev->phi > p->phi)
        p->method = ev->method;
    if (p->method == SAMPO_METHOD_DSN_OVERLAP && phi > SAMPO__LEVEL2_MAX)
        phi = SAMPO__LEVEL2_MAX; /* the cap holds for the pair as a whole */
    if (p->method == SAMPO_METHOD_DSN_OVERLAP && raw > SAMPO__LEVEL2_MAX)
        raw = SAMPO__LEVEL2_MAX;
    p->forgeable = p->forgeable && ev->forgeable;
    if (p->forgeable && phi > SAMPO__FORGEABLE_CEILING)
        phi = SAMPO__FORGEABLE_CEILING; /* so does this one: forgeable twice is forgeable */
    if (phi != p->phi)
        p->updated_ns = now;
    p->phi = phi;
    p->raw = p->forgeable ? raw : phi;
}

/* A later run contradicts the verdict: revised only past the hysteresis. */
static void revise(sampo__env *env, sampo__pair *p, const sampo__subflow *a,
                   const sampo__subflow *b, const sampo__eval *ev, uint64_t now)
{
    if (weight(ev) < p->raw + env->opt->hysteresis * (1.0 - p->raw))
        return;
    int old = p->verdict;
    set(p, ev, now);
    p->updated_ns = now;
    sampo__count(env->cnt, SAMPO_CNT_VERDICTS_REVISED);
    sampo__pair_event(env, SAMPO_EV_VERDICT_REVISED, a, b, p->verdict, old, p->method, p->phi, now);
}

void sampo__pair_update(sampo__env *env, sampo__pairs *ps, uint64_t run, sampo__subflow *a,
                        sampo__subflow *b, const sampo__eval *ev, uint64_t now)
{
    static const int cnt[] = {SAMPO_CNT_PAIRS_UNDECIDED, SAMPO_CNT_PAIRS_SAME,
                              SAMPO_CNT_PAIRS_DISTINCT};
    sampo__count(env->cnt, cnt[ev->verdict]);
    sampo__count_add(env->cnt, SAMPO_CNT_REINJECTIONS, ev->reinjections);
    sampo__count_add(env->cnt, SAMPO_CNT_REINJECTIONS_REFUSED, ev->reinj_refused);
    sampo__count_add(env->cnt, SAMPO_CNT_LEVEL2_OVERLAPS, ev->overlaps);
    if (a->id > b->id) {
        sampo__subflow *t = a;
        a = b;
        b = t;
    }
    uint64_t id[2] = {a->id, b->id};
    uint32_t r32 = (uint32_t)run;
    unsigned hv;
    sampo__pair *p = find(ps, env->hkey, id, &hv);
    if (!p) {
        if (!(p = pair_new(env, ps, id, hv, ev, now)))
            return;
        p->born = r32;
    } else if (ev->verdict == SAMPO_VERDICT_UNDECIDED) {
        /* keep what was decided */
    } else if (p->run == r32 && p->verdict == ev->verdict) {
        combine_same_run(p, ev, now);
    } else if (p->run == r32 && p->verdict != SAMPO_VERDICT_UNDECIDED) {
        /* The two spaces disagree in one run: the stronger one stands. */
        if (weight(ev) > p->raw) {
            set(p, ev, now);
            p->updated_ns = now;
        }
    } else if (ev->verdict == p->verdict || p->verdict == SAMPO_VERDICT_UNDECIDED) {
        set(p, ev, now);
    } else {
        revise(env, p, a, b, ev, now);
    }
    uint32_t r = (p->run == r32 ? p->reinjections : 0) + ev->reinjections;
    p->reinjections = r > UINT16_MAX ? UINT16_MAX : (uint16_t)r;
    p->run = r32;
}

void sampo__pair_forget(sampo__env *env, sampo__pairs *ps, uint64_t run, sampo__subflow *a,
                        sampo__subflow *b, uint64_t now)
{
    sampo__mem *hmem = env->mem;
    if (a->id > b->id) {
        sampo__subflow *t = a;
        a = b;
        b = t;
    }
    sampo__pair *p = sampo__pair_find(ps, env->hkey, a->id, b->id);
    if (!p)
        return;
    if (p->verdict != SAMPO_VERDICT_UNDECIDED && p->born != (uint32_t)run) {
        sampo__count(env->cnt, SAMPO_CNT_VERDICTS_REVISED);
        sampo__pair_event(env, SAMPO_EV_VERDICT_REVISED, a, b, SAMPO_VERDICT_UNDECIDED, p->verdict,
                          p->method, 0.0, now);
    }
    HASH_DELETE(hh, ps->by_ids, p);
    sampo__mem_free(env->mem, p);
}

void sampo__pairs_gc(sampo__env *env, sampo__pairs *ps, sampo__table *t)
{
    sampo__mem *hmem = env->mem;
    sampo__pair *p, *tmp;
    /* The snapshot may point at pairs freed here: it is rebuilt after the run. */
    ps->n_list = 0;
    HASH_ITER(hh, ps->by_ids, p, tmp) {
        if (!sampo__table_by_id(t, env->hkey, p->id[0]) ||
            !sampo__table_by_id(t, env->hkey, p->id[1])) {
            HASH_DELETE(hh, ps->by_ids, p);
            sampo__mem_free(env->mem, p);
        }
    }
}

static int pair_cmp(const void *x, const void *y)
{
    const sampo__pair *a = *(sampo__pair *const *)x, *b = *(sampo__pair *const *)y;
    if (a->id[0] != b->id[0])
        return a->id[0] < b->id[0] ? -1 : 1;
    return (a->id[1] > b->id[1]) - (a->id[1] < b->id[1]);
}

/* Pairs are only freed in runs, so the pointers stay valid until the next. */
void sampo__pairs_snapshot(sampo__env *env, sampo__pairs *ps, sampo__table *t)
{
    sampo__mem_free(env->mem, ps->list);
    ps->list = NULL;
    ps->n_list = 0;
    size_t n = HASH_COUNT(ps->by_ids);
    if (!n)
        return;
    ps->list = sampo__mem_alloc(env->mem, n * sizeof(*ps->list));
    if (!ps->list)
        return;
    size_t k = 0;
    for (sampo__pair *p = ps->by_ids; p; p = p->hh.next)
        ps->list[k++] = p;
    /* A subflow's reinjections: those found with each of its pairs. */
    for (sampo__subflow *sf = sampo__table_oldest(t); sf; sf = sampo__table_newer(sf))
        sf->reinjections = 0;
    for (size_t i = 0; i < k; i++) {
        const sampo__pair *p = ps->list[i];
        if (!p->reinjections)
            continue;
        for (int e = 0; e < 2; e++) {
            sampo__subflow *sf = sampo__table_by_id(t, env->hkey, p->id[e]);
            if (sf)
                sf->reinjections += p->reinjections;
        }
    }
    ps->n_list = k;
    ps->sorted = false; /* sorted when first read: most runs are never listed */
}

void sampo__pairs_sort(sampo__pairs *ps)
{
    if (ps->sorted)
        return;
    if (ps->n_list > 1)
        qsort(ps->list, ps->n_list, sizeof(*ps->list), pair_cmp);
    ps->sorted = true;
}

void sampo__pairs_free(sampo__env *env, sampo__pairs *ps)
{
    sampo__mem *hmem = env->mem;
    sampo__pair *p, *tmp;
    HASH_ITER(hh, ps->by_ids, p, tmp) {
        HASH_DELETE(hh, ps->by_ids, p);
        sampo__mem_free(env->mem, p);
    }
    sampo__mem_free(env->mem, ps->list);
    ps->list = NULL;
    ps->n_list = 0;
}

size_t sampo__pairs_reserve(const sampo__pairs *ps, size_t n)
{
    return n * sampo__mem_cost(sizeof(sampo__pair)) + SAMPO__HASH_RESERVE(ps->by_ids, hh);
}
