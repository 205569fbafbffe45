/* item.c - DSN spaces of subflows as arcs on the DSN circle (see item.h). */
#include "assoc/item.h"

void sampo__arc_hull(uint64_t mask, uint64_t *a, uint64_t *la, uint64_t b, uint64_t lb)
{
    /* Lengths are summed in 128 bits: on the 2^64 circle the arc the other
     * way round is longer than 64 bits can hold. */
    typedef unsigned __int128 u128;
    u128 r1 = (b - *a) & mask, r2 = (*a - b) & mask;
    u128 l1 = r1 + lb > *la ? r1 + lb : *la;
    u128 l2 = r2 + *la > lb ? r2 + *la : lb;
    u128 l = l1 <= l2 ? l1 : l2;
    if (l2 < l1)
        *a = b;
    *la = l > mask ? mask : (uint64_t)l;
}

/* Segments are retained in arrival order, which is nearly DSN order:
 * insertion sort is about linear on them, and needs no callback. */
static void segpos_sort(sampo__segpos *v, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        sampo__segpos x = v[i];
        uint32_t j = i;
        while (j > 0 && v[j - 1].rel > x.rel) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void sampo__item_gaps(sampo__item *it, sampo__segpos *tmp)
{
    const sampo__dir *d = &it->sf->dir[it->dir];
    uint64_t mask = sampo__circ_mask(it->bits);
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->seg.n; i++) {
        const sampo__seg *s = &d->segs[sampo__ring_at(&d->seg, i)];
        if (!s->len)
            continue; /* an ACK mark */
        tmp[n].rel = (s->dsn - it->lo) & mask;
        tmp[n].len = s->len;
        if (tmp[n].rel < it->len) /* always, unless the span lost a wrap */
            n++;
    }
    segpos_sort(tmp, n);
    uint64_t maxgap = 0, end = 0;
    uint32_t distinct = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i && tmp[i].rel == tmp[i - 1].rel && tmp[i].len == tmp[i - 1].len)
            continue;
        if (distinct && tmp[i].rel > end && tmp[i].rel - end > maxgap)
            maxgap = tmp[i].rel - end;
        if (!distinct || tmp[i].rel + tmp[i].len > end)
            end = tmp[i].rel + tmp[i].len;
        distinct++;
    }
    it->nseg = distinct > UINT16_MAX ? UINT16_MAX : (uint16_t)distinct;
    it->maxgap = distinct >= 2 ? maxgap : 0;
}

bool sampo__item_build(sampo__subflow *sf, int d, sampo__item *it)
{
    const sampo__dir *s = &sf->dir[d], *peer = &sf->dir[!d];
    if (sf->fallback || (!s->dsn_bits && !peer->ack_bits))
        return false;
    /* Linux acknowledges with 4-byte DATA_ACKs until it has received an
     * 8-byte mapping: a 4-byte value next to 8-byte DSNs of the same space
     * is lifted to the 64-bit value nearest to them with the same low 32
     * bits.  Only 4-byte DSNs put the item on the 2^32 circle (4.8). */
    bool lift = s->dsn_bits == 64 && peer->ack_bits == 32;
    int bits = 64;
    if ((s->dsn_bits && s->dsn_bits < 64) || (peer->ack_bits && peer->ack_bits < 64 && !lift))
        bits = 32;
    uint64_t mask = sampo__circ_mask(bits);
    bool have = false;
    uint64_t lo = 0, len = 0;
    if (s->dsn_bits) {
        lo = s->dsn_lo & mask;
        len = s->dsn_hi - s->dsn_lo;
        have = true;
    }
    if (peer->ack_bits) {
        /* A DATA_ACK x says bytes up to x - 1 exist: [lo - 1, hi). */
        uint64_t alo = (peer->ack_lo - 1) & mask, alen = peer->ack_hi - peer->ack_lo + 1;
        if (lift)
            alo = s->dsn_lo +
                  (uint64_t)(int64_t)(int32_t)((uint32_t)(peer->ack_lo - 1) - (uint32_t)s->dsn_lo);
        if (have) {
            sampo__arc_hull(mask, &lo, &len, alo, alen);
        } else {
            lo = alo;
            len = alen;
        }
    }
    if (bits == 32 && len > mask)
        len = mask;
    it->sf = sf;
    it->lo = lo;
    it->len = len ? len : 1;
    it->dir = (uint8_t)d;
    it->bits = (uint8_t)bits;
    it->native_bits = (uint8_t)bits;
    /* Like directions only (4.9). */
    it->side = (uint8_t)sampo__sf_side(sf, d);
    it->dirty = s->dirty || peer->dirty;
    it->distrusted = 0;
    it->nseg = 0;
    it->maxgap = 0;
    it->crowd = 0;
    return true;
}

void sampo__item_to_32(sampo__item *it)
{
    if (it->bits != 64)
        return;
    it->lo &= UINT64_C(0xffffffff);
    if (it->len > UINT64_C(0xffffffff))
        it->len = UINT64_C(0xffffffff);
    it->bits = 32;
}
