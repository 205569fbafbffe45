/*
 * fmt_json.c - JSON lines: one object per line (events, pair verdicts,
 * sessions, unassociated subflows, counters).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include <inttypes.h>
#include <stdio.h>

#include "format.h"

static void json_begin(struct writer *w, const struct cli_config *cfg)
{
    (void)w;
    (void)cfg;
}

static void json_event(struct writer *w, const sampo_event *ev)
{
    struct evfield f[EVF_MAX];
    struct evtext text;
    int i, n = event_fields(ev, f, &text);

    w_puts(w, "{\"type\":\"event\",\"event\":");
    w_json_str(w, event_name(ev->type));
    w_json_key(w, "ts");
    w_ts(w, ev->ts_ns);
    for (i = 0; i < n; i++) {
        w_json_key(w, f[i].key);
        switch (f[i].kind) {
        case EVF_U64:
            w_printf(w, "%" PRIu64, f[i].u);
            break;
        case EVF_INT:
            w_printf(w, "%" PRId64, f[i].i);
            break;
        case EVF_REAL:
            w_real(w, f[i].r);
            break;
        case EVF_STR:
            w_json_str(w, f[i].s);
            break;
        case EVF_BOOL:
            w_json_bool(w, f[i].u != 0);
            break;
        case EVF_NULL:
            w_puts(w, "null");
            break;
        }
    }
    w_puts(w, "}\n");
}

static void json_results(struct writer *w, const struct cli_config *cfg)
{
    (void)w;
    (void)cfg;
}

static void pair_u64(struct writer *w, const char *k, const uint64_t v[2])
{
    w_json_key(w, k);
    w_printf(w, "[%" PRIu64 ",%" PRIu64 "]", v[0], v[1]);
}

static void subflow(struct writer *w, const struct report_subflow *sf)
{
    const sampo_subflow_info *s = &sf->info;
    int d;

    w_printf(w, "{\"id\":%" PRIu64, s->subflow_id);
    w_json_key(w, "flow");
    w_json_str(w, sf->flow);
    w_json_key(w, "community_id");
    if (sf->community_id[0])
        w_json_str(w, sf->community_id);
    else
        w_puts(w, "null");
    w_json_key(w, "role");
    w_json_str(w, report_role(s));
    w_json_key(w, "version");
    w_json_version(w, s->mptcp_version);
    w_json_key(w, "method");
    w_json_str(w, sampo_method_name(s->method));
    w_json_key(w, "confidence");
    w_real(w, s->confidence);
    pair_u64(w, "packets", s->packets);
    pair_u64(w, "bytes", s->bytes);
    pair_u64(w, "est_packets", s->est_packets);
    pair_u64(w, "est_bytes", s->est_bytes);
    pair_u64(w, "dss_packets", s->dss_packets);
    w_json_key(w, "dsn");
    w_putc(w, '[');
    for (d = 0; d < 2; d++) {
        if (d)
            w_putc(w, ',');
        if (s->dsn_bits[d])
            w_printf(w, "[%" PRIu64 ",%" PRIu64 "]", s->dsn_lo[d], s->dsn_hi[d]);
        else
            w_puts(w, "null");
    }
    w_putc(w, ']');
    w_json_key(w, "dsn_bits");
    w_printf(w, "[%u,%u]", (unsigned)s->dsn_bits[0], (unsigned)s->dsn_bits[1]);
    w_json_key(w, "addr_id");
    w_putc(w, '[');
    for (d = 0; d < 2; d++) {
        if (d)
            w_putc(w, ',');
        if (s->addr_id[d] >= 0)
            w_printf(w, "%d", (int)s->addr_id[d]);
        else
            w_puts(w, "null");
    }
    w_putc(w, ']');
    w_json_key(w, "timestamp");
    w_iso_ts(w, s->first_ns);
    w_json_key(w, "first");
    w_ts(w, s->first_ns);
    w_json_key(w, "last");
    w_ts(w, s->last_ns);
    w_json_key(w, "initiator_known");
    w_json_bool(w, s->initiator_known);
    w_json_key(w, "backup");
    w_json_bool(w, s->backup);
    w_json_key(w, "fallback");
    w_json_bool(w, s->fallback);
    w_json_key(w, "closed");
    w_json_bool(w, s->closed);
    w_json_key(w, "close_reason");
    w_json_str(w, sampo_close_reason_name(s->close_reason));
    w_json_key(w, "reinjections");
    w_printf(w, "%" PRIu32, s->reinjections);
    w_putc(w, '}');
}

static void subflow_array(struct writer *w, const struct report_list *subs)
{
    size_t i;

    w_json_key(w, "subflows");
    w_putc(w, '[');
    for (i = 0; i < subs->n; i++) {
        if (i)
            w_putc(w, ',');
        subflow(w, &subs->items[i]);
    }
    w_putc(w, ']');
}

static void token(struct writer *w, const sampo_session_info *s, int i)
{
    if (s->token[i] != 0 || (s->keys_known & (1u << i)))
        w_printf(w, "\"%08" PRIx32 "\"", s->token[i]);
    else
        w_puts(w, "null");
}

/* A session record: "session", or "open-session" in a snapshot at ts_ns;
 * with "parts" and "subflows_early" when parts went before. */
