/* fuzz_decode.c - libFuzzer target for the packet decoder (lib/wire/decode.c).
 *
 * Input: byte 0 picks the link type (low nibble modulo 7: Ethernet, raw
 * IP, Linux SLL, Linux SLL2, IPv4, IPv6, or an unsupported one) and the
 * wire length (top two bits: 0, as captured, 1500 bytes longer than
 * captured, or half the captured length, which a broken capture header
 * can give); the rest is the frame, copied to a heap buffer of exactly
 * its size so that ASan sees a read one byte past caplen.
 *
 * Beyond memory safety (ASan/UBSan), checks the decoder's promises:
 * - a status from the documented set, with the counter that explains it,
 *   and nothing left in *out after a drop but the tunnels it went through;
 * - on success: family 4 or 6, options inside the frame (cut at its end
 *   only, unless a tunnel's payload ends first), opts_truncated exactly
 *   when the counter says so, only known tunnel bits, and the
 *   decapsulated counter exactly when there are some (and no other);
 * - nothing past the TCP options is read: the frame cut right after them
 *   decodes the same, cut one byte earlier it has truncated options, and
 *   cut before the options it is refused as truncated;
 * - a pure function: the same call gives the same result;
 * - no `out` is refused (SAMPO_E_INVAL). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

#define UNSUPPORTED_LINKTYPE 147 /* LINKTYPE_USER0 */

#define TUNNEL_BITS                                                                                \
    (SAMPO__TUN_GRE | SAMPO__TUN_ERSPAN | SAMPO__TUN_VXLAN | SAMPO__TUN_GENEVE | SAMPO__TUN_MPLS | \
     SAMPO__TUN_PPPOE | SAMPO__TUN_IP)

static const int linktypes[] = {
    SAMPO_LINKTYPE_ETHERNET,   SAMPO_LINKTYPE_RAW,  SAMPO_LINKTYPE_LINUX_SLL,
    SAMPO_LINKTYPE_LINUX_SLL2, SAMPO_LINKTYPE_IPV4, SAMPO_LINKTYPE_IPV6,
    UNSUPPORTED_LINKTYPE,
};

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* The counters a drop with status `rc` may name. */
static int counter_fits(int rc, int counter)
{
    switch (rc) {
    case SAMPO_E_LINKTYPE:
        return counter == SAMPO_CNT_LINKTYPE_UNSUPPORTED;
    case SAMPO_E_TRUNCATED:
        return counter == SAMPO_CNT_L2_TRUNCATED || counter == SAMPO_CNT_IP_TRUNCATED ||
               counter == SAMPO_CNT_IPV6_EXT_TRUNCATED || counter == SAMPO_CNT_TCP_TRUNCATED ||
               counter == SAMPO_CNT_TUNNEL_TRUNCATED;
    case SAMPO_E_MALFORMED:
        return counter == SAMPO_CNT_IP_MALFORMED || counter == SAMPO_CNT_TCP_MALFORMED ||
               counter == SAMPO_CNT_TUNNEL_MALFORMED || counter == SAMPO_CNT_TUNNEL_TOO_DEEP;
    case SAMPO_E_NOTTCP:
        return counter == SAMPO_CNT_NOT_IP || counter == SAMPO_CNT_NOT_TCP ||
               counter == SAMPO_CNT_TUNNEL_UNSUPPORTED;
    case SAMPO_E_FRAGMENT:
        return counter == SAMPO_CNT_IP_FRAGMENT;
    default:
        return 0;
    }
}

/* Decode the first `len` bytes of `frame` from an exact-size copy, and
 * check what holds for any input.  `opts_off` receives the offset of the
 * options in the frame on success.  @return the status. */
