/*
 * sflow.c - sFlow v5 datagram decoder and UDP payload locator.
 *
 * Layout (XDR, big-endian, 4-byte aligned), sflow.org "sFlow Version 5":
 *
 *   datagram:  version(5) | address_type(0,1,2) | address(0/4/16) |
 *              sub_agent_id | sequence_number | uptime_ms | n_samples |
 *              n x sample
 *   sample:    data_format(enterprise<<12 | format) | length | bytes
 *   flow_sample (0,1):
 *              sequence_number | source_id(class<<24 | index) |
 *              sampling_rate | sample_pool | drops | input | output |
 *              n_records | n x record
 *   flow_sample_expanded (0,3):
 *              sequence_number | source_id_type | source_id_index |
 *              sampling_rate | sample_pool | drops |
 *              input_format | input_value | output_format | output_value |
 *              n_records | n x record
 *   record:    data_format | length | bytes
 *   sampled_header (0,1):
 *              header_protocol | frame_length | stripped |
 *              header_length | header bytes (padded to 4)
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "sflow.h"

#include <string.h>

#include "sampo.h"

/* ---- counters ---------------------------------------------------------- */

static const char *const counter_names[SFLOW_N_COUNTERS] = {
    "sflow_datagrams",       "sflow_samples",   "sflow_headers",   "sflow_samples_skipped",
    "sflow_records_skipped", "sflow_not_sflow", "sflow_bad",       "sflow_bad_version",
    "sflow_bad_address",     "sflow_truncated", "sflow_malformed", "sflow_unknown_protocol",
    "sflow_zero_rate",       "sflow_outer_bad",
};

const char *sflow_counter_name(int i)
{
    return i >= 0 && i < SFLOW_N_COUNTERS ? counter_names[i] : NULL;
}

uint64_t sflow_counter_value(const struct sflow_counters *c, int i)
{
    switch (i) {
    case 0:
        return c->datagrams;
    case 1:
        return c->samples;
    case 2:
        return c->headers;
    case 3:
        return c->samples_skipped;
    case 4:
        return c->records_skipped;
    case 5:
        return c->not_sflow;
    case 6:
        return c->bad;
    case 7:
        return c->bad_version;
    case 8:
        return c->bad_address;
    case 9:
        return c->truncated;
    case 10:
        return c->malformed;
    case 11:
        return c->unknown_protocol;
    case 12:
        return c->zero_rate;
    case 13:
        return c->outer_bad;
    default:
        return 0;
    }
}

/* Count one anomaly under its own counter and in `bad`. */
#define ANOMALY(c, field) ((c)->field++, (c)->bad++)

/* ---- bounded XDR reader ------------------------------------------------ */

