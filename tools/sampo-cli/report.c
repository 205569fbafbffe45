/*
 * report.c - subflow collection in a stable order, pair verdicts, CLI
 * counters.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

static const char *const cli_counter_names[REPORT_N_CLI_COUNTERS] = {
    "packets_read",    "packets_sampled", "packets_undecodable",
    "packets_not_tcp", "capture_dropped", "rates_clamped",
};

int report_cli_counter_count(const struct cli_counters *c)
{
    return REPORT_N_CLI_COUNTERS + (c->sflow_on ? SFLOW_N_COUNTERS : 0);
}

const char *report_cli_counter_name(int i)
{
    if (i >= REPORT_N_CLI_COUNTERS)
        return sflow_counter_name(i - REPORT_N_CLI_COUNTERS);
    return i >= 0 ? cli_counter_names[i] : NULL;
}

uint64_t report_cli_counter(const struct cli_counters *c, int i)
{
    if (i >= REPORT_N_CLI_COUNTERS)
        return sflow_counter_value(&c->sflow, i - REPORT_N_CLI_COUNTERS);
    switch (i) {
    case 0:
        return c->packets_read;
    case 1:
        return c->packets_sampled;
    case 2:
        return c->packets_undecodable;
    case 3:
        return c->packets_not_tcp;
    case 4:
        return c->capture_dropped;
    case 5:
        return c->rates_clamped;
    default:
        return 0;
    }
}

const char *report_role(const sampo_subflow_info *info)
{
    if (info->is_initial)
        return "initial";
    if (info->is_join)
        return "join";
    return "unknown";
}

int report_cmp(const void *pa, const void *pb)
{
    const struct report_subflow *a = pa, *b = pb;
    int c;

    if (a->info.is_initial != b->info.is_initial)
        return a->info.is_initial ? -1 : 1;
    if (a->info.first_ns != b->info.first_ns)
        return a->info.first_ns < b->info.first_ns ? -1 : 1;
    c = strcmp(a->flow, b->flow);
    if (c != 0)
        return c;
    if (a->info.subflow_id != b->info.subflow_id)
        return a->info.subflow_id < b->info.subflow_id ? -1 : 1;
    return 0;
}

static uint16_t community_id_seed;

void report_set_community_id_seed(uint16_t seed) { community_id_seed = seed; }

int report_push(struct report_list *list, const sampo_subflow_info *info)
{
    struct report_subflow *it;

    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        void *p = realloc(list->items, cap * sizeof *list->items);
        if (p == NULL)
            return SAMPO_E_NOMEM;
        list->items = p;
        list->cap = cap;
    }
    it = &list->items[list->n++];
    it->info = *info;
    if (sampo_flow_format(&info->flow, it->flow, sizeof it->flow) < 0)
        strcpy(it->flow, "?");
    community_id_flow(&info->flow, community_id_seed, it->community_id, sizeof it->community_id);
    return 0;
}

int report_collect(sampo_ctx *ctx, uint64_t session_id, struct report_list *list)
{
    uint64_t cursor = 0;
    sampo_subflow_info info;

    /* Not SAMPO_SUBFLOW_INFO_INIT: {sizeof(...)} trips
     * -Wmissing-field-initializers in GCC. */
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    list->n = 0;
    while (sampo_ctx_next_subflow(ctx, session_id, &cursor, &info) > 0) {
        if (session_id != 0 || info.session_id == 0) {
            if (report_push(list, &info) != 0)
                return SAMPO_E_NOMEM;
        }
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
    }
    report_sort(list);
    return 0;
}

void report_sort(struct report_list *list)
{
    if (list->n > 1)
        qsort(list->items, list->n, sizeof *list->items, report_cmp);
}

void report_list_free(struct report_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

static int push_pair(struct report_pairs *list, const sampo_pair_info *info)
{
    struct report_pair *it;
    int i;

    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        void *p = realloc(list->items, cap * sizeof *list->items);
        if (p == NULL)
            return SAMPO_E_NOMEM;
        list->items = p;
        list->cap = cap;
    }
    it = &list->items[list->n++];
    it->info = *info;
    for (i = 0; i < 2; i++) {
        const sampo_flow *f = &info->flow[i];
        if ((f->family != 4 && f->family != 6) ||
            sampo_flow_format(f, it->flow[i], sizeof it->flow[i]) < 0)
            it->flow[i][0] = '\0'; /* the subflow is gone */
    }
    return 0;
}

int report_collect_pairs(sampo_ctx *ctx, struct report_pairs *list)
{
    uint64_t cursor = 0;
    sampo_pair_info info;

    memset(&info, 0, sizeof info); /* as in report_collect() */
    info.size = sizeof info;
    list->n = 0;
    while (sampo_ctx_next_pair(ctx, &cursor, &info) > 0) {
        if (push_pair(list, &info) != 0)
            return SAMPO_E_NOMEM;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
    }
    return 0;
}

void report_pairs_free(struct report_pairs *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}
