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

struct rec_index {
    uint64_t session_id;
    long off;
    size_t len;
};

static void on_session(void *user, const sampo_session_info *s, const sampo_subflow_info *subs,
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

/* Write one finished session: at once, or to the spool. */
static void emit_session(struct records *r, const sampo_session_info *s, struct report_list *subs)
{
    r->totals.sessions++;
    r->totals.subflows += subs->n;
    if (!r->spool_mode) {
        r->fmt->session(r->out, s, subs);
        if (r->flush_each)
            w_flush(r->out);
        return;
    }
    long off = ftell(r->spool.fp);
    r->fmt->session(&r->spool, s, subs);
    if (r->n_index == r->cap_index) {
        size_t cap = r->cap_index ? 2 * r->cap_index : 256;
        struct rec_index *ix = realloc(r->index, cap * sizeof *ix);
        if (!ix) {
            r->failed = 1;
            return;
        }
        r->index = ix;
        r->cap_index = cap;
    }
    r->index[r->n_index].session_id = s->session_id;
    r->index[r->n_index].off = off;
    r->index[r->n_index].len = (size_t)(ftell(r->spool.fp) - off);
    r->n_index++;
}

static void on_session(void *user, const sampo_session_info *s, const sampo_subflow_info *subs,
                       size_t n)
{
    struct records *r = user;
    struct report_list list = {NULL, 0, 0};

    for (size_t i = 0; i < n; i++)
        if (report_push(&list, &subs[i]) != 0)
            r->failed = 1;
    report_sort(&list);
    emit_session(r, s, &list);
    report_list_free(&list);
}

static void on_unassoc(void *user, const sampo_subflow_info *info)
{
    struct records *r = user;
    struct report_list one = {NULL, 0, 0};

    r->totals.unassociated++;
    if (r->spool_mode == 2) { /* text: one table at the end */
        if (report_push(&r->unassoc, info) != 0)
            r->failed = 1;
        return;
    }
    if (report_push(&one, info) != 0) {
        r->failed = 1;
        return;
    }
    r->fmt->unassociated(r->spool_mode ? &r->spool : r->out, &one);
    if (!r->spool_mode && r->flush_each)
        w_flush(r->out);
    report_list_free(&one);
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

static int cmp_index(const void *pa, const void *pb)
{
    const struct rec_index *a = pa, *b = pb;

    return (a->session_id > b->session_id) - (a->session_id < b->session_id);
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

int records_finish(struct records *r)
{
    int rc = 0;
    size_t i;

    /* Nothing may vanish: records still waiting (their session's end was
     * never seen) are written as sessions of their own. */
    if (asm_finish(&r->asm_) != 0)
        rc = -1;
    if (r->spool_mode) {
        fflush(r->spool.fp);
        if (r->spool.failed || ferror(r->spool.fp))
            return -1;
        r->fmt->results(r->out, r->cfg);
        if (r->fmt->legend && (r->n_index > 0 || r->unassoc.n > 0))
            r->fmt->legend(r->out);
        fflush(r->out->fp);
        if (r->n_index > 1)
            qsort(r->index, r->n_index, sizeof *r->index, cmp_index);
        for (i = 0; i < r->n_index && rc == 0; i++)
            rc = copy_out(r, r->index[i].off, r->index[i].len);
    }
    if (r->unassoc.n > 0) {
        report_sort(&r->unassoc);
        r->fmt->unassociated(r->out, &r->unassoc);
    }
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
    free(r->index);
    report_list_free(&r->unassoc);
    memset(r, 0, sizeof *r);
}
