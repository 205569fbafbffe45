/*
 * traffic.c - the synthetic sampled MPTCP traffic of the benchmarks (see
 * traffic.h).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "traffic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t traffic_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t traffic_rnd(uint64_t *state) { return traffic_mix(*state += 0x9e3779b97f4a7c15ULL); }

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        fprintf(stderr, "bench: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

void traffic_init(struct traffic *t, size_t subflows, uint32_t per_span, uint64_t span_ns,
                  uint32_t rate, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->per_span = per_span;
    t->span_ns = span_ns;
    t->rate = rate;
    /* 20 % of the subflows in 2-subflow sessions, the rest in 4-subflow ones */
    t->sessions2 = (subflows / 5) / 2;
    t->sessions4 = (subflows - 2 * t->sessions2) / 4;
    t->sessions2 = (subflows - 4 * t->sessions4) / 2;
    t->sessions = t->sessions4 + t->sessions2;
    t->subflows = 4 * t->sessions4 + 2 * t->sessions2;
    t->rng = seed;
}

void traffic_layout(struct traffic *t,
                    void (*each)(struct traffic *t, const struct traffic_subflow *sf, void *user),
                    void *user)
{
    for (size_t s = 0; s < t->sessions; s++) {
        struct traffic_subflow sf;
        int nsub = s < t->sessions4 ? 4 : 2;
        uint64_t idsn_s = traffic_rnd(&t->rng), idsn_c = traffic_rnd(&t->rng);
        uint64_t t0 = 1000000000ull + traffic_rnd(&t->rng) % 1000000ull; /* starts within 1 ms */
        uint32_t c0 = TRAFFIC_CLIENT_BASE + 2u * (uint32_t)s;

        for (int f = 0; f < nsub; f++) {
            /* 4: (c0,s0) (c0,s1) (c1,s0) (c1,s1); 2: (c0,s0) (c1,s0) */
            uint32_t cli = c0 + (uint32_t)(nsub == 4 ? f / 2 : f);
            uint32_t srv = (nsub == 4 && (f & 1)) ? TRAFFIC_SERVER1 : TRAFFIC_SERVER0;
            uint16_t port = (uint16_t)(32768 + traffic_rnd(&t->rng) % 28000);

            memset(&sf, 0, sizeof sf);
            sf.up = tflow4(cli, port, srv, 5201);
            sf.idsn_s = idsn_s;
            sf.idsn_c = idsn_c;
            sf.t0 = t0;
            sf.session = (uint32_t)s;
            sf.f = (uint8_t)f;
            sf.nsub = (uint8_t)nsub;
            /* the order of these draws is bench_assoc's since 0.1: same packets */
            sf.off = traffic_rnd(&t->rng) % t->rate;
            sf.isn_s = (uint32_t)traffic_rnd(&t->rng);
            sf.isn_c = (uint32_t)traffic_rnd(&t->rng);
            /* not drawn: a streaming consumer must not shift the draws above */
            sf.coin = traffic_mix(0x636f696eULL ^ ((uint64_t)s << 3 | (uint64_t)f));
            each(t, &sf, user);
        }
    }
}

void traffic_build(const struct traffic *t, const struct traffic_subflow *sf, uint64_t j, int data,
                   tpkt *out)
{
    tflow up = sf->up, down = tflow_rev(up);
    uint64_t nsub = sf->nsub;
    uint64_t pos = sf->off + j * t->rate;
    uint64_t k = pos / 2;          /* data segments sent on this subflow so far */
    uint64_t c = k * nsub + sf->f; /* ... and its index in the session's data */
    uint8_t o[40];

    if (data) {
        size_t ol = opt_dss64(o, sf->idsn_c + 21, sf->idsn_s + 1 + c * TRAFFIC_SEG,
                              (uint32_t)(1 + k * TRAFFIC_SEG), (uint16_t)TRAFFIC_SEG, 0);
        *out = tp_build(&down, TH_ACK | TH_PSH, sf->isn_s + 1 + (uint32_t)(k * TRAFFIC_SEG),
                        sf->isn_c + 21, o, ol, TRAFFIC_SEG);
    } else {
        uint64_t acked = c > 2u * nsub ? c - 2u * nsub : 0;
        size_t ol = opt_dack64(o, sf->idsn_s + 1 + acked * TRAFFIC_SEG);
        *out = tp_build(&up, TH_ACK, sf->isn_c + 21, sf->isn_s + 1 + (uint32_t)(k * TRAFFIC_SEG), o,
                        ol, 0);
    }
}

