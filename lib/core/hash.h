/* hash.h - the keyed hash every table of the context uses.
 *
 * SipHash-1-3 (Aumasson and Bernstein's SipHash with one compression and
 * three finalisation rounds, the variant CPython and Rust use for their
 * hash tables) under the context's 128-bit secret key: a keyed function
 * whose collisions an attacker who knows the function but not the key
 * cannot compute, so a flood of 5-tuples, tokens or ids cannot be aimed at
 * one bucket.  The key is random (getrandom(2)) unless SAMPO_OPT_HASH_SEED
 * fixes it (sampo__hkey_from_seed()); output never depends on it, only the
 * hash layout does.  Tables are uthash, configured in core/uthash_cfg.h;
 * keys are hashed here and inserted BYHASHVALUE. */
#ifndef SAMPO_CORE_HASH_H
#define SAMPO_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The 128-bit key: k0 is bytes 0-7 of SipHash's key, little-endian, k1
 * bytes 8-15. */
typedef struct sampo__hkey {
    uint64_t k0, k1;
} sampo__hkey;

static inline uint64_t sampo__rotl(uint64_t x, unsigned b) { return (x << b) | (x >> (64 - b)); }

/* The little-endian 64-bit word at p (any alignment). */
static inline uint64_t sampo__load_le64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

#define SAMPO__SIPROUND(v0, v1, v2, v3) \
    do {                                \
        v0 += v1;                       \
        v1 = sampo__rotl(v1, 13);       \
        v1 ^= v0;                       \
        v0 = sampo__rotl(v0, 32);       \
        v2 += v3;                       \
        v3 = sampo__rotl(v3, 16);       \
        v3 ^= v2;                       \
        v0 += v3;                       \
        v3 = sampo__rotl(v3, 21);       \
        v3 ^= v0;                       \
        v2 += v1;                       \
        v1 = sampo__rotl(v1, 17);       \
        v1 ^= v2;                       \
        v2 = sampo__rotl(v2, 32);       \
    } while (0)

/* SipHash-c-d of data[0..len) under k, the one implementation: inlined
 * where it is called, so that with constant round counts and a constant
 * length (a flow key, an id) the loops unroll and the tail is one load. */
__attribute__((always_inline)) static inline uint64_t
sampo__siphash_cd(sampo__hkey k, const void *data, size_t len, unsigned c, unsigned d)
{
    const uint8_t *p = data;
    uint64_t v0 = k.k0 ^ UINT64_C(0x736f6d6570736575);
    uint64_t v1 = k.k1 ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = k.k0 ^ UINT64_C(0x6c7967656e657261);
    uint64_t v3 = k.k1 ^ UINT64_C(0x7465646279746573);
    uint64_t b = (uint64_t)len << 56;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t m = sampo__load_le64(p);
        v3 ^= m;
        for (unsigned i = 0; i < c; i++)
            SAMPO__SIPROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    for (size_t i = 0; i < len; i++) /* the last 0-7 bytes, under the length */
        b |= (uint64_t)p[i] << (8 * i);
    v3 ^= b;
    for (unsigned i = 0; i < c; i++)
        SAMPO__SIPROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    for (unsigned i = 0; i < d; i++)
        SAMPO__SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-1-3 of data[0..len) under k: the tables' hash. */
uint64_t sampo__hash(sampo__hkey k, const void *data, size_t len);

/* SipHash-c-d, the same code with the round counts as parameters: what
 * the unit tests check against the published SipHash-2-4 vectors. */
uint64_t sampo__siphash(sampo__hkey k, const void *data, size_t len, unsigned c, unsigned d);

/* The key a 64-bit seed (SAMPO_OPT_HASH_SEED) stands for: both halves
 * drawn from splitmix64 started at the seed, so that a fixed seed gives a
 * reproducible layout.  Not secret: whoever knows the seed knows the key. */
sampo__hkey sampo__hkey_from_seed(uint64_t seed);

static inline unsigned sampo__hash_u64(sampo__hkey k, uint64_t v)
{
    return (unsigned)sampo__siphash_cd(k, &v, sizeof(v), 1, 3);
}

static inline unsigned sampo__hash_u32(sampo__hkey k, uint32_t v)
{
    return (unsigned)sampo__siphash_cd(k, &v, sizeof(v), 1, 3);
}

#endif
