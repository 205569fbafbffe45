/* mptcp_opt.c - pure parser of MPTCP options (TCP option kind 30).
 *
 * RFC 8684 (v1) section 3 and RFC 6824 (v0) section 3; the accepted
 * lengths are those of docs/algorithm.md section 2.  The walk follows the
 * defensive shape of Linux net/mptcp/options.c: every option needs
 * 2 <= opsize <= remaining, and each suboption's expected size is derived
 * from its subtype and flags before any field is read.  Captured headers are
 * often cut at 64 to 128 bytes, so a cut option is counted and never read. */
#include "wire/mptcp_opt.h"

#include <string.h>

#include "wire/bytes.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1

/* TCP header flag bits (RFC 9293), the same as SAMPO__TH_* of decode.h;
 * repeated so that the parser does not depend on the decoder. */
#define TH_SYN 0x02
#define TH_ACK 0x10

/* Fixed sizes (RFC 8684 section 3). */
#define LEN_MPC_SYN 4   /* v1 SYN: no key */
#define LEN_MPC_KEY 12  /* sender's key: v0 SYN, SYN/ACK */
#define LEN_MPC_ACK 20  /* third ACK: both keys */
#define LEN_MPC_DATA 22 /* v1: keys + data-level length */
#define LEN_MPC_DATA_CSUM 24
#define LEN_JOIN_SYN 12
#define LEN_JOIN_SYNACK 16
#define LEN_JOIN_ACK 24
#define LEN_PRIO 3
#define LEN_PRIO_ID 4 /* v0 only: with an address id */
#define LEN_FAIL 12
#define LEN_FASTCLOSE 12
#define LEN_TCPRST 4

enum verdict { OPT_VALID, OPT_MALFORMED };

static void bump(uint16_t *c)
{
    /* The buffer may be longer than any TCP header (fuzzing, tests); a
     * counter that wraps would lie, one that saturates only understates. */
    if (*c != UINT16_MAX)
        (*c)++;
}

/* RFC 8684 section 3.1 (RFC 6824 section 3.1).  The SYN bit decides which
 * forms are possible: the key-less and single-key forms belong to the
 * handshake's SYN and SYN/ACK, the two-key forms to the third ACK and the
 * first data packet (v1).  v0 only knows 12 and 20. */
static enum verdict parse_capable(const uint8_t *o, size_t n, uint8_t tcp_flags,
                                  sampo__mptcp_opts *out)
{
    if (n < 4)
        return OPT_MALFORMED;
    unsigned version = o[2] & 0x0f;
    int syn = (tcp_flags & TH_SYN) != 0;
    int ok;

    if (version > 1)
        return OPT_MALFORMED; /* unknown layout */
    switch (n) {
    case LEN_MPC_SYN:
        ok = version == 1 && syn && !(tcp_flags & TH_ACK);
        break;
    case LEN_MPC_KEY:
        ok = syn;
        break;
    case LEN_MPC_ACK:
        ok = !syn;
        break;
    case LEN_MPC_DATA:
    case LEN_MPC_DATA_CSUM:
        ok = version == 1 && !syn;
        break;
    default:
        ok = 0;
        break;
    }
    if (!ok)
        return OPT_MALFORMED;
    if (SAMPO__HAS(out, SAMPO__MPTCP_SUB_CAPABLE))
        return OPT_VALID;

    out->mpc.len = (uint8_t)n;
    out->mpc.version = (uint8_t)version;
    if (syn)
        out->hs = (tcp_flags & TH_ACK) ? SAMPO__HS_MPC_SYNACK : SAMPO__HS_MPC_SYN;
    else
        out->hs = n >= LEN_MPC_DATA ? SAMPO__HS_MPC_DATA : SAMPO__HS_MPC_ACK;
    out->mpc.flags = o[3];
    if (n >= LEN_MPC_KEY) {
        out->mpc.has_snd_key = 1;
        out->mpc.snd_key = sampo__get64(o + 4);
    }
    if (n >= LEN_MPC_ACK) {
        out->mpc.has_rcv_key = 1;
        out->mpc.rcv_key = sampo__get64(o + 12);
    }
    if (n >= LEN_MPC_DATA) {
        out->mpc.has_data_len = 1;
        out->mpc.data_len = sampo__get16(o + 20);
    }
    if (n == LEN_MPC_DATA_CSUM) {
        out->mpc.has_csum = 1;
        out->mpc.csum = sampo__get16(o + 22);
    }
    return OPT_VALID;
}

