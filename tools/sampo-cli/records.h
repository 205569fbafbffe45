/*
 * records.h - session records built from the library's end-of-life events,
 * so that every session and subflow the input held is reported exactly
 * once, however long the input (issue 10).
 *
 * The records are put together by tools/common/assemble.h (shared with the
 * Python module); this module writes them.
 *
 * How a finished session is written depends on the format: JSON lines,
 * eve and CSV write it at once and flush, as Zeek writes its conn.log; the
 * text report spools it to a temporary file and writes the spool at the
 * end, in session id order.  Memory holds only the records of sessions
 * still open.
 *
 * Memory stays within --record-memory (cfg->record_memory; 0: no bound):
 * the ended subflows of sessions still open are held by the assembler up
 * to that many bytes (half of them in text), past which those of the
 * sessions holding most are written early as parts of their session
 * (formatter part(); the session's record then says how many went
 * before).  The text report's index of spooled records (id, offset,
 * length) and its unassociated subflows are sorted in at most a quarter
 * each (extsort.h: sorted runs in temporary files past it, merged at the
 * end), so that they come out in the same order whatever the bound.
 *
 * The events (--events) and the pair verdicts (--pairs) go to the output,
 * or to files of their own: --events-file, --pairs-file, and in CSV (one
 * table per file) FILE.events.csv and FILE.pairs.csv from -o FILE[.csv]
 * when those are not given.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_RECORDS_H
#define SAMPO_CLI_RECORDS_H

#include <stdint.h>
#include <stdio.h>

#include "assemble.h"
#include "extsort.h"
#include "format.h"
#include "report.h"
#include "sampo.h"
#include "writer.h"

struct records {
    const struct formatter *fmt;
    const struct cli_config *cfg;
    struct writer *out; /* the output */
    int spool_mode;     /* 0: write at once; 2: spool, sort by id (text) */
    int flush_each;     /* flush the output after each record (live input or a pipe) */
    struct writer spool;
    struct assembler asm_;
    struct extsort index;       /* text: spooled records (struct rec_index), by id */
    struct extsort unassoc;     /* text: unassociated subflows (struct report_subflow) */
    size_t unassoc_width;       /* text: their longest flow string */
    struct report_list scratch; /* one record at a time */
    struct report_totals totals;
    int failed; /* out of memory or a spool write error */
    /* Where the events and the pair verdicts go: `out`, or files. */
    struct writer *events_out, *pairs_out;
    struct writer events_w, pairs_w; /* the files, when opened */
    char *derived[2];                /* CSV: names made from -o (owned) */
    const char *open_failed;         /* records_init() -1: that file (NULL: the spool) */
};

/* Opens the events and pairs files, then writes the formatter's begin()
 * to where the events go.  @return 0, or -1 when the spool or a file
 * could not be made (errno; open_failed names the file). */
int records_init(struct records *r, const struct formatter *fmt, const struct cli_config *cfg,
                 struct writer *out, int live);
/* Take one event (pulled from the context; its record pointers are valid
 * now).  Writes what it completes. */
void records_event(struct records *r, const sampo_event *ev);
/* Write the snapshot of the sessions still open (--interval): each open
 * session of the context with its ended and its live subflows.  `ts_ns` is
 * the snapshot's time. */
void records_snapshot(struct records *r, sampo_ctx *ctx, uint64_t ts_ns);
/* After the last end-of-life event: write what was spooled, and the
 * unassociated subflows of the text report.  @return 0, or -1 on a spool
 * error or when records were left waiting (a bug: they are written as
 * sessions of their own so that nothing vanishes). */
int records_finish(struct records *r);
/* Close the events and pairs files; a write error is reported (message).
 * @return 0 or -1. */
int records_close_files(struct records *r);
void records_free(struct records *r);

/* For --stats: bytes of records held at most by the assembler, its
 * bound, and the sorted runs the text report wrote to temporary files. */
uint64_t records_held_peak(const struct records *r);
uint64_t records_held_bound(const struct records *r);
uint64_t records_sort_runs(const struct records *r);

#endif /* SAMPO_CLI_RECORDS_H */
