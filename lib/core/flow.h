/* flow.h - flow keys and the one orientation rule.
 *
 * A subflow is keyed by a canonical bidirectional 5-tuple: the lower
 * (address, port) endpoint first, the packet's direction returned beside
 * it, so both directions of a connection find the same entry.
 *
 * Orientation: a subflow is reported initiator first when a SYN (or an
 * MP_CAPABLE/MP_JOIN that implies one) was seen.  Otherwise the endpoint
 * with the higher port is taken as the client (ephemeral ports are high),
 * ties keeping the canonical order.  Every place that needs "the client
 * side" asks sampo__client_end(). */
#ifndef SAMPO_CORE_FLOW_H
#define SAMPO_CORE_FLOW_H

#include <stdint.h>

#include "core/hash.h"
#include "sampo.h"
#include "wire/decode.h"

/* Packed by hand so that there is no padding to leak into the hash. */
typedef struct sampo__fkey {
    uint8_t addr[2][16];
    uint16_t port[2];
    uint8_t family;
    uint8_t zero[3];
} sampo__fkey;

/* Key of a decoded packet; *dir = the key endpoint that sent it. */
void sampo__fkey_from_pkt(const sampo__pkt *p, sampo__fkey *k, int *dir);
/* Key of a public flow (either orientation); *dir = its src endpoint. */
void sampo__fkey_from_flow(const sampo_flow *f, sampo__fkey *k, int *dir);
unsigned sampo__fkey_hash(sampo__hkey hkey, const sampo__fkey *k);

/* The key endpoint (0 or 1) taken as the client: `initiator` when known
 * (>= 0), else the higher port. */
static inline int sampo__client_end(const sampo__fkey *k, int initiator)
{
    return initiator >= 0 ? initiator : k->port[1] > k->port[0];
}

/* The key as a public flow, client first. */
void sampo__fkey_to_flow(const sampo__fkey *k, int initiator, sampo_flow *out);

#endif
