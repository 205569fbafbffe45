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
    UT_hash_handle hh;
};

void asm_init(struct assembler *a, asm_session_fn on_session, asm_unassoc_fn on_unassoc, void *user)
{
    memset(a, 0, sizeof *a);
    a->on_session = on_session;
    a->on_unassoc = on_unassoc;
    a->user = user;
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

static int push(struct assembler *a, struct asm_pending *p, const sampo_subflow_info *info)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        sampo_subflow_info *s = realloc(p->subs, cap * sizeof *s);
        if (!s)
            return -1;
        p->subs = s;
        p->cap = cap;
    }
    sampo_subflow_info *s = &p->subs[p->n++];
    memset(s, 0, sizeof *s);
    memcpy(s, info, info->size < sizeof *s ? info->size : sizeof *s);
    s->size = sizeof *s;
    if (++a->waiting > a->waiting_peak)
        a->waiting_peak = a->waiting;
    return 0;
}

static void drop(struct assembler *a, struct asm_pending *p)
{
    HASH_DEL(a->pending, p);
    a->waiting -= p->n;
    free(p->subs);
    free(p);
}

/* Session `from` was merged away into `into`: its waiting records go along. */
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
        if (push(a, pi, &pf->subs[i]) != 0) {
            a->failed = 1;
            break;
        }
        pi->subs[pi->n - 1].session_id = into;
    }
    drop(a, pf);
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
        if (!p || push(a, p, info) != 0)
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
        a->on_session(a->user, ev->session, p ? p->subs : NULL, p ? p->n : 0);
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
        s.subflows_seen = (uint32_t)p->n;
        a->on_session(a->user, &s, p->subs, p->n);
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
