/* test_records.c - what sampo-cli holds of its session records stays
 * within --record-memory (issue 10, requirement 1), and nothing vanishes:
 *   - the assembler (tools/common/assemble.c) under a bound: one session
 *     kept open while 200k of its subflows end hands them over in parts,
 *     each record exactly once, never holding more than the bound; a
 *     session merged away brings its count of parts along; 100k sessions
 *     holding one record each are handed over without a quadratic cost;
 *   - the external sort (tools/sampo-cli/extsort.c): runs merged in
 *     several passes come out in order, every record once;
 *   - the records module (tools/sampo-cli/records.c) on synthetic
 *     end-of-life events: the text report of 200k unassociated subflows
 *     and of 20k sessions is byte for byte the same with a bound as
 *     without, its tables sorted on disk; the JSON records of a churned
 *     session are parts then the session, every subflow once. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"
#include "cli.h"
#include "extsort.h"
#include "format.h"
#include "records.h"

#define CHURN 200000u

static sampo_subflow_info mk_sub(uint32_t i, uint64_t session)
{
    sampo_subflow_info s;

    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    s.subflow_id = (uint64_t)i + 1;
    s.session_id = session;
    s.flow.family = 4;
    s.flow.src[0] = 10;
    s.flow.src[1] = (uint8_t)(i >> 16);
    s.flow.src[2] = (uint8_t)(i >> 8);
    s.flow.src[3] = (uint8_t)i;
    s.flow.dst[0] = 198;
    s.flow.dst[1] = 51;
    s.flow.dst[2] = 100;
    s.flow.dst[3] = 20;
    s.flow.src_port = (uint16_t)(1024 + i % 60000);
    s.flow.dst_port = 443;
    s.mptcp_version = 1;
    s.is_join = 1;
    s.closed = 1;
    s.method = SAMPO_METHOD_TOKEN;
    s.confidence = 1.0;
    s.packets[0] = 1;
    /* first seen out of end order, so that the sorts have work to do */
    s.first_ns = UINT64_C(1000000000) + (uint64_t)((i * UINT64_C(7919)) % 1000003) * 1000;
    s.last_ns = s.first_ns + 1000;
    s.addr_id[0] = s.addr_id[1] = -1;
    return s;
}

static sampo_event ev_of(int type, uint64_t session)
{
    sampo_event ev;

    memset(&ev, 0, sizeof ev);
    ev.size = sizeof ev;
    ev.type = (sampo_event_type)type;
    ev.session_id = session;
    return ev;
}

static sampo_session_info mk_session(uint64_t id, uint32_t seen)
{
    sampo_session_info s;

    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    s.session_id = id;
    s.mptcp_version = 1;
    s.method = SAMPO_METHOD_TOKEN;
    s.confidence = 1.0;
    s.closed = 1;
    s.subflows_seen = seen;
    return s;
}

/* ---- the assembler -------------------------------------------------------- */

struct seen {
    uint8_t *once; /* per subflow id: times handed over */
    size_t n_ids;
    uint64_t sessions, parts, records, part_records, dup;
    uint32_t last_parts;
    uint64_t last_early;
    size_t largest_part;
};

static void mark(struct seen *c, const sampo_subflow_info *subs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t id = subs[i].subflow_id;
        cr_assert(id < c->n_ids);
        if (c->once[id]++)
            c->dup++;
    }
    c->records += n;
}

static void seen_session(void *user, const sampo_session_info *s, const sampo_subflow_info *subs,
                         size_t n, uint32_t parts, uint64_t early)
{
    struct seen *c = user;
    (void)s;
    mark(c, subs, n);
    c->sessions++;
    c->last_parts = parts;
    c->last_early = early;
}

static void seen_part(void *user, uint64_t session_id, uint32_t part,
                      const sampo_subflow_info *subs, size_t n)
{
    struct seen *c = user;
    (void)session_id;
    (void)part;
    mark(c, subs, n);
    c->parts++;
    c->part_records += n;
    if (n > c->largest_part)
        c->largest_part = n;
}

static void seen_unassoc(void *user, const sampo_subflow_info *sf) { mark(user, sf, 1); }

