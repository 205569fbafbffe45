/*
 * input_pcap.c - pcap and pcapng files, standard input, and live capture
 * through libpcap.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* pcap.h needs u_int and friends; clock_gettime */
#include "input.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define LIVE_TIMEOUT_MS 100
#define DEFAULT_SNAPLEN 262144

struct pcap_input {
    struct input base; /* first: the struct input * is this */
    pcap_t *p;
    FILE *fp; /* offline: the stream libpcap reads (position) */
    int linktype;
    int nano; /* timestamps in ns (else us) */
    int fd;   /* live: selectable descriptor, -1 for files */
    /* Files: the filter, applied here (as libpcap would) so that every
     * record is counted, and what a switch to wiretap needs. */
    struct bpf_program prog;
    int have_prog;
    int reopenable;               /* a regular file, opened by name */
    const struct cli_config *cfg; /* for the switch to wiretap */
    struct input *alt;            /* wiretap reads the rest, when set */
};

/* The live handle a signal handler may break out of. */
static pcap_t *volatile g_live;

/*
 * Live captures run in non-blocking mode and wait in poll() themselves:
 * libpcap's own read timeout does not expire without traffic on every
 * platform (Linux TPACKET_V3), and the analysis windows must run anyway.
 */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until `deadline` (monotonic ms) for the descriptor to be readable. */
static int live_wait(struct pcap_input *pi, int64_t deadline)
{
    struct pollfd pfd;
    int64_t left = deadline - now_ms();
    int rc;

    if (left <= 0)
        return INPUT_TIMEOUT; /* e.g. only packets the filter rejects */
    pfd.fd = pi->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    rc = poll(&pfd, 1, (int)left);
    if (rc < 0 && errno != EINTR) {
        snprintf(pi->base.err, sizeof pi->base.err, "poll: %s", strerror(errno));
        return INPUT_ERROR;
    }
    return rc > 0 ? INPUT_PACKET : INPUT_TIMEOUT; /* EINTR: let the caller look */
}

/*
 * libpcap 1.10 reads pcapng files only when all their interfaces share
 * one link type and one snapshot length; it stops at the first interface
 * that does not ("an interface has a type 113 different from the type of
 * the first interface").  Then wiretap reads the file again from the
 * start, skips the records libpcap delivered, and reads on.
 */
static int mixed_interfaces(const char *msg)
{
    return strstr(msg, "an interface has a ") != NULL && strstr(msg, "different from the") != NULL;
}

static int switch_to_wtap(struct pcap_input *pi, struct cli_packet *pkt)
{
    char msg[300];
    char why[PCAP_ERRBUF_SIZE + 8];
    int rc;

    snprintf(why, sizeof why, "%s", pcap_geterr(pi->p));
    if (!pi->reopenable) {
        snprintf(pi->base.err, sizeof pi->base.err,
                 "%s; libpcap cannot read such a pcapng file, and only a file named on the"
                 " command line can be read again by wiretap",
                 why);
        return INPUT_ERROR;
    }
    rc = input_wtap_open(pi->cfg, pi->base.name, pi->base.records, &pi->alt, msg, sizeof msg);
    if (rc != 0) {
        snprintf(pi->base.err, sizeof pi->base.err, "%.200s (libpcap); %.300s", why, msg);
        return INPUT_ERROR;
    }
    rc = input_next(pi->alt, pkt);
    pi->base.records = pi->alt->records;
    if (rc == INPUT_ERROR)
        memcpy(pi->base.err, pi->alt->err, sizeof pi->base.err);
    return rc;
}

