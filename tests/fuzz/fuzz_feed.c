/* fuzz_feed.c - the whole feed path: a sequence of packets of one link
 * type into one context, then every query, then the end of input and
 * destroy.
 *
 * Input: byte 0: bits 0-2 the link type, bits 3-7 the mode (below);
 * byte 1 the configuration (token evidence, DSN evidence, memory cap,
 * small segment rings, allocation-failure rate); then records of
 * [len hi][len lo][ts step][bytes...]; bits 5-6 of the ts step name the
 * packet's source (sampo_packet.source_id).  Modes (byte 0 >> 3):
 *   0x01  association off the packet path: SAMPO_OPT_AUTO_RUN 0 and
 *         sampo_ctx_run() every 16 packets, from the "caller's timer";
 *   0x02  events through a callback, which reads the context and checks
 *         that every call that would change it is refused;
 *   0x04  sampo_ctx_feed_ex() with per-packet results, checked;
 *   0x08  packets in batches of up to 8 (sampo_ctx_feed_batch_ex());
 *   0x10  sampo_ctx_flush_ex(SAMPO_FLUSH_END) at the end: every record.
 * A record whose length has 0xA in its top 4 bits is a crowd: its packet
 * (at most 1023 bytes, bits 0-9) is fed 2 + 64 * (bits 10-11) times, up to
 * 194, the source address incremented in each copy, so that a few bytes of
 * input make hundreds to thousands of flows (the candidate bound, the cap,
 * eviction) while most inputs stay cheap.
 * With allocation failures enabled, every Nth allocation fails, also
 * combined with the memory cap; the library must neither crash nor leak,
 * and never exceed the cap.  Whenever no event was dropped, there is one
 * subflow-end record per subflow created (nothing vanishes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sampo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_alloc {
    size_t live, calls, fail_every;
} fz_alloc;

static void *fz_malloc(void *op, size_t n)
{
    fz_alloc *a = op;
    if (a->fail_every && ++a->calls % a->fail_every == 0)
        return NULL;
    void *p = malloc(n);
    if (p)
        a->live++;
    return p;
}

static void fz_free(void *op, void *p)
{
    fz_alloc *a = op;
    if (p)
        a->live--;
    free(p);
}

typedef struct fz_cb {
    sampo_ctx *ctx;
    uint64_t subflow_ends, session_ends;
} fz_cb;

/* The callback contract: reads work, changes are refused, records are
 * whole. */
static void on_event(const sampo_event *ev, void *user)
{
    fz_cb *c = user;
    sampo_packet p = SAMPO_PACKET_INIT;
    sampo_event e = SAMPO_EVENT_INIT;
    if (sampo_ctx_feed(c->ctx, &p) != SAMPO_E_BUSY || sampo_ctx_run(c->ctx, 0) != SAMPO_E_BUSY ||
        sampo_ctx_next_event(c->ctx, &e) != SAMPO_E_BUSY || sampo_ctx_flush(c->ctx) != SAMPO_E_BUSY)
        abort();
    sampo_ctx_destroy(c->ctx); /* ignored inside a callback */
    if (ev->type == SAMPO_EV_SUBFLOW_END) {
        if (!ev->subflow || ev->subflow->subflow_id != ev->subflow_id || ev->session)
            abort();
        c->subflow_ends++;
    } else if (ev->type == SAMPO_EV_SESSION_END) {
        if (!ev->session || ev->session->session_id != ev->session_id || ev->subflow)
            abort();
        c->session_ends++;
    } else if (ev->subflow || ev->session) {
        abort();
    }
    if (ev->flow.family == 4 || ev->flow.family == 6) {
        sampo_subflow_info i = SAMPO_SUBFLOW_INFO_INIT;
        int rc = sampo_ctx_lookup(c->ctx, &ev->flow, &i);
        /* A subflow in its last event may be gone, never inconsistent. */
        if (rc == SAMPO_OK && i.session_id &&
            sampo_ctx_session(c->ctx, i.session_id, &(sampo_session_info)SAMPO_SESSION_INFO_INIT))
            abort();
    }
}

/* Offset of the network header for a link type, -1 if unknown. */
static int net_off(int lt)
{
    switch (lt) {
    case SAMPO_LINKTYPE_ETHERNET:
        return 14;
    case SAMPO_LINKTYPE_LINUX_SLL:
        return 16;
    case SAMPO_LINKTYPE_LINUX_SLL2:
        return 20;
    case SAMPO_LINKTYPE_RAW:
    case SAMPO_LINKTYPE_IPV4:
    case SAMPO_LINKTYPE_IPV6:
        return 0;
    default:
        return -1;
    }
}

