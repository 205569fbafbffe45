/* verdict.c - per-pair verdicts that persist across runs (algorithm.md
 * 4.2, 4.12): a new verdict replaces a different old one only when it
 * removes the fraction h (SAMPO_OPT_HYSTERESIS) of the old one's doubt,
 * Φ_new >= Φ_old + h (1 - Φ_old) (an additive margin could never revise a
 * verdict near 1), an undecided evaluation never erases a decided verdict,
 * and every revision is an event. */
#include <stdlib.h>

#include "assoc.h"

static sampo__pair *pair_find(sampo_ctx *ctx, const uint64_t id[2], unsigned *hv)
{
    sampo__pair *p = NULL;
    *hv = (unsigned)sampo__hash(ctx->seed, id, 2 * sizeof(uint64_t));
    HASH_FIND_BYHASHVALUE(hh, ctx->pairs, id, 2 * sizeof(uint64_t), *hv, p);
    return p;
}

/* An event about a pair: a revised verdict, or a vetoed merge. */
void sampo__emit_pair_event(sampo_ctx *ctx, int type, const sampo__subflow *a, const sampo__subflow *b,
                            int verdict, int old_verdict, int method, double phi, uint64_t now)
{
    sampo_event *ev = sampo__event_new(ctx, type, now);
    if (!ev)
        return;
    ev->session_id = a->sess ? a->sess->id : 0;
    ev->other_session_id = b->sess ? b->sess->id : 0;
    sampo__flow_to_public(a, &ev->flow);
    sampo__flow_to_public(b, &ev->peer);
    ev->verdict = (sampo_verdict)verdict;
    ev->old_verdict = (sampo_verdict)old_verdict;
    ev->method = (sampo_method)method;
    ev->confidence = phi;
    sampo__event_commit(ctx, ev);
}

void sampo__pair_update(sampo_ctx *ctx, sampo__subflow *a, sampo__subflow *b,
                        const sampo__eval *ev, uint64_t now)
{
    static const int cnt[] = {SAMPO_CNT_PAIRS_UNDECIDED, SAMPO_CNT_PAIRS_SAME,
                              SAMPO_CNT_PAIRS_DISTINCT};
    sampo__count(ctx, cnt[ev->verdict]);
    ctx->cnt[SAMPO_CNT_REINJECTIONS] += ev->reinjections;
    ctx->cnt[SAMPO_CNT_LEVEL2_OVERLAPS] += ev->overlaps;
    if (a->id > b->id) {
        sampo__subflow *t = a;
        a = b;
        b = t;
    }
    uint64_t id[2] = {a->id, b->id};
    unsigned hv;
    sampo__pair *p = pair_find(ctx, id, &hv);
    if (!p) {
        /* Not evicting: the run holds pointers to subflows. */
        p = sampo__mem_calloc(&ctx->mem, sizeof(*p));
        if (!p)
            return;
        p->id[0] = id[0];
        p->id[1] = id[1];
        ctx->hash_oom = false;
        HASH_ADD_KEYPTR_BYHASHVALUE(hh, ctx->pairs, p->id, sizeof(p->id), hv, p);
        if (ctx->hash_oom) {
            sampo__mem_free(&ctx->mem, p);
            return;
        }
        p->verdict = ev->verdict;
        p->method = ev->method;
        p->phi = ev->phi;
        p->updated_ns = now;
    } else if (ev->verdict == SAMPO_VERDICT_UNDECIDED) {
        /* keep what was decided */
    } else if (p->run == (uint32_t)ctx->run && p->verdict == ev->verdict) {
        /* The same run saw the pair's other DSN space: independent
         * evidence for the same conclusion. */
        double phi = 1.0 - (1.0 - p->phi) * (1.0 - ev->phi);
        if (ev->phi > p->phi)
            p->method = ev->method;
        if (p->method == SAMPO_METHOD_DSN_OVERLAP && phi > SAMPO__LEVEL2_MAX)
            phi = SAMPO__LEVEL2_MAX; /* the cap holds for the pair as a whole */
        if (phi != p->phi)
            p->updated_ns = now;
        p->phi = phi;
    } else if (p->run == (uint32_t)ctx->run && p->verdict != SAMPO_VERDICT_UNDECIDED) {
        /* The two spaces disagree in one run: the stronger one stands. */
        if (ev->phi > p->phi) {
            p->verdict = ev->verdict;
            p->method = ev->method;
            p->phi = ev->phi;
            p->updated_ns = now;
        }
    } else if (ev->verdict == p->verdict || p->verdict == SAMPO_VERDICT_UNDECIDED) {
        if (ev->verdict != p->verdict || ev->phi != p->phi || ev->method != p->method)
            p->updated_ns = now;
        p->verdict = ev->verdict;
        p->method = ev->method;
        p->phi = ev->phi;
    } else if (ev->phi >= p->phi + ctx->opt.hysteresis * (1.0 - p->phi)) {
        int old = p->verdict;
        p->verdict = ev->verdict;
        p->method = ev->method;
        p->phi = ev->phi;
        p->updated_ns = now;
        sampo__count(ctx, SAMPO_CNT_VERDICTS_REVISED);
        sampo__emit_pair_event(ctx, SAMPO_EV_VERDICT_REVISED, a, b, p->verdict, old, p->method, p->phi,
                               now);
    }
    uint32_t r = (p->run == (uint32_t)ctx->run ? p->reinjections : 0) + ev->reinjections;
    p->reinjections = r > UINT16_MAX ? UINT16_MAX : (uint16_t)r;
    p->run = (uint32_t)ctx->run;
}

