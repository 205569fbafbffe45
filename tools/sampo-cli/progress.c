/*
 * progress.c - "[#####.....]  45.2%  1234567 packets  250000 pkt/s" on a
 * terminal, redrawn in place and erased at the end.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR 30
#define REDRAW_S 0.1
#define FIRST_DRAW_S 0.5 /* quick runs never show a bar */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, int want, struct input *in)
{
    memset(p, 0, sizeof *p);
    if (!want || in->live || in->size <= 0 || input_position(in) < 0 || !isatty(STDERR_FILENO))
        return;
    p->on = 1;
    p->in = in;
    p->total = in->size;
    p->next_check = PROGRESS_CHECK_EVERY;
    p->start = now_s();
    p->last = p->start + FIRST_DRAW_S - REDRAW_S;
}

void progress_update(struct progress *p, uint64_t packets)
{
    char bar[BAR + 1];
    double t = now_s(), frac, rate;
    int64_t pos;
    int i, fill, n;

    p->next_check = packets + PROGRESS_CHECK_EVERY;
    if (t - p->last < REDRAW_S)
        return;
    p->last = t;
    pos = input_position(p->in);
    frac = pos < 0 ? 0.0 : (double)pos / (double)p->total;
    if (frac > 1.0)
        frac = 1.0;
    fill = (int)(frac * BAR);
    for (i = 0; i < BAR; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR] = '\0';
    rate = t > p->start ? (double)packets / (t - p->start) : 0.0;
    n = fprintf(stderr, "\r[%s] %5.1f%%  %llu packets  %.0f pkt/s ", bar, frac * 100.0,
                (unsigned long long)packets, rate);
    if (n > 0 && n - 1 < p->width)
        fprintf(stderr, "%*s", p->width - (n - 1), "");
    if (n > 0 && n - 1 > p->width)
        p->width = n - 1;
    fflush(stderr);
}

void progress_done(struct progress *p)
{
    if (p->on && p->width > 0) {
        fprintf(stderr, "\r%*s\r", p->width, "");
        fflush(stderr);
    }
    p->on = 0;
    p->width = 0;
}
