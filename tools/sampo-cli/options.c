/*
 * options.c - command line parsing, usage and version text.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* getopt_long, pcap.h */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input.h"
#include "numparse.h"
#include "sampo.h"
#include "sflow.h"

enum {
    OPT_SAMPLE = 256,
    OPT_RATE,
    OPT_WINDOW,
    OPT_IDLE,
    OPT_NO_TOKEN,
    OPT_NO_DSN,
    OPT_MIN_CONF,
    OPT_MAX_MEM,
    OPT_SOURCE_QUOTA,
    OPT_SEED,
    OPT_EVENTS,
    OPT_PAIRS,
    OPT_FORMAT,
    OPT_NO_PROGRESS,
    OPT_STRICT,
    OPT_STATS,
    OPT_INTERVAL,
    OPT_SFLOW,
    OPT_SFLOW_PORT,
    OPT_SFLOW_LISTEN,
    OPT_VERSION,
    /* Records that join other tools (issue 10, requirement 5). */
    OPT_COMMUNITY_ID_SEED,
    OPT_EVENTS_FILE,
    OPT_PAIRS_FILE,
    OPT_RECORD_MEMORY,
};

static const struct option long_opts[] = {
    {"interface", required_argument, NULL, 'i'},
    {"read", required_argument, NULL, 'r'},
    {"count", required_argument, NULL, 'c'},
    {"list-interfaces", no_argument, NULL, 'D'},
    {"snaplen", required_argument, NULL, 's'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"sample", required_argument, NULL, OPT_SAMPLE},
    {"rate", required_argument, NULL, OPT_RATE},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"no-token", no_argument, NULL, OPT_NO_TOKEN},
    {"no-dsn", no_argument, NULL, OPT_NO_DSN},
    {"min-confidence", required_argument, NULL, OPT_MIN_CONF},
    {"max-memory", required_argument, NULL, OPT_MAX_MEM},
    {"source-quota", required_argument, NULL, OPT_SOURCE_QUOTA},
    {"seed", required_argument, NULL, OPT_SEED},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"pairs", no_argument, NULL, OPT_PAIRS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"stats", no_argument, NULL, OPT_STATS},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"sflow", no_argument, NULL, OPT_SFLOW},
    {"sflow-port", required_argument, NULL, OPT_SFLOW_PORT},
    {"sflow-listen", optional_argument, NULL, OPT_SFLOW_LISTEN},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {"community-id-seed", required_argument, NULL, OPT_COMMUNITY_ID_SEED},
    {"events-file", required_argument, NULL, OPT_EVENTS_FILE},
    {"pairs-file", required_argument, NULL, OPT_PAIRS_FILE},
    {"record-memory", required_argument, NULL, OPT_RECORD_MEMORY},
    {NULL, 0, NULL, 0},
};

