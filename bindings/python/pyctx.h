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

#include "assemble.h"
#include "sampo.h"

/* A session that ended, with the final records of its subflows. */
struct sampo_py_rec {
    sampo_session_info s;
    sampo_subflow_info *subs;
    size_t n;
};

struct sampo_py_ctx {
    sampo_ctx *ctx;  /* NULL once closed */
    int busy;        /* a call that released the GIL is running */
    sampo_event *ev; /* ring of drained events */
    size_t ev_head, ev_n, ev_cap;
    uint64_t ev_dropped; /* events dropped from the ring (full or no memory) */
    int keep_events;     /* 0: events are not put in the ring (their records are kept) */
    /* End-of-life records, put together as sampo-cli does (assemble.h):
     * every session that ended, and every subflow that ended in none. */
    struct assembler asm_;
    struct sampo_py_rec *recs;
    size_t n_recs, cap_recs;
    sampo_subflow_info *unassoc;
    size_t n_unassoc, cap_unassoc;
    int rec_failed; /* a record could not be kept (no memory) */
};

/* Create the context.  @return SAMPO_OK or the sampo_ctx_create() error. */
int sampo_py_open(struct sampo_py_ctx *c);

/* Destroy the context and the ring; idempotent. */
void sampo_py_close(struct sampo_py_ctx *c);

/* Oldest event: @return 1 when `out` was filled, 0 when there is none. */
int sampo_py_pop(struct sampo_py_ctx *c, sampo_event *out);

/* Events waiting in the ring. */
size_t sampo_py_pending(const struct sampo_py_ctx *c);

/* Forget the ended records kept so far (Analyzer.clear_ended()). */
void sampo_py_clear_ended(struct sampo_py_ctx *c);

#endif /* SAMPO_PY_CTX_H */
