/* hostile.h - crafted traffic an attacker chooses, for the tests and the
 * benchmarks of docs/security.md.  Header-only, on top of pktgen.h.
 *
 * Every generator is a pure function of its index and a seed: packet k of
 * attack flow i is the same on every call, so the tests, the benchmark and
 * the fuzz seeds see the same traffic and can be repeated.
 *
 * DATA_ACK crowd (the "quadratic candidates" attack): flow i, from host
 * 10.(64 + i / 65536).(i / 256 % 256).(i % 256) to 172.16.0.1:443, carries
 * two 64-bit DSN mappings of 1000 bytes and the server side two DATA_ACKs,
 * all within a few kilobytes of one DSN `base`.  Every flow's DSN spaces
 * overlap every other's: without a bound, an association run examines
 * n (n - 1) pairs. */
#ifndef SAMPO_TEST_HOSTILE_H
#define SAMPO_TEST_HOSTILE_H

#include <stdint.h>
#include <stdlib.h>

/* <>: the pktgen.h of the include path, so that bench/ can build this
 * against an older library with that library's own pktgen.h. */
#include <pktgen.h>

#include "joinmac.h"

#define HOSTILE_CROWD_PKTS 4 /* packets per crowd flow */

static inline tflow hostile_crowd_flow(uint32_t i)
{
    uint32_t src = (UINT32_C(10) << 24) | ((64 + i / 65536) % 256) << 16 | (i / 256 % 256) << 8 |
                   (i % 256);
    return tflow4(src, (uint16_t)(1024 + i % 60000), UINT32_C(0xac100001), 443);
}

/* Packet k (0 .. HOSTILE_CROWD_PKTS-1) of crowd flow i around DSN `base`. */
static inline tpkt hostile_crowd_pkt(uint32_t i, unsigned k, uint64_t base)
{
    tflow f = hostile_crowd_flow(i);
    uint8_t o[32];
    uint64_t dsn = base + (uint64_t)(i % 4096) * 7 + (uint64_t)k * 1000;
    if (k % 2 == 0) {
        size_t n = opt_dss64(o, base + 1, dsn, 1 + k * 1000, 1000, 0);
        return tp_build(&f, TH_ACK | TH_PSH, 1 + k * 1000, 1, o, n, 1000);
    }
    tflow r = tflow_rev(f);
    size_t n = opt_dack64(o, dsn + 1000);
    return tp_build(&r, TH_ACK, 1, 1 + k * 1000, o, n, 0);
}

/* ---- copied DSS onto a third-party flow ----------------------------------
 *
 * A victim connection, token-verified: initial subflow 192.0.2.1:40000 ->
 * 198.51.100.1:443 (MP_CAPABLE with both keys) and a join from 192.0.2.2
 * naming the listener's token, its SYN/ACK's HMAC the true one; the client sends 1000-byte mappings
 * from its IDSN + 1, alternating over the two subflows, the server DATA_ACKs them. The forger, on
 * the path, copies every DSS option the client sends onto a flow between two hosts of its own,
 * 203.0.113.7 -> 203.0.113.9:80, with TCP sequence numbers consistent with the copied subflow
 * sequence numbers and payloads of the mapped length.  HOSTILE_COPY_PKTS packets in time order;
 * packet k is hostile_copy_pkt(k, &ts). */
#define HOSTILE_COPY_KEY_C UINT64_C(0x0123456789abcdef)
#define HOSTILE_COPY_KEY_S UINT64_C(0x0fedcba987654321)
#define HOSTILE_COPY_SEGS 40
#define HOSTILE_COPY_PKTS (5 + 3 * HOSTILE_COPY_SEGS)

static inline tflow hostile_copy_flow(int which) /* 0, 1: victim subflows, 2: forger */
{
    if (which == 0)
        return tflow4(UINT32_C(0xc0000201), 40000, UINT32_C(0xc6336401), 443);
    if (which == 1)
        return tflow4(UINT32_C(0xc0000202), 40001, UINT32_C(0xc6336401), 443);
    return tflow4(UINT32_C(0xcb007107), 5555, UINT32_C(0xcb007109), 80);
}

