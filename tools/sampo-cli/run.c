/*
 * run.c - the analysis loop: read a packet, sample it, feed it, print the
 * events; at the end flush the context and print the results.  With
 * --sflow each packet read is an sFlow datagram, and the packet headers
 * it samples are what is sampled and fed.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "input.h"
#include "progress.h"
#include "records.h"
#include "report.h"
#include "results.h"
#include "sampler.h"
#include "setup.h"
#include "sflow.h"
#include "sig.h"
#include "writer.h"

struct run_state {
    const struct cli_config *cfg;
    const struct formatter *fmt;
    sampo_ctx *ctx;
    struct input *in;
    struct writer w;
    struct sampler smp;
    struct progress prog;
    struct cli_counters cc;
    struct records rec;
    uint64_t next_snapshot; /* --interval: packet time of the next snapshot (0: none yet) */
    uint64_t last_ts;
    uint64_t sflow_ts;  /* time of the sFlow datagram being decoded */
    int read_error;     /* INPUT_ERROR seen */
    int read_eof;       /* INPUT_EOF seen */
    int events_printed; /* since the last drain_events() */
    /* What the records were, kept past records_free() for -v and --stats. */
    struct report_totals totals;
    uint64_t held_peak, held_bound, sort_runs;
};

static uint64_t realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int shown(const struct cli_config *cfg, const sampo_event *ev)
{
    if (cfg->have_min_conf && ev->type == SAMPO_EV_SUBFLOW_JOINED && ev->confidence < cfg->min_conf)
        return 0;
    return 1;
}

/* The event callback: print with --events; the end-of-life records go to
 * the session records.  A callback, not a pull: the library then stages
 * only one call's events (and ends a flush's subflows one at a time), where
 * a pulled queue drops the oldest past SAMPO_OPT_MAX_EVENTS, and with them
 * the records of subflows that end together (a flush of 50k open subflows
 * raises 150k events). */
static void on_event(const sampo_event *ev, void *user)
{
    struct run_state *st = user;

    if (st->cfg->events && shown(st->cfg, ev)) {
        st->fmt->event(st->rec.events_out, ev);
        st->events_printed = 1;
    }
    records_event(&st->rec, ev);
}

/* After a call on the context: a reader down a pipe sees the events now. */
static void drain_events(struct run_state *st)
{
    if (st->events_printed && st->in->live)
        w_flush(st->rec.events_out);
    st->events_printed = 0;
}

/*
 * Feed one packet.  `rate` is what --sample kept it at (0: no --sample);
 * `input_rate` what the input declares for it (an sFlow sample's rate),
 * 0 for none: then --rate applies.
 */
static void feed(struct run_state *st, const struct cli_packet *cp, uint32_t rate,
                 uint32_t input_rate, uint32_t source_id)
{
    sampo_packet p = SAMPO_PACKET_INIT;
    int rc;

    p.data = cp->data;
    p.caplen = cp->caplen;
    p.wirelen = cp->wirelen;
    p.ts_ns = cp->ts_ns;
    p.linktype = cp->linktype;
    int clamped;
    if (input_rate != 0)
        p.sampling_rate = sampler_combined_rate(input_rate, rate != 0 ? rate : 1, &clamped);
    else
        p.sampling_rate = sampler_combined_rate(st->cfg->rate, rate, &clamped);
    st->cc.rates_clamped += (uint64_t)clamped;
    p.source_id = source_id;
    rc = sampo_ctx_feed(st->ctx, &p);
    if (rc == SAMPO_E_NOTTCP || rc == SAMPO_E_FRAGMENT)
        st->cc.packets_not_tcp++;
    else if (rc != SAMPO_OK)
        st->cc.packets_undecodable++;
}

/* One packet header sampled by an sFlow agent: sample it again with
 * --sample, and feed it at the datagram's time. */
static void on_sflow_header(const struct sflow_header *h, void *user)
{
    struct run_state *st = user;
    struct cli_packet cp;
    uint32_t rate = 0;

    cp.data = h->data;
    cp.caplen = h->len;
    cp.wirelen = h->wirelen;
    cp.ts_ns = st->sflow_ts;
    cp.linktype = h->linktype;
    if (!sampler_take(&st->smp, cp.ts_ns, &rate))
        return;
    st->cc.packets_sampled++;
    feed(st, &cp, rate, h->sampling_rate, h->source_id);
}

