/*
 * input.h - packet sources: pcap/pcapng files and standard input, live
 * capture (libpcap), and libtrace URIs.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_INPUT_H
#define SAMPO_CLI_INPUT_H

#include <stdint.h>

#include "cli.h"

/* One packet as read, valid until the next input_next(). */
struct cli_packet {
    const uint8_t *data;
    uint32_t caplen, wirelen;
    uint64_t ts_ns;
    int linktype; /* SAMPO_LINKTYPE_*; 0 if the link layer is unusable */
};

/* input_next() results. */
#define INPUT_PACKET 1
#define INPUT_TIMEOUT 0  /* live capture: no packet within the timeout */
#define INPUT_EOF (-1)   /* end of input, or interrupted */
#define INPUT_ERROR (-2) /* read error; message in input_error() */

struct input;

struct input_ops {
    int (*next)(struct input *in, struct cli_packet *pkt);
    int64_t (*position)(struct input *in); /* bytes consumed, -1 unknown */
    uint64_t (*dropped)(struct input *in); /* packets lost by the capture */
    void (*close)(struct input *in);
};

struct input {
    const struct input_ops *ops;
    const char *name; /* file name, URI or interface, for messages */
    int live;         /* a live capture (stops on a signal, not EOF) */
    int64_t size;     /* bytes of a regular file, -1 otherwise */
    uint64_t records; /* packet records read, before the filter */
    int failed;       /* several inputs: one could not be read at all (said) */
    int truncated;    /* several inputs: one ended early (warned) */
    char err[512];    /* last error (INPUT_ERROR) */
    void *impl;
};

/*
 * Open the source that cfg names.  On failure *out is NULL, a message
 * ("NAME: reason") is in err, and the return value is the exit status
 * (CLI_EXIT_FAIL for I/O, CLI_EXIT_USAGE for a bad filter, link type or
 * an input this build cannot read).  @return 0 on success.
 */
int input_open(const struct cli_config *cfg, struct input **out, char *err, size_t errlen);

static inline int input_next(struct input *in, struct cli_packet *pkt)
{
    return in->ops->next(in, pkt);
}

int64_t input_position(struct input *in);
uint64_t input_dropped(struct input *in);
void input_close(struct input *in);

/* Async-signal-safe: make a blocked live read return soon. */
void input_interrupt(void);

/* Does `arg` name a libtrace URI ("erf:...", "pcapfile:...", ...)? */
int input_is_uri(const char *arg);

/* Link type of a packet that is already a UDP payload (--sflow-listen). */
#define CLI_LINKTYPE_UDP_PAYLOAD (-17)

/* Per-backend openers (input_pcap.c, input_trace.c, input_udp.c,
 * input_wtap.c, input_merge.c).  `name` is the file or URI to open. */
int input_pcap_open_file(const struct cli_config *cfg, const char *name, struct input **out,
                         char *err, size_t errlen);
int input_pcap_open_live(const struct cli_config *cfg, struct input **out, char *err,
                         size_t errlen);
void input_pcap_interrupt(void);
int input_trace_open(const struct cli_config *cfg, const char *name, struct input **out, char *err,
                     size_t errlen);
void input_trace_interrupt(void);
int input_udp_open(const struct cli_config *cfg, struct input **out, char *err, size_t errlen);

/*
 * A pcapng file that libpcap refuses (interfaces of different link types
 * or snapshot lengths), read through Wireshark's wiretap: each packet
 * carries its own interface's link type.  The first `skip` packet records
 * are skipped (libpcap had delivered them).  Returns as input_open(); a
 * build without wiretap says so in err.
 */
int input_wtap_open(const struct cli_config *cfg, const char *name, uint64_t skip,
                    struct input **out, char *err, size_t errlen);
/* Version string of the wiretap backend, or NULL when not built in. */
const char *input_wtap_version(void);

/*
 * Several inputs read as one, in packet time order (as mergecap merges):
 * every input is opened first; a packet is taken from the input whose next
 * packet is the earliest (ties: the input whose first packet is earlier,
 * then the one named first).  An input that cannot be read at all is an
 * error (said at once, in->failed); one that ends early is a truncated
 * capture (warned at once, in->truncated); the others are read on.
 */
int input_merge_open(const struct cli_config *cfg, struct input **out, char *err, size_t errlen);
int input_open_one(const struct cli_config *cfg, const char *name, struct input **out, char *err,
                   size_t errlen);

/* -D: print the capture interfaces as tcpdump -D does.  @return status. */
int input_list_interfaces(void);

/*
 * Split --sflow-listen's "ADDR[:PORT]", "[IPV6][:PORT]" or a bare IPv6
 * address into host and port (an empty ADDR is CLI_SFLOW_LISTEN_HOST, a
 * missing PORT default_port).  @return 0, or -1 when malformed.
 */
int input_udp_parse(const char *arg, uint16_t default_port, char *host, size_t hostlen,
                    uint16_t *port);

/* Map a pcap DLT_* value to a SAMPO_LINKTYPE_*, 0 if unsupported. */
int input_map_dlt(int dlt);

/* Version string of the libtrace backend, or NULL when not built in. */
const char *input_trace_version(void);

#endif /* SAMPO_CLI_INPUT_H */
