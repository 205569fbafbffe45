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

#endif /* SAMPO_CLI_TEXT_H */
