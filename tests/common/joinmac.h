/* joinmac.h - the truncated HMAC of an MP_JOIN SYN/ACK, for tests that
 * synthesize joins a monitor can verify (RFC 8684 section 3.2: the
 * leftmost 64 bits of HMAC(Key=(Key-B + Key-A), Msg=(R-B + R-A)), B the
 * host that receives the SYN, A the join's initiator; HMAC-SHA256 for v1,
 * HMAC-SHA1 for v0).  Header-only, with libcrypto: an implementation of
 * its own, written apart from lib/wire/crypto.c, from OpenSSL's one-shot
 * HMAC(). */
#ifndef SAMPO_TEST_JOINMAC_H
#define SAMPO_TEST_JOINMAC_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>

static inline uint64_t tp_join_thmac(int version, uint64_t key_b, uint64_t key_a, uint32_t r_b,
                                     uint32_t r_a)
{
    uint8_t key[16], msg[8], md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    for (int i = 0; i < 8; i++) {
        key[i] = (uint8_t)(key_b >> (56 - 8 * i));
        key[8 + i] = (uint8_t)(key_a >> (56 - 8 * i));
    }
    for (int i = 0; i < 4; i++) {
        msg[i] = (uint8_t)(r_b >> (24 - 8 * i));
        msg[4 + i] = (uint8_t)(r_a >> (24 - 8 * i));
    }
    HMAC(version ? EVP_sha256() : EVP_sha1(), key, 16, msg, 8, md, &n);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | md[i];
    return v;
}

#endif
