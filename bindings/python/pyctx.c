/*
 * pyctx.c - a libsampo context and the ring of events drained from it.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "pyctx.h"

#include <stdlib.h>
#include <string.h>

/* The assembler has no bound here (asm_set_limit() is not called): the
 * ended sessions are kept whole until clear_ended(), so parts never come. */
static void on_session(void *user, const sampo_session_info *s, const sampo_subflow_info *subs,
                       size_t n, uint32_t parts, uint64_t early)
{
    struct sampo_py_ctx *c = user;
    struct sampo_py_rec *r;

    (void)parts;
    (void)early;
    if (c->n_recs == c->cap_recs) {
        size_t cap = c->cap_recs ? 2 * c->cap_recs : 16;
        r = realloc(c->recs, cap * sizeof *r);
        if (r == NULL) {
            c->rec_failed = 1;
            return;
        }
        c->recs = r;
        c->cap_recs = cap;
    }
    r = &c->recs[c->n_recs];
    r->s = *s;
    r->n = n;
    r->subs = NULL;
    if (n > 0) {
        r->subs = malloc(n * sizeof *r->subs);
        if (r->subs == NULL) {
            c->rec_failed = 1;
            return;
        }
        memcpy(r->subs, subs, n * sizeof *r->subs);
    }
    c->n_recs++;
}

static void on_unassoc(void *user, const sampo_subflow_info *sf)
{
    struct sampo_py_ctx *c = user;

    if (c->n_unassoc == c->cap_unassoc) {
        size_t cap = c->cap_unassoc ? 2 * c->cap_unassoc : 16;
        sampo_subflow_info *u = realloc(c->unassoc, cap * sizeof *u);
        if (u == NULL) {
            c->rec_failed = 1;
            return;
        }
        c->unassoc = u;
        c->cap_unassoc = cap;
    }
    c->unassoc[c->n_unassoc++] = *sf;
}

static void on_event(const sampo_event *ev, void *user);

int sampo_py_open(struct sampo_py_ctx *c)
{
    int rc;

    memset(c, 0, sizeof *c);
    asm_init(&c->asm_, on_session, on_unassoc, c);
    c->keep_events = 1;
    rc = sampo_ctx_create(&c->ctx, NULL);
    if (rc == SAMPO_OK)
        rc = sampo_ctx_set_event_callback(c->ctx, on_event, c);
    return rc;
}

void sampo_py_clear_ended(struct sampo_py_ctx *c)
{
    for (size_t i = 0; i < c->n_recs; i++)
        free(c->recs[i].subs);
    free(c->recs);
    free(c->unassoc);
    c->recs = NULL;
    c->unassoc = NULL;
    c->n_recs = c->cap_recs = c->n_unassoc = c->cap_unassoc = 0;
}

void sampo_py_close(struct sampo_py_ctx *c)
{
    if (c->ctx != NULL) /* what the destroy ends is not recorded */
        sampo_ctx_set_event_callback(c->ctx, NULL, NULL);
    sampo_ctx_destroy(c->ctx);
    c->ctx = NULL;
    free(c->ev);
    c->ev = NULL;
    c->ev_head = c->ev_n = c->ev_cap = 0;
    asm_free(&c->asm_);
    sampo_py_clear_ended(c);
}

static size_t ring_limit(const struct sampo_py_ctx *c)
{
    int64_t max = 0;

    if (sampo_ctx_get_option(c->ctx, SAMPO_OPT_MAX_EVENTS, &max) != SAMPO_OK || max < 1)
        max = 1;
    return (size_t)max;
}

/* Make room for one more event: grow, or drop the oldest.  @return 0, or -1
 * when there is no room at all (no memory for a first slot). */
static int ring_room(struct sampo_py_ctx *c)
{
    size_t limit, cap, i;
    sampo_event *n;

    if (c->ev_n < c->ev_cap)
        return 0;
    limit = ring_limit(c);
    if (c->ev_cap < limit) {
        cap = c->ev_cap ? c->ev_cap * 2 : 64;
        if (cap > limit)
            cap = limit;
        n = malloc(cap * sizeof *n);
        if (n != NULL) {
            for (i = 0; i < c->ev_n; i++)
                n[i] = c->ev[(c->ev_head + i) % c->ev_cap];
            free(c->ev);
            c->ev = n;
            c->ev_cap = cap;
            c->ev_head = 0;
            return 0;
        }
    }
    if (c->ev_cap == 0)
        return -1;
    c->ev_head = (c->ev_head + 1) % c->ev_cap;
    c->ev_n--;
    c->ev_dropped++;
    return 0;
}

/* The library's event callback: the end-of-life records go to the
 * assembler, the events to the ring when they are kept.  A callback, not a
 * pull: a pulled queue drops the oldest events past max_events, and with
 * them the records of subflows that end together. */
static void on_event(const sampo_event *ev, void *user)
{
    struct sampo_py_ctx *c = user;

    asm_event(&c->asm_, ev); /* while its records are valid */
    if (!c->keep_events)
        return;
    if (ring_room(c) != 0) {
        c->ev_dropped++;
        return;
    }
    c->ev[(c->ev_head + c->ev_n) % c->ev_cap] = *ev;
    c->ev_n++;
}

int sampo_py_pop(struct sampo_py_ctx *c, sampo_event *out)
{
    if (c->ev_n == 0)
        return 0;
    *out = c->ev[c->ev_head];
    c->ev_head = (c->ev_head + 1) % c->ev_cap;
    c->ev_n--;
    return 1;
}

size_t sampo_py_pending(const struct sampo_py_ctx *c) { return c->ev_n; }
