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

/* What one read did; the names are sampo-cli's counters. */
struct sampo_py_read_result {
    uint64_t packets_read;        /* records read from the file */
    uint64_t packets_sampled;     /* kept by the sampler and fed */
    uint64_t packets_undecodable; /* fed, refused for another reason than not TCP */
    uint64_t packets_not_tcp;     /* fed, not TCP (or a non-first fragment) */
    uint64_t rates_clamped;       /* sampling rates (file's x sampler's) held at 2^32 - 1 */
    int linktype;                 /* SAMPO_LINKTYPE_* of the file */
    int truncated;                /* the file ended in the middle of a record */
    int sys_errno;                /* errno of an open failure, else 0 */
    char error[600];              /* why it failed, or why it was cut short */
};

/*
 * Read `path`, sample it, feed the kept packets (sampling_rate as
 * sampo-cli sets it: the sampler's 1-in-N times `input_rate`, or 0 without
 * sampling), and flush the context at the end when `flush`.  The events go
 * to the context's callback (pyctx.c) as they are raised.  `filter`
 * is a BPF expression or NULL.
 * @return SAMPO_OK (also for a truncated file: res->truncated), or
 *         SAMPO_E_INVAL (cannot open: res->sys_errno; bad filter or sample
 *         specification), SAMPO_E_MALFORMED (not a capture libpcap reads),
 *         SAMPO_E_LINKTYPE (unsupported link type), with res->error set.
 */
int sampo_py_read_pcap(struct sampo_py_ctx *c, const char *path, const char *sample,
                       uint32_t input_rate, const char *filter, int flush,
                       struct sampo_py_read_result *res);

#endif /* SAMPO_PY_PCAPREAD_H */
