/* test_decode.c - link/IP/TCP decoding: hand-built frames in, fields out.
 *
 * Frames are assembled by small builders, then handed to the decoder from
 * a heap buffer of exactly caplen bytes, so that any read past caplen is
 * caught under ASan.  A few real frames from data/pcaps are embedded with
 * the values tcpdump -S -v printed for them. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "wire/decode.h"

/* --------------------------------------------------------------------- */
/* Frame builder                                                          */
/* --------------------------------------------------------------------- */

typedef struct frame {
    uint8_t b[2048];
    size_t n;
    /* where each layer ends, for the truncation sweep */
    size_t l2_end, ip_end, ext_end, tcp_end, opts_end;
    /* tunnel tests: what a capture cut before each region's end gives */
    struct region {
        size_t end;
        int rc, counter;
        unsigned tunnels; /* out->tunnels then */
    } reg[128];
    int nreg;
    unsigned tunnels; /* the tunnel headers built so far */
} frame;

static void put(frame *f, const char *hex)
{
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        int v;
        if (*p == ' ')
            continue;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else
            cr_assert_fail("bad hex digit '%c'", *p);
        if (hi < 0) {
            hi = v;
        } else {
            cr_assert_lt(f->n, sizeof f->b);
            f->b[f->n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    cr_assert_eq(hi, -1, "odd hex length");
}

static void put8(frame *f, unsigned v)
{
    cr_assert_lt(f->n, sizeof f->b);
    f->b[f->n++] = (uint8_t)v;
}

static void put16(frame *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v & 0xff);
}

static void set16(frame *f, size_t at, unsigned v)
{
    f->b[at] = (uint8_t)(v >> 8);
    f->b[at + 1] = (uint8_t)v;
}

static void zeros(frame *f, size_t n)
{
    while (n--)
        put8(f, 0);
}

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

static void eth(frame *f, unsigned type)
{
    put(f, "020000000002 020000000001");
    put16(f, type);
    f->l2_end = f->n;
}

static void vlan(frame *f, unsigned tpid_after, unsigned vid)
{
    /* called after eth(): the previous 2 bytes become this tag's TPID */
    put16(f, vid);
    put16(f, tpid_after);
    f->l2_end = f->n;
}

static void sll(frame *f, unsigned type)
{
    /* packet type, ARPHRD_ETHER, address length, address (8), protocol */
    put(f, "0000 0001 0006 020000000001 0000");
    put16(f, type);
    f->l2_end = f->n;
}

static void sll2(frame *f, unsigned type)
{
    /* protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr (8) */
    put16(f, type);
    put(f, "0000 00000002 0001 00 06 020000000001 0000");
    f->l2_end = f->n;
}

#define SRC4         \
    {                \
        192, 0, 2, 1 \
    }
#define DST4            \
    {                   \
        198, 51, 100, 2 \
    }

/* IPv4 header with `opt_words` 4-byte words of options (NOPs + EOL);
 * total length is fixed by ipv4_end(). */
static size_t ipv4(frame *f, unsigned proto, unsigned opt_words, unsigned frag)
{
    size_t at = f->n;
    put8(f, 0x45 + opt_words);
    put8(f, 0);
    put16(f, 0); /* total length, later */
    put16(f, 0x1234);
    put16(f, frag);
    put8(f, 64);
    put8(f, proto);
    put16(f, 0);
    put(f, "c0000201 c6336402");
    for (unsigned i = 0; i < opt_words * 4; i++)
        put8(f, i + 1 == opt_words * 4 ? 0 : 1);
    f->ip_end = f->ext_end = f->n;
    return at;
}

static void ipv4_end(frame *f, size_t at) { set16(f, at + 2, (unsigned)(f->n - at)); }

#define SRC6                                                       \
    {                                                              \
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 \
    }
#define DST6                                                             \
    {                                                                    \
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 \
    }

static size_t ipv6(frame *f, unsigned next)
{
    size_t at = f->n;
    put(f, "60000000");
    put16(f, 0); /* payload length, later */
    put8(f, next);
    put8(f, 64);
    put(f, "20010db8000000000000000000000001 20010db8000000000000000000001234");
    f->ip_end = f->ext_end = f->n;
    return at;
}

static void ipv6_end(frame *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at - 40)); }

/* Generic extension header (hop-by-hop, routing, destination options) of
 * `len8` 8-byte units: next header, length, then PadN filling. */
static void ext(frame *f, unsigned next, unsigned len8)
{
    put8(f, next);
    put8(f, len8 - 1);
    put8(f, 1); /* PadN */
    put8(f, len8 * 8 - 4);
    zeros(f, len8 * 8 - 4);
    f->ext_end = f->n;
}

static void frag6(frame *f, unsigned next, unsigned offset8, int more)
{
    put8(f, next);
    put8(f, 0);
    put16(f, offset8 << 3 | (more ? 1u : 0u));
    put(f, "cafef00d");
    f->ext_end = f->n;
}

static void ah(frame *f, unsigned next, unsigned len4_minus2)
{
    put8(f, next);
    put8(f, len4_minus2);
    zeros(f, (len4_minus2 + 2) * 4 - 2);
    f->ext_end = f->n;
}

#define SPORT 40000
#define DPORT 443
#define SEQ 0x01020304u
#define ACKN 0xa0b0c0d0u
/* NOP NOP TS, DSS with a 64-bit DATA_ACK: 24 bytes */
#define OPTS24 "0101080a0000000100000002 1e0c2003 0123456789abcdef"

static void tcp(frame *f, unsigned flags, const char *opts_hex, size_t payload)
{
    size_t at = f->n;
    put16(f, SPORT);
    put16(f, DPORT);
    put(f, "01020304 a0b0c0d0");
    put8(f, 0); /* data offset, below */
    put8(f, flags);
    put(f, "ffff 0000 0000");
    f->tcp_end = f->n;
    put(f, opts_hex);
    size_t hl = f->n - at;
    cr_assert_eq(hl % 4, 0, "TCP options must fill 4-byte words");
    f->b[at + 12] = (uint8_t)(hl / 4 << 4);
    f->opts_end = f->n;
    for (size_t i = 0; i < payload; i++)
        put8(f, (unsigned)(i & 0xff));
}

/* Decode the first `caplen` bytes of f from an exact-size heap copy. */
static int decode(int linktype, const frame *f, size_t caplen, size_t wirelen, sampo__pkt *p,
                  int *counter)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    cr_assert_not_null(copy);
    memcpy(copy, f->b, caplen);
    memset(p, 0x5a, sizeof *p);
    *counter = 12345;
    int rc = sampo__decode(linktype, copy, caplen, wirelen, p, counter);
    if (rc == SAMPO_OK && p->opts_len > 0) {
        /* opts must point inside the copy, at the option area */
        cr_expect(p->opts >= copy && p->opts + p->opts_len <= copy + caplen);
        cr_expect_eq((size_t)(p->opts - copy), f->tcp_end, "opts at %zu, want %zu",
                     (size_t)(p->opts - copy), f->tcp_end);
    }
    free(copy);
    return rc;
}

static void expect_tcp_in(const sampo__pkt *p, int family, unsigned flags, uint32_t payload,
                          uint32_t opts_len, unsigned tunnels);

static void expect_tcp(const sampo__pkt *p, int family, unsigned flags, uint32_t payload,
                       uint32_t opts_len)
{
    expect_tcp_in(p, family, flags, payload, opts_len, 0);
}

/* The TCP/IP headers the builders below write, after `tunnels`. */
static void expect_tcp_in(const sampo__pkt *p, int family, unsigned flags, uint32_t payload,
                          uint32_t opts_len, unsigned tunnels)
{
    static const uint8_t s4[16] = SRC4, d4[16] = DST4, s6[16] = SRC6, d6[16] = DST6;
    cr_expect_eq(p->family, family);
    cr_expect_arr_eq(p->src, family == 4 ? s4 : s6, 16, "src");
    cr_expect_arr_eq(p->dst, family == 4 ? d4 : d6, 16, "dst");
    cr_expect_eq(p->sport, SPORT);
    cr_expect_eq(p->dport, DPORT);
    cr_expect_eq(p->seq, SEQ);
    cr_expect_eq(p->ack, ACKN);
    cr_expect_eq(p->tcp_flags, flags);
    cr_expect_eq(p->payload_len, payload, "payload_len %u, want %u", p->payload_len, payload);
    cr_expect_eq(p->opts_len, opts_len, "opts_len %u, want %u", p->opts_len, opts_len);
    cr_expect_eq(p->opts_truncated, 0);
    cr_expect_eq(p->tunnels, tunnels, "tunnels 0x%x, want 0x%x", p->tunnels, tunnels);
}

static void expect_drop(int rc, int counter, int want_rc, int want_counter, const sampo__pkt *p,
                        const char *what)
{
    static const sampo__pkt zero;
    cr_expect_eq(rc, want_rc, "%s: rc %d, want %d", what, rc, want_rc);
    cr_expect_eq(counter, want_counter, "%s: counter %d, want %d", what, counter, want_counter);
    cr_expect_arr_eq(p, &zero, sizeof *p, "%s: out must be cleared on a drop", what);
}

/* --------------------------------------------------------------------- */
/* Every link type, both IP versions                                      */
/* --------------------------------------------------------------------- */

typedef struct link_case {
    char name[40];
    int linktype;
    int family;
    int tags;         /* VLAN tags (Ethernet-family link types) */
    unsigned tpid[5]; /* outermost first */
} link_case;