static int pcap_in_next(struct input *in, struct cli_packet *pkt)
{
    struct pcap_input *pi = (struct pcap_input *)in;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t sec, frac;
    int64_t deadline = pi->fd >= 0 ? now_ms() + LIVE_TIMEOUT_MS : 0;
    int rc;

    if (pi->alt != NULL) {
        rc = input_next(pi->alt, pkt);
        in->records = pi->alt->records;
        if (rc == INPUT_ERROR)
            memcpy(in->err, pi->alt->err, sizeof in->err);
        return rc;
    }
    for (;;) {
        rc = pcap_next_ex(pi->p, &hdr, &data);
        if (rc == 1 && !in->live) {
            in->records++;
            if (pi->have_prog && !pcap_offline_filter(&pi->prog, hdr, data))
                continue;
        }
        if (rc != 0)
            break;
        if (pi->fd < 0)
            return INPUT_TIMEOUT;
        rc = live_wait(pi, deadline);
        if (rc != INPUT_PACKET)
            return rc;
    }
    if (rc == PCAP_ERROR_BREAK)
        return INPUT_EOF;
    if (rc < 0) {
        if (!in->live && mixed_interfaces(pcap_geterr(pi->p)))
            return switch_to_wtap(pi, pkt);
        snprintf(in->err, sizeof in->err, "%s", pcap_geterr(pi->p));
        return INPUT_ERROR;
    }
    sec = hdr->ts.tv_sec > 0 ? (uint64_t)hdr->ts.tv_sec : 0;
    frac = hdr->ts.tv_usec > 0 ? (uint64_t)hdr->ts.tv_usec : 0;
    pkt->data = data;
    pkt->caplen = hdr->caplen;
    pkt->wirelen = hdr->len >= hdr->caplen ? hdr->len : hdr->caplen;
    pkt->ts_ns = sec * 1000000000u + (pi->nano ? frac : frac * 1000u);
    pkt->linktype = pi->linktype;
    return INPUT_PACKET;
}

static int64_t pcap_in_position(struct input *in)
{
    struct pcap_input *pi = (struct pcap_input *)in;
    long pos;

    if (pi->alt != NULL)
        return input_position(pi->alt);
    if (pi->fp == NULL)
        return -1;
    pos = ftell(pi->fp);
    return pos < 0 ? -1 : (int64_t)pos;
}

static uint64_t pcap_in_dropped(struct input *in)
{
    struct pcap_input *pi = (struct pcap_input *)in;
    struct pcap_stat st;

    if (!in->live || pcap_stats(pi->p, &st) != 0)
        return 0;
    return (uint64_t)st.ps_drop + st.ps_ifdrop;
}

static void pcap_in_close(struct input *in)
{
    struct pcap_input *pi = (struct pcap_input *)in;

    if (in->live)
        g_live = NULL;
    input_close(pi->alt);
    if (pi->have_prog)
        pcap_freecode(&pi->prog);
    if (pi->p != NULL)
        pcap_close(pi->p); /* closes the stream too, unless stdin */
    free(pi);
}

static const struct input_ops pcap_ops = {
    pcap_in_next,
    pcap_in_position,
    pcap_in_dropped,
    pcap_in_close,
};

void input_pcap_interrupt(void)
{
    pcap_t *p = g_live;

    if (p != NULL)
        pcap_breakloop(p);
}

/* Link type and filter, common to files and interfaces. */
static int setup_handle(struct pcap_input *pi, const struct cli_config *cfg, char *err,
                        size_t errlen)
{
    int dlt = pcap_datalink(pi->p);
    struct bpf_program prog;

    pi->linktype = input_map_dlt(dlt);
    if (pi->linktype == 0) {
        const char *dname = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen,
                 "%s: unsupported link type %s (%d); supported: EN10MB, RAW, LINUX_SLL,"
                 " LINUX_SLL2, IPV4, IPV6",
                 pi->base.name, dname ? dname : "unknown", dlt);
        return CLI_EXIT_USAGE;
    }
    pi->nano = pcap_get_tstamp_precision(pi->p) == PCAP_TSTAMP_PRECISION_NANO;
    if (cfg->filter != NULL) {
        if (pcap_compile(pi->p, &prog, cfg->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(err, errlen, "invalid filter expression '%s': %s", cfg->filter,
                     pcap_geterr(pi->p));
            return CLI_EXIT_USAGE;
        }
        if (!pi->base.live) { /* applied in pcap_in_next(), as libpcap would */
            pi->prog = prog;
            pi->have_prog = 1;
            return 0;
        }
        if (pcap_setfilter(pi->p, &prog) != 0) {
            snprintf(err, errlen, "%s: cannot set filter: %s", pi->base.name, pcap_geterr(pi->p));
            pcap_freecode(&prog);
            return CLI_EXIT_FAIL;
        }
        pcap_freecode(&prog);
    }
    return 0;
}

