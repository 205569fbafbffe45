/* old_consumer.c - a program written against sampo 0.1.0, run against the
 * library built in this tree.
 *
 * It is compiled with tests/abi/sampo-0.1.0.h (the frozen 0.1.0 header)
 * and nothing else of sampo: the build gives it no path to include/, and
 * the check below refuses to compile if <sampo.h> is visible at all.  At
 * run time it is linked against the tree's libsampo.so.0, so every struct
 * size, enumerator value, counter number and function signature it uses is
 * 0.1.0's, while the code behind them is the new library's.  It exercises
 * the whole 0.1.0 API as a 0.1.0 user would, asserts real results, and
 * checks the ABI rules of docs in include/sampo.h:
 *   - structs the library fills are passed with 0.1.0's sizeof and followed
 *     by guard bytes; the library must not write past the caller's `size`
 *     (a library that fills its own, bigger layout fails here), and must
 *     leave `size` itself as the caller set it;
 *   - structs the library reads (sampo_packet, batches of them) are heap
 *     blocks of exactly 0.1.0's size, so that a sanitizer build catches a
 *     library that reads past them; batches use 0.1.0's stride;
 *   - enumerators and counters keep their 0.1.0 numbers and names.
 * Usage: old_consumer [EXPECTED_LIBRARY]  (the path of the libsampo.so.0
 * it must have loaded; checked when given).  Exit status 0 when every
 * check passed, 1 otherwise, with one line per failed check. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<sampo.h>)
#error "old_consumer must see tests/abi/sampo-0.1.0.h only: include/ is on its include path"
#endif
#endif
#include "sampo-0.1.0.h"

/* What the frozen header says, so that a mistaken edit of it shows. */
_Static_assert(SAMPO_VERSION_NUMBER == 100, "tests/abi/sampo-0.1.0.h is not 0.1.0's header");
_Static_assert(SAMPO_CNT__COUNT == 68, "tests/abi/sampo-0.1.0.h does not have 0.1.0's counters");

/* ---- checking ---------------------------------------------------------- */

static int failures, checks;

static void fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "old_consumer: FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    failures++;
}

#define CHECK(cond, ...)                           \
    do {                                           \
        checks++;                                  \
        if (!(cond))                               \
            fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)
#define CHECK_EQ_INT(got, want, what)                             \
    do {                                                          \
        long long g_ = (long long)(got), w_ = (long long)(want);  \
        CHECK(g_ == w_, "%s: got %lld, want %lld", what, g_, w_); \
    } while (0)
#define CHECK_EQ_U64(got, want, what)                                                       \
    do {                                                                                    \
        unsigned long long g_ = (unsigned long long)(got), w_ = (unsigned long long)(want); \
        CHECK(g_ == w_, "%s: got %llu (0x%llx), want %llu (0x%llx)", what, g_, g_, w_, w_); \
    } while (0)
#define CHECK_STR(got, want, what)                                                               \
    do {                                                                                         \
        const char *g_ = (got), *w_ = (want);                                                    \
        CHECK(g_ &&strcmp(g_, w_) == 0, "%s: got \"%s\", want \"%s\"", what, g_ ? g_ : "(null)", \
              w_);                                                                               \
    } while (0)
/* A fatal check: what follows cannot run without it. */
#define REQUIRE(cond, ...)                         \
    do {                                           \
        checks++;                                  \
        if (!(cond)) {                             \
            fail(__FILE__, __LINE__, __VA_ARGS__); \
            finish();                              \
        }                                          \
    } while (0)

static void finish(void)
{
    if (failures) {
        fprintf(stderr,
                "old_consumer: %d of %d checks FAILED: the library is not ABI-compatible "
                "with sampo 0.1.0 callers\n",
                failures, checks);
        exit(1);
    }
    printf("old_consumer: all %d checks passed\n", checks);
    exit(0);
}

/* ---- guarded output structs ---------------------------------------------- */

/* Each struct the library fills sits at the start of a block of its 0.1.0
 * size plus GUARD bytes of a pattern; after every call the pattern must be
 * intact and `size` unchanged. */
#define GUARD 64
#define GUARD_BYTE 0xA5
typedef union guarded {
    max_align_t align;
    unsigned char raw[256 + GUARD];
} guarded;

_Static_assert(sizeof(sampo_subflow_info) <= 256 && sizeof(sampo_event) <= 256 &&
                   sizeof(sampo_session_info) <= 256 && sizeof(sampo_pair_info) <= 256 &&
                   sizeof(sampo_bounds) <= 256,
               "guarded blocks too small");

/* Zero the struct, set its size, fill the guard. */
static void *guard_init(guarded *g, size_t size)
{
    memset(g->raw, 0, size);
    memset(g->raw + size, GUARD_BYTE, GUARD);
    memcpy(g->raw, &size, sizeof(size)); /* every such struct begins with size_t size */
    return g->raw;
}

static void guard_check(const guarded *g, size_t size, const char *call, const char *file, int line)
{
    checks++;
    for (size_t i = 0; i < GUARD; i++)
        if (g->raw[size + i] != GUARD_BYTE) {
            fail(file, line,
                 "%s wrote past the caller's size %zu (byte at offset %zu changed "
                 "to 0x%02x): the library fills a bigger layout than the caller's",
                 call, size, size + i, g->raw[size + i]);
            break;
        }
    size_t now;
    memcpy(&now, g->raw, sizeof(now));
    checks++;
    if (now != size)
        fail(file, line, "%s changed the caller's size member from %zu to %zu", call, size, now);
}
#define GUARD_CHECK(g, T, call) guard_check(g, sizeof(T), call, __FILE__, __LINE__)

/* ---- packets, built by hand ---------------------------------------------- */

typedef struct frame {
    uint8_t b[160];
    uint32_t len;     /* captured bytes */
    uint32_t wirelen; /* plus the payload that was not captured */
} frame;

typedef struct ep4 {
    uint32_t addr;
    uint16_t port;
} ep4;

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Ethernet II + IPv4 (no options) + TCP with `opts` (NOP-padded to a
 * multiple of 4); `payload` bytes are on the wire but not captured. */
