/*
 * flow_lookup.c - the IDS / firewall use case of libsampo.
 *
 * A middlebox sees a TCP packet and wants to know: is this connection a
 * subflow of a Multipath TCP session?  Which session, how sure is the
 * library, and which other connections (siblings) carry the same
 * session?  A firewall can then apply one policy to all of them; an IDS
 * can reassemble the data spread over them.
 *
 *   example_flow_lookup CAPTURE.pcap
 *
 * The program reads a capture with libpcap, feeds every packet to a
 * context, and for each TCP packet asks sampo_ctx_lookup() about the
 * packet's connection and sampo_ctx_next_subflow() about the rest of its
 * session.  It prints one line per packet only when the answer for that
 * connection changed since its previous packet:
 *
 *   TIME FLOW  session S  METHOD CONFIDENCE  siblings: FLOW (ROLE, METHOD CONF), ...
 *
 * and, at the end of the capture, a summary of every session.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_char and friends */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sampo.h>

/* ---- the packet's connection ------------------------------------------ */

/*
 * libsampo parses packets itself but does not export its parser: a
 * middlebox has its own, and already knows the 5-tuple of each packet.
 * This one is the least the example needs: Ethernet (with VLAN tags),
 * Linux cooked captures, raw IP; IPv4 and IPv6 (no extension headers);
 * TCP.  @return 1 and fills `flow` for a TCP packet, else 0.
 */
static int tcp_flow(int linktype, const uint8_t *p, uint32_t len, sampo_flow *flow)
{
    uint32_t off = 0, l4;
    int version = 0;

    switch (linktype) {
    case SAMPO_LINKTYPE_ETHERNET: {
        uint16_t type;
        off = 14;
        if (len < off)
            return 0;
        type = (uint16_t)(p[12] << 8 | p[13]);
        while ((type == 0x8100 || type == 0x88a8) && len >= off + 4) { /* VLAN tags */
            type = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
            off += 4;
        }
        if (type != 0x0800 && type != 0x86dd)
            return 0;
        break;
    }
    case SAMPO_LINKTYPE_LINUX_SLL:
        off = 16;
        break;
    case SAMPO_LINKTYPE_LINUX_SLL2:
        off = 20;
        break;
    default: /* raw IP */
        break;
    }
    if (len < off + 20)
        return 0;
    version = p[off] >> 4;
    memset(flow, 0, sizeof *flow);
    if (version == 4) {
        if (p[off + 9] != 6) /* not TCP */
            return 0;
        if ((p[off + 6] & 0x1f) != 0 || p[off + 7] != 0) /* a later fragment */
            return 0;
        flow->family = 4;
        memcpy(flow->src, p + off + 12, 4);
        memcpy(flow->dst, p + off + 16, 4);
        l4 = off + (uint32_t)(p[off] & 0x0f) * 4;
    } else if (version == 6) {
        if (len < off + 40 || p[off + 6] != 6)
            return 0;
        flow->family = 6;
        memcpy(flow->src, p + off + 8, 16);
        memcpy(flow->dst, p + off + 24, 16);
        l4 = off + 40;
    } else {
        return 0;
    }
    if (len < l4 + 4)
        return 0;
    flow->src_port = (uint16_t)(p[l4] << 8 | p[l4 + 1]);
    flow->dst_port = (uint16_t)(p[l4 + 2] << 8 | p[l4 + 3]);
    return 1;
}

/* ---- what was answered last for each connection ------------------------ */

/*
 * The answer for one connection: its session, the method and confidence
 * of its tie to it, and its siblings (their number, and a hash of their
 * ids, methods and confidences, so that any change shows).
 */
struct answer {
    uint64_t subflow_id; /* key; 0 = empty slot */
    uint64_t session_id;
    int method;
    double confidence;
    uint32_t n_siblings;
    uint64_t siblings_hash;
};

/* Open addressing on the subflow id (stable while libsampo tracks the
 * subflow), doubled when half full. */
struct answers {
    struct answer *slot;
    size_t cap, n;
};

