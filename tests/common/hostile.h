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

#include "pktgen.h"

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

#endif
