/*
 * bench_hostile.c - what crafted input costs: the DATA_ACK crowd of
 * tests/common/hostile.h (every flow's DSN spaces overlap every other's),
 * fed at 10 us of packet time per flow, then flushed.
 *
 *   bench_hostile [--flows N,N,...] [--max-memory BYTES] [--tsv FILE]
 *
 * Default options (the 1 GiB default memory cap of libsampo >= 0.2.0, token
 * evidence on); fixed hash seed.  Per size: wall time of the whole (feed +
 * flush) and of the association runs alone (CLOCK_MONOTONIC), the context's
 * mem_peak, candidate evaluations, searches cut by the nearest-neighbour
 * bound, evictions, and false associations: every crowd flow comes from its
 * own host, so every subflow tied to a session it did not open is false
 * (counted from the end-of-life records, so evicted subflows count too;
 * with libsampo 0.1.0, from the sessions left at the end).
 *
 * The same traffic as a capture, for sampo-cli: tests/hostile/hostile-pcap.
 *
 * Prints a Markdown section (bench/run.sh puts it into docs/benchmarks.md).
 * Builds against libsampo 0.1.0 too, as the reference of the same run.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* clock_gettime */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostile.h"
#include "sampo.h"

#define BASE UINT64_C(0x1234567890000000)
#define FLOW_GAP_NS 10000

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Counters by name: the reference library may not have them all. */
static uint64_t counter(const sampo_ctx *ctx, const char *name)
{
    for (int c = 1; c < 1024; c++) { /* 0.1.0 has no sampo_counter_count() */
        const char *n = sampo_counter_name(c);
        if (n && !strcmp(n, name))
            return sampo_ctx_counter(ctx, c);
    }
    return UINT64_MAX; /* not in this version */
}

typedef struct falsehood {
    uint64_t joined; /* subflows tied to a session they did not open */
    double max_conf; /* the highest confidence of those ties */
} falsehood;

#if SAMPO_VERSION_NUMBER >= 200
static void on_event(const sampo_event *ev, void *user)
{
    falsehood *f = user;
    if (ev->type != SAMPO_EV_SUBFLOW_END || !ev->subflow)
        return;
    const sampo_subflow_info *s = ev->subflow;
    if (s->method != SAMPO_METHOD_NONE) {
        f->joined++;
        if (s->confidence > f->max_conf)
            f->max_conf = s->confidence;
    }
}
#endif

typedef struct result {
    uint32_t flows;
    double total_ms, run_ms;
    uint64_t peak, candidates, bounded, evicted, runs;
    falsehood f;
} result;

static result one(uint32_t n, int64_t cap)
{
    result r = {.flows = n};
    sampo_ctx *ctx;
    if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK)
        exit(1);
    sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 11);
    if (cap >= 0 && sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, cap) != SAMPO_OK)
        exit(1);
#if SAMPO_VERSION_NUMBER >= 200
    sampo_ctx_set_option(ctx, SAMPO_OPT_AUTO_RUN, 0);
    sampo_ctx_set_event_callback(ctx, on_event, &r.f);
#endif
    uint64_t t0 = now_ns(), in_runs = 0;
#if SAMPO_VERSION_NUMBER >= 200
    uint64_t window = 500000000, next_run = window;
#endif
    for (uint32_t i = 0; i < n; i++) {
        uint64_t ts = UINT64_C(1000000000) + (uint64_t)i * FLOW_GAP_NS;
#if SAMPO_VERSION_NUMBER >= 200
        if (ts >= UINT64_C(1000000000) + next_run) { /* the caller's timer */
            uint64_t a = now_ns();
            sampo_ctx_run(ctx, ts);
            in_runs += now_ns() - a;
            next_run += window;
        }
#endif
        for (unsigned k = 0; k < HOSTILE_CROWD_PKTS; k++) {
            tpkt p = hostile_crowd_pkt(i, k, BASE);
            sampo_packet sp = SAMPO_PACKET_INIT;
            sp.data = p.buf;
            sp.caplen = p.len;
            sp.wirelen = p.wirelen;
            sp.ts_ns = ts + k;
            sp.linktype = SAMPO_LINKTYPE_ETHERNET;
            sampo_ctx_feed(ctx, &sp);
        }
#if SAMPO_VERSION_NUMBER < 200
        sampo_event ev = {.size = sizeof(ev)};
        while (sampo_ctx_next_event(ctx, &ev) == SAMPO_OK)
            ;
#endif
    }
    uint64_t a = now_ns();
    sampo_ctx_flush(ctx);
    in_runs += now_ns() - a;