static inline tpkt hostile_copy_pkt(unsigned k, uint64_t *ts_ns)
{
    uint8_t o[40];
    size_t n;
    *ts_ns = UINT64_C(1000000000) + (uint64_t)k * 1000000;
    tflow f0 = hostile_copy_flow(0), f1 = hostile_copy_flow(1), fx = hostile_copy_flow(2);
    if (k < 3) { /* MP_CAPABLE handshake on subflow 0 */
        tflow r = tflow_rev(f0);
        if (k == 0)
            return tp_build(&f0, TH_SYN, 0, 0, o, opt_mpc(o, 1, 12, HOSTILE_COPY_KEY_C, 0, 0), 0);
        if (k == 1)
            return tp_build(&r, TH_SYN | TH_ACK, 0, 1, o,
                            opt_mpc(o, 1, 12, HOSTILE_COPY_KEY_S, 0, 0), 0);
        return tp_build(&f0, TH_ACK, 1, 1, o,
                        opt_mpc(o, 1, 20, HOSTILE_COPY_KEY_C, HOSTILE_COPY_KEY_S, 0), 0);
    }
    if (k < 5) { /* the join: SYN naming the listener's token, SYN/ACK */
        uint32_t token = 0;
        uint64_t idsn = 0;
        sampo_key_token(HOSTILE_COPY_KEY_S, 1, &token, &idsn);
        if (k == 3)
            return tp_build(&f1, TH_SYN, 0, 0, o, opt_join_syn(o, 0, 1, token, 7), 0);
        tflow r = tflow_rev(f1); /* MP_JOIN SYN/ACK: nonce 9, the true truncated HMAC */
        uint64_t mac = tp_join_thmac(1, HOSTILE_COPY_KEY_S, HOSTILE_COPY_KEY_C, 9, 7);
        return tp_build(&r, TH_SYN | TH_ACK, 0, 1, o, opt_join_synack(o, 0, 0, mac, 9), 0);
    }
    uint32_t tok = 0;
    uint64_t idsn_c = 0, idsn_s = 0;
    sampo_key_token(HOSTILE_COPY_KEY_C, 1, &tok, &idsn_c);
    sampo_key_token(HOSTILE_COPY_KEY_S, 1, &tok, &idsn_s);
    unsigned seg = (k - 5) / 3, part = (k - 5) % 3;
    tflow *on = seg % 2 ? &f1 : &f0;
    uint64_t dsn = idsn_c + 1 + (uint64_t)seg * 1000;
    uint32_t ssn = 1 + (seg / 2) * 1000;
    if (part == 0) { /* the victim's data */
        n = opt_dss64(o, idsn_s + 1, dsn, ssn, 1000, 0);
        return tp_build(on, TH_ACK | TH_PSH, ssn, 1, o, n, 1000);
    }
    if (part == 1) { /* its DATA_ACK */
        tflow r = tflow_rev(*on);
        n = opt_dack64(o, dsn + 1000);
        return tp_build(&r, TH_ACK, 1, ssn + 1000, o, n, 0);
    }
    /* the forger's copy, consistent with its own sequence numbers */
    uint32_t fssn = 1 + seg * 1000;
    n = opt_dss64(o, idsn_s + 1, dsn, fssn, 1000, 0);
    return tp_build(&fx, TH_ACK | TH_PSH, fssn, 1, o, n, 1000);
}

/* ---- extreme DSNs ---------------------------------------------------------
 *
 * Unrelated flows i (10.128.x.y -> 172.17.0.1:80 + i % 7) whose DSN spaces
 * sit where arithmetic is fragile: i % 4 == 0 just below 2^64 and wrapping
 * through 0; 1 at 0; 2 just below 2^63; 3 a hull over a quarter of the
 * circle (a DATA_ACK 2^62 past its DSNs).  HOSTILE_EXTREME_PKTS per flow. */
#define HOSTILE_EXTREME_PKTS 3

