/* decode.h - link, network and transport decoding of one captured packet,
 * through tunnels.
 *
 * Pure functions: no allocation, no state, never read past caplen. */
#ifndef SAMPO_DECODE_H
#define SAMPO_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "sampo.h"

/* Decoded TCP/IP headers of one packet.  Pointers point into the caller's
 * buffer. */
typedef struct sampo__pkt {
    uint8_t family;           /* 4 or 6 */
    uint8_t tcp_flags;        /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 ... */
    uint8_t opts_truncated;   /* the option area was cut by caplen */
    uint8_t tunnels;          /* SAMPO__TUN_* of the tunnel headers removed, kept on a drop */
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes, rest zero */
    uint16_t sport, dport;    /* host order */
    uint32_t seq, ack;        /* host order */
    uint32_t payload_len;     /* TCP payload length on the wire (from IP lengths) */
    const uint8_t *opts;      /* captured TCP option bytes */
    uint32_t opts_len;        /* captured option bytes (<= data offset * 4 - 20) */
} sampo__pkt;

#define SAMPO__TH_FIN 0x01
#define SAMPO__TH_SYN 0x02
#define SAMPO__TH_RST 0x04
#define SAMPO__TH_PSH 0x08
#define SAMPO__TH_ACK 0x10

/* Tunnel kinds in sampo__pkt.tunnels, in the order of their counters
 * (SAMPO_CNT_TUNNEL_GRE + bit number). */
#define SAMPO__TUN_GRE 0x01
#define SAMPO__TUN_ERSPAN 0x02
#define SAMPO__TUN_VXLAN 0x04
#define SAMPO__TUN_GENEVE 0x08
#define SAMPO__TUN_MPLS 0x10
#define SAMPO__TUN_PPPOE 0x20
#define SAMPO__TUN_IP 0x40 /* IPv4 or IPv6 in IPv4 or IPv6 */

/* Count the tunnels of a packet (tunnels != 0) that sampo__decode() gave
 * `counter` (always >= 0 then, and counted by the caller): the packet once
 * as decapsulated, unless that was its counter, and once per kind of header
 * removed. */
static inline void sampo__count_tunnels(uint64_t *cnt, int counter, unsigned tunnels)
{
    if (counter != SAMPO_CNT_DECAPSULATED)
        cnt[SAMPO_CNT_DECAPSULATED]++;
    for (int k = 0; tunnels != 0; k++, tunnels >>= 1)
        if (tunnels & 1)
            cnt[SAMPO_CNT_TUNNEL_GRE + k]++;
}

/* Decode `linktype` framing, IPv4 (with options) or IPv6 (with extension
 * headers), and the TCP header.  `wirelen` is the original length (0 =
 * caplen); it serves only as a fallback when IP lengths are zero (TSO).
 * Tunnels (GRE, ERSPAN I-III, VXLAN, Geneve, MPLS, PPPoE, IP-in-IP, up to
 * 8 nested) are removed and the innermost TCP/IP headers decoded; out->tunnels
 * says which kinds were removed, on a drop too.
 *
 * Returns SAMPO_OK with *out filled, or a negative SAMPO_E_* status with
 * *counter set to the SAMPO_CNT_* counter that explains the drop
 * (e.g. SAMPO_E_FRAGMENT with SAMPO_CNT_IP_FRAGMENT).  On SAMPO_OK with
 * out->opts_truncated set, *counter is SAMPO_CNT_TCP_OPTIONS_TRUNCATED;
 * otherwise SAMPO_CNT_DECAPSULATED when out->tunnels is set, else -1.  So
 * out->tunnels is 0 whenever *counter is -1 (sampo__count_tunnels()). */
int sampo__decode(int linktype, const uint8_t *data, size_t caplen, size_t wirelen, sampo__pkt *out,
                  int *counter);

#endif
