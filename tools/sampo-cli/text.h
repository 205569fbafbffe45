/*
 * text.h - counter table in text form (text output, -v on stderr).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_TEXT_H
#define SAMPO_CLI_TEXT_H

#include "report.h"
#include "sampo.h"
#include "writer.h"

/* "  name  value" lines, library counters then the CLI's. */
void text_counter_table(struct writer *w, const sampo_ctx *ctx, const struct cli_counters *cc,
                        int nonzero_only);
/* The text report's unassociated table, line by line (records.c streams
 * it from its sort): the header of n subflows, then each subflow's line
 * with its flow padded to `width`, the longest flow's length. */
void text_unassociated_header(struct writer *w, uint64_t n);
void text_subflow_line(struct writer *w, const struct report_subflow *sf, int width);

#endif /* SAMPO_CLI_TEXT_H */
