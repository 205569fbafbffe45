/* token.c - association by MPTCP keys and tokens (evidence 1, Φ = 1).
 *
 * RFC 8684 section 3.2: token = most significant 32 bits of SHA-256(key),
 * IDSN = least significant 64 bits (RFC 6824: SHA-1).  A connection (conn)
 * is what the keys and tokens identify.  The MP_CAPABLE handshake gives
 * the keys of both roles (role 0 = initiator, 1 = listener); an MP_JOIN SYN
 * names the token of the host that receives it.  A join whose token is not
 * known yet creates a key-less conn holding just that token (pending); it
 * is resolved when a key with that token shows up, or ages out with its
 * subflows. */
#include <openssl/sha.h>

#include "internal.h"

int sampo__key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn)
{
    uint8_t in[8], md[SHA256_DIGEST_LENGTH];
    size_t mdlen;
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)(key >> (56 - 8 * i)); /* network byte order */
    if (version == 0) {
        SHA1(in, sizeof(in), md);
        mdlen = SHA_DIGEST_LENGTH;
    } else if (version == 1) {
        SHA256(in, sizeof(in), md);
        mdlen = SHA256_DIGEST_LENGTH;
    } else {
        return SAMPO_E_INVAL;
    }
    if (token)
        *token = (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 | (uint32_t)md[2] << 8 | md[3];
    if (idsn) {
        uint64_t v = 0;
        for (size_t i = mdlen - 8; i < mdlen; i++)
            v = v << 8 | md[i];
        *idsn = v;
    }
    return SAMPO_OK;
}

SAMPO_API int sampo_key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn)
{
    return sampo__key_token(key, version, token, idsn);
}

static unsigned token_hash(const sampo_ctx *ctx, uint32_t token)
{
    return (unsigned)sampo__hash(ctx->seed, &token, sizeof(token));
}

static sampo__conn *token_find(sampo_ctx *ctx, uint32_t token)
{
    sampo__tokent *t = NULL;
    HASH_FIND_BYHASHVALUE(hh, ctx->tokens, &token, sizeof(token), token_hash(ctx, token), t);
    return t ? t->conn : NULL;
}

/* Index `token` under conn c.  False when c already holds two tokens or
 * the table refused the entry. */
static bool conn_add_token(sampo_ctx *ctx, sampo__conn *c, uint32_t token)
{
    for (int i = 0; i < 2; i++)
        if (c->tok[i].in_table && c->tok[i].token == token)
            return true;
    for (int i = 0; i < 2; i++) {
        sampo__tokent *t = &c->tok[i];
        if (t->in_table)
            continue;
        t->token = token;
        t->conn = c;
        ctx->hash_oom = false;
        HASH_ADD_KEYPTR_BYHASHVALUE(hh, ctx->tokens, &t->token, sizeof(t->token),
                                    token_hash(ctx, token), t);
        if (ctx->hash_oom)
            return false;
        t->in_table = 1;
        return true;
    }
    return false;
}

static void conn_drop_tokens(sampo_ctx *ctx, sampo__conn *c)
{
    for (int i = 0; i < 2; i++) {
        if (c->tok[i].in_table) {
            HASH_DELETE(hh, ctx->tokens, &c->tok[i]);
            c->tok[i].in_table = 0;
        }
    }
}

static void conn_free(sampo_ctx *ctx, sampo__conn *c)
{
    if (c->had_pending && !c->has_key[0] && !c->has_key[1])
        sampo__count(ctx, SAMPO_CNT_TOKEN_PENDING_EXPIRED);
    conn_drop_tokens(ctx, c);
    sampo__mem_free(&ctx->mem, c);
}

static void conn_link(sampo__conn *c, sampo__subflow *sf)
{
    sf->conn = c;
    sf->conn_prev = NULL;
    sf->conn_next = c->members;
    if (c->members)
        c->members->conn_prev = sf;
    c->members = sf;
    c->refs++;
}

static void conn_unlink(sampo__subflow *sf)
{
    sampo__conn *c = sf->conn;
    if (sf->conn_prev)
        sf->conn_prev->conn_next = sf->conn_next;
    else
        c->members = sf->conn_next;
    if (sf->conn_next)
        sf->conn_next->conn_prev = sf->conn_prev;
    sf->conn_prev = sf->conn_next = NULL;
    sf->conn = NULL;
    c->refs--;
}

