/* source.c - sampling rates per source (see source.h). */
#include "state/source.h"

#include "core/hash.h"

uint32_t sampo__source_rate(sampo__source *const *sources, sampo__hkey hkey, uint32_t id)
{
    sampo__source *s = NULL;
    if (!*sources)
        return 0;
    HASH_FIND_BYHASHVALUE(hh, *sources, &id, sizeof(id), sampo__hash_u32(hkey, id), s);
    return s ? s->rate : 0;
}

int sampo__source_set(sampo__env *env, sampo__source **sources, uint32_t id, uint32_t rate)
{
    sampo__mem *hmem = env->mem;
    sampo__source *s = NULL;
    unsigned hv = sampo__hash_u32(env->hkey, id);
    HASH_FIND_BYHASHVALUE(hh, *sources, &id, sizeof(id), hv, s);
    if (!s) {
        s = sampo__mem_calloc(env->mem, sizeof(*s));
        if (!s)
            return SAMPO_E_NOMEM;
        s->id = id;
        bool ok;
        SAMPO__HASH_ADD(hh, *sources, &s->id, sizeof(s->id), hv, s, ok);
        if (!ok) {
            sampo__mem_free(env->mem, s);
            return SAMPO_E_NOMEM;
        }
    }
    s->rate = rate;
    return SAMPO_OK;
}

void sampo__sources_free(sampo__env *env, sampo__source **sources)
{
    sampo__mem *hmem = env->mem;
    sampo__source *s, *tmp;
    HASH_ITER(hh, *sources, s, tmp) {
        HASH_DELETE(hh, *sources, s);
        sampo__mem_free(env->mem, s);
    }
}
