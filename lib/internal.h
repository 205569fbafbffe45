/* internal.h - the context and the state it holds.  Private to lib/. */
#ifndef SAMPO_INTERNAL_H
#define SAMPO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "mptcp_opt.h"
#include "sampo.h"
#include "uthash_cfg.h"

#define SAMPO__UNKNOWN_VERSION 255

/* ---- memory ------------------------------------------------------------ */

typedef struct sampo__mem {
    sampo_allocator hooks;
    size_t cur, peak;
    size_t cap;              /* 0: no cap */
    uint64_t *cnt;           /* the context's counters */
} sampo__mem;

void *sampo__mem_alloc(sampo__mem *m, size_t size);
void *sampo__mem_calloc(sampo__mem *m, size_t size);
void sampo__mem_free(sampo__mem *m, void *p);

/* ---- flows -------------------------------------------------------------- */

/* Canonical bidirectional key: the lower (address, port) endpoint first.
 * Packed by hand so that there is no padding to leak into the hash. */
typedef struct sampo__fkey {
    uint8_t addr[2][16];
    uint16_t port[2];
    uint8_t family;
    uint8_t zero[3];
} sampo__fkey;

/* One retained DSN segment (a DSS mapping as sampled): 16 bytes. */
typedef struct sampo__seg {
    uint64_t dsn;            /* unwrapped start */
    uint32_t t_ms;           /* packet time in ms since the context's first packet */
    uint16_t len;            /* data-level length; 1 for a DATA_FIN-only mapping */
    uint16_t ssn_lo;         /* low bits of the subflow sequence number (dedupe) */
} sampo__seg;

/* Per-direction state: the sender of this direction owns the DSN space.
 * What every data packet touches comes first (one cache line). */
typedef struct sampo__dir {
    uint64_t pkts, bytes, dss_pkts;
    uint64_t dsn_lo, dsn_hi; /* unwrapped span of the sender's DSNs, hi exclusive */
    uint64_t dsn_last;       /* last unwrapped DSN (serial arithmetic anchor) */
    sampo__seg *segs;        /* ring of retained segments */
    uint32_t seg_n, seg_cap, seg_head;
    uint8_t dsn_bits, ack_bits;
    uint8_t fin, data_fin, rst;
    /* Association cache: valid while !dirty (no new DSN, ACK or segment
     * change since the last run). */
    uint8_t dirty;
    int16_t addr_id;         /* address id this sender announced, -1 unknown */
    uint32_t gap_nseg;
    uint64_t ack_lo, ack_hi; /* DATA_ACKs this sender sent: positions in the peer's space */
    uint64_t ack_last;
    uint64_t gap_max;
    uint64_t est_pkts, est_bytes; /* scaled by each packet's sampling rate */
} sampo__dir;

struct sampo__session;
struct sampo__conn;

typedef struct sampo__subflow {
    UT_hash_handle hh;       /* by key; the key follows, for one cache line less per lookup */
    sampo__fkey key;
    /* Touched by every packet. */
    uint64_t last_ns;
    uint64_t lru_ns;         /* last_ns when it was last moved to the LRU tail */
    struct sampo__session *sess;
    UT_hash_handle hh_id;    /* by id */
    uint64_t id;
    struct sampo__subflow *lru_prev, *lru_next;  /* oldest first */
    struct sampo__subflow *sess_prev, *sess_next;/* members, by id */
    struct sampo__subflow *conn_prev, *conn_next;/* members of the conn */
    struct sampo__conn *conn;
    sampo__dir dir[2];       /* dir[d]: packets sent by endpoint d of the key */
    uint64_t first_ns;
    double confidence;       /* of its tie to the session */
    uint32_t reinjections;
    uint32_t join_token;
    int8_t initiator;        /* endpoint index that sent the SYN, -1 unknown */
    uint8_t version;         /* SAMPO__UNKNOWN_VERSION when not known */
    uint8_t method;          /* sampo_method of its tie */
    uint8_t is_initial, is_join, has_join_token, backup, fallback;
    uint8_t closed, close_reason, pinned;
    /* Association run scratch and results. */
    uint32_t uf;             /* node index in the current run */
    double anchor_phi;       /* Φ of the key-anchored tie, with anchor_conn */
    struct sampo__conn *anchor_conn; /* holds a reference */
} sampo__subflow;

