/* session.c - sessions: sets of subflows believed to be one MPTCP
 * connection, each subflow tied to its session by a method and a Φ.
 *
 * Sessions are created on the first MPTCP packet of a subflow that no
 * evidence ties to another, and merged when evidence links two of them
 * (the older id survives, so ids are stable for consumers).  Members are
 * kept sorted by subflow id; all sessions are kept sorted by id. */
#include "internal.h"

static void emit_session(sampo_ctx *ctx, int type, const sampo__session *s,
                         const sampo__subflow *sf, uint64_t now)
{
    sampo_event *ev = sampo__event_new(ctx, type, now);
    if (!ev)
        return;
    ev->session_id = s->id;
    ev->mptcp_version = s->version;
    if (sf) {
        sampo__flow_to_public(sf, &ev->flow);
        ev->method = (sampo_method)sf->method;
        ev->confidence = sf->confidence;
    }
    ev->reason = s->close_reason;
    sampo__event_commit(ctx, ev);
}

static void emit_joined(sampo_ctx *ctx, const sampo__subflow *sf, uint64_t from, uint64_t now)
{
    sampo_event *ev = sampo__event_new(ctx, SAMPO_EV_SUBFLOW_JOINED, now);
    if (!ev)
        return;
    ev->session_id = sf->sess->id;
    ev->other_session_id = from;
    sampo__flow_to_public(sf, &ev->flow);
    ev->method = (sampo_method)sf->method;
    ev->confidence = sf->confidence;
    ev->mptcp_version = sf->sess->version;
    ev->backup = sf->backup;
    sampo__event_commit(ctx, ev);
}

/* Insert sf into s's member list, by id.  New subflows have the highest
 * ids, so the walk from the tail is usually one step. */
static void member_insert(sampo__session *s, sampo__subflow *sf)
{
    sampo__subflow *after = s->tail;
    while (after && after->id > sf->id)
        after = after->sess_prev;
    sf->sess_prev = after;
    sf->sess_next = after ? after->sess_next : s->head;
    if (sf->sess_next)
        sf->sess_next->sess_prev = sf;
    else
        s->tail = sf;
    if (after)
        after->sess_next = sf;
    else
        s->head = sf;
    sf->sess = s;
    s->n++;
    if (s->version == SAMPO__UNKNOWN_VERSION)
        s->version = sf->version;
}

static void member_remove(sampo__session *s, sampo__subflow *sf)
{
    if (sf->sess_prev)
        sf->sess_prev->sess_next = sf->sess_next;
    else
        s->head = sf->sess_next;
    if (sf->sess_next)
        sf->sess_next->sess_prev = sf->sess_prev;
    else
        s->tail = sf->sess_prev;
    sf->sess_prev = sf->sess_next = NULL;
    sf->sess = NULL;
    s->n--;
}

static sampo__session *session_alloc(sampo_ctx *ctx)
{
    sampo__session *s = sampo__alloc_evicting(ctx, sizeof(*s));
    if (!s)
        return NULL;
    s->id = ++ctx->next_session_id;
    s->version = SAMPO__UNKNOWN_VERSION;
    bool ok;
    SAMPO__HASH_ADD_EVICTING(ctx, hh, ctx->sessions, &s->id, sizeof(s->id),
                             (unsigned)sampo__hash(ctx->seed, &s->id, sizeof(s->id)), s, ok);
    if (!ok) {
        sampo__mem_free(&ctx->mem, s);
        return NULL;
    }
    s->prev = ctx->sess_tail;
    if (ctx->sess_tail)
        ctx->sess_tail->next = s;
    else
        ctx->sess_head = s;
    ctx->sess_tail = s;
    sampo__count(ctx, SAMPO_CNT_SESSIONS_CREATED);
    return s;
}

static void session_free(sampo_ctx *ctx, sampo__session *s)
{
    HASH_DELETE(hh, ctx->sessions, s);
    if (s->prev)
        s->prev->next = s->next;
    else
        ctx->sess_head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    else
        ctx->sess_tail = s->prev;
    sampo__mem_free(&ctx->mem, s);
}

