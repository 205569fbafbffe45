/* cluster.c - sessions from pair verdicts (algorithm.md 4.13).
 *
 * Union-find over all subflows: token groups first (final), then
 * key-anchored ties and "same" verdicts at or above the reporting
 * threshold, strongest first.  A merge is vetoed, and reported as a
 * conflict, when a "distinct" verdict at or above the threshold links the
 * two groups, or when both hold a different token identity.  The groups
 * are then reconciled with the live sessions: each group keeps the session
 * most of its members are in (so ids stay stable), members elsewhere move
 * (subflow-joined), and a group whose sessions were all taken by larger
 * groups gets a new session (a split after a revision). */
#include <stdlib.h>

#include "assoc.h"

typedef struct edge {
    uint32_t u, v;
    double phi;
    uint8_t method;
} edge;

typedef struct uf {
    uint32_t *parent, *size;
    int32_t *dhead, *dtail;  /* per root: list of veto entries */
    uint32_t *dcount;
    sampo__conn **conn;      /* per root: token identity */
} uf;

static uint32_t find(uf *f, uint32_t x)
{
    while (f->parent[x] != x) {
        f->parent[x] = f->parent[f->parent[x]];
        x = f->parent[x];
    }
    return x;
}

static int edge_cmp(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->phi != b->phi)
        return a->phi > b->phi ? -1 : 1;
    if (a->u != b->u)
        return a->u < b->u ? -1 : 1;
    return (a->v > b->v) - (a->v < b->v);
}

typedef struct veto {
    uint32_t x, y;           /* node indices of a strong distinct pair */
    int32_t next;
} veto;

static void unite(uf *f, veto *vt, uint32_t ra, uint32_t rb)
{
    if (f->size[ra] < f->size[rb]) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    f->parent[rb] = ra;
    f->size[ra] += f->size[rb];
    if (f->dhead[rb] >= 0) {
        if (f->dtail[ra] >= 0)
            vt[f->dtail[ra]].next = f->dhead[rb];
        else
            f->dhead[ra] = f->dhead[rb];
        f->dtail[ra] = f->dtail[rb];
    }
    f->dcount[ra] += f->dcount[rb];
    if (!f->conn[ra])
        f->conn[ra] = f->conn[rb];
}

static bool vetoed(uf *f, veto *vt, uint32_t ra, uint32_t rb)
{
    if (f->conn[ra] && f->conn[rb] && f->conn[ra] != f->conn[rb])
        return true;
    uint32_t small = f->dcount[ra] <= f->dcount[rb] ? ra : rb, other = small == ra ? rb : ra;
    for (int32_t e = f->dhead[small]; e >= 0; e = vt[e].next) {
        uint32_t fx = find(f, vt[e].x), fy = find(f, vt[e].y);
        if ((fx == small && fy == other) || (fx == other && fy == small))
            return true;
    }
    return false;
}

static void add_veto1(uf *f, veto *vt, int32_t *nv, uint32_t x, uint32_t y)
{
    uint32_t r = find(f, x);
    int32_t e = (*nv)++;
    vt[e].x = x;
    vt[e].y = y;
    vt[e].next = -1;
    if (f->dtail[r] >= 0)
        vt[f->dtail[r]].next = e;
    else
        f->dhead[r] = e;
    f->dtail[r] = e;
    f->dcount[r]++;
}

/* An entry in the lists of both ends' groups, so that checking either
 * group's list finds it. */
static void add_veto(uf *f, veto *vt, int32_t *nv, uint32_t x, uint32_t y)
{
    add_veto1(f, vt, nv, x, y);
    if (find(f, x) != find(f, y))
        add_veto1(f, vt, nv, y, x);
}

static void emit_conflict(sampo_ctx *ctx, sampo__subflow *a, sampo__subflow *b, const edge *e,
                          uint64_t now)
{
    sampo__count(ctx, SAMPO_CNT_CONFLICTS);
    sampo__emit_pair_event(ctx, SAMPO_EV_CONFLICT, a, b, SAMPO_VERDICT_SAME, SAMPO_VERDICT_UNDECIDED,
                           e->method, e->phi, now);
}