/* ---- tokens ------------------------------------------------------------- */

typedef struct sampo__tokent {
    UT_hash_handle hh;
    uint32_t token;
    uint8_t in_table;
    struct sampo__conn *conn;
} sampo__tokent;

/* An MPTCP connection as identified by its keys or tokens.  Role 0 is the
 * initiator (client) of the initial subflow, role 1 the listener. */
typedef struct sampo__conn {
    sampo__tokent tok[2];    /* tok[r].token is the token of role r */
    uint64_t key[2];
    uint64_t idsn[2];
    uint32_t rtoken[2];      /* token of role r, valid with has_key[r] */
    uint8_t has_key[2];
    uint8_t version;
    uint8_t had_pending;     /* created by an MP_JOIN whose token was unknown */
    uint64_t mark;           /* run stamp (anchor building) */
    uint32_t refs;           /* members, plus key-anchored subflows */
    sampo__subflow *members; /* its session is its members' session */
} sampo__conn;

/* ---- sessions ----------------------------------------------------------- */

typedef struct sampo__session {
    UT_hash_handle hh;       /* by id */
    uint64_t id;
    struct sampo__session *prev, *next;  /* all sessions, by id */
    sampo__subflow *head, *tail;         /* members, by subflow id */
    uint32_t n;
    uint8_t version;
    uint8_t closed, close_reason;
    uint8_t data_fin_mask;
    uint64_t claimed;        /* run that claimed it for a component */
} sampo__session;

/* ---- the context -------------------------------------------------------- */

typedef struct sampo__source {
    UT_hash_handle hh;
    uint32_t id;
    uint32_t rate;
} sampo__source;

typedef struct sampo__opts {
    int64_t window_ns, retention_ns, idle_ns;
    int64_t max_subflows, max_memory, hash_seed, sampling_rate;
    int64_t max_segments, max_events;
    int64_t token_evidence, dsn_evidence;
    double min_confidence, gap_k, hysteresis;
} sampo__opts;

struct sampo_ctx {
    sampo__mem mem;
    uint64_t cnt[SAMPO_CNT__COUNT];
    sampo__opts opt;
    uint64_t seed;
    bool active;             /* a packet was fed: options are frozen */
    bool hash_oom;           /* set by uthash on a refused allocation */
    uint64_t now_ns, next_run_ns;
    uint64_t t0_ns;          /* the first packet's time (segment times are relative) */

    sampo__subflow *flows;   /* by key */
    sampo__subflow *flows_by_id;
    sampo__subflow *lru_head, *lru_tail;
    uint64_t n_flows, next_flow_id;

    sampo__tokent *tokens;   /* token -> conn */

    sampo__session *sessions;/* by id */
    sampo__session *sess_head, *sess_tail;
    uint64_t next_session_id;

    sampo__source *sources;

    sampo_event ev_scratch;  /* the event being built */
    sampo_event *evq;        /* ring */
    uint32_t ev_cap, ev_head, ev_n;
    sampo_event_cb ev_cb;
    void *ev_user;

    /* DSN association */
    struct sampo__pair *pairs;       /* by (id, id) */
    struct sampo__pair **pair_list;  /* snapshot sorted by ids, for iteration */
    size_t n_pair_list;
    uint64_t run;                    /* association run number */

    char err[160];
};

