/*
 * results.h - print the final sessions, subflows and counters.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_RESULTS_H
#define SAMPO_CLI_RESULTS_H

#include "cli.h"
#include "format.h"

/*
 * The end of the output, after every session record (records.h): with
 * --pairs the pair verdicts of the last association run (collected by
 * results_pairs() before the context was emptied), then the totals and
 * counters, in the format of `fmt`.  The pairs go to `pairs_w` (the
 * output or --pairs-file).
 */
void results_print(struct writer *w, struct writer *pairs_w, const struct formatter *fmt,
                   const struct cli_config *cfg, const sampo_ctx *ctx,
                   const struct cli_counters *cc, const struct report_pairs *pairs,
                   const struct report_totals *t);

/* --pairs: the verdicts of the last run, before sampo_ctx_flush_ex(END)
 * lets go of the subflows.  @return 0, or SAMPO_E_NOMEM. */
int results_pairs(const struct cli_config *cfg, sampo_ctx *ctx, struct report_pairs *pairs);

/* -v: every counter on standard error, then the records written early
 * (session_parts, subflows_early: records.h). */
void results_counters_stderr(const sampo_ctx *ctx, const struct cli_counters *cc,
                             const struct report_totals *t);

#endif /* SAMPO_CLI_RESULTS_H */
