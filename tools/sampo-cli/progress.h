/*
 * progress.h - progress bar on standard error for long capture files.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_PROGRESS_H
#define SAMPO_CLI_PROGRESS_H

#include <stdint.h>

#include "input.h"

/* Packets between two looks at the clock. */
#define PROGRESS_CHECK_EVERY 1024u

struct progress {
    int on;
    struct input *in;
    int64_t total;       /* file size in bytes */
    uint64_t next_check; /* packet count of the next clock check */
    double start, last;  /* monotonic seconds */
    int width;           /* characters of the last line drawn, 0 = none */
};

/* Enabled only when `want`, standard error is a terminal and the input
 * is a regular file of known size. */
void progress_init(struct progress *p, int want, struct input *in);

void progress_update(struct progress *p, uint64_t packets);

/* Cheap enough for every packet: a compare, and a redraw at most ~10
 * times a second. */
static inline void progress_tick(struct progress *p, uint64_t packets)
{
    if (p->on && packets >= p->next_check)
        progress_update(p, packets);
}

/* Erase the bar. */
void progress_done(struct progress *p);

#endif /* SAMPO_CLI_PROGRESS_H */
