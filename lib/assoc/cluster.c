/* cluster.c - sessions from pair verdicts (see cluster.h). */
#include "assoc/cluster.h"

#include <stdlib.h>

#include "core/counters.h"

typedef struct edge {
    uint32_t u, v;
    double phi;
    uint8_t method;
} edge;

typedef struct veto {
    uint32_t x, y; /* node indices of a strong distinct pair */
    int32_t next;
} veto;

typedef struct member {
    uint32_t root;
    uint32_t node;
    uint64_t id;
} member;

typedef struct group {
    uint32_t first, n; /* range in the member array */
    uint64_t min_id;
} group;

/* The scratch of one clustering: union-find with veto lists per root. */
typedef struct cl {
    uint32_t n;
    sampo__subflow **node;
    uint32_t *parent, *size;
    int32_t *dhead, *dtail; /* per root: list of veto entries */
    uint32_t *dcount;
    sampo__conn **conn; /* per root: token identity */
    edge *ed;
    size_t ne;
    veto *vt;
    int32_t nv;
    double *tie_phi;
    uint8_t *tie_method;
    member *mb;
    group *gr;
    size_t ng;
    sampo__session **ss;
} cl;

/* Every scratch array of a clustering, with its length (n subflows, pairs
 * verdicts): allocated, sized and freed from this one list. */
// clang-format off
#define CL_ARRAYS(X)                                                                               \
    X(node, n) X(parent, n) X(size, n) X(dhead, n) X(dtail, n) X(dcount, n) X(conn, n)             \
    X(ed, pairs + n + 1) X(vt, 2 * pairs + 1)                                                      \
    X(tie_phi, n) X(tie_method, n) X(mb, n) X(gr, n) X(ss, n)
// clang-format on

size_t sampo__cluster_need(size_t n, size_t pairs)
{
    cl c;
    size_t need = 0;
#define NEED(f, cnt) need += sampo__mem_cost((cnt) * sizeof(*c.f));
    CL_ARRAYS(NEED)
#undef NEED
    (void)c;
    return need + sampo__mem_cost(n * sizeof(sampo__plan_member)) +
           sampo__mem_cost(n * sizeof(sampo__plan_group));
}

static void cl_free(sampo__env *env, cl *c)
{
#define FREE(f, cnt) sampo__mem_free(env->mem, c->f);
    CL_ARRAYS(FREE)
#undef FREE
}

static bool cl_alloc(sampo__env *env, cl *c, size_t n, size_t pairs)
{
    bool ok = true;
#define ALLOC(f, cnt) ok = (c->f = sampo__mem_alloc(env->mem, (cnt) * sizeof(*c->f))) && ok;
    CL_ARRAYS(ALLOC)
#undef ALLOC
    return ok;
}

static uint32_t find(cl *c, uint32_t x)
{
    while (c->parent[x] != x) {
        c->parent[x] = c->parent[c->parent[x]];
        x = c->parent[x];
    }
    return x;
}

static void unite(cl *c, uint32_t ra, uint32_t rb)
{
    if (c->size[ra] < c->size[rb]) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    c->parent[rb] = ra;
    c->size[ra] += c->size[rb];
    if (c->dhead[rb] >= 0) {
        if (c->dtail[ra] >= 0)
            c->vt[c->dtail[ra]].next = c->dhead[rb];
        else
            c->dhead[ra] = c->dhead[rb];
        c->dtail[ra] = c->dtail[rb];
    }
    c->dcount[ra] += c->dcount[rb];
    if (!c->conn[ra])
        c->conn[ra] = c->conn[rb];
}

static bool vetoed(cl *c, uint32_t ra, uint32_t rb)
{
    if (c->conn[ra] && c->conn[rb] && c->conn[ra] != c->conn[rb])
        return true;
    uint32_t small = c->dcount[ra] <= c->dcount[rb] ? ra : rb, other = small == ra ? rb : ra;
    for (int32_t e = c->dhead[small]; e >= 0; e = c->vt[e].next) {
        uint32_t fx = find(c, c->vt[e].x), fy = find(c, c->vt[e].y);
        if ((fx == small && fy == other) || (fx == other && fy == small))
            return true;
    }
    return false;
}

static void add_veto1(cl *c, uint32_t x, uint32_t y)
{
    uint32_t r = find(c, x);
    int32_t e = c->nv++;
    c->vt[e].x = x;
    c->vt[e].y = y;
    c->vt[e].next = -1;
    if (c->dtail[r] >= 0)
        c->vt[c->dtail[r]].next = e;
    else
        c->dhead[r] = e;
    c->dtail[r] = e;
    c->dcount[r]++;
}

