/* options.h - the table of options: names, kinds, ranges, defaults. */
#ifndef SAMPO_API_OPTIONS_H
#define SAMPO_API_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/opts.h"
#include "sampo.h"

typedef struct sampo__opt_def {
    const char *name;
    sampo_option_type type;
    size_t off; /* in sampo__opts */
    int64_t imin, imax, idef;
    double rmin, rmax, rdef;
} sampo__opt_def;

/* The definition of option `opt`, NULL when there is none. */
const sampo__opt_def *sampo__opt_lookup(int opt);
void sampo__opts_defaults(sampo__opts *o);

/* Smallest useful memory cap: the context itself plus a little state. */
#define SAMPO__MIN_MEMORY_CAP (64 * 1024)

#endif
