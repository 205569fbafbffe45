/* test_community_id.c - sampo-cli's Community ID v1
 * (tools/sampo-cli/community_id.c) against the published test vectors of
 * the spec, https://github.com/corelight/community-id-spec:
 *   - baseline/README.md, tables "Default settings", "A custom seed=1
 *     value" and "No base64-encoding" (TCP, UDP, SCTP, RSVP rows);
 *   - baseline/baseline_deflt.json (pycommunityid's community-id-pcap on
 *     pcaps/combined.pcap.gz): its TCP over IPv4 and IPv6 and UDP tuples.
 * Each vector is checked in both directions: the ID has none. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "community_id.h"

struct vector {
    const char *saddr, *daddr;
    int sport, dport; /* -1: a protocol without ports */
    int proto, seed;
    const char *id;
};

static const struct vector vectors[] = {
    /* baseline/README.md, default settings (seed 0) */
    {"1.2.3.4", "5.6.7.8", 1122, 3344, 6, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
    {"1.2.3.4", "5.6.7.8", 1122, 3344, 17, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
    {"1.2.3.4", "5.6.7.8", 1122, 3344, 132, 0, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
    {"1.2.3.4", "5.6.7.8", -1, -1, 46, 0, "1:ikv3kmf89luf73WPz1jOs49S768="},
    {"fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", -1, -1,
     46, 0, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
    /* baseline/README.md, seed=1 */
    {"1.2.3.4", "5.6.7.8", 1122, 3344, 6, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
    {"1.2.3.4", "5.6.7.8", 1122, 3344, 17, 1, "1:OShq+iKDAMVouh/4bMxB9Sz4amw="},
    {"fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", -1, -1,
     46, 1, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="},
    /* baseline/baseline_deflt.json */
    {"2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 6, 0,
     "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {"128.232.110.120", "66.35.250.204", 34855, 80, 6, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {"192.168.1.52", "8.8.8.8", 54585, 53, 17, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {"192.168.170.8", "192.168.170.56", 7, 7, 132, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
};

static int parse(const char *text, uint8_t *out)
{
    if (inet_pton(AF_INET, text, out) == 1)
        return 4;
    cr_assert_eq(inet_pton(AF_INET6, text, out), 1, "%s", text);
    return 6;
}

static void check(const struct vector *v, int swap)
{
    uint8_t a[16], b[16];
    char id[COMMUNITY_ID_LEN];
    int fa = parse(v->saddr, a), fb = parse(v->daddr, b);
    int ports = v->sport >= 0;

    cr_assert_eq(fa, fb);
    if (!swap)
        cr_assert_eq(community_id_v1(fa, a, b, (uint16_t)(ports ? v->sport : 0),
                                     (uint16_t)(ports ? v->dport : 0), (uint8_t)v->proto, ports,
                                     (uint16_t)v->seed, id, sizeof id),
                     0);
    else
        cr_assert_eq(community_id_v1(fa, b, a, (uint16_t)(ports ? v->dport : 0),
                                     (uint16_t)(ports ? v->sport : 0), (uint8_t)v->proto, ports,
                                     (uint16_t)v->seed, id, sizeof id),
                     0);
    cr_expect_str_eq(id, v->id, "%s %s:%d-%s:%d seed %d%s", v->proto == 6 ? "tcp" : "proto",
                     v->saddr, v->sport, v->daddr, v->dport, v->seed, swap ? " (reversed)" : "");
}

Test(community_id, spec_vectors)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        check(&vectors[i], 0);
        check(&vectors[i], 1);
    }
}

/* A sampo_flow, as the subflow records hand it over. */
Test(community_id, flow)
{
    sampo_flow f;
    char id[COMMUNITY_ID_LEN];

    memset(&f, 0, sizeof f);
    f.family = 4;
    f.src_port = 3344;
    f.dst_port = 1122;
    parse("5.6.7.8", f.src);
    parse("1.2.3.4", f.dst);
    cr_assert_eq(community_id_flow(&f, 0, id, sizeof id), 0);
    cr_expect_str_eq(id, "1:wCb3OG7yAFWelaUydu0D+125CLM=");
}

/* Equal addresses: the ports decide the order. */
Test(community_id, same_address)
{
    uint8_t a[4] = {127, 0, 0, 1};
    char x[COMMUNITY_ID_LEN], y[COMMUNITY_ID_LEN];

    cr_assert_eq(community_id_v1(4, a, a, 80, 1234, 6, 1, 0, x, sizeof x), 0);
    cr_assert_eq(community_id_v1(4, a, a, 1234, 80, 6, 1, 0, y, sizeof y), 0);
    cr_expect_str_eq(x, y);
}

Test(community_id, bad_input)
{
    uint8_t a[16] = {0};
    char id[COMMUNITY_ID_LEN];

    cr_expect_eq(community_id_v1(0, a, a, 1, 2, 6, 1, 0, id, sizeof id), -1);
    cr_expect_str_eq(id, "");
    cr_expect_eq(community_id_v1(4, a, a, 1, 2, 6, 1, 0, id, 10), -1);
    cr_expect_str_eq(id, "");
}