static frame tcp4(ep4 s, ep4 d, uint8_t flags, uint32_t seq, uint32_t ack, const uint8_t *opts,
                  size_t olen, uint32_t payload)
{
    frame f;
    memset(&f, 0, sizeof(f));
    uint8_t *p = f.b;
    memcpy(p, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
    put16(p + 12, 0x0800);
    p += 14;
    size_t optpad = (olen + 3) & ~(size_t)3;
    size_t tcplen = 20 + optpad;
    p[0] = 0x45;
    put16(p + 2, (uint16_t)(20 + tcplen + payload));
    p[8] = 64;
    p[9] = 6; /* TCP */
    put32(p + 12, s.addr);
    put32(p + 16, d.addr);
    p += 20;
    put16(p, s.port);
    put16(p + 2, d.port);
    put32(p + 4, seq);
    put32(p + 8, ack);
    p[12] = (uint8_t)((tcplen / 4) << 4);
    p[13] = flags;
    put16(p + 14, 65535);
    memset(p + 20, 1, optpad); /* NOP */
    if (olen)
        memcpy(p + 20, opts, olen);
    f.len = (uint32_t)(14 + 20 + tcplen);
    f.wirelen = f.len + payload;
    return f;
}

/* A UDP datagram (not TCP). */
static frame udp4(ep4 s, ep4 d)
{
    frame f;
    memset(&f, 0, sizeof(f));
    uint8_t *p = f.b;
    put16(p + 12, 0x0800);
    p += 14;
    p[0] = 0x45;
    put16(p + 2, 28);
    p[8] = 64;
    p[9] = 17;
    put32(p + 12, s.addr);
    put32(p + 16, d.addr);
    put16(p + 20, s.port);
    put16(p + 22, d.port);
    put16(p + 24, 8);
    f.len = f.wirelen = 14 + 28;
    return f;
}

/* MPTCP options (TCP option kind 30), RFC 8684 section 3. */
static size_t mpc(uint8_t *o, int len, uint64_t k1, uint64_t k2) /* MP_CAPABLE v1 */
{
    o[0] = 30;
    o[1] = (uint8_t)len;
    o[2] = 0x01; /* subtype 0, version 1 */
    o[3] = 0x01; /* H: HMAC-SHA256 */
    if (len >= 12)
        put64(o + 4, k1);
    if (len >= 20)
        put64(o + 12, k2);
    return (size_t)len;
}
static size_t join_syn(uint8_t *o, uint8_t addr_id, uint32_t token, uint32_t nonce)
{
    o[0] = 30;
    o[1] = 12;
    o[2] = 0x10;
    o[3] = addr_id;
    put32(o + 4, token);
    put32(o + 8, nonce);
    return 12;
}
static size_t join_synack(uint8_t *o, uint8_t addr_id, uint64_t thmac, uint32_t nonce)
{
    o[0] = 30;
    o[1] = 16;
    o[2] = 0x10;
    o[3] = addr_id;
    put64(o + 4, thmac);
    put32(o + 12, nonce);
    return 16;
}
static size_t join_ack(uint8_t *o)
{
    o[0] = 30;
    o[1] = 24;
    o[2] = 0x10;
    o[3] = 0;
    memset(o + 4, 0x5c, 20); /* HMAC, opaque to a middlebox */
    return 24;
}
/* DSS: 8-byte DATA_ACK and an 8-byte DSN mapping. */
static size_t dss64(uint8_t *o, uint64_t data_ack, uint64_t dsn, uint32_t ssn, uint16_t dlen)
{
    o[0] = 30;
    o[1] = 26;
    o[2] = 0x20;
    o[3] = 0x0f; /* A, a (8-byte ACK), M, m (8-byte DSN) */
    put64(o + 4, data_ack);
    put64(o + 12, dsn);
    put32(o + 20, ssn);
    put16(o + 24, dlen);
    return 26;
}
/* DSS: 4-byte DATA_ACK and a 4-byte DSN mapping. */
static size_t dss32(uint8_t *o, uint32_t data_ack, uint32_t dsn, uint32_t ssn, uint16_t dlen)
{
    o[0] = 30;
    o[1] = 18;
    o[2] = 0x20;
    o[3] = 0x05; /* A, M */
    put32(o + 4, data_ack);
    put32(o + 8, dsn);
    put32(o + 12, ssn);
    put16(o + 16, dlen);
    return 18;
}
/* ADD_ADDR v1, IPv4, no port, with its truncated HMAC. */
static size_t add_addr4(uint8_t *o, uint8_t addr_id, uint32_t addr)
{
    o[0] = 30;
    o[1] = 16;
    o[2] = 0x30;
    o[3] = addr_id;
    put32(o + 4, addr);
    put64(o + 8, UINT64_C(0x0102030405060708));
    return 16;
}
static size_t mp_prio(uint8_t *o, int backup)
{
    o[0] = 30;
    o[1] = 3;
    o[2] = (uint8_t)(0x50 | (backup ? 1 : 0));
    return 3;
}

/* A sampo_packet in a heap block of exactly 0.1.0's size. */
static sampo_packet *packet_of(const frame *f, uint64_t ts_ns)
{
    sampo_packet *p = malloc(sizeof(*p));
    if (!p) {
        fprintf(stderr, "old_consumer: out of memory\n");
        exit(1);
    }
    sampo_packet init = SAMPO_PACKET_INIT;
    *p = init;
    p->data = f->b;
    p->caplen = f->len;
    p->wirelen = f->wirelen;
    p->ts_ns = ts_ns;
    p->linktype = SAMPO_LINKTYPE_ETHERNET;
    return p;
}

static int feed(sampo_ctx *ctx, const frame *f, uint64_t ts_ns)
{
    sampo_packet *p = packet_of(f, ts_ns);
    int rc = sampo_ctx_feed(ctx, p);
    free(p);
    return rc;
}

static sampo_flow flow4(ep4 s, ep4 d)
{
    sampo_flow f;
    memset(&f, 0, sizeof(f));
    f.family = 4;
    put32(f.src, s.addr);
    put32(f.dst, d.addr);
    f.src_port = s.port;
    f.dst_port = d.port;
    return f;
}

static int flow_eq(const sampo_flow *a, const sampo_flow *b)
{
    return a->family == b->family && a->src_port == b->src_port && a->dst_port == b->dst_port &&
           memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}
/* Same connection, either orientation. */
static int flow_same_conn(const sampo_flow *a, const sampo_flow *b)
{
    sampo_flow r = *b;
    memcpy(r.src, b->dst, 16);
    memcpy(r.dst, b->src, 16);
    r.src_port = b->dst_port;
    r.dst_port = b->src_port;
    return flow_eq(a, b) || flow_eq(a, &r);
}

/* ---- allocator hooks ------------------------------------------------------ */

typedef struct alloc_stats {
    long live, mallocs, frees, foreign_frees;
    int fail; /* refuse every allocation */
} alloc_stats;

/* Every block carries a header with a tag, so that a free of something this
 * allocator did not hand out is seen. */
#define ALLOC_TAG UINT64_C(0x53414d504f414c43)
typedef union alloc_hdr {
    max_align_t align;
    uint64_t tag;
} alloc_hdr;

static void *hook_malloc(void *opaque, size_t size)
{
    alloc_stats *st = opaque;
    if (st->fail)
        return NULL;
    alloc_hdr *h = malloc(sizeof(*h) + size);
    if (!h)
        return NULL;
    h->tag = ALLOC_TAG;
    st->live++;
    st->mallocs++;
    return h + 1;
}

static void hook_free(void *opaque, void *ptr)
{
    alloc_stats *st = opaque;
    if (!ptr)
        return;
    alloc_hdr *h = (alloc_hdr *)ptr - 1;
    if (h->tag != ALLOC_TAG) {
        st->foreign_frees++;
        return;
    }
    h->tag = 0;
    st->live--;
    st->frees++;
    free(h);
}

/* ---- version, errors, names ------------------------------------------------ */

static void check_version(const char *expected_lib)
{
    unsigned v = sampo_version_number();
    const char *s = sampo_version_string();
    printf("old_consumer: built against sampo %s, running libsampo %s (%u)\n", SAMPO_VERSION_STRING,
           s ? s : "(null)", v);
    CHECK(v / 10000 == SAMPO_VERSION_MAJOR && v >= SAMPO_VERSION_NUMBER,
          "sampo_version_number() = %u: not a 0.x release at or after %d", v, SAMPO_VERSION_NUMBER);
    char want[32];
    snprintf(want, sizeof(want), "%u.%u.%u", v / 10000, v / 100 % 100, v % 100);
    CHECK_STR(s, want, "sampo_version_string() agrees with sampo_version_number()");

    Dl_info info;
    if (dladdr((void *)(uintptr_t)&sampo_version_number, &info) && info.dli_fname) {
        printf("old_consumer: libsampo loaded from %s\n", info.dli_fname);
        if (expected_lib) {
            char a[PATH_MAX], b[PATH_MAX];
            CHECK(realpath(info.dli_fname, a) && realpath(expected_lib, b) && strcmp(a, b) == 0,
                  "loaded %s, not the library under test %s", info.dli_fname, expected_lib);
        }
    } else {
        CHECK(!expected_lib, "cannot tell which libsampo was loaded (dladdr failed)");
    }
}

static void check_strerror(void)
{
    CHECK(SAMPO_OK == 0, "SAMPO_OK is not 0");
#define XX(name, val, msg)                               \
    CHECK_EQ_INT(SAMPO_E_##name, val, "SAMPO_E_" #name); \
    CHECK_STR(sampo_strerror(val), msg, "sampo_strerror(SAMPO_E_" #name ")");
    SAMPO_ERRNO_MAP(XX)
#undef XX
    CHECK(sampo_strerror(0) != NULL && sampo_strerror(0)[0] != '\0',
          "sampo_strerror(SAMPO_OK) is empty");
    CHECK_STR(sampo_strerror(-9999), "unknown error", "sampo_strerror(-9999)");
}

static void check_names(void)
{
    static const char *const methods[] = {"none",          "token",       "key-dsn",
                                          "dsn-proximity", "dsn-overlap", "reinjection"};
    CHECK_EQ_INT(SAMPO_METHOD_NONE, 0, "SAMPO_METHOD_NONE");
    CHECK_EQ_INT(SAMPO_METHOD_REINJECTION, 5, "SAMPO_METHOD_REINJECTION");
    for (int i = 0; i < 6; i++) {
        char what[64];
        snprintf(what, sizeof(what), "sampo_method_name(%d)", i);
        CHECK_STR(sampo_method_name(i), methods[i], what);
    }
    CHECK_STR(sampo_method_name(-1), "unknown", "sampo_method_name(-1)");

    static const char *const reasons[] = {"none", "data-fin", "fastclose", "tcprst",
                                          "rst",  "fin",      "timeout",   "evicted"};
    for (int i = SAMPO_CLOSE_NONE; i <= SAMPO_CLOSE_EVICTED; i++) {
        char what[64];
        snprintf(what, sizeof(what), "sampo_close_reason_name(%d)", i);
        CHECK_STR(sampo_close_reason_name(i), reasons[i], what);
    }
    CHECK_STR(sampo_close_reason_name(-1), "unknown", "sampo_close_reason_name(-1)");

    static const struct {
        int type;
        const char *name;
    } evs[] = {
        {SAMPO_EV_SESSION_OPENED, "session-opened"},
        {SAMPO_EV_SUBFLOW_JOINED, "subflow-joined"},
        {SAMPO_EV_VERDICT_REVISED, "verdict-revised"},
        {SAMPO_EV_CONFLICT, "conflict"},
        {SAMPO_EV_SESSION_CLOSED, "session-closed"},
        {SAMPO_EV_ADD_ADDR, "add-addr"},
        {SAMPO_EV_REMOVE_ADDR, "remove-addr"},
        {SAMPO_EV_MP_PRIO, "mp-prio"},
        {SAMPO_EV_MP_FAIL, "mp-fail"},
        {SAMPO_EV_FALLBACK, "fallback"},
        {SAMPO_EV_SUBFLOW_CLOSED, "subflow-closed"},
    };
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        char what[64];
        CHECK_EQ_INT(evs[i].type, (int)i + 1, "event type value");
        snprintf(what, sizeof(what), "sampo_event_name(%d)", evs[i].type);
        CHECK_STR(sampo_event_name(evs[i].type), evs[i].name, what);
    }
    CHECK_STR(sampo_event_name(0), "unknown", "sampo_event_name(0)");
}

/* sampo_counter_name(i) is the name 0.1.0's SAMPO_COUNTER_MAP gives
 * counter i, for every 0.1.0 counter. */
static void check_counter_names(void)
{
    static const char *const names[] = {
#define XX(name, lower, desc) lower,
        SAMPO_COUNTER_MAP(XX)
#undef XX
    };
    _Static_assert(sizeof(names) / sizeof(names[0]) == SAMPO_CNT__COUNT, "counter map");
    for (int i = 0; i < SAMPO_CNT__COUNT; i++) {
        char what[64];
        snprintf(what, sizeof(what), "sampo_counter_name(%d)", i);
        CHECK_STR(sampo_counter_name(i), names[i], what);
        const char *d = sampo_counter_description(i);
        CHECK(d && d[0], "sampo_counter_description(%d) is NULL or empty", i);
    }
    /* A few by their enumerators, as a 0.1.0 caller names them. */
    CHECK_STR(sampo_counter_name(SAMPO_CNT_PACKETS), "packets", "SAMPO_CNT_PACKETS");
    CHECK_STR(sampo_counter_name(SAMPO_CNT_TOKEN_JOINS), "token_joins", "SAMPO_CNT_TOKEN_JOINS");
    CHECK_STR(sampo_counter_name(SAMPO_CNT_MEM_PEAK), "mem_peak", "SAMPO_CNT_MEM_PEAK");
    CHECK(sampo_counter_name(-1) == NULL, "sampo_counter_name(-1) is not NULL");
    CHECK(sampo_counter_description(-1) == NULL, "sampo_counter_description(-1) is not NULL");
}

/* ---- options --------------------------------------------------------------- */

typedef struct optspec {
    sampo_option opt;
    const char *name;
    sampo_option_type type;
    int64_t idef;
    double rdef;
} optspec;

/* 0.1.0's options, with the names and defaults it documents; one default
 * changed on purpose since: max_memory was 0 (no cap) in 0.1.0 and is
 * 1 GiB from 0.2 (memory bounded by default, docs/security.md). */
static const optspec OPTS[] = {
    {SAMPO_OPT_WINDOW_NS, "window_ns", SAMPO_OPTTYPE_INT, 500000000, 0},
    {SAMPO_OPT_RETENTION_NS, "retention_ns", SAMPO_OPTTYPE_INT, 2000000000, 0},
    {SAMPO_OPT_IDLE_TIMEOUT_NS, "idle_timeout_ns", SAMPO_OPTTYPE_INT, INT64_C(15000000000), 0},
    {SAMPO_OPT_MAX_SUBFLOWS, "max_subflows", SAMPO_OPTTYPE_INT, 1 << 20, 0},
    {SAMPO_OPT_MAX_MEMORY, "max_memory", SAMPO_OPTTYPE_INT, INT64_C(1) << 30, 0},
    {SAMPO_OPT_MIN_CONFIDENCE, "min_confidence", SAMPO_OPTTYPE_REAL, 0, 0.99},
    {SAMPO_OPT_TOKEN_EVIDENCE, "token_evidence", SAMPO_OPTTYPE_INT, 1, 0},
    {SAMPO_OPT_DSN_EVIDENCE, "dsn_evidence", SAMPO_OPTTYPE_INT, 1, 0},
    {SAMPO_OPT_HASH_SEED, "hash_seed", SAMPO_OPTTYPE_INT, 0, 0},
    {SAMPO_OPT_SAMPLING_RATE, "sampling_rate", SAMPO_OPTTYPE_INT, 1, 0},
    {SAMPO_OPT_MAX_SEGMENTS, "max_segments", SAMPO_OPTTYPE_INT, 512, 0},
    {SAMPO_OPT_MAX_EVENTS, "max_events", SAMPO_OPTTYPE_INT, 1 << 16, 0},
    {SAMPO_OPT_GAP_STEEPNESS, "gap_steepness", SAMPO_OPTTYPE_REAL, 0, 8.0},
    {SAMPO_OPT_HYSTERESIS, "hysteresis", SAMPO_OPTTYPE_REAL, 0, 0.5},
};
#define N_OPTS ((int)(sizeof(OPTS) / sizeof(OPTS[0])))

static void check_options(void)
{
    CHECK_EQ_INT(SAMPO_OPT_WINDOW_NS, 1, "SAMPO_OPT_WINDOW_NS");
    CHECK_EQ_INT(SAMPO_OPT_HYSTERESIS, 14, "SAMPO_OPT_HYSTERESIS");
    CHECK_EQ_INT(SAMPO_OPTTYPE_INT, 1, "SAMPO_OPTTYPE_INT");
    CHECK_EQ_INT(SAMPO_OPTTYPE_REAL, 2, "SAMPO_OPTTYPE_REAL");

    sampo_ctx *ctx = NULL;
    REQUIRE(sampo_ctx_create(&ctx, NULL) == SAMPO_OK && ctx, "sampo_ctx_create(&ctx, NULL) failed");
    CHECK_STR(sampo_ctx_last_error(ctx), "", "sampo_ctx_last_error() of a new context");

    for (int i = 0; i < N_OPTS; i++) {
        const optspec *o = &OPTS[i];
        guarded g;
        sampo_bounds *b = guard_init(&g, sizeof(sampo_bounds));
        REQUIRE(sampo_option_bounds(o->opt, b) == SAMPO_OK,
                "sampo_option_bounds(%d) with 0.1.0's sizeof(sampo_bounds) = %zu failed", o->opt,
                sizeof(sampo_bounds));
        GUARD_CHECK(&g, sampo_bounds, "sampo_option_bounds");
        CHECK_STR(b->name, o->name, "sampo_bounds.name");
        CHECK_EQ_INT(b->type, o->type, o->name);
        if (o->type == SAMPO_OPTTYPE_INT) {
            int64_t v = -12345;
            CHECK_EQ_INT(b->idefault, o->idef, o->name);
            CHECK(b->imin <= b->idefault && b->idefault <= b->imax,
                  "%s: default outside [min, max]", o->name);
            CHECK(sampo_ctx_get_option(ctx, o->opt, &v) == SAMPO_OK && v == o->idef,
                  "sampo_ctx_get_option(%s) = %lld, want the default %lld", o->name, (long long)v,
                  (long long)o->idef);
            CHECK_EQ_INT(sampo_ctx_set_option(ctx, o->opt, b->imax), SAMPO_OK, o->name);
            CHECK(sampo_ctx_get_option(ctx, o->opt, &v) == SAMPO_OK && v == b->imax,
                  "%s: set to its max, read back %lld", o->name, (long long)v);
            if (b->imax < INT64_MAX)
                CHECK_EQ_INT(sampo_ctx_set_option(ctx, o->opt, b->imax + 1), SAMPO_E_RANGE,
                             o->name);
            if (b->imin > INT64_MIN)
                CHECK_EQ_INT(sampo_ctx_set_option(ctx, o->opt, b->imin - 1), SAMPO_E_RANGE,
                             o->name);
            CHECK_EQ_INT(sampo_ctx_set_option(ctx, o->opt, b->idefault), SAMPO_OK, o->name);
            CHECK_EQ_INT(sampo_ctx_set_option_real(ctx, o->opt, 1.0), SAMPO_E_OPTTYPE, o->name);
            double r;
            CHECK_EQ_INT(sampo_ctx_get_option_real(ctx, o->opt, &r), SAMPO_E_OPTTYPE, o->name);
        } else {
            double r = -1;
            CHECK(b->rdefault == o->rdef, "%s: default %g, want %g", o->name, b->rdefault, o->rdef);
            CHECK(b->rmin <= b->rdefault && b->rdefault <= b->rmax,
                  "%s: default outside [min, max]", o->name);
            CHECK(sampo_ctx_get_option_real(ctx, o->opt, &r) == SAMPO_OK && r == o->rdef,
                  "sampo_ctx_get_option_real(%s) = %g, want %g", o->name, r, o->rdef);
            CHECK_EQ_INT(sampo_ctx_set_option_real(ctx, o->opt, b->rmin), SAMPO_OK, o->name);
            CHECK(sampo_ctx_get_option_real(ctx, o->opt, &r) == SAMPO_OK && r == b->rmin,
                  "%s: set to its min, read back %g", o->name, r);
            CHECK_EQ_INT(sampo_ctx_set_option_real(ctx, o->opt, b->rmax * 2 + 1), SAMPO_E_RANGE,
                         o->name);
            CHECK_EQ_INT(sampo_ctx_set_option_real(ctx, o->opt, NAN), SAMPO_E_RANGE, o->name);
            CHECK(sampo_ctx_last_error(ctx)[0] != '\0', "%s: no last error after SAMPO_E_RANGE",
                  o->name);
            CHECK_EQ_INT(sampo_ctx_set_option_real(ctx, o->opt, b->rdefault), SAMPO_OK, o->name);
            CHECK_EQ_INT(sampo_ctx_set_option(ctx, o->opt, 1), SAMPO_E_OPTTYPE, o->name);
            int64_t v;
            CHECK_EQ_INT(sampo_ctx_get_option(ctx, o->opt, &v), SAMPO_E_OPTTYPE, o->name);
        }
    }
    /* Not an option; a NULL or short bounds struct. */
    guarded g;
    sampo_bounds *b = guard_init(&g, sizeof(sampo_bounds));
    CHECK_EQ_INT(sampo_option_bounds((sampo_option)0, b), SAMPO_E_INVAL, "sampo_option_bounds(0)");
    CHECK_EQ_INT(sampo_option_bounds(SAMPO_OPT_WINDOW_NS, NULL), SAMPO_E_INVAL,
                 "sampo_option_bounds(NULL)");
    b->size = 0;
    CHECK_EQ_INT(sampo_option_bounds(SAMPO_OPT_WINDOW_NS, b), SAMPO_E_INVAL,
                 "sampo_option_bounds with size 0");
    int64_t v;
    CHECK_EQ_INT(sampo_ctx_set_option(ctx, (sampo_option)0, 1), SAMPO_E_INVAL, "set option 0");
    CHECK_EQ_INT(sampo_ctx_get_option(ctx, (sampo_option)0, &v), SAMPO_E_INVAL, "get option 0");
    CHECK_EQ_INT(sampo_ctx_set_option(NULL, SAMPO_OPT_WINDOW_NS, 1), SAMPO_E_INVAL, "set on NULL");
    CHECK_EQ_INT(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 1024), SAMPO_E_RANGE,
                 "max_memory below 64 KiB");
    CHECK_EQ_INT(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, 1 << 20), SAMPO_OK,
                 "max_memory 1 MiB");
    sampo_ctx_destroy(ctx);
    sampo_ctx_destroy(NULL);
}

