/*
 * fmt_eve.c - flat records for SIEMs (--format eve): one JSON object per
 * subflow, in the shape of Suricata's EVE JSON, written when its session
 * ends (unassociated subflows when they end).  The common EVE keys come
 * first (timestamp, event_type, src_ip, src_port, dest_ip, dest_port,
 * proto, community_id); what is MPTCP's goes under "mptcp", as EVE puts
 * each protocol's fields under its event type's name.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L /* inet_ntop */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

#include "format.h"

static void put_addr(struct writer *w, const char *k, int family, const uint8_t *a)
{
    char buf[INET6_ADDRSTRLEN];

    w_json_key(w, k);
    if ((family == 4 || family == 6) &&
        inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, sizeof buf) != NULL)
        w_json_str(w, buf);
    else
        w_puts(w, "null");
}

static void eve_nothing(struct writer *w, const struct cli_config *cfg)
{
    (void)w;
    (void)cfg;
}

static void eve_event(struct writer *w, const sampo_event *ev)
{
    (void)w; /* --events is refused with --format eve (options.c) */
    (void)ev;
}

/* One subflow's record; `s` is its session, NULL for none.  A subflow of
 * a part (written early, its session still open) has s NULL and its
 * session's id in part_session. */
static void record(struct writer *w, const sampo_session_info *s, const struct report_subflow *sf,
                   uint64_t part_session)
{
    const sampo_subflow_info *i = &sf->info;

    w_puts(w, "{\"timestamp\":");
    w_eve_ts(w, i->first_ns);
    w_puts(w, ",\"event_type\":\"mptcp\"");
    put_addr(w, "src_ip", i->flow.family, i->flow.src);
    w_json_u64(w, "src_port", i->flow.src_port);
    put_addr(w, "dest_ip", i->flow.family, i->flow.dst);
    w_json_u64(w, "dest_port", i->flow.dst_port);
    w_puts(w, ",\"proto\":\"TCP\"");
    w_json_key(w, "community_id");
    if (sf->community_id[0])
        w_json_str(w, sf->community_id);
    else
        w_puts(w, "null");
    w_puts(w, ",\"mptcp\":{\"session_id\":");
    if (s) {
        w_printf(w, "%" PRIu64, s->session_id);
        w_json_key(w, "session_method");
        w_json_str(w, sampo_method_name(s->method));
        w_json_key(w, "session_confidence");
        w_real(w, s->confidence);
    } else if (part_session) { /* the session's method is known when it ends */
        w_printf(w, "%" PRIu64 ",\"session_method\":null,\"session_confidence\":null",
                 part_session);
    } else {
        w_puts(w, "null,\"session_method\":null,\"session_confidence\":null");
    }
    w_json_u64(w, "subflow_id", i->subflow_id);
    w_json_key(w, "role");
    w_json_str(w, report_role(i));
    w_json_key(w, "version");
    w_json_version(w, i->mptcp_version);
    w_json_key(w, "method");
    w_json_str(w, sampo_method_name(i->method));
    w_json_key(w, "confidence");
    w_real(w, i->confidence);
    w_json_key(w, "initiator_known");
    w_json_bool(w, i->initiator_known);
    /* Suricata's flow record names: to server = forward (src to dest). */
    w_json_u64(w, "pkts_toserver", i->packets[0]);
    w_json_u64(w, "pkts_toclient", i->packets[1]);
    w_json_u64(w, "bytes_toserver", i->bytes[0]);
    w_json_u64(w, "bytes_toclient", i->bytes[1]);
    w_json_u64(w, "est_pkts_toserver", i->est_packets[0]);
    w_json_u64(w, "est_pkts_toclient", i->est_packets[1]);
    w_json_u64(w, "est_bytes_toserver", i->est_bytes[0]);
    w_json_u64(w, "est_bytes_toclient", i->est_bytes[1]);
    w_json_key(w, "start");
    w_eve_ts(w, i->first_ns);
    w_json_key(w, "end");
    w_eve_ts(w, i->last_ns);
    w_json_key(w, "backup");
    w_json_bool(w, i->backup);
    w_json_key(w, "fallback");
    w_json_bool(w, i->fallback);
    w_json_key(w, "closed");
    w_json_bool(w, i->closed);
    w_json_key(w, "close_reason");
    w_json_str(w, sampo_close_reason_name(i->close_reason));
    w_json_u64(w, "reinjections", i->reinjections);
    w_puts(w, "}}\n");
}

static void eve_session(struct writer *w, const sampo_session_info *s,
                        const struct report_list *subs, uint32_t parts, uint64_t early)
{
    (void)parts; /* the records of the parts went before */
    (void)early;
    for (size_t i = 0; i < subs->n; i++)
        record(w, s, &subs->items[i], 0);
}

static void eve_part(struct writer *w, uint64_t session_id, uint32_t part,
                     const struct report_list *subs)
{
    (void)part;
    for (size_t i = 0; i < subs->n; i++)
        record(w, NULL, &subs->items[i], session_id);
}

static void eve_unassociated(struct writer *w, const struct report_list *subs)
{
    for (size_t i = 0; i < subs->n; i++)
        record(w, NULL, &subs->items[i], 0);
}

static void eve_end(struct writer *w, const struct cli_config *cfg, const sampo_ctx *ctx,
                    const struct cli_counters *cc, const struct report_totals *t)
{
    (void)cfg;
    (void)w; /* the counters: -v, on standard error */
    (void)ctx;
    (void)cc;
    (void)t;
}

static void eve_pairs(struct writer *w, const struct report_pairs *pairs)
{
    (void)w; /* --pairs is refused with --format eve (options.c) */
    (void)pairs;
}

const struct formatter fmt_eve = {
    eve_nothing, eve_event, eve_nothing, eve_session, eve_unassociated, eve_end, eve_pairs,
    1,           NULL,      NULL,        NULL,        eve_part,
};
