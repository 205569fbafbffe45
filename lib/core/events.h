/* events.h - the event queue.
 *
 * Events are built in a scratch slot and queued in a ring.  The caller
 * pulls them (sampo_ctx_next_event), or, with a callback installed, the
 * API delivers them within the public call that raised them, once the
 * state is consistent (the queue then only stages a call's events, a
 * batch's group of packets' or one ended subflow's).
 * Without a callback the ring grows up to SAMPO_OPT_MAX_EVENTS and then
 * drops its oldest event (counted); with one it is bounded by the memory
 * cap only.  End-of-life events carry a full record, kept in a second ring
 * in the same order. */
#ifndef SAMPO_CORE_EVENTS_H
#define SAMPO_CORE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/ring.h"
#include "sampo.h"

/* The final record an end-of-life event carries. */
typedef union sampo__record {
    sampo_subflow_info sf;
    sampo_session_info ss;
} sampo__record;

typedef struct sampo__evq {
    sampo__mem *mem;
    uint64_t *cnt;
    sampo_event *ev; /* queued events */
    sampo__ring r;
    sampo__record *rec; /* records of the queued end-of-life events */
    sampo__ring rr;
    uint32_t max; /* bound without a callback */
    sampo_event_cb cb;
    void *user;
    sampo_event scratch; /* where an event that has no room is built */
    sampo__record out;   /* the record of the event popped last */
} sampo__evq;

static inline bool sampo__ev_has_record(int type)
{
    return type == SAMPO_EV_SUBFLOW_END || type == SAMPO_EV_SESSION_END;
}

/* What one subflow's end raises at most: subflow closed, session closed,
 * subflow end, session end; two of them with records.  The queue holds that
 * much from the context's creation on, so that a flush or a destroy that
 * delivers after each subflow it ends never needs memory for its records. */
#define SAMPO__EV_RESERVE 4u
#define SAMPO__EV_RESERVE_REC 2u
/* Allocate the reserve above; false when memory was refused. */
bool sampo__ev_reserve(sampo__evq *q);

/* A zeroed event of `type` at `ts`, built in place; nothing else may touch
 * the queue until it is committed. */
sampo_event *sampo__ev_new(sampo__evq *q, int type, uint64_t ts);
/* Queue the event sampo__ev_new() gave (and, for an end-of-life event,
 * `rec`). */
void sampo__ev_commit(sampo__evq *q, const sampo_event *ev, const sampo__record *rec);
/* Take the oldest event: 1 (filled, record pointers set to q->out), 0 when empty. */
int sampo__ev_pop(sampo__evq *q, sampo_event *out);
void sampo__ev_free(sampo__evq *q);

#endif
