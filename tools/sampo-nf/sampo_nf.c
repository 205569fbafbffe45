/*
 * sampo-nf: an inline firewall on NFQUEUE that blocks whole MPTCP sessions.
 *
 *   sampo-nf --queue=N [--queue=M ...] --deny=FILTER [--deny=FILTER ...]
 *            [-o FILE] [--min-confidence X] [--max-memory BYTES]
 *            [--queue-bypass]
 *
 * Every queued packet is fed to one libsampo context (sampo_ctx_feed_ex(),
 * raw IP, packet time = the kernel's timestamp or CLOCK_REALTIME) and gets
 * a verdict:
 *   - a packet of a subflow whose session is denied: dropped (an MP_JOIN
 *     SYN naming a denied session's token is refused at the SYN);
 *   - a packet that matches a deny filter (tcpdump syntax, compiled by
 *     libpcap for raw IP): dropped, and its session becomes denied (a
 *     subflow not yet in a session is denied by itself, and its session
 *     when it gets one);
 *   - everything else: accepted.
 * Session ids move as the library merges and splits sessions: its events
 * say so (SAMPO_EV_SUBFLOW_JOINED with other_session_id, SESSION_OPENED
 * with the session split from), and a denied id passes its denial on.
 * Actions are JSON lines (docs/sampo-nf.md).  Association runs
 * (sampo_ctx_run()) happen between packets, every 500 ms, never inside a
 * feed (SAMPO_OPT_AUTO_RUN 0).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <uthash.h>

#include <sampo.h>

#include "numparse.h"

#define MAX_QUEUES 16
#define MAX_DENY 32
#define RUN_EVERY_NS 500000000u
#define FLOW_LEN 96

static volatile sig_atomic_t stop_sig;

struct deny {
    const char *text;
    struct bpf_program prog;
};

/* What sampo-nf did to one subflow (by subflow id); freed at its end. */
struct sf_rec {
    uint64_t subflow_id;
    uint64_t session_id; /* last known */
    uint64_t dropped, accepted;
    uint64_t first_drop_ns, last_drop_ns;
    int denied_alone; /* matched a filter before it had a session */
    int join_refused; /* its MP_JOIN SYN was refused (reported once) */
    char flow[FLOW_LEN];
    UT_hash_handle hh;
};

/* A denied session id. */
struct denied {
    uint64_t session_id;
    UT_hash_handle hh;
};

static struct {
    struct deny deny[MAX_DENY];
    int n_deny;
    unsigned queues[MAX_QUEUES];
    int n_queues;
    int bypass;
    FILE *out;
    sampo_ctx *ctx;
    struct sf_rec *sfs;
    struct denied *denied;
    uint64_t now_ns, next_run;
    /* counters */
    uint64_t packets, accepted, dropped, filter_matches, sessions_denied, subflows_dropped,
        joins_refused, untracked_dropped, overruns, verdict_errors;
} g;

static void on_signal(int sig) { stop_sig = sig; }

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- JSON output ---------------------------------------------------- */

static void j_str(const char *s)
{
    fputc('"', g.out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(g.out, "\\%c", c);
        else if (c < 0x20)
            fprintf(g.out, "\\u%04x", c);
        else
            fputc(c, g.out);
    }
    fputc('"', g.out);
}

static void j_ts(const char *key, uint64_t ns)
{
    time_t secs = (time_t)(ns / 1000000000u);
    struct tm tm;
    char buf[40] = "1970-01-01T00:00:00";
    if (gmtime_r(&secs, &tm))
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(g.out, "\"%s\":\"%s.%09" PRIu64 "Z\"", key, buf, ns % 1000000000u);
}

static void j_begin(const char *type, uint64_t ns)
{
    fputs("{\"type\":", g.out);
    j_str(type);
    fputc(',', g.out);
    j_ts("timestamp", ns);
}

static void j_end(void)
{
    fputs("}\n", g.out);
    fflush(g.out);
}

/* ---- state ---------------------------------------------------------- */

static int is_denied(uint64_t session_id)
{
    struct denied *d = NULL;
    if (!session_id)
        return 0;
    HASH_FIND(hh, g.denied, &session_id, sizeof session_id, d);
    return d != NULL;
}

static void flow_of(uint64_t subflow_id, char *buf, sampo_subflow_info *sf)
{
    sampo_subflow_info tmp = SAMPO_SUBFLOW_INFO_INIT;
    if (!sf)
        sf = &tmp;
    if (sampo_ctx_subflow(g.ctx, subflow_id, sf) != SAMPO_OK ||
        sampo_flow_format(&sf->flow, buf, FLOW_LEN) < 0)
        snprintf(buf, FLOW_LEN, "?");
}

