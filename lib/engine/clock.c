/* clock.c - packet time and runs (see clock.h). */
#include "engine/clock.h"

#include "assoc/run.h"
#include "core/counters.h"
#include "engine/apply.h"
#include "engine/lifecycle.h"
#include "state/dsn.h"

void sampo__clock_start(sampo_ctx *ctx, uint64_t t)
{
    ctx->active = true;
    ctx->now_ns = t;
    ctx->env.t0_ns = t;
    ctx->next_run_ns = t + (uint64_t)ctx->opt.window_ns;
    ctx->evq.max = (uint32_t)ctx->opt.max_events; /* options are frozen from now on */
}

/* Room for a run.  What a run needs grows with the pair verdicts kept,
 * and a subflow's verdicts are only let go by the association layer's
 * collection (a pass over every pair): end as many least recently used
 * subflows as the shortfall is worth at the average bytes a subflow holds
 * (its share of the pairs included), collect, and repeat with twice as
 * many while the need does not fit.  Usually one or two collections. */
static void room_for_run(sampo_ctx *ctx)
{
    size_t need = sampo__assoc_need(&ctx->env, &ctx->assoc, &ctx->flows, &ctx->conns);
    if (sampo__mem_fits(&ctx->mem, need))
        return;
    sampo__count(ctx->cnt, SAMPO_CNT_MEM_CAP_HITS);
    size_t n = sampo__table_count(&ctx->flows);
    size_t per = n ? ctx->mem.cur / n + 1 : 1;
    size_t have = ctx->mem.cap > ctx->mem.cur ? ctx->mem.cap - ctx->mem.cur : 0;
    size_t batch = need > have ? (need - have) / per + 1 : 1;
    for (; !sampo__mem_fits(&ctx->mem, need); batch *= 2) {
        if (!sampo__lc_evict(ctx, batch))
            break;
        sampo__assoc_gc(&ctx->env, &ctx->assoc, &ctx->flows);
        need = sampo__assoc_need(&ctx->env, &ctx->assoc, &ctx->flows, &ctx->conns);
    }
}

void sampo__clock_run(sampo_ctx *ctx, uint64_t t, bool expire)
{
    sampo__count(ctx->cnt, SAMPO_CNT_ASSOC_RUNS);
    if (expire)
        sampo__lc_expire(ctx, t);
    uint64_t ret = (uint64_t)ctx->opt.retention_ns;
    uint64_t horizon = t > ret ? t - ret : 0;
    for (sampo__subflow *sf = sampo__table_oldest(&ctx->flows); sf; sf = sampo__table_newer(sf))
        sampo__dsn_prune(&ctx->env, sf, horizon);
    if (!ctx->opt.dsn_evidence)
        return;
    /* Room first, then a run that nothing interrupts. */
    if (ctx->mem.cap) {
        sampo__assoc_gc(&ctx->env, &ctx->assoc, &ctx->flows); /* expiry let some go */
        room_for_run(ctx);
    }
    sampo__plan plan;
    sampo__assoc_run(&ctx->env, &ctx->assoc, &ctx->flows, &ctx->conns, t, &plan);
    sampo__apply_plan(ctx, &plan, t);
    sampo__plan_free(&ctx->env, &plan);
}

void sampo__clock_run_due(sampo_ctx *ctx, uint64_t t)
{
    uint64_t w = (uint64_t)ctx->opt.window_ns;
    if (t < ctx->next_run_ns)
        return;
    /* After a long silence, run once rather than once per empty window. */
    uint64_t missed = (t - ctx->next_run_ns) / w;
    sampo__clock_run(ctx, t, true);
    ctx->next_run_ns += (missed + 1) * w;
}
