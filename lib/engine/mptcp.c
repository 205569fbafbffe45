/* mptcp.c - handshakes, tokens, options and closing (see mptcp.h).
 *
 * RFC 8684 section 3.2: a connection (conn) is what the keys and tokens
 * identify.  The MP_CAPABLE handshake gives the keys of both roles (role 0
 * = initiator, 1 = listener); an MP_JOIN SYN names the token of the host
 * that receives it.  A join whose token is not known yet creates a
 * key-less conn holding that token (pending).  A later join naming a
 * pending token joins that conn only when it shares a host (an endpoint
 * address) with one of the conn's subflows: 32-bit tokens drawn at random
 * collide (a flood of n joins with random tokens names about n^2 / 2^33
 * tokens twice), and unrelated flows rarely share a host.  A join that
 * shares none is not tied by the token (token_unshared) and is left to
 * the DSN evidence; it is tied by its token on a later packet of its
 * handshake (SYN/ACK, third ACK) if a key has claimed the token by then.
 * The conn is resolved when a key hashing to the token shows up (counter
 * token_resolved_late), or ends with its subflows (token_pending_expired).
 * The subflows of one conn are one session.
 *
 * A join's SYN names the token and carries the initiator's nonce R-A; its
 * SYN/ACK carries the listener's nonce R-B and the truncated HMAC of both
 * keys and nonces (RFC 8684 3.2).  When a join subflow of a conn has both
 * and the conn knows both keys, the HMAC is checked, whichever piece came
 * last: a match is counted (join_hmac_verified); a mismatch means the join
 * is not this connection's subflow (a forger who read the token on the
 * path), so it leaves the conn and its session (join_hmac_failed) and is
 * never tied by a token again.  A join whose SYN or SYN/ACK was not seen,
 * or whose conn lacks a key, cannot be checked and stays tied. */
#include "engine/mptcp.h"

#include "core/counters.h"
#include "engine/lifecycle.h"
#include "engine/members.h"
#include "state/info.h"
#include "wire/crypto.h"

/* ---- tokens ------------------------------------------------------------------ */

/* Tie sf to conn c: same session as the conn's other subflows. */
static void conn_attach(sampo_ctx *ctx, sampo__conn *c, sampo__subflow *sf, uint64_t now)
{
    if (sf->conn == c)
        return;
    sampo__conn *old = sampo__conn_unlink(sf);
    if (old && !old->members.n)
        sampo__conn_destroy(&ctx->env, &ctx->conns, old);
    sampo__subflow *first = sampo__conn_first(c);
    sampo__session *cs = first ? first->sess : NULL;
    sampo__conn_link(c, sf);
    if (cs) {
        sampo__members_attach(ctx, sf, cs, SAMPO_METHOD_TOKEN, 1.0, now);
    } else if (sampo__members_ensure(ctx, sf, now) == SAMPO_OK) {
        sf->method = SAMPO_METHOD_TOKEN;
        sf->confidence = 1.0;
    }
}

/* Conn b turned out to be conn a (a key's token names a, b holds sf): one
 * connection, so one session. */
static void conn_merge(sampo_ctx *ctx, sampo__conn *a, sampo__conn *b, uint64_t now)
{
    sampo__subflow *fa = sampo__conn_first(a), *fb = sampo__conn_first(b);
    sampo__session *as = fa ? fa->sess : NULL, *bs = fb ? fb->sess : NULL;
    if (sampo__conn_merge(&ctx->env, &ctx->conns, a, b) < 0)
        return; /* keys clash: counted, left apart */
    sampo__conn_destroy(&ctx->env, &ctx->conns, b);
    if (as && bs && as != bs)
        sampo__members_merge(ctx, as, bs, SAMPO_METHOD_TOKEN, 1.0, now);
    for (sampo__link *l = a->members.head; l; l = l->next) {
        sampo__subflow *m = SAMPO__SF_OF_CONN(l);
        m->method = SAMPO_METHOD_TOKEN;
        m->confidence = 1.0;
    }
}

/* ---- MP_JOIN HMAC ---------------------------------------------------------------- */

/* Take sf out of its conn and its session: its join is not that
 * connection's subflow.  Its other ties are left to the DSN evidence. */
static void join_detach(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now)
{
    sampo__conn *c = sampo__conn_unlink(sf);
    if (c && !c->members.n)
        sampo__conn_destroy(&ctx->env, &ctx->conns, c);
    if (sf->sess && sampo__session_size(sf->sess) > 1)
        sampo__members_split(ctx, sf, now); /* no memory: stays, with no tie of its own */
    sf->method = SAMPO_METHOD_NONE;
    sf->confidence = 0;
    if (sf->sess) /* the split failed for want of memory: an untied member */
        sf->sess->maybe_untied = 1;
}

