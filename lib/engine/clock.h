/* clock.h - packet time and the runs it schedules.
 *
 * The only clock is the packet timestamp.  The first packet starts it;
 * every γ (SAMPO_OPT_WINDOW_NS) of packet time a run ends idle subflows,
 * prunes retained segments and runs the association.  After a long
 * silence the missed windows collapse into one run.  A timestamp earlier
 * than the clock is counted (ts_backwards) and processed at the clock's
 * time. */
#ifndef SAMPO_ENGINE_CLOCK_H
#define SAMPO_ENGINE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/ctx.h"

/* Start the clock at t (first packet or first call). */
void sampo__clock_start(sampo_ctx *ctx, uint64_t t);
/* One run at t: expiry (when `expire`), pruning, association, its plan. */
void sampo__clock_run(sampo_ctx *ctx, uint64_t t, bool expire);
/* The run due at t, if a window closed. */
void sampo__clock_run_due(sampo_ctx *ctx, uint64_t t);

#endif
