/*
 * cli.h - configuration and exit codes shared by the parts of sampo-cli.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_H
#define SAMPO_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "sampler.h"

/* Exit statuses (documented in sampo-cli.1, EXIT STATUS). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1      /* I/O error: input, output, capture */
#define CLI_EXIT_USAGE 2     /* bad option, filter or link type */
#define CLI_EXIT_TRUNCATED 3 /* truncated capture with --strict */

#define CLI_PROG "sampo-cli"

enum cli_format { CLI_FMT_TEXT = 0, CLI_FMT_JSON = 1, CLI_FMT_CSV = 2, CLI_FMT_EVE = 3 };

/* One library option given on the command line, applied in order. */
struct cli_libopt {
    const char *flag; /* "--window", for messages */
    int opt;          /* sampo_option */
    int is_real;
    int64_t ival;
    double rval;
    int show_seconds; /* report ranges of this ns option in seconds */
};

#define CLI_MAX_LIBOPTS 16

struct cli_config {
    const char *input;   /* the first input: FILE, "-" or URI; NULL with -i */
    const char **inputs; /* every input (owned array; the strings are argv's) */
    int n_inputs;
    const char *iface; /* -i IFACE */
    char *filter;      /* BPF expression (owned), or NULL */
    int snaplen;       /* -s, live capture */
    int promisc;       /* 0 with -p */
    uint64_t count;    /* -c: stop after this many packets read (0: no limit) */
    int list_ifaces;   /* -D: list the capture interfaces and exit */

    struct sampler_spec sample;
    uint32_t rate; /* --rate: input already sampled 1 in N (1 = not) */

    struct cli_libopt libopts[CLI_MAX_LIBOPTS];
    int n_libopts;
    int have_min_conf; /* --min-confidence given: filter reported joins */
    double min_conf;

    enum cli_format format;
    const char *output;  /* -o FILE, NULL = standard output */
    int events;          /* --events */
    int pairs;           /* --pairs: the pair verdicts after the flush */
    int quiet;           /* -q */
    int verbose;         /* -v: counters on standard error */
    int progress;        /* 0 with --no-progress */
    int strict;          /* --strict */
    int stats;           /* --stats */
    int64_t interval_ns; /* --interval: snapshot of the open sessions (0: none) */

    int sflow;                /* --sflow (or --sflow-listen): input carries sFlow v5 */
    uint16_t sflow_port;      /* --sflow-port: UDP port of the datagrams (6343) */
    const char *sflow_listen; /* --sflow-listen ADDR[:PORT], NULL if not given */

    /* Records that join other tools (issue 10, requirement 5). */
    uint16_t community_id_seed; /* --community-id-seed */
    /* --events-file, --pairs-file: the events, the pair verdicts there
     * (each implies its option).  CSV without them: derived from -o
     * (records_init()), standard output being refused by options_parse(). */
    const char *events_file;
    const char *pairs_file;

    /* --record-memory: bytes of session records held (records.h); 0: no bound. */
    uint64_t record_memory;
};

/* --record-memory's default: 32 MiB. */
#define CLI_RECORD_MEMORY_DEFAULT (UINT64_C(32) << 20)
/* Its least value other than 0. */
#define CLI_RECORD_MEMORY_MIN (UINT64_C(64) << 10)

/* --sflow-listen without an address. */
#define CLI_SFLOW_LISTEN_HOST "127.0.0.1"

/* Free what a parsed configuration owns. */
void cli_config_free(struct cli_config *cfg);

/* "sampo-cli: " + message + newline on standard error. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sampo-cli: warning: " + message, unless quiet. */
void cli_warn(int quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* SAMPO_CLI_H */
