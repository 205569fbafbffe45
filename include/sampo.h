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
 *       sampo_result r = SAMPO_RESULT_INIT;
 *       sampo_ctx_feed_ex(ctx, &p, &r);    // never fails on bad input
 *       // r: the packet's subflow, session, confidence, DSS mapping...
 *       sampo_event ev = SAMPO_EVENT_INIT;
 *       while (sampo_ctx_next_event(ctx, &ev) > 0) ...;
 *   sampo_ctx_flush(ctx);                  // end of input: final verdicts
 *   sampo_ctx_destroy(ctx);
 *
 * Time
 *   The library's only clock is the packet timestamp (ns).  Association
 *   windows, retention and idle timeouts run on it, so the same input gives
 *   the same output.  Timestamps that go backwards are accepted and counted
 *   (counter "ts_backwards"); time never moves backwards inside a context.
 *
 * Association runs: on the packet path or off it
 *   Association is a batch job over every tracked subflow (a "run").  By
 *   default a run starts inside the feed call whose packet closes a window
 *   of packet time (SAMPO_OPT_WINDOW_NS), before that packet is processed,
 *   so that packet waits for the whole run.  A network function in the
 *   data path sets SAMPO_OPT_AUTO_RUN to 0 and calls sampo_ctx_run() from
 *   its own timer instead: feeding then never runs association nor idle
 *   expiry, and costs a bounded amount of work per packet.
 *
 * Threads
 *   There is no global mutable state.  A context must not be used by two
 *   threads at the same time; distinct contexts may run in parallel in
 *   distinct threads without any locking.  A caller that feeds packets in
 *   one thread and calls sampo_ctx_run() from another (a timer thread)
 *   must serialise every call on the context with its own lock: the run
 *   reads and changes the state the packets update.  sampo_strerror(),
 *   the *_name() functions, sampo_version_*(), sampo_option_bounds() and
 *   sampo_counter_name()/description() are reentrant.
 *
 * Memory
 *   All memory is taken through the context's allocator (sampo_allocator).
 *   With SAMPO_OPT_MAX_MEMORY (1 GiB unless set), the context never holds more than the
 *   cap: before it processes a packet or starts a run it makes room for the
 *   most that step could allocate, by ending its least recently used
 *   subflows (counted "subflows_evicted", each reported by an end-of-life
 *   event).  Nothing is evicted in the middle of a step, and a transient
 *   allocation failure is never a reason to evict: the step then does
 *   without (counted) and goes on.
 *
 * Records: nothing is forgotten
 *   Every subflow and every session ends with an end-of-life event
 *   (SAMPO_EV_SUBFLOW_END, SAMPO_EV_SESSION_END) that carries its complete
 *   final record and why it ended (closed and idle, idle timeout,
 *   eviction, sampo_ctx_flush_ex(SAMPO_FLUSH_END), sampo_ctx_destroy()), so
 *   a consumer that keeps these records sees everything the input held,
 *   however long it runs.
 *
 * Events and the callback contract
 *   Events are queued and pulled with sampo_ctx_next_event(), or delivered
 *   to a callback (sampo_ctx_set_event_callback()).  The callback is called
 *   in order, within the public call that raised the events (feed, run,
 *   advance, flush, destroy), once the context's state is consistent
 *   again: at the end of the call, and also between packets of a batch and
 *   between the subflows a flush (SAMPO_FLUSH_END) or a destroy ends;
 *   never from inside an association run or in the middle of a packet.  Inside a callback the
 * context may be read (sampo_ctx_lookup(), sampo_ctx_session(), sampo_ctx_next_session(),
 *   sampo_ctx_next_subflow(), sampo_ctx_next_pair(), sampo_ctx_counter(),
 *   sampo_ctx_get_option*(), sampo_ctx_last_error()); every call that would
 *   change it (feed, run, advance, flush, set_option, set_source_rate,
 *   set_event_callback, next_event) returns SAMPO_E_BUSY, and
 *   sampo_ctx_destroy() is ignored.  Pointers inside an event (the final
 *   records of end-of-life events) are valid during the callback, or until
 *   the next call on the context for a pulled event.
 *
 * Errors
 *   Functions that can fail return SAMPO_OK (0) or a negative SAMPO_E_*
 *   code; sampo_strerror() names it.  sampo_ctx_last_error() gives the
 *   detail of the last call on a context: set by every failing call,
 *   cleared by every successful one.  The library never prints, never
 *   exits and never aborts on bad input: a malformed packet is counted and
 *   processing goes on with the next one.
 *
 * ABI
 *   The stable API below keeps its ABI within a major version (SOVERSION).
 *   Structs the caller fills or receives begin with a `size` member: set it
 *   with the matching *_INIT macro (C and C++11) or to sizeof.  New
 *   versions only append members; the library accepts any size from the
 *   struct's first released layout upward, reads only what the caller's
 *   size covers and writes nothing past it.  Enumerators, counters and
 *   option numbers never change value.  Declarations in the experimental
 *   section (SAMPO_EXPERIMENTAL_API) are exported but may change in any
 *   minor version.  Symbols are sampo_* only.
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
#define SAMPO_VERSION_MINOR 2
#define SAMPO_VERSION_PATCH 0
#define SAMPO_VERSION_NUMBER \
    (SAMPO_VERSION_MAJOR * 10000 + SAMPO_VERSION_MINOR * 100 + SAMPO_VERSION_PATCH)
#define SAMPO_STR2_(x) #x
#define SAMPO_STR_(x) SAMPO_STR2_(x)
#define SAMPO_VERSION_STRING        \
    SAMPO_STR_(SAMPO_VERSION_MAJOR) \
    "." SAMPO_STR_(SAMPO_VERSION_MINOR) "." SAMPO_STR_(SAMPO_VERSION_PATCH)

