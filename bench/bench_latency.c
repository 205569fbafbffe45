/*
 * bench_latency.c - how long one packet waits in sampo_ctx_feed(), in steady state.
 *
 *   bench_latency [--quick] [--sizes N,N,...] [--modes a,b] [--evidence dsn,all]
 *                 [--pps P] [--rate R] [--warmup S] [--seconds S] [--tsv FILE]
 *   bench_latency --one N [--mode a|b] [--token 0|1] [--warmup S] [--seconds S]
 *                 one untimed run (for callgrind: --toggle-collect=bench_lat_feed
 *                 and bench_lat_run count the measured feed calls and timer runs)
 *
 * Prints a Markdown section (bench/run.sh puts it into docs/benchmarks.md).
 *
 * Traffic: bench_assoc's model (traffic.c: sessions of 4 and 2 subflows, 64-bit DSN
 * mappings and DATA_ACKs, what 1-in-R sampling leaves, R = 101 declared per packet), as an
 * endless time-ordered stream: every subflow sends P = 20 sampled packets per second of
 * packet time, so that many association windows (0.5 s by default) close.  Per case (1k,
 * 10k, 100k subflows; token evidence off and on; mode):
 *   - warm-up: W seconds of packet time (default 2.5 s, more than the 2 s retention of DSN
 *     segments): every subflow is created, the first, from-scratch runs are over, segments
 *     are pruned as fast as they come;
 *   - measured: the next S seconds (default 4 s): clock_gettime(CLOCK_MONOTONIC) before and
 *     after every sampo_ctx_feed() call; events are drained between calls, untimed.
 * Modes:
 *   a. automatic runs (default options): association and idle expiry run inside the
 *      feed call whose packet closes a window: that packet waits for the whole run;
 *   b. runs off the packet path (libsampo >= 0.2.0 only): SAMPO_OPT_AUTO_RUN = 0 and the
 *      benchmark calls sampo_ctx_run(ctx, t) itself, between packets, every window of
 *      packet time (t = the timer's due time), as a caller's timer would; those calls are
 *      timed separately and are not in the per-packet figures.
 * The clock's own cost (median of back-to-back clock_gettime pairs, measured just before
 * each case's measured phase) is subtracted from every per-packet figure and reported.
 * Percentiles are nearest-rank over every timed call.  Deterministic input (fixed seeds,
 * fixed hash seed); one thread.
 *
 * Builds against libsampo 0.1.0 too (mode a only): mode b needs SAMPO_VERSION_NUMBER >= 200.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* clock_gettime */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktgen.h"
#include "sampo.h"
#include "traffic.h"

#if SAMPO_VERSION_NUMBER >= 200
#define HAVE_RUN 1 /* SAMPO_OPT_AUTO_RUN and sampo_ctx_run() */
#else
#define HAVE_RUN 0
#endif

#define TARGET_P999_NS 5000.0 /* off the path, p99.9 at 100k subflows: at most 5 us */