/* --sflow: decode the datagram a packet carries (or is, from a socket). */
static void sflow_packet(struct run_state *st, const struct cli_packet *cp)
{
    const uint8_t *payload = cp->data;
    size_t len = cp->caplen;

    if (cp->linktype != CLI_LINKTYPE_UDP_PAYLOAD &&
        sflow_udp_payload(cp->linktype, cp->data, cp->caplen, st->cfg->sflow_port, &st->cc.sflow,
                          &payload, &len) != SFLOW_UDP_OK)
        return;
    st->sflow_ts = cp->ts_ns;
    sflow_decode(payload, len, &st->cc.sflow, on_sflow_header, st);
    drain_events(st);
}

/* --interval: a snapshot of the open sessions every SEC of packet time
 * (the first SEC after the first packet). */
static void maybe_snapshot(struct run_state *st, uint64_t now)
{
    uint64_t iv = (uint64_t)st->cfg->interval_ns;

    if (!iv || !now)
        return;
    if (!st->next_snapshot) {
        st->next_snapshot = now + iv;
        return;
    }
    if (now < st->next_snapshot)
        return;
    records_snapshot(&st->rec, st->ctx, now);
    st->next_snapshot = now + iv - (now - st->next_snapshot) % iv;
}

/* Read until the end, a signal, a read error or a write error. */
static void loop(struct run_state *st)
{
    struct cli_packet cp;

    while (!sig_stop && !st->w.failed &&
           (st->cfg->count == 0 || st->cc.packets_read < st->cfg->count)) { /* -c */
        uint32_t rate = 0;
        int rc = input_next(st->in, &cp);

        if (rc == INPUT_TIMEOUT) {
            uint64_t now = realtime_ns();
            sampo_ctx_advance(st->ctx, now > st->last_ts ? now : st->last_ts);
            drain_events(st);
            maybe_snapshot(st, now > st->last_ts ? now : st->last_ts);
            continue;
        }
        if (rc == INPUT_EOF) {
            st->read_eof = 1;
            break;
        }
        if (rc == INPUT_ERROR) {
            st->read_error = 1;
            break;
        }
        st->cc.packets_read++;
        progress_tick(&st->prog, st->cc.packets_read);
        if (cp.ts_ns > st->last_ts)
            st->last_ts = cp.ts_ns;
        if (st->cfg->sflow) {
            sflow_packet(st, &cp);
            maybe_snapshot(st, st->last_ts);
            continue;
        }
        if (!sampler_take(&st->smp, cp.ts_ns, &rate))
            continue;
        st->cc.packets_sampled++;
        feed(st, &cp, rate, 0, 0);
        drain_events(st);
        maybe_snapshot(st, st->last_ts);
    }
}

/* Messages after the loop; @return the exit status they imply. */
static int input_outcome(struct run_state *st)
{
    const struct cli_config *cfg = st->cfg;

    /* A signal first: the read it interrupted may have failed (EINTR). */
    if (sig_stop && !st->in->live) {
        cli_warn(cfg->quiet, "%s: interrupted after %" PRIu64 " packets", st->in->name,
                 st->cc.packets_read);
        return 128 + (int)sig_stop;
    }
    if (st->read_error && st->in->live) {
        cli_error("%s: %s", st->in->name, st->in->err);
        return CLI_EXIT_FAIL;
    }
    if (st->read_error && st->in->records == 0) { /* reading nothing is no success */
        cli_error("%s: no packet could be read: %s", st->in->name, st->in->err);
        return CLI_EXIT_FAIL;
    }
    if (st->read_error) {
        cli_warn(cfg->quiet, "%s: truncated capture after %" PRIu64 " packets: %s", st->in->name,
                 st->cc.packets_read, st->in->err);
        return cfg->strict ? CLI_EXIT_TRUNCATED : CLI_EXIT_OK;
    }
    if (st->read_eof && !st->in->live && st->in->records == 0 && cfg->n_inputs <= 1)
        cli_warn(cfg->quiet, "%s: the capture holds no packets", st->in->name);
    if (st->in->failed) /* several inputs: one read nothing (said) */
        return CLI_EXIT_FAIL;
    if (st->in->truncated && cfg->strict) /* several inputs: one ended early (warned) */
        return CLI_EXIT_TRUNCATED;
    return CLI_EXIT_OK;
}

/* The process's peak resident set since it started (Linux: VmHWM of
 * /proc/self/status, in KiB); 0 when unknown. */
