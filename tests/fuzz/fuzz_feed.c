/* fuzz_feed.c - the whole feed path: a sequence of packets of one link
 * type into one context, then every query, then destroy.
 *
 * Input: byte 0 picks the link type, byte 1 the configuration (token
 * evidence, memory cap, allocation-failure rate); then records of
 * [len hi][len lo][ts step][bytes...].  With allocation failures enabled,
 * every Nth allocation fails; the library must neither crash nor leak. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int linktypes[] = {SAMPO_LINKTYPE_ETHERNET, SAMPO_LINKTYPE_RAW,
                                    SAMPO_LINKTYPE_LINUX_SLL, SAMPO_LINKTYPE_LINUX_SLL2,
                                    SAMPO_LINKTYPE_IPV4,      SAMPO_LINKTYPE_IPV6, 147};
    if (size < 2)
        return 0;
    int lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
    uint8_t cfg = data[1];
    fz_alloc fa = {0, 0, (cfg & 0x30) ? (size_t)(3 + (cfg >> 6) * 7) : 0};
    sampo_allocator al = {fz_malloc, fz_free, &fa};
    sampo_ctx *ctx = NULL;
    if (sampo_ctx_create(&ctx, &al) != SAMPO_OK)
        return 0;
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 1);
    sampo_ctx_set_option(ctx, SAMPO_OPT_TOKEN_EVIDENCE, cfg & 1);
    sampo_ctx_set_option(ctx, SAMPO_OPT_DSN_EVIDENCE, (cfg >> 1) & 1);
    if (cfg & 4)
        sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 64 * 1024);
    if (cfg & 8)
        sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_SEGMENTS, 8);
    sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_EVENTS, 16);

    uint64_t ts = 1000000000;
    size_t off = 2;
    while (off + 3 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        ts += (uint64_t)data[off + 2] * 10000000; /* up to 2.55 s a step */
        off += 3;
        if (len > size - off)
            len = size - off;
        /* Copy so that a read past caplen is a heap overflow ASan sees. */
        uint8_t *pkt = malloc(len ? len : 1);
        if (!pkt)
            break;
        memcpy(pkt, data + off, len);
        sampo_packet p = SAMPO_PACKET_INIT;
        p.data = pkt;
        p.caplen = (uint32_t)len;
        p.wirelen = (uint32_t)len + (data[off - 3] & 0x80 ? 1400 : 0);
        p.ts_ns = ts;
        p.linktype = lt;
        sampo_ctx_feed(ctx, &p);
        free(pkt);
        off += len;
        sampo_event ev = SAMPO_EVENT_INIT;
        while (sampo_ctx_next_event(ctx, &ev) > 0)
            ;
    }
    sampo_ctx_flush(ctx);
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
    while (sampo_ctx_next_subflow(ctx, 0, &cur, &fi) > 0)
        ;
    if ((cfg & 4) && sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK) > 64 * 1024)
        abort(); /* the memory cap is a hard bound */
    sampo_ctx_destroy(ctx);
    if (fa.live != 0)
        abort(); /* leak */
    return 0;
}