/* Check sf's join HMAC when everything it needs is there: its SYN and
 * SYN/ACK, and both keys of its conn.  Returns false when sf was detached. */
static bool join_verify(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now)
{
    const sampo__conn *c = sf->conn;
    if (!c || !c->has_key[0] || !c->has_key[1] ||
        (sf->join_hs & (SAMPO__JOIN_SYN | SAMPO__JOIN_SYNACK)) !=
            (SAMPO__JOIN_SYN | SAMPO__JOIN_SYNACK) ||
        (sf->join_hs & (SAMPO__JOIN_VERIFIED | SAMPO__JOIN_FAILED)))
        return true;
    /* B, the listener of the join, owns the token its SYN named. */
    int b = c->rtoken[1] == sf->join_token ? 1 : c->rtoken[0] == sf->join_token ? 0 : -1;
    uint64_t mac;
    if (b < 0 || sampo__join_thmac(c->key[b], c->key[!b], sf->join_nonce[1], sf->join_nonce[0],
                                   c->version, &mac) != SAMPO_OK)
        return true; /* not a token of this conn's keys (merged), or no version: unverifiable */
    if (mac == sf->join_thmac) {
        sf->join_hs |= SAMPO__JOIN_VERIFIED;
        sampo__count(ctx->cnt, SAMPO_CNT_JOIN_HMAC_VERIFIED);
        return true;
    }
    sf->join_hs |= SAMPO__JOIN_FAILED;
    sampo__count(ctx->cnt, SAMPO_CNT_JOIN_HMAC_FAILED);
    join_detach(ctx, sf, now);
    return false;
}

/* The joins of c that waited for its keys. */
static void verify_joins(sampo_ctx *ctx, sampo__conn *c, uint64_t now)
{
    if (!c->has_key[0] || !c->has_key[1])
        return;
    for (sampo__link *l = c->members.head, *next; l; l = next) {
        next = l->next;
        sampo__subflow *m = SAMPO__SF_OF_CONN(l);
        if (m->is_join)
            join_verify(ctx, m, now);
    }
}

/* The conn a key of sf belongs to, made or merged as needed; NULL when
 * none could be (no memory, or keys that clash).  A conn found by the
 * key's token is checked against its own keys first: one that holds
 * another key with that token is another connection whose token collides
 * (counted token_collisions); the token then names neither (joins naming
 * it are not tied by it) and sf's connection is a conn of its own. */
static sampo__conn *conn_for_key(sampo_ctx *ctx, sampo__subflow *sf, uint64_t key, uint32_t token,
                                 uint8_t version, bool *merged, uint64_t now)
{
    sampo__conn *tc = sampo__conn_by_token(&ctx->conns, ctx->env.hkey, token);
    if (tc && sampo__conn_token_clash(tc, token, key)) {
        sampo__tokent *t = sampo__conn_token(&ctx->conns, ctx->env.hkey, token);
        if (!t->ambiguous)
            sampo__count(ctx->cnt, SAMPO_CNT_TOKEN_COLLISIONS);
        t->ambiguous = 1;
        tc = NULL;
    }
    sampo__conn *c = sf->conn;
    if (tc && c && tc != c) {
        conn_merge(ctx, tc, c, now); /* keep the one that owns the token */
        *merged = sf->conn == tc;
        return *merged ? tc : NULL;
    }
    if (c)
        return c;
    c = tc ? tc : sampo__conn_new(&ctx->env, &ctx->conns, version);
    if (!c)
        return NULL;
    conn_attach(ctx, c, sf, now);
    return c;
}

/* A key of role `role` was seen on subflow sf. */
static void learn_key(sampo_ctx *ctx, sampo__subflow *sf, int role, uint64_t key, uint8_t version,
                      uint64_t now)
{
    uint32_t token;
    uint64_t idsn;
    if (sampo__key_token(key, version, &token, &idsn) != SAMPO_OK)
        return;
    bool merged = false;
    sampo__conn *c = conn_for_key(ctx, sf, key, token, version, &merged, now);
    if (!c)
        return;
    bool was_pending = sampo__conn_keyless(c) && c->had_pending;
    int r = sampo__conn_set_key(&ctx->env, &ctx->conns, c, role, key, token, idsn, version);
    if (r == SAMPO__KEY_LEARNED && was_pending)
        for (sampo__link *l = c->members.head; l; l = l->next)
            if (SAMPO__SF_OF_CONN(l)->is_join)
                sampo__count(ctx->cnt, SAMPO_CNT_TOKEN_RESOLVED_LATE);
    if (r == SAMPO__KEY_LEARNED || merged)
        verify_joins(ctx, c, now); /* the joins that waited for a key; c is not emptied: sf stays */
}

/* Does sf share a host with one of the last SAMPO__PENDING_SCAN joins of
 * pending conn c?  (Bounded: a pending conn holds what its token's joins
 * brought, and an attacker can bring many.) */
