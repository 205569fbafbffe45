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

static void expect_tcp(const sampo__pkt *p, int family, unsigned flags, uint32_t payload,
                       uint32_t opts_len)
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
    cr_expect_eq(p->tunnels, 0);
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
