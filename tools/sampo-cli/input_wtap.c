/*
 * input_wtap.c - pcapng files that libpcap refuses, read through
 * Wireshark's wiretap (libwiretap-dev): interfaces of different link
 * types or snapshot lengths, as Wireshark writes when it captures on
 * several interfaces and as mergecap writes.  Each packet is decoded with
 * the link type of its own interface.  docs/cli.md, "Multi-interface
 * pcapng", says why wiretap (measured against libpcap and libtrace).
 *
 * Wiretap is loaded with dlopen() the first time a file needs it, not
 * linked: its libraries and GLib cost every run of sampo-cli about 5 ms of
 * start-up (docs/cli.md, "Multi-interface pcapng"), which most runs, on
 * files libpcap reads, do not need.  The functions used are the WTAP_API list below, resolved
 * from the SONAME found at build time (SAMPO_WIRETAP_SONAME), so the
 * headers and the library are the same version.
 *
 * Wiretap is GPL-2.0-or-later: a sampo-cli built with it is distributed
 * under the GPL's terms (libsampo is not affected).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE
#include "input.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <wireshark.h>
#include <wiretap/pcap-encap.h>
#include <wiretap/wtap.h>
#include <ws_version.h>
#include <wsutil/buffer.h>
#include <wsutil/wslog.h>

#include "sampo.h"

/* The link types sampo decodes, as pcap DLT values (input_map_dlt()). */
static const int known_dlts[] = {1, 12, 14, 101, 113, 276, 228, 229};
#define N_DLTS (sizeof known_dlts / sizeof known_dlts[0])
#define MAX_WARNED 16

/* Every wiretap, wsutil and GLib function this file calls, resolved from
 * the library at run time (through W.name). */
#ifdef ws_buffer_start_ptr
#define WTAP_API_BUFPTR(X)
#else
#define WTAP_API_BUFPTR(X) X(ws_buffer_start_ptr)
#endif
#define WTAP_API(X)                  \
    X(g_free)                        \
    X(ws_buffer_free)                \
    X(ws_buffer_init)                \
    X(ws_log_init)                   \
    X(ws_log_set_level)              \
    X(wtap_close)                    \
    X(wtap_encap_name)               \
    X(wtap_init)                     \
    X(wtap_open_offline)             \
    X(wtap_pcap_encap_to_wtap_encap) \
    X(wtap_read)                     \
    X(wtap_read_so_far)              \
    X(wtap_rec_cleanup)              \
    X(wtap_rec_init)                 \
    X(wtap_rec_reset)                \
    X(wtap_strerror)                 \
    WTAP_API_BUFPTR(X)

static struct {
#define WTAP_FIELD(f) __typeof__(f) *f;
    WTAP_API(WTAP_FIELD)
#undef WTAP_FIELD
    void *handle;
    int state; /* 0 not tried, 1 loaded, -1 failed (err says why) */
    char err[256];
} W;

#ifndef ws_buffer_start_ptr
#define ws_buffer_start_ptr W.ws_buffer_start_ptr
#endif

struct wtap_input {
    struct input base; /* first */
    const struct cli_config *cfg;
    wtap *w;
    wtap_rec rec;
    Buffer buf;
    int encap[N_DLTS]; /* wiretap's WTAP_ENCAP_* of known_dlts[i] */
    /* The filter, compiled per link type when first needed. */
    struct bpf_program prog[N_DLTS];
    int prog_state[N_DLTS]; /* 0 not yet, 1 compiled */
    int warned[MAX_WARNED]; /* encapsulations already warned about */
    int n_warned;
};

/* WTAP_ENCAP_* to pcap DLT (libwiretap 4.0 does not export this way). */
static int encap_index(const struct wtap_input *wi, int encap)
{
    size_t i;

    for (i = 0; i < N_DLTS; i++) {
        if (wi->encap[i] == encap)
            return (int)i;
    }
    return -1;
}

