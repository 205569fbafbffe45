/* apply.c - applying a run's plan (see apply.h). */
#include "engine/apply.h"

#include "core/counters.h"
#include "engine/members.h"

static void apply_group(sampo_ctx *ctx, const sampo__plan *plan, const sampo__plan_group *g,
                        uint64_t now)
{
    const sampo__plan_member *m = &plan->members[g->first];
    for (uint32_t i = 0; i < g->n; i++) {
        m[i].sf->method = m[i].method;
        m[i].sf->confidence = m[i].phi;
        if (m[i].method == SAMPO_METHOD_NONE && m[i].sf->sess)
            m[i].sf->sess->maybe_untied = 1;
    }
    sampo__session *target = g->target;
    uint32_t start = 0;
    if (!target) {
        bool split = m[0].sf->sess != NULL;
        target = sampo__members_split(ctx, m[0].sf, now);
        if (!target) {
            sampo__count(ctx->cnt, SAMPO_CNT_APPLY_FAILED);
            return;
        }
        if (split)
            sampo__count(ctx->cnt, SAMPO_CNT_SESSIONS_SPLIT);
        start = 1;
    }
    for (uint32_t i = start; i < g->n; i++)
        if (m[i].sf->sess != target)
            sampo__members_move(ctx, m[i].sf, target, now);
}

void sampo__apply_plan(sampo_ctx *ctx, const sampo__plan *plan, uint64_t now)
{
    for (uint32_t g = 0; g < plan->n_groups; g++)
        apply_group(ctx, plan, &plan->groups[g], now);
}
