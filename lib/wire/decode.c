/* decode.c - link, IPv4/IPv6 and TCP header decoding of one captured packet,
 * through the tunnels that mirrored traffic arrives in.
 *
 * Captures handed to a middlebox are often sampled and cut at 64 to 128
 * bytes, so every read is checked against caplen first; lengths that
 * describe the wire (IP total length, TCP data offset) are checked against
 * each other, and caplen only decides how much of that can be looked at.
 * No allocation, no state.
 *
 * Tunnels (GRE, ERSPAN, VXLAN, Geneve, MPLS, PPPoE, IP-in-IP) are removed
 * by decapsulate(), which is entered only once a packet's ethertype or IP
 * protocol is known not to be IP or TCP: plain TCP/IP takes the same path
 * as without it.  The flow key, sequence numbers and options are those of
 * the innermost TCP header. */
#include "wire/decode.h"

#include <string.h>

#include "wire/bytes.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100 /* 802.1Q */
#define ETHERTYPE_QINQ 0x88a8 /* 802.1ad */
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_TEB 0x6558     /* Transparent Ethernet Bridging: an Ethernet frame */
#define ETHERTYPE_MPLS 0x8847    /* RFC 3032 */
#define ETHERTYPE_MPLS_MC 0x8848 /* RFC 5332 */
#define ETHERTYPE_PPPOE 0x8864   /* RFC 2516, session stage */
#define ETHERTYPE_ERSPAN2 0x88be /* ERSPAN type I (no sequence number) and II */
#define ETHERTYPE_ERSPAN3 0x22eb

#define ETH_HLEN 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define VLAN_HLEN 4
#define MAX_VLAN_TAGS 4 /* QinQ is 2; more is hostile or broken */

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define IPV6_MAX_EXT 16 /* bound the walk over a hostile chain */

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_IPIP_ 4 /* RFC 2003 */
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_IPV6_ 41 /* RFC 4213, RFC 2473 */
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_GRE_ 47
#define IPPROTO_ESP_ 50
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135    /* RFC 6275 */
#define IPPROTO_HIP_ 139   /* RFC 7401 */
#define IPPROTO_SHIM6_ 140 /* RFC 5533 */

#define TCP_HLEN 20
#define UDP_HLEN 8

#define UDP_PORT_VXLAN 4789  /* RFC 7348 */
#define UDP_PORT_GENEVE 6081 /* RFC 8926 */

#define MAX_TUNNELS 8     /* nested tunnel headers; a 9th is dropped */
#define MAX_MPLS_LABELS 8 /* label stack entries of one MPLS header */

/* Positive statuses of the network layer, for decapsulate() only: the IP
 * header was decoded and *proto is not TCP; the ethertype is not IP. */
#define NEXT_UPPER 1
#define NEXT_LINK 2

/* Plain TCP/IP keeps its own copy of the network layer, as it had before
 * tunnels; decapsulate() is out of its way. */
#define HOT __attribute__((always_inline)) inline
#define COLD __attribute__((noinline, cold))

/* The part of the packet still to decode: [off, caplen) is captured,
 * [off, wire) is what was on the wire (wire >= caplen).  Inside a tunnel,
 * wire ends where the outer header says its payload ends.  more_frags: the
 * IP header just decoded is a first fragment with more to come (its
 * payload's own lengths may go past it). */
typedef struct cursor {
    const uint8_t *data;
    size_t caplen, wire, off;
    int more_frags;
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
HOT static int link_ether(cursor *c, size_t type_at, size_t hlen, unsigned *ethertype, int *counter)
{
    const uint8_t *h = c->data + c->off;
    size_t cap = captured(c);

    if (cap < hlen)
        return fail(counter, SAMPO_CNT_L2_TRUNCATED, SAMPO_E_TRUNCATED);
    unsigned type = sampo__get16(h + type_at);
    size_t off = hlen;

    for (int tags = 0;
         type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD; tags++) {
        if (tags == MAX_VLAN_TAGS)
            return fail(counter, SAMPO_CNT_NOT_IP, SAMPO_E_NOTTCP);
        if (cap - off < VLAN_HLEN)
            return fail(counter, SAMPO_CNT_L2_TRUNCATED, SAMPO_E_TRUNCATED);
        /* tag = TCI (2 bytes), then the inner ethertype */
        type = sampo__get16(h + off + 2);
        off += VLAN_HLEN;
    }
    c->off += off;
    *ethertype = type;
    return SAMPO_OK;
}

/* IPv4 (RFC 791).  On success c->off is at the transport header and
 * *l4_len is the transport length on the wire; NEXT_UPPER (same, with
 * *proto set, out untouched) when the transport is not TCP. */
HOT static int decode_ipv4(cursor *c, sampo__pkt *out, size_t *l4_len, unsigned *proto,
                           int *counter)
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
    if (ip[9] != IPPROTO_TCP_) {
        *proto = ip[9];
        c->more_frags = (ip[6] & 0x20) != 0;
        c->off += ihl;
        *l4_len = total - ihl;
        return NEXT_UPPER;
    }

    out->family = 4;
    memcpy(out->src, ip + 12, 4);
    memcpy(out->dst, ip + 16, 4);
    c->off += ihl;
    *l4_len = total - ihl;
    return SAMPO_OK;
}