int sampo__session_ensure(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now)
{
    if (sf->sess)
        return SAMPO_OK;
    sampo__session *s = session_alloc(ctx);
    if (!s)
        return SAMPO_E_NOMEM;
    member_insert(s, sf);
    emit_session(ctx, SAMPO_EV_SESSION_OPENED, s, sf, now);
    return SAMPO_OK;
}

/* Move sf to dst as the association decided; a session left empty was
 * merged away (no close event), one left with members was split. */
void sampo__session_move(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, uint64_t now)
{
    sampo__session *from = sf->sess;
    uint64_t from_id = 0;
    if (from == dst)
        return;
    if (from) {
        from_id = from->id;
        member_remove(from, sf);
        if (from->n == 0) {
            session_free(ctx, from);
            sampo__count(ctx, SAMPO_CNT_SESSIONS_MERGED);
        }
    }
    member_insert(dst, sf);
    emit_joined(ctx, sf, from_id, now);
}

/* A new session for sf (taken out of its current one): a split. */
sampo__session *sampo__session_new(sampo_ctx *ctx, sampo__subflow *first, uint64_t now)
{
    sampo__session *s = session_alloc(ctx);
    if (!s)
        return NULL;
    sampo__session *from = first->sess;
    if (from) {
        member_remove(from, first);
        if (from->n == 0)
            session_free(ctx, from);
    }
    member_insert(s, first);
    emit_session(ctx, SAMPO_EV_SESSION_OPENED, s, first, now);
    return s;
}

/* A member that was alone has no tie of its own; the first link into its
 * session is its tie too. */
static void adopt_ties(sampo__session *s, int method, double conf)
{
    for (sampo__subflow *m = s->head; m; m = m->sess_next) {
        if (m->method == SAMPO_METHOD_NONE) {
            m->method = (uint8_t)method;
            m->confidence = conf;
        }
    }
}

void sampo__session_attach(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, int method,
                           double conf, uint64_t now)
{
    sampo__session *from = sf->sess;
    if (from == dst) {
        if (conf > sf->confidence) {
            sf->method = (uint8_t)method;
            sf->confidence = conf;
        }
        return;
    }
    if (from && from->n > 1) {
        sampo__session_merge(ctx, dst, from, method, conf, now);
        return;
    }
    uint64_t from_id = 0;
    if (from) {
        from_id = from->id;
        member_remove(from, sf);
        session_free(ctx, from);
        sampo__count(ctx, SAMPO_CNT_SESSIONS_MERGED);
    }
    adopt_ties(dst, method, conf);
    sf->method = (uint8_t)method;
    sf->confidence = conf;
    member_insert(dst, sf);
    emit_joined(ctx, sf, from_id, now);
}

sampo__session *sampo__session_merge(sampo_ctx *ctx, sampo__session *a, sampo__session *b,
                                     int method, double conf, uint64_t now)
{
    if (a == b)
        return a;
    sampo__session *keep = a->id < b->id ? a : b, *gone = a->id < b->id ? b : a;
    adopt_ties(keep, method, conf);
    while (gone->head) {
        sampo__subflow *sf = gone->head;
        member_remove(gone, sf);
        if (sf->method == SAMPO_METHOD_NONE || conf < sf->confidence) {
            sf->method = (uint8_t)method;
            sf->confidence = conf;
        }
        member_insert(keep, sf);
        emit_joined(ctx, sf, gone->id, now);
    }
    keep->data_fin_mask |= gone->data_fin_mask;
    if (keep->version == SAMPO__UNKNOWN_VERSION)
        keep->version = gone->version;
    session_free(ctx, gone);
    sampo__count(ctx, SAMPO_CNT_SESSIONS_MERGED);
    return keep;
}

void sampo__session_close(sampo_ctx *ctx, sampo__session *s, int reason, uint64_t now)
{
    if (s->closed)
        return;
    s->closed = 1;
    s->close_reason = (uint8_t)reason;
    sampo__count(ctx, SAMPO_CNT_SESSIONS_CLOSED);
    emit_session(ctx, SAMPO_EV_SESSION_CLOSED, s, NULL, now);
}