/* ---- the MPTCP scenario ------------------------------------------------------ */

/* Keys of the public captures (data/pcaps/README.md); their tokens and
 * IDSNs computed with `openssl dgst -sha256` / `-sha1` of the key's 8
 * bytes in network order (token: first 4 bytes, IDSN: last 8). */
#define KEY_C UINT64_C(0x1fdb5df328bc3def) /* mptcp-v1.pcap initiator */
#define TOKEN_C 0x239fbdb0u
#define IDSN_C UINT64_C(0xc8072fb90edab04d)
#define KEY_S UINT64_C(0x29a6c86981ad933c) /* mptcp-v1.pcap listener */
#define TOKEN_S 0xa35d6d82u
#define IDSN_S UINT64_C(0xa28e87fddd1d30f1)

static void check_key_token(void)
{
    static const struct {
        uint64_t key;
        int version;
        uint32_t token;
        uint64_t idsn;
    } v[] = {
        {KEY_S, 1, TOKEN_S, IDSN_S},
        {KEY_C, 1, TOKEN_C, IDSN_C},
        /* mptcp-v0.pcap's keys, SHA-1 */
        {UINT64_C(0x9c9eabd1e46a33b2), 0, 0xaf9706ebu, UINT64_C(0x9851b565d52abec9)},
        {UINT64_C(0x967d2770b6960552), 0, 0xe47f0142u, UINT64_C(0xe47ef57dd1b9748f)},
        {UINT64_C(0x0123456789abcdef), 1, 0x55c53f5du, UINT64_C(0x570762cd38be9818)},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint32_t token = 0;
        uint64_t idsn = 0;
        CHECK_EQ_INT(sampo_key_token(v[i].key, v[i].version, &token, &idsn), SAMPO_OK,
                     "sampo_key_token");
        CHECK(token == v[i].token && idsn == v[i].idsn,
              "sampo_key_token(0x%016llx, v%d): token %08x idsn %016llx, want %08x %016llx",
              (unsigned long long)v[i].key, v[i].version, token, (unsigned long long)idsn,
              v[i].token, (unsigned long long)v[i].idsn);
    }
    uint32_t token = 0;
    CHECK(sampo_key_token(KEY_S, 1, &token, NULL) == SAMPO_OK && token == TOKEN_S,
          "sampo_key_token with idsn NULL");
    CHECK_EQ_INT(sampo_key_token(KEY_S, 2, &token, NULL), SAMPO_E_INVAL, "sampo_key_token(v2)");
}

