/*
 * input_trace.c - any input libtrace can read, given as a URI
 * ("erf:/path/file.erf.gz", "pcapfile:-", "int:eth0", ...).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE
#include "input.h"

#include <errno.h>
#include <libtrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampo.h"

struct trace_input {
    struct input base; /* first */
    libtrace_t *t;
    libtrace_packet_t *pkt;
};

static const char *const live_formats[] = {
    "int:",         "ring:",      "pcapint:", "bpf:",  "dag:",      "dpdk:",
    "linuxnative:", "linuxring:", "xdp:",     "ndag:", "etsilive:", "rt:",
};

static void trace_error(struct trace_input *ti, char *buf, size_t len)
{
    libtrace_err_t e = trace_get_err(ti->t);
    size_t n;

    e.problem[sizeof e.problem - 1] = '\0';
    snprintf(buf, len, "%s", e.problem[0] ? e.problem : "libtrace error");
    n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
}

/* Point pkt at the packet's link layer when the library decodes it,
 * otherwise at its IP header (libtrace strips what it knows). */
static void locate(libtrace_packet_t *p, struct cli_packet *pkt)
{
    libtrace_linktype_t lt;
    uint32_t rem = 0, rem3 = 0;
    uint16_t ethertype = 0;
    const uint8_t *buf = trace_get_packet_buffer(p, &lt, &rem);
    const uint8_t *l3;
    size_t wire = trace_get_wire_length(p);

    pkt->data = buf;
    pkt->caplen = buf ? rem : 0;
    pkt->wirelen = wire > UINT32_MAX ? UINT32_MAX : (uint32_t)wire;
    switch (lt) {
    case TRACE_TYPE_ETH:
        pkt->linktype = SAMPO_LINKTYPE_ETHERNET;
        /* libtrace counts the 4-byte FCS in the wire length; libpcap
         * does not.  Count as libpcap does, so that both agree. */
        if (pkt->wirelen >= 4)
            pkt->wirelen -= 4;
        break;
    case TRACE_TYPE_NONE:
        pkt->linktype = SAMPO_LINKTYPE_RAW;
        break;
    case TRACE_TYPE_LINUX_SLL:
        pkt->linktype = SAMPO_LINKTYPE_LINUX_SLL;
        break;
    default:
        l3 = trace_get_layer3(p, &ethertype, &rem3);
        if (l3 != NULL && (ethertype == 0x0800 || ethertype == 0x86dd)) {
            size_t l2 = buf && l3 >= buf ? (size_t)(l3 - buf) : 0;
            pkt->data = l3;
            pkt->caplen = rem3;
            pkt->wirelen = wire > l2 ? (uint32_t)(wire - l2 > UINT32_MAX ? UINT32_MAX : wire - l2)
                                     : rem3;
            pkt->linktype = SAMPO_LINKTYPE_RAW;
        } else {
            pkt->linktype = 0; /* the library counts it as unsupported */
        }
        break;
    }
    if (pkt->data == NULL) {
        pkt->data = (const uint8_t *)"";
        pkt->caplen = 0;
    }
    if (pkt->wirelen < pkt->caplen)
        pkt->wirelen = pkt->caplen;
}

static int trace_in_next(struct input *in, struct cli_packet *pkt)
{
    struct trace_input *ti = (struct trace_input *)in;

    for (;;) {
        libtrace_linktype_t lt;
        struct timespec ts;
        int rc = trace_read_packet(ti->t, ti->pkt);

        if (rc == 0)
            return INPUT_EOF;
        if (rc < 0) {
            trace_error(ti, in->err, sizeof in->err);
            return INPUT_ERROR;
        }
        lt = trace_get_link_type(ti->pkt);
        if (lt == TRACE_TYPE_NONDATA || lt == TRACE_TYPE_METADATA)
            continue; /* capture meta-data, not a packet */
        in->records++;
        ts = trace_get_timespec(ti->pkt);
        pkt->ts_ns = (ts.tv_sec > 0 ? (uint64_t)ts.tv_sec * 1000000000u : 0) +
                     (ts.tv_nsec > 0 ? (uint64_t)ts.tv_nsec : 0);
        locate(ti->pkt, pkt);
        return INPUT_PACKET;
    }
}

static void trace_in_close(struct input *in)
{
    struct trace_input *ti = (struct trace_input *)in;

    if (ti->pkt != NULL)
        trace_destroy_packet(ti->pkt);
    if (ti->t != NULL)
        trace_destroy(ti->t);
    free(ti);
}

static const struct input_ops trace_ops = {
    trace_in_next,
    NULL,
    NULL,
    trace_in_close,
};

void input_trace_interrupt(void) { trace_interrupt(); }

const char *input_trace_version(void)
{
    static char v[32];

    snprintf(v, sizeof v, "libtrace %d.%d.%d", (LIBTRACE_API_VERSION >> 16) & 0xff,
             (LIBTRACE_API_VERSION >> 8) & 0xff, LIBTRACE_API_VERSION & 0xff);
    return v;
}

int input_trace_open(const struct cli_config *cfg, const char *name, struct input **out, char *err,
                     size_t errlen)
{
    struct trace_input *ti = calloc(1, sizeof *ti);
    size_t i;

    (void)cfg;
    if (ti == NULL) {
        snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
        return CLI_EXIT_FAIL;
    }
    ti->base.ops = &trace_ops;
    ti->base.name = name;
    ti->base.size = -1;
    ti->base.impl = ti;
    for (i = 0; i < sizeof live_formats / sizeof live_formats[0]; i++) {
        if (strncmp(name, live_formats[i], strlen(live_formats[i])) == 0)
            ti->base.live = 1;
    }
    ti->t = trace_create(name);
    if (ti->t == NULL || trace_is_err(ti->t)) {
        char msg[300] = "cannot open";
        if (ti->t != NULL)
            trace_error(ti, msg, sizeof msg);
        snprintf(err, errlen, "%s: %s", name, msg);
        trace_in_close(&ti->base);
        return CLI_EXIT_FAIL;
    }
    if (trace_start(ti->t) != 0) {
        char msg[300];
        trace_error(ti, msg, sizeof msg);
        snprintf(err, errlen, "%s: %s", name, msg);
        trace_in_close(&ti->base);
        return CLI_EXIT_FAIL;
    }
    ti->pkt = trace_create_packet();
    if (ti->pkt == NULL) {
        snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
        trace_in_close(&ti->base);
        return CLI_EXIT_FAIL;
    }
    *out = &ti->base;
    return 0;
}
