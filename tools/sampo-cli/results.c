/*
 * results.c - the end of the output: pair verdicts, totals, counters.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "results.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

int results_pairs(const struct cli_config *cfg, sampo_ctx *ctx, struct report_pairs *pairs)
{
    memset(pairs, 0, sizeof *pairs);
    return cfg->pairs ? report_collect_pairs(ctx, pairs) : 0;
}

void results_print(struct writer *w, struct writer *pairs_w, const struct formatter *fmt,
                   const struct cli_config *cfg, const sampo_ctx *ctx,
                   const struct cli_counters *cc, const struct report_pairs *pairs,
                   const struct report_totals *t)
{
    if (cfg->pairs)
        fmt->pairs(pairs_w, pairs);
    fmt->end(w, cfg, ctx, cc, t);
}

void results_counters_stderr(const sampo_ctx *ctx, const struct cli_counters *cc,
                             const struct report_totals *t)
{
    struct writer w;

    memset(&w, 0, sizeof w);
    w.fp = stderr;
    w.name = "standard error";
    fflush(stdout);
    fputs(CLI_PROG ": counters:\n", stderr);
    text_counter_table(&w, ctx, cc, 0);
    fprintf(stderr, "  %-24s %" PRIu64 "\n  %-24s %" PRIu64 "\n", "session_parts", t->parts,
            "subflows_early", t->subflows_early);
    fflush(stderr);
}
