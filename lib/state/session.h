/* session.h - sessions: sets of subflows believed to be one MPTCP
 * connection, each member tied by a method and a Φ (kept on the subflow).
 *
 * This module keeps the sessions, their id index and order, and their
 * members sorted by subflow id.  It changes membership only when the
 * engine asks; which session a subflow belongs to, when sessions merge,
 * split, close or end is decided in engine/. */
#ifndef SAMPO_STATE_SESSION_H
#define SAMPO_STATE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/env.h"
#include "state/subflow.h"

struct sampo__cover;

typedef struct sampo__session {
    UT_hash_handle hh; /* by id */
    uint64_t id;
    sampo__link link;    /* all sessions, by id */
    sampo__list members; /* by subflow id */
    uint8_t version;
    uint8_t closed, close_reason;
    uint8_t data_fin_mask; /* bit s: DATA_FIN seen from side s */
    uint64_t claimed;      /* assoc/: run that claimed it for a group */
    /* What members that ended while in it carried (records stay whole). */
    uint64_t gone_pkts, gone_bytes, gone_est_pkts, gone_est_bytes;
    uint64_t gone_first_ns, gone_last_ns;
    double gone_conf; /* weakest tie among them, with its method */
    uint8_t gone_method;
    uint8_t has_gone_tie;
    uint8_t gone_keys; /* token identity of the first of them that had one */
    uint32_t gone_token[2];
    uint32_t seen; /* members it ever held */
    /* A member may have no tie (method NONE): a join's adopt_ties() walks the
     * members only then, so that a session of n members is not walked by
     * each of n joins (set by session_add and by whoever unties a member). */
    uint8_t maybe_untied;
    struct sampo__cover *cover[2]; /* data-level coverage per sending side (state/dsn.c) */
} sampo__session;

typedef struct sampo__sessions {
    sampo__session *by_id;
    sampo__list all; /* by id */
    uint64_t next_id;
} sampo__sessions;

#define SAMPO__SESS_OF(l) SAMPO__ENTRY(l, sampo__session, link)

/* A new empty session with the next id; NULL when memory was refused. */
sampo__session *sampo__session_new(sampo__env *env, sampo__sessions *ss);
/* Free an empty session. */
void sampo__session_destroy(sampo__env *env, sampo__sessions *ss, sampo__session *s);
sampo__session *sampo__session_by_id(sampo__sessions *ss, sampo__hkey hkey, uint64_t id);

/* Make sf (in no session) a member of s. */
void sampo__session_add(sampo__session *s, sampo__subflow *sf);
/* Take sf out of its session (its counts go with it). */
void sampo__session_remove(sampo__subflow *sf);
/* sf ends: its counts, tie and token identity stay with its session,
 * then it leaves it.  `keys` (bit r: role r's token in tokens[r]) is the
 * identity of its connection.  A saturated estimate total is counted in
 * cnt (est_saturated). */
void sampo__session_retire(uint64_t *cnt, sampo__subflow *sf, uint8_t keys,
                           const uint32_t tokens[2]);

static inline sampo__subflow *sampo__session_first(const sampo__session *s)
{
    return SAMPO__SF_OF_SESS(s->members.head);
}

static inline uint32_t sampo__session_size(const sampo__session *s) { return s->members.n; }

/* Fold b's ended members' totals and flags into a (a merge). */
void sampo__session_absorb(uint64_t *cnt, sampo__session *a, const sampo__session *b);

size_t sampo__sessions_reserve(const sampo__sessions *ss);

#endif