void options_usage(FILE *fp)
{
    fputs("Usage: sampo-cli [OPTION]... FILE|-|URI [FILE|URI]... [[--] FILTER...]\n"
          "       sampo-cli [OPTION]... -r FILE [-r FILE]... [FILTER]...\n"
          "       sampo-cli [OPTION]... -i IFACE [FILTER]...\n"
          "       sampo-cli [OPTION]... --sflow-listen[=ADDR[:PORT]]\n"
          "       sampo-cli -D\n"
          "Tell which TCP connections are subflows of the same Multipath TCP session.\n"
          "\n"
          "Input:\n"
          "  FILE                  pcap or pcapng capture file; '-' reads standard input;\n"
          "                        several files are merged in packet time order\n"
          "                        (arguments after the first that name existing files\n"
          "                        are files, the rest the FILTER; or put it after --)\n"
          "  URI                   libtrace input, e.g. erf:trace.erf.gz, pcapfile:x.pcap\n"
          "  -r, --read=FILE       read FILE (repeatable); every argument is then FILTER\n"
          "  -c, --count=N         stop after N packets read\n"
          "  -i, --interface=IFACE live capture on IFACE until SIGINT or SIGTERM\n"
          "  -D, --list-interfaces print the interfaces -i can capture on and exit\n"
          "  -s, --snaplen=N       live capture: bytes kept per packet (0 = 262144)\n"
          "  -p, --no-promiscuous-mode  live capture: do not enable promiscuous mode\n"
          "  FILTER...             BPF filter expression, as tcpdump takes it\n"
          "\n"
          "sFlow (flow collectors):\n"
          "      --sflow           the input carries sFlow v5 datagrams over UDP: analyse\n"
          "                        the packet headers they sample, at their sampling rate\n"
          "      --sflow-port=N    UDP destination port of the datagrams (default 6343)\n"
          "      --sflow-listen[=ADDR[:PORT]]  receive sFlow datagrams on a UDP socket\n"
          "                        bound to ADDR:PORT (default 127.0.0.1:6343) until\n"
          "                        SIGINT or SIGTERM; times are arrival times\n"
          "\n"
          "Sampling:\n"
          "      --sample=SPEC     sample the packets before analysis:\n"
          "                          count:N        packets N, 2N, 3N, ...\n"
          "                          time:USEC      first packet of each USEC microseconds\n"
          "                          prob:P[:SEED]  each packet with probability P\n"
          "                                         (default SEED 1)\n"
          "      --rate=N          the input was already sampled 1 in N\n"
          "\n"
          "Analysis:\n"
          "      --window=SEC      association period (default 0.5)\n"
          "      --idle-timeout=SEC  forget subflows idle this long (default 15)\n"
          "      --min-confidence=X  least confidence for a join, 0..1 (default 0.99);\n"
          "                        also hides subflow-joined events below X\n"
          "      --no-token        do not use MP_CAPABLE keys and MP_JOIN tokens\n"
          "      --no-dsn          do not use DSN evidence\n"
          "      --max-memory=BYTES  memory cap of the analysis (K, M, G, T suffixes;\n"
          "                        default 1G, 0 = none)\n"
          "      --source-quota=PCT  share of the subflow table one source (sFlow\n"
          "                        agent and data source) may hold under pressure,\n"
          "                        1..100 (default 50; 100 = no quota)\n"
          "      --seed=N          fixed flow hash seed, for reproducible hash layouts\n"
          "                        (default: a random key per run; the output does\n"
          "                        not depend on it)\n"
          "\n"
          "Output:\n"
          "      --format=FMT      text (default), json (one record per session, its\n"
          "                        subflows nested), eve (one flat record per subflow,\n"
          "                        Suricata EVE style, for SIEMs) or csv\n"
          "  -o, --output=FILE     write to FILE instead of standard output\n"
          "      --events          also print every event as it happens\n"
          "      --pairs           also print the pair verdicts of the DSN analysis\n"
          "                        (same, distinct or undecided, with method and\n"
          "                        confidence) as they stand at the end\n"
          "      --events-file=FILE  the events to FILE (implies --events); CSV:\n"
          "                        default OUT.events.csv from -o OUT[.csv]\n"
          "      --pairs-file=FILE   the pair verdicts to FILE (implies --pairs); CSV:\n"
          "                        default OUT.pairs.csv from -o OUT[.csv]\n"
          "      --community-id-seed=N  seed of the subflows' Community IDs, 0..65535\n"
          "                        (default 0, as Zeek, Suricata and Wireshark)\n"
          "      --record-memory=BYTES  memory for the records of sessions still open\n"
          "                        (K, M, G, T suffixes; default 32M, 0 = no bound);\n"
          "                        past it they are written early, as session parts\n"
          "  -q, --quiet           no warnings, no progress bar\n"
          "  -v, --verbose         text: the counters after the summary; other formats:\n"
          "                        all counters on standard error at the end\n"
          "      --no-progress     no progress bar (shown only on a terminal)\n"
          "      --strict          exit with status 3 on a truncated capture\n"
          "      --stats           run time and packet rate on standard error\n"
          "      --interval=SEC    also write the open sessions every SEC seconds of\n"
          "                        packet time (live input, long captures)\n"
          "      --version         print version information and exit\n"
          "  -h, --help            print this help and exit\n"
          "\n"
          "Exit status: 0 success (a truncated capture is processed up to the cut),\n"
          "1 input or output error, 2 bad command line, filter or link type,\n"
          "3 truncated capture with --strict.\n"
          "See sampo-cli(1) for the output formats.\n",
          fp);
}

