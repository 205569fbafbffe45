/*
 * input_merge.c - several capture files (or libtrace URIs) read as one, in
 * packet time order, as mergecap merges them: rotated captures given in
 * any order, captures of two links that overlap in time.
 *
 * Every input is opened before the first packet is read (a missing file
 * stops the run at once).  Each one's next packet waits in `peek`; the
 * earliest one is delivered, and that input is read again only at the next
 * call (its packet stays valid until then, as input_next() promises).
 * Ties go to the input whose first packet is earlier, then to the one
 * named first, so that rotated pieces given in shuffled order are read in
 * the order they were written.  One scan of the inputs per packet: fine
 * for the tens of files of a rotation.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "input.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct merge_src {
    struct input *in;
    struct cli_packet peek;
    int state; /* 0: to read, 1: peek holds a packet, 2: done */
    uint64_t first_ts;
    uint64_t delivered; /* packets passed on, for messages */
    int index;          /* order on the command line */
};

struct merge_input {
    struct input base; /* first */
    const struct cli_config *cfg;
    struct merge_src *src;
    int n;
    struct merge_src *last; /* delivered last: read it again first */
};

/* Fill s->peek; an error ends this input with a message. */
static void refill(struct merge_input *mi, struct merge_src *s)
{
    int rc;

    for (;;) {
        rc = input_next(s->in, &s->peek);
        if (rc != INPUT_TIMEOUT)
            break;
    }
    if (rc == INPUT_PACKET) {
        if (s->state == 0 && s->delivered == 0 && s->first_ts == 0)
            s->first_ts = s->peek.ts_ns;
        s->state = 1;
        return;
    }
    s->state = 2;
    if (rc == INPUT_EOF) {
        if (s->in->records == 0)
            cli_warn(mi->cfg->quiet, "%s: the capture holds no packets", s->in->name);
        return;
    }
    if (s->in->records == 0) {
        cli_error("%s: no packet could be read: %s", s->in->name, s->in->err);
        mi->base.failed = 1;
    } else {
        cli_warn(mi->cfg->quiet, "%s: truncated capture after %" PRIu64 " packets: %s", s->in->name,
                 s->delivered, s->in->err);
        mi->base.truncated = 1;
    }
}

static int earlier(const struct merge_src *a, const struct merge_src *b)
{
    if (a->peek.ts_ns != b->peek.ts_ns)
        return a->peek.ts_ns < b->peek.ts_ns;
    if (a->first_ts != b->first_ts)
        return a->first_ts < b->first_ts;
    return a->index < b->index;
}

static int merge_next(struct input *in, struct cli_packet *pkt)
{
    struct merge_input *mi = (struct merge_input *)in;
    struct merge_src *best = NULL;
    int i;

    if (mi->last != NULL) {
        mi->last->state = 0;
        refill(mi, mi->last);
        mi->last = NULL;
    }
    in->records = 0;
    for (i = 0; i < mi->n; i++) {
        struct merge_src *s = &mi->src[i];

        in->records += s->in->records;
        if (s->state == 1 && (best == NULL || earlier(s, best)))
            best = s;
    }
    if (best == NULL)
        return INPUT_EOF;
    *pkt = best->peek;
    best->delivered++;
    mi->last = best;
    return INPUT_PACKET;
}

static int64_t merge_position(struct input *in)
{
    struct merge_input *mi = (struct merge_input *)in;
    int64_t sum = 0;
    int i;

    for (i = 0; i < mi->n; i++) {
        int64_t p = input_position(mi->src[i].in);

        if (p < 0)
            return -1;
        sum += p;
    }
    return sum;
}

static void merge_close(struct input *in)
{
    struct merge_input *mi = (struct merge_input *)in;
    int i;

    for (i = 0; i < mi->n; i++)
        input_close(mi->src[i].in);
    free(mi->src);
    free(mi);
}

static const struct input_ops merge_ops = {
    merge_next,
    merge_position,
    NULL,
    merge_close,
};

/* Every input is open at once (a merge needs each one's next packet):
 * raise the soft limit on open files towards the hard one when they need
 * it, as rotated captures can be thousands of files.  @return the limit. */
static rlim_t files_limit(int n_inputs)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)n_inputs + 64; /* standard streams, output, temporary files */

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur;
}

int input_merge_open(const struct cli_config *cfg, struct input **out, char *err, size_t errlen)
{
    rlim_t limit = files_limit(cfg->n_inputs);
    struct merge_input *mi = calloc(1, sizeof *mi);
    int i, rc;

    *out = NULL;
    if (mi != NULL)
        mi->src = calloc((size_t)cfg->n_inputs, sizeof *mi->src);
    if (mi == NULL || mi->src == NULL) {
        free(mi);
        snprintf(err, errlen, "%s", strerror(ENOMEM));
        return CLI_EXIT_FAIL;
    }
    mi->base.ops = &merge_ops;
    mi->base.name = cfg->input;
    mi->base.size = 0;
    mi->base.impl = mi;
    mi->cfg = cfg;
    for (i = 0; i < cfg->n_inputs; i++) {
        struct merge_src *s = &mi->src[mi->n];

        rc = input_open_one(cfg, cfg->inputs[i], &s->in, err, errlen);
        if (rc == 0 && s->in->live) {
            snprintf(err, errlen, "%s: a live input cannot be merged with other inputs",
                     cfg->inputs[i]);
            input_close(s->in);
            rc = CLI_EXIT_USAGE;
        }
        if (rc != 0) {
            if (errno == EMFILE)
                snprintf(err + strlen(err), errlen - strlen(err),
                         " (%d inputs are read at once; the limit on open files is %llu:"
                         " raise it with ulimit -n)",
                         cfg->n_inputs, (unsigned long long)limit);
            merge_close(&mi->base);
            return rc;
        }
        s->index = i;
        mi->n++;
        if (s->in->size < 0 || mi->base.size < 0)
            mi->base.size = -1;
        else
            mi->base.size += s->in->size;
    }
    for (i = 0; i < mi->n; i++)
        refill(mi, &mi->src[i]);
    *out = &mi->base;
    return 0;
}
