/* apply.h - applying an association run's plan to the sessions. */
#ifndef SAMPO_ENGINE_APPLY_H
#define SAMPO_ENGINE_APPLY_H

#include <stdint.h>

#include "assoc/cluster.h"
#include "engine/ctx.h"

/* Each group in order: its members' ties, then its session (kept, or a
 * new one for a split), then the moves (subflow-joined events). */
void sampo__apply_plan(sampo_ctx *ctx, const sampo__plan *plan, uint64_t now);

#endif
