/*
 * bench_assoc.c - association time, packet rate and memory of libsampo.
 *
 *   bench_assoc [--pcap FILE] [--quick] [--sizes N,N,...] [--per-subflow P] [--rate R] [--tsv FILE]
 *   bench_assoc --one N      one untimed run of N subflows (for callgrind:
 * --toggle-collect=work_once; its phases bench_feed_phase and bench_assoc_phase split the work into
 * the feed path and the association run)
 *
 * Prints Markdown sections (bench/run.sh puts them into docs/benchmarks.md):
 *
 *  1. Association from scratch against the number of subflows (160, 1k, 10k, 100k), on the
 *     synthetic traffic of traffic.c (bench_assoc's model since 0.1, same packets): sessions of
 *     4 subflows (fullmesh of 2 client x 2 server addresses) and of 2 (20 % of the subflows),
 *     64-bit DSNs from a random IDSN per session and direction, download mappings of 1400 bytes
 *     interleaved round-robin over the session's subflows, DATA_ACKs on the reverse direction,
 *     as seen after 1-in-R sampling (R = 101) with about P = 40 sampled packets per subflow, all
 *     within one association window (0.45 s of packet time, γ = 0.5 s).  Token evidence is off
 *     (the CLI's --no-token): only DSNs can associate.  Timed: feeding every packet, then
 *     sampo_ctx_flush() (the association run); the flush alone too.  Checked in the same run:
 *     sessions found exactly, pair precision and recall against the generated truth.
 *  2. Packets per second fed from memory: every packet of a capture (default
 *     data/pcaps/lab-v1-paper.pcap) preloaded with libpcap, fed 10 times, each pass into a new
 *     context, with all evidence and with token evidence off.
 *  3. Memory: the context's mem_peak counter (every byte the library allocates) for N
 *     subflows and S retained DSN segments, fitted as mem_peak = a + b*N + c*S.
 *
 * --tsv FILE also writes every figure, one per line, for bench/compare.py: bench/run.sh runs
 * this same program built against this tree's library and against a base commit's (the
 * source builds against libsampo 0.1.0 and later), in alternating rounds, and sets the
 * figures side by side.  The per-packet latency in steady state is bench_latency.c's.
 *
 * Wall time from clock_gettime(CLOCK_MONOTONIC); every figure is the median of repeated
 * runs.  Single thread (one core).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_int and friends; clock_gettime */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktgen.h"
#include "sampo.h"
#include "traffic.h"

/* ------------------------------------------------------------------------ */
/* utilities                                                                */
/* ------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU time: unlike wall time, it does not count the time the
 * thread waited for a core, so on a shared machine it varies less between
 * runs (--tsv only: the figures that bench/compare.py sets side by side). */
