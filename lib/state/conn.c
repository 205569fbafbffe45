/* conn.c - MPTCP connections, their tokens and members (see conn.h). */
#include "state/conn.h"

#include "core/counters.h"
#include "core/hash.h"

sampo__tokent *sampo__conn_token(sampo__conns *cs, sampo__hkey hkey, uint32_t token)
{
    sampo__tokent *t = NULL;
    HASH_FIND_BYHASHVALUE(hh, cs->tokens, &token, sizeof(token), sampo__hash_u32(hkey, token), t);
    return t;
}

sampo__conn *sampo__conn_by_token(sampo__conns *cs, sampo__hkey hkey, uint32_t token)
{
    sampo__tokent *t = sampo__conn_token(cs, hkey, token);
    return t ? t->conn : NULL;
}

bool sampo__conn_token_clash(const sampo__conn *c, uint32_t token, uint64_t key)
{
    for (int r = 0; r < 2; r++)
        if (c->has_key[r] && c->rtoken[r] == token && c->key[r] != key)
            return true;
    return false;
}

sampo__conn *sampo__conn_by_id(sampo__conns *cs, sampo__hkey hkey, uint64_t id)
{
    sampo__conn *c = NULL;
    HASH_FIND_BYHASHVALUE(hh_id, cs->by_id, &id, sizeof(id), sampo__hash_u64(hkey, id), c);
    return c;
}

sampo__conn *sampo__conn_new(sampo__env *env, sampo__conns *cs, uint8_t version)
{
    sampo__mem *hmem = env->mem;
    sampo__conn *c = sampo__mem_calloc(env->mem, sizeof(*c));
    if (!c)
        return NULL;
    c->version = version;
    c->id = cs->next_id + 1;
    bool ok;
    SAMPO__HASH_ADD(hh_id, cs->by_id, &c->id, sizeof(c->id), sampo__hash_u64(env->hkey, c->id), c,
                    ok);
    if (!ok) {
        sampo__mem_free(env->mem, c);
        return NULL;
    }
    cs->next_id++;
    return c;
}

static void drop_tokens(sampo__env *env, sampo__conns *cs, sampo__conn *c)
{
    sampo__mem *hmem = env->mem;
    for (int i = 0; i < 2; i++) {
        if (c->tok[i].in_table) {
            HASH_DELETE(hh, cs->tokens, &c->tok[i]);
            c->tok[i].in_table = 0;
        }
    }
}

void sampo__conn_destroy(sampo__env *env, sampo__conns *cs, sampo__conn *c)
{
    sampo__mem *hmem = env->mem;
    if (c->had_pending && sampo__conn_keyless(c))
        sampo__count(env->cnt, SAMPO_CNT_TOKEN_PENDING_EXPIRED);
    drop_tokens(env, cs, c);
    HASH_DELETE(hh_id, cs->by_id, c);
    sampo__mem_free(env->mem, c);
}

bool sampo__conn_add_token(sampo__env *env, sampo__conns *cs, sampo__conn *c, uint32_t token)
{
    sampo__mem *hmem = env->mem;
    for (int i = 0; i < 2; i++)
        if (c->tok[i].in_table && c->tok[i].token == token)
            return true;
    for (int i = 0; i < 2; i++) {
        sampo__tokent *t = &c->tok[i];
        if (t->in_table)
            continue;
        t->token = token;
        t->conn = c;
        bool ok;
        SAMPO__HASH_ADD(hh, cs->tokens, &t->token, sizeof(t->token),
                        sampo__hash_u32(env->hkey, token), t, ok);
        if (!ok)
            return false;
        t->in_table = 1;
        return true;
    }
    return false;
}

void sampo__conn_link(sampo__conn *c, sampo__subflow *sf)
{
    sf->conn = c;
    sampo__list_insert_after(&c->members, NULL, &sf->conn_link);
}

sampo__conn *sampo__conn_unlink(sampo__subflow *sf)
{
    sampo__conn *c = sf->conn;
    if (c) {
        sampo__list_remove(&c->members, &sf->conn_link);
        sf->conn = NULL;
    }
    return c;
}

int sampo__conn_set_key(sampo__env *env, sampo__conns *cs, sampo__conn *c, int role, uint64_t key,
                        uint32_t token, uint64_t idsn, uint8_t version)
{
    if (c->has_key[role]) {
        if (c->key[role] == key)
            return SAMPO__KEY_KNOWN;
        sampo__count(env->cnt, SAMPO_CNT_KEY_CONFLICT);
        return SAMPO__KEY_CONFLICT;
    }
    c->key[role] = key;
    c->idsn[role] = idsn;
    c->rtoken[role] = token;
    c->has_key[role] = 1;
    if (c->version == SAMPO__UNKNOWN_VERSION)
        c->version = version;
    sampo__count(env->cnt, SAMPO_CNT_KEYS_LEARNED);
    sampo__conn *holder = sampo__conn_by_token(cs, env->hkey, token);
    if (holder && holder != c)
        return SAMPO__KEY_LEARNED; /* a colliding token: it stays the holder's, ambiguous */
    if (!sampo__conn_add_token(env, cs, c, token))
        sampo__count(env->cnt, SAMPO_CNT_KEY_CONFLICT);
    return SAMPO__KEY_LEARNED;
}

static bool keys_clash(const sampo__conn *a, const sampo__conn *b)
{
    for (int r = 0; r < 2; r++)
        if (a->has_key[r] && b->has_key[r] && a->key[r] != b->key[r])
            return true;
    return false;
}

static uint32_t count_joins(const sampo__conn *c)
{
    uint32_t n = 0;
    for (const sampo__link *l = c->members.head; l; l = l->next)
        n += SAMPO__SF_OF_CONN(l)->is_join;
    return n;
}

int sampo__conn_merge(sampo__env *env, sampo__conns *cs, sampo__conn *a, sampo__conn *b)
{
    if (keys_clash(a, b)) {
        sampo__count(env->cnt, SAMPO_CNT_KEY_CONFLICT);
        return -1;
    }
    bool a_pending = sampo__conn_keyless(a), b_pending = sampo__conn_keyless(b);
    /* Joins that waited for a key: b's when b was pending, and when b
     * brings the first key, every join a holds after the merge. */
    uint32_t resolved = b_pending ? count_joins(b) : 0;
    uint32_t tokens[2];
    int nt = 0;
    for (int i = 0; i < 2; i++)
        if (b->tok[i].in_table)
            tokens[nt++] = b->tok[i].token;
    drop_tokens(env, cs, b);
    for (int i = 0; i < nt; i++)
        sampo__conn_add_token(env, cs, a, tokens[i]);
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
    while (b->members.head) {
        sampo__subflow *sf = SAMPO__SF_OF_CONN(b->members.head);
        sampo__conn_unlink(sf);
        sampo__conn_link(a, sf);
    }
    if (a_pending && !b_pending)
        resolved += count_joins(a);
    /* b is empty and will be destroyed: it is not a pending join that expired. */
    b->has_key[0] = b->has_key[1] = 0;
    b->had_pending = 0;
    sampo__count_add(env->cnt, SAMPO_CNT_TOKEN_RESOLVED_LATE, resolved);
    return (int)resolved;
}

size_t sampo__conns_reserve(const sampo__conns *cs)
{
    return sampo__mem_cost(sizeof(sampo__conn)) + SAMPO__HASH_RESERVE(cs->by_id, hh_id) +
           SAMPO__HASH_RESERVE(cs->tokens, hh);
}
