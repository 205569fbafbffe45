/*
 * records.c - session records from end-of-life events (see records.h).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

/* A record in the text spool: a session's, or a part's (same id, earlier
 * offset: the order by id, then offset, puts its parts before it). */
struct rec_index {
    uint64_t session_id;
    long off;
    size_t len;
};

static int cmp_index(const void *pa, const void *pb)
{
    const struct rec_index *a = pa, *b = pb;

    if (a->session_id != b->session_id)
        return a->session_id < b->session_id ? -1 : 1;
    return (a->off > b->off) - (a->off < b->off);
}

static void on_session(void *user, const sampo_session_info *s, const sampo_subflow_info *subs,
                       size_t n, uint32_t parts, uint64_t early);
static void on_part(void *user, uint64_t session_id, uint32_t part, const sampo_subflow_info *subs,
                    size_t n);
static void on_unassoc(void *user, const sampo_subflow_info *info);

/* CSV: OUT.events.csv (k 0) or OUT.pairs.csv (k 1) from -o OUT[.csv]. */
static const char *derived_name(struct records *r, int k, const char *out)
{
    static const char *const suffix[2] = {".events.csv", ".pairs.csv"};
    size_t n = strlen(out);

    if (n > 4 && strcmp(out + n - 4, ".csv") == 0)
        n -= 4;
    r->derived[k] = malloc(n + strlen(suffix[k]) + 1);
    if (r->derived[k] == NULL)
        return NULL;
    memcpy(r->derived[k], out, n);
    strcpy(r->derived[k] + n, suffix[k]);
    return r->derived[k];
}

/* The writer of the events (k 0) or pairs (k 1): `out`, or a file. */
static int open_side(struct records *r, int k, int wanted, const char *name, struct writer *w,
                     struct writer **where)
{
    const struct cli_config *cfg = r->cfg;

    *where = r->out;
    if (!wanted)
        return 0;
    if (name == NULL && cfg->format == CLI_FMT_CSV && cfg->output != NULL &&
        strcmp(cfg->output, "-") != 0) {
        name = derived_name(r, k, cfg->output);
        if (name == NULL)
            return -1;
    }
    if (name == NULL)
        return 0;
    if (writer_open(w, name) != 0) {
        r->open_failed = name;
        return -1;
    }
    *where = w;
    return 0;
}

/* --record-memory, shared out: the assembler's bound; in text, half of
 * it, and a quarter each for the index and the unassociated subflows. */
static uint64_t share(const struct cli_config *cfg, int quarters)
{
    if (cfg->record_memory == 0)
        return 0;
    if (cfg->format != CLI_FMT_TEXT)
        return cfg->record_memory;
    return cfg->record_memory / 4 * (uint64_t)quarters;
}