static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        fprintf(stderr, "bench_assoc: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* --tsv FILE: every figure also as one line "key value unit lower|higher
 * timed|exact label" (tab-separated) for bench/compare.py, which sets the
 * figures of two library versions side by side.  timed: a wall or CPU time
 * (or derived from one), which varies between runs; exact: deterministic
 * (memory, counts). */
static FILE *tsv_out;

static void figure(const char *key, double v, const char *unit, int lower_is_better, int timed,
                   const char *label)
{
    if (tsv_out)
        fprintf(tsv_out, "%s\t%.6g\t%s\t%s\t%s\t%s\n", key, v, unit,
                lower_is_better ? "lower" : "higher", timed ? "timed" : "exact", label);
}

static void count_event(const sampo_event *ev, void *user)
{
    (void)ev;
    ++*(uint64_t *)user;
}

/* A packet held in memory: bytes in one arena. */
struct mpkt {
    uint64_t ts_ns;
    uint64_t off;
    uint32_t caplen, wirelen;
};

struct pktset {
    struct mpkt *p;
    size_t n, cap;
    uint8_t *arena;
    uint64_t used, acap;
};

/* Lay the bytes out in feed order, as a capture file or a ring buffer
 * presents them: the packets were generated subflow by subflow and then
 * sorted by time, and reading a large arena out of order would measure
 * the benchmark's own cache misses. */
static void ps_compact(struct pktset *s)
{
    uint8_t *a = malloc(s->used ? s->used : 1);
    uint64_t used = 0;
    if (!a)
        exit(1);
    for (size_t i = 0; i < s->n; i++) {
        memcpy(a + used, s->arena + s->p[i].off, s->p[i].caplen);
        s->p[i].off = used;
        used += s->p[i].caplen;
    }
    free(s->arena);
    s->arena = a;
    s->acap = s->used = used;
}

static void ps_add(struct pktset *s, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                   uint64_t ts)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->p = realloc(s->p, s->cap * sizeof *s->p);
        if (!s->p)
            exit(1);
    }
    if (s->used + caplen > s->acap) {
        s->acap = s->acap ? 2 * s->acap : (1u << 20);
        while (s->used + caplen > s->acap)
            s->acap *= 2;
        s->arena = realloc(s->arena, s->acap);
        if (!s->arena)
            exit(1);
    }
    memcpy(s->arena + s->used, data, caplen);
    s->p[s->n].ts_ns = ts;
    s->p[s->n].off = s->used;
    s->p[s->n].caplen = caplen;
    s->p[s->n].wirelen = wirelen;
    s->used += caplen;
    s->n++;
}

static void ps_free(struct pktset *s)
{
    free(s->p);
    free(s->arena);
    memset(s, 0, sizeof *s);
}

static int cmp_ts(const void *a, const void *b)
{
    const struct mpkt *x = a, *y = b;
    if (x->ts_ns != y->ts_ns)
        return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
    return (x->off > y->off) - (x->off < y->off);
}

/* ------------------------------------------------------------------------ */
/* 1. synthetic sampled sessions (traffic.c), all within one window          */
/* ------------------------------------------------------------------------ */

#define SPAN_NS 450000000ull /* all sampled packets within 0.45 s (< the 0.5 s window) */

struct workload {
    struct traffic t;
    size_t subflows, sessions, sessions4, sessions2;
    uint32_t per_subflow, rate;
    struct pktset ps;
};

/* One subflow's packets, each a data segment or an ACK by the workload's
 * generator (drawn right after the subflow's parameters: bench_assoc's
 * packets since 0.1). */
static void gen_subflow(struct traffic *t, const struct traffic_subflow *sf, void *user)
{
    struct workload *w = user;

    for (uint32_t j = 0; j < w->per_subflow; j++) {
        tpkt p;
        int data = (int)(traffic_rnd(&t->rng) & 1);
        uint64_t ts = traffic_packet(t, sf, j, data, &p);
        ps_add(&w->ps, p.buf, p.len, p.wirelen, ts);
    }
}

static void gen_workload(struct workload *w, size_t subflows, uint32_t per_subflow, uint32_t rate)
{
    memset(w, 0, sizeof *w);
    w->per_subflow = per_subflow;
    w->rate = rate;
    traffic_init(&w->t, subflows, per_subflow, SPAN_NS, rate,
                 0x5a4d50u + subflows * 7919u + per_subflow);
    w->subflows = w->t.subflows;
    w->sessions = w->t.sessions;
    w->sessions4 = w->t.sessions4;
    w->sessions2 = w->t.sessions2;
    traffic_layout(&w->t, gen_subflow, w);
    qsort(w->ps.p, w->ps.n, sizeof *w->ps.p, cmp_ts);
    ps_compact(&w->ps);
}

struct assoc_result {
    double total_ms, flush_ms, feed_mpps;
    double total_cpu_ms, flush_cpu_ms;
    uint64_t mem_peak, segments, events;
    struct traffic_score sc;
};

