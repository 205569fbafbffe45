/* feed.c - the per-packet pipeline (see feed.h). */
#include "engine/feed.h"

#include <string.h>

#include "core/counters.h"
#include "engine/clock.h"
#include "engine/lifecycle.h"
#include "engine/members.h"
#include "engine/mptcp.h"
#include "state/cover.h"
#include "state/dsn.h"

void sampo__feed_prepare(const sampo_ctx *ctx, const sampo_packet *pkt, sampo__job *j)
{
    j->counter = -1;
    j->rc = sampo__decode(pkt->linktype, pkt->data, pkt->caplen, pkt->wirelen, &j->p, &j->counter);
    if (j->rc != SAMPO_OK)
        return;
    sampo__mptcp_parse(j->p.opts, j->p.opts_len, j->p.tcp_flags, &j->o);
    sampo__fkey_from_pkt(&j->p, &j->key, &j->dir);
    j->hv = sampo__fkey_hash(ctx->env.hkey, &j->key);
}

void sampo__feed_prefetch(const sampo_ctx *ctx, const sampo__job *j, int stage)
{
    if (j->rc != SAMPO_OK)
        return;
    if (stage == 0)
        sampo__table_prefetch_bucket(&ctx->flows, j->hv);
    else
        sampo__table_prefetch_entry(&ctx->flows, j->hv);
}

#define SUB(x) (1u << SAMPO__MPTCP_SUB_##x)
#define HANDSHAKE (SUB(CAPABLE) | SUB(JOIN))
#define OPTION_EVENTS (SUB(ADD_ADDR) | SUB(REMOVE_ADDR) | SUB(PRIO) | SUB(FAIL) | SUB(FASTCLOSE))

static void count_options(sampo_ctx *ctx, const sampo__mptcp_opts *o)
{
    ctx->cnt[SAMPO_CNT_OPT_MALFORMED] += o->n_malformed;
    ctx->cnt[SAMPO_CNT_OPT_TRUNCATED] += o->n_truncated;
    ctx->cnt[SAMPO_CNT_OPT_UNKNOWN_SUBTYPE] += o->n_unknown;
    ctx->cnt[SAMPO_CNT_OPT_DUPLICATE] += o->n_duplicate;
    for (int sub = 0; sub <= SAMPO__MPTCP_SUB_TCPRST; sub++)
        if (SAMPO__HAS(o, sub))
            ctx->cnt[SAMPO_CNT_MP_CAPABLE + sub]++;
}

/* The 1-in-N rate a packet stands for: its own, its source's, the
 * context's default. */
static uint64_t packet_rate(const sampo_ctx *ctx, const sampo_packet *pkt)
{
    if (pkt->sampling_rate)
        return pkt->sampling_rate;
    uint32_t r = sampo__source_rate(&ctx->sources, ctx->env.hkey, pkt->source_id);
    return r ? r : (uint64_t)ctx->opt.sampling_rate;
}

/* The clock moves with the packet; a window it closes is run first. */
static uint64_t clock_step(sampo_ctx *ctx, uint64_t ts)
{
    if (!ctx->active)
        sampo__clock_start(ctx, ts);
    if (ts < ctx->now_ns) {
        sampo__count(ctx->cnt, SAMPO_CNT_TS_BACKWARDS);
        return ctx->now_ns; /* the clock never goes back */
    }
    ctx->now_ns = ts;
    if (ctx->opt.auto_run)
        sampo__clock_run_due(ctx, ts);
    return ts;
}

/* A SYN that opens a new connection on a known 5-tuple: the old subflow
 * closed, or the SYN's sequence number is not the ISN its direction's SYN
 * had (port reuse whose close was not seen, as sampling makes likely).  A
 * retransmitted SYN carries the same ISN and is not one. */
static bool reused(const sampo__subflow *sf, const sampo__job *j)
{
    if ((j->p.tcp_flags & (SAMPO__TH_SYN | SAMPO__TH_ACK)) != SAMPO__TH_SYN)
        return false;
    const sampo__dir *d = &sf->dir[j->dir];
    return sf->closed || (d->has_isn && d->isn != j->p.seq);
}

/* The packet's subflow: found, or created after room was made for it;
 * NULL for a packet that needs none (plain TCP) or could not get one. */