static struct sf_rec *rec_of(uint64_t subflow_id)
{
    struct sf_rec *r = NULL;
    HASH_FIND(hh, g.sfs, &subflow_id, sizeof subflow_id, r);
    if (r)
        return r;
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->subflow_id = subflow_id;
    flow_of(subflow_id, r->flow, NULL);
    HASH_ADD(hh, g.sfs, subflow_id, sizeof r->subflow_id, r);
    return r;
}

/* Deny session_id: `cause` says what carried the denial there ("filter",
 * "merged", "split", "subflow"), `from` the session it came from. */
static void deny_session(uint64_t session_id, const char *cause, uint64_t from, const char *filter,
                         uint64_t subflow_id, int method, double confidence)
{
    if (!session_id || is_denied(session_id))
        return;
    struct denied *d = calloc(1, sizeof *d);
    if (!d)
        return; /* out of memory: not denied (counted below as it happens) */
    d->session_id = session_id;
    HASH_ADD(hh, g.denied, session_id, sizeof d->session_id, d);
    g.sessions_denied++;
    sampo_session_info si = SAMPO_SESSION_INFO_INIT;
    int have = sampo_ctx_session(g.ctx, session_id, &si) == SAMPO_OK;
    j_begin("session-denied", g.now_ns);
    fprintf(g.out, ",\"session_id\":%" PRIu64 ",\"cause\":", session_id);
    j_str(cause);
    if (from)
        fprintf(g.out, ",\"from_session_id\":%" PRIu64, from);
    if (filter) {
        fputs(",\"filter\":", g.out);
        j_str(filter);
    }
    if (subflow_id) {
        char fl[FLOW_LEN];
        flow_of(subflow_id, fl, NULL);
        fprintf(g.out, ",\"subflow_id\":%" PRIu64 ",\"flow\":", subflow_id);
        j_str(fl);
        fputs(",\"method\":", g.out);
        j_str(sampo_method_name(method));
        fprintf(g.out, ",\"confidence\":%.4f", confidence);
    }
    if (have) {
        fprintf(g.out, ",\"subflows\":%" PRIu32 ",\"mptcp_version\":", si.n_subflows);
        if (si.mptcp_version == 255)
            fputs("null", g.out);
        else
            fprintf(g.out, "%u", si.mptcp_version);
        fprintf(g.out, ",\"tokens\":[\"%08" PRIx32 "\",\"%08" PRIx32 "\"]", si.token[0],
                si.token[1]);
    }
    j_end();
}

static void report_drops(const struct sf_rec *r)
{
    if (!r->dropped)
        return;
    j_begin("subflow-drops", r->last_drop_ns);
    fprintf(g.out, ",\"subflow_id\":%" PRIu64 ",\"flow\":", r->subflow_id);
    j_str(r->flow);
    fprintf(g.out,
            ",\"session_id\":%" PRIu64 ",\"packets_dropped\":%" PRIu64
            ",\"packets_accepted\":%" PRIu64 ",",
            r->session_id, r->dropped, r->accepted);
    j_ts("first_drop", r->first_drop_ns);
    j_end();
}

/* Follow the library's session moves so that a denial stays with the
 * subflows it covers. */
static void handle_event(const sampo_event *ev)
{
    switch (ev->type) {
    case SAMPO_EV_SUBFLOW_JOINED: {
        struct sf_rec *r = NULL;
        HASH_FIND(hh, g.sfs, &ev->subflow_id, sizeof ev->subflow_id, r);
        if (r)
            r->session_id = ev->session_id;
        if (is_denied(ev->other_session_id))
            deny_session(ev->session_id, "merged", ev->other_session_id, NULL, ev->subflow_id,
                         ev->method, ev->confidence);
        else if (r && r->denied_alone)
            deny_session(ev->session_id, "subflow", 0, NULL, ev->subflow_id, ev->method,
                         ev->confidence);
        break;
    }
    case SAMPO_EV_SESSION_OPENED:
        if (ev->other_session_id && is_denied(ev->other_session_id))
            deny_session(ev->session_id, "split", ev->other_session_id, NULL, ev->subflow_id,
                         ev->method, ev->confidence);
        break;
    case SAMPO_EV_SUBFLOW_END: {
        struct sf_rec *r = NULL;
        HASH_FIND(hh, g.sfs, &ev->subflow_id, sizeof ev->subflow_id, r);
        if (r) {
            report_drops(r);
            HASH_DEL(g.sfs, r);
            free(r);
        }
        break;
    }
    case SAMPO_EV_SESSION_END: {
        struct denied *d = NULL;
        HASH_FIND(hh, g.denied, &ev->session_id, sizeof ev->session_id, d);
        if (d) {
            HASH_DEL(g.denied, d);
            free(d);
        }
        break;
    }
    default:
        break;
    }
}

