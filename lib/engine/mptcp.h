/* mptcp.h - what a packet's MPTCP options and TCP flags change beyond the
 * DSN state: the handshake (who initiated, the keys, MP_JOIN tokens) and
 * the token association it implies (evidence 1, Φ = 1), the address and
 * priority options reported as events, and the protocol closing a
 * subflow or a session. */
#ifndef SAMPO_ENGINE_MPTCP_H
#define SAMPO_ENGINE_MPTCP_H

#include <stdint.h>

#include "engine/ctx.h"
#include "state/dsn.h"
#include "wire/decode.h"
#include "wire/mptcp_opt.h"

/* MP_CAPABLE and MP_JOIN: initiator, keys, tokens, and the sessions they tie. */
void sampo__mptcp_handshake(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__mptcp_opts *o,
                            uint64_t now);
/* DATA_FIN, fallback: what the DSN facts mean for the session. */
void sampo__mptcp_dsn_facts(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__dsn_fact *f,
                            uint64_t now);
/* ADD_ADDR, REMOVE_ADDR, MP_PRIO, MP_FAIL events; MP_FASTCLOSE. */
void sampo__mptcp_options(sampo_ctx *ctx, sampo__subflow *sf, const sampo__mptcp_opts *o,
                          uint64_t now);
/* SYN (initiator), FIN, RST, MP_TCPRST. */
void sampo__mptcp_tcp_flags(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__pkt *p,
                            const sampo__mptcp_opts *o, uint64_t now);

#endif