bool sampo__pair_known(sampo_ctx *ctx, const sampo__subflow *a, const sampo__subflow *b)
{
    uint64_t id[2] = {a->id < b->id ? a->id : b->id, a->id < b->id ? b->id : a->id};
    unsigned hv;
    return pair_find(ctx, id, &hv) != NULL;
}

/* Drop the pairs whose subflows are gone. */
void sampo__pairs_gc(sampo_ctx *ctx)
{
    sampo__pair *p, *tmp;
    HASH_ITER(hh, ctx->pairs, p, tmp) {
        if (!sampo__flow_by_id(ctx, p->id[0]) || !sampo__flow_by_id(ctx, p->id[1])) {
            HASH_DELETE(hh, ctx->pairs, p);
            sampo__mem_free(&ctx->mem, p);
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

/* The ordered list that sampo_ctx_next_pair() walks; rebuilt after each run
 * (pairs are only freed in runs, so the pointers stay valid until the next). */
void sampo__pairs_snapshot(sampo_ctx *ctx)
{
    sampo__mem_free(&ctx->mem, ctx->pair_list);
    ctx->pair_list = NULL;
    ctx->n_pair_list = 0;
    size_t n = HASH_COUNT(ctx->pairs);
    if (!n)
        return;
    ctx->pair_list = sampo__mem_alloc(&ctx->mem, n * sizeof(*ctx->pair_list));
    if (!ctx->pair_list)
        return;
    size_t k = 0;
    for (sampo__pair *p = ctx->pairs; p; p = p->hh.next)
        ctx->pair_list[k++] = p;
    /* A subflow's reinjections: those found with each of its pairs. */
    for (sampo__subflow *sf = ctx->lru_head; sf; sf = sf->lru_next)
        sf->reinjections = 0;
    for (size_t i = 0; i < k; i++) {
        const sampo__pair *p = ctx->pair_list[i];
        if (!p->reinjections)
            continue;
        for (int e = 0; e < 2; e++) {
            sampo__subflow *sf = sampo__flow_by_id(ctx, p->id[e]);
            if (sf)
                sf->reinjections += p->reinjections;
        }
    }
    qsort(ctx->pair_list, k, sizeof(*ctx->pair_list), pair_cmp);
    ctx->n_pair_list = k;
}

void sampo__pairs_free(sampo_ctx *ctx)
{
    sampo__pair *p, *tmp;
    HASH_ITER(hh, ctx->pairs, p, tmp) {
        HASH_DELETE(hh, ctx->pairs, p);
        sampo__mem_free(&ctx->mem, p);
    }
    sampo__mem_free(&ctx->mem, ctx->pair_list);
    ctx->pair_list = NULL;
    ctx->n_pair_list = 0;
}