static void drain_events(void)
{
    sampo_event ev = SAMPO_EVENT_INIT;
    while (sampo_ctx_next_event(g.ctx, &ev) > 0)
        handle_event(&ev);
}

static void maybe_run(uint64_t now)
{
    if (g.next_run && now >= g.next_run) {
        sampo_ctx_run(g.ctx, now);
        drain_events();
    }
    if (!g.next_run || now >= g.next_run)
        g.next_run = now + RUN_EVERY_NS;
}

/* ---- the verdict ---------------------------------------------------- */

static int matching_filter(const uint8_t *data, uint32_t len)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.caplen = h.len = len;
    for (int i = 0; i < g.n_deny; i++)
        if (pcap_offline_filter(&g.deny[i].prog, &h, data))
            return i;
    return -1;
}

static void note_drop(struct sf_rec *r, const sampo_result *res)
{
    if (!r)
        return;
    r->session_id = res->session_id;
    if (!r->dropped) {
        r->first_drop_ns = g.now_ns;
        g.subflows_dropped++;
        sampo_subflow_info sf = SAMPO_SUBFLOW_INFO_INIT;
        flow_of(r->subflow_id, r->flow, &sf);
        j_begin("subflow-dropped", g.now_ns);
        fprintf(g.out, ",\"subflow_id\":%" PRIu64 ",\"flow\":", r->subflow_id);
        j_str(r->flow);
        fprintf(g.out, ",\"session_id\":%" PRIu64 ",\"method\":", res->session_id);
        j_str(sampo_method_name(res->method));
        fprintf(g.out, ",\"confidence\":%.4f,\"is_join\":%s,\"packets_accepted_before\":%" PRIu64,
                res->confidence, sf.is_join ? "true" : "false", r->accepted);
        j_end();
    }
    r->dropped++;
    r->last_drop_ns = g.now_ns;
}