/** @return SAMPO_VERSION_NUMBER of the library actually linked. @since 0.1 */
SAMPO_API unsigned sampo_version_number(void);
/** @return SAMPO_VERSION_STRING of the library actually linked. @since 0.1 */
SAMPO_API const char *sampo_version_string(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* XX(name, value, message): one table, from which the enum and
 * sampo_strerror() are both generated. */
#define SAMPO_ERRNO_MAP(XX)                                          \
    XX(INVAL, -1, "invalid argument")                                \
    XX(NOMEM, -2, "out of memory")                                   \
    XX(ACTIVE, -3, "option can only be set before the first packet") \
    XX(RANGE, -4, "value out of range")                              \
    XX(OPTTYPE, -5, "option takes a value of another type")          \
    XX(LINKTYPE, -6, "unsupported link type")                        \
    XX(TRUNCATED, -7, "packet truncated before the TCP header")      \
    XX(MALFORMED, -8, "malformed packet")                            \
    XX(NOTTCP, -9, "not a TCP packet")                               \
    XX(FRAGMENT, -10, "non-first IP fragment")                       \
    XX(NOTFOUND, -11, "no such flow or session")                     \
    XX(LIMIT, -12, "memory or subflow cap reached")                  \
    XX(TSBACK, -13, "timestamp earlier than context time")           \
    XX(NOSPACE, -14, "output buffer too small")                      \
    XX(BUSY, -15, "not allowed from inside an event callback")

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

/**
 * Free a context and everything it holds.  NULL is a no-op.  With an
 * event callback installed, every subflow and session still held is first
 * reported by its end-of-life event (reason SAMPO_CLOSE_DESTROY); queued
 * events are discarded.  Ignored when called from inside a callback.
 * @since 0.1
 */
SAMPO_API void sampo_ctx_destroy(sampo_ctx *ctx);

/**
 * @return the detail of the last call on this context when it failed, ""
 *         when it succeeded (or for a NULL context).  Valid until the next
 *         call on the context. @since 0.1
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
     *  64 KiB (int, default 1 GiB since 0.2: memory stays bounded whatever
     *  the input unless the caller lifts the cap). */
    SAMPO_OPT_MAX_MEMORY = 5,
    /** Reporting threshold Φ for joining a session (real, 0.99). */
    SAMPO_OPT_MIN_CONFIDENCE = 6,
    /** Use MP_CAPABLE keys and MP_JOIN tokens (int 0/1, default 1). */
    SAMPO_OPT_TOKEN_EVIDENCE = 7,
    /** Use DSN evidence (key-anchored, DATA_ACK, overlap) (int 0/1, 1). */
    SAMPO_OPT_DSN_EVIDENCE = 8,
    /** Seed of the tables' keyed hash (SipHash-1-3, 128-bit key) (int):
     *  0 = a random key from getrandom(2), the default; another value
     *  derives the whole key from it, so that hash layouts repeat (and an
     *  attacker who knows the seed can aim collisions: keep it for tests).
     *  Output never depends on it. */
    SAMPO_OPT_HASH_SEED = 9,
    /** Default sampling rate, 1 in N, for packets that declare none (int,
     *  1).  Scales the traffic estimates (est_packets, est_bytes) only. */
    SAMPO_OPT_SAMPLING_RATE = 10,
    /** DSN segments kept per subflow direction (int, default 512). */
    SAMPO_OPT_MAX_SEGMENTS = 11,
    /** Events queued before the oldest are dropped and counted (int, 64k).
     *  With a callback the queue only stages one call's events and is
     *  bounded by the memory cap instead. */
    SAMPO_OPT_MAX_EVENTS = 12,
    /** Steepness k of the gap logistic (real, default 8). */
    SAMPO_OPT_GAP_STEEPNESS = 13,
    /** Hysteresis h: a verdict is revised only by one with
     *  Φ_new >= Φ_old + h (1 - Φ_old) (real, default 0.5). */
    SAMPO_OPT_HYSTERESIS = 14,
    /** 1: association runs and idle expiry start inside the feed call whose
     *  packet closes a window; 0: only in sampo_ctx_run(),
     *  sampo_ctx_advance() and sampo_ctx_flush() (int 0/1, default 1).
     *  @since 0.2 */
    SAMPO_OPT_AUTO_RUN = 15,
    /** Nearest DSN-space neighbours each subflow direction is evaluated
     *  against in one association run; a space takes part in at most twice
     *  as many evaluations (int, 1..4096, default 16).  Bounds a run to
     *  O(n log n) however the spaces crowd; searches cut by the bound are
     *  counted (SAMPO_CNT_CANDIDATES_BOUNDED).  @since 0.2 */
    SAMPO_OPT_MAX_CANDIDATES = 16,
    /** Share of the subflow table, in percent, that the subflows of one
     *  packet source (sampo_packet.source_id: an exporter, an sFlow agent's
     *  data source) may hold when room must be made: a source at or above
     *  it makes room by ending its own least recently created subflows, not
     *  other sources' (int, 1..100, default 50; 100: no quota).  Counted in
     *  SAMPO_CNT_SOURCE_QUOTA_EVICTIONS.  @since 0.2 */
    SAMPO_OPT_SOURCE_QUOTA = 17,
} sampo_option;

/** Value kind of an option. */
typedef enum sampo_option_type {
    SAMPO_OPTTYPE_INT = 1,
    SAMPO_OPTTYPE_REAL = 2,
} sampo_option_type;

/** Range and default of one option, from sampo_option_bounds(). */
typedef struct sampo_bounds {
    size_t size; /**< sizeof(sampo_bounds), set by the caller */
    sampo_option_type type;
    const char *name;             /**< e.g. "window_ns" */
    int64_t imin, imax, idefault; /**< for SAMPO_OPTTYPE_INT */
    double rmin, rmax, rdefault;  /**< for SAMPO_OPTTYPE_REAL */
} sampo_bounds;

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
 * (rate >= 1); a packet's own sampling_rate, when non-zero, wins.  The
 * rates scale the traffic estimates (est_packets, est_bytes) and nothing
 * else: association works on the packets it is given, whatever their
 * sampling, and its probabilities are computed from what was observed.
 * May be called at any time. @since 0.1
 */
SAMPO_API int sampo_ctx_set_source_rate(sampo_ctx *ctx, uint32_t source_id, uint32_t rate);

/* ------------------------------------------------------------------------ */
/* Feeding packets                                                          */
/* ------------------------------------------------------------------------ */

/** Link types: the values of libpcap's DLT_* / LINKTYPE_* for the same. */
#define SAMPO_LINKTYPE_ETHERNET 1 /**< Ethernet II, 802.1Q and QinQ tags */
#define SAMPO_LINKTYPE_RAW 101    /**< raw IPv4 or IPv6 (version nibble) */
#define SAMPO_LINKTYPE_LINUX_SLL 113
#define SAMPO_LINKTYPE_IPV4 228
#define SAMPO_LINKTYPE_IPV6 229
#define SAMPO_LINKTYPE_LINUX_SLL2 276

/** One captured packet. */
typedef struct sampo_packet {
    size_t size;            /**< sizeof(sampo_packet) */
    const uint8_t *data;    /**< captured bytes, starting at the link header */
    uint32_t caplen;        /**< bytes available at `data` */
    uint32_t wirelen;       /**< length on the wire (>= caplen; 0 = caplen) */
    uint64_t ts_ns;         /**< capture time, ns since any fixed epoch */
    int linktype;           /**< SAMPO_LINKTYPE_* */
    uint32_t sampling_rate; /**< 1 in N this packet was sampled at; 0 = from source */
    uint32_t source_id;     /**< exporter / interface the packet came from */
} sampo_packet;

