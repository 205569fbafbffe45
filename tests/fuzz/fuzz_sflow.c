/* fuzz_sflow.c - the sFlow v5 decoder of sampo-cli (tools/sampo-cli/sflow.c)
 * and the UDP payload locator in front of it.
 *
 * Input: byte 0 picks the mode.  Mode 0 (byte 0 < 128): the rest is one
 * sFlow datagram, as a UDP socket delivers it.  Otherwise the rest is a
 * captured frame of the link type byte 0 selects, carrying the datagram
 * over UDP to port 6343, as --sflow reads it from a capture.  The input
 * is copied to a buffer of its exact size, so that any read past the
 * datagram is a heap overflow ASan reports; every header handed to the
 * callback must lie inside the datagram, and every counter must add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/sampo-cli/sflow.h"
#include "sampo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
    const uint8_t *lo, *hi;
    uint64_t seen;
    uint32_t sum; /* touch every header byte */
};

static void on_header(const struct sflow_header *h, void *user)
{
    struct span *sp = user;
    uint32_t i;

    if (h->len > 0 && (h->data < sp->lo || h->data > sp->hi || (size_t)(sp->hi - h->data) < h->len))
        abort(); /* header bytes outside the datagram */
    if (h->wirelen < h->len)
        abort();
    if (h->linktype != SAMPO_LINKTYPE_ETHERNET && h->linktype != SAMPO_LINKTYPE_IPV4 &&
        h->linktype != SAMPO_LINKTYPE_IPV6)
        abort();
    if (h->source_id == 0)
        abort();
    for (i = 0; i < h->len; i++)
        sp->sum += h->data[i];
    sp->seen++;
}

/* Counter of that name, through the table the CLI prints from. */
static uint64_t named(const struct sflow_counters *c, const char *name)
{
    int i;

    for (i = 0; i < SFLOW_N_COUNTERS; i++)
        if (strcmp(sflow_counter_name(i), name) == 0)
            return sflow_counter_value(c, i);
    abort(); /* every counter has a name */
}

static void check(const struct sflow_counters *c, uint64_t seen)
{
    static const char *const anomalies[] = {
        "sflow_bad_version",      "sflow_bad_address", "sflow_truncated", "sflow_malformed",
        "sflow_unknown_protocol", "sflow_zero_rate",   "sflow_outer_bad",
    };
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < sizeof anomalies / sizeof anomalies[0]; i++)
        sum += named(c, anomalies[i]);
    if (c->headers != seen || named(c, "sflow_headers") != seen || named(c, "sflow_bad") != sum)
        abort(); /* sflow_bad is the sum of the anomalies */
    if (sflow_counter_name(SFLOW_N_COUNTERS) != NULL || sflow_counter_name(-1) != NULL ||
        sflow_counter_value(c, SFLOW_N_COUNTERS) != 0)
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
    struct sflow_counters c;
    struct span sp;
    const uint8_t *payload;
    size_t plen;
    uint8_t *buf;

    if (size < 1)
        return 0;
    memset(&c, 0, sizeof c);
    memset(&sp, 0, sizeof sp);
    buf = malloc(size - 1 ? size - 1 : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, size - 1);
    if (data[0] < 128) {
        payload = buf;
        plen = size - 1;
    } else {
        int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
        int rc = sflow_udp_payload(lt, buf, size - 1, SFLOW_DEFAULT_PORT, &c, &payload, &plen);
        if (rc != SFLOW_UDP_OK) {
            check(&c, 0);
            free(buf);
            return 0;
        }
        if (payload < buf || payload > buf + (size - 1) ||
            plen > (size_t)(buf + (size - 1) - payload))
            abort(); /* payload outside the frame */
    }
    sp.lo = payload;
    sp.hi = payload + plen;
    sflow_decode(payload, plen, &c, on_header, &sp);
    check(&c, sp.seen);
    free(buf);
    return 0;
}