static void check_flow_helpers(void)
{
    ep4 c = {0x0a000001, 40000}, s = {0x0a000101, 443};
    sampo_flow f = flow4(c, s), g;
    char buf[96];
    int n = sampo_flow_format(&f, buf, sizeof(buf));
    CHECK_STR(buf, "10.0.0.1:40000-10.0.1.1:443", "sampo_flow_format (IPv4)");
    CHECK_EQ_INT(n, (int)strlen("10.0.0.1:40000-10.0.1.1:443"), "sampo_flow_format length");
    CHECK_EQ_INT(sampo_flow_format(&f, buf, 8), SAMPO_E_NOSPACE, "sampo_flow_format, short buffer");
    memset(&g, 0x77, sizeof(g));
    CHECK(sampo_flow_parse("10.0.0.1:40000-10.0.1.1:443", &g) == SAMPO_OK && flow_eq(&f, &g),
          "sampo_flow_parse (IPv4) does not give the flow back");
    const char *v6 = "[2001:db8::1]:80-[2001:db8::2]:443";
    CHECK(sampo_flow_parse(v6, &g) == SAMPO_OK && g.family == 6 && g.src_port == 80 &&
              g.dst_port == 443 && g.src[0] == 0x20 && g.src[15] == 1 && g.dst[15] == 2,
          "sampo_flow_parse (IPv6)");
    CHECK(sampo_flow_format(&g, buf, sizeof(buf)) > 0 && strcmp(buf, v6) == 0,
          "sampo_flow_format (IPv6): \"%s\"", buf);
    CHECK_EQ_INT(sampo_flow_parse("10.0.0.1-10.0.0.2", &g), SAMPO_E_INVAL,
                 "sampo_flow_parse(garbage)");
    CHECK_EQ_INT(sampo_flow_parse(NULL, &g), SAMPO_E_INVAL, "sampo_flow_parse(NULL)");
}