static sampo_ctx *new_ctx(int token_evidence, uint64_t *events)
{
    sampo_ctx *ctx;

    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK) {
        fprintf(stderr, "bench_assoc: sampo_ctx_create failed\n");
        exit(1);
    }
    sampo_ctx_set_option(ctx, SAMPO_OPT_TOKEN_EVIDENCE, token_evidence);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 0x5a4d50);
    sampo_ctx_set_event_callback(ctx, count_event, events);
    return ctx;
}

/* Feed every packet through sampo_ctx_feed_batch() in bursts of 256 (as a
 * capture loop hands them over), draining any queued events after each
 * burst as a consumer does: queued events are the consumer's backlog, not
 * association state. */
#define BURST 256
static void feed_set(sampo_ctx *ctx, const struct pktset *s, uint32_t rate)
{
    static sampo_packet burst[BURST];
    sampo_event ev = SAMPO_EVENT_INIT;

    for (size_t i = 0; i < s->n; i += BURST) {
        size_t m = s->n - i < BURST ? s->n - i : BURST;
        for (size_t k = 0; k < m; k++) {
            sampo_packet *p = &burst[k];
            p->size = sizeof(*p);
            p->linktype = SAMPO_LINKTYPE_ETHERNET;
            p->sampling_rate = rate;
            p->source_id = 0;
            p->data = s->arena + s->p[i + k].off;
            p->caplen = s->p[i + k].caplen;
            p->wirelen = s->p[i + k].wirelen;
            p->ts_ns = s->p[i + k].ts_ns;
        }
        sampo_ctx_feed_batch(ctx, burst, m, NULL);
        while (sampo_ctx_next_event(ctx, &ev) > 0)
            ;
    }
}

/* One association from scratch, untimed: what `--one N` runs under
 * callgrind (--toggle-collect=work_once) to count its instructions, which,
 * unlike wall time, do not depend on how much of the state fits in cache.
 * Its two phases are functions of their own, so that their inclusive costs
 * (callgrind_annotate --inclusive=yes) split the work into the feed path
 * (every packet fed, subflows and segments created) and the association
 * run (sampo_ctx_flush()). */
#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_PHASE __attribute__((noipa))
#else
#define BENCH_PHASE __attribute__((noinline))
#endif
BENCH_PHASE void bench_feed_phase(sampo_ctx *ctx, const struct workload *w);
BENCH_PHASE void bench_feed_phase(sampo_ctx *ctx, const struct workload *w)
{
    feed_set(ctx, &w->ps, w->rate);
}

BENCH_PHASE void bench_assoc_phase(sampo_ctx *ctx);
BENCH_PHASE void bench_assoc_phase(sampo_ctx *ctx) { sampo_ctx_flush(ctx); }

BENCH_PHASE void work_once(const struct workload *w);
BENCH_PHASE void work_once(const struct workload *w)
{
    uint64_t events = 0;
    sampo_ctx *ctx = new_ctx(0, &events);
    bench_feed_phase(ctx, w);
    bench_assoc_phase(ctx);
    sampo_ctx_destroy(ctx);
}

static struct assoc_result run_assoc(const struct workload *w, int reps, int check)
{
    struct assoc_result res;
    double *tot = xmalloc((size_t)reps * sizeof(double)),
           *fl = xmalloc((size_t)reps * sizeof(double));
    double *ctot = xmalloc((size_t)reps * sizeof(double)),
           *cfl = xmalloc((size_t)reps * sizeof(double));

