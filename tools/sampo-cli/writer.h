/*
 * writer.h - checked output stream and the value formatting rules shared
 * by the output formats.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_WRITER_H
#define SAMPO_CLI_WRITER_H

#include <stdint.h>
#include <stdio.h>

struct writer {
    FILE *fp;
    const char *name; /* "standard output" or the -o file, for messages */
    int owned;        /* fclose at the end */
    int failed;       /* a write failed */
    int err;          /* errno of the first failure */
};

/* Open -o FILE, or standard output for NULL.  @return 0 or -1 (errno). */
int writer_open(struct writer *w, const char *path);
/* Flush and close.  @return 0, or -1 if any write failed (w->err). */
int writer_close(struct writer *w);

/* Push buffered output out now (live captures print events promptly). */
void w_flush(struct writer *w);

void w_printf(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void w_puts(struct writer *w, const char *s);
void w_putc(struct writer *w, int c);
/* A JSON string literal, quotes included. */
void w_json_str(struct writer *w, const char *s);
/* JSON members after the first: ,"k": (the value follows). */
void w_json_key(struct writer *w, const char *k);
void w_json_u64(struct writer *w, const char *k, uint64_t v); /* ,"k":v */
void w_json_bool(struct writer *w, int b);                    /* true or false */
void w_json_version(struct writer *w, unsigned v);            /* 0, 1, or null (unknown) */
/* A CSV field, quoted only when it holds a comma, quote or line break. */
void w_csv_str(struct writer *w, const char *s);
/* Seconds with 9 decimals, from ns: "1234.000000001". */
void w_ts(struct writer *w, uint64_t ns);
/*
 * The same instant as an ISO 8601 date and time in UTC, quoted as a JSON
 * string: "2013-02-25T12:56:35.701161000Z" (RFC 3339, nanoseconds, as
 * the epoch seconds of w_ts() have).  fmt_iso_ts() without the quotes.
 */
void w_iso_ts(struct writer *w, uint64_t ns);
/* Suricata EVE's form, microseconds (truncated) and "+0000", quoted:
 * "2013-02-25T12:56:35.701161+0000". */
void w_eve_ts(struct writer *w, uint64_t ns);
#define ISO_TS_LEN 40
const char *fmt_iso_ts(uint64_t ns, int eve, char *buf, size_t len);
/* A real number by the documented rule (see fmt_real). */
void w_real(struct writer *w, double v);

/*
 * Deterministic, readable, round-trippable enough: exact 0 and 1 print as
 * "0.0" and "1.0"; values within 1e-6 of 1 (but not 1) with 17 significant
 * digits, so that 0.9999999 is not shown as 1; everything else with "%.6g".
 * Non-finite values print as "null".  @return buf.
 */
const char *fmt_real(double v, char *buf, size_t len);

#endif /* SAMPO_CLI_WRITER_H */
