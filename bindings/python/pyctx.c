/*
 * pyctx.c - a libsampo context and the ring of events drained from it.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "pyctx.h"

#include <stdlib.h>
#include <string.h>

int sampo_py_open(struct sampo_py_ctx *c)
{
    memset(c, 0, sizeof *c);
    return sampo_ctx_create(&c->ctx, NULL);
}

void sampo_py_close(struct sampo_py_ctx *c)
{
    sampo_ctx_destroy(c->ctx);
    c->ctx = NULL;
    free(c->ev);
    c->ev = NULL;
    c->ev_head = c->ev_n = c->ev_cap = 0;
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

void sampo_py_drain(struct sampo_py_ctx *c, int keep)
{
    sampo_event ev;

    if (c->ctx == NULL)
        return;
    for (;;) {
        memset(&ev, 0, sizeof ev);
        ev.size = sizeof ev;
        if (sampo_ctx_next_event(c->ctx, &ev) <= 0)
            return;
        if (!keep)
            continue;
        if (ring_room(c) != 0) {
            c->ev_dropped++;
            continue;
        }
        c->ev[(c->ev_head + c->ev_n) % c->ev_cap] = ev;
        c->ev_n++;
    }
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
