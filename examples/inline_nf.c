/*
 * inline_nf.c - the loop of an inline network function (a firewall) that
 * blocks a whole MPTCP session, not just the subflow it saw.
 *
 *   example_inline_nf --deny ADDRESS CAPTURE.pcap
 *
 * A subflow with ADDRESS as one of its endpoints puts its session on the
 * deny list; from then on every packet of every subflow of that session
 * is dropped: the subflows it already has, and those that join it later
 * (by token at once, by DSN evidence when a run ties them at or above
 * SAMPO_OPT_MIN_CONFIDENCE).  Everything else is accepted.  The program
 * reads a capture in place of a queue of packets and prints each decision
 * that changes something, then what it did per subflow.
 *
 * The two things an inline function needs from libsampo:
 *
 * 1. One call per packet that says everything at once: sampo_ctx_feed_ex()
 *    returns the packet's subflow, session, the confidence of that tie,
 *    its direction and DSS mapping.  No lookup after it.
 *
 * 2. No batch job on the packet path.  SAMPO_OPT_AUTO_RUN is set to 0, so
 *    feeding never starts an association run; the program runs one with
 *    sampo_ctx_run() from its own timer, here every 500 ms of packet time
 *    between two packets.  In a program with threads, the timer thread
 *    takes the same lock as the packet thread around sampo_ctx_run()
 *    (sampo.h, "Threads").
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_char and friends */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sampo.h>

#define RUN_EVERY_NS 500000000u /* the timer */
#define MAX_DENIED 64
#define MAX_SUBFLOWS 4096

static uint64_t denied[MAX_DENIED];
static size_t n_denied;

/* What the function did to each subflow. */
static struct verdicts {
    uint64_t subflow_id;
    uint64_t accepted, dropped;
} seen[MAX_SUBFLOWS];
static size_t n_seen;

static int is_denied(uint64_t session_id)
{
    for (size_t i = 0; i < n_denied && session_id; i++)
        if (denied[i] == session_id)
            return 1;
    return 0;
}

static struct verdicts *verdicts_of(uint64_t subflow_id)
{
    for (size_t i = 0; i < n_seen; i++)
        if (seen[i].subflow_id == subflow_id)
            return &seen[i];
    if (n_seen == MAX_SUBFLOWS)
        return NULL;
    seen[n_seen].subflow_id = subflow_id;
    return &seen[n_seen++];
}

static int has_endpoint(const sampo_flow *f, const uint8_t *addr, int family)
{
    size_t len = family == 4 ? 4 : 16;
    return f->family == family && (!memcmp(f->src, addr, len) || !memcmp(f->dst, addr, len));
}

static void flow_text(const sampo_flow *f, char *buf, size_t len)
{
    if (sampo_flow_format(f, buf, len) < 0)
        snprintf(buf, len, "?");
}

/* The decision for one packet: accept (1) or drop (0). */
static int decide(sampo_ctx *ctx, const sampo_result *r, const uint8_t *addr, int family)
{
    if (!(r->flags & SAMPO_RES_TRACKED))
        return 1; /* not MPTCP: another part of the firewall decides */
    sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
    if (sampo_ctx_subflow(ctx, r->subflow_id, &sf) != SAMPO_OK)
        return 1;
    char fl[96];
    flow_text(&sf.flow, fl, sizeof fl);
    if (r->session_id && !is_denied(r->session_id) && has_endpoint(&sf.flow, addr, family) &&
        n_denied < MAX_DENIED) {
        denied[n_denied++] = r->session_id;
        printf("deny session %" PRIu64 ": subflow %s has the denied address\n", r->session_id, fl);
    }
    if (!is_denied(r->session_id))
        return 1;
    struct verdicts *v = verdicts_of(r->subflow_id);
    if (v && v->dropped == 0)
        printf("drop %s: session %" PRIu64 " (%s %.3f)\n", fl, r->session_id,
               sampo_method_name(r->method), r->confidence);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[1], "--deny") != 0) {
        fprintf(stderr, "usage: %s --deny ADDRESS CAPTURE.pcap\n", argv[0]);
        return 2;
    }
    uint8_t addr[16] = {0};
    int family = inet_pton(AF_INET, argv[2], addr) == 1    ? 4
                 : inet_pton(AF_INET6, argv[2], addr) == 1 ? 6
                                                           : 0;
    if (!family) {
        fprintf(stderr, "%s: not an IPv4 or IPv6 address\n", argv[2]);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[3], err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    sampo_ctx *ctx;
    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK ||
        sampo_ctx_set_option(ctx, SAMPO_OPT_AUTO_RUN, 0) != SAMPO_OK ||
        sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 64 << 20) != SAMPO_OK) {
        fprintf(stderr, "sampo: cannot create a context\n");
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t accepted = 0, dropped = 0, next_run = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        sampo_packet pkt = SAMPO_PACKET_INIT;
        pkt.data = data;
        pkt.caplen = h->caplen;
        pkt.wirelen = h->len;
        pkt.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * 1000u;
        pkt.linktype = pcap_datalink(p);
        /* The timer, between packets: never on the packet's own path. */
        if (next_run && pkt.ts_ns >= next_run)
            sampo_ctx_run(ctx, pkt.ts_ns);
        if (!next_run || pkt.ts_ns >= next_run)
            next_run = pkt.ts_ns + RUN_EVERY_NS;
        sampo_result r = SAMPO_RESULT_INIT;
        sampo_ctx_feed_ex(ctx, &pkt, &r); /* never fails on bad input */
        int ok = decide(ctx, &r, addr, family);
        struct verdicts *v = r.subflow_id ? verdicts_of(r.subflow_id) : NULL;
        if (ok) {
            accepted++;
            if (v)
                v->accepted++;
        } else {
            dropped++;
            if (v)
                v->dropped++;
        }
        sampo_event ev = SAMPO_EVENT_INIT;
        while (sampo_ctx_next_event(ctx, &ev) > 0)
            ; /* a real function logs them */
    }
    pcap_close(p);
    printf("\n%" PRIu64 " packets accepted, %" PRIu64 " dropped\n", accepted, dropped);
    for (size_t i = 0; i < n_seen; i++) {
        sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
        char fl[96] = "(ended)";
        if (sampo_ctx_subflow(ctx, seen[i].subflow_id, &sf) == SAMPO_OK)
            flow_text(&sf.flow, fl, sizeof fl);
        printf("  %s  session %" PRIu64 "  accepted %" PRIu64 "  dropped %" PRIu64 "\n", fl,
               sf.session_id, seen[i].accepted, seen[i].dropped);
    }
    sampo_ctx_destroy(ctx);
    return 0;
}
