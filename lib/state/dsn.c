/* dsn.c - per-direction DSN state of a subflow (see dsn.h). */
#include "state/dsn.h"

#include "core/counters.h"
#include "wire/crypto.h"

/* Unwrap a 4- or 8-byte sequence value against the last one seen in the
 * same space, with serial-number arithmetic (RFC 1982).  A 4-byte value met
 * in a space that started with 8-byte ones is compared on the low 32 bits
 * (algorithm.md 4.8). */
static uint64_t unwrap(sampo__env *env, uint64_t *last, uint8_t *bits, uint64_t v, bool is64)
{
    if (!*bits) {
        *bits = is64 ? 64 : 32;
        *last = is64 ? v : SAMPO__BASE32 + v;
        return *last;
    }
    if (is64 && *bits == 64) {
        *last = v;
        return v;
    }
    int32_t delta = (int32_t)((uint32_t)v - (uint32_t)*last);
    uint64_t u = *last + (uint64_t)(int64_t)delta;
    if ((u >> 32) != (*last >> 32))
        sampo__count(env->cnt, SAMPO_CNT_DSN_WRAPS);
    *last = u;
    return u;
}

static inline uint32_t seg_time(const sampo__env *env, uint64_t ts)
{
    uint64_t ms = (ts - env->t0_ns) / 1000000;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Room for one more segment: grow the ring (small rings by 8, larger ones
 * by half, up to the configured cap), else the oldest segment goes. */
static bool seg_room(sampo__env *env, sampo__dir *d)
{
    if (d->seg.n < d->seg.cap)
        return true;
    uint32_t max = (uint32_t)env->opt->max_segments;
    uint32_t ncap = d->seg.cap < 64 ? d->seg.cap + 8 : d->seg.cap + d->seg.cap / 2;
    if (ncap > max)
        ncap = max;
    if (ncap > d->seg.cap &&
        sampo__ring_grow(env->mem, (void **)&d->segs, sizeof(*d->segs), &d->seg, ncap))
        return true;
    sampo__count(env->cnt, SAMPO_CNT_DSN_SEGMENTS_DROPPED);
    if (!d->seg.cap)
        return false;
    sampo__ring_pop(&d->seg); /* at the cap, or out of memory */
    return true;
}

static void seg_push(sampo__env *env, sampo__dir *d, uint64_t dsn, uint32_t ssn, uint16_t len,
                     bool seen, uint64_t now)
{
    uint16_t ssn_lo = (uint16_t)((ssn & SAMPO__SEG_SSN_MASK) | (seen ? 0 : SAMPO__SEG_UNSEEN));
    /* One mapping often covers several TCP segments (TSO) and captures may
     * hold duplicates: skip a mapping equal to a recent one (4.10). */
    uint32_t look = d->seg.n < 8 ? d->seg.n : 8;
    for (uint32_t i = 1; i <= look; i++) {
        sampo__seg *s = &d->segs[sampo__ring_at(&d->seg, d->seg.n - i)];
        if (s->dsn == dsn && s->len == len &&
            (s->ssn_lo & SAMPO__SEG_SSN_MASK) == (ssn_lo & SAMPO__SEG_SSN_MASK)) {
            s->ssn_lo &= ssn_lo; /* seen once with its data: seen */
            sampo__count(env->cnt, SAMPO_CNT_DSN_SEGMENTS_DUP);
            return;
        }
    }
    if (!seg_room(env, d))
        return;
    sampo__seg *s = &d->segs[sampo__ring_tail(&d->seg)];
    s->dsn = dsn;
    s->ssn_lo = ssn_lo;
    s->len = len;
    s->t_ms = seg_time(env, now);
    d->seg.n++;
    sampo__count(env->cnt, SAMPO_CNT_DSN_SEGMENTS);
}

static void span_add(uint64_t *lo, uint64_t *hi, bool first, uint64_t a, uint64_t b)
{
    if (b < a)
        b = UINT64_MAX; /* a 64-bit span that runs past 2^64: saturate */
    if (first) {
        *lo = a;
        *hi = b;
        return;
    }
    if (a < *lo)
        *lo = a;
    if (b > *hi)
        *hi = b;
}

static uint64_t record_mapping(sampo__env *env, sampo__dir *d, uint64_t dsn, bool is64,
                               uint32_t ssn, uint16_t len, bool seen, uint64_t now)
{
    bool first = !d->dsn_bits;
    uint64_t u = unwrap(env, &d->dsn_last, &d->dsn_bits, dsn, is64);
    span_add(&d->dsn_lo, &d->dsn_hi, first, u, u + len);
    d->dirty = 1;
    d->map_dsn = u;
    d->map_ssn = ssn;
    d->map_len = len;
    if (env->opt->dsn_evidence)
        seg_push(env, d, u, ssn, len, seen, now);
    return u;
}

/* TCP sequence facts: whether the payload goes beyond what this direction
 * sent before (else a TCP retransmission). */
static void tcp_seq(sampo__dir *d, const sampo__pkt *p, sampo__dsn_fact *f)
{
    if (!p->payload_len)
        return;
    uint32_t end = p->seq + p->payload_len;
    if (!d->has_tcp_hi || (int32_t)(end - d->tcp_hi) > 0) {
        f->new_data = 1;
        d->tcp_hi = end;
        d->has_tcp_hi = 1;
    }
}

/* Where the payload sits in the data stream: the packet's mapping, or the
 * last one of its direction, relates subflow sequence numbers (relative to
 * the ISN) to DSNs (RFC 8684 3.3.1). */
static void payload_position(const sampo__dir *d, const sampo__pkt *p, sampo__dsn_fact *f)
{
    if (!d->has_isn || !d->map_len || !p->payload_len)
        return;
    uint32_t rel = p->seq - d->isn;
    uint32_t off = rel - d->map_ssn;
    if (off < d->map_len) {
        f->payload_dsn = d->map_dsn + off;
        f->payload_dsn_ok = 1;
    }
}

/* Did the packet carry the data of its mapping (ssn, len)?  Its payload
 * lies inside the mapping, or it is a DATA_FIN's (RFC 8684 3.3.1: the
 * subflow sequence number is relative to the ISN).  The offset between TCP
 * and subflow sequence numbers of the direction's first mapping stands for
 * the ISN (sampled traffic seldom shows the SYN), and every later mapping
 * must stay within one mapping's length of it (the first packet seen may
 * sit anywhere in its mapping); one that does not marks the whole
 * direction (seq_bad), whose segments are then no reinjection evidence.  A forger who
 * copies DSS options onto packets of its own without making them agree
 * fails this; what a forger can make agree is left to the ceiling. */
static bool mapping_seen(sampo__dir *d, const sampo__pkt *p, uint32_t ssn, uint16_t len,
                         bool data_fin)
{
    if (!p->payload_len)
        return data_fin;
    if (p->payload_len > len)
        return false;
    uint32_t off = p->seq - ssn;
    if (!d->has_seq_off) {
        d->seq_off = off;
        d->has_seq_off = 1;
        return true;
    }
    int32_t delta = (int32_t)(off - d->seq_off);
    if (delta > -(int32_t)UINT16_MAX - 1 && delta <= (int32_t)UINT16_MAX + 1)
        return true;
    d->seq_bad = 1; /* the direction's sequence numbers do not progress with its mappings */
    return false;
}

/* v1 MP_CAPABLE on the first data packet: the mapping is implicit,
 * starting at IDSN + 1 of the sender (RFC 8684 3.1).  Needs the key. */
__attribute__((noinline)) static void implicit_mapping(sampo__env *env, sampo__dir *d,
                                                       const sampo__pkt *p,
                                                       const sampo__mptcp_opts *o, uint64_t now,
                                                       sampo__dsn_fact *f)
{
    if (!SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE) || !o->mpc.has_data_len || !o->mpc.has_snd_key ||
        !env->opt->token_evidence || !o->mpc.data_len)
        return;
    uint64_t idsn;
    if (sampo__key_token(o->mpc.snd_key, 1, NULL, &idsn) != SAMPO_OK)
        return;
    d->dss_pkts++;
    f->mapping = 1;
    f->dsn_bits = 64;
    f->ssn = 1;
    f->len = o->mpc.data_len;
    f->dsn = record_mapping(env, d, idsn + 1, true, 1, o->mpc.data_len,
                            mapping_seen(d, p, 1, o->mpc.data_len, false), now);
}

