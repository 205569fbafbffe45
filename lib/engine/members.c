/* members.c - session membership decisions (see members.h). */
#include "engine/members.h"

#include "core/counters.h"
#include "state/info.h"

/* Session s opened with sf; split from session `from` (0: none), which
 * `gone` says was left empty and merged into s. */
static void emit_opened(sampo_ctx *ctx, const sampo__session *s, const sampo__subflow *sf,
                        uint64_t from, bool gone, uint64_t now)
{
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_SESSION_OPENED, now);
    sampo__event_about(ev, sf);
    ev->other_session_id = from;
    ev->other_session_gone = gone;
    ev->session_id = s->id;
    ev->mptcp_version = s->version;
    ev->method = (sampo_method)sf->method;
    ev->confidence = sf->confidence;
    ev->reason = s->close_reason;
    sampo__ev_commit(&ctx->evq, ev, NULL);
}

/* sf joined its session from session `from` (0: none), which `gone`
 * says was left empty and merged away. */
static void emit_joined(sampo_ctx *ctx, const sampo__subflow *sf, uint64_t from, bool gone,
                        uint64_t now)
{
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_SUBFLOW_JOINED, now);
    sampo__event_about(ev, sf);
    ev->other_session_id = from;
    ev->other_session_gone = gone;
    ev->method = (sampo_method)sf->method;
    ev->confidence = sf->confidence;
    ev->mptcp_version = sf->sess->version;
    ev->backup = sf->backup;
    sampo__ev_commit(&ctx->evq, ev, NULL);
}

/* sf leaves its session; one left empty was merged away (*gone): what its
 * ended members carried goes to `into`, then it is freed.  Returns the id
 * of the session left (0: none). */
static uint64_t leave(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *into, bool count,
                      bool *gone)
{
    sampo__session *from = sf->sess;
    *gone = false;
    if (!from)
        return 0;
    uint64_t id = from->id;
    sampo__session_remove(sf);
    if (!sampo__session_size(from)) {
        *gone = true;
        sampo__session_absorb(ctx->cnt, into, from);
        sampo__session_destroy(&ctx->env, &ctx->sessions, from);
        if (count)
            sampo__count(ctx->cnt, SAMPO_CNT_SESSIONS_MERGED);
    }
    return id;
}

int sampo__members_ensure(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now)
{
    if (sf->sess)
        return SAMPO_OK;
    sampo__session *s = sampo__session_new(&ctx->env, &ctx->sessions);
    if (!s)
        return SAMPO_E_NOMEM;
    sampo__session_add(s, sf);
    emit_opened(ctx, s, sf, 0, false, now);
    return SAMPO_OK;
}

/* A member that was alone has no tie of its own; the first link into its
 * session is its tie too. */
static void adopt_ties(sampo__session *s, int method, double conf)
{
    if (!s->maybe_untied)
        return;
    s->maybe_untied = 0;
    for (sampo__link *l = s->members.head; l; l = l->next) {
        sampo__subflow *m = SAMPO__SF_OF_SESS(l);
        if (m->method == SAMPO_METHOD_NONE) {
            m->method = (uint8_t)method;
            m->confidence = conf;
        }
    }
}

void sampo__members_attach(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, int method,
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
    if (from && sampo__session_size(from) > 1) {
        sampo__members_merge(ctx, dst, from, method, conf, now);
        return;
    }
    bool gone;
    uint64_t from_id = leave(ctx, sf, dst, true, &gone);
    adopt_ties(dst, method, conf);
    sf->method = (uint8_t)method;
    sf->confidence = conf;
    sampo__session_add(dst, sf);
    emit_joined(ctx, sf, from_id, gone, now);
}

sampo__session *sampo__members_merge(sampo_ctx *ctx, sampo__session *a, sampo__session *b,
                                     int method, double conf, uint64_t now)
{
    if (a == b)
        return a;
    sampo__session *keep = a->id < b->id ? a : b, *gone = a->id < b->id ? b : a;
    uint64_t gone_id = gone->id;
    adopt_ties(keep, method, conf);
    while (sampo__session_size(gone) > 1) {
        sampo__subflow *sf = sampo__session_first(gone);
        sampo__session_remove(sf);
        if (sf->method == SAMPO_METHOD_NONE || conf < sf->confidence) {
            sf->method = (uint8_t)method;
            sf->confidence = conf;
        }
        sampo__session_add(keep, sf);
        emit_joined(ctx, sf, gone_id, false, now);
    }
    /* The last member's move empties `gone`: it is absorbed and freed. */
    sampo__subflow *sf = sampo__session_first(gone);
    if (sf->method == SAMPO_METHOD_NONE || conf < sf->confidence) {
        sf->method = (uint8_t)method;
        sf->confidence = conf;
    }
    bool emptied;
    leave(ctx, sf, keep, true, &emptied);
    sampo__session_add(keep, sf);
    emit_joined(ctx, sf, gone_id, emptied, now);
    return keep;
}

void sampo__members_move(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, uint64_t now)
{
    if (sf->sess == dst)
        return;
    bool gone;
    uint64_t from_id = leave(ctx, sf, dst, true, &gone);
    sampo__session_add(dst, sf);
    emit_joined(ctx, sf, from_id, gone, now);
}

sampo__session *sampo__members_split(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now)
{
    sampo__session *s = sampo__session_new(&ctx->env, &ctx->sessions);
    if (!s)
        return NULL;
    bool gone;
    uint64_t from = leave(ctx, sf, s, false, &gone);
    sampo__session_add(s, sf);
    emit_opened(ctx, s, sf, from, gone, now);
    return s;
}
