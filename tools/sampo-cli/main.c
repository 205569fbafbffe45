/*
 * main.c - sampo-cli: which TCP connections are subflows of the same
 * Multipath TCP session, from a capture file, a libtrace URI or a live
 * interface.  See sampo-cli(1) and docs/cli.md.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "cli.h"
#include "options.h"
#include "run.h"

int main(int argc, char **argv)
{
    struct cli_config cfg;
    int rc = options_parse(argc, argv, &cfg);

    if (rc != OPTIONS_RUN)
        return rc;
    rc = run(&cfg);
    cli_config_free(&cfg);
    return rc;
}
