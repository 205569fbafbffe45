/* lifecycle.h - the one place where state is made room for, created,
 * closed, expired, evicted, ended and freed.
 *
 * Room is made before a step (a packet, a run) starts: when the most the
 * step could allocate would cross SAMPO_OPT_MAX_MEMORY, the least recently
 * used subflows are ended (never the packet's own).  The event queue makes
 * no room for itself: events the caller leaves queued never push state
 * out; past the cap the oldest queued event is dropped (counted).  Nothing is evicted in
 * the middle of a step, so no pointer a step holds can dangle; an
 * allocation that still fails (the allocator refused, or the estimate was
 * short) makes the step do without, counted.
 *
 * Every teardown goes through one function of lifecycle.c, end_subflow(),
 * reached from the calls below: it reports the
 * subflow's final record (SAMPO_EV_SUBFLOW_END), then its session's when
 * it was the last member (SAMPO_EV_SESSION_END), then frees, in an order
 * that never leaves a pointer to freed state: session membership, then
 * the connection, then the DSN state, then the table entry. */
#ifndef SAMPO_ENGINE_LIFECYCLE_H
#define SAMPO_ENGINE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/ctx.h"

/* End subflows (not `keep`) until `need` more bytes fit under the cap, for
 * a packet of source `src` (NULL: none in particular): the source's own
 * when it holds its quota of the table (SAMPO_OPT_SOURCE_QUOTA), else the
 * least recently used, those without progress first. */
void sampo__lc_make_room(sampo_ctx *ctx, size_t need, const sampo__subflow *keep,
                         sampo__source *src);
/* End up to n least recently used subflows (room for a run, whose need
 * shrinks as the association layer lets go of what they held); returns how
 * many were ended. */
size_t sampo__lc_evict(sampo_ctx *ctx, size_t n);
/* A bound on what one packet of a known subflow may allocate, whatever
 * its subflow: twice the tables' next growth (a packet of a known subflow
 * can add a connection or a session) and both DSN rings at their largest
 * step.  A packet whose room this covers skips the exact reckoning. */
size_t sampo__lc_packet_margin(const sampo_ctx *ctx);
/* What processing one packet may allocate (sf NULL: one that creates a subflow). */
size_t sampo__lc_packet_need(const sampo_ctx *ctx, const sampo__subflow *sf);
/* A new subflow for key k (hash hv) of source src at `now`, within
 * SAMPO_OPT_MAX_SUBFLOWS; NULL when it could not be tracked.  src must be
 * pinned (sampo__sources.pinned) while room is made for it. */
sampo__subflow *sampo__lc_subflow_new(sampo_ctx *ctx, const sampo__fkey *k, unsigned hv,
                                      sampo__source *src, uint64_t now);
/* End sf now (its records, then free) for `reason`. */
void sampo__lc_end(sampo_ctx *ctx, sampo__subflow *sf, int reason, uint64_t now);
/* End the subflows idle for SAMPO_OPT_IDLE_TIMEOUT_NS at `now`. */
void sampo__lc_expire(sampo_ctx *ctx, uint64_t now);
/* End the least recently used subflow (and its session when it was the
 * last member): false when none is left.  The caller delivers the events
 * after each, so that the queue never holds more than one subflow's
 * (SAMPO__EV_RESERVE). */
bool sampo__lc_end_oldest(sampo_ctx *ctx, int reason, uint64_t now);
/* Free what is left of the context's state, without events. */
void sampo__lc_free_all(sampo_ctx *ctx);

/* The protocol closed sf (FIN both ways, RST, MP_TCPRST): subflow-closed,
 * and session-closed when it was the session's last open subflow.  The
 * state stays until it ends. */
void sampo__lc_close_subflow(sampo_ctx *ctx, sampo__subflow *sf, int reason, int tcprst_reason,
                             uint64_t now);
/* The protocol closed session s (DATA_FIN both ways, MP_FASTCLOSE). */
void sampo__lc_close_session(sampo_ctx *ctx, sampo__session *s, int reason, uint64_t now);

#endif