/* ------------------------------------------------------------------------ */

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        fprintf(stderr, "bench_latency: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

static FILE *tsv_out; /* --tsv: figures for bench/compare.py (see bench_assoc.c) */

static void figure(const char *key, double v, const char *unit, int lower_is_better, int timed,
                   const char *label)
{
    if (tsv_out)
        fprintf(tsv_out, "%s\t%.6g\t%s\t%s\t%s\t%s\n", key, v, unit,
                lower_is_better ? "lower" : "higher", timed ? "timed" : "exact", label);
}

/* Nearest-rank percentiles of n latencies: exact, by counting (values below
 * 2^16 ns) and sorting the few above. */
struct dist {
    size_t n;
    uint64_t p50, p99, p999, max;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

#define LOW_BUCKETS 65536u
static struct dist distribution(const uint32_t *v, size_t n)
{
    static uint32_t count[LOW_BUCKETS];
    struct dist d;
    size_t nhigh = 0, i;
    uint32_t *high;
    double qs[3] = {0.50, 0.99, 0.999};
    uint64_t *out[3] = {&d.p50, &d.p99, &d.p999};

    memset(&d, 0, sizeof d);
    d.n = n;
    if (!n)
        return d;
    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++) {
        if (v[i] < LOW_BUCKETS)
            count[v[i]]++;
        else
            nhigh++;
    }
    high = xmalloc(nhigh * sizeof *high);
    nhigh = 0;
    for (i = 0; i < n; i++)
        if (v[i] >= LOW_BUCKETS)
            high[nhigh++] = v[i];
    qsort(high, nhigh, sizeof *high, cmp_u32);
    for (int q = 0; q < 3; q++) {
        size_t rank = (size_t)ceil(qs[q] * (double)n); /* 1-based */
        size_t seen = 0;
        uint32_t b;
        if (rank < 1)
            rank = 1;
        for (b = 0; b < LOW_BUCKETS; b++) {
            seen += count[b];
            if (seen >= rank)
                break;
        }
        *out[q] = b < LOW_BUCKETS ? b : high[rank - seen - 1];
    }
    if (nhigh)
        d.max = high[nhigh - 1];
    else
        for (uint32_t b = LOW_BUCKETS; b-- > 0;)
            if (count[b]) {
                d.max = b;
                break;
            }
    free(high);
    return d;
}

/* The clock's own cost in this run: back-to-back pairs. */
static struct dist clock_overhead(void)
{
    enum { N = 1 << 18 };
    uint32_t *d = xmalloc(N * sizeof *d);
    struct dist r;

    for (int i = 0; i < N; i++) {
        uint64_t t0 = now_ns(), t1 = now_ns();
        d[i] = (uint32_t)(t1 - t0);
    }
    r = distribution(d, N);
    free(d);
    return r;
}

/* ------------------------------------------------------------------------ */
/* one case                                                                 */
/* ------------------------------------------------------------------------ */

/* The calls that are measured go through these wrappers, so that callgrind
 * (--toggle-collect=bench_lat_feed and the others) counts exactly them: the
 * warm-up feeds directly.  In mode a, the packets that close a window (by the
 * library's rule: the first window ends a window after the first packet,
 * each next one a window later, skipping empty ones) go through
 * bench_lat_feed_window(), so that the runs' instructions and the plain
 * packets' are counted apart; the association-run counter, read after every
 * call, checks that prediction (mispredicted, printed by --one). */
#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_PHASE __attribute__((noipa))
#else
#define BENCH_PHASE __attribute__((noinline))
#endif
BENCH_PHASE int bench_lat_feed(sampo_ctx *ctx, const sampo_packet *p);
BENCH_PHASE int bench_lat_feed(sampo_ctx *ctx, const sampo_packet *p)
{
    return sampo_ctx_feed(ctx, p);
}

BENCH_PHASE int bench_lat_feed_window(sampo_ctx *ctx, const sampo_packet *p);
BENCH_PHASE int bench_lat_feed_window(sampo_ctx *ctx, const sampo_packet *p)
{
    return sampo_ctx_feed(ctx, p);
}

#if HAVE_RUN
BENCH_PHASE int bench_lat_run(sampo_ctx *ctx, uint64_t t);
BENCH_PHASE int bench_lat_run(sampo_ctx *ctx, uint64_t t) { return sampo_ctx_run(ctx, t); }
#endif

struct params {
    uint32_t pps, rate;
    double warmup_s, seconds;
};

struct result {
    char mode;
    int token;
    size_t subflows, sessions;
    struct dist lat;              /* per packet, clock overhead subtracted */
    struct dist overhead;         /* of the clock */
    size_t timer_runs;            /* mode b: sampo_ctx_run() calls in the measured phase */
    uint64_t run_median, run_max; /* ... their wall times, ns */
    uint64_t runs_in_feed;        /* association runs that happened inside feed calls */
    size_t windows;               /* mode a: measured packets predicted to close a window */
    size_t mispredicted;          /* ... calls where that prediction and the run counter disagree */
    size_t run_errors;            /* mode b: sampo_ctx_run() calls that did not return SAMPO_OK */
    uint64_t mem_peak;
    struct traffic_score sc;
    double wall_s;
};

static uint64_t drain(sampo_ctx *ctx)
{
    sampo_event ev = SAMPO_EVENT_INIT;
    uint64_t n = 0;

    while (sampo_ctx_next_event(ctx, &ev) > 0)
        n++;
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* timed = 0: --one, nothing timed */
static struct result run_case(char mode, int token, size_t subflows, const struct params *pa,
                              int timed)
{
    struct result res;
    struct traffic t;
    struct traffic_stream st;
    sampo_ctx *ctx;
    sampo_packet p = SAMPO_PACKET_INIT;
    tpkt pk;
    int64_t window = 0;
    uint64_t start, warm_end, end, due, runs_last;
    uint32_t *lat = NULL;
    size_t nlat = 0, cap = 0;
    uint64_t runt[4096];
    size_t nrun = 0;
    double w0 = (double)now_ns();

    memset(&res, 0, sizeof res);
    res.mode = mode;
    res.token = token;
    traffic_init(&t, subflows, pa->pps, 1000000000ull, pa->rate,
                 0x6c6174u + subflows * 7919u + pa->pps);
    traffic_stream_init(&st, &t);
    res.subflows = t.subflows;
    res.sessions = t.sessions;

    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK) {
        fprintf(stderr, "bench_latency: sampo_ctx_create failed\n");
        exit(1);
    }
    sampo_ctx_set_option(ctx, SAMPO_OPT_TOKEN_EVIDENCE, token);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 0x5a4d50);
#if HAVE_RUN
    if (mode == 'b' && sampo_ctx_set_option(ctx, SAMPO_OPT_AUTO_RUN, 0) != SAMPO_OK) {
        fprintf(stderr, "bench_latency: SAMPO_OPT_AUTO_RUN refused: %s\n",
                sampo_ctx_last_error(ctx));
        exit(1);
    }
#endif
    sampo_ctx_get_option(ctx, SAMPO_OPT_WINDOW_NS, &window);
    p.linktype = SAMPO_LINKTYPE_ETHERNET;
    p.sampling_rate = pa->rate;

    start = traffic_stream_peek(&st);
    warm_end = start + (uint64_t)(pa->warmup_s * 1e9);
    end = warm_end + (uint64_t)(pa->seconds * 1e9);
    due = start + (uint64_t)window; /* mode b: the caller's timer; mode a: the library's next run */

    /* warm-up */
    while (traffic_stream_peek(&st) < warm_end) {
        uint64_t ts = traffic_stream_next(&st, &pk);
#if HAVE_RUN
        for (; mode == 'b' && ts >= due; due += (uint64_t)window) {
            res.run_errors += sampo_ctx_run(ctx, due) != SAMPO_OK;
            drain(ctx);
        }
#endif
        for (; mode == 'a' && ts >= due; due += (uint64_t)window)
            ;
        p.data = pk.buf;
        p.caplen = pk.len;
        p.wirelen = pk.wirelen;
        p.ts_ns = ts;
        sampo_ctx_feed(ctx, &p);
        drain(ctx);
    }

    if (timed) {
        res.overhead = clock_overhead();
        cap = (size_t)((double)t.subflows * pa->pps * pa->seconds * 1.05) + 1024;
        lat = xmalloc(cap * sizeof *lat);
        memset(lat, 0, cap * sizeof *lat); /* touch the pages now, not between calls */
    }
    runs_last = sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS);

    /* measured */
    while (traffic_stream_peek(&st) < end) {
        uint64_t ts = traffic_stream_next(&st, &pk), t0, t1;
#if HAVE_RUN
        for (; mode == 'b' && ts >= due; due += (uint64_t)window) {
            int rc;
            t0 = timed ? now_ns() : 0;
            rc = bench_lat_run(ctx, due);
            t1 = timed ? now_ns() : 0;
            res.run_errors += rc != SAMPO_OK;
            if (nrun < sizeof runt / sizeof runt[0])
                runt[nrun++] = t1 - t0;
            runs_last = sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS);
            drain(ctx);
        }
