/*
 * records.h - session records built from the library's end-of-life events,
 * so that every session and subflow the input held is reported exactly
 * once, however long the input (issue 10).
 *
 * The records are put together by tools/common/assemble.h (shared with the
 * Python module); this module writes them.
 *
 * How a finished session is written depends on the format: JSON lines and
 * CSV (without --events) write it at once and flush, as Zeek writes its
 * conn.log; the text report and CSV with --events (whose event table comes
 * first) spool it to a temporary file and write the spool at the end, the
 * text report in session id order.  Memory holds only the records of
 * sessions still open.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_RECORDS_H
#define SAMPO_CLI_RECORDS_H

#include <stdint.h>
#include <stdio.h>

#include "assemble.h"
#include "format.h"
#include "report.h"
#include "sampo.h"
#include "writer.h"

struct rec_index; /* spooled text sessions: id, offset, length */

struct records {
    const struct formatter *fmt;
    const struct cli_config *cfg;
    struct writer *out; /* the output */
    int spool_mode;     /* 0: write at once; 1: spool in end order; 2: spool, sort by id */
    int flush_each;     /* flush the output after each record (live input or a pipe) */
    struct writer spool;
    struct assembler asm_;
    struct rec_index *index;
    size_t n_index, cap_index;
    struct report_list unassoc; /* text: unassociated subflows, printed last */
    struct report_totals totals;
    int failed; /* out of memory or a spool write error */
};

/* @return 0, or -1 when the spool could not be made (errno). */
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
void records_free(struct records *r);

#endif /* SAMPO_CLI_RECORDS_H */
