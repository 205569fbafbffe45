/*
 * pcapread.c - read a capture file through libpcap into a context,
 * sampled exactly as sampo-cli samples it (tools/sampo-cli/sampler.c):
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

#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- numbers, as sampo-cli parses them (numparse.c) --------------------- */

static int parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    const char *digits = s;
    char *end = NULL;
    unsigned long long v;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        digits = s + 2;
        if (digits[0] == '\0' || strchr("0123456789abcdefABCDEF", digits[0]) == NULL)
            return -1;
    } else if (digits[0] < '0' || digits[0] > '9') {
        return -1; /* no sign, no blanks, not empty */
    }
    errno = 0;
    v = strtoull(digits, &end, base);
    if (errno != 0 || end == digits || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_real(const char *s, double *out)
{
    char *end = NULL;
    double v;

    if (s[0] == '\0' || s[strspn(s, "0123456789.eE+-")] != '\0')
        return -1; /* plain decimal notation only: no blanks, hex, inf, nan */
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return -1;
    if (errno == ERANGE && fabs(v) > 1.0)
        return -1;
    *out = v;
    return 0;
}

/* ---- the sampler ---------------------------------------------------------- */

struct sampler {
    struct sampo_py_sample_spec spec;
    uint64_t seen, taken;
    uint64_t last_slot;
    int have_slot;
    uint64_t s[4]; /* xoshiro256** state */
    uint32_t prob_rate;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(struct sampler *s)
{
    uint64_t *st = s->s;
    uint64_t result = rotl(st[1] * 5, 7) * 9;
    uint64_t t = st[1] << 17;

    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 45);
    return result;
}

int sampo_py_sample_parse(const char *text, struct sampo_py_sample_spec *out, char *err,
                          size_t errlen)
{
    struct sampo_py_sample_spec sp;
    const char *arg;
    char buf[128];

    memset(&sp, 0, sizeof sp);
    sp.seed = SAMPO_PY_SAMPLE_DEFAULT_SEED;
    if (text == NULL || text[0] == '\0') {
        sp.mode = SAMPO_PY_SAMPLE_NONE;
    } else if (strncmp(text, "count:", 6) == 0) {
        arg = text + 6;
        if (parse_u64(arg, &sp.n) != 0 || sp.n < 1 || sp.n > UINT32_MAX) {
            snprintf(err, errlen, "count:N needs an integer N from 1 to %lu, not '%s'",
                     (unsigned long)UINT32_MAX, arg);
            return SAMPO_E_INVAL;
        }
        sp.mode = SAMPO_PY_SAMPLE_COUNT;
    } else if (strncmp(text, "time:", 5) == 0) {
        uint64_t usec;
        arg = text + 5;
        if (parse_u64(arg, &usec) != 0 || usec < 1 || usec > UINT64_MAX / 1000) {
            snprintf(err, errlen,
                     "time:USEC needs a positive integer number of microseconds, not '%s'", arg);
            return SAMPO_E_INVAL;
        }
        sp.mode = SAMPO_PY_SAMPLE_TIME;
        sp.slot_ns = usec * 1000;
    } else if (strncmp(text, "prob:", 5) == 0) {
        const char *colon;
        size_t plen;
        arg = text + 5;
        colon = strchr(arg, ':');
        plen = colon ? (size_t)(colon - arg) : strlen(arg);
        if (plen >= sizeof buf)
            plen = sizeof buf - 1;
        memcpy(buf, arg, plen);
        buf[plen] = '\0';
        if (parse_real(buf, &sp.p) != 0 || !(sp.p > 0.0) || sp.p > 1.0) {
            snprintf(err, errlen, "prob:P needs a probability P with 0 < P <= 1, not '%s'", buf);
            return SAMPO_E_INVAL;
        }
        if (colon != NULL && parse_u64(colon + 1, &sp.seed) != 0) {
            snprintf(err, errlen, "prob:P:SEED needs an unsigned integer SEED, not '%s'",
                     colon + 1);
            return SAMPO_E_INVAL;
        }
        sp.mode = SAMPO_PY_SAMPLE_PROB;
    } else {
        snprintf(err, errlen, "expected count:N, time:USEC or prob:P[:SEED], not '%s'", text);
        return SAMPO_E_INVAL;
    }
    *out = sp;
    return SAMPO_OK;
}

static void sampler_init(struct sampler *s, const struct sampo_py_sample_spec *spec)
{
    uint64_t x;
    int i;

    memset(s, 0, sizeof *s);
    s->spec = *spec;
    x = spec->seed;
    for (i = 0; i < 4; i++)
        s->s[i] = splitmix64(&x);
    if (spec->mode == SAMPO_PY_SAMPLE_PROB) {
        double r = floor(1.0 / spec->p + 0.5);
        s->prob_rate = r >= 4294967295.0 ? UINT32_MAX : (r < 1.0 ? 1 : (uint32_t)r);
    }
}

/* @return 1 to keep the packet (*rate: the 1-in-N it stands for, 0 without
 * sampling), 0 to drop it. */
static int sampler_take(struct sampler *s, uint64_t ts_ns, uint32_t *rate)
{
    int keep = 0;
    uint64_t idx = s->seen++;

    switch (s->spec.mode) {
    case SAMPO_PY_SAMPLE_NONE:
        *rate = 0;
        s->taken++;
        return 1;
    case SAMPO_PY_SAMPLE_COUNT:
        keep = idx % s->spec.n == s->spec.n - 1;
        *rate = (uint32_t)s->spec.n;
        break;
    case SAMPO_PY_SAMPLE_TIME: {
        uint64_t slot = ts_ns / s->spec.slot_ns;
        if (!s->have_slot || slot > s->last_slot) {
            keep = 1;
            s->have_slot = 1;
            s->last_slot = slot;
        }
        break;
    }
    case SAMPO_PY_SAMPLE_PROB: {
        double u = (double)(next_u64(s) >> 11) * 0x1.0p-53; /* 53 bits in [0, 1) */
        keep = u < s->spec.p;
        *rate = s->prob_rate;
        break;
    }
    }
    if (!keep)
        return 0;
    s->taken++;
    if (s->spec.mode == SAMPO_PY_SAMPLE_TIME) {
        uint64_t r = (s->seen + s->taken / 2) / s->taken;
        *rate = r > UINT32_MAX ? UINT32_MAX : (uint32_t)(r ? r : 1);
    }
    return 1;
}

/* ---- the file --------------------------------------------------------------- */

static int map_dlt(int dlt)
{
    switch (dlt) {
    case 1: /* DLT_EN10MB */
        return SAMPO_LINKTYPE_ETHERNET;
    case 12:  /* DLT_RAW on most systems */
    case 14:  /* DLT_RAW on OpenBSD */
    case 101: /* LINKTYPE_RAW */
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

/* sampo-cli's combined rate: the input's 1-in-N times the sampler's. */
static uint32_t combined_rate(uint32_t input_rate, uint32_t sample_rate)
{
    uint64_t r;

    if (sample_rate == 0)
        return 0; /* no sampling: the context default applies */
    r = (uint64_t)input_rate * sample_rate;
    return r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
}

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
        snprintf(res->error, sizeof res->error, "%s: cannot set filter: %s", path,
                 pcap_geterr(p));
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
                       uint32_t input_rate, const char *filter, int keep_events, int flush,
                       struct sampo_py_read_result *res)
{
    struct sampo_py_sample_spec spec;
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
    rc = sampo_py_sample_parse(sample, &spec, res->error, sizeof res->error);
    if (rc != SAMPO_OK)
        return rc;
    p = open_file(path, res, &rc);
    if (p == NULL)
        return rc;
    dlt = pcap_datalink(p);
    res->linktype = map_dlt(dlt);
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
        pkt.sampling_rate = combined_rate(input_rate, rate);
        frc = sampo_ctx_feed(c->ctx, &pkt);
        if (frc == SAMPO_E_NOTTCP || frc == SAMPO_E_FRAGMENT)
            res->packets_not_tcp++;
        else if (frc != SAMPO_OK)
            res->packets_undecodable++;
        sampo_py_drain(c, keep_events);
    }
    if (rc == PCAP_ERROR) {
        res->truncated = 1;
        snprintf(res->error, sizeof res->error, "%s: truncated capture after %llu packets: %s",
                 path, (unsigned long long)res->packets_read, pcap_geterr(p));
    }
    pcap_close(p);
    if (flush) {
        sampo_ctx_flush(c->ctx);
        sampo_py_drain(c, keep_events);
    }
    return SAMPO_OK;
}
