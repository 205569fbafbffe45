/*
 * fmt_text.c - the default, human-readable summary.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include <inttypes.h>
#include <string.h>

#include "format.h"
#include "text.h"

static void text_begin(struct writer *w, const struct cli_config *cfg)
{
    (void)w;
    (void)cfg;
}

static void text_event(struct writer *w, const sampo_event *ev)
{
    struct evfield f[EVF_MAX];
    struct evtext text;
    int i, n = event_fields(ev, f, &text);

    w_puts(w, "event ");
    w_ts(w, ev->ts_ns);
    w_printf(w, " %s", event_name(ev->type));
    for (i = 0; i < n; i++) {
        w_printf(w, " %s=", f[i].key);
        switch (f[i].kind) {
        case EVF_U64:
            w_printf(w, "%" PRIu64, f[i].u);
            break;
        case EVF_INT:
            w_printf(w, "%" PRId64, f[i].i);
            break;
        case EVF_REAL:
            w_printf(w, "%.3f", f[i].r);
            break;
        case EVF_STR:
            w_puts(w, f[i].s);
            break;
        case EVF_BOOL:
            w_puts(w, f[i].u ? "yes" : "no");
            break;
        case EVF_NULL:
            w_putc(w, '-');
            break;
        }
    }
    w_putc(w, '\n');
}

static void text_results(struct writer *w, const struct cli_config *cfg)
{
    if (cfg->events && cfg->events_file == NULL)
        w_putc(w, '\n'); /* after the event lines */
}

static void version(struct writer *w, unsigned v)
{
    if (v <= 1)
        w_printf(w, "v%u", v);
    else
        w_puts(w, "v?");
}

void text_subflow_line(struct writer *w, const struct report_subflow *sf, int width)
{
    const sampo_subflow_info *s = &sf->info;
    int d;

    w_printf(w, "  %-7s  %-*s  pkts %" PRIu64 "/%" PRIu64 "  bytes %" PRIu64 "/%" PRIu64 "  dsn ",
             report_role(s), width, sf->flow, s->packets[0], s->packets[1], s->bytes[0],
             s->bytes[1]);
    for (d = 0; d < 2; d++) {
        if (d)
            w_putc(w, '/');
        if (s->dsn_bits[d])
            w_printf(w, "%" PRIu64, s->dsn_hi[d] - s->dsn_lo[d]);
        else
            w_putc(w, '-');
    }
    w_printf(w, "  %s %.3f", sampo_method_name(s->method), s->confidence);
    if (s->backup)
        w_puts(w, "  backup");
    if (s->fallback)
        w_puts(w, "  fallback");
    if (s->closed)
        w_printf(w, "  closed %s", sampo_close_reason_name(s->close_reason));
    w_putc(w, '\n');
}

static void subflow_lines(struct writer *w, const struct report_list *subs)
{
    size_t i, width = 0;

    for (i = 0; i < subs->n; i++) {
        size_t len = strlen(subs->items[i].flow);
        if (len > width)
            width = len;
    }
    for (i = 0; i < subs->n; i++)
        text_subflow_line(w, &subs->items[i], (int)width);
}

static void session_block(struct writer *w, const char *what, const sampo_session_info *s,
                          const struct report_list *subs, uint32_t parts, uint64_t early)
{
    w_printf(w, "%s %" PRIu64 "  ", what, s->session_id);
    version(w, s->mptcp_version);
    w_printf(w, "  %zu subflow%s  %s  conf %.3f", subs->n, subs->n == 1 ? "" : "s",
             sampo_method_name(s->method), s->confidence);
    if (s->closed)
        w_printf(w, "  closed %s", sampo_close_reason_name(s->close_reason));
    if (parts)
        w_printf(w, "  + %" PRIu32 " part%s above (%" PRIu64 " subflow%s)", parts,
                 parts == 1 ? "" : "s", early, early == 1 ? "" : "s");
    w_putc(w, '\n');
    subflow_lines(w, subs);
}

static void text_session(struct writer *w, const sampo_session_info *s,
                         const struct report_list *subs, uint32_t parts, uint64_t early)
{
    session_block(w, "session", s, subs, parts, early);
}

/* Written early: "session ID  part K  N subflows  (still open)". */
static void text_part(struct writer *w, uint64_t session_id, uint32_t part,
                      const struct report_list *subs)
{
    w_printf(w, "session %" PRIu64 "  part %" PRIu32 "  %zu subflow%s  (still open)\n", session_id,
             part, subs->n, subs->n == 1 ? "" : "s");
    subflow_lines(w, subs);
}

static void text_snapshot_begin(struct writer *w, uint64_t ts_ns)
{
    w_puts(w, "open sessions at ");
    w_ts(w, ts_ns);
    w_putc(w, '\n');
}

static void text_snapshot(struct writer *w, uint64_t ts_ns, const sampo_session_info *s,
                          const struct report_list *subs)
{
    (void)ts_ns;
    session_block(w, "  open session", s, subs, 0, 0);
}

void text_unassociated_header(struct writer *w, uint64_t n)
{
    w_printf(w, "unassociated  %" PRIu64 " subflow%s\n", n, n == 1 ? "" : "s");
}

