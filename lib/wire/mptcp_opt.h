/* mptcp_opt.h - pure parser of the MPTCP options (TCP option kind 30) of
 * one TCP header.  RFC 8684 (v1) section 3, RFC 6824 (v0) section 3.
 *
 * Lengths follow docs/algorithm.md section 2 exactly; a suboption whose
 * length does not match its subtype and flags is skipped and flagged, and
 * the present bit of a suboption is set only after its length was checked.
 * Nothing is read past `len`. */
#ifndef SAMPO_MPTCP_OPT_H
#define SAMPO_MPTCP_OPT_H

#include <stddef.h>
#include <stdint.h>

#define SAMPO__TCPOPT_MPTCP 30

enum {
    SAMPO__MPTCP_SUB_CAPABLE = 0,
    SAMPO__MPTCP_SUB_JOIN = 1,
    SAMPO__MPTCP_SUB_DSS = 2,
    SAMPO__MPTCP_SUB_ADD_ADDR = 3,
    SAMPO__MPTCP_SUB_REMOVE_ADDR = 4,
    SAMPO__MPTCP_SUB_PRIO = 5,
    SAMPO__MPTCP_SUB_FAIL = 6,
    SAMPO__MPTCP_SUB_FASTCLOSE = 7,
    SAMPO__MPTCP_SUB_TCPRST = 8,
};

/* Bits of sampo__mptcp_opts.present: 1u << subtype. */
#define SAMPO__HAS(o, sub) (((o)->present >> (sub)) & 1u)

/* DSS flags (byte 3). */
#define SAMPO__DSS_DATA_FIN 0x10
#define SAMPO__DSS_DSN64 0x08
#define SAMPO__DSS_MAP 0x04
#define SAMPO__DSS_ACK64 0x02
#define SAMPO__DSS_ACK 0x01

#define SAMPO__MAX_RM_IDS 40 /* an option is at most 40 bytes */

/* The handshake form of a kept MP_CAPABLE or MP_JOIN, as Linux records it
 * (OPTION_MPTCP_MPC_SYN ... OPTION_MPTCP_MPJ_ACK in net/mptcp/options.c):
 * the values of the public sampo_handshake. */
enum {
    SAMPO__HS_NONE = 0,
    SAMPO__HS_MPC_SYN = 1,
    SAMPO__HS_MPC_SYNACK = 2,
    SAMPO__HS_MPC_ACK = 3,
    SAMPO__HS_MPC_DATA = 4,
    SAMPO__HS_MPJ_SYN = 5,
    SAMPO__HS_MPJ_SYNACK = 6,
    SAMPO__HS_MPJ_ACK = 7,
};

typedef struct sampo__mptcp_opts {
    uint32_t present;     /* 1 << subtype for each valid suboption */
    uint16_t n_mptcp;     /* kind-30 options met (valid or not) */
    uint16_t n_malformed; /* skipped: bad length for subtype/flags, or unknown layout */
    uint16_t n_truncated; /* skipped: option cut by the end of the buffer */
    uint16_t n_unknown;   /* skipped: subtype > 8 (0xf MP_EXPERIMENTAL included) */
    uint16_t n_duplicate; /* second valid suboption of a subtype (first kept) */
    uint8_t hs;           /* SAMPO__HS_*: handshake form of the kept MP_CAPABLE/MP_JOIN */
    uint8_t reserved;

    struct {
        uint8_t len;     /* 4, 12, 20, 22 or 24 */
        uint8_t version; /* 0 or 1 */
        uint8_t flags;   /* A B C D E F G H */
        uint8_t has_snd_key, has_rcv_key, has_data_len, has_csum;
        uint64_t snd_key;  /* key of the packet's sender */
        uint64_t rcv_key;  /* key of the packet's receiver (len >= 20) */
        uint16_t data_len; /* len 22/24 (v1 first data) */
        uint16_t csum;     /* len 24 */
    } mpc;

    struct {
        uint8_t len;     /* 12 (SYN), 16 (SYN/ACK) or 24 (ACK) */
        uint8_t backup;  /* B flag (SYN, SYN/ACK) */
        uint8_t addr_id; /* SYN, SYN/ACK */
        uint32_t token;  /* SYN: receiver's token */
        uint32_t nonce;  /* SYN, SYN/ACK */
        uint64_t thmac;  /* SYN/ACK: truncated HMAC */
    } join;

    struct {
        uint8_t len;
        uint8_t flags; /* SAMPO__DSS_* */
        uint8_t has_ack, ack64, has_map, dsn64, data_fin, has_csum;
        uint64_t data_ack; /* 32-bit value zero-extended when !ack64 */
        uint64_t dsn;      /* 32-bit value zero-extended when !dsn64 */
        uint32_t ssn;      /* subflow sequence number, relative to ISN */
        uint16_t data_len; /* 0 = infinite mapping */
        uint16_t csum;
    } dss;

    struct {
        uint8_t len;
        uint8_t version; /* 0 (IPVer nibble) or 1 (E flag layout) */
        uint8_t echo;    /* v1 E flag */
        uint8_t addr_id;
        uint8_t family; /* 4 or 6 */
        uint8_t has_port, has_hmac;
        uint16_t port;
        uint8_t addr[16];
        uint64_t hmac;
    } add_addr;

    struct {
        uint8_t n; /* address ids */
        uint8_t ids[SAMPO__MAX_RM_IDS];
    } rm_addr;

    struct {
        uint8_t len; /* 3, or 4 (v0 with address id) */
        uint8_t backup;
        uint8_t has_addr_id, addr_id;
    } prio;

    struct {
        uint64_t dsn;
    } fail;

    struct {
        uint64_t key; /* receiver's key */
    } fastclose;

    struct {
        uint8_t flags; /* U V W T */
        uint8_t reason;
    } tcprst;
} sampo__mptcp_opts;

/* Parse every MPTCP option in the TCP option area `opts[0..len)`.
 * `tcp_flags` (SYN/ACK bits) disambiguate MP_CAPABLE and MP_JOIN forms.
 * `out` is fully overwritten.  Returns the number of suboptions kept (bits
 * set in `present`); `tcp_flags` uses the TCP header's flag bits (SYN 0x02,
 * ACK 0x10). */
int sampo__mptcp_parse(const uint8_t *opts, size_t len, uint8_t tcp_flags, sampo__mptcp_opts *out);

#endif