/**
 * Analyse one packet.  With SAMPO_OPT_AUTO_RUN (the default), runs any
 * association window that the packet's timestamp closes, first.  Non-TCP
 * and plain TCP packets are counted and ignored.  A packet that cannot be
 * used is counted under a named counter and the call returns why; the
 * context stays usable either way.
 * @return SAMPO_OK when the packet was decoded (MPTCP or not), or
 *         SAMPO_E_LINKTYPE, SAMPO_E_TRUNCATED, SAMPO_E_MALFORMED,
 *         SAMPO_E_NOTTCP, SAMPO_E_FRAGMENT for a packet that was dropped,
 *         SAMPO_E_LIMIT when a new subflow could not be tracked under the
 *         caps even after eviction, SAMPO_E_INVAL for NULL arguments or a
 *         size below the first released layout, SAMPO_E_BUSY from inside
 *         a callback.  @since 0.1
 */
SAMPO_API int sampo_ctx_feed(sampo_ctx *ctx, const sampo_packet *pkt);

/**
 * Analyse `n` packets in order, exactly as `n` calls of sampo_ctx_feed()
 * would, but faster when many subflows are tracked: the packets are decoded
 * and their flow-table entries fetched into cache in groups before they are
 * processed.  The array's element size is pkts[0].size (every element
 * must carry the same size).  The packets' data must stay valid for the
 * call.
 * @param status  NULL, or an array of `n` that receives each packet's
 *                sampo_ctx_feed() status.
 * @return `n` (at most INT32_MAX), or SAMPO_E_INVAL (then nothing was fed:
 *         a NULL argument or a packet without a valid size), or
 *         SAMPO_E_BUSY.  @since 0.1
 */
SAMPO_API int sampo_ctx_feed_batch(sampo_ctx *ctx, const sampo_packet *pkts, size_t n, int *status);

/**
 * Move the context clock to `now_ns` without a packet (e.g. on a live
 * capture timeout): runs due association windows and idle expiry, also
 * when SAMPO_OPT_AUTO_RUN is 0.
 * @return SAMPO_OK, SAMPO_E_TSBACK, SAMPO_E_INVAL or SAMPO_E_BUSY.
 * @since 0.1
 */
SAMPO_API int sampo_ctx_advance(sampo_ctx *ctx, uint64_t now_ns);

/**
 * One association run now, for a caller's timer: moves the clock to
 * `now_ns` when it is later (an earlier value runs at the clock's time),
 * ends the subflows idle for SAMPO_OPT_IDLE_TIMEOUT_NS, prunes retained
 * segments, runs the association and applies its verdicts.  The next
 * automatic run (if SAMPO_OPT_AUTO_RUN) is due a window after it.
 * @return SAMPO_OK, SAMPO_E_INVAL or SAMPO_E_BUSY. @since 0.2
 */
SAMPO_API int sampo_ctx_run(sampo_ctx *ctx, uint64_t now_ns);

/**
 * End of input: run association once more on everything held, so that
 * the final verdicts, sessions and events are available.  Flows stay
 * queryable; more packets may still be fed afterwards.  Same as
 * sampo_ctx_flush_ex(ctx, 0). @since 0.1
 */
SAMPO_API int sampo_ctx_flush(sampo_ctx *ctx);

/** sampo_ctx_flush_ex() flag: after the final run, end every subflow and
 *  session, each with its end-of-life event (reason SAMPO_CLOSE_FLUSH).
 *  @since 0.2 */
#define SAMPO_FLUSH_END 1u

/**
 * End of input with `flags` (0 or SAMPO_FLUSH_END): the final run, then,
 * with SAMPO_FLUSH_END, every record is emitted and the context is empty
 * (counters and options stay).
 * @return SAMPO_OK, SAMPO_E_INVAL (unknown flag) or SAMPO_E_BUSY. @since 0.2
 */
SAMPO_API int sampo_ctx_flush_ex(sampo_ctx *ctx, unsigned flags);

/* ------------------------------------------------------------------------ */
/* Flows, methods, verdicts                                                 */
/* ------------------------------------------------------------------------ */

/** A TCP connection as a 5-tuple (protocol is TCP). */
typedef struct sampo_flow {
    uint8_t family; /**< 4 or 6 */
    uint8_t reserved[3];
    uint16_t src_port, dst_port; /**< host byte order */
    uint8_t src[16];             /**< IPv4 in the first 4 bytes */
    uint8_t dst[16];
} sampo_flow;

/** How a subflow was tied to its session. */
typedef enum sampo_method {
    SAMPO_METHOD_NONE = 0,          /**< not associated with anything */
    SAMPO_METHOD_TOKEN = 1,         /**< MP_CAPABLE keys / MP_JOIN token (Φ = 1) */
    SAMPO_METHOD_KEY_DSN = 2,       /**< DSN or DATA_ACK in a key-anchored span */
    SAMPO_METHOD_DSN_PROXIMITY = 3, /**< active ranges close in DSN space */
    SAMPO_METHOD_DSN_OVERLAP = 4,   /**< two-level overlap (SAMPO) */
    SAMPO_METHOD_REINJECTION = 5,   /**< identical segments on both subflows */
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
    SAMPO_CLOSE_DATA_FIN = 1,  /**< DATA_FIN seen in both directions */
    SAMPO_CLOSE_FASTCLOSE = 2, /**< MP_FASTCLOSE */
    SAMPO_CLOSE_TCPRST = 3,    /**< MP_TCPRST */
    SAMPO_CLOSE_RST = 4,       /**< TCP RST */
    SAMPO_CLOSE_FIN = 5,       /**< TCP FIN in both directions */
    SAMPO_CLOSE_TIMEOUT = 6,   /**< idle timeout */
    SAMPO_CLOSE_EVICTED = 7,   /**< removed to stay under a cap */
    SAMPO_CLOSE_FLUSH = 8,     /**< ended by sampo_ctx_flush_ex(SAMPO_FLUSH_END) @since 0.2 */
    SAMPO_CLOSE_DESTROY = 9,   /**< ended by sampo_ctx_destroy() @since 0.2 */
    /** ended because a SYN reused its closed 5-tuple for a new connection
     *  (which is a new subflow, with a new id) @since 0.2 */
    SAMPO_CLOSE_REUSED = 10,
} sampo_close_reason;

/** @return "none", "data-fin", "fastclose", "tcprst", "rst", "fin",
 *  "timeout", "evicted", "flush", "destroy", or "unknown". @since 0.1 */
SAMPO_API const char *sampo_close_reason_name(int reason);

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

/** Direction index in per-direction statistics. */
#define SAMPO_DIR_FWD 0 /**< from flow.src to flow.dst */
#define SAMPO_DIR_REV 1 /**< from flow.dst to flow.src */

