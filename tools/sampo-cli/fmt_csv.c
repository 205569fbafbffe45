/*
 * fmt_csv.c - CSV, one table per file: the output has a header line, then
 * one row per subflow; with --events the event table goes to a file of
 * its own, and with --pairs the pair table (records.c opens them).
 * Counters are not part of the CSV (-v prints them on standard error).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include <inttypes.h>
#include <string.h>

#include "format.h"

static const char subflow_header[] =
    "session_id,flow,role,method,confidence,packets_fwd,packets_rev,bytes_fwd,bytes_rev,"
    "dss_fwd,dss_rev,first,last,backup,version,subflow_id,initiator_known,fallback,closed,"
    "close_reason,dsn_bits_fwd,dsn_bits_rev,dsn_lo_fwd,dsn_hi_fwd,dsn_lo_rev,dsn_hi_rev,"
    "addr_id_fwd,addr_id_rev,reinjections,est_packets_fwd,est_packets_rev,est_bytes_fwd,"
    "est_bytes_rev,community_id,timestamp\n";

static const char pair_header[] =
    "flow_a,flow_b,subflow_id_a,subflow_id_b,verdict,method,confidence,reinjections,updated\n";

static void csv_begin(struct writer *w, const struct cli_config *cfg)
{
    int i;

    if (!cfg->events)
        return;
    w_puts(w, "event,ts");
    for (i = 0; event_csv_columns[i] != NULL; i++) {
        w_putc(w, ',');
        w_puts(w, event_csv_columns[i]);
    }
    w_putc(w, '\n');
}

static void csv_event(struct writer *w, const sampo_event *ev)
{
    struct evfield f[EVF_MAX];
    struct evtext text;
    int i, j, n = event_fields(ev, f, &text);

    w_csv_str(w, event_name(ev->type));
    w_putc(w, ',');
    w_ts(w, ev->ts_ns);
    for (i = 0; event_csv_columns[i] != NULL; i++) {
        w_putc(w, ',');
        for (j = 0; j < n; j++) {
            if (strcmp(f[j].key, event_csv_columns[i]) != 0)
                continue;
            switch (f[j].kind) {
            case EVF_U64:
                w_printf(w, "%" PRIu64, f[j].u);
                break;
            case EVF_INT:
                w_printf(w, "%" PRId64, f[j].i);
                break;
            case EVF_REAL:
                w_real(w, f[j].r);
                break;
            case EVF_STR:
                w_csv_str(w, f[j].s);
                break;
            case EVF_BOOL:
                w_putc(w, f[j].u ? '1' : '0');
                break;
            case EVF_NULL:
                break;
            }
            break;
        }
    }
    w_putc(w, '\n');
}

static void csv_results(struct writer *w, const struct cli_config *cfg)
{
    (void)cfg;
    w_puts(w, subflow_header);
}

static void row(struct writer *w, uint64_t session_id, const struct report_subflow *sf)
{
    const sampo_subflow_info *s = &sf->info;
    char iso[ISO_TS_LEN];
    int d;

    w_printf(w, "%" PRIu64 ",", session_id);
    w_csv_str(w, sf->flow);
    w_printf(w, ",%s,%s,", report_role(s), sampo_method_name(s->method));
    w_real(w, s->confidence);
    w_printf(w, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
             s->packets[0], s->packets[1], s->bytes[0], s->bytes[1], s->dss_packets[0],
             s->dss_packets[1]);
    w_ts(w, s->first_ns);
    w_putc(w, ',');
    w_ts(w, s->last_ns);
    w_printf(w, ",%d,", s->backup ? 1 : 0);
    if (s->mptcp_version <= 1)
        w_printf(w, "%u", (unsigned)s->mptcp_version);
    w_printf(w, ",%" PRIu64 ",%d,%d,%d,%s,%u,%u", s->subflow_id, s->initiator_known ? 1 : 0,
             s->fallback ? 1 : 0, s->closed ? 1 : 0, sampo_close_reason_name(s->close_reason),
             (unsigned)s->dsn_bits[0], (unsigned)s->dsn_bits[1]);
    for (d = 0; d < 2; d++) {
        if (s->dsn_bits[d])
            w_printf(w, ",%" PRIu64 ",%" PRIu64, s->dsn_lo[d], s->dsn_hi[d]);
        else
            w_puts(w, ",,");
    }
    for (d = 0; d < 2; d++) {
        w_putc(w, ',');
        if (s->addr_id[d] >= 0)
            w_printf(w, "%d", (int)s->addr_id[d]);
    }
    w_printf(w, ",%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s\n",
             s->reinjections, s->est_packets[0], s->est_packets[1], s->est_bytes[0],
             s->est_bytes[1], sf->community_id, fmt_iso_ts(s->first_ns, 0, iso, sizeof iso));
}

static void csv_session(struct writer *w, const sampo_session_info *s,
                        const struct report_list *subs, uint32_t parts, uint64_t early)
{
    size_t i;

    (void)parts; /* the rows of the parts went before, with the same session_id */
    (void)early;
    for (i = 0; i < subs->n; i++)
        row(w, s->session_id, &subs->items[i]);
}

static void csv_part(struct writer *w, uint64_t session_id, uint32_t part,
                     const struct report_list *subs)
{
    size_t i;

    (void)part;
    for (i = 0; i < subs->n; i++)
        row(w, session_id, &subs->items[i]);
}

static void csv_unassociated(struct writer *w, const struct report_list *subs)
{
    size_t i;

    for (i = 0; i < subs->n; i++)
        row(w, 0, &subs->items[i]);
}

static void csv_end(struct writer *w, const struct cli_config *cfg, const sampo_ctx *ctx,
                    const struct cli_counters *cc, const struct report_totals *t)
{
    (void)cfg;
    (void)w;
    (void)ctx;
    (void)cc;
    (void)t;
}

static void csv_pairs(struct writer *w, const struct report_pairs *pairs)
{
    size_t i;

    w_puts(w, pair_header); /* in a file of its own */
    for (i = 0; i < pairs->n; i++) {
        const struct report_pair *p = &pairs->items[i];

        w_csv_str(w, p->flow[0]); /* empty: the subflow is gone */
        w_putc(w, ',');
        w_csv_str(w, p->flow[1]);
        w_printf(w, ",%" PRIu64 ",%" PRIu64 ",%s,%s,", p->info.subflow_id[0], p->info.subflow_id[1],
                 verdict_name(p->info.verdict), sampo_method_name(p->info.method));
        w_real(w, p->info.confidence);
        w_printf(w, ",%" PRIu32 ",", p->info.reinjections);
        w_ts(w, p->info.updated_ns);
        w_putc(w, '\n');
    }
}

const struct formatter fmt_csv = {
    csv_begin, csv_event, csv_results, csv_session, csv_unassociated, csv_end, csv_pairs,
    1,         NULL,      NULL,        NULL,        csv_part,
};
