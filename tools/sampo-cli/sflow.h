/*
 * sflow.h - sFlow version 5 input: a pure, defensive decoder of sFlow
 * datagrams (sflow.org, "sFlow Version 5", 2004), and the location of the
 * UDP payload that carries them inside a captured frame.
 *
 * What is decoded: the datagram header (agent address IPv4, IPv6 or
 * unknown, sub-agent id, sequence number, uptime, sample count); flow
 * samples (enterprise 0, format 1) and expanded flow samples (format 3)
 * with their sampling rate, sample pool, drops, data source and
 * interfaces; inside them, the raw packet header record (enterprise 0,
 * format 1).  Every other sample (counters, discards, vendor formats) and
 * every other flow record (extended switch, router, ...) is skipped by its
 * length.
 *
 * Guarantees: no allocation, no global state, nothing is read outside
 * (buf, len); every length field is checked against its container before
 * it is used; every anomaly is counted.  Header bytes handed to the
 * callback point into `buf`.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_SFLOW_H
#define SAMPO_CLI_SFLOW_H

#include <stddef.h>
#include <stdint.h>

#define SFLOW_DEFAULT_PORT 6343
#define SFLOW_VERSION 5

/* header_protocol values of the raw packet header record that map to a
 * link type libsampo reads. */
#define SFLOW_HP_ETHERNET 1 /* ETHERNET-ISO88023 */
#define SFLOW_HP_IPV4 11
#define SFLOW_HP_IPV6 12

/*
 * Counters of the sFlow layer.  The decoder adds to them; zero them once.
 * Every anomaly increments its own counter and `bad`.
 */
struct sflow_counters {
    uint64_t datagrams;       /* sFlow v5 datagrams whose header was read */
    uint64_t samples;         /* flow samples (format 1 and 3) decoded */
    uint64_t headers;         /* raw packet headers handed to the callback */
    uint64_t samples_skipped; /* other samples (counters, vendor...), skipped */
    uint64_t records_skipped; /* other flow records, skipped */
    uint64_t not_sflow;       /* frames that are not UDP to the sFlow port */
    /* anomalies */
    uint64_t bad;              /* sum of the anomaly counters below */
    uint64_t bad_version;      /* datagram version other than 5 */
    uint64_t bad_address;      /* agent address type other than 0, 1, 2 */
    uint64_t truncated;        /* datagram ends inside a field, sample or record */
    uint64_t malformed;        /* a length that disagrees with its container */
    uint64_t unknown_protocol; /* header_protocol other than 1, 11, 12 */
    uint64_t zero_rate;        /* flow sample with sampling_rate 0 */
    uint64_t outer_bad;        /* carrying frame cut before the UDP payload,
                                  or an IP fragment (not reassembled) */
};

/* Names and values of the counters, in print order ("sflow_datagrams"...). */
#define SFLOW_N_COUNTERS 14
const char *sflow_counter_name(int i);
uint64_t sflow_counter_value(const struct sflow_counters *c, int i);

/* One raw packet header, as handed to the callback. */
struct sflow_header {
    const uint8_t *data;      /* header bytes (inside the datagram) */
    uint32_t len;             /* header_length */
    uint32_t wirelen;         /* frame_length - stripped, at least len */
    uint32_t frame_length;    /* as sent: original length incl. FCS etc. */
    uint32_t stripped;        /* as sent: bytes removed before the header */
    uint32_t header_protocol; /* SFLOW_HP_* */
    int linktype;             /* SAMPO_LINKTYPE_ETHERNET, _IPV4 or _IPV6 */
    uint32_t sampling_rate;   /* 1 in N (0: the agent sent 0, counted) */
    uint32_t sample_pool;     /* packets the data source saw */
    uint32_t drops;           /* samples lost by the agent */
    uint32_t source_id;       /* agent, sub-agent and data source hashed */
    /* where it comes from */
    uint32_t agent_family; /* 0 unknown, 4, or 6 */
    uint8_t agent[16];     /* IPv4 in the first 4 bytes */
    uint32_t sub_agent_id;
    uint32_t datagram_seq;        /* datagram sequence number */
    uint32_t uptime_ms;           /* agent uptime when it sent the datagram */
    uint32_t sample_seq;          /* flow sample sequence number */
    uint32_t ds_class;            /* data source class (0 = ifIndex) */
    uint32_t ds_index;            /* data source index */
    uint32_t input_if, output_if; /* interface values as sent */
    int expanded;                 /* from an expanded flow sample (format 3) */
};

typedef void (*sflow_header_cb)(const struct sflow_header *h, void *user);

/* sflow_decode() results: the first anomaly met, or SFLOW_OK. */
#define SFLOW_OK 0
#define SFLOW_E_VERSION (-1)
#define SFLOW_E_ADDRESS (-2)
#define SFLOW_E_TRUNCATED (-3)
#define SFLOW_E_MALFORMED (-4)

/*
 * Decode one sFlow datagram (a UDP payload) and call `cb` for each raw
 * packet header of a supported header protocol, in datagram order.  The
 * datagram's counters are added to `c`.  A truncated sample ends the
 * datagram (headers before it have been delivered); a malformed sample or
 * record is skipped by its length when that length is usable.
 * @return SFLOW_OK, or the first anomaly (SFLOW_E_*).
 */
int sflow_decode(const uint8_t *buf, size_t len, struct sflow_counters *c, sflow_header_cb cb,
                 void *user);

/* sflow_udp_payload() results. */
#define SFLOW_UDP_OK 0    /* *payload, *plen set */
#define SFLOW_UDP_OTHER 1 /* not UDP to `port`: counted in not_sflow */
#define SFLOW_UDP_BAD 2   /* unreadable: counted in outer_bad and bad */

/*
 * Find the payload of the UDP datagram to destination port `port` in a
 * frame of SAMPO_LINKTYPE_* `linktype` (Ethernet with 802.1Q/QinQ tags,
 * raw IP, Linux SLL and SLL2, IPv4, IPv6).  The payload is bounded by the
 * UDP length, the IP length and caplen; when the capture cut it, the
 * shorter payload is returned and the decoder counts the truncation.
 * Counts in `c` (not_sflow, outer_bad).
 */
int sflow_udp_payload(int linktype, const uint8_t *frame, size_t caplen, uint16_t port,
                      struct sflow_counters *c, const uint8_t **payload, size_t *plen);

#endif /* SAMPO_CLI_SFLOW_H */