static link_case link_cases[] = {
    {"ethernet ipv4", SAMPO_LINKTYPE_ETHERNET, 4, 0, {0}},
    {"ethernet ipv6", SAMPO_LINKTYPE_ETHERNET, 6, 0, {0}},
    {"ethernet 802.1Q ipv4", SAMPO_LINKTYPE_ETHERNET, 4, 1, {0x8100}},
    {"ethernet 802.1Q ipv6", SAMPO_LINKTYPE_ETHERNET, 6, 1, {0x8100}},
    {"ethernet 802.1ad QinQ ipv4", SAMPO_LINKTYPE_ETHERNET, 4, 2, {0x88a8, 0x8100}},
    {"ethernet 0x9100 QinQ ipv6", SAMPO_LINKTYPE_ETHERNET, 6, 2, {0x9100, 0x8100}},
    {"ethernet 4 tags", SAMPO_LINKTYPE_ETHERNET, 4, 4, {0x88a8, 0x9100, 0x8100, 0x8100}},
    {"sll ipv4", SAMPO_LINKTYPE_LINUX_SLL, 4, 0, {0}},
    {"sll ipv6", SAMPO_LINKTYPE_LINUX_SLL, 6, 0, {0}},
    {"sll 802.1Q ipv4", SAMPO_LINKTYPE_LINUX_SLL, 4, 1, {0x8100}},
    {"sll2 ipv4", SAMPO_LINKTYPE_LINUX_SLL2, 4, 0, {0}},
    {"sll2 ipv6", SAMPO_LINKTYPE_LINUX_SLL2, 6, 0, {0}},
    {"raw ipv4", SAMPO_LINKTYPE_RAW, 4, 0, {0}},
    {"raw ipv6", SAMPO_LINKTYPE_RAW, 6, 0, {0}},
    {"ipv4", SAMPO_LINKTYPE_IPV4, 4, 0, {0}},
    {"ipv6", SAMPO_LINKTYPE_IPV6, 6, 0, {0}},
};

static void build_link(frame *f, const link_case *c)
{
    unsigned inner = c->family == 4 ? ETH_IPV4 : ETH_IPV6;
    unsigned first = c->tags ? c->tpid[0] : inner;

    memset(f, 0, sizeof *f);
    switch (c->linktype) {
    case SAMPO_LINKTYPE_ETHERNET:
        eth(f, first);
        break;
    case SAMPO_LINKTYPE_LINUX_SLL:
        sll(f, first);
        break;
    case SAMPO_LINKTYPE_LINUX_SLL2:
        sll2(f, first);
        break;
    default:
        break;
    }
    for (int i = 0; i < c->tags; i++)
        vlan(f, i + 1 < c->tags ? c->tpid[i + 1] : inner, 100u + (unsigned)i);
}

ParameterizedTestParameters(link, every_type)
{
    return cr_make_param_array(link_case, link_cases, sizeof link_cases / sizeof link_cases[0]);
}

ParameterizedTest(link_case *c, link, every_type)
{
    frame f;
    sampo__pkt p;
    int counter;

    build_link(&f, c);
    size_t at = c->family == 4 ? ipv4(&f, 6, 0, 0x4000) : ipv6(&f, 6);
    tcp(&f, 0x18, OPTS24, 100);
    if (c->family == 4)
        ipv4_end(&f, at);
    else
        ipv6_end(&f, at);

    int rc = decode(c->linktype, &f, f.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "%s: rc %d counter %d", c->name, rc, counter);
    cr_expect_eq(counter, -1);
    expect_tcp(&p, c->family, 0x18, 100, 24);
}

/* Cut at every byte offset: never a crash, never a read past caplen, and
 * the status and counter of the layer that was cut. */
ParameterizedTestParameters(link, every_truncation)
{
    return cr_make_param_array(link_case, link_cases, sizeof link_cases / sizeof link_cases[0]);
}

static void sweep(int linktype, const frame *f, int family, unsigned flags, uint32_t payload,
                  uint32_t opts_len)
{
    for (size_t cap = 0; cap <= f->n; cap++) {
        sampo__pkt p;
        int counter;
        int rc = decode(linktype, f, cap, f->n, &p, &counter);

        if (cap < f->l2_end) {
            expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_L2_TRUNCATED, &p, "l2");
        } else if (cap < f->ip_end) {
            expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_IP_TRUNCATED, &p, "ip");
        } else if (cap < f->ext_end) {
            expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_IPV6_EXT_TRUNCATED, &p, "ext");
        } else if (cap < f->tcp_end) {
            expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_TCP_TRUNCATED, &p, "tcp");
        } else if (cap < f->opts_end) {
            cr_expect_eq(rc, SAMPO_OK, "cap %zu", cap);
            cr_expect_eq(counter, SAMPO_CNT_TCP_OPTIONS_TRUNCATED, "cap %zu", cap);
            cr_expect_eq(p.opts_truncated, 1, "cap %zu", cap);
            cr_expect_eq(p.opts_len, cap - f->tcp_end, "cap %zu", cap);
            cr_expect_eq(p.payload_len, payload, "cap %zu: lengths come from IP", cap);
            cr_expect_eq(p.family, family);
            cr_expect_eq(p.seq, SEQ);
        } else {
            cr_expect_eq(rc, SAMPO_OK, "cap %zu", cap);
            cr_expect_eq(counter, -1, "cap %zu", cap);
            expect_tcp(&p, family, flags, payload, opts_len);
        }
    }
}

ParameterizedTest(link_case *c, link, every_truncation)
{
    frame f;

    build_link(&f, c);
    if (c->family == 4) {
        size_t at = ipv4(&f, 6, 1, 0); /* with 4 bytes of IP options */
        tcp(&f, 0x10, OPTS24, 30);
        ipv4_end(&f, at);
    } else {
        size_t at = ipv6(&f, 0);
        ext(&f, 44, 1);     /* hop-by-hop */
        frag6(&f, 6, 0, 1); /* first fragment */
        tcp(&f, 0x10, OPTS24, 30);
        ipv6_end(&f, at);
    }
    sweep(c->linktype, &f, c->family, 0x10, 30, 24);
}

/* --------------------------------------------------------------------- */
/* Link layer                                                             */
/* --------------------------------------------------------------------- */

Test(link, unknown_linktype)
{
    frame f = {0};
    sampo__pkt p;
    int counter;
    static const int bad[] = {0, 105, 127, 228 + 1000, -1};

    eth(&f, ETH_IPV4);
    size_t at = ipv4(&f, 6, 0, 0);
    tcp(&f, 0x10, "", 0);
    ipv4_end(&f, at);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = decode(bad[i], &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_LINKTYPE, SAMPO_CNT_LINKTYPE_UNSUPPORTED, &p, "linktype");
    }
}

Test(link, not_ip_ethertypes)
{
    /* MPLS and PPPoE sessions are tunnels (see below); PPPoE discovery is not */
    static const unsigned types[] = {0x0806 /* ARP */, 0x88cc /* LLDP */, 0x8863 /* PPPoE PADI */,
                                     0x0026 /* 802.3 length */};
    sampo__pkt p;
    int counter;

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        frame f = {0};
        eth(&f, types[i]);
        zeros(&f, 46);
        int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_IP, &p, "ethertype");

        frame g = {0};
        sll2(&g, types[i]);
        zeros(&g, 46);
        rc = decode(SAMPO_LINKTYPE_LINUX_SLL2, &g, g.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_IP, &p, "sll2 protocol");
    }
    /* a VLAN tag around ARP */
    frame f = {0};
    eth(&f, 0x8100);
    vlan(&f, 0x0806, 7);
    zeros(&f, 46);
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_IP, &p, "vlan arp");
}

Test(link, too_many_vlan_tags)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    eth(&f, 0x8100);
    for (int i = 0; i < 5; i++)
        vlan(&f, i < 4 ? 0x8100 : ETH_IPV4, 1);
    size_t at = ipv4(&f, 6, 0, 0);
    tcp(&f, 0x10, "", 0);
    ipv4_end(&f, at);
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_IP, &p, "5 tags");
}

Test(link, raw_version_nibble)
{
    sampo__pkt p;
    int counter;
    static const char *bad[] = {"00", "50", "ff", "20"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        frame f = {0};
        put(&f, bad[i]);
        zeros(&f, 59);
        int rc = decode(SAMPO_LINKTYPE_RAW, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_IP, &p, "raw version");
    }
    /* nothing captured at all */
    frame f = {0};
    int rc = decode(SAMPO_LINKTYPE_RAW, &f, 0, 60, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_IP_TRUNCATED, &p, "raw empty");
}

Test(link, wrong_version_for_linktype)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    size_t at = ipv6(&f, 6);
    tcp(&f, 0x10, "", 0);
    ipv6_end(&f, at);
    int rc = decode(SAMPO_LINKTYPE_IPV4, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "v6 on IPV4");

    frame g = {0};
    at = ipv4(&g, 6, 0, 0);
    tcp(&g, 0x10, OPTS24, 0);
    ipv4_end(&g, at);
    rc = decode(SAMPO_LINKTYPE_IPV6, &g, g.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "v4 on IPV6");

    /* Ethernet saying IPv6 over an IPv4 header */
    frame h = {0};
    eth(&h, ETH_IPV6);
    at = ipv4(&h, 6, 0, 0);
    tcp(&h, 0x10, OPTS24, 0);
    ipv4_end(&h, at);
    rc = decode(SAMPO_LINKTYPE_ETHERNET, &h, h.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "ethertype v6, v4");
}

Test(link, null_arguments)
{
    sampo__pkt p;
    int counter = 7;

    cr_expect_eq(sampo__decode(SAMPO_LINKTYPE_ETHERNET, NULL, 0, 0, NULL, &counter), SAMPO_E_INVAL);
    int rc = sampo__decode(SAMPO_LINKTYPE_ETHERNET, NULL, 100, 100, &p, &counter);
    cr_expect_eq(rc, SAMPO_E_TRUNCATED, "NULL data is an empty capture");
    cr_expect_eq(counter, SAMPO_CNT_L2_TRUNCATED);
    rc = sampo__decode(SAMPO_LINKTYPE_IPV4, NULL, 0, 0, &p, &counter);
    cr_expect_eq(rc, SAMPO_E_TRUNCATED);
    cr_expect_eq(counter, SAMPO_CNT_IP_TRUNCATED);
    /* counter may be NULL: the status alone is returned */
    cr_expect_eq(sampo__decode(SAMPO_LINKTYPE_IPV6, NULL, 0, 0, &p, NULL), SAMPO_E_TRUNCATED);
}

/* --------------------------------------------------------------------- */
/* IPv4                                                                   */
/* --------------------------------------------------------------------- */