/* Drop a reference that is not a membership (a key-anchored tie). */
void sampo__conn_release(sampo_ctx *ctx, sampo__conn *c)
{
    if (c && --c->refs == 0 && !c->members)
        conn_free(ctx, c);
}

void sampo__conn_detach(sampo_ctx *ctx, sampo__subflow *sf)
{
    sampo__conn *c = sf->conn;
    if (!c)
        return;
    conn_unlink(sf);
    if (c->refs == 0)
        conn_free(ctx, c);
}


/* Tie sf to conn c: same session as the conn's other subflows. */
static void conn_attach(sampo_ctx *ctx, sampo__conn *c, sampo__subflow *sf, uint64_t now)
{
    if (sf->conn == c)
        return;
    if (sf->conn)
        sampo__conn_detach(ctx, sf);
    sampo__session *cs = c->members ? c->members->sess : NULL;
    conn_link(c, sf);
    if (cs) {
        sampo__session_attach(ctx, sf, cs, SAMPO_METHOD_TOKEN, 1.0, now);
    } else if (sampo__session_ensure(ctx, sf, now) == SAMPO_OK) {
        sf->method = SAMPO_METHOD_TOKEN;
        sf->confidence = 1.0;
    }
}

static sampo__conn *conn_new(sampo_ctx *ctx, uint8_t version)
{
    sampo__conn *c = sampo__alloc_evicting(ctx, sizeof(*c));
    if (c)
        c->version = version;
    return c;
}

static bool keys_clash(const sampo__conn *a, const sampo__conn *b)
{
    for (int r = 0; r < 2; r++)
        if (a->has_key[r] && b->has_key[r] && a->key[r] != b->key[r])
            return true;
    return false;
}

/* Fold conn b into conn a (same connection seen through two tokens). */
static void conn_merge(sampo_ctx *ctx, sampo__conn *a, sampo__conn *b, uint64_t now)
{
    if (keys_clash(a, b)) {
        sampo__count(ctx, SAMPO_CNT_KEY_CONFLICT);
        return;
    }
    bool a_pending = !a->has_key[0] && !a->has_key[1];
    bool b_pending = !b->has_key[0] && !b->has_key[1];
    uint32_t tokens[2];
    int nt = 0;
    for (int i = 0; i < 2; i++)
        if (b->tok[i].in_table)
            tokens[nt++] = b->tok[i].token;
    conn_drop_tokens(ctx, b);
    for (int i = 0; i < nt; i++)
        conn_add_token(ctx, a, tokens[i]);
    for (int r = 0; r < 2; r++) {
        if (b->has_key[r] && !a->has_key[r]) {
            a->key[r] = b->key[r];
            a->idsn[r] = b->idsn[r];
            a->rtoken[r] = b->rtoken[r];
            a->has_key[r] = 1;
        }
    }
    if (a->version == SAMPO__UNKNOWN_VERSION)
        a->version = b->version;
    a->had_pending |= b->had_pending;
    uint32_t moved_pending = 0;
    sampo__session *as = a->members ? a->members->sess : NULL;
    sampo__session *bs = b->members ? b->members->sess : NULL;
    while (b->members) {
        sampo__subflow *sf = b->members;
        conn_unlink(sf);
        conn_link(a, sf);
        if (b_pending && sf->is_join)
            moved_pending++;
    }
    if (a_pending && !b_pending)
        for (sampo__subflow *sf = a->members; sf; sf = sf->conn_next)
            if (sf->is_join && sf->conn == a)
                moved_pending++;
    ctx->cnt[SAMPO_CNT_TOKEN_RESOLVED_LATE] += moved_pending;
    if (as && bs && as != bs)
        sampo__session_merge(ctx, as, bs, SAMPO_METHOD_TOKEN, 1.0, now);
    /* b's subflows joined a's session through the merge; mark their ties. */
    for (sampo__subflow *sf = a->members; sf; sf = sf->conn_next) {
        sf->method = SAMPO_METHOD_TOKEN;
        sf->confidence = 1.0;
    }
    /* Key-anchored subflows may still hold b (a reference, not a
     * membership): it stays as an empty husk, with no token, key or
     * session, until the next run re-anchors them and releases it. */
    if (b->refs == 0) {
        sampo__mem_free(&ctx->mem, b);
    } else {
        b->has_key[0] = b->has_key[1] = 0;
        b->had_pending = 0; /* it is not a pending join that expires */
    }
}

