/* pktgen.h - build Ethernet/IPv4/IPv6/TCP frames with MPTCP options, for
 * tests and fuzz seeds.  Header-only, no dependencies beyond libc. */
#ifndef SAMPO_TEST_PKTGEN_H
#define SAMPO_TEST_PKTGEN_H

#include <stdint.h>
#include <string.h>

#include "sampo.h"

typedef struct tpkt {
    uint8_t buf[256];
    uint32_t len;     /* captured bytes */
    uint32_t wirelen; /* with payload */
} tpkt;

typedef struct tflow {
    int family; /* 4 or 6 */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
} tflow;

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static inline void tp_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void tp_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}
static inline void tp_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline tflow tflow4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
    tflow f;
    memset(&f, 0, sizeof(f));
    f.family = 4;
    tp_put32(f.src, src);
    tp_put32(f.dst, dst);
    f.sport = sport;
    f.dport = dport;
    return f;
}

static inline tflow tflow_rev(tflow f)
{
    tflow r = f;
    memcpy(r.src, f.dst, 16);
    memcpy(r.dst, f.src, 16);
    r.sport = f.dport;
    r.dport = f.sport;
    return r;
}

/* Ethernet + IP + TCP with `opts` (padded with NOPs to a multiple of 4)
 * and `payload` bytes of payload counted on the wire but not captured. */
static inline tpkt tp_build(const tflow *f, uint8_t flags, uint32_t seq, uint32_t ack,
                            const uint8_t *opts, size_t olen, uint32_t payload)
{
    tpkt t;
    memset(&t, 0, sizeof(t));
    uint8_t *p = t.buf;
    memset(p, 0x02, 12);
    tp_put16(p + 12, f->family == 6 ? 0x86dd : 0x0800);
    p += 14;
    size_t optpad = (olen + 3) & ~(size_t)3;
    size_t tcplen = 20 + optpad;
    if (f->family == 6) {
        p[0] = 0x60;
        tp_put16(p + 4, (uint16_t)(tcplen + payload));
        p[6] = 6;
        p[7] = 64;
        memcpy(p + 8, f->src, 16);
        memcpy(p + 24, f->dst, 16);
        p += 40;
    } else {
        p[0] = 0x45;
        tp_put16(p + 2, (uint16_t)(20 + tcplen + payload));
        p[8] = 64;
        p[9] = 6;
        memcpy(p + 12, f->src, 4);
        memcpy(p + 16, f->dst, 4);
        p += 20;
    }
    tp_put16(p, f->sport);
    tp_put16(p + 2, f->dport);
    tp_put32(p + 4, seq);
    tp_put32(p + 8, ack);
    p[12] = (uint8_t)((tcplen / 4) << 4);
    p[13] = flags;
    tp_put16(p + 14, 65535);
    memset(p + 20, 1, optpad); /* NOP padding */
    if (olen)
        memcpy(p + 20, opts, olen);
    p += tcplen;
    t.len = (uint32_t)(p - t.buf);
    t.wirelen = t.len + payload;
    return t;
}

/* MPTCP option builders; each returns the option length. */
static inline size_t opt_mpc(uint8_t *o, int version, int len, uint64_t k1, uint64_t k2,
                             uint16_t dlen)
{
    o[0] = 30;
    o[1] = (uint8_t)len;
    o[2] = (uint8_t)(0x00 | (version & 0xf));
    o[3] = 0x01; /* H: HMAC-SHA256 / SHA1 */
    if (len >= 12)
        tp_put64(o + 4, k1);
    if (len >= 20)
        tp_put64(o + 12, k2);
    if (len >= 22)
        tp_put16(o + 20, dlen);
    return (size_t)len;
}

static inline size_t opt_join_syn(uint8_t *o, int backup, uint8_t addr_id, uint32_t token,
                                  uint32_t nonce)
{
    o[0] = 30;
    o[1] = 12;
    o[2] = (uint8_t)(0x10 | (backup ? 1 : 0));
    o[3] = addr_id;
    tp_put32(o + 4, token);
    tp_put32(o + 8, nonce);
    return 12;
}