static inline tpkt hostile_extreme_pkt(uint32_t i, unsigned k)
{
    tflow f = tflow4((UINT32_C(10) << 24) | (128u << 16) | (i & 0xffff),
                     (uint16_t)(2000 + i % 50000), UINT32_C(0xac110001), (uint16_t)(80 + i % 7));
    static const uint64_t at[4] = {UINT64_MAX - 1500, 0, (UINT64_C(1) << 63) - 700, 12345};
    uint64_t dsn = at[i % 4] + (uint64_t)(i / 4) * 3 + (uint64_t)k * 1000;
    uint8_t o[40];
    if (k < 2) {
        size_t n = opt_dss64(o, 1, dsn, 1 + k * 1000, 1000, 0);
        return tp_build(&f, TH_ACK | TH_PSH, 1 + k * 1000, 1, o, n, 1000);
    }
    tflow r = tflow_rev(f);
    uint64_t ack = i % 4 == 3 ? dsn + (UINT64_C(1) << 62) : dsn;
    return tp_build(&r, TH_ACK, 1, 1 + k * 1000, o, opt_dack64(o, ack), 0);
}

/* ---- colliding tokens -----------------------------------------------------
 *
 * Two 64-bit keys whose v1 tokens (the top 32 bits of SHA-256(key)) are
 * equal, found by brute force (a birthday search over keys seed, seed+1,
 * ...: about 2^16 SHA-256 evaluations).  Returns false if none was found
 * within `tries` keys.  `scratch` holds 2 * tries uint64_t. */
static inline int hostile_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static inline int hostile_token_collision(uint64_t seed, uint32_t tries, uint64_t *scratch,
                                          uint64_t *k1, uint64_t *k2)
{
    /* (token << 32 | index) sorted: equal tokens end up side by side. */
    for (uint32_t i = 0; i < tries; i++) {
        uint32_t t = 0;
        uint64_t idsn = 0;
        sampo_key_token(seed + i, 1, &t, &idsn);
        scratch[i] = (uint64_t)t << 32 | i;
    }
    qsort(scratch, tries, sizeof(*scratch), hostile_u64_cmp);
    for (uint32_t i = 0; i + 1 < tries; i++)
        if (scratch[i] >> 32 == scratch[i + 1] >> 32) {
            *k1 = seed + (uint32_t)scratch[i];
            *k2 = seed + (uint32_t)scratch[i + 1];
            return 1;
        }
    return 0;
}

/* Connection `which` (0 or 1) with listener key `key_s`: MP_CAPABLE
 * handshake 10.77.which.1:41000 -> 10.88.which.1:443, then packet 3 a join
 * from 10.77.which.2 naming the listener's token.  Packets k = 0..3. */
static inline tpkt hostile_token_pkt(int which, uint64_t key_c, uint64_t key_s, unsigned k)
{
    uint8_t o[40];
    uint32_t w = (uint32_t)which;
    tflow f = tflow4((UINT32_C(10) << 24) | (77u << 16) | (w << 8) | 1, 41000,
                     (UINT32_C(10) << 24) | (88u << 16) | (w << 8) | 1, 443);
    tflow r = tflow_rev(f);
    if (k == 0)
        return tp_build(&f, TH_SYN, 0, 0, o, opt_mpc(o, 1, 12, key_c, 0, 0), 0);
    if (k == 1)
        return tp_build(&r, TH_SYN | TH_ACK, 0, 1, o, opt_mpc(o, 1, 12, key_s, 0, 0), 0);
    if (k == 2)
        return tp_build(&f, TH_ACK, 1, 1, o, opt_mpc(o, 1, 20, key_c, key_s, 0), 0);
    uint32_t token = 0;
    uint64_t idsn = 0;
    sampo_key_token(key_s, 1, &token, &idsn);
    tflow j = tflow4((UINT32_C(10) << 24) | (77u << 16) | (w << 8) | 2, 41001,
                     (UINT32_C(10) << 24) | (88u << 16) | (w << 8) | 1, 443);
    return tp_build(&j, TH_SYN, 0, 0, o, opt_join_syn(o, 0, 1, token, 5), 0);
}

/* ---- MP_JOIN flood -------------------------------------------------------
 *
 * Join i is one MP_JOIN SYN from a random client 10.x.y.z (24 random bits)
 * to a random server 172.x.y.z:443 (24 random bits), naming a random
 * token: 32 random bits, or one of the first `ntokens` values of a random
 * permutation when ntokens > 0 (the birthday collisions of a flood many
 * times larger, on purpose).  Everything is a function of i and seed. */