/* 1: accept, 0: drop. */
static int decide(const uint8_t *data, uint32_t len, uint64_t ts)
{
    sampo_packet pkt = SAMPO_PACKET_INIT;
    pkt.data = data;
    pkt.caplen = pkt.wirelen = len;
    pkt.ts_ns = ts;
    pkt.linktype = SAMPO_LINKTYPE_RAW;
    sampo_result res = SAMPO_RESULT_INIT;
    sampo_ctx_feed_ex(g.ctx, &pkt, &res); /* never fails on bad input */
    drain_events();
    struct sf_rec *r = res.subflow_id ? rec_of(res.subflow_id) : NULL;

    if (r && (is_denied(res.session_id) || r->denied_alone)) {
        if (res.session_id && r->denied_alone)
            deny_session(res.session_id, "subflow", 0, NULL, res.subflow_id, res.method,
                         res.confidence);
        if (res.handshake == SAMPO_HS_MPJ_SYN && !r->join_refused) {
            r->join_refused = 1;
            g.joins_refused++;
            j_begin("join-refused", g.now_ns);
            fprintf(g.out, ",\"subflow_id\":%" PRIu64 ",\"flow\":", res.subflow_id);
            j_str(r->flow);
            fprintf(g.out, ",\"session_id\":%" PRIu64 ",\"method\":", res.session_id);
            j_str(sampo_method_name(res.method));
            j_end();
        }
        note_drop(r, &res);
        return 0;
    }
    int f = matching_filter(data, len);
    if (f < 0) {
        if (r)
            r->accepted++;
        return 1;
    }
    g.filter_matches++;
    if (!r) { /* not an MPTCP subflow: this packet only */
        g.untracked_dropped++;
        return 0;
    }
    if (res.session_id)
        deny_session(res.session_id, "filter", 0, g.deny[f].text, res.subflow_id, res.method,
                     res.confidence);
    else
        r->denied_alone = 1;
    note_drop(r, &res);
    return 0;
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
    struct timeval tv;
    uint64_t ts;
    if (nfq_get_timestamp(nfa, &tv) == 0 && tv.tv_sec > 0)
        ts = (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
    else
        ts = realtime_ns();
    g.now_ns = ts;
    g.packets++;
    maybe_run(ts);
    int ok = len > 0 ? decide(pkt, (uint32_t)len, ts) : 1;
    if (ok)
        g.accepted++;
    else
        g.dropped++;
    if (nfq_set_verdict(qh, id, ok ? NF_ACCEPT : NF_DROP, 0, NULL) < 0)
        g.verdict_errors++;
    return 0;
}

/* ---- main ----------------------------------------------------------- */

static void usage(FILE *f)
{
    fputs("usage: sampo-nf --queue=N [--queue=M ...] --deny=FILTER [--deny=FILTER ...]\n"
          "                [-o FILE] [--min-confidence X] [--max-memory BYTES] [--queue-bypass]\n"
          "  --queue N           NFQUEUE queue to bind (up to 16)\n"
          "  --deny FILTER       tcpdump expression: a matching packet denies its MPTCP session\n"
          "  -o FILE             JSON lines of actions (default: stdout)\n"
          "  --min-confidence X  confidence a DSN tie needs to join a session (default 0.99)\n"
          "  --max-memory BYTES  memory cap of the library (default 256M; K, M, G suffixes)\n"
          "  --queue-bypass      accept packets the queue has no room for (fail open when\n"
          "                      sampo-nf falls behind); write the iptables rule with\n"
          "                      --queue-bypass too, for when sampo-nf is not running\n"
          "Rule: iptables -A FORWARD -p tcp -j NFQUEUE --queue-num N [--queue-bypass]\n"
          "See docs/sampo-nf.md.\n",
          f);
}

static void counters_line(void)
{
    j_begin("counters", realtime_ns());
    fprintf(g.out,
            ",\"packets\":%" PRIu64 ",\"accepted\":%" PRIu64 ",\"dropped\":%" PRIu64
            ",\"filter_matches\":%" PRIu64 ",\"sessions_denied\":%" PRIu64
            ",\"subflows_dropped\":%" PRIu64 ",\"joins_refused\":%" PRIu64
            ",\"untracked_dropped\":%" PRIu64 ",\"queue_overruns\":%" PRIu64
            ",\"verdict_errors\":%" PRIu64 ",\"sampo_subflows_created\":%" PRIu64
            ",\"sampo_subflows_evicted\":%" PRIu64 ",\"sampo_mem_peak\":%" PRIu64,
            g.packets, g.accepted, g.dropped, g.filter_matches, g.sessions_denied,
            g.subflows_dropped, g.joins_refused, g.untracked_dropped, g.overruns, g.verdict_errors,
            sampo_ctx_counter(g.ctx, SAMPO_CNT_SUBFLOWS_CREATED),
            sampo_ctx_counter(g.ctx, SAMPO_CNT_SUBFLOWS_EVICTED),
            sampo_ctx_counter(g.ctx, SAMPO_CNT_MEM_PEAK));
    j_end();
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"queue", required_argument, NULL, 'q'},
        {"deny", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'},
        {"min-confidence", required_argument, NULL, 'c'},
        {"max-memory", required_argument, NULL, 'm'},
        {"queue-bypass", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *outpath = NULL;
    double min_conf = -1;
    uint64_t max_mem = 256u << 20;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case 'q':
            if (parse_u64(optarg, &v) < 0 || v > 65535 || g.n_queues == MAX_QUEUES) {
                fprintf(stderr, "sampo-nf: --queue %s: a number 0..65535, at most %d queues\n",
                        optarg, MAX_QUEUES);
                return 2;
            }
            g.queues[g.n_queues++] = (unsigned)v;
            break;
        case 'd':
            if (g.n_deny == MAX_DENY) {
                fprintf(stderr, "sampo-nf: at most %d --deny filters\n", MAX_DENY);
                return 2;
            }
            g.deny[g.n_deny++].text = optarg;
            break;
        case 'o':
            outpath = optarg;
            break;
        case 'c':
            if (parse_real(optarg, &min_conf) < 0 || min_conf < 0 || min_conf > 1) {
                fprintf(stderr, "sampo-nf: --min-confidence %s: a number in [0, 1]\n", optarg);
                return 2;
            }
            break;
        case 'm':
            if (parse_size(optarg, &max_mem) < 0 || max_mem < 65536 || max_mem > INT64_MAX) {
                fprintf(stderr, "sampo-nf: --max-memory %s: at least 64K\n", optarg);
                return 2;
            }
            break;
        case 'b':
            g.bypass = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !g.n_queues || !g.n_deny) {
        usage(stderr);
        return 2;
    }

    /* Filters, compiled for raw IP: NFQUEUE hands over IP packets. */
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    if (!dead) {
        fprintf(stderr, "sampo-nf: pcap_open_dead failed\n");
        return 1;
    }
    for (int i = 0; i < g.n_deny; i++)
        if (pcap_compile(dead, &g.deny[i].prog, g.deny[i].text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            fprintf(stderr, "sampo-nf: --deny '%s': %s\n", g.deny[i].text, pcap_geterr(dead));
            return 2;
        }

    g.out = stdout;
    if (outpath && !(g.out = fopen(outpath, "w"))) {
        fprintf(stderr, "sampo-nf: %s: %s\n", outpath, strerror(errno));
        return 1;
    }
    if (sampo_ctx_create(&g.ctx, NULL) != SAMPO_OK ||
        sampo_ctx_set_option(g.ctx, SAMPO_OPT_AUTO_RUN, 0) != SAMPO_OK ||
        sampo_ctx_set_option(g.ctx, SAMPO_OPT_MAX_MEMORY, (int64_t)max_mem) != SAMPO_OK ||
        (min_conf >= 0 &&
         sampo_ctx_set_option_real(g.ctx, SAMPO_OPT_MIN_CONFIDENCE, min_conf) != SAMPO_OK)) {
        fprintf(stderr, "sampo-nf: cannot set up the sampo context: %s\n",
                g.ctx ? sampo_ctx_last_error(g.ctx) : "out of memory");
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct nfq_handle *h = nfq_open();
    if (!h) {
        fprintf(stderr, "sampo-nf: nfq_open: %s (root or CAP_NET_ADMIN needed)\n", strerror(errno));
        return 1;
    }
    struct nfq_q_handle *qh[MAX_QUEUES];
    for (int i = 0; i < g.n_queues; i++) {
        qh[i] = nfq_create_queue(h, (uint16_t)g.queues[i], on_packet, NULL);
        if (!qh[i]) {
            fprintf(stderr, "sampo-nf: cannot bind queue %u: %s (another reader?)\n", g.queues[i],
                    strerror(errno));
            return 1;
        }
        if (nfq_set_mode(qh[i], NFQNL_COPY_PACKET, 0xffff) < 0) {
            fprintf(stderr, "sampo-nf: queue %u: cannot copy packets: %s\n", g.queues[i],
                    strerror(errno));
            return 1;
        }
        nfq_set_queue_maxlen(qh[i], 4096);
        if (g.bypass && nfq_set_queue_flags(qh[i], NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0)
            fprintf(stderr, "sampo-nf: queue %u: fail-open not supported: %s\n", g.queues[i],
                    strerror(errno));
    }
    nfnl_rcvbufsiz(nfq_nfnlh(h), 8u << 20);
    fprintf(stderr, "sampo-nf: bound to %d queue(s), %d deny filter(s)\n", g.n_queues, g.n_deny);

    static char buf[65536 + 4096];
    int fd = nfq_fd(h);
    while (!stop_sig) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, 200);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0) { /* idle: the timer still runs */
            uint64_t now = realtime_ns();
            if (now > g.now_ns)
                g.now_ns = now;
            maybe_run(g.now_ns);
            continue;
        }
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == ENOBUFS) /* the kernel could not hand over messages */
                g.overruns++;
            else if (errno != EINTR && errno != EAGAIN)
                break;
            continue;
        }
        nfq_handle_packet(h, buf, (int)r);
    }
    for (int i = 0; i < g.n_queues; i++)
        nfq_destroy_queue(qh[i]);
    nfq_close(h);
    struct sf_rec *r, *tmp;
    HASH_ITER(hh, g.sfs, r, tmp) {
        report_drops(r);
        HASH_DEL(g.sfs, r);
        free(r);
    }
    struct denied *d, *dt;
    HASH_ITER(hh, g.denied, d, dt) {
        HASH_DEL(g.denied, d);
        free(d);
    }
    counters_line();
    sampo_ctx_destroy(g.ctx);
    for (int i = 0; i < g.n_deny; i++)
        pcap_freecode(&g.deny[i].prog);
    pcap_close(dead);
    if (g.out != stdout)
        fclose(g.out);
    if (!stop_sig) {
        fprintf(stderr, "sampo-nf: reading the queue failed: %s\n", strerror(errno));
        return 1;
    }
    fprintf(stderr, "sampo-nf: stopped (%s)\n", stop_sig == SIGINT ? "SIGINT" : "SIGTERM");
    return 0;
}
