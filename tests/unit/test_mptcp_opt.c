/* test_mptcp_opt.c - MPTCP option parser: option bytes in, fields out.
 *
 * Every case is a hex string (spaces ignored) and the complete expected
 * parse.  The bytes are copied into a heap buffer of exactly their length,
 * so that a read past the end is caught under ASan.  The "capture" cases
 * are option areas taken from the captures in data/pcaps and their expected
 * values are those tcpdump printed (data/pcaps/tcpdump-decodings); they are
 * embedded here so that the tests never read files. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/mptcp_opt.h"

#define SYN 0x02
#define ACK 0x10
#define PSH 0x08
#define FIN 0x01
#define RST 0x04
#define SYNACK (SYN | ACK)

#define CAP SAMPO__MPTCP_SUB_CAPABLE
#define JOIN SAMPO__MPTCP_SUB_JOIN
#define DSS SAMPO__MPTCP_SUB_DSS
#define ADDA SAMPO__MPTCP_SUB_ADD_ADDR
#define RMA SAMPO__MPTCP_SUB_REMOVE_ADDR
#define PRIO SAMPO__MPTCP_SUB_PRIO
#define FAIL SAMPO__MPTCP_SUB_FAIL
#define FCLOSE SAMPO__MPTCP_SUB_FASTCLOSE
#define TCPRST SAMPO__MPTCP_SUB_TCPRST
#define BIT(s) (1u << (s))

/* Keys and addresses with no symmetry, so that a swapped byte shows. */
#define K1 "a1b2c3d4e5f60718"
#define K1V 0xa1b2c3d4e5f60718ULL
#define K2 "192a3b4c5d6e7f80"
#define K2V 0x192a3b4c5d6e7f80ULL
#define V4 "c0000201" /* 192.0.2.1 */
#define V4B          \
    {                \
        192, 0, 2, 1 \
    }
#define V6 "20010db8000000000000000000000001" /* 2001:db8::1 */
#define V6B                                                        \
    {                                                              \
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 \
    }
#define HM "8899aabbccddeeff"
#define HMV 0x8899aabbccddeeffULL

typedef struct opt_case {
    char name[64];
    uint8_t tcp_flags;
    uint8_t ok_minus1, ok_plus1; /* still valid with the length byte -1 / +1 */
    char hex[256];
    sampo__mptcp_opts exp;
} opt_case;

/* --------------------------------------------------------------------- */
/* Helpers                                                                */
/* --------------------------------------------------------------------- */

