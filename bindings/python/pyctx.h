/*
 * pyctx.h - the native half of sampo.Context: a libsampo context plus the
 * events drained from it.  Plain C, no Python: sampo.i wraps it.
 *
 * After every call that can emit events (feed, advance, flush, reading a
 * capture) the library's queue is drained into a ring kept here, outside
 * the context's allocator: the context then holds exactly the memory it
 * holds under sampo-cli (which drains after every packet too), so its
 * memory counters and the evictions of SAMPO_OPT_MAX_MEMORY are the same.
 * The ring holds at most SAMPO_OPT_MAX_EVENTS events; past that the oldest
 * is dropped and counted.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_PY_CTX_H
#define SAMPO_PY_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "sampo.h"

struct sampo_py_ctx {
    sampo_ctx *ctx;  /* NULL once closed */
    int busy;        /* a call that released the GIL is running */
    sampo_event *ev; /* ring of drained events */
    size_t ev_head, ev_n, ev_cap;
    uint64_t ev_dropped; /* events dropped from the ring (full or no memory) */
};

/* Create the context.  @return SAMPO_OK or the sampo_ctx_create() error. */
int sampo_py_open(struct sampo_py_ctx *c);

/* Destroy the context and the ring; idempotent. */
void sampo_py_close(struct sampo_py_ctx *c);

/* Move the library's queued events into the ring (keep != 0), or discard them. */
void sampo_py_drain(struct sampo_py_ctx *c, int keep);

/* Oldest event: @return 1 when `out` was filled, 0 when there is none. */
int sampo_py_pop(struct sampo_py_ctx *c, sampo_event *out);

/* Events waiting in the ring. */
size_t sampo_py_pending(const struct sampo_py_ctx *c);

#endif /* SAMPO_PY_CTX_H */
