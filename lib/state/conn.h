/* conn.h - MPTCP connections as their keys and tokens identify them.
 *
 * Role 0 is the initiator (client) of the initial subflow, role 1 the
 * listener.  The MP_CAPABLE handshake gives the keys of both roles; an
 * MP_JOIN SYN names the token of the host that receives it.  A join whose
 * token is not known yet creates a key-less connection holding just that
 * token (pending), resolved when a key with that token shows up.
 *
 * This module keeps connections, their token index and their members;
 * it returns facts (a key learned, a conflict, a connection emptied by a
 * merge) and leaves every decision about sessions and lifetimes to the
 * engine. */
#ifndef SAMPO_STATE_CONN_H
#define SAMPO_STATE_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/env.h"
#include "state/subflow.h"

typedef struct sampo__tokent {
    UT_hash_handle hh;
    uint32_t token;
    uint8_t in_table;
    uint8_t ambiguous; /* keys of two connections hash to it: it names neither */
    struct sampo__conn *conn;
} sampo__tokent;

typedef struct sampo__conn {
    UT_hash_handle hh_id;
    uint64_t id;
    sampo__tokent tok[2]; /* tokens indexed for it */
    uint64_t key[2];
    uint64_t idsn[2];
    uint32_t rtoken[2]; /* token of role r, valid with has_key[r] */
    uint8_t has_key[2];
    uint8_t version;
    uint8_t had_pending;  /* created by an MP_JOIN whose token was unknown */
    uint64_t anchor_run;  /* assoc/: run that indexed its key anchors */
    int32_t anchor_ix[2]; /* assoc/: their indices in that run's anchor array */
    sampo__list members;  /* its session is its members' session */
} sampo__conn;

typedef struct sampo__conns {
    sampo__tokent *tokens; /* token -> conn */
    sampo__conn *by_id;
    uint64_t next_id;
} sampo__conns;

sampo__conn *sampo__conn_by_token(sampo__conns *cs, sampo__hkey hkey, uint32_t token);
/* The index entry of `token`, NULL when no connection holds it. */
sampo__tokent *sampo__conn_token(sampo__conns *cs, sampo__hkey hkey, uint32_t token);
/* Does c hold a key other than `key` whose token is `token`?  Then `key`
 * belongs to another connection whose token collides with c's (32 bits:
 * about 2^16 SHA-256 evaluations find such a pair). */
bool sampo__conn_token_clash(const sampo__conn *c, uint32_t token, uint64_t key);
sampo__conn *sampo__conn_by_id(sampo__conns *cs, sampo__hkey hkey, uint64_t id);
/* A new, empty connection; NULL when memory was refused. */
sampo__conn *sampo__conn_new(sampo__env *env, sampo__conns *cs, uint8_t version);
/* Free an empty connection (no members), dropping its tokens. */
void sampo__conn_destroy(sampo__env *env, sampo__conns *cs, sampo__conn *c);
/* Index `token` for c.  False when c already holds two tokens or memory
 * was refused. */
bool sampo__conn_add_token(sampo__env *env, sampo__conns *cs, sampo__conn *c, uint32_t token);

void sampo__conn_link(sampo__conn *c, sampo__subflow *sf);
/* Take sf out of its connection; returns that connection (maybe empty now). */
sampo__conn *sampo__conn_unlink(sampo__subflow *sf);

static inline bool sampo__conn_keyless(const sampo__conn *c)
{
    return !c->has_key[0] && !c->has_key[1];
}

static inline sampo__subflow *sampo__conn_first(const sampo__conn *c)
{
    return SAMPO__SF_OF_CONN(c->members.head);
}

enum { SAMPO__KEY_LEARNED, SAMPO__KEY_KNOWN, SAMPO__KEY_CONFLICT };
/* Record key `key` (token, IDSN) for role `role` of c.  The token is
 * indexed for c unless another connection holds it already. */
int sampo__conn_set_key(sampo__env *env, sampo__conns *cs, sampo__conn *c, int role, uint64_t key,
                        uint32_t token, uint64_t idsn, uint8_t version);

/* Fold b into a (one connection seen through two tokens): tokens, keys and
 * members move to a, and b is left empty for the engine to destroy.
 * Returns the number of b's pending joins that a resolved, or -1 when the
 * keys clash (counted, nothing moved). */
int sampo__conn_merge(sampo__env *env, sampo__conns *cs, sampo__conn *a, sampo__conn *b);

/* Bytes creating a connection and indexing two tokens may allocate. */
size_t sampo__conns_reserve(const sampo__conns *cs);

#endif
