/* crypto.h - MPTCP token and IDSN of a key (RFC 8684 section 3.2; RFC 6824
 * section 3.1 for v0): the most significant 32 bits of SHA-256(key) (v0:
 * SHA-1) are the token, the least significant 64 bits the IDSN.  Pure. */
#ifndef SAMPO_WIRE_CRYPTO_H
#define SAMPO_WIRE_CRYPTO_H

#include <stdint.h>

/* version 0 or 1; token and idsn may be NULL.  SAMPO_OK or SAMPO_E_INVAL. */
int sampo__key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn);

#endif