static int decode_checked(int lt, const uint8_t *frame, size_t len, size_t wirelen, int pass_null,
                          sampo__pkt *out, size_t *opts_off)
{
    uint8_t *buf = malloc(len ? len : 1);
    int counter = -2;

    CHECK(buf != NULL);
    memcpy(buf, frame, len);
    memset(out, 0xa5, sizeof *out); /* the decoder must overwrite all of it */
    int rc = sampo__decode(lt, pass_null ? NULL : buf, len, wirelen, out, &counter);
    if (rc == SAMPO_OK) {
        CHECK(out->family == 4 || out->family == 6);
        if (out->family == 4) {
            CHECK(all_zero(out->src + 4, 12));
            CHECK(all_zero(out->dst + 4, 12));
        }
        CHECK((out->tunnels & ~TUNNEL_BITS) == 0);
        CHECK(out->opts_truncated == 0 || out->opts_truncated == 1);
        CHECK(counter == (out->opts_truncated ? SAMPO_CNT_TCP_OPTIONS_TRUNCATED
                          : out->tunnels      ? SAMPO_CNT_DECAPSULATED
                                              : -1));
        CHECK(out->opts_len <= 40);
        CHECK(out->opts != NULL && out->opts >= buf + 20);
        CHECK((size_t)(out->opts - buf) + out->opts_len <= len);
        if (!out->opts_truncated)
            CHECK(out->opts_len % 4 == 0);
        else if (!out->tunnels)
            CHECK((size_t)(out->opts - buf) + out->opts_len == len);
        /* else the capture, or the end of the tunnel's payload as its outer
         * header gives it (a mirror's truncated copy), cut them */
        *opts_off = (size_t)(out->opts - buf);
    } else {
        CHECK(counter_fits(rc, counter));
        /* a drop keeps only the tunnels it went through */
        CHECK((out->tunnels & ~TUNNEL_BITS) == 0);
        sampo__pkt cleared = *out;
        cleared.tunnels = 0;
        CHECK(all_zero(&cleared, sizeof cleared));
        if (lt == UNSUPPORTED_LINKTYPE)
            CHECK(rc == SAMPO_E_LINKTYPE);
    }
    if (lt != UNSUPPORTED_LINKTYPE)
        CHECK(rc != SAMPO_E_LINKTYPE);

    /* Pure: the same call again, without a counter pointer this time. */
    sampo__pkt again;
    memset(&again, 0x5a, sizeof again);
    CHECK(sampo__decode(lt, pass_null ? NULL : buf, len, wirelen, &again, NULL) == rc);
    if (rc == SAMPO_OK) {
        /* opts points into buf: compare it as an offset. */
        CHECK(again.opts == out->opts);
        out->opts = NULL;
        again.opts = NULL;
    }
    CHECK(memcmp(out, &again, sizeof again) == 0);

    /* No result to fill: refused, with no counter to blame. */
    counter = -2;
    CHECK(sampo__decode(lt, buf, len, wirelen, NULL, &counter) == SAMPO_E_INVAL);
    CHECK(counter == -1);
    free(buf);
    return rc;
}

static int same_headers(const sampo__pkt *a, const sampo__pkt *b)
{
    return a->family == b->family && a->tcp_flags == b->tcp_flags &&
           memcmp(a->src, b->src, sizeof a->src) == 0 &&
           memcmp(a->dst, b->dst, sizeof a->dst) == 0 && a->sport == b->sport &&
           a->dport == b->dport && a->seq == b->seq && a->ack == b->ack &&
           a->payload_len == b->payload_len && a->tunnels == b->tunnels;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int lt = linktypes[(data[0] & 0x0f) % (sizeof linktypes / sizeof linktypes[0])];
    const uint8_t *frame = data + 1;
    size_t len = size - 1, wirelen;

    switch (data[0] >> 6) {
    case 0:
        wirelen = 0;
        break; /* "as captured" */
    case 1:
        wirelen = len;
        break;
    case 2:
        wirelen = len + 1500;
        break; /* cut by the snap length */
    default:
        wirelen = len / 2;
        break; /* broken: below caplen */
    }
    /* Nothing captured may come as a NULL pointer. */
    int pass_null = len == 0 && (data[0] & 0x10);

    sampo__pkt full;
    size_t opts_off = 0;
    int rc = decode_checked(lt, frame, len, wirelen, pass_null, &full, &opts_off);
    if (rc != SAMPO_OK)
        return 0;

    /* The wire as the decoder sees it: cutting the capture must not change
     * it, or a zero IP length (TSO) would fall back on a different one. */
    size_t wire = wirelen < len ? len : wirelen;
    size_t end = opts_off + full.opts_len;
    sampo__pkt cut;
    size_t cut_off = 0;

    /* Cut right after the captured options: the same result. */
    CHECK(decode_checked(lt, frame, end, wire, 0, &cut, &cut_off) == SAMPO_OK);
    CHECK(cut_off == opts_off && cut.opts_len == full.opts_len);
    CHECK(cut.opts_truncated == full.opts_truncated);
    CHECK(same_headers(&cut, &full));

    /* One byte fewer: the options are cut, the headers still decode. */
    if (full.opts_len > 0) {
        CHECK(decode_checked(lt, frame, end - 1, wire, 0, &cut, &cut_off) == SAMPO_OK);
        CHECK(cut_off == opts_off && cut.opts_len == full.opts_len - 1);
        CHECK(cut.opts_truncated == 1);
        CHECK(same_headers(&cut, &full));
    }

    /* Cut inside the fixed TCP header: refused as truncated. */
    CHECK(decode_checked(lt, frame, opts_off - 1, wire, 0, &cut, &cut_off) == SAMPO_E_TRUNCATED);
    return 0;
}