typedef struct seen_events {
    int opened, joined, add_addr, prio, subflow_closed, other;
    uint64_t opened_session, joined_session;
    int joined_method;
    double joined_confidence;
    uint8_t add_addr_family, add_addr_id, add_addr_byte0, prio_backup;
    int closed_reason;
} seen_events;

static void note_event(seen_events *se, const sampo_event *ev, const sampo_flow *sf2)
{
    CHECK(sampo_event_name(ev->type) != NULL, "sampo_event_name(%d) is NULL", ev->type);
    switch (ev->type) {
    case SAMPO_EV_SESSION_OPENED:
        se->opened++;
        se->opened_session = ev->session_id;
        break;
    case SAMPO_EV_SUBFLOW_JOINED:
        if (flow_same_conn(&ev->flow, sf2)) {
            se->joined++;
            se->joined_session = ev->session_id;
            se->joined_method = ev->method;
            se->joined_confidence = ev->confidence;
        }
        break;
    case SAMPO_EV_ADD_ADDR:
        se->add_addr++;
        se->add_addr_family = ev->addr_family;
        se->add_addr_id = ev->addr_id;
        se->add_addr_byte0 = ev->addr[0];
        break;
    case SAMPO_EV_MP_PRIO:
        se->prio++;
        se->prio_backup = ev->backup;
        break;
    case SAMPO_EV_SUBFLOW_CLOSED:
        if (flow_same_conn(&ev->flow, sf2)) {
            se->subflow_closed++;
            se->closed_reason = ev->reason;
        }
        break;
    default:
        se->other++; /* a later version may add types: tolerated */
        break;
    }
}

static void drain(sampo_ctx *ctx, seen_events *se, const sampo_flow *sf2)
{
    for (;;) {
        guarded g;
        sampo_event *ev = guard_init(&g, sizeof(sampo_event));
        int rc = sampo_ctx_next_event(ctx, ev);
        GUARD_CHECK(&g, sampo_event, "sampo_ctx_next_event");
        REQUIRE(rc >= 0, "sampo_ctx_next_event with 0.1.0's sizeof(sampo_event) = %zu: %d (%s)",
                sizeof(sampo_event), rc, sampo_strerror(rc));
        if (rc == 0)
            break;
        note_event(se, ev, sf2);
    }
}

static void mptcp_scenario(void)
{
    alloc_stats st = {0};
    sampo_allocator hooks = {hook_malloc, hook_free, &st};
    sampo_ctx *ctx = (sampo_ctx *)&st; /* must be reset to NULL on failure */

    /* Allocator hooks: missing ones are refused, a failing one gives NOMEM. */
    sampo_allocator half = {hook_malloc, NULL, &st};
    CHECK_EQ_INT(sampo_ctx_create(&ctx, &half), SAMPO_E_INVAL, "sampo_ctx_create without free");
    CHECK(ctx == NULL, "sampo_ctx_create did not set *out to NULL on failure");
    CHECK_EQ_INT(sampo_ctx_create(NULL, &hooks), SAMPO_E_INVAL, "sampo_ctx_create(NULL)");
    st.fail = 1;
    ctx = (sampo_ctx *)&st;
    CHECK_EQ_INT(sampo_ctx_create(&ctx, &hooks), SAMPO_E_NOMEM, "sampo_ctx_create, malloc fails");
    CHECK(ctx == NULL, "sampo_ctx_create did not set *out to NULL on NOMEM");
    st.fail = 0;
    CHECK(st.live == 0, "allocations left after a failed create: %ld", st.live);

    REQUIRE(sampo_ctx_create(&ctx, &hooks) == SAMPO_OK && ctx,
            "sampo_ctx_create with hooks failed");
    CHECK(st.mallocs > 0, "the context did not allocate through the hooks");
    CHECK_EQ_INT(sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, 12345), SAMPO_OK, "hash_seed");
    CHECK_EQ_INT(sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 100000000), SAMPO_OK, "window_ns");
    CHECK_EQ_INT(sampo_ctx_set_source_rate(ctx, 7, 1), SAMPO_OK, "sampo_ctx_set_source_rate");
    CHECK_EQ_INT(sampo_ctx_set_source_rate(ctx, 7, 0), SAMPO_E_INVAL,
                 "sampo_ctx_set_source_rate(0)");
    CHECK_EQ_INT(sampo_ctx_set_event_callback(ctx, NULL, NULL), SAMPO_OK, "no callback");

    ep4 c1 = {0x0a000001, 40000}, c2 = {0x0a000002, 40001}, s = {0x0a000101, 443};
    sampo_flow f1 = flow4(c1, s), f2 = flow4(c2, s);
    uint8_t o[40];
    uint64_t t = 1000000000;
    const uint64_t ms = 1000000;
    int n_fed = 0;
    uint64_t wire = 0;
    frame fr;
