/*
 * input_open.c - choose the packet source: UDP socket (--sflow-listen),
 * live interface, one file or URI (input_one.c), or several merged in time
 * order (input_merge.c); and interrupt the live ones.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "input.h"

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

void input_interrupt(void)
{
    input_pcap_interrupt();
#ifdef SAMPO_HAVE_LIBTRACE
    input_trace_interrupt();
#endif
}