typedef struct member {
    uint32_t root;
    uint32_t node;
    uint64_t id;
} member;

static int member_cmp(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

typedef struct group {
    uint32_t first, n;       /* range in the member array */
    uint64_t min_id;
} group;

static int group_cmp(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return (a->min_id > b->min_id) - (a->min_id < b->min_id);
}

static int sess_cmp(const void *x, const void *y)
{
    const sampo__session *a = *(sampo__session *const *)x, *b = *(sampo__session *const *)y;
    return (a->id > b->id) - (a->id < b->id);
}

void sampo__cluster_run(sampo_ctx *ctx, uint64_t now)
{
    size_t n = ctx->n_flows;
    if (!n)
        return;
    size_t npairs = HASH_COUNT(ctx->pairs);
    sampo__mem *m = &ctx->mem;
    sampo__subflow **node = sampo__mem_alloc(m, n * sizeof(*node));
    uf f = {0};
    f.parent = sampo__mem_alloc(m, n * sizeof(uint32_t));
    f.size = sampo__mem_alloc(m, n * sizeof(uint32_t));
    f.dhead = sampo__mem_alloc(m, n * sizeof(int32_t));
    f.dtail = sampo__mem_alloc(m, n * sizeof(int32_t));
    f.dcount = sampo__mem_alloc(m, n * sizeof(uint32_t));
    f.conn = sampo__mem_alloc(m, n * sizeof(sampo__conn *));
    edge *ed = sampo__mem_alloc(m, (npairs + n + 1) * sizeof(*ed));
    veto *vt = sampo__mem_alloc(m, (2 * npairs + 1) * sizeof(*vt));
    double *tie_phi = sampo__mem_alloc(m, n * sizeof(double));
    uint8_t *tie_method = sampo__mem_alloc(m, n);
    member *mb = sampo__mem_alloc(m, n * sizeof(*mb));
    group *gr = sampo__mem_alloc(m, n * sizeof(*gr));
    sampo__session **ss = sampo__mem_alloc(m, n * sizeof(*ss));
    if (!node || !f.parent || !f.size || !f.dhead || !f.dtail || !f.dcount || !f.conn || !ed ||
        !vt || !tie_phi || !tie_method || !mb || !gr || !ss) {
        sampo__count(ctx, SAMPO_CNT_ASSOC_SKIPPED);
        goto out;
    }
    uint32_t k = 0;
    for (sampo__subflow *sf = ctx->lru_head; sf; sf = sf->lru_next) {
        sf->uf = k;
        node[k] = sf;
        f.parent[k] = k;
        f.size[k] = 1;
        f.dhead[k] = f.dtail[k] = -1;
        f.dcount[k] = 0;
        f.conn[k] = sf->conn;
        tie_phi[k] = 0;
        tie_method[k] = SAMPO_METHOD_NONE;
        k++;
    }
    /* Token groups: final, never vetoed. */
    for (uint32_t i = 0; i < n; i++) {
        sampo__conn *c = node[i]->conn;
        if (c && c->members && c->members != node[i]) {
            uint32_t ra = find(&f, i), rb = find(&f, c->members->uf);
            if (ra != rb)
                unite(&f, vt, ra, rb);
        }
    }
    double thr = ctx->opt.min_confidence;
    int32_t nv = 0;
    size_t ne = 0;
    for (sampo__pair *p = ctx->pairs; p; p = p->hh.next) {
        if (p->phi < thr || p->verdict == SAMPO_VERDICT_UNDECIDED)
            continue;
        sampo__subflow *a = sampo__flow_by_id(ctx, p->id[0]), *b = sampo__flow_by_id(ctx, p->id[1]);
        if (!a || !b)
            continue;
        if (p->verdict == SAMPO_VERDICT_DISTINCT)
            add_veto(&f, vt, &nv, a->uf, b->uf);
        else
            ed[ne++] = (edge){a->uf < b->uf ? a->uf : b->uf, a->uf < b->uf ? b->uf : a->uf, p->phi,
                              p->method};
    }
    for (uint32_t i = 0; i < n; i++) {
        sampo__subflow *sf = node[i];
        if (!sf->conn && sf->anchor_conn && sf->anchor_conn->members && sf->anchor_phi >= thr)
            ed[ne++] = (edge){i, sf->anchor_conn->members->uf, sf->anchor_phi, SAMPO_METHOD_KEY_DSN};
    }
    qsort(ed, ne, sizeof(*ed), edge_cmp);
    for (size_t i = 0; i < ne; i++) {
        uint32_t ra = find(&f, ed[i].u), rb = find(&f, ed[i].v);
        if (ra != rb) {
            if (vetoed(&f, vt, ra, rb)) {
                emit_conflict(ctx, node[ed[i].u], node[ed[i].v], &ed[i], now);
                continue;
            }
            unite(&f, vt, ra, rb);
        }
        for (int s = 0; s < 2; s++) {
            uint32_t x = s ? ed[i].v : ed[i].u;
            if (ed[i].phi > tie_phi[x]) {
                tie_phi[x] = ed[i].phi;
                tie_method[x] = ed[i].method;
            }
        }
    }

    /* Groups, largest first, then by their oldest subflow. */
    for (uint32_t i = 0; i < n; i++)
        mb[i] = (member){find(&f, i), i, node[i]->id};
    qsort(mb, n, sizeof(*mb), member_cmp);
    size_t ng = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || mb[i].root != mb[i - 1].root)
            gr[ng++] = (group){i, 0, mb[i].id};
        gr[ng - 1].n++;
    }
    qsort(gr, ng, sizeof(*gr), group_cmp);
    uint64_t stamp = ++ctx->run;
    for (size_t g = 0; g < ng; g++) {
        member *gm = &mb[gr[g].first];
        uint32_t gn = gr[g].n;
        /* Ties first: the join events carry them. */
        for (uint32_t i = 0; i < gn; i++) {
            sampo__subflow *sf = node[gm[i].node];
            if (sf->conn) {
                sf->method = SAMPO_METHOD_TOKEN;
                sf->confidence = 1.0;
            } else if (gn > 1) {
                sf->method = tie_method[gm[i].node];
                sf->confidence = tie_phi[gm[i].node];
            } else {
                sf->method = SAMPO_METHOD_NONE;
                sf->confidence = 0.0;
            }
        }
        /* The unclaimed session most members are in; ties: the oldest. */
        uint32_t nss = 0;
        for (uint32_t i = 0; i < gn; i++)
            if (node[gm[i].node]->sess)
                ss[nss++] = node[gm[i].node]->sess;
        qsort(ss, nss, sizeof(*ss), sess_cmp);
        sampo__session *target = NULL;
        uint32_t best = 0;
        for (uint32_t i = 0; i < nss;) {
            uint32_t j = i;
            while (j < nss && ss[j] == ss[i])
                j++;
            if (ss[i]->claimed != stamp && j - i > best) {
                best = j - i;
                target = ss[i];
            }
            i = j;
        }
        uint32_t start = 0;
        if (!target) {
            sampo__subflow *first = node[gm[0].node];
            bool split = first->sess != NULL;
            target = sampo__session_new(ctx, first, now);
            if (!target)
                continue;
            if (split)
                sampo__count(ctx, SAMPO_CNT_SESSIONS_SPLIT);
            start = 1;
        }
        target->claimed = stamp;
        for (uint32_t i = start; i < gn; i++) {
            sampo__subflow *sf = node[gm[i].node];
            if (sf->sess != target)
                sampo__session_move(ctx, sf, target, now);
        }
    }
out:
    sampo__mem_free(m, node);
    sampo__mem_free(m, f.parent);
    sampo__mem_free(m, f.size);
    sampo__mem_free(m, f.dhead);
    sampo__mem_free(m, f.dtail);
    sampo__mem_free(m, f.dcount);
    sampo__mem_free(m, f.conn);
    sampo__mem_free(m, ed);
    sampo__mem_free(m, vt);
    sampo__mem_free(m, tie_phi);
    sampo__mem_free(m, tie_method);
    sampo__mem_free(m, mb);
    sampo__mem_free(m, gr);
    sampo__mem_free(m, ss);
}
