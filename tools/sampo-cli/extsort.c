/*
 * extsort.c - sort fixed-size records in bounded memory (see extsort.h).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L /* pread, fileno */
#include "extsort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xs_cursor {
    uint64_t off, left; /* where the run goes on, records not yet read */
    unsigned char *buf; /* chunk records at most */
    size_t n, pos;
};

struct xs_merge {
    FILE *fp;
    size_t chunk; /* records per cursor buffer */
    struct xs_cursor *c;
    size_t *heap, nheap;
    unsigned char *mem;
};

void xs_init(struct extsort *x, size_t size, int (*cmp)(const void *, const void *), size_t max_mem)
{
    memset(x, 0, sizeof *x);
    x->size = size;
    x->cmp = cmp;
    x->max_mem = max_mem < 2 * size ? 2 * size : max_mem;
}

static int fail(struct extsort *x)
{
    x->failed = 1;
    return -1;
}

/* Note a run of n records at `off`. */
static int add_run(struct extsort *x, struct xs_run **runs, size_t *n_runs, size_t *cap_runs,
                   uint64_t off, uint64_t n)
{
    if (*n_runs == *cap_runs) {
        size_t cap = *cap_runs ? 2 * *cap_runs : 16;
        struct xs_run *r = realloc(*runs, cap * sizeof *r);
        if (!r)
            return -1;
        *runs = r;
        *cap_runs = cap;
    }
    (*runs)[*n_runs].off = off;
    (*runs)[(*n_runs)++].n = n;
    x->spilled++;
    return 0;
}

/* The buffer, sorted, as a run of the runs file. */
static int spill(struct extsort *x)
{
    if (!x->fp) {
        x->fp = tmpfile();
        if (!x->fp)
            return fail(x);
    }
    if (x->n > 1)
        qsort(x->buf, x->n, x->size, x->cmp);
    if (fwrite(x->buf, x->size, x->n, x->fp) != x->n ||
        add_run(x, &x->runs, &x->n_runs, &x->cap_runs, x->fp_end, x->n) != 0)
        return fail(x);
    x->fp_end += (uint64_t)x->n * x->size;
    x->n = 0;
    return 0;
}

int xs_push(struct extsort *x, const void *rec)
{
    if (x->failed)
        return -1;
    if (x->n == x->cap) {
        size_t most = x->max_mem / x->size;
        if (x->cap < most) {
            size_t cap = x->cap ? 2 * x->cap : 64;
            if (cap > most)
                cap = most;
            unsigned char *b = realloc(x->buf, cap * x->size);
            if (!b)
                return fail(x);
            x->buf = b;
            x->cap = cap;
        } else if (spill(x) != 0) {
            return -1;
        }
    }
    memcpy(x->buf + x->n * x->size, rec, x->size);
    x->n++;
    x->total++;
    return 0;
}

/* ---- merging ------------------------------------------------------------ */

static const void *head(const struct xs_merge *m, size_t i, size_t size)
{
    const struct xs_cursor *c = &m->c[i];
    return c->buf + c->pos * size;
}

/* Cursor i before cursor j?  Ties: the earlier run first. */
static int before(const struct extsort *x, const struct xs_merge *m, size_t i, size_t j)
{
    int c = x->cmp(head(m, i, x->size), head(m, j, x->size));
    return c < 0 || (c == 0 && i < j);
}

static void sift_down(const struct extsort *x, struct xs_merge *m, size_t at)
{
    for (;;) {
        size_t l = 2 * at + 1, r = l + 1, best = at;
        if (l < m->nheap && before(x, m, m->heap[l], m->heap[best]))
            best = l;
        if (r < m->nheap && before(x, m, m->heap[r], m->heap[best]))
            best = r;
        if (best == at)
            return;
        size_t t = m->heap[at];
        m->heap[at] = m->heap[best];
        m->heap[best] = t;
        at = best;
    }
}

