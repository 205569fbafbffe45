/*
 * setup.h - create the analysis context with the command line options.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_SETUP_H
#define SAMPO_CLI_SETUP_H

#include "cli.h"
#include "sampo.h"

/* @return 0 with *out set, or an exit status after a message. */
int setup_context(const struct cli_config *cfg, sampo_ctx **out);

#endif /* SAMPO_CLI_SETUP_H */