static size_t xs_bound(const struct cli_config *cfg)
{
    uint64_t b = share(cfg, 1);

    return b == 0 || b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

int records_init(struct records *r, const struct formatter *fmt, const struct cli_config *cfg,
                 struct writer *out, int live)
{
    memset(r, 0, sizeof *r);
    r->fmt = fmt;
    r->out = out;
    if (cfg->format == CLI_FMT_TEXT)
        r->spool_mode = 2;
    r->cfg = cfg;
    report_set_community_id_seed(cfg->community_id_seed);
    asm_init(&r->asm_, on_session, on_unassoc, r);
    asm_set_limit(&r->asm_, share(cfg, 2), on_part);
    xs_init(&r->index, sizeof(struct rec_index), cmp_index, xs_bound(cfg));
    xs_init(&r->unassoc, sizeof(struct report_subflow), report_cmp, xs_bound(cfg));
    (void)live; /* records are flushed as written, from files as from live input */
    r->flush_each = 1;
    if (open_side(r, 0, cfg->events, cfg->events_file, &r->events_w, &r->events_out) != 0 ||
        open_side(r, 1, cfg->pairs, cfg->pairs_file, &r->pairs_w, &r->pairs_out) != 0)
        return -1;
    fmt->begin(r->events_out, cfg); /* CSV: the event table's header */
    if (r->spool_mode) {
        r->spool.fp = tmpfile();
        r->spool.name = "a temporary file";
        r->spool.owned = 1;
        if (!r->spool.fp)
            return -1;
    } else {
        fmt->results(out, cfg); /* CSV: the subflow table's header */
    }
    return 0;
}

/* Text: note the record just written to the spool from `off`. */
static void index_spooled(struct records *r, uint64_t session_id, long off)
{
    struct rec_index ix;

    memset(&ix, 0, sizeof ix);
    ix.session_id = session_id;
    ix.off = off;
    ix.len = (size_t)(ftell(r->spool.fp) - off);
    if (xs_push(&r->index, &ix) != 0)
        r->failed = 1;
}

/* Write one finished session: at once, or to the spool. */
static void emit_session(struct records *r, const sampo_session_info *s, struct report_list *subs,
                         uint32_t parts, uint64_t early)
{
    r->totals.sessions++;
    r->totals.subflows += subs->n;
    if (!r->spool_mode) {
        r->fmt->session(r->out, s, subs, parts, early);
        if (r->flush_each)
            w_flush(r->out);
        return;
    }
    long off = ftell(r->spool.fp);
    r->fmt->session(&r->spool, s, subs, parts, early);
    index_spooled(r, s->session_id, off);
}

/* The records as a list in the report's order.  @return 0 or -1. */
static int make_list(struct records *r, const sampo_subflow_info *subs, size_t n,
                     struct report_list *list)
{
    for (size_t i = 0; i < n; i++) {
        if (report_push(list, &subs[i]) != 0) {
            r->failed = 1;
            return -1;
        }
    }
    report_sort(list);
    return 0;
}

static void on_session(void *user, const sampo_session_info *s, const sampo_subflow_info *subs,
                       size_t n, uint32_t parts, uint64_t early)
{
    struct records *r = user;
    struct report_list list = {NULL, 0, 0};

    make_list(r, subs, n, &list);
    emit_session(r, s, &list, parts, early);
    report_list_free(&list);
}

/* Past --record-memory: part `part` of an open session, written now. */
static void on_part(void *user, uint64_t session_id, uint32_t part, const sampo_subflow_info *subs,
                    size_t n)
{
    struct records *r = user;
    struct report_list list = {NULL, 0, 0};

    make_list(r, subs, n, &list);
    r->totals.parts++;
    r->totals.subflows_early += list.n;
    r->totals.subflows += list.n;
    if (!r->spool_mode) {
        r->fmt->part(r->out, session_id, part, &list);
        if (r->flush_each)
            w_flush(r->out);
    } else {
        long off = ftell(r->spool.fp);
        r->fmt->part(&r->spool, session_id, part, &list);
        index_spooled(r, session_id, off);
    }
    report_list_free(&list);
}

static void on_unassoc(void *user, const sampo_subflow_info *info)
{
    struct records *r = user;

    r->totals.unassociated++;
    r->scratch.n = 0;
    if (report_push(&r->scratch, info) != 0) {
        r->failed = 1;
        return;
    }
    if (r->spool_mode == 2) { /* text: one table at the end, sorted */
        size_t len = strlen(r->scratch.items[0].flow);
        if (len > r->unassoc_width)
            r->unassoc_width = len;
        if (xs_push(&r->unassoc, &r->scratch.items[0]) != 0)
            r->failed = 1;
        return;
    }
    r->fmt->unassociated(r->spool_mode ? &r->spool : r->out, &r->scratch);
    if (!r->spool_mode && r->flush_each)
        w_flush(r->out);
}

void records_event(struct records *r, const sampo_event *ev) { asm_event(&r->asm_, ev); }

void records_snapshot(struct records *r, sampo_ctx *ctx, uint64_t ts_ns)
{
    struct report_list list = {NULL, 0, 0};
    sampo_session_info s;
    uint64_t cursor = 0;

    if (!r->fmt->snapshot)
        return;
    r->fmt->snapshot_begin(r->out, ts_ns);
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    while (!r->out->failed && sampo_ctx_next_session(ctx, &cursor, &s) > 0) {
        const sampo_subflow_info *ended;
        size_t n = asm_waiting(&r->asm_, s.session_id, &ended);

        if (report_collect(ctx, s.session_id, &list) != 0) {
            r->failed = 1;
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (report_push(&list, &ended[i]) != 0)
                r->failed = 1;
        report_sort(&list);
        r->fmt->snapshot(r->out, ts_ns, &s, &list);
        memset(&s, 0, sizeof s);
        s.size = sizeof s;
    }
    report_list_free(&list);
    w_flush(r->out);
}

/* Copy len bytes at off of the spool to the output. */
static int copy_out(struct records *r, long off, size_t len)
{
    char buf[8192];

    if (fseek(r->spool.fp, off, SEEK_SET) != 0)
        return -1;
    while (len > 0) {
        size_t k = len < sizeof buf ? len : sizeof buf;
        if (fread(buf, 1, k, r->spool.fp) != k)
            return -1;
        if (fwrite(buf, 1, k, r->out->fp) != k && !r->out->failed) {
            r->out->failed = 1;
            r->out->err = errno;
        }
        len -= k;
    }
    return 0;
}

/* Text: the spooled records by session id, then the unassociated table. */
static int finish_text(struct records *r)
{
    struct rec_index ix;
    struct report_subflow sf;
    int rc = 0, k;

    fflush(r->spool.fp);
    if (r->spool.failed || ferror(r->spool.fp))
        return -1;
    r->fmt->results(r->out, r->cfg);
    if (r->fmt->legend && (r->index.total > 0 || r->unassoc.total > 0))
        r->fmt->legend(r->out);
    fflush(r->out->fp);
    if (xs_sort(&r->index) != 0)
        return -1;
    while (rc == 0 && (k = xs_next(&r->index, &ix)) != 0)
        rc = k < 0 ? -1 : copy_out(r, ix.off, ix.len);
    if (rc != 0 || r->unassoc.total == 0)
        return rc;
    if (xs_sort(&r->unassoc) != 0)
        return -1;
    text_unassociated_header(r->out, r->unassoc.total);
    while ((k = xs_next(&r->unassoc, &sf)) > 0)
        text_subflow_line(r->out, &sf, (int)r->unassoc_width);
    return k;
}

int records_finish(struct records *r)
{
    int rc = 0;

    /* Nothing may vanish: records still waiting (their session's end was
     * never seen) are written as sessions of their own. */
    if (asm_finish(&r->asm_) != 0)
        rc = -1;
    if (r->spool_mode && finish_text(r) != 0)
        rc = -1;
    return rc != 0 || r->failed || r->asm_.failed ? -1 : 0;
}

int records_close_files(struct records *r)
{
    struct writer *w[2] = {&r->events_w, &r->pairs_w};
    int rc = 0;

    for (int k = 0; k < 2; k++) {
        if (w[k]->fp != NULL && writer_close(w[k]) != 0) {
            cli_error("%s: write error: %s", w[k]->name, strerror(w[k]->err));
            rc = -1;
        }
    }
    return rc;
}

uint64_t records_held_peak(const struct records *r) { return r->asm_.held_peak; }

uint64_t records_held_bound(const struct records *r) { return r->asm_.limit; }

uint64_t records_sort_runs(const struct records *r)
{
    return r->index.spilled + r->unassoc.spilled;
}

void records_free(struct records *r)
{
    struct writer *w[2] = {&r->events_w, &r->pairs_w};

    for (int k = 0; k < 2; k++)
        if (w[k]->fp != NULL && w[k]->owned)
            fclose(w[k]->fp);
    free(r->derived[0]);
    free(r->derived[1]);
    asm_free(&r->asm_);
    if (r->spool.fp)
        fclose(r->spool.fp);
    xs_free(&r->index);
    xs_free(&r->unassoc);
    report_list_free(&r->scratch);
    memset(r, 0, sizeof *r);
}
