/*
 * input_one.c - open one file or URI: a libtrace URI (FORMAT:REST) through
 * libtrace, anything else through libpcap (pcap, pcapng, "-"), which falls
 * back to wiretap for the pcapng files it refuses (input_pcap.c).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

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
