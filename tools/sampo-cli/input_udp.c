/*
 * input_udp.c - --sflow-listen: sFlow datagrams received on a UDP socket.
 *
 * Each datagram is one packet of link type CLI_LINKTYPE_UDP_PAYLOAD.  A
 * socket has no capture timestamp of the sender, so a datagram's time is
 * its arrival time: the kernel's receive time (SO_TIMESTAMPNS) where
 * available, else CLOCK_REALTIME when it is read, in ns.  Datagrams the
 * kernel dropped because the socket buffer was full are reported as
 * capture_dropped (SO_RXQ_OVFL, Linux).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE /* getaddrinfo, SO_TIMESTAMPNS, SO_RXQ_OVFL */
#include "input.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "numparse.h"

#define UDP_TIMEOUT_MS 100
#define UDP_RCVBUF (4 * 1024 * 1024) /* bursts of datagrams from many agents */
#define UDP_MAX 65536                /* larger than any UDP payload */

struct udp_input {
    struct input base; /* first: the struct input * is this */
    int fd;
    uint64_t dropped; /* SO_RXQ_OVFL: datagrams dropped by the kernel */
    char name[300];
    uint8_t buf[UDP_MAX];
};

int input_udp_parse(const char *arg, uint16_t default_port, char *host, size_t hostlen,
                    uint16_t *port)
{
    const char *h = arg, *p = NULL;
    size_t hl;
    uint64_t v;

    if (arg[0] == '[') { /* [IPv6] or [IPv6]:PORT */
        const char *close = strchr(arg, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return -1;
        h = arg + 1;
        hl = (size_t)(close - h);
        if (close[1] == ':')
            p = close + 2;
    } else {
        const char *colon = strrchr(arg, ':');
        if (colon != NULL && strchr(arg, ':') == colon) { /* HOST:PORT */
            hl = (size_t)(colon - arg);
            p = colon + 1;
        } else { /* HOST, or a bare IPv6 address */
            hl = strlen(arg);
        }
    }
    if (hl == 0) {
        h = CLI_SFLOW_LISTEN_HOST;
        hl = strlen(h);
    }
    if (hl >= hostlen)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (p == NULL) {
        *port = default_port;
        return 0;
    }
    if (parse_u64(p, &v) != 0 || v < 1 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int udp_next(struct input *in, struct cli_packet *pkt)
{
    struct udp_input *ui = (struct udp_input *)in;
    union {
        struct cmsghdr align;
        uint8_t b[256];
    } ctl;
    struct pollfd pfd;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cm;
    uint64_t ts = 0;
    ssize_t n;
    int rc;

    pfd.fd = ui->fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    rc = poll(&pfd, 1, UDP_TIMEOUT_MS);
    if (rc < 0 && errno != EINTR) {
        snprintf(in->err, sizeof in->err, "poll: %s", strerror(errno));
        return INPUT_ERROR;
    }
    if (rc <= 0)
        return INPUT_TIMEOUT; /* EINTR too: the caller looks at the signal */
    memset(&msg, 0, sizeof msg);
    iov.iov_base = ui->buf;
    iov.iov_len = sizeof ui->buf;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.b;
    msg.msg_controllen = sizeof ctl.b;
    n = recvmsg(ui->fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return INPUT_TIMEOUT;
        snprintf(in->err, sizeof in->err, "recvmsg: %s", strerror(errno));
        return INPUT_ERROR;
    }
    for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET)
            continue;
#ifdef SO_TIMESTAMPNS
        if (cm->cmsg_type == SO_TIMESTAMPNS && cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec t;
            memcpy(&t, CMSG_DATA(cm), sizeof t);
            if (t.tv_sec > 0)
                ts = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
        }
#endif
#ifdef SO_RXQ_OVFL
        if (cm->cmsg_type == SO_RXQ_OVFL && cm->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
            uint32_t d;
            memcpy(&d, CMSG_DATA(cm), sizeof d);
            ui->dropped = d;
        }
#endif
    }
    pkt->data = ui->buf;
    pkt->caplen = (uint32_t)n;
    pkt->wirelen = (uint32_t)n;
    pkt->ts_ns = ts != 0 ? ts : realtime_ns();
    pkt->linktype = CLI_LINKTYPE_UDP_PAYLOAD;
    return INPUT_PACKET;
}

static uint64_t udp_dropped(struct input *in) { return ((struct udp_input *)in)->dropped; }

static void udp_close(struct input *in)
{
    struct udp_input *ui = (struct udp_input *)in;

    if (ui->fd >= 0)
        close(ui->fd);
    free(ui);
}

static const struct input_ops udp_ops = {udp_next, NULL, udp_dropped, udp_close};

int input_udp_open(const struct cli_config *cfg, struct input **out, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    struct udp_input *ui;
    char host[256], port[8];
    uint16_t portnum;
    int on = 1, rcvbuf = UDP_RCVBUF, rc;

    if (input_udp_parse(cfg->sflow_listen, cfg->sflow_port, host, sizeof host, &portnum) != 0) {
        snprintf(err, errlen, "--sflow-listen: invalid address '%s'", cfg->sflow_listen);
        return CLI_EXIT_USAGE;
    }
    snprintf(port, sizeof port, "%u", (unsigned)portnum);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(err, errlen, "--sflow-listen: %s: %s", host, gai_strerror(rc));
        return CLI_EXIT_USAGE;
    }
    ui = calloc(1, sizeof *ui);
    if (ui == NULL) {
        freeaddrinfo(res);
        snprintf(err, errlen, "%s: %s", host, strerror(ENOMEM));
        return CLI_EXIT_FAIL;
    }
    ui->base.ops = &udp_ops;
    ui->base.live = 1;
    ui->base.size = -1;
    ui->base.impl = ui;
    if (getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
        host[sizeof host - 1] = '\0'; /* keep the name as given */
    snprintf(ui->name, sizeof ui->name, "%s%s%s:%s", res->ai_family == AF_INET6 ? "[" : "", host,
             res->ai_family == AF_INET6 ? "]" : "", port);
    ui->base.name = ui->name;
    ui->fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (ui->fd < 0 || bind(ui->fd, res->ai_addr, res->ai_addrlen) != 0) {
        snprintf(err, errlen, "%s: %s", ui->name, strerror(errno));
        freeaddrinfo(res);
        udp_close(&ui->base);
        return CLI_EXIT_FAIL;
    }
    freeaddrinfo(res);
    /* Best effort: a larger buffer, kernel timestamps, drop counts. */
    (void)setsockopt(ui->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
#ifdef SO_TIMESTAMPNS
    (void)setsockopt(ui->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
#endif
#ifdef SO_RXQ_OVFL
    (void)setsockopt(ui->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
#endif
    (void)on;
    *out = &ui->base;
    return 0;
}
