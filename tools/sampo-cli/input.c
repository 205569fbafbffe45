/*
 * input.c - choose the packet source: UDP socket (--sflow-listen), live
 * interface, libtrace URI, or pcap/pcapng file (or "-", standard input);
 * several files or URIs are merged in time order (input_merge.c).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

#include "linktype.h"
#include "sampo.h"

/* Input formats of libtrace 3 and 4.  An argument "PREFIX:REST" whose
 * PREFIX is one of these (and holds no '/') is read through libtrace. */
static const char *const trace_formats[] = {
    "atmhdr",     "bpf",       "dag",         "dpdk",      "dpdkndag",  "duck",      "erf",
    "etsilive",   "etsifile",  "fr+",         "int",       "legacyatm", "legacyeth", "legacylen",
    "legacynzix", "legacypos", "linuxnative", "linuxring", "ndag",      "pcap",      "pcapfile",
    "pcapint",    "pcapng",    "rawerf",      "ring",      "rt",        "tsh",       "xdp",
};

int input_is_uri(const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t len, i;

    if (colon == NULL || colon == arg)
        return 0;
    len = (size_t)(colon - arg);
    if (memchr(arg, '/', len) != NULL)
        return 0;
    for (i = 0; i < sizeof trace_formats / sizeof trace_formats[0]; i++) {
        if (strlen(trace_formats[i]) == len && memcmp(trace_formats[i], arg, len) == 0)
            return 1;
    }
    return 0;
}

int input_map_dlt(int dlt) { return sampo_tools_linktype(dlt); }

int input_open_one(const struct cli_config *cfg, const char *name, struct input **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    if (input_is_uri(name)) {
#ifdef SAMPO_HAVE_LIBTRACE
        if (cfg->filter != NULL) {
            snprintf(err, errlen, "%s: a filter expression is not supported with libtrace inputs",
                     name);
            return CLI_EXIT_USAGE;
        }
        return input_trace_open(cfg, name, out, err, errlen);
#else
        snprintf(err, errlen,
                 "%s: libtrace inputs are not supported by this build"
                 " (rebuild with libtrace3-dev installed)",
                 name);
        return CLI_EXIT_USAGE;
#endif
    }
    return input_pcap_open_file(cfg, name, out, err, errlen);
}

int input_open(const struct cli_config *cfg, struct input **out, char *err, size_t errlen)
{
    *out = NULL;
    if (cfg->sflow_listen != NULL)
        return input_udp_open(cfg, out, err, errlen);
    if (cfg->iface != NULL)
        return input_pcap_open_live(cfg, out, err, errlen);
    if (cfg->n_inputs > 1)
        return input_merge_open(cfg, out, err, errlen);
    return input_open_one(cfg, cfg->input, out, err, errlen);
}

int64_t input_position(struct input *in) { return in->ops->position ? in->ops->position(in) : -1; }

uint64_t input_dropped(struct input *in) { return in->ops->dropped ? in->ops->dropped(in) : 0; }

void input_close(struct input *in)
{
    if (in != NULL)
        in->ops->close(in);
}

void input_interrupt(void)
{
    input_pcap_interrupt();
#ifdef SAMPO_HAVE_LIBTRACE
    input_trace_interrupt();
#endif
}

#ifndef SAMPO_HAVE_LIBTRACE
const char *input_trace_version(void) { return NULL; }
#endif

#ifndef SAMPO_HAVE_WIRETAP
const char *input_wtap_version(void) { return NULL; }

int input_wtap_open(const struct cli_config *cfg, const char *name, uint64_t skip,
                    struct input **out, char *err, size_t errlen)
{
    (void)cfg;
    (void)skip;
    *out = NULL;
    snprintf(err, errlen,
             "%s: this build has no reader for it (rebuild with libwiretap-dev installed: its"
             " wiretap reads such pcapng files)",
             name);
    return CLI_EXIT_FAIL;
}
#endif