Test(ipv4, header_options)
{
    for (unsigned words = 0; words <= 10; words++) {
        frame f = {0};
        sampo__pkt p;
        int counter;

        eth(&f, ETH_IPV4);
        size_t at = ipv4(&f, 6, words, 0);
        tcp(&f, 0x12, OPTS24, 7);
        ipv4_end(&f, at);
        int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
        cr_assert_eq(rc, SAMPO_OK, "ihl %u", 5 + words);
        expect_tcp(&p, 4, 0x12, 7, 24);
        sweep(SAMPO_LINKTYPE_ETHERNET, &f, 4, 0x12, 7, 24);
    }
}

Test(ipv4, bad_ihl_and_total_length)
{
    sampo__pkt p;
    int counter;

    for (unsigned ihl = 0; ihl < 5; ihl++) {
        frame f = {0};
        size_t at = ipv4(&f, 6, 0, 0);
        tcp(&f, 0x10, "", 0);
        ipv4_end(&f, at);
        f.b[at] = (uint8_t)(0x40 | ihl);
        int rc = decode(SAMPO_LINKTYPE_IPV4, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "ihl < 5");
    }
    /* total length shorter than the header */
    for (unsigned total = 1; total < 24; total++) {
        frame f = {0};
        size_t at = ipv4(&f, 6, 1, 0);
        tcp(&f, 0x10, "", 0);
        set16(&f, at + 2, total);
        int rc = decode(SAMPO_LINKTYPE_IPV4, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "total < ihl");
    }
    /* IHL 15 with options cut by caplen */
    frame f = {0};
    size_t at = ipv4(&f, 6, 10, 0);
    tcp(&f, 0x10, "", 0);
    ipv4_end(&f, at);
    int rc = decode(SAMPO_LINKTYPE_IPV4, &f, 59, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_IP_TRUNCATED, &p, "ip options cut");
}

Test(ipv4, fragments)
{
    static const struct {
        unsigned field;
        int ok;
    } cases[] = {
        {0x0000, 1}, /* not fragmented */
        {0x4000, 1}, /* DF */
        {0x2000, 1}, /* first fragment, MF: the TCP header is in it */
        {0x2001, 0}, /* second fragment (offset 8), MF */
        {0x00b9, 0}, /* last fragment */
        {0x1fff, 0}, /* largest offset */
        {0x8000, 1}, /* reserved bit only */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        frame f = {0};
        sampo__pkt p;
        int counter;

        eth(&f, ETH_IPV4);
        size_t at = ipv4(&f, 6, 0, cases[i].field);
        tcp(&f, 0x10, OPTS24, 64);
        ipv4_end(&f, at);
        int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
        if (cases[i].ok) {
            cr_expect_eq(rc, SAMPO_OK, "frag field 0x%04x", cases[i].field);
            expect_tcp(&p, 4, 0x10, 64, 24);
        } else {
            expect_drop(rc, counter, SAMPO_E_FRAGMENT, SAMPO_CNT_IP_FRAGMENT, &p, "fragment");
        }
    }
    /* A non-first fragment of UDP is still a fragment. */
    frame f = {0};
    sampo__pkt p;
    int counter;
    size_t at = ipv4(&f, 17, 0, 0x0010);
    zeros(&f, 40);
    ipv4_end(&f, at);
    int rc = decode(SAMPO_LINKTYPE_IPV4, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_FRAGMENT, SAMPO_CNT_IP_FRAGMENT, &p, "udp fragment");
}

/* TSO/GSO captures: total length 0, the wire length tells the size. */
Test(ipv4, tso_total_length_zero)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    eth(&f, ETH_IPV4);
    size_t at = ipv4(&f, 6, 0, 0x4000);
    tcp(&f, 0x10, OPTS24, 60);
    set16(&f, at + 2, 0);
    size_t wire = 14 + 20 + 44 + 70000;
    /* capture cut at 128 bytes, as sampled exports are */
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, 128, wire, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK);
    cr_expect_eq(counter, -1);
    expect_tcp(&p, 4, 0x10, 70000, 24);

    /* same with an SLL header: the link header is not payload */
    frame g = {0};
    sll(&g, ETH_IPV4);
    at = ipv4(&g, 6, 0, 0);
    tcp(&g, 0x10, OPTS24, 60);
    set16(&g, at + 2, 0);
    rc = decode(SAMPO_LINKTYPE_LINUX_SLL, &g, g.n, 16 + 20 + 44 + 5000, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK);
    expect_tcp(&p, 4, 0x10, 5000, 24);

    /* wirelen 0 means caplen */
    rc = decode(SAMPO_LINKTYPE_LINUX_SLL, &g, g.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK);
    expect_tcp(&p, 4, 0x10, 60, 24);

    /* cut captures of such packets are still truncations */
    rc = decode(SAMPO_LINKTYPE_LINUX_SLL, &g, 16 + 19, 16 + 19, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_IP_TRUNCATED, &p, "cut before ip end");
    rc = decode(SAMPO_LINKTYPE_LINUX_SLL, &g, 16 + 20 + 10, 16 + 20 + 10, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_TRUNCATED, SAMPO_CNT_TCP_TRUNCATED, &p, "tso, tcp cut");
}

/* Ethernet padding after a short IP packet is not payload. */
Test(ipv4, ethernet_padding)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    eth(&f, ETH_IPV4);
    size_t at = ipv4(&f, 6, 0, 0);
    tcp(&f, 0x10, "", 0);
    ipv4_end(&f, at);
    zeros(&f, 6); /* pad to 60 bytes */
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK);
    expect_tcp(&p, 4, 0x10, 0, 0);
}

Test(ipv4, not_tcp)
{
    /* 47 (GRE), 4 and 41 (IP in IP) are tunnels, and UDP to 4789 or 6081:
     * see the tunnel tests */
    static const unsigned protos[] = {1, 17, 50, 132, 255};

    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        frame f = {0};
        sampo__pkt p;
        int counter;

        eth(&f, ETH_IPV4);
        size_t at = ipv4(&f, protos[i], 0, 0);
        zeros(&f, 40);
        ipv4_end(&f, at);
        int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_TCP, &p, "protocol");
    }
}

/* --------------------------------------------------------------------- */
/* IPv6 extension headers                                                 */
/* --------------------------------------------------------------------- */

Test(ipv6, extension_chains)
{
    /* hop-by-hop, routing, fragment (first), destination options, AH */
    frame f = {0};
    sampo__pkt p;
    int counter;

    eth(&f, ETH_IPV6);
    size_t at = ipv6(&f, 0);
    ext(&f, 43, 1);      /* hop-by-hop, 8 bytes */
    ext(&f, 44, 3);      /* routing, 24 bytes */
    frag6(&f, 60, 0, 1); /* first fragment, M set */
    ext(&f, 51, 2);      /* destination options, 16 bytes */
    ah(&f, 6, 4);        /* AH, (4 + 2) * 4 = 24 bytes */
    tcp(&f, 0x10, OPTS24, 50);
    ipv6_end(&f, at);
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "rc %d counter %d", rc, counter);
    cr_expect_eq(counter, -1);
    expect_tcp(&p, 6, 0x10, 50, 24);
    sweep(SAMPO_LINKTYPE_ETHERNET, &f, 6, 0x10, 50, 24);
}

Test(ipv6, sixteen_headers_ok_seventeen_not)
{
    for (int n = 16; n <= 17; n++) {
        frame f = {0};
        sampo__pkt p;
        int counter;

        size_t at = ipv6(&f, 60);
        for (int i = 0; i < n; i++)
            ext(&f, i + 1 < n ? 60 : 6, 1);
        tcp(&f, 0x10, "", 0);
        ipv6_end(&f, at);
        int rc = decode(SAMPO_LINKTYPE_IPV6, &f, f.n, 0, &p, &counter);
        if (n == 16) {
            cr_expect_eq(rc, SAMPO_OK);
            expect_tcp(&p, 6, 0x10, 0, 0);
        } else {
            expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "17 headers");
        }
    }
}

Test(ipv6, fragments)
{
    sampo__pkt p;
    int counter;

    for (unsigned off = 0; off < 3; off++) {
        for (int more = 0; more <= 1; more++) {
            frame f = {0};
            size_t at = ipv6(&f, 44);
            frag6(&f, 6, off * 100, more);
            tcp(&f, 0x10, OPTS24, 10);
            ipv6_end(&f, at);
            int rc = decode(SAMPO_LINKTYPE_IPV6, &f, f.n, 0, &p, &counter);
            if (off == 0) {
                cr_expect_eq(rc, SAMPO_OK, "first fragment, M=%d", more);
                expect_tcp(&p, 6, 0x10, 10, 24);
            } else {
                expect_drop(rc, counter, SAMPO_E_FRAGMENT, SAMPO_CNT_IP_FRAGMENT, &p, "frag6");
            }
        }
    }
}

Test(ipv6, not_tcp)
{
    static const unsigned nexts[] = {17, 58, 50 /* ESP */, 59 /* no next header */, 132, 103};
    sampo__pkt p;
    int counter;

    for (size_t i = 0; i < sizeof nexts / sizeof nexts[0]; i++) {
        frame f = {0};
        size_t at = ipv6(&f, nexts[i]);
        zeros(&f, 24);
        ipv6_end(&f, at);
        int rc = decode(SAMPO_LINKTYPE_IPV6, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_TCP, &p, "next header");

        /* the same behind a hop-by-hop header */
        frame g = {0};
        at = ipv6(&g, 0);
        ext(&g, nexts[i], 1);
        zeros(&g, 24);
        ipv6_end(&g, at);
        rc = decode(SAMPO_LINKTYPE_IPV6, &g, g.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_TCP, &p, "after hop-by-hop");
    }
}

Test(ipv6, extension_longer_than_payload)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    size_t at = ipv6(&f, 0);
    ext(&f, 6, 4); /* 32 bytes */
    tcp(&f, 0x10, "", 0);
    ipv6_end(&f, at);
    set16(&f, at + 4, 24); /* the payload length says less */
    int rc = decode(SAMPO_LINKTYPE_IPV6, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_IP_MALFORMED, &p, "ext > plen");

    /* ... and a TCP header that does not fit what is left */
    set16(&f, at + 4, 32 + 19);
    rc = decode(SAMPO_LINKTYPE_IPV6, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TCP_MALFORMED, &p, "tcp > plen");
}

