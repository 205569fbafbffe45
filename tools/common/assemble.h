/*
 * assemble.h - session records from the library's end-of-life events, the
 * one copy that sampo-cli and the Python module share.
 *
 * The library ends every subflow with SAMPO_EV_SUBFLOW_END (its final
 * record) and every session with SAMPO_EV_SESSION_END, after its last
 * subflow's.  A subflow's record waits here with the others of its session
 * until the session's own arrives; the session is then handed over with
 * all of them.  A session merged away into another (other_session_gone on
 * a join or a split) hands its waiting records to the one that absorbed
 * it.  A subflow that ended in no session is handed over at once.  Only the
 * records of sessions still open are held.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_TOOLS_ASSEMBLE_H
#define SAMPO_TOOLS_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "sampo.h"

/* A finished session and the final records of all its subflows. */
typedef void (*asm_session_fn)(void *user, const sampo_session_info *s,
                               const sampo_subflow_info *subs, size_t n);
/* A subflow that ended in no session. */
typedef void (*asm_unassoc_fn)(void *user, const sampo_subflow_info *sf);

struct asm_pending;

struct assembler {
    asm_session_fn on_session;
    asm_unassoc_fn on_unassoc;
    void *user;
    struct asm_pending *pending; /* uthash by session id */
    uint64_t waiting;            /* subflow records held (gauge) */
    uint64_t waiting_peak;
    int failed; /* out of memory: a record could not be kept */
};

void asm_init(struct assembler *a, asm_session_fn on_session, asm_unassoc_fn on_unassoc,
              void *user);
/* Take one event while its record pointers are valid (at once after it is
 * pulled, or in the event callback). */
void asm_event(struct assembler *a, const sampo_event *ev);
/* The ended subflows held for open session `session_id`: *subs points at
 * them (valid until the next asm_ call).  @return how many. */
size_t asm_waiting(const struct assembler *a, uint64_t session_id, const sampo_subflow_info **subs);
/* End of input: records still held (their session's end never came, which
 * the library does not do) are handed over as sessions of their own, so
 * that nothing vanishes.  @return how many sessions that was. */
size_t asm_finish(struct assembler *a);
void asm_free(struct assembler *a);

#endif