static sampo__subflow *subflow_of(sampo_ctx *ctx, sampo__job *j, uint32_t source_id, uint64_t ts,
                                  int *rc, bool *created)
{
    const sampo__mptcp_opts *o = &j->o;
    sampo__subflow *sf = sampo__table_find(&ctx->flows, &j->key, j->hv);
    *created = false;
    if (sf && reused(sf, j)) {
        sampo__lc_end(ctx, sf, SAMPO_CLOSE_REUSED, ts);
        sf = NULL;
    }
    if (sf) {
        sampo__table_touch(&ctx->flows, sf, ts, (uint64_t)ctx->opt.idle_ns);
        /* Far from the cap the margin covers any packet: the exact need
         * is reckoned only near it. */
        if (ctx->mem.cap && !sampo__mem_fits(&ctx->mem, ctx->room_margin))
            sampo__lc_make_room(ctx, sampo__lc_packet_need(ctx, sf), sf, sf->src);
        return sf;
    }
    if (!o->present)
        return NULL;
    bool shared;
    sampo__source *src = sampo__source_get(&ctx->env, &ctx->sources, source_id, &shared);
    if (shared)
        sampo__count(ctx->cnt, SAMPO_CNT_SOURCES_SHARED);
    ctx->sources.pinned = src;
    if (ctx->mem.cap) {
        ctx->room_margin = sampo__lc_packet_margin(ctx);
        sampo__lc_make_room(ctx, sampo__lc_packet_need(ctx, NULL), NULL, src);
    }
    sf = sampo__lc_subflow_new(ctx, &j->key, j->hv, src, ts);
    ctx->sources.pinned = NULL;
    if (!sf)
        sampo__source_put(&ctx->env, &ctx->sources, src);
    if (!sf) {
        *rc = SAMPO_E_LIMIT;
        return NULL;
    }
    *created = true;
    return sf;
}

/* Reinjection (per packet, for a caller that asks for results): new
 * subflow-level data whose data-level bytes its session already saw on
 * another subflow.  The session's coverage of each DSN space starts when it
 * holds two subflows, from the segments they retain, and follows the
 * mappings of the packets fed with a result. */
static bool reinjection(sampo_ctx *ctx, sampo__subflow *sf, int dir, const sampo__dsn_fact *f)
{
    sampo__session *s = sf->sess;
    int side = sampo__sf_side(sf, dir);
    if (!s->cover[side]) {
        int seeded = 0;
        for (sampo__link *l = s->members.head; l && seeded < 16; l = l->next, seeded++) {
            const sampo__subflow *m = SAMPO__SF_OF_SESS(l);
            for (int d = 0; d < 2; d++) {
                const sampo__dir *md = &m->dir[d];
                if (sampo__sf_side(m, d) != side || (m == sf && d == dir))
                    continue;
                for (uint32_t i = 0; i < md->seg.n; i++) {
                    const sampo__seg *sg = &md->segs[sampo__ring_at(&md->seg, i)];
                    if (sg->len && sampo__cover_add(&ctx->env, &s->cover[side], sg->dsn,
                                                    sg->dsn + sg->len) < 0)
                        return false;
                }
            }
        }
    }
    int r = sampo__cover_add(&ctx->env, &s->cover[side], f->dsn, f->dsn + f->len);
    if (r > 0 && f->new_data) {
        sampo__count(ctx->cnt, SAMPO_CNT_REINJECTED_PACKETS);
        return true;
    }
    return false;
}

