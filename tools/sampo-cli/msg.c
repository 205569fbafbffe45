/*
 * msg.c - error and warning messages on standard error.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs(CLI_PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warn(int quiet, const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    fputs(CLI_PROG ": warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_config_free(struct cli_config *cfg)
{
    free(cfg->filter);
    cfg->filter = NULL;
    free((void *)cfg->inputs);
    cfg->inputs = NULL;
    cfg->n_inputs = 0;
}
