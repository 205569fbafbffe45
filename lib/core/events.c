/* events.c - the event queue (see events.h). */
#include "core/events.h"

#include <string.h>

#include "core/counters.h"

static uint32_t limit(const sampo__evq *q) { return q->cb ? UINT32_MAX / 2 : q->max; }

static uint32_t next_cap(const sampo__ring *r, uint32_t max)
{
    uint32_t ncap = r->cap ? r->cap * 2 : 16;
    return ncap > max ? max : ncap;
}

/* Room for one more element in ring r of elements of `elem` bytes:
 * grow, or false when the ring is at its bound or memory was refused. */
static bool make_slot(sampo__evq *q, void **buf, size_t elem, sampo__ring *r)
{
    uint32_t max = limit(q);
    if (r->n >= max)
        return false;
    if (r->n < r->cap)
        return true;
    return sampo__ring_grow(q->mem, buf, elem, r, next_cap(r, max));
}

bool sampo__ev_reserve(sampo__evq *q)
{
    return (q->r.cap >= SAMPO__EV_RESERVE ||
            sampo__ring_grow(q->mem, (void **)&q->ev, sizeof(*q->ev), &q->r, SAMPO__EV_RESERVE)) &&
           (q->rr.cap >= SAMPO__EV_RESERVE_REC ||
            sampo__ring_grow(q->mem, (void **)&q->rec, sizeof(*q->rec), &q->rr,
                             SAMPO__EV_RESERVE_REC));
}

static void drop_oldest(sampo__evq *q)
{
    if (sampo__ev_has_record(q->ev[q->r.head].type))
        sampo__ring_pop(&q->rr);
    sampo__ring_pop(&q->r);
    sampo__count(q->cnt, SAMPO_CNT_EVENTS_DROPPED);
}

/* The event is built where it will be queued: in the ring's next slot
 * (growing the ring, or dropping its oldest event when it cannot grow),
 * else in the scratch slot, which sampo__ev_commit() counts as dropped. */
sampo_event *sampo__ev_new(sampo__evq *q, int type, uint64_t ts)
{
    sampo_event *ev = &q->scratch;
    if (make_slot(q, (void **)&q->ev, sizeof(*q->ev), &q->r)) {
        ev = &q->ev[sampo__ring_tail(&q->r)];
    } else if (q->r.cap) {
        drop_oldest(q);
        ev = &q->ev[sampo__ring_tail(&q->r)];
    }
    memset(ev, 0, sizeof(*ev));
    ev->size = sizeof(*ev);
    ev->type = (sampo_event_type)type;
    ev->ts_ns = ts;
    ev->mptcp_version = 255;
    return ev;
}

void sampo__ev_commit(sampo__evq *q, const sampo_event *ev, const sampo__record *rec)
{
    sampo__count(q->cnt, SAMPO_CNT_EVENTS);
    if (ev == &q->scratch) {
        sampo__count(q->cnt, SAMPO_CNT_EVENTS_DROPPED);
        return;
    }
    bool has_rec = sampo__ev_has_record(ev->type);
    if (has_rec && !make_slot(q, (void **)&q->rec, sizeof(*q->rec), &q->rr)) {
        /* No room for the record: the oldest record goes with its event
         * (the slot of this one keeps its index as the head moves on). */
        while (q->r.n && q->rr.n == q->rr.cap)
            drop_oldest(q);
        if (q->rr.n == q->rr.cap) {
            sampo__count(q->cnt, SAMPO_CNT_EVENTS_DROPPED);
            return;
        }
    }
    q->r.n++;
    if (has_rec) {
        q->rec[sampo__ring_tail(&q->rr)] = *rec;
        q->rr.n++;
    }
}

int sampo__ev_pop(sampo__evq *q, sampo_event *out)
{
    if (!q->r.n)
        return 0;
    *out = q->ev[q->r.head];
    sampo__ring_pop(&q->r);
    if (sampo__ev_has_record(out->type)) {
        q->out = q->rec[q->rr.head];
        sampo__ring_pop(&q->rr);
        if (out->type == SAMPO_EV_SUBFLOW_END)
            out->subflow = &q->out.sf;
        else
            out->session = &q->out.ss;
    }
    return 1;
}

void sampo__ev_free(sampo__evq *q)
{
    sampo__mem_free(q->mem, q->ev);
    sampo__mem_free(q->mem, q->rec);
    q->ev = NULL;
    q->rec = NULL;
    memset(&q->r, 0, sizeof(q->r));
    memset(&q->rr, 0, sizeof(q->rr));
}
