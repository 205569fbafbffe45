/*
 * traffic.h - the synthetic sampled MPTCP traffic of the benchmarks, shared by
 * bench_assoc.c (all packets generated up front, within one window) and
 * bench_latency.c (an endless time-ordered stream, many windows).
 *
 * The model (bench_assoc's since 0.1):
 *   - sessions of 4 subflows (fullmesh of 2 client x 2 server addresses) and,
 *     for 20 % of the subflows, of 2 (2 client addresses, one server);
 *   - client addresses 10.0.0.0 + 2*session + uplink, servers 10.255.0.1 and
 *     10.255.1.1, port 5201; a random client port per subflow;
 *   - 64-bit DSNs from a random IDSN per session and direction; download
 *     mappings of 1400 bytes interleaved round-robin over a session's
 *     subflows (data segment c = k * nsub + f), DATA_ACKs of the client's
 *     space on data packets and of the server's space on the ACKs;
 *   - what 1-in-R sampling leaves of each subflow's full packet stream:
 *     positions off + j*R (off random below R), each a data segment (server
 *     -> client) or a pure ACK (client -> server), about half each;
 *   - per_span sampled packets per subflow every span_ns of packet time:
 *     packet j of a subflow at t0 + (off + j*R) * span_ns / (per_span * R).
 *
 * Deterministic: everything comes from a splitmix64 generator with a fixed
 * seed, so every run sees the same packets.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_BENCH_TRAFFIC_H
#define SAMPO_BENCH_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "pktgen.h"
#include "sampo.h"

#define TRAFFIC_CLIENT_BASE 0x0A000000u /* 10.0.0.0: session i uplink u = base + 2i + u */
#define TRAFFIC_SERVER0 0x0AFF0001u     /* 10.255.0.1 */
#define TRAFFIC_SERVER1 0x0AFF0101u     /* 10.255.1.1 */
#define TRAFFIC_SEG 1400u               /* bytes per data segment */

/* splitmix64 */
uint64_t traffic_rnd(uint64_t *state);
/* splitmix64's finaliser: a fixed hash of x */
uint64_t traffic_mix(uint64_t x);

/* One subflow as drawn by traffic_layout(). */
struct traffic_subflow {
    tflow up;                /* client -> server */
    uint64_t idsn_s, idsn_c; /* the session's IDSNs (server, client) */
    uint64_t t0;             /* session start, ns of packet time */
    uint64_t off;            /* first sampled position in the full stream, < rate */
    uint64_t coin;           /* seed of the data/ACK choice when streaming */
    uint32_t isn_s, isn_c;   /* subflow ISNs */
    uint32_t session;        /* index of the session, 0-based */
    uint32_t index;          /* streaming: order in which it was drawn */
    uint64_t phase;          /* streaming: time of its first packet */
    uint8_t f, nsub;         /* position in the session, session size (4 or 2) */
};

struct traffic {
    size_t subflows, sessions, sessions4, sessions2;
    uint32_t rate;     /* sampling 1 in rate */
    uint32_t per_span; /* sampled packets per subflow every span_ns */
    uint64_t span_ns;
    uint64_t rng; /* splitmix64 state */
};

/* Sizes the sessions for about `subflows` subflows (t->subflows is the exact
 * count) and seeds the generator with `seed`. */
void traffic_init(struct traffic *t, size_t subflows, uint32_t per_span, uint64_t span_ns,
                  uint32_t rate, uint64_t seed);

/* Draws every session and subflow in order; `each` is called after each
 * subflow is drawn and may draw from t->rng itself (bench_assoc draws its
 * packets' data/ACK choices there, so the order of draws is part of the
 * workload). */
void traffic_layout(struct traffic *t,
                    void (*each)(struct traffic *t, const struct traffic_subflow *sf, void *user),
                    void *user);

/* Sampled packet j of `sf`: a data segment (data != 0) or an ACK.  Returns
 * its timestamp. */
uint64_t traffic_packet(const struct traffic *t, const struct traffic_subflow *sf, uint64_t j,
                        int data, tpkt *out);
/* Its bytes alone. */
void traffic_build(const struct traffic *t, const struct traffic_subflow *sf, uint64_t j, int data,
                   tpkt *out);
/* Its timestamp alone. */
uint64_t traffic_ts(const struct traffic *t, const struct traffic_subflow *sf, uint64_t j);

/* True session of a flow of the workload (from its client address); -1 if
 * the flow is not one of its subflows. */
long traffic_true_session(const struct traffic *t, const sampo_flow *fl);

/* Association result against the generated truth: subflows tracked,
 * sessions found exactly (same members, nothing else), pair precision and
 * recall. */
struct traffic_score {
    size_t tracked, exact;
    double tp, fp, fn, precision, recall;
};
struct traffic_score traffic_score_ctx(sampo_ctx *ctx, const struct traffic *t);

/* A time-ordered stream of the packets of every subflow, without end:
 * packet j of a subflow exactly j periods (span_ns / per_span) after its
 * first, data or ACK by a fixed hash of (subflow, j); ties in time go to
 * the earlier round, then to the subflow drawn first.  Memory: O(subflows),
 * whatever the duration; sequential over the subflows. */
#define TRAFFIC_MAX_CURSORS 16
struct traffic_stream {
    struct traffic *t;
    struct traffic_subflow *sf; /* t->subflows of them, sorted by phase */
    size_t n, k;                /* subflows, cursors */
    uint64_t period_ns;
    struct traffic_cursor {
        uint64_t round; /* packet j of every subflow */
        size_t idx;     /* next subflow of that round */
    } cur[TRAFFIC_MAX_CURSORS];
};
void traffic_stream_init(struct traffic_stream *s, struct traffic *t);
/* The next packet into *out; returns its timestamp. */
uint64_t traffic_stream_next(struct traffic_stream *s, tpkt *out);
/* Timestamp of the next packet, without taking it. */
uint64_t traffic_stream_peek(const struct traffic_stream *s);
void traffic_stream_free(struct traffic_stream *s);

#endif