    memset(&res, 0, sizeof res);
    for (int r = 0; r < reps; r++) {
        uint64_t events = 0;
        sampo_ctx *ctx = new_ctx(0, &events);
        double c0 = cpu_s(), t0 = now_s(), t1, t2, c1, c2;
        feed_set(ctx, &w->ps, w->rate);
        c1 = cpu_s();
        t1 = now_s();
        sampo_ctx_flush(ctx);
        t2 = now_s();
        c2 = cpu_s();
        tot[r] = (t2 - t0) * 1e3;
        fl[r] = (t2 - t1) * 1e3;
        ctot[r] = (c2 - c0) * 1e3;
        cfl[r] = (c2 - c1) * 1e3;
        if (r == reps - 1) {
            res.mem_peak = sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK);
            res.segments = sampo_ctx_counter(ctx, SAMPO_CNT_DSN_SEGMENTS);
            res.events = events;
            if (check)
                res.sc = traffic_score_ctx(ctx, &w->t);
        }
        sampo_ctx_destroy(ctx);
    }
    res.total_ms = median(tot, reps);
    res.flush_ms = median(fl, reps);
    res.feed_mpps = (double)w->ps.n / ((res.total_ms - res.flush_ms) / 1e3) / 1e6;
    res.total_cpu_ms = median(ctot, reps);
    res.flush_cpu_ms = median(cfl, reps);
    free(tot);
    free(fl);
    free(ctot);
    free(cfl);
    return res;
}

static const char *pf(int ok) { return ok ? "**PASS**" : "**FAIL**"; }

static void pct(char *buf, size_t n, double x)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f %%", 100 * x);
}

/* ------------------------------------------------------------------------ */
/* 2. a capture from memory                                                 */
/* ------------------------------------------------------------------------ */

static int load_pcap(const char *path, struct pktset *s, int *linktype)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    struct pcap_pkthdr *h;
    const u_char *d;

    if (!pc) {
        fprintf(stderr, "bench_assoc: %s: %s\n", path, err);
        return -1;
    }
    *linktype = pcap_datalink(pc);
    while (pcap_next_ex(pc, &h, &d) == 1)
        ps_add(s, d, h->caplen, h->len,
               (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec);
    pcap_close(pc);
    return 0;
}

static void bench_pcap(const char *path, int passes)
{
    struct pktset s;
    int lt;

    memset(&s, 0, sizeof s);
    if (load_pcap(path, &s, &lt) != 0)
        return;
    printf("## Packets per second, fed from memory\n\n");
    printf("Every packet of `%s` (%zu packets, %.1f MB of captured bytes) preloaded with libpcap, "
           "then fed\n"
           "%d times, each pass into a new context with `sampo_ctx_feed()` and ended with "
           "`sampo_ctx_flush()`;\n"
           "one thread. Time per pass: median of the %d passes.\n\n",
           path, s.n, (double)s.used / 1e6, passes, passes);
    printf("| evidence | API | packets per pass | median pass | packets per second (one core) | "
           "peak library memory | target >= 5 M/s |\n");
    printf("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for (int mode = 0; mode < 4; mode++) {
        int tok = !(mode & 1), batch = mode >> 1;
        double *t = xmalloc((size_t)passes * sizeof(double)),
               *ct = xmalloc((size_t)passes * sizeof(double));
        uint64_t peak = 0;
        for (int r = 0; r < passes; r++) {
            uint64_t events = 0;
            sampo_ctx *ctx = new_ctx(tok, &events);
            sampo_packet p = SAMPO_PACKET_INIT;
            double c0 = cpu_s(), t0 = now_s();
            p.linktype = lt;
            if (batch) {
                static sampo_packet burst[BURST];
                for (size_t i = 0; i < s.n; i += BURST) {
                    size_t m = s.n - i < BURST ? s.n - i : BURST;
                    for (size_t k = 0; k < m; k++) {
                        burst[k] = p;
                        burst[k].data = s.arena + s.p[i + k].off;
                        burst[k].caplen = s.p[i + k].caplen;
                        burst[k].wirelen = s.p[i + k].wirelen;
                        burst[k].ts_ns = s.p[i + k].ts_ns;
                    }
                    sampo_ctx_feed_batch(ctx, burst, m, NULL);
                }
            } else {
                for (size_t i = 0; i < s.n; i++) {
                    p.data = s.arena + s.p[i].off;
                    p.caplen = s.p[i].caplen;
                    p.wirelen = s.p[i].wirelen;
                    p.ts_ns = s.p[i].ts_ns;
                    sampo_ctx_feed(ctx, &p);
                }
            }
            sampo_ctx_flush(ctx);
            t[r] = now_s() - t0;
            ct[r] = cpu_s() - c0;
            peak = sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK);
            sampo_ctx_destroy(ctx);
        }
        double m = median(t, passes), pps = (double)s.n / m;
        {
            char k[64], l[160];
            snprintf(k, sizeof k, "pcap.%s.%s", tok ? "all" : "dsn", batch ? "batch" : "feed");
            snprintf(l, sizeof l, "capture from memory, %s, %s: pass",
                     tok ? "all evidence" : "DSN only", batch ? "feed_batch()" : "feed()");
            figure(k, m * 1e3, "ms", 1, 1, l);
            snprintf(k, sizeof k, "pcap.%s.%s.cpu", tok ? "all" : "dsn", batch ? "batch" : "feed");
            strncat(l, ", thread CPU time", sizeof l - strlen(l) - 1);
            figure(k, median(ct, passes) * 1e3, "ms CPU", 1, 1, l);
        }
        printf("| %s | %s | %zu | %.2f ms | %.2f M | %.0f KiB | %s |\n",
               tok ? "all (default)" : "DSN only (token evidence off)",
               batch ? "`sampo_ctx_feed_batch()`, bursts of 256" : "`sampo_ctx_feed()`", s.n,
               m * 1e3, pps / 1e6, (double)peak / 1024, pf(pps >= 5e6));
        free(t);
        free(ct);
    }
    printf("\n");
    ps_free(&s);
}

