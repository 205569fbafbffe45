/* decode.h - link, network and transport decoding of one captured packet.
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
    uint8_t family;         /* 4 or 6 */
    uint8_t tcp_flags;      /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 ... */
    uint8_t opts_truncated; /* the option area was cut by caplen */
    uint8_t reserved;
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

/* Decode `linktype` framing, IPv4 (with options) or IPv6 (with extension
 * headers), and the TCP header.  `wirelen` is the original length (0 =
 * caplen); it serves only as a fallback when IP lengths are zero (TSO).
 *
 * Returns SAMPO_OK with *out filled, or a negative SAMPO_E_* status with
 * *counter set to the SAMPO_CNT_* counter that explains the drop
 * (e.g. SAMPO_E_FRAGMENT with SAMPO_CNT_IP_FRAGMENT).  On SAMPO_OK with
 * out->opts_truncated set, *counter is SAMPO_CNT_TCP_OPTIONS_TRUNCATED;
 * otherwise *counter is -1. */
int sampo__decode(int linktype, const uint8_t *data, size_t caplen, size_t wirelen, sampo__pkt *out,
                  int *counter);

#endif