/* DSS with 8-byte DATA_ACK and an 8-byte DSN mapping (Linux's 26 bytes). */
static inline size_t opt_dss64(uint8_t *o, uint64_t ack, uint64_t dsn, uint32_t ssn, uint16_t dlen,
                               int fin)
{
    o[0] = 30;
    o[1] = 26;
    o[2] = 0x20;
    o[3] = (uint8_t)(0x0f | (fin ? 0x10 : 0));
    tp_put64(o + 4, ack);
    tp_put64(o + 12, dsn);
    tp_put32(o + 20, ssn);
    tp_put16(o + 24, dlen);
    return 26;
}

/* DSS with an 8-byte DATA_ACK only (12 bytes), as on pure ACKs. */
static inline size_t opt_dack64(uint8_t *o, uint64_t ack)
{
    o[0] = 30;
    o[1] = 12;
    o[2] = 0x20;
    o[3] = 0x03;
    tp_put64(o + 4, ack);
    return 12;
}

/* DSS with a 4-byte DATA_ACK and a 4-byte DSN mapping (v0 style, 20 bytes). */
static inline size_t opt_dss32(uint8_t *o, uint32_t ack, uint32_t dsn, uint32_t ssn, uint16_t dlen)
{
    o[0] = 30;
    o[1] = 18;
    o[2] = 0x20;
    o[3] = 0x05;
    tp_put32(o + 4, ack);
    tp_put32(o + 8, dsn);
    tp_put32(o + 12, ssn);
    tp_put16(o + 16, dlen);
    return 18;
}

/* Feed t as a packet of source `source` (sampo_packet.source_id). */
static inline int tp_feed_src(sampo_ctx *ctx, const tpkt *t, uint64_t ts_ns, uint32_t source,
                              sampo_result *res)
{
    sampo_packet p = SAMPO_PACKET_INIT;
    p.data = t->buf;
    p.caplen = t->len;
    p.wirelen = t->wirelen;
    p.ts_ns = ts_ns;
    p.linktype = SAMPO_LINKTYPE_ETHERNET;
    p.source_id = source;
    return sampo_ctx_feed_ex(ctx, &p, res);
}

static inline int tp_feed_ex(sampo_ctx *ctx, const tpkt *t, uint64_t ts_ns, sampo_result *res)
{
    return tp_feed_src(ctx, t, ts_ns, 0, res);
}

static inline int tp_feed(sampo_ctx *ctx, const tpkt *t, uint64_t ts_ns)
{
    return tp_feed_ex(ctx, t, ts_ns, NULL);
}

/* MP_JOIN on the SYN/ACK (16 bytes: truncated HMAC, nonce) and on the
 * third ACK (24 bytes: HMAC). */
static inline size_t opt_join_synack(uint8_t *o, int backup, uint8_t addr_id, uint64_t thmac,
                                     uint32_t nonce)
{
    o[0] = 30;
    o[1] = 16;
    o[2] = (uint8_t)(0x10 | (backup ? 1 : 0));
    o[3] = addr_id;
    tp_put64(o + 4, thmac);
    tp_put32(o + 12, nonce);
    return 16;
}

static inline size_t opt_join_ack(uint8_t *o)
{
    memset(o, 0x5a, 24);
    o[0] = 30;
    o[1] = 24;
    o[2] = 0x10;
    o[3] = 0;
    return 24;
}

static inline sampo_flow tp_public(const tflow *f)
{
    sampo_flow s;
    memset(&s, 0, sizeof(s));
    s.family = (uint8_t)f->family;
    memcpy(s.src, f->src, 16);
    memcpy(s.dst, f->dst, 16);
    s.src_port = f->sport;
    s.dst_port = f->dport;
    return s;
}

#endif