static void seen_init(struct seen *c, size_t n_ids)
{
    memset(c, 0, sizeof *c);
    c->n_ids = n_ids + 2;
    c->once = calloc(c->n_ids, 1);
    cr_assert_not_null(c->once);
}

static void end_sub(struct assembler *a, const sampo_subflow_info *s)
{
    sampo_event ev = ev_of(SAMPO_EV_SUBFLOW_END, s->session_id);
    ev.subflow = s;
    asm_event(a, &ev);
}

static void end_session(struct assembler *a, uint64_t id, uint32_t seen)
{
    sampo_session_info s = mk_session(id, seen);
    sampo_event ev = ev_of(SAMPO_EV_SESSION_END, id);
    ev.session = &s;
    asm_event(a, &ev);
}

Test(assemble, churn_in_parts)
{
    struct assembler a;
    struct seen c;
    const uint64_t limit = 1 << 20;

    seen_init(&c, CHURN);
    asm_init(&a, seen_session, seen_unassoc, &c);
    asm_set_limit(&a, limit, seen_part);
    for (uint32_t i = 0; i < CHURN; i++) {
        sampo_subflow_info s = mk_sub(i, 1);
        end_sub(&a, &s);
        cr_assert(a.held <= limit, "held %llu past the bound", (unsigned long long)a.held);
    }
    end_session(&a, 1, CHURN);
    cr_assert_eq(c.dup, 0);
    cr_assert_eq(c.records, CHURN);
    for (uint32_t i = 0; i < CHURN; i++)
        cr_assert_eq(c.once[i + 1], 1, "subflow %u", i + 1);
    cr_assert_eq(c.sessions, 1);
    cr_assert_gt(c.parts, 10);
    cr_assert_eq(c.parts, a.parts);
    cr_assert_eq(c.part_records, a.early);
    cr_assert_eq(c.last_parts, c.parts, "the session says how many parts went before");
    cr_assert_eq(c.last_early, c.part_records);
    cr_assert(a.held_peak <= limit);
    cr_assert(c.largest_part * sizeof(sampo_subflow_info) <= limit);
    cr_assert_eq(a.waiting, 0);
    cr_assert_eq(a.held, 0);
    asm_free(&a);
    free(c.once);
    printf("assemble.churn_in_parts: %u records, %llu parts (%llu records early), peak %llu "
           "bytes held of %llu\n",
           CHURN, (unsigned long long)c.parts, (unsigned long long)c.part_records,
           (unsigned long long)a.held_peak, (unsigned long long)limit);
}

/* Without a bound nothing is handed over early: the whole session at its end. */
Test(assemble, no_bound)
{
    struct assembler a;
    struct seen c;

    seen_init(&c, 5000);
    asm_init(&a, seen_session, seen_unassoc, &c);
    for (uint32_t i = 0; i < 5000; i++) {
        sampo_subflow_info s = mk_sub(i, 1);
        end_sub(&a, &s);
    }
    cr_assert_eq(a.waiting, 5000);
    end_session(&a, 1, 5000);
    cr_assert_eq(c.parts, 0);
    cr_assert_eq(c.last_parts, 0);
    cr_assert_eq(c.records, 5000);
    asm_free(&a);
    free(c.once);
}

/* Session 2 wrote parts, then was merged away into session 1: session 1's
 * record counts them, and its held records, renamed, go along. */
Test(assemble, absorb_carries_parts)
{
    struct assembler a;
    struct seen c;
    const uint64_t limit = 64 << 10;
    uint32_t i;

    seen_init(&c, 3000);
    asm_init(&a, seen_session, seen_unassoc, &c);
    asm_set_limit(&a, limit, seen_part);
    for (i = 0; i < 1000; i++) {
        sampo_subflow_info s = mk_sub(i, 2);
        end_sub(&a, &s);
    }
    cr_assert_gt(a.parts, 0);
    uint64_t parts2 = a.parts, early2 = a.early;
    sampo_event j = ev_of(SAMPO_EV_SUBFLOW_JOINED, 1);
    j.other_session_id = 2;
    j.other_session_gone = 1;
    asm_event(&a, &j);
    const sampo_subflow_info *held;
    size_t n = asm_waiting(&a, 1, &held);
    cr_assert_eq(n + early2, 1000);
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(held[k].session_id, 1);
    cr_assert_eq(asm_waiting(&a, 2, &held), 0);
    end_session(&a, 1, 1000);
    cr_assert_eq(c.last_parts, parts2);
    cr_assert_eq(c.last_early, early2);
    cr_assert_eq(c.records, 1000);
    cr_assert_eq(c.dup, 0);
    cr_assert_eq(asm_finish(&a), 0);
    asm_free(&a);
    free(c.once);
}

