/* item.h - one DSN space of one subflow as an association run sees it: an
 * arc on the circle of 2^64 (or 2^32 when 4-byte DSNs are involved), the
 * hull of the sender's DSN mappings and the peer's DATA_ACKs
 * (algorithm.md 3.3), with the gap statistics of its retained segments. */
#ifndef SAMPO_ASSOC_ITEM_H
#define SAMPO_ASSOC_ITEM_H

#include <stdbool.h>
#include <stdint.h>

#include "state/subflow.h"

typedef struct sampo__item {
    sampo__subflow *sf;
    uint64_t lo;         /* start on the circle of 2^bits (unwrapped value mod 2^bits) */
    uint64_t len;        /* hull of the sender's DSNs and the peer's DATA_ACKs */
    uint64_t maxgap;     /* largest gap between consecutive retained segments */
    uint64_t reach;      /* how far around it pairs are looked for */
    uint16_t nseg;       /* retained segments (saturates) */
    uint8_t dir;         /* the sender's direction index in sf->dir */
    uint8_t bits;        /* 32 or 64: the circle it lives on */
    uint8_t native_bits; /* the DSN width actually seen */
    uint8_t side;        /* 0: sent by the client side, 1: by the server side (4.9) */
    uint8_t dirty;       /* changed since the last run */
    uint8_t distrusted;  /* lies where IDSNs proved non-uniform (assoc/trust.c) */
    uint32_t crowd;      /* same-side items its range overlaps at the first level */
    uint16_t met;        /* candidate evaluations on the current circle (assoc/run.c) */
} sampo__item;

static inline uint64_t sampo__circ_mask(int bits)
{
    return bits == 64 ? UINT64_MAX : UINT64_C(0xffffffff);
}

/* The item of direction d of sf, false when that direction has no DSN
 * evidence (or the subflow fell back). */
bool sampo__item_build(sampo__subflow *sf, int d, sampo__item *it);

/* Start and length of a segment relative to an item. */
typedef struct sampo__segpos {
    uint64_t rel;
    uint32_t len;
} sampo__segpos;

/* Largest gap between consecutive retained segments of the item, with the
 * number of distinct segments; `tmp` holds as many entries as the ring. */
void sampo__item_gaps(sampo__item *it, sampo__segpos *tmp);

/* Smallest arc covering [*a, *a + *la) and [b, b + lb) on the circle. */
void sampo__arc_hull(uint64_t mask, uint64_t *a, uint64_t *la, uint64_t b, uint64_t lb);

/* Project a 2^64 item onto the 2^32 circle (4.8). */
void sampo__item_to_32(sampo__item *it);

#endif
