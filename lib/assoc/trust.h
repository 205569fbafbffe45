/* trust.h - checking on the data that IDSNs are uniform.
 *
 * Absolute proximity and key anchors rest on one assumption: 8-byte IDSNs
 * are SHA-256 outputs, so unrelated DSN spaces land uniformly over 2^64
 * and two of them almost never lie within reach of each other.  A poor
 * implementation, a middlebox that rewrites DSNs, or keys chosen so that
 * IDSNs collide break it.  The data can show it: two spaces that are known
 * to be distinct (different connections by their keys, or segments that
 * no single session could have sent, sampo__trust_chronology()) yet lie
 * closer than proximity would accept are a witness that the assumption
 * fails there; so are two keys whose IDSNs lie that close.
 *
 * Each witness makes a region of the 2^64 circle distrusted: the hull of
 * the two spaces widened by the reach of absolute proximity.  Inside a
 * region neither absolute proximity nor key anchors are used, pair
 * verdicts that rested on proximity there are withdrawn, and the two-level
 * analysis decides, as on the crowded 2^32 circle.  Regions are few
 * (SAMPO__TRUST_MAX, the least witnessed go first) and end when no space
 * has been seen in them for an idle timeout. */
#ifndef SAMPO_ASSOC_TRUST_H
#define SAMPO_ASSOC_TRUST_H

#include <stdbool.h>
#include <stdint.h>

#include "assoc/item.h"
#include "core/env.h"
#include "state/subflow.h"

#define SAMPO__TRUST_MAX 64

typedef struct sampo__region {
    uint64_t lo, len; /* [lo, lo + len) on the 2^64 circle, len < 2^63 */
    uint32_t witnesses;
    uint64_t since_ns, seen_ns;
    uint64_t born_run; /* the run that made or last widened it */
} sampo__region;

typedef struct sampo__trust {
    sampo__region *r; /* sorted by lo, disjoint */
    uint32_t n, cap;
    uint32_t added; /* regions made or widened in the current run */
} sampo__trust;

/* Do the segments of two same-side items contradict one session?  Every
 * subflow of a session sends data between the session's send frontier D(t)
 * and D(t) - W, W its data-level window, and D only grows: a segment sent
 * at or after another, on a sibling, lies at most W below it.  A later
 * segment more than SAMPO__TRUST_WINDOW below an earlier one of the other
 * item cannot come from the same session (reinjections re-send unacked
 * data, which is within the window too).  Retained segments are in
 * arrival order, so one merge pass over the two rings decides. */
#define SAMPO__TRUST_WINDOW (UINT64_C(1) << 26)
bool sampo__trust_chronology(const sampo__item *x, const sampo__item *y);

/* The widening of a witness: how far absolute proximity reaches among f
 * spaces (it ties two spaces closer than this). */
uint64_t sampo__trust_reach(double f);

/* Mark the 64-bit items that lie in a distrusted region (it->distrusted),
 * noting that the regions are still in use. */
void sampo__trust_mark(sampo__trust *t, sampo__item *items, const uint32_t *idx, uint32_t n,
                       uint64_t now);
/* Does the 64-bit arc [lo, lo + len) touch a distrusted region? */
bool sampo__trust_covers(const sampo__trust *t, uint64_t lo, uint64_t len);

/* Two spaces known to be distinct lie within proximity's reach: distrust
 * the region around them (counted).  Returns false when nothing changed
 * (already distrusted, or no memory). */
bool sampo__trust_witness(sampo__env *env, sampo__trust *t, uint64_t a_lo, uint64_t a_len,
                          uint64_t b_lo, uint64_t b_len, uint64_t reach, uint64_t run,
                          uint64_t now);

/* End the regions no space was seen in for `idle_ns`. */
void sampo__trust_expire(sampo__trust *t, uint64_t now, uint64_t idle_ns);
/* Bytes sampo__trust_witness() may allocate. */
size_t sampo__trust_reserve(const sampo__trust *t);
void sampo__trust_free(sampo__env *env, sampo__trust *t);

#endif