/* A key of role `role` was seen on subflow sf. */
static void learn_key(sampo_ctx *ctx, sampo__subflow *sf, int role, uint64_t key,
                      uint8_t version, uint64_t now)
{
    uint32_t token;
    uint64_t idsn;
    if (sampo__key_token(key, version, &token, &idsn) != SAMPO_OK)
        return;
    sampo__conn *tc = token_find(ctx, token);
    sampo__conn *c = sf->conn;
    bool was_pending = false;

    if (tc && c && tc != c) {
        conn_merge(ctx, tc, c, now); /* keep the one that owns the token */
        c = sf->conn;
        if (c != tc)
            return; /* keys clash: counted, left apart */
    } else if (!c) {
        c = tc;
        if (!c) {
            c = conn_new(ctx, version);
            if (!c)
                return;
        }
        conn_attach(ctx, c, sf, now);
        if (sf->conn != c) {
            if (c->refs == 0)
                conn_free(ctx, c);
            return;
        }
    }
    was_pending = !c->has_key[0] && !c->has_key[1] && c->had_pending;
    if (c->has_key[role]) {
        if (c->key[role] != key)
            sampo__count(ctx, SAMPO_CNT_KEY_CONFLICT);
        return;
    }
    c->key[role] = key;
    c->idsn[role] = idsn;
    c->rtoken[role] = token;
    c->has_key[role] = 1;
    if (c->version == SAMPO__UNKNOWN_VERSION)
        c->version = version;
    sampo__count(ctx, SAMPO_CNT_KEYS_LEARNED);
    if (!conn_add_token(ctx, c, token))
        sampo__count(ctx, SAMPO_CNT_KEY_CONFLICT);
    if (was_pending) {
        for (sampo__subflow *m = c->members; m; m = m->conn_next)
            if (m->is_join)
                sampo__count(ctx, SAMPO_CNT_TOKEN_RESOLVED_LATE);
    }
}

static void on_join_syn(sampo_ctx *ctx, sampo__subflow *sf, uint32_t token, uint64_t now)
{
    sampo__conn *c = token_find(ctx, token);
    if (c) {
        if (c->has_key[0] || c->has_key[1])
            sampo__count(ctx, SAMPO_CNT_TOKEN_JOINS);
        conn_attach(ctx, c, sf, now);
        return;
    }
    if (sf->conn) /* a retransmitted SYN with another token: keep the first */
        return;
    sampo__count(ctx, SAMPO_CNT_TOKEN_PENDING);
    c = conn_new(ctx, sf->version);
    if (!c)
        return;
    c->had_pending = 1;
    if (!conn_add_token(ctx, c, token)) {
        conn_free(ctx, c);
        return;
    }
    conn_attach(ctx, c, sf, now);
    if (sf->conn != c && c->refs == 0)
        conn_free(ctx, c);
}

void sampo__token_on_packet(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__pkt *p,
                            const sampo__mptcp_opts *o, uint64_t now)
{
    bool syn = p->tcp_flags & SAMPO__TH_SYN, ack = p->tcp_flags & SAMPO__TH_ACK;

    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_CAPABLE)) {
        /* The listener only sends MP_CAPABLE on its SYN/ACK; every other
         * MP_CAPABLE comes from the initiator (RFC 8684 3.1). */
        int init = (syn && ack) ? !dir : dir;
        sf->initiator = (int8_t)init;
        sf->is_initial = 1;
        if (ctx->opt.token_evidence) {
            int snd_role = dir == init ? 0 : 1;
            if (o->mpc.has_snd_key)
                learn_key(ctx, sf, snd_role, o->mpc.snd_key, o->mpc.version, now);
            if (o->mpc.has_rcv_key)
                learn_key(ctx, sf, !snd_role, o->mpc.rcv_key, o->mpc.version, now);
        }
    }
    if (SAMPO__HAS(o, SAMPO__MPTCP_SUB_JOIN)) {
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
            if (ctx->opt.token_evidence)
                on_join_syn(ctx, sf, o->join.token, now);
        } else if (o->join.len == 16) {
            sf->initiator = (int8_t)!dir;
        }
    }
}