static void data_ack(sampo__env *env, sampo__subflow *sf, int dir, const sampo__mptcp_opts *o,
                     uint64_t now, sampo__dsn_fact *f)
{
    sampo__dir *d = &sf->dir[dir];
    bool first = !d->ack_bits;
    uint64_t u = unwrap(env, &d->ack_last, &d->ack_bits, o->dss.data_ack, o->dss.ack64);
    span_add(&d->ack_lo, &d->ack_hi, first, u, u);
    d->dirty = 1;
    f->data_ack = 1;
    f->ack = u;
    sampo__count(env->cnt, SAMPO_CNT_DATA_ACKS);
    /* A 4-byte DATA_ACK is also kept as a mark (length 0) among the peer
     * space's segments: where 32-bit spaces crowd, an ACK that lands
     * exactly on a sibling's mapping boundary is evidence (assoc/).  In
     * 64-bit spaces proximity decides; no marks. */
    if (!o->dss.ack64 && env->opt->dsn_evidence) {
        sampo__dir *peer = &sf->dir[!dir];
        if (!peer->seg.n || peer->segs[sampo__ring_at(&peer->seg, peer->seg.n - 1)].dsn != u)
            seg_push(env, peer, u, 0, 0, true, now);
        peer->dirty = 1;
    }
}