/* IPv6 (RFC 8200) and its extension headers (section 4).  NEXT_UPPER
 * with *proto for an upper layer that is not TCP. */
HOT static int decode_ipv6(cursor *c, sampo__pkt *out, size_t *l4_len, unsigned *proto,
                           int *counter)
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
    int more_frags = 0;

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
             * anything else is an upper layer that is not TCP (a tunnel,
             * perhaps). */
            *proto = next;
            *l4_len = plen;
            c->more_frags = more_frags;
            return NEXT_UPPER;
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
        if (next == IPPROTO_FRAGMENT_) {
            if ((sampo__get16(h + 2) >> 3) != 0)
                return fail(counter, SAMPO_CNT_IP_FRAGMENT, SAMPO_E_FRAGMENT);
            more_frags = h[3] & 1;
        }
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

/* --------------------------------------------------------------------- */
/* Tunnels                                                                */
/* --------------------------------------------------------------------- */

/* A tunnel header of `hlen` bytes at c->off: malformed when the lengths of
 * the headers around it leave no room for it, truncated when it was not
 * all captured. */
static int need(const cursor *c, size_t hlen, int *counter)
{
    if (c->wire - c->off < hlen)
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    if (captured(c) < hlen)
        return fail(counter, SAMPO_CNT_TUNNEL_TRUNCATED, SAMPO_E_TRUNCATED);
    return SAMPO_OK;
}

/* The tunnel's payload is the next `len` bytes at most: bytes past them
 * (an outer trailer, Ethernet padding) are not the inner packet's. */
static void narrow(cursor *c, size_t len)
{
    if (c->wire - c->off > len)
        c->wire = c->off + len;
    if (c->caplen > c->wire)
        c->caplen = c->wire;
}

static int unsupported(int *counter)
{
    return fail(counter, SAMPO_CNT_TUNNEL_UNSUPPORTED, SAMPO_E_NOTTCP);
}

/* An Ethernet frame inside a tunnel (VXLAN, Geneve, GRE TEB/NVGRE,
 * ERSPAN, an Ethernet pseudowire): counted as the outer one would be. */
static int inner_ether(cursor *c, unsigned *ethertype, int *counter)
{
    return link_ether(c, 12, ETH_HLEN, ethertype, counter);
}

/* A payload that says only by its first nibble that it is IP (MPLS,
 * ERSPAN III frame type 2). */
static int ip_by_version(cursor *c, unsigned *ethertype, int *counter)
{
    int rc = need(c, 1, counter);
    if (rc != SAMPO_OK)
        return rc;
    switch (c->data[c->off] >> 4) {
    case 4:
        *ethertype = ETHERTYPE_IPV4;
        return SAMPO_OK;
    case 6:
        *ethertype = ETHERTYPE_IPV6;
        return SAMPO_OK;
    default:
        return unsupported(counter);
    }
}

/* ERSPAN type II (8 bytes: version 1, VLAN, CoS, En, T, session id,
 * reserved, index) and type III (12 bytes: version 2, ..., timestamp, SGT,
 * P, frame type, hardware id, D, Gra, O; then 8 platform-specific bytes
 * when O is set).  draft-foschiano-erspan-03 sections 4.2 and 4.3. */