uint64_t traffic_packet(const struct traffic *t, const struct traffic_subflow *sf, uint64_t j,
                        int data, tpkt *out)
{
    traffic_build(t, sf, j, data, out);
    return traffic_ts(t, sf, j);
}

uint64_t traffic_ts(const struct traffic *t, const struct traffic_subflow *sf, uint64_t j)
{
    uint64_t stream = (uint64_t)t->per_span * t->rate;
    return sf->t0 + (sf->off + j * t->rate) * t->span_ns / stream;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

long traffic_true_session(const struct traffic *t, const sampo_flow *fl)
{
    uint32_t a = get32(fl->src), b = get32(fl->dst);
    uint32_t cli = (a >> 24 == 10 && ((a >> 16) & 0xff) != 255) ? a : b;
    long s = (long)((cli - TRAFFIC_CLIENT_BASE) / 2);
    return (s >= 0 && (size_t)s < t->sessions) ? s : -1;
}

/* ---- scoring ------------------------------------------------------------ */

struct pairrec {
    uint64_t pred; /* session id, or a unique id for none */
    long truth;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pairrec *x = a, *y = b;
    if (x->pred != y->pred)
        return (x->pred > y->pred) - (x->pred < y->pred);
    return (x->truth > y->truth) - (x->truth < y->truth);
}

struct traffic_score traffic_score_ctx(sampo_ctx *ctx, const struct traffic *t)
{
    struct traffic_score sc;
    struct pairrec *r = xmalloc(t->subflows * sizeof *r);
    size_t n = 0, i, j;
    uint64_t cursor = 0, lone = UINT64_MAX;
    sampo_subflow_info info = SAMPO_SUBFLOW_INFO_INIT;
    double pred_pairs = 0, true_pairs = 0;

    memset(&sc, 0, sizeof sc);
    while (n < t->subflows && sampo_ctx_next_subflow(ctx, 0, &cursor, &info) == 1) {
        long s = traffic_true_session(t, &info.flow);
        if (s < 0)
            continue;
        r[n].pred = info.session_id ? info.session_id : lone--;
        r[n].truth = s;
        n++;
    }
    sc.tracked = n;
    qsort(r, n, sizeof *r, cmp_pair);
    for (i = 0; i < n; i = j) { /* predicted groups */
        size_t k, same_start = i;
        int pure = 1;
        for (j = i; j < n && r[j].pred == r[i].pred; j++)
            ;
        pred_pairs += (double)(j - i) * (double)(j - i - 1) / 2;
        for (k = i + 1; k <= j; k++) { /* runs of one true session inside the group */
            if (k == j || r[k].truth != r[same_start].truth) {
                sc.tp += (double)(k - same_start) * (double)(k - same_start - 1) / 2;
                if (k < j)
                    pure = 0;
                same_start = k;
            }
        }
        if (pure) {
            size_t want = (size_t)r[i].truth < t->sessions4 ? 4 : 2;
            if (j - i == want)
                sc.exact++;
        }
    }
    true_pairs = 6.0 * (double)t->sessions4 + 1.0 * (double)t->sessions2;
    sc.fp = pred_pairs - sc.tp;
    sc.fn = true_pairs - sc.tp;
    sc.precision = pred_pairs > 0 ? sc.tp / pred_pairs : NAN;
    sc.recall = true_pairs > 0 ? sc.tp / true_pairs : NAN;
    free(r);
    return sc;
}

/* ---- the stream --------------------------------------------------------- */

/* Each subflow's packets are exactly one period apart: packet j of the
 * subflow at phase + j * period (the batch formula of traffic_ts() rounds
 * each timestamp on its own, which could put two subflows' packets 1 ns out
 * of order).  With the subflows sorted by phase, round j (packet j of every
 * subflow) is in time order; the rounds overlap when the phases spread over
 * more than a period, so K cursors, each taking every K-th round, are merged
 * by their next timestamp: K is chosen so that a cursor's next round starts
 * after its current one ends. */

static int cmp_phase(const void *a, const void *b)
{
    const struct traffic_subflow *x = a, *y = b;
    if (x->phase != y->phase)
        return (x->phase > y->phase) - (x->phase < y->phase);
    return (x->index > y->index) - (x->index < y->index);
}

struct collect {
    struct traffic_subflow *sf;
    size_t n;
};

static void collect_one(struct traffic *t, const struct traffic_subflow *sf, void *user)
{
    struct collect *c = user;
    c->sf[c->n] = *sf;
    c->sf[c->n].index = (uint32_t)c->n;
    c->sf[c->n].phase = traffic_ts(t, sf, 0);
    c->n++;
}

static uint64_t cursor_ts(const struct traffic_stream *s, const struct traffic_cursor *c)
{
    return s->sf[c->idx].phase + c->round * s->period_ns;
}

void traffic_stream_init(struct traffic_stream *s, struct traffic *t)
{
    struct collect c;

    memset(s, 0, sizeof *s);
    s->t = t;
    s->sf = xmalloc(t->subflows * sizeof *s->sf);
    c.sf = s->sf;
    c.n = 0;
    traffic_layout(t, collect_one, &c);
    s->n = c.n;
    qsort(s->sf, s->n, sizeof *s->sf, cmp_phase);
    s->period_ns = t->span_ns / t->per_span;
    if (s->period_ns < 1)
        s->period_ns = 1;
    uint64_t spread = s->n ? s->sf[s->n - 1].phase - s->sf[0].phase : 0;
    s->k = (size_t)(spread / s->period_ns) + 2;
    if (s->k > TRAFFIC_MAX_CURSORS) {
        fprintf(stderr, "bench: traffic phases spread over too many periods\n");
        exit(1);
    }
    for (size_t i = 0; i < s->k; i++) {
        s->cur[i].round = i;
        s->cur[i].idx = 0;
    }
}

uint64_t traffic_stream_peek(const struct traffic_stream *s)
{
    uint64_t best = UINT64_MAX;
    for (size_t i = 0; s->n && i < s->k; i++) {
        uint64_t ts = cursor_ts(s, &s->cur[i]);
        if (ts < best)
            best = ts;
    }
    return best;
}

uint64_t traffic_stream_next(struct traffic_stream *s, tpkt *out)
{
    struct traffic_cursor *c = &s->cur[0];
    uint64_t ts = cursor_ts(s, c);

    for (size_t i = 1; i < s->k; i++) { /* earliest; on a tie, the earlier round */
        uint64_t x = cursor_ts(s, &s->cur[i]);
        if (x < ts || (x == ts && s->cur[i].round < c->round)) {
            c = &s->cur[i];
            ts = x;
        }
    }
    const struct traffic_subflow *sf = &s->sf[c->idx];
    int data = (int)(traffic_mix(sf->coin + c->round * 0x9e3779b97f4a7c15ULL) & 1);
    traffic_build(s->t, sf, c->round, data, out);
    if (++c->idx == s->n) {
        c->idx = 0;
        c->round += s->k;
    }
    return ts;
}

void traffic_stream_free(struct traffic_stream *s)
{
    free(s->sf);
    memset(s, 0, sizeof *s);
}
