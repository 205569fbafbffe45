/* crypto.c - MPTCP token and IDSN of a key (see crypto.h), with libcrypto. */
#include "wire/crypto.h"

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