void sampo__session_check_closed(sampo_ctx *ctx, sampo__session *s, uint64_t now)
{
    int reason = SAMPO_CLOSE_NONE;
    for (sampo__subflow *m = s->head; m; m = m->sess_next) {
        if (!m->closed)
            return;
        reason = m->close_reason;
    }
    sampo__session_close(ctx, s, reason, now);
}

void sampo__session_unlink(sampo_ctx *ctx, sampo__subflow *sf, int reason, uint64_t now)
{
    sampo__session *s = sf->sess;
    if (!sf->closed) {
        sf->closed = 1;
        sf->close_reason = (uint8_t)reason;
        sampo_event *ev = sampo__event_new(ctx, SAMPO_EV_SUBFLOW_CLOSED, now);
        if (ev) {
            ev->session_id = s ? s->id : 0;
            sampo__flow_to_public(sf, &ev->flow);
            ev->reason = reason;
            sampo__event_commit(ctx, ev);
        }
    }
    if (!s)
        return;
    member_remove(s, sf);
    if (s->n == 0) {
        sampo__session_close(ctx, s, reason, now);
        session_free(ctx, s);
    }
}

void sampo__session_destroy_all(sampo_ctx *ctx)
{
    while (ctx->sess_head) {
        sampo__session *s = ctx->sess_head;
        while (s->head)
            member_remove(s, s->head);
        session_free(ctx, s);
    }
}

void sampo__subflow_info(const sampo_ctx *ctx, const sampo__subflow *sf, sampo_subflow_info *out)
{
    (void)ctx;
    size_t size = out->size;
    memset(out, 0, sizeof(*out));
    out->size = size;
    out->subflow_id = sf->id;
    out->session_id = sf->sess ? sf->sess->id : 0;
    sampo__flow_to_public(sf, &out->flow);
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
    int src = sf->initiator >= 0 ? sf->initiator : sf->key.port[1] > sf->key.port[0];
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

void sampo__session_info(const sampo__session *s, sampo_session_info *out)
{
    size_t size = out->size;
    memset(out, 0, sizeof(*out));
    out->size = size;
    out->session_id = s->id;
    out->n_subflows = s->n;
    out->mptcp_version = s->version;
    out->closed = s->closed;
    out->close_reason = s->close_reason;
    /* The token identity: that of the first member with one. */
    const sampo__conn *c = NULL;
    for (const sampo__subflow *m = s->head; m && !c; m = m->sess_next)
        c = m->conn;
    if (c) {
        for (int r = 0; r < 2; r++) {
            if (c->has_key[r]) {
                out->keys_known |= (uint8_t)(1u << r);
                out->token[r] = c->rtoken[r];
            }
        }
        if (!c->has_key[0] && !c->has_key[1] && c->tok[0].in_table)
            out->token[1] = c->tok[0].token; /* pending: a join names the listener */
    }
    double conf = 1.0;
    int method = SAMPO_METHOD_TOKEN;
    bool first = true;
    uint64_t fst = UINT64_MAX;
    for (const sampo__subflow *m = s->head; m; m = m->sess_next) {
        if (first || m->confidence < conf) {
            conf = m->confidence;
            method = m->method;
            first = false;
        }
        if (m->first_ns < fst)
            fst = m->first_ns;
        if (m->last_ns > out->last_ns)
            out->last_ns = m->last_ns;
        out->packets += m->dir[0].pkts + m->dir[1].pkts;
        out->bytes += m->dir[0].bytes + m->dir[1].bytes;
        out->est_packets += m->dir[0].est_pkts + m->dir[1].est_pkts;
        out->est_bytes += m->dir[0].est_bytes + m->dir[1].est_bytes;
    }
    out->first_ns = first ? 0 : fst;
    out->method = (sampo_method)method;
    out->confidence = first ? 0.0 : conf;
}