static void dss_mapping(sampo__env *env, sampo__subflow *sf, sampo__dir *d, const sampo__pkt *p,
                        const sampo__mptcp_opts *o, uint64_t now, sampo__dsn_fact *f)
{
    d->dss_pkts++;
    if (o->dss.data_len == 0) {
        /* Infinite mapping: the connection fell back to TCP (3.7). */
        sampo__count(env->cnt, SAMPO_CNT_INFINITE_MAPPINGS);
        f->infinite = 1;
        if (!sf->fallback) {
            sf->fallback = 1;
            f->fell_back = 1;
        }
        return;
    }
    if (sf->fallback)
        return;
    f->mapping = 1;
    f->dsn_bits = o->dss.dsn64 ? 64 : 32;
    f->ssn = o->dss.ssn;
    f->len = o->dss.data_len;
    f->dsn = record_mapping(env, d, o->dss.dsn, o->dss.dsn64, o->dss.ssn, o->dss.data_len,
                            mapping_seen(d, p, o->dss.ssn, o->dss.data_len, o->dss.data_fin), now);
}

void sampo__dsn_on_packet(sampo__env *env, sampo__subflow *sf, int dir, const sampo__pkt *p,
                          const sampo__mptcp_opts *o, uint64_t now, bool position,
                          sampo__dsn_fact *f)
{
    sampo__dir *d = &sf->dir[dir];
    if (p->tcp_flags & SAMPO__TH_SYN) { /* the ISN, also for 5-tuple reuse (engine/) */
        d->isn = p->seq;
        d->has_isn = 1;
    }
    if (position)
        tcp_seq(d, p, f);
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE))
        implicit_mapping(env, d, p, o, now, f);
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_DSS)) {
        if (o->dss.has_csum)
            sampo__count(env->cnt, SAMPO_CNT_CHECKSUMS);
        if (o->dss.has_ack)
            data_ack(env, sf, dir, o, now, f);
        if (o->dss.has_map)
            dss_mapping(env, sf, d, p, o, now, f);
        if (o->dss.data_fin) {
            f->data_fin = 1;
            if (!d->data_fin) {
                d->data_fin = 1;
                f->data_fin_first = 1;
            }
        }
    }
    if (position)
        payload_position(d, p, f);
}

void sampo__dsn_prune(sampo__env *env, sampo__subflow *sf, uint64_t horizon_ns)
{
    if (horizon_ns <= env->t0_ns)
        return;
    uint32_t horizon = seg_time(env, horizon_ns);
    for (int i = 0; i < 2; i++) {
        sampo__dir *d = &sf->dir[i];
        while (d->seg.n && d->segs[d->seg.head].t_ms < horizon) {
            sampo__ring_pop(&d->seg);
            d->dirty = 1;
        }
    }
}

void sampo__dsn_release(sampo__env *env, sampo__subflow *sf)
{
    for (int i = 0; i < 2; i++) {
        sampo__mem_free(env->mem, sf->dir[i].segs);
        sf->dir[i].segs = NULL;
        sf->dir[i].seg.n = sf->dir[i].seg.cap = sf->dir[i].seg.head = 0;
    }
}

size_t sampo__dsn_reserve(const sampo__env *env, const sampo__subflow *sf)
{
    /* A packet grows at most its own direction's ring and, with a 4-byte
     * DATA_ACK, the peer's: each by at most half of the configured cap. */
    size_t max = (size_t)env->opt->max_segments;
    size_t need = 0;
    for (int d = 0; d < 2; d++) {
        size_t cap = sf ? sf->dir[d].seg.cap : 0, n = sf ? sf->dir[d].seg.n : 0;
        if (n < cap || cap >= max)
            continue;
        size_t ncap = cap < 64 ? cap + 8 : cap + cap / 2;
        need += sampo__mem_cost((ncap > max ? max : ncap) * sizeof(sampo__seg));
    }
    return need;
}