Test(ipv6, payload_length_zero_uses_wire)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    eth(&f, ETH_IPV6);
    size_t at = ipv6(&f, 0);
    ext(&f, 6, 1);
    tcp(&f, 0x10, OPTS24, 20);
    set16(&f, at + 4, 0);
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 14 + 40 + 8 + 44 + 9000, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK);
    expect_tcp(&p, 6, 0x10, 9000, 24);
}

/* --------------------------------------------------------------------- */
/* TCP                                                                    */
/* --------------------------------------------------------------------- */

Test(tcp, data_offset_below_five)
{
    for (unsigned doff = 0; doff < 5; doff++) {
        frame f = {0};
        sampo__pkt p;
        int counter;

        size_t at = ipv4(&f, 6, 0, 0);
        tcp(&f, 0x10, OPTS24, 0);
        ipv4_end(&f, at);
        f.b[f.tcp_end - 8] = (uint8_t)(doff << 4);
        int rc = decode(SAMPO_LINKTYPE_IPV4, &f, f.n, 0, &p, &counter);
        expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TCP_MALFORMED, &p, "doff < 5");
    }
}

Test(tcp, header_longer_than_ip_payload)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    size_t at = ipv4(&f, 6, 0, 0);
    tcp(&f, 0x10, OPTS24, 0);
    ipv4_end(&f, at);
    f.b[f.tcp_end - 8] = 0xf0; /* 60-byte header in a 44-byte IP payload */
    int rc = decode(SAMPO_LINKTYPE_IPV4, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TCP_MALFORMED, &p, "doff > payload");

    /* IP total length leaves fewer than 20 bytes for TCP */
    frame g = {0};
    at = ipv4(&g, 6, 0, 0);
    tcp(&g, 0x10, "", 0);
    set16(&g, at + 2, 20 + 12);
    rc = decode(SAMPO_LINKTYPE_IPV4, &g, g.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TCP_MALFORMED, &p, "ip payload < 20");
}

Test(tcp, full_option_area)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    eth(&f, ETH_IPV4);
    size_t at = ipv4(&f, 6, 0, 0);
    tcp(&f, 0x10,
        "0101080a0000000100000002 1e1a200f0123456789abcdef1122334455667788000000010010 0101", 1400);
    ipv4_end(&f, at);
    /* straight from f.b: p.opts is read below */
    int rc = sampo__decode(SAMPO_LINKTYPE_ETHERNET, f.b, 128, f.n, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK);
    cr_expect_eq(counter, -1);
    expect_tcp(&p, 4, 0x10, 1400, 40);
    cr_expect_eq(p.opts[12], 0x1e);
    cr_expect_eq(p.opts[13], 26);
    sweep(SAMPO_LINKTYPE_ETHERNET, &f, 4, 0x10, 1400, 40);
}

/* --------------------------------------------------------------------- */
/* Real frames from data/pcaps, against tcpdump -S -v                     */
/* --------------------------------------------------------------------- */

typedef struct real_case {
    char name[40];
    int linktype;
    char hex[400];
    uint32_t wirelen;
    uint8_t src[4], dst[4];
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags, opts_truncated;
    uint32_t payload_len, opts_len;
    uint8_t first_opt, mptcp_at; /* first option byte; offset of the kind-30 option */
} real_case;

static real_case real_cases[] = {
    /* mptcp-v1.pcap #1: 10.0.1.1.33306 > 10.0.2.1.10004: Flags [S], seq 2180756989,
     * options [mss 1460,sackOK,TS,nop,wscale 8,mptcp 4 capable v1], length 0 */
    {"v1 #1 sll",
     SAMPO_LINKTYPE_LINUX_SLL,
     "0000 0001 0006 3232 87aa 0402 0000 0800"
     "4500 0040 ad7f 4000 4006 7637 0a00 0101 0a00 0201"
     "821a 2714 81fb b5fd 0000 0000 b002 ffff 1734 0000"
     "0204 05b4 0402 080a 1baf 9ea1 0000 0000 0103 0308 1e04 0101",
     80,
     {10, 0, 1, 1},
     {10, 0, 2, 1},
     33306,
     10004,
     2180756989u,
     0,
     0x02,
     0,
     0,
     24,
     0x02,
     20},
    /* mptcp-v0.pcap #4: 10.1.1.2.22 > 10.2.1.2.35961: Flags [P.], seq 125971327:125971368,
     * ack 2912457562, options [nop,nop,TS,mptcp 8 add-addr,mptcp 20 dss], length 41 */
    {"v0 #4 ethernet",
     SAMPO_LINKTYPE_ETHERNET,
     "f28c f524 1b21 1651 5304 3f55 0800 4500"
     "0079 8994 4000 3f06 9be4 0a01 0102 0a02"
     "0102 0016 8c79 0782 2b7f ad98 935a f018"
     "01bf 5365 0000 0101 080a ffff a2f2 ffff"
     "a1b0 1e08 3401 0a01 0202 1e14 2005 d52a"
     "beca d1b9 7490 0000 0001 0029 082f 5353"
     "482d 322e 302d 4f70 656e 5353 485f 352e"
     "3570 3120 4465 6269 616e 2d36 2b73 7175"
     "6565 7a65 310d 0a",
     135,
     {10, 1, 1, 2},
     {10, 2, 1, 2},
     22,
     35961,
     125971327u,
     2912457562u,
     0x18,
     0,
     41,
     40,
     0x01,
     12},
    /* mptcp-tcprst.pcap #1: 192.0.2.1.55739 > 192.168.76.28.8080: Flags [R.], seq 1,
     * ack 2176696966, options [mptcp 4 tcprst], length 0 */
    {"tcprst #1 raw",
     SAMPO_LINKTYPE_RAW,
     "4500 002c 0000 0000 ff06 ed05 c000 0201"
     "c0a8 4c1c d9bb 1f90 0000 0001 81bd c286"
     "6014 0100 f470 0000 1e04 8000",
     44,
     {192, 0, 2, 1},
     {192, 168, 76, 28},
     55739,
     8080,
     1,
     2176696966u,
     0x14,
     0,
     0,
     4,
     0x1e,
     0},
    /* mptcp-dss-oobr.pcap #1: caplen 73 of 74: 127.0.0.1.57370 > 127.0.0.1.23: Flags [S],
     * seq 1736820995, options [mss 16396,sackOK,TS,mptcp 3 dss[bad opt]] */
    {"dss-oobr #1 ethernet cut",
     SAMPO_LINKTYPE_ETHERNET,
     "0000 0000 0000 0000 0000 0000 0800 4510"
     "003c 9c37 4000 4006 a072 7f00 0001 7f00"
     "0001 e01a 0017 6785 c903 0000 0000 a002"
     "8018 fe30 0000 0204 400c 0402 080a 2397"
     "5534 0000 0000 1e03 20",
     74,
     {127, 0, 0, 1},
     {127, 0, 0, 1},
     57370,
     23,
     1736820995u,
     0,
     0x02,
     1,
     0,
     19,
     0x02,
     16},
    /* mptcp-aa-echo.pcap #2: 10.0.1.2.35924 > 10.0.1.1.10000: Flags [.], ack 2394667731,
     * options [nop,nop,TS,mptcp 8 add-addr v1-echo,mptcp 12 dss], length 0 */
    {"aa-echo #2 sll",
     SAMPO_LINKTYPE_LINUX_SLL,
     "0000 0001 0006 b67f c850 ab2c 0000 0800"
     "4500 0048 5af4 4000 4006 c9b9 0a00 0102"
     "0a00 0101 8c54 2710 caf2 de7f 8ebb bad3"
     "d010 01f5 163d 0000 0101 080a 1640 7324"
     "fed4 eb3e 1e08 3101 0a00 0201 1e0c 2003"
     "f994 8ef8 0457 7f69",
     88,
     {10, 0, 1, 2},
     {10, 0, 1, 1},
     35924,
     10000,
     0xcaf2de7fu,
     2394667731u,
     0x10,
     0,
     0,
     32,
     0x01,
     12},
};

ParameterizedTestParameters(capture, real_frames)
{
    return cr_make_param_array(real_case, real_cases, sizeof real_cases / sizeof real_cases[0]);
}

ParameterizedTest(real_case *c, capture, real_frames)
{
    frame f = {0};
    sampo__pkt p;
    int counter;
    uint8_t src[16] = {0}, dst[16] = {0};

    put(&f, c->hex);
    f.tcp_end = f.n - c->opts_len - c->payload_len; /* where decode() checks opts */
    if (c->opts_truncated)
        f.tcp_end = f.n - c->opts_len;
    int rc = decode(c->linktype, &f, f.n, c->wirelen, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "%s: rc %d counter %d", c->name, rc, counter);
    cr_expect_eq(counter, c->opts_truncated ? SAMPO_CNT_TCP_OPTIONS_TRUNCATED : -1, "%s", c->name);
    memcpy(src, c->src, 4);
    memcpy(dst, c->dst, 4);
    cr_expect_eq(p.family, 4);
    cr_expect_arr_eq(p.src, src, 16, "%s src", c->name);
    cr_expect_arr_eq(p.dst, dst, 16, "%s dst", c->name);
    cr_expect_eq(p.sport, c->sport, "%s", c->name);
    cr_expect_eq(p.dport, c->dport, "%s", c->name);
    cr_expect_eq(p.seq, c->seq, "%s seq %u", c->name, p.seq);
    cr_expect_eq(p.ack, c->ack, "%s ack %u", c->name, p.ack);
    cr_expect_eq(p.tcp_flags, c->flags, "%s", c->name);
    cr_expect_eq(p.payload_len, c->payload_len, "%s payload %u", c->name, p.payload_len);
    cr_expect_eq(p.opts_len, c->opts_len, "%s opts_len %u", c->name, p.opts_len);
    cr_expect_eq(p.opts_truncated, c->opts_truncated, "%s", c->name);
}