/** Statistics and state of one subflow. */
typedef struct sampo_subflow_info {
    size_t size;                   /**< sizeof(sampo_subflow_info), set by the caller */
    uint64_t subflow_id;           /**< stable while the subflow is tracked */
    uint64_t session_id;           /**< session it belongs to (0: none yet) */
    sampo_flow flow;               /**< src = initiator when initiator_known */
    uint8_t initiator_known;       /**< a SYN of this subflow was seen */
    uint8_t mptcp_version;         /**< 0, 1 (a join's is its session's), or 255 when unknown */
    uint8_t is_initial;            /**< carried MP_CAPABLE (the first subflow) */
    uint8_t is_join;               /**< carried MP_JOIN */
    uint8_t backup;                /**< backup priority (MP_JOIN B or MP_PRIO) */
    uint8_t fallback;              /**< fell back to plain TCP */
    uint8_t closed;                /**< FIN/RST/DATA_FIN... seen */
    uint8_t dsn_bits[2];           /**< 32 or 64 per direction (0: no DSN seen) */
    int16_t addr_id[2];            /**< address id announced by src/dst, -1 unknown */
    sampo_method method;           /**< how it was tied to its session */
    double confidence;             /**< Φ of that tie (1 for tokens) */
    uint64_t packets[2], bytes[2]; /**< per direction, as sampled */
    uint64_t dss_packets[2];       /**< packets carrying a DSN mapping */
    uint64_t dsn_lo[2], dsn_hi[2]; /**< DSN span per direction (64-bit unwrapped, hi exclusive) */
    uint64_t first_ns, last_ns;
    uint32_t reinjections; /**< segments also seen on a sibling */
    int close_reason;      /**< sampo_close_reason */
    /** Estimates of the traffic on the wire, per direction: every packet
     *  counts for the 1-in-N rate it was sampled at (the packet's
     *  sampling_rate, else its source's, else SAMPO_OPT_SAMPLING_RATE);
     *  saturate at UINT64_MAX, never wrap (counter est_saturated).  Equal
     *  to packets/bytes when nothing is sampled. */
    uint64_t est_packets[2], est_bytes[2];
} sampo_subflow_info;

/** Summary of one session.  Totals and times cover every subflow the
 *  session held, including those that ended while in it. */
typedef struct sampo_session_info {
    size_t size; /**< sizeof(sampo_session_info), set by the caller */
    uint64_t session_id;
    uint32_t n_subflows;   /**< subflows currently tracked in it */
    uint8_t mptcp_version; /**< 0, 1, or 255 when unknown */
    uint8_t keys_known;    /**< bit 0: initiator key, bit 1: listener key */
    uint8_t closed;
    uint8_t reserved;
    sampo_method method; /**< weakest method that ties its subflows */
    double confidence;   /**< lowest Φ among those ties */
    uint32_t token[2];   /**< initiator's, listener's token (if known) */
    uint64_t first_ns, last_ns;
    uint64_t packets, bytes;
    int close_reason;
    uint64_t est_packets, est_bytes; /**< sampling-rate scaled, as per subflow */
    uint32_t subflows_seen;          /**< subflows it ever held, ended ones included @since 0.2 */
} sampo_session_info;

/* ------------------------------------------------------------------------ */
/* Events                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum sampo_event_type {
    SAMPO_EV_SESSION_OPENED =
        1, /**< new session (session_id, flow; other_session_id: split from) */
    SAMPO_EV_SUBFLOW_JOINED = 2,  /**< flow joined session_id (method, confidence) */
    SAMPO_EV_VERDICT_REVISED = 3, /**< pair (flow, peer) changed verdict */
    SAMPO_EV_CONFLICT = 4,        /**< a merge was vetoed (flow, peer) */
    SAMPO_EV_SESSION_CLOSED =
        5,                 /**< session closed by the protocol, or its last subflow went (reason) */
    SAMPO_EV_ADD_ADDR = 6, /**< ADD_ADDR (addr, addr_port, addr_id, echo) */
    SAMPO_EV_REMOVE_ADDR = 7,     /**< REMOVE_ADDR, one event per address id */
    SAMPO_EV_MP_PRIO = 8,         /**< MP_PRIO (backup, addr_id) */
    SAMPO_EV_MP_FAIL = 9,         /**< MP_FAIL (dsn) */
    SAMPO_EV_FALLBACK = 10,       /**< infinite mapping: fell back to TCP */
    SAMPO_EV_SUBFLOW_CLOSED = 11, /**< one subflow closed by the protocol or removed (reason) */
    /** End of life of a subflow: its state is about to be freed.  `subflow`
     *  points to its final record; `reason` says why it ends
     *  (SAMPO_CLOSE_TIMEOUT, _EVICTED, _FLUSH, _DESTROY).  @since 0.2 */
    SAMPO_EV_SUBFLOW_END = 12,
    /** End of life of a session (its last subflow ended): `session`
     *  points to its final record; `reason` as for SUBFLOW_END. @since 0.2 */
    SAMPO_EV_SESSION_END = 13,
} sampo_event_type;

/** @return a short lowercase name, e.g. "subflow-joined". @since 0.1 */
SAMPO_API const char *sampo_event_name(int type);

/** One event.  Members not meaningful for a type are zero. */
typedef struct sampo_event {
    size_t size; /**< sizeof(sampo_event), set by the caller */
    sampo_event_type type;
    uint64_t ts_ns;            /**< packet time of the event */
    uint64_t session_id;       /**< session concerned (0 if none) */
    uint64_t other_session_id; /**< the session merged away / in conflict */
    sampo_flow flow;           /**< subflow concerned, as oriented by the library */
    sampo_flow peer;           /**< other subflow of a pair verdict / conflict */
    sampo_method method;
    double confidence; /**< Φ of the verdict or join */
    sampo_verdict verdict, old_verdict;
    int reason;            /**< sampo_close_reason (closed and end events) */
    uint8_t mptcp_version; /**< 0 or 1 when known, 255 if not */
    uint8_t addr_id;
    uint8_t backup;           /**< MP_PRIO / MP_JOIN B flag */
    uint8_t echo;             /**< ADD_ADDR E flag */
    uint8_t addr_family;      /**< ADD_ADDR: 4 or 6 */
    uint8_t tcprst_reason;    /**< MP_TCPRST reason code (RFC 8684 3.6) */
    uint16_t addr_port;       /**< ADD_ADDR port, 0 if none */
    uint8_t addr[16];         /**< ADD_ADDR address */
    uint64_t dsn;             /**< MP_FAIL DSN */
    uint64_t subflow_id;      /**< id of `flow` (0 if none) @since 0.2 */
    uint64_t peer_subflow_id; /**< id of `peer` (0 if none) @since 0.2 */
    /** SAMPO_EV_SUBFLOW_END: the final record, else NULL.  Valid during
     *  the callback, or until the next call on the context. @since 0.2 */
    const sampo_subflow_info *subflow;
    /** SAMPO_EV_SESSION_END: the final record, else NULL. @since 0.2 */
    const sampo_session_info *session;
    /** SAMPO_EV_SUBFLOW_JOINED, SAMPO_EV_SESSION_OPENED (a split): 1 when
     *  other_session_id was left empty by this move and merged away into
     *  session_id: its ended subflows (their end-of-life records name
     *  other_session_id) now belong to session_id, whose
     *  SAMPO_EV_SESSION_END record counts them.  @since 0.2 */
    uint8_t other_session_gone;
} sampo_event;

