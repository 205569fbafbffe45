/*
 * setup.c - the analysis context and its options, with messages that name
 * the command line option and the allowed range.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "setup.h"

#include <inttypes.h>
#include <stdio.h>

static void range_text(const struct cli_libopt *o, char *buf, size_t len)
{
    sampo_bounds b = SAMPO_BOUNDS_INIT;

    buf[0] = '\0';
    if (sampo_option_bounds((sampo_option)o->opt, &b) != SAMPO_OK)
        return;
    if (b.type == SAMPO_OPTTYPE_REAL)
        snprintf(buf, len, " (allowed: %g to %g)", b.rmin, b.rmax);
    else if (o->show_seconds)
        snprintf(buf, len, " (allowed: %g to %g seconds)", (double)b.imin / 1e9,
                 (double)b.imax / 1e9);
    else
        snprintf(buf, len, " (allowed: %" PRId64 " to %" PRId64 ")", b.imin, b.imax);
}

int setup_context(const struct cli_config *cfg, sampo_ctx **out)
{
    sampo_ctx *ctx = NULL;
    int i, rc;

    *out = NULL;
    rc = sampo_ctx_create(&ctx, NULL);
    if (rc != SAMPO_OK) {
        cli_error("cannot create the analysis context: %s", sampo_strerror(rc));
        return CLI_EXIT_FAIL;
    }
    for (i = 0; i < cfg->n_libopts; i++) {
        const struct cli_libopt *o = &cfg->libopts[i];
        char range[96];

        if (o->is_real)
            rc = sampo_ctx_set_option_real(ctx, (sampo_option)o->opt, o->rval);
        else
            rc = sampo_ctx_set_option(ctx, (sampo_option)o->opt, o->ival);
        if (rc == SAMPO_OK)
            continue;
        range_text(o, range, sizeof range);
        if (rc == SAMPO_E_RANGE && o->show_seconds)
            cli_error("%s: %s%s", o->flag, sampo_strerror(rc), range);
        else if (sampo_ctx_last_error(ctx)[0] != '\0') /* the library's detail */
            cli_error("%s: %s", o->flag, sampo_ctx_last_error(ctx));
        else
            cli_error("%s: %s%s", o->flag, sampo_strerror(rc), rc == SAMPO_E_RANGE ? range : "");
        sampo_ctx_destroy(ctx);
        return rc == SAMPO_E_NOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
    }
    *out = ctx;
    return 0;
}
