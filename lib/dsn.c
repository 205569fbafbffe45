/* dsn.c - per-direction DSN state of a subflow: the unwrapped span of the
 * sender's DSN mappings, the span of the DATA_ACKs it sent (positions in
 * the peer's space), and a bounded ring of retained segments for the
 * two-level analysis (docs/algorithm.md 3.3, 3.4, 4.6, 4.8, 4.10, 4.11). */
#include "internal.h"

#define SAMPO__BASE32 (UINT64_C(1) << 32)

/* Unwrap a 4- or 8-byte sequence value against the last one seen in the
 * same space, with serial-number arithmetic (RFC 1982).  A 32-bit space
 * starts at 2^32 + value so that values a little below the first one do
 * not underflow.  A 4-byte value met in a space that started with 8-byte
 * ones is compared on the low 32 bits (algorithm.md 4.8). */
static uint64_t unwrap(sampo_ctx *ctx, uint64_t *last, uint8_t *bits, uint64_t v, bool is64)
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
        sampo__count(ctx, SAMPO_CNT_DSN_WRAPS);
    *last = u;
    return u;
}

static inline uint32_t seg_time(const sampo_ctx *ctx, uint64_t ts)
{
    uint64_t ms = (ts - ctx->t0_ns) / 1000000;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

static void seg_push(sampo_ctx *ctx, sampo__dir *d, uint64_t dsn, uint32_t ssn, uint16_t len,
                     uint64_t now)
{
    /* One mapping often covers several TCP segments (TSO) and captures may
     * hold duplicates: skip a mapping equal to a recent one (4.10). */
    uint32_t look = d->seg_n < 8 ? d->seg_n : 8;
    for (uint32_t i = 1; i <= look; i++) {
        const sampo__seg *s = &d->segs[(d->seg_head + d->seg_n - i) % d->seg_cap];
        if (s->dsn == dsn && s->len == len && s->ssn_lo == (uint16_t)ssn) {
            sampo__count(ctx, SAMPO_CNT_DSN_SEGMENTS_DUP);
            return;
        }
    }
    if (d->seg_n == d->seg_cap) {
        uint32_t max = (uint32_t)ctx->opt.max_segments;
        /* Small rings grow by 8 (sampled subflows hold tens of segments),
         * larger ones by half: little slack either way. */
        uint32_t ncap = d->seg_cap < 64 ? d->seg_cap + 8 : d->seg_cap + d->seg_cap / 2;
        if (ncap > max)
            ncap = max;
        sampo__seg *n = ncap > d->seg_cap ? sampo__mem_alloc(&ctx->mem, ncap * sizeof(*n)) : NULL;
        if (n) {
            for (uint32_t i = 0; i < d->seg_n; i++)
                n[i] = d->segs[(d->seg_head + i) % d->seg_cap];
            sampo__mem_free(&ctx->mem, d->segs);
            d->segs = n;
            d->seg_cap = ncap;
            d->seg_head = 0;
        } else if (d->seg_cap) {
            /* At the cap (or out of memory): the oldest segment makes room. */
            d->seg_head = (d->seg_head + 1) % d->seg_cap;
            d->seg_n--;
            sampo__count(ctx, SAMPO_CNT_DSN_SEGMENTS_DROPPED);
        } else {
            sampo__count(ctx, SAMPO_CNT_DSN_SEGMENTS_DROPPED);
            return;
        }
    }
    sampo__seg *s = &d->segs[(d->seg_head + d->seg_n) % d->seg_cap];
    s->dsn = dsn;
    s->ssn_lo = (uint16_t)ssn;
    s->len = len;
    s->t_ms = seg_time(ctx, now);
    d->seg_n++;
    sampo__count(ctx, SAMPO_CNT_DSN_SEGMENTS);
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

static void record_mapping(sampo_ctx *ctx, sampo__dir *d, uint64_t dsn, bool is64, uint32_t ssn,
                           uint16_t len, uint64_t now)
{
    bool first = !d->dsn_bits;
    uint64_t u = unwrap(ctx, &d->dsn_last, &d->dsn_bits, dsn, is64);
    span_add(&d->dsn_lo, &d->dsn_hi, first, u, u + len);
    d->dirty = 1;
    if (ctx->opt.dsn_evidence)
        seg_push(ctx, d, u, ssn, len, now);
}

/* Which role (0 initiator side, 1 the other) sent direction `dir`. */
static int sender_side(const sampo__subflow *sf, int dir)
{
    int s = sf->initiator;
    if (s < 0)
        s = sf->key.port[1] > sf->key.port[0];
    return dir == s ? 0 : 1;
}

void sampo__dsn_on_packet(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__pkt *p,
                          const sampo__mptcp_opts *o, uint64_t now)
{
    sampo__dir *d = &sf->dir[dir];
    (void)p;

    /* v1 MP_CAPABLE on the first data packet: the mapping is implicit,
     * starting at IDSN + 1 of the sender (RFC 8684 3.1).  Needs the key. */
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE) && o->mpc.has_data_len && o->mpc.has_snd_key &&
        ctx->opt.token_evidence && o->mpc.data_len) {
        uint64_t idsn;
        if (sampo__key_token(o->mpc.snd_key, 1, NULL, &idsn) == SAMPO_OK) {
            d->dss_pkts++;
            record_mapping(ctx, d, idsn + 1, true, 1, o->mpc.data_len, now);
        }
    }

    if (!SAMPO__HAS(o, SAMPO__MPTCP_SUB_DSS))
        return;
    if (o->dss.has_csum)
        sampo__count(ctx, SAMPO_CNT_CHECKSUMS);
    if (o->dss.has_ack) {
        bool first = !d->ack_bits;
        uint64_t u = unwrap(ctx, &d->ack_last, &d->ack_bits, o->dss.data_ack, o->dss.ack64);
        span_add(&d->ack_lo, &d->ack_hi, first, u, u);
        d->dirty = 1;
        sampo__count(ctx, SAMPO_CNT_DATA_ACKS);
        /* A 4-byte DATA_ACK is also kept as a mark (length 0) among the
         * peer space's segments: where 32-bit spaces crowd, an ACK that
         * lands exactly on a sibling's mapping boundary is evidence
         * (assoc.c).  In 64-bit spaces proximity decides; no marks. */
        if (!o->dss.ack64 && ctx->opt.dsn_evidence) {
            sampo__dir *peer = &sf->dir[!dir];
            if (!peer->seg_n || peer->segs[(peer->seg_head + peer->seg_n - 1) % peer->seg_cap].dsn != u)
                seg_push(ctx, peer, u, 0, 0, now);
            peer->dirty = 1;
        }
    }
    if (o->dss.has_map) {
        d->dss_pkts++;
        if (o->dss.data_len == 0) {
            /* Infinite mapping: the connection fell back to TCP (3.7). */
            sampo__count(ctx, SAMPO_CNT_INFINITE_MAPPINGS);
            if (!sf->fallback) {
                sf->fallback = 1;
                sampo_event *ev = sampo__event_new(ctx, SAMPO_EV_FALLBACK, now);
                if (ev) {
                    sampo__flow_to_public(sf, &ev->flow);
                    ev->session_id = sf->sess ? sf->sess->id : 0;
                    ev->mptcp_version = sf->version;
                    sampo__event_commit(ctx, ev);
                }
            }
        } else if (!sf->fallback) {
            record_mapping(ctx, d, o->dss.dsn, o->dss.dsn64, o->dss.ssn, o->dss.data_len, now);
        }
    }
    if (o->dss.data_fin && !d->data_fin) {
        d->data_fin = 1;
        sampo__session *s = sf->sess;
        if (s) {
            s->data_fin_mask |= (uint8_t)(1u << sender_side(sf, dir));
            if (s->data_fin_mask == 3 && !s->closed)
                sampo__session_close(ctx, s, SAMPO_CLOSE_DATA_FIN, now);
        }
    }
}

void sampo__dsn_prune(sampo_ctx *ctx, sampo__subflow *sf, uint64_t horizon_ns)
{
    if (horizon_ns <= ctx->t0_ns)
        return;
    uint32_t horizon = seg_time(ctx, horizon_ns);
    for (int i = 0; i < 2; i++) {
        sampo__dir *d = &sf->dir[i];
        while (d->seg_n && d->segs[d->seg_head].t_ms < horizon) {
            d->seg_head = (d->seg_head + 1) % d->seg_cap;
            d->seg_n--;
            d->dirty = 1;
        }
    }
}

void sampo__dsn_free(sampo_ctx *ctx, sampo__subflow *sf)
{
    for (int i = 0; i < 2; i++) {
        sampo__mem_free(&ctx->mem, sf->dir[i].segs);
        sf->dir[i].segs = NULL;
        sf->dir[i].seg_n = sf->dir[i].seg_cap = 0;
    }
}
