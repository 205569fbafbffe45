/*
 * report.h - gather what the output formats print: the subflows of a
 * session in a stable order, and the CLI's own counters.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_REPORT_H
#define SAMPO_CLI_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "community_id.h"
#include "sampo.h"
#include "sflow.h"

#define REPORT_FLOW_LEN 100

struct report_subflow {
    sampo_subflow_info info;
    char flow[REPORT_FLOW_LEN];          /* sampo_flow_format() */
    char community_id[COMMUNITY_ID_LEN]; /* "1:..." ("" when the flow has no family) */
};

struct report_list {
    struct report_subflow *items;
    size_t n, cap;
};

/* One pair verdict; flow[i] is "" when that subflow is no longer tracked
 * (family 0). */
struct report_pair {
    sampo_pair_info info;
    char flow[2][REPORT_FLOW_LEN];
};

struct report_pairs {
    struct report_pair *items;
    size_t n, cap;
};

/* Counters kept by the CLI itself, printed after the library's. */
struct cli_counters {
    uint64_t packets_read;        /* delivered by the input */
    uint64_t packets_sampled;     /* kept by --sample (all without it) */
    uint64_t packets_undecodable; /* refused by the library: link type, truncated, malformed */
    uint64_t packets_not_tcp;     /* not TCP, or a non-first IP fragment */
    uint64_t capture_dropped;     /* live capture: lost by the kernel/interface */
    uint64_t rates_clamped;       /* sampling rates (input x --sample) held at 2^32 - 1 */
    int sflow_on;                 /* --sflow: the sflow_* counters are printed */
    struct sflow_counters sflow;  /* the sFlow layer's */
};

/* Names and values of the CLI counters, in print order: the 5 general
 * ones, then with --sflow those of the sFlow layer. */
#define REPORT_N_CLI_COUNTERS 6
int report_cli_counter_count(const struct cli_counters *c);
const char *report_cli_counter_name(int i);
uint64_t report_cli_counter(const struct cli_counters *c, int i);

/*
 * Fill `list` with the subflows of session `session_id`, or with the
 * tracked subflows that belong to no session when session_id is 0, in
 * order: initial subflow first, then by first-seen time, then by flow
 * string, then by subflow id.  @return 0 or SAMPO_E_NOMEM.
 */
int report_collect(sampo_ctx *ctx, uint64_t session_id, struct report_list *list);
/* The Community ID seed of the records made from now on (default 0). */
void report_set_community_id_seed(uint16_t seed);
/* Append one record (its flow string and Community ID made).  @return 0 or SAMPO_E_NOMEM. */
int report_push(struct report_list *list, const sampo_subflow_info *info);
/* Put a list in report_collect()'s order. */
void report_sort(struct report_list *list);
/* That order, on two struct report_subflow (qsort()'s comparator): total,
 * as it ends on the subflow id. */
int report_cmp(const void *pa, const void *pb);
void report_list_free(struct report_list *list);

/*
 * Fill `list` with the pair verdicts of the last association run, in the
 * library's order (sampo_ctx_next_pair()).  @return 0 or SAMPO_E_NOMEM.
 */
int report_collect_pairs(sampo_ctx *ctx, struct report_pairs *list);
void report_pairs_free(struct report_pairs *list);

/* "initial", "join" or "unknown". */
const char *report_role(const sampo_subflow_info *info);

#endif /* SAMPO_CLI_REPORT_H */
