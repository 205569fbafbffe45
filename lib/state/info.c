/* info.c - public records from state (see info.h). */
#include "state/info.h"

#include <string.h>

#include "core/counters.h"
#include "state/conn.h"

void sampo__subflow_info(const sampo__subflow *sf, sampo_subflow_info *out)
{
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    out->subflow_id = sf->id;
    out->session_id = sf->sess ? sf->sess->id : 0;
    sampo__sf_to_flow(sf, &out->flow);
    out->initiator_known = sf->initiator >= 0;
    /* A join carries no version: it is its session's. */
    out->mptcp_version = sf->version != SAMPO__UNKNOWN_VERSION || !sf->sess ? sf->version
                                                                            : sf->sess->version;
    out->is_initial = sf->is_initial;
    out->is_join = sf->is_join;
    out->backup = sf->backup;
    out->fallback = sf->fallback;
    out->closed = sf->closed;
    out->close_reason = sf->close_reason;
    out->method = (sampo_method)sf->method;
    out->confidence = sf->confidence;
    out->first_ns = sf->first_ns;
    out->last_ns = sf->last_ns;
    out->reinjections = sf->reinjections;
    /* Public directions follow out->flow: FWD is src -> dst. */
    int src = sampo__sf_client(sf);
    for (int pd = 0; pd < 2; pd++) {
        const sampo__dir *d = &sf->dir[pd == SAMPO_DIR_FWD ? src : !src];
        out->packets[pd] = d->pkts;
        out->bytes[pd] = d->bytes;
        out->est_packets[pd] = d->est_pkts;
        out->est_bytes[pd] = d->est_bytes;
        out->dss_packets[pd] = d->dss_pkts;
        out->addr_id[pd] = d->addr_id;
        out->dsn_bits[pd] = d->dsn_bits;
        if (d->dsn_bits == 32) {
            out->dsn_lo[pd] = (uint32_t)d->dsn_lo;
            out->dsn_hi[pd] = out->dsn_lo[pd] + (d->dsn_hi - d->dsn_lo);
        } else if (d->dsn_bits) {
            out->dsn_lo[pd] = d->dsn_lo;
            out->dsn_hi[pd] = d->dsn_hi;
        }
    }
}

void sampo__conn_identity(const sampo__conn *c, uint8_t *keys, uint32_t token[2])
{
    *keys = 0;
    token[0] = token[1] = 0;
    if (!c)
        return;
    for (int r = 0; r < 2; r++) {
        if (c->has_key[r]) {
            *keys |= (uint8_t)(1u << r);
            token[r] = c->rtoken[r];
        }
    }
    if (sampo__conn_keyless(c) && c->tok[0].in_table)
        token[1] = c->tok[0].token; /* pending: a join names the listener */
}

/* The token identity of a session: that of its first member with one. */
static void session_tokens(const sampo__session *s, sampo_session_info *out)
{
    const sampo__conn *c = NULL;
    for (const sampo__link *l = s->members.head; l && !c; l = l->next)
        c = SAMPO__SF_OF_SESS(l)->conn;
    sampo__conn_identity(c, &out->keys_known, out->token);
}

void sampo__session_info(const sampo__session *s, sampo_session_info *out)
{
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    out->session_id = s->id;
    out->n_subflows = s->members.n;
    out->subflows_seen = s->seen;
    out->mptcp_version = s->version;
    out->closed = s->closed;
    out->close_reason = s->close_reason;
    session_tokens(s, out);
    if (!out->keys_known && !out->token[1] && (s->gone_keys || s->gone_token[1])) {
        out->keys_known = s->gone_keys;
        out->token[0] = s->gone_token[0];
        out->token[1] = s->gone_token[1];
    }
    double conf = s->has_gone_tie ? s->gone_conf : 1.0;
    int method = s->has_gone_tie ? s->gone_method : SAMPO_METHOD_TOKEN;
    bool first = !s->has_gone_tie;
    uint64_t fst = s->gone_first_ns;
    out->last_ns = s->gone_last_ns;
    out->packets = s->gone_pkts;
    out->bytes = s->gone_bytes;
    out->est_packets = s->gone_est_pkts;
    out->est_bytes = s->gone_est_bytes;
    for (const sampo__link *l = s->members.head; l; l = l->next) {
        const sampo__subflow *m = SAMPO__SF_OF_SESS(l);
        if (first || m->confidence < conf) {
            conf = m->confidence;
            method = m->method;
            first = false;
        }
        if (m->first_ns < fst)
            fst = m->first_ns;
        if (m->last_ns > out->last_ns)
            out->last_ns = m->last_ns;
        for (int d = 0; d < 2; d++) {
            out->packets += m->dir[d].pkts;
            out->bytes += m->dir[d].bytes;
            /* saturating like the totals it adds to; a query counts
             * nothing (est_saturated counts what the state holds) */
            out->est_packets = sampo__sat_add(out->est_packets, m->dir[d].est_pkts);
            out->est_bytes = sampo__sat_add(out->est_bytes, m->dir[d].est_bytes);
        }
    }
    out->first_ns = fst == UINT64_MAX ? 0 : fst;
    out->method = (sampo_method)method;
    out->confidence = first ? 0.0 : conf;
}

void sampo__event_about(sampo_event *ev, const sampo__subflow *sf)
{
    sampo__sf_to_flow(sf, &ev->flow);
    ev->subflow_id = sf->id;
    ev->session_id = sf->sess ? sf->sess->id : 0;
}

void sampo__event_peer(sampo_event *ev, const sampo__subflow *sf)
{
    sampo__sf_to_flow(sf, &ev->peer);
    ev->peer_subflow_id = sf->id;
    ev->other_session_id = sf->sess ? sf->sess->id : 0;
}
