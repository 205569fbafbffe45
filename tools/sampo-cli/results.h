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
 * With --pairs the pair verdicts (see struct formatter), then sessions in
 * id order, then unassociated subflows, then counters, in the format of
 * `fmt`.  @return 0, or SAMPO_E_NOMEM.
 */
int results_print(struct writer *w, const struct formatter *fmt, const struct cli_config *cfg,
                  sampo_ctx *ctx, const struct cli_counters *cc, struct report_totals *t);

/* -v: every counter on standard error. */
void results_counters_stderr(const sampo_ctx *ctx, const struct cli_counters *cc);

#endif /* SAMPO_CLI_RESULTS_H */