/* The option pointer reaches the MPTCP option tcpdump printed. */
Test(capture, options_point_at_mptcp)
{
    for (size_t i = 0; i < sizeof real_cases / sizeof real_cases[0]; i++) {
        const real_case *c = &real_cases[i];
        frame f = {0};
        sampo__pkt p;
        int counter;

        put(&f, c->hex);
        int rc = sampo__decode(c->linktype, f.b, f.n, c->wirelen, &p, &counter);
        cr_assert_eq(rc, SAMPO_OK);
        cr_expect_eq(p.opts[0], c->first_opt, "%s", c->name);
        cr_expect_eq(p.opts[c->mptcp_at], 0x1e, "%s", c->name);
    }
}

/* --------------------------------------------------------------------- */
/* Tunnels                                                                */
/* --------------------------------------------------------------------- */

/* Builders that also record, for the truncation sweep, what a capture cut
 * inside the part just written gives.  Outer IP headers have addresses of
 * their own (10.9.9.x, fd00::x), so that only the innermost can match
 * expect_tcp_in(). */

static void region(frame *f, int rc, int counter)
{
    cr_assert_lt(f->nreg, 128);
    f->reg[f->nreg++] = (struct region){f->n, rc, counter, f->tunnels};
}

static void put32(frame *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static void t_eth(frame *f, unsigned type)
{
    eth(f, type);
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_L2_TRUNCATED);
}

static void t_vlan(frame *f, unsigned type)
{
    vlan(f, type, 42);
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_L2_TRUNCATED);
}

static size_t t_ipv4(frame *f, unsigned proto, int outer)
{
    size_t at = ipv4(f, proto, 0, 0x4000);
    if (outer) {
        static const uint8_t a[8] = {10, 9, 9, 1, 10, 9, 9, 2};
        memcpy(f->b + at + 12, a, 8);
    }
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_IP_TRUNCATED);
    return at;
}

static size_t t_ipv6(frame *f, unsigned next, int outer)
{
    size_t at = ipv6(f, next);
    if (outer) {
        memset(f->b + at + 8, 0, 32);
        f->b[at + 8] = f->b[at + 24] = 0xfd;
        f->b[at + 23] = 1;
        f->b[at + 39] = 2;
    }
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_IP_TRUNCATED);
    return at;
}

/* IP in IP: the outer header, and the bit its removal sets */
static size_t t_ipip4(frame *f, unsigned inner_family)
{
    size_t at = t_ipv4(f, inner_family == 4 ? 4 : 41, 1);
    f->tunnels |= SAMPO__TUN_IP;
    return at;
}

static size_t t_ipip6(frame *f, unsigned inner_family)
{
    size_t at = t_ipv6(f, inner_family == 4 ? 4 : 41, 1);
    f->tunnels |= SAMPO__TUN_IP;
    return at;
}

#define GRE_C 0x8000
#define GRE_K 0x2000
#define GRE_S 0x1000

static void t_gre(frame *f, unsigned flags, unsigned proto)
{
    put16(f, flags);
    put16(f, proto);
    if (flags & GRE_C)
        put32(f, 0xbeef0000); /* checksum, reserved1 */
    if (flags & GRE_K)
        put32(f, 0x00123480); /* NVGRE: VSID 0x1234, FlowID 0x80 */
    if (flags & GRE_S)
        put32(f, 77);
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_GRE;
}

static void t_erspan2(frame *f)
{
    put(f, "1064 2005 00000abc"); /* v1, VLAN 0x064, CoS 1, session 5, index */
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_ERSPAN;
}

static void t_erspan3(frame *f, unsigned frame_type, int o)
{
    put(f, "2064 2005 01020304 0000"); /* v2, VLAN, session, timestamp, SGT */
    put8(f, frame_type << 2);          /* P 0, FT, hardware id high bits */
    put8(f, o ? 0x11 : 0x10);          /* hardware id, D, Gra, O */
    if (o)
        put(f, "0123456789abcdef"); /* platform-specific subheader */
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_ERSPAN;
    if (frame_type == 2) { /* IP: its first byte tells which */
        f->n++;
        region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
        f->n--;
    }
}

/* UDP with its length fixed by t_udp_end(); the destination port is
 * known from 4 captured bytes, not before */
static size_t t_udp(frame *f, unsigned dport)
{
    size_t at = f->n;
    put16(f, 51000);
    put16(f, dport);
    region(f, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_TCP);
    put(f, "0000 0000");
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    return at;
}

static void t_udp_end(frame *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at)); }

static void t_vxlan(frame *f)
{
    put(f, "08000000 00123400"); /* I, VNI 0x1234 */
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_VXLAN;
}

/* Geneve with `words` 4-byte words of options (one option of class
 * 0x0102, type 0x80, filling them) */
static void t_geneve(frame *f, unsigned words, unsigned proto)
{
    put8(f, words);
    put8(f, 0);
    put16(f, proto);
    put(f, "00123400");
    if (words) {
        put16(f, 0x0102);
        put8(f, 0x80);
        put8(f, words - 1);
        for (unsigned i = 0; i < (words - 1) * 4; i++)
            put8(f, 0xa0 + i);
    }
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_GENEVE;
}

/* n label stack entries, S on the last; the byte after it is needed to
 * see what follows */
static void t_mpls(frame *f, int n)
{
    for (int i = 0; i < n; i++)
        put32(f, (uint32_t)(1000 + i) << 12 | (i + 1 == n ? 0x100u : 0) | 64);
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_MPLS;
    f->n++;
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->n--;
}

static void t_control_word(frame *f)
{
    put(f, "00000007");
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
}

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

/* PPPoE session header and PPP protocol (1 byte when compressed); the
 * length is fixed by t_pppoe_end() */
static size_t t_pppoe(frame *f, unsigned proto, int compressed)
{
    size_t at = f->n;
    put(f, "1100 2b2b 0000");
    if (compressed)
        put8(f, proto);
    else
        put16(f, proto);
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TUNNEL_TRUNCATED);
    f->tunnels |= SAMPO__TUN_PPPOE;
    return at;
}

static void t_pppoe_end(frame *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at - 6)); }

/* The innermost packet: an IP header of `family` (SRC/DST of
 * expect_tcp_in()) and TCP with OPTS24 and 100 bytes of payload. */
static size_t t_inner_ip(frame *f, int family)
{
    return family == 4 ? t_ipv4(f, 6, 0) : t_ipv6(f, 6, 0);
}

static void t_tcp(frame *f)
{
    tcp(f, 0x18, OPTS24, 100);
    f->n = f->tcp_end;
    region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_TCP_TRUNCATED);
    f->n = f->opts_end;
    region(f, SAMPO_OK, SAMPO_CNT_TCP_OPTIONS_TRUNCATED);
    f->n += 100;
}

static void ip_end(frame *f, size_t at)
{
    if (f->b[at] >> 4 == 4)
        ipv4_end(f, at);
    else
        ipv6_end(f, at);
}

/* Inner IP + TCP, then the lengths of the headers at `outer` (IP, UDP,
 * PPPoE: kind 'i', 'u', 'p'), innermost first. */
typedef struct fix {
    char kind;
    size_t at;
} fix;

static void t_finish(frame *f, int family, const fix *fixes, int n)
{
    size_t at = t_inner_ip(f, family);
    t_tcp(f);
    ip_end(f, at);
    for (int i = n - 1; i >= 0; i--) {
        if (fixes[i].kind == 'i')
            ip_end(f, fixes[i].at);
        else if (fixes[i].kind == 'u')
            t_udp_end(f, fixes[i].at);
        else
            t_pppoe_end(f, fixes[i].at);
    }
}

static unsigned inner_type(int family) { return family == 4 ? ETH_IPV4 : ETH_IPV6; }

typedef struct tun_case {
    char name[48];
    int linktype;
    int family; /* of the innermost IP */
    int build;  /* which of build_tunnel()'s frames */
    unsigned tunnels;
} tun_case;

enum {
    B_GRE_IP,
    B_GRE_CKS_IP6,
    B_NVGRE,
    B_GRE_MPLS,
    B_ERSPAN1,
    B_ERSPAN2,
    B_ERSPAN3_O,
    B_ERSPAN3_IP,
    B_VXLAN4,
    B_VXLAN6,
    B_GENEVE_OPTS,
    B_GENEVE_IP,
    B_MPLS3,
    B_MPLS_MC,
    B_MPLS_CW,
    B_PPPOE,
    B_PPPOE_PFC,
    B_PPPOE_VLAN,
    B_IPIP4,
    B_IPIP6,
    B_NESTED,
    B_RAW_GRE,
    B_SLL_VXLAN,
};