/**
 * Pull the oldest queued event.
 * @return 1 when `out` was filled, 0 when the queue is empty, or a
 *         negative code (SAMPO_E_INVAL, SAMPO_E_BUSY). @since 0.1
 */
SAMPO_API int sampo_ctx_next_event(sampo_ctx *ctx, sampo_event *out);

/** Event callback: called for each event within the call that raised it,
 *  once the state is consistent (see "Events and the callback contract"
 *  above). */
typedef void (*sampo_event_cb)(const sampo_event *ev, void *user);

/** Install (or remove, with NULL) a callback.  Events already queued are
 *  delivered to it at the end of the next call that delivers events. */
SAMPO_API int sampo_ctx_set_event_callback(sampo_ctx *ctx, sampo_event_cb cb, void *user);

/* ------------------------------------------------------------------------ */
/* Per-packet results: the entry point of a network function                */
/* ------------------------------------------------------------------------ */

/** The MPTCP handshake form a packet carried (RFC 8684 3.1, 3.2). */
typedef enum sampo_handshake {
    SAMPO_HS_NONE = 0,
    SAMPO_HS_MPC_SYN = 1,    /**< MP_CAPABLE on a SYN */
    SAMPO_HS_MPC_SYNACK = 2, /**< MP_CAPABLE on the SYN/ACK */
    SAMPO_HS_MPC_ACK = 3,    /**< MP_CAPABLE on the third ACK (both keys) */
    SAMPO_HS_MPC_DATA = 4,   /**< v1 MP_CAPABLE with the first data (keys + length) */
    SAMPO_HS_MPJ_SYN = 5,    /**< MP_JOIN on a SYN (token) */
    SAMPO_HS_MPJ_SYNACK = 6, /**< MP_JOIN on the SYN/ACK */
    SAMPO_HS_MPJ_ACK = 7,    /**< MP_JOIN on the third ACK */
} sampo_handshake;

/* sampo_result.flags */
/** The packet belongs to a tracked MPTCP subflow. */
#define SAMPO_RES_TRACKED 0x0001u
/** ...which this packet created. */
#define SAMPO_RES_NEW_SUBFLOW 0x0002u
/** It carried a DSS mapping: dsn, ssn, data_len. */
#define SAMPO_RES_MAPPING 0x0004u
/** It carried a DATA_ACK: data_ack. */
#define SAMPO_RES_DATA_ACK 0x0008u
/** It carried a DATA_FIN. */
#define SAMPO_RES_DATA_FIN 0x0010u
/** An infinite mapping: the connection fell back to TCP. */
#define SAMPO_RES_INFINITE 0x0020u
/** New subflow-level data whose data-level bytes were already seen on
 *  another subflow of the session (among the packets fed with a result). */
#define SAMPO_RES_REINJECTION 0x0040u
/** payload_dsn is valid. */
#define SAMPO_RES_PAYLOAD_DSN 0x0080u
/** FIN, RST, MP_TCPRST or MP_FASTCLOSE. */
#define SAMPO_RES_CLOSING 0x0100u

/** What the library knows about one packet, right after processing it. */
typedef struct sampo_result {
    size_t size;           /**< sizeof(sampo_result), set by the caller */
    int status;            /**< what sampo_ctx_feed() returns for it */
    uint32_t flags;        /**< SAMPO_RES_* */
    uint64_t subflow_id;   /**< 0 when the packet is not part of a tracked subflow */
    uint64_t session_id;   /**< its session as known now (0: none) */
    sampo_method method;   /**< the subflow's tie to that session, as known now */
    double confidence;     /**< Φ of that tie */
    uint8_t dir;           /**< SAMPO_DIR_FWD when sent flow.src -> flow.dst of the
                                subflow as sampo_ctx_lookup() orients it now */
    uint8_t handshake;     /**< sampo_handshake */
    uint8_t mptcp_version; /**< 0, 1, or 255 when unknown */
    uint8_t dsn_bits;      /**< width of the mapping's DSN on the wire: 32 or 64 */
    uint16_t data_len;     /**< mapping: data-level length */
    uint16_t reserved;
    uint32_t ssn;         /**< mapping: subflow sequence number, relative to the ISN */
    uint32_t tcp_seq;     /**< the packet's TCP sequence number */
    uint32_t payload_len; /**< TCP payload bytes on the wire */
    uint64_t dsn;         /**< mapping: 64-bit DSN (a 4-byte one unwrapped against
                               the earlier ones of the same direction) */
    uint64_t data_ack;    /**< DATA_ACK, 64 bits (a 4-byte one unwrapped likewise) */
    uint64_t payload_dsn; /**< DSN of the first payload byte (SAMPO_RES_PAYLOAD_DSN: the
                               subflow's SYN was fed with a result and the payload lies in
                               the packet's mapping, or in the last one of its direction) */
} sampo_result;

/**
 * sampo_ctx_feed() that also tells what became of the packet: its
 * subflow, direction and session with the confidence and method known at
 * this point, its DSS mapping and data-level position, whether it is a
 * reinjection, and its handshake form.  This is the entry point of an
 * inline network function (firewall, IDS): one call per packet, no
 * lookup after.
 * @param res  NULL, or filled up to res->size (at least the 0.2 layout).
 * @return as sampo_ctx_feed(); also stored in res->status. @since 0.2
 */
SAMPO_API int sampo_ctx_feed_ex(sampo_ctx *ctx, const sampo_packet *pkt, sampo_result *res);

/**
 * sampo_ctx_feed_batch() with per-packet results: `res` is NULL or an
 * array of `n` results whose element size is res[0].size.
 * @return as sampo_ctx_feed_batch(). @since 0.2
 */
SAMPO_API int sampo_ctx_feed_batch_ex(sampo_ctx *ctx, const sampo_packet *pkts, size_t n,
                                      sampo_result *res);

/* ------------------------------------------------------------------------ */
/* Looking things up                                                        */
/* ------------------------------------------------------------------------ */