static void session_record(struct writer *w, const char *type, const uint64_t *ts_ns,
                           const sampo_session_info *s, const struct report_list *subs,
                           uint32_t parts, uint64_t early)
{
    w_puts(w, "{\"type\":");
    w_json_str(w, type);
    if (ts_ns) {
        w_json_key(w, "snapshot");
        w_ts(w, *ts_ns);
    }
    w_json_key(w, "id");
    w_printf(w, "%" PRIu64, s->session_id);
    w_json_key(w, "version");
    w_json_version(w, s->mptcp_version);
    w_json_key(w, "method");
    w_json_str(w, sampo_method_name(s->method));
    w_json_key(w, "confidence");
    w_real(w, s->confidence);
    w_json_key(w, "closed");
    w_json_bool(w, s->closed);
    w_json_key(w, "close_reason");
    w_json_str(w, sampo_close_reason_name(s->close_reason));
    w_json_key(w, "timestamp");
    w_iso_ts(w, s->first_ns);
    w_json_key(w, "first");
    w_ts(w, s->first_ns);
    w_json_key(w, "last");
    w_ts(w, s->last_ns);
    w_json_key(w, "packets");
    w_printf(w, "%" PRIu64, s->packets);
    w_json_key(w, "bytes");
    w_printf(w, "%" PRIu64, s->bytes);
    w_json_key(w, "est_packets");
    w_printf(w, "%" PRIu64, s->est_packets);
    w_json_key(w, "est_bytes");
    w_printf(w, "%" PRIu64, s->est_bytes);
    w_json_key(w, "keys_known");
    w_printf(w, "[");
    w_json_bool(w, s->keys_known & 1);
    w_putc(w, ',');
    w_json_bool(w, (s->keys_known & 2) != 0);
    w_putc(w, ']');
    w_json_key(w, "tokens");
    w_putc(w, '[');
    token(w, s, 0);
    w_putc(w, ',');
    token(w, s, 1);
    w_putc(w, ']');
    if (parts) {
        w_json_key(w, "parts");
        w_printf(w, "%" PRIu32, parts);
        w_json_key(w, "subflows_early");
        w_printf(w, "%" PRIu64, early);
    }
    subflow_array(w, subs);
    w_puts(w, "}\n");
}

static void json_session(struct writer *w, const sampo_session_info *s,
                         const struct report_list *subs, uint32_t parts, uint64_t early)
{
    session_record(w, "session", NULL, s, subs, parts, early);
}

/* {"type":"session-part","id":ID,"part":K,"subflows":[...]} */
static void json_part(struct writer *w, uint64_t session_id, uint32_t part,
                      const struct report_list *subs)
{
    w_printf(w, "{\"type\":\"session-part\",\"id\":%" PRIu64 ",\"part\":%" PRIu32, session_id,
             part);
    subflow_array(w, subs);
    w_puts(w, "}\n");
}

static void json_snapshot_begin(struct writer *w, uint64_t ts_ns)
{
    w_puts(w, "{\"type\":\"snapshot\",\"ts\":");
    w_ts(w, ts_ns);
    w_puts(w, "}\n");
}

static void json_snapshot(struct writer *w, uint64_t ts_ns, const sampo_session_info *s,
                          const struct report_list *subs)
{
    session_record(w, "open-session", &ts_ns, s, subs, 0, 0);
}

static void json_unassociated(struct writer *w, const struct report_list *subs)
{
    w_puts(w, "{\"type\":\"unassociated\"");
    subflow_array(w, subs);
    w_puts(w, "}\n");
}

static void json_end(struct writer *w, const struct cli_config *cfg, const sampo_ctx *ctx,
                     const struct cli_counters *cc, const struct report_totals *t)
{
    (void)cfg;
    const char *name;
    int i;

    w_printf(w, "{\"type\":\"counters\"");
    for (i = 0; i < 4096 && (name = sampo_counter_name(i)) != NULL; i++) {
        w_json_key(w, name);
        w_printf(w, "%" PRIu64, sampo_ctx_counter(ctx, i));
    }
    for (i = 0; i < report_cli_counter_count(cc); i++) {
        w_json_key(w, report_cli_counter_name(i));
        w_printf(w, "%" PRIu64, report_cli_counter(cc, i));
    }
    w_json_key(w, "sessions_reported");
    w_printf(w, "%" PRIu64, t->sessions);
    w_json_key(w, "subflows_reported");
    w_printf(w, "%" PRIu64, t->subflows);
    w_json_key(w, "subflows_unassociated");
    w_printf(w, "%" PRIu64, t->unassociated);
    if (t->parts) { /* only then: the records of runs without parts stay as they were */
        w_json_key(w, "session_parts");
        w_printf(w, "%" PRIu64, t->parts);
        w_json_key(w, "subflows_early");
        w_printf(w, "%" PRIu64, t->subflows_early);
    }
    w_puts(w, "}\n");
}

static void json_pairs(struct writer *w, const struct report_pairs *pairs)
{
    size_t i;
    int k;

    for (i = 0; i < pairs->n; i++) {
        const struct report_pair *p = &pairs->items[i];

        w_puts(w, "{\"type\":\"pair\"");
        w_json_key(w, "flows");
        w_putc(w, '[');
        for (k = 0; k < 2; k++) {
            if (k)
                w_putc(w, ',');
            if (p->flow[k][0])
                w_json_str(w, p->flow[k]);
            else
                w_puts(w, "null");
        }
        w_putc(w, ']');
        pair_u64(w, "subflows", p->info.subflow_id);
        w_json_key(w, "verdict");
        w_json_str(w, verdict_name(p->info.verdict));
        w_json_key(w, "method");
        w_json_str(w, sampo_method_name(p->info.method));
        w_json_key(w, "confidence");
        w_real(w, p->info.confidence);
        w_json_key(w, "reinjections");
        w_printf(w, "%" PRIu32, p->info.reinjections);
        w_json_key(w, "updated");
        w_ts(w, p->info.updated_ns);
        w_puts(w, "}\n");
    }
}

const struct formatter fmt_json = {
    json_begin,          json_event,    json_results, json_session,
    json_unassociated,   json_end,      json_pairs,   1,
    json_snapshot_begin, json_snapshot, NULL,         json_part,
};
