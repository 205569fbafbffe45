/* hostile-pcap.c - write the crafted captures of tests/common/hostile.h,
 * alone or merged in time order into a real capture (libpcap both ways).
 *
 *   hostile-pcap OUT --crowd N [--t0 SEC] [--gap US] [--one] [--merge IN]
 *   hostile-pcap OUT --churn N | --joins N [--t0 SEC] [--gap US]
 *
 *   --crowd N   N flows of the DATA_ACK crowd (hostile_crowd_pkt)
 *   --churn N   one session kept open while N joins churn through it
 *               (hostile_churn_*; an ACK on its initial subflow every 64)
 *   --joins N   N MP_JOIN SYNs naming unknown tokens (hostile_join_pkt,
 *               seed 1): N unassociated subflows
 *   --t0 SEC    time of the first flow (default: IN's first packet, else 1)
 *   --gap US    one flow every US microseconds (default 10)
 *   --one       one packet per flow (its DATA_ACK) instead of four
 *   --merge IN  an Ethernet capture to merge the flood into
 *
 * Used by the hostile.* tests (tests/hostile/CMakeLists.txt) and to make
 * the inputs of docs/security.md. */
#define _DEFAULT_SOURCE /* u_int in pcap.h */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

#define BASE UINT64_C(0x1234567890000000)

static int usage(void)
{
    fprintf(stderr, "usage: hostile-pcap OUT --crowd N|--churn N|--joins N [--t0 SEC] [--gap US] "
                    "[--one] [--merge IN]\n");
    return 2;
}

enum { GEN_CROWD, GEN_CHURN, GEN_JOINS };

#define CHURN_KEEP 64 /* joins between two ACKs on the churned session's initial subflow */

typedef struct gen {
    int mode;
    uint32_t n, i;
    unsigned k, per_flow;
    uint64_t t0_ns, gap_ns;
    tpkt p;
    uint64_t ts;
} gen;

/* The next crowd packet into g->p / g->ts; false when done. */
static int gen_next(gen *g)
{
    if (g->mode == GEN_CHURN && g->k < HOSTILE_CHURN_HEAD) { /* the session's handshake */
        g->p = hostile_churn_head(g->k);
        g->ts = g->t0_ns + g->k++ * 1000;
        return 1;
    }
    if (g->i >= g->n)
        return 0;
    if (g->mode != GEN_CROWD) {
        g->ts = g->t0_ns + 1000000 + (uint64_t)g->i * g->gap_ns;
        if (g->mode == GEN_CHURN && g->i % CHURN_KEEP == 0 && g->k == HOSTILE_CHURN_HEAD) {
            g->p = hostile_churn_head(g->k++); /* keep the session open */
            return 1;
        }
        g->p = g->mode == GEN_CHURN ? hostile_churn_join(g->i) : hostile_join_pkt(g->i, 1, 0);
        g->k = HOSTILE_CHURN_HEAD;
        g->i++;
        return 1;
    }
    unsigned k = g->per_flow == 1 ? 1 : g->k;
    g->p = hostile_crowd_pkt(g->i, k, BASE);
    g->ts = g->t0_ns + (uint64_t)g->i * g->gap_ns + g->k;
    if (++g->k == g->per_flow) {
        g->k = 0;
        g->i++;
    }
    return 1;
}

static void put(pcap_dumper_t *d, uint64_t ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(ts / 1000000000);
    h.ts.tv_usec = (suseconds_t)(ts % 1000000000 / 1000);
    h.caplen = caplen;
    h.len = len;
    pcap_dump((u_char *)d, &h, data);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') /* "--help" is not a file to write */
        return usage();
    const char *out = argv[1], *in = NULL;
    gen g = {.per_flow = HOSTILE_CROWD_PKTS, .gap_ns = 10000};
    double t0 = -1;
    for (int a = 2; a < argc; a++) {
        if (!strcmp(argv[a], "--crowd") && a + 1 < argc)
            g.n = (uint32_t)strtoul(argv[++a], NULL, 10);
        else if ((!strcmp(argv[a], "--churn") || !strcmp(argv[a], "--joins")) && a + 1 < argc) {
            g.mode = !strcmp(argv[a], "--churn") ? GEN_CHURN : GEN_JOINS;
            g.n = (uint32_t)strtoul(argv[++a], NULL, 10);
        } else if (!strcmp(argv[a], "--t0") && a + 1 < argc)
            t0 = strtod(argv[++a], NULL);
        else if (!strcmp(argv[a], "--gap") && a + 1 < argc)
            g.gap_ns = strtoull(argv[++a], NULL, 10) * 1000;
        else if (!strcmp(argv[a], "--one"))
            g.per_flow = 1;
        else if (!strcmp(argv[a], "--merge") && a + 1 < argc)
            in = argv[++a];
        else
            return usage();
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *src = NULL;
    struct pcap_pkthdr *h = NULL;
    const u_char *data = NULL;
    int have = 0;
    if (in) {
        if (!(src = pcap_open_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, err))) {
            fprintf(stderr, "hostile-pcap: %s\n", err);
            return 1;
        }
        if (pcap_datalink(src) != DLT_EN10MB) {
            fprintf(stderr, "hostile-pcap: %s: not an Ethernet capture\n", in);
            return 1;
        }
        have = pcap_next_ex(src, &h, &data) == 1;
    }
    if (t0 < 0)
        t0 = have ? (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9 : 1.0;
    g.t0_ns = (uint64_t)(t0 * 1e9);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = dead ? pcap_dump_open(dead, out) : NULL;
    if (!d) {
        fprintf(stderr, "hostile-pcap: %s: %s\n", out, dead ? pcap_geterr(dead) : "pcap");
        return 1;
    }
    int more = gen_next(&g);
    while (have || more) {
        uint64_t ts_in = have ? (uint64_t)h->ts.tv_sec * 1000000000 + (uint64_t)h->ts.tv_usec : 0;
        if (have && (!more || ts_in <= g.ts)) {
            put(d, ts_in, data, h->caplen, h->len);
            have = pcap_next_ex(src, &h, &data) == 1;
        } else {
            put(d, g.ts, g.p.buf, g.p.len, g.p.wirelen);
            more = gen_next(&g);
        }
    }
    pcap_dump_close(d);
    pcap_close(dead);
    if (src)
        pcap_close(src);
    return 0;
}