static void text_unassociated(struct writer *w, const struct report_list *subs)
{
    text_unassociated_header(w, subs->n);
    subflow_lines(w, subs);
}

void text_counter_table(struct writer *w, const sampo_ctx *ctx, const struct cli_counters *cc,
                        int nonzero_only)
{
    const char *name;
    int i;

    for (i = 0; i < 4096 && (name = sampo_counter_name(i)) != NULL; i++) {
        uint64_t v = sampo_ctx_counter(ctx, i);
        if (v != 0 || !nonzero_only)
            w_printf(w, "  %-24s %" PRIu64 "\n", name, v);
    }
    for (i = 0; i < report_cli_counter_count(cc); i++) {
        uint64_t v = report_cli_counter(cc, i);
        if (v != 0 || !nonzero_only)
            w_printf(w, "  %-24s %" PRIu64 "\n", report_cli_counter_name(i), v);
    }
}

/* One summary line; with -v, the sFlow layer's line and the non-zero
 * counters after it (without -v, the counters are left out). */
static void text_end(struct writer *w, const struct cli_config *cfg, const sampo_ctx *ctx,
                     const struct cli_counters *cc, const struct report_totals *t)
{
    if (t->sessions != 0 || t->unassociated != 0)
        w_putc(w, '\n');
    w_printf(w, "%" PRIu64 " session%s (%" PRIu64 " subflow%s", t->sessions,
             t->sessions == 1 ? "" : "s", t->subflows, t->subflows == 1 ? "" : "s");
    if (t->parts)
        w_printf(w, ", %" PRIu64 " in %" PRIu64 " part%s written early", t->subflows_early,
                 t->parts, t->parts == 1 ? "" : "s");
    w_printf(w, "), %" PRIu64 " unassociated subflow%s; %" PRIu64 " packets read", t->unassociated,
             t->unassociated == 1 ? "" : "s", cc->packets_read);
    if (cc->packets_sampled != cc->packets_read)
        w_printf(w, ", %" PRIu64 " sampled", cc->packets_sampled);
    w_printf(w, ", %" PRIu64 " undecodable, %" PRIu64 " not TCP\n", cc->packets_undecodable,
             cc->packets_not_tcp);
    if (!cfg->verbose)
        return;
    if (cc->sflow_on)
        w_printf(w,
                 "sflow: %" PRIu64 " datagrams, %" PRIu64 " flow samples, %" PRIu64
                 " packet headers, %" PRIu64 " anomalies\n",
                 cc->sflow.datagrams, cc->sflow.samples, cc->sflow.headers, cc->sflow.bad);
    w_puts(w, "counters (non-zero):\n");
    text_counter_table(w, ctx, cc, 1);
    if (t->parts)
        w_printf(w, "  %-24s %" PRIu64 "\n  %-24s %" PRIu64 "\n", "session_parts", t->parts,
                 "subflows_early", t->subflows_early);
}

/* What the columns of the session blocks mean, once before the first. */
static void text_legend(struct writer *w)
{
    w_puts(w, "legend: session ID  VERSION  N subflows  weakest METHOD  conf LOWEST  [FLAGS]\n"
              "          ROLE  FLOW  pkts a/b  bytes a/b  dsn a/b  METHOD CONF  [FLAGS]\n"
              "        a/b: forward/reverse; forward: from FLOW's first SRC:PORT to the second\n"
              "        (the initiator's, when its SYN was seen). bytes: TCP payload; dsn: span\n"
              "        of MPTCP data sequence numbers in bytes (-: none seen); FLAGS: backup,\n"
              "        fallback, closed REASON\n\n");
}

/* "pairs  N pairs", then per pair: verdict, both flows ("-" for a subflow
 * no longer tracked), method and confidence, subflow ids, reinjections
 * and the time of the last change. */
static void text_pairs(struct writer *w, const struct report_pairs *pairs)
{
    size_t i, width[2] = {1, 1};
    int k;

    for (i = 0; i < pairs->n; i++) {
        for (k = 0; k < 2; k++) {
            size_t len = strlen(pairs->items[i].flow[k]);
            if (len > width[k])
                width[k] = len;
        }
    }
    w_printf(w, "pairs  %zu pair%s\n", pairs->n, pairs->n == 1 ? "" : "s");
    for (i = 0; i < pairs->n; i++) {
        const struct report_pair *p = &pairs->items[i];
        const sampo_pair_info *s = &p->info;

        w_printf(w,
                 "  %-9s  %-*s  %-*s  %s %.3f  subflows %" PRIu64 "/%" PRIu64
                 "  reinjections %" PRIu32 "  updated ",
                 verdict_name(s->verdict), (int)width[0], p->flow[0][0] ? p->flow[0] : "-",
                 (int)width[1], p->flow[1][0] ? p->flow[1] : "-", sampo_method_name(s->method),
                 s->confidence, s->subflow_id[0], s->subflow_id[1], s->reinjections);
        w_ts(w, s->updated_ns);
        w_putc(w, '\n');
    }
}

const struct formatter fmt_text = {
    text_begin, text_event, text_results,        text_session,  text_unassociated, text_end,
    text_pairs, 1,          text_snapshot_begin, text_snapshot, text_legend,       text_part,
};