/**
 * Which session does the connection `flow` belong to?  Either orientation
 * of the 5-tuple finds it.
 * @return SAMPO_OK, or SAMPO_E_NOTFOUND when the flow is not a tracked
 *         MPTCP subflow. @since 0.1
 */
SAMPO_API int sampo_ctx_lookup(sampo_ctx *ctx, const sampo_flow *flow, sampo_subflow_info *out);

/**
 * Statistics and state of subflow `subflow_id` (e.g. the subflow_id of a
 * sampo_result).  @return SAMPO_OK or SAMPO_E_NOTFOUND. @since 0.2
 */
SAMPO_API int sampo_ctx_subflow(sampo_ctx *ctx, uint64_t subflow_id, sampo_subflow_info *out);

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
    size_t size;            /**< sizeof(sampo_pair_info), set by the caller */
    uint64_t subflow_id[2]; /**< subflow_id[0] < subflow_id[1] */
    sampo_flow flow[2];     /**< family 0 if that subflow is no longer tracked */
    sampo_verdict verdict;
    sampo_method method;   /**< the evidence that decided it */
    double confidence;     /**< Φ of the verdict */
    uint32_t reinjections; /**< segments found on both at the last evaluation */
    uint64_t updated_ns;   /**< packet time of the last change */
} sampo_pair_info;

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

/* Every drop, anomaly and decision is counted.  Each counter has a
 * number that never changes; new counters take new numbers.
 *   SAMPO_COUNTER_TABLE(XX): XX(NAME, number, "name", description)
 *   SAMPO_COUNTER_MAP(XX):   XX(NAME, "name", description) (the 0.1 form) */