/* RFC 8684 section 3.2: the three MP_JOIN forms differ in size and are told
 * apart by the packet's SYN and ACK bits only, so the size must agree. */
static enum verdict parse_join(const uint8_t *o, size_t n, uint8_t tcp_flags,
                               sampo__mptcp_opts *out)
{
    size_t expected;

    if (!(tcp_flags & TH_SYN))
        expected = LEN_JOIN_ACK;
    else if (tcp_flags & TH_ACK)
        expected = LEN_JOIN_SYNACK;
    else
        expected = LEN_JOIN_SYN;
    if (n != expected)
        return OPT_MALFORMED;
    if (SAMPO__HAS(out, SAMPO__MPTCP_SUB_JOIN))
        return OPT_VALID;

    out->join.len = (uint8_t)n;
    /* An MP_CAPABLE in the same header (never legitimate) keeps the form. */
    if (!SAMPO__HAS(out, SAMPO__MPTCP_SUB_CAPABLE))
        out->hs = n == LEN_JOIN_SYN      ? SAMPO__HS_MPJ_SYN
                  : n == LEN_JOIN_SYNACK ? SAMPO__HS_MPJ_SYNACK
                                         : SAMPO__HS_MPJ_ACK;
    if (n == LEN_JOIN_SYN) {
        out->join.backup = o[2] & 0x01;
        out->join.addr_id = o[3];
        out->join.token = sampo__get32(o + 4);
        out->join.nonce = sampo__get32(o + 8);
    } else if (n == LEN_JOIN_SYNACK) {
        out->join.backup = o[2] & 0x01;
        out->join.addr_id = o[3];
        out->join.thmac = sampo__get64(o + 4);
        out->join.nonce = sampo__get32(o + 12);
    }
    /* The ACK's 160-bit HMAC proves nothing to a middlebox without the
     * keys' owner; it is not kept. */
    return OPT_VALID;
}

/* RFC 8684 section 3.3 (DSS): the flags in byte 3 fix the layout; the only
 * freedom is the 2-byte checksum after a mapping, present when the
 * handshake negotiated it (section 3.3.1). */
static enum verdict parse_dss(const uint8_t *o, size_t n, sampo__mptcp_opts *out)
{
    if (n < 4)
        return OPT_MALFORMED;
    uint8_t flags = o[3];
    int has_ack = (flags & SAMPO__DSS_ACK) != 0;
    int ack64 = has_ack && (flags & SAMPO__DSS_ACK64);
    int has_map = (flags & SAMPO__DSS_MAP) != 0;
    int dsn64 = has_map && (flags & SAMPO__DSS_DSN64);
    size_t expected = 4;

    if (has_ack)
        expected += ack64 ? 8u : 4u;
    if (has_map)
        expected += (dsn64 ? 8u : 4u) + 4u + 2u; /* DSN, subflow seq, length */
    if (n != expected && !(has_map && n == expected + 2))
        return OPT_MALFORMED;
    if (SAMPO__HAS(out, SAMPO__MPTCP_SUB_DSS))
        return OPT_VALID;

    const uint8_t *p = o + 4;
    out->dss.len = (uint8_t)n;
    out->dss.flags = flags;
    out->dss.data_fin = (flags & SAMPO__DSS_DATA_FIN) != 0;
    if (has_ack) {
        out->dss.has_ack = 1;
        out->dss.ack64 = (uint8_t)ack64;
        out->dss.data_ack = ack64 ? sampo__get64(p) : sampo__get32(p);
        p += ack64 ? 8 : 4;
    }
    if (has_map) {
        out->dss.has_map = 1;
        out->dss.dsn64 = (uint8_t)dsn64;
        out->dss.dsn = dsn64 ? sampo__get64(p) : sampo__get32(p);
        p += dsn64 ? 8 : 4;
        out->dss.ssn = sampo__get32(p);
        /* 0 is the infinite mapping (section 3.3.1): kept as is, the
         * caller reports the fallback. */
        out->dss.data_len = sampo__get16(p + 4);
        if (n == expected + 2) {
            out->dss.has_csum = 1;
            out->dss.csum = sampo__get16(p + 6);
        }
    }
    return OPT_VALID;
}

