/*
 * pcapread.c - read a capture file through libpcap into a context,
 * sampled exactly as sampo-cli samples it (the same tools/common/sampler.c):
 *
 *   count:N       keeps the packets whose 0-based index i has i % N == N - 1
 *                 (packets N, 2N, 3N, ...), each fed with sampling rate N;
 *   time:USEC     keeps the first packet whose timestamp falls in each slot
 *                 [k*USEC, (k+1)*USEC) of packet time, for increasing k,
 *                 fed with the ratio read/kept so far (rounded to nearest);
 *   prob:P[:SEED] keeps each packet with probability P, drawn from
 *                 xoshiro256** seeded through splitmix64 (default seed 1),
 *                 fed with rate round(1/P).
 *
 * The same file and specification select the same packets as sampo-cli,
 * so the results are the same.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_int and friends */
#include "pcapread.h"

#include "linktype.h"
#include "sampler.h"

#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The sampler and the link-type map are sampo-cli's own (tools/common),
 * so that the same file and specification select the same packets. */

static int set_filter(pcap_t *p, const char *path, const char *filter,
                      struct sampo_py_read_result *res)
{
    struct bpf_program prog;

    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(res->error, sizeof res->error, "invalid filter expression '%s': %s", filter,
                 pcap_geterr(p));
        return SAMPO_E_INVAL;
    }
    if (pcap_setfilter(p, &prog) != 0) {
        snprintf(res->error, sizeof res->error, "%s: cannot set filter: %s", path, pcap_geterr(p));
        pcap_freecode(&prog);
        return SAMPO_E_INVAL;
    }
    pcap_freecode(&prog);
    return SAMPO_OK;
}

static pcap_t *open_file(const char *path, struct sampo_py_read_result *res, int *rc)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct stat st;
    pcap_t *p;
    FILE *fp;

    fp = fopen(path, "rb");
    if (fp == NULL) {
        res->sys_errno = errno;
        snprintf(res->error, sizeof res->error, "%s: %s", path, strerror(errno));
        *rc = SAMPO_E_INVAL;
        return NULL;
    }
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        res->sys_errno = EISDIR;
        snprintf(res->error, sizeof res->error, "%s: %s", path, strerror(EISDIR));
        fclose(fp);
        *rc = SAMPO_E_INVAL;
        return NULL;
    }
    errbuf[0] = '\0';
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        snprintf(res->error, sizeof res->error, "%s: %s", path,
                 errbuf[0] ? errbuf : "cannot read capture");
        fclose(fp);
        *rc = SAMPO_E_MALFORMED;
        return NULL;
    }
    return p; /* owns fp now */
}

int sampo_py_read_pcap(struct sampo_py_ctx *c, const char *path, const char *sample,
                       uint32_t input_rate, const char *filter, int flush,
                       struct sampo_py_read_result *res)
{
    struct sampler_spec spec;
    struct sampler smp;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    pcap_t *p;
    int rc, nano, dlt;

    memset(res, 0, sizeof *res);
    if (c->ctx == NULL) {
        snprintf(res->error, sizeof res->error, "the context is closed");
        return SAMPO_E_INVAL;
    }
    if (input_rate == 0)
        input_rate = 1;
    rc = SAMPO_OK;
    memset(&spec, 0, sizeof spec); /* NULL or "": every packet */
    if (sample && sample[0] && sampler_parse(sample, &spec, res->error, sizeof res->error) != 0)
        rc = SAMPO_E_INVAL;
    if (rc != SAMPO_OK)
        return rc;
    p = open_file(path, res, &rc);
    if (p == NULL)
        return rc;
    dlt = pcap_datalink(p);
    res->linktype = sampo_tools_linktype(dlt);
    if (res->linktype == 0) {
        const char *dname = pcap_datalink_val_to_name(dlt);
        snprintf(res->error, sizeof res->error,
                 "%s: unsupported link type %s (%d); supported: EN10MB, RAW, LINUX_SLL,"
                 " LINUX_SLL2, IPV4, IPV6",
                 path, dname ? dname : "unknown", dlt);
        pcap_close(p);
        return SAMPO_E_LINKTYPE;
    }
    if (filter != NULL && (rc = set_filter(p, path, filter, res)) != SAMPO_OK) {
        pcap_close(p);
        return rc;
    }
    nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    sampler_init(&smp, &spec);

    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        sampo_packet pkt = SAMPO_PACKET_INIT;
        uint64_t sec = hdr->ts.tv_sec > 0 ? (uint64_t)hdr->ts.tv_sec : 0;
        uint64_t frac = hdr->ts.tv_usec > 0 ? (uint64_t)hdr->ts.tv_usec : 0;
        uint32_t rate = 0;
        int frc;

        res->packets_read++;
        pkt.ts_ns = sec * 1000000000u + (nano ? frac : frac * 1000u);
        if (!sampler_take(&smp, pkt.ts_ns, &rate))
            continue;
        res->packets_sampled++;
        pkt.data = data;
        pkt.caplen = hdr->caplen;
        pkt.wirelen = hdr->len >= hdr->caplen ? hdr->len : hdr->caplen;
        pkt.linktype = res->linktype;
        int clamped;
        pkt.sampling_rate = sampler_combined_rate(input_rate, rate, &clamped);
        res->rates_clamped += (uint64_t)clamped;
        frc = sampo_ctx_feed(c->ctx, &pkt);
        if (frc == SAMPO_E_NOTTCP || frc == SAMPO_E_FRAGMENT)
            res->packets_not_tcp++;
        else if (frc != SAMPO_OK)
            res->packets_undecodable++;
    }
    if (rc == PCAP_ERROR) {
        res->truncated = 1;
        snprintf(res->error, sizeof res->error, "%s: truncated capture after %llu packets: %s",
                 path, (unsigned long long)res->packets_read, pcap_geterr(p));
    }
    pcap_close(p);
    if (flush)
        sampo_ctx_flush(c->ctx);
    return SAMPO_OK;
}