#define SAMPO__PENDING_SCAN 32
static bool shares_host_with_pending(const sampo__conn *c, const sampo__subflow *sf)
{
    int n = 0;
    for (const sampo__link *l = c->members.head; l && n < SAMPO__PENDING_SCAN; l = l->next, n++)
        if (sampo__sf_share_host(SAMPO__SF_OF_CONN(l), sf))
            return true;
    return false;
}

static void on_join_syn(sampo_ctx *ctx, sampo__subflow *sf, uint32_t token, uint64_t now)
{
    if (sf->join_hs & SAMPO__JOIN_FAILED)
        return; /* proved not to belong to the connection its token named */
    sampo__tokent *t = sampo__conn_token(&ctx->conns, ctx->env.hkey, token);
    if (t && t->ambiguous) { /* two connections' token: the DSN evidence decides */
        sampo__count(ctx->cnt, SAMPO_CNT_TOKEN_AMBIGUOUS);
        return;
    }
    sampo__conn *c = t ? t->conn : NULL;
    if (c && c == sf->conn)
        return; /* a retransmitted SYN */
    if (c && sampo__conn_keyless(c) && !shares_host_with_pending(c, sf)) {
        /* Another flow's join whose token collides at random, or a guess. */
        if (!(sf->join_hs & SAMPO__JOIN_UNSHARED))
            sampo__count(ctx->cnt, SAMPO_CNT_TOKEN_UNSHARED);
        sf->join_hs |= SAMPO__JOIN_UNSHARED;
        return;
    }
    if (c) {
        if (!sampo__conn_keyless(c))
            sampo__count(ctx->cnt, SAMPO_CNT_TOKEN_JOINS);
        conn_attach(ctx, c, sf, now);
        join_verify(ctx, sf, now);
        return;
    }
    if (sf->conn || (sf->join_hs & SAMPO__JOIN_UNSHARED))
        return; /* a retransmitted SYN with another token: keep the first */
    sampo__count(ctx->cnt, SAMPO_CNT_TOKEN_PENDING);
    c = sampo__conn_new(&ctx->env, &ctx->conns, sf->version);
    if (!c)
        return;
    c->had_pending = 1;
    if (!sampo__conn_add_token(&ctx->env, &ctx->conns, c, token)) {
        sampo__conn_destroy(&ctx->env, &ctx->conns, c);
        return;
    }
    conn_attach(ctx, c, sf, now);
}

static void on_capable(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__mptcp_opts *o,
                       bool syn, bool ack, uint64_t now)
{
    /* The listener only sends MP_CAPABLE on its SYN/ACK; every other
     * MP_CAPABLE comes from the initiator (RFC 8684 3.1). */
    int init = (syn && ack) ? !dir : dir;
    sf->initiator = (int8_t)init;
    sf->is_initial = 1;
    if (!ctx->opt.token_evidence)
        return;
    int snd_role = dir == init ? 0 : 1;
    if (o->mpc.has_snd_key)
        learn_key(ctx, sf, snd_role, o->mpc.snd_key, o->mpc.version, now);
    if (o->mpc.has_rcv_key)
        learn_key(ctx, sf, !snd_role, o->mpc.rcv_key, o->mpc.version, now);
}

static void on_join(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__mptcp_opts *o,
                    uint64_t now)
{
    sf->is_join = 1;
    if (o->join.len == 12 || o->join.len == 16) {
        sf->dir[dir].addr_id = o->join.addr_id;
        if (o->join.backup)
            sf->backup = 1;
    }
    if (o->join.len == 12) {
        sf->initiator = (int8_t)dir;
        sf->join_token = o->join.token;
        sf->has_join_token = 1;
        sf->join_nonce[0] = o->join.nonce;
        sf->join_hs |= SAMPO__JOIN_SYN;
        if (ctx->opt.token_evidence)
            on_join_syn(ctx, sf, o->join.token, now);
        return;
    }
    if (o->join.len == 16) {
        sf->initiator = (int8_t)!dir;
        sf->join_nonce[1] = o->join.nonce;
        sf->join_thmac = o->join.thmac;
        sf->join_hs |= SAMPO__JOIN_SYNACK;
    }
    if (!ctx->opt.token_evidence || !(sf->join_hs & SAMPO__JOIN_SYN))
        return;
    if (sf->conn) {
        join_verify(ctx, sf, now);
    } else if (sf->join_hs & SAMPO__JOIN_UNSHARED) {
        /* Left untied by a pending token: tied now if a key claimed it. */
        sampo__conn *c = sampo__conn_by_token(&ctx->conns, ctx->env.hkey, sf->join_token);
        if (c && !sampo__conn_keyless(c))
            on_join_syn(ctx, sf, sf->join_token, now);
    }
}