/* ADD_ADDR, RFC 6824 section 3.4.1 (v0) and RFC 8684 section 3.4.1 (v1).
 * v0 puts the IP version (4 or 6) in byte 2's low nibble; v1 puts the E
 * flag in its lowest bit and reserves the others, so the two never collide.
 * In v1 the family is only known from the length. */
static enum verdict parse_add_addr(const uint8_t *o, size_t n, sampo__mptcp_opts *out)
{
    if (n < 4)
        return OPT_MALFORMED;
    unsigned low = o[2] & 0x0f;
    unsigned version, echo = 0, family;
    size_t base; /* size without the optional port */
    int has_hmac = 0;

    if (low == 4 || low == 6) {
        version = 0;
        family = low;
        base = family == 4 ? 8 : 20;
    } else {
        if (low & ~1u)
            return OPT_MALFORMED;
        version = 1;
        echo = low & 1u;
        has_hmac = !echo;
        /* kind, len, subtype, id, then 4 or 16 address bytes, then the
         * optional port, then the 8-byte truncated HMAC when not an echo */
        size_t hmac = has_hmac ? 8 : 0;
        if (n == 8 + hmac || n == 10 + hmac) {
            family = 4;
            base = 8 + hmac;
        } else if (n == 20 + hmac || n == 22 + hmac) {
            family = 6;
            base = 20 + hmac;
        } else {
            return OPT_MALFORMED;
        }
    }
    if (n != base && n != base + 2)
        return OPT_MALFORMED;
    /* Several ADD_ADDR may legitimately share a packet: keep the first,
     * without calling the next ones duplicates. */
    if (SAMPO__HAS(out, SAMPO__MPTCP_SUB_ADD_ADDR))
        return OPT_VALID;

    size_t alen = family == 4 ? 4 : 16;
    out->add_addr.len = (uint8_t)n;
    out->add_addr.version = (uint8_t)version;
    out->add_addr.echo = (uint8_t)echo;
    out->add_addr.addr_id = o[3];
    out->add_addr.family = (uint8_t)family;
    memcpy(out->add_addr.addr, o + 4, alen);
    if (n == base + 2) {
        out->add_addr.has_port = 1;
        out->add_addr.port = sampo__get16(o + 4 + alen);
    }
    if (has_hmac) {
        out->add_addr.has_hmac = 1;
        out->add_addr.hmac = sampo__get64(o + n - 8);
    }
    return OPT_VALID;
}

/* RFC 8684 section 3.4.2: one byte per address id after the subtype. */
static enum verdict parse_remove_addr(const uint8_t *o, size_t n, sampo__mptcp_opts *out)
{
    if (n < 4 || n - 3 > SAMPO__MAX_RM_IDS)
        return OPT_MALFORMED;
    if (SAMPO__HAS(out, SAMPO__MPTCP_SUB_REMOVE_ADDR))
        return OPT_VALID;
    out->rm_addr.n = (uint8_t)(n - 3);
    memcpy(out->rm_addr.ids, o + 3, n - 3);
    return OPT_VALID;
}

/* MP_PRIO, RFC 8684 section 3.3.8: length 3; RFC 6824 section 3.3.8 also
 * allowed an address id (length 4).  The option does not carry the
 * version, so both sizes are accepted. */
static enum verdict parse_prio(const uint8_t *o, size_t n, sampo__mptcp_opts *out)
{
    if (n != LEN_PRIO && n != LEN_PRIO_ID)
        return OPT_MALFORMED;
    if (SAMPO__HAS(out, SAMPO__MPTCP_SUB_PRIO))
        return OPT_VALID;
    out->prio.len = (uint8_t)n;
    out->prio.backup = o[2] & 0x01;
    if (n == LEN_PRIO_ID) {
        out->prio.has_addr_id = 1;
        out->prio.addr_id = o[3];
    }
    return OPT_VALID;
}

