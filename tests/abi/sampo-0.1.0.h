/* sampo 0.1.0's public header, verbatim: the ABI baseline that old_consumer.c is compiled against. NEVER EDIT THIS FILE. */
/*
 * sampo.h - Multipath TCP subflow association for network functions.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * libsampo takes packets as a middlebox sees them (often sampled, often cut
 * at 64 to 128 bytes) and tells which TCP connections are subflows of the
 * same Multipath TCP (RFC 8684 v1, RFC 6824 v0) session, with a confidence
 * for every verdict.  Evidence, strongest first: MPTCP tokens and keys seen
 * in handshakes; DSNs anchored on a known key; DATA_ACKs; the two-level DSN
 * overlap analysis of SAMPO.  See docs/algorithm.md.
 *
 * Manual in brief
 * ---------------
 *   sampo_ctx *ctx;
 *   if (sampo_ctx_create(&ctx, NULL) != SAMPO_OK) ...;
 *   sampo_ctx_set_option(ctx, SAMPO_OPT_WINDOW_NS, 500000000);   // optional
 *   for each packet:
 *       sampo_packet p = SAMPO_PACKET_INIT;
 *       p.data = bytes; p.caplen = caplen; p.wirelen = len;
 *       p.ts_ns = ts; p.linktype = SAMPO_LINKTYPE_ETHERNET;
 *       sampo_ctx_feed(ctx, &p);           // never fails on bad input
 *       sampo_event ev;
 *       while (sampo_ctx_next_event(ctx, &ev) > 0) ...;
 *       sampo_ctx_lookup(ctx, &flow, &info);   // which session? how sure?
 *   sampo_ctx_flush(ctx);                  // end of input: final verdicts
 *   sampo_ctx_destroy(ctx);
 *
 * Time
 *   The library's only clock is the packet timestamp (ns).  Association
 *   windows, retention and idle timeouts run on it, so the same input gives
 *   the same output.  Timestamps that go backwards are accepted and counted
 *   (counter "ts_backwards"); time never moves backwards inside a context.
 *
 * Threads
 *   There is no global mutable state.  A context must not be used by two
 *   threads at the same time; distinct contexts may run in parallel in
 *   distinct threads without any locking.  sampo_strerror(),
 *   sampo_version_*(), sampo_option_bounds() and sampo_counter_name() are
 *   reentrant.
 *
 * Memory
 *   All memory is taken through the context's allocator (sampo_allocator).
 *   With SAMPO_OPT_MAX_MEMORY set, the context evicts its least recently
 *   used state (counted) so that its total allocation never exceeds the
 *   cap, whatever the input.
 *
 * Errors
 *   Functions that can fail return SAMPO_OK (0) or a negative SAMPO_E_*
 *   code; sampo_strerror() names it and sampo_ctx_last_error() gives the
 *   detail of the last failure on a context.  The library never prints,
 *   never exits and never aborts on bad input: a malformed packet is
 *   counted and processing goes on with the next one.
 *
 * ABI
 *   Structs the caller fills or receives begin with a `size` member: set it
 *   with the matching *_INIT macro (or sizeof) so that later versions can
 *   grow the struct.  Symbols are sampo_* only.
 */
#ifndef SAMPO_H
#define SAMPO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SAMPO_STATIC_DEFINE) || !defined(__GNUC__)
#define SAMPO_API
#else
#define SAMPO_API __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define SAMPO_VERSION_MAJOR 0
#define SAMPO_VERSION_MINOR 1
#define SAMPO_VERSION_PATCH 0
#define SAMPO_VERSION_NUMBER \
    (SAMPO_VERSION_MAJOR * 10000 + SAMPO_VERSION_MINOR * 100 + SAMPO_VERSION_PATCH)
#define SAMPO_STR2_(x) #x
#define SAMPO_STR_(x) SAMPO_STR2_(x)
#define SAMPO_VERSION_STRING                                                 \
    SAMPO_STR_(SAMPO_VERSION_MAJOR) "." SAMPO_STR_(SAMPO_VERSION_MINOR) "." \
        SAMPO_STR_(SAMPO_VERSION_PATCH)