/* Copy i of a crowd: the packet with its source address plus i (the low
 * 16 bits of an IPv4 or IPv6 source), where there is one. */
static void crowd_copy(uint8_t *pkt, size_t len, int lt, unsigned i)
{
    int o = net_off(lt);
    if (o < 0 || (size_t)o + 40 > len)
        return;
    size_t at = (pkt[o] >> 4) == 4 ? (size_t)o + 14 : (pkt[o] >> 4) == 6 ? (size_t)o + 22 : 0;
    if (!at)
        return;
    pkt[at] = (uint8_t)(pkt[at] + (i >> 8));
    pkt[at + 1] = (uint8_t)(pkt[at + 1] + i);
}

/* What a per-packet result may say. */
static void check_result(const sampo_result *r, int rc)
{
    if (r->status != rc)
        abort();
    if (!!(r->flags & SAMPO_RES_TRACKED) != !!r->subflow_id)
        abort();
    if ((r->flags & SAMPO_RES_MAPPING) &&
        (!r->data_len || (r->dsn_bits != 32 && r->dsn_bits != 64)))
        abort();
    if ((r->flags & ~SAMPO_RES_TRACKED & ~SAMPO_RES_NEW_SUBFLOW) &&
        !(r->flags & SAMPO_RES_TRACKED) && (r->flags & (SAMPO_RES_MAPPING | SAMPO_RES_REINJECTION)))
        abort();
    if (r->handshake > SAMPO_HS_MPJ_ACK || r->dir > 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int linktypes[] = {SAMPO_LINKTYPE_ETHERNET,
                                    SAMPO_LINKTYPE_RAW,
                                    SAMPO_LINKTYPE_LINUX_SLL,
                                    SAMPO_LINKTYPE_LINUX_SLL2,
                                    SAMPO_LINKTYPE_IPV4,
                                    SAMPO_LINKTYPE_IPV6,
                                    147};
    if (size < 2)
        return 0;
    int lt = linktypes[(data[0] & 7) % (sizeof(linktypes) / sizeof(linktypes[0]))];
    unsigned mode = data[0] >> 3;
    uint8_t cfg = data[1];
    fz_alloc fa = {0, 0, (cfg & 0x30) ? (size_t)(3 + (cfg >> 6) * 7) : 0};
    sampo_allocator al = {fz_malloc, fz_free, &fa};
    sampo_ctx *ctx = NULL;
    if (sampo_ctx_create(&ctx, &al) != SAMPO_OK)
        return 0;
    fz_cb cb = {ctx, 0, 0};
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 1);
    sampo_ctx_set_option(ctx, SAMPO_OPT_TOKEN_EVIDENCE, cfg & 1);
    sampo_ctx_set_option(ctx, SAMPO_OPT_DSN_EVIDENCE, (cfg >> 1) & 1);
    if (cfg & 4)
        sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 64 * 1024);
    if (cfg & 8) { /* small rings, a small table and a small per-source quota */
        sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_SEGMENTS, 8);
        sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_SUBFLOWS, 64);
        sampo_ctx_set_option(ctx, SAMPO_OPT_SOURCE_QUOTA, 10);
    }
    sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_EVENTS, 16);
    if (mode & 0x01)
        sampo_ctx_set_option(ctx, SAMPO_OPT_AUTO_RUN, 0);
    if (mode & 0x02)
        sampo_ctx_set_event_callback(ctx, on_event, &cb);

    uint64_t ts = 1000000000;
    size_t off = 2, n = 0;
    sampo_packet batch[8];
    uint8_t *bufs[8];
    sampo_result res[8];
    int nb = 0;
    unsigned copies = 0, copy = 0;
    size_t rec_off = 0, rec_len = 0;
    while (copies || off + 3 <= size) {
        size_t len;
        if (copies) { /* the next copy of a crowd record */
            len = rec_len;
            off = rec_off;
        } else {
            len = (size_t)data[off] << 8 | data[off + 1];
            ts += (uint64_t)data[off + 2] * 10000000; /* up to 2.55 s a step */
            off += 3;
            if ((len >> 12) == 0xA) {
                copies = 2 + ((len >> 10) & 3) * 64;
                copy = 0;
                len &= 0x3ff;
            }
            if (len > size - off)
                len = size - off;
            rec_off = off;
            rec_len = len;
        }
        /* Copy so that a read past caplen is a heap overflow ASan sees. */
        uint8_t *pkt = malloc(len ? len : 1);
        if (!pkt)
            break;
        memcpy(pkt, data + off, len);
        if (copies) {
            crowd_copy(pkt, len, lt, copy++);
            if (--copies)
                ts += 1000; /* 1 us apart */
        }
        sampo_packet p = SAMPO_PACKET_INIT;
        p.data = pkt;
        p.caplen = (uint32_t)len;
        p.wirelen = (uint32_t)len + (data[off - 3] & 0x80 ? 1400 : 0);
        p.ts_ns = ts;
        p.linktype = lt;
        /* The source: bits 5-6 of the record's time step, and in a crowd
         * every third copy from another one (quotas, eviction by source). */
        p.source_id = (uint32_t)((data[rec_off - 1] >> 5) & 3) + (copies ? copy % 3 : 0);
        off += len;
        if (mode & 0x08) { /* batches */
            batch[nb] = p;
            bufs[nb] = pkt;
            res[nb] = (sampo_result)SAMPO_RESULT_INIT;
            if (++nb == 8 || off + 3 > size) {
                if (sampo_ctx_feed_batch_ex(ctx, batch, (size_t)nb, res) != nb)
                    abort();
                for (int k = 0; k < nb; k++) {
                    check_result(&res[k], res[k].status);
                    free(bufs[k]);
                }
                nb = 0;
            }
        } else if (mode & 0x04) {
            sampo_result r = SAMPO_RESULT_INIT;
            check_result(&r, sampo_ctx_feed_ex(ctx, &p, &r));
            free(pkt);
        } else {
            sampo_ctx_feed(ctx, &p);
            free(pkt);
        }
        if ((mode & 0x01) && ++n % 16 == 0)
            sampo_ctx_run(ctx, ts);
        sampo_event ev = SAMPO_EVENT_INIT;
        while (sampo_ctx_next_event(ctx, &ev) > 0)
            if (ev.type == SAMPO_EV_SUBFLOW_END)
                cb.subflow_ends++;
    }
    for (int k = 0; k < nb; k++)
        free(bufs[k]);
    if ((mode & 0x01) && !(mode & 0x08) && sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS) > n / 16)
        abort(); /* no run inside feed without SAMPO_OPT_AUTO_RUN */
    sampo_ctx_flush_ex(ctx, (mode & 0x10) ? SAMPO_FLUSH_END : 0);
    sampo_event ev = SAMPO_EVENT_INIT;
    while (sampo_ctx_next_event(ctx, &ev) > 0)
        if (ev.type == SAMPO_EV_SUBFLOW_END)
            cb.subflow_ends++;
    uint64_t cur = 0;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    while (sampo_ctx_next_session(ctx, &cur, &si) > 0) {
        uint64_t c2 = 0;
        sampo_subflow_info fi = SAMPO_SUBFLOW_INFO_INIT;
        while (sampo_ctx_next_subflow(ctx, si.session_id, &c2, &fi) > 0) {
            sampo_subflow_info li = SAMPO_SUBFLOW_INFO_INIT;
            if (sampo_ctx_lookup(ctx, &fi.flow, &li) != SAMPO_OK || li.subflow_id != fi.subflow_id)
                abort(); /* a listed subflow must be found by its 5-tuple */
            char buf[96];
            if (sampo_flow_format(&fi.flow, buf, sizeof(buf)) < 0)
                abort();
        }
    }
    cur = 0;
    sampo_subflow_info fi = SAMPO_SUBFLOW_INFO_INIT;
    int left = 0;
    while (sampo_ctx_next_subflow(ctx, 0, &cur, &fi) > 0)
        left++;
    if ((mode & 0x10) && left)
        abort(); /* SAMPO_FLUSH_END ends everything */
    if ((cfg & 4) && sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK) > 64 * 1024)
        abort(); /* the memory cap is a hard bound */
    uint64_t created = sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_CREATED);
    uint64_t dropped = sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS_DROPPED);
    uint64_t ended = sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_ENDED);
    sampo_ctx_destroy(ctx);
    if (fa.live != 0)
        abort(); /* leak */
    /* Nothing vanishes: every subflow ended with a record, delivered. */
    if ((mode & 0x10) && ended != created)
        abort();
    if ((mode & 0x12) && !dropped && cb.subflow_ends != created)
        abort();
    return 0;
}
