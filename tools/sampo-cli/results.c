/*
 * results.c - walk the sessions and subflows once the input is done.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "results.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

int results_print(struct writer *w, const struct formatter *fmt, const struct cli_config *cfg,
                  sampo_ctx *ctx, const struct cli_counters *cc, struct report_totals *t)
{
    struct report_list list = {NULL, 0, 0};
    struct report_pairs pairs = {NULL, 0, 0};
    sampo_session_info s;
    uint64_t cursor = 0;
    int rc = 0;

    memset(t, 0, sizeof *t);
    memset(&s, 0, sizeof s); /* SAMPO_SESSION_INFO_INIT warns in GCC -Wextra */
    s.size = sizeof s;
    if (cfg->pairs) {
        rc = report_collect_pairs(ctx, &pairs);
        if (rc != 0) {
            report_pairs_free(&pairs);
            return rc;
        }
    }
    fmt->results(w, cfg);
    if (cfg->pairs && !fmt->pairs_last)
        fmt->pairs(w, &pairs);
    while (!w->failed && sampo_ctx_next_session(ctx, &cursor, &s) > 0) {
        rc = report_collect(ctx, s.session_id, &list);
        if (rc != 0)
            break;
        fmt->session(w, &s, &list);
        t->sessions++;
        t->subflows += list.n;
        memset(&s, 0, sizeof s);
        s.size = sizeof s;
    }
    if (rc == 0 && !w->failed) {
        rc = report_collect(ctx, 0, &list);
        if (rc == 0 && list.n > 0) {
            fmt->unassociated(w, &list);
            t->unassociated = list.n;
        }
    }
    if (rc == 0 && cfg->pairs && fmt->pairs_last)
        fmt->pairs(w, &pairs);
    if (rc == 0)
        fmt->end(w, ctx, cc, t);
    report_list_free(&list);
    report_pairs_free(&pairs);
    return rc;
}

void results_counters_stderr(const sampo_ctx *ctx, const struct cli_counters *cc)
{
    struct writer w;

    memset(&w, 0, sizeof w);
    w.fp = stderr;
    w.name = "standard error";
    fflush(stdout);
    fputs(CLI_PROG ": counters:\n", stderr);
    text_counter_table(&w, ctx, cc, 0);
    fflush(stderr);
}