/* ------------------------------------------------------------------------ */
/* 3. memory fit                                                            */
/* ------------------------------------------------------------------------ */

/* Least squares for y = a + b*x1 + c*x2 (normal equations, Cramer's rule). */
static void fit3(const double *x1, const double *x2, const double *y, int n, double *a, double *b,
                 double *c)
{
    double S[3][3] = {{0}}, T[3] = {0}, det, m[3][3];
    for (int i = 0; i < n; i++) {
        double v[3] = {1, x1[i], x2[i]};
        for (int r = 0; r < 3; r++) {
            T[r] += v[r] * y[i];
            for (int q = 0; q < 3; q++)
                S[r][q] += v[r] * v[q];
        }
    }
#define DET3(M)                                          \
    (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - \
     M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + \
     M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]))
    det = DET3(S);
    double *out[3] = {a, b, c};
    for (int k = 0; k < 3; k++) {
        memcpy(m, S, sizeof m);
        for (int r = 0; r < 3; r++)
            m[r][k] = T[r];
        *out[k] = det != 0 ? DET3(m) / det : NAN;
    }
#undef DET3
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    size_t sizes[8] = {160, 1000, 10000, 100000};
    int nsizes = 4, quick = 0;
    unsigned long one = 0;
    uint32_t per = 40, rate = 101;
    const char *pcap_path = "data/pcaps/lab-v1-paper.pcap";

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--one") && i + 1 < argc)
            one = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--tsv") && i + 1 < argc) {
            if (!(tsv_out = fopen(argv[++i], "w"))) {
                fprintf(stderr, "bench_assoc: %s: %s\n", argv[i], strerror(errno));
                return 1;
            }
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc)
            pcap_path = argv[++i];
        else if (!strcmp(argv[i], "--per-subflow") && i + 1 < argc)
            per = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
            rate = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            char *s = argv[++i], *e;
            nsizes = 0;
            while (*s && nsizes < 8) {
                sizes[nsizes++] = (size_t)strtoull(s, &e, 10);
                s = *e ? e + 1 : e;
            }
        } else {
            fprintf(stderr, "usage: bench_assoc [--quick] [--pcap FILE] [--sizes N,N,..] "
                            "[--per-subflow P] [--rate R] [--tsv FILE]\n"
                            "       bench_assoc --one N\n");
            return 2;
        }
    }
    if (per < 2 || rate < 1 || nsizes < 1) {
        fprintf(stderr, "bench_assoc: bad arguments\n");
        return 2;
    }

    if (one) {
        struct workload w;
        gen_workload(&w, one, per, rate);
        work_once(&w);
        ps_free(&w.ps);
        return 0;
    }

    /* 1 */
    printf("## Association from scratch against the number of subflows\n\n");
    printf("Generated in memory (`bench/bench_assoc.c`): sessions of 4 subflows (2 client x 2 "
           "server addresses)\n"
           "and, for 20 %% of the subflows, of 2; 64-bit DSNs from a random IDSN per session and "
           "direction;\n"
           "download mappings of %u bytes interleaved round-robin over a session's subflows, "
           "DATA_ACKs on the\n"
           "reverse direction; what 1-in-%u sampling leaves: about %u packets per subflow, half "
           "data, half ACKs,\n"
           "declared with `sampling_rate = %u`. All packets fall within 0.45 s of packet time, one "
           "association\n"
           "window: the association runs once, in `sampo_ctx_flush()`. Token evidence off (like "
           "`--no-token`):\n"
           "there are no handshakes anyway, only DSNs can associate. *Total* = feeding every "
           "packet +\n"
           "flush; *flush* = the association run alone. Median of repeated runs (5, or %d at "
           "100k); the\n"
           "association result is checked in the same run against the generated sessions.\n\n",
           TRAFFIC_SEG, rate, per, rate, quick ? 1 : 3);
    printf("| subflows | sessions (4 + 2 subflows) | packets | total | flush alone | feed rate | "
           "peak memory | "
           "sessions found exactly | pair precision | pair recall |\n");
    printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    double totals[8] = {0}, mem160 = 0, tot160 = 0;
    size_t pk160 = 0;
    for (int i = 0; i < nsizes; i++) {
        struct workload w;
        gen_workload(&w, sizes[i], per, rate);
        int reps = w.subflows >= 50000 ? (quick ? 1 : 3) : 5;
        struct assoc_result r = run_assoc(&w, reps, 1);
        char p1[32], p2[32];
        pct(p1, sizeof p1, r.sc.precision);
        pct(p2, sizeof p2, r.sc.recall);
        printf("| %zu | %zu (%zu + %zu) | %zu | %.2f ms | %.2f ms | %.2f M/s | %.0f KiB | %zu of "
               "%zu | %s | %s |\n",
               w.subflows, w.sessions, w.sessions4, w.sessions2, w.ps.n, r.total_ms, r.flush_ms,
               r.feed_mpps, (double)r.mem_peak / 1024, r.sc.exact, w.sessions, p1, p2);
        fflush(stdout);
        {
            char k[64], l[128];
#define FIG(suffix, v, unit, low, wall, what)                                      \
    do {                                                                           \
        snprintf(k, sizeof k, "assoc.%zu.%s", w.subflows, suffix);                 \
        snprintf(l, sizeof l, "from scratch, %zu subflows: %s", w.subflows, what); \
        figure(k, v, unit, low, wall, l);                                          \
    } while (0)
            FIG("total", r.total_ms, "ms", 1, 1, "feed + flush");
            FIG("flush", r.flush_ms, "ms", 1, 1, "flush (association run)");
            FIG("feed_rate", r.feed_mpps, "M/s", 0, 1, "feed rate");
            FIG("total_cpu", r.total_cpu_ms, "ms CPU", 1, 1, "feed + flush, thread CPU time");
            FIG("flush_cpu", r.flush_cpu_ms, "ms CPU", 1, 1, "flush, thread CPU time");
            FIG("mem_peak", (double)r.mem_peak / 1024, "KiB", 1, 0, "peak memory");
            FIG("exact", (double)r.sc.exact, "sessions", 0, 0, "sessions found exactly");
#undef FIG
        }
        totals[i] = r.total_ms;
        if (w.subflows == 160) {
            mem160 = (double)r.mem_peak;
            tot160 = r.total_ms;
            pk160 = w.ps.n;
        }
        ps_free(&w.ps);
    }
    printf("\n");
    printf("| target | measured | result |\n| --- | --- | --- |\n");
    if (pk160) {
        printf("| 160 subflows, %zu packets, from scratch in at most 2 ms (paper: 237 ms) | %.2f "
               "ms | %s |\n",
               pk160, tot160, pf(tot160 <= 2.0));
        printf("| the paper's window (160 subflows) in at most 256 KiB (paper: 1 MB) | %.0f KiB | "
               "%s |\n",
               mem160 / 1024, pf(mem160 <= 256.0 * 1024));
    }
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] == 100000)
            printf("| 100k subflows in at most 2 s | %.0f ms | %s |\n", totals[i],
                   pf(totals[i] <= 2000.0));
    }
    {
        double worst = 0;
        char buf[256] = "";
        size_t used = 0;
        for (int i = 1; i < nsizes; i++) {
            if (sizes[i] == 10 * sizes[i - 1] && totals[i - 1] > 0) {
                double q = totals[i] / totals[i - 1];
                used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%zu -> %zu: x%.1f",
                                         used ? "; " : "", sizes[i - 1], sizes[i], q);
                if (sizes[i - 1] >= 1000 && q > worst) /* below 1k, fixed costs dominate */
                    worst = q;
            }
        }
        if (used)
            printf("| wall time about linear in subflows: at most x15 per 10x from 1k up (exponent "
                   "<= 1.18); the work, by instructions, is in the next section | %s | %s |\n",
                   buf, pf(worst > 0 && worst <= 15.0));
    }
    printf("\n");

    /* 2 */
    bench_pcap(pcap_path, quick ? 3 : 10);

    /* 3 */
    {
        size_t ns[] = {500, 1000, 2000, 4000, 1000, 1000, 1000, 1000};
        uint32_t ps[] = {40, 40, 40, 40, 10, 20, 80, 160};
        int n = 8;
        double x1[8], x2[8], y[8], a, b, c;
        printf("## Memory per subflow and per retained segment\n\n");
        printf("Peak of the context's `mem_peak` counter (every byte the library allocates, "
               "through its\n"
               "allocator) for N subflows of the workload above with P sampled packets each; S = "
               "DSN segments\n"
               "retained (counter `dsn_segments`, nothing is pruned within one window). Fitted by "
               "least squares:\n"
               "mem_peak = a + b·N + c·S.\n\n");
        printf("| subflows N | packets per subflow | segments S | mem_peak |\n| ---: | ---: | ---: "
               "| ---: |\n");
        for (int i = 0; i < n; i++) {
            struct workload w;
            gen_workload(&w, ns[i], ps[i], rate);
            struct assoc_result r = run_assoc(&w, 1, 0);
            x1[i] = (double)w.subflows;
            x2[i] = (double)r.segments;
            y[i] = (double)r.mem_peak;
            printf("| %zu | %u | %" PRIu64 " | %.0f KiB |\n", w.subflows, ps[i], r.segments,
                   y[i] / 1024);
            ps_free(&w.ps);
        }
        fit3(x1, x2, y, n, &a, &b, &c);
        figure("mem.per_subflow", b, "bytes", 1, 0, "memory per subflow (fit)");
        figure("mem.per_segment", c, "bytes", 1, 0, "memory per retained segment (fit)");
        printf("\nFit: a = %.0f bytes fixed, **b = %.0f bytes per subflow**, **c = %.1f bytes per "
               "retained "
               "segment**.\n",
               a, b, c);
        printf("At the paper's window (160 subflows, about 20 data segments each = 3200 segments) "
               "that predicts "
               "%.0f KiB.\n\n",
               (a + b * 160 + c * 3200) / 1024);
    }
    if (tsv_out && fclose(tsv_out) != 0) {
        fprintf(stderr, "bench_assoc: writing the figures failed\n");
        return 1;
    }
    return 0;
}