static int erspan(cursor *c, unsigned gre_type, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    const uint8_t *h = c->data + c->off;
    size_t hlen = gre_type == ETHERTYPE_ERSPAN2 ? 8 : 12;
    int rc = need(c, hlen, counter);

    if (rc != SAMPO_OK)
        return rc;
    if (h[0] >> 4 != (gre_type == ETHERTYPE_ERSPAN2 ? 1u : 2u))
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    unsigned frame_type = 0; /* Ethernet */
    if (gre_type == ETHERTYPE_ERSPAN3) {
        frame_type = (h[10] >> 2) & 0x1f;
        if (h[11] & 1) {
            hlen += 8; /* O: the platform-specific subheader */
            if ((rc = need(c, hlen, counter)) != SAMPO_OK)
                return rc;
        }
    }
    c->off += hlen;
    out->tunnels |= SAMPO__TUN_ERSPAN;
    if (frame_type == 0)
        return inner_ether(c, ethertype, counter);
    if (frame_type == 2)
        return ip_by_version(c, ethertype, counter);
    return unsupported(counter);
}

/* GRE (RFC 2784, with the key and sequence number of RFC 2890). */
#define GRE_C 0x8000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_MBZ 0x4c00 /* RFC 2784: routing, strict route, recursion bit 5 */
#define GRE_VERSION 0x0007

static int gre(cursor *c, size_t l4_len, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    const uint8_t *h = c->data + c->off;
    int rc;

    narrow(c, l4_len);
    if ((rc = need(c, 4, counter)) != SAMPO_OK)
        return rc;
    unsigned flags = sampo__get16(h);
    if (flags & GRE_VERSION)
        return unsupported(counter); /* 1 is PPTP's enhanced GRE */
    if (flags & GRE_MBZ)
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    /* checksum + reserved1, key, sequence number: 4 bytes each */
    size_t hlen = 4 + (flags & GRE_C ? 4 : 0) + (flags & GRE_K ? 4 : 0) + (flags & GRE_S ? 4 : 0);
    if ((rc = need(c, hlen, counter)) != SAMPO_OK)
        return rc;
    unsigned type = sampo__get16(h + 2);
    c->off += hlen;
    out->tunnels |= SAMPO__TUN_GRE;
    switch (type) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MC:
        *ethertype = type;
        return SAMPO_OK;
    case ETHERTYPE_TEB: /* and NVGRE (RFC 7637) */
        return inner_ether(c, ethertype, counter);
    case ETHERTYPE_ERSPAN2:
        if (!(flags & GRE_S)) {
            /* ERSPAN type I: no sequence number, no ERSPAN header */
            out->tunnels |= SAMPO__TUN_ERSPAN;
            return inner_ether(c, ethertype, counter);
        }
        return erspan(c, type, ethertype, out, counter);
    case ETHERTYPE_ERSPAN3:
        return erspan(c, type, ethertype, out, counter);
    default:
        return unsupported(counter);
    }
}

/* VXLAN (RFC 7348 section 5): flags (I set), reserved, VNI, reserved. */
static int vxlan(cursor *c, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    int rc = need(c, 8, counter);
    if (rc != SAMPO_OK)
        return rc;
    if (!(c->data[c->off] & 0x08))
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    c->off += 8;
    out->tunnels |= SAMPO__TUN_VXLAN;
    return inner_ether(c, ethertype, counter);
}

/* Geneve (RFC 8926 section 3.4): version 0, options length in 4-byte
 * words, O, C, protocol type, VNI; then the options. */
static int geneve(cursor *c, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    const uint8_t *h = c->data + c->off;
    int rc = need(c, 8, counter);

    if (rc != SAMPO_OK)
        return rc;
    if (h[0] >> 6 != 0)
        return unsupported(counter);
    size_t hlen = 8 + (size_t)(h[0] & 0x3f) * 4;
    if ((rc = need(c, hlen, counter)) != SAMPO_OK)
        return rc;
    unsigned type = sampo__get16(h + 2);
    c->off += hlen;
    out->tunnels |= SAMPO__TUN_GENEVE;
    switch (type) {
    case ETHERTYPE_TEB:
        return inner_ether(c, ethertype, counter);
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
        *ethertype = type;
        return SAMPO_OK;
    default:
        return unsupported(counter);
    }
}

/* UDP (RFC 768) to the VXLAN or Geneve port. */
static int udp(cursor *c, size_t l4_len, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    const uint8_t *u = c->data + c->off;
    int rc;

    narrow(c, l4_len);
    if ((rc = need(c, UDP_HLEN, counter)) != SAMPO_OK)
        return rc;
    size_t len = sampo__get16(u + 4);
    if (len == 0)
        len = l4_len; /* RFC 2675: a jumbogram's */
    /* A first fragment holds less than its datagram's length. */
    if (len < UDP_HLEN || (len > l4_len && !c->more_frags))
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    c->off += UDP_HLEN;
    narrow(c, len - UDP_HLEN);
    if (sampo__get16(u + 2) == UDP_PORT_VXLAN)
        return vxlan(c, ethertype, out, counter);
    return geneve(c, ethertype, out, counter);
}