static void result_fill(const sampo_ctx *ctx, const sampo__subflow *sf, const sampo__job *j,
                        const sampo__dsn_fact *f, bool created, bool reinj, sampo_result *res)
{
    const sampo__pkt *p = &j->p;
    res->handshake = j->o.hs;
    res->tcp_seq = p->seq;
    res->payload_len = p->payload_len;
    if (!sf)
        return;
    res->flags |= SAMPO_RES_TRACKED | (created ? SAMPO_RES_NEW_SUBFLOW : 0);
    res->subflow_id = sf->id;
    res->session_id = sf->sess ? sf->sess->id : 0;
    res->method = (sampo_method)sf->method;
    res->confidence = sf->confidence;
    res->dir = j->dir == sampo__sf_client(sf) ? SAMPO_DIR_FWD : SAMPO_DIR_REV;
    res->mptcp_version = sf->version != SAMPO__UNKNOWN_VERSION || !sf->sess ? sf->version
                                                                            : sf->sess->version;
    if (f->mapping) {
        res->flags |= SAMPO_RES_MAPPING;
        res->dsn_bits = f->dsn_bits;
        /* A space that started with 4-byte values counts from 2^32 inside. */
        res->dsn = sf->dir[j->dir].dsn_bits == 32 ? f->dsn - SAMPO__BASE32 : f->dsn;
        res->ssn = f->ssn;
        res->data_len = f->len;
    }
    if (f->data_ack) {
        res->flags |= SAMPO_RES_DATA_ACK;
        res->data_ack = sf->dir[j->dir].ack_bits == 32 ? f->ack - SAMPO__BASE32 : f->ack;
    }
    if (f->payload_dsn_ok) {
        res->flags |= SAMPO_RES_PAYLOAD_DSN;
        res->payload_dsn = sf->dir[j->dir].dsn_bits == 32 ? f->payload_dsn - SAMPO__BASE32
                                                          : f->payload_dsn;
    }
    res->flags |= (f->data_fin ? SAMPO_RES_DATA_FIN : 0) | (f->infinite ? SAMPO_RES_INFINITE : 0) |
                  (reinj ? SAMPO_RES_REINJECTION : 0);
    if ((p->tcp_flags & (SAMPO__TH_FIN | SAMPO__TH_RST)) ||
        SAMPO__HAS(&j->o, SAMPO__MPTCP_SUB_TCPRST) || SAMPO__HAS(&j->o, SAMPO__MPTCP_SUB_FASTCLOSE))
        res->flags |= SAMPO_RES_CLOSING;
    (void)ctx;
}

int sampo__feed_process(sampo_ctx *ctx, const sampo_packet *pkt, sampo__job *j, sampo_result *res)
{
    sampo__count(ctx->cnt, SAMPO_CNT_PACKETS);
    ctx->cnt[SAMPO_CNT_BYTES] += pkt->wirelen ? pkt->wirelen : pkt->caplen;
    uint64_t ts = clock_step(ctx, pkt->ts_ns);
    if (j->counter >= 0 && j->counter < SAMPO_CNT__COUNT) {
        sampo__count(ctx->cnt, j->counter);
        if (j->p.tunnels) /* never without a counter: plain packets skip it */
            sampo__count_tunnels(ctx->cnt, j->counter, j->p.tunnels);
    }
    if (j->rc != SAMPO_OK)
        return j->rc;

    const sampo__mptcp_opts *o = &j->o;
    count_options(ctx, o);
    int rc = SAMPO_OK;
    bool created;
    sampo__subflow *sf = subflow_of(ctx, j, pkt->source_id, ts, &rc, &created);
    sampo__count(ctx->cnt, o->n_mptcp ? SAMPO_CNT_TCP_MPTCP : SAMPO_CNT_TCP_PLAIN);
    sampo__dsn_fact f;
    memset(&f, 0, sizeof(f));
    bool reinj = false;
    if (sf) {
        sampo__dir *d = &sf->dir[j->dir];
        uint64_t rate = packet_rate(ctx, pkt);
        d->pkts++;
        d->bytes += j->p.payload_len;
        /* A rate is below 2^32 (a packet's or a source's is 32-bit, the
         * option's at most 10^9) and so is payload_len: their product fits
         * in 64 bits.  The sums saturate, counted. */
        d->est_pkts = sampo__est_add(ctx->cnt, d->est_pkts, rate);
        d->est_bytes = sampo__est_add(ctx->cnt, d->est_bytes, rate * j->p.payload_len);
        /* Most packets carry a DSS and nothing else: each step is called
         * only for what the packet holds. */
        if (o->present & HANDSHAKE)
            sampo__mptcp_handshake(ctx, sf, j->dir, o, ts);
        if (o->present && !sf->sess)
            sampo__members_ensure(ctx, sf, ts); /* without memory: no session yet (counted) */
        sampo__dsn_on_packet(&ctx->env, sf, j->dir, &j->p, o, ts, res != NULL, &f);
        if (f.fell_back || f.data_fin_first)
            sampo__mptcp_dsn_facts(ctx, sf, j->dir, &f, ts);
        if (res && f.mapping && sf->sess && sampo__session_size(sf->sess) > 1)
            reinj = reinjection(ctx, sf, j->dir, &f);
        if (o->present & OPTION_EVENTS)
            sampo__mptcp_options(ctx, sf, o, ts);
        if (j->p.tcp_flags & (SAMPO__TH_SYN | SAMPO__TH_FIN | SAMPO__TH_RST))
            sampo__mptcp_tcp_flags(ctx, sf, j->dir, &j->p, o, ts);
    }
    if (res)
        result_fill(ctx, sf, j, &f, created, reinj, res);
    return rc;
}
