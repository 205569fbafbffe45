/* alloc.c - per-context allocation with exact accounting and a hard cap. */
#include "core/alloc.h"

#include <string.h>

/* max_align_t-sized header keeps the payload aligned for any type. */
typedef union sampo__hdr {
    size_t size;
    max_align_t align;
} sampo__hdr;

size_t sampo__mem_cost(size_t size) { return size + sizeof(sampo__hdr); }

void *sampo__mem_alloc(sampo__mem *m, size_t size)
{
    size_t total = size + sizeof(sampo__hdr);
    if (total < size)
        return NULL;
    if (!sampo__mem_fits(m, total)) {
        m->cnt[SAMPO_CNT_MEM_CAP_HITS]++;
        return NULL;
    }
    sampo__hdr *h = m->hooks.malloc(m->hooks.opaque, total);
    if (!h) {
        m->cnt[SAMPO_CNT_ALLOC_FAILED]++;
        return NULL;
    }
    h->size = total;
    m->cur += total;
    if (m->cur > m->peak)
        m->peak = m->cur;
    return h + 1;
}

void *sampo__mem_calloc(sampo__mem *m, size_t size)
{
    void *p = sampo__mem_alloc(m, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void sampo__mem_free(sampo__mem *m, void *p)
{
    if (!p)
        return;
    sampo__hdr *h = (sampo__hdr *)p - 1;
    m->cur -= h->size;
    m->hooks.free(m->hooks.opaque, h);
}
