/*
 * format.h - the output formats (text, JSON lines, CSV) behind one
 * interface, and the per-event-type field table they all use.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_FORMAT_H
#define SAMPO_CLI_FORMAT_H

#include <stdint.h>

#include "cli.h"
#include "report.h"
#include "sampo.h"
#include "writer.h"

/* Totals over what was printed. */
struct report_totals {
    uint64_t sessions;
    uint64_t subflows;     /* in sessions */
    uint64_t unassociated; /* tracked subflows in no session */
    /* Written early, past --record-memory (records.h): parts of sessions
     * still open, and the subflows in them (counted in `subflows` too). */
    uint64_t parts;
    uint64_t subflows_early;
};

struct formatter {
    /* Before anything (CSV: the event table header with --events). */
    void (*begin)(struct writer *w, const struct cli_config *cfg);
    /* One event, as it happens (--events only). */
    void (*event)(struct writer *w, const sampo_event *ev);
    /* Between the events and the results. */
    void (*results)(struct writer *w, const struct cli_config *cfg);
    /* One session and its subflows (ordered); `parts` parts holding
     * `early` of its subflows went before (0: none, the record is whole). */
    void (*session)(struct writer *w, const sampo_session_info *s, const struct report_list *subs,
                    uint32_t parts, uint64_t early);
    /* Tracked subflows of no session (called only when there are some). */
    void (*unassociated)(struct writer *w, const struct report_list *subs);
    /* Totals and counters at the very end (text: the counters with -v). */
    void (*end)(struct writer *w, const struct cli_config *cfg, const sampo_ctx *ctx,
                const struct cli_counters *cc, const struct report_totals *t);
    /* --pairs: the pair verdicts, in the library's order (called even when
     * there are none).  Before the first session, or with pairs_last after
     * the unassociated subflows (CSV: a table after the subflow table). */
    void (*pairs)(struct writer *w, const struct report_pairs *pairs);
    int pairs_last;
    /* --interval: a snapshot of the open sessions at ts_ns begins, then one
     * open session with its subflows (ended and live).  NULL: the format
     * has none (CSV). */
    void (*snapshot_begin)(struct writer *w, uint64_t ts_ns);
    void (*snapshot)(struct writer *w, uint64_t ts_ns, const sampo_session_info *s,
                     const struct report_list *subs);
    /* Before the first session or unassociated subflow, when there is one
     * (text: what the columns mean).  NULL: none. */
    void (*legend)(struct writer *w);
    /* Part `part` (1, 2, ...) of session `session_id`, still open: ended
     * subflows written early to keep within --record-memory (ordered). */
    void (*part)(struct writer *w, uint64_t session_id, uint32_t part,
                 const struct report_list *subs);
};

extern const struct formatter fmt_text;
extern const struct formatter fmt_json;
extern const struct formatter fmt_csv;
extern const struct formatter fmt_eve;

const struct formatter *formatter_get(enum cli_format f);

/* ---- event fields ---------------------------------------------------- */

enum evf_kind { EVF_U64, EVF_INT, EVF_REAL, EVF_STR, EVF_BOOL, EVF_NULL };

struct evfield {
    const char *key;
    enum evf_kind kind;
    uint64_t u;
    int64_t i;
    double r;
    const char *s;
};

#define EVF_MAX 20

/* Scratch text for the string fields of one event. */
struct evtext {
    char flow[REPORT_FLOW_LEN], peer[REPORT_FLOW_LEN];
    char addr[64];
};

/*
 * The fields meaningful for ev->type, in print order (docs/cli.md lists
 * them).  `ts` and the event name are not included.  @return the count.
 */
int event_fields(const sampo_event *ev, struct evfield *out, struct evtext *text);

/* Column keys of the CSV event table, NULL-terminated. */
extern const char *const event_csv_columns[];

/* sampo_event_name(), never NULL. */
const char *event_name(int type);

/* "undecided", "same", "distinct" or "unknown". */
const char *verdict_name(int v);

#endif /* SAMPO_CLI_FORMAT_H */
