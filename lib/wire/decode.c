/* decode.c - link, IPv4/IPv6 and TCP header decoding of one captured packet.
 *
 * Captures handed to a middlebox are often sampled and cut at 64 to 128
 * bytes, so every read is checked against caplen first; lengths that
 * describe the wire (IP total length, TCP data offset) are checked against
 * each other, and caplen only decides how much of that can be looked at.
 * No allocation, no state. */
#include "wire/decode.h"

#include <string.h>

#include "wire/bytes.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100 /* 802.1Q */
#define ETHERTYPE_QINQ 0x88a8 /* 802.1ad */
#define ETHERTYPE_QINQ_OLD 0x9100

#define ETH_HLEN 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define VLAN_HLEN 4
#define MAX_VLAN_TAGS 4 /* QinQ is 2; more is hostile or broken */

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define IPV6_MAX_EXT 16 /* bound the walk over a hostile chain */

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ESP_ 50
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135    /* RFC 6275 */
#define IPPROTO_HIP_ 139   /* RFC 7401 */
#define IPPROTO_SHIM6_ 140 /* RFC 5533 */

#define TCP_HLEN 20

/* The part of the packet still to decode: [off, caplen) is captured,
 * [off, wire) is what was on the wire (wire >= caplen). */
typedef struct cursor {
    const uint8_t *data;
    size_t caplen, wire, off;
} cursor;

static int fail(int *counter, int cnt, int status)
{
    *counter = cnt;
    return status;
}

static size_t captured(const cursor *c) { return c->caplen - c->off; }

/* Ethernet-family framing: an ethertype at `type_at`, the network header at
 * `hlen`, then any 802.1Q/802.1ad tags.  Sets *ethertype and moves c->off
 * to the network header. */
static int link_ether(cursor *c, size_t type_at, size_t hlen, unsigned *ethertype, int *counter)
{
    if (c->caplen < hlen)
        return fail(counter, SAMPO_CNT_L2_TRUNCATED, SAMPO_E_TRUNCATED);
    unsigned type = sampo__get16(c->data + type_at);
    size_t off = hlen;

    for (int tags = 0;
         type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD; tags++) {
        if (tags == MAX_VLAN_TAGS)
            return fail(counter, SAMPO_CNT_NOT_IP, SAMPO_E_NOTTCP);
        if (c->caplen - off < VLAN_HLEN)
            return fail(counter, SAMPO_CNT_L2_TRUNCATED, SAMPO_E_TRUNCATED);
        /* tag = TCI (2 bytes), then the inner ethertype */
        type = sampo__get16(c->data + off + 2);
        off += VLAN_HLEN;
    }
    c->off = off;
    *ethertype = type;
    return SAMPO_OK;
}

/* IPv4 (RFC 791).  On success c->off is at the transport header and
 * *l4_len is the transport length on the wire. */
static int decode_ipv4(cursor *c, sampo__pkt *out, size_t *l4_len, int *counter)
{
    const uint8_t *ip = c->data + c->off;
    size_t cap = captured(c);

    if (cap < 1)
        return fail(counter, SAMPO_CNT_IP_TRUNCATED, SAMPO_E_TRUNCATED);
    if (ip[0] >> 4 != 4)
        return fail(counter, SAMPO_CNT_IP_MALFORMED, SAMPO_E_MALFORMED);
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    if (ihl < IPV4_HLEN)
        return fail(counter, SAMPO_CNT_IP_MALFORMED, SAMPO_E_MALFORMED);
    if (cap < ihl) /* options are skipped, but must be there to skip */
        return fail(counter, SAMPO_CNT_IP_TRUNCATED, SAMPO_E_TRUNCATED);

    size_t total = sampo__get16(ip + 2);
    if (total == 0) {
        /* TSO/GSO super-packets are captured before segmentation with a
         * total length of 0 when they exceed 64 KiB: the wire length is the
         * only measure left. */
        total = c->wire - c->off;
    }
    if (total < ihl)
        return fail(counter, SAMPO_CNT_IP_MALFORMED, SAMPO_E_MALFORMED);

    /* Only the first fragment holds the TCP header; with MF set it is still
     * decoded, later ones are not (RFC 791 section 3.2). */
    if ((sampo__get16(ip + 6) & 0x1fff) != 0)
        return fail(counter, SAMPO_CNT_IP_FRAGMENT, SAMPO_E_FRAGMENT);
    if (ip[9] != IPPROTO_TCP_)
        return fail(counter, SAMPO_CNT_NOT_TCP, SAMPO_E_NOTTCP);

    out->family = 4;
    memcpy(out->src, ip + 12, 4);
    memcpy(out->dst, ip + 16, 4);
    c->off += ihl;
    *l4_len = total - ihl;
    return SAMPO_OK;
}

