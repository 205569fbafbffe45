/*
 * nfq-accept: a bare NFQUEUE reader that accepts every packet.
 *
 *   nfq-accept QUEUE [COUNT]
 *
 * Binds queue QUEUE, gives every packet the verdict NF_ACCEPT, and prints
 * one line per packet on stdout ("nfq-accept: packet N: LEN bytes, IPvV
 * SRC > DST"), flushed, so that a script sees each one as it arrives.
 * Stops after COUNT packets (0 or absent: never) or on SIGINT/SIGTERM.
 * It is the reference sampo-nf is compared with (docs/sampo-nf.md), and
 * what tests/nf/check-nfqueue.sh uses to show that NFQUEUE queues here.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static volatile sig_atomic_t stop;
static unsigned long n_packets;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
                     void *data)
{
    (void)msg;
    (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    uint32_t id = ph ? ntohl(ph->packet_id) : 0;
    unsigned char *pkt = NULL;
    int len = nfq_get_payload(nfa, &pkt);
    char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?";
    int v = len > 0 ? pkt[0] >> 4 : 0;
    if (v == 4 && len >= 20) {
        inet_ntop(AF_INET, pkt + 12, src, sizeof src);
        inet_ntop(AF_INET, pkt + 16, dst, sizeof dst);
    } else if (v == 6 && len >= 40) {
        inet_ntop(AF_INET6, pkt + 8, src, sizeof src);
        inet_ntop(AF_INET6, pkt + 24, dst, sizeof dst);
    }
    n_packets++;
    printf("nfq-accept: packet %lu: %d bytes, IPv%d %s > %s\n", n_packets, len, v, src, dst);
    fflush(stdout);
    return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s QUEUE [COUNT]\n", argv[0]);
        return 2;
    }
    unsigned queue = (unsigned)strtoul(argv[1], NULL, 10);
    unsigned long count = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: recv() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct nfq_handle *h = nfq_open();
    if (!h) {
        perror("nfq-accept: nfq_open");
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
    if (!qh) {
        fprintf(stderr, "nfq-accept: cannot bind queue %u: %s\n", queue, strerror(errno));
        nfq_close(h);
        return 1;
    }
    if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
        perror("nfq-accept: nfq_set_mode");
        return 1;
    }
    fprintf(stderr, "nfq-accept: bound to queue %u\n", queue);
    char buf[65536 + 4096];
    int fd = nfq_fd(h);
    while (!stop && (!count || n_packets < count)) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) { /* the kernel dropped messages: go on */
                fprintf(stderr, "nfq-accept: ENOBUFS: packets lost\n");
                continue;
            }
            perror("nfq-accept: recv");
            break;
        }
        nfq_handle_packet(h, buf, (int)r);
    }
    nfq_destroy_queue(qh);
    nfq_close(h);
    fprintf(stderr, "nfq-accept: %lu packets accepted\n", n_packets);
    return 0;
}