static void print_version(void)
{
    const char *tv = input_trace_version();

    printf("sampo-cli %s\n", SAMPO_VERSION_STRING);
    printf("libsampo %s\n", sampo_version_string());
    printf("%s\n", pcap_lib_version());
    printf("%s\n", tv ? tv : "libtrace: not built in");
    printf("%s\n", input_wtap_version() ? input_wtap_version() : "wiretap: not built in");
}

/* After --help or --version: was everything written? */
static int stdout_done(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error: %s", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

static int bad_value(const char *opt, const char *val, const char *expect)
{
    cli_error("%s: invalid value '%s' (%s)", opt, val, expect);
    return CLI_EXIT_USAGE;
}

static int add_libopt(struct cli_config *cfg, const char *flag, int opt, int is_real, int64_t ival,
                      double rval, int show_seconds)
{
    struct cli_libopt *o = NULL;
    int i;

    for (i = 0; i < cfg->n_libopts; i++) {
        if (cfg->libopts[i].opt == opt)
            o = &cfg->libopts[i]; /* the last one given wins */
    }
    if (o == NULL) {
        if (cfg->n_libopts == CLI_MAX_LIBOPTS)
            return -1;
        o = &cfg->libopts[cfg->n_libopts++];
    }
    o->flag = flag;
    o->opt = opt;
    o->is_real = is_real;
    o->ival = ival;
    o->rval = rval;
    o->show_seconds = show_seconds;
    return 0;
}

/* The filter: the words joined with spaces, as tcpdump joins them. */
static int join_filter(struct cli_config *cfg, const char *const *words, int n)
{
    size_t len = 0;
    int i;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    cfg->filter = malloc(len);
    if (cfg->filter == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    cfg->filter[0] = '\0';
    for (i = 0; i < n; i++) {
        if (i > 0)
            strcat(cfg->filter, " ");
        strcat(cfg->filter, words[i]);
    }
    return 0;
}

/* One option with its value; @return 0 or an exit status. */
static int one_option(struct cli_config *cfg, int c, const char *arg)
{
    char err[256];
    uint64_t u;
    int64_t ns;
    double r;

    switch (c) {
    case 'i':
        cfg->iface = arg;
        return 0;
    case 'c':
        if (parse_u64(arg, &u) != 0 || u < 1)
            return bad_value("--count", arg, "expected a number of packets >= 1");
        cfg->count = u;
        return 0;
    case 'D':
        cfg->list_ifaces = 1;
        return 0;
    case 's':
        if (parse_u64(arg, &u) != 0 || u > 262144)
            return bad_value("--snaplen", arg, "expected bytes from 0 to 262144");
        cfg->snaplen = (int)u;
        return 0;
    case 'p':
        cfg->promisc = 0;
        return 0;
    case OPT_SAMPLE:
        if (sampler_parse(arg, &cfg->sample, err, sizeof err) != 0) {
            cli_error("--sample: %s", err);
            return CLI_EXIT_USAGE;
        }
        return 0;
    case OPT_RATE:
        if (parse_u64(arg, &u) != 0 || u < 1 || u > UINT32_MAX)
            return bad_value("--rate", arg, "expected an integer N >= 1, for 1 in N");
        cfg->rate = (uint32_t)u;
        return add_libopt(cfg, "--rate", SAMPO_OPT_SAMPLING_RATE, 0, (int64_t)u, 0, 0);
    case OPT_WINDOW:
        if (parse_seconds_ns(arg, &ns) != 0 || ns <= 0)
            return bad_value("--window", arg, "expected seconds > 0, e.g. 0.5");
        return add_libopt(cfg, "--window", SAMPO_OPT_WINDOW_NS, 0, ns, 0, 1);
    case OPT_IDLE:
        if (parse_seconds_ns(arg, &ns) != 0 || ns <= 0)
            return bad_value("--idle-timeout", arg, "expected seconds > 0, e.g. 15");
        return add_libopt(cfg, "--idle-timeout", SAMPO_OPT_IDLE_TIMEOUT_NS, 0, ns, 0, 1);
    case OPT_NO_TOKEN:
        return add_libopt(cfg, "--no-token", SAMPO_OPT_TOKEN_EVIDENCE, 0, 0, 0, 0);
    case OPT_NO_DSN:
        return add_libopt(cfg, "--no-dsn", SAMPO_OPT_DSN_EVIDENCE, 0, 0, 0, 0);
    case OPT_MIN_CONF:
        if (parse_real(arg, &r) != 0 || r < 0.0 || r > 1.0)
            return bad_value("--min-confidence", arg, "expected a number from 0 to 1");
        cfg->have_min_conf = 1;
        cfg->min_conf = r;
        return add_libopt(cfg, "--min-confidence", SAMPO_OPT_MIN_CONFIDENCE, 1, 0, r, 0);
    case OPT_MAX_MEM:
        if (parse_size(arg, &u) != 0 || u > INT64_MAX)
            return bad_value("--max-memory", arg,
                             "expected bytes, with an optional K, M, G "
                             "or T suffix, e.g. 64M");
        return add_libopt(cfg, "--max-memory", SAMPO_OPT_MAX_MEMORY, 0, (int64_t)u, 0, 0);
    case OPT_SOURCE_QUOTA:
        if (parse_u64(arg, &u) != 0 || u < 1 || u > 100)
            return bad_value("--source-quota", arg, "expected a percentage from 1 to 100");
        return add_libopt(cfg, "--source-quota", SAMPO_OPT_SOURCE_QUOTA, 0, (int64_t)u, 0, 0);
    case OPT_RECORD_MEMORY:
        if (parse_size(arg, &u) != 0 || (u != 0 && u < CLI_RECORD_MEMORY_MIN))
            return bad_value("--record-memory", arg,
                             "expected bytes, 0 or at least 64K, with an optional K, M, G or T "
                             "suffix, e.g. 64M");
        cfg->record_memory = u;
        return 0;
    case OPT_SEED:
        if (parse_u64(arg, &u) != 0 || u > INT64_MAX)
            return bad_value("--seed", arg, "expected an unsigned integer, decimal or 0x hex");
        return add_libopt(cfg, "--seed", SAMPO_OPT_HASH_SEED, 0, (int64_t)u, 0, 0);
    case OPT_EVENTS:
        cfg->events = 1;
        return 0;
    case OPT_PAIRS:
        cfg->pairs = 1;
        return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "text") == 0)
            cfg->format = CLI_FMT_TEXT;
        else if (strcmp(arg, "json") == 0)
            cfg->format = CLI_FMT_JSON;
        else if (strcmp(arg, "csv") == 0)
            cfg->format = CLI_FMT_CSV;
        else if (strcmp(arg, "eve") == 0)
            cfg->format = CLI_FMT_EVE;
        else
            return bad_value("--format", arg, "expected text, json, eve or csv");
        return 0;
    case 'o':
        if (arg[0] == '\0')
            return bad_value("--output", arg, "expected a file name");
        cfg->output = arg;
        return 0;
    case 'q':
        cfg->quiet = 1;
        return 0;
    case 'v':
        cfg->verbose = 1;
        return 0;
    case OPT_NO_PROGRESS:
        cfg->progress = 0;
        return 0;
    case OPT_STRICT:
        cfg->strict = 1;
        return 0;
    case OPT_INTERVAL:
        if (parse_seconds_ns(arg, &ns) != 0 || ns <= 0)
            return bad_value("--interval", arg, "expected seconds > 0, e.g. 60");
        cfg->interval_ns = ns;
        return 0;
    case OPT_STATS:
        cfg->stats = 1;
        return 0;
    case OPT_SFLOW:
        cfg->sflow = 1;
        return 0;
    case OPT_SFLOW_PORT:
        if (parse_u64(arg, &u) != 0 || u < 1 || u > 65535)
            return bad_value("--sflow-port", arg, "expected a UDP port from 1 to 65535");
        cfg->sflow_port = (uint16_t)u;
        return 0;
    case OPT_SFLOW_LISTEN:
        cfg->sflow = 1;
        cfg->sflow_listen = arg != NULL ? arg : "";
        return 0;
    case OPT_COMMUNITY_ID_SEED:
        if (parse_u64(arg, &u) != 0 || u > UINT16_MAX)
            return bad_value("--community-id-seed", arg, "expected an integer from 0 to 65535");
        cfg->community_id_seed = (uint16_t)u;
        return 0;
    case OPT_EVENTS_FILE:
    case OPT_PAIRS_FILE:
        if (arg[0] == '\0')
            return bad_value(c == OPT_EVENTS_FILE ? "--events-file" : "--pairs-file", arg,
                             "expected a file name");
        if (c == OPT_EVENTS_FILE) {
            cfg->events_file = arg;
            cfg->events = 1;
        } else {
            cfg->pairs_file = arg;
            cfg->pairs = 1;
        }
        return 0;
    default:
        return CLI_EXIT_USAGE;
    }
}

