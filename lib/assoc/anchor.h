/* anchor.h - key anchors (algorithm.md 3.2): a known MPTCP key gives the
 * IDSN of its sender's DSN space, so a DSN space of a subflow without
 * token evidence that falls in the span a connection's own subflows use
 * after that IDSN is tied to the connection (method key-dsn), with
 * Φ = 1 - (sum of the anchors' spans) / 2^bits: the chance that an
 * unrelated, uniformly placed space lands in one. */
#ifndef SAMPO_ASSOC_ANCHOR_H
#define SAMPO_ASSOC_ANCHOR_H

#include <stddef.h>
#include <stdint.h>

#include "assoc/item.h"
#include "core/env.h"
#include "state/conn.h"

typedef struct sampo__anchor {
    uint64_t start, len;
    sampo__conn *conn;
} sampo__anchor;

/* Bytes sampo__anchor_items() allocates. */
size_t sampo__anchor_need(const sampo__conns *cs);

/* How the caller checks the anchors against what it trusts: `skip`
 * returns true for an anchor not to be used; `close` is told of two
 * anchors of distinct connections whose IDSNs lie within `reach` of each
 * other (evidence that IDSNs are not uniform there). */
typedef struct sampo__anchor_hooks {
    bool (*skip)(void *ctx, const sampo__anchor *a);
    void (*close)(void *ctx, const sampo__anchor *a, const sampo__anchor *b);
    void *ctx;
    uint64_t reach;
} sampo__anchor_hooks;

/* Tie the items of one circle that fall in a key anchor's span to that
 * connection (sf->anchor_conn, sf->anchor_phi).  `stamp` is unique to the
 * call; `hooks` may be NULL. */
void sampo__anchor_items(sampo__env *env, sampo__conns *cs, uint64_t stamp, sampo__item *items,
                         size_t ni, int bits, const sampo__anchor_hooks *hooks);

#endif