struct rd {
    const uint8_t *p;
    size_t left;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int rd_u32(struct rd *r, uint32_t *v)
{
    if (r->left < 4)
        return -1;
    *v = be32(r->p);
    r->p += 4;
    r->left -= 4;
    return 0;
}

static int rd_bytes(struct rd *r, size_t n, const uint8_t **out)
{
    if (r->left < n)
        return -1;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return 0;
}

/* Take the next `n` bytes as a reader of their own. */
static int rd_sub(struct rd *r, size_t n, struct rd *sub)
{
    const uint8_t *p;

    if (rd_bytes(r, n, &p) != 0)
        return -1;
    sub->p = p;
    sub->left = n;
    return 0;
}

/* ---- source id --------------------------------------------------------- */

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t fnv1a_u32(uint32_t h, uint32_t v)
{
    uint8_t b[4];

    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
    return fnv1a(h, b, 4);
}

/* FNV-1a over (agent family, agent address, sub-agent, source class,
 * source index): one id per data source of one agent.  0 is avoided so
 * that it can keep meaning "no source". */
static uint32_t source_id(const struct sflow_header *h)
{
    uint32_t v = 2166136261u;

    v = fnv1a_u32(v, h->agent_family);
    v = fnv1a(v, h->agent, h->agent_family == 6 ? 16 : h->agent_family == 4 ? 4 : 0);
    v = fnv1a_u32(v, h->sub_agent_id);
    v = fnv1a_u32(v, h->ds_class);
    v = fnv1a_u32(v, h->ds_index);
    return v ? v : 1;
}

/* ---- decoder ----------------------------------------------------------- */

static int linktype_of(uint32_t header_protocol)
{
    switch (header_protocol) {
    case SFLOW_HP_ETHERNET:
        return SAMPO_LINKTYPE_ETHERNET;
    case SFLOW_HP_IPV4:
        return SAMPO_LINKTYPE_IPV4;
    case SFLOW_HP_IPV6:
        return SAMPO_LINKTYPE_IPV6;
    default:
        return 0;
    }
}

/* A sampled_header record; `h` holds the sample's fields. */
static int raw_header(struct rd *rec, struct sflow_header *h, struct sflow_counters *c,
                      sflow_header_cb cb, void *user)
{
    uint32_t proto, frame_length, stripped, hlen;
    const uint8_t *bytes;

    if (rd_u32(rec, &proto) != 0 || rd_u32(rec, &frame_length) != 0 ||
        rd_u32(rec, &stripped) != 0 || rd_u32(rec, &hlen) != 0 ||
        rd_bytes(rec, hlen, &bytes) != 0) {
        ANOMALY(c, malformed); /* the record is shorter than it says */
        return SFLOW_E_MALFORMED;
    }
    h->linktype = linktype_of(proto);
    if (h->linktype == 0) {
        ANOMALY(c, unknown_protocol);
        return SFLOW_OK;
    }
    h->data = bytes;
    h->len = hlen;
    h->header_protocol = proto;
    h->frame_length = frame_length;
    h->stripped = stripped;
    /* What stayed after `stripped` (e.g. the FCS) is the frame from the
     * first header byte: the wire length as libpcap counts it. */
    if (stripped > frame_length || frame_length - stripped < hlen) {
        ANOMALY(c, malformed); /* frame shorter than its own header */
        h->wirelen = hlen;
    } else {
        h->wirelen = frame_length - stripped;
    }
    c->headers++;
    if (cb != NULL)
        cb(h, user);
    return SFLOW_OK;
}

/* A flow sample (format 1) or an expanded flow sample (format 3). */
static int flow_sample(struct rd *s, int expanded, struct sflow_header *h, struct sflow_counters *c,
                       sflow_header_cb cb, void *user)
{
    uint32_t src, in_fmt = 0, out_fmt = 0, nrec, i;
    int rc = SFLOW_OK, ok;

    if (expanded) {
        ok = rd_u32(s, &h->sample_seq) == 0 && rd_u32(s, &h->ds_class) == 0 &&
             rd_u32(s, &h->ds_index) == 0 && rd_u32(s, &h->sampling_rate) == 0 &&
             rd_u32(s, &h->sample_pool) == 0 && rd_u32(s, &h->drops) == 0 &&
             rd_u32(s, &in_fmt) == 0 && rd_u32(s, &h->input_if) == 0 && rd_u32(s, &out_fmt) == 0 &&
             rd_u32(s, &h->output_if) == 0 && rd_u32(s, &nrec) == 0;
    } else {
        ok = rd_u32(s, &h->sample_seq) == 0 && rd_u32(s, &src) == 0 &&
             rd_u32(s, &h->sampling_rate) == 0 && rd_u32(s, &h->sample_pool) == 0 &&
             rd_u32(s, &h->drops) == 0 && rd_u32(s, &h->input_if) == 0 &&
             rd_u32(s, &h->output_if) == 0 && rd_u32(s, &nrec) == 0;
        if (ok) {
            h->ds_class = src >> 24;
            h->ds_index = src & 0xffffffu;
        }
    }
    (void)in_fmt;
    (void)out_fmt;
    if (!ok) {
        ANOMALY(c, malformed); /* sample shorter than its fixed fields */
        return SFLOW_E_MALFORMED;
    }
    h->expanded = expanded;
    h->source_id = source_id(h);
    c->samples++;
    if (h->sampling_rate == 0)
        ANOMALY(c, zero_rate);

    /* nrec comes from the wire: the loop is bounded by the bytes left
     * (each record takes at least 8). */
    for (i = 0; i < nrec; i++) {
        uint32_t fmt, rlen;
        struct rd rec;

        if (rd_u32(s, &fmt) != 0 || rd_u32(s, &rlen) != 0 || rd_sub(s, rlen, &rec) != 0) {
            ANOMALY(c, malformed); /* fewer or shorter records than declared */
            return SFLOW_E_MALFORMED;
        }
        if (fmt == 1) { /* enterprise 0, sampled_header */
            int r = raw_header(&rec, h, c, cb, user);
            if (r != SFLOW_OK && rc == SFLOW_OK)
                rc = r;
        } else {
            c->records_skipped++;
        }
    }
    if (s->left != 0 && rc == SFLOW_OK) {
        ANOMALY(c, malformed); /* bytes after the last record */
        rc = SFLOW_E_MALFORMED;
    }
    return rc;
}

int sflow_decode(const uint8_t *buf, size_t len, struct sflow_counters *c, sflow_header_cb cb,
                 void *user)
{
    struct rd r;
    struct sflow_header h;
    uint32_t version, atype, nsamples, i;
    const uint8_t *addr;
    int rc = SFLOW_OK;

    r.p = buf;
    r.left = buf != NULL ? len : 0;
    memset(&h, 0, sizeof h);
    if (rd_u32(&r, &version) != 0) {
        ANOMALY(c, truncated);
        return SFLOW_E_TRUNCATED;
    }
    if (version != SFLOW_VERSION) {
        ANOMALY(c, bad_version);
        return SFLOW_E_VERSION;
    }
    if (rd_u32(&r, &atype) != 0) {
        ANOMALY(c, truncated);
        return SFLOW_E_TRUNCATED;
    }
    switch (atype) {
    case 0: /* UNKNOWN: no address bytes */
        h.agent_family = 0;
        break;
    case 1:
    case 2:
        h.agent_family = atype == 1 ? 4 : 6;
        if (rd_bytes(&r, atype == 1 ? 4 : 16, &addr) != 0) {
            ANOMALY(c, truncated);
            return SFLOW_E_TRUNCATED;
        }
        memcpy(h.agent, addr, atype == 1 ? 4 : 16);
        break;
    default: /* the rest cannot be located */
        ANOMALY(c, bad_address);
        return SFLOW_E_ADDRESS;
    }
    if (rd_u32(&r, &h.sub_agent_id) != 0 || rd_u32(&r, &h.datagram_seq) != 0 ||
        rd_u32(&r, &h.uptime_ms) != 0 || rd_u32(&r, &nsamples) != 0) {
        ANOMALY(c, truncated);
        return SFLOW_E_TRUNCATED;
    }
    c->datagrams++;

    for (i = 0; i < nsamples; i++) {
        uint32_t fmt, slen;
        struct rd s;
        struct sflow_header sh;

        if (rd_u32(&r, &fmt) != 0 || rd_u32(&r, &slen) != 0 || rd_sub(&r, slen, &s) != 0) {
            ANOMALY(c, truncated); /* fewer or shorter samples than declared */
            return SFLOW_E_TRUNCATED;
        }
        if (fmt == 1 || fmt == 3) { /* enterprise 0: flow_sample, expanded */
            int sr;

            sh = h; /* datagram fields; the sample fills the rest */
            sr = flow_sample(&s, fmt == 3, &sh, c, cb, user);
            if (sr != SFLOW_OK && rc == SFLOW_OK)
                rc = sr;
        } else {
            c->samples_skipped++;
        }
    }
    if (r.left != 0 && rc == SFLOW_OK) {
        ANOMALY(c, malformed); /* bytes after the last sample */
        rc = SFLOW_E_MALFORMED;
    }
    return rc;
}

/* ---- UDP payload in a captured frame ----------------------------------- */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define IPPROTO_UDP_ 17

/* Offset of the IP header and its ethertype-like family (4, 6) for the
 * link layers libsampo reads; @return 0 or -1 (cut), 1 (not IP). */
static int l2(int linktype, const uint8_t *f, size_t caplen, size_t *off, int *family)
{
    size_t o;
    uint16_t et;
    int tags;

    switch (linktype) {
    case SAMPO_LINKTYPE_ETHERNET:
        if (caplen < 14)
            return -1;
        et = be16(f + 12);
        o = 14;
        for (tags = 0; tags < 4 && (et == 0x8100 || et == 0x88a8 || et == 0x9100); tags++) {
            if (caplen < o + 4)
                return -1;
            et = be16(f + o + 2);
            o += 4;
        }
        break;
    case SAMPO_LINKTYPE_LINUX_SLL:
        if (caplen < 16)
            return -1;
        et = be16(f + 14);
        o = 16;
        break;
    case SAMPO_LINKTYPE_LINUX_SLL2:
        if (caplen < 20)
            return -1;
        et = be16(f);
        o = 20;
        break;
    case SAMPO_LINKTYPE_RAW:
        if (caplen < 1)
            return -1;
        et = (f[0] >> 4) == 4 ? ETH_IPV4 : (f[0] >> 4) == 6 ? ETH_IPV6 : 0;
        o = 0;
        break;
    case SAMPO_LINKTYPE_IPV4:
        et = ETH_IPV4;
        o = 0;
        break;
    case SAMPO_LINKTYPE_IPV6:
        et = ETH_IPV6;
        o = 0;
        break;
    default:
        return 1;
    }
    if (et != ETH_IPV4 && et != ETH_IPV6)
        return 1;
    *off = o;
    *family = et == ETH_IPV4 ? 4 : 6;
    return 0;
}

int sflow_udp_payload(int linktype, const uint8_t *frame, size_t caplen, uint16_t port,
                      struct sflow_counters *c, const uint8_t **payload, size_t *plen)
{
    size_t off, end, ulen;
    int family, rc, nh, hops, more_frags = 0;
    const uint8_t *ip;