/** @return SAMPO_VERSION_NUMBER of the library actually linked. @since 0.1 */
SAMPO_API unsigned sampo_version_number(void);
/** @return SAMPO_VERSION_STRING of the library actually linked. @since 0.1 */
SAMPO_API const char *sampo_version_string(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* XX(name, value, message): one table, from which the enum and
 * sampo_strerror() are both generated. */
#define SAMPO_ERRNO_MAP(XX)                                                   \
    XX(INVAL, -1, "invalid argument")                                        \
    XX(NOMEM, -2, "out of memory")                                           \
    XX(ACTIVE, -3, "option can only be set before the first packet")         \
    XX(RANGE, -4, "value out of range")                                      \
    XX(OPTTYPE, -5, "option takes a value of another type")                  \
    XX(LINKTYPE, -6, "unsupported link type")                                \
    XX(TRUNCATED, -7, "packet truncated before the TCP header")              \
    XX(MALFORMED, -8, "malformed packet")                                    \
    XX(NOTTCP, -9, "not a TCP packet")                                       \
    XX(FRAGMENT, -10, "non-first IP fragment")                               \
    XX(NOTFOUND, -11, "no such flow or session")                             \
    XX(LIMIT, -12, "memory or subflow cap reached")                          \
    XX(TSBACK, -13, "timestamp earlier than context time")                   \
    XX(NOSPACE, -14, "output buffer too small")

/** Status codes.  SAMPO_OK is 0, errors are negative. */
typedef enum sampo_status {
    SAMPO_OK = 0,
#define SAMPO_XX_(name, val, msg) SAMPO_E_##name = (val),
    SAMPO_ERRNO_MAP(SAMPO_XX_)
#undef SAMPO_XX_
} sampo_status;

/**
 * @return a static English message for a status code ("unknown error" for
 *         a code that is not in the table).  Never NULL. @since 0.1
 */
SAMPO_API const char *sampo_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

/** Opaque analysis context.  Holds flows, sessions, verdicts and events. */
typedef struct sampo_ctx sampo_ctx;

/**
 * Allocator hooks for one context.  `malloc` and `free` are required;
 * `opaque` is passed back unchanged.  The library never calls the C
 * library's allocator when hooks are given.
 */
typedef struct sampo_allocator {
    void *(*malloc)(void *opaque, size_t size);
    void (*free)(void *opaque, void *ptr);
    void *opaque;
} sampo_allocator;

/**
 * Create a context with default options.
 * @param out    receives the context; set to NULL on failure.
 * @param alloc  allocator hooks (copied), or NULL for malloc/free.
 * @return SAMPO_OK, SAMPO_E_INVAL or SAMPO_E_NOMEM.  @since 0.1
 */
SAMPO_API int sampo_ctx_create(sampo_ctx **out, const sampo_allocator *alloc);

/** Free a context and everything it holds.  NULL is a no-op. @since 0.1 */
SAMPO_API void sampo_ctx_destroy(sampo_ctx *ctx);

/**
 * @return a message describing the last error on this context, or "" when
 *         there was none.  Valid until the next call on the context.
 */
SAMPO_API const char *sampo_ctx_last_error(const sampo_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Options.  Integer options are set with sampo_ctx_set_option(), real
 * ones with sampo_ctx_set_option_real(); sampo_option_bounds() tells which
 * is which, and the range and default.  All options can only be set before
 * the first packet is fed (SAMPO_E_ACTIVE after), except
 * SAMPO_OPT_MIN_CONFIDENCE which takes effect at the next association run.
 */
typedef enum sampo_option {
    /** Association period γ in ns (int, default 500 ms). */
    SAMPO_OPT_WINDOW_NS = 1,
    /** How long DSN segments are retained, in ns (int, default 2 s). */
    SAMPO_OPT_RETENTION_NS = 2,
    /** Idle time after which a subflow is removed, ns (int, default 15 s). */
    SAMPO_OPT_IDLE_TIMEOUT_NS = 3,
    /** Most subflows tracked at once; LRU eviction past it (int, 1M). */
    SAMPO_OPT_MAX_SUBFLOWS = 4,
    /** Memory cap in bytes for the whole context: 0 = none, else at least
     *  64 KiB (int, default 0). */
    SAMPO_OPT_MAX_MEMORY = 5,
    /** Reporting threshold Φ for joining a session (real, 0.99). */
    SAMPO_OPT_MIN_CONFIDENCE = 6,
    /** Use MP_CAPABLE keys and MP_JOIN tokens (int 0/1, default 1). */
    SAMPO_OPT_TOKEN_EVIDENCE = 7,
    /** Use DSN evidence (key-anchored, DATA_ACK, overlap) (int 0/1, 1). */
    SAMPO_OPT_DSN_EVIDENCE = 8,
    /** Seed of the flow hash; 0 = random from getrandom(2) (int).  Output
     *  never depends on it; fix it to make hash layouts reproducible. */
    SAMPO_OPT_HASH_SEED = 9,
    /** Default sampling rate, 1 in N, for packets that declare none (int, 1). */
    SAMPO_OPT_SAMPLING_RATE = 10,
    /** DSN segments kept per subflow direction (int, default 512). */
    SAMPO_OPT_MAX_SEGMENTS = 11,
    /** Events queued before the oldest are dropped and counted (int, 64k). */
    SAMPO_OPT_MAX_EVENTS = 12,
    /** Steepness k of the gap logistic (real, default 8). */
    SAMPO_OPT_GAP_STEEPNESS = 13,
    /** Hysteresis h: a verdict is revised only by one with
     *  Φ_new >= Φ_old + h (1 - Φ_old) (real, default 0.5). */
    SAMPO_OPT_HYSTERESIS = 14,
} sampo_option;

/** Value kind of an option. */
typedef enum sampo_option_type {
    SAMPO_OPTTYPE_INT = 1,
    SAMPO_OPTTYPE_REAL = 2,
} sampo_option_type;

/** Range and default of one option, from sampo_option_bounds(). */
typedef struct sampo_bounds {
    size_t size;          /**< sizeof(sampo_bounds), set by the caller */
    sampo_option_type type;
    const char *name;     /**< e.g. "window_ns" */
    int64_t imin, imax, idefault; /**< for SAMPO_OPTTYPE_INT */
    double rmin, rmax, rdefault;  /**< for SAMPO_OPTTYPE_REAL */
} sampo_bounds;
#define SAMPO_BOUNDS_INIT {.size = sizeof(sampo_bounds)}

/** Fill `out` for `opt`.  @return SAMPO_OK or SAMPO_E_INVAL. @since 0.1 */
SAMPO_API int sampo_option_bounds(sampo_option opt, sampo_bounds *out);

/** Set an integer option.  @return SAMPO_OK, SAMPO_E_INVAL (unknown),
 *  SAMPO_E_OPTTYPE, SAMPO_E_RANGE or SAMPO_E_ACTIVE. @since 0.1 */
SAMPO_API int sampo_ctx_set_option(sampo_ctx *ctx, sampo_option opt, int64_t value);
/** Set a real option; same returns as sampo_ctx_set_option(). @since 0.1 */
SAMPO_API int sampo_ctx_set_option_real(sampo_ctx *ctx, sampo_option opt, double value);
/** Read an integer option. @since 0.1 */
SAMPO_API int sampo_ctx_get_option(const sampo_ctx *ctx, sampo_option opt, int64_t *value);
/** Read a real option. @since 0.1 */
SAMPO_API int sampo_ctx_get_option_real(const sampo_ctx *ctx, sampo_option opt, double *value);

/**
 * Declare that packets from `source_id` were sampled 1 in `rate`
 * (rate >= 1).  Used by the DSN analysis; a packet's own sampling_rate,
 * when non-zero, wins.  May be called at any time. @since 0.1
 */
SAMPO_API int sampo_ctx_set_source_rate(sampo_ctx *ctx, uint32_t source_id, uint32_t rate);

/* ------------------------------------------------------------------------ */
/* Feeding packets                                                          */
/* ------------------------------------------------------------------------ */

/** Link types: the values of libpcap's DLT_* / LINKTYPE_* for the same. */
#define SAMPO_LINKTYPE_ETHERNET 1   /**< Ethernet II, 802.1Q and QinQ tags */
#define SAMPO_LINKTYPE_RAW 101      /**< raw IPv4 or IPv6 (version nibble) */
#define SAMPO_LINKTYPE_LINUX_SLL 113
#define SAMPO_LINKTYPE_IPV4 228
#define SAMPO_LINKTYPE_IPV6 229
#define SAMPO_LINKTYPE_LINUX_SLL2 276

/** One captured packet. */
typedef struct sampo_packet {
    size_t size;           /**< sizeof(sampo_packet) */
    const uint8_t *data;   /**< captured bytes, starting at the link header */
    uint32_t caplen;       /**< bytes available at `data` */
    uint32_t wirelen;      /**< length on the wire (>= caplen; 0 = caplen) */
    uint64_t ts_ns;        /**< capture time, ns since any fixed epoch */
    int linktype;          /**< SAMPO_LINKTYPE_* */
    uint32_t sampling_rate;/**< 1 in N this packet was sampled at; 0 = from source */
    uint32_t source_id;    /**< exporter / interface the packet came from */
} sampo_packet;
#define SAMPO_PACKET_INIT {.size = sizeof(sampo_packet), .linktype = SAMPO_LINKTYPE_ETHERNET}

/**
 * Analyse one packet.  Runs any association window that the packet's
 * timestamp closes, first.  Non-TCP and plain TCP packets are counted and
 * ignored.  A packet that cannot be used is counted under a named counter
 * and the call returns why; the context stays usable either way.
 * @return SAMPO_OK when the packet was decoded (MPTCP or not), or
 *         SAMPO_E_LINKTYPE, SAMPO_E_TRUNCATED, SAMPO_E_MALFORMED,
 *         SAMPO_E_NOTTCP, SAMPO_E_FRAGMENT for a packet that was dropped,
 *         SAMPO_E_LIMIT when a new subflow could not be tracked under the
 *         caps even after eviction, SAMPO_E_INVAL for NULL arguments.
 *         @since 0.1
 */
SAMPO_API int sampo_ctx_feed(sampo_ctx *ctx, const sampo_packet *pkt);

/**
 * Analyse `n` packets in order, exactly as `n` calls of sampo_ctx_feed()
 * would, but faster when many subflows are tracked: the packets are decoded
 * and their flow-table entries fetched into cache in groups before they are
 * processed.  The packets' data must stay valid for the call.
 * @param status  NULL, or an array of `n` that receives each packet's
 *                sampo_ctx_feed() status.
 * @return `n` (at most INT32_MAX), or SAMPO_E_INVAL (then nothing was fed:
 *         a NULL argument or a packet without a valid size).  @since 0.1
 */
SAMPO_API int sampo_ctx_feed_batch(sampo_ctx *ctx, const sampo_packet *pkts, size_t n, int *status);

/**
 * Move the context clock to `now_ns` without a packet (e.g. on a live
 * capture timeout): runs due association windows and idle expiry.
 * @since 0.1
 */
SAMPO_API int sampo_ctx_advance(sampo_ctx *ctx, uint64_t now_ns);

/**
 * End of input: run association once more on everything held, so that
 * the final verdicts, sessions and events are available.  Flows stay
 * queryable; more packets may still be fed afterwards. @since 0.1
 */
SAMPO_API int sampo_ctx_flush(sampo_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Flows, methods, verdicts                                                 */
/* ------------------------------------------------------------------------ */

/** A TCP connection as a 5-tuple (protocol is TCP). */
typedef struct sampo_flow {
    uint8_t family;        /**< 4 or 6 */
    uint8_t reserved[3];
    uint16_t src_port, dst_port; /**< host byte order */
    uint8_t src[16];       /**< IPv4 in the first 4 bytes */
    uint8_t dst[16];
} sampo_flow;

/** How a subflow was tied to its session. */
typedef enum sampo_method {
    SAMPO_METHOD_NONE = 0,        /**< not associated with anything */
    SAMPO_METHOD_TOKEN = 1,       /**< MP_CAPABLE keys / MP_JOIN token (Φ = 1) */
    SAMPO_METHOD_KEY_DSN = 2,     /**< DSN or DATA_ACK in a key-anchored span */
    SAMPO_METHOD_DSN_PROXIMITY = 3, /**< active ranges close in DSN space */
    SAMPO_METHOD_DSN_OVERLAP = 4, /**< two-level overlap (SAMPO) */
    SAMPO_METHOD_REINJECTION = 5, /**< identical segments on both subflows */
} sampo_method;

/** @return "none", "token", "key-dsn", "dsn-proximity", "dsn-overlap",
 *  "reinjection", or "unknown". @since 0.1 */
SAMPO_API const char *sampo_method_name(int method);

/** Verdict on a pair of subflows. */
typedef enum sampo_verdict {
    SAMPO_VERDICT_UNDECIDED = 0,
    SAMPO_VERDICT_SAME = 1,
    SAMPO_VERDICT_DISTINCT = 2,
} sampo_verdict;

/** Why a session or subflow ended. */
typedef enum sampo_close_reason {
    SAMPO_CLOSE_NONE = 0,
    SAMPO_CLOSE_DATA_FIN = 1,     /**< DATA_FIN seen in both directions */
    SAMPO_CLOSE_FASTCLOSE = 2,    /**< MP_FASTCLOSE */
    SAMPO_CLOSE_TCPRST = 3,       /**< MP_TCPRST */
    SAMPO_CLOSE_RST = 4,          /**< TCP RST */
    SAMPO_CLOSE_FIN = 5,          /**< TCP FIN in both directions */
    SAMPO_CLOSE_TIMEOUT = 6,      /**< idle timeout */
    SAMPO_CLOSE_EVICTED = 7,      /**< removed to stay under a cap */
} sampo_close_reason;

/** @return "none", "data-fin", "fastclose", "tcprst", "rst", "fin",
 *  "timeout", "evicted", or "unknown". @since 0.1 */
SAMPO_API const char *sampo_close_reason_name(int reason);

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum sampo_event_type {
    SAMPO_EV_SESSION_OPENED = 1,  /**< new session (session_id, flow) */
    SAMPO_EV_SUBFLOW_JOINED = 2,  /**< flow joined session_id (method, confidence) */
    SAMPO_EV_VERDICT_REVISED = 3, /**< pair (flow, peer) changed verdict */
    SAMPO_EV_CONFLICT = 4,        /**< a merge was vetoed (flow, peer) */
    SAMPO_EV_SESSION_CLOSED = 5,  /**< session ended (reason) */
    SAMPO_EV_ADD_ADDR = 6,        /**< ADD_ADDR (addr, addr_port, addr_id, echo) */
    SAMPO_EV_REMOVE_ADDR = 7,     /**< REMOVE_ADDR, one event per address id */
    SAMPO_EV_MP_PRIO = 8,         /**< MP_PRIO (backup, addr_id) */
    SAMPO_EV_MP_FAIL = 9,         /**< MP_FAIL (dsn) */
    SAMPO_EV_FALLBACK = 10,       /**< infinite mapping: fell back to TCP */
    SAMPO_EV_SUBFLOW_CLOSED = 11, /**< one subflow ended (reason) */
} sampo_event_type;

/** @return a short lowercase name, e.g. "subflow-joined". @since 0.1 */
SAMPO_API const char *sampo_event_name(int type);

/** One event.  Members not meaningful for a type are zero. */
typedef struct sampo_event {
    size_t size;           /**< sizeof(sampo_event), set by the caller */
    sampo_event_type type;
    uint64_t ts_ns;        /**< packet time of the event */
    uint64_t session_id;   /**< session concerned (0 if none) */
    uint64_t other_session_id; /**< the session merged away / in conflict */
    sampo_flow flow;       /**< subflow concerned, as oriented by the library */
    sampo_flow peer;       /**< other subflow of a pair verdict / conflict */
    sampo_method method;
    double confidence;     /**< Φ of the verdict or join */
    sampo_verdict verdict, old_verdict;
    int reason;            /**< sampo_close_reason (closed events) */
    uint8_t mptcp_version; /**< 0 or 1 when known, 255 if not */
    uint8_t addr_id;
    uint8_t backup;        /**< MP_PRIO / MP_JOIN B flag */
    uint8_t echo;          /**< ADD_ADDR E flag */
    uint8_t addr_family;   /**< ADD_ADDR: 4 or 6 */
    uint8_t tcprst_reason; /**< MP_TCPRST reason code (RFC 8684 3.6) */
    uint16_t addr_port;    /**< ADD_ADDR port, 0 if none */
    uint8_t addr[16];      /**< ADD_ADDR address */
    uint64_t dsn;          /**< MP_FAIL DSN */
} sampo_event;
#define SAMPO_EVENT_INIT {.size = sizeof(sampo_event)}

/**
 * Pull the oldest queued event.
 * @return 1 when `out` was filled, 0 when the queue is empty, or a
 *         negative code. @since 0.1
 */
SAMPO_API int sampo_ctx_next_event(sampo_ctx *ctx, sampo_event *out);

/** Event callback: called for each event as it happens, instead of queueing. */
typedef void (*sampo_event_cb)(const sampo_event *ev, void *user);

/** Install (or remove, with NULL) a callback.  Queued events stay queued. */
SAMPO_API int sampo_ctx_set_event_callback(sampo_ctx *ctx, sampo_event_cb cb, void *user);

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

/** Direction index in per-direction statistics. */
#define SAMPO_DIR_FWD 0 /**< from flow.src to flow.dst */
#define SAMPO_DIR_REV 1 /**< from flow.dst to flow.src */

/** Statistics and state of one subflow. */
typedef struct sampo_subflow_info {
    size_t size;           /**< sizeof(sampo_subflow_info), set by the caller */
    uint64_t subflow_id;   /**< stable while the subflow is tracked */
    uint64_t session_id;   /**< session it belongs to (0: none yet) */
    sampo_flow flow;       /**< src = initiator when initiator_known */
    uint8_t initiator_known; /**< a SYN of this subflow was seen */
    uint8_t mptcp_version; /**< 0, 1 (a join's is its session's), or 255 when unknown */
    uint8_t is_initial;    /**< carried MP_CAPABLE (the first subflow) */
    uint8_t is_join;       /**< carried MP_JOIN */
    uint8_t backup;        /**< backup priority (MP_JOIN B or MP_PRIO) */
    uint8_t fallback;      /**< fell back to plain TCP */
    uint8_t closed;        /**< FIN/RST/DATA_FIN... seen */
    uint8_t dsn_bits[2];   /**< 32 or 64 per direction (0: no DSN seen) */
    int16_t addr_id[2];    /**< address id announced by src/dst, -1 unknown */
    sampo_method method;   /**< how it was tied to its session */
    double confidence;     /**< Φ of that tie (1 for tokens) */
    uint64_t packets[2], bytes[2]; /**< per direction, as sampled */
    uint64_t dss_packets[2]; /**< packets carrying a DSN mapping */
    uint64_t dsn_lo[2], dsn_hi[2]; /**< DSN span per direction (64-bit unwrapped, hi exclusive) */
    uint64_t first_ns, last_ns;
    uint32_t reinjections; /**< segments also seen on a sibling */
    int close_reason;      /**< sampo_close_reason */
    /** Estimates of the traffic on the wire, per direction: every packet
     *  counts for the 1-in-N rate it was sampled at (the packet's
     *  sampling_rate, else its source's, else SAMPO_OPT_SAMPLING_RATE).
     *  Equal to packets/bytes when nothing is sampled. */
    uint64_t est_packets[2], est_bytes[2];
} sampo_subflow_info;
#define SAMPO_SUBFLOW_INFO_INIT {.size = sizeof(sampo_subflow_info)}

/** Summary of one session. */
typedef struct sampo_session_info {
    size_t size;           /**< sizeof(sampo_session_info), set by the caller */
    uint64_t session_id;
    uint32_t n_subflows;   /**< subflows currently tracked in it */
    uint8_t mptcp_version; /**< 0, 1, or 255 when unknown */
    uint8_t keys_known;    /**< bit 0: initiator key, bit 1: listener key */
    uint8_t closed;
    uint8_t reserved;
    sampo_method method;   /**< weakest method that ties its subflows */
    double confidence;     /**< lowest Φ among those ties */
    uint32_t token[2];     /**< initiator's, listener's token (if known) */
    uint64_t first_ns, last_ns;
    uint64_t packets, bytes;
    int close_reason;
    uint64_t est_packets, est_bytes; /**< sampling-rate scaled, as per subflow */
} sampo_session_info;
#define SAMPO_SESSION_INFO_INIT {.size = sizeof(sampo_session_info)}

/**
 * Which session does the connection `flow` belong to?  Either orientation
 * of the 5-tuple finds it.
 * @return SAMPO_OK, or SAMPO_E_NOTFOUND when the flow is not a tracked
 *         MPTCP subflow. @since 0.1
 */
SAMPO_API int sampo_ctx_lookup(sampo_ctx *ctx, const sampo_flow *flow, sampo_subflow_info *out);

/** Summary of session `session_id`.  @return SAMPO_OK or SAMPO_E_NOTFOUND. */
SAMPO_API int sampo_ctx_session(sampo_ctx *ctx, uint64_t session_id, sampo_session_info *out);

/**
 * Iterate sessions in id order.  Start with *cursor = 0; each call fills
 * `out` with the next session after *cursor and advances it.
 * @return 1 when filled, 0 at the end. @since 0.1
 */
SAMPO_API int sampo_ctx_next_session(sampo_ctx *ctx, uint64_t *cursor, sampo_session_info *out);

/**
 * Iterate the subflows of one session (session_id != 0), or every tracked
 * subflow (session_id == 0), in subflow id order.  Start with *cursor = 0.
 * @return 1 when filled, 0 at the end, SAMPO_E_NOTFOUND for an unknown
 *         session. @since 0.1
 */
SAMPO_API int sampo_ctx_next_subflow(sampo_ctx *ctx, uint64_t session_id, uint64_t *cursor,
                                     sampo_subflow_info *out);

/** Verdict on one pair of subflows, as the DSN association keeps it. */
typedef struct sampo_pair_info {
    size_t size;           /**< sizeof(sampo_pair_info), set by the caller */
    uint64_t subflow_id[2];/**< subflow_id[0] < subflow_id[1] */
    sampo_flow flow[2];    /**< family 0 if that subflow is no longer tracked */
    sampo_verdict verdict;
    sampo_method method;   /**< the evidence that decided it */
    double confidence;     /**< Φ of the verdict */
    uint32_t reinjections; /**< segments found on both at the last evaluation */
    uint64_t updated_ns;   /**< packet time of the last change */
} sampo_pair_info;
#define SAMPO_PAIR_INFO_INIT {.size = sizeof(sampo_pair_info)}

/**
 * Iterate the pair verdicts of the last association run, ordered by
 * subflow ids.  Only pairs the DSN analysis examined are kept (pairs whose
 * DSN ranges are far apart are distinct by construction and not listed;
 * token ties are not pairs).  Start with *cursor = 0.
 * @return 1 when filled, 0 at the end. @since 0.1
 */
SAMPO_API int sampo_ctx_next_pair(sampo_ctx *ctx, uint64_t *cursor, sampo_pair_info *out);

/* ------------------------------------------------------------------------ */
/* Counters                                                                 */
/* ------------------------------------------------------------------------ */

/* XX(NAME, "name", description): every drop, anomaly and decision is counted. */
#define SAMPO_COUNTER_MAP(XX)                                                          \
    XX(PACKETS, "packets", "packets fed")                                                        \
    XX(BYTES, "bytes", "wire bytes fed")                                                       \
    XX(LINKTYPE_UNSUPPORTED, "linktype_unsupported", "packets of an unsupported link type")                   \
    XX(L2_TRUNCATED, "l2_truncated", "link header cut by caplen")                                     \
    XX(NOT_IP, "not_ip", "packets that are not IPv4 or IPv6")                                   \
    XX(IP_TRUNCATED, "ip_truncated", "IP header cut by caplen")                                       \
    XX(IP_MALFORMED, "ip_malformed", "bad IP version, header length or total length")                 \
    XX(IP_FRAGMENT, "ip_fragment", "non-first IP fragments skipped")                                 \
    XX(IPV6_EXT_TRUNCATED, "ipv6_ext_truncated", "IPv6 extension header chain cut by caplen")               \
    XX(NOT_TCP, "not_tcp", "IP packets that are not TCP")                                        \
    XX(TCP_TRUNCATED, "tcp_truncated", "TCP header cut before the options")                            \
    XX(TCP_MALFORMED, "tcp_malformed", "TCP data offset below 5 or past the packet")                   \
    XX(TCP_OPTIONS_TRUNCATED, "tcp_options_truncated", "TCP options cut by caplen (parsed as far as they go)") \
    XX(TCP_PLAIN, "tcp_plain", "TCP packets of flows without MPTCP state")                         \
    XX(TCP_MPTCP, "tcp_mptcp", "TCP packets with an MPTCP option")                                 \
    XX(OPT_MALFORMED, "opt_malformed", "MPTCP options with a bad length or subtype (skipped)")         \
    XX(OPT_TRUNCATED, "opt_truncated", "MPTCP options cut by caplen (skipped)")                        \
    XX(OPT_UNKNOWN_SUBTYPE, "opt_unknown_subtype", "MPTCP options with an unknown subtype")                  \
    XX(OPT_DUPLICATE, "opt_duplicate", "repeated MPTCP suboptions in one packet (first kept)")         \
    XX(MP_CAPABLE, "mp_capable", "MP_CAPABLE options")                                              \
    XX(MP_JOIN, "mp_join", "MP_JOIN options")                                                    \
    XX(DSS, "dss", "DSS options")                                                            \
    XX(ADD_ADDR, "add_addr", "ADD_ADDR options")                                                  \
    XX(REMOVE_ADDR, "remove_addr", "REMOVE_ADDR options")                                            \
    XX(MP_PRIO, "mp_prio", "MP_PRIO options")                                                    \
    XX(MP_FAIL, "mp_fail", "MP_FAIL options")                                                    \
    XX(MP_FASTCLOSE, "mp_fastclose", "MP_FASTCLOSE options")                                          \
    XX(MP_TCPRST, "mp_tcprst", "MP_TCPRST options")                                                \
    XX(VERSION_MISMATCH, "version_mismatch", "MPTCP version differs between packets of one subflow")      \
    XX(TS_BACKWARDS, "ts_backwards", "packets with a timestamp before context time")                  \
    XX(SUBFLOWS_CREATED, "subflows_created", "subflows created")                                          \
    XX(SUBFLOWS_EXPIRED, "subflows_expired", "subflows removed after the idle timeout")                   \
    XX(SUBFLOWS_EVICTED, "subflows_evicted", "subflows evicted to stay under a cap")                      \
    XX(SUBFLOWS_CLOSED, "subflows_closed", "subflows closed by FIN/RST/DATA_FIN/FASTCLOSE")              \
    XX(SESSIONS_CREATED, "sessions_created", "sessions created")                                          \
    XX(SESSIONS_MERGED, "sessions_merged", "sessions merged into another")                               \
    XX(SESSIONS_CLOSED, "sessions_closed", "sessions closed or expired")                                 \
    XX(KEYS_LEARNED, "keys_learned", "MPTCP keys learned")                                            \
    XX(TOKEN_JOINS, "token_joins", "MP_JOIN subflows tied by a known token")                         \
    XX(TOKEN_PENDING, "token_pending", "MP_JOIN subflows whose token was not known yet")               \
    XX(TOKEN_RESOLVED_LATE, "token_resolved_late", "pending joins resolved when the key appeared")           \
    XX(TOKEN_PENDING_EXPIRED, "token_pending_expired", "tokens that expired without their key")                \
    XX(KEY_CONFLICT, "key_conflict", "a subflow announced keys of two connections")                   \
    XX(DSN_SEGMENTS, "dsn_segments", "DSN segments recorded")                                         \
    XX(DSN_SEGMENTS_DUP, "dsn_segments_dup", "repeated DSN mappings deduplicated")                        \
    XX(DSN_SEGMENTS_DROPPED, "dsn_segments_dropped", "DSN segments dropped past the per-subflow cap")         \
    XX(DSN_WRAPS, "dsn_wraps", "32-bit DSN wrap-arounds unwrapped")                                \
    XX(DATA_ACKS, "data_acks", "DATA_ACKs recorded")                                               \
    XX(INFINITE_MAPPINGS, "infinite_mappings", "infinite mappings (fallback to TCP)")                      \
    XX(CHECKSUMS, "checksums", "DSS options with a checksum")                                      \
    XX(ASSOC_RUNS, "assoc_runs", "association runs")                                                \
    XX(ASSOC_SKIPPED, "assoc_skipped", "association runs skipped for lack of memory")              \
    XX(ASSOC_CANDIDATES, "assoc_candidates", "candidate pairs examined by the DSN analysis")        \
    XX(PAIRS_SAME, "pairs_same", "pair evaluations that found the same session")                  \
    XX(PAIRS_DISTINCT, "pairs_distinct", "pair evaluations that found distinct sessions")         \
    XX(PAIRS_UNDECIDED, "pairs_undecided", "pair evaluations left undecided")                      \
    XX(REINJECTIONS, "reinjections", "segments found on two subflows (reinjections)")              \
    XX(LEVEL2_OVERLAPS, "level2_overlaps", "second-level overlaps between candidate pairs")         \
    XX(VERDICTS_REVISED, "verdicts_revised", "pair verdicts revised")                              \
    XX(CONFLICTS, "conflicts", "merges vetoed by a distinct verdict or a token identity")           \
    XX(KEY_ANCHORED, "key_anchored", "subflows tied to a connection by a key-anchored DSN")         \
    XX(SESSIONS_SPLIT, "sessions_split", "sessions created by splitting one after a revision")      \
    XX(EVENTS, "events", "events emitted")                                                      \
    XX(EVENTS_DROPPED, "events_dropped", "events dropped because the queue was full")                   \
    XX(MEM_CAP_HITS, "mem_cap_hits", "allocations refused or evictions forced by the memory cap")     \
    XX(ALLOC_FAILED, "alloc_failed", "allocations that failed")                                       \
    XX(MEM_CURRENT, "mem_current", "bytes allocated now (gauge)")                                    \
    XX(MEM_PEAK, "mem_peak", "largest number of bytes allocated at once (gauge)")

typedef enum sampo_counter {
#define SAMPO_XX_(name, lower, desc) SAMPO_CNT_##name,
    SAMPO_COUNTER_MAP(SAMPO_XX_)
#undef SAMPO_XX_
    SAMPO_CNT__COUNT
} sampo_counter;

/** @return the counter's name in lowercase ("ip_fragment"), NULL if out of range. */
SAMPO_API const char *sampo_counter_name(int counter);
/** @return a one-line description of a counter, NULL if out of range. */
SAMPO_API const char *sampo_counter_description(int counter);
/** @return the current value of a counter, 0 if out of range. */
SAMPO_API uint64_t sampo_ctx_counter(const sampo_ctx *ctx, int counter);

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Write `flow` as "SRC:PORT-DST:PORT" (IPv6 addresses in brackets, e.g.
 * "[2001:db8::1]:80-[2001:db8::2]:443") into `buf`, NUL-terminated.
 * @return the length written (without the NUL), or SAMPO_E_NOSPACE when
 *         `len` is too small (96 bytes are always enough). @since 0.1
 */
SAMPO_API int sampo_flow_format(const sampo_flow *flow, char *buf, size_t len);

/**
 * Parse "SRC:PORT-DST:PORT" as written by sampo_flow_format().
 * @return SAMPO_OK or SAMPO_E_INVAL. @since 0.1
 */
SAMPO_API int sampo_flow_parse(const char *text, sampo_flow *out);

/**
 * MPTCP token and IDSN of a 64-bit key (RFC 8684 section 3.2; v0:
 * SHA-1, v1: SHA-256 of the key in network byte order).
 * @param version 0 or 1.  @return SAMPO_OK or SAMPO_E_INVAL. @since 0.1
 */
SAMPO_API int sampo_key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn);

#ifdef __cplusplus
}
#endif
#endif /* SAMPO_H */