/* api.c */
void sampo__set_error(sampo_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
uint64_t sampo__hash(uint64_t seed, const void *data, size_t len);

/* flow_table.c */
void sampo__fkey_from_pkt(const sampo__pkt *p, sampo__fkey *k, int *dir);
unsigned sampo__fkey_hash(const sampo_ctx *ctx, const sampo__fkey *k);
sampo__subflow *sampo__flow_find(sampo_ctx *ctx, const sampo__fkey *k, unsigned hv);
sampo__subflow *sampo__flow_create(sampo_ctx *ctx, const sampo__fkey *k, unsigned hv, uint64_t now);
void sampo__flow_prefetch_bucket(const sampo_ctx *ctx, unsigned hv);
void sampo__flow_prefetch_entry(const sampo_ctx *ctx, unsigned hv);
void sampo__flow_touch(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now);
void sampo__flow_remove(sampo_ctx *ctx, sampo__subflow *sf, int reason);
void sampo__flow_expire(sampo_ctx *ctx, uint64_t now);
bool sampo__flow_evict_one(sampo_ctx *ctx);
void sampo__flow_to_public(const sampo__subflow *sf, sampo_flow *out);
sampo__subflow *sampo__flow_by_id(sampo_ctx *ctx, uint64_t id);
void *sampo__alloc_evicting(sampo_ctx *ctx, size_t size);

/* token.c */
int sampo__key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn);
void sampo__token_on_packet(sampo_ctx *ctx, sampo__subflow *sf, int dir,
                            const sampo__pkt *p, const sampo__mptcp_opts *o, uint64_t now);
void sampo__conn_detach(sampo_ctx *ctx, sampo__subflow *sf);
void sampo__conn_release(sampo_ctx *ctx, sampo__conn *c);

/* dsn.c */
void sampo__dsn_on_packet(sampo_ctx *ctx, sampo__subflow *sf, int dir,
                          const sampo__pkt *p, const sampo__mptcp_opts *o, uint64_t now);
void sampo__dsn_prune(sampo_ctx *ctx, sampo__subflow *sf, uint64_t horizon_ns);
void sampo__dsn_free(sampo_ctx *ctx, sampo__subflow *sf);

/* session.c */
int sampo__session_ensure(sampo_ctx *ctx, sampo__subflow *sf, uint64_t now);
void sampo__session_attach(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst,
                           int method, double conf, uint64_t now);
sampo__session *sampo__session_merge(sampo_ctx *ctx, sampo__session *a, sampo__session *b,
                                     int method, double conf, uint64_t now);
void sampo__session_unlink(sampo_ctx *ctx, sampo__subflow *sf, int reason, uint64_t now);
void sampo__session_close(sampo_ctx *ctx, sampo__session *s, int reason, uint64_t now);
void sampo__session_check_closed(sampo_ctx *ctx, sampo__session *s, uint64_t now);
void sampo__subflow_info(const sampo_ctx *ctx, const sampo__subflow *sf, sampo_subflow_info *out);
void sampo__session_info(const sampo__session *s, sampo_session_info *out);
void sampo__session_destroy_all(sampo_ctx *ctx);
sampo__session *sampo__session_new(sampo_ctx *ctx, sampo__subflow *first, uint64_t now);
void sampo__session_move(sampo_ctx *ctx, sampo__subflow *sf, sampo__session *dst, uint64_t now);

/* events.c */
sampo_event *sampo__event_new(sampo_ctx *ctx, int type, uint64_t ts);
void sampo__event_commit(sampo_ctx *ctx, sampo_event *ev);
void sampo__event_free_all(sampo_ctx *ctx);

static inline void sampo__count(sampo_ctx *ctx, int c) { ctx->cnt[c]++; }

/* Insert into a uthash table; under the memory cap a refused bucket
 * expansion rolls the insert back, so evict the least recently used
 * subflow and retry.  Only for callers that hold no unpinned state that
 * an eviction could free.  Sets `ok`. */
#define SAMPO__HASH_ADD_EVICTING(ctx, hh, head, keyptr, keylen, hv, item, ok)      \
    do {                                                                             \
        for (;;) {                                                                   \
            (ctx)->hash_oom = false;                                                 \
            HASH_ADD_KEYPTR_BYHASHVALUE(hh, head, keyptr, keylen, hv, item);        \
            if (!(ctx)->hash_oom) {                                                  \
                (ok) = true;                                                         \
                break;                                                               \
            }                                                                        \
            if (!(ctx)->mem.cap || !sampo__flow_evict_one(ctx)) {                    \
                (ok) = false;                                                        \
                break;                                                               \
            }                                                                        \
        }                                                                            \
    } while (0)

#endif
