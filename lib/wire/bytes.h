/* bytes.h - big-endian loads from unaligned packet bytes.
 *
 * memcpy() into a local keeps the access legal for any alignment (packet
 * buffers rarely are aligned) and compilers turn it into one load plus a
 * byte swap.  Callers check the bounds first: these helpers never do. */
#ifndef SAMPO_BYTES_H
#define SAMPO_BYTES_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SAMPO__BE16(x) (x)
#define SAMPO__BE32(x) (x)
#define SAMPO__BE64(x) (x)
#elif defined(__GNUC__)
#define SAMPO__BE16(x) __builtin_bswap16(x)
#define SAMPO__BE32(x) __builtin_bswap32(x)
#define SAMPO__BE64(x) __builtin_bswap64(x)
#endif

static inline uint16_t sampo__get16(const uint8_t *p)
{
#ifdef SAMPO__BE16
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return (uint16_t)SAMPO__BE16(v);
#else
    uint8_t b[2];
    memcpy(b, p, sizeof b);
    return (uint16_t)((unsigned)b[0] << 8 | b[1]);
#endif
}

static inline uint32_t sampo__get32(const uint8_t *p)
{
#ifdef SAMPO__BE32
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return (uint32_t)SAMPO__BE32(v);
#else
    uint8_t b[4];
    memcpy(b, p, sizeof b);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
#endif
}

static inline uint64_t sampo__get64(const uint8_t *p)
{
#ifdef SAMPO__BE64
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return (uint64_t)SAMPO__BE64(v);
#else
    return (uint64_t)sampo__get32(p) << 32 | sampo__get32(p + 4);
#endif
}

#endif
