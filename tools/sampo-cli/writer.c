/*
 * writer.c - checked output stream and value formatting.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "writer.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static void note(struct writer *w, int ok)
{
    if (!ok && !w->failed) {
        w->failed = 1;
        w->err = errno ? errno : EIO;
    }
}

int writer_open(struct writer *w, const char *path)
{
    memset(w, 0, sizeof *w);
    if (path == NULL || strcmp(path, "-") == 0) {
        w->fp = stdout;
        w->name = "standard output";
        return 0;
    }
    w->fp = fopen(path, "w");
    if (w->fp == NULL)
        return -1;
    w->name = path;
    w->owned = 1;
    return 0;
}

int writer_close(struct writer *w)
{
    if (w->fp == NULL)
        return w->failed ? -1 : 0;
    errno = 0;
    note(w, fflush(w->fp) == 0);
    note(w, !ferror(w->fp));
    if (w->owned) {
        errno = 0;
        note(w, fclose(w->fp) == 0);
    }
    w->fp = NULL;
    return w->failed ? -1 : 0;
}

void w_flush(struct writer *w)
{
    if (w->failed)
        return;
    errno = 0;
    note(w, fflush(w->fp) == 0);
}

void w_printf(struct writer *w, const char *fmt, ...)
{
    va_list ap;
    int rc;

    if (w->failed)
        return;
    va_start(ap, fmt);
    errno = 0;
    rc = vfprintf(w->fp, fmt, ap);
    va_end(ap);
    note(w, rc >= 0);
}

void w_puts(struct writer *w, const char *s)
{
    if (w->failed)
        return;
    errno = 0;
    note(w, fputs(s, w->fp) != EOF);
}

void w_putc(struct writer *w, int c)
{
    if (w->failed)
        return;
    errno = 0;
    note(w, putc(c, w->fp) != EOF);
}

void w_json_str(struct writer *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    w_putc(w, '"');
    for (; *p; p++) {
        switch (*p) {
        case '"':
            w_puts(w, "\\\"");
            break;
        case '\\':
            w_puts(w, "\\\\");
            break;
        case '\n':
            w_puts(w, "\\n");
            break;
        case '\r':
            w_puts(w, "\\r");
            break;
        case '\t':
            w_puts(w, "\\t");
            break;
        default:
            if (*p < 0x20 || *p >= 0x7f)
                w_printf(w, "\\u%04x", (unsigned)*p);
            else
                w_putc(w, *p);
        }
    }
    w_putc(w, '"');
}

void w_csv_str(struct writer *w, const char *s)
{
    const char *p;

    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        w_puts(w, s);
        return;
    }
    w_putc(w, '"');
    for (p = s; *p; p++) {
        if (*p == '"')
            w_putc(w, '"');
        w_putc(w, *p);
    }
    w_putc(w, '"');
}

void w_ts(struct writer *w, uint64_t ns)
{
    w_printf(w, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

const char *fmt_iso_ts(uint64_t ns, int eve, char *buf, size_t len)
{
    time_t secs = (time_t)(ns / 1000000000u);
    uint64_t frac = ns % 1000000000u;
    struct tm tm;
    size_t n;

    if (gmtime_r(&secs, &tm) == NULL || (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
        snprintf(buf, len, "1970-01-01T00:00:00%s", eve ? ".000000+0000" : ".000000000Z");
        return buf;
    }
    if (eve)
        snprintf(buf + n, len - n, ".%06" PRIu64 "+0000", frac / 1000u);
    else
        snprintf(buf + n, len - n, ".%09" PRIu64 "Z", frac);
    return buf;
}

void w_iso_ts(struct writer *w, uint64_t ns)
{
    char buf[ISO_TS_LEN];

    w_printf(w, "\"%s\"", fmt_iso_ts(ns, 0, buf, sizeof buf));
}

void w_eve_ts(struct writer *w, uint64_t ns)
{
    char buf[ISO_TS_LEN];

    w_printf(w, "\"%s\"", fmt_iso_ts(ns, 1, buf, sizeof buf));
}

const char *fmt_real(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "null");
    else if (v == 0.0)
        snprintf(buf, len, "0.0");
    else if (v == 1.0)
        snprintf(buf, len, "1.0");
    else if (fabs(1.0 - v) < 1e-6)
        snprintf(buf, len, "%.17g", v);
    else
        snprintf(buf, len, "%.6g", v);
    return buf;
}

void w_real(struct writer *w, double v)
{
    char buf[40];

    w_puts(w, fmt_real(v, buf, sizeof buf));
}

void w_json_key(struct writer *w, const char *k)
{
    w_putc(w, ',');
    w_json_str(w, k);
    w_putc(w, ':');
}

void w_json_u64(struct writer *w, const char *k, uint64_t v)
{
    w_json_key(w, k);
    w_printf(w, "%" PRIu64, v);
}

void w_json_bool(struct writer *w, int b) { w_puts(w, b ? "true" : "false"); }

void w_json_version(struct writer *w, unsigned v)
{
    if (v <= 1)
        w_printf(w, "%u", v);
    else
        w_puts(w, "null");
}