static void build_tunnel(frame *f, const tun_case *c)
{
    int fam = c->family;
    fix fx[8];
    int n = 0;

    memset(f, 0, sizeof *f);
    switch (c->build) {
    case B_GRE_IP: /* IPv4 | GRE | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, 0, inner_type(fam));
        break;
    case B_GRE_CKS_IP6: /* IPv6 | GRE with checksum, key, sequence | IP */
        t_eth(f, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipv6(f, 47, 1)};
        t_gre(f, GRE_C | GRE_K | GRE_S, inner_type(fam));
        break;
    case B_NVGRE: /* IPv4 | GRE key, TEB | Ethernet | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, GRE_K, 0x6558);
        t_eth(f, inner_type(fam));
        break;
    case B_GRE_MPLS: /* IPv6 | GRE | MPLS x2 | IP */
        t_eth(f, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipv6(f, 47, 1)};
        t_gre(f, 0, 0x8847);
        t_mpls(f, 2);
        break;
    case B_ERSPAN1: /* IPv4 | GRE 0x88be, no sequence | Ethernet | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, 0, 0x88be);
        f->tunnels |= SAMPO__TUN_ERSPAN;
        t_eth(f, inner_type(fam));
        break;
    case B_ERSPAN2: /* IPv4 | GRE S | ERSPAN II | Ethernet 802.1Q | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, GRE_S, 0x88be);
        t_erspan2(f);
        t_eth(f, 0x8100);
        t_vlan(f, inner_type(fam));
        break;
    case B_ERSPAN3_O: /* IPv6 | GRE S | ERSPAN III + subheader | Ethernet | IP */
        t_eth(f, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipv6(f, 47, 1)};
        t_gre(f, GRE_S, 0x22eb);
        t_erspan3(f, 0, 1);
        t_eth(f, inner_type(fam));
        break;
    case B_ERSPAN3_IP: /* IPv4 | GRE | ERSPAN III frame type 2 | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, GRE_S, 0x22eb);
        t_erspan3(f, 2, 0);
        break;
    case B_VXLAN4: /* IPv4 | UDP 4789 | VXLAN | Ethernet | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 17, 1)};
        fx[n++] = (fix){'u', t_udp(f, 4789)};
        t_vxlan(f);
        t_eth(f, inner_type(fam));
        break;
    case B_VXLAN6: /* 802.1Q | IPv6 | UDP 4789 | VXLAN | Ethernet | IP */
        t_eth(f, 0x8100);
        t_vlan(f, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipv6(f, 17, 1)};
        fx[n++] = (fix){'u', t_udp(f, 4789)};
        t_vxlan(f);
        t_eth(f, inner_type(fam));
        break;
    case B_GENEVE_OPTS: /* IPv4 | UDP 6081 | Geneve + 5 option words | Ethernet | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipv4(f, 17, 1)};
        fx[n++] = (fix){'u', t_udp(f, 6081)};
        t_geneve(f, 5, 0x6558);
        t_eth(f, inner_type(fam));
        break;
    case B_GENEVE_IP: /* IPv6 | UDP 6081 | Geneve, protocol IP | IP */
        t_eth(f, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipv6(f, 17, 1)};
        fx[n++] = (fix){'u', t_udp(f, 6081)};
        t_geneve(f, 1, inner_type(fam));
        break;
    case B_MPLS3: /* Ethernet 0x8847 | 3 labels | IP */
        t_eth(f, 0x8847);
        t_mpls(f, 3);
        break;
    case B_MPLS_MC: /* Ethernet 0x8848 | 1 label | IP */
        t_eth(f, 0x8848);
        t_mpls(f, 1);
        break;
    case B_MPLS_CW: /* Ethernet | 2 labels | control word | Ethernet | IP */
        t_eth(f, 0x8847);
        t_mpls(f, 2);
        t_control_word(f);
        t_eth(f, inner_type(fam));
        break;
    case B_PPPOE: /* Ethernet 0x8864 | PPPoE | PPP IP */
        t_eth(f, 0x8864);
        fx[n++] = (fix){'p', t_pppoe(f, fam == 4 ? PPP_IPV4 : PPP_IPV6, 0)};
        break;
    case B_PPPOE_PFC: /* the same, protocol field compressed */
        t_eth(f, 0x8864);
        fx[n++] = (fix){'p', t_pppoe(f, fam == 4 ? PPP_IPV4 : PPP_IPV6, 1)};
        break;
    case B_PPPOE_VLAN: /* 802.1Q | PPPoE | IP */
        t_eth(f, 0x8100);
        t_vlan(f, 0x8864);
        fx[n++] = (fix){'p', t_pppoe(f, fam == 4 ? PPP_IPV4 : PPP_IPV6, 0)};
        break;
    case B_IPIP4: /* IPv4 | IP */
        t_eth(f, ETH_IPV4);
        fx[n++] = (fix){'i', t_ipip4(f, (unsigned)fam)};
        break;
    case B_IPIP6: /* IPv6 | IP */
        t_eth(f, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipip6(f, (unsigned)fam)};
        break;
    case B_NESTED:
        /* Ethernet | MPLS | IPv4 | GRE | IPv6 | UDP | VXLAN | Ethernet |
         * PPPoE | IPv6 (IP in IP) | IP */
        t_eth(f, 0x8847);
        t_mpls(f, 1);
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, GRE_K, ETH_IPV6);
        fx[n++] = (fix){'i', t_ipv6(f, 17, 1)};
        fx[n++] = (fix){'u', t_udp(f, 4789)};
        t_vxlan(f);
        t_eth(f, 0x8864);
        fx[n++] = (fix){'p', t_pppoe(f, PPP_IPV6, 0)};
        fx[n++] = (fix){'i', t_ipip6(f, (unsigned)fam)};
        break;
    case B_RAW_GRE: /* raw IPv4 | GRE | IP */
        fx[n++] = (fix){'i', t_ipv4(f, 47, 1)};
        t_gre(f, GRE_K | GRE_S, inner_type(fam));
        break;
    case B_SLL_VXLAN: /* Linux cooked | IPv4 | UDP | VXLAN | Ethernet | IP */
        sll(f, ETH_IPV4);
        region(f, SAMPO_E_TRUNCATED, SAMPO_CNT_L2_TRUNCATED);
        fx[n++] = (fix){'i', t_ipv4(f, 17, 1)};
        fx[n++] = (fix){'u', t_udp(f, 4789)};
        t_vxlan(f);
        t_eth(f, inner_type(fam));
        break;
    default:
        cr_assert_fail("unknown frame %d", c->build);
    }
    cr_assert_eq(f->tunnels, c->tunnels, "%s: built 0x%x", c->name, f->tunnels);
    t_finish(f, fam, fx, n);
}

#define GRE SAMPO__TUN_GRE
#define ERSPAN SAMPO__TUN_ERSPAN
#define VXLAN SAMPO__TUN_VXLAN
#define GENEVE SAMPO__TUN_GENEVE
#define MPLS SAMPO__TUN_MPLS
#define PPPOE SAMPO__TUN_PPPOE
#define IPIP SAMPO__TUN_IP
#define ETHER SAMPO_LINKTYPE_ETHERNET

static tun_case tun_cases[] = {
    {"gre 4 in 4", ETHER, 4, B_GRE_IP, GRE},
    {"gre 6 in 4", ETHER, 6, B_GRE_IP, GRE},
    {"gre C K S, 4 in 6", ETHER, 4, B_GRE_CKS_IP6, GRE},
    {"gre C K S, 6 in 6", ETHER, 6, B_GRE_CKS_IP6, GRE},
    {"nvgre 4", ETHER, 4, B_NVGRE, GRE},
    {"nvgre 6", ETHER, 6, B_NVGRE, GRE},
    {"gre mpls 4", ETHER, 4, B_GRE_MPLS, GRE | MPLS},
    {"gre mpls 6", ETHER, 6, B_GRE_MPLS, GRE | MPLS},
    {"erspan I", ETHER, 4, B_ERSPAN1, GRE | ERSPAN},
    {"erspan II 4", ETHER, 4, B_ERSPAN2, GRE | ERSPAN},
    {"erspan II 6", ETHER, 6, B_ERSPAN2, GRE | ERSPAN},
    {"erspan III O 4", ETHER, 4, B_ERSPAN3_O, GRE | ERSPAN},
    {"erspan III O 6", ETHER, 6, B_ERSPAN3_O, GRE | ERSPAN},
    {"erspan III frame type IP", ETHER, 6, B_ERSPAN3_IP, GRE | ERSPAN},
    {"vxlan 4 over 4", ETHER, 4, B_VXLAN4, VXLAN},
    {"vxlan 6 over 4", ETHER, 6, B_VXLAN4, VXLAN},
    {"vxlan 4 over 6 vlan", ETHER, 4, B_VXLAN6, VXLAN},
    {"vxlan 6 over 6 vlan", ETHER, 6, B_VXLAN6, VXLAN},
    {"geneve options 4", ETHER, 4, B_GENEVE_OPTS, GENEVE},
    {"geneve options 6", ETHER, 6, B_GENEVE_OPTS, GENEVE},
    {"geneve ip 4 over 6", ETHER, 4, B_GENEVE_IP, GENEVE},
    {"geneve ip 6 over 6", ETHER, 6, B_GENEVE_IP, GENEVE},
    {"mpls 3 labels 4", ETHER, 4, B_MPLS3, MPLS},
    {"mpls 3 labels 6", ETHER, 6, B_MPLS3, MPLS},
    {"mpls multicast 6", ETHER, 6, B_MPLS_MC, MPLS},
    {"mpls control word 4", ETHER, 4, B_MPLS_CW, MPLS},
    {"mpls control word 6", ETHER, 6, B_MPLS_CW, MPLS},
    {"pppoe 4", ETHER, 4, B_PPPOE, PPPOE},
    {"pppoe 6", ETHER, 6, B_PPPOE, PPPOE},
    {"pppoe compressed 4", ETHER, 4, B_PPPOE_PFC, PPPOE},
    {"pppoe compressed 6", ETHER, 6, B_PPPOE_PFC, PPPOE},
    {"pppoe vlan 4", ETHER, 4, B_PPPOE_VLAN, PPPOE},
    {"ip 4 in 4", ETHER, 4, B_IPIP4, IPIP},
    {"ip 6 in 4", ETHER, 6, B_IPIP4, IPIP},
    {"ip 4 in 6", ETHER, 4, B_IPIP6, IPIP},
    {"ip 6 in 6", ETHER, 6, B_IPIP6, IPIP},
    {"nested 5 kinds, 4", ETHER, 4, B_NESTED, MPLS | GRE | VXLAN | PPPOE | IPIP},
    {"nested 5 kinds, 6", ETHER, 6, B_NESTED, MPLS | GRE | VXLAN | PPPOE | IPIP},
    {"raw gre", SAMPO_LINKTYPE_RAW, 6, B_RAW_GRE, GRE},
    {"sll vxlan", SAMPO_LINKTYPE_LINUX_SLL, 4, B_SLL_VXLAN, VXLAN},
};

ParameterizedTestParameters(tunnel, every_kind)
{
    return cr_make_param_array(tun_case, tun_cases, sizeof tun_cases / sizeof tun_cases[0]);
}

/* Whole: the innermost headers, the tunnels removed.  Cut at every byte:
 * the status and counter of the part cut, the tunnels removed by then. */