/* MPLS (RFC 3032): label stack entries up to the one with S set, then IP
 * by its version nibble, or a pseudowire control word (first nibble 0,
 * RFC 4385) and an Ethernet frame (RFC 4448).  Other payloads (an
 * Ethernet pseudowire without control word, whose destination MAC may
 * begin with any nibble; the G-ACh, nibble 1) are not decapsulated. */
static int mpls(cursor *c, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    int rc;

    for (int n = 0;; n++) {
        if (n == MAX_MPLS_LABELS)
            return fail(counter, SAMPO_CNT_TUNNEL_TOO_DEEP, SAMPO_E_MALFORMED);
        if ((rc = need(c, 4, counter)) != SAMPO_OK)
            return rc;
        int bottom = c->data[c->off + 2] & 1;
        c->off += 4;
        if (bottom)
            break;
    }
    out->tunnels |= SAMPO__TUN_MPLS;
    if ((rc = need(c, 1, counter)) != SAMPO_OK)
        return rc;
    if (c->data[c->off] >> 4 != 0)
        return ip_by_version(c, ethertype, counter);
    if ((rc = need(c, 4, counter)) != SAMPO_OK)
        return rc;
    c->off += 4;
    return inner_ether(c, ethertype, counter);
}

/* PPPoE session stage (RFC 2516 section 4): version 1, type 1, code 0,
 * session id, length; then the PPP protocol (RFC 1661), 1 byte when
 * compressed (odd first byte, RFC 1661 section 6.5). */
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

static int pppoe(cursor *c, unsigned *ethertype, sampo__pkt *out, int *counter)
{
    const uint8_t *h = c->data + c->off;
    int rc = need(c, 6, counter);

    if (rc != SAMPO_OK)
        return rc;
    if (h[0] != 0x11 || h[1] != 0)
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    size_t len = sampo__get16(h + 4);
    c->off += 6;
    if (c->wire - c->off < len)
        return fail(counter, SAMPO_CNT_TUNNEL_MALFORMED, SAMPO_E_MALFORMED);
    narrow(c, len);
    if ((rc = need(c, 1, counter)) != SAMPO_OK)
        return rc;
    size_t plen = h[6] & 1 ? 1 : 2;
    if ((rc = need(c, plen, counter)) != SAMPO_OK)
        return rc;
    unsigned proto = plen == 1 ? h[6] : sampo__get16(h + 6);
    c->off += plen;
    out->tunnels |= SAMPO__TUN_PPPOE;
    if (proto == PPP_IPV4)
        *ethertype = ETHERTYPE_IPV4;
    else if (proto == PPP_IPV6)
        *ethertype = ETHERTYPE_IPV6;
    else
        return unsupported(counter); /* LCP, IPCP, ...: PPP's own traffic */
    return SAMPO_OK;
}

/* The network layer: IPv4, IPv6, or NEXT_LINK for another ethertype. */
HOT static inline int network(cursor *c, unsigned ethertype, sampo__pkt *out, size_t *l4_len,
                              unsigned *proto, int *counter)
{
    if (ethertype == ETHERTYPE_IPV4)
        return decode_ipv4(c, out, l4_len, proto, counter);
    if (ethertype == ETHERTYPE_IPV6)
        return decode_ipv6(c, out, l4_len, proto, counter);
    return NEXT_LINK;
}

/* The tunnel a packet continues in: the kind of header at c->off after an
 * IP header of protocol `proto` and payload length `l4_len` (rc NEXT_UPPER)
 * or a link header of `ethertype` (NEXT_LINK); T_NONE for none. */
enum { T_NONE, T_GRE, T_UDP, T_IP, T_MPLS, T_PPPOE };

