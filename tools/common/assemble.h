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
 * What is held can be bounded (asm_set_limit()): when the records held
 * pass the bound, those of the sessions holding most are handed over
 * early, as parts (on_part), until the records held are down to half the
 * bound; the session's own record then comes with the rest and says how
 * many parts and subflow records went before.  An open session keeps a
 * small entry (its count of parts) until it ends; those entries are not
 * counted in the bound (the open sessions are the library's, bounded by
 * its SAMPO_OPT_MAX_MEMORY).  Without a bound (the default), nothing is
 * handed over early.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_TOOLS_ASSEMBLE_H
#define SAMPO_TOOLS_ASSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "sampo.h"

/* A finished session and the final records of its subflows: all of them,
 * or, when `parts` parts went before (asm_set_limit()), those not in them
 * (`early` records were). */
typedef void (*asm_session_fn)(void *user, const sampo_session_info *s,
                               const sampo_subflow_info *subs, size_t n, uint32_t parts,
                               uint64_t early);
/* Part `part` (1, 2, ...) of open session `session_id`: ended subflows'
 * records handed over early to stay within the bound. */
typedef void (*asm_part_fn)(void *user, uint64_t session_id, uint32_t part,
                            const sampo_subflow_info *subs, size_t n);
/* A subflow that ended in no session. */
typedef void (*asm_unassoc_fn)(void *user, const sampo_subflow_info *sf);

struct asm_pending;

struct assembler {
    asm_session_fn on_session;
    asm_unassoc_fn on_unassoc;
    asm_part_fn on_part; /* NULL: no bound */
    void *user;
    struct asm_pending *pending; /* uthash by session id */
    struct asm_pending *holding; /* those holding records (a list) */
    uint64_t waiting;            /* subflow records held (gauge) */
    uint64_t waiting_peak;
    uint64_t limit; /* bytes the held records may take (0: no bound) */
    uint64_t held;  /* bytes they take (gauge, counted as the bound counts) */
    uint64_t held_peak;
    uint64_t parts; /* parts handed over early */
    uint64_t early; /* subflow records in them */
    int failed;     /* out of memory: a record could not be kept */
};

void asm_init(struct assembler *a, asm_session_fn on_session, asm_unassoc_fn on_unassoc,
              void *user);
/* Bound the records held to about `bytes` (0: no bound): each session's
 * array of records at its capacity, and its entry while it holds some.
 * Past it, parts go to on_part (must not be NULL with a bound). */
void asm_set_limit(struct assembler *a, uint64_t bytes, asm_part_fn on_part);
/* Take one event while its record pointers are valid (at once after it is
 * pulled, or in the event callback). */
void asm_event(struct assembler *a, const sampo_event *ev);
/* The ended subflows held for open session `session_id` (not those
 * handed over in parts): *subs points at them (valid until the next asm_
 * call).  @return how many. */
size_t asm_waiting(const struct assembler *a, uint64_t session_id, const sampo_subflow_info **subs);
/* End of input: records still held (their session's end never came, which
 * the library does not do) are handed over as sessions of their own, so
 * that nothing vanishes.  @return how many sessions that was. */
size_t asm_finish(struct assembler *a);
void asm_free(struct assembler *a);

#endif