void sampo__mptcp_handshake(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__mptcp_opts *o,
                            uint64_t now)
{
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE)) {
        if (sf->version == SAMPO__UNKNOWN_VERSION)
            sf->version = o->mpc.version;
        else if (sf->version != o->mpc.version)
            sampo__count(ctx->cnt, SAMPO_CNT_VERSION_MISMATCH);
    }
    bool syn = o->hs == SAMPO__HS_MPC_SYN || o->hs == SAMPO__HS_MPC_SYNACK;
    bool synack = o->hs == SAMPO__HS_MPC_SYNACK;
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE))
        on_capable(ctx, sf, dir, o, syn, synack, now);
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_JOIN))
        on_join(ctx, sf, dir, o, now);
}

/* ---- DSN facts ------------------------------------------------------------------- */

void sampo__mptcp_dsn_facts(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__dsn_fact *f,
                            uint64_t now)
{
    if (f->fell_back) {
        sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_FALLBACK, now);
        sampo__event_about(ev, sf);
        ev->mptcp_version = sf->version;
        sampo__ev_commit(&ctx->evq, ev, NULL);
    }
    sampo__session *s = sf->sess;
    if (f->data_fin_first && s) {
        s->data_fin_mask |= (uint8_t)(1u << sampo__sf_side(sf, dir));
        if (s->data_fin_mask == 3)
            sampo__lc_close_session(ctx, s, SAMPO_CLOSE_DATA_FIN, now);
    }
}

/* ---- options ----------------------------------------------------------------------- */

static void emit_add_addr(sampo_ctx *ctx, const sampo__subflow *sf, const sampo__mptcp_opts *o,
                          uint64_t now)
{
    sampo_event *ev = sampo__ev_new(&ctx->evq, SAMPO_EV_ADD_ADDR, now);
    sampo__event_about(ev, sf);
    ev->mptcp_version = o->add_addr.version;
    ev->addr_id = o->add_addr.addr_id;
    ev->echo = o->add_addr.echo;
    ev->addr_family = o->add_addr.family;
    ev->addr_port = o->add_addr.has_port ? o->add_addr.port : 0;
    memcpy(ev->addr, o->add_addr.addr, 16);
    sampo__ev_commit(&ctx->evq, ev, NULL);
}

void sampo__mptcp_options(sampo_ctx *ctx, sampo__subflow *sf, const sampo__mptcp_opts *o,
                          uint64_t now)
{
    sampo_event *ev;
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_ADD_ADDR))
        emit_add_addr(ctx, sf, o, now);
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_REMOVE_ADDR)) {
        for (int i = 0; i < o->rm_addr.n; i++) {
            ev = sampo__ev_new(&ctx->evq, SAMPO_EV_REMOVE_ADDR, now);
            sampo__event_about(ev, sf);
            ev->addr_id = o->rm_addr.ids[i];
            sampo__ev_commit(&ctx->evq, ev, NULL);
        }
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_PRIO)) {
        sf->backup = o->prio.backup;
        ev = sampo__ev_new(&ctx->evq, SAMPO_EV_MP_PRIO, now);
        sampo__event_about(ev, sf);
        ev->backup = o->prio.backup;
        ev->addr_id = o->prio.has_addr_id ? o->prio.addr_id : 0;
        sampo__ev_commit(&ctx->evq, ev, NULL);
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_FAIL)) {
        ev = sampo__ev_new(&ctx->evq, SAMPO_EV_MP_FAIL, now);
        sampo__event_about(ev, sf);
        ev->dsn = o->fail.dsn;
        sampo__ev_commit(&ctx->evq, ev, NULL);
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_FASTCLOSE) && sf->sess)
        sampo__lc_close_session(ctx, sf->sess, SAMPO_CLOSE_FASTCLOSE, now);
}

void sampo__mptcp_tcp_flags(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__pkt *p,
                            const sampo__mptcp_opts *o, uint64_t now)
{
    if ((p->tcp_flags & SAMPO__TH_SYN) && sf->initiator < 0)
        /* A SYN without ACK is sent by the initiator, a SYN/ACK to it. */
        sf->initiator = (int8_t)((p->tcp_flags & SAMPO__TH_ACK) ? !dir : dir);
    if (p->tcp_flags & SAMPO__TH_RST) {
        sf->dir[dir].rst = 1;
        if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_TCPRST))
            sampo__lc_close_subflow(ctx, sf, SAMPO_CLOSE_TCPRST, o->tcprst.reason, now);
        else
            sampo__lc_close_subflow(ctx, sf, SAMPO_CLOSE_RST, 0, now);
    } else if (p->tcp_flags & SAMPO__TH_FIN) {
        sf->dir[dir].fin = 1;
        if (sf->dir[!dir].fin)
            sampo__lc_close_subflow(ctx, sf, SAMPO_CLOSE_FIN, 0, now);
    }
}
