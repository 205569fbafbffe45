/*
 * assemble.c - session records from end-of-life events (see assemble.h).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "assemble.h"

#include <stdlib.h>
#include <string.h>

#include <uthash.h>

struct asm_pending {
    uint64_t session_id;
    sampo_subflow_info *subs;
    size_t n, cap;
    uint32_t parts; /* parts handed over early (asm_set_limit()) */
    uint64_t early; /* subflow records in them */
    /* In the list of the sessions holding records (cap > 0), which is what
     * shed() goes through: not the entries that only count parts. */
    struct asm_pending *prev, *next;
    UT_hash_handle hh;
};

/* What a session's held records count for in the bound: its array at
 * capacity, and its entry (with a share of the hash table's buckets)
 * while it holds any. */
#define ENTRY_COST (sizeof(struct asm_pending) + 16)

static uint64_t cost(size_t cap)
{
    return cap ? ENTRY_COST + (uint64_t)cap * sizeof(sampo_subflow_info) : 0;
}

void asm_init(struct assembler *a, asm_session_fn on_session, asm_unassoc_fn on_unassoc, void *user)
{
    memset(a, 0, sizeof *a);
    a->on_session = on_session;
    a->on_unassoc = on_unassoc;
    a->user = user;
}

void asm_set_limit(struct assembler *a, uint64_t bytes, asm_part_fn on_part)
{
    a->limit = on_part ? bytes : 0;
    a->on_part = on_part;
}

static struct asm_pending *find(const struct assembler *a, uint64_t id)
{
    struct asm_pending *p = NULL;

    HASH_FIND(hh, a->pending, &id, sizeof id, p);
    return p;
}

static struct asm_pending *get(struct assembler *a, uint64_t id)
{
    struct asm_pending *p = find(a, id);

    if (p)
        return p;
    p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->session_id = id;
    HASH_ADD(hh, a->pending, session_id, sizeof p->session_id, p);
    return p;
}

/* p holds records now: into the list. */
static void hold(struct assembler *a, struct asm_pending *p)
{
    p->prev = NULL;
    p->next = a->holding;
    if (a->holding)
        a->holding->prev = p;
    a->holding = p;
}

/* Let go of p's records (handed over or dropped); its entry stays. */
static void release(struct assembler *a, struct asm_pending *p)
{
    if (p->cap) { /* out of the list */
        if (p->prev)
            p->prev->next = p->next;
        else
            a->holding = p->next;
        if (p->next)
            p->next->prev = p->prev;
        p->prev = p->next = NULL;
    }
    a->held -= cost(p->cap);
    a->waiting -= p->n;
    free(p->subs);
    p->subs = NULL;
    p->n = p->cap = 0;
}

/* Hand p's held records over as its next part. */
static void part_out(struct assembler *a, struct asm_pending *p)
{
    if (p->n == 0)
        return;
    p->parts++;
    p->early += p->n;
    a->parts++;
    a->early += p->n;
    a->on_part(a->user, p->session_id, p->parts, p->subs, p->n);
    release(a, p);
}

/* Most records first; then by session id, for an order that repeats. */
static int cmp_held(const void *pa, const void *pb)
{
    const struct asm_pending *a = *(const struct asm_pending *const *)pa;
    const struct asm_pending *b = *(const struct asm_pending *const *)pb;

    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return (a->session_id > b->session_id) - (a->session_id < b->session_id);
}

/* Over the bound: hand over the records of the sessions holding most
 * until what is held is down to half the bound.  A call goes through the
 * sessions holding records (at most bound / ENTRY_COST of them) and sorts
 * them once, and frees at least half the bound: each record held costs
 * O(log sessions) in sorts, however the records are spread. */
static void shed(struct assembler *a)
{
    struct asm_pending *p, *next, **v;
    size_t k = 0, i;
    uint64_t low = a->limit / 2;

    for (p = a->holding; p; p = p->next)
        k++;
    v = k ? malloc(k * sizeof *v) : NULL;
    if (!v) { /* no memory for the order: in the list's */
        for (p = a->holding; p && a->held > low; p = next) {
            next = p->next;
            part_out(a, p);
        }
        return;
    }
    k = 0;
    for (p = a->holding; p; p = p->next)
        if (p->n)
            v[k++] = p;
    qsort(v, k, sizeof *v, cmp_held);
    for (i = 0; i < k && a->held > low; i++)
        part_out(a, v[i]);
    free(v);
}