static struct pcap_input *new_input(const char *name)
{
    struct pcap_input *pi = calloc(1, sizeof *pi);

    if (pi == NULL)
        return NULL;
    pi->base.ops = &pcap_ops;
    pi->base.name = name;
    pi->base.size = -1;
    pi->base.impl = pi;
    pi->fd = -1;
    return pi;
}

int input_pcap_open_file(const struct cli_config *cfg, const char *file, struct input **out,
                         char *err, size_t errlen)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    int is_stdin = strcmp(file, "-") == 0;
    const char *name = is_stdin ? "standard input" : file;
    struct pcap_input *pi;
    struct stat st;
    FILE *fp;
    int rc;

    fp = is_stdin ? stdin : fopen(file, "rb");
    if (fp == NULL) {
        snprintf(err, errlen, "%s: %s", name, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    pi = new_input(name);
    if (pi == NULL) {
        if (!is_stdin)
            fclose(fp);
        snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
        return CLI_EXIT_FAIL;
    }
    if (fstat(fileno(fp), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: %s", name, strerror(EISDIR));
            if (!is_stdin)
                fclose(fp);
            free(pi);
            return CLI_EXIT_FAIL;
        }
        if (S_ISREG(st.st_mode)) {
            pi->base.size = (int64_t)st.st_size;
            pi->reopenable = !is_stdin;
        }
    }
    pi->cfg = cfg;
    errbuf[0] = '\0';
    pi->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pi->p == NULL) {
        snprintf(err, errlen, "%s: %s", name, errbuf[0] ? errbuf : "cannot read capture");
        if (!is_stdin)
            fclose(fp);
        free(pi);
        return CLI_EXIT_FAIL;
    }
    pi->fp = fp;
    rc = setup_handle(pi, cfg, err, errlen);
    if (rc != 0) {
        pcap_in_close(&pi->base);
        return rc;
    }
    *out = &pi->base;
    return 0;
}

/* What tcpdump prints when a live capture starts, word for word. */
static void listening_line(pcap_t *p, const char *iface)
{
    int dlt = pcap_datalink(p);
    const char *dname = pcap_datalink_val_to_name(dlt);
    const char *desc = pcap_datalink_val_to_description(dlt);

    if (dname == NULL)
        fprintf(stderr, "listening on %s, link-type %d", iface, dlt);
    else
        fprintf(stderr, "listening on %s, link-type %s (%s)", iface, dname,
                desc != NULL ? desc : dname);
    fprintf(stderr, ", snapshot length %d bytes\n", pcap_snapshot(p));
}