static inline int tunnel_kind(const cursor *c, int rc, unsigned ethertype, unsigned proto,
                              size_t l4_len)
{
    if (rc == NEXT_LINK) {
        if (ethertype == ETHERTYPE_MPLS || ethertype == ETHERTYPE_MPLS_MC)
            return T_MPLS;
        return ethertype == ETHERTYPE_PPPOE ? T_PPPOE : T_NONE;
    }
    switch (proto) {
    case IPPROTO_GRE_:
        return T_GRE;
    case IPPROTO_IPIP_:
    case IPPROTO_IPV6_:
        return T_IP;
    case IPPROTO_UDP_:
        if (captured(c) >= 4 && l4_len >= 4) { /* the ports, inside the IP payload */
            unsigned port = sampo__get16(c->data + c->off + 2);
            if (port == UDP_PORT_VXLAN || port == UDP_PORT_GENEVE)
                return T_UDP;
        }
        return T_NONE; /* any other UDP, or too little of it to tell */
    default:
        return T_NONE;
    }
}

/* Not IP (rc NEXT_LINK), or IP but not TCP (NEXT_UPPER), and no tunnel. */
static int no_tunnel(int rc, int *counter)
{
    if (rc == NEXT_LINK)
        return fail(counter, SAMPO_CNT_NOT_IP, SAMPO_E_NOTTCP);
    return fail(counter, SAMPO_CNT_NOT_TCP, SAMPO_E_NOTTCP);
}

/* Entered when the first network header was not IP carrying TCP but the
 * start of a tunnel of `kind`: removes tunnel headers, at most
 * MAX_TUNNELS, until an IP header carrying TCP, which leaves c->off at the
 * TCP header and *l4_len set, as for a plain packet.  Each header removed
 * sets its bit in out->tunnels.  Every step reads a bounded number of
 * bytes (IPv6 extension headers, MPLS labels and VLAN tags have their own
 * bounds), so a packet of nested headers costs at most MAX_TUNNELS steps. */
COLD static int decapsulate(cursor *c, int kind, unsigned proto, size_t *l4_len, sampo__pkt *out,
                            int *counter)
{
    unsigned ethertype = 0;

    for (int layers = 0;; layers++) {
        int rc;
        if (layers == MAX_TUNNELS)
            return fail(counter, SAMPO_CNT_TUNNEL_TOO_DEEP, SAMPO_E_MALFORMED);
        /* an outer IPv6 address must not show through an inner IPv4 one */
        memset(out->src, 0, sizeof out->src);
        memset(out->dst, 0, sizeof out->dst);
        switch (kind) {
        case T_GRE:
            rc = gre(c, *l4_len, &ethertype, out, counter);
            break;
        case T_UDP:
            rc = udp(c, *l4_len, &ethertype, out, counter);
            break;
        case T_IP:
            narrow(c, *l4_len);
            ethertype = proto == IPPROTO_IPIP_ ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
            out->tunnels |= SAMPO__TUN_IP;
            rc = SAMPO_OK;
            break;
        case T_MPLS:
            rc = mpls(c, &ethertype, out, counter);
            break;
        default:
            rc = pppoe(c, &ethertype, out, counter);
            break;
        }
        if (rc != SAMPO_OK)
            return rc;
        rc = network(c, ethertype, out, l4_len, &proto, counter);
        if (rc == SAMPO_OK)
            *counter = SAMPO_CNT_DECAPSULATED; /* unless decode_tcp() has another */
        if (rc <= 0)
            return rc; /* TCP at last, or a drop */
        kind = tunnel_kind(c, rc, ethertype, proto, *l4_len);
        if (kind == T_NONE)
            return no_tunnel(rc, counter);
    }
}

int sampo__decode(int linktype, const uint8_t *data, size_t caplen, size_t wirelen, sampo__pkt *out,
                  int *counter)
{
    static const uint8_t empty[1];
    int dummy;
    cursor c;
    unsigned ethertype = 0, proto = 0;
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

    rc = network(&c, ethertype, out, &l4_len, &proto, counter);
    if (rc > 0) {
        /* not IP carrying TCP: a tunnel perhaps */
        int kind = tunnel_kind(&c, rc, ethertype, proto, l4_len);
        rc = kind == T_NONE ? no_tunnel(rc, counter)
                            : decapsulate(&c, kind, proto, &l4_len, out, counter);
    }
    if (rc == SAMPO_OK)
        rc = decode_tcp(&c, l4_len, out, counter);
    if (rc != SAMPO_OK) {
        /* no half-filled result on a drop; the tunnels removed stay */
        uint8_t tunnels = out->tunnels;
        memset(out, 0, sizeof *out);
        out->tunnels = tunnels;
    }
    return rc;
}