/* An entry in the lists of both ends' groups, so that checking either
 * group's list finds it. */
static void add_veto(cl *c, uint32_t x, uint32_t y)
{
    add_veto1(c, x, y);
    if (find(c, x) != find(c, y))
        add_veto1(c, y, x);
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

static void init_nodes(cl *c, sampo__table *t)
{
    uint32_t k = 0;
    for (sampo__subflow *sf = sampo__table_oldest(t); sf; sf = sampo__table_newer(sf)) {
        sf->uf = k;
        c->node[k] = sf;
        c->parent[k] = k;
        c->size[k] = 1;
        c->dhead[k] = c->dtail[k] = -1;
        c->dcount[k] = 0;
        c->conn[k] = sf->conn;
        c->tie_phi[k] = 0;
        c->tie_method[k] = SAMPO_METHOD_NONE;
        k++;
    }
}

/* Token groups: final, never vetoed. */
static void unite_token_groups(cl *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        sampo__conn *k = c->node[i]->conn;
        sampo__subflow *first = k ? sampo__conn_first(k) : NULL;
        if (first && first != c->node[i]) {
            uint32_t ra = find(c, i), rb = find(c, first->uf);
            if (ra != rb)
                unite(c, ra, rb);
        }
    }
}

/* Verdicts at or above the threshold: "same" ones and key anchors become
 * edges, "distinct" ones vetoes. */
static void collect_edges(sampo__env *env, cl *c, sampo__table *t, sampo__conns *cs,
                          sampo__pairs *ps)
{
    double thr = env->opt->min_confidence;
    for (sampo__pair *p = ps->by_ids; p; p = p->hh.next) {
        if (p->phi < thr || p->verdict == SAMPO_VERDICT_UNDECIDED)
            continue;
        sampo__subflow *a = sampo__table_by_id(t, env->hkey, p->id[0]);
        sampo__subflow *b = sampo__table_by_id(t, env->hkey, p->id[1]);
        if (!a || !b)
            continue;
        if (p->verdict == SAMPO_VERDICT_DISTINCT)
            add_veto(c, a->uf, b->uf);
        else
            c->ed[c->ne++] = (edge){a->uf < b->uf ? a->uf : b->uf, a->uf < b->uf ? b->uf : a->uf,
                                    p->phi, p->method};
    }
    for (uint32_t i = 0; i < c->n; i++) {
        sampo__subflow *sf = c->node[i];
        if (sf->conn || !sf->anchor_conn || sf->anchor_phi < thr)
            continue;
        sampo__conn *k = sampo__conn_by_id(cs, env->hkey, sf->anchor_conn);
        sampo__subflow *first = k ? sampo__conn_first(k) : NULL;
        if (first)
            c->ed[c->ne++] = (edge){i, first->uf, sf->anchor_phi, SAMPO_METHOD_KEY_DSN};
    }
}

/* Strongest first: unite unless vetoed (a conflict), and remember each
 * node's strongest tie. */
static void merge_edges(sampo__env *env, cl *c, uint64_t now)
{
    qsort(c->ed, c->ne, sizeof(*c->ed), edge_cmp);
    for (size_t i = 0; i < c->ne; i++) {
        const edge *e = &c->ed[i];
        uint32_t ra = find(c, e->u), rb = find(c, e->v);
        if (ra != rb) {
            if (vetoed(c, ra, rb)) {
                sampo__count(env->cnt, SAMPO_CNT_CONFLICTS);
                sampo__pair_event(env, SAMPO_EV_CONFLICT, c->node[e->u], c->node[e->v],
                                  SAMPO_VERDICT_SAME, SAMPO_VERDICT_UNDECIDED, e->method, e->phi,
                                  now);
                continue;
            }
            unite(c, ra, rb);
        }
        for (int s = 0; s < 2; s++) {
            uint32_t x = s ? e->v : e->u;
            if (e->phi > c->tie_phi[x]) {
                c->tie_phi[x] = e->phi;
                c->tie_method[x] = e->method;
            }
        }
    }
}