static inline uint64_t hostile_mix(uint64_t x) /* splitmix64's finalizer */
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static inline uint32_t hostile_join_token(uint32_t i, uint64_t seed, uint32_t ntokens)
{
    uint64_t h = hostile_mix(seed ^ ((uint64_t)i << 1));
    if (!ntokens)
        return (uint32_t)(h >> 32);
    /* an odd multiplier is a permutation of 2^32: distinct for distinct draws */
    return (uint32_t)((h >> 32) % ntokens) * UINT32_C(0x9e3779b1) + (uint32_t)seed;
}

static inline tflow hostile_join_flow(uint32_t i, uint64_t seed)
{
    uint64_t h = hostile_mix(seed ^ ((uint64_t)i << 1 | 1));
    return tflow4((UINT32_C(10) << 24) | (uint32_t)(h & 0xffffff),
                  (uint16_t)(1024 + (h >> 24) % 60000),
                  (UINT32_C(172) << 24) | (uint32_t)((h >> 40) & 0xffffff), 443);
}

static inline tpkt hostile_join_pkt(uint32_t i, uint64_t seed, uint32_t ntokens)
{
    uint8_t o[16];
    tflow f = hostile_join_flow(i, seed);
    return tp_build(&f, TH_SYN, i, 0, o,
                    opt_join_syn(o, 0, 1, hostile_join_token(i, seed, ntokens), i * 7 + 1), 0);
}

/* ---- subflow churn in one open session ------------------------------------
 *
 * An endpoint that keeps one MPTCP v1 session open and churns joined
 * subflows through it: the initial subflow 192.0.2.20:40000 ->
 * 198.51.100.20:443 (MP_CAPABLE handshake with both keys,
 * HOSTILE_CHURN_HEAD packets, then a pure ACK on it now and then to keep
 * it alive), and join i an MP_JOIN SYN from
 * 10.(128 + i / 65536 % 128).(i / 256 % 256).(i % 256):(1024 + i % 60000)
 * naming the listener's token.  Each join ends when it goes idle; the
 * session never ends before the input does, so every ended join's record
 * waits for it (issue 10: what a consumer of end-of-life records holds). */
#define HOSTILE_CHURN_KEY_C UINT64_C(0x1122334455667788)
#define HOSTILE_CHURN_KEY_S UINT64_C(0x8877665544332211)
#define HOSTILE_CHURN_HEAD 3

static inline tflow hostile_churn_initial(void)
{
    return tflow4(UINT32_C(0xc0000214), 40000, UINT32_C(0xc6336414), 443);
}

/* Packet k < HOSTILE_CHURN_HEAD of the initial subflow's handshake, or
 * (k >= HOSTILE_CHURN_HEAD) a pure ACK on it. */
static inline tpkt hostile_churn_head(unsigned k)
{
    uint8_t o[24];
    tflow f = hostile_churn_initial(), r = tflow_rev(f);
    if (k == 0)
        return tp_build(&f, TH_SYN, 0, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    if (k == 1)
        return tp_build(&r, TH_SYN | TH_ACK, 0, 1, o, opt_mpc(o, 1, 12, HOSTILE_CHURN_KEY_S, 0, 0),
                        0);
    if (k == 2)
        return tp_build(&f, TH_ACK, 1, 1, o,
                        opt_mpc(o, 1, 20, HOSTILE_CHURN_KEY_C, HOSTILE_CHURN_KEY_S, 0), 0);
    return tp_build(&f, TH_ACK, 1, 1, o, 0, 0);
}

static inline tflow hostile_churn_flow(uint32_t i)
{
    uint32_t src = (UINT32_C(10) << 24) | ((128 + i / 65536 % 128) << 16) | (i / 256 % 256) << 8 |
                   (i % 256);
    return tflow4(src, (uint16_t)(1024 + i % 60000), UINT32_C(0xc6336414), 443);
}

/* Join i: its MP_JOIN SYN. */
static inline tpkt hostile_churn_join(uint32_t i)
{
    uint8_t o[16];
    uint32_t token = 0;
    uint64_t idsn = 0;
    sampo_key_token(HOSTILE_CHURN_KEY_S, 1, &token, &idsn);
    tflow f = hostile_churn_flow(i);
    return tp_build(&f, TH_SYN, i, 0, o, opt_join_syn(o, 0, 1, token, i * 7 + 1), 0);
}

#endif