/* IPv6 (RFC 8200) and its extension headers (section 4). */
static int decode_ipv6(cursor *c, sampo__pkt *out, size_t *l4_len, int *counter)
{
    const uint8_t *ip = c->data + c->off;

    if (captured(c) < IPV6_HLEN)
        return fail(counter, SAMPO_CNT_IP_TRUNCATED, SAMPO_E_TRUNCATED);
    if (ip[0] >> 4 != 6)
        return fail(counter, SAMPO_CNT_IP_MALFORMED, SAMPO_E_MALFORMED);

    size_t plen = sampo__get16(ip + 4);
    if (plen == 0) {
        /* Jumbograms (RFC 2675) and TSO captures: fall back on the wire. */
        size_t wire_left = c->wire - c->off;
        plen = wire_left > IPV6_HLEN ? wire_left - IPV6_HLEN : 0;
    }
    unsigned next = ip[6];

    out->family = 6;
    memcpy(out->src, ip + 8, 16);
    memcpy(out->dst, ip + 24, 16);
    c->off += IPV6_HLEN;

    for (int n = 0;; n++) {
        const uint8_t *h = c->data + c->off;
        size_t hlen;

        if (next == IPPROTO_TCP_)
            break;
        if (n == IPV6_MAX_EXT)
            return fail(counter, SAMPO_CNT_IP_MALFORMED, SAMPO_E_MALFORMED);
        switch (next) {
        case IPPROTO_HOPOPTS_:
        case IPPROTO_ROUTING_:
        case IPPROTO_DSTOPTS_:
        case IPPROTO_MH_:
        case IPPROTO_HIP_:
        case IPPROTO_SHIM6_:
        case IPPROTO_FRAGMENT_:
        case IPPROTO_AH_:
            break;
        default:
            /* ESP (50) hides what follows, 59 says nothing follows, and
             * anything else is an upper layer that is not TCP. */
            return fail(counter, SAMPO_CNT_NOT_TCP, SAMPO_E_NOTTCP);
        }
        if (captured(c) < 2)
            return fail(counter, SAMPO_CNT_IPV6_EXT_TRUNCATED, SAMPO_E_TRUNCATED);
        if (next == IPPROTO_FRAGMENT_)
            hlen = 8;
        else if (next == IPPROTO_AH_)
            hlen = ((size_t)h[1] + 2) * 4; /* RFC 4302: 4-byte units, minus 2 */
        else
            hlen = ((size_t)h[1] + 1) * 8; /* RFC 8200: 8-byte units, minus 1 */
        if (hlen > plen)
            return fail(counter, SAMPO_CNT_IP_MALFORMED, SAMPO_E_MALFORMED);
        if (captured(c) < hlen)
            return fail(counter, SAMPO_CNT_IPV6_EXT_TRUNCATED, SAMPO_E_TRUNCATED);
        if (next == IPPROTO_FRAGMENT_ && (sampo__get16(h + 2) >> 3) != 0)
            return fail(counter, SAMPO_CNT_IP_FRAGMENT, SAMPO_E_FRAGMENT);
        next = h[0];
        plen -= hlen;
        c->off += hlen;
    }
    *l4_len = plen;
    return SAMPO_OK;
}

