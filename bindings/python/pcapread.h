/*
 * pcapread.h - read a pcap/pcapng file through libpcap into a context,
 * sampling it as sampo-cli --sample does.  Plain C: runs with the GIL
 * released, so it must not touch a Python object.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_PY_PCAPREAD_H
#define SAMPO_PY_PCAPREAD_H

#include <stddef.h>
#include <stdint.h>

#include "pyctx.h"

enum sampo_py_sample_mode {
    SAMPO_PY_SAMPLE_NONE = 0,  /* every packet */
    SAMPO_PY_SAMPLE_COUNT = 1, /* count:N - packets N, 2N, 3N, ... (1-based) */
    SAMPO_PY_SAMPLE_TIME = 2,  /* time:USEC - first packet of each USEC slot */
    SAMPO_PY_SAMPLE_PROB = 3,  /* prob:P[:SEED] - each packet with probability P */
};

#define SAMPO_PY_SAMPLE_DEFAULT_SEED 1

struct sampo_py_sample_spec {
    enum sampo_py_sample_mode mode;
    uint64_t n;        /* count: N (1..UINT32_MAX) */
    uint64_t slot_ns;  /* time: slot length in ns */
    double p;          /* prob: probability in (0, 1] */
    uint64_t seed;     /* prob: PRNG seed */
};

/* What one read did; the names are sampo-cli's counters. */
struct sampo_py_read_result {
    uint64_t packets_read;        /* records read from the file */
    uint64_t packets_sampled;     /* kept by the sampler and fed */
    uint64_t packets_undecodable; /* fed, refused for another reason than not TCP */
    uint64_t packets_not_tcp;     /* fed, not TCP (or a non-first fragment) */
    int linktype;                 /* SAMPO_LINKTYPE_* of the file */
    int truncated;                /* the file ended in the middle of a record */
    int sys_errno;                /* errno of an open failure, else 0 */
    char error[600];              /* why it failed, or why it was cut short */
};

/*
 * Parse "count:N", "time:USEC" or "prob:P[:SEED]" (NULL or "" = every
 * packet).  @return SAMPO_OK, or SAMPO_E_INVAL with a message in err.
 */
int sampo_py_sample_parse(const char *text, struct sampo_py_sample_spec *out, char *err,
                          size_t errlen);

/*
 * Read `path`, sample it, feed the kept packets (sampling_rate as
 * sampo-cli sets it: the sampler's 1-in-N times `input_rate`, or 0 without
 * sampling), drain the events after each one (kept in the ring when
 * keep_events), and flush the context at the end when `flush`.  `filter`
 * is a BPF expression or NULL.
 * @return SAMPO_OK (also for a truncated file: res->truncated), or
 *         SAMPO_E_INVAL (cannot open: res->sys_errno; bad filter or sample
 *         specification), SAMPO_E_MALFORMED (not a capture libpcap reads),
 *         SAMPO_E_LINKTYPE (unsupported link type), with res->error set.
 */
int sampo_py_read_pcap(struct sampo_py_ctx *c, const char *path, const char *sample,
                       uint32_t input_rate, const char *filter, int keep_events, int flush,
                       struct sampo_py_read_result *res);

#endif /* SAMPO_PY_PCAPREAD_H */
