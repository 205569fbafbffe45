/*
 * numparse.c - strict parsing of option values.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "numparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    const char *digits = s;
    char *end = NULL;
    unsigned long long v;

    if (s == NULL)
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        digits = s + 2;
        if (strchr("0123456789abcdefABCDEF", digits[0]) == NULL || digits[0] == '\0')
            return -1;
    } else if (digits[0] < '0' || digits[0] > '9') {
        return -1; /* no sign, no blanks, not empty */
    }
    errno = 0;
    v = strtoull(digits, &end, base);
    if (errno != 0 || end == digits || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int parse_real(const char *s, double *out)
{
    char *end = NULL;
    double v;

    if (s == NULL || s[0] == '\0')
        return -1;
    /* Plain decimal notation only: strtod would also take blanks, hex,
     * "inf" and "nan". */
    if (s[strspn(s, "0123456789.eE+-")] != '\0')
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return -1;
    if (errno == ERANGE && fabs(v) > 1.0)
        return -1; /* overflow; underflow to ~0 is fine */
    *out = v;
    return 0;
}

int parse_size(const char *s, uint64_t *out)
{
    char buf[64];
    size_t len;
    unsigned shift = 0;
    uint64_t v;

    if (s == NULL)
        return -1;
    len = strlen(s);
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len + 1);
    switch (buf[len - 1]) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 't':
    case 'T':
        shift = 40;
        break;
    default:
        break;
    }
    if (shift != 0)
        buf[len - 1] = '\0';
    if (parse_u64(buf, &v) != 0)
        return -1;
    if (shift != 0 && v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

int parse_seconds_ns(const char *s, int64_t *out)
{
    double sec, ns;

    if (parse_real(s, &sec) != 0 || sec < 0.0)
        return -1;
    ns = sec * 1e9;
    if (ns >= 9.2e18) /* below INT64_MAX with margin for rounding */
        return -1;
    *out = (int64_t)llround(ns);
    return 0;
}