#define FEED(frm, want)                                                                    \
    do {                                                                                   \
        fr = (frm);                                                                        \
        int rc_ = feed(ctx, &fr, t);                                                       \
        CHECK(rc_ == (want), "sampo_ctx_feed packet %d: %d (%s), want %d", n_fed + 1, rc_, \
              sampo_strerror(rc_), (want));                                                \
        n_fed++;                                                                           \
        wire += fr.wirelen;                                                                \
        t += ms;                                                                           \
    } while (0)

    /* Subflow 1: the MP_CAPABLE handshake (v1: SYN without key, SYN/ACK
     * with the listener's, third ACK with both), then data both ways. */
    FEED(tcp4(c1, s, TH_SYN, 1000, 0, o, mpc(o, 4, 0, 0), 0), SAMPO_OK);
    FEED(tcp4(s, c1, TH_SYN | TH_ACK, 5000, 1001, o, mpc(o, 12, KEY_S, 0), 0), SAMPO_OK);
    FEED(tcp4(c1, s, TH_ACK, 1001, 5001, o, mpc(o, 20, KEY_C, KEY_S), 0), SAMPO_OK);
    FEED(tcp4(c1, s, TH_ACK, 1001, 5001, o, dss64(o, IDSN_S + 1, IDSN_C + 1, 1, 100), 100),
         SAMPO_OK);
    FEED(tcp4(s, c1, TH_ACK, 5001, 1101, o, dss64(o, IDSN_C + 101, IDSN_S + 1, 1, 200), 200),
         SAMPO_OK);

    /* Options may no longer be set, except min_confidence. */
    CHECK_EQ_INT(sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 200000000), SAMPO_E_ACTIVE,
                 "set window_ns after the first packet");
    CHECK(sampo_ctx_last_error(ctx)[0] != '\0', "no last error after SAMPO_E_ACTIVE");
    CHECK_EQ_INT(sampo_ctx_set_option_real(ctx, SAMPO_OPT_MIN_CONFIDENCE, 0.95), SAMPO_OK,
                 "set min_confidence after the first packet");

    /* Subflow 2: MP_JOIN naming the listener's token, then data.  The
     * SYN/ACK's truncated HMAC is the true one (sampo 0.2 checks it): the
     * first 8 bytes of HMAC-SHA256(key KEY_S . KEY_C, msg 55667788 .
     * 11223344), computed with Python's hmac module. */
    FEED(tcp4(c2, s, TH_SYN, 7000, 0, o, join_syn(o, 1, TOKEN_S, 0x11223344), 0), SAMPO_OK);
    FEED(tcp4(s, c2, TH_SYN | TH_ACK, 9000, 7001, o,
              join_synack(o, 0, UINT64_C(0x82cd895388413ca8), 0x55667788), 0),
         SAMPO_OK);
    FEED(tcp4(c2, s, TH_ACK, 7001, 9001, o, join_ack(o), 0), SAMPO_OK);

    /* A batch, with 0.1.0's sampo_packet stride: data on both subflows,
     * an ADD_ADDR, an MP_PRIO, a plain TCP packet, a UDP datagram, a frame
     * cut inside the IP header and one of an unsupported link type.  The
     * statuses tell each packet apart, so a library that strides the array
     * by any other size fails here. */
    enum { NB = 8 };
    frame bf[NB];
    bf[0] = tcp4(c2, s, TH_ACK, 7001, 9001, o, dss64(o, IDSN_S + 201, IDSN_C + 101, 1, 300), 300);
    bf[1] = tcp4(s, c2, TH_ACK, 9001, 7301, o, dss64(o, IDSN_C + 401, IDSN_S + 201, 1, 50), 50);
    bf[2] = tcp4(s, c1, TH_ACK, 5201, 1101, o, add_addr4(o, 2, 0x0a000102), 0);
    bf[3] = tcp4(c2, s, TH_ACK, 7301, 9051, o, mp_prio(o, 1), 0);
    bf[4] = tcp4((ep4){0x0a000009, 5555}, (ep4){0x0a000109, 80}, TH_ACK, 1, 1, NULL, 0, 10);
    bf[5] = udp4((ep4){0x0a000009, 5353}, (ep4){0x0a000109, 53});
    bf[6] = bf[0];
    bf[6].len = 14 + 10;
    bf[6].wirelen = bf[0].wirelen;
    bf[7] = bf[0];
    const int want_st[NB] = {SAMPO_OK, SAMPO_OK,       SAMPO_OK,          SAMPO_OK,
                             SAMPO_OK, SAMPO_E_NOTTCP, SAMPO_E_TRUNCATED, SAMPO_E_LINKTYPE};
    sampo_packet *batch = malloc(NB * sizeof(sampo_packet));
    int *status = malloc(NB * sizeof(int));
    REQUIRE(batch && status, "out of memory");
    for (int i = 0; i < NB; i++) {
        sampo_packet init = SAMPO_PACKET_INIT;
        batch[i] = init;
        batch[i].data = bf[i].b;
        batch[i].caplen = bf[i].len;
        batch[i].wirelen = bf[i].wirelen;
        batch[i].ts_ns = t + (uint64_t)i * ms;
        batch[i].linktype = i == 7 ? 9999 : SAMPO_LINKTYPE_ETHERNET;
        batch[i].sampling_rate = 0;
        batch[i].source_id = 7;
        status[i] = 12345;
        wire += bf[i].wirelen;
    }
    int rc = sampo_ctx_feed_batch(ctx, batch, NB, status);
    CHECK_EQ_INT(rc, NB, "sampo_ctx_feed_batch");
    for (int i = 0; i < NB; i++)
        CHECK(status[i] == want_st[i],
              "sampo_ctx_feed_batch: packet %d status %d (%s), want %d (%s)", i, status[i],
              sampo_strerror(status[i]), want_st[i], sampo_strerror(want_st[i]));
    CHECK_EQ_INT(sampo_ctx_feed_batch(ctx, NULL, 1, NULL), SAMPO_E_INVAL, "feed_batch(NULL)");
    n_fed += NB;
    t += NB * ms;
    free(batch);
    free(status);

    /* Subflow 2 is reset. */
    FEED(tcp4(c2, s, TH_RST | TH_ACK, 7301, 9051, NULL, 0, 0), SAMPO_OK);

    /* Bad arguments never break the context. */
    CHECK_EQ_INT(sampo_ctx_feed(ctx, NULL), SAMPO_E_INVAL, "sampo_ctx_feed(NULL)");
    CHECK_EQ_INT(sampo_ctx_feed(NULL, NULL), SAMPO_E_INVAL, "sampo_ctx_feed(NULL, NULL)");

    CHECK_EQ_INT(sampo_ctx_advance(ctx, t + 10 * ms), SAMPO_OK, "sampo_ctx_advance");
    CHECK_EQ_INT(sampo_ctx_advance(ctx, 1), SAMPO_E_TSBACK, "sampo_ctx_advance backwards");
    CHECK_EQ_INT(sampo_ctx_flush(ctx), SAMPO_OK, "sampo_ctx_flush");

    seen_events se;
    memset(&se, 0, sizeof(se));
    drain(ctx, &se, &f2);

    /* Both subflows, looked up in either orientation, are in one session,
     * tied by the token. */
    guarded g1, g2, g3;
    sampo_subflow_info *i1 = guard_init(&g1, sizeof(sampo_subflow_info));
    REQUIRE(sampo_ctx_lookup(ctx, &f1, i1) == SAMPO_OK,
            "sampo_ctx_lookup(subflow 1) with 0.1.0's sizeof(sampo_subflow_info) = %zu failed",
            sizeof(sampo_subflow_info));
    GUARD_CHECK(&g1, sampo_subflow_info, "sampo_ctx_lookup");
    sampo_flow r2 = flow4(s, c2);
    sampo_subflow_info *i2 = guard_init(&g2, sizeof(sampo_subflow_info));
    REQUIRE(sampo_ctx_lookup(ctx, &r2, i2) == SAMPO_OK,
            "sampo_ctx_lookup(subflow 2, reversed) failed");
    GUARD_CHECK(&g2, sampo_subflow_info, "sampo_ctx_lookup");

    CHECK(i1->session_id != 0 && i1->session_id == i2->session_id,
          "the two subflows are not in one session: %llu and %llu",
          (unsigned long long)i1->session_id, (unsigned long long)i2->session_id);
    CHECK(i1->subflow_id != 0 && i2->subflow_id != 0 && i1->subflow_id != i2->subflow_id,
          "subflow ids %llu and %llu", (unsigned long long)i1->subflow_id,
          (unsigned long long)i2->subflow_id);
    CHECK(flow_eq(&i1->flow, &f1), "subflow 1 is not oriented from its initiator");
    CHECK(flow_eq(&i2->flow, &f2), "subflow 2 is not oriented from its initiator");
    CHECK(i1->initiator_known && i2->initiator_known, "initiator_known not set");
    CHECK_EQ_INT(i1->mptcp_version, 1, "subflow 1 mptcp_version");
    CHECK_EQ_INT(i2->mptcp_version, 1, "subflow 2 mptcp_version");
    CHECK(i1->is_initial && !i1->is_join, "subflow 1 is not the initial subflow");
    CHECK(i2->is_join && !i2->is_initial, "subflow 2 is not a join");
    CHECK(i2->backup, "subflow 2: MP_PRIO backup not seen");
    CHECK_EQ_INT(i2->method, SAMPO_METHOD_TOKEN, "subflow 2 method");
    CHECK(i2->confidence == 1.0, "subflow 2 confidence %g, want 1", i2->confidence);
    CHECK(i2->closed && i2->close_reason == SAMPO_CLOSE_RST,
          "subflow 2 closed %d reason %d, want closed by RST", i2->closed, i2->close_reason);
    CHECK(!i1->closed, "subflow 1 closed");
    CHECK_EQ_INT(i1->dsn_bits[0], 64, "subflow 1 DSN bits");
    CHECK(i1->packets[0] >= 3 && i1->packets[1] >= 2, "subflow 1 packets %llu/%llu",
          (unsigned long long)i1->packets[0], (unsigned long long)i1->packets[1]);
    CHECK(i2->dss_packets[0] >= 1 && i2->dss_packets[1] >= 1, "subflow 2 dss_packets");
    CHECK(i1->dsn_lo[0] == IDSN_C + 1 && i1->dsn_hi[0] == IDSN_C + 101,
          "subflow 1 forward DSN span [%llx, %llx)", (unsigned long long)i1->dsn_lo[0],
          (unsigned long long)i1->dsn_hi[0]);
    CHECK(i1->first_ns == 1000000000 && i1->last_ns >= i1->first_ns, "subflow 1 times");
    CHECK(i1->est_packets[0] == i1->packets[0] && i1->est_bytes[1] == i1->bytes[1],
          "estimates differ from counts without sampling");

    /* The session. */
    sampo_session_info *si = guard_init(&g3, sizeof(sampo_session_info));
    REQUIRE(sampo_ctx_session(ctx, i1->session_id, si) == SAMPO_OK,
            "sampo_ctx_session with 0.1.0's sizeof(sampo_session_info) = %zu failed",
            sizeof(sampo_session_info));
    GUARD_CHECK(&g3, sampo_session_info, "sampo_ctx_session");
    CHECK_EQ_U64(si->session_id, i1->session_id, "session_id");
    CHECK_EQ_INT(si->n_subflows, 2, "session n_subflows");
    CHECK_EQ_INT(si->mptcp_version, 1, "session mptcp_version");
    CHECK_EQ_INT(si->keys_known, 3, "session keys_known");
    CHECK_EQ_INT(si->method, SAMPO_METHOD_TOKEN, "session method");
    CHECK(si->confidence == 1.0, "session confidence %g", si->confidence);
    CHECK(si->token[0] == TOKEN_C && si->token[1] == TOKEN_S,
          "session tokens %08x %08x, want %08x %08x", si->token[0], si->token[1], TOKEN_C, TOKEN_S);
    CHECK(si->packets >= 10 && si->bytes > 0, "session packets %llu bytes %llu",
          (unsigned long long)si->packets, (unsigned long long)si->bytes);
    CHECK(si->est_packets == si->packets, "session est_packets");
    guarded g4;
    sampo_session_info *sx = guard_init(&g4, sizeof(sampo_session_info));
    CHECK_EQ_INT(sampo_ctx_session(ctx, UINT64_C(0xfffffffff), sx), SAMPO_E_NOTFOUND,
                 "sampo_ctx_session(unknown)");
    GUARD_CHECK(&g4, sampo_session_info, "sampo_ctx_session");

    /* Iteration: sessions, the session's subflows, every subflow. */
    uint64_t cur = 0;
    int n_sess = 0, found = 0;
    for (;;) {
        guarded g;
        sampo_session_info *it = guard_init(&g, sizeof(sampo_session_info));
        int r = sampo_ctx_next_session(ctx, &cur, it);
        GUARD_CHECK(&g, sampo_session_info, "sampo_ctx_next_session");
        REQUIRE(r >= 0, "sampo_ctx_next_session: %d (%s)", r, sampo_strerror(r));
        if (!r)
            break;
        n_sess++;
        found += it->session_id == i1->session_id && it->n_subflows == 2;
        REQUIRE(n_sess < 100, "sampo_ctx_next_session does not end");
    }
    CHECK(n_sess == 1 && found == 1, "sampo_ctx_next_session: %d sessions, ours found %d times",
          n_sess, found);
    int n_sf = 0, seen1 = 0, seen2 = 0;
    cur = 0;
    for (;;) {
        guarded g;
        sampo_subflow_info *it = guard_init(&g, sizeof(sampo_subflow_info));
        int r = sampo_ctx_next_subflow(ctx, i1->session_id, &cur, it);
        GUARD_CHECK(&g, sampo_subflow_info, "sampo_ctx_next_subflow");
        REQUIRE(r >= 0, "sampo_ctx_next_subflow: %d (%s)", r, sampo_strerror(r));
        if (!r)
            break;
        n_sf++;
        seen1 += it->subflow_id == i1->subflow_id;
        seen2 += it->subflow_id == i2->subflow_id;
        REQUIRE(n_sf < 100, "sampo_ctx_next_subflow does not end");
    }
    CHECK(n_sf == 2 && seen1 == 1 && seen2 == 1, "session's subflows: %d (%d, %d)", n_sf, seen1,
          seen2);
    n_sf = 0;
    cur = 0;
    for (;;) {
        guarded g;
        sampo_subflow_info *it = guard_init(&g, sizeof(sampo_subflow_info));
        int r = sampo_ctx_next_subflow(ctx, 0, &cur, it);
        GUARD_CHECK(&g, sampo_subflow_info, "sampo_ctx_next_subflow(all)");
        if (r <= 0)
            break;
        n_sf++;
        REQUIRE(n_sf < 100, "sampo_ctx_next_subflow(all) does not end");
    }
    CHECK(n_sf == 2, "every tracked subflow: %d, want 2 (plain TCP is not tracked)", n_sf);
    cur = 0;
    {
        guarded g;
        sampo_subflow_info *it = guard_init(&g, sizeof(sampo_subflow_info));
        CHECK_EQ_INT(sampo_ctx_next_subflow(ctx, UINT64_C(0xfffffffff), &cur, it), SAMPO_E_NOTFOUND,
                     "sampo_ctx_next_subflow(unknown session)");
        GUARD_CHECK(&g, sampo_subflow_info, "sampo_ctx_next_subflow");
        sampo_flow plain = flow4((ep4){0x0a000009, 5555}, (ep4){0x0a000109, 80});
        CHECK_EQ_INT(sampo_ctx_lookup(ctx, &plain, it), SAMPO_E_NOTFOUND, "lookup of plain TCP");
        GUARD_CHECK(&g, sampo_subflow_info, "sampo_ctx_lookup");
        sampo_flow bad = plain;
        bad.family = 0;
        CHECK_EQ_INT(sampo_ctx_lookup(ctx, &bad, it), SAMPO_E_INVAL, "lookup of family 0");
    }
    /* Token ties are not pairs; iterating pairs must still work. */
    cur = 0;
    {
        guarded g;
        sampo_pair_info *pi = guard_init(&g, sizeof(sampo_pair_info));
        int r = sampo_ctx_next_pair(ctx, &cur, pi);
        GUARD_CHECK(&g, sampo_pair_info, "sampo_ctx_next_pair");
        CHECK(r >= 0, "sampo_ctx_next_pair: %d (%s)", r, sampo_strerror(r));
    }

    /* Events. */
    CHECK(se.opened == 1, "session-opened events: %d, want 1", se.opened);
    CHECK(se.opened_session == i1->session_id, "session-opened names session %llu, want %llu",
          (unsigned long long)se.opened_session, (unsigned long long)i1->session_id);
    CHECK(se.joined == 1 && se.joined_session == i1->session_id &&
              se.joined_method == SAMPO_METHOD_TOKEN && se.joined_confidence == 1.0,
          "subflow-joined for subflow 2: %d events, session %llu, method %d, confidence %g",
          se.joined, (unsigned long long)se.joined_session, se.joined_method, se.joined_confidence);
    CHECK(se.add_addr == 1 && se.add_addr_family == 4 && se.add_addr_id == 2 &&
              se.add_addr_byte0 == 10,
          "add-addr: %d events, family %d, id %d", se.add_addr, se.add_addr_family, se.add_addr_id);
    CHECK(se.prio == 1 && se.prio_backup == 1, "mp-prio: %d events, backup %d", se.prio,
          se.prio_backup);
    CHECK(se.subflow_closed == 1 && se.closed_reason == SAMPO_CLOSE_RST,
          "subflow-closed for subflow 2: %d events, reason %d", se.subflow_closed,
          se.closed_reason);

    /* Counters, by their 0.1.0 numbers. */
    static const struct {
        int counter;
        uint64_t exact; /* 0: only non-zero is required */
    } cnt[] = {
        {SAMPO_CNT_PACKETS, 0},
        {SAMPO_CNT_BYTES, 0},
        {SAMPO_CNT_LINKTYPE_UNSUPPORTED, 1},
        {SAMPO_CNT_NOT_TCP, 1},
        {SAMPO_CNT_IP_TRUNCATED, 1},
        {SAMPO_CNT_TCP_PLAIN, 0},
        {SAMPO_CNT_TCP_MPTCP, 0},
        {SAMPO_CNT_MP_CAPABLE, 3},
        {SAMPO_CNT_MP_JOIN, 3},
        {SAMPO_CNT_DSS, 0},
        {SAMPO_CNT_ADD_ADDR, 1},
        {SAMPO_CNT_MP_PRIO, 1},
        {SAMPO_CNT_SUBFLOWS_CREATED, 2},
        {SAMPO_CNT_SUBFLOWS_CLOSED, 1},
        {SAMPO_CNT_SESSIONS_CREATED, 1},
        {SAMPO_CNT_KEYS_LEARNED, 2},
        {SAMPO_CNT_TOKEN_JOINS, 1},
        {SAMPO_CNT_DSN_SEGMENTS, 0},
        {SAMPO_CNT_DATA_ACKS, 0},
        {SAMPO_CNT_ASSOC_RUNS, 0},
        {SAMPO_CNT_EVENTS, 0},
        {SAMPO_CNT_MEM_CURRENT, 0},
        {SAMPO_CNT_MEM_PEAK, 0},
    };
    for (size_t i = 0; i < sizeof(cnt) / sizeof(cnt[0]); i++) {
        uint64_t v = sampo_ctx_counter(ctx, cnt[i].counter);
        const char *name = sampo_counter_name(cnt[i].counter);
        if (cnt[i].exact)
            CHECK(v == cnt[i].exact, "counter %d (%s) = %llu, want %llu", cnt[i].counter,
                  name ? name : "?", (unsigned long long)v, (unsigned long long)cnt[i].exact);
        else
            CHECK(v > 0, "counter %d (%s) is 0", cnt[i].counter, name ? name : "?");
    }
    CHECK_EQ_U64(sampo_ctx_counter(ctx, SAMPO_CNT_PACKETS), (uint64_t)n_fed, "counter packets");
    CHECK_EQ_U64(
        sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS),
        (uint64_t)(se.opened + se.joined + se.add_addr + se.prio + se.subflow_closed + se.other),
        "counter events = events pulled");
    CHECK_EQ_U64(sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS_DROPPED), 0, "counter events_dropped");
    CHECK_EQ_U64(sampo_ctx_counter(ctx, SAMPO_CNT_ALLOC_FAILED), 0, "counter alloc_failed");
    CHECK(sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK) >=
              sampo_ctx_counter(ctx, SAMPO_CNT_MEM_CURRENT),
          "mem_peak below mem_current");
    CHECK(sampo_ctx_counter(ctx, -1) == 0, "sampo_ctx_counter(-1) is not 0");
    CHECK_EQ_U64(sampo_ctx_counter(ctx, SAMPO_CNT_BYTES), wire, "counter bytes = wire lengths fed");

    int64_t win = 0;
    CHECK(sampo_ctx_get_option(ctx, SAMPO_OPT_WINDOW_NS, &win) == SAMPO_OK && win == 100000000,
          "window_ns read back %lld", (long long)win);
    sampo_ctx_destroy(ctx);
    CHECK(st.live == 0 && st.mallocs == st.frees && st.foreign_frees == 0,
          "allocator hooks unbalanced after destroy: %ld live, %ld mallocs, %ld frees, %ld foreign",
          st.live, st.mallocs, st.frees, st.foreign_frees);
    printf("old_consumer: token scenario: session %llu, %d events, %ld allocations through the "
           "hooks\n",
           (unsigned long long)i1->session_id,
           se.opened + se.joined + se.add_addr + se.prio + se.subflow_closed + se.other,
           st.mallocs);