/* 100k open sessions holding one ended subflow each, under a bound of
 * 64 KiB: the sessions are handed over by sorts that each free half the
 * bound, not one scan per record.  Then a session that never ends is
 * written at the end (asm_finish()) with its count of parts. */
Test(assemble, many_small_sessions, .timeout = 20)
{
    struct assembler a;
    struct seen c;
    const uint32_t n = 100000;
    const uint64_t limit = 64 << 10;

    seen_init(&c, n);
    asm_init(&a, seen_session, seen_unassoc, &c);
    asm_set_limit(&a, limit, seen_part);
    for (uint32_t i = 0; i < n; i++) {
        sampo_subflow_info s = mk_sub(i, 100 + i);
        end_sub(&a, &s);
        cr_assert(a.held <= limit);
    }
    for (uint32_t i = 0; i + 1 < n; i++)
        end_session(&a, 100 + i, 1);
    cr_assert_eq(asm_finish(&a), 1);
    cr_assert_eq(c.records, n);
    cr_assert_eq(c.dup, 0);
    cr_assert_eq(c.sessions, n);
    cr_assert_gt(c.parts, 0);
    asm_free(&a);
    free(c.once);
}

/* ---- the external sort ---------------------------------------------------- */

struct xrec {
    uint64_t key, seq, check;
};

