/*
 * options.h - command line parsing (getopt_long), --help and --version.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_OPTIONS_H
#define SAMPO_CLI_OPTIONS_H

#include <stdio.h>

#include "cli.h"

/* Results of options_parse() besides an exit status. */
#define OPTIONS_RUN (-1)

/*
 * Fill cfg from argv.  @return OPTIONS_RUN to go on, or an exit status
 * when the program is done: CLI_EXIT_OK after --help or --version,
 * CLI_EXIT_USAGE after a message about a bad command line.
 */
int options_parse(int argc, char **argv, struct cli_config *cfg);

void options_usage(FILE *fp);

#endif /* SAMPO_CLI_OPTIONS_H */
