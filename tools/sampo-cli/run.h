/*
 * run.h - one analysis run: read, sample, feed, report.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_RUN_H
#define SAMPO_CLI_RUN_H

#include "cli.h"

/* @return the exit status. */
int run(const struct cli_config *cfg);

#endif /* SAMPO_CLI_RUN_H */