#undef FEED
}

/* ---- pair verdicts, through the callback --------------------------------------- */

typedef struct cb_state {
    int n, bad_size;
    sampo_ctx *ctx;
} cb_state;

static void on_event(const sampo_event *ev, void *user)
{
    cb_state *cs = user;
    cs->n++;
    /* The library may hand out a newer, bigger event; never a smaller one. */
    if (ev->size < sizeof(sampo_event))
        cs->bad_size++;
}

/* Two connections without handshakes whose 32-bit DSN spaces overlap and
 * interleave: the DSN analysis examines the pair and finds them distinct. */
static void pair_scenario(void)
{
    sampo_ctx *ctx;
    REQUIRE(sampo_ctx_create(&ctx, NULL) == SAMPO_OK, "sampo_ctx_create failed");
    cb_state cs = {0, 0, ctx};
    CHECK_EQ_INT(sampo_ctx_set_event_callback(ctx, on_event, &cs), SAMPO_OK, "set callback");
    ep4 a = {0x0a000001, 40000}, b = {0x0a000002, 40001}, s = {0x0a000101, 22};
    uint8_t o[40];
    for (uint32_t k = 0; k < 40; k++) {
        frame f = tcp4(a, s, TH_ACK, 1, 1, o, dss32(o, 9, 200000u + k * 1000, k, 1000), 1000);
        CHECK_EQ_INT(feed(ctx, &f, 1000 + (uint64_t)k * 10000000), SAMPO_OK, "feed");
        f = tcp4(b, s, TH_ACK, 1, 1, o, dss32(o, 9, 200500u + k * 1000, k, 1000), 1000);
        CHECK_EQ_INT(feed(ctx, &f, 2000 + (uint64_t)k * 10000000), SAMPO_OK, "feed");
    }
    CHECK_EQ_INT(sampo_ctx_flush(ctx), SAMPO_OK, "sampo_ctx_flush");
    CHECK(cs.n > 0 && cs.bad_size == 0, "callback: %d events, %d smaller than 0.1.0's", cs.n,
          cs.bad_size);
    CHECK_EQ_U64(sampo_ctx_counter(ctx, SAMPO_CNT_EVENTS), (uint64_t)cs.n, "events = callbacks");
    CHECK(sampo_ctx_counter(ctx, SAMPO_CNT_PAIRS_DISTINCT) > 0, "pairs_distinct is 0");
    CHECK(sampo_ctx_counter(ctx, SAMPO_CNT_LEVEL2_OVERLAPS) > 0, "level2_overlaps is 0");
    CHECK(sampo_ctx_counter(ctx, SAMPO_CNT_ASSOC_CANDIDATES) > 0, "assoc_candidates is 0");

    sampo_flow fa = flow4(a, s), fb = flow4(b, s);
    uint64_t cur = 0;
    int n = 0, ours = 0;
    for (;;) {
        guarded g;
        sampo_pair_info *pi = guard_init(&g, sizeof(sampo_pair_info));
        int r = sampo_ctx_next_pair(ctx, &cur, pi);
        GUARD_CHECK(&g, sampo_pair_info, "sampo_ctx_next_pair");
        REQUIRE(r >= 0, "sampo_ctx_next_pair with 0.1.0's sizeof(sampo_pair_info) = %zu: %d (%s)",
                sizeof(sampo_pair_info), r, sampo_strerror(r));
        if (!r)
            break;
        n++;
        CHECK(pi->subflow_id[0] < pi->subflow_id[1], "pair ids not ordered");
        if ((flow_same_conn(&pi->flow[0], &fa) && flow_same_conn(&pi->flow[1], &fb)) ||
            (flow_same_conn(&pi->flow[0], &fb) && flow_same_conn(&pi->flow[1], &fa))) {
            ours++;
            CHECK_EQ_INT(pi->verdict, SAMPO_VERDICT_DISTINCT, "pair verdict");
            /* Decided by DSN evidence; which kind is the algorithm's business. */
            CHECK(pi->method >= SAMPO_METHOD_KEY_DSN, "pair method %d (%s) is not DSN evidence",
                  pi->method, sampo_method_name(pi->method));
            CHECK(pi->confidence > 0.5 && pi->confidence <= 1.0, "pair confidence %g",
                  pi->confidence);
            CHECK(pi->updated_ns > 0, "pair updated_ns is 0");
        }
        REQUIRE(n < 100, "sampo_ctx_next_pair does not end");
    }
    CHECK(n == 1 && ours == 1, "pairs: %d, ours %d; want exactly the one pair", n, ours);

    guarded g1, g2;
    sampo_subflow_info *ia = guard_init(&g1, sizeof(sampo_subflow_info));
    sampo_subflow_info *ib = guard_init(&g2, sizeof(sampo_subflow_info));
    CHECK(sampo_ctx_lookup(ctx, &fa, ia) == SAMPO_OK &&
              sampo_ctx_lookup(ctx, &fb, ib) == SAMPO_OK && ia->session_id != ib->session_id,
          "the two connections share a session");
    GUARD_CHECK(&g1, sampo_subflow_info, "sampo_ctx_lookup");
    GUARD_CHECK(&g2, sampo_subflow_info, "sampo_ctx_lookup");
    CHECK_EQ_INT(ia->dsn_bits[0], 32, "DSN bits");

    /* Without the callback, events queue again. */
    CHECK_EQ_INT(sampo_ctx_set_event_callback(ctx, NULL, NULL), SAMPO_OK, "remove callback");
    sampo_ctx_destroy(ctx);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("old_consumer: 0.1.0 sizes: packet %zu, bounds %zu, event %zu, subflow_info %zu, "
           "session_info %zu, pair_info %zu, flow %zu\n",
           sizeof(sampo_packet), sizeof(sampo_bounds), sizeof(sampo_event),
           sizeof(sampo_subflow_info), sizeof(sampo_session_info), sizeof(sampo_pair_info),
           sizeof(sampo_flow));
    check_version(argc > 1 ? argv[1] : NULL);
    check_strerror();
    check_names();
    check_counter_names();
    check_options();
    check_key_token();
    check_flow_helpers();
    mptcp_scenario();
    pair_scenario();
    finish();
}
