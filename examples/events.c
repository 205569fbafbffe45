/*
 * events.c - print libsampo's events as they happen, in the two ways a
 * program can receive them.
 *
 *   example_events CAPTURE.pcap              pull model (the default)
 *   example_events --callback CAPTURE.pcap   callback model
 *
 * Pull model: the library queues events; after each sampo_ctx_feed()
 * (and after sampo_ctx_flush()) the program takes them with
 * sampo_ctx_next_event() until it returns 0.  Simple, and the program
 * decides when to look.  The queue holds SAMPO_OPT_MAX_EVENTS events
 * (64k by default); past that the oldest are dropped and counted
 * (counter "events_dropped"), so drain it often.
 *
 * Callback model: sampo_ctx_set_event_callback() installs a function the
 * library calls for each event at the end of the call that raised it
 * (sampo_ctx_feed(), sampo_ctx_flush(), ...), once the context's state is
 * consistent.  Nothing to drain; the callback must not keep the event
 * pointer; it may read the context (sampo_ctx_lookup() and the other
 * queries), and every call that would change it returns SAMPO_E_BUSY
 * (sampo.h, "Events and the callback contract").
 *
 * Both print the same lines:
 *
 *   TIME EVENT session=S flow=FLOW key=value ...
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_char and friends */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <sampo.h>

static void put_flow(const char *key, const sampo_flow *f)
{
    char buf[96]; /* always enough for sampo_flow_format() */

    if (f->family == 0)
        return; /* not meaningful for this event */
    if (sampo_flow_format(f, buf, sizeof buf) < 0)
        strcpy(buf, "?");
    printf(" %s=%s", key, buf);
}

/* One event on one line, with the members that mean something for its
 * type (see sampo_event in sampo.h). */
static void print_event(const sampo_event *ev)
{
    printf("%" PRIu64 ".%09" PRIu64 " %s session=%" PRIu64, ev->ts_ns / 1000000000u,
           ev->ts_ns % 1000000000u, sampo_event_name(ev->type), ev->session_id);
    put_flow("flow", &ev->flow);
    switch (ev->type) {
    case SAMPO_EV_SESSION_OPENED:
        if (ev->mptcp_version <= 1)
            printf(" version=%u", (unsigned)ev->mptcp_version);
        break;
    case SAMPO_EV_SUBFLOW_JOINED:
        /* How the subflow was tied to the session, and how sure that is. */
        printf(" method=%s confidence=%.3f", sampo_method_name(ev->method), ev->confidence);
        if (ev->other_session_id != 0) /* the join merged two sessions */
            printf(" merged=%" PRIu64, ev->other_session_id);
        break;
    case SAMPO_EV_VERDICT_REVISED:
    case SAMPO_EV_CONFLICT:
        put_flow("peer", &ev->peer);
        printf(" method=%s confidence=%.3f", sampo_method_name(ev->method), ev->confidence);
        break;
    case SAMPO_EV_SESSION_CLOSED:
    case SAMPO_EV_SUBFLOW_CLOSED:
        printf(" reason=%s", sampo_close_reason_name(ev->reason));
        break;
    case SAMPO_EV_ADD_ADDR: {
        char addr[INET6_ADDRSTRLEN];
        if (ev->addr_family == 4 || ev->addr_family == 6) {
            inet_ntop(ev->addr_family == 4 ? AF_INET : AF_INET6, ev->addr, addr, sizeof addr);
            printf(" addr=%s", addr);
        }
        printf(" addr_id=%u", (unsigned)ev->addr_id);
        if (ev->addr_port)
            printf(" port=%u", (unsigned)ev->addr_port);
        break;
    }
    case SAMPO_EV_REMOVE_ADDR:
        printf(" addr_id=%u", (unsigned)ev->addr_id);
        break;
    case SAMPO_EV_MP_PRIO:
        printf(" backup=%u addr_id=%u", (unsigned)ev->backup, (unsigned)ev->addr_id);
        break;
    case SAMPO_EV_MP_FAIL:
        printf(" dsn=%" PRIu64, ev->dsn);
        break;
    default:
        break;
    }
    putchar('\n');
}

/* ---- callback model ----------------------------------------------------- */

static void on_event(const sampo_event *ev, void *user)
{
    uint64_t *count = user;

    print_event(ev);
    (*count)++;
}

/* ---- pull model --------------------------------------------------------- */

static uint64_t drain(sampo_ctx *ctx)
{
    sampo_event ev = SAMPO_EVENT_INIT; /* .size tells the library our version */
    uint64_t n = 0;

    while (sampo_ctx_next_event(ctx, &ev) > 0) {
        print_event(&ev);
        n++;
    }
    return n;
}

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
    struct pcap_pkthdr *hdr;
    const u_char *data;
    const char *path;
    uint64_t events = 0;
    int callback = 0, linktype, rc;
    sampo_ctx *ctx;
    pcap_t *pc;

    if (argc == 3 && strcmp(argv[1], "--callback") == 0)
        callback = 1;
    else if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s [--callback] CAPTURE.pcap\n", argv[0]);
        return 2;
    }
    path = argv[argc - 1];
    pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pc == NULL) {
        fprintf(stderr, "%s: %s\n", path, errbuf);
        return 1;
    }
    linktype = sampo_linktype(pcap_datalink(pc));
    if (linktype == 0) {
        fprintf(stderr, "%s: unsupported link type %d\n", path, pcap_datalink(pc));
        pcap_close(pc);
        return 1;
    }
    rc = sampo_ctx_create(&ctx, NULL);
    if (rc != SAMPO_OK) {
        fprintf(stderr, "sampo_ctx_create: %s\n", sampo_strerror(rc));
        pcap_close(pc);
        return 1;
    }
    if (callback)
        sampo_ctx_set_event_callback(ctx, on_event, &events);

    while (pcap_next_ex(pc, &hdr, &data) == 1) {
        sampo_packet pkt = SAMPO_PACKET_INIT;

        pkt.data = data;
        pkt.caplen = hdr->caplen;
        pkt.wirelen = hdr->len;
        pkt.ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000u + (uint64_t)hdr->ts.tv_usec;
        pkt.linktype = linktype;
        sampo_ctx_feed(ctx, &pkt); /* callback model: events are printed in here */
        if (!callback)
            events += drain(ctx); /* pull model: take what this packet caused */
    }
    /* End of input: the last association run may still report events. */
    sampo_ctx_flush(ctx);
    if (!callback)
        events += drain(ctx);

    printf("%" PRIu64 " events (%s model), %" PRIu64 " dropped\n", events,
           callback ? "callback" : "pull", sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS_DROPPED));
    sampo_ctx_destroy(ctx);
    pcap_close(pc);
    return 0;
}