#endif
        int closes = 0;
        for (; mode == 'a' && ts >= due; due += (uint64_t)window)
            closes = 1;
        res.windows += (size_t)closes;
        p.data = pk.buf;
        p.caplen = pk.len;
        p.wirelen = pk.wirelen;
        p.ts_ns = ts;
        if (timed) {
            if (nlat == cap) {
                cap *= 2;
                lat = realloc(lat, cap * sizeof *lat);
                if (!lat)
                    exit(1);
            }
            t0 = now_ns();
            if (closes)
                bench_lat_feed_window(ctx, &p);
            else
                bench_lat_feed(ctx, &p);
            t1 = now_ns();
            lat[nlat++] = t1 - t0 > UINT32_MAX ? UINT32_MAX : (uint32_t)(t1 - t0);
        } else {
            if (closes)
                bench_lat_feed_window(ctx, &p);
            else
                bench_lat_feed(ctx, &p);
            nlat++;
        }
        {
            uint64_t rc = sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_RUNS);
            res.mispredicted += (size_t)((rc != runs_last) != closes);
            res.runs_in_feed += rc - runs_last;
            runs_last = rc;
        }
        drain(ctx);
    }

    res.timer_runs = nrun;
    if (res.run_errors) {
        fprintf(stderr, "bench_latency: %zu sampo_ctx_run() calls failed: %s\n", res.run_errors,
                sampo_ctx_last_error(ctx));
        exit(1);
    }
    res.mem_peak = sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK);
    if (timed) {
        uint32_t sub = (uint32_t)res.overhead.p50;
        for (size_t i = 0; i < nlat; i++)
            lat[i] = lat[i] > sub ? lat[i] - sub : 0;
        res.lat = distribution(lat, nlat);
        if (nrun) {
            qsort(runt, nrun, sizeof runt[0], cmp_u64);
            res.run_median = nrun % 2 ? runt[nrun / 2] : (runt[nrun / 2 - 1] + runt[nrun / 2]) / 2;
            res.run_max = runt[nrun - 1];
        }
        res.sc = traffic_score_ctx(ctx, &t); /* the verdicts of the last run */
    } else {
        res.lat.n = nlat;
    }
    free(lat);
    sampo_ctx_destroy(ctx);
    traffic_stream_free(&st);
    res.wall_s = ((double)now_ns() - w0) / 1e9;
    return res;
}

