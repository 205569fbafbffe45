/* anchor.c - key anchors (see anchor.h). */
#include "assoc/anchor.h"

#include <math.h>
#include <stdlib.h>

#include "assoc/pair.h"
#include "core/counters.h"

/* Slack beyond the highest offset seen in a key-anchored space. */
#define ANCHOR_SLACK_64 (UINT64_C(1) << 36)
#define ANCHOR_SLACK_32_MIN 65536

static int anchor_cmp(const void *x, const void *y)
{
    const sampo__anchor *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

size_t sampo__anchor_need(const sampo__conns *cs)
{
    return sampo__mem_cost(2 * (size_t)HASH_CNT(hh_id, cs->by_id) * sizeof(sampo__anchor));
}

/* The anchor whose span holds [lo, lo + len), or NULL. */
static const sampo__anchor *anchor_find(const sampo__anchor *v, size_t n, uint64_t mask,
                                        uint64_t lo, uint64_t len)
{
    if (!n)
        return NULL;
    size_t l = 0, h = n; /* first start > lo */
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (v[mid].start <= lo)
            l = mid + 1;
        else
            h = mid;
    }
    const sampo__anchor *a = l ? &v[l - 1] : &v[n - 1]; /* wraps to the last one */
    uint64_t off = (lo - a->start) & mask;
    if (off < a->len && off + len <= a->len)
        return a;
    return NULL;
}

/* One anchor per known key, sorted by start; each connection remembers
 * where its anchors went. */
static size_t anchors_collect(sampo__conns *cs, uint64_t run, uint64_t mask, sampo__anchor *out)
{
    size_t n = 0;
    for (sampo__conn *c = cs->by_id; c; c = c->hh_id.next) {
        c->anchor_run = run;
        c->anchor_ix[0] = c->anchor_ix[1] = -1;
        for (int r = 0; r < 2; r++) {
            if (!c->has_key[r])
                continue;
            out[n].start = (c->idsn[r] + 1) & mask;
            out[n].len = 1;
            out[n].conn = c;
            n++;
        }
    }
    qsort(out, n, sizeof(*out), anchor_cmp);
    for (size_t k = 0; k < n; k++) {
        sampo__conn *c = out[k].conn;
        c->anchor_ix[c->anchor_ix[0] < 0 ? 0 : 1] = (int32_t)k;
    }
    return n;
}

/* Span of each anchor: the highest offset seen in the space by the
 * connection's own subflows (token members, and those anchored in earlier
 * runs), plus slack; returns the sum of the spans. */
static double anchors_span(sampo__conns *cs, sampo__hkey hkey, uint64_t run,
                           const sampo__item *items, size_t ni, int bits, sampo__anchor *v,
                           size_t n)
{
    uint64_t mask = sampo__circ_mask(bits);
    uint64_t near = bits == 64 ? (UINT64_C(1) << 48) : (UINT64_C(1) << 30);
    for (size_t i = 0; i < ni; i++) {
        const sampo__item *it = &items[i];
        const sampo__subflow *sf = it->sf;
        sampo__conn *c = sf->conn          ? sf->conn
                         : sf->anchor_conn ? sampo__conn_by_id(cs, hkey, sf->anchor_conn)
                                           : NULL;
        if (!c || c->anchor_run != run)
            continue;
        for (int j = 0; j < 2; j++) {
            if (c->anchor_ix[j] < 0)
                continue;
            sampo__anchor *a = &v[c->anchor_ix[j]];
            uint64_t off = (it->lo - a->start) & mask;
            if (off < near && off + it->len > a->len)
                a->len = off + it->len;
        }
    }
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t slack = bits == 64
                             ? ANCHOR_SLACK_64
                             : (v[k].len > ANCHOR_SLACK_32_MIN ? v[k].len : ANCHOR_SLACK_32_MIN);
        v[k].len = v[k].len + slack > mask ? mask : v[k].len + slack;
        sum += (double)v[k].len;
    }
    return sum;
}

/* Neighbouring anchors of distinct connections closer than chance allows. */
static void anchors_close(const sampo__anchor *v, size_t n, uint64_t mask,
                          const sampo__anchor_hooks *hooks)
{
    for (size_t k = 0; k + 1 < n; k++)
        if (v[k].conn != v[k + 1].conn && ((v[k + 1].start - v[k].start) & mask) < hooks->reach)
            hooks->close(hooks->ctx, &v[k], &v[k + 1]);
}

/* Does sf share a host with any subflow of connection c? */
static bool shares_host_with(const sampo__subflow *sf, const sampo__conn *c)
{
    for (const sampo__link *l = c->members.head; l; l = l->next)
        if (sampo__sf_share_host(sf, SAMPO__SF_OF_CONN(l)))
            return true;
    return false;
}

void sampo__anchor_items(sampo__env *env, sampo__conns *cs, uint64_t stamp, sampo__item *items,
                         size_t ni, int bits, const sampo__anchor_hooks *hooks)
{
    uint64_t run = stamp;
    size_t cap = 2 * (size_t)HASH_CNT(hh_id, cs->by_id);
    if (!cap)
        return;
    sampo__anchor *v = sampo__mem_alloc(env->mem, cap * sizeof(*v));
    if (!v) {
        sampo__count(env->cnt, SAMPO_CNT_ASSOC_SKIPPED);
        return;
    }
    uint64_t mask = sampo__circ_mask(bits);
    size_t n = anchors_collect(cs, run, mask, v);
    if (hooks && hooks->close)
        anchors_close(v, n, mask, hooks);
    double phi = 1.0 - anchors_span(cs, env->hkey, run, items, ni, bits, v, n) / ldexp(1.0, bits);
    for (size_t i = 0; i < ni && n; i++) {
        sampo__item *it = &items[i];
        sampo__subflow *sf = it->sf;
        if (sf->conn || it->bits != bits)
            continue;
        const sampo__anchor *a = anchor_find(v, n, mask, it->lo, it->len);
        if (!a || phi < sf->anchor_phi)
            continue;
        if (hooks && hooks->skip && hooks->skip(hooks->ctx, a)) {
            sampo__count(env->cnt, SAMPO_CNT_ANCHORS_DISTRUSTED);
            continue;
        }
        double tie = phi;
        if (tie > SAMPO__FORGEABLE_CEILING && !shares_host_with(sf, a->conn)) {
            tie = SAMPO__FORGEABLE_CEILING; /* pair.h: a forger copies DSNs onto its own flows */
            sampo__count(env->cnt, SAMPO_CNT_FORGEABLE_CAPPED);
        }
        if (sf->anchor_conn != a->conn->id) {
            sf->anchor_conn = a->conn->id;
            sampo__count(env->cnt, SAMPO_CNT_KEY_ANCHORED);
        }
        sf->anchor_phi = tie;
    }
    sampo__mem_free(env->mem, v);
}
