/* crypto.h - MPTCP token and IDSN of a key (RFC 8684 section 3.2; RFC 6824
 * section 3.1 for v0): the most significant 32 bits of SHA-256(key) (v0:
 * SHA-1) are the token, the least significant 64 bits the IDSN; and the
 * truncated HMAC of an MP_JOIN SYN/ACK.  Pure. */
#ifndef SAMPO_WIRE_CRYPTO_H
#define SAMPO_WIRE_CRYPTO_H

#include <stdint.h>

/* version 0 or 1; token and idsn may be NULL.  SAMPO_OK or SAMPO_E_INVAL. */
int sampo__key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn);

/* The truncated HMAC of an MP_JOIN SYN/ACK (RFC 8684 section 3.2; RFC 6824
 * section 3.2 for v0): the leftmost 64 bits of HMAC(Key=(Key-B + Key-A),
 * Msg=(R-B + R-A)), B the host that received the SYN (the owner of the
 * token it names), A the join's initiator; HMAC-SHA256 for version 1,
 * HMAC-SHA1 for 0.  SAMPO_OK or SAMPO_E_INVAL. */
int sampo__join_thmac(uint64_t key_b, uint64_t key_a, uint32_t r_b, uint32_t r_a, int version,
                      uint64_t *thmac);

#endif