static int member_cmp(const void *x, const void *y)
{
    const member *a = x, *b = y;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static int group_cmp(const void *x, const void *y)
{
    const group *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return (a->min_id > b->min_id) - (a->min_id < b->min_id);
}

/* Groups, largest first, then by their oldest subflow. */
static void make_groups(cl *c)
{
    for (uint32_t i = 0; i < c->n; i++)
        c->mb[i] = (member){find(c, i), i, c->node[i]->id};
    qsort(c->mb, c->n, sizeof(*c->mb), member_cmp);
    c->ng = 0;
    for (uint32_t i = 0; i < c->n; i++) {
        if (i == 0 || c->mb[i].root != c->mb[i - 1].root)
            c->gr[c->ng++] = (group){i, 0, c->mb[i].id};
        c->gr[c->ng - 1].n++;
    }
    qsort(c->gr, c->ng, sizeof(*c->gr), group_cmp);
}

static int sess_cmp(const void *x, const void *y)
{
    const sampo__session *a = *(sampo__session *const *)x, *b = *(sampo__session *const *)y;
    return (a->id > b->id) - (a->id < b->id);
}

/* The unclaimed session most of the group's members are in (ties: the
 * oldest), or NULL. */
static sampo__session *choose_target(cl *c, const member *gm, uint32_t gn, uint64_t run)
{
    uint32_t nss = 0;
    for (uint32_t i = 0; i < gn; i++)
        if (c->node[gm[i].node]->sess)
            c->ss[nss++] = c->node[gm[i].node]->sess;
    qsort(c->ss, nss, sizeof(*c->ss), sess_cmp);
    sampo__session *target = NULL;
    uint32_t best = 0;
    for (uint32_t i = 0; i < nss;) {
        uint32_t j = i;
        while (j < nss && c->ss[j] == c->ss[i])
            j++;
        if (c->ss[i]->claimed != run && j - i > best) {
            best = j - i;
            target = c->ss[i];
        }
        i = j;
    }
    if (target)
        target->claimed = run;
    return target;
}

/* Each group with its members' ties and its target session. */
static void make_plan(cl *c, uint64_t run, sampo__plan *plan)
{
    uint32_t k = 0;
    for (size_t g = 0; g < c->ng; g++) {
        const member *gm = &c->mb[c->gr[g].first];
        uint32_t gn = c->gr[g].n;
        plan->groups[g].first = k;
        plan->groups[g].n = gn;
        for (uint32_t i = 0; i < gn; i++, k++) {
            uint32_t x = gm[i].node;
            sampo__plan_member *pm = &plan->members[k];
            pm->sf = c->node[x];
            if (pm->sf->conn) {
                pm->method = SAMPO_METHOD_TOKEN;
                pm->phi = 1.0;
            } else if (gn > 1) {
                pm->method = c->tie_method[x];
                pm->phi = c->tie_phi[x];
            } else {
                pm->method = SAMPO_METHOD_NONE;
                pm->phi = 0.0;
            }
        }
        plan->groups[g].target = choose_target(c, gm, gn, run);
    }
    plan->n_groups = (uint32_t)c->ng;
}

int sampo__cluster(sampo__env *env, sampo__table *t, sampo__conns *cs, sampo__pairs *ps,
                   uint64_t run, uint64_t now, sampo__plan *plan)
{
    cl c = {0};
    size_t n = sampo__table_count(t), pairs = HASH_COUNT(ps->by_ids);
    plan->n_groups = 0;
    plan->members = NULL;
    plan->groups = NULL;
    if (!n)
        return 0;
    c.n = (uint32_t)n;
    plan->members = sampo__mem_alloc(env->mem, n * sizeof(*plan->members));
    plan->groups = sampo__mem_alloc(env->mem, n * sizeof(*plan->groups));
    if (!cl_alloc(env, &c, n, pairs) || !plan->members || !plan->groups) {
        cl_free(env, &c);
        sampo__plan_free(env, plan);
        sampo__count(env->cnt, SAMPO_CNT_ASSOC_SKIPPED);
        return -1;
    }
    init_nodes(&c, t);
    unite_token_groups(&c);
    collect_edges(env, &c, t, cs, ps);
    merge_edges(env, &c, now);
    make_groups(&c);
    make_plan(&c, run, plan);
    cl_free(env, &c);
    return 0;
}

void sampo__plan_free(sampo__env *env, sampo__plan *plan)
{
    sampo__mem_free(env->mem, plan->members);
    sampo__mem_free(env->mem, plan->groups);
    plan->members = NULL;
    plan->groups = NULL;
    plan->n_groups = 0;
}
