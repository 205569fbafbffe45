/* source.c - packet sources (see source.h). */
#include "state/source.h"

#include "core/hash.h"

static sampo__source *find(const sampo__sources *s, unsigned hv, uint32_t id)
{
    sampo__source *src = NULL;
    if (s->by_id)
        HASH_FIND_BYHASHVALUE(hh, s->by_id, &id, sizeof(id), hv, src);
    return src;
}

uint32_t sampo__source_rate(const sampo__sources *s, sampo__hkey hkey, uint32_t id)
{
    if (!s->by_id)
        return 0;
    const sampo__source *src = find(s, sampo__hash_u32(hkey, id), id);
    return src ? src->rate : 0;
}

static sampo__source *make(sampo__env *env, sampo__sources *s, unsigned hv, uint32_t id)
{
    sampo__mem *hmem = env->mem;
    sampo__source *src = sampo__mem_calloc(env->mem, sizeof(*src));
    if (!src)
        return NULL;
    src->id = id;
    bool ok;
    SAMPO__HASH_ADD(hh, s->by_id, &src->id, sizeof(src->id), hv, src, ok);
    if (!ok) {
        sampo__mem_free(env->mem, src);
        return NULL;
    }
    return src;
}

int sampo__source_set(sampo__env *env, sampo__sources *s, uint32_t id, uint32_t rate)
{
    unsigned hv = sampo__hash_u32(env->hkey, id);
    sampo__source *src = find(s, hv, id);
    if (!src && !(src = make(env, s, hv, id)))
        return SAMPO_E_NOMEM;
    src->rate = rate;
    return SAMPO_OK;
}

sampo__source *sampo__source_get(sampo__env *env, sampo__sources *s, uint32_t id, bool *shared)
{
    unsigned hv = sampo__hash_u32(env->hkey, id);
    sampo__source *src = find(s, hv, id);
    *shared = false;
    if (src)
        return src;
    if (HASH_COUNT(s->by_id) < SAMPO__SOURCES_MAX && (src = make(env, s, hv, id)))
        return src;
    *shared = true;
    return &s->other;
}

static void drop(sampo__env *env, sampo__sources *s, sampo__source *src)
{
    sampo__mem *hmem = env->mem;
    HASH_DELETE(hh, s->by_id, src);
    sampo__mem_free(env->mem, src);
}

void sampo__source_put(sampo__env *env, sampo__sources *s, sampo__source *src)
{
    if (src != &s->other && src != s->pinned && !src->members.n && !src->rate)
        drop(env, s, src);
}

void sampo__sources_free(sampo__env *env, sampo__sources *s)
{
    sampo__source *src, *tmp;
    HASH_ITER(hh, s->by_id, src, tmp) {
        drop(env, s, src);
    }
}