#if SAMPO_VERSION_NUMBER < 200
    uint64_t cur = 0;
    sampo_session_info si = {.size = sizeof(si)};
    while (sampo_ctx_next_session(ctx, &cur, &si) == 1)
        if (si.n_subflows > 1) {
            r.f.joined += si.n_subflows - 1;
            if (si.confidence > r.f.max_conf)
                r.f.max_conf = si.confidence;
        }
#else
    sampo_ctx_flush_ex(ctx, SAMPO_FLUSH_END); /* every record, to the callback */
#endif
    r.total_ms = (double)(now_ns() - t0) / 1e6;
    r.run_ms = (double)in_runs / 1e6;
    r.peak = counter(ctx, "mem_peak");
    r.candidates = counter(ctx, "assoc_candidates");
    r.bounded = counter(ctx, "candidates_bounded");
    r.evicted = counter(ctx, "subflows_evicted");
    r.runs = counter(ctx, "assoc_runs");
    sampo_ctx_destroy(ctx);
    return r;
}

static void num(char *buf, size_t len, uint64_t v)
{
    if (v == UINT64_MAX)
        snprintf(buf, len, "(none)");
    else
        snprintf(buf, len, "%" PRIu64, v);
}

int main(int argc, char **argv)
{
    const char *sizes = "10000,100000,1000000", *tsv = NULL;
    int64_t cap = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--flows") && i + 1 < argc)
            sizes = argv[++i];
        else if (!strcmp(argv[i], "--max-memory") && i + 1 < argc)
            cap = strtoll(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--tsv") && i + 1 < argc)
            tsv = argv[++i];
        else {
            fprintf(stderr, "usage: bench_hostile [--flows N,N,...] [--max-memory BYTES] "
                            "[--tsv FILE]\n");
            return 2;
        }
    }
    FILE *t = tsv ? fopen(tsv, "a") : NULL;
    int64_t defcap = 0;
    sampo_bounds b = {.size = sizeof(b)};
    if (sampo_option_bounds(SAMPO_OPT_MAX_MEMORY, &b) == SAMPO_OK)
        defcap = b.idefault;
    printf("libsampo %s, memory cap %s%lld bytes; %d packets per flow, one flow every %d us "
           "of packet time\n\n",
           sampo_version_string(), cap >= 0 ? "" : "(default) ",
           (long long)(cap >= 0 ? cap : defcap), HOSTILE_CROWD_PKTS, FLOW_GAP_NS / 1000);
    printf("| flows | packets | total | association runs | runs | mem_peak | candidate "
           "evaluations | searches bounded | subflows evicted | false ties | highest false "
           "confidence |\n");
    printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (const char *s = sizes; *s;) {
        uint32_t n = (uint32_t)strtoul(s, NULL, 10);
        result r = one(n, cap);
        char c[32], bo[32], ev[32];
        num(c, sizeof(c), r.candidates);
        num(bo, sizeof(bo), r.bounded);
        num(ev, sizeof(ev), r.evicted);
        printf("| %u | %u | %.1f ms | %.1f ms | %" PRIu64 " | %.1f MiB | %s | %s | %s | %" PRIu64
               " | %.6f |\n",
               n, n * HOSTILE_CROWD_PKTS, r.total_ms, r.run_ms, r.runs, (double)r.peak / 1048576.0,
               c, bo, ev, r.f.joined, r.f.max_conf);
        fflush(stdout);
        if (t)
            fprintf(t, "hostile\t%u\t%.3f\t%.3f\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", n,
                    r.total_ms, r.run_ms, r.peak, r.candidates, r.f.joined);
        s = strchr(s, ',');
        if (!s)
            break;
        s++;
    }
    if (t)
        fclose(t);
    return 0;
}