ParameterizedTest(tun_case *c, tunnel, every_kind)
{
    frame f;
    sampo__pkt p;
    int counter;

    build_tunnel(&f, c);
    int rc = decode(c->linktype, &f, f.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "%s: rc %d counter %d", c->name, rc, counter);
    cr_expect_eq(counter, SAMPO_CNT_DECAPSULATED, "%s: counter %d", c->name, counter);
    expect_tcp_in(&p, c->family, 0x18, 100, 24, c->tunnels);

    for (size_t cap = 0; cap <= f.n; cap++) {
        const struct region *r = NULL;
        for (int i = 0; i < f.nreg && !r; i++)
            if (cap < f.reg[i].end)
                r = &f.reg[i];
        rc = decode(c->linktype, &f, cap, f.n, &p, &counter);
        if (r == NULL) {
            cr_expect_eq(rc, SAMPO_OK, "%s cap %zu", c->name, cap);
            cr_expect_eq(counter, SAMPO_CNT_DECAPSULATED, "%s cap %zu", c->name, cap);
            expect_tcp_in(&p, c->family, 0x18, 100, 24, c->tunnels);
        } else if (r->rc == SAMPO_OK) {
            cr_expect_eq(rc, SAMPO_OK, "%s cap %zu", c->name, cap);
            cr_expect_eq(counter, r->counter, "%s cap %zu: counter %d", c->name, cap, counter);
            cr_expect_eq(p.opts_truncated, 1, "%s cap %zu", c->name, cap);
            cr_expect_eq(p.payload_len, 100, "%s cap %zu", c->name, cap);
            cr_expect_eq(p.tunnels, c->tunnels, "%s cap %zu", c->name, cap);
        } else {
            cr_expect_eq(rc, r->rc, "%s cap %zu: rc %d, want %d", c->name, cap, rc, r->rc);
            cr_expect_eq(counter, r->counter, "%s cap %zu: counter %d, want %d", c->name, cap,
                         counter, r->counter);
            cr_expect_eq(p.tunnels, r->tunnels, "%s cap %zu: tunnels 0x%x, want 0x%x", c->name, cap,
                         p.tunnels, r->tunnels);
            sampo__pkt rest = p;
            static const sampo__pkt zero;
            rest.tunnels = 0;
            cr_expect_arr_eq(&rest, &zero, sizeof rest, "%s cap %zu: out not cleared", c->name,
                             cap);
        }
    }
}

/* 8 nested tunnel headers are removed, a 9th is refused: IP in IP, GRE,
 * VXLAN, and one MPLS stack of 8 labels but not 9. */
Test(tunnel, nesting_bound)
{
    for (int kind = 0; kind < 3; kind++) {
        for (int depth = 1; depth <= 9; depth++) {
            frame f = {0};
            sampo__pkt p;
            int counter;
            fix fx[20];
            int n = 0;

            t_eth(&f, ETH_IPV4);
            for (int i = 0; i < depth; i++) {
                if (kind == 0) {
                    fx[n++] = (fix){'i', t_ipip4(&f, 4)};
                } else if (kind == 1) {
                    fx[n++] = (fix){'i', t_ipv4(&f, 47, 1)};
                    t_gre(&f, GRE_K, ETH_IPV4);
                } else {
                    fx[n++] = (fix){'i', t_ipv4(&f, 17, 1)};
                    fx[n++] = (fix){'u', t_udp(&f, 4789)};
                    t_vxlan(&f);
                    t_eth(&f, ETH_IPV4);
                }
            }
            t_finish(&f, 4, fx, n);
            int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
            unsigned bit = kind == 0 ? IPIP : kind == 1 ? GRE : VXLAN;
            if (depth <= 8) {
                cr_expect_eq(rc, SAMPO_OK, "kind %d depth %d: rc %d", kind, depth, rc);
                expect_tcp_in(&p, 4, 0x18, 100, 24, bit);
            } else {
                cr_expect_eq(rc, SAMPO_E_MALFORMED, "kind %d depth %d", kind, depth);
                cr_expect_eq(counter, SAMPO_CNT_TUNNEL_TOO_DEEP, "kind %d depth %d", kind, depth);
                cr_expect_eq(p.tunnels, bit);
            }
        }
    }
    for (int labels = 1; labels <= 9; labels++) {
        frame f = {0};
        sampo__pkt p;
        int counter;

        t_eth(&f, 0x8847);
        t_mpls(&f, labels);
        t_finish(&f, 6, NULL, 0);
        int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
        if (labels <= 8) {
            cr_expect_eq(rc, SAMPO_OK, "%d labels", labels);
            expect_tcp_in(&p, 6, 0x18, 100, 24, MPLS);
        } else {
            expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_TOO_DEEP, &p, "9 labels");
        }
    }
    /* 8 layers of different kinds, then a 9th: MPLS | IPv4 | GRE | MPLS
     * | IPv6 | IPv6 | UDP/Geneve | IPv4 | GRE/TEB | Ethernet | PPPoE |
     * IPv4 | GRE | IP */
    frame f = {0};
    sampo__pkt p;
    int counter;
    fix fx[16];
    int n = 0;
    t_eth(&f, 0x8847);
    t_mpls(&f, 1);                           /* 1 */
    fx[n++] = (fix){'i', t_ipv4(&f, 47, 1)}; /* 2 */
    t_gre(&f, 0, 0x8847);
    t_mpls(&f, 2);                           /* 3 */
    fx[n++] = (fix){'i', t_ipip6(&f, 6)};    /* 4 */
    fx[n++] = (fix){'i', t_ipv6(&f, 17, 1)}; /* 5 */
    fx[n++] = (fix){'u', t_udp(&f, 6081)};
    t_geneve(&f, 2, ETH_IPV4);
    fx[n++] = (fix){'i', t_ipv4(&f, 47, 1)}; /* 6 */
    t_gre(&f, GRE_S, 0x6558);
    t_eth(&f, 0x8864);
    fx[n++] = (fix){'p', t_pppoe(&f, PPP_IPV4, 0)}; /* 7 */
    fx[n++] = (fix){'i', t_ipv4(&f, 47, 1)};        /* 8 */
    t_gre(&f, 0, ETH_IPV4);
    t_finish(&f, 4, fx, n);
    unsigned all = MPLS | GRE | IPIP | GENEVE | PPPOE;
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "8 mixed layers: rc %d counter %d", rc, counter);
    expect_tcp_in(&p, 4, 0x18, 100, 24, all);
    /* one more GRE around the innermost packet */
    frame g = {0};
    memcpy(&g, &f, sizeof g);
    size_t inner = g.n - 20 - 44 - 100;
    memmove(g.b + inner + 24, g.b + inner, g.n - inner);
    memcpy(g.b + inner, g.b + inner - 24, 24); /* the IPv4 + GRE before it */
    g.n += 24;
    for (int i = n - 1; i >= 0; i--) /* every outer length grows by 24 */
        if (g.b[fx[i].at] >> 4 == 4)
            set16(&g, fx[i].at + 2, (unsigned)(g.b[fx[i].at + 2] << 8 | g.b[fx[i].at + 3]) + 24);
        else if (fx[i].kind == 'i')
            set16(&g, fx[i].at + 4, (unsigned)(g.b[fx[i].at + 4] << 8 | g.b[fx[i].at + 5]) + 24);
        else
            set16(&g, fx[i].at + 4, (unsigned)(g.b[fx[i].at + 4] << 8 | g.b[fx[i].at + 5]) + 24);
    rc = decode(SAMPO_LINKTYPE_ETHERNET, &g, g.n, 0, &p, &counter);
    cr_expect_eq(rc, SAMPO_E_MALFORMED, "9 mixed layers: rc %d counter %d", rc, counter);
    cr_expect_eq(counter, SAMPO_CNT_TUNNEL_TOO_DEEP);
}

typedef struct bad_case {
    char name[48];
    int build;        /* a tun_case frame (inner IPv4) ... */
    size_t at_from;   /* ... with the byte at (the region index at_from's end + at) */
    int at;           /* set to ... */
    unsigned mask, v; /* (byte & ~mask) | v */
    int rc, counter;
    unsigned tunnels; /* out->tunnels of the drop */
} bad_case;

/* Region indexes in build_tunnel()'s frames: 0 is the outer link header,
 * 1 the outer IP header, 2 the first tunnel header (UDP: 2 ports, 3 the
 * rest of the UDP header, 4 VXLAN/Geneve). */
