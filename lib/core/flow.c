/* flow.c - flow keys and orientation (see flow.h). */
#include "core/flow.h"

#include <string.h>

#include "core/hash.h"

static int endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
    int c = memcmp(a, b, 16);
    if (c)
        return c;
    return (pa > pb) - (pa < pb);
}

static void fkey_make(uint8_t family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
                      uint16_t dport, sampo__fkey *k, int *dir)
{
    memset(k, 0, sizeof(*k));
    k->family = family;
    int d = endpoint_cmp(src, sport, dst, dport) > 0;
    /* d = 0: the sender is endpoint 0 of the key. */
    memcpy(k->addr[d], src, 16);
    k->port[d] = sport;
    memcpy(k->addr[!d], dst, 16);
    k->port[!d] = dport;
    *dir = d;
}

void sampo__fkey_from_pkt(const sampo__pkt *p, sampo__fkey *k, int *dir)
{
    fkey_make(p->family, p->src, p->sport, p->dst, p->dport, k, dir);
}

void sampo__fkey_from_flow(const sampo_flow *f, sampo__fkey *k, int *dir)
{
    uint8_t src[16], dst[16];
    memcpy(src, f->src, 16);
    memcpy(dst, f->dst, 16);
    if (f->family == 4) { /* IPv4 lives in the first 4 bytes, the rest is zero */
        memset(src + 4, 0, 12);
        memset(dst + 4, 0, 12);
    }
    fkey_make(f->family, src, f->src_port, dst, f->dst_port, k, dir);
}

/* An IPv4 key holds 12 bytes that vary (two addresses, two ports; the
 * rest is zero, the family 4): SipHash of those 12 takes 5 rounds where the
 * whole 40-byte key takes 9.  Still keyed, still injective on IPv4 keys,
 * and its length sets it apart from an IPv6 key's. */
unsigned sampo__fkey_hash(sampo__hkey hkey, const sampo__fkey *k)
{
    if (k->family == 4) {
        uint8_t b[12];
        memcpy(b, k->addr[0], 4);
        memcpy(b + 4, k->addr[1], 4);
        memcpy(b + 8, k->port, 4);
        return (unsigned)sampo__siphash_cd(hkey, b, sizeof(b), 1, 3);
    }
    return (unsigned)sampo__siphash_cd(hkey, k, sizeof(*k), 1, 3);
}

void sampo__fkey_to_flow(const sampo__fkey *k, int initiator, sampo_flow *out)
{
    int s = sampo__client_end(k, initiator);
    memset(out, 0, sizeof(*out));
    out->family = k->family;
    memcpy(out->src, k->addr[s], 16);
    memcpy(out->dst, k->addr[!s], 16);
    out->src_port = k->port[s];
    out->dst_port = k->port[!s];
}
