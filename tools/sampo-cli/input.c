/*
 * input.c - what every packet source shares: the calls through its ops,
 * the link type map, and the stand-ins for readers left out of the build.
 * Which source is opened is input_open.c's choice (one file or URI:
 * input_one.c).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

#include "linktype.h"
#include "sampo.h"

int input_map_dlt(int dlt) { return sampo_tools_linktype(dlt); }

int64_t input_position(struct input *in) { return in->ops->position ? in->ops->position(in) : -1; }

uint64_t input_dropped(struct input *in) { return in->ops->dropped ? in->ops->dropped(in) : 0; }

void input_close(struct input *in)
{
    if (in != NULL)
        in->ops->close(in);
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