static bad_case bad_cases[] = {
    {"gre version 1 (pptp)", B_GRE_IP, 1, 1, 0x07, 0x01, SAMPO_E_NOTTCP,
     SAMPO_CNT_TUNNEL_UNSUPPORTED, 0},
    {"gre version 7", B_GRE_IP, 1, 1, 0x07, 0x07, SAMPO_E_NOTTCP, SAMPO_CNT_TUNNEL_UNSUPPORTED, 0},
    {"gre routing bit", B_GRE_IP, 1, 0, 0x40, 0x40, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED,
     0},
    {"gre strict route bit", B_GRE_IP, 1, 0, 0x08, 0x08, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"gre recursion bit 5", B_GRE_IP, 1, 0, 0x04, 0x04, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"gre reserved0 bits 6-12 ignored", B_GRE_IP, 1, 1, 0xf8, 0xf8, SAMPO_OK, -1, GRE},
    {"gre ppp (0x880b)", B_GRE_IP, 1, 2, 0xff, 0x88, SAMPO_E_NOTTCP, SAMPO_CNT_TUNNEL_UNSUPPORTED,
     GRE},
    {"erspan II version 2", B_ERSPAN2, 2, 0, 0xf0, 0x20, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, GRE},
    {"erspan III version 1", B_ERSPAN3_O, 2, 0, 0xf0, 0x10, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, GRE},
    {"erspan III frame type 1", B_ERSPAN3_O, 2, 10, 0x7c, 0x04, SAMPO_E_NOTTCP,
     SAMPO_CNT_TUNNEL_UNSUPPORTED, GRE | ERSPAN},
    {"vxlan without I", B_VXLAN4, 3, 0, 0x08, 0x00, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED,
     0},
    {"vxlan other flags ignored", B_VXLAN4, 3, 0, 0xf7, 0xf7, SAMPO_OK, -1, VXLAN},
    {"vxlan inner arp", B_VXLAN4, 4, 13, 0xff, 0x06, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_IP, VXLAN},
    {"udp length 7", B_VXLAN4, 1, 5, 0xff, 0x07, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"udp length past ip", B_VXLAN4, 1, 4, 0xff, 0x40, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"udp other port", B_VXLAN4, 1, 3, 0xff, 0xb6, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_TCP, 0},
    {"geneve version 1", B_GENEVE_OPTS, 3, 0, 0xc0, 0x40, SAMPO_E_NOTTCP,
     SAMPO_CNT_TUNNEL_UNSUPPORTED, 0},
    {"geneve options past udp", B_GENEVE_OPTS, 3, 0, 0x3f, 0x3f, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"geneve protocol mpls", B_GENEVE_IP, 3, 2, 0xff, 0x88, SAMPO_E_NOTTCP,
     SAMPO_CNT_TUNNEL_UNSUPPORTED, GENEVE},
    {"mpls payload nibble 1", B_MPLS3, 1, 0, 0xf0, 0x10, SAMPO_E_NOTTCP,
     SAMPO_CNT_TUNNEL_UNSUPPORTED, MPLS},
    {"mpls payload nibble 5", B_MPLS3, 1, 0, 0xf0, 0x50, SAMPO_E_NOTTCP,
     SAMPO_CNT_TUNNEL_UNSUPPORTED, MPLS},
    {"pppoe version 2", B_PPPOE, 0, 0, 0xff, 0x21, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED,
     0},
    {"pppoe discovery code", B_PPPOE, 0, 1, 0xff, 0x09, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"pppoe length past the frame", B_PPPOE, 0, 4, 0xff, 0x7f, SAMPO_E_MALFORMED,
     SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"pppoe length 0", B_PPPOE, 0, 5, 0xff, 0x00, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED, 0},
    {"ppp lcp", B_PPPOE, 0, 6, 0xff, 0xc0, SAMPO_E_NOTTCP, SAMPO_CNT_TUNNEL_UNSUPPORTED, PPPOE},
    {"ip in ip, inner version 5", B_IPIP4, 1, 0, 0xf0, 0x50, SAMPO_E_MALFORMED,
     SAMPO_CNT_IP_MALFORMED, IPIP},
    {"ip in ip, inner udp", B_IPIP4, 1, 9, 0xff, 17, SAMPO_E_NOTTCP, SAMPO_CNT_NOT_TCP, IPIP},
    {"gre, inner fragment", B_GRE_IP, 2, 7, 0xff, 0x10, SAMPO_E_FRAGMENT, SAMPO_CNT_IP_FRAGMENT,
     GRE},
    {"outer fragment", B_GRE_IP, 0, 7, 0xff, 0x10, SAMPO_E_FRAGMENT, SAMPO_CNT_IP_FRAGMENT, 0},
    {"gre, inner total length below ihl", B_GRE_IP, 2, 3, 0xff, 0x08, SAMPO_E_MALFORMED,
     SAMPO_CNT_IP_MALFORMED, GRE},
    {"gre, inner tcp header past ip", B_GRE_IP, 2, 3, 0xff, 50, SAMPO_E_MALFORMED,
     SAMPO_CNT_TCP_MALFORMED, GRE},
};

ParameterizedTestParameters(tunnel, bad_headers)
{
    return cr_make_param_array(bad_case, bad_cases, sizeof bad_cases / sizeof bad_cases[0]);
}

ParameterizedTest(bad_case *c, tunnel, bad_headers)
{
    tun_case tc = {"", SAMPO_LINKTYPE_ETHERNET, 4, c->build, 0};
    frame f;
    sampo__pkt p;
    int counter;

    /* the bit pattern the frame is built with */
    for (size_t i = 0; i < sizeof tun_cases / sizeof tun_cases[0]; i++)
        if (tun_cases[i].build == c->build)
            tc.tunnels = tun_cases[i].tunnels;
    build_tunnel(&f, &tc);
    cr_assert_lt((int)c->at_from, f.nreg);
    size_t at = f.reg[c->at_from].end + (size_t)c->at;
    cr_assert_lt(at, f.n);
    f.b[at] = (uint8_t)((f.b[at] & ~c->mask) | c->v);
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    if (c->rc == SAMPO_OK) {
        cr_expect_eq(rc, SAMPO_OK, "%s: rc %d counter %d", c->name, rc, counter);
        expect_tcp_in(&p, 4, 0x18, 100, 24, c->tunnels);
        return;
    }
    cr_expect_eq(rc, c->rc, "%s: rc %d, want %d", c->name, rc, c->rc);
    cr_expect_eq(counter, c->counter, "%s: counter %d, want %d", c->name, counter, c->counter);
    cr_expect_eq(p.tunnels, c->tunnels, "%s: tunnels 0x%x, want 0x%x", c->name, p.tunnels,
                 c->tunnels);
}

/* A GRE header longer than the IP payload, a tunnel header past the UDP
 * length: malformed, whatever was captured. */
Test(tunnel, headers_past_their_lengths)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    t_eth(&f, ETH_IPV4);
    size_t at = t_ipv4(&f, 47, 1);
    t_gre(&f, GRE_C | GRE_K | GRE_S, ETH_IPV4);
    t_finish(&f, 4, NULL, 0);
    set16(&f, at + 2, 20 + 12); /* room for 12 of GRE's 16 bytes */
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED, &p, "gre > ip");

    frame g = {0};
    t_eth(&g, ETH_IPV4);
    at = t_ipv4(&g, 17, 1);
    size_t u = t_udp(&g, 4789);
    t_vxlan(&g);
    t_eth(&g, ETH_IPV4);
    fix fx[] = {{'i', at}, {'u', u}};
    t_finish(&g, 4, fx, 2);
    set16(&g, u + 4, 8 + 7); /* 7 of VXLAN's 8 bytes */
    rc = decode(SAMPO_LINKTYPE_ETHERNET, &g, g.n, 0, &p, &counter);
    expect_drop(rc, counter, SAMPO_E_MALFORMED, SAMPO_CNT_TUNNEL_MALFORMED, &p, "vxlan > udp");
    /* ... but a first fragment may hold less than its UDP length says */
    set16(&g, u + 4, (unsigned)(g.n - u + 1000));
    g.b[at + 6] |= 0x20; /* MF */
    rc = decode(SAMPO_LINKTYPE_ETHERNET, &g, g.n, 0, &p, &counter);
    cr_expect_eq(rc, SAMPO_OK, "first fragment: rc %d counter %d", rc, counter);
    expect_tcp_in(&p, 4, 0x18, 100, 24, VXLAN);
}

/* Ethernet padding and an FCS after a tunnel's payload are not the inner
 * packet's; a truncated mirror copy (inner IP longer than what the
 * tunnel carries) decodes as a cut capture does. */
Test(tunnel, trailers_and_short_copies)
{
    frame f = {0};
    sampo__pkt p;
    int counter;

    t_eth(&f, ETH_IPV4);
    size_t at = t_ipv4(&f, 4, 1);
    size_t in = t_ipv4(&f, 6, 0);
    tcp(&f, 0x10, "", 0);
    ipv4_end(&f, in);
    ipv4_end(&f, at);
    zeros(&f, 10); /* padding: an inner TSO length must not reach it */
    set16(&f, in + 2, 0);
    int rc = decode(SAMPO_LINKTYPE_ETHERNET, &f, f.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "rc %d counter %d", rc, counter);
    expect_tcp_in(&p, 4, 0x10, 0, 0, IPIP);

    /* ERSPAN of a 1500-byte packet cut to its first 128 bytes */
    tun_case tc = {"", SAMPO_LINKTYPE_ETHERNET, 4, B_ERSPAN2, GRE | ERSPAN};
    frame g;
    build_tunnel(&g, &tc);
    size_t inner_ip = g.n - 100 - 44 - 20;
    set16(&g, inner_ip + 2, 1500);
    rc = decode(SAMPO_LINKTYPE_ETHERNET, &g, g.n, 0, &p, &counter);
    cr_assert_eq(rc, SAMPO_OK, "rc %d counter %d", rc, counter);
    expect_tcp_in(&p, 4, 0x18, 1500 - 20 - 44, 24, GRE | ERSPAN);
}

/* Through sampo_ctx_feed(): the counters of each kind, the packet once. */
Test(tunnel, counters)
{
    sampo_ctx *ctx;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    static const int builds[] = {B_VXLAN4, B_ERSPAN2, B_NESTED, B_PPPOE, B_IPIP6, B_GENEVE_IP};
    uint64_t ts = 1000000000;

    for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++) {
        tun_case tc = {"", SAMPO_LINKTYPE_ETHERNET, 4, builds[i], 0};
        for (size_t k = 0; k < sizeof tun_cases / sizeof tun_cases[0]; k++)
            if (tun_cases[k].build == builds[i])
                tc.tunnels = tun_cases[k].tunnels;
        frame f;
        build_tunnel(&f, &tc);
        sampo_packet pkt = SAMPO_PACKET_INIT;
        pkt.data = f.b;
        pkt.caplen = (uint32_t)f.n;
        pkt.wirelen = (uint32_t)f.n;
        pkt.ts_ns = ts += 1000;
        pkt.linktype = SAMPO_LINKTYPE_ETHERNET;
        cr_expect_eq(sampo_ctx_feed(ctx, &pkt), SAMPO_OK);
        /* the same cut in the inner TCP options: decoded, both counted */
        pkt.caplen = (uint32_t)(f.n - 100 - 10);
        pkt.ts_ns = ts += 1000;
        cr_expect_eq(sampo_ctx_feed(ctx, &pkt), SAMPO_OK);
        /* cut in the inner IP header: dropped, the tunnels still counted */
        pkt.caplen = (uint32_t)(f.n - 100 - 44 - 10);
        pkt.ts_ns = ts += 1000;
        cr_expect_eq(sampo_ctx_feed(ctx, &pkt), SAMPO_E_TRUNCATED);
    }
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_DECAPSULATED), 18);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TCP_OPTIONS_TRUNCATED), 6);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_IP_TRUNCATED), 6);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_VXLAN), 6);  /* VXLAN4, NESTED */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_GRE), 6);    /* ERSPAN2, NESTED */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_ERSPAN), 3); /* ERSPAN2 */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_MPLS), 3);   /* NESTED */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_PPPOE), 6);  /* PPPOE, NESTED */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_IP), 6);     /* IPIP6, NESTED */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_GENEVE), 3); /* GENEVE_IP */
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TUNNEL_TOO_DEEP), 0);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_TCP_PLAIN) +
                     sampo_ctx_counter(ctx, SAMPO_CNT_TCP_MPTCP),
                 12);
    sampo_ctx_destroy(ctx);
}