static int parse_one(const uint8_t *o, size_t n, uint8_t tcp_flags, sampo__mptcp_opts *out)
{
    if (n < 3) {
        bump(&out->n_malformed); /* not even a subtype */
        return 0;
    }
    unsigned sub = o[2] >> 4;
    enum verdict v;

    switch (sub) {
    case SAMPO__MPTCP_SUB_CAPABLE:
        v = parse_capable(o, n, tcp_flags, out);
        break;
    case SAMPO__MPTCP_SUB_JOIN:
        v = parse_join(o, n, tcp_flags, out);
        break;
    case SAMPO__MPTCP_SUB_DSS:
        v = parse_dss(o, n, out);
        break;
    case SAMPO__MPTCP_SUB_ADD_ADDR:
        v = parse_add_addr(o, n, out);
        break;
    case SAMPO__MPTCP_SUB_REMOVE_ADDR:
        v = parse_remove_addr(o, n, out);
        break;
    case SAMPO__MPTCP_SUB_PRIO:
        v = parse_prio(o, n, out);
        break;
    case SAMPO__MPTCP_SUB_FAIL: /* RFC 8684 section 3.7 */
        v = n == LEN_FAIL ? OPT_VALID : OPT_MALFORMED;
        if (v == OPT_VALID && !SAMPO__HAS(out, sub))
            out->fail.dsn = sampo__get64(o + 4);
        break;
    case SAMPO__MPTCP_SUB_FASTCLOSE: /* RFC 8684 section 3.5 */
        v = n == LEN_FASTCLOSE ? OPT_VALID : OPT_MALFORMED;
        if (v == OPT_VALID && !SAMPO__HAS(out, sub))
            out->fastclose.key = sampo__get64(o + 4);
        break;
    case SAMPO__MPTCP_SUB_TCPRST: /* RFC 8684 section 3.6 */
        v = n == LEN_TCPRST ? OPT_VALID : OPT_MALFORMED;
        if (v == OPT_VALID && !SAMPO__HAS(out, sub)) {
            out->tcprst.flags = o[2] & 0x0f;
            out->tcprst.reason = o[3];
        }
        break;
    default:
        /* 9..14 unassigned, 15 MP_EXPERIMENTAL (RFC 8684 section 8). */
        bump(&out->n_unknown);
        return 0;
    }

    if (v == OPT_MALFORMED) {
        bump(&out->n_malformed);
        return 0;
    }
    if (SAMPO__HAS(out, sub)) {
        if (sub != SAMPO__MPTCP_SUB_ADD_ADDR && sub != SAMPO__MPTCP_SUB_REMOVE_ADDR)
            bump(&out->n_duplicate);
        return 0;
    }
    out->present |= 1u << sub;
    return 1;
}

int sampo__mptcp_parse(const uint8_t *opts, size_t len, uint8_t tcp_flags, sampo__mptcp_opts *out)
{
    int kept = 0;
    size_t i = 0;

    if (out == NULL)
        return 0;
    memset(out, 0, sizeof *out);
    if (opts == NULL)
        return 0;

    while (i < len) {
        uint8_t kind = opts[i];

        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        size_t remaining = len - i;
        if (remaining < 2) {
            /* the length byte itself was cut */
            if (kind == SAMPO__TCPOPT_MPTCP) {
                bump(&out->n_mptcp);
                bump(&out->n_truncated);
            }
            break;
        }
        size_t opsize = opts[i + 1];
        if (opsize < 2) {
            /* No way to find the next option: stop, as TCP does. */
            if (kind == SAMPO__TCPOPT_MPTCP) {
                bump(&out->n_mptcp);
                bump(&out->n_malformed);
            }
            break;
        }
        if (opsize > remaining) {
            if (kind == SAMPO__TCPOPT_MPTCP) {
                bump(&out->n_mptcp);
                bump(&out->n_truncated);
            }
            break;
        }
        if (kind == SAMPO__TCPOPT_MPTCP) {
            bump(&out->n_mptcp);
            kept += parse_one(opts + i, opsize, tcp_flags, out);
        }
        i += opsize;
    }
    return kept;
}