/* TCP (RFC 9293 section 3.1). */
static int decode_tcp(cursor *c, size_t l4_len, sampo__pkt *out, int *counter)
{
    const uint8_t *th = c->data + c->off;
    size_t cap = captured(c);

    if (cap < TCP_HLEN)
        return fail(counter, SAMPO_CNT_TCP_TRUNCATED, SAMPO_E_TRUNCATED);
    size_t doff = (size_t)(th[12] >> 4) * 4;
    if (doff < TCP_HLEN || doff > l4_len)
        return fail(counter, SAMPO_CNT_TCP_MALFORMED, SAMPO_E_MALFORMED);

    out->sport = sampo__get16(th);
    out->dport = sampo__get16(th + 2);
    out->seq = sampo__get32(th + 4);
    out->ack = sampo__get32(th + 8);
    out->tcp_flags = th[13];
    /* IP lengths fit 16 bits; only a TSO fallback on a huge wirelen can
     * exceed 32. */
    size_t payload = l4_len - doff;
    out->payload_len = payload > UINT32_MAX ? UINT32_MAX : (uint32_t)payload;

    size_t opts = doff - TCP_HLEN;
    size_t opts_cap = cap - TCP_HLEN;
    out->opts = th + TCP_HLEN;
    if (opts_cap < opts) {
        /* Sampled headers are cut here often: the options that were
         * captured are still worth parsing. */
        out->opts_len = (uint32_t)opts_cap;
        out->opts_truncated = 1;
        *counter = SAMPO_CNT_TCP_OPTIONS_TRUNCATED;
    } else {
        out->opts_len = (uint32_t)opts;
    }
    return SAMPO_OK;
}

int sampo__decode(int linktype, const uint8_t *data, size_t caplen, size_t wirelen, sampo__pkt *out,
                  int *counter)
{
    static const uint8_t empty[1];
    int dummy;
    cursor c;
    unsigned ethertype = 0;
    size_t l4_len = 0;
    int rc;

    if (counter == NULL)
        counter = &dummy;
    *counter = -1;
    if (out == NULL)
        return SAMPO_E_INVAL;
    memset(out, 0, sizeof *out);
    if (data == NULL) {
        /* nothing captured; a real pointer keeps the arithmetic defined */
        data = empty;
        caplen = 0;
    }
    /* wirelen 0 means "as captured"; a wirelen below caplen is a broken
     * capture header, and caplen is the better measure then. */
    c.data = data;
    c.caplen = caplen;
    c.wire = wirelen < caplen ? caplen : wirelen;
    c.off = 0;

    switch (linktype) {
    case SAMPO_LINKTYPE_ETHERNET:
        rc = link_ether(&c, 12, ETH_HLEN, &ethertype, counter);
        break;
    case SAMPO_LINKTYPE_LINUX_SLL:
        /* packet type 2, ARPHRD 2, address length 2, address 8, protocol 2 */
        rc = link_ether(&c, 14, SLL_HLEN, &ethertype, counter);
        break;
    case SAMPO_LINKTYPE_LINUX_SLL2:
        /* protocol 2, reserved 2, ifindex 4, ARPHRD 2, type 1, alen 1,
         * address 8 */
        rc = link_ether(&c, 0, SLL2_HLEN, &ethertype, counter);
        break;
    case SAMPO_LINKTYPE_RAW:
        if (caplen < 1)
            return fail(counter, SAMPO_CNT_IP_TRUNCATED, SAMPO_E_TRUNCATED);
        switch (data[0] >> 4) {
        case 4:
            ethertype = ETHERTYPE_IPV4;
            break;
        case 6:
            ethertype = ETHERTYPE_IPV6;
            break;
        default:
            return fail(counter, SAMPO_CNT_NOT_IP, SAMPO_E_NOTTCP);
        }
        rc = SAMPO_OK;
        break;
    case SAMPO_LINKTYPE_IPV4:
        ethertype = ETHERTYPE_IPV4;
        rc = SAMPO_OK;
        break;
    case SAMPO_LINKTYPE_IPV6:
        ethertype = ETHERTYPE_IPV6;
        rc = SAMPO_OK;
        break;
    default:
        return fail(counter, SAMPO_CNT_LINKTYPE_UNSUPPORTED, SAMPO_E_LINKTYPE);
    }
    if (rc != SAMPO_OK)
        return rc;

    if (ethertype == ETHERTYPE_IPV4)
        rc = decode_ipv4(&c, out, &l4_len, counter);
    else if (ethertype == ETHERTYPE_IPV6)
        rc = decode_ipv6(&c, out, &l4_len, counter);
    else
        return fail(counter, SAMPO_CNT_NOT_IP, SAMPO_E_NOTTCP);
    if (rc == SAMPO_OK)
        rc = decode_tcp(&c, l4_len, out, counter);
    if (rc != SAMPO_OK)
        memset(out, 0, sizeof *out); /* no half-filled result on a drop */
    return rc;
}