/* "sampo-cli: WHAT 'ARG'AFTER" and a hint; ARG may be NULL. */
static int usage_error(const char *what, const char *arg, const char *after)
{
    if (arg != NULL)
        fprintf(stderr, CLI_PROG ": %s '%s'%s\n", what, arg, after);
    else
        fprintf(stderr, CLI_PROG ": %s%s\n", what, after);
    fprintf(stderr, "Try '" CLI_PROG " --help' for more information.\n");
    return CLI_EXIT_USAGE;
}

/* The output options together (issue 10, requirement 5): one table per
 * CSV file; the eve records are subflows only.  @return 0 or a status. */
static int output_options(struct cli_config *cfg)
{
    const char *out = cfg->output != NULL && strcmp(cfg->output, "-") != 0 ? cfg->output : NULL;

    if (cfg->format == CLI_FMT_EVE && (cfg->events || cfg->pairs || cfg->interval_ns))
        return usage_error("--format eve writes subflow records only: --events, --pairs and"
                           " --interval need --format json, csv or text",
                           NULL, "");
    /* Each in a file of its own ("-": standard output, as for -o). */
    const char *names[3] = {out ? out : "-", cfg->events_file, cfg->pairs_file};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (names[i] != NULL && names[j] != NULL && strcmp(names[i], names[j]) == 0)
                return usage_error("the output, --events-file and --pairs-file must be different"
                                   " files",
                                   NULL, "");
    if (cfg->format != CLI_FMT_CSV)
        return 0;
    if (cfg->interval_ns)
        return usage_error("--interval needs --format json or text (a CSV file holds one table)",
                           NULL, "");
    /* Every table in a file of its own: none may share the output. */
    if (out == NULL &&
        ((cfg->events && cfg->events_file == NULL) || (cfg->pairs && cfg->pairs_file == NULL)))
        return usage_error("--format csv writes one table per file: with the subflows on standard"
                           " output, give --events-file=FILE and --pairs-file=FILE (or -o FILE)",
                           NULL, "");
    return 0;
}