#define SAMPO_COUNTER_LIST_(X, F)                                                                  \
    X(F, PACKETS, 0, "packets", "packets fed")                                                     \
    X(F, BYTES, 1, "bytes", "wire bytes fed")                                                      \
    X(F, LINKTYPE_UNSUPPORTED, 2, "linktype_unsupported", "packets of an unsupported link type")   \
    X(F, L2_TRUNCATED, 3, "l2_truncated", "link header cut by caplen")                             \
    X(F, NOT_IP, 4, "not_ip", "packets that are not IPv4 or IPv6")                                 \
    X(F, IP_TRUNCATED, 5, "ip_truncated", "IP header cut by caplen")                               \
    X(F, IP_MALFORMED, 6, "ip_malformed", "bad IP version, header length or total length")         \
    X(F, IP_FRAGMENT, 7, "ip_fragment", "non-first IP fragments skipped")                          \
    X(F, IPV6_EXT_TRUNCATED, 8, "ipv6_ext_truncated", "IPv6 extension header chain cut by caplen") \
    X(F, NOT_TCP, 9, "not_tcp", "IP packets that are not TCP")                                     \
    X(F, TCP_TRUNCATED, 10, "tcp_truncated", "TCP header cut before the options")                  \
    X(F, TCP_MALFORMED, 11, "tcp_malformed", "TCP data offset below 5 or past the packet")         \
    X(F, TCP_OPTIONS_TRUNCATED, 12, "tcp_options_truncated",                                       \
      "TCP options cut by caplen (parsed as far as they go)")                                      \
    X(F, TCP_PLAIN, 13, "tcp_plain", "TCP packets of flows without MPTCP state")                   \
    X(F, TCP_MPTCP, 14, "tcp_mptcp", "TCP packets with an MPTCP option")                           \
    X(F, OPT_MALFORMED, 15, "opt_malformed",                                                       \
      "MPTCP options with a bad length or subtype (skipped)")                                      \
    X(F, OPT_TRUNCATED, 16, "opt_truncated", "MPTCP options cut by caplen (skipped)")              \
    X(F, OPT_UNKNOWN_SUBTYPE, 17, "opt_unknown_subtype", "MPTCP options with an unknown subtype")  \
    X(F, OPT_DUPLICATE, 18, "opt_duplicate",                                                       \
      "repeated MPTCP suboptions in one packet (first kept)")                                      \
    X(F, MP_CAPABLE, 19, "mp_capable", "MP_CAPABLE options")                                       \
    X(F, MP_JOIN, 20, "mp_join", "MP_JOIN options")                                                \
    X(F, DSS, 21, "dss", "DSS options")                                                            \
    X(F, ADD_ADDR, 22, "add_addr", "ADD_ADDR options")                                             \
    X(F, REMOVE_ADDR, 23, "remove_addr", "REMOVE_ADDR options")                                    \
    X(F, MP_PRIO, 24, "mp_prio", "MP_PRIO options")                                                \
    X(F, MP_FAIL, 25, "mp_fail", "MP_FAIL options")                                                \
    X(F, MP_FASTCLOSE, 26, "mp_fastclose", "MP_FASTCLOSE options")                                 \
    X(F, MP_TCPRST, 27, "mp_tcprst", "MP_TCPRST options")                                          \
    X(F, VERSION_MISMATCH, 28, "version_mismatch",                                                 \
      "MPTCP version differs between packets of one subflow")                                      \
    X(F, TS_BACKWARDS, 29, "ts_backwards", "packets with a timestamp before context time")         \
    X(F, SUBFLOWS_CREATED, 30, "subflows_created", "subflows created")                             \
    X(F, SUBFLOWS_EXPIRED, 31, "subflows_expired", "subflows removed after the idle timeout")      \
    X(F, SUBFLOWS_EVICTED, 32, "subflows_evicted", "subflows evicted to stay under a cap")         \
    X(F, SUBFLOWS_CLOSED, 33, "subflows_closed", "subflows closed by FIN/RST/DATA_FIN/FASTCLOSE")  \
    X(F, SESSIONS_CREATED, 34, "sessions_created", "sessions created")                             \
    X(F, SESSIONS_MERGED, 35, "sessions_merged", "sessions merged into another")                   \
    X(F, SESSIONS_CLOSED, 36, "sessions_closed", "sessions closed or expired")                     \
    X(F, KEYS_LEARNED, 37, "keys_learned", "MPTCP keys learned")                                   \
    X(F, TOKEN_JOINS, 38, "token_joins", "MP_JOIN subflows tied by a known token")                 \
    X(F, TOKEN_PENDING, 39, "token_pending", "MP_JOIN subflows whose token was not known yet")     \
    X(F, TOKEN_RESOLVED_LATE, 40, "token_resolved_late",                                           \
      "pending joins resolved when the key appeared")                                              \
    X(F, TOKEN_PENDING_EXPIRED, 41, "token_pending_expired",                                       \
      "tokens that expired without their key")                                                     \
    X(F, KEY_CONFLICT, 42, "key_conflict", "a subflow announced keys of two connections")          \
    X(F, DSN_SEGMENTS, 43, "dsn_segments", "DSN segments recorded")                                \
    X(F, DSN_SEGMENTS_DUP, 44, "dsn_segments_dup", "repeated DSN mappings deduplicated")           \
    X(F, DSN_SEGMENTS_DROPPED, 45, "dsn_segments_dropped",                                         \
      "DSN segments dropped past the per-subflow cap")                                             \
    X(F, DSN_WRAPS, 46, "dsn_wraps", "32-bit DSN wrap-arounds unwrapped")                          \
    X(F, DATA_ACKS, 47, "data_acks", "DATA_ACKs recorded")                                         \
    X(F, INFINITE_MAPPINGS, 48, "infinite_mappings", "infinite mappings (fallback to TCP)")        \
    X(F, CHECKSUMS, 49, "checksums", "DSS options with a checksum")                                \
    X(F, ASSOC_RUNS, 50, "assoc_runs", "association runs")                                         \
    X(F, ASSOC_SKIPPED, 51, "assoc_skipped", "association runs skipped for lack of memory")        \
    X(F, ASSOC_CANDIDATES, 52, "assoc_candidates", "candidate pairs examined by the DSN analysis") \
    X(F, PAIRS_SAME, 53, "pairs_same", "pair evaluations that found the same session")             \
    X(F, PAIRS_DISTINCT, 54, "pairs_distinct", "pair evaluations that found distinct sessions")    \
    X(F, PAIRS_UNDECIDED, 55, "pairs_undecided", "pair evaluations left undecided")                \
    X(F, REINJECTIONS, 56, "reinjections", "segments found on two subflows (reinjections)")        \
    X(F, LEVEL2_OVERLAPS, 57, "level2_overlaps", "second-level overlaps between candidate pairs")  \
    X(F, VERDICTS_REVISED, 58, "verdicts_revised", "pair verdicts revised")                        \
    X(F, CONFLICTS, 59, "conflicts", "merges vetoed by a distinct verdict or a token identity")    \
    X(F, KEY_ANCHORED, 60, "key_anchored", "subflows tied to a connection by a key-anchored DSN")  \
    X(F, SESSIONS_SPLIT, 61, "sessions_split",                                                     \
      "sessions created by splitting one after a revision")                                        \
    X(F, EVENTS, 62, "events", "events emitted")                                                   \
    X(F, EVENTS_DROPPED, 63, "events_dropped", "events dropped because the queue was full")        \
    X(F, MEM_CAP_HITS, 64, "mem_cap_hits",                                                         \
      "allocations refused or evictions forced by the memory cap")                                 \
    X(F, ALLOC_FAILED, 65, "alloc_failed", "allocations that failed")                              \
    X(F, MEM_CURRENT, 66, "mem_current", "bytes allocated now (gauge)")                            \
    X(F, MEM_PEAK, 67, "mem_peak", "largest number of bytes allocated at once (gauge)")            \
    X(F, SUBFLOWS_ENDED, 68, "subflows_ended", "subflow end-of-life records emitted")              \
    X(F, SESSIONS_ENDED, 69, "sessions_ended", "session end-of-life records emitted")              \
    X(F, PAIRS_DROPPED, 70, "pairs_dropped", "pair verdicts not kept for lack of memory")          \
    X(F, APPLY_FAILED, 71, "apply_failed",                                                         \
      "session changes of a run not applied for lack of memory")                                   \
    X(F, REINJECTED_PACKETS, 72, "reinjected_packets",                                             \
      "packets fed with a result whose mapped data another subflow of the session carried before") \
    X(F, COVER_TRIMMED, 73, "cover_trimmed",                                                       \
      "session DSN coverage intervals dropped past the bound")                                     \
    X(F, UNIFORMITY_WITNESSES, 74, "uniformity_witnesses",                                         \
      "known-distinct DSN spaces closer than uniform IDSNs allow")                                 \
    X(F, PROXIMITY_DISTRUSTED, 75, "proximity_distrusted",                                         \
      "pair evaluations where absolute proximity was not trusted")                                 \
    X(F, ANCHORS_DISTRUSTED, 76, "anchors_distrusted",                                             \
      "key anchors not used where IDSNs proved non-uniform")                                       \
    X(F, CANDIDATES_BOUNDED, 77, "candidates_bounded",                                             \
      "candidate searches cut at the nearest-neighbour bound (SAMPO_OPT_MAX_CANDIDATES)")          \
    X(F, TOKEN_COLLISIONS, 78, "token_collisions",                                                 \
      "tokens two connections' different keys hash to (neither is tied by it)")                    \
    X(F, TOKEN_AMBIGUOUS, 79, "token_ambiguous",                                                   \
      "MP_JOINs naming a colliding token, left to the DSN evidence")                               \
    X(F, FORGEABLE_CAPPED, 80, "forgeable_capped",                                                 \
      "pair evaluations capped at the forgeable ceiling (no shared host, or a crowd)")             \
    X(F, HASH_FORCED_EXPANSIONS, 81, "hash_forced_expansions",                                     \
      "hash table doublings forced after colliding keys had frozen its growth")                    \
    X(F, EST_SATURATED, 82, "est_saturated",                                                       \
      "traffic estimate updates held at 2^64-1 instead of wrapping")                               \
    X(F, SOURCE_QUOTA_EVICTIONS, 83, "source_quota_evictions",                                     \
      "subflows evicted from their own source because it held its quota of the table")             \
    X(F, SOURCES_SHARED, 84, "sources_shared",                                                     \
      "subflows of sources past the source table's bound, which share one quota")                  \
    X(F, REINJECTIONS_REFUSED, 85, "reinjections_refused",                                         \
      "segments with a boundary in common not taken for reinjections (packet without the data, "   \
      "or copies over 120 s apart): overlaps")                                                     \
    X(F, TOKEN_UNSHARED, 86, "token_unshared",                                                     \
      "MP_JOINs naming a pending token from hosts its joins do not share, not tied by it")         \
    X(F, JOIN_HMAC_FAILED, 87, "join_hmac_failed",                                                 \
      "MP_JOINs whose SYN/ACK HMAC does not match their connection's keys, detached from it")      \
    X(F, JOIN_HMAC_VERIFIED, 88, "join_hmac_verified",                                             \
      "MP_JOINs whose SYN/ACK HMAC matches their connection's keys")                               \
    X(F, DECAPSULATED, 89, "decapsulated", "packets with one or more tunnel headers removed")      \
    X(F, TUNNEL_GRE, 90, "tunnel_gre", "packets with a GRE header removed (RFC 2784/2890, NVGRE)") \
    X(F, TUNNEL_ERSPAN, 91, "tunnel_erspan",                                                       \
      "packets with an ERSPAN type I, II or III header removed")                                   \
    X(F, TUNNEL_VXLAN, 92, "tunnel_vxlan", "packets with a VXLAN header removed (UDP port 4789)")  \
    X(F, TUNNEL_GENEVE, 93, "tunnel_geneve",                                                       \
      "packets with a Geneve header removed (UDP port 6081)")                                      \
    X(F, TUNNEL_MPLS, 94, "tunnel_mpls", "packets with an MPLS label stack removed")               \
    X(F, TUNNEL_PPPOE, 95, "tunnel_pppoe", "packets with a PPPoE session header removed")          \
    X(F, TUNNEL_IP, 96, "tunnel_ip",                                                               \
      "packets with the outer header of IP in IP removed (IPv4 or IPv6 in IPv4 or IPv6)")          \
    X(F, TUNNEL_TOO_DEEP, 97, "tunnel_too_deep",                                                   \
      "packets dropped for more than 8 nested tunnel headers or 8 MPLS labels")                    \
    X(F, TUNNEL_TRUNCATED, 98, "tunnel_truncated", "tunnel headers cut by caplen")                 \
    X(F, TUNNEL_MALFORMED, 99, "tunnel_malformed",                                                 \
      "tunnel headers with a bad flag, version or length")                                         \
    X(F, TUNNEL_UNSUPPORTED, 100, "tunnel_unsupported",                                            \
      "tunnels not decapsulated: GRE version other than 0, or a payload not Ethernet, IP or MPLS")

