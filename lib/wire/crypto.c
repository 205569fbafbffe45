/* crypto.c - MPTCP token and IDSN of a key, MP_JOIN truncated HMAC (see
 * crypto.h), with libcrypto. */
#include "wire/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "sampo.h"

int sampo__key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn)
{
    uint8_t in[8], md[SHA256_DIGEST_LENGTH];
    size_t mdlen;
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)(key >> (56 - 8 * i)); /* network byte order */
    if (version == 0) {
        SHA1(in, sizeof(in), md);
        mdlen = SHA_DIGEST_LENGTH;
    } else if (version == 1) {
        SHA256(in, sizeof(in), md);
        mdlen = SHA256_DIGEST_LENGTH;
    } else {
        return SAMPO_E_INVAL;
    }
    if (token)
        *token = (uint32_t)md[0] << 24 | (uint32_t)md[1] << 16 | (uint32_t)md[2] << 8 | md[3];
    if (idsn) {
        uint64_t v = 0;
        for (size_t i = mdlen - 8; i < mdlen; i++)
            v = v << 8 | md[i];
        *idsn = v;
    }
    return SAMPO_OK;
}

int sampo__join_thmac(uint64_t key_b, uint64_t key_a, uint32_t r_b, uint32_t r_a, int version,
                      uint64_t *thmac)
{
    const EVP_MD *md = version == 0 ? EVP_sha1() : version == 1 ? EVP_sha256() : NULL;
    if (!md)
        return SAMPO_E_INVAL;
    uint8_t key[16], msg[8], out[EVP_MAX_MD_SIZE];
    unsigned outlen = 0;
    for (int i = 0; i < 8; i++) { /* network byte order, B's first */
        key[i] = (uint8_t)(key_b >> (56 - 8 * i));
        key[8 + i] = (uint8_t)(key_a >> (56 - 8 * i));
    }
    for (int i = 0; i < 4; i++) {
        msg[i] = (uint8_t)(r_b >> (24 - 8 * i));
        msg[4 + i] = (uint8_t)(r_a >> (24 - 8 * i));
    }
    if (!HMAC(md, key, (int)sizeof(key), msg, sizeof(msg), out, &outlen) || outlen < 8)
        return SAMPO_E_INVAL;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | out[i];
    *thmac = v;
    return SAMPO_OK;
}
