/* session.c - sessions and their members (see session.h). */
#include "state/session.h"

#include "core/counters.h"
#include "core/hash.h"
#include "state/cover.h"

sampo__session *sampo__session_new(sampo__env *env, sampo__sessions *ss)
{
    sampo__mem *hmem = env->mem;
    sampo__session *s = sampo__mem_calloc(env->mem, sizeof(*s));
    if (!s)
        return NULL;
    s->id = ss->next_id + 1;
    s->version = SAMPO__UNKNOWN_VERSION;
    s->gone_first_ns = UINT64_MAX;
    bool ok;
    SAMPO__HASH_ADD(hh, ss->by_id, &s->id, sizeof(s->id), sampo__hash_u64(env->hkey, s->id), s, ok);
    if (!ok) {
        sampo__mem_free(env->mem, s);
        return NULL;
    }
    ss->next_id++;
    sampo__list_append(&ss->all, &s->link);
    sampo__count(env->cnt, SAMPO_CNT_SESSIONS_CREATED);
    return s;
}

void sampo__session_destroy(sampo__env *env, sampo__sessions *ss, sampo__session *s)
{
    sampo__mem *hmem = env->mem;
    HASH_DELETE(hh, ss->by_id, s);
    sampo__list_remove(&ss->all, &s->link);
    sampo__cover_free(env, &s->cover[0]);
    sampo__cover_free(env, &s->cover[1]);
    sampo__mem_free(env->mem, s);
}

sampo__session *sampo__session_by_id(sampo__sessions *ss, sampo__hkey hkey, uint64_t id)
{
    sampo__session *s = NULL;
    HASH_FIND_BYHASHVALUE(hh, ss->by_id, &id, sizeof(id), sampo__hash_u64(hkey, id), s);
    return s;
}

/* Members are sorted by id; new subflows have the highest ids, so the walk
 * from the tail is usually one step. */
void sampo__session_add(sampo__session *s, sampo__subflow *sf)
{
    sampo__link *after = s->members.tail;
    while (after && SAMPO__SF_OF_SESS(after)->id > sf->id)
        after = after->prev;
    sampo__list_insert_after(&s->members, after, &sf->sess_link);
    sf->sess = s;
    s->seen++;
    if (sf->method == SAMPO_METHOD_NONE)
        s->maybe_untied = 1;
    if (s->version == SAMPO__UNKNOWN_VERSION)
        s->version = sf->version;
}

void sampo__session_remove(sampo__subflow *sf)
{
    sampo__session *s = sf->sess;
    if (!s)
        return;
    sampo__list_remove(&s->members, &sf->sess_link);
    sf->sess = NULL;
    s->seen--;
}

void sampo__session_retire(uint64_t *cnt, sampo__subflow *sf, uint8_t keys,
                           const uint32_t tokens[2])
{
    sampo__session *s = sf->sess;
    if (!s)
        return;
    if (!s->has_gone_tie || sf->confidence < s->gone_conf) {
        s->has_gone_tie = 1;
        s->gone_method = sf->method;
        s->gone_conf = sf->confidence;
    }
    if (!s->gone_keys && !s->gone_token[1] && (keys || tokens[1])) {
        s->gone_keys = keys;
        s->gone_token[0] = tokens[0];
        s->gone_token[1] = tokens[1];
    }
    for (int d = 0; d < 2; d++) {
        s->gone_pkts += sf->dir[d].pkts;
        s->gone_bytes += sf->dir[d].bytes;
        s->gone_est_pkts = sampo__est_add(cnt, s->gone_est_pkts, sf->dir[d].est_pkts);
        s->gone_est_bytes = sampo__est_add(cnt, s->gone_est_bytes, sf->dir[d].est_bytes);
    }
    if (sf->first_ns < s->gone_first_ns)
        s->gone_first_ns = sf->first_ns;
    if (sf->last_ns > s->gone_last_ns)
        s->gone_last_ns = sf->last_ns;
    sampo__list_remove(&s->members, &sf->sess_link);
    sf->sess = NULL; /* it still counts in s->seen */
}

void sampo__session_absorb(uint64_t *cnt, sampo__session *a, const sampo__session *b)
{
    a->gone_pkts += b->gone_pkts;
    a->gone_bytes += b->gone_bytes;
    a->gone_est_pkts = sampo__est_add(cnt, a->gone_est_pkts, b->gone_est_pkts);
    a->gone_est_bytes = sampo__est_add(cnt, a->gone_est_bytes, b->gone_est_bytes);
    if (b->gone_first_ns < a->gone_first_ns)
        a->gone_first_ns = b->gone_first_ns;
    if (b->gone_last_ns > a->gone_last_ns)
        a->gone_last_ns = b->gone_last_ns;
    /* b's ended members count in a now; its live ones are counted as they move. */
    a->seen += b->seen - b->members.n;
    if (b->has_gone_tie && (!a->has_gone_tie || b->gone_conf < a->gone_conf)) {
        a->has_gone_tie = 1;
        a->gone_method = b->gone_method;
        a->gone_conf = b->gone_conf;
    }
    if (!a->gone_keys && !a->gone_token[1] && (b->gone_keys || b->gone_token[1])) {
        a->gone_keys = b->gone_keys;
        a->gone_token[0] = b->gone_token[0];
        a->gone_token[1] = b->gone_token[1];
    }
    a->data_fin_mask |= b->data_fin_mask;
    if (a->version == SAMPO__UNKNOWN_VERSION)
        a->version = b->version;
}

size_t sampo__sessions_reserve(const sampo__sessions *ss)
{
    return sampo__mem_cost(sizeof(sampo__session)) + SAMPO__HASH_RESERVE(ss->by_id, hh);
}