/* The sFlow options together; `positional` arguments are left. */
static int sflow_options(struct cli_config *cfg, int positional)
{
    char host[256];
    uint16_t port;

    if (cfg->sflow_port != 0 && !cfg->sflow) {
        cli_config_free(cfg);
        return usage_error("--sflow-port needs --sflow or --sflow-listen", NULL, "");
    }
    if (cfg->sflow_port == 0)
        cfg->sflow_port = SFLOW_DEFAULT_PORT;
    if (cfg->sflow_listen == NULL)
        return 0;
    if (cfg->iface != NULL) {
        cli_config_free(cfg);
        return usage_error("--sflow-listen and -i cannot be used together", NULL, "");
    }
    if (positional > 0) {
        cli_config_free(cfg);
        return usage_error("--sflow-listen takes no FILE or FILTER (an address is given as"
                           " --sflow-listen=ADDR:PORT)",
                           NULL, "");
    }
    if (input_udp_parse(cfg->sflow_listen, cfg->sflow_port, host, sizeof host, &port) != 0) {
        cli_config_free(cfg);
        return bad_value("--sflow-listen", cfg->sflow_listen,
                         "expected ADDR, ADDR:PORT or [IPV6]:PORT, e.g. 0.0.0.0:6343");
    }
    return 0;
}

