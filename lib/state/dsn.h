/* dsn.h - per-direction DSN state of a subflow: the unwrapped span of the
 * sender's DSN mappings, the span of the DATA_ACKs it sent (positions in
 * the peer's space), a bounded ring of retained segments for the two-level
 * analysis (docs/algorithm.md 3.3, 3.4, 4.6, 4.8, 4.10, 4.11), the last
 * mapping and the TCP sequence facts that place a packet's payload in the
 * data stream.  Returns what the packet carried; decides nothing else. */
#ifndef SAMPO_STATE_DSN_H
#define SAMPO_STATE_DSN_H

#include <stdint.h>

#include "core/env.h"
#include "state/subflow.h"
#include "wire/decode.h"
#include "wire/mptcp_opt.h"

/* What one packet's DSN options were, after unwrapping. */
typedef struct sampo__dsn_fact {
    uint8_t mapping;        /* a data mapping (dsn, ssn, len) */
    uint8_t dsn_bits;       /* its width on the wire */
    uint8_t infinite;       /* an infinite mapping */
    uint8_t fell_back;      /* ... the first one: the subflow fell back to TCP */
    uint8_t data_ack;       /* a DATA_ACK (ack) */
    uint8_t data_fin;       /* a DATA_FIN */
    uint8_t data_fin_first; /* ... the first one of this direction */
    uint8_t new_data; /* payload beyond the highest TCP sequence seen (not a retransmission) */
    uint8_t payload_dsn_ok; /* payload_dsn is known */
    uint16_t len;
    uint32_t ssn;
    uint64_t dsn;         /* unwrapped; a 4-byte space starts at 2^32 + value */
    uint64_t ack;         /* unwrapped likewise */
    uint64_t payload_dsn; /* data-level position of the first payload byte */
} sampo__dsn_fact;

/* `position`: also follow the TCP sequence (ISN, new data) and place the
 * payload in the data stream (f->new_data, f->payload_dsn), for a caller
 * that asked for the packet's result. */
void sampo__dsn_on_packet(sampo__env *env, sampo__subflow *sf, int dir, const sampo__pkt *p,
                          const sampo__mptcp_opts *o, uint64_t now, bool position,
                          sampo__dsn_fact *f);
/* Forget retained segments older than horizon_ns. */
void sampo__dsn_prune(sampo__env *env, sampo__subflow *sf, uint64_t horizon_ns);
/* Free the segment rings. */
void sampo__dsn_release(sampo__env *env, sampo__subflow *sf);
/* Bytes one packet may allocate in sf's rings (sf NULL: a new subflow). */
size_t sampo__dsn_reserve(const sampo__env *env, const sampo__subflow *sf);

/* A 4-byte space's unwrapped values start at 2^32 + the first value, so
 * that values a little below it do not underflow. */
#define SAMPO__BASE32 (UINT64_C(1) << 32)

#endif
