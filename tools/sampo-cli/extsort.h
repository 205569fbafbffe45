/*
 * extsort.h - sort fixed-size records in bounded memory (the text
 * report's session index and unassociated subflows).
 *
 * Records are kept in memory up to a bound; past it each full buffer is
 * sorted and written to a temporary file as a run, and the runs are
 * merged at the end, at most XS_FANIN at a time (in passes, each into a
 * new temporary file, while there are more).  Without a spill, nothing
 * touches a file.  Records that compare equal come in no particular
 * order: give a total order.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_EXTSORT_H
#define SAMPO_CLI_EXTSORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define XS_FANIN 16

struct xs_run {
    uint64_t off, n; /* byte offset in the runs file, records */
};

struct xs_merge;

struct extsort {
    size_t size; /* bytes per record */
    int (*cmp)(const void *, const void *);
    size_t max_mem;     /* bytes of records held in memory (at least 2 records) */
    unsigned char *buf; /* the records in memory */
    size_t n, cap, pos; /* pos: the next to read, when not spilled */
    FILE *fp;           /* the runs, once spilled */
    uint64_t fp_end;
    struct xs_run *runs; /* 16 bytes per run of max_mem bytes */
    size_t n_runs, cap_runs;
    uint64_t total;   /* records pushed */
    uint64_t spilled; /* runs written, merge passes included */
    struct xs_merge *m;
    int failed; /* no memory, or a temporary file error */
};

/* Records of `size` bytes in `cmp`'s order, at most about max_mem bytes
 * of them in memory (the merge too). */
void xs_init(struct extsort *x, size_t size, int (*cmp)(const void *, const void *),
             size_t max_mem);
/* Add one record.  @return 0, or -1 (x->failed). */
int xs_push(struct extsort *x, const void *rec);
/* After the last push: sort, and merge runs down to XS_FANIN.  @return 0 or -1. */
int xs_sort(struct extsort *x);
/* The next record in order into `out`.  @return 1, 0 at the end, -1 on error. */
int xs_next(struct extsort *x, void *out);
void xs_free(struct extsort *x);

#endif /* SAMPO_CLI_EXTSORT_H */
