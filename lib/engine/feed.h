/* feed.h - the per-packet pipeline.
 *
 * A packet goes through a stateless stage (decode, parse, key, hash),
 * which a batch runs ahead for several packets and prefetches, then the
 * stateful one in order: the clock (and the run a closed window is due,
 * with SAMPO_OPT_AUTO_RUN), room for what the packet may create, the flow
 * table, the handshake and tokens, the session, the DSN state, the options,
 * the TCP flags, and the packet's result. */
#ifndef SAMPO_ENGINE_FEED_H
#define SAMPO_ENGINE_FEED_H

#include <stdint.h>

#include "core/flow.h"
#include "engine/ctx.h"
#include "wire/decode.h"
#include "wire/mptcp_opt.h"

/* One packet between the two stages. */
typedef struct sampo__job {
    sampo__pkt p;
    sampo__mptcp_opts o;
    sampo__fkey key;
    unsigned hv;
    int dir;
    int rc;      /* decode status */
    int counter; /* decode counter, -1 for none */
} sampo__job;

/* Stateless: may run ahead of the packets before it. */
void sampo__feed_prepare(const sampo_ctx *ctx, const sampo_packet *pkt, sampo__job *j);
/* Hints for a batch: the job's bucket, then its chain's first entry. */
void sampo__feed_prefetch(const sampo_ctx *ctx, const sampo__job *j, int stage);
/* Stateful, in packet order.  `res` (library layout) may be NULL. */
int sampo__feed_process(sampo_ctx *ctx, const sampo_packet *pkt, sampo__job *j, sampo_result *res);

#endif