/* An argument after the first input that names an existing file (not a
 * directory), a libtrace URI or "-": another input. */
static int names_input(const char *arg)
{
    struct stat st;

    if (input_is_uri(arg) || strcmp(arg, "-") == 0)
        return 1;
    return arg[0] != '\0' && stat(arg, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* A word that can only be a capture file's name ("x.pcap" misspelt). */
static int looks_like_capture(const char *arg)
{
    static const char *const ext[] = {".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".erf"};
    size_t n = strlen(arg), i;

    for (i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcmp(arg + n - e, ext[i]) == 0)
            return 1;
    }
    return 0;
}

/*
 * Inputs and filter from the arguments that are not options: `pos` (in
 * order, before any "--") and argv[rest..argc) (after "--").  With -r, -i
 * or --sflow-listen every one of them is the filter (tcpdump's way).
 * Otherwise the first is an input, and so is each following one that
 * names an existing file or a URI, up to the first that does not: it and
 * the rest are the filter.  With "--", everything before it is an input.
 */
static int inputs_and_filter(struct cli_config *cfg, const char **pos, int npos, int dashdash,
                             int argc, char **argv, int rest)
{
    int ninputs = 0, nwords, i, stdin_seen = 0;

    if (cfg->n_inputs > 0 || cfg->iface != NULL || cfg->sflow_listen != NULL) {
        ninputs = 0;
    } else if (npos == 0) {
        return usage_error("missing input: FILE, '-', URI, -r FILE or -i IFACE", NULL, "");
    } else if (dashdash) {
        ninputs = npos;
    } else {
        ninputs = 1;
        while (ninputs < npos && names_input(pos[ninputs]))
            ninputs++;
        if (ninputs < npos && looks_like_capture(pos[ninputs])) {
            cli_error("%s: %s (not an existing file: to filter on this word, put the filter"
                      " after --)",
                      pos[ninputs], strerror(ENOENT));
            return CLI_EXIT_FAIL;
        }
    }
    for (i = 0; i < ninputs; i++)
        cfg->inputs[cfg->n_inputs++] = pos[i];
    for (i = 0; i < cfg->n_inputs; i++) {
        if (cfg->inputs[i][0] == '\0')
            return usage_error("empty input file name", NULL, "");
        if (strcmp(cfg->inputs[i], "-") == 0 && stdin_seen++)
            return usage_error("standard input ('-') given more than once", NULL, "");
    }
    if (cfg->n_inputs > 0)
        cfg->input = cfg->inputs[0];
    /* The filter: the positional arguments left, then those after "--"
     * (pos has room for them all). */
    nwords = 0;
    for (i = ninputs; i < npos; i++)
        pos[nwords++] = pos[i];
    for (i = rest; i < argc; i++)
        pos[nwords++] = argv[i];
    return join_filter(cfg, pos, nwords);
}

int options_parse(int argc, char **argv, struct cli_config *cfg)
{
    const char **pos;
    const char *last_arg = NULL;
    int c, rc, npos = 0, dashdash;

    memset(cfg, 0, sizeof *cfg);
    cfg->promisc = 1;
    cfg->progress = 1;
    cfg->rate = 1;
    cfg->sample.mode = SAMPLER_NONE;
    cfg->record_memory = CLI_RECORD_MEMORY_DEFAULT;
    /* Room for every argument: the -r files and the positional ones. */
    cfg->inputs = calloc((size_t)argc + 1, sizeof *cfg->inputs);
    pos = calloc((size_t)argc + 1, sizeof *pos);
    if (cfg->inputs == NULL || pos == NULL) {
        free(pos);
        cli_config_free(cfg);
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    opterr = 0;
    optind = 1;
    /* '-': the arguments that are not options come back in order (1). */
    while ((c = getopt_long(argc, argv, "-:i:r:c:Ds:po:qvh", long_opts, NULL)) != -1) {
        last_arg = optarg;
        switch (c) {
        case 1:
            pos[npos++] = optarg;
            break;
        case 'r':
            if (optarg[0] == '\0') {
                free(pos);
                cli_config_free(cfg);
                return usage_error("empty input file name", NULL, "");
            }
            cfg->inputs[cfg->n_inputs++] = optarg;
            break;
        case 'h':
            free(pos);
            options_usage(stdout);
            cli_config_free(cfg);
            return stdout_done();
        case OPT_VERSION:
            free(pos);
            print_version();
            cli_config_free(cfg);
            return stdout_done();
        case ':':
            free(pos);
            cli_config_free(cfg);
            return usage_error("option", argv[optind - 1], " needs a value");
        case '?':
            free(pos);
            cli_config_free(cfg);
            if (optopt == 'V')
                return usage_error("unknown option", "-V", " (the version is --version)");
            if (optopt > 0 && optopt < 256) {
                char opt[3] = {'-', (char)optopt, '\0'};
                return usage_error("unknown option", opt, "");
            }
            if (optopt >= 256)
                return usage_error("option", argv[optind - 1], " takes no value");
            return usage_error("unknown option", argv[optind - 1], "");
        default:
            rc = one_option(cfg, c, optarg);
            if (rc != 0) {
                if (rc < 0) {
                    cli_error("too many options");
                    rc = CLI_EXIT_USAGE;
                }
                free(pos);
                cli_config_free(cfg);
                return rc;
            }
        }
    }
    /* In this mode getopt stops at "--" and leaves optind after it. */
    dashdash = optind > 1 && optind <= argc && strcmp(argv[optind - 1], "--") == 0 &&
               argv[optind - 1] != last_arg;
    if (cfg->list_ifaces) {
        free(pos);
        cli_config_free(cfg);
        rc = input_list_interfaces();
        return rc == CLI_EXIT_OK ? stdout_done() : rc;
    }
    rc = sflow_options(cfg, npos + (argc - optind));
    if (rc == 0 && cfg->n_inputs > 0 && cfg->iface != NULL) {
        cli_config_free(cfg);
        rc = usage_error("-r and -i cannot be used together", NULL, "");
    }
    if (rc == 0 && cfg->n_inputs > 0 && cfg->sflow_listen != NULL) {
        cli_config_free(cfg);
        rc = usage_error("--sflow-listen takes no -r FILE", NULL, "");
    }
    if (rc != 0) {
        free(pos);
        return rc;
    }
    rc = output_options(cfg);
    if (rc != 0) {
        free(pos);
        cli_config_free(cfg);
        return rc;
    }
    rc = inputs_and_filter(cfg, pos, npos, dashdash, argc, argv, optind);
    free(pos);
    if (rc != 0) {
        cli_config_free(cfg);
        return rc;
    }
    return OPTIONS_RUN;
}
