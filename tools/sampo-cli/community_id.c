/*
 * community_id.c - Community ID v1 (see community_id.h), with libcrypto's
 * SHA-1 and base64.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "community_id.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

int community_id_v1(int family, const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
                    uint16_t dport, uint8_t proto, int has_ports, uint16_t seed, char *out,
                    size_t len)
{
    uint8_t buf[2 + 16 + 16 + 2 + 4], digest[SHA_DIGEST_LENGTH];
    size_t alen, n = 0;
    int c;

    if (len > 0)
        out[0] = '\0';
    if (len < COMMUNITY_ID_LEN)
        return -1;
    if (family == 4)
        alen = 4;
    else if (family == 6)
        alen = 16;
    else
        return -1;
    /* Smaller endpoint first: by address, then (equal addresses) by port. */
    c = memcmp(saddr, daddr, alen);
    if (c > 0 || (c == 0 && has_ports && sport > dport)) {
        const uint8_t *a = saddr;
        uint16_t p = sport;

        saddr = daddr;
        daddr = a;
        sport = dport;
        dport = p;
    }
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, saddr, alen);
    n += alen;
    memcpy(buf + n, daddr, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (has_ports) {
        buf[n++] = (uint8_t)(sport >> 8);
        buf[n++] = (uint8_t)sport;
        buf[n++] = (uint8_t)(dport >> 8);
        buf[n++] = (uint8_t)dport;
    }
    if (SHA1(buf, n, digest) == NULL)
        return -1;
    memcpy(out, "1:", 2);
    /* 20 bytes -> 28 characters and a NUL: fits in COMMUNITY_ID_LEN - 2. */
    EVP_EncodeBlock((unsigned char *)out + 2, digest, SHA_DIGEST_LENGTH);
    return 0;
}

int community_id_flow(const sampo_flow *f, uint16_t seed, char *out, size_t len)
{
    return community_id_v1(f->family, f->src, f->dst, f->src_port, f->dst_port, COMMUNITY_ID_TCP, 1,
                           seed, out, len);
}