static uint64_t peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kib = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static void print_stats(struct run_state *st, double seconds)
{
    fprintf(stderr,
            CLI_PROG ": stats: %" PRIu64 " packets read, %" PRIu64 " sampled in %.3f s"
                     " (%.0f packets/s), peak memory %" PRIu64 " bytes\n",
            st->cc.packets_read, st->cc.packets_sampled, seconds,
            seconds > 0 ? (double)st->cc.packets_read / seconds : 0.0,
            sampo_ctx_counter(st->ctx, SAMPO_CNT_MEM_PEAK));
    fprintf(stderr,
            CLI_PROG ": stats: records of open sessions: peak %" PRIu64
                     " bytes held (bound %" PRIu64 "%s), %" PRIu64
                     " session parts written early (%" PRIu64 " subflows)\n",
            st->held_peak, st->held_bound, st->held_bound ? "" : ": none", st->totals.parts,
            st->totals.subflows_early);
    if (st->cfg->format == CLI_FMT_TEXT)
        fprintf(stderr, CLI_PROG ": stats: text report: %" PRIu64 " sorted runs on disk\n",
                st->sort_runs);
    uint64_t rss = peak_rss_kib();
    if (rss)
        fprintf(stderr, CLI_PROG ": stats: peak resident set %" PRIu64 " KiB\n", rss);
}

int run(const struct cli_config *cfg)
{
    struct run_state st;
    struct report_pairs pairs = {NULL, 0, 0};
    char err[600];
    double t0 = monotonic_s();
    int rc, status;

    memset(&st, 0, sizeof st);
    st.cfg = cfg;
    st.cc.sflow_on = cfg->sflow;
    st.fmt = formatter_get(cfg->format);
    rc = setup_context(cfg, &st.ctx);
    if (rc != 0)
        return rc;
    rc = input_open(cfg, &st.in, err, sizeof err);
    if (rc != 0) {
        cli_error("%s", err);
        sampo_ctx_destroy(st.ctx);
        return rc;
    }
    if (writer_open(&st.w, cfg->output) != 0) {
        cli_error("%s: %s", cfg->output, strerror(errno));
        input_close(st.in);
        sampo_ctx_destroy(st.ctx);
        return CLI_EXIT_FAIL;
    }
    sampler_init(&st.smp, &cfg->sample);
    sig_install();
    progress_init(&st.prog, cfg->progress && !cfg->quiet, st.in);

    if (records_init(&st.rec, st.fmt, cfg, &st.w, st.in->live) != 0) {
        if (st.rec.open_failed)
            cli_error("%s: %s", st.rec.open_failed, strerror(errno));
        else
            cli_error("cannot make a temporary file: %s", strerror(errno));
        records_free(&st.rec);
        writer_close(&st.w);
        input_close(st.in);
        sampo_ctx_destroy(st.ctx);
        return CLI_EXIT_FAIL;
    }
    sampo_ctx_set_event_callback(st.ctx, on_event, &st);
    loop(&st);
    progress_done(&st.prog);
    st.cc.capture_dropped = input_dropped(st.in);
    status = input_outcome(&st);

    if (!st.w.failed) {
        /* The last association run, its pair verdicts, then the end of
         * every subflow and session still open: each one's record. */
        sampo_ctx_flush(st.ctx);
        drain_events(&st);
        if (results_pairs(cfg, st.ctx, &pairs) != 0) {
            cli_error("out of memory");
            status = CLI_EXIT_FAIL;
        }
        sampo_ctx_flush_ex(st.ctx, SAMPO_FLUSH_END);
        drain_events(&st);
        if (records_finish(&st.rec) != 0) {
            cli_error("session records: out of memory, a temporary file error, or records "
                      "whose session never ended (written as sessions of their own)");
            status = CLI_EXIT_FAIL;
        }
        results_print(&st.w, st.rec.pairs_out, st.fmt, cfg, st.ctx, &st.cc, &pairs, &st.rec.totals);
    }
    report_pairs_free(&pairs);
    if (records_close_files(&st.rec) != 0)
        status = CLI_EXIT_FAIL;
    /* Nothing after this point may reach the records (sampo_ctx_destroy()
     * ends what a failed write left open). */
    sampo_ctx_set_event_callback(st.ctx, NULL, NULL);
    st.totals = st.rec.totals;
    st.held_peak = records_held_peak(&st.rec);
    st.held_bound = records_held_bound(&st.rec);
    st.sort_runs = records_sort_runs(&st.rec);
    records_free(&st.rec);
    if (writer_close(&st.w) != 0) {
        cli_error("%s: write error: %s", st.w.name, strerror(st.w.err));
        status = CLI_EXIT_FAIL;
    }
    if (cfg->verbose && cfg->format != CLI_FMT_TEXT) /* text: in the report */
        results_counters_stderr(st.ctx, &st.cc, &st.totals);
    if (cfg->stats)
        print_stats(&st, monotonic_s() - t0);
    input_close(st.in);
    sampo_ctx_destroy(st.ctx);
    return status;
}