/* Append one record to p.  `bounded`: make room first when the bound
 * would be passed (not while p's records are being moved: absorb()). */
static int push(struct assembler *a, struct asm_pending *p, const sampo_subflow_info *info,
                int bounded)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        if (bounded && a->limit) {
            if (a->held + cost(cap) - cost(p->cap) > a->limit) {
                shed(a); /* may hand p's over too */
                cap = p->cap ? 2 * p->cap : 4;
            }
            size_t most = (size_t)(a->limit / sizeof *p->subs);
            if (most < 4)
                most = 4;
            if (cap > most)
                cap = most > p->cap ? most : 0;
            if (cap == 0) { /* p alone fills the bound */
                part_out(a, p);
                cap = 4;
            }
        }
        if (p->n == p->cap) {
            sampo_subflow_info *s = realloc(p->subs, cap * sizeof *s);
            if (!s)
                return -1;
            if (!p->cap)
                hold(a, p);
            a->held += cost(cap) - cost(p->cap);
            p->subs = s;
            p->cap = cap;
        }
    }
    sampo_subflow_info *s = &p->subs[p->n++];
    memset(s, 0, sizeof *s);
    memcpy(s, info, info->size < sizeof *s ? info->size : sizeof *s);
    s->size = sizeof *s;
    if (++a->waiting > a->waiting_peak)
        a->waiting_peak = a->waiting;
    if (a->held > a->held_peak)
        a->held_peak = a->held;
    return 0;
}

static void drop(struct assembler *a, struct asm_pending *p)
{
    HASH_DEL(a->pending, p);
    release(a, p);
    free(p);
}

/* Session `from` was merged away into `into`: its waiting records go
 * along, and so does its count of parts. */
static void absorb(struct assembler *a, uint64_t from, uint64_t into)
{
    struct asm_pending *pf = find(a, from), *pi;

    if (!pf || from == into)
        return;
    pi = get(a, into);
    if (!pi) {
        a->failed = 1;
        return;
    }
    for (size_t i = 0; i < pf->n; i++) {
        if (push(a, pi, &pf->subs[i], 0) != 0) {
            a->failed = 1;
            break;
        }
        pi->subs[pi->n - 1].session_id = into;
    }
    pi->parts += pf->parts;
    pi->early += pf->early;
    drop(a, pf);
    if (a->limit && a->held > a->limit)
        shed(a);
}

void asm_event(struct assembler *a, const sampo_event *ev)
{
    switch (ev->type) {
    case SAMPO_EV_SUBFLOW_END: {
        const sampo_subflow_info *info = ev->subflow;
        struct asm_pending *p;

        if (!info)
            return;
        if (!info->session_id) {
            a->on_unassoc(a->user, info);
            return;
        }
        p = get(a, info->session_id);
        if (!p || push(a, p, info, 1) != 0)
            a->failed = 1;
        return;
    }
    case SAMPO_EV_SUBFLOW_JOINED:
    case SAMPO_EV_SESSION_OPENED:
        if (ev->other_session_gone && ev->other_session_id)
            absorb(a, ev->other_session_id, ev->session_id);
        return;
    case SAMPO_EV_SESSION_END: {
        struct asm_pending *p = find(a, ev->session_id);

        if (!ev->session)
            return;
        a->on_session(a->user, ev->session, p ? p->subs : NULL, p ? p->n : 0, p ? p->parts : 0,
                      p ? p->early : 0);
        if (p)
            drop(a, p);
        return;
    }
    default:
        return;
    }
}

size_t asm_waiting(const struct assembler *a, uint64_t session_id, const sampo_subflow_info **subs)
{
    const struct asm_pending *p = find(a, session_id);

    *subs = p ? p->subs : NULL;
    return p ? p->n : 0;
}

size_t asm_finish(struct assembler *a)
{
    struct asm_pending *p, *tmp;
    size_t k = 0;

    HASH_ITER(hh, a->pending, p, tmp) {
        sampo_session_info s;

        memset(&s, 0, sizeof s);
        s.size = sizeof s;
        s.session_id = p->session_id;
        s.mptcp_version = 255;
        s.subflows_seen = (uint32_t)(p->n + p->early);
        a->on_session(a->user, &s, p->subs, p->n, p->parts, p->early);
        drop(a, p);
        k++;
    }
    return k;
}

void asm_free(struct assembler *a)
{
    struct asm_pending *p, *tmp;

    HASH_ITER(hh, a->pending, p, tmp) {
        drop(a, p);
    }
}
