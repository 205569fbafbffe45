/*
 * numparse.h - strict parsing of option values (whole string, ranges).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_NUMPARSE_H
#define SAMPO_CLI_NUMPARSE_H

#include <stdint.h>

/* Unsigned integer, decimal or 0x hex, no sign, no blanks. 0 or -1. */
int parse_u64(const char *s, uint64_t *out);
/* Finite real number (strtod syntax, no blanks, no hex/inf/nan). 0 or -1. */
int parse_real(const char *s, double *out);
/* Byte count with an optional K, M, G or T suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *out);
/* Seconds (real, >= 0) to nanoseconds, rounded; -1 if out of int64. */
int parse_seconds_ns(const char *s, int64_t *out);

#endif /* SAMPO_CLI_NUMPARSE_H */