static int cmp_xrec(const void *pa, const void *pb)
{
    const struct xrec *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static uint64_t mix(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static void sort_check(uint32_t n, size_t max_mem, int expect_spill)
{
    struct extsort x;
    struct xrec r, prev;
    uint64_t sum_in = 0, sum_out = 0, got = 0;
    int k;

    xs_init(&x, sizeof r, cmp_xrec, max_mem);
    for (uint32_t i = 0; i < n; i++) {
        r.key = mix(i) % 50000; /* duplicate keys, told apart by seq */
        r.seq = i;
        r.check = mix(i ^ 0x55);
        sum_in += r.check;
        cr_assert_eq(xs_push(&x, &r), 0);
    }
    cr_assert_eq(xs_sort(&x), 0);
    while ((k = xs_next(&x, &r)) == 1) {
        if (got)
            cr_assert_lt(cmp_xrec(&prev, &r), 0, "record %llu out of order",
                         (unsigned long long)got);
        cr_assert_eq(r.check, mix(r.seq ^ 0x55));
        sum_out += r.check;
        prev = r;
        got++;
    }
    cr_assert_eq(k, 0);
    cr_assert_eq(got, n);
    cr_assert_eq(sum_in, sum_out);
    if (expect_spill)
        cr_assert_gt(x.spilled, XS_FANIN, "runs merged in more than one pass");
    else
        cr_assert_eq(x.spilled, 0);
    xs_free(&x);
}

Test(extsort, in_memory) { sort_check(10000, 1 << 20, 0); }

/* 300k records of 24 bytes in 8 KiB: ~900 runs, merged 16 at a time in passes. */
Test(extsort, merged_in_passes) { sort_check(300000, 8 << 10, 1); }

Test(extsort, empty)
{
    struct extsort x;
    struct xrec r;

    xs_init(&x, sizeof r, cmp_xrec, 4096);
    cr_assert_eq(xs_sort(&x), 0);
    cr_assert_eq(xs_next(&x, &r), 0);
    xs_free(&x);
}

/* ---- the records module ---------------------------------------------------- */

/* The output of the records of `gen` in format `fmt` with bound `mem`,
 * as a string (malloc'd); *totals and *runs as the run left them. */
typedef void (*gen_fn)(struct records *r);

static char *run_records(enum cli_format fmt, uint64_t mem, gen_fn gen,
                         struct report_totals *totals, uint64_t *runs)
{
    struct cli_config cfg;
    struct writer w;
    struct records r;
    long len;
    char *out;

    memset(&cfg, 0, sizeof cfg);
    cfg.format = fmt;
    cfg.record_memory = mem;
    memset(&w, 0, sizeof w);
    w.fp = tmpfile();
    w.name = "a temporary file";
    cr_assert_not_null(w.fp);
    cr_assert_eq(records_init(&r, formatter_get(fmt), &cfg, &w, 0), 0);
    gen(&r);
    cr_assert_eq(records_finish(&r), 0);
    *totals = r.totals;
    *runs = records_sort_runs(&r);
    records_free(&r);
    fflush(w.fp);
    cr_assert(!w.failed && !ferror(w.fp));
    len = ftell(w.fp);
    out = malloc((size_t)len + 1);
    cr_assert_not_null(out);
    rewind(w.fp);
    cr_assert_eq(fread(out, 1, (size_t)len, w.fp), (size_t)len);
    out[len] = '\0';
    fclose(w.fp);
    return out;
}

static void rec_sub(struct records *r, const sampo_subflow_info *s)
{
    sampo_event ev = ev_of(SAMPO_EV_SUBFLOW_END, s->session_id);
    ev.subflow = s;
    records_event(r, &ev);
}

static void rec_session(struct records *r, uint64_t id, uint32_t seen)
{
    sampo_session_info s = mk_session(id, seen);
    sampo_event ev = ev_of(SAMPO_EV_SESSION_END, id);
    ev.session = &s;
    records_event(r, &ev);
}

/* A SYN flood's worth of subflows that end in no session. */
static void gen_unassoc(struct records *r)
{
    for (uint32_t i = 0; i < CHURN; i++) {
        sampo_subflow_info s = mk_sub(i, 0);
        s.is_join = 0;
        rec_sub(r, &s);
    }
}

/* 20k sessions of one subflow, ending in an order other than their ids'. */
static void gen_sessions(struct records *r)
{
    for (uint32_t i = 0; i < 20000; i++) {
        uint64_t id = 1 + (i * UINT64_C(7919)) % 20000;
        sampo_subflow_info s = mk_sub(i, id);
        rec_sub(r, &s);
        rec_session(r, id, 1);
    }
}

/* One session kept open while CHURN of its subflows end, with a short
 * session ending now and then. */
static void gen_churn(struct records *r)
{
    for (uint32_t i = 0; i < CHURN; i++) {
        if (i % 10000 == 5000) {
            uint64_t id = 2 + i / 10000;
            sampo_subflow_info s = mk_sub(i, id);
            rec_sub(r, &s);
            rec_session(r, id, 1);
            continue;
        }
        sampo_subflow_info s = mk_sub(i, 1);
        rec_sub(r, &s);
    }
    rec_session(r, 1, CHURN - 20);
}

/* strstr() without the sanitizers' interceptor, which reads the whole
 * haystack on every call: over outputs of tens of megabytes, the loops
 * below would be quadratic. */
static const char *find(const char *p, const char *what)
{
    size_t len = strlen(what);

    for (; *p; p++)
        if (*p == what[0] && strncmp(p, what, len) == 0)
            return p;
    return NULL;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0, len = strlen(what);

    for (const char *p = find(s, what); p; p = find(p + len, what))
        n++;
    return n;
}

Test(records, text_unassociated_sorted_on_disk, .timeout = 180)
{
    struct report_totals t0, t1;
    uint64_t runs0, runs1;
    char *free_run = run_records(CLI_FMT_TEXT, 0, gen_unassoc, &t0, &runs0);
    char *bounded = run_records(CLI_FMT_TEXT, 1 << 20, gen_unassoc, &t1, &runs1);

    cr_assert_eq(runs0, 0);
    cr_assert_gt(runs1, 0, "the table went to disk past a quarter of the bound");
    cr_assert_eq(t1.unassociated, CHURN);
    cr_assert_str_eq(bounded, free_run, "the same report, in the same order");
    cr_assert_not_null(find(bounded, "unassociated  200000 subflows\n"));
    cr_assert_eq(count(bounded, "\n  unknown  "), CHURN);
    printf("records.text_unassociated: %u subflows, %llu sorted runs on disk, identical report\n",
           CHURN, (unsigned long long)runs1);
    free(free_run);
    free(bounded);
}

Test(records, text_index_sorted_on_disk, .timeout = 180)
{
    struct report_totals t0, t1;
    uint64_t runs0, runs1;
    char *free_run = run_records(CLI_FMT_TEXT, 0, gen_sessions, &t0, &runs0);
    char *bounded = run_records(CLI_FMT_TEXT, 256 << 10, gen_sessions, &t1, &runs1);

    cr_assert_eq(runs0, 0);
    cr_assert_gt(runs1, 0);
    cr_assert_eq(t1.sessions, 20000);
    cr_assert_str_eq(bounded, free_run);
    /* in session id order */
    const char *p = bounded;
    for (uint64_t id = 1; id <= 20000; id++) {
        char want[40];
        snprintf(want, sizeof want, "\nsession %llu  ", (unsigned long long)id);
        const char *q = find(p, want);
        cr_assert_not_null(q, "session %llu in order", (unsigned long long)id);
        p = q + 1;
    }
    free(free_run);
    free(bounded);
}

/* The subflow ids of every subflow object of the JSON output, each once. */
static void json_ids_once(const char *out, uint32_t n)
{
    uint8_t *once = calloc(n + 2, 1);
    size_t got = 0;

    cr_assert_not_null(once);
    /* a subflow object starts with its id; a record with its type */
    for (const char *p = find(out, "{\"id\":"); p; p = find(p + 1, "{\"id\":")) {
        unsigned long long id = strtoull(p + 6, NULL, 10); /* not sscanf: strlen each time */
        cr_assert(id >= 1 && id <= n, "subflow id %llu", id);
        cr_assert_eq(once[id]++, 0, "subflow %llu written twice", id);
        got++;
    }
    cr_assert_eq(got, n);
    free(once);
}

Test(records, json_churn_in_parts, .timeout = 180)
{
    struct report_totals t;
    uint64_t runs;
    char *out = run_records(CLI_FMT_JSON, 1 << 20, gen_churn, &t, &runs);
    char want[80];

    cr_assert_gt(t.parts, 0);
    cr_assert_eq(count(out, "{\"type\":\"session-part\",\"id\":1,"), t.parts);
    cr_assert_eq(count(out, "{\"type\":\"session\","), 21);
    snprintf(want, sizeof want, "\"parts\":%llu,\"subflows_early\":%llu,",
             (unsigned long long)t.parts, (unsigned long long)t.subflows_early);
    cr_assert_not_null(find(out, want), "the session record says what went before");
    cr_assert_eq(t.subflows, CHURN);
    json_ids_once(out, CHURN);
    printf("records.json_churn: %u subflows, %llu session parts (%llu subflows early)\n", CHURN,
           (unsigned long long)t.parts, (unsigned long long)t.subflows_early);
    free(out);
}

Test(records, text_churn_parts_before_session, .timeout = 180)
{
    struct report_totals t;
    uint64_t runs;
    char *out = run_records(CLI_FMT_TEXT, 1 << 20, gen_churn, &t, &runs);
    char want[80];

    cr_assert_gt(t.parts, 0);
    snprintf(want, sizeof want, "\nsession 1  part %llu  ", (unsigned long long)t.parts);
    const char *last_part = find(out, want);
    const char *first_part = find(out, "\nsession 1  part 1  ");
    const char *final = find(out, "\nsession 1  v1  ");
    const char *next = find(out, "\nsession 2  v1  ");
    cr_assert(first_part && last_part && final && next);
    cr_assert(first_part < last_part && last_part < final && final < next);
    snprintf(want, sizeof want, "  + %llu parts above (%llu subflows)\n",
             (unsigned long long)t.parts, (unsigned long long)t.subflows_early);
    cr_assert_not_null(find(final, want));
    cr_assert_eq(count(out, "\n  join     "), CHURN);
    free(out);
}

Test(records, csv_churn_rows_once, .timeout = 180)
{
    struct report_totals t;
    uint64_t runs;
    char *out = run_records(CLI_FMT_CSV, 1 << 20, gen_churn, &t, &runs);

    cr_assert_gt(t.parts, 0);
    cr_assert_eq(count(out, "\n1,10."), CHURN - 20, "session 1's rows, parts and rest");
    cr_assert_eq(count(out, "\n"), CHURN + 1);
    free(out);
}