/* tcpdump -D's list: "N.NAME (DESCRIPTION) [FLAGS]". */
int input_list_interfaces(void)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_if_t *devs = NULL, *d;
    int i = 0;

    errbuf[0] = '\0';
    if (pcap_findalldevs(&devs, errbuf) != 0) {
        cli_error("cannot list the capture interfaces: %s", errbuf);
        return CLI_EXIT_FAIL;
    }
    if (devs == NULL) {
        cli_error("no capture interface found (capturing may need more privileges)");
        return CLI_EXIT_FAIL;
    }
    for (d = devs; d != NULL; d = d->next) {
        static const struct {
            bpf_u_int32 bit;
            const char *name;
        } flags[] = {
            {PCAP_IF_UP, "Up"},
            {PCAP_IF_RUNNING, "Running"},
            {PCAP_IF_LOOPBACK, "Loopback"},
            {PCAP_IF_WIRELESS, "Wireless"},
        };
        bpf_u_int32 status = d->flags & PCAP_IF_CONNECTION_STATUS;
        const char *sep = "";
        size_t k;

        printf("%d.%s", ++i, d->name);
        if (d->description != NULL)
            printf(" (%s)", d->description);
        if (d->flags != 0) {
            printf(" [");
            for (k = 0; k < sizeof flags / sizeof flags[0]; k++) {
                if (d->flags & flags[k].bit) {
                    printf("%s%s", sep, flags[k].name);
                    sep = ", ";
                }
            }
            if (sep[0] == '\0')
                printf("none");
            if (d->flags & PCAP_IF_WIRELESS) {
                if (status == PCAP_IF_CONNECTION_STATUS_UNKNOWN)
                    printf(", Association status unknown");
                else if (status == PCAP_IF_CONNECTION_STATUS_CONNECTED)
                    printf(", Associated");
                else if (status == PCAP_IF_CONNECTION_STATUS_DISCONNECTED)
                    printf(", Not associated");
            } else {
                if (status == PCAP_IF_CONNECTION_STATUS_UNKNOWN)
                    printf(", Connection status unknown");
                else if (status == PCAP_IF_CONNECTION_STATUS_CONNECTED)
                    printf(", Connected");
                else if (status == PCAP_IF_CONNECTION_STATUS_DISCONNECTED)
                    printf(", Disconnected");
            }
            printf("]");
        }
        printf("\n");
    }
    pcap_freealldevs(devs);
    return CLI_EXIT_OK;
}

int input_pcap_open_live(const struct cli_config *cfg, struct input **out, char *err, size_t errlen)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_input *pi;
    int rc;

    pi = new_input(cfg->iface);
    if (pi == NULL) {
        snprintf(err, errlen, "%s: %s", cfg->iface, strerror(ENOMEM));
        return CLI_EXIT_FAIL;
    }
    pi->base.live = 1;
    errbuf[0] = '\0';
    pi->p = pcap_create(cfg->iface, errbuf);
    if (pi->p == NULL) {
        snprintf(err, errlen, "%s: %s", cfg->iface, errbuf);
        free(pi);
        return CLI_EXIT_FAIL;
    }
    pcap_set_snaplen(pi->p, cfg->snaplen > 0 ? cfg->snaplen : DEFAULT_SNAPLEN);
    pcap_set_promisc(pi->p, cfg->promisc);
    pcap_set_timeout(pi->p, LIVE_TIMEOUT_MS);
    pcap_set_immediate_mode(pi->p, 1); /* packets at once, not per ring block */
    (void)pcap_set_tstamp_precision(pi->p, PCAP_TSTAMP_PRECISION_NANO); /* else us */
    rc = pcap_activate(pi->p);
    if (rc < 0) {
        const char *detail = pcap_geterr(pi->p);
        if (rc == PCAP_ERROR || detail == NULL || detail[0] == '\0' ||
            strcmp(detail, pcap_statustostr(rc)) == 0)
            snprintf(err, errlen, "%s: %s", cfg->iface,
                     rc == PCAP_ERROR ? detail : pcap_statustostr(rc));
        else
            snprintf(err, errlen, "%s: %s (%s)", cfg->iface, pcap_statustostr(rc), detail);
        pcap_in_close(&pi->base);
        return CLI_EXIT_FAIL;
    }
    if (rc > 0) {
        const char *detail = pcap_geterr(pi->p);
        cli_warn(cfg->quiet, "%s: %s%s%s", cfg->iface, pcap_statustostr(rc),
                 detail && detail[0] ? ": " : "", detail ? detail : "");
    }
    rc = setup_handle(pi, cfg, err, errlen);
    if (rc != 0) {
        pcap_in_close(&pi->base);
        return rc;
    }
    pi->fd = pcap_get_selectable_fd(pi->p);
    if (pi->fd < 0 || pcap_setnonblock(pi->p, 1, errbuf) != 0) {
        /* No descriptor to wait on: block in libpcap, with its timeout. */
        pi->fd = -1;
    }
    if (!cfg->quiet)
        listening_line(pi->p, cfg->iface);
    g_live = pi->p;
    *out = &pi->base;
    return 0;
}