static void warn_encap(struct wtap_input *wi, int encap)
{
    int i;

    for (i = 0; i < wi->n_warned; i++) {
        if (wi->warned[i] == encap)
            return;
    }
    if (wi->n_warned < MAX_WARNED)
        wi->warned[wi->n_warned++] = encap;
    cli_warn(wi->cfg->quiet,
             "%s: packets of link type %s (wiretap encapsulation %d) are not decoded:"
             " counted as undecodable",
             wi->base.name, W.wtap_encap_name(encap), encap);
}

/* Does the filter keep this packet (of pcap link type known_dlts[k])? */
static int filter_keeps(struct wtap_input *wi, int k, const uint8_t *data, uint32_t caplen,
                        uint32_t len)
{
    struct pcap_pkthdr h;

    if (wi->cfg->filter == NULL)
        return 1;
    if (k < 0)
        return 0; /* cannot be matched: as libpcap, which would not read it */
    if (wi->prog_state[k] == 0) {
        pcap_t *dead = pcap_open_dead(known_dlts[k], 262144);

        if (dead == NULL ||
            pcap_compile(dead, &wi->prog[k], wi->cfg->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(wi->base.err, sizeof wi->base.err,
                     "invalid filter expression '%s' for link type %s: %s", wi->cfg->filter,
                     pcap_datalink_val_to_name(known_dlts[k]),
                     dead != NULL ? pcap_geterr(dead) : "out of memory");
            if (dead != NULL)
                pcap_close(dead);
            return -1;
        }
        pcap_close(dead);
        wi->prog_state[k] = 1;
    }
    memset(&h, 0, sizeof h);
    h.caplen = caplen;
    h.len = len;
    return pcap_offline_filter(&wi->prog[k], &h, data) != 0;
}

/* Read the next packet record; @return 1, 0 at the end, -1 on error. */
static int read_record(struct wtap_input *wi)
{
    int err = 0;
    gchar *err_info = NULL;
    gint64 offset;

    for (;;) {
        /* The previous record's block (pcapng options) is released here,
         * as tshark does between records. */
        W.wtap_rec_reset(&wi->rec);
        if (!W.wtap_read(wi->w, &wi->rec, &wi->buf, &err, &err_info, &offset)) {
            if (err == 0)
                return 0;
            snprintf(wi->base.err, sizeof wi->base.err, "%s%s%s", W.wtap_strerror(err),
                     err_info ? ": " : "", err_info ? err_info : "");
            W.g_free(err_info);
            return -1;
        }
        if (wi->rec.rec_type == REC_TYPE_PACKET) {
            wi->base.records++;
            return 1;
        }
    }
}

static int wtap_in_next(struct input *in, struct cli_packet *pkt)
{
    struct wtap_input *wi = (struct wtap_input *)in;

    for (;;) {
        const wtap_packet_header *ph;
        const uint8_t *data;
        int k, rc = read_record(wi);

        if (rc == 0)
            return INPUT_EOF;
        if (rc < 0)
            return INPUT_ERROR;
        ph = &wi->rec.rec_header.packet_header;
        data = ws_buffer_start_ptr(&wi->buf);
        k = encap_index(wi, ph->pkt_encap);
        rc = filter_keeps(wi, k, data, ph->caplen, ph->len);
        if (rc < 0)
            return INPUT_ERROR;
        if (rc == 0)
            continue;
        if (k < 0)
            warn_encap(wi, ph->pkt_encap);
        pkt->data = data;
        pkt->caplen = ph->caplen;
        pkt->wirelen = ph->len >= ph->caplen ? ph->len : ph->caplen;
        pkt->ts_ns = (wi->rec.presence_flags & WTAP_HAS_TS) && wi->rec.ts.secs > 0
                         ? (uint64_t)wi->rec.ts.secs * 1000000000u +
                               (wi->rec.ts.nsecs > 0 ? (uint64_t)wi->rec.ts.nsecs : 0)
                         : 0;
        pkt->linktype = k >= 0 ? input_map_dlt(known_dlts[k]) : 0;
        return INPUT_PACKET;
    }
}

static int64_t wtap_in_position(struct input *in)
{
    struct wtap_input *wi = (struct wtap_input *)in;

    return (int64_t)W.wtap_read_so_far(wi->w);
}

static void wtap_in_close(struct input *in)
{
    struct wtap_input *wi = (struct wtap_input *)in;
    size_t i;

    for (i = 0; i < N_DLTS; i++) {
        if (wi->prog_state[i] == 1)
            pcap_freecode(&wi->prog[i]);
    }
    if (wi->w != NULL)
        W.wtap_close(wi->w);
    W.wtap_rec_cleanup(&wi->rec);
    W.ws_buffer_free(&wi->buf);
    free(wi);
}

static const struct input_ops wtap_ops = {
    wtap_in_next,
    wtap_in_position,
    NULL,
    wtap_in_close,
};

const char *input_wtap_version(void)
{
    static char v[48];

    snprintf(v, sizeof v, "wiretap %d.%d.%d (GPL-2.0-or-later)", WIRESHARK_VERSION_MAJOR,
             WIRESHARK_VERSION_MINOR, WIRESHARK_VERSION_MICRO);
    return v;
}

/* Load wiretap and initialise it, once.  @return 0, or -1 (W.err says why). */
static int wtap_once(void)
{
    if (W.state != 0)
        return W.state > 0 ? 0 : -1;
    W.state = -1;
    W.handle = dlopen(SAMPO_WIRETAP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (W.handle == NULL) {
        snprintf(W.err, sizeof W.err, "cannot load %s: %s", SAMPO_WIRETAP_SONAME, dlerror());
        return -1;
    }
    /* dlsym() on the handle also searches the libraries it pulled in
     * (libwsutil, GLib). */
#define WTAP_LOAD(f)                                                                 \
    *(void **)&W.f = dlsym(W.handle, #f);                                            \
    if (W.f == NULL) {                                                               \
        snprintf(W.err, sizeof W.err, "%s: no symbol %s", SAMPO_WIRETAP_SONAME, #f); \
        return -1;                                                                   \
    }
    WTAP_API(WTAP_LOAD)
#undef WTAP_LOAD
    /* Wiretap logs at debug level until told otherwise. */
    W.ws_log_init(CLI_PROG, NULL);
    W.ws_log_set_level(LOG_LEVEL_CRITICAL);
    W.wtap_init(FALSE);
    W.state = 1;
    return 0;
}

int input_wtap_open(const struct cli_config *cfg, const char *name, uint64_t skip,
                    struct input **out, char *err, size_t errlen)
{
    struct wtap_input *wi;
    struct stat st;
    gchar *err_info = NULL;
    int werr = 0;
    size_t i;

    *out = NULL;
    if (wtap_once() != 0) {
        snprintf(err, errlen, "%s: wiretap: %s", name, W.err);
        return CLI_EXIT_FAIL;
    }
    wi = calloc(1, sizeof *wi);
    if (wi == NULL) {
        snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
        return CLI_EXIT_FAIL;
    }
    wi->base.ops = &wtap_ops;
    wi->base.name = name;
    wi->base.size = stat(name, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    wi->base.impl = wi;
    wi->cfg = cfg;
    W.wtap_rec_init(&wi->rec);
    W.ws_buffer_init(&wi->buf, 2048);
    for (i = 0; i < N_DLTS; i++)
        wi->encap[i] = W.wtap_pcap_encap_to_wtap_encap(known_dlts[i]);
    wi->w = W.wtap_open_offline(name, WTAP_TYPE_AUTO, &werr, &err_info, FALSE);
    if (wi->w == NULL) {
        snprintf(err, errlen, "%s: wiretap: %s%s%s", name, W.wtap_strerror(werr),
                 err_info ? ": " : "", err_info ? err_info : "");
        W.g_free(err_info);
        wtap_in_close(&wi->base);
        return CLI_EXIT_FAIL;
    }
    while (wi->base.records < skip) {
        int rc = read_record(wi);

        if (rc <= 0) {
            snprintf(err, errlen,
                     "%s: wiretap: %s after %" PRIu64 " of the %" PRIu64
                     " packets libpcap had read",
                     name, rc == 0 ? "end of file" : wi->base.err, wi->base.records, skip);
            wtap_in_close(&wi->base);
            return CLI_EXIT_FAIL;
        }
    }
    *out = &wi->base;
    return 0;
}