#define SAMPO_CNT_4_(F, name, num, lower, desc) F(name, num, lower, desc)
#define SAMPO_CNT_3_(F, name, num, lower, desc) F(name, lower, desc)
#define SAMPO_COUNTER_TABLE(XX) SAMPO_COUNTER_LIST_(SAMPO_CNT_4_, XX)
#define SAMPO_COUNTER_MAP(XX) SAMPO_COUNTER_LIST_(SAMPO_CNT_3_, XX)

typedef enum sampo_counter {
#define SAMPO_XX_(name, num, lower, desc) SAMPO_CNT_##name = (num),
    SAMPO_COUNTER_TABLE(SAMPO_XX_)
#undef SAMPO_XX_
    /** One past the highest counter number of this header (grows with
     *  new counters; use sampo_counter_count() for the linked library). */
    SAMPO_CNT__COUNT
} sampo_counter;

/** @return the number of counters of the library actually linked. @since 0.2 */
SAMPO_API int sampo_counter_count(void);
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

/* ------------------------------------------------------------------------ */
/* Initialisers: C99 designated initialisers in C, inline functions in C++  */
/* ------------------------------------------------------------------------ */

#ifndef __cplusplus
#define SAMPO_BOUNDS_INIT            \
    {                                \
        .size = sizeof(sampo_bounds) \
    }
#define SAMPO_PACKET_INIT                                                 \
    {                                                                     \
        .size = sizeof(sampo_packet), .linktype = SAMPO_LINKTYPE_ETHERNET \
    }
#define SAMPO_EVENT_INIT            \
    {                               \
        .size = sizeof(sampo_event) \
    }
#define SAMPO_SUBFLOW_INFO_INIT            \
    {                                      \
        .size = sizeof(sampo_subflow_info) \
    }
#define SAMPO_SESSION_INFO_INIT            \
    {                                      \
        .size = sizeof(sampo_session_info) \
    }
#define SAMPO_PAIR_INFO_INIT            \
    {                                   \
        .size = sizeof(sampo_pair_info) \
    }
#define SAMPO_RESULT_INIT            \
    {                                \
        .size = sizeof(sampo_result) \
    }
#else
/* C++ before C++20 has no designated initialisers: value-initialise (all
 * zero) and set the size, in functions that any C++ compiler inlines. */
#define SAMPO_INIT_FN_(type)              \
    static inline type type##_init_(void) \
    {                                     \
        type v = type();                  \
        v.size = sizeof(type);            \
        return v;                         \
    }
SAMPO_INIT_FN_(sampo_bounds)
SAMPO_INIT_FN_(sampo_event)
SAMPO_INIT_FN_(sampo_subflow_info)
SAMPO_INIT_FN_(sampo_session_info)
SAMPO_INIT_FN_(sampo_pair_info)
SAMPO_INIT_FN_(sampo_result)
static inline sampo_packet sampo_packet_init_(void)
{
    sampo_packet v = sampo_packet();
    v.size = sizeof(sampo_packet);
    v.linktype = SAMPO_LINKTYPE_ETHERNET;
    return v;
}
#undef SAMPO_INIT_FN_
#define SAMPO_BOUNDS_INIT sampo_bounds_init_()
#define SAMPO_PACKET_INIT sampo_packet_init_()
#define SAMPO_EVENT_INIT sampo_event_init_()
#define SAMPO_SUBFLOW_INFO_INIT sampo_subflow_info_init_()
#define SAMPO_SESSION_INFO_INIT sampo_session_info_init_()
#define SAMPO_PAIR_INFO_INIT sampo_pair_info_init_()
#define SAMPO_RESULT_INIT sampo_result_init_()
#endif

/* ------------------------------------------------------------------------ */
/* Experimental API                                                         */
/* ------------------------------------------------------------------------ */
/*
 * Declared only when SAMPO_EXPERIMENTAL_API is defined before this header
 * is included.  These symbols are exported, but their names, signatures
 * and structs may change in any minor version: they are not covered by the
 * ABI promise (as zstd's ZSTD_STATIC_LINKING_ONLY section).
 */
#if defined(SAMPO_EXPERIMENTAL_API)

/**
 * A stretch of the 2^64 DSN circle where the data contradicted uniformly
 * drawn IDSNs (two spaces known to be distinct lie closer than chance
 * allows): absolute proximity and key anchors are not trusted in it.
 */
typedef struct sampo_dsn_region {
    size_t size;        /**< sizeof(sampo_dsn_region), set by the caller */
    uint64_t lo;        /**< start on the circle */
    uint64_t len;       /**< length (the stretch is [lo, lo + len) mod 2^64) */
    uint32_t witnesses; /**< pairs of distinct spaces that established it */
    uint64_t since_ns;  /**< packet time it was established */
    uint64_t seen_ns;   /**< packet time a space was last seen in it */
} sampo_dsn_region;

/**
 * Iterate the distrusted DSN regions, in order of their start.  Start with
 * *cursor = 0.  @return 1 when filled, 0 at the end.
 */
SAMPO_API int sampo_ctx_next_dsn_region(sampo_ctx *ctx, uint64_t *cursor, sampo_dsn_region *out);

#endif /* SAMPO_EXPERIMENTAL_API */

#ifdef __cplusplus
}
#endif
#endif /* SAMPO_H */
