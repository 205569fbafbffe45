/* members.h - the engine's decisions on session membership, and the
 * events that report them: a new subflow's session, a tie by tokens that
 * moves a subflow or merges two sessions, a move or a split decided by an
 * association run.  Session ids stay stable for consumers: a merge keeps
 * the older id.  Nothing here evicts or frees a subflow; an allocation
 * that fails leaves membership as it was (counted). */
#ifndef SAMPO_ENGINE_MEMBERS_H
#define SAMPO_ENGINE_MEMBERS_H

#include <stdint.h>

#include "engine/ctx.h"

/* sf's session: a new one (session-opened) when it has none.  SAMPO_OK or
 * SAMPO_E_NOMEM. */
int sampo__members_ensure(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now);
/* Evidence ties sf to session dst (method, Φ): sf moves there, or, when
 * its session holds others, the two sessions merge. */
void sampo__members_attach(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, int method,
                           double conf, uint64_t now);
/* Merge sessions a and b (the older id stays); returns the one kept. */
sampo__session *sampo__members_merge(sampo_ctx *ctx, sampo__session *a, sampo__session *b,
                                     int method, double conf, uint64_t now);
/* Move sf to dst as a run decided (subflow-joined). */
void sampo__members_move(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, uint64_t now);
/* A new session for sf, taken out of its current one (a split); NULL when
 * memory was refused. */
sampo__session *sampo__members_split(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now);

#endif