static size_t hex_decode(const char *hex, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    int hi = -1;

    for (const char *p = hex; *p; p++) {
        int v;
        if (*p == ' ')
            continue;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            v = *p - 'A' + 10;
        else
            cr_assert_fail("bad hex digit '%c' in \"%s\"", *p, hex);
        if (hi < 0) {
            hi = v;
        } else {
            cr_assert_lt(n, cap, "hex longer than %zu bytes", cap);
            buf[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    cr_assert_eq(hi, -1, "odd number of hex digits in \"%s\"", hex);
    return n;
}

/* Parse `len` bytes from an exact-size heap copy, so ASan sees over-reads. */
static int parse_exact(const uint8_t *bytes, size_t len, uint8_t flags, sampo__mptcp_opts *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    memcpy(copy, bytes, len);
    int ret = sampo__mptcp_parse(copy, len, flags, out);
    free(copy);
    return ret;
}

static int popcount9(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

#define EQ(f)                                                                                  \
    cr_expect_eq(g->f, e->f, "%s: " #f " = %llu (0x%llx), want %llu (0x%llx)", name,           \
                 (unsigned long long)g->f, (unsigned long long)g->f, (unsigned long long)e->f, \
                 (unsigned long long)e->f)

/* Every member, so that a field written by mistake shows as well. */
static void expect_opts(const char *name, const sampo__mptcp_opts *g, const sampo__mptcp_opts *e)
{
    EQ(present);
    EQ(n_mptcp);
    EQ(n_malformed);
    EQ(n_truncated);
    EQ(n_unknown);
    EQ(n_duplicate);
    EQ(reserved);

    EQ(mpc.len);
    EQ(mpc.version);
    EQ(mpc.flags);
    EQ(mpc.has_snd_key);
    EQ(mpc.has_rcv_key);
    EQ(mpc.has_data_len);
    EQ(mpc.has_csum);
    EQ(mpc.snd_key);
    EQ(mpc.rcv_key);
    EQ(mpc.data_len);
    EQ(mpc.csum);

    EQ(join.len);
    EQ(join.backup);
    EQ(join.addr_id);
    EQ(join.token);
    EQ(join.nonce);
    EQ(join.thmac);

    EQ(dss.len);
    EQ(dss.flags);
    EQ(dss.has_ack);
    EQ(dss.ack64);
    EQ(dss.has_map);
    EQ(dss.dsn64);
    EQ(dss.data_fin);
    EQ(dss.has_csum);
    EQ(dss.data_ack);
    EQ(dss.dsn);
    EQ(dss.ssn);
    EQ(dss.data_len);
    EQ(dss.csum);

    EQ(add_addr.len);
    EQ(add_addr.version);
    EQ(add_addr.echo);
    EQ(add_addr.addr_id);
    EQ(add_addr.family);
    EQ(add_addr.has_port);
    EQ(add_addr.has_hmac);
    EQ(add_addr.port);
    EQ(add_addr.hmac);
    cr_expect_arr_eq(g->add_addr.addr, e->add_addr.addr, sizeof e->add_addr.addr,
                     "%s: add_addr.addr differs", name);

    EQ(rm_addr.n);
    cr_expect_arr_eq(g->rm_addr.ids, e->rm_addr.ids, sizeof e->rm_addr.ids,
                     "%s: rm_addr.ids differ", name);

    EQ(prio.len);
    EQ(prio.backup);
    EQ(prio.has_addr_id);
    EQ(prio.addr_id);

    EQ(fail.dsn);
    EQ(fastclose.key);
    EQ(tcprst.flags);
    EQ(tcprst.reason);
}

static void run_case(const opt_case *c)
{
    uint8_t buf[256];
    size_t len = hex_decode(c->hex, buf, sizeof buf);
    sampo__mptcp_opts got;

    memset(&got, 0xa5, sizeof got); /* the parser must overwrite all of it */
    int ret = parse_exact(buf, len, c->tcp_flags, &got);
    expect_opts(c->name, &got, &c->exp);
    cr_expect_eq(ret, popcount9(c->exp.present), "%s: returned %d", c->name, ret);
}

/* --------------------------------------------------------------------- */
/* Valid suboptions: every subtype, every legal length, both versions    */
/* --------------------------------------------------------------------- */

#define ONE(sub) .present = BIT(sub), .n_mptcp = 1

/* Tables of option bytes and the fields they give, laid out by hand. */
// clang-format off
static opt_case valid_cases[] = {
    /* MP_CAPABLE, RFC 8684 section 3.1 / RFC 6824 section 3.1 */
    {"mpc v1 SYN 4", SYN, 0, 0, "1e04 0181",
     {ONE(CAP), .mpc = {.len = 4, .version = 1, .flags = 0x81}}},
    {"mpc v0 SYN 12", SYN, 0, 0, "1e0c 0081 " K1,
     {ONE(CAP), .mpc = {.len = 12, .version = 0, .flags = 0x81, .has_snd_key = 1, .snd_key = K1V}}},
    {"mpc v1 SYN 12", SYN, 0, 0, "1e0c 0101 " K1,
     {ONE(CAP), .mpc = {.len = 12, .version = 1, .flags = 0x01, .has_snd_key = 1, .snd_key = K1V}}},
    {"mpc v0 SYN/ACK 12", SYNACK, 0, 0, "1e0c 0001 " K2,
     {ONE(CAP), .mpc = {.len = 12, .version = 0, .flags = 0x01, .has_snd_key = 1, .snd_key = K2V}}},
    {"mpc v1 SYN/ACK 12", SYNACK, 0, 0, "1e0c 0121 " K2,
     {ONE(CAP), .mpc = {.len = 12, .version = 1, .flags = 0x21, .has_snd_key = 1, .snd_key = K2V}}},
    {"mpc v0 ACK 20", ACK, 0, 0, "1e14 0081 " K1 K2,
     {ONE(CAP), .mpc = {.len = 20, .version = 0, .flags = 0x81, .has_snd_key = 1, .has_rcv_key = 1,
                        .snd_key = K1V, .rcv_key = K2V}}},
    {"mpc v1 ACK 20", ACK, 0, 0, "1e14 0101 " K1 K2,
     {ONE(CAP), .mpc = {.len = 20, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
                        .snd_key = K1V, .rcv_key = K2V}}},
    {"mpc v1 data 22", ACK | PSH, 0, 0, "1e16 0101 " K1 K2 " 05dc",
     {ONE(CAP), .mpc = {.len = 22, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
                        .has_data_len = 1, .snd_key = K1V, .rcv_key = K2V, .data_len = 1500}}},
    {"mpc v1 data+csum 24", ACK | PSH, 0, 0, "1e18 0181 " K1 K2 " 05dc beef",
     {ONE(CAP), .mpc = {.len = 24, .version = 1, .flags = 0x81, .has_snd_key = 1, .has_rcv_key = 1,
                        .has_data_len = 1, .has_csum = 1, .snd_key = K1V, .rcv_key = K2V,
                        .data_len = 1500, .csum = 0xbeef}}},

    /* MP_JOIN, section 3.2 */
    {"join SYN 12", SYN, 0, 0, "1e0c 1105 c0ffee01 12345678",
     {ONE(JOIN), .join = {.len = 12, .backup = 1, .addr_id = 5, .token = 0xc0ffee01,
                          .nonce = 0x12345678}}},
    {"join SYN/ACK 16", SYNACK, 0, 0, "1e10 1007 0102030405060708 9abcdef0",
     {ONE(JOIN), .join = {.len = 16, .backup = 0, .addr_id = 7, .thmac = 0x0102030405060708ULL,
                          .nonce = 0x9abcdef0}}},
    {"join SYN/ACK 16 backup", SYNACK, 0, 0, "1e10 1101 f0e0d0c0b0a09080 00000001",
     {ONE(JOIN), .join = {.len = 16, .backup = 1, .addr_id = 1, .thmac = 0xf0e0d0c0b0a09080ULL,
                          .nonce = 1}}},
    {"join ACK 24", ACK, 0, 0, "1e18 1000 00112233445566778899aabbccddeeff01234567",
     {ONE(JOIN), .join = {.len = 24}}},

    /* DSS, section 3.3: 4 + {0,4,8} + {0,10,14} + {0,2} */
    {"dss bare 4", ACK, 0, 0, "1e04 2000", {ONE(DSS), .dss = {.len = 4}}},
    {"dss DATA_FIN only 4", ACK, 0, 0, "1e04 2010",
     {ONE(DSS), .dss = {.len = 4, .flags = 0x10, .data_fin = 1}}},
    {"dss ack32 8", ACK, 0, 0, "1e08 2001 deadbeef",
     {ONE(DSS), .dss = {.len = 8, .flags = 0x01, .has_ack = 1, .data_ack = 0xdeadbeef}}},
    {"dss ack64 12", ACK, 0, 0, "1e0c 2003 0123456789abcdef",
     {ONE(DSS), .dss = {.len = 12, .flags = 0x03, .has_ack = 1, .ack64 = 1,
                        .data_ack = 0x0123456789abcdefULL}}},
    {"dss map32 14", ACK, 0, 0, "1e0e 2004 11223344 00000064 0200",
     {ONE(DSS), .dss = {.len = 14, .flags = 0x04, .has_map = 1, .dsn = 0x11223344, .ssn = 100,
                        .data_len = 512}}},
    {"dss map32+csum 16", ACK, 0, 0, "1e10 2004 11223344 00000064 0200 abcd",
     {ONE(DSS), .dss = {.len = 16, .flags = 0x04, .has_map = 1, .has_csum = 1, .dsn = 0x11223344,
                        .ssn = 100, .data_len = 512, .csum = 0xabcd}}},
    {"dss map64 18", ACK, 0, 0, "1e12 200c 1122334455667788 00000064 0200",
     {ONE(DSS), .dss = {.len = 18, .flags = 0x0c, .has_map = 1, .dsn64 = 1,
                        .dsn = 0x1122334455667788ULL, .ssn = 100, .data_len = 512}}},
    {"dss map64+csum 20", ACK, 0, 0, "1e14 200c 1122334455667788 00000064 0200 abcd",
     {ONE(DSS), .dss = {.len = 20, .flags = 0x0c, .has_map = 1, .dsn64 = 1, .has_csum = 1,
                        .dsn = 0x1122334455667788ULL, .ssn = 100, .data_len = 512, .csum = 0xabcd}}},
    {"dss ack32 map32 18", ACK, 0, 0, "1e12 2005 deadbeef 11223344 00000001 05b4",
     {ONE(DSS), .dss = {.len = 18, .flags = 0x05, .has_ack = 1, .has_map = 1,
                        .data_ack = 0xdeadbeef, .dsn = 0x11223344, .ssn = 1, .data_len = 1460}}},
    {"dss ack32 map32+csum 20 (v0)", ACK, 0, 0, "1e14 2005 deadbeef 11223344 00000001 05b4 0a51",
     {ONE(DSS), .dss = {.len = 20, .flags = 0x05, .has_ack = 1, .has_map = 1, .has_csum = 1,
                        .data_ack = 0xdeadbeef, .dsn = 0x11223344, .ssn = 1, .data_len = 1460,
                        .csum = 0x0a51}}},
    {"dss ack64 map32 22", ACK, 0, 0, "1e16 2007 0123456789abcdef 11223344 00000001 05b4",
     {ONE(DSS), .dss = {.len = 22, .flags = 0x07, .has_ack = 1, .ack64 = 1, .has_map = 1,
                        .data_ack = 0x0123456789abcdefULL, .dsn = 0x11223344, .ssn = 1,
                        .data_len = 1460}}},
    {"dss ack32 map64 22", ACK, 0, 0, "1e16 200d deadbeef 1122334455667788 00000001 05b4",
     {ONE(DSS), .dss = {.len = 22, .flags = 0x0d, .has_ack = 1, .has_map = 1, .dsn64 = 1,
                        .data_ack = 0xdeadbeef, .dsn = 0x1122334455667788ULL, .ssn = 1,
                        .data_len = 1460}}},
    {"dss ack64 map64 26 (Linux)", ACK, 0, 0,
     "1e1a 200f 0123456789abcdef 1122334455667788 00000001 05b4",
     {ONE(DSS), .dss = {.len = 26, .flags = 0x0f, .has_ack = 1, .ack64 = 1, .has_map = 1,
                        .dsn64 = 1, .data_ack = 0x0123456789abcdefULL,
                        .dsn = 0x1122334455667788ULL, .ssn = 1, .data_len = 1460}}},
    {"dss ack64 map64+csum 28", ACK, 0, 0,
     "1e1c 200f 0123456789abcdef 1122334455667788 00000001 05b4 ffff",
     {ONE(DSS), .dss = {.len = 28, .flags = 0x0f, .has_ack = 1, .ack64 = 1, .has_map = 1,
                        .dsn64 = 1, .has_csum = 1, .data_ack = 0x0123456789abcdefULL,
                        .dsn = 0x1122334455667788ULL, .ssn = 1, .data_len = 1460,
                        .csum = 0xffff}}},
    {"dss DATA_FIN map64 26", ACK | FIN, 0, 0,
     "1e1a 201f 0123456789abcdef 1122334455667788 00000000 0001",
     {ONE(DSS), .dss = {.len = 26, .flags = 0x1f, .has_ack = 1, .ack64 = 1, .has_map = 1,
                        .dsn64 = 1, .data_fin = 1, .data_ack = 0x0123456789abcdefULL,
                        .dsn = 0x1122334455667788ULL, .ssn = 0, .data_len = 1}}},
    {"dss infinite mapping 18", ACK, 0, 0, "1e12 2005 deadbeef 11223344 00000000 0000",
     {ONE(DSS), .dss = {.len = 18, .flags = 0x05, .has_ack = 1, .has_map = 1,
                        .data_ack = 0xdeadbeef, .dsn = 0x11223344, .ssn = 0, .data_len = 0}}},

    /* ADD_ADDR, section 3.4.1: v0 (IPVer nibble) */
    {"add_addr v0 ipv4 8", ACK, 0, 0, "1e08 3402 " V4,
     {ONE(ADDA), .add_addr = {.len = 8, .version = 0, .addr_id = 2, .family = 4, .addr = V4B}}},
    {"add_addr v0 ipv4+port 10", ACK, 0, 0, "1e0a 3402 " V4 " 1f90",
     {ONE(ADDA), .add_addr = {.len = 10, .version = 0, .addr_id = 2, .family = 4, .has_port = 1,
                              .port = 8080, .addr = V4B}}},
    {"add_addr v0 ipv6 20", ACK, 0, 0, "1e14 3603 " V6,
     {ONE(ADDA), .add_addr = {.len = 20, .version = 0, .addr_id = 3, .family = 6, .addr = V6B}}},
    {"add_addr v0 ipv6+port 22", ACK, 0, 0, "1e16 3603 " V6 " 01bb",
     {ONE(ADDA), .add_addr = {.len = 22, .version = 0, .addr_id = 3, .family = 6, .has_port = 1,
                              .port = 443, .addr = V6B}}},
    /* v1: E flag, HMAC unless echo */
    {"add_addr v1 ipv4 hmac 16", ACK, 0, 0, "1e10 3004 " V4 HM,
     {ONE(ADDA), .add_addr = {.len = 16, .version = 1, .addr_id = 4, .family = 4, .has_hmac = 1,
                              .hmac = HMV, .addr = V4B}}},
    {"add_addr v1 ipv4+port hmac 18", ACK, 0, 0, "1e12 3004 " V4 " 1f90 " HM,
     {ONE(ADDA), .add_addr = {.len = 18, .version = 1, .addr_id = 4, .family = 4, .has_port = 1,
                              .port = 8080, .has_hmac = 1, .hmac = HMV, .addr = V4B}}},
    {"add_addr v1 ipv6 hmac 28", ACK, 0, 0, "1e1c 3005 " V6 HM,
     {ONE(ADDA), .add_addr = {.len = 28, .version = 1, .addr_id = 5, .family = 6, .has_hmac = 1,
                              .hmac = HMV, .addr = V6B}}},
    {"add_addr v1 ipv6+port hmac 30", ACK, 0, 0, "1e1e 3005 " V6 " 01bb " HM,
     {ONE(ADDA), .add_addr = {.len = 30, .version = 1, .addr_id = 5, .family = 6, .has_port = 1,
                              .port = 443, .has_hmac = 1, .hmac = HMV, .addr = V6B}}},
    {"add_addr v1 echo ipv4 8", ACK, 0, 0, "1e08 3104 " V4,
     {ONE(ADDA), .add_addr = {.len = 8, .version = 1, .echo = 1, .addr_id = 4, .family = 4,
                              .addr = V4B}}},
    {"add_addr v1 echo ipv4+port 10", ACK, 0, 0, "1e0a 3104 " V4 " 1f90",
     {ONE(ADDA), .add_addr = {.len = 10, .version = 1, .echo = 1, .addr_id = 4, .family = 4,
                              .has_port = 1, .port = 8080, .addr = V4B}}},
    {"add_addr v1 echo ipv6 20", ACK, 0, 0, "1e14 3105 " V6,
     {ONE(ADDA), .add_addr = {.len = 20, .version = 1, .echo = 1, .addr_id = 5, .family = 6,
                              .addr = V6B}}},
    {"add_addr v1 echo ipv6+port 22", ACK, 0, 0, "1e16 3105 " V6 " 01bb",
     {ONE(ADDA), .add_addr = {.len = 22, .version = 1, .echo = 1, .addr_id = 5, .family = 6,
                              .has_port = 1, .port = 443, .addr = V6B}}},

    /* REMOVE_ADDR, section 3.4.2: 3 + n; one more id is still valid */
    {"remove_addr 1 id", ACK, 0, 1, "1e04 4007", {ONE(RMA), .rm_addr = {.n = 1, .ids = {7}}}},
    {"remove_addr 3 ids", ACK, 1, 1, "1e06 4001 0203",
     {ONE(RMA), .rm_addr = {.n = 3, .ids = {1, 2, 3}}}},
    {"remove_addr 40 ids (most)", ACK, 1, 0,
     "1e2b 40 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728",
     {ONE(RMA), .rm_addr = {.n = 40, .ids = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                             11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                             21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                                             31, 32, 33, 34, 35, 36, 37, 38, 39, 40}}}},

    /* MP_PRIO, section 3.3.8: 3, or 4 with the v0 address id */
    {"mp_prio 3 backup", ACK, 0, 1, "1e03 51", {ONE(PRIO), .prio = {.len = 3, .backup = 1}}},
    {"mp_prio 3 not backup", ACK, 0, 1, "1e03 50", {ONE(PRIO), .prio = {.len = 3, .backup = 0}}},
    {"mp_prio v0 4 addr id", ACK, 1, 0, "1e04 5009",
     {ONE(PRIO), .prio = {.len = 4, .backup = 0, .has_addr_id = 1, .addr_id = 9}}},

    /* MP_FAIL 3.7, MP_FASTCLOSE 3.5, MP_TCPRST 3.6 */
    {"mp_fail 12", ACK, 0, 0, "1e0c 6000 0102030405060708",
     {ONE(FAIL), .fail = {.dsn = 0x0102030405060708ULL}}},
    {"mp_fastclose 12", ACK, 0, 0, "1e0c 7000 " K1, {ONE(FCLOSE), .fastclose = {.key = K1V}}},
    {"mp_tcprst UVWT reason 6", RST, 0, 0, "1e04 8f06",
     {ONE(TCPRST), .tcprst = {.flags = 0x0f, .reason = 6}}},
    {"mp_tcprst T reason 1", RST | ACK, 0, 0, "1e04 8101",
     {ONE(TCPRST), .tcprst = {.flags = 0x01, .reason = 1}}},
};
// clang-format on

ParameterizedTestParameters(valid, fields)
{
    return cr_make_param_array(opt_case, valid_cases, sizeof valid_cases / sizeof valid_cases[0]);
}

ParameterizedTest(opt_case *c, valid, fields) { run_case(c); }

/* Every proper prefix of a valid option is a cut option: never present,
 * counted as truncated (once the kind byte is there), never read past. */
ParameterizedTestParameters(valid, every_truncation)
{
    return cr_make_param_array(opt_case, valid_cases, sizeof valid_cases / sizeof valid_cases[0]);
}

ParameterizedTest(opt_case *c, valid, every_truncation)
{
    uint8_t buf[256];
    size_t len = hex_decode(c->hex, buf, sizeof buf);

    for (size_t cut = 0; cut < len; cut++) {
        sampo__mptcp_opts got;
        int ret = parse_exact(buf, cut, c->tcp_flags, &got);
        cr_expect_eq(ret, 0, "%s cut at %zu: returned %d", c->name, cut, ret);
        cr_expect_eq(got.present, 0, "%s cut at %zu: present 0x%x", c->name, cut, got.present);
        cr_expect_eq(got.n_mptcp, cut > 0, "%s cut at %zu: n_mptcp %u", c->name, cut, got.n_mptcp);
        cr_expect_eq(got.n_truncated, cut > 0, "%s cut at %zu: n_truncated %u", c->name, cut,
                     got.n_truncated);
        cr_expect_eq(got.n_malformed, 0, "%s cut at %zu", c->name, cut);
    }
}

/* The length byte one less (last byte dropped) or one more (a zero byte
 * appended): malformed, except where the subtype really allows it. */
ParameterizedTestParameters(valid, length_off_by_one)
{
    return cr_make_param_array(opt_case, valid_cases, sizeof valid_cases / sizeof valid_cases[0]);
}

ParameterizedTest(opt_case *c, valid, length_off_by_one)
{
    uint8_t buf[257];
    size_t len = hex_decode(c->hex, buf, sizeof buf - 1);
    unsigned sub = buf[2] >> 4;

    for (int delta = -1; delta <= 1; delta += 2) {
        sampo__mptcp_opts got;
        size_t n = delta < 0 ? len - 1 : len + 1;
        int ok = delta < 0 ? c->ok_minus1 : c->ok_plus1;

        buf[1] = (uint8_t)n;
        buf[len] = 0;
        int ret = parse_exact(buf, n, c->tcp_flags, &got);
        cr_expect_eq(got.n_mptcp, 1, "%s len %zu", c->name, n);
        cr_expect_eq(got.n_truncated, 0, "%s len %zu", c->name, n);
        if (ok) {
            cr_expect_eq(got.present, BIT(sub), "%s len %zu: present 0x%x", c->name, n,
                         got.present);
            cr_expect_eq(got.n_malformed, 0, "%s len %zu", c->name, n);
            cr_expect_eq(ret, 1, "%s len %zu", c->name, n);
        } else {
            cr_expect_eq(got.present, 0, "%s len %zu: present 0x%x", c->name, n, got.present);
            cr_expect_eq(got.n_malformed, 1, "%s len %zu: n_malformed %u", c->name, n,
                         got.n_malformed);
            cr_expect_eq(ret, 0, "%s len %zu", c->name, n);
        }
    }
}

/* --------------------------------------------------------------------- */
/* Malformed and unknown suboptions                                       */
/* --------------------------------------------------------------------- */

#define MAL .n_mptcp = 1, .n_malformed = 1
#define UNK .n_mptcp = 1, .n_unknown = 1

/* Tables of option bytes and the fields they give, laid out by hand. */
// clang-format off
static opt_case bad_cases[] = {
    {"kind 30 length 2 (no subtype)", ACK, 0, 0, "1e02", {MAL}},
    {"mpc version 2", SYN, 0, 0, "1e0c 0281 " K1, {MAL}},
    {"mpc version 15", ACK, 0, 0, "1e14 0f81 " K1 K2, {MAL}},
    {"mpc v0 key-less 4", SYN, 0, 0, "1e04 0081", {MAL}},
    {"mpc v0 data 22", ACK, 0, 0, "1e16 0081 " K1 K2 " 05dc", {MAL}},
    {"mpc v0 data+csum 24", ACK, 0, 0, "1e18 0081 " K1 K2 " 05dc beef", {MAL}},
    {"mpc 12 without SYN", ACK, 0, 0, "1e0c 0101 " K2, {MAL}},
    {"mpc 20 on a SYN", SYN, 0, 0, "1e14 0101 " K1 K2, {MAL}},
    {"mpc 22 on a SYN/ACK", SYNACK, 0, 0, "1e16 0101 " K1 K2 " 05dc", {MAL}},
    {"mpc 4 on a SYN/ACK", SYNACK, 0, 0, "1e04 0101", {MAL}},
    {"mpc 4 without SYN", ACK, 0, 0, "1e04 0101", {MAL}},
    {"mpc 16", ACK, 0, 0, "1e10 0101 " K1 "00000000", {MAL}},
    {"join 12 on a SYN/ACK", SYNACK, 0, 0, "1e0c 1105 c0ffee01 12345678", {MAL}},
    {"join 12 on an ACK", ACK, 0, 0, "1e0c 1105 c0ffee01 12345678", {MAL}},
    {"join 16 on a SYN", SYN, 0, 0, "1e10 1007 0102030405060708 9abcdef0", {MAL}},
    {"join 16 on an ACK", ACK, 0, 0, "1e10 1007 0102030405060708 9abcdef0", {MAL}},
    {"join 24 on a SYN", SYN, 0, 0, "1e18 1000 00112233445566778899aabbccddeeff01234567", {MAL}},
    {"join 24 on a SYN/ACK", SYNACK, 0, 0, "1e18 1000 00112233445566778899aabbccddeeff01234567",
     {MAL}},
    {"dss 3 (mptcp-dss-oobr.pcap)", SYN, 0, 0, "1e03 20", {MAL}},
    {"dss A flag, no room for it", ACK, 0, 0, "1e04 2001", {MAL}},
    {"dss ack64 flag with 4-byte ack", ACK, 0, 0, "1e08 2003 deadbeef", {MAL}},
    {"dss checksum without a mapping", ACK, 0, 0, "1e0a 2001 deadbeef abcd", {MAL}},
    {"dss map64 flag, 4-byte dsn", ACK, 0, 0, "1e0e 200c 11223344 00000064 0200", {MAL}},
    {"dss map32 + 4 extra bytes", ACK, 0, 0, "1e12 2004 11223344 00000064 0200 abcd 0000", {MAL}},
    {"dss ack64 map64 26 with flags 0x05", ACK, 0, 0,
     "1e1a 2005 0123456789abcdef 1122334455667788 00000001 05b4", {MAL}},
    {"add_addr len 3", ACK, 0, 0, "1e03 30", {MAL}},
    {"add_addr v1 reserved bit 1", ACK, 0, 0, "1e10 3204 " V4 HM, {MAL}},
    {"add_addr v1 reserved bits 0xe", ACK, 0, 0, "1e08 3e04 " V4, {MAL}},
    {"add_addr IPVer 5", ACK, 0, 0, "1e08 3504 " V4, {MAL}},
    {"add_addr echo with an HMAC's length", ACK, 0, 0, "1e10 3104 " V4 HM, {MAL}},
    {"add_addr v1 without HMAC", ACK, 0, 0, "1e08 3004 " V4, {MAL}},
    {"add_addr v1 12", ACK, 0, 0, "1e0c 3004 " V4 "00000000", {MAL}},
    {"add_addr v0 ipv4 with ipv6 length", ACK, 0, 0, "1e14 3403 " V6, {MAL}},
    {"add_addr v0 ipv6 with ipv4 length", ACK, 0, 0, "1e08 3603 " V4, {MAL}},
    {"add_addr v0 ipv4 with hmac length", ACK, 0, 0, "1e10 3404 " V4 HM, {MAL}},
    {"remove_addr without ids", ACK, 0, 0, "1e03 40", {MAL}},
    {"remove_addr 41 ids", ACK, 0, 0,
     "1e2c 40 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829",
     {MAL}},
    {"mp_prio 5", ACK, 0, 0, "1e05 5101 00", {MAL}},
    {"mp_fail 4", ACK, 0, 0, "1e04 6000", {MAL}},
    {"mp_fail 16", ACK, 0, 0, "1e10 6000 0102030405060708 00000000", {MAL}},
    {"mp_fastclose 4", ACK, 0, 0, "1e04 7000", {MAL}},
    {"mp_fastclose 20", ACK, 0, 0, "1e14 7000 " K1 K2, {MAL}},
    {"mp_tcprst 3", RST, 0, 0, "1e03 80", {MAL}},
    {"mp_tcprst 8", RST, 0, 0, "1e08 8001 00000000", {MAL}},
    {"subtype 9", ACK, 0, 0, "1e04 9000", {UNK}},
    {"subtype 14", ACK, 0, 0, "1e03 e0", {UNK}},
    {"MP_EXPERIMENTAL 15", ACK, 0, 0, "1e08 f000 01020304", {UNK}},
};
// clang-format on

ParameterizedTestParameters(bad, rejected)
{
    return cr_make_param_array(opt_case, bad_cases, sizeof bad_cases / sizeof bad_cases[0]);
}

ParameterizedTest(opt_case *c, bad, rejected) { run_case(c); }

/* --------------------------------------------------------------------- */
/* The option walk: NOP, EOL, other options, several MPTCP options       */
/* --------------------------------------------------------------------- */

#define DSS8 "1e08 2001 01020304"
#define DSS8_EXP .dss = {.len = 8, .flags = 0x01, .has_ack = 1, .data_ack = 0x01020304}

/* Tables of option bytes and the fields they give, laid out by hand. */
// clang-format off
static opt_case walk_cases[] = {
    {"empty", ACK, 0, 0, "", {0}},
    {"only NOPs", ACK, 0, 0, "01010101", {0}},
    {"EOL then padding", ACK, 0, 0, "00000000", {0}},
    {"NOP NOP then DSS", ACK, 0, 0, "0101 " DSS8, {ONE(DSS), DSS8_EXP}},
    {"DSS then NOPs", ACK, 0, 0, DSS8 " 010101", {ONE(DSS), DSS8_EXP}},
    {"DSS after EOL is not parsed", ACK, 0, 0, "00 " DSS8, {0}},
    {"EOL after DSS, garbage after EOL", ACK, 0, 0, DSS8 " 00 1e02ff", {ONE(DSS), DSS8_EXP}},
    {"timestamps then DSS", ACK, 0, 0, "0101080a 00000001 00000002 " DSS8, {ONE(DSS), DSS8_EXP}},
    {"mss, sackOK, wscale around MP_CAPABLE", SYN, 0, 0, "020405b4 0402 1e040181 010303 07",
     {ONE(CAP), .mpc = {.len = 4, .version = 1, .flags = 0x81}}},
    {"other option past the end stops the walk", ACK, 0, 0, "0820 0000 " DSS8, {0}},
    {"other option of length 1 stops the walk", ACK, 0, 0, "0501 " DSS8, {0}},
    {"other option of length 0 stops the walk", ACK, 0, 0, "0800 " DSS8, {0}},
    {"kind 30 length 0 stops the walk", ACK, 0, 0, "1e00 " DSS8, {MAL}},
    {"kind 30 length 1 stops the walk", ACK, 0, 0, "1e01 " DSS8, {MAL}},
    {"kind 30 length 2, then DSS", ACK, 0, 0, "1e02 " DSS8,
     {.present = BIT(DSS), .n_mptcp = 2, .n_malformed = 1, DSS8_EXP}},
    {"kind 30 as the last byte", ACK, 0, 0, "0101 1e", {.n_mptcp = 1, .n_truncated = 1}},
    {"DSS, then an option cut by the end", ACK, 0, 0, DSS8 " 1e14 0081 a1b2",
     {.present = BIT(DSS), .n_mptcp = 2, .n_truncated = 1, DSS8_EXP}},
    {"unknown subtypes do not stop the walk", ACK, 0, 0, "1e04 9000 1e03 f0 " DSS8,
     {.present = BIT(DSS), .n_mptcp = 3, .n_unknown = 2, DSS8_EXP}},
    {"malformed option does not stop the walk", ACK, 0, 0, "1e05 5101 00 " DSS8,
     {.present = BIT(DSS), .n_mptcp = 2, .n_malformed = 1, DSS8_EXP}},
    {"ADD_ADDR and DSS", ACK, 0, 0, "1e08 3402 " V4 " " DSS8,
     {.present = BIT(ADDA) | BIT(DSS), .n_mptcp = 2, DSS8_EXP,
      .add_addr = {.len = 8, .version = 0, .addr_id = 2, .family = 4, .addr = V4B}}},
    {"MP_PRIO and DSS", ACK, 0, 0, DSS8 " 1e03 51",
     {.present = BIT(PRIO) | BIT(DSS), .n_mptcp = 2, DSS8_EXP, .prio = {.len = 3, .backup = 1}}},
    {"MP_FASTCLOSE and MP_TCPRST on a RST", RST | ACK, 0, 0, "1e0c 7000 " K1 " 1e04 8101",
     {.present = BIT(FCLOSE) | BIT(TCPRST), .n_mptcp = 2, .fastclose = {.key = K1V},
      .tcprst = {.flags = 1, .reason = 1}}},
    {"two DSS: first kept", ACK, 0, 0, DSS8 " 1e08 2001 05060708",
     {.present = BIT(DSS), .n_mptcp = 2, .n_duplicate = 1, DSS8_EXP}},
    {"two MP_CAPABLE: first kept", ACK, 0, 0, "1e14 0101 " K1 K2 " 1e14 0101 " K2 K1,
     {.present = BIT(CAP), .n_mptcp = 2, .n_duplicate = 1,
      .mpc = {.len = 20, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
              .snd_key = K1V, .rcv_key = K2V}}},
    {"two MP_JOIN: first kept", SYN, 0, 0, "1e0c 1105 c0ffee01 12345678 1e0c 1006 00000000 00000000",
     {.present = BIT(JOIN), .n_mptcp = 2, .n_duplicate = 1,
      .join = {.len = 12, .backup = 1, .addr_id = 5, .token = 0xc0ffee01, .nonce = 0x12345678}}},
    {"two MP_PRIO: first kept", ACK, 0, 0, "1e03 51 1e04 5009",
     {.present = BIT(PRIO), .n_mptcp = 2, .n_duplicate = 1, .prio = {.len = 3, .backup = 1}}},
    {"two MP_FAIL: first kept", ACK, 0, 0, "1e0c 6000 0000000000000001 1e0c 6000 0000000000000002",
     {.present = BIT(FAIL), .n_mptcp = 2, .n_duplicate = 1, .fail = {.dsn = 1}}},
    {"two MP_FASTCLOSE: first kept", ACK, 0, 0, "1e0c 7000 " K1 " 1e0c 7000 " K2,
     {.present = BIT(FCLOSE), .n_mptcp = 2, .n_duplicate = 1, .fastclose = {.key = K1V}}},
    {"two MP_TCPRST: first kept", RST, 0, 0, "1e04 8101 1e04 8002",
     {.present = BIT(TCPRST), .n_mptcp = 2, .n_duplicate = 1,
      .tcprst = {.flags = 1, .reason = 1}}},
    {"two ADD_ADDR: first kept, not a duplicate", ACK, 0, 0, "1e08 3104 " V4 " 1e14 3105 " V6,
     {.present = BIT(ADDA), .n_mptcp = 2,
      .add_addr = {.len = 8, .version = 1, .echo = 1, .addr_id = 4, .family = 4, .addr = V4B}}},
    {"two REMOVE_ADDR: first kept, not a duplicate", ACK, 0, 0, "1e04 4007 1e05 400809",
     {.present = BIT(RMA), .n_mptcp = 2, .rm_addr = {.n = 1, .ids = {7}}}},
    {"DSS then a malformed DSS: not a duplicate", ACK, 0, 0, DSS8 " 1e05 2001 00",
     {.present = BIT(DSS), .n_mptcp = 2, .n_malformed = 1, DSS8_EXP}},
    {"malformed DSS then a valid one: the valid one is kept", ACK, 0, 0, "1e05 2001 00 " DSS8,
     {.present = BIT(DSS), .n_mptcp = 2, .n_malformed = 1, DSS8_EXP}},
    {"all nine subtypes in one buffer", ACK, 0, 0,
     "1e14 0101 " K1 K2 " 1e18 1000 00112233445566778899aabbccddeeff01234567 " DSS8
     " 1e08 3402 " V4 " 1e04 4007 1e03 51 1e0c 6000 0102030405060708 1e0c 7000 " K2 " 1e04 8f06",
     {.present = 0x1ff, .n_mptcp = 9,
      .mpc = {.len = 20, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
              .snd_key = K1V, .rcv_key = K2V},
      .join = {.len = 24},
      DSS8_EXP,
      .add_addr = {.len = 8, .version = 0, .addr_id = 2, .family = 4, .addr = V4B},
      .rm_addr = {.n = 1, .ids = {7}},
      .prio = {.len = 3, .backup = 1},
      .fail = {.dsn = 0x0102030405060708ULL},
      .fastclose = {.key = K2V},
      .tcprst = {.flags = 0x0f, .reason = 6}}},
};
// clang-format on

ParameterizedTestParameters(walk, options)
{
    return cr_make_param_array(opt_case, walk_cases, sizeof walk_cases / sizeof walk_cases[0]);
}

ParameterizedTest(opt_case *c, walk, options) { run_case(c); }

/* --------------------------------------------------------------------- */
/* Real option areas from the captures vs. tcpdump's decoding             */
/* --------------------------------------------------------------------- */

/* Tables of option bytes and the fields they give, laid out by hand. */
// clang-format off
static opt_case capture_cases[] = {
    /* mptcp-v1.pcap #1: "mptcp 4 capable v1 flags [H]" */
    {"v1 #1 SYN", SYN, 0, 0, "020405b40402080a1baf9ea100000000010303081e040101",
     {ONE(CAP), .mpc = {.len = 4, .version = 1, .flags = 0x01}}},
    /* #2: "mptcp 12 capable v1 flags [H] {0x29a6c86981ad933c}" */
    {"v1 #2 SYN/ACK", SYNACK, 0, 0, "020405b40402080ac337c5931baf9ea1010303081e0c010129a6c86981ad933c",
     {ONE(CAP), .mpc = {.len = 12, .version = 1, .flags = 0x01, .has_snd_key = 1,
                        .snd_key = 0x29a6c86981ad933cULL}}},
    /* #3: "mptcp 20 capable v1 flags [H] {0x1fdb5df328bc3def,0x29a6c86981ad933c}" */
    {"v1 #3 ACK", ACK, 0, 0, "0101080a1baf9ea1c337c5931e1401011fdb5df328bc3def29a6c86981ad933c",
     {ONE(CAP), .mpc = {.len = 20, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
                        .snd_key = 0x1fdb5df328bc3defULL, .rcv_key = 0x29a6c86981ad933cULL}}},
    /* #4: "mptcp 22 capable v1 flags [H] {...,data_len=8192},nop,nop" */
    {"v1 #4 first data", ACK | PSH, 0, 0,
     "0101080a1baf9ea1c337c5931e1601011fdb5df328bc3def29a6c86981ad933c20000101",
     {ONE(CAP), .mpc = {.len = 22, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
                        .has_data_len = 1, .snd_key = 0x1fdb5df328bc3defULL,
                        .rcv_key = 0x29a6c86981ad933cULL, .data_len = 8192}}},
    /* #5: "mptcp 12 dss ack 14413541604287230030" */
    {"v1 #5 DATA_ACK64", ACK, 0, 0, "0101080ac337c5931baf9ea11e0c2003c8072fb90edab04e",
     {ONE(DSS), .dss = {.len = 12, .flags = 0x03, .has_ack = 1, .ack64 = 1,
                        .data_ack = 14413541604287230030ULL}}},
    /* #7: "mptcp 26 dss ack 14413541604287230030 seq 11713449205243392242 subseq 1 len 8192" */
    {"v1 #7 DSS 26", ACK | PSH, 0, 0,
     "0101080ac337c5931baf9ea11e1a200fc8072fb90edab04ea28e87fddd1d30f20000000120000101",
     {ONE(DSS), .dss = {.len = 26, .flags = 0x0f, .has_ack = 1, .ack64 = 1, .has_map = 1,
                        .dsn64 = 1, .data_ack = 14413541604287230030ULL,
                        .dsn = 11713449205243392242ULL, .ssn = 1, .data_len = 8192}}},
    /* #16: "mptcp 26 dss fin ack 11713449205243400434 seq 14413541604287240298 subseq 0 len 1" */
    {"v1 #16 DATA_FIN", ACK | FIN, 0, 0,
     "0101080a1baf9ea1c337c5931e1a201fa28e87fddd1d50f2c8072fb90edad86a0000000000010101",
     {ONE(DSS), .dss = {.len = 26, .flags = 0x1f, .has_ack = 1, .ack64 = 1, .has_map = 1,
                        .dsn64 = 1, .data_fin = 1, .data_ack = 11713449205243400434ULL,
                        .dsn = 14413541604287240298ULL, .ssn = 0, .data_len = 1}}},
    /* mptcp-aa-v1.pcap #6: "mptcp 22 capable v1 flags [H] {0x8f0c7c64a6a32ac1,0x73bb150358a0aecb,data_len=16}" */
    {"aa-v1 #6 first data", ACK | PSH, 0, 0,
     "0101080a7b66492337f2f84f1e1601018f0c7c64a6a32ac173bb150358a0aecb00100101",
     {ONE(CAP), .mpc = {.len = 22, .version = 1, .flags = 0x01, .has_snd_key = 1, .has_rcv_key = 1,
                        .has_data_len = 1, .snd_key = 0x8f0c7c64a6a32ac1ULL,
                        .rcv_key = 0x73bb150358a0aecbULL, .data_len = 16}}},
    /* #13: "mptcp 16 add-addr v1 id 1 192.168.136.225 hmac 0x669928744366716c,
     *       mptcp 12 dss ack 17186763219675866581" */
    {"aa-v1 #13 ADD_ADDR+HMAC, DSS", ACK, 0, 0,
     "0101080a37f2fc3e7b664d0f1e103001c0a888e1669928744366716c1e0c2003ee83a616c38765d5",
     {.present = BIT(ADDA) | BIT(DSS), .n_mptcp = 2,
      .add_addr = {.len = 16, .version = 1, .addr_id = 1, .family = 4, .has_hmac = 1,
                   .hmac = 0x669928744366716cULL, .addr = {192, 168, 136, 225}},
      .dss = {.len = 12, .flags = 0x03, .has_ack = 1, .ack64 = 1,
              .data_ack = 17186763219675866581ULL}}},
    /* mptcp-aa-echo.pcap #1: "mptcp 16 add-addr v1 id 1 10.0.2.1 hmac 0xf8295862f645df19,
     *                         mptcp 8 dss ack 3502078703" */
    {"aa-echo #1 ADD_ADDR+HMAC, DSS", ACK, 0, 0,
     "0101080a79b051273009cb9e1e1030010a000201f8295862f645df191e082001d0bd7aef",
     {.present = BIT(ADDA) | BIT(DSS), .n_mptcp = 2,
      .add_addr = {.len = 16, .version = 1, .addr_id = 1, .family = 4, .has_hmac = 1,
                   .hmac = 0xf8295862f645df19ULL, .addr = {10, 0, 2, 1}},
      .dss = {.len = 8, .flags = 0x01, .has_ack = 1, .data_ack = 3502078703ULL}}},
    /* #2: "mptcp 8 add-addr v1-echo id 1 10.0.2.1,mptcp 12 dss ack 17984156407873109865" */
    {"aa-echo #2 ADD_ADDR echo, DSS", ACK, 0, 0,
     "0101080a16407324fed4eb3e1e0831010a0002011e0c2003f9948ef804577f69",
     {.present = BIT(ADDA) | BIT(DSS), .n_mptcp = 2,
      .add_addr = {.len = 8, .version = 1, .echo = 1, .addr_id = 1, .family = 4,
                   .addr = {10, 0, 2, 1}},
      .dss = {.len = 12, .flags = 0x03, .has_ack = 1, .ack64 = 1,
              .data_ack = 17984156407873109865ULL}}},
    /* mptcp-v0.pcap #1: "mptcp 12 capable v0 flags [AH] csum {0x9c9eabd1e46a33b2}" */
    {"v0 #1 SYN", SYN, 0, 0, "020405b40402080affffa1b000000000010303061e0c00819c9eabd1e46a33b2",
     {ONE(CAP), .mpc = {.len = 12, .version = 0, .flags = 0x81, .has_snd_key = 1,
                        .snd_key = 0x9c9eabd1e46a33b2ULL}}},
    /* #2: "mptcp 12 capable v0 flags [AH] csum {0x967d2770b6960552}" */
    {"v0 #2 SYN/ACK", SYNACK, 0, 0, "020405b40402080affffa2ebffffa1b0010303051e0c0081967d2770b6960552",
     {ONE(CAP), .mpc = {.len = 12, .version = 0, .flags = 0x81, .has_snd_key = 1,
                        .snd_key = 0x967d2770b6960552ULL}}},
    /* #3: "mptcp 20 capable v0 flags [AH] csum {0x9c9eabd1e46a33b2,0x967d2770b6960552}" */
    {"v0 #3 ACK", ACK, 0, 0, "0101080affffa1b0ffffa2eb1e1400819c9eabd1e46a33b2967d2770b6960552",
     {ONE(CAP), .mpc = {.len = 20, .version = 0, .flags = 0x81, .has_snd_key = 1, .has_rcv_key = 1,
                        .snd_key = 0x9c9eabd1e46a33b2ULL, .rcv_key = 0x967d2770b6960552ULL}}},
    /* #4: "mptcp 8 add-addr v0-ip4 id 1 10.1.2.2,
     *      mptcp 20 dss ack 3576348362 seq 3518592144 subseq 1 len 41 csum 0x82f" */
    {"v0 #4 ADD_ADDR, DSS 20 csum", ACK | PSH, 0, 0,
     "0101080affffa2f2ffffa1b01e0834010a0102021e142005d52abecad1b97490000000010029082f",
     {.present = BIT(ADDA) | BIT(DSS), .n_mptcp = 2,
      .add_addr = {.len = 8, .version = 0, .addr_id = 1, .family = 4, .addr = {10, 1, 2, 2}},
      .dss = {.len = 20, .flags = 0x05, .has_ack = 1, .has_map = 1, .has_csum = 1,
              .data_ack = 3576348362ULL, .dsn = 3518592144ULL, .ssn = 1, .data_len = 41,
              .csum = 0x82f}}},
    /* #5: "mptcp 8 dss ack 3518592185" */
    {"v0 #5 DATA_ACK32", ACK, 0, 0, "0101080affffa1c0ffffa2f21e082001d1b974b9",
     {ONE(DSS), .dss = {.len = 8, .flags = 0x01, .has_ack = 1, .data_ack = 3518592185ULL}}},
    /* #8: "mptcp 12 join id 0 token 0xe47f0142 nonce 0x1b665a18" */
    {"v0 #8 MP_JOIN SYN", SYN, 0, 0, "020405b40402080affffa1c000000000010303061e0c1000e47f01421b665a18",
     {ONE(JOIN), .join = {.len = 12, .backup = 0, .addr_id = 0, .token = 0xe47f0142,
                          .nonce = 0x1b665a18}}},
    /* #9: "mptcp 16 join id 1 hmac 0x5ab680c7884af03d nonce 0x33abe9d5" */
    {"v0 #9 MP_JOIN SYN/ACK", SYNACK, 0, 0,
     "020405b40402080affffa2f2ffffa1c0010303051e1010015ab680c7884af03d33abe9d5",
     {ONE(JOIN), .join = {.len = 16, .backup = 0, .addr_id = 1, .thmac = 0x5ab680c7884af03dULL,
                          .nonce = 0x33abe9d5}}},
    /* #10: "mptcp 24 join hmac 0xcb7b87f5e5f0502f43b535fb70ef6607df2e6c7a" */
    {"v0 #10 MP_JOIN ACK", ACK, 0, 0,
     "0101080affffa1c0ffffa2f21e181000cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a",
     {ONE(JOIN), .join = {.len = 24}}},
    /* #210: "mptcp 4 rem-addr id 0,mptcp 8 dss ack 3576352763" */
    {"v0 #210 REMOVE_ADDR, DSS", ACK, 0, 0, "0101080affffa536ffffa24a1e0440001e082001d52acffb",
     {.present = BIT(RMA) | BIT(DSS), .n_mptcp = 2, .rm_addr = {.n = 1, .ids = {0}},
      .dss = {.len = 8, .flags = 0x01, .has_ack = 1, .data_ack = 3576352763ULL}}},
    /* #259: "mptcp 20 dss fin ack 3518600705 seq 3576353483 subseq 0 len 1 csum 0xa51" */
    {"v0 #259 DATA_FIN csum", ACK, 0, 0,
     "0101080affffa540ffffa6741e142015d1b99601d52ad2cb0000000000010a51",
     {ONE(DSS), .dss = {.len = 20, .flags = 0x15, .has_ack = 1, .has_map = 1, .data_fin = 1,
                        .has_csum = 1, .data_ack = 3518600705ULL, .dsn = 3576353483ULL,
                        .ssn = 0, .data_len = 1, .csum = 0xa51}}},
    /* mptcp-fclose.pcap #10: "mptcp 12 fast-close key 0xd005b1ab34bad344" */
    {"fclose #10", ACK, 0, 0, "0101080a0000974effffa2121e0c7000d005b1ab34bad344",
     {ONE(FCLOSE), .fastclose = {.key = 0xd005b1ab34bad344ULL}}},
    /* mptcp-tcprst.pcap #1: "mptcp 4 tcprst flags [none] reason Unspecified error" */
    {"tcprst #1", RST | ACK, 0, 0, "1e048000",
     {ONE(TCPRST), .tcprst = {.flags = 0, .reason = 0}}},
    /* #2: "mptcp 4 tcprst flags [T] reason MPTCP-specific error" */
    {"tcprst #2", RST | ACK, 0, 0, "1e048101",
     {ONE(TCPRST), .tcprst = {.flags = 0x01, .reason = 1}}},
    /* mptcp-dss-oobr.pcap #1: caplen 73 leaves 19 of the 20 option bytes;
     * tcpdump: "mptcp 3 dss[bad opt]" */
    {"dss-oobr #1", SYN, 0, 0, "0204400c0402080a23975534000000001e0320", {MAL}},
};
// clang-format on

ParameterizedTestParameters(capture, vs_tcpdump)
{
    return cr_make_param_array(opt_case, capture_cases,
                               sizeof capture_cases / sizeof capture_cases[0]);
}

ParameterizedTest(opt_case *c, capture, vs_tcpdump) { run_case(c); }

/* --------------------------------------------------------------------- */
/* Contract details                                                       */
/* --------------------------------------------------------------------- */

Test(contract, out_fully_zeroed)
{
    sampo__mptcp_opts got, zero;
    const uint8_t nop[1] = {1};

    memset(&zero, 0, sizeof zero);
    memset(&got, 0xff, sizeof got);
    cr_expect_eq(sampo__mptcp_parse(nop, sizeof nop, ACK, &got), 0);
    cr_expect_arr_eq(&got, &zero, sizeof got, "padding and all members must be zero");

    memset(&got, 0xff, sizeof got);
    cr_expect_eq(sampo__mptcp_parse(NULL, 0, ACK, &got), 0);
    cr_expect_arr_eq(&got, &zero, sizeof got);

    memset(&got, 0xff, sizeof got);
    cr_expect_eq(sampo__mptcp_parse(NULL, 12, ACK, &got), 0, "NULL bytes read nothing");
    cr_expect_arr_eq(&got, &zero, sizeof got);

    cr_expect_eq(sampo__mptcp_parse(nop, sizeof nop, ACK, NULL), 0, "NULL out is refused");
}

/* An absurdly long (non-TCP) buffer of 2-byte kind-30 options: counters
 * saturate instead of wrapping. */
Test(contract, counters_saturate)
{
    size_t len = 2 * 70000;
    uint8_t *buf = malloc(len);
    sampo__mptcp_opts got;

    cr_assert_not_null(buf);
    for (size_t i = 0; i < len; i += 2) {
        buf[i] = 30;
        buf[i + 1] = 2;
    }
    cr_expect_eq(sampo__mptcp_parse(buf, len, ACK, &got), 0);
    cr_expect_eq(got.n_mptcp, UINT16_MAX);
    cr_expect_eq(got.n_malformed, UINT16_MAX);
    cr_expect_eq(got.present, 0);
    free(buf);
}

/* MP_JOIN and MP_CAPABLE depend on SYN and ACK only: other flag bits
 * (PSH, ECE, CWR...) do not change the form. */
Test(contract, other_tcp_flags_ignored)
{
    static const uint8_t join_syn[] = {0x1e, 0x0c, 0x10, 0x02, 0xe4, 0x7f,
                                       0x01, 0x42, 0x1b, 0x66, 0x5a, 0x18};
    sampo__mptcp_opts got;

    cr_expect_eq(parse_exact(join_syn, sizeof join_syn, SYN | 0xc0 | PSH, &got), 1);
    cr_expect_eq(got.join.token, 0xe47f0142);
    cr_expect_eq(got.join.nonce, 0x1b665a18);
    cr_expect_eq(got.join.addr_id, 2);
    cr_expect_eq(parse_exact(join_syn, sizeof join_syn, SYN | ACK | 0xc0, &got), 0);
    cr_expect_eq(got.n_malformed, 1);
}