static size_t slot_of(uint64_t id, size_t cap)
{
    return (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (cap - 1);
}

/* The entry for `id`, created empty; NULL when out of memory. */
static struct answer *answer_get(struct answers *t, uint64_t id)
{
    size_t i;

    if (2 * (t->n + 1) > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64, j;
        struct answer *ns = calloc(ncap, sizeof *ns);
        if (ns == NULL)
            return NULL;
        for (j = 0; j < t->cap; j++) {
            if (t->slot[j].subflow_id == 0)
                continue;
            for (i = slot_of(t->slot[j].subflow_id, ncap); ns[i].subflow_id;
                 i = (i + 1) & (ncap - 1))
                ;
            ns[i] = t->slot[j];
        }
        free(t->slot);
        t->slot = ns;
        t->cap = ncap;
    }
    for (i = slot_of(id, t->cap); t->slot[i].subflow_id != 0; i = (i + 1) & (t->cap - 1))
        if (t->slot[i].subflow_id == id)
            return &t->slot[i];
    t->slot[i].subflow_id = id;
    t->n++;
    return &t->slot[i];
}

/* ---- asking libsampo ---------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2);
    return h;
}

/* Print a flow as "SRC:PORT-DST:PORT". */
static void put_flow(const sampo_flow *f)
{
    char buf[96]; /* always enough for sampo_flow_format() */

    if (sampo_flow_format(f, buf, sizeof buf) < 0)
        strcpy(buf, "?");
    fputs(buf, stdout);
}

/* "initial" (carried MP_CAPABLE), "join" (MP_JOIN) or "unknown". */
static const char *role(const sampo_subflow_info *s)
{
    return s->is_initial ? "initial" : s->is_join ? "join" : "unknown";
}

/*
 * Look the packet's connection up and print the answer if it changed.
 * @return 1 when the connection is in a session, else 0.
 */
static int ask(sampo_ctx *ctx, struct answers *seen, const sampo_flow *flow, uint64_t ts_ns,
               uint64_t *changes)
{
    sampo_subflow_info me = SAMPO_SUBFLOW_INFO_INIT, sib = SAMPO_SUBFLOW_INFO_INIT;
    struct answer now, *last;
    uint64_t cursor = 0;

    /* Which session?  Either direction of the 5-tuple finds it.  NOTFOUND
     * means the connection never carried an MPTCP option (plain TCP). */
    if (sampo_ctx_lookup(ctx, flow, &me) != SAMPO_OK)
        return 0;

    memset(&now, 0, sizeof now);
    now.subflow_id = me.subflow_id;
    now.session_id = me.session_id;
    now.method = me.method;
    now.confidence = me.confidence;
    /* Its siblings: every other subflow of the same session.  (A session
     * id of 0 means the library has not tied it to a session yet.) */
    while (me.session_id != 0 && sampo_ctx_next_subflow(ctx, me.session_id, &cursor, &sib) > 0) {
        if (sib.subflow_id != me.subflow_id) {
            now.n_siblings++;
            now.siblings_hash = mix(
                mix(mix(now.siblings_hash, sib.subflow_id), (uint64_t)sib.method),
                (uint64_t)(sib.confidence * 1e9));
        }
    }

    last = answer_get(seen, me.subflow_id);
    if (last == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    if (last->session_id == now.session_id && last->method == now.method &&
        last->confidence == now.confidence && last->n_siblings == now.n_siblings &&
        last->siblings_hash == now.siblings_hash)
        return me.session_id != 0; /* same answer as last time: say nothing */
    *last = now;
    (*changes)++;

    printf("%" PRIu64 ".%06" PRIu64 " ", ts_ns / 1000000000u, ts_ns % 1000000000u / 1000u);
    put_flow(&me.flow); /* oriented by the library: initiator first when known */
    if (me.session_id == 0) {
        printf("  no session yet\n");
        return 0;
    }
    printf("  session %" PRIu64 "  %s %.3f  ", me.session_id, sampo_method_name(me.method),
           me.confidence);
    if (now.n_siblings == 0) {
        printf("no sibling\n");
        return 1;
    }
    printf("siblings:");
    cursor = 0;
    while (sampo_ctx_next_subflow(ctx, me.session_id, &cursor, &sib) > 0) {
        if (sib.subflow_id == me.subflow_id)
            continue;
        putchar(' ');
        put_flow(&sib.flow);
        printf(" (%s, %s %.3f)", role(&sib), sampo_method_name(sib.method), sib.confidence);
    }
    putchar('\n');
    return 1;
}

/* Every session with its subflows, once the capture is done. */
static void summary(sampo_ctx *ctx)
{
    sampo_session_info s = SAMPO_SESSION_INFO_INIT;
    uint64_t cursor = 0;

    while (sampo_ctx_next_session(ctx, &cursor, &s) > 0) {
        sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
        uint64_t c2 = 0;

        printf("session %" PRIu64 ": %" PRIu32 " subflow%s, weakest tie %s %.3f%s\n", s.session_id,
               s.n_subflows, s.n_subflows == 1 ? "" : "s", sampo_method_name(s.method),
               s.confidence, s.closed ? ", closed" : "");
        while (sampo_ctx_next_subflow(ctx, s.session_id, &c2, &sf) > 0) {
            printf("  ");
            put_flow(&sf.flow);
            printf("  %s  %s %.3f  %" PRIu64 "+%" PRIu64 " packets\n", role(&sf),
                   sampo_method_name(sf.method), sf.confidence, sf.packets[SAMPO_DIR_FWD],
                   sf.packets[SAMPO_DIR_REV]);
        }
    }
}

static void ignore_event(const sampo_event *ev, void *user)
{
    (void)ev;
    (void)user;
}

/* libpcap's link type -> libsampo's (the same numbers, but DLT_RAW). */
static int sampo_linktype(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
        return SAMPO_LINKTYPE_ETHERNET;
    case DLT_RAW:
        return SAMPO_LINKTYPE_RAW;
    case 101:
        return SAMPO_LINKTYPE_RAW;
    case 113:
        return SAMPO_LINKTYPE_LINUX_SLL;
    case 276:
        return SAMPO_LINKTYPE_LINUX_SLL2;
    case 228:
        return SAMPO_LINKTYPE_IPV4;
    case 229:
        return SAMPO_LINKTYPE_IPV6;
    default:
        return 0;
    }
}

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct answers seen = {NULL, 0, 0};
    uint64_t packets = 0, tcp = 0, in_session = 0, changes = 0;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    sampo_ctx *ctx;
    pcap_t *pc;
    int linktype, rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE.pcap\n", argv[0]);
        return 2;
    }
    pc = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pc == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        return 1;
    }
    linktype = sampo_linktype(pcap_datalink(pc));
    if (linktype == 0) {
        fprintf(stderr, "%s: unsupported link type %d\n", argv[1], pcap_datalink(pc));
        pcap_close(pc);
        return 1;
    }
    rc = sampo_ctx_create(&ctx, NULL); /* default options, malloc/free */
    if (rc != SAMPO_OK) {
        fprintf(stderr, "sampo_ctx_create: %s\n", sampo_strerror(rc));
        pcap_close(pc);
        return 1;
    }
    /* This program asks questions instead of listening to events: a
     * callback that ignores them keeps them from piling up in the queue
     * (see events.c for events). */
    sampo_ctx_set_event_callback(ctx, ignore_event, NULL);

    while (pcap_next_ex(pc, &hdr, &data) == 1) {
        sampo_packet pkt = SAMPO_PACKET_INIT;
        sampo_flow flow;

        pkt.data = data;
        pkt.caplen = hdr->caplen;
        pkt.wirelen = hdr->len;
        /* Nanosecond precision was asked for: tv_usec holds nanoseconds. */
        pkt.ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000u + (uint64_t)hdr->ts.tv_usec;
        pkt.linktype = linktype;
        /* Never fails on bad input: a packet it cannot use is counted. */
        sampo_ctx_feed(ctx, &pkt);
        packets++;
        if (!tcp_flow(linktype, data, hdr->caplen, &flow))
            continue;
        tcp++;
        in_session += (uint64_t)ask(ctx, &seen, &flow, pkt.ts_ns, &changes);
    }

    /* End of input: final association run, then the sessions. */
    sampo_ctx_flush(ctx);
    printf("\n%" PRIu64 " packets, %" PRIu64 " TCP, %" PRIu64 " of them in an MPTCP session,"
           " %" PRIu64 " answer changes\n",
           packets, tcp, in_session, changes);
    summary(ctx);

    free(seen.slot);
    sampo_ctx_destroy(ctx);
    pcap_close(pc);
    return 0;
}