    *payload = NULL;
    *plen = 0;
    if (frame == NULL)
        caplen = 0;
    rc = l2(linktype, frame, caplen, &off, &family);
    if (rc != 0) {
        if (rc < 0)
            ANOMALY(c, outer_bad);
        else
            c->not_sflow++;
        return rc < 0 ? SFLOW_UDP_BAD : SFLOW_UDP_OTHER;
    }
    ip = frame + off;
    end = caplen - off; /* bytes from the IP header on */
    if (family == 4) {
        size_t ihl, tot;

        if (end < 20) {
            ANOMALY(c, outer_bad);
            return SFLOW_UDP_BAD;
        }
        ihl = (size_t)(ip[0] & 0x0f) * 4;
        tot = be16(ip + 2);
        if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl) {
            c->not_sflow++; /* not an IPv4 packet we can follow */
            return SFLOW_UDP_OTHER;
        }
        if (ip[9] != IPPROTO_UDP_) {
            c->not_sflow++;
            return SFLOW_UDP_OTHER;
        }
        if ((be16(ip + 6) & 0x1fff) != 0) { /* a later fragment: port unknown */
            ANOMALY(c, outer_bad);
            return SFLOW_UDP_BAD;
        }
        more_frags = (be16(ip + 6) & 0x2000) != 0;
        if (tot < end)
            end = tot; /* Ethernet padding is not payload */
        off = ihl;
    } else {
        size_t plen6;

        if (end < 40) {
            ANOMALY(c, outer_bad);
            return SFLOW_UDP_BAD;
        }
        if ((ip[0] >> 4) != 6) {
            c->not_sflow++;
            return SFLOW_UDP_OTHER;
        }
        plen6 = be16(ip + 4);
        if (plen6 != 0 && 40 + plen6 < end)
            end = 40 + plen6;
        nh = ip[6];
        off = 40;
        for (hops = 0; hops < 8 && nh != IPPROTO_UDP_; hops++) {
            size_t hl;

            if (nh == 44) { /* fragment header: not reassembled */
                ANOMALY(c, outer_bad);
                return SFLOW_UDP_BAD;
            }
            if (nh != 0 && nh != 43 && nh != 60 && nh != 51) {
                c->not_sflow++;
                return SFLOW_UDP_OTHER;
            }
            if (end < off + 2) {
                ANOMALY(c, outer_bad);
                return SFLOW_UDP_BAD;
            }
            hl = nh == 51 ? ((size_t)ip[off + 1] + 2) * 4 : ((size_t)ip[off + 1] + 1) * 8;
            nh = ip[off];
            off += hl;
        }
        if (nh != IPPROTO_UDP_) {
            c->not_sflow++;
            return SFLOW_UDP_OTHER;
        }
    }
    if (end < off + 8) {
        ANOMALY(c, outer_bad);
        return SFLOW_UDP_BAD;
    }
    if (be16(ip + off + 2) != port) {
        c->not_sflow++;
        return SFLOW_UDP_OTHER;
    }
    ulen = be16(ip + off + 4);
    if (more_frags || ulen < 8) { /* first fragment (not reassembled), bad length */
        ANOMALY(c, outer_bad);
        return SFLOW_UDP_BAD;
    }
    *payload = ip + off + 8;
    *plen = end - off - 8;
    if (ulen - 8 < *plen)
        *plen = ulen - 8;
    return SFLOW_UDP_OK;
}