/* ------------------------------------------------------------------------ */

static void us(char *buf, size_t n, double ns)
{
    if (ns >= 1e6)
        snprintf(buf, n, "%.2f ms", ns / 1e6);
    else if (ns >= 1e4)
        snprintf(buf, n, "%.1f us", ns / 1e3);
    else
        snprintf(buf, n, "%.0f ns", ns);
}

static int parse_list(const char *s, size_t *out, int max)
{
    int n = 0;
    char *e;

    while (*s && n < max) {
        out[n++] = (size_t)strtoull(s, &e, 10);
        if (e == s)
            return -1;
        s = *e ? e + 1 : e;
    }
    return n;
}

int main(int argc, char **argv)
{
    size_t sizes[8] = {1000, 10000, 100000};
    int nsizes = 3, quick = 0, ev_mask = 3; /* 1: DSN only, 2: all evidence */
    char modes[3] = "a";
    unsigned long one = 0;
    int one_token = 0;
    char one_mode = 'a';
    struct params pa = {.pps = 20, .rate = 101, .warmup_s = -1, .seconds = -1};

#if HAVE_RUN
    strcpy(modes, "ab");
#endif
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick"))
            quick = 1;
        else if (!strcmp(a, "--one") && v)
            one = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--mode") && v && (v[0] == 'a' || v[0] == 'b') && !v[1])
            one_mode = argv[++i][0];
        else if (!strcmp(a, "--token") && v)
            one_token = atoi(argv[++i]) != 0;
        else if (!strcmp(a, "--sizes") && v) {
            if ((nsizes = parse_list(argv[++i], sizes, 8)) < 1)
                goto usage;
        } else if (!strcmp(a, "--modes") && v) {
            size_t k = 0;
            for (const char *c = argv[++i]; *c && k < 2; c++)
                if (*c == 'a' || *c == 'b')
                    modes[k++] = *c;
            modes[k] = 0;
        } else if (!strcmp(a, "--evidence") && v) {
            const char *e = argv[++i];
            ev_mask = (strstr(e, "dsn") ? 1 : 0) | (strstr(e, "all") ? 2 : 0);
        } else if (!strcmp(a, "--pps") && v)
            pa.pps = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--rate") && v)
            pa.rate = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--warmup") && v)
            pa.warmup_s = atof(argv[++i]);
        else if (!strcmp(a, "--seconds") && v)
            pa.seconds = atof(argv[++i]);
        else if (!strcmp(a, "--tsv") && v) {
            if (!(tsv_out = fopen(argv[++i], "w"))) {
                fprintf(stderr, "bench_latency: %s: %s\n", argv[i], strerror(errno));
                return 1;
            }
        } else {
        usage:
            fprintf(stderr, "usage: bench_latency [--quick] [--sizes N,N,..] [--modes a,b] "
                            "[--evidence dsn,all]\n"
                            "                     [--pps P] [--rate R] [--warmup S] [--seconds S] "
                            "[--tsv FILE]\n"
                            "       bench_latency --one N [--mode a|b] [--token 0|1] [--warmup S] "
                            "[--seconds S]\n");
            return 2;
        }
    }
    if (pa.warmup_s < 0)
        pa.warmup_s = quick ? 2.1 : 2.5;
    if (pa.seconds < 0)
        pa.seconds = quick ? 2.0 : 4.0;
    if (pa.pps < 1 || pa.rate < 1 || pa.seconds <= 0 || !ev_mask) {
        fprintf(stderr, "bench_latency: bad arguments\n");
        return 2;
    }
    if (sampo_version_number() != SAMPO_VERSION_NUMBER) {
        fprintf(stderr, "bench_latency: built with sampo.h %s but linked with libsampo %s\n",
                SAMPO_VERSION_STRING, sampo_version_string());
        return 1;
    }

    if (one) {
        struct result r;
        if (one_mode == 'b' && !HAVE_RUN) {
            fprintf(stderr, "bench_latency: mode b needs libsampo >= 0.2.0 (this is %s)\n",
                    SAMPO_VERSION_STRING);
            return 1;
        }
        r = run_case(one_mode, one_token, one, &pa, 0);
        printf("packets %zu windows %zu timer_runs %zu runs_in_feed %" PRIu64 " mispredicted %zu\n",
               r.lat.n, r.windows, r.timer_runs, r.runs_in_feed, r.mispredicted);
        return 0;
    }

    sampo_bounds wb = SAMPO_BOUNDS_INIT;
    double window_s = sampo_option_bounds(SAMPO_OPT_WINDOW_NS, &wb) == SAMPO_OK
                          ? (double)wb.idefault / 1e9
                          : NAN;

    printf("## Latency of each `sampo_ctx_feed()` call in steady state\n\n");
    printf("How long one packet waits in `sampo_ctx_feed()` (`bench/bench_latency.c`, libsampo "
           "%s). Traffic: the\n"
           "model of the section above (`bench/traffic.c`: sessions of 4 and 2 subflows, 64-bit "
           "DSN mappings and\n"
           "DATA_ACKs, 1-in-%u sampling declared per packet) as one time-ordered stream in which "
           "every subflow\n"
           "sends %u sampled packets per second of packet time. After a warm-up of %.1f s of "
           "packet time (every\n"
           "subflow created, the first from-scratch runs over, DSN segments pruned as fast as they "
           "come), every\n"
           "call in the next %.1f s is timed with `clock_gettime(CLOCK_MONOTONIC)` before and "
           "after; events are\n"
           "drained between calls, untimed. The clock's own cost (median of back-to-back pairs, "
           "measured in the\n"
           "same run just before) is subtracted. Percentiles are nearest-rank over every timed "
           "call. Token\n"
           "evidence off (DSN only) and on (all evidence: the packets are the same, no handshake "
           "is sampled, so\n"
           "this is the cost of the token path). Modes:\n\n"
           "- **a. automatic runs** (default options): the association and idle expiry run inside "
           "the feed\n"
           "  call whose packet closes a window (every %.1f s of packet time), so that packet "
           "waits for the\n"
           "  whole run: that is the *max* column;\n"
           "- **b. runs off the packet path** (0.2.0): `SAMPO_OPT_AUTO_RUN` = 0, and the benchmark "
           "calls\n"
           "  `sampo_ctx_run(ctx, t)` between packets every window of packet time, as a caller's "
           "timer would\n"
           "  (t = the timer's due time); those calls are timed apart (last columns), not per "
           "packet.\n\n",
           sampo_version_string(), pa.rate, pa.pps, pa.warmup_s, pa.seconds, window_s);
    if (!HAVE_RUN)
        printf("Mode b is not measured here: the library is older than 0.2.0 (no "
               "`SAMPO_OPT_AUTO_RUN`, no\n"
               "`sampo_ctx_run()`).\n\n");
    printf("| mode | evidence | subflows | packets timed | runs in feed / by timer | median | p99 "
           "| p99.9 | max | "
           "timer run: median | timer run: max | clock overhead (subtracted) | peak memory | "
           "sessions found exactly |\n");
    printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
           "---: | ---: |\n");
    fflush(stdout);

    double verdict[2] = {NAN, NAN}; /* mode b, 100k: DSN only, all evidence */
    double amax[2] = {NAN, NAN};    /* mode a, 100k: max */
    for (const char *m = modes; *m; m++) {
        if (*m == 'b' && !HAVE_RUN)
            continue;
        for (int ev = 0; ev < 2; ev++) {
            if (!(ev_mask & (1 << ev)))
                continue;
            for (int i = 0; i < nsizes; i++) {
                struct result r = run_case(*m, ev, sizes[i], &pa, 1);
                char c[4][32], rm[32] = "-", rx[32] = "-", ov[48], key[96], lab[160];
                const char *evname = ev ? "all" : "dsn";
                us(c[0], sizeof c[0], (double)r.lat.p50);
                us(c[1], sizeof c[1], (double)r.lat.p99);
                us(c[2], sizeof c[2], (double)r.lat.p999);
                us(c[3], sizeof c[3], (double)r.lat.max);
                if (r.timer_runs) {
                    us(rm, sizeof rm, (double)r.run_median);
                    us(rx, sizeof rx, (double)r.run_max);
                }
                snprintf(ov, sizeof ov, "%" PRIu64 " ns (p99 %" PRIu64 " ns)", r.overhead.p50,
                         r.overhead.p99);
                printf("| %s | %s | %zu | %zu | %" PRIu64
                       " / %zu | %s | %s | %s | %s | %s | %s | %s | %.0f KiB | "
                       "%zu of %zu |\n",
                       *m == 'a' ? "a. automatic" : "b. off the path", ev ? "all" : "DSN only",
                       r.subflows, r.lat.n, r.runs_in_feed, r.timer_runs, c[0], c[1], c[2], c[3],
                       rm, rx, ov, (double)r.mem_peak / 1024, r.sc.exact, r.sessions);
                fflush(stdout);
                {
                    static const char *const qn[4] = {"p50", "p99", "p999", "max"};
                    static const char *const ql[4] = {"median", "p99", "p99.9", "max"};
                    uint64_t qv[4] = {r.lat.p50, r.lat.p99, r.lat.p999, r.lat.max};
                    for (int q = 0; q < 4; q++) {
                        snprintf(key, sizeof key, "lat.%c.%s.%zu.%s", *m, evname, r.subflows,
                                 qn[q]);
                        snprintf(lab, sizeof lab, "feed latency, mode %c, %s, %zu subflows: %s", *m,
                                 ev ? "all evidence" : "DSN only", r.subflows, ql[q]);
                        figure(key, (double)qv[q], "ns", 1, 1, lab);
                    }
                    if (r.timer_runs) {
                        snprintf(key, sizeof key, "lat.%c.%s.%zu.run_median", *m, evname,
                                 r.subflows);
                        snprintf(lab, sizeof lab, "timer run, %s, %zu subflows: median",
                                 ev ? "all evidence" : "DSN only", r.subflows);
                        figure(key, (double)r.run_median / 1e6, "ms", 1, 1, lab);
                        snprintf(key, sizeof key, "lat.%c.%s.%zu.run_max", *m, evname, r.subflows);
                        snprintf(lab, sizeof lab, "timer run, %s, %zu subflows: max",
                                 ev ? "all evidence" : "DSN only", r.subflows);
                        figure(key, (double)r.run_max / 1e6, "ms", 1, 1, lab);
                    }
                    snprintf(key, sizeof key, "lat.%c.%s.%zu.mem_peak", *m, evname, r.subflows);
                    snprintf(lab, sizeof lab,
                             "steady state, mode %c, %s, %zu subflows: peak memory", *m,
                             ev ? "all evidence" : "DSN only", r.subflows);
                    figure(key, (double)r.mem_peak / 1024, "KiB", 1, 0, lab);
                }
                if (r.mispredicted)
                    fprintf(
                        stderr,
                        "bench_latency: mode %c, %zu subflows: %zu feed calls ran association %s\n",
                        *m, r.subflows, r.mispredicted,
                        *m == 'b' ? "although SAMPO_OPT_AUTO_RUN is 0"
                                  : "other than predicted by the window rule");
                if (r.subflows == 100000) {
                    if (*m == 'b')
                        verdict[ev] = (double)r.lat.p999;
                    else
                        amax[ev] = (double)r.lat.max;
                }
            }
        }
    }
    printf("\n");
    if (!isnan(verdict[0]) || !isnan(verdict[1])) {
        double worst = isnan(verdict[0])   ? verdict[1]
                       : isnan(verdict[1]) ? verdict[0]
                                           : fmax(verdict[0], verdict[1]);
        printf("**Off the path, p99.9 at 100k subflows: %.2f us** (", worst / 1e3);
        if (!isnan(verdict[0]))
            printf("DSN only %.2f us%s", verdict[0] / 1e3, isnan(verdict[1]) ? "" : ", ");
        if (!isnan(verdict[1]))
            printf("all evidence %.2f us", verdict[1] / 1e3);
        printf("): %s\n\n", worst > TARGET_P999_NS ? "**ABOVE the 5 us target (FLAG)**"
                                                   : "within the 5 us target");
    } else {
        printf("Off the path, p99.9 at 100k subflows: not measured (%s).\n\n",
               HAVE_RUN ? "mode b or 100k subflows not asked for"
                        : "libsampo older than 0.2.0: mode a only");
    }
    if (!isnan(amax[0]) || !isnan(amax[1]))
        printf("On the path (mode a), the packet that closes a window waits for the run: max at "
               "100k subflows "
               "%.1f ms.\n\n",
               fmax(isnan(amax[0]) ? 0 : amax[0], isnan(amax[1]) ? 0 : amax[1]) / 1e6);
    if (tsv_out && fclose(tsv_out) != 0) {
        fprintf(stderr, "bench_latency: writing the figures failed\n");
        return 1;
    }
    return 0;
}