/* Read the next chunk of cursor c.  @return records read, or -1. */
static long refill(const struct extsort *x, struct xs_merge *m, struct xs_cursor *c)
{
    size_t n = c->left < m->chunk ? (size_t)c->left : m->chunk;
    size_t len = n * x->size, got = 0;

    while (got < len) {
        ssize_t k = pread(fileno(m->fp), c->buf + got, len - got, (off_t)(c->off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    c->off += len;
    c->left -= n;
    c->n = n;
    c->pos = 0;
    return (long)n;
}

static void merge_close(struct xs_merge *m)
{
    if (!m)
        return;
    free(m->c);
    free(m->heap);
    free(m->mem);
    free(m);
}

/* Merge the k runs at `runs` of fp.  NULL: no memory or a read error. */
static struct xs_merge *merge_open(const struct extsort *x, FILE *fp, const struct xs_run *runs,
                                   size_t k)
{
    struct xs_merge *m = calloc(1, sizeof *m);
    size_t i;

    if (!m)
        return NULL;
    m->fp = fp;
    m->chunk = x->max_mem / (2 * XS_FANIN) / x->size;
    if (m->chunk == 0)
        m->chunk = 1;
    m->c = calloc(k ? k : 1, sizeof *m->c);
    m->heap = calloc(k ? k : 1, sizeof *m->heap);
    m->mem = malloc((k ? k : 1) * m->chunk * x->size);
    if (!m->c || !m->heap || !m->mem) {
        merge_close(m);
        return NULL;
    }
    for (i = 0; i < k; i++) {
        struct xs_cursor *c = &m->c[i];
        c->buf = m->mem + i * m->chunk * x->size;
        c->off = runs[i].off;
        c->left = runs[i].n;
        if (c->left == 0)
            continue;
        if (refill(x, m, c) < 0) {
            merge_close(m);
            return NULL;
        }
        m->heap[m->nheap++] = i;
    }
    for (i = m->nheap / 2; i-- > 0;)
        sift_down(x, m, i);
    return m;
}

/* @return 1 (out filled), 0 at the end, -1 on a read error. */
static int merge_next(const struct extsort *x, struct xs_merge *m, void *out)
{
    if (m->nheap == 0)
        return 0;
    size_t i = m->heap[0];
    struct xs_cursor *c = &m->c[i];
    memcpy(out, head(m, i, x->size), x->size);
    if (++c->pos == c->n) {
        long got = c->left ? refill(x, m, c) : 0;
        if (got < 0)
            return -1;
        if (got == 0)
            m->heap[0] = m->heap[--m->nheap];
    }
    sift_down(x, m, 0);
    return 1;
}

/* One pass: the runs, XS_FANIN at a time, into a new file. */
static int merge_pass(struct extsort *x)
{
    FILE *out = tmpfile();
    struct xs_run *runs = NULL;
    size_t n_runs = 0, cap_runs = 0, g;
    uint64_t end = 0;
    unsigned char *rec = malloc(x->size);

    if (!out || !rec)
        goto fail;
    for (g = 0; g < x->n_runs; g += XS_FANIN) {
        size_t k = x->n_runs - g < XS_FANIN ? x->n_runs - g : XS_FANIN;
        struct xs_merge *m = merge_open(x, x->fp, x->runs + g, k);
        uint64_t n = 0, start = end;
        int rc;

        if (!m)
            goto fail;
        while ((rc = merge_next(x, m, rec)) == 1) {
            if (fwrite(rec, x->size, 1, out) != 1) {
                rc = -1;
                break;
            }
            n++;
        }
        merge_close(m);
        if (rc < 0)
            goto fail;
        if (add_run(x, &runs, &n_runs, &cap_runs, start, n) != 0)
            goto fail;
        end = start + n * x->size;
    }
    if (fflush(out) != 0 || ferror(out))
        goto fail;
    fclose(x->fp);
    free(x->runs);
    x->fp = out;
    x->fp_end = end;
    x->runs = runs;
    x->n_runs = n_runs;
    x->cap_runs = cap_runs;
    free(rec);
    return 0;
fail:
    if (out)
        fclose(out);
    free(runs);
    free(rec);
    return fail(x);
}

int xs_sort(struct extsort *x)
{
    if (x->failed)
        return -1;
    x->pos = 0;
    if (!x->fp) {
        if (x->n > 1)
            qsort(x->buf, x->n, x->size, x->cmp);
        return 0;
    }
    if (x->n > 0 && spill(x) != 0)
        return -1;
    free(x->buf); /* the merge's buffers take its place */
    x->buf = NULL;
    x->n = x->cap = 0;
    if (fflush(x->fp) != 0 || ferror(x->fp))
        return fail(x);
    while (x->n_runs > XS_FANIN)
        if (merge_pass(x) != 0)
            return -1;
    x->m = merge_open(x, x->fp, x->runs, x->n_runs);
    return x->m ? 0 : fail(x);
}

int xs_next(struct extsort *x, void *out)
{
    if (x->failed)
        return -1;
    if (x->m) {
        int rc = merge_next(x, x->m, out);
        if (rc < 0)
            fail(x);
        return rc;
    }
    if (x->pos >= x->n)
        return 0;
    memcpy(out, x->buf + x->pos * x->size, x->size);
    x->pos++;
    return 1;
}

void xs_free(struct extsort *x)
{
    merge_close(x->m);
    if (x->fp)
        fclose(x->fp);
    free(x->runs);
    free(x->buf);
    memset(x, 0, sizeof *x);
}
