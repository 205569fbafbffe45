/* subflow.h - one tracked TCP connection that carried an MPTCP option, and
 * its per-direction state.  The struct is shared by the state modules;
 * the fields marked "assoc/" are the association layer's per-subflow
 * scratch and results, which it alone writes. */
#ifndef SAMPO_STATE_SUBFLOW_H
#define SAMPO_STATE_SUBFLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/flow.h"
#include "core/list.h"
#include "core/ring.h"
#include "core/uthash_cfg.h"

#define SAMPO__UNKNOWN_VERSION 255

/* One retained DSN segment (a DSS mapping as sampled): 16 bytes. */
typedef struct sampo__seg {
    uint64_t dsn;    /* unwrapped start */
    uint32_t t_ms;   /* packet time in ms since the context's first packet */
    uint16_t len;    /* data-level length; 0 for a DATA_ACK mark */
    uint16_t ssn_lo; /* low 15 bits of the subflow sequence number (dedupe), and
                      * SAMPO__SEG_UNSEEN when the packet did not carry its data */
} sampo__seg;

/* ssn_lo's flag: the mapping came on a packet that did not carry its data
 * (no payload and no DATA_FIN, more payload than the mapping, or a TCP
 * sequence number outside the mapping): not reinjection evidence. */
#define SAMPO__SEG_UNSEEN 0x8000u
#define SAMPO__SEG_SSN_MASK 0x7fffu

/* Per-direction state: the sender of this direction owns the DSN space.
 * What every data packet touches comes first. */
typedef struct sampo__dir {
    uint64_t pkts, bytes;
    uint64_t est_pkts, est_bytes; /* scaled by each packet's sampling rate, saturating */
    uint64_t dss_pkts;
    uint64_t dsn_lo, dsn_hi; /* unwrapped span of the sender's DSNs, hi exclusive */
    uint64_t dsn_last;       /* last unwrapped DSN (serial arithmetic anchor) */
    sampo__seg *segs;        /* ring of retained segments */
    sampo__ring seg;
    uint8_t dsn_bits, ack_bits;
    uint8_t fin, data_fin, rst;
    uint8_t dirty; /* assoc/: new DSN, ACK or segment since the last run */
    uint8_t has_isn, has_tcp_hi, has_seq_off;
    uint8_t seq_bad;  /* a mapping's TCP sequence did not follow seq_off: no reinjection evidence */
    int16_t addr_id;  /* address id this sender announced, -1 unknown */
    uint16_t map_len; /* the last mapping of this direction (0: none) */
    uint32_t isn;     /* TCP ISN of this direction, from its SYN */
    uint32_t tcp_hi;  /* highest TCP sequence end seen (serial arithmetic) */
    uint32_t map_ssn;
    uint32_t gap_nseg; /* assoc/: cached gap statistics, valid while !dirty */
    uint32_t seq_off;  /* TCP sequence minus subflow sequence of its first mapping */
    uint64_t map_dsn;
    uint64_t ack_lo, ack_hi; /* DATA_ACKs this sender sent: positions in the peer's space */
    uint64_t ack_last;
    uint64_t gap_max; /* assoc/: with gap_nseg */
} sampo__dir;

struct sampo__session;
struct sampo__conn;
struct sampo__source;

typedef struct sampo__subflow {
    UT_hash_handle hh; /* by key; the key follows, for one cache line less per lookup */
    sampo__fkey key;
    /* Touched by every packet. */
    uint64_t last_ns;
    uint64_t lru_ns; /* last_ns when it was last moved to the LRU tail */
    struct sampo__session *sess;
    UT_hash_handle hh_id; /* by id */
    uint64_t id;
    sampo__link lru;       /* oldest first */
    sampo__link sess_link; /* members of its session, by id */
    sampo__link conn_link; /* members of its connection */
    struct sampo__conn *conn;
    struct sampo__source *src; /* the source of its first packet */
    sampo__link src_link;      /* members of that source, oldest first */
    sampo__dir dir[2];         /* dir[d]: packets sent by endpoint d of the key */
    uint64_t first_ns;
    double confidence;     /* of its tie to the session */
    uint32_t reinjections; /* assoc/: segments found on a sibling */
    uint32_t join_token;
    int8_t initiator; /* key endpoint that sent the SYN, -1 unknown */
    uint8_t version;  /* SAMPO__UNKNOWN_VERSION when not known */
    uint8_t method;   /* sampo_method of its tie */
    uint8_t is_initial, is_join, has_join_token, backup, fallback;
    uint8_t closed, close_reason;
    /* assoc/ */
    uint8_t assoc_mark;   /* flag of the current run */
    uint8_t join_hs;      /* SAMPO__JOIN_*: what its MP_JOIN handshake showed and proved */
    uint32_t uf;          /* node index in the current run */
    double anchor_phi;    /* Φ of the key-anchored tie to anchor_conn */
    uint64_t anchor_conn; /* id of the connection its DSNs are anchored on, 0: none */
    /* MP_JOIN: what verifying the SYN/ACK's HMAC needs (with join_token) */
    uint32_t join_nonce[2]; /* R-A (the SYN's), R-B (the SYN/ACK's) */
    uint64_t join_thmac;    /* the SYN/ACK's truncated HMAC */
} sampo__subflow;

/* join_hs bits. */
enum {
    SAMPO__JOIN_SYN = 1,      /* join_token, join_nonce[0] hold the SYN's */
    SAMPO__JOIN_SYNACK = 2,   /* join_nonce[1], join_thmac hold the SYN/ACK's */
    SAMPO__JOIN_VERIFIED = 4, /* its HMAC matched its connection's keys */
    SAMPO__JOIN_FAILED = 8,   /* it did not: detached, never tied by its token again */
    SAMPO__JOIN_UNSHARED = 16 /* its token named a pending conn it shares no host with */
};

#define SAMPO__SF_OF_LRU(l) SAMPO__ENTRY(l, sampo__subflow, lru)
#define SAMPO__SF_OF_SESS(l) SAMPO__ENTRY(l, sampo__subflow, sess_link)
#define SAMPO__SF_OF_CONN(l) SAMPO__ENTRY(l, sampo__subflow, conn_link)
#define SAMPO__SF_OF_SRC(l) SAMPO__ENTRY(l, sampo__subflow, src_link)

/* The key endpoint taken as the client (core/flow.h's rule). */
static inline int sampo__sf_client(const sampo__subflow *sf)
{
    return sampo__client_end(&sf->key, sf->initiator);
}

/* 0 when direction `dir` is sent by the client side, 1 by the server side. */
static inline int sampo__sf_side(const sampo__subflow *sf, int dir)
{
    return dir == sampo__sf_client(sf) ? 0 : 1;
}

/* Do two subflows have an endpoint address in common? */
static inline bool sampo__sf_share_host(const sampo__subflow *a, const sampo__subflow *b)
{
    if (a->key.family != b->key.family)
        return false;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            if (!memcmp(a->key.addr[i], b->key.addr[j], 16))
                return true;
    return false;
}

static inline void sampo__sf_to_flow(const sampo__subflow *sf, sampo_flow *out)
{
    sampo__fkey_to_flow(&sf->key, sf->initiator, out);
}

#endif
